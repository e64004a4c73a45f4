"""Several processes assigning the same errands at once (issue 2, docs/routine.md 7)."""

import json
import sqlite3
import subprocess
import sys
import textwrap

from tests.conftest import STAFF, errand_line, jsonl, run_cli

WORKER = textwrap.dedent("""
    import contextlib, io, json, sys
    from bcc_tui.cli import main
    db, me, target, refs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(",")
    results = []
    for ref in refs:
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["--db", db, "--as", me, "assign", ref, target])
        results.append([ref, code, err.getvalue()])
    print(json.dumps(results))
""")


def test_racing_receivers_each_errand_gets_exactly_one_assignee(tmp_path):
    db = tmp_path / "race.db"
    staff = STAFF + [
        {"username": f"r{i}", "name": f"R {i}", "title": "medicinsk sekreterare", "roles": ["receiver"]}
        for i in range(4)
    ]
    assert run_cli("staff", "import", "-", db=db, stdin=jsonl(*staff)).returncode == 0
    refs = [f"1177-{i:06d}" for i in range(30)]
    assert run_cli("import", "-", db=db, stdin=jsonl(*(errand_line(r) for r in refs))).returncode == 0
    targets = ["doc1", "doc2", "nurse", "lead"]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                str(db),
                f"r{i}",
                targets[i],
                ",".join(refs if i % 2 == 0 else reversed(refs)),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i in range(4)
    ]
    outcomes = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
        assert b"Traceback" not in err
        outcomes.append(json.loads(out))
    conn = sqlite3.connect(db)
    final = dict(conn.execute("SELECT ref, assignee FROM errands"))
    for ref in refs:
        winners = [(i, o) for i, res in enumerate(outcomes) for o in res if o[0] == ref and o[1] == 0]
        losers = [o for res in outcomes for o in res if o[0] == ref and o[1] != 0]
        assert len(winners) == 1, (ref, winners)
        assert final[ref] == targets[winners[0][0]]
        assert len(losers) == 3
        for _, code, message in losers:
            assert code == 1
            assert "redan fördelat till" in message, message
            assert "locked" not in message
    # One assign event per errand, and an audit row for every winner and every loser.
    assert conn.execute("SELECT count(*) FROM events WHERE kind = 'assign'").fetchone()[0] == 30
    assert (
        conn.execute("SELECT count(*) FROM audit WHERE action = 'assign' AND outcome = 'ok'").fetchone()[0]
        == 30
    )
    assert (
        conn.execute("SELECT count(*) FROM audit WHERE action = 'assign' AND outcome = 'refused'").fetchone()[
            0
        ]
        == 90
    )
