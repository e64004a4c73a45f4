"""E-mail notices against a real SMTP server on loopback (R7, R16, docs/routine.md 4.6)."""

import os
import sqlite3

import pytest

from tests.conftest import STAFF, errand_line, jsonl, run_cli
from tests.smtp import SmtpServer, free_port

REF = "1177-000001"


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "mail.db"
    assert run_cli("staff", "import", "-", db=path, stdin=jsonl(*STAFF)).returncode == 0
    assert (
        run_cli(
            "import",
            "-",
            db=path,
            stdin=jsonl(
                errand_line(REF),
                errand_line("1177-000002"),
                errand_line("1177-000003", received_at="2026-11-23T09:00:00+01:00"),
            ),
        ).returncode
        == 0
    )
    return path


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


def test_assignment_mail_carries_no_patient_data(db, smtp):
    r = run_cli(
        "--as",
        "rec1",
        "assign",
        REF,
        "doc1",
        db=db,
        env={"BCC_SMTP": smtp.address, "BCC_MAIL_FROM": "bcc@example.se"},
    )
    assert r.returncode == 0, r.stderr
    [mail] = smtp.wait_for(1)  # delivered before the command exited
    assert mail["To"] == "doc1@example.se" and mail["From"] == "bcc@example.se"
    assert mail["Subject"] == f"1177-ärende {REF} har fördelats till dig"
    body = mail.get_content()
    assert f"bcc-tui open {REF}" in body and "Förnya recept" in body
    whole = mail.as_string() + body
    for secret in ("Elsa", "Andersson", "20150315", "1233", "Bactrim", "Sara"):
        assert secret not in whole
    assert mail["Message-ID"].startswith(f"<{REF}.assign.")


def test_no_mail_for_those_who_do_not_want_it(db, smtp):
    assert (
        run_cli("--as", "rec1", "assign", REF, "doc2", db=db, env={"BCC_SMTP": smtp.address}).returncode == 0
    )
    assert smtp.wait_for(1, timeout=0.5) == []
    assert sqlite3.connect(db).execute("SELECT count(*) FROM outbox").fetchone()[0] == 0


def test_held_while_the_server_is_down_then_delivered_once(db):
    port = free_port()
    env = {"BCC_SMTP": f"127.0.0.1:{port}"}
    assert run_cli("--as", "rec1", "assign", REF, "doc1", db=db, env=env).returncode == 0
    row = sqlite3.connect(db).execute("SELECT attempts, last_error, sent_at FROM outbox").fetchone()
    assert row[0] == 1 and row[1] and row[2] is None  # tried, failed, kept
    server = SmtpServer(port).start()
    try:
        # The retry waits out its back-off; a later moment on the clock lets it go now.
        later = "2026-11-25T10:05:00+01:00"
        assert run_cli("--as", "rec1", "list", db=db, env=env, now=later).returncode == 0
        assert len(server.wait_for(1)) == 1
        assert run_cli("--as", "rec1", "list", db=db, env=env, now=later).returncode == 0
        assert (
            run_cli("--as", "rec1", "list", db=db, env=env, now="2026-11-25T11:00:00+01:00").returncode == 0
        )
        assert len(server.wait_for(2, timeout=1)) == 1  # once, not again
    finally:
        server.stop()
    assert sqlite3.connect(db).execute("SELECT sent_at IS NOT NULL FROM outbox").fetchone()[0] == 1


class _RefusingInbox:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "550 5.1.1 Mailbox unavailable"


def test_a_recipient_the_server_refuses_reads_as_its_code_and_words(db):
    """A hostile trial: the outbox showed the refusal as Python's dict of bytes, partly in
    English ("{'erik.lindgren@example.se': (550, b'...')}")."""
    server = SmtpServer()
    server.inbox = _RefusingInbox()
    server.start()
    try:
        env = {"BCC_SMTP": server.address}
        assert run_cli("--as", "rec1", "assign", REF, "doc1", db=db, env=env).returncode == 0
    finally:
        server.stop()
    error = sqlite3.connect(db).execute("SELECT last_error FROM outbox").fetchone()[0]
    assert error.startswith("mottagaren nekades: "), error
    assert "550 Mailbox unavailable" in error or "550 5.1.1 Mailbox unavailable" in error, error
    assert "b'" not in error and "{" not in error
    # The mail job, failing, says so on stderr (cron mails it), with why.
    server = SmtpServer()
    server.inbox = _RefusingInbox()
    server.start()
    try:
        later = "2026-11-25T11:00:00+01:00"  # past the retry's back-off
        r = run_cli("--as", "adm", "outbox", "--send", db=db, env={"BCC_SMTP": server.address}, now=later)
    finally:
        server.stop()
    assert r.returncode == 1 and r.stdout.decode() == "0 skickade, 1 misslyckad\n"
    said = r.stderr.decode().splitlines()
    assert len(said) == 1 and said[0].startswith(
        "bcc-tui: ingen avisering kunde skickas: mottagaren nekades: "
    )
    # Between its tries, one address the relay refuses is the outbox's to show: the job does not
    # fail every minute for it (only a relay it cannot reach keeps it loud).
    quiet = run_cli(
        "outbox", "--send", db=db, env={"BCC_SMTP": server.address}, now="2026-11-25T11:00:02+01:00"
    )
    assert quiet.returncode == 0 and quiet.stderr == b"", quiet.stderr


