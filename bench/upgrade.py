"""An upgrade measured (issue 31): `bcc-tui migrate` on a database of N errands, with another
process trying to write all the while.

The program under test gets one migration more than the file has, of the shape that cost most so
far: every errand's search text written again and the closed pane's index built again (migrations
12 and 13 together). It runs twice on copies of the same file: as `migrate` runs it (a verified
backup, then short transactions) and as the program used to (the whole migration in one
transaction). A probe process meanwhile starts a write transaction every 20 ms and reports the
longest it waited for the lock: the time a person's assign or a job would have stood still.

    python -m bench.upgrade [--db PATH] [--errands 100000]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bcc_tui.services import migration
from bcc_tui.services.clock import SystemClock
from bcc_tui.store import schema
from bcc_tui.store.db import Store

EXTRA = """
UPDATE errands SET search_text = bcc_fold(ref || ' ' || subject || ' ' || patient_name || ' ' || personnummer
    || ' ' || replace(personnummer, '-', '') || ' ' || coalesce(proxy_name, ''));
DROP INDEX errands_closed;
CREATE INDEX errands_closed ON errands(closed_at DESC, id DESC, search_text, type, assignee) WHERE status = 'closed';
"""

PROBE = r"""
import sqlite3, sys, time, os
conn = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
stop = sys.argv[2]
longest = 0.0
print("ready", flush=True)
while not os.path.exists(stop):
    began = time.monotonic()
    conn.execute("BEGIN IMMEDIATE")
    longest = max(longest, time.monotonic() - began)
    conn.execute("ROLLBACK")
    time.sleep(0.02)
print(f"{longest:.3f}", flush=True)
"""


def _probe(db: Path, stop: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", PROBE, str(db), str(stop)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def _stop(proc: subprocess.Popen, stop: Path) -> float:
    stop.touch()
    out, _ = proc.communicate(timeout=60)
    stop.unlink()
    return float(out.strip().splitlines()[-1])


def with_migrate(db: Path, folder: Path) -> dict:
    """`bcc-tui migrate`'s way: a verified backup, then short transactions."""
    stop = folder / "stop"
    probe = _probe(db, stop)
    began = time.monotonic()
    backups = folder / "backups"
    backups.mkdir(mode=0o700)
    timings: dict = {}
    done = migration.migrate(
        db,
        SystemClock(),
        f"{backups}/",
        on_backup=lambda _info: timings.setdefault("backup", time.monotonic() - began),
    )
    total = time.monotonic() - began
    waited = _stop(probe, stop)
    step = done.steps[-1]
    return {
        "backup": timings["backup"],
        "migration": total - timings["backup"],
        "transactions": step.transactions,
        "lock": done.longest_lock,
        "waited": waited,
    }


def in_one_transaction(db: Path, folder: Path) -> dict:
    """The way before: the whole migration in one write transaction."""
    stop = folder / "stop"
    probe = _probe(db, stop)
    store = Store(db)
    began = time.monotonic()
    with store.write() as conn:
        for statement in schema._split(EXTRA):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {schema.CURRENT}")
    lock = time.monotonic() - began
    store.close()
    waited = _stop(probe, stop)
    return {"migration": lock, "transactions": 1, "lock": lock, "waited": waited}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", help="a database made by bench.generate (default: one is built)")
    p.add_argument("--errands", type=int, default=100_000)
    args = p.parse_args(argv)
    # The program under test: this one with one migration more.
    base = schema.MIGRATIONS
    schema.MIGRATIONS = (*schema.MIGRATIONS, EXTRA)
    schema.CURRENT = len(schema.MIGRATIONS)
    with tempfile.TemporaryDirectory(
        prefix="bcc-bench-upgrade-", dir=Path(args.db).parent if args.db else None
    ) as tmp:
        folder = Path(tmp)
        source = Path(args.db) if args.db else folder / "source.db"
        if not args.db:
            from bench.generate import build

            info = build(source, args.errands)
            print(f"built {info['errands']} errands in {info['seconds']:.1f} s", file=sys.stderr)
        rows = {}
        for name, run in (("migrate", with_migrate), ("one transaction", in_one_transaction)):
            work = folder / name.replace(" ", "-")
            work.mkdir(mode=0o700)
            db = work / "bcc.db"
            shutil.copyfile(source, db)
            db.chmod(0o600)
            store = Store(db)  # a file made by an older program: first at this one's schema, untimed
            schema.migrate(store, base)
            store.close()
            rows[name] = run(db, work)
    size = source.stat().st_size if args.db else 0
    print(
        f"upgrade on {args.errands if not args.db else 'the given'} errands"
        + (f" ({size // 2**20} MiB)" if size else "")
    )
    print(
        f"{'':<16} {'backup':>8} {'migration':>10} {'transactions':>13} {'longest lock':>13} {'writer waited':>14}"
    )
    for name, r in rows.items():
        backup = f"{r['backup']:.2f} s" if "backup" in r else "–"
        print(
            f"{name:<16} {backup:>8} {r['migration']:>8.2f} s {r['transactions']:>13} "
            f"{r['lock']:>11.2f} s {r['waited']:>12.2f} s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
