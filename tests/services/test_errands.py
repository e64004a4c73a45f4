"""States, legal moves and who may do what (R2–R6, R10), each checked in the database."""

import pytest

from bcc_tui.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bcc_tui.services import errands, intake, people
from tests.conftest import errand_line, jsonl

REF = "1177-000001"


@pytest.fixture
def one(system):
    intake.import_errands(system, jsonl(errand_line(REF)))
    return REF


def row(store, ref=REF):
    return store.conn.execute("SELECT * FROM errands WHERE ref = ?", (ref,)).fetchone()


def last_audit(store):
    return store.conn.execute("SELECT * FROM audit ORDER BY id DESC LIMIT 1").fetchone()


def test_assign_then_reply_closes(one, as_, store):
    errands.assign(as_("rec1"), one, "doc1")
    r = row(store)
    assert (r["status"], r["assignee"], r["version"]) == ("assigned", "doc1", 2)
    errands.reply(as_("doc1"), one, "Receptet är förnyat.")
    r = row(store)
    assert (r["status"], r["close_kind"], r["first_response_on"]) == ("closed", "reply", "2026-11-25")
    out = store.conn.execute("SELECT * FROM outbound WHERE kind = 'reply'").fetchone()
    assert out["text"].startswith("Receptet är förnyat.") and "Doris Doktor, läkare" in out["text"]
    assert out["closes"] == 1
    a = last_audit(store)
    assert (a["actor"], a["action"], a["ref"], a["personnummer"], a["outcome"]) == (
        "doc1",
        "reply",
        REF,
        "20150315-1233",
        "ok",
    )


def test_assign_refuses_an_assigned_errand_naming_the_assignee(one, as_, store):
    errands.assign(as_("rec1"), one, "doc1")
    with pytest.raises(Conflict, match=r"redan fördelat till Doris Doktor \(doc1\)"):
        errands.assign(as_("rec2"), one, "doc2")
    assert row(store)["assignee"] == "doc1"
    a = last_audit(store)
    assert (a["actor"], a["action"], a["outcome"]) == ("rec2", "assign", "refused")


def test_reassign_keeps_the_history(one, as_, store):
    errands.assign(as_("rec1"), one, "doc1")
    errands.assign(as_("rec1"), one, "doc2", reassign=True)
    assert row(store)["assignee"] == "doc2"
    evs = store.conn.execute("SELECT kind, target, detail FROM events ORDER BY id").fetchall()
    assert [(e["kind"], e["target"]) for e in evs] == [("assign", "doc1"), ("reassign", "doc2")]
    assert '"from": "doc1"' in evs[1]["detail"]
    with pytest.raises(Conflict, match=r"redan fördelat till Dag Doktor \(doc2\)"):
        errands.assign(as_("rec1"), one, "doc2", reassign=True)


def test_reassign_needs_an_assigned_errand(one, as_):
    with pytest.raises(Conflict, match="inte fördelat"):
        errands.assign(as_("rec1"), one, "doc1", reassign=True)


@pytest.mark.parametrize(
    "target, why",
    [
        ("rec2", "inte vårdgivare"),
        ("adm", "inte vårdgivare"),
        ("gone", "inte längre aktiv"),
        ("nobody", "finns inte"),
    ],
)
def test_only_active_caregivers_get_errands(one, as_, target, why):
    with pytest.raises(InvalidInput, match=why):
        errands.assign(as_("rec1"), one, target)


def test_caregiver_cannot_assign_even_to_themselves(one, as_):
    with pytest.raises(NotAllowed, match="ärendemottagare"):
        errands.assign(as_("doc1"), one, "doc1")


def _roster(system, doctors=("doc1", "doc2"), absent=None):
    lines = [{"date": "2026-11-25", "receiver": "rec1", "outpatient_doctors": list(doctors)}]
    if absent:
        lines.append({"absent": absent, "from": "2026-11-24", "to": "2026-11-27", "reason": "Semester"})
    assert people.import_schedule(system, jsonl(*lines)).ok


