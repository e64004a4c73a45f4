"""Issue 28, items 1 and 2: what `check` could not see, and history rewritten around the chain.

Each reproduction is the attack as the issue found it, made with plain SQL on a real file, and run
through the command line (`main`)."""

from __future__ import annotations

import hashlib
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
from bcc_tui.domain.validation import NewErrand
from bcc_tui.services import audit_log, intake
from bcc_tui.services.clock import FixedClock
from bcc_tui.services.context import Ctx
from bcc_tui.store import consistency
from bcc_tui.store.db import Store
from tests.conftest import NOW, errand_line, jsonl
from tests.services.test_check import TRIGGERS, copy

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


# -- 2. History rewritten around the chain ----------------------------------------------------------


def test_a_staff_role_raised_by_plain_sql(busy_day, store, env, capsys):
    conn = sqlite3.connect(store.path)
    conn.execute("UPDATE staff SET roles = 'admin receiver', version = version + 1 WHERE username = 'rec1'")
    conn.commit()
    conn.close()
    code, _, err = cli(capsys, "--db", str(store.path), "check")
    assert code == 1
    assert "personalen rec1: roles är 'admin receiver' men granskningsloggen ger 'receiver'" in err, err


def _forge(path, ref: str, message: str, pnr: str) -> None:
    """The errand's message and patient rewritten, and content_hash recomputed the way the intake
    computes it (domain.validation.NewErrand.canonical)."""
    _rewrite(path, ref, message=message, personnummer=pnr)


def _rewrite(path, ref: str, **values) -> None:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    row = dict(conn.execute("SELECT * FROM errands WHERE ref = ?", (ref,)).fetchone())
    row.update(values)
    from dataclasses import fields

    from bcc_tui.domain.validation import parse_utc

    content = NewErrand(
        **{f.name: row[f.name] for f in fields(NewErrand) if f.name not in ("received_at", "urgent")},
        received_at=parse_utc(row["received_at"]),
        urgent=bool(row["urgent"]),
    )
    digest = hashlib.sha256(content.canonical().encode("utf-8")).hexdigest()
    sets = ", ".join(f"{k} = ?" for k in values)
    conn.execute(
        f"UPDATE errands SET {sets}, content_hash = ? WHERE ref = ?", (*values.values(), digest, ref)
    )
    conn.commit()
    conn.close()


def test_a_message_and_personnummer_rewritten_with_the_hash_recomputed(
    busy_day, store, env, capsys, tmp_path
):
    witness = copy(store, tmp_path / "night.db")
    _forge(store.path, "1177-000003", "Allt är bra, inget behövs.", "20121212-1212")
    for extra in ([], ["--against", str(witness)]):
        code, _, err = cli(capsys, "--db", str(store.path), "check", *extra)
        assert code == 1, err
        assert any(
            line.startswith("ärendet 1177-000003: innehållet") and "granskningsloggen" in line
            for line in err.splitlines()
        ), err
    # What `show` displays is the forgery; check is what tells.
    code, out, _ = cli(capsys, "--db", str(store.path), "--as", "rec1", "show", "1177-000003")
    assert code == 0 and "Allt är bra" in out


def test_each_import_row_carries_its_errands_content_hash(system, store):
    intake.import_errands(system, jsonl(errand_line("1177-000009")))
    stored = store.conn.execute("SELECT content_hash FROM errands WHERE ref = '1177-000009'").fetchone()[0]
    data = store.conn.execute(
        "SELECT data FROM audit WHERE action = 'import' AND ref = '1177-000009'"
    ).fetchone()[0]
    assert stored in data


