"""`bcc-tui deviations` end to end (issue 26): the register listed, as CSV, reported and
dismissed, with the exit codes and one-line errors of every command."""

import csv
import io

import pytest

from tests.conftest import STAFF, errand_line, jsonl, run_cli

LATER = "2026-11-30T10:00:00+01:00"  # both errands are past their due date by then


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "dev.db"
    assert run_cli("staff", "import", "-", db=path, stdin=jsonl(*STAFF)).returncode == 0
    lines = jsonl(
        errand_line("1177-000001"),
        errand_line(
            "1177-000002",
            type="kontakta_mig",
            patient={"name": "Hugo Karlsson", "personnummer": "20180101-0016"},
        ),
    )
    assert run_cli("import", "-", db=path, stdin=lines).returncode == 0
    # On Wed 25 Nov: assigned, and a receiver's partial reply with no consulted doctor (a
    # deviation at once; in time for the two-day rule).
    today = "2026-11-25T10:00:00+01:00"
    assert cli(path, "rec1", "assign", "1177-000001", "doc1", now=today).returncode == 0
    r = cli(path, "rec1", "partial-reply", "1177-000001", "--text", "Vi återkommer.", now=today)
    assert r.returncode == 0, r.stderr
    return path


def cli(db, user, *args, now=LATER):
    return run_cli("--as", user, *args, db=db, now=now)


def listed(db, *args):
    r = cli(db, "adm", "deviations", "--csv", *args)
    assert r.returncode == 0, r.stderr
    return list(csv.DictReader(io.StringIO(r.stdout.decode())))


def test_list_report_dismiss_and_the_csv(db):
    r = cli(db, "rec1", "deviations")  # receivers may list
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert out.splitlines()[0] == "Avvikelseregistret: 2 avvikelser, 2 öppna"
    assert "Delsvar utan avstämd läkare" in out and "Tvådagarsregeln bruten" in out
    assert "efter 2026-11-27" in out  # 1177-000002 was due Fri 27 Nov
    rows = {r["nyckel"]: r for r in listed(db)}
    assert set(rows) == {"no_consulted_doctor:1177-000001", "breach:1177-000002"}
    partial, breach = rows["no_consulted_doctor:1177-000001"], rows["breach:1177-000002"]
    assert "Hugo" not in breach["utkast"] and "20180101" not in breach["utkast"]

    r = cli(db, "adm", "deviations", "--report", partial["id"], "--medcontrol", "MC-2026-7")
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode() == (
        f"Avvikelse {partial['id']} (Delsvar utan avstämd läkare, 1177-000001) "
        "rapporterad i MedControl PRO som MC-2026-7\n"
    )
    r = cli(db, "adm", "deviations", "--dismiss", breach["id"], "--reason", "Familjen ringd, dokumenterat")
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().endswith("avfärdad: Familjen ringd, dokumenterat\n")
    after = {r["nyckel"]: r for r in listed(db)}
    assert after["no_consulted_doctor:1177-000001"]["status"] == "reported"
    assert after["no_consulted_doctor:1177-000001"]["medcontrol_nummer"] == "MC-2026-7"
    assert after["breach:1177-000002"]["orsak"] == "Familjen ringd, dokumenterat"
    assert listed(db, "--open") == []
    out = cli(db, "adm", "deviations").stdout.decode()
    assert "rapporterad (MedControl PRO MC-2026-7)" in out and "avfärdad" in out
    # Both decisions are in the audit log, by whom and on which errand.
    audit = cli(db, "adm", "audit", "--csv").stdout.decode()
    logged = [r for r in csv.DictReader(io.StringIO(audit)) if r["åtgärd"].startswith("deviation_")]
    assert sorted((r["åtgärd"], r["användare"], r["ärende"], r["utfall"]) for r in logged) == [
        ("deviation_dismiss", "adm", "1177-000002", "ok"),
        ("deviation_report", "adm", "1177-000001", "ok"),
    ]
    assert {r["åtgärd_text"] for r in logged} == {"rapporterade avvikelse", "avfärdade avvikelse"}


