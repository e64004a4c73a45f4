"""The two-business-day rule (docs/routine.md 5) over several years of Swedish holidays."""

import datetime as dt

import pytest

from bcc_tui.domain import business_days as bd
from bcc_tui.domain.business_days import STOCKHOLM, countdown, due_date, local_date

D = dt.date.fromisoformat


@pytest.mark.parametrize(
    "arrived, due",
    [
        # The examples of docs/routine.md 5.
        ("2026-11-25", "2026-11-27"),
        ("2026-11-27", "2026-12-01"),
        ("2026-11-28", "2026-12-01"),
        ("2026-12-22", "2026-12-28"),
        # Sunday arrival: Monday and Tuesday count.
        ("2026-11-29", "2026-12-01"),
        # Christmas and New Year: 24, 25, 26 Dec and 31 Dec, 1 Jan are not business days.
        ("2026-12-23", "2026-12-29"),
        ("2026-12-30", "2027-01-05"),
        ("2027-12-23", "2027-12-28"),  # 24 Dec 2027 is a Friday (Christmas Eve)
        ("2025-12-30", "2026-01-05"),  # 31 Dec, 1 Jan, weekend
        # Epiphany (6 Jan).
        ("2026-01-05", "2026-01-08"),
        ("2027-01-05", "2027-01-08"),
        # Easter: Good Friday and Easter Monday.
        ("2026-04-02", "2026-04-08"),
        ("2027-03-25", "2027-03-31"),
        ("2028-04-13", "2028-04-19"),
        # May Day, Ascension Day.
        ("2026-04-30", "2026-05-05"),
        ("2026-05-13", "2026-05-18"),
        ("2027-05-05", "2027-05-10"),
        # National Day on a weekday (6 Jun 2025 is a Friday, 2028 a Tuesday).
        ("2025-06-05", "2025-06-10"),
        ("2028-06-05", "2028-06-08"),
        # Midsummer Eve (a de-facto holiday): Fri 19 Jun 2026, Fri 25 Jun 2027.
        ("2026-06-18", "2026-06-23"),
        ("2027-06-24", "2027-06-29"),
        # An ordinary Friday in summer, to prove the calendar does not over-skip.
        ("2026-07-03", "2026-07-07"),
    ],
)
def test_due_dates(arrived, due):
    assert due_date(D(arrived)).due == D(due)


def test_business_days_is_a_setting():
    assert due_date(D("2026-11-25"), 1).due == D("2026-11-26")
    assert due_date(D("2026-11-25"), 5).due == D("2026-12-02")
    assert due_date(D("2026-12-22"), 3).due == D("2026-12-29")


def test_holidays_and_eves():
    assert bd.non_business_reason(D("2026-12-24")) == "julafton"
    assert bd.non_business_reason(D("2026-06-19")) == "midsommarafton"
    assert bd.non_business_reason(D("2026-12-31")) == "nyårsafton"
    assert bd.non_business_reason(D("2026-11-28")) == "lördag"
    assert bd.non_business_reason(D("2026-11-29")) == "söndag"
    assert bd.is_business_day(D("2026-11-25"))
    # All Saints' Day falls on a Saturday: named, and not a business day either way.
    assert not bd.is_business_day(D("2026-10-31"))


@pytest.mark.parametrize(
    "moment, local",
    [
        # 00:30 local on 25 Nov is 23:30 UTC on 24 Nov: still the 25th's errand.
        (dt.datetime(2026, 11, 24, 23, 30, tzinfo=dt.UTC), "2026-11-25"),
        (dt.datetime(2026, 11, 24, 22, 59, tzinfo=dt.UTC), "2026-11-24"),
        # Summer time (UTC+2): 22:30 UTC on 30 Jun is 00:30 on 1 Jul.
        (dt.datetime(2026, 6, 30, 22, 30, tzinfo=dt.UTC), "2026-07-01"),
        # The spring change (29 Mar 2026, 02:00 → 03:00) and the autumn change (25 Oct 2026).
        (dt.datetime(2026, 3, 28, 23, 30, tzinfo=dt.UTC), "2026-03-29"),
        (dt.datetime(2026, 3, 29, 21, 59, tzinfo=dt.UTC), "2026-03-29"),
        (dt.datetime(2026, 3, 29, 22, 0, tzinfo=dt.UTC), "2026-03-30"),
        (dt.datetime(2026, 10, 24, 21, 59, tzinfo=dt.UTC), "2026-10-24"),
        (dt.datetime(2026, 10, 24, 22, 0, tzinfo=dt.UTC), "2026-10-25"),
        (dt.datetime(2026, 10, 25, 22, 59, tzinfo=dt.UTC), "2026-10-25"),
        (dt.datetime(2026, 10, 25, 23, 0, tzinfo=dt.UTC), "2026-10-26"),
    ],
)
def test_local_dates_across_midnight_and_dst(moment, local):
    assert local_date(moment) == D(local)


