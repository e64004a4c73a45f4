"""Short versions of the reliability harnesses (issue 8); the full runs are documented in
docs/reliability.md."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*args):
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, cwd=ROOT, timeout=300)


def test_concurrent_writers_lose_nothing():
    r = run("bench.concurrency", "--procs", "4", "--ops", "150", "--errands", "15")
    assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()[-2000:]
    assert "0 crashed, 0 problems" in r.stdout.decode()


def test_kill_minus_nine_leaves_a_whole_database():
    r = run("bench.crash", "--rounds", "4", "--max-delay", "0.6")
    assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()[-2000:]
    assert "0 problems" in r.stdout.decode()


def test_the_harness_notices_a_lost_write(tmp_path):
    """A harness that cannot fail proves nothing: an acknowledged write that is not in the file,
    and an event without its audit row, are both reported."""
    sys.path.insert(0, str(ROOT))
    from bench import crash

    db = tmp_path / "x.db"
    crash.setup(db)
    problems = crash.verify(db, ["import NOT-THERE-1"])
    assert problems == ["acknowledged import of NOT-THERE-1 is missing"]
