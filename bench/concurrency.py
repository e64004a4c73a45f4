"""Concurrency harness (issue 8): P processes doing N conflicting operations each on the same
errands, then a proof that nothing was lost and everything agrees.

    python -m bench.concurrency [--procs 5] [--ops 1000] [--errands 20] [--db PATH]

Each worker is a real process calling the same services as the dashboard and the command line:
assign, reassign, partial reply, reply, close and note, on errands chosen at random. Afterwards:
no process crashed; every operation a worker saw succeed is in the events and in the audit log
(no update lost); every errand is in a legal final state; replaying the audit log gives each
errand's final state; `check` passes.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OPS = ("assign", "reassign", "partial_reply", "reply", "close", "note")
RECEIVERS = ["annlin", "marber", "sofhol", "karek", "evasan"]
CAREGIVERS = ["erilin", "johwes", "magfor", "linsjo", "osknil", "idaaxe", "frehed", "emmstr"]


def worker(db: str, index: int, ops: int, refs: list[str], seed: int) -> None:
    from bcc_tui.domain.errors import BccError, Busy
    from bcc_tui.services import errands
    from bcc_tui.services.context import Ctx
    from bcc_tui.services.people import actor_from_row
    from bcc_tui.store import staff as staff_q
    from bcc_tui.store.db import Store

    rng = random.Random(seed)
    store = Store(db)
    with store.read() as conn:
        actor = actor_from_row(staff_q.by_username(conn, RECEIVERS[index % len(RECEIVERS)]))
    ctx = Ctx(store, actor)
    ok: collections.Counter = collections.Counter()
    refused: collections.Counter = collections.Counter()
    busy = 0
    for n in range(ops):
        ref, op = rng.choice(refs), rng.choice(OPS)
        try:
            if op in ("assign", "reassign"):
                errands.assign(ctx, ref, rng.choice(CAREGIVERS), reassign=op == "reassign")
            elif op == "partial_reply":
                errands.partial_reply(ctx, ref, f"Delsvar {index}-{n}")
            elif op == "reply":
                errands.reply(ctx, ref, f"Svar {index}-{n}")
            elif op == "close":
                errands.close(ctx, ref, f"Orsak {index}-{n}")
            else:
                errands.note(ctx, ref, f"Anteckning {index}-{n}")
            ok[f"{ref} {op}"] += 1
        except Busy:
            busy += 1
        except BccError:
            refused[op] += 1
    print(json.dumps({"ok": ok, "refused": refused, "busy": busy}))


def setup(db: Path, n_errands: int) -> list[str]:
    sys.path.insert(0, str(ROOT))
    from bcc_tui.domain.roles import SYSTEM_ACTOR
    from bcc_tui.services import demo, intake, people
    from bcc_tui.services.context import Ctx
    from bcc_tui.store import schema
    from bcc_tui.store.db import Store

    store = Store(db)
    schema.migrate(store)
    ctx = Ctx(store, SYSTEM_ACTOR)
    people.import_staff(ctx, (demo.fixtures_dir() / "staff.jsonl").read_bytes())
    refs = [f"RACE-{i:04d}" for i in range(n_errands)]
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
    intake.import_errands(ctx, ("\n".join(lines) + "\n").encode())
    store.close()
    return refs


def verify(db: Path, results: list[dict]) -> list[str]:
    """What is wrong (empty when all is well)."""
    import sqlite3

    from bcc_tui.store import audit

    problems = []
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    ok = collections.Counter()
    for r in results:
        ok.update(r["ok"])
    events = collections.Counter(
        f"{row['ref']} {row['kind']}"
        for row in conn.execute("SELECT x.ref, e.kind FROM events e JOIN errands x ON x.id = e.errand_id")
    )
    audited = collections.Counter(
        f"{row['ref']} {row['action']}"
        for row in conn.execute(
            "SELECT ref, action FROM audit WHERE outcome = 'ok' AND action IN "
            "('assign', 'reassign', 'partial_reply', 'reply', 'close', 'note')"
        )
    )
    for key in set(ok) | set(events) | set(audited):
        if not ok[key] == events[key] == audited[key]:
            problems.append(f"{key}: {ok[key]} acknowledged, {events[key]} events, {audited[key]} audit rows")
    for row in conn.execute("SELECT id, ref, status, assignee, closed_at FROM errands"):
        evs = conn.execute(
            "SELECT kind, target FROM events WHERE errand_id = ? ORDER BY id", (row["id"],)
        ).fetchall()
        closing = [e for e in evs if e["kind"] in ("reply", "close")]
        moves = [e for e in evs if e["kind"] in ("assign", "reassign")]
        if row["status"] == "closed" and len(closing) != 1:
            problems.append(f"{row['ref']}: closed with {len(closing)} closing events")
        if row["status"] != "closed" and closing:
            problems.append(f"{row['ref']}: open but has a closing event")
        if row["status"] == "unassigned" and moves:
            problems.append(f"{row['ref']}: unassigned but assigned in its history")
        if moves and row["assignee"] != moves[-1]["target"]:
            problems.append(
                f"{row['ref']}: assignee {row['assignee']} but last hand-over to {moves[-1]['target']}"
            )
        if sum(1 for e in moves if e["kind"] == "assign") > 1:
            problems.append(f"{row['ref']}: assigned twice without --reassign")
        # Replay the audit log: it alone must give the final state.
        state, who = "unassigned", None
        for a in conn.execute(
            "SELECT action, detail FROM audit WHERE ref = ? AND outcome = 'ok' ORDER BY id", (row["ref"],)
        ):
            if a["action"] in ("assign", "reassign"):
                state, who = "assigned", a["detail"].split("till ", 1)[1].split(" ", 1)[0]
            elif a["action"] in ("reply", "close"):
                state = "closed"
        if state != row["status"] or (state != "unassigned" and moves and who != row["assignee"]):
            problems.append(
                f"{row['ref']}: the audit log says {state}/{who}, the errand {row['status']}/{row['assignee']}"
            )
    problems += audit.verify(conn)
    if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
        problems.append("integrity_check failed")
    return problems


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="bcc-tui concurrency harness")
    p.add_argument("--procs", type=int, default=5)
    p.add_argument("--ops", type=int, default=1000)
    p.add_argument("--errands", type=int, default=100)
    p.add_argument("--db")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bcc-race-") as tmp:
        db = Path(args.db) if args.db else Path(tmp) / "race.db"
        refs = setup(db, args.errands)
        code = (
            "import sys, json; sys.path.insert(0, sys.argv[1]); from bench.concurrency import worker; "
            "worker(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), json.loads(sys.argv[5]), int(sys.argv[6]))"
        )
        t = time.perf_counter()
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    code,
                    str(ROOT),
                    str(db),
                    str(i),
                    str(args.ops),
                    json.dumps(refs),
                    str(1000 + i),
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=ROOT,
            )
            for i in range(args.procs)
        ]
        results, crashed = [], 0
        for proc in procs:
            out, err = proc.communicate(timeout=3600)
            if proc.returncode != 0:
                crashed += 1
                print(err.decode()[-2000:], file=sys.stderr)
            else:
                results.append(json.loads(out))
        elapsed = time.perf_counter() - t
        problems = verify(db, results)
        done = sum(sum(r["ok"].values()) for r in results)
        refused = sum(sum(r["refused"].values()) for r in results)
        busy = sum(r["busy"] for r in results)
        print(
            f"{args.procs} processes × {args.ops} operations on {args.errands} errands in {elapsed:.1f} s: "
            f"{done} done, {refused} refused by the rules, {busy} busy, {crashed} crashed, "
            f"{len(problems)} problems"
        )
        for line in problems[:20]:
            print("  " + line)
        return 1 if problems or crashed else 0


if __name__ == "__main__":
    raise SystemExit(main())
