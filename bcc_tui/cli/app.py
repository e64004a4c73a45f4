"""Dispatch of the parsed command line to the services, and the plain-text output."""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import sys
from pathlib import Path

from bcc_tui.domain import acute, audit_text, exports, routine, routing
from bcc_tui.domain import deviations as dv
from bcc_tui.domain import errand as e
from bcc_tui.domain.business_days import STOCKHOLM, short_date
from bcc_tui.domain.errors import Busy, InvalidInput, NotFound, os_reason
from bcc_tui.domain.text import clean, clean_line, count
from bcc_tui.domain.validation import parse_date, parse_utc
from bcc_tui.services import acute as acute_settings
from bcc_tui.services import (
    audit_log,
    clinic,
    deviations,
    errands,
    handover,
    inbox,
    intake,
    notify,
    outbound,
    patients,
    people,
    reports,
    session,
)
from bcc_tui.services.context import Ctx
from bcc_tui.settings import Settings, sudo_person

# Commands that may create a missing database file (the first set-up of an empty database).
_CREATES = {"import", "staff", "schedule", "patients"}


def open_ctx(settings: Settings, *, create: bool, migrate: bool = False) -> Ctx:
    path = settings.db_path
    if not path.exists():
        if not create:
            raise NotFound(f"databasen {path} finns inte (ange --db eller $BCC_DB)")
        path.parent.mkdir(parents=True, exist_ok=True)
    return session.open_session(path, settings.as_user, settings.frozen_now, migrate=migrate)


def _stdin_reader():
    try:
        return sys.stdin.buffer.read
    except AttributeError:  # no byte stream behind stdin
        raise InvalidInput("kan inte läsa stdin: ingen indata") from None


def _no_file_under_sudo(name: str) -> None:
    if sudo_person(os.environ) is not None:
        # The service account may read files the person may not (its backups, the wrapper's
        # settings): under sudo the input comes from the person's side only.
        raise InvalidInput(f"via sudo läses indata bara från standard in; använd - i stället för {name}")


def _open_input(ctx: Ctx, name: str) -> inbox.Input:
    """An import's input, read within the caps (services/inbox.py): a regular file opened without
    following a link, or stdin."""
    limits = inbox.limits_now(ctx)
    if name == "-":
        return inbox.read_stream(_stdin_reader(), "stdin", limits)
    _no_file_under_sudo(name)
    return inbox.read_file(name, limits)


def _read_input(ctx: Ctx, name: str) -> bytes:
    """A whole small input (staff, schedule, care teams) the same safe way, within the file cap."""
    limits = inbox.whole(inbox.limits_now(ctx))
    if name == "-":
        return inbox.joined(inbox.read_stream(_stdin_reader(), "stdin", limits))
    _no_file_under_sudo(name)
    with inbox.read_file(name, limits) as opened:
        return inbox.joined(opened)


