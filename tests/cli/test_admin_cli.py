"""The administrator's commands end to end (issue 5's "done when", by the command line)."""

import json

import pytest

from tests.conftest import STAFF, errand_line, jsonl, run_cli


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "adm.db"
    assert run_cli("staff", "import", "-", db=path, stdin=jsonl(*STAFF)).returncode == 0
    return path


def cli(db, user, *args, **kw):
    return run_cli("--as", user, *args, db=db, **kw)


def rows(db):
    return {
        x["ref"]: x for x in map(json.loads, cli(db, "rec1", "list", "--json").stdout.decode().splitlines())
    }


def test_roster_absence_complaints_templates_and_days(db, tmp_path):
    schedule = tmp_path / "schema.jsonl"
    schedule.write_bytes(
        jsonl(
            {"date": "2026-11-25", "receiver": "rec2", "outpatient_doctors": ["doc1", "doc2"]},
            {"absent": "doc1", "from": "2026-11-24", "to": "2026-11-27", "reason": "Semester"},
        )
    )
    assert run_cli("schedule", "import", str(schedule), db=db).returncode == 0
    assert (
        run_cli(
            "import",
            "-",
            db=db,
            stdin=jsonl(
                errand_line("1177-000001"),
                errand_line("1177-000002", type="synpunkter_klagomal", urgent=True),
                errand_line("1177-000003", type="synpunkter_klagomal"),
            ),
        ).returncode
        == 0
    )
    listed = rows(db)
    # The top of the schedule is absent: the next doctor is suggested, never doc1.
    assert (listed["1177-000001"]["suggested_assignee"], listed["1177-000001"]["suggestion_reason"]) == (
        "doc2",
        "dagens läkare: överst på schemat",
    )
    assert listed["1177-000002"]["suggested_assignee"] == "lead"
    assert listed["1177-000003"]["suggested_assignee"] == "nurse"
    # Toggling urgent switches the suggestion.
    assert cli(db, "rec1", "urgent", "1177-000003").returncode == 0
    assert rows(db)["1177-000003"]["suggested_assignee"] == "lead"
    # The partial reply records which doctor was consulted.
    assert (
        cli(
            db,
            "rec1",
            "partial-reply",
            "1177-000001",
            "--text",
            "Din läkare är borta.",
            "--consulted",
            "doc2",
        ).returncode
        == 0
    )
    shown = json.loads(cli(db, "rec1", "show", "1177-000001", "--json").stdout)
    assert shown["events"][-1]["detail"] == {"consulted": "doc2"}
    # … and the thread in `show` says so (issue 26: the consultation shows in show).
    thread = cli(db, "rec1", "show", "1177-000001").stdout.decode()
    assert "Delsvar av Rita Receiver (avstämt med Dag Doktor (doc2))" in thread, thread
    # A template with placeholders fills in on reply.
    r = cli(
        db,
        "adm",
        "template",
        "add",
        "Recept",
        "--type",
        "fornya_recept",
        "--text",
        "Hej {förnamn}! Receptet är förnyat. /{vårdgivare}, {titel}",
    )
    assert r.returncode == 0, r.stderr
    r = cli(db, "adm", "template", "add", "Trasig", "--text", "Hej {patientnamn}")
    assert r.returncode == 1 and "okänd platshållare {patientnamn}" in r.stderr.decode()
    assert cli(db, "rec1", "assign", "1177-000001", "doc2").returncode == 0
    assert cli(db, "doc2", "reply", "1177-000001", "--template", "Recept").returncode == 0
    shown = json.loads(cli(db, "rec1", "show", "1177-000001", "--json").stdout)
    assert shown["events"][-1]["text"].startswith("Hej Sara! Receptet är förnyat. /Dag Doktor, läkare")
    # Changing a type's days moves the open deadlines.
    assert run_cli("import", "-", db=db, stdin=jsonl(errand_line("1177-000004"))).returncode == 0
    assert rows(db)["1177-000004"]["due_date"] == "2026-11-27"
    r = cli(db, "adm", "types", "--set", "fornya_recept", "--days", "4")
    assert r.returncode == 0 and "1 öppet ärende fick nytt förfallodatum" in r.stdout.decode()
    assert rows(db)["1177-000004"]["due_date"] == "2026-12-01"
    r = cli(db, "rec1", "types", "--set", "fornya_recept", "--days", "1")
    assert r.returncode == 1


