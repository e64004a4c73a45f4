"""The command line end to end, in real subprocesses on a temporary database (docs/routine.md 4.1)."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import STAFF, errand_line, jsonl, run_cli


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "cli.db"
    staff = tmp_path / "staff.jsonl"
    staff.write_bytes(jsonl(*STAFF))
    r = run_cli("staff", "import", str(staff), db=path)
    assert r.returncode == 0, r.stderr
    return path


def lines_of(out: bytes) -> list[dict]:
    return [json.loads(x) for x in out.decode().splitlines()]


def test_import_reports_each_broken_line_and_keeps_the_rest(db, tmp_path):
    f = tmp_path / "in.jsonl"
    f.write_bytes(
        jsonl(errand_line("1177-000001"), errand_line("1177-000002", type="nope"))
        + b"\xff\xfe not utf8\n"
        + jsonl(errand_line("1177-000004", type="synpunkter_klagomal", unit="slutenvard"))
    )
    r = run_cli("import", str(f), db=db)
    assert r.returncode == 1
    err = r.stderr.decode().splitlines()
    assert err[0].startswith(f'{f}:2: type: okänt värde "nope"')
    assert err[1].startswith(f"{f}:3: raden är inte giltig UTF-8")
    assert len(err) == 2
    assert "2 nya ärenden, 0 redan inlästa, 2 avvisade rader" in r.stdout.decode()
    again = run_cli("import", str(f), db=db)
    assert "0 nya ärenden, 2 redan inlästa, 2 avvisade rader" in again.stdout.decode()
    listed = lines_of(run_cli("--as", "rec1", "list", "--json", db=db).stdout)
    assert sorted(x["ref"] for x in listed) == ["1177-000001", "1177-000004"]


def test_acute_signs_in_list_and_show_json(db):
    """R11: `acute` keeps the matched phrases and `acute_categories` names their labels."""
    message = "Hej! Receptet tar slut. Hon har 39,1 sedan i morse och andas tungt."
    run_cli("import", "-", db=db, stdin=jsonl(errand_line("1177-000009", message=message), errand_line()))
    rows = {x["ref"]: x for x in lines_of(run_cli("--as", "rec1", "list", "--json", db=db).stdout)}
    assert next(iter(rows)) == "1177-000009"  # pinned first
    assert rows["1177-000009"]["acute"] == ["39,1", "andas tungt"]
    assert rows["1177-000009"]["acute_categories"] == ["Feber", "Andning"]
    assert (rows["1177-000001"]["acute"], rows["1177-000001"]["acute_categories"]) == ([], [])
    shown = json.loads(run_cli("--as", "rec1", "show", "1177-000009", "--json", db=db).stdout)
    assert shown["acute"] == ["39,1", "andas tungt"] and shown["acute_categories"] == ["Feber", "Andning"]
    text = run_cli("--as", "rec1", "show", "1177-000009", db=db).stdout.decode()
    assert "Akuta tecken: Feber: 39,1 · Andning: andas tungt — ring familjen och bedöm" in text
    listed = run_cli("--as", "rec1", "list", db=db).stdout.decode()
    assert "AKUT: Feber: 39,1 · Andning: andas tungt" in listed


def test_import_from_stdin_and_empty_input(db):
    r = run_cli("import", "-", db=db, stdin=jsonl(errand_line()), subprocess=True)  # smoke: a real process
    assert r.returncode == 0 and "1 nytt ärende" in r.stdout.decode()
    r = run_cli("import", "-", db=db, stdin=b"")
    assert (
        r.returncode == 1
        and r.stderr.decode().strip() == "bcc-tui: stdin: filen är tom: inga rader att läsa in"
    )
    r = run_cli("import", "/no/such/file", db=db)
    assert r.returncode == 1 and "finns inte" in r.stderr.decode()


def test_list_json_contract(db):
    run_cli(
        "import",
        "-",
        db=db,
        stdin=jsonl(
            errand_line("1177-000001"),
            errand_line("1177-000002", received_at="2026-11-20T09:00:00+01:00"),
            errand_line("1177-000003", type="synpunkter_klagomal", urgent=True),
        ),
    )
    rows = {x["ref"]: x for x in lines_of(run_cli("--as", "rec1", "list", "--json", db=db).stdout)}
    one = rows["1177-000001"]
    assert one == {
        "ref": "1177-000001",
        "type": "fornya_recept",
        "unit": "oppenvard",
        "status": "unassigned",
        "assignee": None,
        "received_at": "2026-11-25T07:14:00Z",
        "due_date": "2026-11-27",
        "partial_reply_sent": False,
        "urgent": False,
        "suggested_assignee": None,
        "suggestion_reason": None,
        "sla": "ok",
        "sla_text": "2 vd kvar",
        "last_reminded_at": None,
        "acute": [],
        "acute_categories": [],
        "acute_handled": False,
        "proxy_for_older_child": False,
        "followup_date": None,
        "assignee_absent": False,
        "handover_remark": None,
        "version": 1,
    }
    assert rows["1177-000002"]["sla"] == "overdue" and rows["1177-000002"]["due_date"] == "2026-11-24"
    c = rows["1177-000003"]
    assert (c["partial_reply_sent"], c["urgent"], c["sla"], c["suggested_assignee"]) == (
        True,
        True,
        "met",
        "lead",
    )
    # The most pressing first.
    assert next(iter(rows)) == "1177-000003"


def test_the_whole_flow(db):
    run_cli("import", "-", db=db, stdin=jsonl(*(errand_line(f"1177-00000{i}") for i in range(1, 5))))
    ok = lambda *a: run_cli("--as", *a, db=db)  # noqa: E731
    r = ok("rec1", "assign", "1177-000001", "doc1")
    assert r.returncode == 0, r.stderr
    r = ok("rec2", "assign", "1177-000001", "doc2")
    assert r.returncode == 1
    assert (
        r.stderr.decode().strip()
        == "bcc-tui: 1177-000001 är redan fördelat till Doris Doktor (doc1); använd --reassign för att omfördela"
    )
    assert ok("rec2", "assign", "--reassign", "1177-000001", "doc2").returncode == 0
    assert ok("doc2", "partial-reply", "1177-000001", "--text", "Vi tittar på det.").returncode == 0
    assert ok("doc2", "note", "1177-000001", "--text", "Ringt mamma.").returncode == 0
    assert ok("doc2", "reply", "1177-000001", "--text", "Receptet är förnyat.").returncode == 0
    assert (
        ok("rec1", "close", "1177-000002", "--reason", "Besvarat per telefon", "--documented").returncode == 0
    )
    assert ok("rec1", "urgent", "1177-000003").returncode == 0
    r = ok("rec1", "close", "1177-000004", "--reason", "")
    assert r.returncode == 1 and "Orsak saknas" in r.stderr.decode()
    status = {x["ref"]: x for x in lines_of(ok("rec1", "list", "--json").stdout)}
    assert status["1177-000001"]["status"] == "closed" and status["1177-000001"]["sla"] == "met"
    assert status["1177-000002"]["status"] == "closed"
    assert status["1177-000003"]["urgent"] is True
    assert status["1177-000004"]["status"] == "unassigned"
    closed = lines_of(ok("rec1", "list", "--status", "closed", "--json").stdout)
    assert {x["ref"] for x in closed} == {"1177-000001", "1177-000002"}
    shown = json.loads(ok("rec1", "show", "1177-000001", "--json").stdout)
    assert [e["kind"] for e in shown["events"]] == ["assign", "reassign", "partial_reply", "note", "reply"]
    text = ok("rec1", "show", "1177-000001").stdout.decode()
    assert "Elsa Andersson" in text and "Omfördelat av Rolf Receiver → Dag Doktor (doc2)" in text
    r = ok("doc1", "reply", "1177-000001", "--text", "igen")  # moved on unanswered: no longer doc1's to see
    assert r.returncode == 1 and "ärendet 1177-000001 finns inte eller får inte visas" in r.stderr.decode()
    r = ok("doc2", "note", "1177-000001", "--text", "efteråt")  # answered by doc2: still doc2's
    assert r.returncode == 0, r.stderr


def test_show_prints_patient_text_without_escape_sequences(db):
    run_cli(
        "import", "-", db=db, stdin=jsonl(errand_line(message="Hej\x1b]52;c;ZXZpbA==\x07 \x1b[2J slut\u202e"))
    )
    out = run_cli("--as", "rec1", "show", "1177-000001", db=db, subprocess=True).stdout.decode()
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "Hej]52;c;ZXZpbA== [2J slut" in out


def test_exit_codes(db):
    assert run_cli("--as", "rec1", "assign", db=db, subprocess=True).returncode == 2  # usage
    assert run_cli("frobnicate", db=db).returncode == 2
    r = run_cli("--as", "rec1", "assign", "1177-404", "doc1", db=db)
    assert (
        r.returncode == 1
        and r.stderr.decode().strip() == "bcc-tui: ärendet 1177-404 finns inte eller får inte visas"
    )
    r = run_cli("--as", "nobody", "list", db=db, subprocess=True)
    assert r.returncode == 1 and "finns inte i personallistan" in r.stderr.decode()
    r = run_cli("--as", "gone", "list", db=db)
    assert r.returncode == 1 and "inte längre aktiv" in r.stderr.decode()
    r = run_cli("list", db=db)  # the owner with no staff record is the system: reads no errands
    assert r.returncode == 1 and "systemkontot" in r.stderr.decode()
    r = run_cli("--as", "rec1", "list", db=db.parent / "missing.db")
    assert r.returncode == 1 and "finns inte" in r.stderr.decode()
    r = run_cli("--as", "doc1", "import", "-", db=db, stdin=jsonl(errand_line()))
    assert r.returncode == 1 and "får inte" in r.stderr.decode()


def test_sudo_user_is_the_person_and_as_is_refused(db):
    run_cli("import", "-", db=db, stdin=jsonl(errand_line()))
    sudo = {"SUDO_USER": "doc1", "SUDO_UID": "1000", "BCC_DB": str(db)}  # the wrapper sets BCC_DB
    r = run_cli("list", "--json", env=sudo)
    assert r.returncode == 0 and r.stdout == b""  # doc1 has nothing assigned
    r = run_cli("--as", "rec1", "list", env=sudo)
    assert r.returncode == 1 and "--as är inte tillåtet via sudo" in r.stderr.decode()
    r = run_cli("list", db=db, env=sudo)  # the command line cannot choose the database
    assert r.returncode == 1 and r.stderr.decode().startswith("bcc-tui: --db är inte tillåtet via sudo")


def test_staff_and_schedule_import(db, tmp_path):
    f = tmp_path / "s.jsonl"
    f.write_bytes(
        jsonl(
            {"date": "2026-11-25", "receiver": "rec1", "outpatient_doctors": ["doc1", "doc2"]},
            {"date": "2026-11-26", "receiver": "doc1"},
            {"absent": "doc1", "from": "2026-11-25", "to": "2026-11-27", "reason": "Semester"},
            {"absent": "ghost", "from": "2026-11-25", "to": "2026-11-27"},
        )
    )
    r = run_cli("schedule", "import", str(f), db=db)
    assert r.returncode == 1
    err = r.stderr.decode()
    assert f"{f}:2: receiver: doc1 är inte ärendemottagare" in err
    assert f"{f}:4: absent: ghost finns inte i personallistan" in err
    assert "2 nya, 0 ändrade, 0 oförändrade, 2 avvisade" in r.stdout.decode()
    # Importing staff again changes only the named fields.
    g = tmp_path / "st.jsonl"
    g.write_bytes(
        jsonl({"username": "doc1", "name": "Doris Doktor", "title": "läkare", "roles": ["caregiver"]})
    )
    r = run_cli("staff", "import", str(g), db=db)
    assert "0 nya, 0 ändrade, 1 oförändrad" in r.stdout.decode()
    import sqlite3

    conn = sqlite3.connect(db)
    assert conn.execute("SELECT email, email_notify FROM staff WHERE username='doc1'").fetchone() == (
        "doc1@example.se",
        1,
    )


def test_bad_bcc_now_is_one_clear_line(db):
    r = run_cli("--as", "rec1", "list", db=db, now="tomorrow")
    assert r.returncode == 1 and "BCC_NOW" in r.stderr.decode() and "Traceback" not in r.stderr.decode()


def test_python_dash_m_and_console_script_agree(db):
    import shutil
    import subprocess
    import sys

    exe = shutil.which("bcc-tui", path=os.path.dirname(sys.executable))
    assert exe, "the console script is installed beside the interpreter"
    r = subprocess.run([exe, "--help"], capture_output=True)
    assert r.returncode == 0 and b"demo" in r.stdout


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to give the file to another owner")
def test_a_process_that_does_not_own_the_file_acts_as_its_account(tmp_path):
    """docs/routine.md 4.3: a process that is not the file's owner is its OS account, never $USER; --as is refused."""
    import pwd
    import sqlite3

    db = tmp_path / "bcc.db"
    staff = STAFF + [
        {"username": "root", "name": "Rut Root", "title": "medicinsk sekreterare", "roles": ["receiver"]}
    ]
    assert run_cli("staff", "import", "-", db=db, stdin=jsonl(*staff)).returncode == 0
    assert run_cli("import", "-", db=db, stdin=jsonl(errand_line())).returncode == 0
    # Give the file to another account: this process (root) is now "anyone else".
    nobody = pwd.getpwnam("nobody").pw_uid
    for f in tmp_path.iterdir():
        os.chown(f, nobody, -1)
    env = {"USER": "rec1", "LOGNAME": "rec1"}
    r = run_cli("--as", "rec1", "list", db=db, env=env, now=None)
    assert r.returncode == 1 and "--as är bara tillåtet för databasens ägare; du är root" in r.stderr.decode()
    r = run_cli("list", "--json", db=db, env=env, now=None)
    assert r.returncode == 0 and b"1177-000001" in r.stdout
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT actor FROM audit WHERE action = 'list'").fetchall()[-1][0] == "root"
    assert ("root", "refused") in conn.execute(
        "SELECT actor, outcome FROM audit WHERE action = 'login'"
    ).fetchall()
    # BCC_NOW is honoured only for the file's owner: this process keeps the real clock.
    r = run_cli("list", db=db, env=env, now="2001-01-01T00:00:00Z")
    assert r.returncode == 0
    assert conn.execute("SELECT at FROM audit ORDER BY id DESC LIMIT 1").fetchone()[0] > "2026"