def _print_rejected(name: str, rejected: list[tuple[int, str]]) -> None:
    for number, why in rejected:
        print(f"{name}:{number}: {why}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    command = args.command
    if command in (None, "demo", "open"):
        from bcc_tui.cli import dashboard  # the UI is imported only here

        return dashboard.run(args)
    settings = Settings.load(args.db, args.as_user)
    if command == "restore":  # a new machine may have no database yet: the restored one is used
        return _restore(settings, args)
    if command == "migrate":  # the one command that opens a file at an older schema
        return _migrate(settings, args)
    ctx = open_ctx(settings, create=command in _CREATES)
    try:
        return _COMMANDS[command](ctx, args)
    finally:
        # §4.6: every command tries the outbox before it exits.
        try:
            notify.deliver(ctx.store, ctx.clock, notify.MailConfig.parse(settings.smtp, settings.mail_from))
        except Exception:
            pass
        ctx.store.close()


def _import(ctx: Ctx, args) -> int:
    if args.move_to is not None:
        return _intake_job(ctx, args.file, args.move_to)
    with _open_input(ctx, args.file) as data:
        report = intake.import_errands(ctx, data.lines)
    _print_rejected(data.name, report.rejected)
    print(_import_counts(report))
    return 0 if report.ok else 1


def _import_counts(report) -> str:
    return (
        f"{count(report.added, 'nytt ärende', 'nya ärenden')}, "
        f"{count(report.skipped, 'redan inläst', 'redan inlästa')}, "
        f"{count(len(report.rejected), 'avvisad rad', 'avvisade rader')}"
    )


def _intake_job(ctx: Ctx, source: str, done_dir: str) -> int:
    """The intake job (issue 18): each file is imported once and moved aside, its rejected lines
    kept in rejected/ for a person to fix and drop again, so one bad line never blocks the next
    run. Only regular `*.jsonl` files are taken from a folder: a sender writes under another name
    (or a dot name) and renames when the file is complete. Each file is read, copied and moved
    through the descriptor it was opened with, and only if it is the file listed (issue 28): a
    name swapped for another file (a symlink to the database, say) is refused and left alone."""
    done = Path(done_dir)
    if not done.is_dir() or done.is_symlink():
        raise InvalidInput(f"mappen {done_dir} finns inte (skapa den först)")
    if source == "-":
        raise InvalidInput("--move-to gäller filer, inte stdin")
    _no_file_under_sudo(source)
    src = Path(source)
    if src.is_dir() and not src.is_symlink():
        files = inbox.listing(src)
    elif src.is_file() and not src.is_symlink():
        files = [inbox.Listed(src, os.lstat(src))]
    else:
        raise InvalidInput(f"{source} är varken en fil eller en mapp")
    limits = inbox.limits_now(ctx)
    failed = 0
    for listed in files:
        path = listed.path
        try:
            opened = inbox.open_file(path, listed.st)
        except InvalidInput as err:  # not the file listed, or no regular file: left alone, unread
            print(_about(path, err.for_cli()), file=sys.stderr)
            failed += 1
            continue
        with opened:
            try:
                report = intake.import_errands(ctx, inbox.read(opened, limits).lines)
            except Busy:
                raise  # nothing stored: the file stays for the next run
            except InvalidInput as err:  # the whole file refused (too large, empty): set aside as it is
                print(_about(path, err.for_cli()), file=sys.stderr)
                _set_aside(opened, done / "rejected", listed)
                failed += 1
                continue
            _print_rejected(str(path), report.rejected)
            if report.rejected:
                inbox.write_new(done / "rejected", path.name, opened.copy_of(n for n, _ in report.rejected))
                failed += 1
            if not _set_aside(opened, done, listed):
                failed += 1
            print(f"{path.name}: {_import_counts(report)}")
    if not files:
        print(f"inga filer att läsa in i {source}")
    return 1 if failed else 0


def _set_aside(opened: inbox.Input, folder: Path, listed: inbox.Listed) -> bool:
    """The file read, moved into `folder`; False (and said) when its name was swapped meanwhile."""
    try:
        inbox.set_aside(opened, folder, listed)
    except InvalidInput as err:
        print(_about(listed.path, str(err)), file=sys.stderr)
        return False
    return True


def _about(path: Path, message: str) -> str:
    """A refusal that names its file once."""
    return message if message.startswith(str(path)) else f"{path}: {message}"


def _people_import(ctx: Ctx, args) -> int:
    fn = people.import_staff if args.command == "staff" else people.import_schedule
    return _imported(args.file, fn(ctx, _read_input(ctx, args.file)), neuter=False)


def _imported(file: str, report: people.ImportReport, *, neuter: bool) -> int:
    """An import's bad lines, one a line on stderr, and its counts; exit 1 when a line was bad.
    `neuter`: the counted word is an ett-word (vårdteam), so the counts agree with it."""
    _print_rejected("stdin" if file == "-" else file, report.rejected)
    forms = (("nytt", "nya"), ("ändrat", "ändrade"), ("oförändrat", "oförändrade"))
    if not neuter:
        forms = (("ny", "nya"), ("ändrad", "ändrade"), ("oförändrad", "oförändrade"))
    (new1, new2), (ch1, ch2), (same1, same2) = forms
    print(
        f"{count(report.added, new1, new2)}, {count(report.changed, ch1, ch2)}, "
        f"{count(report.skipped, same1, same2)}, "
        f"{count(len(report.rejected), 'avvisad rad', 'avvisade rader')}"
    )
    return 0 if report.ok else 1


def _patients(ctx: Ctx, args) -> int:
    if args.subcommand == "set":
        kwargs = {}
        if args.pal is not None:
            kwargs["pal"] = args.pal
        if args.contact_nurse is not None:
            kwargs["contact_nurse"] = args.contact_nurse
        team = patients.set_team(ctx, args.personnummer, **kwargs)
        names = people.names(ctx)
        print(
            f"vårdteam: PAL {clean_line(people.who(names, team.pal))}, "
            f"kontaktsjuksköterska {clean_line(people.who(names, team.contact_nurse))}"
        )
        return 0
    return _imported(args.file, patients.import_patients(ctx, _read_input(ctx, args.file)), neuter=True)


def _limit(n: int | None) -> int | None:
    """--limit as SQLite can hold it (a 20-digit number would overflow its integer)."""
    if n is not None and not 0 <= n <= 10**9:
        raise InvalidInput("--limit ska vara ett tal från 0 till 1000000000")
    return n


def _local(moment) -> str:
    return moment.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")


def _list(ctx: Ctx, args) -> int:
    # Written as read: the first line appears at once and memory stays flat on a large backlog.
    status = e.STATUS_WORDS.get(args.status, args.status)
    out = sys.stdout
    if args.json:
        encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder, not one per row
        for row in errands.iter_json(ctx, status, limit=_limit(args.limit)):
            out.write(encode(row) + "\n")
        return 0
    rows = errands.iter_errands(ctx, status, limit=_limit(args.limit))
    first = next(rows, None)
    if first is None:
        print("Inga ärenden.")
        return 0
    names = people.names(ctx)
    holders: dict[str | None, str] = {}  # each holder's text made once, not once per row
    out.write(
        f"{'ÄRENDE':<14} {'TYP':<24} {'STATUS':<10} {'HANDLÄGGARE':<26} {'INKOM':<16} {'FÖRFALLER':<10} TID KVAR\n"
    )
    for s in itertools.chain((first,), rows):
        if s.assignee not in holders:
            holders[s.assignee] = clean_line(people.who(names, s.assignee))
        out.write(
            f"{clean_line(s.ref):<14} {s.type_name[:24]:<24} {e.STATUS_NAMES[s.status]:<10} "
            f"{holders[s.assignee]:<26} {_local(s.received_at):<16} {s.due_date.isoformat():<10} "
            f"{s.countdown.text}{' · delsvar' if s.partial_reply_sent else ''}"
            f"{' · uppföljning passerad' if s.followup_overdue else ''}"
            f"{' · AKUT: ' + clean_line(s.acute_text) if s.acute else ''}"
            f"{' (hanterat)' if s.acute and s.acute_handled_at else ''}"
            f"{' · BRÅDSKANDE' if s.urgent else ''}\n"
        )
    return 0


def patient_lines(p: patients.PatientContext) -> list[str]:
    """R29: the care team with absences, and the patient's earlier errands."""
    team = " · ".join(
        f"{m.role} {clean_line(m.name)}"
        + (
            f" (frånv.{' t.o.m. ' + short_date(m.back_on - dt.timedelta(days=1)) if m.back_on else ''})"
            if m.absent
            else ""
        )
        for m in p.members
    )
    lines = [f"Vårdteam: {team or 'inget angivet'}"]
    lines.append(f"Tidigare ärenden: {p.earlier_count}")
    for x in p.earlier:
        lines.append(
            f"  {_local(x.received_at)[:10]}  {clean_line(x.ref)}  {e.type_name(x.type)}  "
            f"{e.STATUS_NAMES.get(x.status, x.status)}"
            + (f", besvarat av {clean_line(x.answered_by)}" if x.answered_by else "")
        )
    return lines


def _show(ctx: Ctx, args) -> int:
    d = errands.show_errand(ctx, args.ref)
    if args.json:
        print(json.dumps(d.to_json(), ensure_ascii=False, indent=2))
        return 0
    s = d.summary
    names = people.names(ctx)
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
        f"Handläggare: {clean_line(people.who(names, s.assignee))}"
        + (", frånvarande idag" if s.holder_absent else "")
        + (" · BRÅDSKANDE" if s.urgent else ""),
    ]
    if s.acute:
        lines.append(
            f"Akuta tecken: {clean_line(s.acute_text)}"
            + (" (hanterade)" if s.acute_handled_at else f" — {e.ACUTE_ADVICE_TO_STAFF}")
        )
    if s.suggestion:
        lines.append(
            f"Förslag: {clean_line(people.who(names, s.suggestion.username))} — {s.suggestion.reason}"
        )
    if d.patient is not None:
        lines += patient_lines(d.patient)
    lines += ["", f"Ämne: {clean_line(s.subject)}" if s.subject else "", clean(d.message), ""]
    for ev in d.events:
        head = f"— {_local(ev.at)} {e.EVENT_NAMES.get(ev.kind, ev.kind)} av {clean_line(ev.actor_name)}"
        if ev.target:
            head += f" → {clean_line(people.who(names, ev.target))}"
        consulted = (ev.detail or {}).get("consulted")
        if consulted:  # R4: the doctor the receiver checked with
            head += f" (avstämt med {clean_line(people.who(names, consulted))})"
        lines.append(head)
        if ev.text:
            lines += ["  " + t for t in clean(ev.text).splitlines()]
    print("\n".join(line for line in lines if line is not None))
    return 0


