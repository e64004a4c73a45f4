"""The real dashboard in a real pseudo-terminal: no escape sequence or markup action from patient
text reaches the terminal (issue 8)."""

import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time

from tests.conftest import STAFF, errand_line, jsonl, run_cli

HOSTILE = (
    "START [@click=app.quit]klicka[/] [link=https://evil.example]länk[/link] [bold]fet "
    "\x1b]52;c;ZXZpbA==\x07 \x1b]8;;https://evil.example\x1b\\osc8\x1b]8;;\x1b\\ "
    "\x1b]0;kapad-titel\x07 \x1b[2Jrensa \x9b31mc1 \u202ebidi\u202c [obalanserad SLUT"
)


def read_for(fd: int, seconds: float) -> bytes:
    out = b""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
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


def test_hostile_text_never_reaches_the_terminal(tmp_path):
    db = tmp_path / "pty.db"
    assert run_cli("staff", "import", "-", db=db, stdin=jsonl(*STAFF)).returncode == 0
    line = errand_line(
        "1177-000666",
        message=HOSTILE,
        subject="\x1b]0;titel\x07[@click=app.quit]Ämne",
        patient={"name": "\x1b[31mElsa\u202e [b]Andersson[/b]", "personnummer": "20150315-1233"},
    )
    assert run_cli("import", "-", db=db, stdin=jsonl(line)).returncode == 0

    pid, fd = pty.fork()
    if pid == 0:  # the child: the real program, as a person would start it
        os.environ.update(TERM="xterm-256color", COLORTERM="truecolor", BCC_NOW="2026-11-25T10:00:00+01:00")
        os.environ.pop("SUDO_USER", None)
        os.execv(
            sys.executable,
            [sys.executable, "-m", "bcc_tui", "--db", str(db), "--as", "rec1", "open", "1177-000666"],
        )
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))
    try:
        output = read_for(fd, 6.0)
        still_running = os.waitpid(pid, os.WNOHANG) == (0, 0)
        os.write(fd, b"q")
        output += read_for(fd, 3.0)
    finally:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        os.close(fd)
    text = output.decode("utf-8", "replace")
    assert still_running, "the app must not have quit by itself"
    assert "START" in text and "SLUT" in text, "the hostile errand was shown"
    # Markup stays literal.
    assert "[@click=app.quit]klicka[/]" in text and "[link=https://evil.example]länk[/link]" in text
    # None of the patient's sequences reached the terminal.
    for seq in (
        b"\x1b]52;",
        b"\x1b]8;;https://evil",
        b"\x1b]0;kapad",
        b"\x1b]0;titel",
        b"\x1b[2Jrensa",
        b"\xc2\x9b",
        "\u202e".encode(),
        "\u202c".encode(),
        b"\x1b[31mElsa",
    ):
        assert seq not in output, seq


def test_a_dropped_terminal_keeps_the_text_typed_just_now(tmp_path):
    """R21: the terminal (an SSH connection) goes away a moment after the last key, before the
    debounced save: the hangup still keeps the draft."""
    import sqlite3

    db = tmp_path / "hup.db"
    assert run_cli("staff", "import", "-", db=db, stdin=jsonl(*STAFF)).returncode == 0
    assert run_cli("import", "-", db=db, stdin=jsonl(errand_line("1177-000777"))).returncode == 0
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(TERM="xterm-256color", BCC_NOW="2026-11-25T10:00:00+01:00")
        os.environ.pop("SUDO_USER", None)
        os.execv(
            sys.executable,
            [sys.executable, "-m", "bcc_tui", "--db", str(db), "--as", "rec1", "open", "1177-000777"],
        )
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    try:
        read_for(fd, 4.0)
        os.write(fd, b"n")
        read_for(fd, 1.0)
        os.write(fd, b"Ringde mamma kl 10")
        read_for(fd, 0.15)
        os.kill(pid, signal.SIGHUP)  # what the terminal's going away sends
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and os.waitpid(pid, os.WNOHANG) == (0, 0):
            read_for(fd, 0.1)
    finally:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        os.close(fd)
    rows = sqlite3.connect(db).execute("SELECT username, form, fields FROM drafts").fetchall()
    assert rows == [("rec1", "note", '{"text": "Ringde mamma kl 10"}')]
