"""Statistics and deviations (R8): read-only use cases. The shift handover is in handover.py."""

from __future__ import annotations

import datetime as dt
import json

from bcc_tui.domain import errand as e
from bcc_tui.domain import exports, statistics
from bcc_tui.domain.business_days import local_date
from bcc_tui.domain.validation import parse_utc, parse_utc_or_none
from bcc_tui.services import clinic, deviations
from bcc_tui.services.context import Ctx, period, require
from bcc_tui.store import audit
from bcc_tui.store import reports as q


def _local_day(stored: str | None) -> dt.date | None:
    return local_date(parse_utc(stored)) if stored else None


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The current month up to today."""
    return today.replace(day=1), today


def stats(ctx: Ctx, start: dt.date | None = None, end: dt.date | None = None) -> statistics.Report:
    """R8 for the errands that arrived in the period (inclusive local dates)."""
    require(ctx, "stats")
    d_start, d_end = default_period(ctx.today())
    start, end = start or d_start, end or d_end
    period(start, end)
    with ctx.store.read() as conn:
        rows = q.period(conn, start.isoformat(), end.isoformat())
        days = clinic.due_days(conn)  # a change of days not yet carried to every open errand
    items = [
        statistics.StatErrand(
            ref=r.ref,
            type=r.type,
            received_at=parse_utc(r.received_at),
            received_on=dt.date.fromisoformat(r.received_on),
            due_date=dt.date.fromisoformat(
                r.due_date
                if days is None or r.status == e.CLOSED
                else clinic.rule_due(r.type, r.received_on, r.due_date, days)
            ),
            status=r.status,
            close_kind=r.close_kind,
            close_reason=r.close_reason,
            first_response_on=dt.date.fromisoformat(r.first_response_on) if r.first_response_on else None,
            first_response_at=parse_utc_or_none(r.first_response_at),
            assignee=r.assignee,
            responded_by=r.responded_by,
            partial_replies=r.partial_replies,
            acute=bool(r.acute),
            acute_advice=bool(r.acute_advice),
            closed_on=_local_day(r.closed_at),
            first_partial_on=_local_day(r.first_partial_at),
        )
        for r in rows
    ]
    report = statistics.compute(items, start, end, ctx.today(), list(e.TYPES))
    # The register per kind, current: detection runs first (its own short write, when needed).
    deviations.detect(ctx)
    with ctx.store.read() as conn:
        report.by_kind = deviations.counts(conn, start, end)
    with ctx.store.write() as conn:
        audit.append(
            conn,
            [
                ctx.entry(
                    "stats",
                    detail=json.dumps(
                        {"from": start.isoformat(), "to": end.isoformat(), "errands": len(items)}
                    ),
                )
            ],
        )
    return report


# The CSV's columns are a public contract (docs/statistics.md): add at the end, never reorder.
# The headers are Swedish (R32); the codes in the cells (type, status) stay codes for scripts.
CSV_HEADER = [
    "från",
    "till",
    "typ",
    "typnamn",
    "inkomna",
    "besvarade",
    "utan_svar",
    "delsvar",
    "öppna",
    "i_tid",
    "sent",
    "andel_i_tid",
    "median_vardagar",
    "p90_vardagar",
    "akuta",
    "akut_råd",
    "median_vardagar_till_delsvar",
    "p90_vardagar_till_delsvar",
    "median_vardagar_till_slutsvar",
    "p90_vardagar_till_slutsvar",
    "slutsvar_i_tid",
    "slutsvar_sent",
]
DEVIATION_HEADER = [
    "ärende",
    "typ",
    "typnamn",
    "inkom_utc",
    "förfallodatum",
    "första_svar_utc",
    "vardagar_till_första_svar",
    "handläggare",
    "svarade",
    "status",
]


def _num(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def stats_csv(report: statistics.Report) -> str:
    return exports.csv_text(
        CSV_HEADER,
        (
            [
                report.start.isoformat(),
                report.end.isoformat(),
                s.type,
                "Totalt" if s.type == "total" else e.type_name(s.type),
                s.received,
                s.answered,
                s.closed_without_reply,
                s.partial_replies,
                s.open,
                s.met,
                s.breached,
                _num(s.share_met, 3),
                _num(s.median_days),
                _num(s.p90_days),
                s.acute,
                s.acute_advice,
                _num(s.median_partial_days),
                _num(s.p90_partial_days),
                _num(s.median_final_days),
                _num(s.p90_final_days),
                s.final_in_time,
                s.final_late,
            ]
            for s in [*report.by_type.values(), report.total]
        ),
    )


def deviations_csv(report: statistics.Report) -> str:
    return exports.csv_text(
        DEVIATION_HEADER,
        (
            [
                d.ref,
                d.type,
                e.type_name(d.type),
                d.received_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                d.due_date.isoformat(),
                d.first_response_at.strftime("%Y-%m-%dT%H:%M:%SZ") if d.first_response_at else "",
                "" if d.response_days is None else d.response_days,
                d.assignee or "",
                d.responded_by or "",
                d.status,
            ]
            for d in report.deviations
        ),
    )