def test_template_commands(db):
    assert cli(db, "adm", "template", "add", "Tack", "--text", "Tack {förnamn}!").returncode == 0
    assert cli(db, "adm", "template", "edit", "Tack", "--text", "Tack så mycket {förnamn}!").returncode == 0
    out = cli(db, "adm", "template", "list").stdout.decode()
    assert "Tack så mycket {förnamn}!" in out and "alla typer" in out
    assert cli(db, "adm", "template", "retire", "Tack").returncode == 0
    assert "Inga mallar" in cli(db, "adm", "template", "list").stdout.decode()
    assert "avvecklad" in cli(db, "adm", "template", "list", "--all").stdout.decode()
    assert cli(db, "rec1", "template", "add", "X", "--text", "x").returncode == 1


def test_notice_and_settings(db):
    r = cli(db, "adm", "notice", "Driftstopp torsdag kl 18", "--until", "2026-11-26")
    assert r.returncode == 0
    assert cli(db, "adm", "notice", "x", "--until", "2026-11-01").returncode == 1
    r = cli(
        db, "adm", "settings", "--acute-words", "Andning=rosslar,låter som en säl", "--followup-days", "3"
    )
    assert r.returncode == 0 and "akuta tecken sparade; 0 öppna ärenden fick nya flaggor" in r.stdout.decode()
    r = cli(
        db,
        "adm",
        "settings",
        "--fever-threshold",
        "38,5",
        "--acute-exceptions",
        "kramp i vaden,febril aktivitet",
    )
    assert r.returncode == 0
    shown = cli(db, "adm", "settings").stdout.decode()
    assert "3 vardagar" in shown and "Andning: rosslar, låter som en säl" in shown
    assert "febergräns: 38,5 °C" in shown and "undantag: kramp i vaden, febril aktivitet" in shown
    assert "råd till familjen: av" in shown
    for bad, why in (
        (["--acute-words", "a"], "skriv KATEGORI=ORD,ORD"),
        (["--acute-words", "Hosta=hostar"], "okänd kategori 'Hosta'"),
        (["--acute-words", "Feber=ab"], "minst tre tecken"),
        (["--fever-threshold", "45"], "febergränsen ska ligga mellan 37,0 och 40,0 °C"),
        (["--acute-advice", "på"], "rådet till familjen är tomt"),
    ):
        r = cli(db, "adm", "settings", *bad)
        assert r.returncode == 1 and why in r.stderr.decode() and len(r.stderr.decode().splitlines()) == 1
    assert "febergräns: 38,5 °C" in cli(db, "adm", "settings").stdout.decode()  # nothing else changed
    r = cli(
        db,
        "adm",
        "settings",
        "--acute-advice",
        "på",
        "--acute-advice-text",
        "Ring avdelningen nu: 018-611 00 00.",
    )
    assert r.returncode == 0 and "råd till familjen vid akuta tecken: på" in r.stdout.decode()
    assert cli(db, "rec1", "settings", "--fever-threshold", "38").returncode == 1
    assert cli(db, "adm", "notice", "--clear").returncode == 0


def test_a_refused_settings_command_changes_nothing(db):
    """A reviewer's find: the threshold was saved before the advice was refused (exit 1)."""
    before = cli(db, "adm", "settings").stdout.decode()
    for bad in (
        ["--fever-threshold", "39", "--acute-advice", "på"],  # no advice text yet
        ["--fever-threshold", "37,5", "--followup-days", "99"],
        ["--acute-advice-text", "Ring oss", "--followup-days", "0"],
        ["--acute-words", "Feber=och"],  # in nearly every message
    ):
        r = cli(db, "adm", "settings", *bad)
        assert r.returncode == 1 and len(r.stderr.decode().splitlines()) == 1, bad
        assert cli(db, "adm", "settings").stdout.decode() == before, bad
    r = cli(db, "adm", "settings", "--acute-words", "Andning=rosslar", "--acute-words", "andning=piper")
    assert r.returncode == 0
    assert "Andning: rosslar, piper" in cli(db, "adm", "settings").stdout.decode()
