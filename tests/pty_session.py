"""The real program in a real pseudo-terminal: one helper for every terminal test.

`PtySession` starts `python -m bcc_tui ARGS` as a person's terminal would, keeps everything the
program writes, and waits on conditions (a text on screen, the program's end) rather than for
fixed times, so that a busy machine makes a test slower, never wrong.

The dashboard writes only the cells that changed (issue 31: a count going from 10 to 0 is one
character), so a text on screen need not be in the bytes in one piece: `Screen` plays the bytes
as a terminal would (cursor moves and characters; colours are dropped) and `wait_for` looks for
a text in what is written and on the screen it makes.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from collections.abc import Callable

from rich.cells import cell_len

# The child's environment: a colour terminal, the frozen clock of the tests, and none of the
# caller's settings that would point the program at another database, person or mail server.
BASE_ENV = {"TERM": "xterm-256color", "COLORTERM": "truecolor", "BCC_NOW": "2026-11-25T10:00:00+01:00"}
DROPPED = ("SUDO_USER", "BCC_DB", "BCC_SMTP", "COLUMNS", "LINES")


# What a terminal does with the program's bytes, as far as the text on it goes: CSI sequences
# (a cursor move, "H", is the one that places text; colours and modes change none), OSC and other
# escapes, and the characters between them.
_ESCAPE = (
    rb"\x1b\[([0-9;?<>=]*)([ -/]*)([@-~])"  # CSI
    rb"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC
    rb"|\x1b[^\[\]]"  # another escape
)
_ESCAPES = re.compile(_ESCAPE)
_TOKENS = re.compile(_ESCAPE + rb"|([\r\n])|([^\x1b\r\n]+)")


class Screen:
    """The text a terminal shows after the bytes fed so far (no colours)."""

    def __init__(self, rows: int, cols: int) -> None:
        self.rows, self.cols = rows, cols
        self.cells = [[" "] * cols for _ in range(rows)]
        self.y = self.x = 0
        self.top, self.bottom = 0, rows - 1  # the scrolling region (DECSTBM)
        self._rest = b""

    def feed(self, data: bytes) -> None:
        data, self._rest = self._rest + data, b""
        cut = data.rfind(b"\x1b")
        if cut >= 0 and _ESCAPES.match(data, cut) is None and len(data) - cut < 4096:
            data, self._rest = data[:cut], data[cut:]  # an escape cut by this read: the rest comes next
        for back in range(1, min(4, len(data)) + 1):  # a character cut by this read, likewise
            byte = data[-back]
            if byte < 0x80 or byte >= 0xC0:
                if byte >= 0xC0 and back < (2 if byte < 0xE0 else 3 if byte < 0xF0 else 4):
                    data, self._rest = data[:-back], data[-back:] + self._rest
                break
        for m in _TOKENS.finditer(data):
            if m.group(3) == b"H":
                parts = [int(p) if p.isdigit() else 1 for p in m.group(1).split(b";")] + [1, 1]
                self.y, self.x = min(parts[0], self.rows) - 1, min(parts[1], self.cols) - 1
            elif m.group(3) == b"r" and not m.group(2):  # the scrolling region; the cursor home
                parts = [int(p) for p in m.group(1).split(b";") if p.isdigit()]
                top, bottom = (parts + [1, self.rows])[:2] if len(parts) != 1 else (parts[0], self.rows)
                self.top, self.bottom = max(0, top - 1), min(self.rows, bottom) - 1
                self.y = self.x = 0
            elif m.group(3) in (b"L", b"M") and self.top <= self.y <= self.bottom:
                n = int(m.group(1)) if m.group(1).isdigit() else 1
                region = self.cells[self.y : self.bottom + 1]
                blank = [[" "] * self.cols for _ in range(min(n, len(region)))]
                moved = (
                    blank + region[: len(region) - len(blank)]
                    if m.group(3) == b"L"
                    else region[len(blank) :] + blank
                )
                self.cells[self.y : self.bottom + 1] = moved
                self.x = 0
            elif m.group(4) == b"\r":
                self.x = 0
            elif m.group(4) == b"\n":
                self.y = min(self.y + 1, self.rows - 1)
            elif m.group(5) is not None:
                self._put(m.group(5).decode("utf-8", "replace"))

    def _put(self, text: str) -> None:
        for char in text:
            width = cell_len(char)
            if width == 0:
                continue
            if self.x + width <= self.cols:
                self.cells[self.y][self.x] = char
                if width == 2 and self.x + 1 < self.cols:
                    self.cells[self.y][self.x + 1] = ""
            self.x = min(self.x + width, self.cols)

    def text(self) -> str:
        return "\n".join("".join(line) for line in self.cells)


class PtySession:
    def __init__(
        self,
        argv: list[str],
        env: dict[str, str] | None = None,
        size: tuple[int, int] = (24, 80),
        hangup_ignored: bool = False,
        hangup_blocked: bool = False,
    ):
        """`hangup_ignored`: the program starts with SIGHUP ignored, as under nohup; otherwise with
        its default, whatever the test runner was started with (a suite run under nohup passed
        its ignored SIGHUP on to every program it started). `hangup_blocked`: SIGHUP never
        reaches the program at all (blocked in every thread), whatever it does about it."""
        self.output = bytearray()
        self.status: int | None = None  # the exit code, once the child has been reaped
        # An explicit environment: the process's C-level one can hold what no test set (readline,
        # imported by pytest's debugger, exports COLUMNS=80 and LINES=24, and Textual obeys them).
        child_env = {k: v for k, v in os.environ.items() if k not in DROPPED}
        child_env.update(BASE_ENV)
        child_env.update(env or {})
        rows, cols = size
        self.screen = Screen(rows, cols)
        winsize = struct.pack("HHHH", rows, cols, 0, 0)
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: never return into the test runner
            try:
                # The size is set here, before the program starts: set by the parent after the
                # fork, it could come after the program has read the size and before it listens
                # for SIGWINCH, and the program would draw for 80×24.
                fcntl.ioctl(0, termios.TIOCSWINSZ, winsize)
                signal.signal(signal.SIGHUP, signal.SIG_IGN if hangup_ignored else signal.SIG_DFL)
                signal.pthread_sigmask(
                    signal.SIG_BLOCK if hangup_blocked else signal.SIG_UNBLOCK, {signal.SIGHUP}
                )
                os.execve(sys.executable, [sys.executable, "-m", "bcc_tui", *argv], child_env)
            finally:
                os._exit(127)
        self._open = True

    # Reading ---------------------------------------------------------------------------------

    def mark(self) -> int:
        """Where the output ends now: pass it as `since` to wait for what comes after it."""
        return len(self.output)

    def _read(self, wait: float) -> bool:
        """One read of at most `wait` seconds; False once the terminal is closed (the child and
        everything it started are gone)."""
        if not self._open:
            return False
        ready, _, _ = select.select([self.fd], [], [], max(0.0, wait))
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: the child's side of the terminal is closed
            chunk = b""
        if not chunk:
            self._open = False
            return False
        self.output += chunk
        self.screen.feed(chunk)
        return True

    def read_until(self, done: Callable[[bytes], bool], timeout: float = 30.0, since: int = 0) -> bool:
        """Read until `done(output since the mark)` holds (True), or the terminal closes or the
        time is up (False)."""
        end = time.monotonic() + timeout
        while not done(bytes(self.output[since:])):
            left = end - time.monotonic()
            if left <= 0 or not self._read(min(left, 0.5)):
                return done(bytes(self.output[since:]))
        return True

    def wait_for(self, *needles: bytes, timeout: float = 30.0, since: int = 0) -> bool:
        """Read until every needle is in the output after `since`, or on the screen once something
        has come after `since` (the program writes only what changed: see Screen)."""

        def shown(out: bytes) -> bool:
            screen = self.screen.text() if out else ""
            return all(n in out or n.decode("utf-8", "replace") in screen for n in needles)

        return self.read_until(shown, timeout, since)

    def read_to_end(self, timeout: float = 30.0) -> bool:
        """Read until the program has closed its terminal (it ended): True, or False at the
        timeout."""
        end = time.monotonic() + timeout
        while self._open and time.monotonic() < end:
            self._read(min(end - time.monotonic(), 0.5))
        return not self._open

    def read_quiet(self, quiet: float, timeout: float = 30.0) -> bool:
        """Read until nothing has come for `quiet` seconds (True), or the timeout (False)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            before = len(self.output)
            if not self._read(min(quiet, end - time.monotonic())):
                return True
            if len(self.output) == before:
                return True
        return False

    def read_for(self, seconds: float) -> bytes:
        """Everything written in the next `seconds` (for tests about quiet: a time is the point)."""
        since = self.mark()
        end = time.monotonic() + seconds
        while time.monotonic() < end and self._read(end - time.monotonic()):
            pass
        return bytes(self.output[since:])

    # Writing and the process -------------------------------------------------------------------

    def write(self, data: bytes) -> None:
        os.write(self.fd, data)

    def alive(self) -> bool:
        if self.status is not None:
            return False
        done, status = os.waitpid(self.pid, os.WNOHANG)
        if done:
            self.status = os.waitstatus_to_exitcode(status)
            return False
        return True

    def kill(self, signum: int = signal.SIGKILL) -> None:
        if self.status is None:
            try:
                os.kill(self.pid, signum)
            except ProcessLookupError:
                pass

    def hang_up(self) -> None:
        """The terminal goes away (an SSH client gone): the program's side is hung up."""
        if self._open or self.fd >= 0:
            os.close(self.fd)
            self.fd, self._open = -1, False

    def wait_exit(self, timeout: float = 30.0) -> int | None:
        """The exit code once the program has ended by itself, or None at the timeout. Reads the
        terminal meanwhile, so that a program writing its last frame is never blocked."""
        end = time.monotonic() + timeout
        while self.alive():
            if time.monotonic() > end:
                return None
            if self._open:
                self._read(min(0.05, end - time.monotonic()))
            else:
                time.sleep(0.02)
        return self.status

    def close(self) -> None:
        """Kill what is still running and close the terminal; safe to call twice."""
        if self.alive():
            self.kill()
            _, status = os.waitpid(self.pid, 0)
            self.status = os.waitstatus_to_exitcode(status)
        if self.fd >= 0:
            os.close(self.fd)
            self.fd, self._open = -1, False

    def __enter__(self) -> PtySession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def run_in_terminal(argv: list[str], timeout: float = 60.0, **kw) -> tuple[int | None, bytes]:
    """A command that ends by itself: its exit code and everything it wrote to the terminal."""
    with PtySession(argv, **kw) as session:
        session.read_to_end(timeout)
        code = session.wait_exit(timeout)
        return code, bytes(session.output)
