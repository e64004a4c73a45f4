"""Intake (docs/routine.md 4.2, R5): good lines kept, bad lines by number, duplicates skipped or refused."""

import datetime as dt
import json

import pytest

from bcc_tui.domain import errand as e
from bcc_tui.domain.business_days import STOCKHOLM
from bcc_tui.domain.errors import InvalidInput, NotAllowed
from bcc_tui.services import errands, intake
from bcc_tui.services.clock import FixedClock
from tests.conftest import errand_line, jsonl


def test_good_lines_kept_and_bad_lines_reported_by_number(system, as_):
    data = (
        jsonl(
            errand_line("1177-000001"),
            errand_line("1177-000002", unit="slutenvard"),
            errand_line("1177-000003"),
        )
        + b"{not json\n"
        + jsonl(errand_line("1177-000005", patient={"name": "X", "personnummer": "20150315-1234"}))
    )
    report = intake.import_errands(system, data)
    assert report.added == 2
    assert [n for n, _ in report.rejected] == [2, 4, 5]
    assert "Slutenvård tar inte emot" in report.rejected[0][1]
    refs = [s.ref for s in errands.list_errands(as_("rec1"))]
    assert sorted(refs) == ["1177-000001", "1177-000003"]


def test_due_date_and_local_arrival_day(system, store):
    # 00:30 local on Fri 27 Nov is 23:30 UTC on Thu 26 Nov: a Friday errand, due Tue 1 Dec.
    system.clock = FixedClock(dt.datetime(2026, 11, 27, 9, 0, tzinfo=STOCKHOLM))
    intake.import_errands(system, jsonl(errand_line(received_at="2026-11-26T23:30:00Z")))
    row = store.conn.execute("SELECT received_on, due_date, received_at FROM errands").fetchone()
    assert tuple(row) == ("2026-11-27", "2026-12-01", "2026-11-26T23:30:00Z")


def test_identical_line_skipped_other_content_refused(system, store):
    line = errand_line()
    assert intake.import_errands(system, jsonl(line)).added == 1
    again = intake.import_errands(system, jsonl(line, errand_line(message="Annan text")))
    assert (again.added, again.skipped) == (0, 1)
    assert again.rejected == [(2, "ref: 1177-000001 finns redan med annat innehåll")]
    assert store.conn.execute("SELECT count(*) FROM errands").fetchone()[0] == 1
    assert store.conn.execute("SELECT message FROM errands").fetchone()[0] == line["message"]


def test_a_line_imported_before_the_invisible_characters_were_cleaned_repeats_its_errand(system, store):
    """Since 2026-12-08 intake removes the characters that show nothing: an errand stored with one
    (and its digest) is the same errand when its line comes again, not "other content"."""
    import dataclasses
    import hashlib

    from bcc_tui.domain.validation import errand_from_json

    message = "Hej\u200b, receptet tar slut.\u00ad Tack!"
    line = errand_line("1177-000001", message=message)
    assert intake.import_errands(system, jsonl(line)).added == 1
    # As an older version stored it: the characters kept, and its digest over them.
    new = errand_from_json(json.loads(json.dumps(line)))
    before = hashlib.sha256(dataclasses.replace(new, message=message).canonical().encode()).hexdigest()
    store.conn.execute(
        "UPDATE errands SET message = ?, content_hash = ? WHERE ref = '1177-000001'", (message, before)
    )
    again = intake.import_errands(system, jsonl(line))
    assert (again.added, again.skipped, again.rejected) == (0, 1, [])
    other = intake.import_errands(system, jsonl(errand_line("1177-000001", message="Något annat")))
    assert other.rejected == [(1, "ref: 1177-000001 finns redan med annat innehåll")]


def test_repeat_inside_one_file(system):
    report = intake.import_errands(system, jsonl(errand_line(), errand_line()))
    assert (report.added, report.skipped) == (1, 1)


def test_complaint_gets_the_fixed_partial_reply_at_intake(system, store, clock):
    line = errand_line(type="synpunkter_klagomal", unit="slutenvard", received_at="2026-11-24T08:00:00+01:00")
    intake.import_errands(system, jsonl(line))
    row = store.conn.execute("SELECT * FROM errands").fetchone()
    assert row["partial_reply_at"] == "2026-11-25T09:00:00Z"  # the moment of intake, not arrival
    ev = store.conn.execute("SELECT * FROM events").fetchone()
    assert (ev["kind"], ev["text"], ev["at"]) == (
        "partial_reply",
        e.COMPLAINT_PARTIAL_REPLY,
        "2026-11-25T09:00:00Z",
    )
    out = store.conn.execute("SELECT * FROM outbound").fetchone()
    assert out["text"] == e.COMPLAINT_PARTIAL_REPLY and out["closes"] == 0 and out["kind"] == "partial_reply"


