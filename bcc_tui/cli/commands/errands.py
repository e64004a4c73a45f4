"""The errand commands: the same actions as the dashboard's, for scripts (docs/routine.md 4.1)."""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import sys

from bcc_tui.cli.argparse_sv import integer
from bcc_tui.cli.common import REF, USER, limit, local
from bcc_tui.cli.registry import command
from bcc_tui.domain import errand as e
from bcc_tui.domain.business_days import short_date
from bcc_tui.domain.text import clean, clean_line, count
from bcc_tui.services import errands, patients, people
from bcc_tui.services.context import Ctx
from bcc_tui.services.views import ErrandDetail, Event


def _list_arguments(p: argparse.ArgumentParser) -> None:
    # The Swedish words (R32) beside the codes of the JSON contract; both mean the same.
    p.add_argument(
        "--status",
        choices=(*e.STATUS_WORDS, "unassigned", "assigned", "closed"),
        metavar="ofördelad|fördelad|avslutad",
        help="ofördelad, fördelad eller avslutad (eller unassigned, assigned, closed)",
    )
    p.add_argument("--json", action="store_true", help="ett JSON-objekt per rad")
    p.add_argument("--limit", type=integer, metavar="N", help="högst N rader")


@command("list", "ärenden du får se", _list_arguments)
def _list(ctx: Ctx, args) -> int:
    # Written as read: the first line appears at once and memory stays flat on a large backlog.
    status = e.STATUS_WORDS.get(args.status, args.status)
    out = sys.stdout
    if args.json:
        encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder, not one per row
        for row in errands.iter_json(ctx, status, limit=limit(args.limit)):
            out.write(encode(row) + "\n")
        return 0
    rows = errands.iter_errands(ctx, status, limit=limit(args.limit))
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
            f"{holders[s.assignee]:<26} {local(s.received_at):<16} {s.due_date.isoformat():<10} "
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
    lines.append(f"Patientens andra ärenden: {p.earlier_count}")
    for x in p.earlier:
        lines.append(
            f"  {local(x.received_at)[:10]}  {clean_line(x.ref)}  {e.type_name(x.type)}  "
            f"{e.STATUS_NAMES.get(x.status, x.status)}"
            + (f", besvarat av {clean_line(x.answered_by)}" if x.answered_by else "")
        )
    return lines


def _show_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("ref", metavar=REF)
    p.add_argument("--json", action="store_true", help="ärendet som ett JSON-objekt")


@command("show", "ett ärende med tråd och historik", _show_arguments)
def _show(ctx: Ctx, args) -> int:
    d = errands.show_errand(ctx, args.ref)
    if args.json:
        print(json.dumps(d.to_json(), ensure_ascii=False, indent=2))
        return 0
    names = people.names(ctx)
    lines = _show_head(d, names)
    if d.patient is not None:
        lines += patient_lines(d.patient)
    s = d.summary
    lines += ["", f"Ämne: {clean_line(s.subject)}" if s.subject else "", clean(d.message), ""]
    for ev in d.events:
        lines += _show_event(ev, names)
    print("\n".join(line for line in lines if line is not None))
    return 0


def _show_head(d: ErrandDetail, names: dict[str, str]) -> list[str]:
    """What the errand is, who wrote and how to reach them, when it is due, who holds it."""
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
        f"Inkom: {local(s.received_at)} · Förfaller: {s.due_date.isoformat()} ({s.countdown.text})",
        f"  {d.due_explanation}",
        f"Handläggare: {clean_line(people.who(names, s.assignee))}"
        + (", avaktiverad" if s.holder_gone else ", frånvarande idag" if s.holder_absent else "")
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
    return lines


def _show_event(ev: Event, names: dict[str, str]) -> list[str]:
    """One event of the thread, with its text indented under it."""
    head = f"— {local(ev.at)} {e.EVENT_NAMES.get(ev.kind, ev.kind)} av {clean_line(ev.actor_name)}"
    if ev.target:
        head += f" → {clean_line(people.who(names, ev.target))}"
    consulted = (ev.detail or {}).get("consulted")
    if consulted:  # R4: the doctor the receiver checked with
        head += f" (avstämt med {clean_line(people.who(names, consulted))})"
    lines = [head]
    if ev.text:
        lines += ["  " + t for t in clean(ev.text).splitlines()]
    return lines