def _assign(ctx: Ctx, args) -> int:
    done = errands.assign(ctx, args.ref, args.user, reassign=args.reassign)
    to = people.who(people.names(ctx), args.user)
    print(f"{args.ref} {'omfördelat' if args.reassign else 'fördelat'} till {clean_line(to)}")
    if done.warning:
        print(f"bcc-tui: varning: {done.warning}", file=sys.stderr)
    return 0


def _reassign(ctx: Ctx, args) -> int:
    result = errands.reassign_all(ctx, args.from_user, args.to_user, args.type)
    what = f" av typen {e.type_name(args.type)}" if args.type else ""
    names = people.names(ctx)
    source, target = (clean_line(people.who(names, u)) for u in (args.from_user, args.to_user))
    if not result.moved and not result.refused:
        print(f"{source} har inga öppna ärenden{what}; inget flyttat")
        return 0
    moved = count(len(result.moved), "ärende", "ärenden")
    print(f"{moved}{what} {'flyttat' if len(result.moved) == 1 else 'flyttade'} från {source} till {target}")
    for ref in result.moved:
        print(f"  {clean_line(ref)}")
    for ref, why in result.refused:
        print(f"bcc-tui: {clean_line(ref)} flyttades inte: {why}", file=sys.stderr)
    if result.warning:
        print(f"bcc-tui: varning: {result.warning}", file=sys.stderr)
    return 1 if result.refused else 0