def test_audit_row_per_imported_errand_naming_the_patient(system, store):
    intake.import_errands(system, jsonl(errand_line(), errand_line("1177-000002")))
    rows = store.conn.execute(
        "SELECT actor, action, ref, personnummer FROM audit WHERE action = 'import'"
    ).fetchall()
    assert [tuple(r) for r in rows[-3:]] == [
        ("system", "import", "1177-000001", "20150315-1233"),
        ("system", "import", "1177-000002", "20150315-1233"),
        ("system", "import", None, None),
    ]


def test_who_may_import(system, as_):
    intake.import_errands(as_("rec1"), jsonl(errand_line()))
    with pytest.raises(NotAllowed):
        intake.import_errands(as_("doc1"), jsonl(errand_line("1177-000009")))


def test_empty_input_refused(system):
    with pytest.raises(InvalidInput, match="tom"):
        intake.import_errands(system, b"\n\n")


def test_batches_larger_than_one_transaction(system, store, monkeypatch):
    monkeypatch.setattr(intake, "BATCH", 3)
    lines = [errand_line(f"1177-{i:06d}") for i in range(10)]
    lines[4]["type"] = "nope"
    report = intake.import_errands(system, jsonl(*lines))
    assert report.added == 9 and [n for n, _ in report.rejected] == [5]
    assert store.conn.execute("SELECT count(*) FROM errands").fetchone()[0] == 9


def test_stored_text_is_clean(system, store):
    intake.import_errands(
        system, jsonl(errand_line(message="Hej\x1b]0;titel\x07 [@click=app.quit]x[/]\u202e"))
    )
    msg = store.conn.execute("SELECT message FROM errands").fetchone()[0]
    assert msg == "Hej]0;titel [@click=app.quit]x[/]"
    assert json.loads(json.dumps(msg)) == msg


def test_an_import_row_is_the_one_ctx_entry_makes(system, store):
    # The import writes its rows without ctx.entry's work for each line (services/intake.py
    # _Shared.entry): the same row, hashed into the same chain, that `check` verifies.
    from bcc_tui.store import audit, ledger

    intake.import_errands(
        system, jsonl(errand_line(), errand_line("1177-000002", type="synpunkter_klagomal"))
    )
    got = store.conn.execute(
        "SELECT at, actor, role, action, ref, personnummer, outcome, detail, data FROM audit"
        " WHERE action = 'import' AND ref IS NOT NULL ORDER BY id"
    ).fetchall()
    hashes = dict(store.conn.execute("SELECT ref, content_hash FROM errands").fetchall())
    made = [
        system.entry("import", ref, "20150315-1233", data=ledger.content(hashes[ref]))
        for ref in ("1177-000001", "1177-000002")
    ]
    assert [tuple(r) for r in got] == [tuple(m.__dict__.values()) for m in made]
    assert audit.verify(store.conn) == []


def test_a_batch_keeps_each_lines_outcome(system, store, monkeypatch):
    # Within one transaction: a new errand, a complaint with its reply and outbound row, a repeat
    # (skipped), the same ref with other content (refused), a bad line; then across batches.
    monkeypatch.setattr(intake, "BATCH", 4)
    complaint = errand_line("1177-000002", type="synpunkter_klagomal")
    lines = [
        errand_line(),
        complaint,
        errand_line(),
        errand_line(message="Annan text"),
        {"ref": "x"},
        errand_line("1177-000003"),
        complaint,
        errand_line("1177-000004", type="synpunkter_klagomal"),
    ]
    report = intake.import_errands(system, jsonl(*lines))
    assert (report.added, report.skipped) == (4, 2)
    assert [n for n, _ in report.rejected] == [4, 5]
    assert report.added_refs == ["1177-000001", "1177-000002", "1177-000003", "1177-000004"]
    outbound = store.conn.execute(
        "SELECT o.id, e.ref FROM outbound o JOIN errands e ON e.id = o.errand_id ORDER BY o.rowid"
    ).fetchall()
    events = store.conn.execute("SELECT id, errand_id FROM events ORDER BY id").fetchall()
    ids = dict(store.conn.execute("SELECT ref, id FROM errands").fetchall())
    assert [tuple(r) for r in events] == [
        (events[0][0], ids["1177-000002"]),
        (events[1][0], ids["1177-000004"]),
    ]
    assert [tuple(r) for r in outbound] == [
        (f"1177-000002-{events[0][0]}", "1177-000002"),
        (f"1177-000004-{events[1][0]}", "1177-000004"),
    ]
    new = store.conn.execute("SELECT errand_id FROM changes WHERE kind = 'new' ORDER BY seq").fetchall()
    assert [r[0] for r in new] == [ids[r] for r in report.added_refs]
