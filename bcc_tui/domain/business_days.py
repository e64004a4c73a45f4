"""Business days (vardagar) and the two-business-day rule (PRODUCT.md §5).

A business day is Monday to Friday except Swedish public holidays and the de-facto holidays
(Midsummer Eve, Christmas Eve, New Year's Eve). Dates are local dates in Europe/Stockholm: an
errand that arrives at 00:30 local time is that day's errand whatever the UTC date. The day of
arrival is not counted; the errand is due on the n-th business day after it and overdue from the
midnight after that.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")

WEEKDAYS = ("mån", "tis", "ons", "tors", "fre", "lör", "sön")
WEEKDAY_NAMES = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
MONTHS = ("jan", "feb", "mars", "apr", "maj", "juni", "juli", "aug", "sep", "okt", "nov", "dec")

OK, DUE_SOON, OVERDUE, MET, BREACHED = "ok", "due_soon", "overdue", "met", "breached"
LEVELS = (OK, DUE_SOON, OVERDUE, MET, BREACHED)


def local_date(moment: dt.datetime) -> dt.date:
    """The Stockholm calendar date of an aware moment."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the rule needs an aware moment")
    return moment.astimezone(STOCKHOLM).date()


def short_date(day: dt.date) -> str:
    """'tors 23 dec' — how the panes and explanations name a day."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


@lru_cache(maxsize=None)
def _holidays():
    import holidays  # imported on first use: the calendar is needed after start-up, not for it

    return holidays.country_holidays("SE", categories=("public", "de_facto"), language="sv")


@lru_cache(maxsize=8192)
def non_business_reason(day: dt.date) -> str | None:
    """Why `day` is not a business day ('lördag', 'julafton', …), or None for a business day."""
    name = _holidays().get(day)
    if name and name.lower() != "söndag":
        # holidays lists every Sunday as a holiday; name the real holiday, else the weekday.
        return name.split(";")[0].strip().lower()
    if day.weekday() >= 5:
        return WEEKDAY_NAMES[day.weekday()]
    return None


def is_business_day(day: dt.date) -> bool:
    return non_business_reason(day) is None


def add_business_days(day: dt.date, n: int) -> dt.date:
    """The n-th business day after `day` (`day` itself is never counted); n=0 gives `day`."""
    if n < 0:
        raise ValueError("n must be >= 0")
    current = day
    while n:
        current += dt.timedelta(days=1)
        if is_business_day(current):
            n -= 1
    return current


def business_days_between(start: dt.date, end: dt.date) -> int:
    """How many business days lie in the half-open span (start, end]; negative when end < start."""
    if end < start:
        return -business_days_between(end, start)
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if is_business_day(current):
            count += 1
    return count


@dataclass(frozen=True)
class Due:
    arrived: dt.date
    days: int
    due: dt.date
    skipped: tuple[tuple[dt.date, str], ...]

    def explain(self) -> str:
        """R14: 'Inkom tis 22 dec; 24 dec julafton, … är inte vardagar; förfaller mån 28 dec.'"""
        parts = [f"Inkom {short_date(self.arrived)}"]
        if not is_business_day(self.arrived):
            reason = non_business_reason(self.arrived)
            parts[0] += " (inte vardag)" if reason in WEEKDAY_NAMES else f" ({reason}, inte vardag)"
        parts.append(f"ankomstdagen räknas inte; {self.days} vardagar")
        if self.skipped:
            days = ", ".join(f"{d.day} {MONTHS[d.month - 1]} {why}" for d, why in self.skipped)
            parts.append(f"{days} är inte vardag{'ar' if len(self.skipped) > 1 else ''}")
        parts.append(f"förfaller {short_date(self.due)}")
        return "; ".join(parts) + "."


@lru_cache(maxsize=4096)
def due_date(arrived: dt.date, days: int = 2) -> Due:
    """The due date of an errand that arrived on local date `arrived`, with its explanation."""
    due = add_business_days(arrived, days)
    skipped = []
    current = arrived + dt.timedelta(days=1)
    while current < due:
        reason = non_business_reason(current)
        if reason:
            skipped.append((current, reason))
        current += dt.timedelta(days=1)
    return Due(arrived, days, due, tuple(skipped))


@dataclass(frozen=True)
class Countdown:
    level: str
    text: str
    days: int  # business days left (ok/due_soon), late (overdue/breached), 0 when met


def countdown(due: dt.date, today: dt.date, responded_on: dt.date | None) -> Countdown:
    """The SLA level and its words, for an errand due on `due`, seen on local date `today`.

    `responded_on` is the local date of the first partial reply, reply or close: once there is
    one the rule is settled, met or breached, whatever today is.
    """
    if responded_on is not None:
        if responded_on <= due:
            return Countdown(MET, "i tid", 0)
        late = max(1, business_days_between(due, responded_on))
        return Countdown(BREACHED, f"sent {late} vd", late)
    if today > due:
        late = max(1, business_days_between(due, today))
        return Countdown(OVERDUE, f"försenad {late} vd", late)
    left = business_days_between(today, due)
    if today == due:
        return Countdown(DUE_SOON, "idag", 0)
    if left <= 1:
        return Countdown(DUE_SOON, f"{left} vd kvar", left)
    return Countdown(OK, f"{left} vd kvar", left)
