"""Old code against new, interleaved (issue 31, item 6): `python -m bench.compare --backlog-db PATH
[--old DIR] [--repeat N] [--import-errands N] [--only import|paint]`.

On a shared 2-core machine one run's wall time moves by ±20 % and more under other work, so each
round runs every measure once with each version of the program, one after the other, and the table
gives the medians of the rounds with the processes' CPU time beside their wall time. `--old` is a
checkout of the code to compare with (`git archive COMMIT | tar -x -C DIR`); without it only this
checkout is measured. The backlog database (all errands open: `python -m bench.generate PATH
--errands 100000 --open 100000`) must have a schema both versions read.

Measures: `list --json --status unassigned` and `list --json` on the backlog; `import` of the real
mix (bench.run.import_lines) into a database with the demo staff, against sqlite-utils insert_all
of the same lines; the first paint of the dashboard (3 panes filled) against a bare Textual app.
`--only import` measures the import alone (no backlog database needed), and gives its CPU time
against insert_all's too: on a loaded machine insert_all's wall time is mostly waiting. The
import's own process's CPU time, without the helper that screens beside it, is what its wall time
comes to on an idle machine. `--only paint` measures the first paint alone.

The first paint is timed by this checkout's bench/paint.py for both versions (the code measured is
the other checkout's): the moment the app is idle with its panes filled, and the first and the
last frame composed before that moment, each against the bare app's.
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
USER = "annlin"
PLAIN = textwrap.dedent("""
    import json, sys, sqlite_utils
    db = sqlite_utils.Database(sys.argv[1])
    with open(sys.argv[2], encoding="utf-8") as f:
        db["errands"].insert_all((json.loads(line) for line in f), pk="ref")
""")

# The command run so that it also says its own process's CPU time, without its helper's (the
# import screens in a second process): on an idle machine the wall time follows that, not the sum.
OWN = textwrap.dedent("""
    import atexit, os, resource, runpy, sys
    def note():
        u = resource.getrusage(resource.RUSAGE_SELF)
        with open(os.environ["BENCH_OWN_CPU"], "w") as f:
            f.write(repr(u.ru_utime + u.ru_stime))
    atexit.register(note)  # a forked helper ends with os._exit: only this process writes
    sys.argv = ["bcc_tui", *sys.argv[1:]]
    runpy.run_module("bcc_tui", run_name="__main__", alter_sys=True)
