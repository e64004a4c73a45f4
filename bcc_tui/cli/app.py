"""Dispatch of the parsed command line to the services, and the plain-text output."""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

from bcc_tui.domain import errand as e
from bcc_tui.domain.business_days import STOCKHOLM
from bcc_tui.domain.errors import InvalidInput, NotFound
from bcc_tui.domain.text import clean, clean_line
from bcc_tui.domain import roles
from bcc_tui.domain.validation import parse_date
from bcc_tui.services import audit_log, clinic, errands, identity, intake, notify, outbound, people, reports
from bcc_tui.services.clock import FixedClock, SystemClock
from bcc_tui.services.context import Ctx
from bcc_tui.settings import Settings
from bcc_tui.store import schema
from bcc_tui.store.db import Store

# Commands that may create a missing database file (the first set-up of an empty database).
_CREATES = {"import", "staff", "schedule"}


def open_ctx(settings: Settings, *, create: bool) -> Ctx:
    path = settings.db_path
    if not path.exists():
        if not create:
            raise NotFound(f"databasen {path} finns inte (ange --db eller $BCC_DB)")
        path.parent.mkdir(parents=True, exist_ok=True)
    acct = identity.account(path)
    clock = FixedClock(settings.frozen_now) if settings.frozen_now and acct.trusted else SystemClock()
    store = Store(path)
    schema.migrate(store)
    actor = identity.resolve(store, acct, settings.as_user, clock)
    return Ctx(store, actor, clock)


def _read_input(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(name).read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"filen {name} finns inte") from None
    except IsADirectoryError:
        raise InvalidInput(f"{name} är en mapp, inte en fil") from None
    except PermissionError:
        raise InvalidInput(f"filen {name} får inte läsas") from None