# Python started with SIGINT at its default, then the program's own arguments, as `python -m`.
AT_ITS_DEFAULT = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])"
)


def test_ctrl_c_in_a_long_import_says_how_far_it_came_and_a_new_run_does_the_rest(db, tmp_path):
    """A hostile trial: ctrl+c part way through an import of 5,000 lines left 2,000 errands, no
    word on the terminal (or, at some moments, the second process's traceback) and no audit row.
    The batches written stay; the person and the log are told how far it came."""
    n = 16_000  # eight batches: ctrl+c comes once the first is written
    data = tmp_path / "big.jsonl"
    data.write_bytes(jsonl(*(errand_line(f"1177-{i:06d}") for i in range(n))))
    env = {k: v for k, v in os.environ.items() if k not in ("BCC_DB", "SUDO_USER", "SUDO_UID")}
    env["BCC_NOW"] = "2026-11-25T10:00:00+01:00"
    # Its own process group, as a command typed at a terminal: ctrl+c reaches the helper too. And
    # ctrl+c at its default, as a terminal's shell starts a command: a test runner started with
    # SIGINT ignored (a script's background job, nohup) passes that on, and the import rightly
    # keeps an ignored ctrl+c ignored; three loaded runs of the suite, started so, failed here.
    p = subprocess.Popen(
        [sys.executable, "-c", AT_ITS_DEFAULT, "-m", "bcc_tui", "--db", str(db), "import", str(data)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    conn = sqlite3.connect(db, timeout=30)  # the command's own start may hold the file a moment
    t0 = time.monotonic()
    seen = []  # (seconds, errands, the import's exit status): said if the ctrl+c came too late
    for _ in range(3000):
        count = conn.execute("SELECT count(*) FROM errands").fetchone()[0]
        seen.append((round(time.monotonic() - t0, 3), count, p.poll()))
        if count:
            break
        time.sleep(0.01)
    os.killpg(p.pid, signal.SIGINT)
    out, err = p.communicate(timeout=60)
    kept = conn.execute("SELECT count(*) FROM errands").fetchone()[0]
    said = err.decode().splitlines()
    assert p.returncode == 130, (err.decode()[-2000:], out.decode()[-300:], kept, seen[:2], seen[-3:])
    assert 0 < kept < n
    assert said == [
        f"bcc-tui: importen avbröts: {kept} nya, 0 redan inlästa, 0 avvisade före avbrottet, resten inte "
        "inläst; kör samma import igen för resten (det redan inlästa hoppas över)"
    ]
    detail = conn.execute("SELECT detail FROM audit WHERE action = 'import' ORDER BY id DESC").fetchone()[0]
    assert detail == f"avbruten: {kept} nya, 0 redan inlästa, 0 avvisade; resten inte inläst"
    again = run_cli("import", str(data), db=db)
    assert again.returncode == 0, again.stderr
    assert f"{kept} redan inlästa" in again.stdout.decode()
    assert conn.execute("SELECT count(*) FROM errands").fetchone()[0] == n


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text(encoding="ascii", errors="replace")
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (
            Path(f"/proc/{pid}/stat")
            .read_text(encoding="ascii", errors="replace")
            .rsplit(")", 1)[1]
            .split()[0]
        )
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc")
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP, "nohup"])
def test_an_import_killed_takes_its_helper_with_it(db, tmp_path, signum):
    """An attacker's trial: an import killed (SIGKILL, SIGTERM, SIGHUP) left its helper process
    blocked on a pipe for good, holding the database and the intake file open; SIGTERM ended the
    import with no line. Now the helper ends with it, and SIGTERM stops it as ctrl+c does."""
    n = 6_000  # three batches: the signal comes once the first is written
    data = tmp_path / "big.jsonl"
    data.write_bytes(jsonl(*(errand_line(f"1177-{i:06d}") for i in range(n))))
    env = {k: v for k, v in os.environ.items() if k not in ("BCC_DB", "SUDO_USER", "SUDO_UID")}
    env["BCC_NOW"] = "2026-11-25T10:00:00+01:00"
    nohup = signum == "nohup"  # started under nohup: a closed terminal must not stop it (a review)
    p = subprocess.Popen(
        [
            *(["nohup"] if nohup else []),
            sys.executable,
            "-m",
            "bcc_tui",
            "--db",
            str(db),
            "import",
            str(data),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    conn = sqlite3.connect(db, timeout=30)
    helpers: list[int] = []
    for _ in range(3000):
        helpers = helpers or _children(p.pid)
        if helpers and conn.execute("SELECT count(*) FROM errands").fetchone()[0]:
            break
        time.sleep(0.01)
    assert helpers, "no helper started"
    p.send_signal(signal.SIGHUP if nohup else signum)  # the import alone, not its process group
    _, err = p.communicate(timeout=60)
    if nohup:
        assert p.returncode == 0, err.decode()[-2000:]
        assert conn.execute("SELECT count(*) FROM errands").fetchone()[0] == n
        return
    deadline = time.monotonic() + 10
    while any(_alive(h) for h in helpers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(h) for h in helpers)
    if signum in (signal.SIGTERM, signal.SIGHUP):
        assert err.decode().startswith("bcc-tui: importen avbröts: "), err.decode()[-2000:]
        assert p.returncode != 0


@pytest.mark.parametrize("source", ["file", "stdin"])
def test_an_input_of_more_lines_than_the_cap_is_refused_before_it_fills_the_memory(db, tmp_path, source):
    """An attacker's trial: 60 MB of `{}` (20 million lines, under the 100 MB cap) took 5 GB of
    memory and two minutes to be refused line by line; stdin reached 1.9 GB before its size cap."""
    from bcc_tui.services.inbox import MAX_LINES

    data = tmp_path / "many.jsonl"
    data.write_bytes(b"{}\n" * (MAX_LINES + 1))
    if source == "file":
        r = run_cli("import", str(data), db=db)
        name = str(data)
    else:
        r = run_cli("import", "-", db=db, stdin=data.read_bytes())
        name = "stdin"
    assert r.returncode == 1
    assert r.stderr.decode().splitlines() == [
        f"bcc-tui: {name} har fler än 1 000 000 rader, gränsen för en fil; inget lästes in; dela filen"
    ]
    assert sqlite3.connect(db).execute("SELECT count(*) FROM errands").fetchone()[0] == 0


def test_a_file_of_many_bad_lines_names_the_first_thousand_and_counts_the_rest(db, tmp_path):
    """A hostile trial: 99 MB of `{}` wrote 34.6 million lines to the terminal. Duplicated keys
    in a line are refused too: json kept the last value without a word."""
    data = tmp_path / "bad.jsonl"
    twice = json.dumps(errand_line("1177-000001"))[:-1] + ', "ref": "1177-000002"}'
    data.write_text(twice + "\n" + "{}\n" * 1500, encoding="utf-8")
    r = run_cli("import", str(data), db=db)
    said = r.stderr.decode().splitlines()
    assert r.returncode == 1
    assert said[0] == f'{data}:1: ogiltig JSON (fältet "ref" finns två gånger)'
    assert len(said) == 1001  # the first thousand, then the count of the rest
    assert said[1000] == f"{data}: och 501 avvisade rader till"
    assert r.stdout.decode().strip() == "0 nya ärenden, 0 redan inlästa, 1501 avvisade rader"
    assert sqlite3.connect(db).execute("SELECT count(*) FROM errands").fetchone()[0] == 0


@pytest.mark.parametrize("argv", [("schedule", "import", "-"), ("--as", "adm", "patients", "import", "-")])
def test_a_schedule_or_care_teams_for_a_database_that_is_not_there_makes_none(tmp_path, argv):
    """A mistyped --db: the schedule's import made a new, empty database there and refused every
    line (it names staff the new file did not have). Now it says the database is not there."""
    path = tmp_path / "mistyped.db"
    r = run_cli(*argv, db=path, stdin=b'{"date": "2026-11-25", "receiver": "rec1"}\n')
    assert r.returncode == 1 and "finns inte" in r.stderr.decode() and not path.exists(), r.stderr
