"""The SSH forced command (issue 18): no arguments, `open REF` or the dashboard, a terminal."""

import os
import pty
import subprocess
import sys

import pytest

from bcc_tui.cli.session import command

SESSION = [sys.executable, "-m", "bcc_tui.cli.session"]


@pytest.mark.parametrize(
    "original, expected",
    [
        (None, []),
        ("", []),
        ("open 1177-000001", ["open", "1177-000001"]),
    ],
)
def test_what_a_person_may_ask_for(original, expected):
    assert command(original) == expected


@pytest.mark.parametrize(
    "original",
    [
        "open 1177-000001\n",
        "open 1177-000001\nbash",
        "open 1177-000001 --db /tmp/x.db",
        "open ../x",
        "bash",
        "open  1177-000001",
        "open 1177-000001;id",
        "open ab",
        "open ÅÄÖ-123",
        "--as rec1",
        "list",
        "internal-sftp",
        "/usr/lib/openssh/sftp-server",
        "scp -t /tmp",
        "open -x",
        "open 1177-000001 ",
    ],
)
def test_everything_else_is_refused(original):
    assert command(original) is None


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("SUDO_USER", "BCC_DB", "SSH_ORIGINAL_COMMAND")}
    env.update(extra)
    return env


def test_without_a_terminal_the_session_refuses(tmp_path):
    r = subprocess.run(
        SESSION,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=30,
        env=_env(BCC_DB=str(tmp_path / "x.db"), SSH_ORIGINAL_COMMAND="internal-sftp"),
    )
    assert r.returncode == 1
    assert r.stderr.decode().strip() == "bcc-tui behöver en terminal; använd ssh -t"
    assert not (tmp_path / "x.db").exists()


def test_arguments_are_refused(tmp_path):
    r = subprocess.run(
        SESSION + ["--db", str(tmp_path / "x.db")], capture_output=True, timeout=30, env=_env()
    )
    assert r.returncode == 1 and b"inga argument" in r.stderr
    shell = subprocess.run(["sh", "deploy/bcc-tui-session", "x"], capture_output=True, timeout=30)
    assert shell.returncode == 1 and b"inga argument" in shell.stderr


def test_a_smuggled_command_is_refused_on_a_terminal(tmp_path):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.clear()
        os.environ.update(
            _env(
                BCC_DB=str(tmp_path / "x.db"), TERM="xterm", SSH_ORIGINAL_COMMAND="open 1177-000001\nrm -rf /"
            )
        )
        os.execv(sys.executable, SESSION)
    out = b""
    try:
        while True:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 1
    assert "bara instrumentpanelen" in out.decode()
    assert not (tmp_path / "x.db").exists()
