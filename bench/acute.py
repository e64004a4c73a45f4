"""The acute-sign screen's costs (issue 25), and an administrator's change on a backlog of open
errands while other people keep writing (issue 28).

    python -m bench.acute [--open 100000] [--db PATH] [--change acute,days] [--repeat N]

Builds (or reuses) a database whose open errands carry the corpus's messages, then, on a fresh
copy for each change, while a second process writes a note every 20 ms and opens an errand (an
audited read, which writes its audit row) every 20 ms, makes the change: `acute` raises the
fever threshold (the open errands are screened again), `days` gives the commonest type three
more business days (its open errands get new due dates). Prints the time of the whole change, its
write transactions and the longest, how many of the other's writes failed and their median and
worst wait; and the screen's time per message. Nothing is asserted: docs/acute.md and
docs/performance.md have the numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bcc_tui.domain import acute as rules_
from bcc_tui.services import acute, clinic, errands, people
from bcc_tui.services.clock import SystemClock
from bcc_tui.services.context import Ctx
from bcc_tui.store import schema
from bcc_tui.store import staff as staff_q
from bcc_tui.store.db import Store
from bench.acute_corpus import CORPUS, read
from bench.generate import build

ADMIN, OTHER = "lenwal", "annlin"


def _texts() -> list[str]:
    return [item["text"] for path in sorted(CORPUS.glob("*.jsonl")) for item in read(path)]


def prepare(path: Path, n_open: int) -> None:
    """A backlog of n_open open errands whose messages are the corpus's, screened as at intake."""
    build(path, n_open, years=1, open_errands=n_open)
    texts = _texts()
    store = Store(path)
    with store.write() as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM errands WHERE status <> 'closed' ORDER BY id")]
        conn.executemany(
            "UPDATE errands SET message = ?, acute = ? WHERE id = ?",
            (
                (texts[i % len(texts)], rules_.dump(rules_.screen(texts[i % len(texts)])), errand_id)
                for i, errand_id in enumerate(ids)
            ),
        )
        staff_q.set_setting(
            conn,
            acute.SCREENED_KEY,
            {"fingerprint": rules_.DEFAULT_RULES.fingerprint(), "after": 0, "done": True},
        )
    store.close()


def _other_person(path: str, ready, stop, out) -> None:
    """Another receiver at work: a note and an opened errand every 20 ms, each timed."""
    store = Store(path)
    with store.read() as conn:
        actor = people.actor_from_row(staff_q.by_username(conn, OTHER))
        refs = [r[0] for r in conn.execute("SELECT ref FROM errands WHERE status <> 'closed' LIMIT 50")]
    ctx = Ctx(store, actor, SystemClock())
    notes: list[float] = []
    opens: list[float] = []
    failed, i = 0, 0
    ready.set()
    while not stop.is_set():
        t = time.perf_counter()
        try:
            if i % 2:
                errands.note(ctx, refs[i % len(refs)], f"anteckning {i}")
            else:
                errands.show_errand(ctx, refs[i % len(refs)])
        except Exception:
            failed += 1
        (notes if i % 2 else opens).append(time.perf_counter() - t)
        i += 1
        time.sleep(0.02)
    out.put((notes, opens, failed))
    store.close()


