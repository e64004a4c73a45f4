"""The machines' checks (pyproject.toml configures them): lint, format and types over the whole
repository, run by the suite so that `.ci/run` — the README's test command — enforces them too."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str, *args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name(name)
    return subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=ROOT, check=False)


@pytest.mark.parametrize(
    "args",
    [("check", "--no-cache"), ("format", "--check", "--no-cache")],
    ids=["lint", "format"],
)
def test_ruff(args):
    r = _tool("ruff", *args)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]


def test_mypy_finds_no_errors_in_the_package():
    """pyproject.toml's [tool.mypy] (issue 30: untyped bodies checked everywhere, every function
    annotated below the dashboard, the domain strict); no cache, so a run never reads a stale one."""
    r = _tool("mypy", "bcc_tui", "--cache-dir", "/dev/null")
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
