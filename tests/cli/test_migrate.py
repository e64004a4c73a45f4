"""Upgrades that users do not notice (issue 31, item 2): a database is brought forward only by
`bcc-tui migrate`, after a verified backup, in short transactions; every other command on an
older schema refuses with one line that names it.

The "new program" here is this one with one migration more (`newer`): a full-table UPDATE, as a
real upgrade of the search text was (migration 12 held the write lock 2.4–2.9 s on 100,000
errands when it ran in one transaction)."""

import sqlite3

import pytest

from bcc_tui.domain.errors import Outdated
from bcc_tui.store import schema
from bcc_tui.store.db import Store
from tests.conftest import STAFF, errand_line, jsonl, run_cli

EXTRA = """
ALTER TABLE errands ADD COLUMN probe TEXT;
UPDATE errands SET probe = upper(ref) || ':' || type;
CREATE INDEX errands_probe ON errands(probe);
"""


@pytest.fixture
def old_db(tmp_path):
    """A database of today's program with staff and 300 errands."""
    path = tmp_path / "bcc.db"
    assert run_cli("staff", "import", "-", db=path, stdin=jsonl(*STAFF)).returncode == 0
    lines = [errand_line(f"1177-{n:06d}") for n in range(1, 301)]
    assert run_cli("import", "-", db=path, stdin=jsonl(*lines)).returncode == 0
    return path


@pytest.fixture
def newer(monkeypatch):
    """This program with one migration more: the version after an upgrade is installed."""
    from bcc_tui.store import consistency

    def forget() -> None:  # what `check` expects, made once per version from the migrations
        consistency.expected_objects.cache_clear()
        consistency._expected_columns.cache_clear()

    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, EXTRA))
    monkeypatch.setattr(schema, "CURRENT", len(schema.MIGRATIONS))
    forget()
    yield len(schema.MIGRATIONS)
    forget()


