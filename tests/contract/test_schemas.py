"""Our hand-written validators against the published schemas (a copy is kept in schemas/)."""

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bcc_tui.domain.errors import InvalidInput
from bcc_tui.domain.validation import errand_from_json, staff_from_json
from tests.conftest import STAFF, errand_line

SCHEMAS = Path(__file__).parent / "schemas"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "demo"


def validator(name: str):
    schema = json.loads((SCHEMAS / name).read_text())
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_demo_staff_and_test_staff_follow_the_schema():
    v = validator("staff.schema.json")
    for line in (FIXTURES / "staff.jsonl").read_text().splitlines():
        v.validate(json.loads(line))
    for line in STAFF:
        v.validate(line)
        staff_from_json(line)


def test_demo_errands_are_intake_lines_once_dated():
    v = validator("errand.schema.json")
    for line in (FIXTURES / "demo-stories.jsonl").read_text().splitlines():
        obj = json.loads(line)
        obj.pop("story", None)
        obj.pop("received")
        obj["received_at"] = "2026-11-25T08:00:00+01:00"
        v.validate(obj)
        errand_from_json(obj)


# Lines built from valid parts with one field swapped for a random value: whatever the schema
# refuses we must refuse too (we are stricter still: Luhn, calendar dates, the unit rule).
_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=30),
    st.sampled_from(
        [
            "2026-11-25T08:14:00Z",
            "2026-11-25",
            "oppenvard",
            "slutenvard",
            "synpunkter_klagomal",
            "1177-1",
            "telefon",
        ]
    ),
)


@settings(max_examples=300, deadline=None)
@given(
    field=st.sampled_from(
        [
            "ref",
            "type",
            "unit",
            "received_at",
            "subject",
            "message",
            "contact_preference",
            "phone",
            "urgent",
            "submitted_by",
            "extra",
        ]
    ),
    value=_values,
)
def test_whatever_the_schema_refuses_we_refuse(field, value):
    line = errand_line(**{field: value})
    schema_ok = validator("errand.schema.json").is_valid(line)
    try:
        errand_from_json(line)
        ours_ok = True
    except InvalidInput:
        ours_ok = False
    if not schema_ok:
        assert not ours_ok, line


def test_our_reply_export_shape_matches_the_schema():
    # The outbound row fields map onto reply.schema.json (the export command lands in issue 4).
    v = validator("reply.schema.json")
    v.validate(
        {
            "id": "1177-1-3",
            "ref": "1177-1",
            "kind": "partial_reply",
            "text": "x",
            "sent_at": "2026-11-25T09:00:00Z",
            "author": {"name": "A", "title": "B"},
            "closes": False,
        }
    )
    with pytest.raises(jsonschema.ValidationError):
        v.validate({"id": "", "ref": "r", "kind": "reply", "text": "x", "sent_at": "x", "author": {}})


@pytest.mark.parametrize(
    "line",
    [
        {"personnummer": "20150315-1233", "pal": "doc1", "contact_nurse": "nurse"},
        {"personnummer": "201503151233", "pal": None},
        {"personnummer": "20150315-1233", "contact_nurse": "nurse"},
    ],
)
def test_care_team_lines_that_the_schema_takes_are_taken(line):
    from bcc_tui.domain.validation import patient_from_json

    validator("patient.schema.json").validate(line)
    assert patient_from_json(line).personnummer == "20150315-1233"


@pytest.mark.parametrize(
    "line",
    [
        {"personnummer": "20150315-1233", "pal": "Doc 1"},
        {"personnummer": "20150315-1233", "extra": 1},
        {"pal": "doc1"},
        {"personnummer": "20150315-0000", "pal": "doc1"},
    ],
)
def test_care_team_lines_that_the_schema_refuses_are_refused(line):
    from bcc_tui.domain.validation import patient_from_json

    assert not validator("patient.schema.json").is_valid(line)
    with pytest.raises(InvalidInput):
        patient_from_json(line)
