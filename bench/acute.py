"""The acute-sign screen's costs (issue 25): screening at intake, and a settings change on a backlog
of open errands while other people keep writing.

    python -m bench.acute [--open 100000] [--db PATH]

Builds (or reuses) a database whose open errands carry the corpus's messages, then, while a
second process writes a note every 20 ms and opens an errand (an audited read) every 20 ms,
changes the fever threshold: the open errands are screened again in batches. Prints the time of
the whole change, the longest write transaction it held, how many others' writes failed and their
worst wait; and the screen's time per message. Nothing is asserted: docs/acute.md has the numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bcc_tui.domain import acute as rules_
from bcc_tui.services import acute, errands, people
from bcc_tui.services.clock import SystemClock
from bcc_tui.services.context import Ctx
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
    waits, failed, i = [], 0, 0
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
        waits.append(time.perf_counter() - t)
        i += 1
        time.sleep(0.02)
    out.put((waits, failed))
    store.close()


def settings_change(path: Path) -> dict[str, float]:
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
    def timed():
        with real() as conn:
            t = time.perf_counter()
            yield conn
            held.append(time.perf_counter() - t)

    store.write = timed  # type: ignore[method-assign]
    time.sleep(0.5)
    t = time.perf_counter()
    _rules, changed = acute.set_rules(admin, threshold="39,5")
    total = time.perf_counter() - t
    time.sleep(0.5)
    stop.set()
    waits, failed = out.get(timeout=60)
    other.join(30)
    store.close()
    return {
        "change_s": total,
        "changed": changed,
        "transactions": len(held),
        "longest_write_ms": max(held) * 1000,
        "others_writes": len(waits),
        "others_failed": failed,
        "others_p50_ms": statistics.median(waits) * 1000,
        "others_max_ms": max(waits) * 1000,
    }


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
    p.add_argument("--db", type=Path)
    args = p.parse_args(argv)
    each, worst = per_message()
    print(f"screen: {each:.0f} µs per corpus message; worst 20,000-character hostile message {worst:.0f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "acute.db"
        if not path.exists():
            t = time.perf_counter()
            prepare(path, args.open)
            print(f"built {args.open} open errands in {time.perf_counter() - t:.0f} s")
        r = settings_change(path)
    print(
        f"settings change on {args.open} open errands: {r['change_s']:.1f} s, {r['changed']} changed, "
        f"{r['transactions']} write transactions, the longest {r['longest_write_ms']:.0f} ms"
    )
    print(
        f"meanwhile another person: {r['others_writes']} notes and reads, {r['others_failed']} failed, "
        f"median {r['others_p50_ms']:.0f} ms, worst {r['others_max_ms']:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
