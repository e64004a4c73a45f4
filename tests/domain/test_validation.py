"""Intake, staff and schedule lines: each refusal names the field and why."""

import datetime as dt

import pytest

from bcc_tui.domain import jsonl
from bcc_tui.domain.errors import InvalidInput
from bcc_tui.domain.validation import (
    errand_from_json,
    format_utc,
    parse_utc,
    parse_utc_or_none,
    schedule_from_json,
    staff_from_json,
)
from tests.conftest import errand_line


def refusal(obj) -> str:
    with pytest.raises(InvalidInput) as info:
        errand_from_json(obj)
    return str(info.value)


def test_a_good_line():
    e = errand_from_json(errand_line())
    assert e.received_at == dt.datetime(2026, 11, 25, 7, 14, tzinfo=dt.UTC)
    assert e.proxy_relation == "mamma" and not e.urgent


@pytest.mark.parametrize(
    "over, field",
    [
        ({"type": "okand"}, "type"),
        ({"unit": "akuten"}, "unit"),
        ({"unit": "slutenvard"}, "type"),  # inpatient takes only complaints (R1)
        ({"ref": "x"}, "ref"),
        ({"ref": "bad ref!"}, "ref"),
        ({"received_at": "2026-11-25T08:14:00"}, "received_at"),  # no offset
        ({"received_at": "2026-11-25"}, "received_at"),
        ({"received_at": "2026-11-25 08:14:00+01:00"}, "received_at"),  # RFC 3339 wants the T
        ({"received_at": "2026-11-25T08:14:00+01"}, "received_at"),
        ({"received_at": "2026-02-30T08:14:00Z"}, "received_at"),
        ({"received_at": 12}, "received_at"),
        ({"patient": {"name": "A", "personnummer": "20150315-1234"}}, "patient.personnummer"),
        ({"patient": {"name": "", "personnummer": "20150315-1233"}}, "patient.name"),
        ({"patient": {"name": "A"}}, "patient.personnummer"),
        ({"patient": {"name": "A", "personnummer": "20150315-1233", "x": 1}}, "patient.x"),
        ({"message": ""}, "message"),
        ({"message": "\x1b\x07"}, "message"),  # nothing left after cleaning
        ({"message": "x" * 20001}, "message"),
        ({"subject": "x" * 301}, "subject"),
        ({"submitted_by": {"name": "Sara"}}, "submitted_by.relation"),
        ({"contact_preference": "mejl"}, "contact_preference"),
        ({"urgent": "yes"}, "urgent"),
        ({"extra": 1}, "extra"),
    ],
)
def test_refusals_name_the_field(over, field):
    assert refusal(errand_line(**over)).startswith(field + ":")


def test_required_fields():
    line = errand_line()
    del line["message"]
    assert refusal(line) == "message: saknas"
    assert refusal([1, 2]) == "ska vara ett JSON-objekt"


def test_control_characters_are_removed_not_refused():
    e = errand_from_json(errand_line(message="Hej\x1b[2J där\u202e!", subject="Ämne\x07"))
    assert e.message == "Hej[2J där!" and e.subject == "Ämne"


def test_inpatient_complaint_and_null_proxy():
    e = errand_from_json(
        errand_line(
            type="synpunkter_klagomal",
            unit="slutenvard",
            submitted_by=None,
            urgent=True,
            contact_preference="telefon",
            phone="070-123 45 67",
        )
    )
    assert e.unit == "slutenvard" and e.proxy_name is None and e.urgent


def test_canonical_content_ignores_key_order_and_offset_form():
    a = errand_from_json(errand_line(received_at="2026-11-25T08:14:00+01:00"))
    b = errand_from_json(dict(reversed(list(errand_line(received_at="2026-11-25T07:14:00Z").items()))))
    assert a.canonical() == b.canonical()


def test_jsonl_lines_bom_blank_and_bad_utf8():
    data = b'\xef\xbb\xbf{"a": 1}\n\n   \n\xff\xfe\n{broken\n'
    out = list(jsonl.lines(data))
    assert out[0] == (1, {"a": 1})
    assert out[1][0] == 4 and "UTF-8" in str(out[1][1])
    assert out[2][0] == 5 and "ogiltig JSON" in str(out[2][1])
    with pytest.raises(InvalidInput, match="tom"):
        list(jsonl.lines(b""))
    with pytest.raises(InvalidInput, match="tom"):
        list(jsonl.lines(b"\xef\xbb\xbf\n \n"))


def test_staff_lines():
    s = staff_from_json({"username": "doc1", "name": "D", "title": "läkare", "roles": ["caregiver"]})
    assert s.email is None and s.email_notify is None
    for bad, field in [
        ({"username": "Doc", "name": "D", "title": "läkare", "roles": ["caregiver"]}, "username"),
        ({"username": "d", "name": "D", "title": "chef", "roles": ["caregiver"]}, "title"),
        ({"username": "d", "name": "D", "title": "läkare", "roles": []}, "roles"),
        ({"username": "d", "name": "D", "title": "läkare", "roles": ["boss"]}, "roles"),
        ({"username": "d", "name": "D", "title": "läkare", "roles": ["caregiver"], "email": "nope"}, "email"),
        ({"username": "system", "name": "D", "title": "läkare", "roles": ["caregiver"]}, "username"),
    ]:
        with pytest.raises(InvalidInput) as info:
            staff_from_json(bad)
        assert str(info.value).startswith(field)


def test_schedule_lines():
    r = schedule_from_json({"date": "2026-11-25", "receiver": "rec1", "outpatient_doctors": ["doc1", "doc2"]})
    assert r.doctors == ("doc1", "doc2")
    a = schedule_from_json({"absent": "doc1", "from": "2026-11-24", "to": "2026-11-26"})
    assert a.start < a.end
    for bad in (
        {"date": "2026-13-01", "receiver": "r"},
        {"absent": "d", "from": "2026-11-26", "to": "2026-11-24"},
        {"date": "2026-11-25"},
        {"receiver": "r"},
    ):
        with pytest.raises(InvalidInput):
            schedule_from_json(bad)


def test_the_one_reader_of_moments_reads_what_format_utc_writes():
    moment = dt.datetime(2026, 11, 25, 8, 14, tzinfo=dt.UTC)
    assert parse_utc(format_utc(moment)) == moment
    assert parse_utc("2026-11-25T09:14:00+01:00") == moment
    assert parse_utc(format_utc(moment)).utcoffset() == dt.timedelta(0)
    assert parse_utc_or_none(None) is None and parse_utc_or_none("") is None
    with pytest.raises(ValueError):
        parse_utc("25/11/2026")