def test_partial_reply_keeps_the_errand_open_and_meets_the_rule(one, as_, store, system):
    _roster(system)
    errands.partial_reply(as_("rec1"), one, "Vi arbetar med ditt ärende.", consulted="doc2")
    r = row(store)
    assert r["status"] == "unassigned" and r["partial_reply_at"] and r["first_response_on"] == "2026-11-25"
    s = errands.list_errands(as_("rec1"))[0]
    assert s.partial_reply_sent and s.countdown.level == "met"
    errands.assign(as_("rec1"), one, "doc1")
    errands.partial_reply(as_("doc1"), one, "Ett till delsvar.")
    assert row(store)["first_response_at"] == r["first_response_at"]  # the first one counts


def test_close_needs_a_reason(one, as_, store):
    with pytest.raises(InvalidInput, match="Orsak saknas"):
        errands.close(as_("rec1"), one, "  ")
    assert row(store)["status"] == "unassigned"
    errands.close(as_("rec1"), one, "Besvarat per telefon", documented=True)
    r = row(store)
    assert (r["status"], r["close_kind"]) == ("closed", "no_reply")
    ev = store.conn.execute("SELECT text, detail FROM events WHERE kind = 'close'").fetchone()
    assert ev["text"] == "Besvarat per telefon" and '"documented": true' in ev["detail"]


def test_closed_errands_refuse_replies_but_take_notes(one, as_, store):
    errands.assign(as_("rec1"), one, "doc1")
    errands.reply(as_("doc1"), one, "Klart.")
    for act in (
        lambda: errands.reply(as_("doc1"), one, "igen"),
        lambda: errands.partial_reply(as_("rec1"), one, "x"),
        lambda: errands.close(as_("rec1"), one, "x"),
        lambda: errands.set_urgent(as_("rec1"), one),
        lambda: errands.assign(as_("rec1"), one, "doc2", reassign=True),
    ):
        with pytest.raises(Conflict, match="redan avslutat"):
            act()
    errands.note(as_("doc1"), one, "Dokumenterat i journalen.")
    assert store.conn.execute("SELECT count(*) FROM events WHERE kind = 'note'").fetchone()[0] == 1


def test_reply_needs_an_assignee(one, as_):
    with pytest.raises(Conflict, match="inte fördelat"):
        errands.reply(as_("rec1"), one, "Hej")


def test_caregiver_acts_only_on_own_errands(one, as_, store):
    errands.assign(as_("rec1"), one, "doc1")
    # doc2 may not see doc1's errand: the one answer for "not there" and "not yours to see".
    for act in (
        lambda: errands.reply(as_("doc2"), one, "x"),
        lambda: errands.note(as_("doc2"), one, "x"),
        lambda: errands.close(as_("doc2"), one, "x"),
    ):
        with pytest.raises(NotFound, match="finns inte eller får inte visas"):
            act()
    with pytest.raises(NotAllowed):
        errands.set_urgent(as_("doc1"), one)
    assert row(store)["status"] == "assigned"
    # A receiver may answer on the assignee's behalf.
    errands.reply(as_("rec1"), one, "Svar för doktorns räkning.")
    ev = store.conn.execute("SELECT detail FROM events WHERE kind = 'reply'").fetchone()
    assert '"on_behalf_of": "doc1"' in ev["detail"]


def test_admin_does_not_read_errands(one, as_):
    with pytest.raises(NotAllowed):
        errands.list_errands(as_("adm"))
    with pytest.raises(NotAllowed):
        errands.show_errand(as_("adm"), one)


def test_caregiver_sees_only_own(system, as_):
    intake.import_errands(system, jsonl(errand_line("1177-000001"), errand_line("1177-000002")))
    errands.assign(as_("rec1"), "1177-000001", "doc1")
    assert [s.ref for s in errands.list_errands(as_("doc1"))] == ["1177-000001"]
    assert errands.list_errands(as_("doc2")) == []
    with pytest.raises(NotFound, match="finns inte eller får inte visas"):
        errands.show_errand(as_("doc2"), "1177-000001")
    assert errands.show_errand(as_("doc1"), "1177-000001").summary.assignee == "doc1"


