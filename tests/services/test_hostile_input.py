"""Property-based tests (hypothesis): whatever arrives, intake and every form either keep it,
cleaned, or refuse it with one clear line — never crash, never store a control character."""

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bcc_tui.domain.errors import BccError, InvalidInput
from bcc_tui.services import errands, intake
from tests.conftest import errand_line, jsonl, run_cli

UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
FIELDS = [
    "ref",
    "type",
    "unit",
    "received_at",
    "patient",
    "submitted_by",
    "subject",
    "message",
    "contact_preference",
    "phone",
    "urgent",
]


def stored_texts(store):
    return store.conn.execute(
        "SELECT patient_name, coalesce(proxy_name, ''), coalesce(proxy_relation, ''), subject, message,"
        " coalesce(phone, '') FROM errands"
    ).fetchall()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(FIELDS), value=json_values, text=st.text(max_size=200))
def test_any_line_is_kept_clean_or_refused_with_its_number(system, store, field, value, text):
    line = errand_line(f"H-{abs(hash((field, repr(value), text))) % 10**9}", message=text or "x")
    line[field] = value
    data = jsonl(line)
    report = intake.import_errands(system, data)
    assert report.added + report.skipped + len(report.rejected) == 1, report
    for number, why in report.rejected:
        assert number == 1 and why and "\n" not in why
    for row in stored_texts(store):
        for value_text in row:
            assert not UNSAFE.search(value_text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=300))
def test_arbitrary_bytes_never_crash_the_intake(system, raw):
    try:
        report = intake.import_errands(system, raw)
    except InvalidInput as err:  # an empty file, or one of blank lines only
        assert "tom" in str(err)
        return
    assert all(isinstance(n, int) and why for n, why in report.rejected)


@pytest.fixture
def one(system, as_):
    intake.import_errands(system, jsonl(errand_line("1177-000001")))
    errands.assign(as_("rec1"), "1177-000001", "doc1")
    return "1177-000001"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300), which=st.sampled_from(["note", "partial", "close_reason"]))
def test_every_form_text_is_stored_clean_or_refused(one, as_, store, text, which):
    ctx = as_("doc1")
    try:
        if which == "note":
            errands.note(ctx, one, text)
        elif which == "partial":
            errands.partial_reply(ctx, one, text)
        else:
            errands.close(ctx, one, text)
            assert store.conn.execute("SELECT status FROM errands").fetchone()[0] == "closed"
    except BccError as err:
        assert str(err) and "\n" not in str(err)
    for (t,) in store.conn.execute("SELECT coalesce(text, '') FROM events"):
        assert not UNSAFE.search(t)


def test_bom_invalid_utf8_and_control_characters_from_the_command_line(tmp_path):
    db = tmp_path / "h.db"
    good = json.dumps(errand_line("1177-000001", message="Hej\x07\x1b[31m där\u202e")).encode()
    data = b"\xef\xbb\xbf" + good + b"\n" + b'{"ref": "\xff\xfe"}\n'
    f = tmp_path / "in.jsonl"
    f.write_bytes(data)
    r = run_cli("import", str(f), db=db)
    assert r.returncode == 1
    assert r.stderr.decode().strip() == f"{f}:2: raden är inte giltig UTF-8 (byte 10)"
    import sqlite3

    assert sqlite3.connect(db).execute("SELECT message FROM errands").fetchone()[0] == "Hej[31m där"
