"""`bcc-tui handover [--json] [--done [--note T]] [--log]` in-process through main() (R28)."""

import json

import pytest

from bcc_tui.cli import main
from tests.conftest import STAFF, errand_line, jsonl


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    db = tmp_path / "h.db"
    monkeypatch.setenv("BCC_DB", str(db))
    monkeypatch.setenv("BCC_NOW", "2026-11-25T10:00:00+01:00")
    monkeypatch.delenv("SUDO_USER", raising=False)
    staff = tmp_path / "staff.jsonl"
    staff.write_bytes(jsonl(*STAFF))
    errands = tmp_path / "in.jsonl"
    errands.write_bytes(
        jsonl(
            errand_line("1177-000001", received_at="2026-11-20T09:00:00+01:00"),
            errand_line("1177-000002", message="Hon har feber"),
        )
    )
    assert main(["staff", "import", str(staff)]) == 0
    assert main(["import", str(errands)]) == 0
    capsys.readouterr()

    def run(*args, now=None):
        if now:
            monkeypatch.setenv("BCC_NOW", now)
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_json_done_and_log(cli):
    code, out, _ = cli("--as", "rec1", "handover", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["since"] is None and data["note"] is None
    assert data["items"] == [
        {"ref": "1177-000002", "category": "acute", "remark": None},
        {"ref": "1177-000001", "category": "overdue", "remark": None},
    ]
    assert "Elsa" not in out  # no patient names

    assert cli("--as", "rec2", "handover", "--note", "Ring familjen i 000001")[0] == 0
    code, out, _ = cli(
        "--as", "rec1", "handover", "--done", "--note", "Allt genomgånget", now="2026-11-25T10:05:00+01:00"
    )
    assert code == 0 and "Överlämningen kvitterad 2026-11-25 10:05: 2 av 2 genomgångna" in out
    code, out, _ = cli("--as", "rec1", "handover", "--log")
    assert code == 0 and "2 av 2 genomgångna · Allt genomgånget" in out and "Rita Receiver" in out

    code, out, _ = cli("--as", "rec1", "handover", now="2026-11-25T11:00:00+01:00")
    assert code == 0
    assert (
        out.splitlines()[4] == "## Sedan förra överlämningen (ons 25 nov 10:05, togs över av Rita Receiver)"
    )
    data = json.loads(cli("--as", "rec1", "handover", "--json")[1])
    assert data["since"] == "2026-11-25T09:05:00Z" and data["arrived_since"] == []
    assert data["note"] is None  # the note was handed over with the receipt


def test_refusals(cli):
    code, _, err = cli("--as", "doc1", "handover", "--done")
    assert code == 1 and "överlämningen är för ärendemottagare" in err
    code, _, err = cli("--as", "rec1", "handover", "--json", "--log")
    assert code == 1 and "välj en av --json, --done och --log" in err
