"""Replication measured (issue 17): how long Litestream takes to ship a change, and to restore.

    python -m bench.replication [--errands 100000] [--writes 20] [--sync-interval 1s]

Builds a database (bench.generate), runs `bcc-tui replicate` on it with a folder replica, and
measures: the first snapshot, the lag from a committed note to a new file in the replica
(the window of changes a lost server can take with it), the replica's size, and
`bcc-tui restore` (Litestream's restore plus the full `check`) into a new file.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bcc_tui.cli import main as cli
from bench.generate import build


def _files(replica: Path) -> set[Path]:
    return set(replica.glob("ltx/0/*.ltx"))


def _wait(condition, timeout: float = 600.0) -> float:
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise SystemExit("timed out")
        time.sleep(0.005)
    return time.monotonic() - start


def _quiet(*args: str) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return cli(list(args))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--errands", type=int, default=100_000)
    p.add_argument("--writes", type=int, default=20)
    p.add_argument("--sync-interval", default="1s")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bcc-bench-repl-") as tmp:
        folder = Path(tmp)
        db, replica = folder / "bcc.db", folder / "replica"
        info = build(db, args.errands)
        db_mb = db.stat().st_size / 2**20
        ref = _first_open_ref(db)
        env = {k: v for k, v in os.environ.items() if k not in ("BCC_DB", "BCC_NOW", "SUDO_USER")}
        started = time.monotonic()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bcc_tui",
                "--db",
                str(db),
                "replicate",
                "--to",
                str(replica),
                "--sync-interval",
                args.sync_interval,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        try:
            _wait(lambda: _files(replica))
            snapshot = time.monotonic() - started
            lags = []
            for i in range(args.writes):
                before = _files(replica)
                assert (
                    _quiet("--db", str(db), "--as", _receiver(db), "note", ref, "--text", f"bench {i}") == 0
                )
                lags.append(_wait(lambda before=before: _files(replica) - before))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=120)
        size = sum(f.stat().st_size for f in replica.rglob("*") if f.is_file())
        t0 = time.monotonic()
        assert _quiet("restore", "--from", str(replica), str(folder / "restored.db")) == 0
        restore = time.monotonic() - t0
    print(f"database: {info['errands']} errands, {db_mb:.0f} MB; sync interval {args.sync_interval}")
    print(f"first snapshot in the replica      {snapshot:6.2f} s")
    print(
        f"commit -> replica, median / max    {statistics.median(lags):6.2f} s / {max(lags):.2f} s "
        f"({args.writes} notes)"
    )
    print(f"replica size                       {size / 2**20:6.1f} MB")
    print(f"restore + check into a new file    {restore:6.2f} s")
    return 0


def _first_open_ref(db: Path) -> str:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT ref FROM errands WHERE status != 'closed' LIMIT 1").fetchone()[0]
    finally:
        conn.close()


def _receiver(db: Path) -> str:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT username, roles FROM staff WHERE active = 1").fetchall()
    finally:
        conn.close()
    return next(u for u, roles in rows if "receiver" in roles)


if __name__ == "__main__":
    raise SystemExit(main())
