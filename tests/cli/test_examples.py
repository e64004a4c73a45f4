"""The shipped example files (fixtures/examples/) import as the README's tour says, from the
project root, and follow the published schemas."""

import json
import re
import shlex

import jsonschema
import pytest

from bcc_tui.cli import main
from bcc_tui.services import demo
from bcc_tui.services.clock import FixedClock
from bcc_tui.store.db import Store
from tests.conftest import NOW, ROOT

EXAMPLES = ROOT / "fixtures" / "examples"
SCHEMAS = ROOT / "tests" / "contract" / "schemas"


def _tour_imports() -> list[list[str]]:
    """The README tour's import lines, as written (comments dropped)."""
    readme = (ROOT / "README.md").read_text("utf-8")
    lines = []
    for raw in readme.splitlines():
        cmd = raw.split("#", 1)[0].strip()
        if re.match(r"bcc-tui (staff |schedule )?import ", cmd):
            lines.append(shlex.split(cmd)[1:])
    return lines


@pytest.fixture
def demo_db(tmp_path, monkeypatch):
    path = tmp_path / "demo.db"
    store = Store(path)
    demo.build(store, FixedClock(NOW))
    store.close()
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("BCC_DB", str(path))
    monkeypatch.setenv("BCC_NOW", NOW.isoformat())
    monkeypatch.delenv("SUDO_USER", raising=False)
    return path


def test_the_readme_tour_imports_the_shipped_examples(demo_db, capsys):
    tour = _tour_imports()
    assert [t[-1] for t in tour] == [
        "fixtures/examples/errands.jsonl",
        "fixtures/examples/staff.jsonl",
        "fixtures/examples/schedule.jsonl",
        "fixtures/examples/errands-with-errors.jsonl",
    ]
    codes = []
    for args in tour:
        codes.append(main(args))
    out, err = capsys.readouterr()
    assert codes == [0, 0, 0, 1], (out, err)
    assert "5 nya ärenden, 0 redan inlästa, 0 avvisade rader" in out
    assert "1 nytt ärende, 0 redan inlästa, 4 avvisade rader" in out
    bad = "fixtures/examples/errands-with-errors.jsonl"
    assert [line.split(":")[1] for line in err.splitlines() if line.startswith(bad)] == ["2", "3", "4", "5"]
    # Importing the same files again adds nothing.
    assert main(["import", "fixtures/examples/errands.jsonl"]) == 0
    assert "0 nya ärenden, 5 redan inlästa" in capsys.readouterr().out


@pytest.mark.parametrize(
    "name,schema",
    [
        ("errands.jsonl", "errand.schema.json"),
        ("staff.jsonl", "staff.schema.json"),
        ("schedule.jsonl", "schedule.schema.json"),
    ],
)
def test_the_valid_examples_follow_the_schemas(name, schema):
    v = jsonschema.Draft202012Validator(
        json.loads((SCHEMAS / schema).read_text()), format_checker=jsonschema.FormatChecker()
    )
    lines = (EXAMPLES / name).read_text("utf-8").splitlines()
    assert lines
    for line in lines:
        v.validate(json.loads(line))
