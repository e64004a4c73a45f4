"""The layering contract: nothing below ui imports Textual; the CLI starts without it."""

import subprocess
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "bcc_tui"


def test_the_import_contracts_in_pyproject_hold():
    """import-linter checks the layers and keeps Textual/Rich in the ui (pyproject.toml)."""
    lint = Path(sys.executable).with_name("lint-imports")
    r = subprocess.run([str(lint), "--no-cache"], capture_output=True, text=True, cwd=PKG.parent)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert "4 kept, 0 broken" in r.stdout


def test_sql_lives_in_the_store_and_transactions_in_the_services():
    """Issue 14: no query above the store; the command line and the dashboard open no transaction of their own (each
    one is a service's use case)."""
    for layer in ("services", "cli", "ui"):
        for path in (PKG / layer).rglob("*.py"):
            text = path.read_text()
            for banned in (".execute(", ".executemany(", ".executescript(", "sqlite3.connect(", ".conn."):
                assert banned not in text, f"{path} uses {banned}"
    for path in [*(PKG / "cli").rglob("*.py"), *(PKG / "ui").rglob("*.py")]:
        text = path.read_text()
        for banned in ("store.read(", "store.write(", "BEGIN", "atomic("):
            assert banned not in text, f"{path} uses {banned}"


def test_roles_are_asked_through_the_permission_table():
    """Issue 14: services and the command line ask domain.roles (may/check/need_to_know) or
    services.context.require, never an actor's roles themselves."""
    for layer in ("services", "cli"):
        for path in (PKG / layer).rglob("*.py"):
            text = path.read_text()
            for banned in ("actor.has(", "in ctx.actor.roles"):
                assert banned not in text, f"{path} asks {banned} itself"


def test_moments_are_read_in_one_place():
    """Issue 14: stored UTC text is parsed by domain.validation.parse_utc only."""
    reader = PKG / "domain" / "validation.py"
    for path in PKG.rglob("*.py"):
        if path != reader:
            assert "datetime.fromisoformat(" not in path.read_text(), f"{path} parses a moment itself"


def test_the_domain_has_no_io_and_no_clock():
    for path in (PKG / "domain").rglob("*.py"):
        text = path.read_text()
        for banned in ("datetime.now(", "date.today(", "dt.datetime.now(", "open(", "sqlite3", "import os"):
            assert banned not in text, f"{path} uses {banned}"


def test_cli_commands_do_not_load_textual():
    code = (
        "import sys; from bcc_tui.cli import build_parser; build_parser(); import bcc_tui.cli.app;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True).stdout
    assert out.strip() == b"[]"


def test_no_import_loop_in_the_command_line():
    """Issue 30: cli/app.py and cli/dashboard.py imported each other. Any loop among the command
    line's modules is named here (pyproject.toml's layers contract refuses the known shapes)."""
    import grimp

    graph = grimp.build_graph("bcc_tui")
    modules = sorted(m for m in graph.modules if m == "bcc_tui.cli" or m.startswith("bcc_tui.cli."))
    loops = [
        (a, b)
        for i, a in enumerate(modules)
        for b in modules[i + 1 :]
        if graph.chain_exists(a, b) and graph.chain_exists(b, a)
    ]
    assert loops == []