def _reply(ctx: Ctx, args) -> int:
    errands.reply(ctx, args.ref, args.text, template=args.template)
    print(f"{args.ref} besvarat och avslutat")
    return 0


def _partial(ctx: Ctx, args) -> int:
    errands.partial_reply(ctx, args.ref, args.text, consulted=args.consulted)
    print(f"delsvar skickat för {args.ref}" + (f", avstämt med {args.consulted}" if args.consulted else ""))
    top = people.roster_days(ctx, ctx.today(), 1)[0].top_doctor
    if args.consulted and args.consulted != top:
        # R4 names the doctor at the top of the schedule; another on duty is allowed, and said.
        names = people.names(ctx)
        print(
            f"varning: {clean_line(people.who(names, args.consulted))} står inte överst på dagens schema"
            + (f" (det gör {clean_line(people.who(names, top))})" if top else ""),
            file=sys.stderr,
        )
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
    if args.due:
        done = errands.remind_due(ctx)
        for ref, mailed in done:
            print(
                f"påminnelse skickad för {ref}"
                + ("" if mailed else " (ingen e-post; markerad i instrumentpanelen)")
            )
        print(count(len(done), "påminnelse", "påminnelser"))
        return 0
    mailed = errands.remind(ctx, args.ref)
    print(
        f"påminnelse skickad för {args.ref}"
        + ("" if mailed else " (handläggaren får ingen e-post; markerad i instrumentpanelen)")
    )
    return 0


def _audit(ctx: Ctx, args) -> int:
    start = parse_date(args.start, "--from") if args.start else None
    end = parse_date(args.end, "--to") if args.end else None
    rows = audit_log.read(
        ctx, patient=args.patient, user=args.user, start=start, end=end, limit=_limit(args.limit)
    )
    names = people.names(ctx)
    if args.csv:
        # The codes stay in their columns for scripts that filter on them; the last three say the
        # same in Swedish for whoever opens the file in a spreadsheet, where no cell may act
        # (a remark "=HYPERLINK(…)" in `detail`): every cell goes through exports.cell.
        out = exports.csv_writer(sys.stdout)
        # Swedish headers (R32); the code columns keep the log's codes for scripts, and the
        # columns after them say the same in words.
        out.writerow(
            [
                "id",
                "tid_utc",
                "användare",
                "roll",
                "åtgärd",
                "ärende",
                "personnummer",
                "utfall",
                "detaljer",
                "namn",
                "roll_text",
                "åtgärd_text",
                "utfall_text",
                "detaljer_text",
            ]
        )
        for r in rows:
            out.writerow(
                [
                    r.id,
                    *(
                        clean_line(v or "")
                        for v in (
                            r.at,
                            r.actor,
                            r.role,
                            r.action,
                            r.ref,
                            r.personnummer,
                            r.outcome,
                            r.detail,
                            names.get(r.actor, ""),
                            audit_text.role_name(r.role or ""),
                            audit_text.action_name(r.action),
                            audit_text.outcome_name(r.outcome),
                            audit_text.detail_text(r.detail, names),
                        )
                    ),
                ]
            )
        return 0
    table = [
        (
            _local_text(r.at),
            clean_line(people.who(names, r.actor)),
            clean_line(audit_text.action_name(r.action)),
            clean_line(r.ref or "–"),
            clean_line(r.personnummer or "–"),
            clean_line(audit_text.outcome_name(r.outcome)),
            clean_line(audit_text.detail_text(r.detail, names)),
        )
        for r in rows
    ]
    widths = [max((len(row[i]) for row in table), default=0) for i in range(6)]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[6])
    return 0


def _local_text(stored: str) -> str:
    """A stored UTC moment as a person reads it (Stockholm time); kept as stored if unreadable."""
    try:
        return _local(parse_utc(stored))
    except (ValueError, OverflowError):
        return clean_line(stored)


def _check(ctx: Ctx, args) -> int:
    problems = audit_log.check(ctx, args.against)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        return 1
    print(
        "Databasen är hel: integritet, främmande nycklar, granskningsloggens kedja, schemats alla "
        "objekt, varje ärendes innehåll och historik, personalen och inställningarna stämmer."
    )
    if args.against:
        print(f"Granskningsloggen fortsätter säkerhetskopians {clean_line(args.against)} oförändrad.")
    return 0


def _outbound(ctx: Ctx, args) -> int:
    try:
        n, written = outbound.export(ctx, args.file)
    except OSError as err:
        raise InvalidInput(f"kan inte skriva {args.file}: {os_reason(err)}") from None
    print(
        f"{count(n, 'svar exporterat', 'svar exporterade')} till {written}"
        if written
        else "0 svar att exportera; ingen fil skrevs"
    )
    return 0


# The mail job's time for the outbox: every other command and every dashboard gives it 2 s (§4.6),
# which a slow server (seconds per reply) never fits; this job, run by cron, waits for it.
SEND_BUDGET = 50.0


