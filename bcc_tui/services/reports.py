"""Statistics, deviations (R8) and the shift handover: read-only use cases."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field

from bcc_tui.domain import errand as e
from bcc_tui.domain import roles, statistics
from bcc_tui.domain.business_days import STOCKHOLM, add_business_days, short_date
from bcc_tui.domain.errors import InvalidInput, NotAllowed
from bcc_tui.domain.text import clean
from bcc_tui.services import errands, people
from bcc_tui.services.context import Ctx
from bcc_tui.services.views import ErrandSummary
from bcc_tui.store import audit
from bcc_tui.store import errands as eq
from bcc_tui.store import reports as q
from bcc_tui.store import staff as staff_q


def _moment(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The current month up to today."""
    return today.replace(day=1), today


def stats(ctx: Ctx, start: dt.date | None = None, end: dt.date | None = None) -> statistics.Report:
    """R8 for the errands that arrived in the period (inclusive local dates)."""
    if ctx.actor.is_system or not (ctx.actor.has(roles.ADMIN) or ctx.actor.has(roles.RECEIVER)):
        why = f"{ctx.actor.username} får inte ta ut statistik (kräver administratör eller ärendemottagare)"
        if not ctx.actor.is_system:
            ctx.log_refusal("stats", None, why)
        raise NotAllowed(why)
    d_start, d_end = default_period(ctx.today())
    start, end = start or d_start, end or d_end
    if end < start:
        raise InvalidInput("--to ligger före --from")
    with ctx.store.read() as conn:
        rows = q.period(conn, start.isoformat(), end.isoformat())
    items = [statistics.StatErrand(
        ref=r["ref"], type=r["type"], received_at=_moment(r["received_at"]),
        received_on=dt.date.fromisoformat(r["received_on"]), due_date=dt.date.fromisoformat(r["due_date"]),
        status=r["status"], close_kind=r["close_kind"], close_reason=r["close_reason"],
        first_response_on=dt.date.fromisoformat(r["first_response_on"]) if r["first_response_on"] else None,
        first_response_at=_moment(r["first_response_at"]), assignee=r["assignee"],
        responded_by=r["responded_by"], partial_replies=r["partial_replies"],
    ) for r in rows]
    report = statistics.compute(items, start, end, ctx.today(), list(e.TYPES))
    with ctx.store.write() as conn:
        audit.append(conn, [ctx.entry("stats", detail=json.dumps(
            {"from": start.isoformat(), "to": end.isoformat(), "errands": len(items)}))])
    return report


# The CSV's columns are a public contract (docs/statistics.md): add at the end, never reorder.
CSV_HEADER = ["from", "to", "type", "type_name", "received", "answered", "closed_without_reply",
              "partial_replies", "open", "met", "breached", "share_met", "median_business_days",
              "p90_business_days"]
DEVIATION_HEADER = ["ref", "type", "type_name", "received_at", "due_date", "first_response_at",
                    "business_days_to_first_response", "assignee", "responded_by", "status"]


def _num(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def stats_csv(report: statistics.Report) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_HEADER)
    for s in [*report.by_type.values(), report.total]:
        w.writerow([report.start.isoformat(), report.end.isoformat(), s.type,
                    "Totalt" if s.type == "total" else e.type_name(s.type), s.received, s.answered,
                    s.closed_without_reply, s.partial_replies, s.open, s.met, s.breached,
                    _num(s.share_met, 3), _num(s.median_days), _num(s.p90_days)])
    return out.getvalue()


def deviations_csv(report: statistics.Report) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(DEVIATION_HEADER)
    for d in report.deviations:
        w.writerow([d.ref, d.type, e.type_name(d.type), d.received_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    d.due_date.isoformat(),
                    d.first_response_at.strftime("%Y-%m-%dT%H:%M:%SZ") if d.first_response_at else "",
                    "" if d.response_days is None else d.response_days, d.assignee or "", d.responded_by or "",
                    d.status])
    return out.getvalue()


# -- shift handover ------------------------------------------------------------------------------
SECTION_ROWS = 100  # rows shown per section: the most pressing first; the rest are counted
CAREGIVER_ROWS = 20  # rows per caregiver among the assigned but unanswered
LEVEL_NAMES = {"overdue": "Försenade", "due_soon": "Förfaller snart", "ok": "I tid",
               "met": "Delsvar i tid", "breached": "Delsvar sent"}


