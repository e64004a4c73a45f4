"""Issue 15 below the screen: load-aware suggestions (R24), moving an absent person's errands
(R22), the acute banner handled (R25), drafts (R21) and the new-errand watch (R23)."""

import pytest

from bcc_tui.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bcc_tui.services import audit_log, drafts, errands, intake, people
from tests.conftest import errand_line, jsonl


def schedule(system, *doctors, absent=None):
    lines = [{"date": "2026-11-25", "receiver": "rec1", "outpatient_doctors": list(doctors)}]
    if absent:
        lines.append({"absent": absent, "from": "2026-11-25", "to": "2026-11-27", "reason": "Semester"})
    assert people.import_schedule(system, jsonl(*lines)).ok


def patients(n, start=1, **over):
    return [
        errand_line(
            f"1177-{i:06d}",
            patient={"name": f"Barn {i}", "personnummer": "20150315-1233"},
            submitted_by=None,
            **over,
        )
        for i in range(start, start + n)
    ]


def test_top_doctor_default_prefers_the_least_loaded_on_duty_doctor(system, as_):
    schedule(system, "doc1", "doc2")
    intake.import_errands(system, jsonl(*patients(4)))
    rec = as_("rec1")
    s = errands.list_errands(rec, "unassigned")[0].suggestion
    assert (s.username, s.reason) == (
        "doc1",
        "dagens läkare: överst på schemat",
    )  # equal load: the top of the schedule
    errands.assign(rec, "1177-000001", "doc1")
    s = errands.list_errands(rec, "unassigned")[0].suggestion
    assert (s.username, s.reason) == ("doc2", "dagens läkare: färst öppna ärenden (0)")
    # Ten a-enter in a row no longer pile up on one doctor.
    for ref in ("1177-000002", "1177-000003", "1177-000004"):
        sug = next(x for x in errands.list_errands(rec, "unassigned") if x.ref == ref).suggestion
        errands.assign(rec, ref, sug.username)
    load = {c.username: c.open for c in errands.assign_choices(rec)}
    assert load["doc1"] == 2 and load["doc2"] == 2


def test_continuity_still_comes_first(system, as_):
    schedule(system, "doc1", "doc2")
    intake.import_errands(system, jsonl(*patients(3)))
    rec = as_("rec1")
    errands.assign(rec, "1177-000001", "doc1")
    errands.reply(as_("doc1"), "1177-000001", "Klart.")
    errands.assign(rec, "1177-000002", "doc1")
    s = next(x for x in errands.list_errands(rec, "unassigned") if x.ref == "1177-000003").suggestion
    assert s.username == "doc1" and s.reason.startswith("svarade senast")


def test_assign_choices_show_open_and_overdue(system, as_):
    intake.import_errands(
        system, jsonl(*patients(1), *patients(1, start=2, received_at="2026-11-20T09:00:00+01:00"))
    )
    rec = as_("rec1")
    errands.assign(rec, "1177-000001", "doc2")
    errands.assign(rec, "1177-000002", "doc2")
    doc2 = next(c for c in errands.assign_choices(rec) if c.username == "doc2")
    assert (doc2.open, doc2.overdue) == (2, 1)


def test_assign_to_an_absent_person_says_so(system, as_):
    schedule(system, "doc1", "doc2", absent="doc1")
    intake.import_errands(system, jsonl(*patients(1)))
    done = errands.assign(as_("rec1"), "1177-000001", "doc1")
    assert done.absent and "Doris Doktor (doc1) är frånvarande idag (Semester)" in done.warning
    assert errands.list_errands(as_("rec1"), "assigned")[0].holder_absent