def test_without_smtp_the_outbox_waits_for_the_admin(db):
    assert run_cli("--as", "rec1", "assign", REF, "doc1", db=db).returncode == 0
    r = run_cli("--as", "adm", "outbox", db=db)
    assert r.returncode == 0 and REF in r.stdout.decode() and "doc1" in r.stdout.decode()
    assert run_cli("--as", "rec1", "outbox", db=db).returncode == 1


def test_the_mail_job_fails_loudly_when_notices_wait_and_no_smtp_is_set(db):
    """Issue 31, item 4: with BCC_SMTP commented out the mail job exited 0 every minute while the
    notices piled up. Now one line and a non-zero status (cron mails it); nothing waiting: quiet."""
    quiet = run_cli("outbox", "--send", db=db)
    assert quiet.returncode == 0 and quiet.stderr == b""
    assert run_cli("--as", "rec1", "assign", REF, "doc1", db=db).returncode == 0  # doc1 is notified
    r = run_cli("outbox", "--send", db=db)
    assert r.returncode == 1
    lines = r.stderr.decode().splitlines()
    assert len(lines) == 1 and "1 avisering väntar" in lines[0] and "BCC_SMTP" in lines[0], lines
    assert r.stdout == b""
    assert sqlite3.connect(db).execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0] == 1


def test_reminder_goes_out_like_a_notice(db, smtp):
    env = {"BCC_SMTP": smtp.address}
    assert run_cli("--as", "rec1", "assign", "1177-000003", "doc1", db=db, env=env).returncode == 0
    r = run_cli("--as", "rec2", "remind", "1177-000003", db=db, env=env)
    assert r.returncode == 0, r.stderr
    mails = smtp.wait_for(2)
    assert mails[1]["Subject"] == "Påminnelse: 1177-ärende 1177-000003 (idag)"
    listed = run_cli("--as", "doc1", "list", "--json", db=db).stdout.decode()
    assert '"last_reminded_at": "2026-11-25T09:00:00Z"' in listed
    # Nothing to remind about while there is time left; a caregiver may not remind at all.
    assert run_cli("--as", "rec1", "assign", REF, "doc1", db=db).returncode == 0
    r = run_cli("--as", "rec1", "remind", REF, db=db)
    assert r.returncode == 1 and "behöver ingen påminnelse" in r.stderr.decode()
    r = run_cli("--as", "doc1", "remind", "1177-000003", db=db)
    assert r.returncode == 1 and "ärendemottagare" in r.stderr.decode()


def test_a_command_without_a_mail_server_does_not_load_smtplib(db):
    """Every command tries the outbox on its way out; with no BCC_SMTP there is nothing to send,
    and loading smtplib (with ssl and email) cost every command about 0.01 s, 1 % of an import
    of 10,000 lines (issue 31, item 6)."""
    import subprocess
    import sys

    code = "import sys; from bcc_tui.cli import main; main(sys.argv[1:]);print('smtplib' in sys.modules)"
    env = {k: v for k, v in os.environ.items() if k not in ("BCC_SMTP", "BCC_DB")}
    env["BCC_NOW"] = "2026-11-25T10:00:00+01:00"
    lines = jsonl(errand_line("1177-000009")).decode().strip()
    r = subprocess.run(
        [sys.executable, "-c", code, "--db", str(db), "import", "-"],
        input=lines.encode(),
        capture_output=True,
        env=env,
        timeout=60,
        check=True,
    )
    assert r.stdout.decode().splitlines()[-1] == "False", r.stdout


def test_the_mail_job_stays_loud_while_the_server_is_down_between_its_tries(db):
    """A mail server that refuses connections: the first run failed with exit 1, and the next,
    with the notice waiting out its back-off, printed "0 skickade, 0 misslyckade" with exit 0, so
    cron was quiet every other minute of an outage. Its reason said "svarade inte i tid:
    anslutningen nekades", two things at once."""
    import socket

    with socket.socket() as s:  # a port nobody listens on: refused at once
        s.bind(("127.0.0.1", 0))
        down = f"127.0.0.1:{s.getsockname()[1]}"
    assert run_cli("--as", "rec1", "assign", REF, "doc1", db=db).returncode == 0
    env = {"BCC_SMTP": down}
    first = run_cli("outbox", "--send", db=db, env=env, now="2026-11-25T11:00:00+01:00")
    assert first.returncode == 1 and "anslutningen nekades" in first.stderr.decode(), first.stderr
    error = sqlite3.connect(db).execute("SELECT last_error FROM outbox").fetchone()[0]
    assert error == "kunde inte nå SMTP-servern: anslutningen nekades", error
    # Within the back-off (the first retry comes 5 s later): nothing is tried, and still it is said.
    waiting = run_cli("outbox", "--send", db=db, env=env, now="2026-11-25T11:00:02+01:00")
    said = waiting.stderr.decode().splitlines()
    assert waiting.returncode == 1 and len(said) == 1, said
    assert "1 avisering väntar efter ett misslyckat försök: kunde inte nå SMTP-servern" in said[0], said