def test_listing_twice_finds_nothing_new(db):
    first = listed(db)
    assert listed(db) == first
    assert [r["upptäckt_utc"] for r in first] == ["2026-11-30T09:00:00Z"] * 2
    # A day later the same register, detected when it was first read.
    again = run_cli("--as", "adm", "deviations", "--csv", db=db, now="2026-12-01T10:00:00+01:00")
    assert list(csv.DictReader(io.StringIO(again.stdout.decode()))) == first


@pytest.mark.parametrize(
    "user, args, code, message",
    [
        ("doc1", [], 1, "Doris Doktor (doc1) får inte läsa avvikelseregistret"),
        ("rec1", ["--report", "1", "--medcontrol", "MC-1"], 1, "bara administratören får rapportera"),
        ("adm", ["--report", "1"], 1, "--report ID kräver --medcontrol NR"),
        ("adm", ["--dismiss", "1"], 1, "--dismiss ID kräver --reason ORSAK"),
        ("adm", ["--medcontrol", "MC-1"], 1, "--medcontrol hör till --report ID"),
        ("adm", ["--report", "99", "--medcontrol", "MC-1"], 1, "avvikelse 99 finns inte"),
        ("adm", ["--dismiss", "1", "--reason", " "], 1, "Orsaken saknas"),
        ("adm", ["--report", "1", "--medcontrol", "x" * 41], 1, "för långt"),
        ("adm", ["--report", "1", "--dismiss", "2"], 2, "kan inte kombineras med --report"),
        ("adm", ["--report", "ett"], 2, "heltal"),
    ],
)
def test_refusals_are_one_line_with_the_exit_code_of_every_command(db, user, args, code, message):
    listed(db)
    r = cli(db, user, "deviations", *args)
    err = r.stderr.decode()
    assert r.returncode == code, (r.stdout, err)
    assert message in err, err
    if code == 1:
        assert err.count("\n") == 1 and err.startswith("bcc-tui: ")


def test_a_decided_deviation_stays_decided(db):
    first = listed(db)[0]["id"]
    assert cli(db, "adm", "deviations", "--report", first, "--medcontrol", "MC-1").returncode == 0
    r = cli(db, "adm", "deviations", "--dismiss", first, "--reason", "Fel")
    assert r.returncode == 1
    assert "är redan avgjord: Rapporterad i MedControl PRO som MC-1 av Adam Admin" in r.stderr.decode()


def test_stats_counts_the_final_answer_and_deviations_per_kind_and_warns_of_the_routine(db):
    listed(db)  # the register as it stands on 30 Nov
    first = {r["slag"]: r["id"] for r in listed(db)}
    assert cli(db, "adm", "deviations", "--dismiss", first["breach"], "--reason", "Dubblett").returncode == 0
    r = cli(db, "rec1", "stats")
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    final = out[out.index("Slutsvar (svar eller avslut; ett delsvar räknas inte)") :]
    # 1177-000001: partial reply on the arrival day, no final answer, past its due date: late.
    assert next(x for x in final.splitlines() if x.startswith("Förnya recept")).split() == [
        "Förnya",
        "recept",
        "0",
        "–",
        "–",
        "0",
        "1",
    ]
    kinds = out[out.index("Avvikelseregistret, ärenden från perioden") :].splitlines()
    assert kinds[1].split() == ["AVVIKELSE", "FUNNA", "RAPPORTERADE", "AVFÄRDADE"]
    assert "  Tvådagarsregeln bruten                 1             0          1" in kinds
    assert "  Delsvar utan avstämd läkare            1             0          0" in kinds
    assert "Obs:" not in out
    # From 60 days before 2028-02-16 stats says so; the CSV stays a clean contract.
    late = "2027-12-20T10:00:00+01:00"
    out = run_cli("--as", "rec1", "stats", db=db, now=late).stdout.decode()
    assert out.rstrip().endswith(
        "Obs: Rutinen (version 5.0) gäller till och med 2028-02-16 (om 58 dagar); "
        "påminn ägaren (sektionsledare, öppenvården) om att förnya den."
    )
    r = run_cli("--as", "rec1", "stats", "--csv", db=db, now=late)
    assert r.stdout.decode().startswith("från,till,typ,")
    assert "Obs" not in r.stdout.decode() and "om 58 dagar" in r.stderr.decode()
