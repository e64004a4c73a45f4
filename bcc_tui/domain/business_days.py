"""Business days (vardagar) and the two-business-day rule (docs/routine.md 5).

A business day is Monday to Friday except Swedish public holidays and the de-facto holidays
(Midsummer Eve, Christmas Eve, New Year's Eve). Dates are local dates in Europe/Stockholm: an
errand that arrives at 00:30 local time is that day's errand whatever the UTC date. The day of
arrival is not counted; the errand is due on the n-th business day after it and overdue from the
midnight after that.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import accumulate
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bcc_tui.domain.text import count

if TYPE_CHECKING:
    from holidays import HolidayBase

STOCKHOLM = ZoneInfo("Europe/Stockholm")

WEEKDAYS = ("mån", "tis", "ons", "tors", "fre", "lör", "sön")
WEEKDAY_NAMES = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
MONTHS = ("jan", "feb", "mars", "apr", "maj", "juni", "juli", "aug", "sep", "okt", "nov", "dec")

OK, DUE_SOON, OVERDUE, MET, BREACHED = "ok", "due_soon", "overdue", "met", "breached"


def local_date(moment: dt.datetime) -> dt.date:
    """The Stockholm calendar date of an aware moment."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the rule needs an aware moment")
    return moment.astimezone(STOCKHOLM).date()


def short_date(day: dt.date) -> str:
    """'tors 23 dec' — how the panes and explanations name a day."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


@cache
def _holidays() -> HolidayBase:
    import holidays  # imported on first use: the calendar is needed after start-up, not for it

    try:
        # holidays.country_holidays imports the package of every country (about 150 ms, on every
        # start of the dashboard and every command); Sweden's module alone needs only the
        # package's base, which `import holidays` loads.
        import importlib.util
        from pathlib import Path

        path = Path(holidays.__path__[0]) / "countries" / "sweden.py"
        spec = importlib.util.spec_from_file_location("holidays.countries.sweden", path)
        if spec is None or spec.loader is None:
            # No such file in this release of holidays (the package's layout changed): the
            # package's own, slower way below.
            raise ImportError(f"no module at {path}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sweden: HolidayBase = module.Sweden(categories=("public", "de_facto"), language="sv")
        return sweden
    except Exception:
        return holidays.country_holidays("SE", categories=("public", "de_facto"), language="sv")


@lru_cache(maxsize=8192)
def non_business_reason(day: dt.date) -> str | None:
    """Why `day` is not a business day ('lördag', 'julafton', …), or None for a business day."""
    if _in_range(day):
        reason = _table().get(day)
        if reason is None and day.weekday() >= 5:
            return WEEKDAY_NAMES[day.weekday()]
        return reason
    name: str | None = _holidays().get(day)
    if name and name.lower() != "söndag":
        # holidays lists every Sunday as a holiday; name the real holiday, else the weekday.
        return name.split(";")[0].strip().lower()
    if day.weekday() >= 5:
        return WEEKDAY_NAMES[day.weekday()]
    return None


# The calendar over which counting is O(1): a cumulative count of business days per date, built
# once on first use from the table of holidays (holidays_se.py: under 10 ms, no package import).
# Dates outside it are counted day by day with the same definition, so they are slow but never
# wrong and never a crash.
RANGE_START = dt.date(2000, 1, 1)
RANGE_END = dt.date(2079, 12, 31)


class _Calendar:
    """`cum[i]`: business days in [RANGE_START, RANGE_START + i]; `days[k]`: the offset of the
    (k+1)-th business day from RANGE_START."""

    def __init__(self) -> None:
        size = (RANGE_END - RANGE_START).days + 1
        # 1 for a business day: the weekday pattern, then the holidays cleared.
        week = bytes(1 if (RANGE_START.weekday() + i) % 7 < 5 else 0 for i in range(7))
        flags = bytearray(week * (size // 7 + 1))[:size]
        for d in _table():
            flags[(d - RANGE_START).days] = 0
        self.cum = list(accumulate(flags))
        self.days = [i for i, f in enumerate(flags) if f]


@cache
def _table() -> dict[dt.date, str]:
    """The holidays in the calendar's range with their reasons (holidays_se.py)."""
    from bcc_tui.domain.holidays_se import TABLE

    return {dt.date.fromisoformat(line[:10]): line[11:] for line in TABLE.splitlines()}


@lru_cache(maxsize=1)
def _calendar() -> _Calendar:
    return _Calendar()


def _in_range(day: dt.date) -> bool:
    return RANGE_START <= day <= RANGE_END


def is_business_day(day: dt.date) -> bool:
    if _in_range(day):
        cal = _calendar()
        i = (day - RANGE_START).days
        return cal.cum[i] != (cal.cum[i - 1] if i else 0)
    return non_business_reason(day) is None


def add_business_days(day: dt.date, n: int) -> dt.date:
    """The n-th business day after `day` (`day` itself is never counted); n=0 gives `day`."""
    if n < 0:
        raise ValueError("n must be >= 0")
    if n == 0:
        return day
    if _in_range(day):
        cal = _calendar()
        k = cal.cum[(day - RANGE_START).days] + n - 1
        if k < len(cal.days):
            return RANGE_START + dt.timedelta(days=cal.days[k])
    return plain_add_business_days(day, n)


def business_days_between(start: dt.date, end: dt.date) -> int:
    """How many business days lie in the half-open span (start, end]; negative when end < start."""
    if end < start:
        return -business_days_between(end, start)
    if _in_range(start) and _in_range(end):
        cum = _calendar().cum
        return cum[(end - RANGE_START).days] - cum[(start - RANGE_START).days]
    return plain_business_days_between(start, end)


def plain_add_business_days(day: dt.date, n: int) -> dt.date:
    """The definition, day by day: the reference for the calendar and the path outside it."""
    current = day
    while n:
        try:
            current += dt.timedelta(days=1)
        except OverflowError:
            return dt.date.max  # past the last representable date nothing is due any sooner
        if non_business_reason(current) is None:
            n -= 1
    return current


def plain_business_days_between(start: dt.date, end: dt.date) -> int:
    """The definition, day by day (start < end): the reference and the path outside the calendar."""
    if end < start:
        return -plain_business_days_between(end, start)
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if non_business_reason(current) is None:
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
        parts.append(f"ankomstdagen räknas inte; {count(self.days, 'vardag', 'vardagar')}")
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