def _assign_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reassign", action="store_true", help="omfördela ett redan fördelat ärende")
    p.add_argument("ref", metavar=REF)
    p.add_argument("user", metavar=USER)


@command("assign", "fördela ett ärende", _assign_arguments)
def _assign(ctx: Ctx, args) -> int:
    done = errands.assign(ctx, args.ref, args.user, reassign=args.reassign)
    to = people.who(people.names(ctx), args.user)
    print(f"{args.ref} {'omfördelat' if args.reassign else 'fördelat'} till {clean_line(to)}")
    if done.warning:
        print(f"bcc-tui: varning: {done.warning}", file=sys.stderr)
    return 0


def _reassign_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--from", dest="from_user", metavar="ANVÄNDARE", required=True, help="den som har ärendena nu"
    )
    p.add_argument("--to", dest="to_user", metavar="ANVÄNDARE", required=True, help="den som tar över dem")
    p.add_argument("--type", metavar="TYP", help="bara ärenden av denna typ")


@command("reassign", "flytta alla öppna ärenden från en person till en annan", _reassign_arguments)
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


def _reply_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("ref", metavar=REF)
    text = p.add_mutually_exclusive_group(required=True)
    text.add_argument("--text", metavar="TEXT", help="svaret till patienten")
    text.add_argument("--template", metavar="NAMN", help="en mall i stället för --text")


@command("reply", "besvara och avsluta", _reply_arguments)
def _reply(ctx: Ctx, args) -> int:
    errands.reply(ctx, args.ref, args.text, template=args.template)
    print(f"{args.ref} besvarat och avslutat")
    return 0


def _partial_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("ref", metavar=REF)
    p.add_argument("--text", metavar="TEXT", required=True, help="delsvaret till patienten")
    p.add_argument("--consulted", metavar="ANVÄNDARE", help="läkaren du stämt av med")


@command("partial-reply", "skicka delsvar", _partial_arguments)
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


def _close_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("ref", metavar=REF)
    p.add_argument("--reason", metavar="ORSAK", required=True, help="varför ärendet avslutas utan svar")
    doc = p.add_mutually_exclusive_group()
    doc.add_argument(
        "--documented",
        dest="documented",
        action="store_true",
        default=None,
        help="det viktiga är dokumenterat i journalen",
    )
    doc.add_argument(
        "--not-documented",
        dest="documented",
        action="store_false",
        help="det viktiga är inte dokumenterat i journalen",
    )


@command("close", "avsluta utan svar", _close_arguments)
def _close(ctx: Ctx, args) -> int:
    errands.close(ctx, args.ref, args.reason, documented=args.documented)
    print(f"{args.ref} avslutat utan svar")
    return 0


def _note_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("ref", metavar=REF)
    p.add_argument("--text", metavar="TEXT", required=True, help="anteckningen (syns bara för personalen)")


@command("note", "intern anteckning", _note_arguments)
def _note(ctx: Ctx, args) -> int:
    errands.note(ctx, args.ref, args.text)
    print(f"anteckning sparad för {args.ref}")
    return 0


def _urgent_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("ref", metavar=REF)
    p.add_argument("--off", action="store_true", help="ta bort markeringen")


@command("urgent", "markera brådskande", _urgent_arguments)
def _urgent(ctx: Ctx, args) -> int:
    errands.set_urgent(ctx, args.ref, not args.off)
    print(f"{args.ref} {'inte längre ' if args.off else ''}markerat brådskande")
    return 0


def _remind_arguments(p: argparse.ArgumentParser) -> None:
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("ref", nargs="?", metavar=REF)
    which.add_argument(
        "--due",
        action="store_true",
        help="alla fördelade som snart förfaller, är försenade eller har passerat uppföljningen "
        "och inte påmints idag (jobbet)",
    )


@command("remind", "påminn handläggaren om ett ärende som snart ska vara besvarat", _remind_arguments)
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
