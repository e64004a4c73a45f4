"""The deviation register (issue 26): each kind found in data made for it, nothing found twice,
and the administrator's report and dismissal, each with its audit row (R15).

The clock stands at Wed 25 Nov 2026 10:00 (tests/conftest.py NOW) unless a step says otherwise."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from bcc_tui.domain import deviations as dv
from bcc_tui.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bcc_tui.services import clinic, deviations, errands, intake
from bcc_tui.services.clock import FixedClock
from bcc_tui.services.context import Ctx
from tests.conftest import errand_line, jsonl

FEVER = "Hon har 39,5 i feber sedan i morse."


def at(ctx: Ctx, when: str) -> Ctx:
    """The same person acting at another moment (Stockholm time written out)."""
    return Ctx(ctx.store, ctx.actor, FixedClock(dt.datetime.fromisoformat(when)))


def imp(system: Ctx, ref: str, received: str, imported: str | None = None, **kw) -> None:
    report = intake.import_errands(
        at(system, imported or received), jsonl(errand_line(ref, received_at=received, **kw))
    )
    assert report.ok and report.added == 1, report.rejected


def found(ctx: Ctx) -> dict[str, str]:
    """{ref: kind} … as a set of keys, for short assertions."""
    return {d.key: d.status for d in deviations.register(ctx, audited=False)}


def audit_rows(store, action: str) -> list:
    with store.read() as conn:
        return conn.execute(
            "SELECT actor, ref, personnummer, outcome, detail FROM audit WHERE action = ? ORDER BY id",
            (action,),
        ).fetchall()


# -- each kind ----------------------------------------------------------------------------------
def test_breach_is_the_statistics_definition(system, as_):
    imp(system, "BR-LATE", "2026-11-19T09:00:00+01:00")  # due Mon 23 Nov; replied Tue 24
    imp(system, "BR-OPEN", "2026-11-19T10:00:00+01:00")  # due Mon 23 Nov; never answered
    imp(system, "BR-OK", "2026-11-19T11:00:00+01:00")  # due Mon 23 Nov; replied Mon 23
    imp(system, "BR-NOTYET", "2026-11-24T09:00:00+01:00")  # due Thu 26 Nov: undecided
    rec, doc = as_("rec1"), as_("doc1")
    for ref in ("BR-LATE", "BR-OK"):
        errands.assign(at(rec, "2026-11-19T12:00:00+01:00"), ref, "doc1")
    errands.reply(at(doc, "2026-11-24T09:00:00+01:00"), "BR-LATE", "Klart")
    errands.reply(at(doc, "2026-11-23T16:00:00+01:00"), "BR-OK", "Klart")
    keys = {k for k in found(as_("adm")) if k.startswith("breach:")}
    assert keys == {"breach:BR-LATE", "breach:BR-OPEN"}
    rows = {d.ref: d for d in deviations.register(as_("adm"), audited=False)}
    assert "förfallodatum var 2026-11-23" in rows["BR-LATE"].draft
    assert "Första svar (delsvar, svar eller avslut) kom 2026-11-24 09:00" in rows["BR-LATE"].draft
    assert "Inget svar" in rows["BR-OPEN"].draft
    assert rows["BR-OPEN"].when == "efter 2026-11-23"


def test_complaints_not_routed_by_r5_within_a_business_day(system, as_):
    complaint = {"type": "synpunkter_klagomal"}
    monday = "2026-11-23T08:00:00+01:00"  # deadline Tue 24 Nov
    imp(system, "K-NURSE", monday, **complaint)  # to the MedControl PRO nurse on Monday: fine
    imp(system, "K-WRONG", monday, **complaint)  # to a doctor on Monday: against R5
    imp(system, "K-LATE", monday, urgent=True, **complaint)  # urgent, to the section leader Wed
    imp(system, "K-LEAD", monday, urgent=True, **complaint)  # urgent, to the section leader Tue
    imp(system, "K-NEVER", monday, **complaint)  # never assigned
    imp(system, "K-FIXED", monday, **complaint)  # wrong first, right the same day: fine
    imp(system, "K-TODAY", "2026-11-24T08:00:00+01:00", **complaint)  # deadline today: still time
    rec = as_("rec1")
    errands.assign(at(rec, "2026-11-23T09:00:00+01:00"), "K-NURSE", "nurse")
    errands.assign(at(rec, "2026-11-23T09:00:00+01:00"), "K-WRONG", "doc1")
    errands.assign(at(rec, "2026-11-25T09:00:00+01:00"), "K-LATE", "lead")
    errands.assign(at(rec, "2026-11-24T16:00:00+01:00"), "K-LEAD", "lead")
    errands.assign(at(rec, "2026-11-23T09:00:00+01:00"), "K-FIXED", "doc2")
    errands.assign(at(rec, "2026-11-24T09:00:00+01:00"), "K-FIXED", "nurse", reassign=True)
    rows = {
        d.ref: d for d in deviations.register(as_("adm"), audited=False) if d.kind == dv.COMPLAINT_ROUTING
    }
    assert set(rows) == {"K-WRONG", "K-LATE", "K-NEVER"}
    assert "till läkare, inte enligt rutinen" in rows["K-WRONG"].draft
    assert "ansvarig för MedControl PRO" in rows["K-WRONG"].draft
    assert "brådskande klagomål ska fördelas till en sektionsledare" in rows["K-LATE"].draft
    assert "första gången 2026-11-25 09:00 till sektionsledare." in rows["K-LATE"].draft
    assert "Det var inte fördelat." in rows["K-NEVER"].draft
    assert rows["K-NEVER"].when == "efter 2026-11-24"


def test_a_receivers_partial_reply_without_a_consulted_doctor(system, as_, store):
    for ref in ("P-NONE", "P-CONSULTED", "P-OWN", "P-UNASSIGNED", "P-OTHERKEY"):
        imp(system, ref, "2026-11-24T09:00:00+01:00")
    imp(system, "P-COMPLAINT", "2026-11-24T09:00:00+01:00", type="synpunkter_klagomal")  # automatic
    rec, doc = as_("rec1"), as_("doc1")
    for ref in ("P-NONE", "P-CONSULTED", "P-OWN", "P-OTHERKEY"):
        errands.assign(rec, ref, "doc1")
    # No doctor on today's roster yet: the service lets a receiver's partial reply go without a
    # consulted doctor (the family still hears), and the register notes it.
    errands.partial_reply(rec, "P-NONE", "Vi återkommer.")
    errands.partial_reply(doc, "P-OWN", "Jag återkommer.")  # the assignee's own
    errands.partial_reply(rec, "P-UNASSIGNED", "Vi återkommer.")  # nobody's errand yet
    errands.partial_reply(rec, "P-OTHERKEY", "Vi återkommer.")
    _roster_today(system)
    errands.partial_reply(rec, "P-CONSULTED", "Vi återkommer.", consulted="doc2")
    # An event detail written by another version, with other keys and no "consulted": none.
    with store.write() as conn:
        conn.execute(
            "UPDATE events SET detail = ? WHERE kind = 'partial_reply'"
            " AND errand_id = (SELECT id FROM errands WHERE ref = 'P-OTHERKEY')",
            (json.dumps({"on_behalf_of": "doc1"}),),
        )
    keys = {k for k in found(as_("adm")) if k.startswith("no_consulted_doctor:")}
    assert keys == {
        "no_consulted_doctor:P-NONE",
        "no_consulted_doctor:P-UNASSIGNED",
        "no_consulted_doctor:P-OTHERKEY",
    }


def test_acute_signs_not_handled_within_four_hours(system, as_):
    # imported_at is the moment of intake (the clock), received_at may be earlier.
    imp(system, "A-OLD", "2026-11-25T05:00:00+01:00", message=FEVER)  # 5 h, unhandled
    imp(system, "A-NEW", "2026-11-25T08:00:00+01:00", message=FEVER)  # 2 h: still time
    imp(system, "A-INTIME", "2026-11-25T04:00:00+01:00", message=FEVER)  # handled after 3 h
    imp(system, "A-LATE", "2026-11-25T04:00:00+01:00", message=FEVER)  # handled after 5 h
    imp(system, "A-CALM", "2026-11-25T04:00:00+01:00")  # no acute signs
    imp(system, "A-CLOSED", "2026-11-25T04:00:00+01:00", message=FEVER)  # closed, never marked
    rec = as_("rec1")
    errands.acute_handled(at(rec, "2026-11-25T07:00:00+01:00"), "A-INTIME", "Ringt mamma")
    errands.acute_handled(at(rec, "2026-11-25T09:00:00+01:00"), "A-LATE", "Ringt mamma")
    errands.close(at(rec, "2026-11-25T05:00:00+01:00"), "A-CLOSED", "Besvarat per telefon")
    rows = {d.ref: d for d in deviations.register(as_("adm"), audited=False) if d.kind == dv.ACUTE_UNHANDLED}
    assert set(rows) == {"A-OLD", "A-LATE", "A-CLOSED"}
    assert "Det markerades hanterat 2026-11-25 09:00" in rows["A-LATE"].draft
    assert "Det var inte markerat hanterat." in rows["A-OLD"].draft
    assert rows["A-OLD"].when == "2026-11-25 09:00"  # four hours after intake
    # Two hours later the new one's four hours have passed too.
    later = {d.ref for d in deviations.register(at(as_("adm"), "2026-11-25T12:30:00+01:00"), audited=False)}
    assert "A-NEW" in later


def test_a_reply_after_the_follow_up_date(system, as_, store):
    monday = "2026-11-16T09:00:00+01:00"  # a partial reply that day: follow up by Mon 23 Nov
    for ref in ("F-LATE", "F-INTIME", "F-SECOND"):
        imp(system, ref, monday, imported="2026-11-16T09:00:00+01:00")
    imp(system, "F-COMPLAINT", monday, type="synpunkter_klagomal")  # automatic partial reply
    rec, doc = as_("rec1"), as_("doc1")
    for ref in ("F-LATE", "F-INTIME", "F-SECOND", "F-COMPLAINT"):
        errands.assign(at(rec, monday), ref, "doc1" if ref != "F-COMPLAINT" else "nurse")
        if ref != "F-COMPLAINT":
            errands.partial_reply(at(doc, "2026-11-16T10:00:00+01:00"), ref, "Vi återkommer.")
    # A second partial reply moves the follow-up date (R19 counts from the latest).
    errands.partial_reply(at(doc, "2026-11-20T10:00:00+01:00"), "F-SECOND", "Snart.")
    errands.reply(at(doc, "2026-11-24T09:00:00+01:00"), "F-LATE", "Klart")
    errands.reply(at(doc, "2026-11-23T15:00:00+01:00"), "F-INTIME", "Klart")
    errands.reply(at(doc, "2026-11-24T09:00:00+01:00"), "F-SECOND", "Klart")
    errands.reply(at(as_("nurse"), "2026-11-25T09:00:00+01:00"), "F-COMPLAINT", "Klart")
    rows = {
        d.ref: d for d in deviations.register(as_("adm"), audited=False) if d.kind == dv.LATE_AFTER_FOLLOWUP
    }
    assert set(rows) == {"F-LATE", "F-COMPLAINT"}
    assert "följas upp senast 2026-11-23; svaret kom först 2026-11-24 09:00" in rows["F-LATE"].draft
    # The follow-up setting is the clinic's (services/clinic.py): ten days and none is late.
    with store.write() as conn:
        conn.execute("DELETE FROM deviations")
    clinic.set_followup_days(as_("adm"), 10)
    assert not [d for d in deviations.register(as_("adm"), audited=False) if d.kind == dv.LATE_AFTER_FOLLOWUP]


# -- the register as a whole -------------------------------------------------------------------
@pytest.fixture
def mixed(system, as_):
    """One deviation of each kind but the routing one, all open at NOW."""
    imp(system, "M-BREACH", "2026-11-19T09:00:00+01:00")
    imp(system, "M-ACUTE", "2026-11-25T05:00:00+01:00", message=FEVER)
    imp(system, "M-PARTIAL", "2026-11-24T09:00:00+01:00")
    errands.partial_reply(as_("rec1"), "M-PARTIAL", "Vi återkommer.")
    return as_("adm")


def test_detection_is_idempotent_and_writes_nothing_when_nothing_is_new(mixed, store):
    assert deviations.detect(mixed) == 3  # M-BREACH, M-ACUTE, M-PARTIAL
    with store.read() as conn:
        before = conn.execute("SELECT * FROM deviations ORDER BY id").fetchall()
        changes = conn.total_changes
    assert deviations.detect(mixed) == 0
    deviations.register(mixed, audited=False)
    with store.read() as conn:
        after = conn.execute("SELECT * FROM deviations ORDER BY id").fetchall()
        assert conn.total_changes == changes  # not even an UPDATE
    assert [tuple(r) for r in before] == [tuple(r) for r in after]
    assert {d.key for d in deviations.register(mixed, audited=False)} == {
        "breach:M-BREACH",
        "acute_unhandled:M-ACUTE",
        "no_consulted_doctor:M-PARTIAL",
    }


def test_the_draft_names_no_patient_and_quotes_no_message(mixed):
    for d in deviations.register(mixed, audited=False):
        assert d.ref in d.draft and "Förnya recept" in d.draft
        for secret in ("Elsa", "Andersson", "20150315", "1233", "Bactrim", "39,5", "feber", "Vi återkommer"):
            assert secret not in d.draft, (secret, d.draft)


def test_an_open_deviation_follows_its_facts_and_a_decided_one_does_not(mixed, as_):
    first = {d.key: d for d in deviations.register(mixed, audited=False)}
    assert "Inget svar" in first["breach:M-BREACH"].draft
    _roster_today(mixed)
    errands.partial_reply(as_("rec1"), "M-BREACH", "Vi återkommer.", consulted="doc1")
    now = {d.key: d for d in deviations.register(mixed, audited=False)}
    assert "Första svar (delsvar, svar eller avslut) kom 2026-11-25 10:00" in now["breach:M-BREACH"].draft
    assert now["breach:M-BREACH"].id == first["breach:M-BREACH"].id
    acute = first["acute_unhandled:M-ACUTE"]
    deviations.report(mixed, acute.id, "MC-1")
    errands.acute_handled(as_("rec1"), "M-ACUTE", "Ringt pappa")
    frozen = {d.key: d for d in deviations.register(mixed, audited=False)}
    assert frozen["acute_unhandled:M-ACUTE"].draft == acute.draft
    assert "Det var inte markerat hanterat." in acute.draft


def test_report_and_dismiss_are_audited_in_the_same_transaction(mixed, as_, store):
    listed = {d.key: d for d in deviations.register(mixed)}
    breach, partial = listed["breach:M-BREACH"], listed["no_consulted_doctor:M-PARTIAL"]
    done = deviations.report(mixed, breach.id, " MC-2026-118 ")
    assert (done.status, done.medcontrol_number, done.decided_by) == ("reported", "MC-2026-118", "adm")
    assert done.decision() == "Rapporterad i MedControl PRO som MC-2026-118 av Adam Admin 2026-11-25 10:00"
    gone = deviations.dismiss(mixed, partial.id, "Avstämt muntligt med dr Doktor")
    assert gone.status == "dismissed" and gone.reason == "Avstämt muntligt med dr Doktor"
    (rep,) = audit_rows(store, "deviation_report")
    assert (rep["actor"], rep["ref"], rep["personnummer"], rep["outcome"]) == (
        "adm",
        "M-BREACH",
        "20150315-1233",
        "ok",
    )
    assert json.loads(rep["detail"]) == {
        "deviation": breach.id,
        "kind": "breach",
        "medcontrol": "MC-2026-118",
    }
    (dis,) = audit_rows(store, "deviation_dismiss")
    assert json.loads(dis["detail"])["reason"] == "Avstämt muntligt med dr Doktor"
    assert [r["outcome"] for r in audit_rows(store, "deviations")] == ["ok"]  # the list, once
    # A decided one stays decided; the refusal is logged.
    with pytest.raises(Conflict, match="redan avgjord: Rapporterad i MedControl PRO som MC-2026-118"):
        deviations.dismiss(mixed, breach.id, "Ångrar mig")
    assert [r["outcome"] for r in audit_rows(store, "deviation_dismiss")] == ["ok", "refused"]
    with pytest.raises(NotFound):
        deviations.report(mixed, 999, "MC-9")
    with pytest.raises(InvalidInput, match="numret saknas"):
        deviations.report(mixed, listed["acute_unhandled:M-ACUTE"].id, "  ")
    with pytest.raises(InvalidInput, match="Orsaken saknas"):
        deviations.dismiss(mixed, listed["acute_unhandled:M-ACUTE"].id, "")
    open_now = {d.key for d in deviations.register(mixed, open_only=True, audited=False)}
    assert open_now == {"acute_unhandled:M-ACUTE"}


def test_receivers_may_list_only_administrators_decide(mixed, as_, store):
    rows = deviations.register(as_("rec1"))
    assert rows
    with pytest.raises(NotAllowed):
        deviations.report(as_("rec1"), rows[0].id, "MC-1")
    with pytest.raises(NotAllowed):
        deviations.register(as_("doc1"))
    assert [r["actor"] for r in audit_rows(store, "deviation_report")] == ["rec1"]
    assert all(r["outcome"] == "refused" for r in audit_rows(store, "deviation_report"))


def test_the_csv_has_its_documented_header_and_one_row_per_deviation(mixed):
    deviations.report(mixed, deviations.register(mixed, audited=False)[0].id, "MC-7")
    text = deviations.as_csv(deviations.register(mixed, audited=False))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert text.splitlines()[0] == (
        "id,nyckel,slag,slagnamn,ärende,typ,typnamn,inträffade_utc,upptäckt_utc,status,"
        "medcontrol_nummer,orsak,beslutad_av,beslutad_utc,utkast"
    )
    assert [int(r["id"]) for r in rows] == sorted(int(r["id"]) for r in rows)
    reported = next(r for r in rows if r["status"] == "reported")
    assert reported["medcontrol_nummer"] == "MC-7" and reported["beslutad_utc"] == "2026-11-25T09:00:00Z"
    assert all(r["utkast"].startswith("Avvikelse: ") for r in rows)


def _roster_today(system):
    """Doctors on today's outpatient roster: a receiver's consulted doctor must be one of them."""
    from bcc_tui.services import people

    line = {"date": "2026-11-25", "receiver": "rec1", "outpatient_doctors": ["doc1", "doc2"]}
    assert people.import_schedule(system, jsonl(line)).ok


def test_an_errand_judged_again_after_a_change_keeps_its_first_finding(system, as_, store):
    """Only errands changed since they were judged are read again; of two partial replies
    without a consulted doctor the first is the deviation, before and after."""
    imp(system, "P-TWICE", "2026-11-24T09:00:00+01:00")
    errands.assign(as_("rec1"), "P-TWICE", "doc1")
    errands.partial_reply(at(as_("rec1"), "2026-11-25T08:00:00+01:00"), "P-TWICE", "Vi återkommer.")
    adm = as_("adm")
    assert deviations.detect(adm) == 1
    errands.partial_reply(as_("rec2"), "P-TWICE", "Snart.")
    assert deviations.detect(adm) == 0
    (d,) = deviations.register(adm, audited=False)
    assert d.facts == {"partial_reply_at": "2026-11-25T07:00:00Z"}
    with store.read() as conn:
        versions = conn.execute(
            "SELECT d.errand_version, x.version FROM deviations d JOIN errands x ON x.id = d.errand_id"
        ).fetchone()
    assert versions[0] == versions[1]  # judged at the errand's current version: not read again
