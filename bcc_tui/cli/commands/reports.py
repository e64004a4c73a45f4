"""What the clinic reads back: the shift handover, the statistics and the deviation register."""

from __future__ import annotations

import argparse
import json
import sys

from bcc_tui.cli.argparse_sv import integer
from bcc_tui.cli.common import day, local
from bcc_tui.cli.registry import command
from bcc_tui.domain import deviations as dv
from bcc_tui.domain import errand as e
from bcc_tui.domain import routine, statistics
from bcc_tui.domain.errors import InvalidInput
from bcc_tui.domain.text import clean_line, count
from bcc_tui.services import deviations, handover, people, reports
from bcc_tui.services.context import Ctx


def _handover_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="ett JSON-objekt för skript och väggskärmar")
    p.add_argument(
        "--give",
        action="store_true",
        help="lämna över: listan är genomgången; den och anteckningen väntar tills nästa mottagare tar över",
    )
    p.add_argument(
        "--take",
        "--done",
        dest="take",
        action="store_true",
        help="ta över det som lämnats över (--done är samma sak)",
    )
    p.add_argument(
        "--note",
        metavar="TEXT",
        help="med --give: anteckningen till nästa mottagare; annars en anteckning till nästa pass",
    )
    p.add_argument("--log", action="store_true", help="överlämningarna: lämnad av, tagen av")
    p.add_argument(
        "--remark", nargs=2, metavar=("ÄRENDE", "TEXT"), help="en anmärkning på ärendet till nästa pass"
    )


@command("handover", "överlämningen vid skiftbyte som Markdown", _handover_arguments)
def _handover(ctx: Ctx, args) -> int:
    if sum((args.json, args.give, args.take, args.log)) > 1:
        raise InvalidInput("välj en av --json, --give, --take och --log")
    if args.log:
        _handover_log(ctx)
        return 0
    if args.remark is not None:
        ref, text = args.remark
        handover.pin_remark(ctx, ref, text)
        print(f"Anmärkningen fäst på {clean_line(ref)} till nästa pass")
        return 0
    if args.give:
        given = handover.give(ctx, note=args.note)
        print(
            f"Överlämningen lämnad {local(given.at)}: {len(given.done)} av {len(given.listed)} genomgångna; "
            "den väntar tills nästa ärendemottagare tar över"
        )
        return 0
    if args.take:
        receipt = handover.take(ctx)
        print(receipt.said(people.names(ctx), local(receipt.at)))
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


def _handover_log(ctx: Ctx) -> None:
    """`handover --log`: the handover waiting to be taken, then every receipt, both sides."""
    pending, rows = handover.receipts(ctx)
    if pending is not None:
        print(
            f"lämnad {local(pending.at)} av {clean_line(pending.author_name)}: "
            f"{len(pending.done)} av {len(pending.listed)} genomgångna"
            + (f" · {clean_line(pending.note)}" if pending.note else "")
            + " · väntar på att någon tar över"
        )
    if not rows and pending is None:
        print("Ingen överlämning är gjord än.")
    for r in rows:
        giver = clean_line(r["from_name"] or r["from"] or "–")
        side = (
            f"lämnad {local(r['given_at'])} av {giver}" if r["given_at"] else f"ingen lämnade (före: {giver})"
        )
        note = f" · {clean_line(r['note'])}" if r["note"] else ""
        print(
            f"{side}: {r['done']} av {r['items']} genomgångna{note} → "
            f"tagen {local(r['at'])} av {clean_line(r['to_name'] or r['to'])}"
        )


def _stats_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="start", metavar="DATUM", help="från och med (standard: månadens första)")
    p.add_argument("--to", dest="end", metavar="DATUM", help="till och med (standard: idag)")
    p.add_argument("--csv", action="store_true", help="CSV med fast rubrikrad")
    p.add_argument("--deviations", action="store_true", help="ärenden som bröt mot regeln (avvikelser)")


@command("stats", "statistik för ärenden som kom in under perioden", _stats_arguments)
def _stats(ctx: Ctx, args) -> int:
    start = day(args.start, "--from")
    end = day(args.end, "--to")
    report = reports.stats(ctx, start, end)
    names = people.names(ctx)
    warning = routine.warning(ctx.today())
    if args.csv:
        sys.stdout.write(reports.deviations_csv(report) if args.deviations else reports.stats_csv(report))
        if warning:  # the CSV is a contract: the warning goes beside it
            print(f"bcc-tui: obs: {warning}", file=sys.stderr)
        return 0
    if args.deviations:
        _stats_breaches(report, names)
    else:
        _stats_tables(report, names)
    if warning:
        print(f"\nObs: {warning}")
    return 0


