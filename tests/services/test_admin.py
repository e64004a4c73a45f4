"""The administrator's rules (issue 5): types, templates, staff, rosters, flags, notices."""

import datetime as dt

import pytest

from bcc_tui.domain.errors import InvalidInput, NotAllowed
from bcc_tui.services import acute, clinic, errands, intake, people
from tests.conftest import errand_line, jsonl


def due(store, ref):
    return store.conn.execute("SELECT due_date FROM errands WHERE ref = ?", (ref,)).fetchone()[0]


def test_changing_a_types_days_moves_open_deadlines_only(system, as_, store):
    intake.import_errands(
        system,
        jsonl(
            errand_line("1177-000001"),
            errand_line("1177-000002"),
            errand_line("1177-000003", type="kontakta_mig"),
        ),
    )
    errands.assign(as_("rec1"), "1177-000002", "doc1")
    errands.reply(as_("doc1"), "1177-000002", "Klart")
    assert due(store, "1177-000001") == "2026-11-27"
    moved = clinic.update_type(as_("adm"), "fornya_recept", days=3)
    assert moved == 1
    assert due(store, "1177-000001") == "2026-11-30"  # Wed + 3 business days = Mon
    assert due(store, "1177-000002") == "2026-11-27"  # closed: history stays
    assert due(store, "1177-000003") == "2026-11-27"
    shown = errands.show_errand(as_("rec1"), "1177-000001")
    assert "3 vardagar" in shown.due_explanation and shown.due_explanation.endswith("förfaller mån 30 nov.")
    # New intake uses the new number of days too.
    intake.import_errands(system, jsonl(errand_line("1177-000004")))
    assert due(store, "1177-000004") == "2026-11-30"


def test_the_basic_offer_cannot_be_switched_off_and_only_admins_change_types(system, as_):
    with pytest.raises(InvalidInput, match="basutbudet"):
        clinic.update_type(as_("adm"), "fornya_recept", enabled=False)
    with pytest.raises(NotAllowed):
        clinic.update_type(as_("rec1"), "fornya_recept", days=5)
    with pytest.raises(InvalidInput):
        clinic.update_type(as_("adm"), "fornya_recept", days=0)
    with pytest.raises(InvalidInput, match="ingen vårdgivare"):
        clinic.update_type(as_("adm"), "fornya_recept", default_assignee="rec1")


def test_templates_fill_in_on_reply(system, as_, store):
    intake.import_errands(system, jsonl(errand_line("1177-000001")))
    adm = as_("adm")
    clinic.save_template(
        adm,
        "Recept klart",
        "Hej {förnamn}! Receptet till {patient} är förnyat.\n/{vårdgivare}, {enhet}",
        "fornya_recept",
    )
    with pytest.raises(InvalidInput, match="okänd platshållare"):
        clinic.save_template(adm, "Trasig", "Hej {namn}")
    with pytest.raises(InvalidInput, match="finns redan"):
        clinic.save_template(adm, "Recept klart", "x")
    errands.assign(as_("rec1"), "1177-000001", "doc1")
    assert [n for n, _ in clinic.templates_for(as_("doc1"), "1177-000001")] == ["Recept klart"]
    assert clinic.templates_for(as_("doc2"), "1177-000001") == []  # not theirs to see
    intake.import_errands(system, jsonl(errand_line("1177-000002", submitted_by=None)))
    errands.assign(as_("rec1"), "1177-000002", "doc1")
    errands.reply(as_("doc1"), "1177-000001", template="Recept klart")
    errands.reply(as_("doc1"), "1177-000002", template="Recept klart")
    texts = [
        r[0] for r in store.conn.execute("SELECT text FROM outbound WHERE kind = 'reply' ORDER BY rowid")
    ]
    # R26: the mother wrote, so she is greeted; {patient} is the child.
    assert texts[0].startswith("Hej Sara! Receptet till Elsa är förnyat.\n/Doris Doktor, Öppenvård\n\n")
    assert texts[1].startswith("Hej Elsa! Receptet till Elsa")  # the patient wrote themselves
    clinic.retire_template(adm, "Recept klart")
    assert clinic.templates_for(as_("doc1"), "1177-000001") == []
    logged = store.conn.execute("SELECT count(*) FROM audit WHERE detail LIKE 'mall avvecklad%'").fetchone()[
        0
    ]
    with pytest.raises(InvalidInput, match="redan avvecklad"):  # said and logged twice, as if retired again
        clinic.retire_template(adm, "Recept klart")
    assert (
        store.conn.execute("SELECT count(*) FROM audit WHERE detail LIKE 'mall avvecklad%'").fetchone()[0]
        == logged
    )