def test_every_change_made_through_the_program_replays_clean(busy_day, as_, store, clock):
    from bcc_tui.services import acute, clinic, patients, people

    adm, rec = as_("adm"), as_("rec1")
    people.save_staff(
        adm, {"username": "new1", "name": "Ny Person", "title": "läkare", "roles": ["caregiver"]}, new=True
    )
    people.save_staff(
        adm,
        {
            "username": "new1",
            "name": "Ny Person",
            "title": "läkare",
            "roles": ["caregiver", "receiver"],
            "email": "n@example.se",
        },
    )
    people.save_staff(
        adm,
        {"username": "new1", "name": "Ny Person", "title": "läkare", "roles": ["caregiver"], "email": None},
    )
    people.set_active(adm, "new1", False)
    people.set_active(adm, "new1", False)  # unchanged: a row, no change to replay
    people.set_active(adm, "new1", True)
    people.set_email_notify(as_("doc1"), False)
    people.set_bell(rec, False)
    people.set_bell(rec, False)
    people.import_staff(
        adm,
        jsonl({"username": "doc2", "name": "Dag Doktor", "title": "sektionsledare", "roles": ["caregiver"]}),
    )
    clinic.set_followup_days(adm, 4)
    clinic.post_notice(adm, "Driftstörning i kväll", clock.now().date())
    clinic.clear_notice(adm)
    clinic.update_type(adm, "begar_intyg", name="Intyg", default_assignee="doc1")
    acute.set_advice(adm, enabled=True, text="Ring 112 vid andningsbesvär.")
    acute.set_rules(adm, threshold="38,5")
    patients.set_team(rec, PNR, pal="doc1", contact_nurse="nurse")
    patients.set_team(rec, PNR, contact_nurse=None)
    assert patients.import_patients(adm, jsonl({"personnummer": "20121212-1212", "pal": "doc2"})).added == 1
    assert store.conn.execute("SELECT count(*) FROM care_teams").fetchone()[0] == 2
    assert (
        store.conn.execute("SELECT title FROM staff WHERE username = 'doc2'").fetchone()[0]
        == "sektionsledare"
    )
    assert audit_log.check(busy_day) == []


# -- An upgraded database: the baseline ------------------------------------------------------------


def _as_written_by_version_13(source, dest) -> None:
    """The same clinic as a file the program before issue 28 wrote: schema version 13, no data in
    the log (each row hashed without it)."""
    from bcc_tui.store import audit, schema

    old = Store(dest)
    schema.migrate(old, schema.MIGRATIONS[:13])
    old.close()
    conn = sqlite3.connect(dest)
    conn.execute("ATTACH DATABASE ? AS new", (str(source),))
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("DELETE FROM errand_types")
    for table in (
        "staff",
        "settings",
        "errand_types",
        "errands",
        "events",
        "outbound",
        "care_teams",
        "roster",
    ):
        # The old file's own columns: a later migration may have added some (errand_types'
        # receivers_answer, version 14) that version 13 does not have.
        cols = ", ".join(r[1] for r in conn.execute(f"PRAGMA main.table_info({table})"))
        conn.execute(f"INSERT INTO main.{table} ({cols}) SELECT {cols} FROM new.{table}")
    columns = "id, at, actor, role, action, ref, personnummer, outcome, detail, prev_hash, hash"
    conn.execute(f"INSERT INTO main.audit ({columns}) SELECT {columns} FROM new.audit")
    conn.commit()
    conn.execute("DETACH DATABASE new")
    conn.row_factory = sqlite3.Row
    conn.execute("DROP TRIGGER audit_no_update")
    prev = audit.GENESIS
    for row in conn.execute("SELECT * FROM audit ORDER BY id").fetchall():
        digest = audit._digest(prev, dict(row))
        conn.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, row["id"]))
        prev = digest
    conn.execute(TRIGGERS[0])
    conn.commit()
    conn.close()


@pytest.fixture
def upgraded(busy_day, store, tmp_path, env, capsys):
    path = tmp_path / "old.db"
    _as_written_by_version_13(copy(store, tmp_path / "source.db"), path)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 13
    before = tmp_path / "v13.db"
    shutil.copy(path, before)
    backups = tmp_path / "backups"
    backups.mkdir(mode=0o700)
    # bcc-tui migrate brings it forward (a verified backup first); no other command does.
    code, _, err = cli(capsys, "--db", str(path), "migrate", "--backup", f"{backups}/")
    assert code == 0, err
    code, _, err = cli(capsys, "--db", str(path), "check")
    assert code == 0, err
    # A backup from before the upgrade (schema 13, no data column) is still a witness.
    code, _, err = cli(capsys, "--db", str(path), "check", "--against", str(before))
    assert code == 0, err
    return path


