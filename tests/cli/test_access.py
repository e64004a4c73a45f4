"""Who may see what (R2, R9, R15, R20): scoping, the audit log and its reading, check, export."""

import csv
import io
import json
import os
import sqlite3
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import STAFF, errand_line, jsonl, run_cli

SCHEMAS = Path(__file__).resolve().parents[1] / "contract" / "schemas"
STAFF_PLUS = STAFF + [
    {"username": "aud", "name": "Anna Auditor", "title": "administratör", "roles": ["auditor"]}
]


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "acc.db"
    assert run_cli("staff", "import", "-", db=path, stdin=jsonl(*STAFF_PLUS)).returncode == 0
    assert (
        run_cli(
            "import",
            "-",
            db=path,
            stdin=jsonl(
                errand_line("1177-000001"),
                errand_line(
                    "1177-000002", patient={"name": "Hugo Karlsson", "personnummer": "20180101-0016"}
                ),
                errand_line("1177-000003", type="synpunkter_klagomal"),
            ),
        ).returncode
        == 0
    )
    return path


def cli(db, user, *args, **kw):
    return run_cli("--as", user, *args, db=db, **kw)


def test_caregiver_sees_and_opens_only_own_errands(db):
    assert cli(db, "rec1", "assign", "1177-000001", "doc1").returncode == 0
    assert cli(db, "rec1", "assign", "1177-000002", "doc2").returncode == 0
    refs = [json.loads(x)["ref"] for x in cli(db, "doc1", "list", "--json").stdout.decode().splitlines()]
    assert refs == ["1177-000001"]
    r = cli(db, "doc1", "show", "1177-000002")
    assert r.returncode == 1 and r.stderr.decode() == (
        "bcc-tui: ärendet 1177-000002 finns inte eller får inte visas\n"
    )
    # ... and the refusal is in the log, with the reference but without the patient: a person's
    # refusals of errands they may not see tell the log's readers nothing more than they said.
    row = (
        sqlite3.connect(db)
        .execute("SELECT actor, action, ref, personnummer, outcome FROM audit WHERE outcome = 'refused'")
        .fetchall()[-1]
    )
    assert row == ("doc1", "view", "1177-000002", None, "refused")
    # Once doc2 has answered it, doc2 can still open it; after reassigning, doc1 keeps what they answered.
    assert cli(db, "doc1", "partial-reply", "1177-000001", "--text", "Vi tittar på det").returncode == 0
    assert cli(db, "rec1", "assign", "--reassign", "1177-000001", "doc2").returncode == 0
    assert cli(db, "doc1", "show", "1177-000001").returncode == 0


def test_admin_and_auditor_do_not_read_errands(db):
    for user in ("adm", "aud"):
        r = cli(db, user, "list")
        assert r.returncode == 1 and "får inte" in r.stderr.decode()
        r = cli(db, user, "show", "1177-000001")
        assert r.returncode == 1


def test_every_kind_of_action_leaves_its_row(db, tmp_path):
    steps = [
        ("rec1", "list"),
        ("rec1", "show", "1177-000001"),
        ("rec1", "assign", "1177-000001", "doc1"),
        ("rec1", "assign", "--reassign", "1177-000001", "doc2"),
        ("doc2", "partial-reply", "1177-000001", "--text", "På gång"),
        ("doc2", "note", "1177-000001", "--text", "Ringt"),
        ("rec1", "urgent", "1177-000002"),
        ("rec1", "assign", "1177-000002", "doc1"),
        ("doc2", "reply", "1177-000001", "--text", "Klart"),
        ("rec1", "close", "1177-000002", "--reason", "Besvarat per telefon"),
        ("doc1", "reply", "1177-000003", "--text", "Inte mitt"),  # refused
    ]
    for user, *args in steps:
        cli(db, user, *args)
    assert run_cli("outbound", "export", str(tmp_path / "out.jsonl"), db=db).returncode == 0
    rows = (
        sqlite3.connect(db).execute("SELECT action, outcome, actor, ref, personnummer FROM audit").fetchall()
    )
    actions = {(a, o) for a, o, *_ in rows}
    for wanted in (
        "import",
        "list",
        "view",
        "assign",
        "reassign",
        "partial_reply",
        "note",
        "urgent",
        "reply",
        "close",
        "export",
        "admin_change",
    ):
        assert (wanted, "ok") in actions, wanted
    assert ("reply", "refused") in actions
    view = next(r for r in rows if r[0] == "view")
    assert view[2:] == ("rec1", "1177-000001", "20150315-1233")