def _outbox(ctx: Ctx, args) -> int:
    if args.send:
        settings = Settings.load(args.db, args.as_user)
        done = notify.send_waiting(ctx, settings.smtp, settings.mail_from, SEND_BUDGET)
        if done is None:
            # The mail job without a mail server: quiet while nothing waits, loud (cron mails the
            # line) once notices pile up that nobody will ever receive (issue 31).
            waiting = notify.count_waiting(ctx)
            if waiting:
                print(
                    f"bcc-tui: {count(waiting, 'avisering väntar', 'aviseringar väntar')} men BCC_SMTP är "
                    "inte satt; ange BCC_SMTP=värd:port (och BCC_MAIL_FROM) för jobbet",
                    file=sys.stderr,
                )
                return 1
            print("BCC_SMTP är inte satt; inga aviseringar väntar")
            return 0
        print(f"{count(done.sent, 'skickad', 'skickade')}, {count(done.failed, 'misslyckad', 'misslyckade')}")
        return 1 if done.failed and not done.sent else 0

    rows = notify.waiting(ctx)
    names = people.names(ctx)
    if not rows:
        print("Inga aviseringar väntar.")
    for r in rows:
        print(
            f"{r.created_at}  {r.kind:<7} {r.ref or '–':<14} till {clean_line(people.who(names, r.recipient))} "
            f"försök {r.attempts}{'  fel: ' + r.last_error if r.last_error else ''}"
        )
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
        clinic.save_template(
            ctx,
            args.rename or current.name,
            args.text if args.text is not None else current.body,
            current.type,
            template_id=current.id,
        )
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
        by_receivers = None if args.receivers_answer is None else args.receivers_answer == "på"
        moved = clinic.update_type(
            ctx,
            args.code,
            name=args.name,
            days=args.days,
            default_assignee=default,
            receivers_answer=by_receivers,
        )
        print(
            f"{args.code} ändrad"
            + (f"; {count(moved, 'öppet ärende', 'öppna ärenden')} fick nytt förfallodatum" if moved else "")
        )
        return 0
    names = people.names(ctx)
    for t in clinic.list_types(ctx):
        units = " och ".join(e.UNITS[u].lower() for u in t.units)
        default = (
            routing.TOP_DOCTOR_RULE
            if t.default_assignee == routing.TOP_DOCTOR
            else routing.COMPLAINT_RULE
            if t.code == e.COMPLAINT
            else clean_line(people.who(names, t.default_assignee))
            if t.default_assignee
            else "inget"
        )
        days = count(t.business_days, "vardag ", "vardagar")
        answered = (
            "  besvaras av mottagare"
            if t.receivers_answer
            else ("  (besvaras av mottagare föreslås)" if t.code in e.RECEIVERS_ANSWER_SUGGESTED else "")
        )
        print(f"{t.code:<22} {t.name:<26} {days}  förslag: {default:<24} ({units}){answered}")
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
    rules_given = (args.fever_threshold, args.acute_words, args.acute_exceptions)
    advice_given = (args.acute_advice, args.acute_advice_text)
    words: dict[str, list[str]] = {}
    for item in args.acute_words or ():
        name, sep, listed = item.partition("=")
        if not sep:
            raise InvalidInput(
                f"--acute-words '{clean_line(item)}': skriv KATEGORI=ORD,ORD, t.ex. Andning=rosslar"
            )
        words[name] = [*words.get(name, []), *listed.split(",")]
    exceptions = args.acute_exceptions.split(",") if args.acute_exceptions is not None else None
    on = None if args.acute_advice is None else args.acute_advice == "på"
    # Everything asked for is checked before anything is saved: one refusal changes nothing.
    acute_settings.checked_rules(args.fever_threshold, words, exceptions)
    if any(v is not None for v in advice_given):
        acute_settings.check_advice(ctx, enabled=on, text=args.acute_advice_text)
    if args.followup_days is not None:
        clinic.check_followup_days(args.followup_days)
    limits_given = (args.import_max_file, args.import_max_line)
    if any(v is not None for v in limits_given):
        inbox.check_limits(ctx, args.import_max_file, args.import_max_line)
    if any(v is not None for v in rules_given):
        _rules, changed = acute_settings.set_rules(
            ctx, threshold=args.fever_threshold, words=words, exceptions=exceptions
        )
        print(f"akuta tecken sparade; {count(changed, 'öppet ärende', 'öppna ärenden')} fick nya flaggor")
    if any(v is not None for v in advice_given):
        advice = acute_settings.set_advice(ctx, enabled=on, text=args.acute_advice_text)
        print(f"råd till familjen vid akuta tecken: {'på' if advice.enabled else 'av'}")
    if args.followup_days is not None:
        clinic.set_followup_days(ctx, args.followup_days)
        print(f"uppföljning {count(args.followup_days, 'vardag', 'vardagar')} efter delsvar")
    if any(v is not None for v in limits_given):
        limits = inbox.set_limits(ctx, file_mb=args.import_max_file, line_kb=args.import_max_line)
        print(f"gränser för inläsning: {limits.describe()}")
    if all(v is None for v in (*rules_given, *advice_given, args.followup_days, *limits_given)):
        for line in acute_lines(acute_settings.settings_now(ctx)):
            print(line)
        print(f"uppföljning: {count(clinic.followup_days_now(ctx), 'vardag', 'vardagar')} efter delsvar")
        print(f"gränser för inläsning: {inbox.limits_now(ctx).describe()}")
    return 0


