"""The machines' checks (pyproject.toml configures them): lint, format and types over the whole
repository, run by the suite so that `.ci/run` — the README's test command — enforces them too."""

import os
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


def _mypy_cache() -> str:
    """mypy's incremental cache, kept in the environment the tools are installed in (beside the
    pinned mypy and the packages it reads; a new environment starts a new one). mypy checks each
    cached module against its source and its options, so a changed file or setting is checked
    again; what it keeps is the work on Textual, Rich and the standard library, which was most of
    the 5-6 CPU-seconds every run spent. Where the environment cannot be written: no cache."""
    folder = Path(sys.prefix) / "mypy-cache"
    try:
        folder.mkdir(exist_ok=True)
    except OSError:
        return "/dev/null"
    return str(folder) if os.access(folder, os.W_OK) else "/dev/null"


def test_mypy_finds_no_errors_in_the_package():
    """pyproject.toml's [tool.mypy] (issue 30: untyped bodies checked everywhere, every function
    annotated below the dashboard, the domain strict), with mypy's own cache (_mypy_cache), which
    it checks against each source file and its options before it trusts it."""
    r = _tool("mypy", "bcc_tui", "--cache-dir", _mypy_cache())
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