def _commonest_type(store: Store) -> tuple[str, int]:
    with store.read() as conn:
        code = conn.execute(
            "SELECT type FROM errands WHERE status <> 'closed' GROUP BY type ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]
        days = conn.execute("SELECT business_days FROM errand_types WHERE code = ?", (code,)).fetchone()[0]
    return code, days


def _change_days(admin: Ctx) -> object:
    code, days = _commonest_type(admin.store)
    return clinic.update_type(admin, code, days=days + 3 if days <= 27 else days - 3)


CHANGES: dict[str, Callable[[Ctx], object]] = {
    "acute": lambda admin: acute.set_rules(admin, threshold="39,5")[1],
    "days": _change_days,
}


def settings_change(path: Path, change: Callable[[Ctx], object] = CHANGES["acute"]) -> dict[str, float]:
    mp = multiprocessing.get_context("spawn")
    ready, stop, out = mp.Event(), mp.Event(), mp.Queue()
    other = mp.Process(target=_other_person, args=(str(path), ready, stop, out))
    other.start()
    ready.wait(60)
    store = Store(path)
    with store.read() as conn:
        admin = Ctx(store, people.actor_from_row(staff_q.by_username(conn, ADMIN)), SystemClock())
    held: list[float] = []
    real = store.write

    @contextlib.contextmanager
    def timed(*args, **kwargs):
        with real(*args, **kwargs) as conn:
            t = time.perf_counter()
            yield conn
        held.append(time.perf_counter() - t)  # to the end of the COMMIT (its fsync included)

    store.write = timed  # type: ignore[method-assign]
    try:
        time.sleep(0.5)
        t = time.perf_counter()
        changed = change(admin)
        total = time.perf_counter() - t
        time.sleep(0.5)
    finally:
        stop.set()  # the other person stops, also when the change failed
    notes, opens, failed = out.get(timeout=60)
    other.join(30)
    store.close()
    waits = notes + opens
    return {
        "change_s": total,
        "changed": changed,
        "transactions": len(held),
        "longest_write_ms": max(held) * 1000,
        "others_writes": len(waits),
        "others_failed": failed,
        "others_p50_ms": statistics.median(waits) * 1000,
        "others_max_ms": max(waits) * 1000,
        "notes_max_ms": max(notes) * 1000 if notes else 0.0,
        "opens_max_ms": max(opens) * 1000 if opens else 0.0,
    }


def fresh_copy(base: Path, work: Path) -> None:
    """The prepared database as it was, for each change (a change is made once)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    src, dst = sqlite3.connect(base), sqlite3.connect(work)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    work.chmod(0o600)  # the program opens only a private database
    store = Store(work)
    try:
        schema.migrate(store)  # a database prepared by an earlier version, brought up to date
    finally:
        store.close()


def per_message() -> tuple[float, float]:
    texts = _texts()
    t = time.perf_counter()
    for _ in range(5):
        for x in texts:
            rules_.screen(x)
    each = (time.perf_counter() - t) / (5 * len(texts))
    worst = 0.0
    for hostile in ("feber " * 3400, "38 " * 6700, "38,5 kg " * 2500, "Feber. " * 2800):
        t = time.perf_counter()
        rules_.screen(hostile)
        worst = max(worst, time.perf_counter() - t)
    return each * 1e6, worst * 1000


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--open", type=int, default=100_000)
    p.add_argument("--db", type=Path, help="the prepared database: built if missing, never changed")
    p.add_argument("--change", default="acute,days", help="which changes, comma-separated: acute, days")
    p.add_argument("--repeat", type=int, default=1)
    args = p.parse_args(argv)
    each, worst = per_message()
    print(f"screen: {each:.0f} µs per corpus message; worst 20,000-character hostile message {worst:.0f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "acute.db"
        if not path.exists():
            t = time.perf_counter()
            prepare(path, args.open)
            print(f"built {args.open} open errands in {time.perf_counter() - t:.0f} s")
        work = Path(tmp) / "work.db"
        for name in args.change.split(","):
            for _ in range(args.repeat):
                fresh_copy(path, work)
                r = settings_change(work, CHANGES[name])
                print(
                    f"{name} change on {args.open} open errands: {r['change_s']:.1f} s, {r['changed']} changed, "
                    f"{r['transactions']} write transactions, the longest {r['longest_write_ms']:.0f} ms"
                )
                print(
                    f"  meanwhile another person: {r['others_writes']} notes and reads, {r['others_failed']} failed, "
                    f"median {r['others_p50_ms']:.0f} ms, worst {r['others_max_ms']:.0f} ms "
                    f"(note {r['notes_max_ms']:.0f} ms, open {r['opens_max_ms']:.0f} ms)"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