def acute_lines(now: acute_settings.Settings) -> list[str]:
    """The acute-sign settings as the `settings` command prints them."""
    rules = now.rules
    lines = [f"febergräns: {rules.threshold:.1f} °C".replace(".", ",")]
    for cat in acute.CATEGORIES:
        own = rules.words.get(cat.code, ())
        lines.append(f"{cat.label}: {', '.join(own) if own else '(bara de inbyggda)'}")
    lines.append(f"undantag: {', '.join(rules.exceptions) or '(inga)'}")
    lines.append(f"råd till familjen: {'på' if now.advice.enabled else 'av'}")
    if now.advice.text:
        lines.append(f"rådets text: {clean_line(now.advice.text)}")
    return lines


def _handover(ctx: Ctx, args) -> int:
    if sum((args.json, args.give, args.take, args.log)) > 1:
        raise InvalidInput("välj en av --json, --give, --take och --log")
    if args.log:
        pending, rows = handover.receipts(ctx)
        if pending is not None:
            print(
                f"lämnad {_local(pending.at)} av {clean_line(pending.author_name)}: "
                f"{len(pending.done)} av {len(pending.listed)} genomgångna"
                + (f" · {clean_line(pending.note)}" if pending.note else "")
                + " · väntar på att någon tar över"
            )
        if not rows and pending is None:
            print("Ingen överlämning är gjord än.")
        for r in rows:
            giver = clean_line(r["from_name"] or r["from"] or "–")
            side = (
                f"lämnad {_local(r['given_at'])} av {giver}"
                if r["given_at"]
                else f"ingen lämnade (före: {giver})"
            )
            note = f" · {clean_line(r['note'])}" if r["note"] else ""
            print(
                f"{side}: {r['done']} av {r['items']} genomgångna{note} → "
                f"tagen {_local(r['at'])} av {clean_line(r['to_name'] or r['to'])}"
            )
        return 0
    if args.remark is not None:
        ref, text = args.remark
        handover.pin_remark(ctx, ref, text)
        print(f"Anmärkningen fäst på {clean_line(ref)} till nästa pass")
        return 0
    if args.give:
        given = handover.give(ctx, note=args.note)
        print(
            f"Överlämningen lämnad {_local(given.at)}: {len(given.done)} av {len(given.listed)} genomgångna; "
            "den väntar tills nästa ärendemottagare tar över"
        )
        return 0
    if args.take:
        receipt = handover.take(ctx)
        giver = (
            clean_line(people.names(ctx).get(receipt.from_user, receipt.from_user))
            if receipt.from_user
            else "–"
        )
        print(
            f"Du tog över {_local(receipt.at)} från {giver}: {receipt.done} av {receipt.listed} genomgångna"
        )
        if args.note is not None:
            handover.add_note(ctx, args.note)
            print("anteckningen sparad till nästa pass")
        return 0
    if args.note is not None:
        handover.add_note(ctx, args.note)
        print("anteckningen sparad till nästa pass")
        return 0
    if args.json:
        print(json.dumps(handover.as_json(handover.handover(ctx, since_limit=None)), ensure_ascii=False))
        return 0
    sys.stdout.write(handover.markdown(handover.handover(ctx)))
    return 0


