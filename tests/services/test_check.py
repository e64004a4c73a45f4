"""`check` finds tampering (issue 12.4) and dates no reader can use (issue 11.6).

Each test makes the attack as someone with write access to the file would — plain SQL around the
program, triggers dropped and put back — and expects one line naming what was found.
"""

from __future__ import annotations

import sqlite3

import pytest

from bcc_tui.cli import main
from bcc_tui.services import audit_log, errands
from bcc_tui.store import audit

TRIGGERS = [
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit\n"
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit\n"
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
]


def tamper(path, *statements, args=()):
    """Plain SQL around the program, as an attacker with the file would."""
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER IF EXISTS audit_no_update")
    conn.execute("DROP TRIGGER IF EXISTS audit_no_delete")
    for s in statements:
        conn.execute(s, args) if "?" in s else conn.execute(s)
    for t in TRIGGERS:
        conn.execute(t)
    conn.commit()
    conn.close()


def rechain(path):
    """Recompute every hash from the top, so the chain verifies again."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    conn.execute("DROP TRIGGER audit_no_update")
    prev = audit.GENESIS
    for row in conn.execute("SELECT * FROM audit ORDER BY id").fetchall():
        row = dict(row)
        digest = audit._digest(prev, row)
        conn.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, row["id"]))
        prev = digest
    conn.execute(TRIGGERS[0])
    conn.commit()
    conn.close()


def copy(store, dest):
    target = sqlite3.connect(dest)
    with store._lock:
        store.conn.backup(target)
    target.close()
    return dest


def test_an_untouched_day_of_work_is_clean_also_against_its_backup(busy_day, as_, store, tmp_path):
    assert audit_log.check(busy_day) == []
    kinds = [r[0] for r in store.conn.execute("SELECT kind FROM events ORDER BY id")]
    assert {"due_date", "acute", "urgent", "reassign", "note", "close", "reply"} <= set(kinds)
    witness = copy(store, tmp_path / "night.db")
    errands.note(as_("rec1"), "1177-000001", "Work goes on after the backup.")
    assert audit_log.check(busy_day, witness) == []


def test_dropped_changed_and_added_triggers(busy_day, store):
    conn = sqlite3.connect(store.path)
    conn.execute("DROP TRIGGER audit_no_delete")
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute(
        "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit WHEN 0 "
        "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"
    )
    conn.execute("CREATE TRIGGER quiet AFTER INSERT ON events BEGIN SELECT 1; END")
    conn.commit()
    problems = audit_log.check(busy_day)
    assert "utlösaren audit_no_delete saknas" in problems
    assert "utlösaren audit_no_update har ändrats" in problems
    assert "okänd utlösare quiet (på tabellen events) finns i databasen" in problems


def test_a_reply_rewritten_by_plain_sql(busy_day, store):
    tamper(
        store.path,
        "UPDATE events SET text = 'ändrat svar' WHERE id = (SELECT max(id) FROM events WHERE kind = 'reply')",
    )
    problems = audit_log.check(busy_day)
    assert len(problems) == 1 and "skiljer sig från den som köades till 1177" in problems[0], problems


def test_an_assignee_changed_by_plain_sql(busy_day, store):
    tamper(store.path, "UPDATE errands SET assignee = 'nurse' WHERE ref = '1177-000001'")
    assert audit_log.check(busy_day) == ["ärendet 1177-000001: assignee är 'nurse' men historiken ger 'doc2'"]
    # Even with the version bumped as the program would, and a closed errand reopened.
    tamper(
        store.path,
        "UPDATE errands SET assignee = 'doc2' WHERE ref = '1177-000001'",
        "UPDATE errands SET status = 'assigned', closed_at = NULL, close_kind = NULL,"
        " version = version + 1 WHERE ref = '1177-000002'",
    )
    problems = audit_log.check(busy_day)
    assert "ärendet 1177-000002: status är 'assigned' men historiken ger 'closed'" in problems
    assert any(p.startswith("ärendet 1177-000002: version är") for p in problems)


def test_rows_deleted_from_the_end_of_the_log(busy_day, store, tmp_path):
    witness = copy(store, tmp_path / "night.db")
    last = store.conn.execute("SELECT max(id) FROM audit").fetchone()[0]
    tamper(store.path, f"DELETE FROM audit WHERE id > {last - 2}")
    problems = audit_log.check(busy_day, witness)
    assert any("slutar vid rad" in p and "rader har tagits bort" in p for p in problems), problems
    # Without a witness, an event whose row is gone still shows it.
    tamper(store.path, "DELETE FROM audit WHERE id > (SELECT max(id) FROM audit WHERE action = 'close') - 1")
    problems = audit_log.check(busy_day)
    assert "ärendet 1177-000004: 1 händelse 'close' men 0 rader i granskningsloggen" in problems


def _erase_reassignment(path, keep_version: bool):
    """Delete 1177-000001's reassignment everywhere and put the errand back as it was before."""
    conn = sqlite3.connect(path)
    event_id = conn.execute("SELECT id FROM events WHERE kind = 'reassign'").fetchone()[0]
    audit_id = conn.execute("SELECT id FROM audit WHERE action = 'reassign'").fetchone()[0]
    conn.close()
    version = "version" if keep_version else "version - 1"
    tamper(
        path,
        f"DELETE FROM events WHERE id = {event_id}",
        f"UPDATE errands SET assignee = 'doc1', version = {version} WHERE ref = '1177-000001'",
        f"DELETE FROM audit WHERE id = {audit_id}",
        f"UPDATE audit SET id = id - 1 WHERE id > {audit_id}",
    )
    rechain(path)