def test_auditor_reads_the_log_by_patient_and_user(db):
    cli(db, "rec1", "show", "1177-000002")
    cli(db, "rec2", "show", "1177-000001")
    r = cli(db, "aud", "audit", "--patient", "20180101-0016", "--csv")
    assert r.returncode == 0, r.stderr
    table = list(csv.DictReader(io.StringIO(r.stdout.decode())))
    assert list(table[0]) == [
        "id",
        "tid_utc",
        "användare",
        "roll",
        "åtgärd",
        "ärende",
        "personnummer",
        "utfall",
        "detaljer",
        "namn",
        "roll_text",
        "åtgärd_text",
        "utfall_text",
        "detaljer_text",
    ]
    assert {(t["användare"], t["åtgärd"]) for t in table} >= {("rec1", "view"), ("system", "import")}
    assert all(t["personnummer"] == "20180101-0016" for t in table)
    by_user = cli(db, "aud", "audit", "--user", "rec2", "--csv").stdout.decode()
    assert "1177-000001" in by_user and "1177-000002" not in by_user
    r = cli(db, "aud", "audit", "--from", "2026-11-25", "--to", "2026-11-25")
    assert r.returncode == 0 and "öppnade" in r.stdout.decode()
    r = cli(db, "aud", "audit", "--from", "2026-11-26")
    assert r.returncode == 0 and "öppnade" not in r.stdout.decode()
    # Reading the log is logged; a receiver may not read it.
    assert sqlite3.connect(db).execute("SELECT count(*) FROM audit WHERE action = 'audit'").fetchone()[0] == 4
    r = cli(db, "rec1", "audit")
    assert r.returncode == 1 and "granskningsloggen" in r.stderr.decode()
    r = cli(db, "aud", "audit", "--from", "igår")
    assert r.returncode == 1 and "--from" in r.stderr.decode()


def test_the_log_finds_a_patient_by_any_written_personnummer_and_refuses_what_is_none(db):
    """An auditor's "who opened this child's errands?" came back empty for 201801010016 and
    180101-0016, as if nobody had, with exit 0; a mistyped digit the same. Every written form finds
    the rows, and what is no personnummer, or a period that ends before it starts, is one line."""
    cli(db, "rec1", "show", "1177-000002")

    def refs(*args):
        r = cli(db, "aud", "audit", *args, "--csv")
        assert r.returncode == 0, r.stderr
        return sorted((t["användare"], t["åtgärd"]) for t in csv.DictReader(io.StringIO(r.stdout.decode())))

    stored = refs("--patient", "20180101-0016")
    assert ("rec1", "view") in stored
    for written in ("201801010016", "180101-0016", "1801010016"):
        assert [row for row in refs("--patient", written) if row[1] != "audit"] == [
            row for row in stored if row[1] != "audit"
        ], written
    # Born 1918 ("+": a hundred years or older): not the child.
    assert [row for row in refs("--patient", "180101+0016") if row[1] != "audit"] == []
    for wrong, why in (("20180101-0017", "kontrollsiffra"), ("123", "formen")):
        r = cli(db, "aud", "audit", "--patient", wrong)
        err = r.stderr.decode()
        assert r.returncode == 1 and why in err and wrong in err and len(err.splitlines()) == 1, err
    r = cli(db, "aud", "audit", "--from", "2026-11-26", "--to", "2026-11-25")
    assert r.returncode == 1 and "--to ligger före --from" in r.stderr.decode()


def test_the_log_quotes_a_refused_name_as_it_was_written(db):
    """A hostile trial: `--as ' rec1'` was refused, and `audit` showed "Rita Receiver finns inte
    …", as if the receiver herself were unknown."""
    r = cli(db, " rec1", "list")
    assert r.returncode == 1
    shown = cli(db, "aud", "audit").stdout.decode()
    line = next(x for x in shown.splitlines() if "finns inte" in x)
    assert "rec1 finns inte" in line and "Rita Receiver finns inte" not in line, line