def _stats(ctx: Ctx, args) -> int:
    start = parse_date(args.start, "--from") if args.start else None
    end = parse_date(args.end, "--to") if args.end else None
    report = reports.stats(ctx, start, end)
    names = people.names(ctx)
    warning = routine.warning(ctx.today())
    if args.csv:
        sys.stdout.write(reports.deviations_csv(report) if args.deviations else reports.stats_csv(report))
        if warning:  # the CSV is a contract: the warning goes beside it
            print(f"bcc-tui: obs: {warning}", file=sys.stderr)
        return 0
    if args.deviations:
        print(
            f"Avvikelser {report.start} – {report.end}: {count(len(report.deviations), 'ärende', 'ärenden')} bröt mot regeln"
        )
        for d in report.deviations:
            first = _local(d.first_response_at) if d.first_response_at else "inget svar än"
            print(
                f"{d.ref:<13} {e.type_name(d.type):<24} inkom {_local(d.received_at)}  förföll {d.due_date}  "
                f"första svar {first}  hos {clean_line(people.who(names, d.assignee))}"
            )
        print("Hela avvikelseregistret (alla slag, med utkast till MedControl PRO): bcc-tui deviations")
        if warning:
            print(f"\nObs: {warning}")
        return 0
    print(f"Statistik för ärenden som kom in {report.start} – {report.end}")
    print(
        f"{'TYP':<24} {'INKOM':>5} {'SVAR':>5} {'UTAN':>5} {'DELSV':>5} {'ÖPPNA':>5} {'I TID':>6} "
        f"{'MEDIAN':>6} {'P90':>4}"
    )
    for st in [*report.by_type.values(), report.total]:
        name = "Totalt" if st.type == "total" else e.type_name(st.type)
        share = "–" if st.share_met is None else f"{st.share_met:.0%}"
        med, p90 = _days(st.median_days), _days(st.p90_days)
        print(
            f"{name:<24} {st.received:>5} {st.answered:>5} {st.closed_without_reply:>5} {st.partial_replies:>5} "
            f"{st.open:>5} {share:>6} {med:>6} {p90:>4}"
        )
    # Issue 26: the final answer apart from the partial reply, which meets the rule but answers nothing.
    print("\nSlutsvar (svar eller avslut; ett delsvar räknas inte), vardagar från ankomst:")
    print(f"{'TYP':<24} {'DELSVAR':>7} {'SLUTSVAR':>8} {'P90':>4} {'I TID':>6} {'SENA':>5}")
    for st in [*report.by_type.values(), report.total]:
        name = "Totalt" if st.type == "total" else e.type_name(st.type)
        print(
            f"{name:<24} {_days(st.median_partial_days):>7} {_days(st.median_final_days):>8} "
            f"{_days(st.p90_final_days):>4} {st.final_in_time:>6} {st.final_late:>5}"
        )
    reasons = report.total.without_reply_reasons
    if reasons:
        print("\nAvslutade utan svar, per orsak:")
        for why, n in reasons.most_common():
            print(f"  {n:>4}  {clean_line(why)}")
    if report.load:
        print("\nBelastning per vårdgivare (ärenden från perioden):")
        shown = [clean_line(people.who(names, c.username)) for c in report.load]
        width = max(len(x) for x in shown)
        for c, who in zip(report.load, shown, strict=True):
            print(f"  {who:<{width}} {c.assigned:>4} fördelade  {c.answered:>4} besvarade  {c.open:>4} öppna")
    print(f"\n{count(len(report.deviations), 'avvikelse', 'avvikelser')} (bröt mot regeln); se --deviations")
    print("\nAvvikelseregistret, ärenden från perioden (se bcc-tui deviations):")
    width = max(len(name) for name in dv.KINDS.values())
    print(f"  {'AVVIKELSE':<{width}} {'FUNNA':>6} {'RAPPORTERADE':>13} {'AVFÄRDADE':>10}")
    for kind, (found, reported, dismissed) in report.by_kind.items():
        print(f"  {dv.KINDS.get(kind, kind):<{width}} {found:>6} {reported:>13} {dismissed:>10}")
    if warning:
        print(f"\nObs: {warning}")
    return 0


