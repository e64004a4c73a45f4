"""Crash harness (issue 8): kill -9 a writer at random moments, then prove the file is whole.

    python -m bench.crash [--rounds 50] [--db PATH]

Each round starts a real process that imports errands (in batches) and assigns, notes and
replies, printing an acknowledgement after each call returned (the transaction committed); the
harness kills it with SIGKILL after a random delay. After every round: PRAGMA integrity_check and
foreign_key_check pass, the audit chain is intact, every acknowledged write is there, and nothing
is half-written (no errand without its intake audit row, no event without its audit row).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def writer(db: str, round_no: int) -> None:
    from bcc_tui.domain.errors import BccError
    from bcc_tui.domain.roles import SYSTEM_ACTOR
    from bcc_tui.services import errands, intake
    from bcc_tui.services.context import Ctx
    from bcc_tui.services.people import actor_from_row
    from bcc_tui.store import staff as staff_q
    from bcc_tui.store.db import Store

    store = Store(db)
    system = Ctx(store, SYSTEM_ACTOR)
    with store.read() as conn:
        rec = Ctx(store, actor_from_row(staff_q.by_username(conn, "annlin")))
        doc = Ctx(store, actor_from_row(staff_q.by_username(conn, "erilin")))
    out = sys.stdout
    for batch in range(1000):
        refs = [f"K{round_no:03d}-{batch:03d}-{i:03d}" for i in range(50)]
        lines = [
            json.dumps(
                {
                    "ref": r,
                    "type": "fornya_recept",
                    "unit": "oppenvard",
                    "received_at": "2026-11-25T08:00:00+01:00",
                    "patient": {"name": "Elsa", "personnummer": "20150315-1233"},
                    "message": "Receptet behöver förnyas.",
                }
            )
            for r in refs
        ]
        intake.import_errands(system, ("\n".join(lines) + "\n").encode())
        out.write(f"import {' '.join(refs)}\n")
        out.flush()
        for ref in refs[:10]:
            try:
                errands.assign(rec, ref, "erilin")
                out.write(f"assign {ref}\n")
                out.flush()
                errands.note(doc, ref, f"note {ref}")
                out.write(f"note {ref}\n")
                out.flush()
                errands.reply(doc, ref, f"svar {ref}")
                out.write(f"reply {ref}\n")
                out.flush()
            except BccError:
                pass


def setup(db: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from bcc_tui.domain.roles import SYSTEM_ACTOR
    from bcc_tui.services import demo, people
    from bcc_tui.services.context import Ctx
    from bcc_tui.store import schema
    from bcc_tui.store.db import Store

    store = Store(db)
    schema.migrate(store)
    people.import_staff(Ctx(store, SYSTEM_ACTOR), (demo.fixtures_dir() / "staff.jsonl").read_bytes())
    store.close()


def verify(db: Path, acks: list[str]) -> list[str]:
    from bcc_tui.store import audit

    problems = []
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
        problems.append("integrity_check failed")
    if conn.execute("PRAGMA foreign_key_check").fetchall():
        problems.append("foreign_key_check failed")
    problems += audit.verify(conn)
    for line in acks:
        kind, *refs = line.split()
        for ref in refs:
            row = conn.execute("SELECT id, status FROM errands WHERE ref = ?", (ref,)).fetchone()
            if row is None:
                problems.append(f"acknowledged {kind} of {ref} is missing")
                continue
            if (
                kind != "import"
                and not conn.execute(
                    "SELECT 1 FROM events WHERE errand_id = ? AND kind = ?", (row["id"], kind)
                ).fetchone()
            ):
                problems.append(f"acknowledged {kind} of {ref} is missing")
    half = conn.execute(
        "SELECT count(*) FROM errands WHERE ref NOT IN "
        "(SELECT ref FROM audit WHERE action = 'import' AND ref IS NOT NULL)"
    ).fetchone()[0]
    if half:
        problems.append(f"{half} errands without their intake audit row")
    for kind in ("assign", "note", "reply"):
        events = conn.execute("SELECT count(*) FROM events WHERE kind = ?", (kind,)).fetchone()[0]
        rows = conn.execute(
            "SELECT count(*) FROM audit WHERE action = ? AND outcome = 'ok'", (kind,)
        ).fetchone()[0]
        if events != rows:
            problems.append(f"{kind}: {events} events but {rows} audit rows")
    conn.close()
    return problems


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="bcc-tui crash harness")
    p.add_argument("--rounds", type=int, default=50)
    p.add_argument("--max-delay", type=float, default=1.5)
    p.add_argument("--db")
    p.add_argument("--seed", type=int, default=9)
    args = p.parse_args(argv)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="bcc-crash-") as tmp:
        db = Path(args.db) if args.db else Path(tmp) / "crash.db"
        setup(db)
        code = (
            "import sys; sys.path.insert(0, sys.argv[1]); from bench.crash import writer; "
            "writer(sys.argv[2], int(sys.argv[3]))"
        )
        total_acks, all_problems = 0, []
        for round_no in range(args.rounds):
            proc = subprocess.Popen(
                [sys.executable, "-c", code, str(ROOT), str(db), str(round_no)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=ROOT,
            )
            time.sleep(rng.uniform(0.3, 0.3 + args.max_delay))  # start-up takes ~0.2 s
            os.kill(proc.pid, signal.SIGKILL)
            out, _err = proc.communicate()
            acks = [line for line in out.decode().splitlines() if line.strip()]
            total_acks += len(acks)
            problems = verify(db, acks)
            if problems:
                all_problems += [f"round {round_no}: {p}" for p in problems]
        conn = sqlite3.connect(db)
        n = conn.execute("SELECT count(*) FROM errands").fetchone()[0]
        print(
            f"{args.rounds} rounds killed with SIGKILL; {total_acks} acknowledged writes checked; "
            f"{n} errands in the file; {len(all_problems)} problems"
        )
        for line in all_problems[:20]:
            print("  " + line)
        return 1 if all_problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
