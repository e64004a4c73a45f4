"""Statistics, deviations and the handover against hand-counted data (issue 6)."""

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from bcc_tui.domain import statistics
from bcc_tui.domain.errors import NotAllowed
from bcc_tui.services import errands, intake, reports
from bcc_tui.services.clock import FixedClock
from bcc_tui.services.context import Ctx
from tests.conftest import errand_line, jsonl

GOLDEN = Path(__file__).parent / "golden"


def at(clock_ctx, when):
    """The same person acting at another moment."""
    return Ctx(clock_ctx.store, clock_ctx.actor, FixedClock(when))


def ts(text):
    return dt.datetime.fromisoformat(text)


@pytest.fixture
def december(system, as_, store):
    """A hand-made December 2026, Christmas included:
    A fornya_recept Tue 22 Dec 09:00 → due Mon 28 Dec; reply Mon 28 Dec → met, 2 business days.
    B fornya_recept Wed 23 Dec 10:00 → due Tue 29 Dec; reply Wed 30 Dec → breached, 3 vd.
    C kontakta_mig  Mon 21 Dec 08:00 → due Wed 23 Dec; closed 'Besvarat per telefon' Mon 21 → met, 0.
    D kontakta_mig  Wed 30 Dec 12:00 → due Tue 5 Jan; open, unassigned → undecided on 31 Dec.
    E synpunkter    Thu 24 Dec 10:00 → due Tue 29 Dec; automatic partial reply at intake → met, 0.
    F fornya_recept Mon 30 Nov → outside the period.
    G kontakta_mig  Tue 1 Dec 09:00 → due Thu 3 Dec; open, assigned to doc2 → breached (overdue).
    Final answers, a partial reply not counted: A in time (2 vd), B late (3), C in time (0), D
    undecided, E late (open past its due date; its partial reply came after 0 vd), G late.
    """

    def imp(ref, when, **kw):
        intake.import_errands(at(system, ts(when)), jsonl(errand_line(ref, received_at=when, **kw)))

    imp("DEC-A", "2026-12-22T09:00:00+01:00")
    imp("DEC-B", "2026-12-23T10:00:00+01:00")
    imp("DEC-C", "2026-12-21T08:00:00+01:00", type="kontakta_mig")
    imp("DEC-D", "2026-12-30T12:00:00+01:00", type="kontakta_mig")
    imp("DEC-E", "2026-12-24T10:00:00+01:00", type="synpunkter_klagomal")
    imp("DEC-F", "2026-11-30T10:00:00+01:00")
    imp("DEC-G", "2026-12-01T09:00:00+01:00", type="kontakta_mig")
    rec, doc1 = as_("rec1"), as_("doc1")
    errands.assign(at(rec, ts("2026-12-22T10:00:00+01:00")), "DEC-A", "doc1")
    errands.reply(at(doc1, ts("2026-12-28T09:00:00+01:00")), "DEC-A", "Klart")
    errands.assign(at(rec, ts("2026-12-23T11:00:00+01:00")), "DEC-B", "doc1")
    errands.reply(at(doc1, ts("2026-12-30T09:00:00+01:00")), "DEC-B", "Klart")
    errands.close(at(rec, ts("2026-12-21T15:00:00+01:00")), "DEC-C", "Besvarat per telefon")
    errands.assign(at(rec, ts("2026-12-01T10:00:00+01:00")), "DEC-G", "doc2")
    return at(as_("adm"), ts("2026-12-31T12:00:00+01:00"))


