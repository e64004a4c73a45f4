"""An idle dashboard sleeps (issue 31: under 0.1 % of a core, with a hundred open on one server).

Two things woke it for nothing. Textual's terminal driver looks for input ten times a second
whether or not a key came; `QuietDriver` waits for a key (or the end) and looks again after a
tenth of a second only while an escape sequence is half read (a lone esc is a key once nothing
follows it). And the feed asked the database four times a second whether anyone had written;
`Wake` has the kernel say when the database's files are written (inotify), so the feed asks then,
and otherwise every few seconds (ui/app.py, FALLBACK).
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import os
import selectors
import signal
import struct
import threading
from codecs import getincrementaldecoder
from collections.abc import Callable
from pathlib import Path

from textual.drivers.linux_driver import LinuxDriver

from bcc_tui.ui.textual_compat import ParseError, XTermParser, driver_debug, loop_last, parser_waiting

ESCAPE_WAIT = 0.1  # Textual's own: how long a lone esc waits for the rest of a sequence


class _WakingEvent(threading.Event):
    """The driver's exit event, which also wakes its input thread."""

    def __init__(self, wake: int) -> None:
        super().__init__()
        self._wake = wake

    def set(self) -> None:
        super().set()
        try:
            os.write(self._wake, b"x")
        except OSError:
            pass  # the pipe is full (it is woken already) or closed (it has ended)


class QuietDriver(LinuxDriver):
    """Textual's Linux driver, whose input thread sleeps until there is input."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_write, False)
        self.exit_event = _WakingEvent(self._wake_write)

    def run_input_thread(self) -> None:
        """As LinuxDriver.run_input_thread (Textual 8.2.8), waiting without a timeout while no
        escape sequence is half read."""
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        selector.register(self._wake_read, selectors.EVENT_READ)
        fileno = self.fileno
        parser = XTermParser(driver_debug(self))
        feed, tick = parser.feed, parser.tick
        decode = getincrementaldecoder("utf-8")().decode

        def process(events: list[tuple[selectors.SelectorKey, int]], final: bool = False) -> bool:
            """False once the terminal is gone."""
            for last, (key, mask) in loop_last(events):
                if key.fd == self._wake_read:
                    os.read(self._wake_read, 64)
                    continue
                if mask & selectors.EVENT_READ:
                    try:
                        raw = os.read(fileno, 1024 * 4)
                    except OSError:  # EIO: the terminal was hung up
                        raw = b""
                    if not raw:
                        return False
                    data = decode(raw, final=final and last)
                    if not data:
                        break  # part of a character: the rest comes with the next read
                    for event in feed(data):
                        self.process_message(event)
            for event in tick():
                self.process_message(event)
            return True

        def timeout() -> float | None:
            return ESCAPE_WAIT if parser_waiting(parser) else None

        try:
            while not self.exit_event.is_set():
                if not process(selector.select(timeout())):
                    # The terminal is gone and reads as ended at once, forever: a loop that spun a
                    # core where hangups were ignored. It is what a hangup says: the app ends so.
                    os.kill(os.getpid(), signal.SIGHUP)
                    return
            selector.unregister(self.fileno)
            process(selector.select(ESCAPE_WAIT), final=True)
        finally:
            selector.close()
            try:
                for _ in feed(""):
                    pass
            except (EOFError, ParseError):  # as Textual: what is left of a sequence at the end
                pass

    def close(self) -> None:
        super().close()
        for fd in (self._wake_read, self._wake_write):
            try:
                os.close(fd)
            except OSError:
                pass


# inotify(7): what the kernel says when a file in the database's folder is written.
_IN_MODIFY, _IN_CREATE, _IN_MOVED_TO = 0x2, 0x100, 0x80
_IN_NONBLOCK, _IN_CLOEXEC = 0o4000, 0o2000000
_EVENT = struct.Struct("iIII")
SETTLE = 0.02  # seconds after the last write seen before the feed looks: a commit is many writes
AGAIN = 0.25  # and once more after that: the commit may have been marked done after its last write
# Writes that keep coming (an import in parts, a type's new days reaching its errands in batches)
# put the look off no longer than this: what they committed meanwhile is shown within a second.
SETTLE_AT_MOST = 1.0


def _libc() -> ctypes.CDLL | None:
    """The C library with inotify: the one this process already runs with (its symbols are the
    program's own), else the one find_library names. find_library runs `ldconfig -p` as a
    subprocess, 2-5 ms of every dashboard's start (issue 31)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.inotify_init1  # noqa: B018 - a lookup: raises AttributeError where it is missing
        return libc
    except (OSError, AttributeError):
        pass
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name, use_errno=True)
    except OSError:
        return None


class Wake:
    """Calls `poke` soon after another process writes the database (its -wal file, or the file
    itself), on the asyncio loop; a true answer means it saw the commit. `start` says False where
    the kernel cannot tell (not Linux, no inotify): the caller then polls as before."""

    def __init__(self, database: Path, poke: Callable[[], object]) -> None:
        self.folder = database.resolve().parent
        self.names = {database.name.encode(), f"{database.name}-wal".encode()}
        self.poke = poke
        self.fd = -1
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._again: asyncio.TimerHandle | None = None
        self._since = 0.0  # the loop's time of the first write the look waits to settle
        self._late = False  # a write came after the look was set and could not put it off

    def start(self) -> bool:
        libc = _libc()
        if libc is None:
            return False
        try:
            fd = libc.inotify_init1(_IN_NONBLOCK | _IN_CLOEXEC)
            if fd < 0:
                return False
            if libc.inotify_add_watch(fd, bytes(self.folder), _IN_MODIFY | _IN_CREATE | _IN_MOVED_TO) < 0:
                os.close(fd)
                return False
        except (OSError, AttributeError):
            return False
        self.fd = fd
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(fd, self._read)
        return True

    def _read(self) -> None:
        try:
            data = os.read(self.fd, 64 * 1024)
        except BlockingIOError:
            return
        except OSError:
            self.stop()
            return
        ours, at = False, 0
        while at + _EVENT.size <= len(data):
            _, _, _, length = _EVENT.unpack_from(data, at)
            name = data[at + _EVENT.size : at + _EVENT.size + length].rstrip(b"\0")
            ours = ours or name in self.names
            at += _EVENT.size + length
        if ours and self._loop is not None:
            # A commit writes its pages one by one: look once they have stopped coming, and once
            # more a moment later unless that look saw the commit (it is marked done after its
            # last page is written).
            now = self._loop.time()
            if self._timer is None:
                self._since, self._late = now, False
            elif now - self._since >= SETTLE_AT_MOST:
                # The look already set is not put off again; the one after it is, and is kept
                # whatever the first sees: a commit whose pages came after the look was set may be
                # marked done after it.
                self._late = True
                if self._again is not None:
                    self._again.cancel()
                self._again = self._loop.call_later(SETTLE + AGAIN, self.poke)
                return
            for handle in (self._timer, self._again):
                if handle is not None:
                    handle.cancel()
            self._timer = self._loop.call_later(SETTLE, self._look)
            self._again = self._loop.call_later(SETTLE + AGAIN, self.poke)

    def _look(self) -> None:
        self._timer = None
        late, self._late = self._late, False
        if self.poke() and self._again is not None and not late:
            self._again.cancel()
            self._again = None

    def stop(self) -> None:
        for handle in (self._timer, self._again):
            if handle is not None:
                handle.cancel()
        if self.fd >= 0:
            if self._loop is not None:
                self._loop.remove_reader(self.fd)
            os.close(self.fd)
            self.fd = -1