def test_a_history_deleted_and_rechained(busy_day, store):
    _erase_reassignment(store.path, keep_version=True)
    assert audit_log.check(busy_day) == ["ärendet 1177-000001: version är '6' men historiken ger '5'"]


def test_a_history_deleted_and_rechained_without_a_trace_but_the_backup(busy_day, store, tmp_path):
    witness = copy(store, tmp_path / "night.db")
    _erase_reassignment(store.path, keep_version=False)
    assert audit_log.check(busy_day) == []  # consistent: only a witness can tell
    problems = audit_log.check(busy_day, witness)
    assert any("skiljer sig från säkerhetskopians: historiken har skrivits om" in p for p in problems)
    assert any(p.startswith("händelse ") and "saknas sedan säkerhetskopian" in p for p in problems)


def test_audit_time_going_backwards(busy_day, store):
    tamper(store.path, "UPDATE audit SET at = '2026-01-01T00:00:00Z' WHERE id = 5")
    rechain(store.path)
    problems = audit_log.check(busy_day)
    assert problems == [
        "granskningsloggens rad 5: tiden '2026-01-01T00:00:00Z' är före föregående rads "
        "'2026-11-25T09:00:00Z'"
    ]


@pytest.mark.parametrize(
    "column, value",
    [
        ("received_at", "999-06-01T10:00:00Z"),
        ("received_at", "igår"),
        ("due_date", "2026-13-01"),
        ("closed_at", "0001-01-01T00:00:00Z"),
    ],
)
def test_dates_no_reader_can_use_are_reported(busy_day, store, column, value):
    tamper(store.path, f"UPDATE errands SET {column} = ? WHERE ref = '1177-000004'", args=(value,))
    problems = audit_log.check(busy_day)
    assert any(p.startswith(f"ärendet 1177-000004: datum går inte att läsa ({column})") for p in problems), (
        problems
    )


def test_an_overdue_errand_hidden_by_moving_its_due_date(busy_day, store):
    tamper(
        store.path,
        "UPDATE errands SET due_date = '2027-01-15' WHERE ref = '1177-000003'",
        "UPDATE errands SET received_on = '2026-11-26' WHERE ref = '1177-000001'",
    )
    problems = audit_log.check(busy_day)
    assert "ärendet 1177-000003: due_date är '2027-01-15' men regeln ger '2026-11-27'" in problems
    assert "ärendet 1177-000001: received_on är '2026-11-26' men ärendet kom in 2026-11-25" in problems


def test_content_changed_by_plain_sql(busy_day, store):
    tamper(store.path, "UPDATE errands SET message = 'något annat' WHERE ref = '1177-000003'")
    assert audit_log.check(busy_day) == [
        "ärendet 1177-000003: innehållet (patient, meddelande, inkommen, brådskande) stämmer inte med det som lästes in"
    ]


