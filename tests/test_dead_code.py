"""Dead code (issue 30): vulture at 60 % confidence finds nothing in bcc_tui that is not named, with
its reason, in pyproject.toml's [tool.vulture] or in tests/vulture_whitelist.py."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_vulture_finds_no_dead_code():
    vulture = Path(sys.executable).with_name("vulture")
    r = subprocess.run([str(vulture)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, (
        "unused, or say why it stays (tests/vulture_whitelist.py):\n" + r.stdout + r.stderr
    )