def test_dst_arrival_due_dates():
    # Arrived 00:30 local on Sunday 29 Mar 2026 (the spring change): due Tue 31 Mar.
    arrived = dt.datetime(2026, 3, 29, 0, 30, tzinfo=STOCKHOLM)
    assert due_date(local_date(arrived)).due == D("2026-03-31")
    # Arrived 02:30 local (UTC+1, the repeated hour) on Sunday 25 Oct 2026: due Tue 27 Oct.
    arrived = dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)
    assert due_date(local_date(arrived)).due == D("2026-10-27")


def test_naive_moments_are_refused():
    with pytest.raises(ValueError):
        local_date(dt.datetime(2026, 11, 25, 10, 0))


def test_explanation_names_the_skipped_days():
    text = due_date(D("2026-12-22")).explain()
    assert text.startswith("Inkom tis 22 dec")
    assert "24 dec julafton" in text and "25 dec juldagen" in text and "26 dec annandag jul" in text
    assert text.endswith("förfaller mån 28 dec.")
    plain = due_date(D("2026-11-25")).explain()
    assert "inte vardag" not in plain and plain.endswith("förfaller fre 27 nov.")
    weekend = due_date(D("2026-11-28")).explain()
    assert "(inte vardag)" in weekend


@pytest.mark.parametrize(
    "today, level, text",
    [
        ("2026-11-25", "ok", "2 vd kvar"),  # arrival day
        ("2026-11-26", "due_soon", "1 vd kvar"),
        ("2026-11-27", "due_soon", "idag"),
        ("2026-11-28", "overdue", "försenad 1 vd"),  # the midnight after the due date
        ("2026-11-30", "overdue", "försenad 1 vd"),
        ("2026-12-01", "overdue", "försenad 2 vd"),
    ],
)
def test_levels_while_open(today, level, text):
    c = countdown(D("2026-11-27"), D(today), None)
    assert (c.level, c.text) == (level, text)


def test_due_soon_over_a_weekend():
    # Due Monday, seen on Friday: Monday is the next business day.
    assert countdown(D("2026-11-30"), D("2026-11-27"), None).level == "due_soon"
    assert countdown(D("2026-12-01"), D("2026-11-27"), None).level == "ok"


def test_settled_levels():
    assert countdown(D("2026-11-27"), D("2026-12-10"), D("2026-11-27")).level == "met"
    late = countdown(D("2026-11-27"), D("2026-12-10"), D("2026-12-01"))
    assert (late.level, late.text) == ("breached", "sent 2 vd")
    # Once settled the level does not change with today.
    assert countdown(D("2026-11-27"), D("2026-11-20"), D("2026-11-21")).level == "met"


def test_add_and_count_agree_over_years():
    day = D("2025-01-01")
    while day < D("2029-01-01"):
        for n in (1, 2, 3):
            due = bd.add_business_days(day, n)
            assert bd.business_days_between(day, due) == n
            assert bd.is_business_day(due)
        day += dt.timedelta(days=1)


# -- the O(1) calendar against the plain day-by-day definition (issue 13) -----------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

IN_RANGE = st.dates(min_value=bd.RANGE_START, max_value=bd.RANGE_END)


def test_every_day_of_the_range_agrees_with_the_definition():
    day = bd.RANGE_START
    while day <= bd.RANGE_END:
        assert bd.is_business_day(day) == (bd.non_business_reason(day) is None), day
        day += dt.timedelta(days=1)