def test_reassign_all_moves_each_errand_with_its_own_audit_row(system, as_, store):
    intake.import_errands(system, jsonl(*patients(3), *patients(1, start=4, type="kontakta_mig")))
    rec = as_("rec1")
    for i in range(1, 5):
        errands.assign(rec, f"1177-{i:06d}", "doc1")
    errands.reply(as_("doc1"), "1177-000003", "Klart.")
    result = errands.reassign_all(rec, "doc1", "doc2", "fornya_recept")
    assert sorted(result.moved) == ["1177-000001", "1177-000002"] and not result.refused
    rows = dict(store.conn.execute("SELECT ref, assignee FROM errands").fetchall())
    assert rows["1177-000004"] == "doc1" and rows["1177-000003"] == "doc1"
    audited = store.conn.execute(
        "SELECT ref FROM audit WHERE action = 'reassign' AND outcome = 'ok' ORDER BY id"
    )
    assert [r[0] for r in audited] == result.moved
    assert errands.reassign_all(rec, "doc1", "doc2").moved == ["1177-000004"]
    with pytest.raises(InvalidInput):
        errands.reassign_all(rec, "doc1", "adm")
    with pytest.raises(InvalidInput):
        errands.reassign_all(rec, "doc1", "doc1")
    with pytest.raises(NotAllowed):
        errands.reassign_all(as_("doc1"), "doc2", "doc1")


def test_assign_each_gives_the_marked_errands_one_by_one_and_names_the_refused(system, as_, store):
    """Issue 27: marked rows to one person, each its own audited assignment; one assigned meanwhile
    by someone else, or changed since it was read, is refused and named and the others still go."""
    intake.import_errands(system, jsonl(*patients(4)))
    rec = as_("rec1")
    seen = {s.ref: s.version for s in errands.list_errands(rec)}
    errands.assign(as_("rec2"), "1177-000002", "doc2")  # by someone else, meanwhile
    errands.set_urgent(as_("rec2"), "1177-000003", True)  # changed meanwhile
    result = errands.assign_each(rec, sorted(seen.items()), "doc1")
    assert [d.ref for d in result.done] == ["1177-000001", "1177-000004"]
    assert [ref for ref, _ in result.refused] == ["1177-000002", "1177-000003"]
    assert "redan fördelat" in result.refused[0][1] and "ändrats av någon annan" in result.refused[1][1]
    rows = dict(store.conn.execute("SELECT ref, assignee FROM errands").fetchall())
    assert rows == {"1177-000001": "doc1", "1177-000002": "doc2", "1177-000003": None, "1177-000004": "doc1"}
    logged = store.conn.execute(
        "SELECT ref, outcome FROM audit WHERE actor = 'rec1' AND action = 'assign' ORDER BY id"
    ).fetchall()
    assert [tuple(r) for r in logged] == [
        ("1177-000001", "ok"),
        ("1177-000002", "refused"),
        ("1177-000003", "refused"),
        ("1177-000004", "ok"),
    ]
    with pytest.raises(InvalidInput):  # nobody who cannot take errands gets the lot
        errands.assign_each(rec, [("1177-000003", None)], "adm")
    with pytest.raises(NotAllowed):
        errands.assign_each(as_("doc1"), [("1177-000003", None)], "doc1")


def test_acute_banner_marked_handled_stops_pinning(system, as_, store):
    intake.import_errands(
        system,
        jsonl(
            errand_line("1177-000001", message="Hon har feber."),
            errand_line("1177-000002", received_at="2026-11-20T09:00:00+01:00"),
        ),
    )
    rec = as_("rec1")
    assert errands.list_errands(rec)[0].ref == "1177-000001"
    with pytest.raises(Conflict):
        errands.acute_handled(rec, "1177-000002", "Ringt")
    errands.acute_handled(rec, "1177-000001", "Familjen kontaktad, åker in")
    listed = errands.list_errands(rec)
    assert listed[0].ref == "1177-000002" and listed[1].acute_handled_at is not None
    ev = store.conn.execute("SELECT actor, text FROM events WHERE kind = 'acute_handled'").fetchone()
    assert tuple(ev) == ("rec1", "Familjen kontaktad, åker in")
    assert (
        store.conn.execute(
            "SELECT count(*) FROM audit WHERE action = 'acute_handled' AND outcome = 'ok'"
        ).fetchone()[0]
        == 1
    )
    with pytest.raises(Conflict, match="redan"):
        errands.acute_handled(rec, "1177-000001", "Ringt igen")
    for said in ("x", "ok", "  ok  "):  # a nurse's trial: "x" was the record that the family was called
        with pytest.raises(InvalidInput, match="minst 5 tecken"):
            errands.acute_handled(rec, "1177-000002", said)
    # check replays the new event; a banner "handled" by plain SQL is found.
    assert audit_log.check(as_("adm")) == []
    store.conn.execute("UPDATE errands SET acute_handled_at = NULL WHERE ref = '1177-000001'")
    assert any("acute_handled_at" in p for p in audit_log.check(as_("adm")))


