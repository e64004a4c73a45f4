"""Statistics and deviations (R8), as pure arithmetic over the errands of a period.

Definitions (also in docs/statistics.md):
- received: errands whose arrival day (Europe/Stockholm) lies in the period;
- answered: closed with a reply; closed without reply: closed with a reason (counted per reason);
- partial replies: errands that got at least one partial reply (the automatic ones included);
- acute: errands flagged with acute signs (R11); acute advice: of those, the ones that got the
  automatic advice to the family (a setting), also counted among the partial replies;
- met / breached: the rule is settled by the first partial reply, reply or close — met when that
  came on or before the due date; an open errand past its due date has breached already; an open
  errand not yet due is undecided and counts in neither;
- share met: met / (met + breached);
- time to first response: business days from the arrival day to the first response's day
  (0 = the same day); median and 90th percentile (nearest rank) over the errands that have one;
- statistics that do not flatter (issue 26): a partial reply meets the rule but answers nothing.
  Apart from the first response, the time to the first partial reply and the time to the final
  answer (the reply or the close) are counted the same way, and the final answer is judged by
  the due date alone: in time when the errand was closed on or before it, late when closed after
  it or still open past it. A complaint answered on day 9 after the automatic partial reply is
  met by the rule and late in its final answer;
- deviations per kind (the register, domain/deviations.py): found, reported, dismissed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from bcc_tui.domain.business_days import business_days_between


def outcome(due_date: dt.date, first_response_on: dt.date | None, today: dt.date) -> str | None:
    """The two-day rule settled or not: 'met', 'breached' or None (open and not yet due). The one
    definition of a breach, for the statistics and the deviation register (domain/deviations.py)."""
    if first_response_on is not None:
        return "met" if first_response_on <= due_date else "breached"
    if today > due_date:
        return "breached"
    return None


@dataclass(frozen=True)
class StatErrand:
    ref: str
    type: str
    received_at: dt.datetime
    received_on: dt.date
    due_date: dt.date
    status: str
    close_kind: str | None
    close_reason: str | None
    first_response_on: dt.date | None
    first_response_at: dt.datetime | None
    assignee: str | None
    responded_by: str | None
    partial_replies: int
    acute: bool = False  # R11: flagged with acute signs at intake or since
    acute_advice: bool = False  # R11: got the automatic acute advice
    closed_on: dt.date | None = None  # the final answer's day: the reply or the close
    first_partial_on: dt.date | None = None  # the first partial reply's day (automatic ones too)

    def outcome(self, today: dt.date) -> str | None:
        """'met', 'breached' or None (open and not yet due)."""
        return outcome(self.due_date, self.first_response_on, today)

    @property
    def response_days(self) -> int | None:
        if self.first_response_on is None:
            return None
        return business_days_between(self.received_on, self.first_response_on)

    def final_outcome(self, today: dt.date) -> str | None:
        """The final answer against the due date, a partial reply not counted: 'met' (in time),
        'breached' (late) or None (open and not yet due)."""
        return outcome(self.due_date, self.closed_on, today)

    @property
    def final_days(self) -> int | None:
        return None if self.closed_on is None else business_days_between(self.received_on, self.closed_on)

    @property
    def partial_days(self) -> int | None:
        if self.first_partial_on is None:
            return None
        return business_days_between(self.received_on, self.first_partial_on)


def percentile(values: list[int], p: float) -> float | None:
    """Nearest-rank percentile; the median of an even count is the mean of the middle two."""
    if not values:
        return None
    ordered = sorted(values)
    if p == 50:
        mid = len(ordered) // 2
        return float(ordered[mid]) if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return float(ordered[rank - 1])


@dataclass
class TypeStats:
    type: str
    received: int = 0
    answered: int = 0
    closed_without_reply: int = 0
    without_reply_reasons: Counter[str] = field(default_factory=Counter)
    partial_replies: int = 0
    met: int = 0
    breached: int = 0
    open: int = 0
    response_days: list[int] = field(default_factory=list)
    acute: int = 0
    acute_advice: int = 0
    partial_reply_days: list[int] = field(default_factory=list)
    final_days: list[int] = field(default_factory=list)
    final_in_time: int = 0
    final_late: int = 0

    @property
    def share_met(self) -> float | None:
        decided = self.met + self.breached
        return self.met / decided if decided else None

    @property
    def median_days(self) -> float | None:
        return percentile(self.response_days, 50)

    @property
    def p90_days(self) -> float | None:
        return percentile(self.response_days, 90)

    @property
    def median_partial_days(self) -> float | None:
        return percentile(self.partial_reply_days, 50)

    @property
    def p90_partial_days(self) -> float | None:
        return percentile(self.partial_reply_days, 90)

    @property
    def median_final_days(self) -> float | None:
        return percentile(self.final_days, 50)

    @property
    def p90_final_days(self) -> float | None:
        return percentile(self.final_days, 90)


@dataclass
class CaregiverLoad:
    username: str
    assigned: int = 0  # errands of the period held by this person
    answered: int = 0  # of those, replied by them
    open: int = 0


@dataclass
class Report:
    start: dt.date
    end: dt.date
    by_type: dict[str, TypeStats]
    total: TypeStats
    load: list[CaregiverLoad]
    weeks: list[tuple[str, int]]  # ISO week label, errands received
    deviations: list[StatErrand]
    # The register per kind (domain/deviations.KINDS' order): found, reported, dismissed.
    by_kind: dict[str, tuple[int, int, int]] = field(default_factory=dict)


def _tally(
    s: TypeStats,
    e: StatErrand,
    outcome: str | None,
    final: str | None,
    response_days: int | None,
    partial_days: int | None,
    final_days: int | None,
) -> None:
    """One errand's figures added to a type's (or the total's); the outcomes and days are worked
    out once per errand by the caller, not once for each of the two."""
    s.received += 1
    if e.status == "closed" and e.close_kind == "reply":
        s.answered += 1
    elif e.status == "closed":
        s.closed_without_reply += 1
        s.without_reply_reasons[e.close_reason or "(ingen orsak)"] += 1
    else:
        s.open += 1
    if e.partial_replies:
        s.partial_replies += 1
    s.acute += e.acute
    s.acute_advice += e.acute_advice
    if outcome == "met":
        s.met += 1
    elif outcome == "breached":
        s.breached += 1
    if response_days is not None:
        s.response_days.append(response_days)
    if partial_days is not None:
        s.partial_reply_days.append(partial_days)
    if final_days is not None:
        s.final_days.append(final_days)
    if final == "met":
        s.final_in_time += 1
    elif final == "breached":
        s.final_late += 1


def _carry(person: CaregiverLoad, e: StatErrand) -> None:
    """One errand in its assignee's load: assigned, answered by them, still open."""
    person.assigned += 1
    if e.status == "closed" and e.responded_by == e.assignee and e.close_kind == "reply":
        person.answered += 1
    if e.status != "closed":
        person.open += 1


def _week_labels(weeks: dict[tuple[int, int], int], start: dt.date, end: dt.date) -> list[tuple[str, int]]:
    """Every week of the period, empty ones included, so the chart's gaps are real."""
    labels = []
    day = start - dt.timedelta(days=start.weekday())
    while day <= end:
        year, week, _ = day.isocalendar()
        labels.append((f"v{week}", weeks.get((year, week), 0)))
        day += dt.timedelta(days=7)
    return labels


def compute(
    errands: list[StatErrand], start: dt.date, end: dt.date, today: dt.date, type_order: list[str]
) -> Report:
    by_type = {t: TypeStats(t) for t in type_order}
    total = TypeStats("total")
    load: dict[str, CaregiverLoad] = {}
    weeks: dict[tuple[int, int], int] = defaultdict(int)
    deviations = []
    for e in errands:
        stats = by_type.setdefault(e.type, TypeStats(e.type))
        # Each errand's figures once, for its type and the total (100,000 errands: a second).
        outcome, final = e.outcome(today), e.final_outcome(today)
        response_days, partial_days, final_days = e.response_days, e.partial_days, e.final_days
        for s in (stats, total):
            _tally(s, e, outcome, final, response_days, partial_days, final_days)
        if outcome == "breached":
            deviations.append(e)
        if e.assignee:
            _carry(load.setdefault(e.assignee, CaregiverLoad(e.assignee)), e)
        year, week, _ = e.received_on.isocalendar()
        weeks[(year, week)] += 1
    labels = _week_labels(weeks, start, end)
    deviations.sort(key=lambda e: (e.received_at, e.ref))
    return Report(
        start,
        end,
        by_type,
        total,
        sorted(load.values(), key=lambda c: (-c.assigned, c.username)),
        labels,
        deviations,
    )