def test_urgent_toggle_and_stale_version(one, as_, store):
    v = row(store)["version"]
    errands.set_urgent(as_("rec1"), one, True, expected_version=v)
    assert row(store)["urgent"] == 1
    with pytest.raises(Conflict, match="ändrats av någon annan"):
        errands.set_urgent(as_("rec2"), one, False, expected_version=v)
    errands.set_urgent(as_("rec2"), one, False)
    assert row(store)["urgent"] == 0


def test_show_is_an_audited_read_and_list_too(one, as_, store):
    d = errands.show_errand(as_("rec1"), one)
    assert d.message.startswith("Hej") and "förfaller fre 27 nov" in d.due_explanation
    a = last_audit(store)
    assert (a["action"], a["ref"], a["personnummer"], a["actor"]) == ("view", one, "20150315-1233", "rec1")
    errands.list_errands(as_("rec1"), "unassigned")
    a = last_audit(store)
    assert a["action"] == "list" and '"status": "unassigned"' in a["detail"]
    before = store.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    errands.list_errands(as_("rec1"), audited=False)
    assert store.conn.execute("SELECT count(*) FROM audit").fetchone()[0] == before


def test_unknown_errand(system, as_):
    with pytest.raises(NotFound):
        errands.assign(as_("rec1"), "1177-999999", "doc1")


def test_complaint_suggestions(system, as_):
    intake.import_errands(
        system,
        jsonl(
            errand_line("1177-000001", type="synpunkter_klagomal"),
            errand_line("1177-000002", type="synpunkter_klagomal", urgent=True),
        ),
    )
    got = {s.ref: s.suggestion.username for s in errands.list_errands(as_("rec1"))}
    assert got == {"1177-000001": "nurse", "1177-000002": "lead"}


def test_a_receivers_partial_reply_names_a_doctor_on_todays_roster(one, as_, system, store):
    """R4 (issue 26): 'Avstämt med läkare: (ingen)' went out; now the receiver's partial reply on
    someone else's errand needs the consulted doctor, on duty on today's outpatient roster."""
    _roster(system, doctors=("doc1", "doc2"), absent="doc1")
    with pytest.raises(
        InvalidInput, match=r"ange vilken läkare.*överst på schemat idag: Dag Doktor \(doc2\)"
    ):
        errands.partial_reply(as_("rec1"), one, "Handläggning pågår.")
    with pytest.raises(InvalidInput, match="är frånvarande idag"):
        errands.partial_reply(as_("rec1"), one, "Handläggning pågår.", consulted="doc1")
    with pytest.raises(InvalidInput, match="står inte på dagens schema"):
        errands.partial_reply(as_("rec1"), one, "Handläggning pågår.", consulted="lead")
    assert row(store)["partial_reply_at"] is None  # nothing sent by a refusal
    errands.partial_reply(as_("rec1"), one, "Handläggning pågår.", consulted="doc2")
    ev = store.conn.execute("SELECT detail FROM events WHERE kind = 'partial_reply'").fetchone()
    assert '"consulted": "doc2"' in ev["detail"]
    # The holder's own partial reply needs nobody's word.
    errands.assign(
        as_("rec1"),
        one,
        "doc2",
    )
    errands.partial_reply(as_("doc2"), one, "Ett till.")


def test_the_reassign_form_never_suggests_the_holder(system, as_):
    """An assigned errand whose rules point at its holder (here the patient's contact nurse) has no
    suggestion in the reassign form: `a` `enter` there would only say it is already theirs."""
    from bcc_tui.services import patients

    assert intake.import_errands(system, jsonl(errand_line("1177-000031", type="kontakta_mig"))).ok
    rec = as_("rec1")
    patients.set_team(rec, "20150315-1233", contact_nurse="nurse")
    first = errands.assign_choices(rec, "1177-000031")
    assert first[0].username == "nurse" and first[0].suggested
    errands.assign(rec, "1177-000031", "nurse")
    again = errands.assign_choices(rec, "1177-000031")
    assert not any(c.suggested for c in again)