def test_acute_signs_flag_at_intake_and_again_when_the_rules_change(system, as_):
    intake.import_errands(
        system,
        jsonl(
            errand_line("1177-000001", message="Hon har haft feber i natt och andas tungt."),
            errand_line("1177-000002", message="Han har ont i magen. Tempen 38,2."),
            errand_line("1177-000003", received_at="2026-11-20T09:00:00+01:00"),
        ),
    )
    rows = errands.list_errands(as_("rec1"))
    # Pinned first, in the order of their arrival; each with its category and what matched.
    assert [s.ref for s in rows[:2]] == ["1177-000001", "1177-000002"]
    assert rows[0].acute_categories == ("Feber", "Andning") and rows[0].acute == ("feber", "andas tungt")
    assert rows[1].acute_text == "Feber: 38,2"
    _rules, changed = acute.set_rules(
        as_("adm"), threshold="38,5", words={"Smärta": ["ont i magen"]}, exceptions=["andas tungt"]
    )
    assert changed == 2
    rows = {s.ref: s for s in errands.list_errands(as_("rec1"))}
    assert rows["1177-000001"].acute_text == "Feber: feber"  # the exception took "andas tungt"
    assert rows["1177-000002"].acute_text == "Smärta: ont i magen"  # 38,2 is under 38,5 now
    assert rows["1177-000003"].acute == ()
    with pytest.raises(NotAllowed):
        acute.set_rules(as_("rec1"), threshold="38")
    with pytest.raises(InvalidInput, match="okänd kategori"):
        acute.set_rules(as_("adm"), words={"Hosta": ["hostar"]})
    with pytest.raises(InvalidInput, match="febergränsen"):
        acute.set_rules(as_("adm"), threshold="41")


def test_proxy_for_a_teenager_is_flagged(system, as_):
    intake.import_errands(
        system,
        jsonl(
            errand_line("1177-000001", patient={"name": "Tonåring", "personnummer": "20100101-0014"}),
            errand_line("1177-000002"),
        ),
    )
    flagged = {s.ref: s.proxy_for_older_child for s in errands.list_errands(as_("rec1"))}
    assert flagged == {"1177-000001": True, "1177-000002": False}


def test_followup_after_a_partial_reply(system, as_, store, clock):
    intake.import_errands(system, jsonl(errand_line("1177-000001")))
    errands.assign(as_("rec1"), "1177-000001", "doc1")
    errands.partial_reply(as_("doc1"), "1177-000001", "Vi återkommer.")
    s = errands.list_errands(as_("rec1"))[0]
    assert s.followup_on == dt.date(2026, 12, 2) and not s.followup_overdue
    with pytest.raises(Exception, match="behöver ingen påminnelse"):
        errands.remind(as_("rec1"), "1177-000001")
    clock.advance(days=8)  # Thu 3 Dec
    s = errands.list_errands(as_("rec1"))[0]
    assert s.countdown.level == "met" and s.followup_overdue
    errands.remind(as_("rec1"), "1177-000001")  # R16 applies to a passed follow-up
    clinic.set_followup_days(as_("adm"), 10)
    assert not errands.list_errands(as_("rec1"))[0].followup_overdue


def test_suggestions_for_every_errand_with_reasons(system, as_, store):
    people.import_schedule(
        system,
        jsonl(
            {"date": "2026-11-25", "receiver": "rec1", "outpatient_doctors": ["doc2", "doc1"]},
            {"absent": "doc2", "from": "2026-11-25", "to": "2026-11-25"},
        ),
    )
    intake.import_errands(
        system,
        jsonl(
            errand_line("1177-000001", received_at="2026-11-12T09:00:00+01:00"),
            errand_line("1177-000002"),
            errand_line("1177-000003", patient={"name": "Hugo", "personnummer": "20180101-0016"}),
        ),
    )
    errands.assign(as_("rec1"), "1177-000001", "nurse")
    errands.reply(as_("nurse"), "1177-000001", "Klart")
    rows = {s.ref: s.suggestion for s in errands.list_errands(as_("rec1"))}
    assert (rows["1177-000002"].username, rows["1177-000002"].reason) == ("nurse", "svarade senast 25 nov")
    # doc2 is first on the schedule but absent: the top doctor is doc1.
    assert (rows["1177-000003"].username, rows["1177-000003"].reason) == (
        "doc1",
        "dagens läkare: överst på schemat",
    )


