"""Intake, staff and schedule lines: each refusal names the field and why."""

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bcc_tui.domain import jsonl
from bcc_tui.domain.errors import InvalidInput
from bcc_tui.domain.validation import (
    FIELDS,
    canonical_of,
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


@pytest.mark.parametrize("year", [1, 999, 1000, 2026, 9999])
def test_format_utc_is_strftimes_form(year):
    moment = dt.datetime(year, 3, 4, 5, 6, 7, 891011, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    utc = moment.astimezone(dt.UTC) if year > 1 else moment.replace(tzinfo=dt.UTC)
    assert format_utc(utc) == utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    if year > 1:
        assert format_utc(moment) == format_utc(utc)


def test_canonical_given_its_received_at_is_the_same():
    new = errand_from_json(errand_line(message='Åäö \u2028 "citat" \\ snedstreck'))
    assert new.canonical(format_utc(new.received_at)) == new.canonical()
    d = dict(new.__dict__, received_at=format_utc(new.received_at))
    assert new.canonical() == json.dumps(d, sort_keys=True, ensure_ascii=False)


def test_as_tuple_is_the_fields_in_their_order():
    # The import's helper is handed this tuple and hashes it (canonical_of) as canonical() would.
    new = errand_from_json(errand_line(urgent=True, phone="070-123 45 67", contact_preference="telefon"))
    received = format_utc(new.received_at)
    assert dict(zip(FIELDS, new.as_tuple(received), strict=True)) == dict(new.__dict__, received_at=received)
    assert canonical_of(new.as_tuple(received)) == new.canonical()


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('{"ref": "1177-940002", "ref": "1177-940003", "message": "Hej"}', "ref"),
        ('{"ref": "1", "patient": {"name": "A", "name": "B"}}', "name"),
        ('{"a": [{"x": 1}, {"x": 1, "x": 2}]}', "x"),
    ],
)
def test_a_field_named_twice_refuses_its_line(text, field):
    """A hostile trial: {"ref": A, "ref": B} was read in as B, the first value dropped without a
    word. Such a line says something twice; it is refused, by its number, as ambiguous."""
    data = (text + "\n" + '{"ref": "ok"}').encode()
    (n1, first), (n2, second) = list(jsonl.lines(data))
    assert (n1, str(first)) == (1, f'ogiltig JSON (fältet "{field}" finns två gånger)')
    assert (n2, second) == (2, {"ref": "ok"})


def _full_walk(raw: bytes):
    """What jsonl.lines said of a decodable line before its shortcut (jsonl._plain)."""
    obj = json.loads(raw.decode("utf-8"))
    why = jsonl._unholdable(obj)
    return str(InvalidInput(why)) if why else obj


@pytest.mark.parametrize(
    "text",
    [
        '{"a": "x", "b": {"c": "\\ud800"}}',  # a lone surrogate, nested
        '{"a": ["ok", {"\\udfff": true}]}',  # in a key
        '{"a": "\\u00e5", "b": 99999999999999999999}',  # an escape, and an integer too large
        '{"p": {"n": [1, 2, 9223372036854775808]}}',
        '{"a": NaN}',
        '{"a": [Infinity]}',
        '{"a": {"b": -Infinity}}',
        '{"a": 1e400}',
        '{"a": 1.5, "b": 3}',
        '[1, "\\ud800"]',
        '"\\ud800"',
        '{"a": ' + "[" * 30 + '"\\ud800"' + "]" * 30 + "}",
        '{"a": ' + "[" * 30 + "1e999" + "]" * 30 + "}",
        '{"a": ' + "[" * 30 + '"x"' + "]" * 30 + "}",
        '{"ref": "1177-1", "patient": {"name": "Å", "personnummer": "x"}, "urgent": false, "p": null}',
    ],
)
def test_jsonl_lines_shortcut_says_what_the_full_walk_says(text):
    raw = text.encode("utf-8")
    ((_, got),) = list(jsonl.lines(raw))
    assert (str(got) if isinstance(got, InvalidInput) else got) == _full_walk(raw)


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
        lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=4), kids, max_size=4),
        max_leaves=20,
    ),
    st.booleans(),
)
def test_jsonl_lines_shortcut_never_lets_through_what_the_walk_refuses(value, ascii_only):
    raw = json.dumps({"v": value}, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return  # a raw surrogate is no UTF-8: refused before any walk
    ((_, got),) = list(jsonl.lines(raw))
    assert (str(got) if isinstance(got, InvalidInput) else got) == _full_walk(raw)
