"""The SQLite file: settings, migrations, compare-and-set and the append-only audit chain."""

import sqlite3

import pytest

from bcc_tui.domain.errors import Busy, Conflict, InvalidInput
from bcc_tui.services import intake
from bcc_tui.store import audit, schema
from bcc_tui.store import errands as q
from bcc_tui.store.db import Store
from tests.conftest import errand_line, jsonl


def test_connection_settings(store):
    c = store.conn
    assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert c.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert c.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert c.execute("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_migrations_are_forward_and_idempotent(db_path):
    s = Store(db_path)
    assert schema.version(s) == 0
    assert schema.migrate(s) == schema.CURRENT
    assert schema.migrate(s) == schema.CURRENT  # nothing to do the second time
    # A later migration runs on an existing file and keeps the data.
    s.conn.execute("INSERT INTO settings VALUES ('k', '1')")
    extra = schema.MIGRATIONS + ("ALTER TABLE settings ADD COLUMN note TEXT;",)
    assert schema.migrate(s, extra) == schema.CURRENT + 1
    assert s.conn.execute("SELECT value, note FROM settings").fetchone()[:] == ("1", None)
    # A file newer than the program is refused, not guessed at.
    with pytest.raises(InvalidInput, match="nyare än detta program"):
        schema.migrate(s)
    s.close()


def test_not_a_database(tmp_path):
    bad = tmp_path / "x.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    bad.chmod(0o600)
    with pytest.raises(InvalidInput, match="ingen bcc-tui-databas"):
        s = Store(bad)
        schema.migrate(s)


def test_compare_and_set_refuses_a_stale_write(system, store):
    intake.import_errands(system, jsonl(errand_line()))
    with store.write() as conn:
        row = q.by_ref(conn, "1177-000001")
        q.update(conn, row.id, row.version, urgent=1)
    with pytest.raises(Conflict), store.write() as conn:
        q.update(conn, row.id, row.version, urgent=0)  # the version read before
    with store.read() as conn:
        fresh = q.by_ref(conn, "1177-000001")
    assert fresh.urgent == 1 and fresh.version == row.version + 1


def test_write_waits_then_reports_busy(db_path, store):
    other = Store(db_path, busy_timeout=0.2)
    store.conn.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(Busy, match="upptagen"), other.write():
            pass
    finally:
        store.conn.execute("ROLLBACK")
    with other.write() as conn:  # free again
        conn.execute("INSERT INTO settings VALUES ('x', '1')")
    other.close()


def test_a_failed_transaction_leaves_nothing(store):
    with pytest.raises(RuntimeError), store.write() as conn:
        conn.execute("INSERT INTO settings VALUES ('half', '1')")
        raise RuntimeError("boom")
    assert store.conn.execute("SELECT count(*) FROM settings WHERE key = 'half'").fetchone()[0] == 0


def test_audit_is_append_only_in_plain_sql(system, store):
    intake.import_errands(system, jsonl(errand_line()))
    conn = sqlite3.connect(store.path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE audit SET actor = 'someone' WHERE id = 1")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM audit")
    conn.close()


def test_audit_chain_detects_changes_made_around_the_triggers(system, store):
    intake.import_errands(system, jsonl(errand_line(), errand_line("1177-000002")))
    assert audit.verify(store.conn) == []
    n = store.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    assert n >= 4
    conn = sqlite3.connect(store.path)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("UPDATE audit SET personnummer = '19000101-0000' WHERE id = 2")
    conn.commit()
    problems = audit.verify(store.conn)
    assert any("rad 2" in p and "ändrats" in p for p in problems)
    conn.execute("DROP TRIGGER audit_no_delete")
    conn.execute("DELETE FROM audit WHERE id = 3")
    conn.commit()
    problems = audit.verify(store.conn)
    assert any("saknar rad 3" in p for p in problems)
    conn.close()


def test_audit_rows_chain_from_genesis(store):
    with store.write() as conn:
        audit.append(conn, [audit.Entry("2026-11-25T09:00:00Z", "system", "system", "import")])
        audit.append(conn, [audit.Entry("2026-11-25T09:00:01Z", "rec1", "receiver", "list")])
    rows = store.conn.execute("SELECT prev_hash, hash FROM audit ORDER BY id").fetchall()
    assert rows[0][0] == audit.GENESIS and rows[1][0] == rows[0][1]


def test_a_poll_that_must_not_wait_gets_busy_at_once_while_the_connection_is_in_use(tmp_path):
    """The dashboard polls on its screen's thread; a worker may hold the same connection through
    SQLite's busy wait (seconds). The poll is told Busy at once instead of stalling the screen."""
    import threading
    import time

    store = Store(tmp_path / "poll.db")
    held, release = threading.Event(), threading.Event()

    def worker():
        with store._lock:
            held.set()
            release.wait(10)

    t = threading.Thread(target=worker)
    t.start()
    held.wait(10)
    started = time.monotonic()
    with pytest.raises(Busy):
        store.data_version(wait=False)
    waited = time.monotonic() - started
    release.set()
    t.join()
    assert waited < 5.0  # it did not wait for the lock (held until released, up to 10 s)
    assert isinstance(store.data_version(wait=False), int)  # free again: answered
    store.close()


@pytest.mark.parametrize(
    "entry",
    [
        audit.Entry("2026-11-25T09:00:00Z", "system", "system", "import", "1177-1", "20150315-1233"),
        audit.Entry("t", "a", "r", "x", None, None, "refused", "why\x1fnot", '{"content":"ab"}'),
        audit.Entry("t", "a", "r", "x", detail="", data=""),
    ],
)
def test_append_hashes_each_row_as_verify_reads_it(store, entry):
    # append hashes an Entry's values directly (_digest_values); verify hashes the stored row.
    row = dict(entry.__dict__)
    assert audit._digest_values(audit.GENESIS, audit._VALUES(entry)) == audit._digest(audit.GENESIS, row)
    with store.write() as conn:
        audit.append(conn, [entry, entry])
    assert audit.verify(store.conn) == []


def test_dump_data_is_json_dumps_sorted_without_spaces():
    import json

    value = {"b": [1, "å\u2028"], "a": {"z": None, "y": True}}
    want = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert audit.dump_data(value) == want


def test_insert_new_writes_what_insert_writes(store):
    values = dict(zip(q.NEW_COLUMNS, [None] * len(q.NEW_COLUMNS), strict=True))
    values |= {
        "ref": "1177-000001",
        "type": "fornya_recept",
        "unit": "oppenvard",
        "received_at": "2026-11-25T07:14:00Z",
        "received_on": "2026-11-25",
        "due_date": "2026-11-27",
        "patient_name": "Åsa Öberg",
        "personnummer": "20150315-1233",
        "proxy_name": "Éva",
        "subject": "Fråga",
        "message": "Hej",
        "urgent": 0,
        "status": "unassigned",
        "content_hash": "ab",
        "imported_at": "2026-11-25T09:00:00Z",
    }
    with store.write() as conn:
        searched = q.search_text_of("1177-000001", "Fråga", "Åsa Öberg", "20150315-1233", "Éva")
        new = q.insert_new(conn, tuple(values.values()), searched)
        old = q.insert(conn, {**values, "ref": "1177-000002"})
    got = {
        r["id"]: dict(r)
        for r in store.conn.execute("SELECT * FROM errands WHERE id IN (?, ?)", (new, old)).fetchall()
    }
    got[old]["ref"] = "1177-000001"
    got[old]["search_text"] = got[old]["search_text"].replace("1177-000002", "1177-000001")
    assert {k: v for k, v in got[new].items() if k != "id"} == {
        k: v for k, v in got[old].items() if k != "id"
    }
    assert "asa oberg" in got[new]["search_text"] and "eva" in got[new]["search_text"]


@pytest.mark.parametrize("errands", [1, 3, 40])
def test_a_persons_events_among_errands_are_found_by_the_errands_index(system, store, errands):
    """involving_events (a caregiver's dashboard asks it at every change of errands not on its
    panes): found through each errand's events, never by walking every reply the person wrote,
    which SQLite chose from three errands on (6-7 ms on 100,000 errands)."""
    lines = [errand_line(f"1177-{i:06d}") for i in range(1, errands + 1)]
    assert intake.import_errands(system, jsonl(*lines)).ok
    ids = [r[0] for r in store.conn.execute("SELECT id FROM errands ORDER BY id")]
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        assert q.involving_events(store.conn, ids, "doc1") == []
    finally:
        store.conn.set_trace_callback(None)
    (sql,) = [s for s in statements if "FROM events" in s]
    plan = " ".join(r["detail"] for r in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
    assert "events_errand" in plan and "events_reply_actor" not in plan, plan


def test_whether_one_errand_is_a_caregivers_reads_that_errands_events(system, store, as_):
    """involves (every errand a caregiver opens or acts on): the errand's own events, not the set of
    every reply the person wrote (8-9 ms on 100,000 errands). Theirs when assigned to them or
    answered by them; not when someone else answered it."""
    from bcc_tui.services import errands

    lines = [errand_line(f"1177-{i:06d}") for i in range(1, 4)]
    assert intake.import_errands(system, jsonl(*lines)).ok
    rec = as_("rec1")
    errands.assign(rec, "1177-000001", "doc1")
    errands.partial_reply(as_("doc1"), "1177-000001", "Vi återkommer.")
    errands.assign(rec, "1177-000001", "doc2", reassign=True)  # answered by doc1, now doc2's
    errands.assign(rec, "1177-000002", "doc2")
    ids = {r[1]: r[0] for r in store.conn.execute("SELECT id, ref FROM errands")}
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        found = {ref: q.involves(store.conn, ids[ref], "doc1") for ref in sorted(ids)}
    finally:
        store.conn.set_trace_callback(None)
    assert found == {"1177-000001": True, "1177-000002": False, "1177-000003": False}
    plan = " ".join(r["detail"] for r in store.conn.execute(f"EXPLAIN QUERY PLAN {statements[0]}"))
    assert "events_errand" in plan and "events_reply_actor" not in plan, plan