def test_cli_check_against_one_line_each_and_exit_1(busy_day, store, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BCC_NOW", "2026-12-01T10:00:00+01:00")
    witness = copy(store, tmp_path / "night.db")
    assert main(["--db", str(store.path), "check", "--against", str(witness)]) == 0
    assert "oförändrad" in capsys.readouterr().out
    for bad in (tmp_path / "none.db", tmp_path):
        assert main(["--db", str(store.path), "check", "--against", str(bad)]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "säkerhetskopian" in err
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    assert main(["--db", str(store.path), "check", "--against", str(junk)]) == 1
    assert capsys.readouterr().err.count("\n") == 1
    tamper(store.path, "UPDATE errands SET assignee = 'nurse' WHERE ref = '1177-000001'")
    conn = sqlite3.connect(store.path)
    conn.execute("DROP TRIGGER audit_no_delete")
    conn.commit()
    conn.close()
    assert main(["--db", str(store.path), "check", "--against", str(witness)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert "utlösaren audit_no_delete saknas" in err and len(err) == 2


def test_the_demo_clinic_is_clean(tmp_path):
    from bcc_tui.domain.roles import SYSTEM_ACTOR
    from bcc_tui.services import demo
    from bcc_tui.services.clock import FixedClock
    from bcc_tui.services.context import Ctx
    from bcc_tui.store.db import Store
    from tests.conftest import NOW

    store = Store(tmp_path / "demo.db")
    demo.build(store, FixedClock(NOW))
    assert audit_log.check(Ctx(store, SYSTEM_ACTOR, FixedClock(NOW))) == []
    store.close()


@pytest.mark.parametrize("open_errands", [None, 400])  # mostly closed, and a backlog (with partial replies)
def test_the_benchmark_database_is_clean(tmp_path, open_errands):
    """bench/generate.py writes what the services would; check agrees (and so measures it fairly)."""
    from bcc_tui.domain.roles import SYSTEM_ACTOR
    from bcc_tui.services.clock import FixedClock
    from bcc_tui.services.context import Ctx
    from bcc_tui.store.db import Store
    from bench.generate import build
    from tests.conftest import NOW

    extra = {} if open_errands is None else {"open_errands": open_errands}
    build(tmp_path / "bench.db", errands=400, years=1, clock=FixedClock(NOW), **extra)
    store = Store(tmp_path / "bench.db")
    assert audit_log.check(Ctx(store, SYSTEM_ACTOR, FixedClock(NOW))) == []
    store.close()


@pytest.mark.parametrize(
    "ref, column, value",
    [
        ("1177-000003", "patient_name", "X'00FF'"),
        ("1177-000003", "message", "CAST(X'EDA080FF' AS TEXT)"),
        ("1177-000003", "ref", "X'1B5D35323B633B7807'"),
        ("1177-000003", "urgent", "'ja'"),
        ("1177-000001", "assignee", "CAST(X'1B5B324A646F6331E280AE' AS TEXT)"),
    ],
)
def test_hostile_stored_values_are_reported_not_crashed_on(busy_day, store, ref, column, value):
    conn = sqlite3.connect(store.path)
    conn.execute(f"UPDATE errands SET {column} = {value} WHERE ref = '{ref}'")
    conn.commit()
    conn.close()
    problems = audit_log.check(busy_day)
    assert problems
    assert not any(ch in p for p in problems for ch in "\x1b\x07\x00\u202e")


@pytest.mark.parametrize("name", ["a?mode=rwc#x.db", "%41 b.db", "x" * 300])
def test_against_a_hostile_path_is_one_line(busy_day, store, tmp_path, name):
    with pytest.raises(Exception) as caught:
        audit_log.check(busy_day, tmp_path / name)
    assert "säkerhetskopian" in str(caught.value) and "\n" not in str(caught.value)
    if len(name) < 255:
        witness = copy(store, tmp_path / name)
        assert audit_log.check(busy_day, witness) == []
        assert not (tmp_path / "a").exists()