""")


def _load() -> str:
    """The machine's load (1, 5 and 15 minutes), which the table prints beside its figures."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def run(code: Path, args: list[str], env: dict | None = None) -> tuple[float, float, bytes]:
    """Wall and CPU seconds of one process of `code`'s program, and its output."""
    full = {**os.environ, "PYTHONPATH": str(code), **(env or {})}
    full.pop("BCC_NOW", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    r = subprocess.run([sys.executable, *args], capture_output=True, cwd=code, env=full)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode:
        raise RuntimeError(f"{code}: {args}: {r.stderr.decode()[-600:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, r.stdout


def compile_code(code: Path) -> None:
    """Compiled modules (.pyc) for a checkout before anything is timed: the environment may set
    PYTHONDONTWRITEBYTECODE, and then a checkout without them (`git archive`, a fresh worktree,
    edited modules) is compiled from source in every measured process."""
    compileall.compile_dir(code / "bcc_tui", quiet=2)


def paint(code: Path, mode: str, db: Path) -> tuple[float, float, float]:
    """Idle, first frame, last frame (seconds from the process's start): bench/paint.py."""
    script = str(ROOT / "bench" / "paint.py")
    _, _, out = run(code, [script, mode, str(db), USER], env={"BENCH_T0": repr(time.time())})
    idle, _peak, first, last = (float(v) for v in out.split())
    return idle, first, last


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="bcc-tui: old code against new, interleaved")
    p.add_argument("--backlog-db", help="required unless --only import")
    p.add_argument("--only", choices=["import", "paint"], help="measure the import or the first paint alone")
    p.add_argument("--old", help="a checkout of the code to compare with")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--import-errands", type=int, default=10_000)
    args = p.parse_args(argv)
    if args.only != "import" and not args.backlog_db:
        p.error("--backlog-db is required (unless --only import)")
    sys.path.insert(0, str(ROOT))
    from bench.run import import_lines

    db = Path(args.backlog_db or "")
    every_measure = args.only is None
    imports = args.only in (None, "import")
    paints = args.only in (None, "paint")
    codes = {"new": ROOT} | ({"old": Path(args.old).resolve()} if args.old else {})
    for code in codes.values():
        compile_code(code)
    staff = ROOT / "fixtures" / "demo" / "staff.jsonl"
    got: dict[tuple[str, str], list[tuple[float, ...]]] = {}

    def note(name: str, key: str, value: tuple[float, ...]) -> None:
        got.setdefault((name, key), []).append(value)

    load_before = _load()
    with tempfile.TemporaryDirectory(prefix="bcc-compare-") as tmp:
        folder = Path(tmp)
        data = folder / "mix.jsonl"
        data.write_text("".join(line + "\n" for line in import_lines(args.import_errands, mix=True)), "utf-8")
        cli = ["-m", "bcc_tui", "--db", str(db), "--as", USER, "list", "--json"]
        for k in range(args.repeat):
            for name, code in codes.items():
                if every_measure:
                    w, c, out = run(code, [*cli, "--status", "unassigned"])
                    note(name, "list_unassigned", (w, c))
                    note(name, "rows_unassigned", (out.count(b"\n"), 0))
                    w, c, out = run(code, cli)
                    note(name, "list_all", (w, c))
                    note(name, "rows_all", (out.count(b"\n"), 0))
                if imports:
                    target = folder / f"imp-{name}-{k}.db"
                    run(code, ["-m", "bcc_tui", "--db", str(target), "staff", "import", str(staff)])
                    own = folder / "own-cpu"
                    imp = ["-c", OWN, "--db", str(target), "import", str(data)]
                    note(name, "import", run(code, imp, env={"BENCH_OWN_CPU": str(own)})[:2])
                    note(name, "import_own", (float(own.read_text()), 0))
                if paints:
                    note(name, "paint", paint(code, "dashboard", db))
            if imports:
                plain = folder / f"plain-{k}.db"
                note("floor", "insert_all", run(ROOT, ["-c", PLAIN, str(plain), str(data)])[:2])
            if paints:
                note("floor", "bare", paint(ROOT, "bare", db))
    load_after = _load()

    def med(name: str, key: str, i: int = 0) -> float:
        return statistics.median(v[i] for v in got[(name, key)])

    print(f"bcc-tui old against new · {args.repeat} rounds, medians · load {load_before} → {load_after}")
    print()
    print("| measure | " + " | ".join(codes) + " | floor | goal |")
    print("|---|" + "---|" * len(codes) + "---|---|")
    if every_measure:
        rows = int(med("new", "rows_unassigned"))
        every = int(med("new", "rows_all"))
        for key, label in (
            ("list_unassigned", f"list --json --status unassigned ({rows} rows), wall / CPU"),
            ("list_all", f"list --json ({every} rows), wall / CPU"),
        ):
            cells = [f"{med(n, key):.2f} / {med(n, key, 1):.2f} s" for n in codes]
            print(f"| {label} | " + " | ".join(cells) + " |  | ≤ 3 s |")
    if imports:
        floor_w, floor_c = med("floor", "insert_all"), med("floor", "insert_all", 1)
        cells = [
            f"{med(n, 'import'):.2f} / {med(n, 'import', 1):.2f} s ({med(n, 'import') / floor_w:.2f}×)"
            for n in codes
        ]
        print(
            f"| import {args.import_errands}, real mix, wall / CPU (× insert_all's wall) | "
            + " | ".join(cells)
            + f" | insert_all {floor_w:.2f} / {floor_c:.2f} s | ≤ 3× |"
        )
        cells = [f"{med(n, 'import', 1) / floor_c:.2f}×" for n in codes]
        print("| import, CPU × insert_all's CPU | " + " | ".join(cells) + " | | |")
        cells = [f"{med(n, 'import_own'):.2f} s ({med(n, 'import_own') / floor_c:.2f}×)" for n in codes]
        print(
            "| import, its own process's CPU without its helper's (× insert_all's CPU) | "
            + " | ".join(cells)
            + " | | |"
        )
    if paints:
        for i, label, goal in (
            (0, "first paint, dashboard (idle with its panes filled)", "≤ 1.5×"),
            (1, "first paint: the first frame with the panes filled", ""),
            (2, "first paint: the last frame before idle", ""),
        ):
            bare = med("floor", "bare", i)
            cells = [f"{med(n, 'paint', i) * 1000:.0f} ms ({med(n, 'paint', i) / bare:.2f}×)" for n in codes]
            print(f"| {label} | " + " | ".join(cells) + f" | bare app {bare * 1000:.0f} ms | {goal} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
