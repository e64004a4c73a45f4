"""The administrator's settings: templates, errand types, the notice, acute signs and the rest."""

from __future__ import annotations

import argparse

from bcc_tui.cli.argparse_sv import integer
from bcc_tui.cli.common import NAME, Parser
from bcc_tui.cli.registry import command
from bcc_tui.domain import acute, routing
from bcc_tui.domain import errand as e
from bcc_tui.domain.errors import InvalidInput, NotFound
from bcc_tui.domain.text import clean_line, count
from bcc_tui.domain.validation import parse_date
from bcc_tui.services import acute as acute_settings
from bcc_tui.services import clinic, inbox, people
from bcc_tui.services.context import Ctx


def _template_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(
        dest="subcommand", metavar="list|add|edit|retire", required=True, parser_class=Parser
    )
    tl = sub.add_parser("list", help="mallarna")
    tl.add_argument("--type", metavar="TYP", help="bara mallarna för denna ärendetyp")
    tl.add_argument("--all", action="store_true", help="även avvecklade")
    ta = sub.add_parser(
        "add", help="ny mall; platshållare: {förnamn} {patient} {vårdgivare} {titel} {enhet} {datum} {ärende}"
    )
    ta.add_argument("name", metavar=NAME)
    ta.add_argument("--text", metavar="TEXT", required=True, help="mallens text ({förnamn}, {patient} …)")
    ta.add_argument("--type", metavar="TYP", help="bara för denna ärendetyp")
    te = sub.add_parser("edit", help="ändra en mall")
    te.add_argument("name", metavar=NAME)
    te.add_argument("--text", metavar="TEXT", help="ny text")
    te.add_argument("--rename", metavar="NYTT_NAMN", help="nytt namn")
    tr = sub.add_parser("retire", help="avveckla en mall")
    tr.add_argument("name", metavar=NAME)


@command("template", "mallar (administratör)", _template_arguments)
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


def _types_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--set", dest="code", metavar="TYP", help="typen som ska ändras")
    p.add_argument("--days", type=integer, metavar="N", help="vardagar till förfallodatum")
    p.add_argument("--name", metavar="NAMN", help="typens namn som det visas")
    p.add_argument(
        "--default",
        dest="default_assignee",
        metavar="top_doctor|ANVÄNDARE|none",
        help="föreslagen handläggare när kontinuitet saknas",
    )
    p.add_argument(
        "--receivers-answer",
        choices=["på", "av"],
        help="besvaras av mottagare: ärendemottagare får själva besvara typens ärenden (R29)",
    )


@command("types", "ärendetyper: visa, eller ändra med --set", _types_arguments)
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


def _notice_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("text", nargs="?", metavar="TEXT")
    p.add_argument("--until", metavar="DATUM", help="sista dag den visas")
    p.add_argument("--clear", action="store_true", help="ta bort informationen")


@command("notice", "driftinformation till alla (administratör)", _notice_arguments)
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


def _settings_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--fever-threshold", metavar="GRADER", help="febergräns i °C, t.ex. 38,0 (37,0–40,0)")
    p.add_argument(
        "--acute-words",
        metavar="KATEGORI=ORD,ORD",
        action="append",
        help="egna ord och fraser för en kategori (ersätter kategorins egna; tomt efter = tar bort dem); "
        "* sist står för valfri ändelse; kan upprepas",
    )
    p.add_argument(
        "--acute-exceptions", metavar="FRAS,FRAS", help="fraser som aldrig är akuta tecken (ersätter listan)"
    )
    p.add_argument(
        "--acute-advice", choices=["på", "av"], help="automatiskt råd till familjen vid akuta tecken"
    )
    p.add_argument("--acute-advice-text", metavar="TEXT", help="rådets text, som kliniken skriver den")
    p.add_argument(
        "--followup-days", type=integer, metavar="N", help="vardagar till uppföljning efter delsvar"
    )
    p.add_argument(
        "--import-max-file",
        type=integer,
        metavar="MB",
        help="största fil som import läser (1–1024 MB, 1 MB = 1 048 576 byte; standard 100)",
    )
    p.add_argument(
        "--import-max-line",
        type=integer,
        metavar="KB",
        help="längsta rad som import läser; en längre rad avvisas (1–102400 kB; standard 1024)",
    )


@command("settings", "akuta tecken och uppföljningstid (administratör)", _settings_arguments)
def _settings(ctx: Ctx, args) -> int:
    rules_given = (args.fever_threshold, args.acute_words, args.acute_exceptions)
    advice_given = (args.acute_advice, args.acute_advice_text)
    words = _acute_words(args.acute_words)
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
        _print_settings(ctx)
    return 0


def _acute_words(given: list[str] | None) -> dict[str, list[str]]:
    """--acute-words KATEGORI=ORD,ORD, each category's words gathered from every time it is given."""
    words: dict[str, list[str]] = {}
    for item in given or ():
        name, sep, listed = item.partition("=")
        if not sep:
            raise InvalidInput(
                f"--acute-words '{clean_line(item)}': skriv KATEGORI=ORD,ORD, t.ex. Andning=rosslar"
            )
        words[name] = [*words.get(name, []), *listed.split(",")]
    return words


def _print_settings(ctx: Ctx) -> None:
    """`settings` with nothing to change: what is set now."""
    for line in acute_lines(acute_settings.settings_now(ctx)):
        print(line)
    print(f"uppföljning: {count(clinic.followup_days_now(ctx), 'vardag', 'vardagar')} efter delsvar")
    print(f"gränser för inläsning: {inbox.limits_now(ctx).describe()}")


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
