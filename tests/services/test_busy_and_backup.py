"""A busy database is said in plain words and loses nothing; backups are whole and verified."""

import sqlite3
import subprocess
import sys

from bcc_tui.services import intake
from tests.conftest import STAFF, errand_line, jsonl, run_cli


def test_cli_says_busy_and_changes_nothing(tmp_path):
    db = tmp_path / "busy.db"
    assert run_cli("staff", "import", "-", db=db, stdin=jsonl(*STAFF)).returncode == 0
    assert run_cli("import", "-", db=db, stdin=jsonl(errand_line())).returncode == 0
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        r = run_cli("--as", "rec1", "assign", "1177-000001", "doc1", db=db, env={"BCC_BUSY_TIMEOUT": "0.3"})
        assert r.returncode == 1
        assert r.stderr.decode().strip() == (
            "bcc-tui: Databasen är upptagen av en annan användare. Försök igen om en stund."
        )
        r = run_cli(
            "import", "-", db=db, stdin=jsonl(errand_line("1177-000002")), env={"BCC_BUSY_TIMEOUT": "0.3"}
        )
        assert r.returncode == 1 and "upptagen" in r.stderr.decode() and "Traceback" not in r.stderr.decode()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT status, assignee FROM errands").fetchall() == [("unassigned", None)]
    assert run_cli("--as", "rec1", "assign", "1177-000001", "doc1", db=db).returncode == 0


WRITER = """
import sys, json, time
from bcc_tui.cli import main
db = sys.argv[1]
for i in range(40):
    line = json.dumps({"ref": f"W-{i:05d}", "type": "fornya_recept", "unit": "oppenvard",
                       "received_at": "2026-11-25T08:00:00+01:00",
                       "patient": {"name": "P", "personnummer": "20150315-1233"}, "message": "Hej"})
    open(db + f".{i}.jsonl", "w").write(line + "\\n")
    main(["--db", db, "import", db + f".{i}.jsonl"])
"""


def test_backup_of_a_live_database_is_whole_and_verified(system, store, tmp_path):
    intake.import_errands(system, jsonl(*(errand_line(f"1177-{i:06d}") for i in range(30))))
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(store.path)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        dest = tmp_path / "copies"
        dest.mkdir()
        results = [run_cli("backup", str(dest / f"b{i}.db"), db=store.path) for i in range(3)]
    finally:
        writer.wait(timeout=120)
    for r in results:
        assert r.returncode == 0, r.stderr
    for copy in sorted(dest.iterdir()):
        conn = sqlite3.connect(copy)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM errands").fetchone()[0] >= 30
        # Every errand in the copy has its audit row: a consistent snapshot, not a torn one.
        assert (
            conn.execute(
                "SELECT count(*) FROM errands WHERE ref NOT IN "
                "(SELECT ref FROM audit WHERE action = 'import' AND ref IS NOT NULL)"
            ).fetchone()[0]
            == 0
        )
    assert not list(dest.glob(".*"))  # no half-written temporary left
    r = run_cli("check", db=dest / "b0.db")
    assert r.returncode == 0
    assert run_cli("backup", str(tmp_path / "nowhere" / "x.db"), db=store.path).returncode == 1


def test_a_backup_removes_what_a_killed_one_left_and_nothing_a_live_one_writes(system, store, tmp_path):
    """An attacker's trial: a `backup` killed left a hidden full copy of the database (and its
    journal) that no later run removed; three kills, about 1 GB of patients' data."""
    import fcntl
    import os
    import time

    intake.import_errands(system, jsonl(errand_line("1177-000001")))
    dest = tmp_path / "copies"
    dest.mkdir()
    old = time.time() - 3600
    dead = dest / ".bcc-0123456789abcdef.tmp"
    dead.write_bytes(b"a copy of patients' data")
    (dest / ".bcc-0123456789abcdef.tmp-journal").write_bytes(b"j")
    os.utime(dead, (old, old))
    live = dest / ".bcc-fedcba9876543210.tmp"  # an older run still writing: it holds its lock
    live.write_bytes(b"being written")
    os.utime(live, (old, old))
    fresh = dest / ".bcc-00000000000000aa.tmp"  # just made: its writer may not hold the lock yet
    fresh.write_bytes(b"")
    other = dest / ".bcc-notours.tmp"
    other.write_bytes(b"x")
    os.utime(other, (old, old))
    holder = os.open(live, os.O_RDONLY)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        r = run_cli("backup", str(dest / "b.db"), db=store.path)
    finally:
        os.close(holder)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in dest.iterdir()) == sorted(["b.db", live.name, fresh.name, other.name])
