"""A command's process imports that command's module only (cli/registry.py `load`), and the command
line it parses is the whole command line's, word for word: the same help, errors and arguments."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import re
import subprocess
import sys

import pytest

from bcc_tui.cli import build_parser, command_in, commands, registry
from tests.conftest import run_cli

# What a command may import beyond its own module: the modules of the other commands and what
# only they need.
OTHERS = tuple(sorted({"bcc_tui.services.demo", *registry.ORDER.values()}))


def _loaded_after(code: str, env: dict | None = None) -> list[str]:
    """The command modules (and the demo's services) a new interpreter has after `code`."""
    probe = f"\nimport sys\nprint(sorted(m for m in sys.modules if m in {OTHERS!r}))"
    full_env = {k: v for k, v in os.environ.items() if k not in ("BCC_DB", "SUDO_USER", "SUDO_UID")}
    full_env.update(env or {})
    r = subprocess.run([sys.executable, "-c", code + probe], capture_output=True, env=full_env, timeout=60)
    assert r.returncode == 0, r.stderr.decode()
    return json.loads(r.stdout.decode().splitlines()[-1].replace("'", '"'))


def test_a_command_imports_its_own_module_only(db):
    code = f"from bcc_tui.cli import main\nassert main(['--db', {str(db)!r}, '--as', 'rec1', 'list']) == 0"
    loaded = _loaded_after(code, {"BCC_NOW": "2026-11-25T10:00:00+01:00"})
    assert loaded == ["bcc_tui.cli.commands.errands"]


@pytest.mark.parametrize(
    ("command", "module"),
    [
        ("import", "bcc_tui.cli.commands.intake"),
        ("check", "bcc_tui.cli.commands.records"),
        ("types", "bcc_tui.cli.commands.clinic"),
        ("stats", "bcc_tui.cli.commands.reports"),
        ("demo", "bcc_tui.cli.dashboard"),
    ],
)
def test_a_commands_help_imports_its_own_module_only(command, module):
    code = (
        f"from bcc_tui.cli import main\ntry:\n    main([{command!r}, '--help'])\nexcept SystemExit:\n    pass"
    )
    expected = [module, "bcc_tui.services.demo"] if module == "bcc_tui.cli.dashboard" else [module]
    assert _loaded_after(code) == expected


def test_importing_the_command_line_imports_no_command():
    assert _loaded_after("import bcc_tui.cli, bcc_tui.cli.app, bcc_tui.cli.session") == []


def test_the_whole_help_still_lists_every_command_in_order():
    code = "from bcc_tui.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    assert _loaded_after(code) == list(OTHERS)
    text = run_cli("--help").stdout.decode()
    assert re.findall(r"^    (\S+)", text, re.MULTILINE) == list(registry.ORDER), text


def test_the_table_names_the_module_that_registers_each_command(monkeypatch):
    # A module that ORDER does not name is never imported by the program: its commands would be
    # missing without a word, so every module of cli/commands/ is imported here first.
    for module in pkgutil.iter_modules(commands.__path__, f"{commands.__name__}."):
        importlib.import_module(module.name)
    assert [c.name for c in registry.in_order()] == list(registry.ORDER)
    monkeypatch.setitem(registry.ORDER, "assign", "bcc_tui.cli.commands.clinic")
    with pytest.raises(RuntimeError, match="assign"):
        registry.in_order()


def test_a_listed_command_that_nobody_registers_is_named(monkeypatch):
    monkeypatch.setitem(registry.ORDER, "frobnicate", "bcc_tui.cli.commands.clinic")
    with pytest.raises(RuntimeError, match="frobnicate"):
        registry.in_order()


# Command lines and the command each runs, or None where the whole command line is built (its
# help, its errors). They are among the command lines the two parsers must read alike, below.
FOUND = [
    (["assign", "--help"], "assign"),
    (["--db", "x", "--as", "u", "list", "--status", "unassigned"], "list"),
    (["--db=x", "list"], "list"),
    (["--d", "x", "list"], "list"),
    (["--as", "list", "assign"], "assign"),
    (["demo", "--db", "x"], "demo"),
    (["list", "--db"], "list"),  # the error is the subparser's, with the same usage line
    ([], "open"),
    (["--db", "x", "--as", "u"], "open"),
    (["--db=x", "--a", "u"], "open"),
    (["--db", "x", "-h"], None),
    (["--db", "x", "--bogus"], None),
    (["--help"], None),
    (["--he", "list"], None),
    (["-h", "list"], None),
    (["--help", "list"], None),
    (["lsit"], None),
    (["--", "list"], None),
    (["--db"], None),
    (["--bogus=1", "-x"], None),
    (["--db", "x", "--help", "assign"], None),
]


@pytest.mark.parametrize(("argv", "command"), FOUND)
def test_the_command_is_found_without_the_other_commands(argv, command):
    assert command_in(argv) == command


def _argvs() -> list[list[str]]:
    out: list[list[str]] = []
    for name in registry.ORDER:
        out += [
            [name],
            [name, "--help"],
            [name, "-h"],
            [name, "--bogus"],
            ["--bogus", name],
            [name, "--"],
            [name, "extra", "words", "here"],
            ["--db", "x.db", "--as", "u", name, "--help"],
            ["--db=x.db", name],
            [name, "--db", "x.db", "--as", "u"],
            ["--d", "x.db", name, "--a", "u"],
        ]
    out += [
        [],
        ["--help"],
        ["-h"],
        ["--h"],
        ["--he", "list"],
        ["list", "--help", "--db"],
        ["--db"],
        ["--db", "x.db"],
        ["--as"],
        ["--as", "u"],
        ["--db", "x.db", "--db", "y.db", "list"],
        ["--as", "list", "assign"],
        ["lsit"],
        ["LIST"],
        ["-x", "list"],
        ["--", "list"],
        ["--db", "--", "list"],
        ["list", "--status", "bogus"],
        ["list", "--status", "unassigned", "--limit", "x"],
        ["list", "--status", "unassigned", "--limit", "3", "--json"],
        ["assign", "1177-000001", "rec1"],
        ["assign", "1177-000001"],
        ["--db", "x.db", "assign", "1177-000001", "rec1", "--db", "y.db"],
        ["demo", "--db", "d.db", "--as", "rec1", "--no-ui"],
        ["demo", "--no-ui", "--no-ui=1"],
        ["open"],
        ["open", "1177-000001", "1177-000002"],
        ["import", "-"],
        ["staff", "import", "f.jsonl"],
        ["stats", "--from", "2026-01-01"],
        *(argv for argv, _command in FOUND),
    ]
    return out


def test_one_commands_parser_reads_as_the_whole_command_line(capsys):
    # One test for all ~400 command lines (each a test of its own cost the suite 5 CPU-s): every
    # command line that reads differently is named.
    def outcome(parser, argv):
        try:
            result = ("parsed", vars(parser.parse_args(argv)))
        except SystemExit as exit_:
            result = ("exit", exit_.code)
        return result, capsys.readouterr()

    whole = build_parser()
    differ = [
        argv for argv in _argvs() if outcome(build_parser(command_in(argv)), argv) != outcome(whole, argv)
    ]
    assert differ == []


@pytest.mark.parametrize(
    "argv",
    [["--as", "rec1"], ["--as", "rec1", "open", "1177-000001"], ["demo", "--db", "DEMO"]],
    ids=["no command", "open", "demo"],
)
def test_a_running_dashboard_loads_no_module_of_ours_after_its_start(argv, db, tmp_path):
    """Issue 31: a module loaded once the dashboard runs could be an upgrade's. Nothing of the
    command line is loaded after the dashboard's start, on its way out included (the app itself is
    stood in for here; tests/ui/test_upgrade_ui.py has the real one)."""
    argv = ["--db", str(db), *(str(tmp_path / "demo.db") if a == "DEMO" else a for a in argv)]
    code = f"""
import sys
import bcc_tui.ui.app
from bcc_tui.cli import dashboard, main

at_start = set()


class Running:
    crash_line = ended_line = None
    return_code = 0

    def run(self):
        at_start.update(sys.modules)


dashboard.has_terminal = lambda: True
bcc_tui.ui.app.make_app = lambda ctx, **kw: Running()
assert main({argv!r}) == 0
assert at_start
print(sorted(m for m in sys.modules if m.startswith("bcc_tui") and m not in at_start))
"""
    env = {k: v for k, v in os.environ.items() if k not in ("BCC_DB", "SUDO_USER", "SUDO_UID")}
    env["BCC_NOW"] = "2026-11-25T10:00:00+01:00"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr.decode()
    assert r.stdout.decode().splitlines()[-1] == "[]"


def test_the_program_freezes_what_its_command_imported(db):
    """gc.freeze keeps what the imports made out of the collector's walks (7 % of a long `list
    --json`); frozen before the command's module was imported, that module was left out."""
    code = f"""
import gc, sys
seen = []
gc.freeze = lambda: seen.append("bcc_tui.cli.commands.errands" in sys.modules)
sys.argv = ["bcc-tui", "--db", {str(db)!r}, "--as", "rec1", "list"]
from bcc_tui.cli import main
main()
print(seen)
"""
    env = {k: v for k, v in os.environ.items() if k not in ("BCC_DB", "SUDO_USER", "SUDO_UID")}
    env["BCC_NOW"] = "2026-11-25T10:00:00+01:00"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr.decode()
    assert r.stdout.decode().splitlines()[-1] == "[True]"
