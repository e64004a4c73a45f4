"""What the command-line tests share."""

import pytest

from tests.conftest import STAFF, jsonl, run_cli


@pytest.fixture
def db(tmp_path):
    """A database with the test staff (tests/conftest.py, STAFF) and nothing else; a module that
    needs more defines its own `db`."""
    path = tmp_path / "cli.db"
    staff = tmp_path / "staff.jsonl"
    staff.write_bytes(jsonl(*STAFF))
    assert run_cli("staff", "import", str(staff), db=path).returncode == 0
    return path