def _days(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def _deviations(ctx: Ctx, args) -> int:
    deciding = args.report is not None or args.dismiss is not None
    if args.report is not None and args.medcontrol is None:
        raise InvalidInput("--report ID kräver --medcontrol NR (numret i MedControl PRO)")
    if args.dismiss is not None and args.reason is None:
        raise InvalidInput("--dismiss ID kräver --reason ORSAK")
    if args.medcontrol is not None and args.report is None:
        raise InvalidInput("--medcontrol hör till --report ID")
    if args.reason is not None and args.dismiss is None:
        raise InvalidInput("--reason hör till --dismiss ID")
    if deciding and (args.open_only or args.csv):
        raise InvalidInput("--open och --csv listar; de går inte ihop med --report eller --dismiss")
    if args.report is not None:
        d = deviations.report(ctx, args.report, args.medcontrol)
        print(
            f"Avvikelse {d.id} ({d.kind_name}, {d.ref}) rapporterad i MedControl PRO som {clean_line(d.medcontrol_number or '')}"
        )
        return 0
    if args.dismiss is not None:
        d = deviations.dismiss(ctx, args.dismiss, args.reason)
        print(f"Avvikelse {d.id} ({d.kind_name}, {d.ref}) avfärdad: {clean_line(d.reason or '')}")
        return 0
    rows = deviations.register(ctx, open_only=args.open_only)
    if args.csv:
        sys.stdout.write(deviations.as_csv(rows))
        return 0
    still_open = sum(d.status == "open" for d in rows)
    if args.open_only:
        print(f"Avvikelseregistret: {count(len(rows), 'öppen avvikelse', 'öppna avvikelser')}")
    else:
        print(f"Avvikelseregistret: {count(len(rows), 'avvikelse', 'avvikelser')}, {still_open} öppna")
    if not rows:
        return 0
    width = max(len(str(d.id)) for d in rows)
    kind_width = max(len(d.kind_name) for d in rows)
    ref_width = max(len(d.ref) for d in rows)
    print(
        f"{'ID':>{width}}  {'AVVIKELSE':<{kind_width}}  {'ÄRENDE':<{ref_width}}  {'TYP':<24} "
        f"{'NÄR':<16}  STATUS"
    )
    for d in rows:
        print(
            f"{d.id:>{width}}  {d.kind_name:<{kind_width}}  {clean_line(d.ref):<{ref_width}}  "
            f"{e.type_name(d.type):<24} {d.when:<16}  {clean_line(d.status_text)}"
        )
    print(
        "\nUtkasten till MedControl PRO: --csv (kolumnen draft) eller fliken Avvikelser; "
        "--report ID --medcontrol NR eller --dismiss ID --reason ORSAK avgör en."
    )
    return 0


def _backup(ctx: Ctx, args) -> int:
    from bcc_tui.services.backup import backup

    try:
        info = backup(ctx, args.dest, keep=args.keep)
    except OSError as err:
        raise InvalidInput(f"kan inte skriva säkerhetskopian: {os_reason(err)}") from None
    print(
        f"säkerhetskopia {info['path']}: {count(info['errands'], 'ärende', 'ärenden')}, "
        f"{info['bytes'] // 1024} KiB, kontrollerad"
        + (f"; {count(len(info['pruned']), 'äldre borttagen', 'äldre borttagna')}" if info["pruned"] else "")
    )
    return 0


def _replica(args, must_exist: bool):
    from bcc_tui.services import replication

    return replication.parse_replica(
        args.replica,
        "--to" if args.command == "replicate" else "--from",
        must_exist=must_exist,
        ssh_key=args.ssh_key,
        host_key=args.host_key,
    )


def _replicate(ctx: Ctx, args) -> int:
    from bcc_tui.services import replication

    replica, interval = _replica(args, must_exist=False), replication.parse_interval(args.sync_interval)
    return replication.replicate(
        ctx,
        replica,
        interval,
        on_start=lambda: print(
            f"bcc-tui: replikerar {ctx.store.path} till {replica} (Litestream; Ctrl+C avslutar)",
            file=sys.stderr,
            flush=True,
        ),
    )


def _restore(settings: Settings, args) -> int:
    import dataclasses

    from bcc_tui.services import replication

    done = replication.restore(
        _replica(args, must_exist=True),
        args.dest,
        # The restored copy is private until it is checked: an older schema is brought forward.
        lambda path: open_ctx(dataclasses.replace(settings, db_path=path), create=False, migrate=True),
    )
    reach = "inga ändringar"
    if done.last_change:
        moment = parse_utc(done.last_change)
        reach = (
            "senaste ändring " + moment.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M:%S") + " (svensk tid)"
        )
    print(
        f"återställd till {done.path}: {count(done.errands, 'ärende', 'ärenden')}, {reach}; kontrollerad, databasen är hel"
    )
    return 0


def _seconds(value: float) -> str:
    return f"{value:.2f}".replace(".", ",") + " s"


def _migrate(settings: Settings, args) -> int:
    from bcc_tui.services import migration
    from bcc_tui.services.clock import FixedClock, SystemClock

    if settings.as_user is not None:
        raise InvalidInput("migrate görs av systemet självt; --as gäller inte här")
    clock = FixedClock(settings.frozen_now) if settings.frozen_now else SystemClock()

    def backed_up(info: dict) -> None:
        print(
            f"säkerhetskopia {info['path']}: {count(info['errands'], 'ärende', 'ärenden')}, "
            f"{info['bytes'] // 1024} KiB, kontrollerad",
            flush=True,
        )

    def stepped(step: migration.Step) -> None:
        print(
            f"schemaversion {step.number}: {count(step.statements, 'steg', 'steg')} i "
            f"{count(step.transactions, 'transaktion', 'transaktioner')}, {_seconds(step.seconds)}, "
            f"längsta skrivlås {_seconds(step.longest_lock)}",
            flush=True,
        )

    try:
        done = migration.migrate(settings.db_path, clock, args.backup, on_backup=backed_up, on_step=stepped)
    except OSError as err:
        raise InvalidInput(f"kan inte skriva säkerhetskopian: {os_reason(err)}") from None
    if done.resumed is not None:
        print(
            f"en avbruten migrering slutfördes (schemaversion {done.before} → {done.after}); "
            "säkerhetskopian från när den började gäller"
        )
    if done.created:
        print(f"ny databas {settings.db_path}: schemaversion {done.after}")
    elif not done.steps:
        print(f"databasen {settings.db_path} har redan schemaversion {done.after}; inget att göra")
    else:
        print(
            f"klart: {settings.db_path} har schemaversion {done.after} (förut {done.before}); "
            f"längsta skrivlås {_seconds(done.longest_lock)}"
        )
    return 0


_COMMANDS = {
    "import": _import,
    "staff": _people_import,
    "schedule": _people_import,
    "patients": _patients,
    "list": _list,
    "show": _show,
    "assign": _assign,
    "reassign": _reassign,
    "reply": _reply,
    "partial-reply": _partial,
    "close": _close,
    "note": _note,
    "urgent": _urgent,
    "remind": _remind,
    "audit": _audit,
    "check": _check,
    "outbound": _outbound,
    "outbox": _outbox,
    "template": _template,
    "types": _types,
    "notice": _notice,
    "settings": _settings,
    "handover": _handover,
    "stats": _stats,
    "deviations": _deviations,
    "backup": _backup,
    "replicate": _replicate,
}
