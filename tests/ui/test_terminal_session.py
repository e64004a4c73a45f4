"""The dashboard as SSH runs it (issue 18): a terminal or nothing; gone when the terminal goes;
quiet when idle; drawn with what the terminal's encoding can show."""

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time

import pytest

from tests.conftest import STAFF, errand_line, jsonl, run_cli

NEEDS = "bcc-tui behöver en terminal; använd ssh -t"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("session") / "bcc.db"
    assert run_cli("staff", "import", "-", db=path, stdin=jsonl(*STAFF)).returncode == 0
    lines = [errand_line(f"1177-{i:06d}") for i in range(1, 30)]
    assert run_cli("import", "-", db=path, stdin=jsonl(*lines)).returncode == 0
    return path


def start(db, *args, env=None):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(TERM="xterm-256color", BCC_NOW="2026-11-25T10:00:00+01:00", **(env or {}))
        os.environ.pop("SUDO_USER", None)
        os.execv(sys.executable, [sys.executable, "-m", "bcc_tui", "--db", str(db), "--as", "rec1", *args])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    return pid, fd


def read_until(fd, predicate, timeout=30.0) -> bytes:
    out = b""
    end = time.monotonic() + timeout
    while time.monotonic() < end and not predicate(out):
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    return out


def read_for(fd, seconds) -> bytes:
    end = time.monotonic() + seconds
    return read_until(fd, lambda _: time.monotonic() >= end, timeout=seconds + 1)


def exited(pid, timeout) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            return True
        time.sleep(0.02)
    return False


def stop(pid, fd):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    try:
        os.close(fd)
    except OSError:
        pass


def until_drawn(fd) -> bytes:
    # The first frame shows the panes with their rows.
    return read_until(fd, lambda out: b"1177-000001" in out and b"Avslutade" in out)


@pytest.mark.parametrize("how", ["close", "SIGHUP", "SIGTERM"])
def test_the_dashboard_is_gone_soon_after_its_terminal(db, how):
    pid, fd = start(db)
    try:
        assert b"1177-000001" in until_drawn(fd)
        if how == "close":
            os.close(fd)  # the SSH client went away: the server side's terminal is hung up
        else:
            os.kill(pid, getattr(signal, how))
        assert exited(pid, 3.0), f"still running after {how}"
    finally:
        stop(pid, fd)


def test_an_idle_dashboard_writes_nothing(db):
    pid, fd = start(db)
    try:
        until_drawn(fd)
        read_for(fd, 1.5)  # the first frame's late parts
        idle = read_for(fd, 5.0)
        assert len(idle) < 100, idle[:400]
    finally:
        stop(pid, fd)


def test_a_latin1_terminal_gets_characters_it_can_show(db):
    pid, fd = start(db, env={"PYTHONIOENCODING": "latin-1", "LC_ALL": "C"})
    try:
        out = until_drawn(fd)
    finally:
        stop(pid, fd)
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
    pid, fd = start(path)
    try:
        assert b"1177-000001" in until_drawn(fd)
        gone = [dict(p, active=False) if p["username"] == "rec1" else p for p in STAFF]
        assert run_cli("staff", "import", "-", db=path, stdin=jsonl(*gone)).returncode == 0
        out = read_until(fd, lambda o: "inte längre aktiv".encode() in o, timeout=15)
        assert "inte längre aktiv".encode() in out
        assert exited(pid, 5.0)
    finally:
        stop(pid, fd)