def test_an_upgrade_writes_one_baseline_and_the_log_replays_from_it(upgraded, capsys):
    conn = sqlite3.connect(upgraded)
    rows = conn.execute("SELECT actor, detail, data FROM audit WHERE action = 'baseline'").fetchall()
    conn.close()
    assert len(rows) == 1 and rows[0][0] == "system"
    assert rows[0][1] == (
        "utgångsläge vid uppgradering: 8 i personallistan, 1 inställningar, 0 vårdteam, 8 ärendetyper, 4 ärenden"
    )
    # The program goes on: its changes are logged with data and replay from the baseline.
    assert cli(capsys, "--db", str(upgraded), "--as", "adm", "settings", "--followup-days", "5")[0] == 0
    assert cli(capsys, "--db", str(upgraded), "check")[0] == 0
    assert cli(capsys, "--db", str(upgraded), "check")[0] == 0  # no second baseline


def test_after_an_upgrade_a_role_raise_and_a_forged_old_errand_are_found(upgraded, tmp_path, capsys):
    witness = tmp_path / "night.db"
    assert cli(capsys, "--db", str(upgraded), "backup", str(witness))[0] == 0
    conn = sqlite3.connect(upgraded)
    conn.execute("UPDATE staff SET roles = 'admin' WHERE username = 'rec2'")
    conn.commit()
    conn.close()
    _forge(upgraded, "1177-000003", "Inget att klaga på.", "20121212-1212")
    code, _, err = cli(capsys, "--db", str(upgraded), "check")
    assert code == 1
    assert "personalen rec2: roles är 'admin' men granskningsloggen ger 'receiver'" in err
    assert "ärendena som lästes in före utgångsläget" in err and "(4 nu, 4 då)" in err, err
    assert "1177-000003" not in err  # without a witness, which one cannot be told
    code, _, err = cli(capsys, "--db", str(upgraded), "check", "--against", str(witness))
    assert code == 1 and "ärendet 1177-000003: innehållet har ändrats sedan säkerhetskopian" in err, err


def test_a_second_baseline_is_reported(upgraded, capsys):
    from bcc_tui.store import ledger

    s = Store(upgraded)
    with s.write() as conn:
        conn.execute("UPDATE staff SET roles = 'admin' WHERE username = 'rec2'")
        assert ledger.write_baseline(
            conn, "2026-11-25T11:00:00Z"
        )  # not after BCC_NOW: session.py refuses that clock
    s.close()
    code, _, err = cli(capsys, "--db", str(upgraded), "check")
    assert code == 1 and "ett andra utgångsläge" in err, err


# -- Any edit by plain SQL -------------------------------------------------------------------------

_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=8)
_STAFF = ["rec1", "rec2", "doc1", "doc2", "nurse", "lead", "adm", "gone"]
_INTEGER_STAFF = ["email_notify", "medcontrol_responsible", "active", "bell", "version"]


@st.composite
def edits(draw):
    """(what, key, SQL, arguments, the start of the line that must name it)."""
    kind = draw(st.sampled_from(["content", "staff", "staff_row", "setting", "type", "team"]))
    if kind == "content":
        ref = draw(st.sampled_from(["1177-000001", "1177-000003", "1177-000004"]))  # imported as they are
        column = draw(st.sampled_from(["message", "personnummer", "patient_name", "subject", "proxy_name"]))
        return ("content", ref, column, draw(_TEXT), f"ärendet {ref}: innehållet")
    if kind == "staff":
        user = draw(st.sampled_from(_STAFF))
        column = draw(st.sampled_from(["roles", "name", "title", "email", *_INTEGER_STAFF]))
        value = (
            draw(st.integers(-3, 9))
            if column in _INTEGER_STAFF
            else draw(st.one_of(_TEXT, st.sampled_from(["admin", "receiver admin", "caregiver receiver"])))
        )
        return ("staff", user, column, value, f"personalen {user}")
    if kind == "staff_row":
        user = draw(st.sampled_from([*_STAFF, "intruder"]))
        return ("staff_row", user, None, None, f"personalen {user} finns i")
    if kind == "setting":
        key = draw(st.sampled_from(["acute_rules", "followup_days", "notice", "acute_advice", "x"]))
        return ("setting", key, None, draw(st.one_of(st.none(), _TEXT)), f"inställningen {key}")
    if kind == "type":
        code = draw(st.sampled_from(["fornya_recept", "begar_intyg", "kontakta_mig"]))
        column = draw(st.sampled_from(["name", "business_days", "default_assignee", "enabled", "version"]))
        value = draw(st.integers(1, 30)) if column in ("business_days", "enabled", "version") else draw(_TEXT)
        return ("type", code, column, value, f"ärendetypen {code}")
    pnr = draw(st.sampled_from([PNR, "20121212-1212"]))
    return ("team", pnr, None, draw(st.sampled_from(["doc1", "doc2", "lead"])), f"vårdteamet för {pnr}")