@dataclass
class Handover:
    at: dt.datetime
    today: people.Today
    names: dict[str, str]
    sections: list[tuple[str, str, list[ErrandSummary]]]  # (key, Swedish title, the first errands)
    per_caregiver: dict[str, list[ErrandSummary]] = field(default_factory=dict)
    note: dict | None = None
    totals: dict[str, int] = field(default_factory=dict)  # section key → how many in all
    per_caregiver_total: dict[str, int] = field(default_factory=dict)
    by_type: dict[str, dict[str, int]] = field(default_factory=dict)  # type → level → open errands

    def count(self, key: str) -> int:
        if key in self.totals:
            return self.totals[key]
        return next(len(items) for k, _, items in self.sections if k == key)

    def more(self, key: str) -> int:
        """How many errands of a section are counted but not listed."""
        return self.count(key) - next(len(items) for k, _, items in self.sections if k == key)


def handover(ctx: Ctx) -> Handover:
    """What the incoming receiver must know (R8's walkthrough): a list a person started, so logged.

    Counted in SQL and listed in part: on a backlog of 100,000 open errands it summarises (counts
    per section, type and level; the most pressing rows of each section) instead of listing all.
    """
    if not ctx.actor.has(roles.RECEIVER):
        why = "överlämningen är för ärendemottagare"
        ctx.log_refusal("handover", None, why)
        raise NotAllowed(why)
    today = ctx.today()
    next_day = add_business_days(today, 1)
    with ctx.store.read() as conn:
        attention = errands._attention(ctx, conn)
        conditions = [
            ("overdue", "Försenade", eq.OVERDUE_SQL, (attention.today,)),
            ("today", "Förfaller idag", "first_response_on IS NULL AND due_date = ?", (today.isoformat(),)),
            ("next", f"Förfaller nästa vardag, {short_date(next_day)}",
             "first_response_on IS NULL AND due_date = ?", (next_day.isoformat(),)),
            ("followup", "Uppföljning efter delsvar passerad", "partial_reply_at < ?", (attention.followup_before,)),
            ("unassigned", "Ofördelade", "status = 'unassigned'", ()),
            ("unanswered", "Fördelade men obesvarade", "status = 'assigned' AND first_response_on IS NULL", ()),
            ("partial", "Delsvar skickat, väntar på slutligt svar", "partial_reply_at IS NOT NULL", ()),
            ("flagged", "Akuta tecken och brådskande", "coalesce(acute, '') <> '' OR urgent", ()),
        ]
        sections, totals = [], {}
        per: dict[str, list[ErrandSummary]] = {}
        per_total: dict[str, int] = {}
        for key, title, where, args in conditions:
            totals[key] = eq.pane_count(conn, eq.OPEN, extra=where, extra_args=args)
            if key == "unanswered":
                for who, n in sorted(eq.open_per_assignee(conn, where, args)):
                    per_total[who] = n
                    ids = eq.page_ids(conn, "assigned", attention=attention, extra=f"{where} AND assignee = ?",
                                      extra_args=(*args, who), limit=CAREGIVER_ROWS)
                    per[who] = errands._summaries(ctx, conn, eq.rows_by_ids(conn, ids))
                items = [s for mine in per.values() for s in mine]
            else:
                ids = eq.page_ids(conn, eq.OPEN, attention=attention, extra=where, extra_args=args,
                                  limit=SECTION_ROWS)
                items = errands._summaries(ctx, conn, eq.rows_by_ids(conn, ids))
            sections.append((key, title, items))
        by_type: dict[str, dict[str, int]] = {}
        for type_code, level, n in eq.open_counts(conn, attention):
            by_type.setdefault(type_code, {})[level] = n
        roster = people.today(conn, today)
        names = {r["username"]: r["name"] for r in staff_q.all_staff(conn)}
        note = q.last_note(conn)
    open_total = sum(sum(levels.values()) for levels in by_type.values())
    with ctx.store.write() as conn:
        audit.append(conn, [ctx.entry("list", detail=json.dumps({"view": "handover", "open": open_total}))])
    return Handover(ctx.now(), roster, names, sections, per, dict(note) if note else None, totals, per_total,
                    by_type)


