"""R29: care teams — import, set from an errand, scoped and audited; suggestions start from them."""

from __future__ import annotations

import json

import pytest

from bcc_tui.domain.errors import InvalidInput, NotAllowed
from bcc_tui.domain.routing import Person, Team, suggest
from bcc_tui.services import errands, intake, patients, people
from tests.conftest import errand_line, jsonl, run_cli

PNR = "20150315-1233"


def _person(u, title, roles=("caregiver",)):
    return Person(u, u, title, frozenset(roles), True, False)


STAFF = [_person("pal", "läkare"), _person("top", "läkare"), _person("nurse", "sjuksköterska")]


@pytest.mark.parametrize(
    "type_code, absent, expected",
    [
        ("fornya_recept", set(), ("pal", "PAL")),
        ("begar_intyg", set(), ("pal", "PAL")),
        ("kontakta_mig", set(), ("nurse", "kontaktsjuksköterska")),
        ("skicka_meddelande", {"nurse"}, ("pal", "PAL")),  # the nurse away: the PAL
        ("fornya_recept", {"pal"}, ("top", "dagens läkare: överst på schemat")),  # never someone absent
        ("av_omboka_tid", set(), ("top", "dagens läkare: överst på schemat")),  # not a team type: the default
    ],
)
def test_suggestions_start_from_the_team(type_code, absent, expected):
    s = suggest(
        type_code,
        False,
        STAFF,
        absent,
        "top",
        None,
        "top_doctor",
        doctors=("top",),
        team=Team("pal", "nurse"),
    )
    assert (s.username, s.reason) == expected


def test_import_set_and_audit(system, as_, tmp_path):
    intake.import_errands(system, jsonl(errand_line("1177-000001")))
    report = patients.import_patients(
        as_("adm"),
        b"\n".join(
            [
                json.dumps({"personnummer": PNR, "pal": "doc1", "contact_nurse": "nurse"}).encode(),
                b'{"personnummer": "20150315-1234", "pal": "doc1"}',  # a wrong check digit
                b'{"personnummer": "20180101-0016", "pal": "nurse"}',  # a nurse as PAL
                b"not json",
            ]
        ),
    )
    assert report.added == 1 and [n for n, _ in report.rejected] == [2, 3, 4]
    s = errands.show_errand(as_("rec1"), "1177-000001")
    assert [(m.role, m.username) for m in s.patient.members] == [
        ("PAL", "doc1"),
        ("kontaktsjuksköterska", "nurse"),
    ]
    assert s.summary.suggestion.username == "doc1" and s.summary.suggestion.reason == "PAL"
    # A line changes only the fields it names; null removes a member.
    patients.import_patients(as_("adm"), json.dumps({"personnummer": PNR, "contact_nurse": None}).encode())
    assert [m.role for m in errands.show_errand(as_("rec1"), "1177-000001").patient.members] == ["PAL"]
    with pytest.raises(NotAllowed):
        patients.set_team(as_("doc1"), PNR, pal="doc2")
    with pytest.raises(InvalidInput, match="ingen aktiv"):
        patients.set_team(as_("rec1"), PNR, pal="gone")
    patients.set_team(as_("rec1"), PNR, pal="doc2")
    rows = system.store.conn.execute(
        "SELECT actor, personnummer, detail FROM audit WHERE action = 'care_team' AND outcome = 'ok' ORDER BY id"
    ).fetchall()
    assert [r["actor"] for r in rows] == ["adm", "adm", "rec1"] and all(
        r["personnummer"] == PNR for r in rows
    )


def test_cli_patients_import_and_set(tmp_path):
    db = tmp_path / "p.db"
    staff = tmp_path / "staff.jsonl"
    from tests.conftest import STAFF as ALL

    staff.write_bytes(jsonl(*ALL))
    assert run_cli("staff", "import", str(staff), db=db).returncode == 0
    data = tmp_path / "teams.jsonl"
    data.write_text(json.dumps({"personnummer": PNR, "pal": "doc1"}) + "\n{bad\n", encoding="utf-8")
    r = run_cli("--as", "adm", "patients", "import", str(data), db=db)
    assert r.returncode == 1 and "1 nytt" in r.stdout.decode() and f"{data}:2:" in r.stderr.decode()
    r = run_cli("--as", "rec1", "patients", "set", PNR, "--contact-nurse", "nurse", db=db)
    assert r.returncode == 0 and "kontaktsjuksköterska Nina Nurse (nurse)" in r.stdout.decode()
    r = run_cli("--as", "doc1", "patients", "set", PNR, "--pal", "doc2", db=db)
    assert r.returncode == 1
    assert people is not None