def test_a_staff_line_named_like_the_service_account_does_not_take_over_its_jobs(db, tmp_path):
    """A hostile trial: a staff line with the service account's own name made the intake job act
    as that person (a caregiver: refused), and set inactive, every job; only SQL undid it. The
    account without --as is the system, whatever the staff list says."""
    import pwd

    me = pwd.getpwuid(os.getuid()).pw_name  # the database's owner: the service account here
    staff = tmp_path / "evil.jsonl"
    staff.write_bytes(jsonl({"username": me, "name": "Evil", "title": "läkare", "roles": ["caregiver"]}))
    assert run_cli("staff", "import", str(staff), db=db).returncode == 0
    errands = tmp_path / "errands.jsonl"
    errands.write_bytes(jsonl(errand_line("1177-000099")))
    r = run_cli("import", str(errands), db=db)
    assert r.returncode == 0, r.stderr
    assert sqlite3.connect(db).execute("SELECT actor FROM audit WHERE action = 'import'").fetchall()[-1][
        0
    ] == ("system")


def test_check_finds_a_row_changed_around_the_triggers(db):
    r = run_cli("check", db=db)
    assert r.returncode == 0 and "hel" in r.stdout.decode()
    conn = sqlite3.connect(db)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("UPDATE audit SET actor = 'someone' WHERE id = 3")
    conn.commit()
    r = run_cli("check", db=db)
    assert r.returncode == 1 and "rad 3: innehållet har ändrats" in r.stderr.decode()


def test_outbound_export_follows_the_schema_and_loses_nothing(db, tmp_path):
    out = tmp_path / "out.jsonl"
    cli(db, "rec1", "assign", "1177-000001", "doc1")
    cli(db, "doc1", "reply", "1177-000001", "--text", "Receptet är förnyat.")
    r = run_cli("outbound", "export", str(out), db=db)
    assert r.returncode == 0 and "2 svar" in r.stdout.decode()
    schema = json.loads((SCHEMAS / "reply.schema.json").read_text())
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    for line in lines:
        jsonschema.validate(line, schema)
    assert [x["kind"] for x in lines] == ["partial_reply", "reply"]  # the complaint's automatic one first
    assert lines[0]["author"]["name"] == "Barncancercentrum" and lines[1]["closes"] is True
    # Nothing new: nothing is repeated and no empty file is left for the delivery job.
    r = run_cli("outbound", "export", str(tmp_path / "again.jsonl"), db=db)
    assert r.returncode == 0 and "0 svar" in r.stdout.decode() and not (tmp_path / "again.jsonl").exists()
    # Only admins (and the system itself) export.
    assert cli(db, "rec1", "outbound", "export", str(tmp_path / "rec1.jsonl")).returncode == 1
    r = run_cli("outbound", "export", str(tmp_path / "no" / "such" / "dir.jsonl"), db=db)
    assert r.returncode == 1 and "finns inte" in r.stderr.decode()


def test_an_export_that_dies_before_marking_repeats_with_the_same_ids(db, tmp_path, monkeypatch):
    from bcc_tui.domain.roles import SYSTEM_ACTOR
    from bcc_tui.services import outbound
    from bcc_tui.services.context import Ctx
    from bcc_tui.store import errands as q
    from bcc_tui.store.db import Store

    out = tmp_path / "out.jsonl"
    store = Store(db)
    ctx = Ctx(store, SYSTEM_ACTOR)

    def die(*a, **k):
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(q, "mark_exported", die)
    with pytest.raises(KeyboardInterrupt):
        outbound.export(ctx, out)
    first = [json.loads(x)["id"] for x in out.read_text().splitlines()]
    monkeypatch.undo()
    assert outbound.export(ctx, tmp_path / "out2.jsonl") == (1, tmp_path / "out2.jsonl")
    again = [json.loads(x)["id"] for x in (tmp_path / "out2.jsonl").read_text().splitlines()]
    assert again == first  # delivered at least once; the receiver drops the repeat by id
    store.close()