def _print_rejected(name: str, rejected: list[tuple[int, str]]) -> None:
    for number, why in rejected:
        print(f"{name}:{number}: {why}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    command = args.command
    if command in (None, "demo", "open"):
        from bcc_tui.cli import dashboard  # the UI is imported only here

        return dashboard.run(args)
    settings = Settings.load(args.db, args.as_user)
    ctx = open_ctx(settings, create=command in _CREATES)
    try:
        return _COMMANDS[command](ctx, args)
    finally:
        # §4.6: every command tries the outbox before it exits.
        try:
            notify.deliver(ctx.store, ctx.clock, notify.MailConfig.parse(settings.smtp, settings.mail_from))
        except Exception:  # noqa: BLE001 - delivery must never change the command's outcome
            pass
        ctx.store.close()


def _import(ctx: Ctx, args) -> int:
    report = intake.import_errands(ctx, _read_input(args.file))
    name = "stdin" if args.file == "-" else args.file
    _print_rejected(name, report.rejected)
    print(f"{report.added} nya ärenden, {report.skipped} redan inlästa, {len(report.rejected)} avvisade rader")
    return 0 if report.ok else 1


def _people_import(ctx: Ctx, args) -> int:
    fn = people.import_staff if args.command == "staff" else people.import_schedule
    report = fn(ctx, _read_input(args.file))
    _print_rejected("stdin" if args.file == "-" else args.file, report.rejected)
    print(f"{report.added} nya, {report.changed} ändrade, {report.skipped} oförändrade, "
          f"{len(report.rejected)} avvisade rader")
    return 0 if report.ok else 1


def _local(moment) -> str:
    return moment.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")


def _list(ctx: Ctx, args) -> int:
    # Written as read: the first line appears at once and memory stays flat on a large backlog.
    rows = errands.iter_errands(ctx, args.status, limit=args.limit)
    out = sys.stdout
    if args.json:
        encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder, not one per row
        for s in rows:
            out.write(encode(s.to_json()) + "\n")
        return 0
    first = next(rows, None)
    if first is None:
        print("Inga ärenden.")
        return 0
    out.write(f"{'REF':<14} {'TYP':<24} {'STATUS':<10} {'HANDLÄGGARE':<12} {'INKOM':<16} {'FÖRFALLER':<10} SLA\n")
    for s in itertools.chain((first,), rows):
        out.write(f"{clean_line(s.ref):<14} {s.type_name[:24]:<24} {e.STATUS_NAMES[s.status]:<10} "
                  f"{(s.assignee or '–'):<12} {_local(s.received_at):<16} {s.due_date.isoformat():<10} "
                  f"{s.countdown.text}{' · delsvar' if s.partial_reply_sent else ''}"
                  f"{' · uppföljning passerad' if s.followup_overdue else ''}"
                  f"{' · AKUT: ' + ', '.join(s.acute) if s.acute else ''}"
                  f"{' · BRÅDSKANDE' if s.urgent else ''}\n")
    return 0


def _show(ctx: Ctx, args) -> int:
    d = errands.show_errand(ctx, args.ref)
    if args.json:
        print(json.dumps(d.to_json(), ensure_ascii=False, indent=2))
        return 0
    s = d.summary
    lines = [
        f"Ärende {s.ref} · {s.type_name} · {e.UNITS[s.unit]} · {e.STATUS_NAMES[s.status]}",
        f"Patient: {clean_line(s.patient_name)} ({s.personnummer})",
    ]
    if s.proxy_name:
        lines.append(f"Ombud: {clean_line(s.proxy_name)} ({clean_line(s.proxy_relation or '')})")
    if d.contact_preference or d.phone:
        pref = e.CONTACT_PREFERENCES.get(d.contact_preference or "", "")
        lines.append(f"Kontakt: {pref} {clean_line(d.phone or '')}".rstrip())
    lines += [
        f"Inkom: {_local(s.received_at)} · Förfaller: {s.due_date.isoformat()} ({s.countdown.text})",
        f"  {d.due_explanation}",
        f"Handläggare: {s.assignee or '–'}" + (" · BRÅDSKANDE" if s.urgent else ""),
    ]
    if s.suggestion:
        lines.append(f"Förslag: {s.suggestion.username} ({s.suggestion.reason})")
    lines += ["", f"Ämne: {clean_line(s.subject)}" if s.subject else "", clean(d.message), ""]
    for ev in d.events:
        head = f"— {_local(ev.at)} {_EVENT_NAMES.get(ev.kind, ev.kind)} av {clean_line(ev.actor_name)}"
        if ev.target:
            head += f" → {ev.target}"
        lines.append(head)
        if ev.text:
            lines += ["  " + t for t in clean(ev.text).splitlines()]
    print("\n".join(line for line in lines if line is not None))
    return 0


_EVENT_NAMES = {
    e.ASSIGN: "Fördelat", e.REASSIGN: "Omfördelat", e.PARTIAL_REPLY: "Delsvar", e.REPLY: "Svar",
    e.CLOSE: "Avslutat utan svar", e.NOTE: "Intern anteckning", e.URGENT: "Brådskande ändrat",
    e.REMIND: "Påminnelse",
}


def _assign(ctx: Ctx, args) -> int:
    errands.assign(ctx, args.ref, args.user, reassign=args.reassign)
    print(f"{args.ref} {'omfördelat' if args.reassign else 'fördelat'} till {args.user}")
    return 0


def _reply(ctx: Ctx, args) -> int:
    text = args.text
    if args.template is not None:
        text = clinic.render_template(ctx, args.template, args.ref)
    errands.reply(ctx, args.ref, text)
    print(f"{args.ref} besvarat och avslutat")
    return 0


def _partial(ctx: Ctx, args) -> int:
    errands.partial_reply(ctx, args.ref, args.text, consulted=args.consulted)
    print(f"delsvar skickat för {args.ref}")
    return 0


def _close(ctx: Ctx, args) -> int:
    errands.close(ctx, args.ref, args.reason, documented=args.documented)
    print(f"{args.ref} avslutat utan svar")
    return 0


def _note(ctx: Ctx, args) -> int:
    errands.note(ctx, args.ref, args.text)
    print(f"anteckning sparad för {args.ref}")
    return 0


def _urgent(ctx: Ctx, args) -> int:
    errands.set_urgent(ctx, args.ref, not args.off)
    print(f"{args.ref} {'inte längre ' if args.off else ''}markerat brådskande")
    return 0


def _remind(ctx: Ctx, args) -> int:
    mailed = errands.remind(ctx, args.ref)
    print(f"påminnelse skickad för {args.ref}" + ("" if mailed else " (handläggaren får ingen e-post; markerad i instrumentpanelen)"))
    return 0


def _audit(ctx: Ctx, args) -> int:
    import csv

    start = parse_date(args.start, "--from") if args.start else None
    end = parse_date(args.end, "--to") if args.end else None
    rows = audit_log.read(ctx, patient=args.patient, user=args.user, start=start, end=end, limit=args.limit)
    if args.csv:
        out = csv.writer(sys.stdout, lineterminator="\n")
        out.writerow(["id", "at", "actor", "role", "action", "ref", "personnummer", "outcome", "detail"])
        for r in rows:
            out.writerow([r.id, r.at, r.actor, r.role, r.action, r.ref or "", r.personnummer or "",
                          r.outcome, clean_line(r.detail)])
        return 0
    for r in rows:
        print(f"{r.at}  {r.actor:<10} {r.action:<14} {r.ref or '–':<14} {r.personnummer or '–':<14} "
              f"{r.outcome:<8} {clean_line(r.detail)}")
    return 0


def _check(ctx: Ctx, args) -> int:
    problems = audit_log.check(ctx)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        return 1
    print("Databasen är hel: integritet, främmande nycklar och granskningsloggens kedja stämmer.")
    return 0


def _outbound(ctx: Ctx, args) -> int:
    try:
        n = outbound.export(ctx, args.file)
    except OSError as err:
        raise InvalidInput(f"kan inte skriva {args.file}: {err.strerror or err}") from None
    print(f"{n} svar exporterade till {args.file}")
    return 0


def _outbox(ctx: Ctx, args) -> int:
    if not ctx.actor.is_system and not ctx.actor.has(roles.ADMIN):
        raise InvalidInput("bara administratören ser e-postkön")
    from bcc_tui.store import outbox as ob

    with ctx.store.read() as conn:
        rows = ob.listing(conn)
    if not rows:
        print("Inga aviseringar väntar.")
    for r in rows:
        print(f"{r['created_at']}  {r['kind']:<7} {r['ref'] or '–':<14} till {r['recipient']:<10} "
              f"försök {r['attempts']}{'  fel: ' + r['last_error'] if r['last_error'] else ''}")
    return 0


def _template(ctx: Ctx, args) -> int:
    sub = args.subcommand
    if sub == "list":
        if args.type and args.type not in e.TYPES:
            raise InvalidInput(f"okänd ärendetyp '{args.type}'")
        rows = clinic.list_templates(ctx, args.type, active_only=not args.all)
        if not rows:
            print("Inga mallar.")
        for t in rows:
            kind = e.type_name(t.type) if t.type else "alla typer"
            print(f"{t.name}  ({kind}{'' if t.active else ', avvecklad'})")
            for line in t.body.splitlines():
                print(f"    {line}")
        return 0
    if sub == "add":
        clinic.save_template(ctx, args.name, args.text, args.type)
        print(f"mallen '{args.name}' sparad")
        return 0
    if sub == "edit":
        current = {t.name: t for t in clinic.list_templates(ctx, active_only=False)}.get(args.name)
        if current is None:
            raise NotFound(f"mallen '{args.name}' finns inte")
        clinic.save_template(ctx, args.rename or current.name, args.text if args.text is not None else current.body,
                             current.type, template_id=current.id)
        print(f"mallen '{args.rename or args.name}' ändrad")
        return 0
    clinic.retire_template(ctx, args.name)
    print(f"mallen '{args.name}' avvecklad")
    return 0


def _types(ctx: Ctx, args) -> int:
    if args.code:
        default = args.default_assignee
        if default is not None and default.lower() == "none":
            default = ""
        moved = clinic.update_type(ctx, args.code, name=args.name, days=args.days, default_assignee=default)
        print(f"{args.code} ändrad" + (f"; {moved} öppna ärenden fick nytt förfallodatum" if moved else ""))
        return 0
    for t in clinic.list_types(ctx):
        units = " och ".join(e.UNITS[u].lower() for u in t.units)
        default = {"top_doctor": "överst på schemat", None: "–"}.get(t.default_assignee, t.default_assignee)
        print(f"{t.code:<22} {t.name:<26} {t.business_days} vardagar  förslag: {default:<18} ({units})")
    return 0


def _notice(ctx: Ctx, args) -> int:
    if args.clear:
        clinic.clear_notice(ctx)
        print("driftinformationen borttagen")
        return 0
    if not args.text or not args.until:
        raise InvalidInput("ange text och --until DATUM (eller --clear)")
    clinic.post_notice(ctx, args.text, parse_date(args.until, "--until"))
    print(f"driftinformationen visas till och med {args.until}")
    return 0


def _settings(ctx: Ctx, args) -> int:
    if args.acute_words is not None:
        words = clinic.set_acute_stems(ctx, args.acute_words.split(","))
        print("akuta ord: " + ", ".join(words))
    if args.followup_days is not None:
        clinic.set_followup_days(ctx, args.followup_days)
        print(f"uppföljning {args.followup_days} vardagar efter delsvar")
    if args.acute_words is None and args.followup_days is None:
        with ctx.store.read() as conn:
            print("akuta ord: " + ", ".join(clinic.acute_stems(conn)))
            print(f"uppföljning: {clinic.followup_days(conn)} vardagar efter delsvar")
    return 0


def _handover(ctx: Ctx, args) -> int:
    if args.note is not None:
        reports.add_note(ctx, args.note)
        print("anteckningen sparad till nästa pass")
        return 0
    sys.stdout.write(reports.handover_markdown(reports.handover(ctx)))
    return 0


def _stats(ctx: Ctx, args) -> int:
    start = parse_date(args.start, "--from") if args.start else None
    end = parse_date(args.end, "--to") if args.end else None
    report = reports.stats(ctx, start, end)
    if args.csv:
        sys.stdout.write(reports.deviations_csv(report) if args.deviations else reports.stats_csv(report))
        return 0
    if args.deviations:
        print(f"Avvikelser {report.start} – {report.end}: {len(report.deviations)} ärenden bröt mot regeln")
        for d in report.deviations:
            first = _local(d.first_response_at) if d.first_response_at else "inget svar än"
            print(f"{d.ref:<13} {e.type_name(d.type):<24} inkom {_local(d.received_at)}  förföll {d.due_date}  "
                  f"första svar {first}  hos {d.assignee or '–'}")
        return 0
    print(f"Statistik för ärenden som kom in {report.start} – {report.end}")
    print(f"{'TYP':<24} {'INKOM':>5} {'SVAR':>5} {'UTAN':>5} {'DELSV':>5} {'ÖPPNA':>5} {'I TID':>6} "
          f"{'MEDIAN':>6} {'P90':>4}")
    for st in [*report.by_type.values(), report.total]:
        name = "Totalt" if st.type == "total" else e.type_name(st.type)
        share = "–" if st.share_met is None else f"{st.share_met:.0%}"
        med = "–" if st.median_days is None else f"{st.median_days:g}"
        p90 = "–" if st.p90_days is None else f"{st.p90_days:g}"
        print(f"{name:<24} {st.received:>5} {st.answered:>5} {st.closed_without_reply:>5} {st.partial_replies:>5} "
              f"{st.open:>5} {share:>6} {med:>6} {p90:>4}")
    reasons = report.total.without_reply_reasons
    if reasons:
        print("\nAvslutade utan svar, per orsak:")
        for why, n in reasons.most_common():
            print(f"  {n:>4}  {clean_line(why)}")
    if report.load:
        print("\nBelastning per vårdgivare (ärenden från perioden):")
        for c in report.load:
            print(f"  {c.username:<10} {c.assigned:>4} fördelade  {c.answered:>4} besvarade  {c.open:>4} öppna")
    print(f"\n{len(report.deviations)} avvikelser (bröt mot regeln); se --deviations")
    return 0


def _backup(ctx: Ctx, args) -> int:
    from bcc_tui.services.backup import backup

    try:
        info = backup(ctx, args.dest)
    except OSError as err:
        raise InvalidInput(f"kan inte skriva säkerhetskopian: {err.strerror or err}") from None
    print(f"säkerhetskopia {info['path']}: {info['errands']} ärenden, {info['bytes'] // 1024} KiB, kontrollerad")
    return 0


_COMMANDS = {
    "import": _import, "staff": _people_import, "schedule": _people_import, "list": _list,
    "show": _show, "assign": _assign, "reply": _reply, "partial-reply": _partial,
    "close": _close, "note": _note, "urgent": _urgent, "remind": _remind, "audit": _audit,
    "check": _check, "outbound": _outbound, "outbox": _outbox, "template": _template, "types": _types,
    "notice": _notice, "settings": _settings, "handover": _handover, "stats": _stats,
    "backup": _backup,
}