def _version(path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize(
    "argv",
    [
        ("--as", "rec1", "list"),
        ("import", "-"),
        ("staff", "import", "-"),
        ("check",),
        ("outbox", "--send"),
        ("--as", "rec1", "assign", "1177-000001", "doc1"),
    ],
)
def test_a_command_on_an_old_schema_refuses_with_the_line_naming_migrate(old_db, newer, argv):
    before = old_db.read_bytes()
    r = run_cli(*argv, db=old_db, stdin=jsonl(errand_line("1177-000999")))
    assert r.returncode == 1
    lines = r.stderr.decode().splitlines()
    assert len(lines) == 1, lines
    assert "kör bcc-tui migrate" in lines[0] and f"behöver {newer}" in lines[0], lines[0]
    assert r.stdout == b""
    assert _version(old_db) == newer - 1  # nothing migrated on the side
    assert old_db.read_bytes() == before


def test_migrate_writes_a_verified_backup_then_migrates_in_steps(old_db, newer, tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir(mode=0o700)
    r = run_cli("migrate", "--backup", f"{backups}/", db=old_db)
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode().splitlines()
    # Each step reported: the backup first, then the migration, then the end.
    assert out[0].startswith(f"säkerhetskopia {backups}/bcc-") and "300 ärenden" in out[0]
    assert "kontrollerad" in out[0]
    assert out[1].startswith(f"schemaversion {newer}: 3 steg i ")
    assert out[-1].startswith(f"klart: {old_db} har schemaversion {newer} (förut {newer - 1})")
    # The backup is the file as it was: the old schema, whole, with every errand.
    (copy,) = backups.iterdir()
    assert copy.stat().st_mode & 0o777 == 0o600
    assert _version(copy) == newer - 1
    assert run_cli("check", db=copy).returncode == 1  # the new program refuses it too: it is old
    conn = sqlite3.connect(copy)
    assert conn.execute("SELECT count(*) FROM errands").fetchone()[0] == 300
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    # The live file is at the new schema, every row filled in, and the program works on it.
    assert _version(old_db) == newer
    conn = sqlite3.connect(old_db)
    assert (
        conn.execute("SELECT count(*) FROM errands WHERE probe = upper(ref) || ':' || type").fetchone()[0]
        == 300
    )
    rows = conn.execute("SELECT action, detail FROM audit WHERE action IN ('backup', 'migrate')").fetchall()
    conn.close()
    assert [a for a, _ in rows] == ["backup", "migrate"]
    assert f"schemaversion {newer - 1} → {newer}" in rows[1][1]
    assert run_cli("check", db=old_db).returncode == 0
    assert run_cli("--as", "rec1", "assign", "1177-000001", "doc1", db=old_db).returncode == 0
    # Again: nothing to do, no second backup.
    again = run_cli("migrate", "--backup", f"{backups}/", db=old_db)
    assert again.returncode == 0 and "inget att göra" in again.stdout.decode()
    assert len(list(backups.iterdir())) == 1


def test_migrate_backs_up_beside_the_database_by_default(old_db, newer):
    r = run_cli("migrate", db=old_db)
    assert r.returncode == 0, r.stderr
    backups = [p for p in old_db.parent.iterdir() if p.name.startswith("bcc-") and p.suffix == ".db"]
    assert len(backups) == 1 and _version(backups[0]) == newer - 1


def test_a_failed_backup_migrates_nothing(old_db, newer, tmp_path):
    taken = tmp_path / "taken.db"
    taken.write_bytes(b"")
    r = run_cli("migrate", "--backup", str(taken), db=old_db)
    assert r.returncode == 1 and len(r.stderr.decode().splitlines()) == 1
    assert _version(old_db) == newer - 1


def test_migrate_is_the_owners_step_not_a_persons(old_db, newer):
    r = run_cli("migrate", db=None, env={"SUDO_USER": "rec1", "SUDO_UID": "1000", "BCC_DB": str(old_db)})
    assert r.returncode == 1 and "ägare" in r.stderr.decode()
    r = run_cli("--as", "adm", "migrate", db=old_db)
    assert r.returncode == 1 and "--as" in r.stderr.decode()
    assert _version(old_db) == newer - 1


def test_a_new_empty_database_is_still_set_up_by_the_first_import(tmp_path):
    path = tmp_path / "new.db"
    r = run_cli("import", "-", db=path, stdin=jsonl(errand_line()))
    assert r.returncode == 0, r.stderr
    assert _version(path) == schema.CURRENT
    empty = tmp_path / "empty.db"
    empty.touch(mode=0o600)
    assert run_cli("staff", "import", "-", db=empty, stdin=jsonl(*STAFF)).returncode == 0
    assert _version(empty) == schema.CURRENT


def test_an_interrupted_migrate_is_refused_by_others_and_finished_by_the_next(old_db, newer, monkeypatch):
    """A migrate killed between two of its transactions leaves the file marked part-way: every
    command says so and names migrate, which takes it up where it stopped."""
    calls = {"n": 0}
    real = schema._commit

    def dies_on_the_third(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(schema, "_commit", dies_on_the_third)
    assert run_cli("migrate", db=old_db).returncode == 130
    assert _version(old_db) >= schema.MIGRATING  # part-way
    r = run_cli("--as", "rec1", "list", db=old_db)
    assert r.returncode == 1 and "mitt i en uppgradering" in r.stderr.decode()
    assert "kör bcc-tui migrate" in r.stderr.decode()
    monkeypatch.setattr(schema, "_commit", real)
    r = run_cli("migrate", db=old_db)
    assert r.returncode == 0, r.stderr
    assert _version(old_db) == newer
    assert run_cli("check", db=old_db).returncode == 0


def test_a_process_of_the_old_version_stops_reading_and_writing_once_migrate_starts(old_db, newer):
    """A long-running process opened at the old schema (a dashboard, a job) finds every
    transaction refused once the file is marked, instead of writing into a schema it does not
    know."""
    old = Store(old_db, schema_version=newer - 1)
    with old.write() as conn:
        conn.execute("INSERT INTO settings VALUES ('before', '1')")
    assert not old.outdated()
    assert run_cli("migrate", db=old_db).returncode == 0
    assert old.outdated()
    with pytest.raises(Outdated), old.write() as conn:
        conn.execute("INSERT INTO settings VALUES ('after', '1')")
    with pytest.raises(Outdated), old.read() as conn:
        conn.execute("SELECT 1").fetchone()
    old.close()
    conn = sqlite3.connect(old_db)
    assert conn.execute("SELECT key FROM settings WHERE key IN ('before', 'after')").fetchall() == [
        ("before",)
    ]
    conn.close()


def test_demo_on_an_older_demo_database_refuses_as_every_command_does(tmp_path, monkeypatch):
    """`demo --no-ui` on a demo database of the version before said "Demodatabasen finns i …",
    exit 0, and the dashboard then refused the file."""
    path = tmp_path / "demo.db"
    assert run_cli("demo", "--no-ui", db=path).returncode == 0
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, EXTRA))
    monkeypatch.setattr(schema, "CURRENT", len(schema.MIGRATIONS))
    r = run_cli("demo", "--no-ui", db=path)
    lines = r.stderr.decode().splitlines()
    assert r.returncode == 1 and len(lines) == 1 and "kör bcc-tui migrate" in lines[0], lines
    assert r.stdout == b"" and _version(path) == len(schema.MIGRATIONS) - 1
