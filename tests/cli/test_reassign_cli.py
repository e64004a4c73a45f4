"""R22 on the command line, in process through bcc_tui.cli.main(): `reassign --from --to [--type]`
moves every open errand of one person, and `assign` to someone absent warns on stderr."""

import pytest

from bcc_tui.cli import main
from tests.conftest import STAFF, errand_line, jsonl


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    db = tmp_path / "r.db"
    monkeypatch.setenv("BCC_NOW", "2026-11-25T10:00:00+01:00")
    for var in ("BCC_DB", "SUDO_USER", "BCC_SMTP"):
        monkeypatch.delenv(var, raising=False)

    def run(*args, stdin: bytes | None = None):
        if stdin is not None:
            path = tmp_path / "in.jsonl"
            path.write_bytes(stdin)
            args = tuple(str(path) if a == "-" else a for a in args)
        code = main(["--db", str(db), *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    assert run("staff", "import", "-", stdin=jsonl(*STAFF))[0] == 0
    assert (
        run(
            "schedule",
            "import",
            "-",
            stdin=jsonl(
                {"date": "2026-11-25", "receiver": "rec1", "outpatient_doctors": ["doc1", "doc2"]},
                {"absent": "doc1", "from": "2026-11-24", "to": "2026-12-04", "reason": "Sjuk"},
            ),
        )[0]
        == 0
    )
    assert (
        run(
            "import",
            "-",
            stdin=jsonl(
                errand_line("1177-000001"),
                errand_line("1177-000002"),
                errand_line("1177-000003", type="kontakta_mig"),
                errand_line("1177-000004"),
            ),
        )[0]
        == 0
    )
    return run


def test_assign_to_an_absent_doctor_succeeds_with_a_warning(cli):
    code, out, err = cli("--as", "rec1", "assign", "1177-000001", "doc1")
    assert code == 0 and out.strip() == "1177-000001 fördelat till Doris Doktor (doc1)"
    assert (
        err.strip()
        == "bcc-tui: varning: Doris Doktor (doc1) är frånvarande idag (Sjuk); 1177-000001 väntar hos hen tills hen är tillbaka"
    )
    code, out, err = cli("--as", "rec1", "assign", "1177-000002", "doc2")
    assert code == 0 and err == ""
    code, out, _ = cli("--as", "rec1", "show", "1177-000001")
    assert "Handläggare: Doris Doktor (doc1), frånvarande idag" in out


def test_reassign_moves_all_open_errands_of_one_person_and_prints_them(cli):
    for ref in ("1177-000001", "1177-000002", "1177-000003"):
        assert cli("--as", "rec1", "assign", ref, "doc1")[0] == 0
    code, out, err = cli(
        "--as", "rec1", "reassign", "--from", "doc1", "--to", "doc2", "--type", "fornya_recept"
    )
    assert code == 0, err
    assert out.splitlines() == [
        "2 ärenden av typen Förnya recept flyttade från Doris Doktor (doc1) till Dag Doktor (doc2)",
        "  1177-000001",
        "  1177-000002",
    ]
    code, out, _ = cli("--as", "rec1", "reassign", "--from", "doc1", "--to", "doc2")
    assert code == 0 and out.splitlines()[1:] == ["  1177-000003"]
    code, out, _ = cli("--as", "rec1", "reassign", "--from", "doc1", "--to", "doc2")
    assert code == 0 and "inga öppna ärenden" in out
    code, out, err = cli("--as", "rec1", "show", "1177-000001", "--json")
    assert '"kind": "reassign"' in out


def test_reassign_refusals_are_one_clear_line(cli):
    cases = [
        (("--as", "doc2", "reassign", "--from", "doc1", "--to", "doc2"), "bara en ärendemottagare"),
        (("--as", "rec1", "reassign", "--from", "doc1", "--to", "nobody"), "nobody finns inte"),
        (("--as", "rec1", "reassign", "--from", "doc1", "--to", "adm"), "inte vårdgivare"),
        (("--as", "rec1", "reassign", "--from", "doc1", "--to", "doc2", "--type", "x"), "okänd ärendetyp"),
        (("--as", "rec1", "reassign", "--from", "\x1b[2Jdoc9\u202e", "--to", "doc2"), "[2Jdoc9 finns inte"),
        (("--as", "rec1", "reassign", "--from", "doc2", "--to", "doc2"), "redan hos doc2"),
    ]
    for args, wanted in cases:
        code, out, err = cli(*args)
        assert code == 1 and wanted in err and len(err.strip().splitlines()) == 1 and out == ""
        assert "\x1b" not in err and "\u202e" not in err