def test_notice_shows_until_it_expires(system, as_, clock):
    clinic.post_notice(as_("adm"), "Systemet uppdateras torsdag 18–19.", dt.date(2026, 11, 26))
    with as_("rec1").store.read() as conn:
        assert clinic.current_notice(conn, dt.date(2026, 11, 26)).text.startswith("Systemet")
        assert clinic.current_notice(conn, dt.date(2026, 11, 27)) is None
    with pytest.raises(InvalidInput):
        clinic.post_notice(as_("adm"), "x", dt.date(2026, 11, 1))
    with pytest.raises(NotAllowed):
        clinic.post_notice(as_("rec1"), "x", dt.date(2026, 12, 1))
    clinic.clear_notice(as_("adm"))
    assert clinic.notice_now(as_("rec1")) is None


def test_staff_admin_keeps_history(system, as_, store):
    adm = as_("adm")
    assert (
        people.save_staff(
            adm,
            {
                "username": "newdoc",
                "name": "Ny Doktor",
                "title": "läkare",
                "roles": ["caregiver"],
                "email": "ny@example.se",
            },
        )
        == "added"
    )
    intake.import_errands(system, jsonl(errand_line("1177-000001")))
    errands.assign(as_("rec1"), "1177-000001", "newdoc")
    people.set_active(adm, "newdoc", False)
    row = store.conn.execute("SELECT active FROM staff WHERE username = 'newdoc'").fetchone()
    assert row[0] == 0
    assert store.conn.execute("SELECT assignee FROM errands").fetchone()[0] == "newdoc"  # history kept
    with pytest.raises(InvalidInput, match="inte längre aktiv"):
        errands.assign(as_("rec1"), "1177-000001", "newdoc", reassign=True)
    with pytest.raises(InvalidInput):
        people.save_staff(
            adm, {"username": "Bad Name", "name": "x", "title": "läkare", "roles": ["caregiver"]}
        )
    with pytest.raises(InvalidInput, match="dig själv"):
        people.set_active(adm, "adm", False)
    people.save_staff(
        adm,
        {
            "username": "doc1",
            "name": "Doris Doktor",
            "title": "läkare",
            "roles": ["caregiver"],
            "email": None,
        },
    )
    assert store.conn.execute("SELECT email, email_notify FROM staff WHERE username = 'doc1'").fetchone()[
        :
    ] == (None, 0)


def test_roster_and_absences_by_hand(system, as_):
    adm = as_("adm")
    people.set_roster_day(adm, dt.date(2026, 11, 25), "rec2", ("doc1", "doc2"))
    people.add_absence(adm, "doc1", dt.date(2026, 11, 25), dt.date(2026, 11, 27), "Kurs")
    with as_("rec1").store.read() as conn:
        t = people.today(conn, dt.date(2026, 11, 25))
    assert (t.receiver, t.top_doctor, t.on_leave) == ("rec2", "doc2", {"doc1": "Kurs"})
    assert t.absent == {"doc1": "Kurs", "gone": "avaktiverad"}  # away for routing, not named daily
    with pytest.raises(InvalidInput, match="inte ärendemottagare"):
        people.set_roster_day(adm, dt.date(2026, 11, 25), "doc1", ())
    absence = people.absences(adm, dt.date(2026, 11, 1))[0]
    people.remove_absence(adm, absence.id)
    assert people.absences(adm, dt.date(2026, 11, 1)) == []
    with pytest.raises(NotAllowed):
        people.add_absence(as_("rec1"), "doc1", dt.date(2026, 11, 25), dt.date(2026, 11, 25), None)


