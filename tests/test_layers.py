"""The layering contract: nothing below ui imports Textual; the CLI starts without it."""

import ast
import subprocess
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "bcc_tui"
ORDER = ["domain", "store", "services"]


def imports_of(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_textual_below_ui_and_layers_import_only_downwards():
    for i, layer in enumerate(ORDER):
        above = ORDER[i + 1:] + ["ui", "cli"]
        for path in (PKG / layer).rglob("*.py"):
            for name in imports_of(path):
                assert not name.split(".")[0] in ("textual", "rich"), f"{path} imports {name}"
                for upper in above:
                    assert not name.startswith(f"bcc_tui.{upper}"), f"{path} imports {name}"


def test_the_domain_has_no_io_and_no_clock():
    for path in (PKG / "domain").rglob("*.py"):
        text = path.read_text()
        for banned in ("datetime.now(", "date.today(", "dt.datetime.now(", "open(", "sqlite3", "import os"):
            assert banned not in text, f"{path} uses {banned}"


def test_cli_commands_do_not_load_textual():
    code = ("import sys; from bcc_tui.cli import build_parser; import bcc_tui.cli.app;"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True).stdout
    assert out.strip() == b"[]"