def test_an_errands_end_takes_everyones_answers_kept_as_drafts_and_logs_whose(system, as_, store):
    """A review: closing without reply took only the closer's reply draft, unlogged; a receiver's
    reply and the holder's partial reply kept on the same errand stayed for ever, never to be
    sent. Its end takes every answer kept on it, each logged with whose it was."""
    intake.import_errands(system, jsonl(*patients(1)))
    errands.assign(as_("rec1"), "1177-000001", "doc1")
    drafts.save(as_("rec1"), "1177-000001", "reply", {"text": "Vi ringer"})
    drafts.save(as_("doc1"), "1177-000001", "partial_reply", {"text": "Vi återkommer"})
    drafts.save(as_("doc1"), "1177-000001", "note", {"text": "kvar"})
    errands.close(as_("doc1"), "1177-000001", "Besvarat per telefon", documented=True)
    left = store.conn.execute("SELECT username, form FROM drafts").fetchall()
    assert [tuple(r) for r in left] == [("doc1", "note")]  # a note may still be written
    details = [
        r[0] for r in store.conn.execute("SELECT detail FROM audit WHERE detail LIKE 'utkast borttaget%'")
    ]
    assert details == [
        "utkast borttaget: delsvar av doc1 (ärendet avslutat)",
        "utkast borttaget: svar av rec1 (ärendet avslutat)",
    ]


def test_drafts_are_kept_scoped_audited_and_gone_when_sent(system, as_, store):
    intake.import_errands(system, jsonl(*patients(2)))
    errands.assign(as_("rec1"), "1177-000001", "doc1")
    doc1 = as_("doc1")
    assert drafts.save(doc1, "1177-000001", "reply", {"text": "Hej, vi\x1b[31m ringer"}) is True
    assert drafts.save(doc1, "1177-000001", "reply", {"text": "Hej, vi ringer i morgon"}) is False
    assert drafts.load(doc1, "1177-000001", "reply").fields == {"text": "Hej, vi ringer i morgon"}
    assert drafts.load(as_("rec1"), "1177-000001", "reply") is None  # each person's own
    with pytest.raises(NotFound, match="finns inte eller får inte visas"):
        drafts.save(as_("doc2"), "1177-000001", "reply", {"text": "x"})  # not theirs to see
    with pytest.raises(NotFound, match="finns inte eller får inte visas"):
        drafts.save(doc1, "1177-000002", "note", {"text": "x"})
    details = [
        r[0] for r in store.conn.execute("SELECT detail FROM audit WHERE action = 'draft' AND outcome = 'ok'")
    ]
    assert details == ["utkast sparat: svar (18 tecken)", "utkast öppnat: svar"]
    errands.reply(doc1, "1177-000001", "Hej, vi ringer i morgon")
    assert store.conn.execute("SELECT count(*) FROM drafts").fetchone()[0] == 0
    drafts.save(doc1, "1177-000001", "note", {"text": "efteråt"})
    drafts.discard(doc1, "1177-000001", "note")
    assert store.conn.execute("SELECT count(*) FROM drafts").fetchone()[0] == 0
    # Never in e-mail: the notices queued for doc1 carry no draft text.
    bodies = " ".join(r[0] for r in store.conn.execute("SELECT body FROM outbox"))
    assert "ringer" not in bodies and "efteråt" not in bodies


def test_news_tells_a_caregiver_what_others_gave_them(system, as_):
    intake.import_errands(system, jsonl(*patients(2, received_at="2026-11-23T09:00:00+01:00")))
    doc1 = as_("doc1")
    start = errands.news(doc1)
    assert start.items == []  # the starting point is not news
    errands.assign(as_("rec1"), "1177-000001", "doc1")
    errands.assign(as_("rec1"), "1177-000002", "doc2")
    errands.remind(as_("rec1"), "1177-000001")
    got = errands.news(doc1, start.last)
    assert got.items == [("assign", "1177-000001", ()), ("remind", "1177-000001", ())]
    assert errands.news(doc1, got.last).items == []
    errands.note(doc1, "1177-000001", "egen anteckning")
    assert errands.news(doc1, got.last).items == []
