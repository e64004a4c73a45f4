"""R32, issue 29: one vocabulary. docs/glossary.md names one Swedish term per concept; the
program's texts (every string constant in bcc_tui/, docstrings aside) never use a word of its
"never" column, and every term of its first column is found among them (a glossary that names a
word the program no longer uses is out of date)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_CODE = re.compile(r"^[a-z_][a-z0-9_]*$")


def _glossary() -> list[tuple[list[str], list[str]]]:
    rows = []
    for line in (ROOT / "docs" / "glossary.md").read_text("utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 5 or cells[0] in ("Swedish (UI)", "---") or set(cells[0]) <= {"-"}:
            continue
        terms = [t.strip() for t in cells[0].split(",") if t.strip()]
        never = [t.strip() for t in cells[4].split(",") if t.strip()]
        rows.append((terms, never))
    return rows


def _texts() -> list[tuple[str, int, str]]:
    """Every string the program may show: (file, line, text), docstrings left out."""
    out = []
    for path in sorted((ROOT / "bcc_tui").rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        docstrings = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                body = node.body
                if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                    docstrings.add(id(body[0].value))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                if _CODE.match(node.value):
                    continue  # a key or a code ("deadline" in a deviation's facts), not a text
                out.append((str(path.relative_to(ROOT)), node.lineno, node.value))
    return out


GLOSSARY = _glossary()
TEXTS = _texts()
ALL = "\n".join(t for _, _, t in TEXTS).lower()


def test_the_glossary_is_read():
    assert len(GLOSSARY) > 30
    assert any("delsvar" in terms for terms, _ in GLOSSARY)


@pytest.mark.parametrize("terms, never", GLOSSARY, ids=[", ".join(t) for t, _ in GLOSSARY])
def test_no_text_uses_a_word_the_glossary_rules_out(terms, never):
    found = [
        f"{path}:{line}: {text!r}"
        for word in never
        for path, line, text in TEXTS
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE)
    ]
    assert found == [], f"use {terms[0]!r}: {found}"


@pytest.mark.parametrize("terms, never", GLOSSARY, ids=[", ".join(t) for t, _ in GLOSSARY])
def test_every_term_of_the_glossary_is_the_programs_own(terms, never):
    missing = [t for t in terms if t.lower() not in ALL]
    assert missing == []