def test_an_absence_changed_in_place_and_refused_when_gone_or_moved_to_another(system, as_, store):
    """An absence changed (the administrator's e) is replaced in one transaction and logged with
    what it was; one another administrator removed meanwhile, or a change to another person, is
    refused, and nothing is added (the delete had found nothing, and the new row came anyway)."""
    from bcc_tui.domain.errors import Conflict

    adm = as_("adm")
    people.add_absence(adm, "doc1", dt.date(2026, 11, 25), dt.date(2026, 11, 27), "Sjuk")
    (first,) = people.absences(adm, dt.date(2026, 11, 1))
    people.add_absence(adm, "doc1", dt.date(2026, 11, 25), dt.date(2026, 11, 30), "Sjuk", replacing=first.id)
    (changed,) = people.absences(adm, dt.date(2026, 11, 1))
    assert (changed.username, changed.end) == ("doc1", dt.date(2026, 11, 30))
    detail = store.conn.execute("SELECT detail FROM audit ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert f"frånvaro #{first.id} ändrad från 2026-11-25–2026-11-27" in detail
    with pytest.raises(InvalidInput, match="byter inte person"):
        people.add_absence(
            adm, "doc2", dt.date(2026, 11, 25), dt.date(2026, 11, 30), None, replacing=changed.id
        )
    people.remove_absence(adm, changed.id)  # another administrator, meanwhile
    with pytest.raises(Conflict, match="tagits bort"):
        people.add_absence(
            adm, "doc1", dt.date(2026, 11, 25), dt.date(2026, 12, 4), None, replacing=changed.id
        )
    assert people.absences(adm, dt.date(2026, 11, 1)) == []


def test_a_new_person_never_overwrites_an_existing_one(system, as_, store):
    """The admin's "new person" form with a user name already taken is refused, and the person
    who has it is left exactly as they were; editing that person still works."""
    adm = as_("adm")
    before = dict(store.conn.execute("SELECT * FROM staff WHERE username = 'rec1'").fetchone())
    with pytest.raises(InvalidInput, match=r"användarnamn: rec1 finns redan \(Rita Receiver\)"):
        people.save_staff(
            adm,
            {"username": "rec1", "name": "Test", "title": "sjuksköterska", "roles": ["caregiver"]},
            new=True,
        )
    assert dict(store.conn.execute("SELECT * FROM staff WHERE username = 'rec1'").fetchone()) == before
    obj = {"username": "rec1", "name": "Rita Receiver", "title": "sjuksköterska", "roles": ["receiver"]}
    assert people.save_staff(adm, obj) == "changed"


def test_staff_and_schedule_changes_are_logged_in_words(system, as_, store):
    adm = as_("adm")
    people.save_staff(
        adm,
        {"username": "newdoc", "name": "Ny Doktor", "title": "läkare", "roles": ["caregiver"], "email": None},
        new=True,
    )
    people.import_schedule(
        system,
        jsonl(
            {"absent": "newdoc", "from": "2026-12-01", "to": "2026-12-02", "reason": "kurs"},
            {"date": "2026-12-03", "receiver": "rec1", "outpatient_doctors": ["newdoc"]},
        ),
    )
    details = [r[0] for r in store.conn.execute("SELECT detail FROM audit WHERE action = 'admin_change'")]
    assert any(
        d.startswith("personal tillagd: Ny Doktor (newdoc); läkare; vårdgivare; ingen e-post")
        for d in details
    )
    assert "frånvaro tillagd: Ny Doktor (newdoc) 2026-12-01–2026-12-02 (kurs)" in details
    assert any(
        d.startswith("schema tillagd: 2026-12-03: mottagare ") and "läkare Ny Doktor (newdoc)" in d
        for d in details
    )
    assert not any("{" in d or "added" in d or "Line(" in d for d in details), details
    summaries = [r[0] for r in store.conn.execute("SELECT detail FROM audit WHERE action = 'import'")]
    assert (
        "schema: 1 ny, 1 ändrad, 0 avvisade" in summaries
        or "schema: 2 nya, 0 ändrade, 0 avvisade" in summaries
    )


def test_a_deactivated_doctors_errands_are_an_absent_holders_and_the_admin_is_told(system, as_):
    """A doctor deactivated with open errands, one with acute signs, held them with no mark
    anywhere: still at the top of the schedule, named for consultation, suggested nothing, and
    the handover's "held by absent staff" group left them out. Deactivated counts as away (R22,
    R4), though the header's daily "absent" does not name everyone who ever left; the
    administrator is told what stays with them."""
    from bcc_tui.services import handover

    adm, rec = as_("adm"), as_("rec1")
    people.set_roster_day(adm, dt.date(2026, 11, 25), "rec1", ("doc1", "doc2"))
    intake.import_errands(
        system,
        jsonl(
            errand_line("1177-000001", message="Han har feber 39,5."),
            errand_line("1177-000002"),
            errand_line("1177-000003"),
        ),
    )
    errands.assign(rec, "1177-000001", "doc1")
    errands.assign(rec, "1177-000002", "doc1")
    assert people.left_with(adm, "doc1") is None  # active: nothing to say
    people.set_active(adm, "doc1", False)
    assert people.left_with(adm, "doc1") == (
        "2 öppna ärenden (1 med akuta tecken) ligger kvar hos Doris Doktor: mottagaren behöver omfördela dem"
    )
    with rec.store.read() as conn:
        t = people.today(conn, dt.date(2026, 11, 25))
    assert t.top_doctor == "doc2" and "doc1" in t.absent and "doc1" not in t.on_leave
    held = {s.ref: (s.holder_absent, s.holder_gone) for s in errands.list_errands(rec, "assigned")}
    assert held == {"1177-000001": (True, True), "1177-000002": (True, True)}
    h = handover.handover(rec)
    assert {i.ref: i.category for i in h.items}["1177-000002"] == "absent_holder"
    # Named as gone, not "absent today" (read as back tomorrow), in the handover and the rows.
    assert "hos Doris Doktor (avaktiverad)" in handover.markdown(h)
    from bcc_tui.ui import render

    s = next(s for s in errands.list_errands(rec, "assigned") if s.ref == "1177-000002")
    assert render.holder(s, {"doc1": "Doris Doktor"}).plain == "D. Doktor (inaktiv)"
    assert "Doris" not in handover.markdown(h).split("frånvarande:")[-1].splitlines()[0]
    people.set_active(adm, "doc1", True)
    assert people.left_with(adm, "doc1") is None


def test_a_deactivated_pal_is_named_so_with_no_day_back_and_the_schedule_names_only_the_days_leave(
    system, as_
):
    """A PAL absent until the 27th and then deactivated showed "frånv. t.o.m. 26 nov" and a day
    back; and the schedule tab listed every deactivated person as absent on every day."""
    from bcc_tui.services import patients

    adm, rec = as_("adm"), as_("rec1")
    intake.import_errands(system, jsonl(errand_line("1177-000001")))  # Elsa, 20150315-1233
    patients.set_team(adm, "20150315-1233", pal="doc1")
    people.add_absence(adm, "doc1", dt.date(2026, 11, 25), dt.date(2026, 11, 27), "Kurs")
    people.add_absence(adm, "doc2", dt.date(2026, 11, 26), dt.date(2026, 11, 26), None)
    people.set_active(adm, "doc1", False)
    row = next(s for s in errands.list_errands(rec, "unassigned") if s.ref == "1177-000001")
    assert row.concerned_absent is not None and row.concerned_absent.gone
    assert row.concerned_absent.text({"doc1": "Doris Doktor"}) == "PAL Doris Doktor avaktiverad"
    detail = errands.show_errand(rec, "1177-000001")
    pal = next(m for m in detail.patient.members if m.role == "PAL")
    assert pal.absent and pal.back_on is None
    days = people.roster_days(adm, dt.date(2026, 11, 25), 4)
    assert [sorted(d.on_leave) for d in days] == [[], ["doc2"], [], []]
    assert all("gone" in d.absent and "gone" not in d.on_leave for d in days)


def test_a_template_name_is_one_whatever_its_case_or_its_spaces(system, as_):
    """ "Provsvar klara" and "provsvar klara " were saved as two templates."""
    adm = as_("adm")
    first = clinic.save_template(adm, "Provsvar klära", "Hej {förnamn}! Proverna är klara.")
    for again in ("provsvar KLÄRA", "  Provsvar klära "):
        with pytest.raises(InvalidInput, match="det finns redan en mall som heter 'Provsvar klära'"):
            clinic.save_template(adm, again, "Hej igen.")
    assert (
        clinic.save_template(adm, "PROVSVAR KLÄRA", "Hej {förnamn}!", template_id=first) == first
    )  # its own
