"""Changes that reach every open errand (issue 28): an administrator's setting followed through
100,000 open errands without locking anyone out.

The setting and its audit row commit first, in one short transaction, together with a marker
that says the open errands no longer agree with it: {"fingerprint": what they must agree with,
"after": the last errand id done, "done": bool, "changed": how many changed so far}. The errands
then follow in batches in id order: each batch is read outside any transaction, computed, and
written in a short BEGIN IMMEDIATE transaction of its own with compare-and-set on each errand's
version (an errand changed since it was read is read again inside the transaction and computed
on what it is now), the marker moved on in the same transaction. So another person's write
waits at most one batch; several processes may work at once (each batch is taken by one of them:
the marker is compared too); and a process killed midway leaves a marker that the next process
to open the database finishes (`session.catch_up`). The last batch writes the audit row that
tells how many errands changed in all.

Used by the acute-sign screen (services/acute.py) and the due dates of a type's errands
(services/clinic.py). What a reader shows while the batches run is each job's own concern
(docs/performance.md, "No long locks").
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from sqlite3 import Connection
from typing import Any, Protocol, TypeVar

from bcc_tui.services.context import Ctx
from bcc_tui.store import audit
from bcc_tui.store import errands as q
from bcc_tui.store import staff as staff_q

BATCH = 400  # errands per write transaction: a few milliseconds each, however many are open
# SQLite has no queue for its lock: a process waiting for it tries again after 1, 2, 5, … and at
# last every 100 ms, and one batch following another within a millisecond would find the lock
# taken at almost every try (measured: a note waited out a whole change of a type's days). So
# after every HOLD seconds of holding the lock, the batches leave it free for BREATHER seconds,
# longer than the longest wait between two tries: whoever waits gets in, after at most about
# HOLD + BREATHER. Where computing a batch takes longer than writing it (the acute screen), the
# lock is free most of the time anyway and the pause seldom comes.
HOLD = 0.2
BREATHER = 0.12


class Versioned(Protocol):
    """What the batches read of an open errand's row themselves: which errand, and the version
    that its compare-and-set expects."""

    @property
    def id(self) -> int: ...

    @property
    def version(self) -> int: ...


R = TypeVar("R", bound=Versioned)  # an open errand as the job reads it (store.errands.OpenDue, …)
S = TypeVar("S")  # what a batch is computed with (the rules, the types' days)
V = TypeVar("V")  # the value an errand gets


class Job(Protocol[R, S, V]):
    """One kind of change that follows a setting through the open errands."""

    key: str  # the setting that holds the marker

    def state(self, conn: Connection) -> tuple[str, S]:
        """What the open errands must agree with now: its fingerprint, and itself."""
        ...

    def rows(self, conn: Connection, after: int, limit: int) -> list[R]:
        """Open errands with an id above `after`, in id order."""
        ...

    def row(self, conn: Connection, errand_id: int) -> R | None:
        """One open errand as it is now; None when it closed (a closed one keeps what it had)."""
        ...

    def compute(self, row: R, state: S) -> V:
        """What the errand should hold under `state` (pure: run outside any transaction)."""
        ...

    def same(self, row: R, value: V) -> bool:
        """Whether the errand already holds it."""
        ...

    def apply(self, ctx: Ctx, conn: Connection, row: R, value: V) -> bool:
        """Write it with compare-and-set on `row`'s version, with its event; False when the
        errand changed or closed since `row` was read."""
        ...

    def finished(self, changed: int) -> str | None:
        """The audit row's detail once every open errand agrees (None: nothing to log)."""
        ...


def start(conn: Connection, key: str, fingerprint: str) -> None:
    """Inside the transaction that changes the setting: the open errands are to follow it, and
    this process is on it."""
    staff_q.set_setting(
        conn,
        key,
        {"fingerprint": fingerprint, "after": 0, "done": False, "changed": 0, "worker": _worker()},
    )


# Who carries the change: a process that starts meanwhile (every command's catch_up) leaves it to
# a live worker instead of joining in and waiting for the end, and takes it over from a dead one
# (a killed process, a closed terminal) or one silent for longer than a batch can take.
LIVE = 60.0  # seconds since the worker's last batch after which it is presumed stuck


def _worker() -> dict[str, Any]:
    return {"pid": os.getpid(), "host": socket.gethostname(), "beat": time.time()}


def worked_on_now(ctx: Ctx, key: str) -> bool:
    with ctx.store.read() as conn:
        return worked_on(conn, key)


def worked_on(conn: Connection, key: str) -> bool:
    """Whether another live process on this machine is carrying the change now."""
    now = marker(conn, key)
    worker = now.get("worker") if now is not None else None
    if not isinstance(worker, dict) or now is None or now.get("done"):
        return False
    pid, host, beat = worker.get("pid"), worker.get("host"), worker.get("beat")
    if not isinstance(pid, int) or not isinstance(beat, int | float) or host != socket.gethostname():
        return False  # another machine's process cannot be asked; the file is local to one server
    if pid == os.getpid() or time.time() - beat > LIVE:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process (EPERM): alive
    return True