def _edit(conn, what, key, column, value) -> bool:
    """Make one edit; False when it would change nothing."""
    if what == "content":
        old = conn.execute(f"SELECT {column} FROM errands WHERE ref = ?", (key,)).fetchone()[0]
        return old != value
    if what == "staff":
        old = conn.execute(f"SELECT {column} FROM staff WHERE username = ?", (key,)).fetchone()[0]
        if type(old) is type(value) and old == value:
            return False
        conn.execute(f"UPDATE staff SET {column} = ? WHERE username = ?", (value, key))
    elif what == "staff_row":
        if conn.execute("DELETE FROM staff WHERE username = ?", (key,)).rowcount == 0:
            conn.execute(
                "INSERT INTO staff (username, name, title, roles) VALUES (?, 'In Kräktare', 'läkare', 'admin')",
                (key,),
            )
    elif what == "setting":
        old = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        if value is None:
            if old is None:
                return False
            conn.execute("DELETE FROM settings WHERE key = ?", (key,))
        else:
            if old is not None and old[0] == value:
                return False
            conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, value))
    elif what == "type":
        old = conn.execute(f"SELECT {column} FROM errand_types WHERE code = ?", (key,)).fetchone()[0]
        if type(old) is type(value) and old == value:
            return False
        conn.execute(f"UPDATE errand_types SET {column} = ? WHERE code = ?", (value, key))
    else:
        old = conn.execute("SELECT pal FROM care_teams WHERE personnummer = ?", (key,)).fetchone()
        if old is not None and old[0] == value:
            return False
        conn.execute(
            "INSERT INTO care_teams (personnummer, pal, updated_at, updated_by) VALUES (?, ?, '2026-11-25T09:00:00Z', 'adm')"
            " ON CONFLICT (personnummer) DO UPDATE SET pal = excluded.pal",
            (key, value),
        )
    return True


def test_every_edit_by_plain_sql_is_reported(busy_day, as_, store, tmp_path):
    from bcc_tui.services import patients

    patients.set_team(as_("rec1"), PNR, pal="doc1")
    template = copy(store, tmp_path / "template.db")
    runs = iter(range(1_000_000))
    checked: list[int] = []

    @settings(max_examples=30, deadline=None, database=None)
    @given(
        st.lists(edits(), min_size=1, max_size=3, unique_by=lambda e: (e[0] in ("staff", "staff_row"), e[1]))
    )
    def run(changes):
        path = tmp_path / f"case{next(runs)}.db"
        shutil.copy(template, path)
        path.chmod(0o600)
        conn = sqlite3.connect(path)
        made = []
        for what, key, column, value, line in changes:
            if _edit(conn, what, key, column, value):
                made.append((what, key, column, value, line))
        conn.commit()
        conn.close()
        for what, key, column, value, _ in made:
            if what == "content":  # recomputed as the intake does: the column agrees
                _rewrite(path, key, **{column: value})
        assume(made)
        checked.append(1)
        s = Store(path)
        try:
            problems = audit_log.check(Ctx(s, SYSTEM_ACTOR, FixedClock(NOW)))
        finally:
            s.close()
        for *_, line in made:
            assert any(p.startswith(line) for p in problems), (made, problems)

    run()
    assert len(checked) >= 20


@pytest.mark.parametrize("side", ["", "-wal", "-shm", "-journal"])
def test_the_live_database_is_no_witness_of_itself(busy_day, store, side):
    """An attacker's trial: `check --against` the live file said the log "continued unchanged"
    (exit 0), and its -wal was opened as a database."""
    from bcc_tui.domain.errors import InvalidInput

    with pytest.raises(InvalidInput, match="hör till den levande databasen"):
        audit_log.check(busy_day, f"{store.path}{side}")
