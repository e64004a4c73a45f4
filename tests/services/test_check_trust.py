"""Issue 28, items 1 and 2: what `check` could not see, and history rewritten around the chain.

Each reproduction is the attack as the issue found it, made with plain SQL on a real file, and run
through the command line (`main`)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bcc_tui.cli import main
from bcc_tui.domain.roles import SYSTEM_ACTOR
from bcc_tui.services import audit_log
from bcc_tui.services.clock import FixedClock
from bcc_tui.services.context import Ctx
from bcc_tui.store import consistency
from bcc_tui.store.db import Store
from tests.conftest import NOW
from tests.services.test_check import copy

PNR = "20150315-1233"  # Elsa Andersson, the patient of every errand in busy_day

# A trigger named like SQLite's own objects, written through writable_schema (CREATE TRIGGER
# refuses the name): every row about one patient is silently dropped from the log.
HIDE = (
    "CREATE TRIGGER sqlite_hide BEFORE INSERT ON audit WHEN NEW.personnummer = '20150315-1233' "
    "BEGIN SELECT RAISE(IGNORE); END"
)


def plant(path, kind: str, name: str, table: str, sql: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(
        "INSERT INTO sqlite_master (type, name, tbl_name, rootpage, sql) VALUES (?, ?, ?, 0, ?)",
        (kind, name, table, sql),
    )
    conn.execute("PRAGMA writable_schema = OFF")
    conn.commit()
    conn.close()


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def env(monkeypatch):
    monkeypatch.delenv("SUDO_USER", raising=False)
    monkeypatch.delenv("BCC_DB", raising=False)
    monkeypatch.setenv("BCC_NOW", "2026-11-25T12:00:00+01:00")


# -- 1. A trigger check cannot see ------------------------------------------------------------------


def test_a_planted_sqlite_trigger_is_live_and_check_names_it(busy_day, store, env, capsys):
    plant(store.path, "trigger", "sqlite_hide", "audit", HIDE)
    before = store.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    # The attack works: a read of Elsa's errand leaves no row.
    assert cli(capsys, "--db", str(store.path), "--as", "rec1", "show", "1177-000001")[0] == 0
    assert store.conn.execute("SELECT count(*) FROM audit").fetchone()[0] == before
    code, out, err = cli(capsys, "--db", str(store.path), "check")
    assert code == 1 and "Databasen är hel" not in out
    assert "okänd utlösare sqlite_hide (på tabellen audit) finns i databasen" in err.splitlines(), err


def test_backup_refuses_a_database_with_a_planted_object_and_writes_nothing(
    busy_day, store, env, capsys, tmp_path
):
    plant(store.path, "trigger", "sqlite_hide", "audit", HIDE)
    dest = tmp_path / "night"
    dest.mkdir()
    before = store.conn.execute("SELECT count(*), max(hash) FROM audit").fetchone()[:]
    code, out, err = cli(capsys, "--db", str(store.path), "backup", str(dest))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "sqlite_hide" in err and "säkerhetskopian" in err, err
    assert list(dest.iterdir()) == []
    assert store.conn.execute("SELECT count(*), max(hash) FROM audit").fetchone()[:] == before


@pytest.mark.parametrize(
    "kind, name, table, sql",
    [
        ("view", "sqlite_peek", "sqlite_peek", "CREATE VIEW sqlite_peek AS SELECT * FROM audit"),
        (
            "trigger",
            "sqlite_autoindex_audit_9",
            "audit",
            HIDE.replace("sqlite_hide", "sqlite_autoindex_audit_9"),
        ),
        ("index", "sqlite_stat1", "audit", "CREATE INDEX sqlite_stat1 ON audit(actor)"),
    ],
)
def test_any_object_named_like_sqlites_own_is_reported(busy_day, store, kind, name, table, sql):
    if kind == "index":  # an index needs a b-tree of its own: made under a plain name, then renamed
        conn = sqlite3.connect(store.path)
        conn.execute("CREATE INDEX plain ON audit(actor)")
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute("UPDATE sqlite_master SET name = ?, sql = ? WHERE name = 'plain'", (name, sql))
        conn.commit()
        conn.close()
    else:
        plant(store.path, kind, name, table, sql)
    problems = audit_log.check(busy_day)
    assert any(name in p and p.startswith("okänd") for p in problems), problems


def test_sqlites_own_statistics_and_litestreams_tables_are_expected(busy_day, store):
    conn = sqlite3.connect(store.path)
    conn.execute("ANALYZE")
    conn.execute("CREATE TABLE _litestream_seq (id INTEGER PRIMARY KEY, seq INTEGER)")
    conn.execute("CREATE TABLE _litestream_lock (id INTEGER)")
    conn.commit()
    conn.close()
    assert audit_log.check(busy_day) == []


# -- A witness that never answers ---------------------------------------------------------------------

RECURSIVE = (
    "CREATE VIEW audit AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)"
    " SELECT n AS id, '' AS at, '' AS actor, '' AS role, '' AS action, NULL AS ref,"
    " NULL AS personnummer, 'ok' AS outcome, '' AS detail, '' AS prev_hash, '' AS hash FROM r"
)


def test_check_against_a_witness_whose_audit_is_a_recursive_view_returns_with_a_refusal(
    busy_day, store, tmp_path
):
    witness = copy(store, tmp_path / "night.db")
    conn = sqlite3.connect(witness)
    conn.execute("DROP TABLE audit")
    conn.execute(RECURSIVE)
    conn.commit()
    conn.close()
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bcc_tui", "--db", str(store.path), "check", "--against", str(witness)],
            capture_output=True,
            timeout=30,
            env={"PATH": "/usr/bin:/bin", "BCC_NOW": "2026-11-25T12:00:00+01:00", "HOME": str(tmp_path)},
        )
    except subprocess.TimeoutExpired:
        pytest.fail("check --against a recursive view did not return within 30 s")
    assert time.monotonic() - started < 15
    err = done.stderr.decode()
    assert done.returncode == 1, err
    assert "säkerhetskopian: okänd vy audit finns i databasen" in err and "vittne" in err, err


def test_a_witness_that_takes_too_long_is_cut_off(busy_day, store, tmp_path, monkeypatch, env, capsys):
    """The time limit itself, for a witness whose schema would pass: its reads are interrupted."""
    from bcc_tui.store import consistency

    witness = copy(store, tmp_path / "night.db")
    monkeypatch.setattr(audit_log, "WITNESS_SECONDS", 0.0)
    monkeypatch.setattr(consistency, "PROGRESS_STEPS", 10)  # a small witness: look at the clock often
    started = time.monotonic()
    code, _, err = cli(capsys, "--db", str(store.path), "check", "--against", str(witness))
    assert time.monotonic() - started < 10
    assert code == 1 and err.count("\n") == 1 and "svarade inte inom 0 s" in err, err
    # Cut off later, in the middle of the comparison: the same, as a finding.
    monkeypatch.setattr(consistency, "is_database", lambda conn: None)
    problems = audit_log.check(busy_day, witness)
    assert problems == [
        "säkerhetskopian svarade inte inom 0 s",
        "säkerhetskopian kan inte användas som vittne",
    ]


def test_the_witness_is_opened_read_only(busy_day, store, tmp_path):
    witness = copy(store, tmp_path / "night.db")
    witness.chmod(0o400)
    before = witness.read_bytes()
    assert audit_log.check(busy_day, witness) == []
    assert witness.read_bytes() == before
    assert not (tmp_path / "night.db-wal").exists() and not (tmp_path / "night.db-journal").exists()


def test_a_witness_with_a_planted_object_is_refused(busy_day, store, tmp_path):
    witness = copy(store, tmp_path / "night.db")
    plant(witness, "trigger", "sqlite_hide", "audit", HIDE)
    problems = audit_log.check(busy_day, witness)
    assert any("sqlite_hide" in p for p in problems), problems
    assert problems[-1] == "säkerhetskopian kan inte användas som vittne"


# -- Any object, any name ----------------------------------------------------------------------------

_TARGETS = ("audit", "errands", "events", "staff", "settings")
_BODIES = (
    "SELECT RAISE(IGNORE)",
    "SELECT RAISE(ABORT, 'nej')",
    "SELECT 1",
    "UPDATE staff SET roles = 'admin' WHERE username = 'rec1'",
)
_SELECTS = (
    "SELECT * FROM audit",
    "SELECT 1 AS x",
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r",
)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


names = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12).map(
        lambda t: "sqlite_" + t
    ),
    st.sampled_from(["sqlite_autoindex_audit_1", "sqlite_stat1", "sqlite_sequence", "sqlite_master2", "x"]),
)


@st.composite
def planted(draw):
    kind = draw(st.sampled_from(["trigger", "view", "index", "table"]))
    name = draw(names)
    target = draw(st.sampled_from(_TARGETS))
    if kind == "trigger":
        timing = draw(st.sampled_from(["BEFORE", "AFTER"]))
        event = draw(st.sampled_from(["INSERT", "UPDATE", "DELETE"]))
        sql = f"CREATE TRIGGER {_quoted(name)} {timing} {event} ON {target} BEGIN {draw(st.sampled_from(_BODIES))}; END"
        return kind, name, target, sql
    if kind == "view":
        return kind, name, name, f"CREATE VIEW {_quoted(name)} AS {draw(st.sampled_from(_SELECTS))}"
    if kind == "index":
        return kind, name, target, f"CREATE INDEX {_quoted(name)} ON {target}(rowid)"
    return kind, name, name, f"CREATE TABLE {_quoted(name)} (a, b UNIQUE)"


def _plant_any(path, objects) -> None:
    conn = sqlite3.connect(path)
    for n, (kind, name, table, sql) in enumerate(objects):
        if kind in ("index", "table"):  # a b-tree of its own: made under a plain name, then renamed
            plain = f"plain{n}"
            conn.execute(sql.replace(_quoted(name), plain, 1))
            conn.execute("PRAGMA writable_schema = ON")
            conn.execute(
                "UPDATE sqlite_master SET name = ?, tbl_name = ?, sql = ? WHERE name = ?",
                (name, table, sql, plain),
            )
            if kind == "table":  # its autoindex belongs to it under its new name
                conn.execute(
                    "UPDATE sqlite_master SET name = ?, tbl_name = ? WHERE name = ?",
                    (f"sqlite_autoindex_{name}_1", name, f"sqlite_autoindex_{plain}_1"),
                )
        else:
            conn.execute("PRAGMA writable_schema = ON")
            conn.execute(
                "INSERT INTO sqlite_master (type, name, tbl_name, rootpage, sql) VALUES (?, ?, ?, 0, ?)",
                (kind, name, table, sql),
            )
        conn.execute("PRAGMA writable_schema = OFF")
    conn.commit()
    conn.close()


def test_every_planted_object_is_reported(busy_day, store, tmp_path):
    template = copy(store, tmp_path / "template.db")
    taken = {r[0].lower() for r in store.conn.execute("SELECT name FROM sqlite_master")}
    runs = iter(range(1_000_000))
    checked: list[int] = []

    @settings(max_examples=25, deadline=None, database=None)
    @given(st.lists(planted(), min_size=1, max_size=3, unique_by=lambda o: o[1].lower()))
    def run(objects):
        assume(
            not any(name.lower() in taken or name.lower().startswith("plain") for _, name, _, _ in objects)
        )
        path = tmp_path / f"case{next(runs)}.db"
        shutil.copy(template, path)
        path.chmod(0o600)
        try:
            _plant_any(path, objects)
            probe = sqlite3.connect(path)
            probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
            probe.close()
        except sqlite3.Error:
            assume(False)  # SQLite itself cannot load that schema: no database to check
        checked.append(1)
        s = Store(path)
        try:
            problems = audit_log.check(Ctx(s, SYSTEM_ACTOR, FixedClock(NOW)))
        finally:
            s.close()
        for kind, name, table, sql in objects:
            line = audit_log.schema_line(
                consistency.SchemaDifference("unexpected", consistency.SchemaObject(kind, name, table, sql))
            )
            assert line in problems, (objects, problems)
        assert not any(ch in p for p in problems for ch in "\x1b\x07\x00\u202e\n")

    run()
    assert len(checked) >= 20  # the assumptions left most examples to check
