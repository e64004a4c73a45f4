"""Jobs that fit cron (issue 18): intake that moves its files aside, the reminders job."""

import json

import pytest

from tests.conftest import STAFF, errand_line, jsonl, run_cli


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "jobs.db"
    assert run_cli("staff", "import", "-", db=path, stdin=jsonl(*STAFF)).returncode == 0
    return path


@pytest.fixture
def dirs(tmp_path):
    inbox, done = tmp_path / "inbox", tmp_path / "done"
    inbox.mkdir()
    done.mkdir()
    return inbox, done


def test_one_bad_line_never_blocks_the_next_run(db, dirs):
    inbox, done = dirs
    bad = b'{"ref": "1177-000009", "type": "nope"}\n'
    (inbox / "a.jsonl").write_bytes(
        jsonl(errand_line("1177-000001")) + bad + jsonl(errand_line("1177-000002"))
    )
    (inbox / "b.jsonl.part").write_bytes(jsonl(errand_line("1177-000003")))  # still being written
    first = run_cli("import", str(inbox), "--move-to", str(done), db=db)
    assert first.returncode == 1  # a rejected line is worth a look
    assert b"a.jsonl:2:" in first.stderr
    assert not (inbox / "a.jsonl").exists() and (done / "a.jsonl").exists()
    assert (done / "rejected" / "a.jsonl").read_bytes() == bad
    assert (inbox / "b.jsonl.part").exists()
    # The next run starts clean; the fixed line dropped again is read in.
    again = run_cli("import", str(inbox), "--move-to", str(done), db=db)
    assert again.returncode == 0, again.stderr
    (inbox / "fixed.jsonl").write_bytes(jsonl(errand_line("1177-000009")))
    (inbox / "a.jsonl").write_bytes(jsonl(errand_line("1177-000001")))  # a resend: skipped, kept apart
    third = run_cli("import", str(inbox), "--move-to", str(done), db=db)
    assert third.returncode == 0, third.stderr
    assert (done / "a.jsonl").exists() and (done / "a.jsonl.1").exists()  # nothing overwritten
    listed = run_cli("--as", "rec1", "list", "--json", db=db)
    refs = {json.loads(x)["ref"] for x in listed.stdout.decode().splitlines()}
    assert refs == {"1177-000001", "1177-000002", "1177-000009"}


def test_a_missing_destination_is_refused_and_nothing_moves(db, dirs, tmp_path):
    inbox, _ = dirs
    (inbox / "a.jsonl").write_bytes(jsonl(errand_line("1177-000001")))
    r = run_cli("import", str(inbox), "--move-to", str(tmp_path / "nowhere"), db=db)
    assert r.returncode == 1 and b"finns inte" in r.stderr
    assert (inbox / "a.jsonl").exists()


def test_an_empty_file_is_set_aside_whole(db, dirs):
    inbox, done = dirs
    (inbox / "empty.jsonl").write_bytes(b"")
    r = run_cli("import", str(inbox), "--move-to", str(done), db=db)
    assert r.returncode == 1
    assert (done / "rejected" / "empty.jsonl").exists() and not (inbox / "empty.jsonl").exists()
    assert run_cli("import", str(inbox), "--move-to", str(done), db=db).returncode == 0


def test_the_reminders_job_reminds_each_due_errand_once_a_day(db):
    lines = [
        errand_line("1177-000001", received_at="2026-11-20T09:00:00+01:00"),  # overdue
        errand_line("1177-000002", received_at="2026-11-24T09:00:00+01:00"),  # due tomorrow
        errand_line("1177-000003", received_at="2026-11-25T09:00:00+01:00"),  # not yet
        errand_line("1177-000004", received_at="2026-11-20T09:00:00+01:00"),  # overdue, unassigned
    ]
    assert run_cli("import", "-", db=db, stdin=jsonl(*lines)).returncode == 0
    for ref in ("1177-000001", "1177-000002", "1177-000003"):
        assert run_cli("--as", "rec1", "assign", ref, "doc1", db=db).returncode == 0
    first = run_cli("remind", "--due", db=db)  # the job: the service account itself
    assert first.returncode == 0, first.stderr
    out = first.stdout.decode()
    assert "1177-000001" in out and "1177-000002" in out
    assert "1177-000003" not in out and "1177-000004" not in out
    assert "2 påminnelser" in out
    second = run_cli("remind", "--due", db=db)
    assert second.returncode == 0 and "0 påminnelser" in second.stdout.decode()
    # The next day it reminds again.
    third = run_cli("remind", "--due", db=db, now="2026-11-26T07:00:00+01:00")
    assert "1177-000001" in third.stdout.decode()


