"""The benchmark keeps working (issue 7): a small run, numbers printed, none asserted."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_small_benchmark_runs_and_prints_its_table():
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.run",
            "--errands",
            "3000",
            "--repeat",
            "1",
            "--presses",
            "6",
            "--import-errands",
            "500",
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
        "another process",
        "import 500 errands",
        "real mix",
        "list --json",
        "handover",
        "stats",
        "peak memory",
        "backlog",
    ):
        assert row in out, row
