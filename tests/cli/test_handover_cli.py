"""`bcc-tui handover [--json] [--give [--note T]] [--take] [--remark REF TEXT] [--log]` in-process
through main() (R28)."""

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


def test_give_take_json_and_log(cli):
    """Issue 27: receiver A gives with a note and a remark; B's handover and --json show both; B's
    take records both sides in --log."""
    code, out, _ = cli("--as", "rec1", "handover", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["since"] is None and data["note"] is None and data["given"] is None and data["taken"] is None
    assert data["items"] == [
        {"ref": "1177-000002", "category": "acute", "remark": None},
        {"ref": "1177-000001", "category": "overdue", "remark": None},
    ]
    assert "Elsa" not in out  # no patient names

    code, out, _ = cli("--as", "rec1", "handover", "--remark", "1177-000001", "Ring mamma efter 14")
    assert code == 0 and "Anmärkningen fäst på 1177-000001" in out
    code, out, _ = cli(
        "--as",
        "rec1",
        "handover",
        "--give",
        "--note",
        "Lugnt pass, 000002 ringd",
        now="2026-11-25T10:05:00+01:00",
    )
    assert code == 0 and "Överlämningen lämnad 2026-11-25 10:05: 2 av 2 genomgångna" in out
    code, _, err = cli("--as", "rec1", "handover", "--take")
    assert code == 1 and "du har själv lämnat över" in err

    # The next receiver sees both, on paper and in JSON.
    code, out, _ = cli("--as", "rec2", "handover", now="2026-11-25T10:20:00+01:00")
    assert code == 0 and "## Lämnad över av Rita Receiver, ons 25 nov 10:05: 2 av 2 genomgångna" in out
    assert "> Lugnt pass, 000002 ringd" in out and '"Ring mamma efter 14"' in out
    data = json.loads(cli("--as", "rec2", "handover", "--json")[1])
    assert data["given"]["by"] == "rec1" and data["given"]["note"] == "Lugnt pass, 000002 ringd"
    assert data["note"] == "Lugnt pass, 000002 ringd"
    assert data["remarks_since"][0]["remark"] == "Ring mamma efter 14"
    assert {"ref": "1177-000001", "category": "overdue", "remark": "Ring mamma efter 14"} in data["items"]

    code, out, _ = cli("--as", "rec2", "handover", "--take", now="2026-11-25T10:30:00+01:00")
    assert code == 0 and "Du tog över 2026-11-25 10:30 från Rita Receiver: 2 av 2 genomgångna" in out
    code, out, _ = cli("--as", "rec2", "handover", "--log")
    assert code == 0
    assert out.splitlines()[0] == (
        "lämnad 2026-11-25 10:05 av Rita Receiver: 2 av 2 genomgångna · Lugnt pass, 000002 ringd"
        " → tagen 2026-11-25 10:30 av Rolf Receiver"
    )
    data = json.loads(cli("--as", "rec2", "handover", "--json", now="2026-11-25T11:00:00+01:00")[1])
    assert data["given"] is None and data["remarks_since"] == [] and data["note"] is None
    assert (
        data["taken"]["by"] == "rec2"
        and data["taken"]["from"] == "rec1"
        and data["since"] == "2026-11-25T09:30:00Z"
    )


def test_done_is_take_and_its_note_waits_for_the_next_shift(cli):
    """--done stays as an alias of --take; a note given with it is for the next receiver, not lost."""
    assert cli("--as", "rec2", "handover", "--note", "Ring familjen i 000001")[0] == 0
    code, out, _ = cli(
        "--as", "rec1", "handover", "--done", "--note", "Allt genomgånget", now="2026-11-25T10:05:00+01:00"
    )
    assert code == 0 and "anteckningen sparad" in out
    # Nobody gave: not "från Rolf Receiver: 3 av 3 genomgångna", a handover that never happened.
    assert (
        "Du tog över 2026-11-25 10:05 utan överlämning (ingen hade lämnat över" in out
        and "genomgångna" in out
    ), out
    code, out, _ = cli("--as", "rec1", "handover", "--log")
    assert code == 0 and "ingen lämnade" in out and "→ tagen 2026-11-25 10:05 av Rita Receiver" in out
    data = json.loads(cli("--as", "rec2", "handover", "--json", now="2026-11-25T10:10:00+01:00")[1])
    assert data["note"] == "Allt genomgånget"  # the note written after the take waits for the next
    code, out, _ = cli("--as", "rec1", "handover", now="2026-11-25T11:00:00+01:00")
    assert code == 0
    assert (
        out.splitlines()[4] == "## Sedan förra överlämningen (ons 25 nov 10:05, togs över av Rita Receiver)"
    )


def test_refusals(cli):
    code, _, err = cli("--as", "doc1", "handover", "--done")
    assert code == 1 and "överlämningen är för ärendemottagare" in err
    code, _, err = cli("--as", "rec1", "handover", "--json", "--log")
    assert code == 1 and "välj en av --json, --give, --take och --log" in err
