"""The dashboard as SSH runs it (issue 18): a terminal or nothing; gone when the terminal goes;
quiet when idle; drawn with what the terminal's encoding can show."""

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import STAFF, errand_line, jsonl, run_cli
from tests.pty_session import PtySession

NEEDS = "bcc-tui behöver en terminal; använd ssh -t"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("session") / "bcc.db"
    assert run_cli("staff", "import", "-", db=path, stdin=jsonl(*STAFF)).returncode == 0
    lines = [errand_line(f"1177-{i:06d}") for i in range(1, 30)]
    assert run_cli("import", "-", db=path, stdin=jsonl(*lines)).returncode == 0
    return path


def start(db, *args, env=None) -> PtySession:
    return PtySession(["--db", str(db), "--as", "rec1", *args], env=env)


def until_drawn(app: PtySession) -> bytes:
    # The first frame shows the panes with their rows.
    app.wait_for(b"1177-000001", b"Avslutade")
    return bytes(app.output)


@pytest.mark.parametrize("ignored", [False, True], ids=["hangup-default", "hangup-ignored"])
@pytest.mark.parametrize("how", ["close", "SIGHUP", "SIGTERM"])
def test_the_dashboard_is_gone_soon_after_its_terminal(db, how, ignored):
    """Also when started with hangups ignored (nohup): without its terminal it could only linger."""
    with PtySession(["--db", str(db), "--as", "rec1"], hangup_ignored=ignored) as app:
        assert b"1177-000001" in until_drawn(app)
        if how == "close":
            app.hang_up()  # the SSH client went away: the server side's terminal is hung up
        else:
            app.kill(getattr(signal, how))
        # Soon: a hung process would never end; 10 s leaves room for a busy machine's scheduling.
        assert app.wait_exit(10.0) is not None, f"still running after {how}"


def test_an_administrators_dashboard_is_gone_soon_after_its_terminal_under_nohup(db):
    """An administrator's screen (no panes) was left out of the hangup's handling: started with
    hangups ignored, it outlived its terminal."""
    with PtySession(["--db", str(db), "--as", "adm"], hangup_ignored=True) as app:
        assert app.wait_for("Ärendetyper".encode()), bytes(app.output[-800:])
        app.hang_up()
        assert app.wait_exit(10.0) is not None, "still running after its terminal went"


def test_a_dashboard_never_told_of_the_hangup_does_not_spin(db):
    """Where SIGHUP cannot reach the program, its terminal reads as ended at once and for ever:
    the input thread went round that end as fast as it could, a core per lost session."""
    with PtySession(["--db", str(db), "--as", "rec1"], hangup_blocked=True) as app:
        assert b"1177-000001" in until_drawn(app)
        app.hang_up()
        time.sleep(1.0)
        with open(f"/proc/{app.pid}/stat", encoding="ascii") as f:
            before = sum(int(v) for v in f.read().rsplit(")", 1)[1].split()[11:13])
        time.sleep(2.0)
        with open(f"/proc/{app.pid}/stat", encoding="ascii") as f:
            after = sum(int(v) for v in f.read().rsplit(")", 1)[1].split()[11:13])
        # Clock ticks (100 a second): a spinning thread would use about 200 in these two seconds.
        assert after - before < 50, f"{after - before} ticks of CPU in 2 s after the hangup"


def test_an_idle_dashboard_writes_nothing(db):
    with start(db) as app:
        until_drawn(app)
        # The first frame's late parts: whatever comes until the screen has been still a while.
        assert app.read_quiet(1.0, timeout=30)
        # Anything periodic (a clock, a blink, a redraw per poll) would write within this window.
        idle = app.read_for(3.0)
        assert len(idle) < 100, idle[:400]


def test_a_latin1_terminal_gets_characters_it_can_show(db):
    with start(db, env={"PYTHONIOENCODING": "latin-1", "LC_ALL": "C"}) as app:
        out = until_drawn(app)
    assert b"1177-000001" in out
    assert b"\\u25" not in out and b"\\u" not in out  # no escaped box drawing
    assert b"Of\xf6rdelade" in out  # Swedish letters in Latin-1
    out.decode("latin-1")


@pytest.mark.parametrize("args", [[], ["open", "1177-000001"], ["demo"]])
@pytest.mark.parametrize("stdin", ["pipe", "devnull"])
def test_without_a_terminal_the_dashboard_refuses_in_one_line(db, tmp_path, args, stdin):
    env = {k: v for k, v in os.environ.items() if k not in ("SUDO_USER", "BCC_DB")}
    argv = [sys.executable, "-m", "bcc_tui"]
    if args != ["demo"]:
        argv += ["--db", str(db), "--as", "rec1"]
    started = time.monotonic()
    kwargs = {"input": b""} if stdin == "pipe" else {"stdin": subprocess.DEVNULL}
    proc = subprocess.run(argv + args, capture_output=True, env=env, timeout=30, **kwargs)
    assert proc.returncode == 1
    assert proc.stderr.decode().strip() == NEEDS
    assert proc.stdout == b""
    assert time.monotonic() - started < 20


def test_demo_without_ui_needs_no_terminal(tmp_path):
    proc = run_cli("demo", "--db", str(tmp_path / "demo.db"), "--no-ui")
    assert proc.returncode == 0, proc.stderr
    assert b"Demodatabasen finns i" in proc.stdout


@pytest.mark.parametrize(
    "env",
    [
        {"PYTHONIOENCODING": "latin-1"},
        {"PYTHONIOENCODING": "ascii"},
        {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": "ascii:strict"},
    ],
)
def test_list_and_show_replace_what_the_output_cannot_encode(db, env):
    for args in (["--as", "rec1", "list"], ["--as", "rec1", "show", "1177-000001"]):
        proc = run_cli(*args, db=db, env=env)
        assert proc.returncode == 0, proc.stderr
        assert b"Traceback" not in proc.stderr
        assert b"1177-000001" in proc.stdout
        text = proc.stdout.decode("latin-1")
        assert ("Förnya" in text) if env["PYTHONIOENCODING"] == "latin-1" else ("F?rnya" in text)


def test_a_deactivated_persons_dashboard_ends_in_its_terminal(tmp_path):
    path = tmp_path / "off.db"
    assert run_cli("staff", "import", "-", db=path, stdin=jsonl(*STAFF)).returncode == 0
    assert run_cli("import", "-", db=path, stdin=jsonl(errand_line("1177-000001"))).returncode == 0
    with start(path) as app:
        assert b"1177-000001" in until_drawn(app)
        gone = [dict(p, active=False) if p["username"] == "rec1" else p for p in STAFF]
        assert run_cli("staff", "import", "-", db=path, stdin=jsonl(*gone)).returncode == 0
        assert app.wait_for("inte längre aktiv".encode(), timeout=30)
        assert app.wait_exit(30) is not None
