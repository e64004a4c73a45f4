"""ui/quiet.Wake: the kernel's word that the database was written, and the feed's look once the
writes have settled (issue 31: a change visible within a second)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time

import pytest

from bcc_tui.ui import quiet


class Counted(quiet.Wake):
    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.reads = 0

    def _read(self) -> None:
        self.reads += 1
        super()._read()


def writes(path, every: float, lasting: float, name: str = "") -> threading.Thread:
    """Another connection commits a row every `every` seconds for `lasting` seconds."""

    def run() -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        end = time.monotonic() + lasting
        while time.monotonic() < end:
            conn.execute("INSERT INTO t VALUES (?)", ("x" * 3000,))
            time.sleep(every)
        conn.close()

    return threading.Thread(target=run, name=name, daemon=True)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "bcc.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (x TEXT)")
    conn.commit()
    conn.close()
    return path


def follow(db, every: float, lasting: float, after: float = 0.5) -> tuple[list[float], float]:
    """A Wake on DB while another thread commits; the pokes' times from the first write, and when
    the writes stopped."""

    async def main():
        loop = asyncio.get_running_loop()
        pokes: list[float] = []
        wake = Counted(db, lambda: pokes.append(loop.time()) or True)
        assert wake.start()
        writer = writes(db, every, lasting)
        t0 = loop.time()
        writer.start()
        while writer.is_alive():
            await asyncio.sleep(0.01)
        stopped = loop.time() - t0
        await asyncio.sleep(after)
        wake.stop()
        return [p - t0 for p in pokes], stopped

    return asyncio.run(main())


def test_writes_that_keep_coming_are_looked_at_within_settle_at_most(db, monkeypatch):
    """An import writing in parts for a long while: what it committed is shown meanwhile, not only
    at its end (the look was put off for as long as writes came). SETTLE_AT_MOST is 0.3 s here."""
    monkeypatch.setattr(quiet, "SETTLE_AT_MOST", 0.3)
    pokes, stopped = follow(db, every=0.005, lasting=1.2, after=0.2)
    assert pokes and pokes[0] < 0.6 < stopped
    assert len([p for p in pokes if p < stopped]) >= 2


def test_a_write_to_another_file_of_the_folder_is_not_a_look(db, tmp_path):
    async def main():
        pokes = []
        wake = Counted(db, lambda: pokes.append(1) or True)
        assert wake.start()
        (tmp_path / "other.txt").write_text("x")
        await asyncio.sleep(0.2)
        wake.stop()
        return wake, pokes

    wake, pokes = asyncio.run(main())
    assert wake.reads == 1 and pokes == []


class _Loop:
    """A loop of the test's own time: call_later and time, run up to a given moment."""

    class Handle:
        def __init__(self, at: float, fn) -> None:
            self.at, self.fn, self.cancelled = at, fn, False

        def cancel(self) -> None:
            self.cancelled = True

    def __init__(self) -> None:
        self.now, self.queue, self.n = 0.0, [], 0

    def time(self) -> float:
        return self.now

    def call_later(self, delay: float, fn):
        import heapq

        handle = self.Handle(self.now + delay, fn)
        self.n += 1
        heapq.heappush(self.queue, (handle.at, self.n, handle))
        return handle

    def run_until(self, t: float) -> None:
        import heapq

        while self.queue and self.queue[0][0] <= t:
            at, _, handle = heapq.heappop(self.queue)
            self.now = at
            if not handle.cancelled:
                handle.fn()
        self.now = t


def test_a_commit_written_after_the_capped_look_was_set_is_looked_at_again(tmp_path):
    """Writes for a second, then a commit whose pages come after the capped look was set and which
    is marked done after that look: the look after it still comes (the capped look saw an earlier
    commit and cancelled it, and the commit waited for the 5-second fallback). On the test's own
    clock: nothing here depends on the machine's speed."""
    import os
    import struct

    loop = _Loop()
    committed, polled, looks = [0], [0], []

    def poke() -> bool:
        seen = committed[0] != polled[0]
        polled[0] = committed[0]
        looks.append((round(loop.now, 3), committed[0]))
        return seen

    wake = quiet.Wake(tmp_path / "bcc.db", poke)
    wake._loop = loop
    read_end, write_end = os.pipe()
    wake.fd = read_end
    name = b"bcc.db-wal"
    event = struct.pack("iIII", 1, 2, 0, len(name)) + name

    def written() -> None:
        os.write(write_end, event)
        wake._read()

    t = 0.0
    while t < quiet.SETTLE_AT_MOST - 0.005:  # commits one after the other, each seen at once
        loop.run_until(t)
        written()
        committed[0] += 1
        t += 0.005
    for t in (quiet.SETTLE_AT_MOST, quiet.SETTLE_AT_MOST + 0.005):  # the last commit's pages
        loop.run_until(t)
        written()
    loop.run_until(quiet.SETTLE_AT_MOST + 0.02)
    committed[0] += 1  # marked done after the capped look
    last = committed[0]
    loop.run_until(quiet.SETTLE_AT_MOST + 1.0)  # well before the fallback
    os.close(write_end)
    wake.fd = -1
    os.close(read_end)
    assert any(version == last for _, version in looks), looks
