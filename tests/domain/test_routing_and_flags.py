"""R5, R11, R12, R18, R19 and templates: pure rules."""

import datetime as dt

import pytest

from bcc_tui.domain import flags, templates
from bcc_tui.domain.errors import InvalidInput
from bcc_tui.domain.routing import TOP_DOCTOR, LastReply, Person, suggest

STAFF = [
    Person("lead", "Lena Ledare", "sektionsledare", frozenset({"caregiver"}), True, False),
    Person("lead2", "Leo Ledare", "sektionsledare", frozenset({"caregiver"}), True, False),
    Person("nurse", "Nina", "sjuksköterska", frozenset({"caregiver"}), True, True),
    Person("doc1", "Doris", "läkare", frozenset({"caregiver"}), True, False),
    Person("doc2", "Dag", "läkare", frozenset({"caregiver"}), True, False),
    Person("gone", "Gustav", "läkare", frozenset({"caregiver"}), False, False),
    Person("rec1", "Rita", "medicinsk sekreterare", frozenset({"receiver"}), True, False),
]
LAST = LastReply("doc2", dt.date(2026, 11, 12))


def test_complaints_follow_r5_whatever_else_is_known():
    assert suggest("synpunkter_klagomal", False, STAFF, set(), "doc1", LAST, TOP_DOCTOR).username == "nurse"
    assert suggest("synpunkter_klagomal", True, STAFF, set(), "doc1", LAST).username == "lead"
    assert suggest("synpunkter_klagomal", True, STAFF, {"lead"}).username == "lead2"
    assert suggest("synpunkter_klagomal", False, STAFF, {"nurse"}) is None


def test_continuity_first_then_the_type_default():
    s = suggest("fornya_recept", False, STAFF, set(), "doc1", LAST, TOP_DOCTOR)
    assert (s.username, s.reason) == ("doc2", "svarade senast 12 nov")
    s = suggest("fornya_recept", False, STAFF, {"doc2"}, "doc1", LAST, TOP_DOCTOR)
    assert (s.username, s.reason) == ("doc1", "dagens läkare: överst på schemat")
    s = suggest("fornya_recept", False, STAFF, set(), "doc1", None, "nurse")
    assert (s.username, s.reason) == ("nurse", "standard för Förnya recept")


def test_never_someone_absent_inactive_or_not_a_caregiver():
    assert suggest("fornya_recept", False, STAFF, {"doc2", "doc1"}, "doc1", LAST, TOP_DOCTOR) is None
    assert (
        suggest("fornya_recept", False, STAFF, set(), "doc1", LastReply("gone", dt.date(2026, 1, 1)), None)
        is None
    )
    assert (
        suggest("fornya_recept", False, STAFF, set(), None, LastReply("rec1", dt.date(2026, 1, 1)), "rec1")
        is None
    )


def test_proxy_age_and_followup():
    assert flags.proxy_for_older_child("20130315-0000", True, dt.date(2026, 3, 15))
    assert not flags.proxy_for_older_child("20130315-0000", True, dt.date(2026, 3, 14))
    assert not flags.proxy_for_older_child("20000101-0000", False, dt.date(2026, 3, 14))
    assert flags.followup_date(dt.date(2026, 11, 25)) == dt.date(2026, 12, 2)
    assert flags.followup_date(dt.date(2026, 12, 22), 5) == dt.date(2027, 1, 4)


def test_templates():
    values = {
        "förnamn": "Elsa",
        "vårdgivare": "Doris",
        "titel": "läkare",
        "enhet": "Öppenvård",
        "datum": "ons 25 nov",
        "ärende": "1177-1",
    }
    assert (
        templates.fill("Hej {förnamn}! {{inte}} /{vårdgivare}, {enhet} {datum} {ärende}", values)
        == "Hej Elsa! {inte} /Doris, Öppenvård ons 25 nov 1177-1"
    )
    assert templates.check(" Recept ", " Hej {förnamn} ") == ("Recept", "Hej {förnamn}")
    for bad in ("Hej {namn}", "Hej {förnamn", "Hej }"):
        with pytest.raises(InvalidInput):
            templates.check("x", bad)
