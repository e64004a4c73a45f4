"""The benchmark keeps working (issue 7): a small run, numbers printed, none asserted. The sizes
are the smallest that still take every path (both shapes, keys, another process, imports); the
time goes to the processes it starts (about twenty), not to the size. What they measure is not
looked at, so a machine busy with other work makes these slower, never wrong: each may take up to
its subprocess's timeout rather than the suite's two minutes."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.timeout(600)
def test_small_benchmark_runs_and_prints_its_table():
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.run",
            "--errands",
            "60",
            "--repeat",
            "1",
            "--presses",
            "2",
            "--import-errands",
            "20",
        ],
        capture_output=True,
        cwd=ROOT,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    out = r.stdout.decode()
    for row in (
        "first paint",
        "key: move cursor",
        "key: open errand",
        "key: assign",
        "key: filter",
        "another process",
        "import 20 errands",
        "real mix",
        "list --json",
        "--status unassigned",
        "handover",
        "stats",
        "peak memory",
        "backlog",
    ):
        assert row in out, row


@pytest.mark.timeout(600)
def test_the_comparison_of_old_and_new_code_runs(tmp_path):
    """bench/compare.py (issue 31, item 6): every measure once with each of two checkouts (here
    this one twice), on a small backlog; numbers printed, none asserted."""
    db = tmp_path / "backlog.db"
    built = subprocess.run(
        [sys.executable, "-m", "bench.generate", str(db), "--errands", "200", "--open", "200"],
        capture_output=True,
        cwd=ROOT,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr.decode()[-2000:]
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.compare",
            "--backlog-db",
            str(db),
            "--old",
            str(ROOT),
            "--repeat",
            "1",
            "--import-errands",
            "40",
        ],
        capture_output=True,
        cwd=ROOT,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    out = r.stdout.decode()
    for row in (
        "--status unassigned",
        "list --json (",
        "import 40",
        "first paint",
        "first frame",
        "last frame",
        "load ",
    ):
        assert row in out, row
    # `--only paint`: the first paint's rows alone.
    r = subprocess.run(
        [sys.executable, "-m", "bench.compare", "--backlog-db", str(db), "--only", "paint", "--repeat", "1"],
        capture_output=True,
        cwd=ROOT,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    out = r.stdout.decode()
    assert "first frame" in out and "import 40" not in out and "--status unassigned" not in out


@pytest.mark.timeout(300)
def test_the_comparison_of_the_import_alone_runs():
    """`--only import`: no backlog database, the import's rows only, its CPU against insert_all's."""
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.compare",
            "--only",
            "import",
            "--repeat",
            "1",
            "--import-errands",
            "30",
        ],
        capture_output=True,
        cwd=ROOT,
        timeout=240,
    )
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    out = r.stdout.decode()
    assert "import 30" in out and "CPU × insert_all's CPU" in out
    assert "first paint" not in out and "--status unassigned" not in out


@pytest.mark.timeout(600)
def test_the_sessions_benchmark_runs_and_prints_its_table():
    """Issue 31's benchmark with two dashboards (a receiver's and a caregiver's) for a few
    seconds: that it runs, not its numbers."""
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.sessions",
            "--sessions",
            "2",
            "--errands",
            "60",
            "--repeat",
            "1",
            "--idle",
            "1",
            "--commands",
            "1",
            "--any-second",
        ],
        capture_output=True,
        cwd=ROOT,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    out = r.stdout.decode()
    for row in (
        "idle: CPU per dashboard",
        "open:",
        "note:",
        "new errand",
        "assign, top of Ofördelade",
        "in a row",
    ):
        assert row in out, row


def test_the_sessions_benchmark_reads_a_dashboards_cpu_finer_than_proc_ticks():
    """bench.sessions.cpu_seconds: a change costs a dashboard a few milliseconds, and /proc/PID/stat
    counts in 10 ms ticks; the process's CPU-time clock counts nanoseconds, the same total."""
    import time

    sys.path.insert(0, str(ROOT))
    from bench.sessions import TICK, cpu_seconds

    with subprocess.Popen(
        [sys.executable, "-c", "x = 0\nfor i in range(2_000_000): x += i\nprint(1, flush=True)\ninput()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    ) as child:
        try:
            assert child.stdout.readline() == b"1\n"  # its work done: its CPU stays put from here
            time.sleep(0.05)
            fine = cpu_seconds(child.pid)
            with open(f"/proc/{child.pid}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            ticks = (int(fields[11]) + int(fields[12])) / TICK
        finally:
            child.kill()
    assert abs(fine - ticks) < 2 / TICK
    assert round(fine * TICK, 6) != round(fine * TICK)  # not a whole number of ticks