def test_a_caregiver_may_not_run_the_reminders_job(db):
    r = run_cli("--as", "doc1", "remind", "--due", db=db)
    assert r.returncode == 1 and b"mottagare" in r.stderr


def test_the_job_runner_is_quiet_on_success_and_says_one_line_on_failure(db, dirs, tmp_path):
    import os
    import subprocess
    import sys

    inbox, done = dirs
    logs = tmp_path / "log"
    logs.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("SUDO_USER",)}
    env.update(BCC_LOG_DIR=str(logs), BCC_DB=str(db), BCC_NOW="2026-11-25T10:00:00+01:00")
    job = [
        "sh",
        "deploy/bcc-job",
        "intake",
        sys.executable,
        "-m",
        "bcc_tui",
        "import",
        str(inbox),
        "--move-to",
        str(done),
    ]
    (inbox / "a.jsonl").write_bytes(jsonl(errand_line("1177-000001")))
    ok = subprocess.run(job, capture_output=True, env=env, timeout=60)
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, b"", b"")
    assert "1 nytt ärende" in (logs / "intake.log").read_text()
    (inbox / "b.jsonl").write_bytes(b'{"ref": "x"}\n{"ref": "y"}\n')
    bad = subprocess.run(job, capture_output=True, env=env, timeout=60)
    assert bad.returncode == 1
    assert len(bad.stdout.decode().splitlines()) == 1 and bad.stderr == b""
    assert "intake misslyckades" in bad.stdout.decode() and "2 avvisade rader" in bad.stdout.decode()
    assert "b.jsonl:2:" in (logs / "intake.log").read_text()


def test_the_guides_export_job_writes_a_new_private_file_and_opens_it_to_the_feed(db, tmp_path):
    """The cron line of docs/deployment.md, run as written (paths moved into a temporary folder):
    bcc-tui writes 0600; the job opens exactly its own new files to the feed's group."""
    import os
    import shlex
    import stat
    import subprocess
    import sys

    from tests.conftest import ROOT

    assert run_cli("import", "-", db=db, stdin=jsonl(errand_line("1177-000001"))).returncode == 0
    assert run_cli("--as", "rec1", "assign", "1177-000001", "doc1", db=db).returncode == 0
    assert run_cli("--as", "doc1", "reply", "1177-000001", "--text", "Svar.", db=db).returncode == 0
    line = next(
        x for x in (ROOT / "docs" / "deployment.md").read_text("utf-8").splitlines() if "bcc-job export" in x
    )
    command = line.split("bcc-job export ", 1)[1]
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    command = (
        command.replace("/srv/bcc/venv/bin/bcc-tui", f"{shlex.quote(sys.executable)} -m bcc_tui")
        .replace("/srv/bcc/outbox", str(outbox))
        .replace("-user bcc", f"-user {os.getuid()}")
    )
    env = {k: v for k, v in os.environ.items() if k not in ("SUDO_USER", "SUDO_UID")}
    env.update(BCC_DB=str(db), BCC_NOW="2026-11-25T10:00:00+01:00")
    r = subprocess.run(["/bin/sh", "-c", command], env=env, capture_output=True, cwd=ROOT, timeout=60)
    assert r.returncode == 0, r.stderr
    [written] = list(outbox.iterdir())
    assert written.name == "replies-20261125T090000Z.jsonl" and "1177-000001" in written.read_text()
    assert stat.S_IMODE(written.stat().st_mode) == 0o640
    # Five minutes later with nothing waiting: no file, still success.
    env["BCC_NOW"] = "2026-11-25T10:05:00+01:00"
    r = subprocess.run(["/bin/sh", "-c", command], env=env, capture_output=True, cwd=ROOT, timeout=60)
    assert r.returncode == 0 and len(list(outbox.iterdir())) == 1