def marker(conn: Connection, key: str) -> dict[str, Any] | None:
    raw = staff_q.get_setting(conn, key)
    return raw if isinstance(raw, dict) else None


def pending(conn: Connection, key: str, fingerprint: str, *, missing_is_done: bool) -> bool:
    """Whether the open errands do not yet all agree with the setting whose fingerprint is given."""
    now = marker(conn, key)
    if now is None:
        return not missing_is_done
    return not (now.get("fingerprint") == fingerprint and now.get("done"))


def run(
    ctx: Ctx,
    job: Job[R, S, V],
    *,
    progress: Callable[[int, int], None] | None = None,
    batch: int | None = None,
) -> int:
    """Bring every open errand into agreement with the setting, batch by batch (`batch` errands
    each, BATCH unless given); returns how many changed here."""
    try:
        return _run(ctx, job, progress, batch or BATCH)
    except BaseException:
        _release(ctx, job.key)
        raise


def _release(ctx: Ctx, key: str) -> None:
    """Best effort, on the way out of an interrupted run: the work is left to the next process at
    once (a process killed outright is found dead instead)."""
    try:
        with ctx.store.write(busy_timeout=1) as conn:
            now = marker(conn, key)
            worker = now.get("worker") if now is not None else None
            if now is not None and isinstance(worker, dict) and worker.get("pid") == os.getpid():
                staff_q.set_setting(conn, key, {**now, "worker": None})
    except Exception:
        pass


def _stale(job: Job[R, S, V], conn: Connection, stored: dict | None, ours: bool, fp: str, after: int) -> bool:
    """Whether the batch read is no longer the next one: the setting changed again, or another
    process took it (the marker moved on, or is done)."""
    return bool(
        job.state(conn)[0] != fp
        or (int(stored.get("after") or 0) if stored is not None and ours else 0) != after
        or (stored is not None and ours and stored.get("done"))
    )


def _apply_batch(ctx: Ctx, conn: Connection, job: Job[R, S, V], computed: list[tuple[R, V]], state: S) -> int:
    """The values computed outside the lock, written with compare-and-set; how many changed."""
    here = 0
    for row, value in computed:
        if job.same(row, value):
            continue
        if not job.apply(ctx, conn, row, value):
            # Changed since it was read (a note, an assignment): computed again here, on the
            # row as it is now, so that no errand keeps what the old setting gave it.
            fresh = job.row(conn, row.id)
            if fresh is None:
                continue
            value = job.compute(fresh, state)
            if job.same(fresh, value) or not job.apply(ctx, conn, fresh, value):
                continue
        here += 1
    return here


def _mark(
    ctx: Ctx, conn: Connection, job: Job[R, S, V], fp: str, last: int, finished: bool, total_changed: int
) -> None:
    """The marker moved past the batch, in the batch's transaction; at the end, the audit row
    saying how many errands followed (when any did)."""
    staff_q.set_setting(
        conn,
        job.key,
        {
            "fingerprint": fp,
            "after": last,
            "done": finished,
            "changed": total_changed,
            "worker": None if finished else _worker(),
        },
    )
    detail = job.finished(total_changed) if finished and total_changed else None
    if detail:
        audit.append(conn, [ctx.entry("admin_change", detail=detail)])


def _run(ctx: Ctx, job: Job[R, S, V], progress: Callable[[int, int], None] | None, batch: int) -> int:
    held = 0.0  # seconds the lock was held since the last pause
    changed = 0
    done = 0
    while True:
        with ctx.store.read() as conn:
            fp, state = job.state(conn)
            now = marker(conn, job.key)
            if now is None or now.get("fingerprint") != fp:
                now = {"fingerprint": fp, "after": 0, "done": False, "changed": 0}
            if now.get("done"):
                break
            after = int(now.get("after") or 0)
            rows = job.rows(conn, after, batch)
            total = q.open_count_after(conn, after) if progress else 0
        computed = [(row, job.compute(row, state)) for row in rows]
        with ctx.store.write() as conn:
            locked = time.monotonic()
            stored = marker(conn, job.key)
            ours = stored is not None and stored.get("fingerprint") == fp
            if _stale(job, conn, stored, ours, fp, after):
                continue  # the setting changed again, or another process took this batch
            here = _apply_batch(ctx, conn, job, computed, state)
            last = rows[-1].id if rows else after
            finished = len(rows) < batch
            total_changed = int((stored.get("changed") if stored is not None and ours else 0) or 0) + here
            _mark(ctx, conn, job, fp, last, finished, total_changed)
        held += time.monotonic() - locked
        changed += here
        done += len(rows)
        if progress:
            progress(done, done + max(0, total - len(rows)))
        if finished:
            break
        if held >= HOLD:
            time.sleep(BREATHER)
            held = 0.0
    return changed
