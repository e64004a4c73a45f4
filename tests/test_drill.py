"""The deployment drill (deploy/drill.sh), opt in: BCC_DRILL=1, as root. It builds a fresh Debian
12 root (debootstrap; the base is made once and kept in /var/cache/bcc-drill) and runs the guide
in it, in namespaces of its own, with an sshd on 127.0.0.1:2222 and a mail relay on :2525; then
upgrades with dashboards open and rolls back. About five minutes, more the first time."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    os.environ.get("BCC_DRILL") != "1" or os.geteuid() != 0,
    reason="the deployment drill changes the machine: BCC_DRILL=1 as root on a throwaway machine",
)


@pytest.mark.timeout(900)
def test_the_guide_works_as_written():
    proc = subprocess.run([str(ROOT / "deploy" / "drill.sh")], capture_output=True, timeout=900)
    out = proc.stdout.decode(errors="replace")
    assert proc.returncode == 0, out[-3000:] + proc.stderr.decode(errors="replace")[-2000:]
    assert "DRILL PASS" in out