def _stats_breaches(report: statistics.Report, names: dict[str, str]) -> None:
    """`stats --deviations`: the errands of the period that breached the rule."""
    print(
        f"Avvikelser {report.start} – {report.end}: {count(len(report.deviations), 'ärende', 'ärenden')} bröt mot regeln"
    )
    for d in report.deviations:
        first = local(d.first_response_at) if d.first_response_at else "inget svar än"
        print(
            f"{d.ref:<13} {e.type_name(d.type):<24} inkom {local(d.received_at)}  förföll {d.due_date}  "
            f"första svar {first}  hos {clean_line(people.who(names, d.assignee))}"
        )
    print("Hela avvikelseregistret (alla slag, med utkast till MedControl PRO): bcc-tui deviations")


def _stats_tables(report: statistics.Report, names: dict[str, str]) -> None:
    """`stats`: per type, the final answers, the reasons, the load, and the deviations found."""
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
    _stats_reasons_and_load(report, names)
    print(f"\n{count(len(report.deviations), 'avvikelse', 'avvikelser')} (bröt mot regeln); se --deviations")
    print("\nAvvikelseregistret, ärenden från perioden (se bcc-tui deviations):")
    width = max(len(name) for name in dv.KINDS.values())
    print(f"  {'AVVIKELSE':<{width}} {'FUNNA':>6} {'RAPPORTERADE':>13} {'AVFÄRDADE':>10}")
    for kind, (found, reported, dismissed) in report.by_kind.items():
        print(f"  {dv.KINDS.get(kind, kind):<{width}} {found:>6} {reported:>13} {dismissed:>10}")


def _stats_reasons_and_load(report: statistics.Report, names: dict[str, str]) -> None:
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


def _days(value: float | None) -> str:
    # A Swedish table writes a median of one and a half days "1,5" (it printed "1.5"); the CSV,
    # for programs, keeps the point.
    return "–" if value is None else f"{value:g}".replace(".", ",")


def _deviations_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--open",
        dest="open_only",
        action="store_true",
        help="bara de som inte är rapporterade eller avfärdade",
    )
    p.add_argument(
        "--csv", action="store_true", help="CSV med fast rubrikrad, utkasten till MedControl PRO med"
    )
    decide = p.add_mutually_exclusive_group()
    decide.add_argument(
        "--report",
        type=integer,
        metavar="ID",
        help="markera avvikelsen rapporterad (administratör; med --medcontrol)",
    )
    decide.add_argument(
        "--dismiss", type=integer, metavar="ID", help="avfärda avvikelsen (administratör; med --reason)"
    )
    p.add_argument("--medcontrol", metavar="NR", help="avvikelsens nummer i MedControl PRO")
    p.add_argument("--reason", metavar="ORSAK", help="varför avvikelsen inte rapporteras")


@command(
    "deviations",
    "avvikelseregistret: avvikelser från rutinen att rapportera i MedControl PRO",
    _deviations_arguments,
)
def _deviations(ctx: Ctx, args) -> int:
    _deviation_options_agree(args)
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
    _deviation_table(rows, open_only=args.open_only)
    return 0


def _deviation_options_agree(args) -> None:
    """The options that go together, checked before anything is read or decided."""
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
    for option, value in (("--report", args.report), ("--dismiss", args.dismiss)):
        # A number SQLite's integer cannot hold overflowed into a crash report (a hostile trial).
        if value is not None and not 0 < value < 2**63:
            raise InvalidInput(f"{option}: ingen avvikelse har nummer {value}")


def _deviation_table(rows: list[deviations.Deviation], *, open_only: bool) -> None:
    """The register as a table, with how to decide one."""
    still_open = sum(d.status == "open" for d in rows)
    if open_only:
        print(f"Avvikelseregistret: {count(len(rows), 'öppen avvikelse', 'öppna avvikelser')}")
    else:
        print(f"Avvikelseregistret: {count(len(rows), 'avvikelse', 'avvikelser')}, {still_open} öppna")
    if not rows:
        return
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