def test_figures_match_a_hand_count(december):
    r = reports.stats(december, dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    recept, kontakt, klag = (
        r.by_type["fornya_recept"],
        r.by_type["kontakta_mig"],
        r.by_type["synpunkter_klagomal"],
    )
    assert (recept.received, recept.answered, recept.met, recept.breached) == (2, 2, 1, 1)
    assert recept.response_days == [2, 3] and recept.median_days == 2.5 and recept.p90_days == 3
    assert (kontakt.received, kontakt.closed_without_reply, kontakt.open, kontakt.met, kontakt.breached) == (
        3,
        1,
        2,
        1,
        1,
    )
    assert kontakt.without_reply_reasons == {"Besvarat per telefon": 1}
    assert (klag.received, klag.partial_replies, klag.met) == (1, 1, 1)
    t = r.total
    assert (t.received, t.met, t.breached, round(t.share_met, 3)) == (6, 3, 2, 0.6)
    assert sorted(d.ref for d in r.deviations) == ["DEC-B", "DEC-G"]
    g = next(d for d in r.deviations if d.ref == "DEC-G")
    assert g.assignee == "doc2" and g.first_response_on is None
    load = {c.username: (c.assigned, c.answered, c.open) for c in r.load}
    assert load == {"doc1": (2, 2, 0), "doc2": (1, 0, 1)}
    # Weeks 49–53 of 2026: G on 1 Dec; C, A, B, E in week 52; D in week 53.
    assert r.weeks == [("v49", 1), ("v50", 0), ("v51", 0), ("v52", 4), ("v53", 1)]


def test_csv_has_a_stable_header_and_matches_the_golden_file(december):
    r = reports.stats(december, dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    text = reports.stats_csv(r)
    assert text == (GOLDEN / "stats_december.csv").read_text()
    dev = list(csv.DictReader(io.StringIO(reports.deviations_csv(r))))
    assert [d["ärende"] for d in dev] == ["DEC-G", "DEC-B"]
    assert dev[1]["vardagar_till_första_svar"] == "3" and dev[0]["första_svar_utc"] == ""


def test_percentiles():
    assert statistics.percentile([], 50) is None
    assert statistics.percentile([3, 1, 2], 50) == 2
    assert statistics.percentile([1, 2, 3, 4], 50) == 2.5
    assert statistics.percentile(list(range(1, 11)), 90) == 9
    assert statistics.percentile([0, 0, 0, 7], 90) == 7


def test_who_may_see_statistics(december, as_):
    with pytest.raises(NotAllowed):
        reports.stats(as_("doc1"))
    reports.stats(as_("rec1"))


def test_a_complaint_answered_on_day_9_after_the_instant_partial_reply_is_late(system, as_):
    """Issue 26, statistics that do not flatter: the automatic partial reply meets the rule at
    once, but the final answer came on the ninth business day, long after the due date."""
    monday = "2026-11-02T09:00:00+01:00"  # due Wed 4 Nov; the 9th business day is Fri 13 Nov
    intake.import_errands(
        at(system, ts(monday)), jsonl(errand_line("K-9", type="synpunkter_klagomal", received_at=monday))
    )
    errands.assign(at(as_("rec1"), ts("2026-11-02T10:00:00+01:00")), "K-9", "nurse")
    errands.reply(at(as_("nurse"), ts("2026-11-13T11:00:00+01:00")), "K-9", "Vi har gått igenom det.")
    r = reports.stats(
        at(as_("adm"), ts("2026-11-25T10:00:00+01:00")), dt.date(2026, 11, 1), dt.date(2026, 11, 30)
    )
    k = r.by_type["synpunkter_klagomal"]
    assert (k.met, k.breached, k.response_days) == (1, 0, [0])  # the rule, met by the partial reply
    assert (k.partial_reply_days, k.final_days) == ([0], [9])
    assert (k.final_in_time, k.final_late) == (0, 1)
    row = next(
        x for x in csv.DictReader(io.StringIO(reports.stats_csv(r))) if x["typ"] == "synpunkter_klagomal"
    )
    assert (row["i_tid"], row["andel_i_tid"]) == ("1", "1.000")
    assert row["median_vardagar_till_delsvar"] == "0.0"
    assert (row["median_vardagar_till_slutsvar"], row["slutsvar_sent"]) == ("9.0", "1")
    assert row["slutsvar_i_tid"] == "0"
