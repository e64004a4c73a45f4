"""Issue 26 item 5 (R29): a type "besvaras av mottagare". Off by default and suggested for
rebooking and journal copies; when on, a receiver (a medical secretary) replies to such an errand
without a caregiver — taking it in the same transaction — can be given it, and needs no consulted
doctor for a partial reply; when off, all of that is refused as before."""

from __future__ import annotations

import pytest

from bcc_tui.domain import errand as e
from bcc_tui.domain.errors import Conflict, InvalidInput
from bcc_tui.services import audit_log, clinic, deviations, errands, intake, people
from tests.conftest import errand_line, jsonl, run_cli

REBOOK = "av_omboka_tid"


@pytest.fixture
def rebooking(system):
    lines = [
        errand_line("1177-000001", type=REBOOK, subject="Ny tid"),
        errand_line("1177-000002", type="fornya_recept"),
        errand_line("1177-000003", type=REBOOK, subject="Flytta tiden"),
    ]
    assert intake.import_errands(system, jsonl(*lines)).ok
    roster = {"date": "2026-11-25", "receiver": "rec1", "outpatient_doctors": ["doc1", "doc2"]}
    assert people.import_schedule(system, jsonl(roster)).ok


def test_off_by_default_and_suggested_for_rebooking_and_journal_copies(system, as_):
    types = {t.code: t for t in clinic.list_types(as_("adm"))}
    assert not any(t.receivers_answer for t in types.values())
    assert set(e.RECEIVERS_ANSWER_SUGGESTED) == {"av_omboka_tid", "bestalla_journalkopia"}


def test_off_a_receiver_cannot_reply_to_an_unassigned_errand_nor_be_given_it(rebooking, as_):
    rec = as_("rec1")
    with pytest.raises(Conflict, match="inte fördelat"):
        errands.reply(rec, "1177-000001", "Ny tid är bokad.")
    with pytest.raises(InvalidInput, match="inte vårdgivare"):
        errands.assign(rec, "1177-000001", "rec2")
    assert "rec2" not in {c.username for c in errands.assign_choices(rec, "1177-000001")}


def test_on_a_receiver_replies_at_once_and_the_errand_is_theirs_and_closed(rebooking, as_, store):
    clinic.update_type(as_("adm"), REBOOK, receivers_answer=True)
    rec = as_("rec1")
    errands.reply(rec, "1177-000001", "Ny tid är bokad 3 december kl. 9.")
    shown = errands.show_errand(rec, "1177-000001")
    assert shown.summary.status == e.CLOSED and shown.summary.assignee == "rec1"
    kinds = [(ev.kind, ev.actor) for ev in shown.events]
    assert (e.ASSIGN, "rec1") in kinds and kinds[-1] == (e.REPLY, "rec1")
    # The history replays to the state stored: check finds nothing wrong.
    assert audit_log.check(as_("adm")) == []
    # Another type is untouched by the setting.
    with pytest.raises(Conflict, match="inte fördelat"):
        errands.reply(rec, "1177-000002", "Receptet är förnyat.")


def test_on_a_receiver_can_be_given_it_and_is_offered_in_the_assign_form(rebooking, as_):
    clinic.update_type(as_("adm"), REBOOK, receivers_answer=True)
    rec = as_("rec1")
    assert {"rec1", "rec2"} <= {c.username for c in errands.assign_choices(rec, "1177-000001")}
    assert "rec2" not in {c.username for c in errands.assign_choices(rec, "1177-000002")}
    errands.assign(rec, "1177-000001", "rec2")
    errands.reply(as_("rec2"), "1177-000001", "Ny tid är bokad.")
    with pytest.raises(InvalidInput, match="inte vårdgivare"):
        errands.assign(rec, "1177-000002", "rec2")


def test_on_a_receivers_partial_reply_needs_no_consulted_doctor_and_is_no_deviation(rebooking, as_):
    rec = as_("rec1")
    errands.assign(rec, "1177-000003", "doc1")
    with pytest.raises(InvalidInput, match="--consulted"):
        errands.partial_reply(rec, "1177-000003", "Vi återkommer med en ny tid.")
    clinic.update_type(as_("adm"), REBOOK, receivers_answer=True)
    errands.partial_reply(rec, "1177-000003", "Vi återkommer med en ny tid.")
    found = {d.key for d in deviations.register(as_("adm"), audited=False)}
    assert not any(k.startswith("no_consulted_doctor:") for k in found)


def test_a_receiver_default_is_suggested_only_while_the_setting_is_on(rebooking, as_):
    adm = as_("adm")
    with pytest.raises(InvalidInput, match="ingen vårdgivare i personallistan"):
        clinic.update_type(adm, REBOOK, default_assignee="rec2")
    clinic.update_type(adm, REBOOK, receivers_answer=True, default_assignee="rec2")
    summary = errands.show_errand(as_("rec1"), "1177-000001").summary
    assert summary.suggestion is not None and summary.suggestion.username == "rec2"
    assert summary.receivers_answer
    clinic.update_type(adm, REBOOK, receivers_answer=False)
    summary = errands.show_errand(as_("rec1"), "1177-000001").summary
    assert summary.suggestion is None or summary.suggestion.username != "rec2"


def test_complaints_are_never_answered_by_receivers(system, as_):
    with pytest.raises(InvalidInput, match="klagomålsregeln"):
        clinic.update_type(as_("adm"), e.COMPLAINT, receivers_answer=True)


def test_the_setting_is_audited(system, as_, store):
    clinic.update_type(as_("adm"), REBOOK, receivers_answer=True)
    with store.read() as conn:
        detail = conn.execute(
            "SELECT detail FROM audit WHERE action = 'admin_change' ORDER BY id DESC"
        ).fetchone()[0]
    assert REBOOK in detail and "receivers_answer" in detail


def test_cli_types_receivers_answer(tmp_path):
    db = tmp_path / "c.db"
    from tests.conftest import STAFF

    staff = tmp_path / "staff.jsonl"
    staff.write_bytes(jsonl(*STAFF))
    assert run_cli("staff", "import", str(staff), db=db).returncode == 0
    done = run_cli("--as", "adm", "types", "--set", REBOOK, "--receivers-answer", "på", db=db)
    assert done.returncode == 0, done.stderr
    shown = run_cli("--as", "adm", "types", db=db).stdout.decode()
    line = next(x for x in shown.splitlines() if x.startswith(REBOOK))
    assert "besvaras av mottagare" in line and "föreslås" not in line
    journal = next(x for x in shown.splitlines() if x.startswith("bestalla_journalkopia"))
    assert "föreslås" in journal
    bad = run_cli("--as", "adm", "types", "--set", REBOOK, "--receivers-answer", "kanske", db=db)
    assert bad.returncode == 2
    events = tmp_path / "e.jsonl"
    events.write_bytes(jsonl(errand_line("1177-000009", type=REBOOK)))
    assert run_cli("import", str(events), db=db).returncode == 0
    replied = run_cli("--as", "rec1", "reply", "1177-000009", "--text", "Ny tid bokad.", db=db)
    assert replied.returncode == 0, replied.stderr