@settings(max_examples=300, deadline=None)
@given(IN_RANGE, st.integers(min_value=0, max_value=400))
def test_count_between_agrees_with_the_definition(start, span):
    end = min(start + dt.timedelta(days=span), bd.RANGE_END)
    assert bd.business_days_between(start, end) == bd.plain_business_days_between(start, end)
    assert bd.business_days_between(end, start) == -bd.plain_business_days_between(start, end)


@settings(max_examples=300, deadline=None)
@given(IN_RANGE, IN_RANGE)
def test_count_over_whole_range_agrees(a, b):
    # Long spans (up to 80 years) only in a sample: the plain walk is the slow definition.
    if abs((b - a).days) > 3000:
        b = a + dt.timedelta(days=3000) if b > a else a - dt.timedelta(days=3000)
        b = min(max(b, bd.RANGE_START), bd.RANGE_END)
    assert bd.business_days_between(a, b) == bd.plain_business_days_between(a, b)


@settings(max_examples=300, deadline=None)
@given(IN_RANGE, st.integers(min_value=0, max_value=60))
def test_add_agrees_with_the_definition(day, n):
    assert bd.add_business_days(day, n) == bd.plain_add_business_days(day, n)


def test_ends_of_the_range_and_beyond_do_not_crash():
    last = bd.RANGE_END
    assert bd.add_business_days(last - dt.timedelta(days=1), 5) == bd.plain_add_business_days(
        last - dt.timedelta(days=1), 5
    )
    assert bd.add_business_days(D("1999-12-30"), 2) == D("2000-01-04")  # 31 Dec, 1 Jan, weekend
    assert bd.business_days_between(D("1999-12-30"), D("2000-01-04")) == 2
    assert bd.add_business_days(dt.date.max - dt.timedelta(days=1), 3) == dt.date.max
    assert bd.business_days_between(D("9999-12-30"), D("9999-12-31")) == 1
    assert countdown(D("2085-01-10"), D("2085-01-08"), None).level in ("ok", "due_soon")
    assert due_date(D("2090-12-22")).due > D("2090-12-22")


def test_the_calendar_is_the_packages_swedish_calendar():
    import holidays

    public = holidays.country_holidays(
        "SE", categories=("public", "de_facto"), language="sv", years=range(2000, 2080)
    )
    ours = bd._holidays()
    assert {d: ours.get(d) for d in public} == dict(public)


def test_the_table_of_holidays_is_the_packages():
    """holidays_se.py says what the package says, over the whole range; when a release disagrees,
    the message is the table to paste."""
    from bcc_tui.domain.holidays_se import TABLE

    package = bd._holidays()
    for year in range(bd.RANGE_START.year, bd.RANGE_END.year + 1):
        package.get(dt.date(year, 1, 1))
    wanted = "".join(
        f"{d.isoformat()} {name.split(';')[0].strip().lower()}\n"
        for d, name in sorted(package.items())
        if bd.RANGE_START <= d <= bd.RANGE_END and name.lower() != "söndag"
    )
    assert wanted == TABLE, wanted
    # And every day of the range gets the reason the package gives.
    day = bd.RANGE_START
    while day <= bd.RANGE_END:
        name = package.get(day)
        if name and name.lower() != "söndag":
            expected: str | None = name.split(";")[0].strip().lower()
        else:
            expected = bd.WEEKDAY_NAMES[day.weekday()] if day.weekday() >= 5 else None
        assert bd.non_business_reason(day) == expected, day
        day += dt.timedelta(days=1)


def test_counting_business_days_does_not_load_the_holidays_package():
    """A dashboard's first paint and every command count business days; the package's import and
    its 80 years cost about 0.1 s at each start. Only a holiday's name needs it."""
    import subprocess
    import sys

    code = (
        "import sys, datetime as dt\n"
        "from bcc_tui.domain import business_days as bd\n"
        "assert bd.add_business_days(dt.date(2026, 12, 23), 2) == dt.date(2026, 12, 29)\n"
        "assert bd.business_days_between(dt.date(2026, 6, 18), dt.date(2026, 6, 22)) == 1\n"
        "assert bd.non_business_reason(dt.date(2026, 11, 26)) is None\n"
        "assert bd.due_date(dt.date(2026, 11, 20)).due == dt.date(2026, 11, 24)\n"
        "print('holidays' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