def add_note(ctx: Ctx, text: str) -> None:
    """The outgoing receiver's note to the next one (author and time are kept)."""
    if not ctx.actor.has(roles.RECEIVER):
        raise NotAllowed("bara ärendemottagare skriver överlämningsanteckningar")
    body = e.required_text(clean(text), "Anteckningen", e.MAX_NOTE)
    with ctx.change("handover_note") as conn:
        q.add_note(conn, ctx.now_text(), ctx.actor.username, body)
        audit.append(conn, [ctx.entry("handover_note", detail=f"{len(body)} tecken")])


def _line(s: ErrandSummary, names: dict[str, str]) -> str:
    """One errand in the handover: no patient names — the list may be printed."""
    received = s.received_at.astimezone(STOCKHOLM)
    parts = [f"**{s.ref}**", e.type_name(s.type), f"inkom {short_date(received.date())} {received:%H:%M}",
             f"förfaller {short_date(s.due_date)}", s.countdown.text]
    if s.assignee:
        parts.append(f"hos {names.get(s.assignee, s.assignee)}")
    if s.partial_reply_sent:
        parts.append("delsvar skickat")
    if s.followup_on:
        parts.append(f"uppföljning {short_date(s.followup_on)}")
    if s.acute:
        parts.append(f"AKUTA TECKEN ({', '.join(s.acute)})")
    if s.urgent:
        parts.append("BRÅDSKANDE")
    return "- " + " · ".join(parts)


def handover_markdown(h: Handover) -> str:
    local = h.at.astimezone(STOCKHOLM)
    names = h.names
    out = [f"# Överlämning 1177 – {short_date(local.date())} {local.year} kl {local:%H:%M}", ""]
    roster = [f"Mottagare idag: {names.get(h.today.receiver, h.today.receiver or '–')}",
              f"överst på schemat: {names.get(h.today.top_doctor, h.today.top_doctor or '–')}"]
    if h.today.absent:
        roster.append("frånvarande: " + ", ".join(names.get(u, u) for u in sorted(h.today.absent)))
    out += [" · ".join(roster), ""]
    if h.note:
        at = _moment(h.note["at"]).astimezone(STOCKHOLM)
        out += ["## Anteckning från förra passet", ""]
        out += [f"> {line}" for line in h.note["text"].splitlines()]
        out += [f"> — {h.note['name'] or h.note['author']}, {short_date(at.date())} {at:%H:%M}", ""]
    out += ["## Sammanfattning", "", "| | Antal |", "|---|---:|"]
    out += [f"| {title} | {h.count(key)} |" for key, title, _ in h.sections]
    out.append("")
    if h.by_type:
        # Per type and level, the type with the most overdue first: where the backlog is.
        levels = list(LEVEL_NAMES)
        out += ["## Öppna ärenden per typ", "",
                "| Typ | " + " | ".join(LEVEL_NAMES[lv] for lv in levels) + " | Totalt |",
                "|---|" + "---:|" * (len(levels) + 1)]
        for type_code, counts in sorted(h.by_type.items(),
                                        key=lambda kv: (-kv[1].get("overdue", 0), -sum(kv[1].values()), kv[0])):
            out.append(f"| {e.type_name(type_code)} | " + " | ".join(str(counts.get(lv, 0)) for lv in levels)
                       + f" | {sum(counts.values())} |")
        out.append("")
    for key, title, items in h.sections:
        out += [f"## {title} ({h.count(key)})", ""]
        if key == "unanswered":
            if not items:
                out += ["Inga.", ""]
            for who, mine in sorted(h.per_caregiver.items(), key=lambda kv: names.get(kv[0], kv[0])):
                total = h.per_caregiver_total.get(who, len(mine))
                out += [f"### {names.get(who, who)} ({total})", ""]
                out += [_line(s, names) for s in mine]
                if total > len(mine):
                    out.append(f"- … och {total - len(mine)} till (de mest brådskande visas; se `bcc-tui list`)")
                out.append("")
            continue
        out += [_line(s, names) for s in items] or ["Inga."]
        if h.more(key) > 0:
            out.append(f"- … och {h.more(key)} till (de mest brådskande visas; se `bcc-tui list`)")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
