"""Issue 5 on the dashboard: absence warnings (R4), templates in the reply form, flags, the notice,
and the administrator's screens."""

import datetime as dt

from bcc_tui.services import clinic as settings_svc
from bcc_tui.services import intake, people
from bcc_tui.ui.screens.admin import AdminScreen
from bcc_tui.ui.screens.forms import ReplyForm
from bcc_tui.ui.textual_compat import notifications
from bcc_tui.ui.widgets.errand_table import ErrandTable
from bcc_tui.ui.widgets.header import HeaderBar
from tests.conftest import errand_line, jsonl
from tests.ui.conftest import drive, partial_reply_form, settle


def absent_doc1(system):
    people.import_schedule(
        system,
        jsonl(
            {"date": "2026-11-25", "receiver": "rec1", "outpatient_doctors": ["doc1", "doc2"]},
            {"absent": "doc1", "from": "2026-11-25", "to": "2026-11-26", "reason": "Semester"},
        ),
    )


def test_assigning_to_an_absent_doctor_warns_and_names_the_top_doctor(clinic, app_for, system):
    absent_doc1(system)
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await pilot.press("down", "a", *"doris")
        await settle(pilot)
        for _ in range(100):  # the highlight message may come a moment after the last key
            warning = str(app.screen.query_one("#form-error").render())
            if warning:
                break
            await pilot.pause(0.02)
        await pilot.press("enter")  # R22: the first enter asks for confirmation
        await settle(pilot)
        asked = str(app.screen.query_one("#form-error").render())
        unchanged = clinic.conn.execute("SELECT assignee FROM errands WHERE ref = '1177-000002'").fetchone()[
            0
        ]
        await pilot.press("enter")
        await settle(pilot)
        return warning, asked, unchanged

    warning, asked, unchanged = drive(app, scenario)
    assert "Doris Doktor är frånvarande idag (Semester). Överst på schemat: Dag Doktor." in warning
    assert "Tryck enter igen för att ändå fördela" in asked and unchanged is None
    assert (
        clinic.conn.execute("SELECT assignee FROM errands WHERE ref = '1177-000002'").fetchone()[0] == "doc1"
    )


def test_partial_reply_for_an_absent_caregiver_offers_the_r4_text_and_records_the_doctor(
    clinic, app_for, system
):
    absent_doc1(system)
    app = app_for(clinic, "rec1")  # 1177-000005 is assigned to doc1

    async def scenario(pilot):
        text, subtitle = await partial_reply_form(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        return text, subtitle

    text, subtitle = drive(app, scenario)
    assert (
        "inte i tjänst" in text
        and "Doris Doktor är frånvarande idag" in subtitle
        and "Dag Doktor" in subtitle
    )
    ev = clinic.conn.execute(
        "SELECT detail FROM events WHERE kind = 'partial_reply' ORDER BY id DESC"
    ).fetchone()[0]
    assert '"consulted": "doc2"' in ev


def test_partial_reply_for_a_deactivated_caregiver_tells_nobody_to_wait_for_them(
    clinic, app_for, system, as_
):
    """A doctor deactivated while absent: the partial reply was filled with "ditt ärende kan vänta
    tills hen är tillbaka", to a family, of someone who has left. The form says the errand needs
    someone on duty and keeps the plain partial reply."""
    from bcc_tui.services import people

    absent_doc1(system)
    people.set_active(as_("adm"), "doc1", False)
    app = app_for(clinic, "rec1")  # 1177-000005 is assigned to doc1

    async def scenario(pilot):
        return await partial_reply_form(pilot)

    text, subtitle = drive(app, scenario)
    assert "inte i tjänst" not in text and "tillbaka" not in text, text
    assert "Doris Doktor är avaktiverad. Ärendet behöver fördelas till någon i tjänst." in subtitle, subtitle
    assert "frånvarande idag" not in subtitle


def test_reply_form_offers_filled_templates(clinic, app_for, as_):
    adm = as_("adm")
    settings_svc.save_template(adm, "Ring", "Hej {förnamn}, vi ringer dig. /{vårdgivare}", "kontakta_mig")
    settings_svc.save_template(adm, "Recept", "Receptet är klart.", "fornya_recept")
    app = app_for(clinic, "doc1")

    async def scenario(pilot):
        await pilot.press("r")
        form = app.screen
        assert isinstance(form, ReplyForm)
        names = [n for n, _ in form.templates]
        await pilot.press("ctrl+t")  # the list, from inside the text; its first is highlighted
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        text = form.query_one("#form-text").text
        await pilot.press("ctrl+s")
        await settle(pilot)
        return names, text

    names, text = drive(app, scenario)
    assert names == ["Ring"] and text == "Hej Sara, vi ringer dig. /Doris Doktor"
    reply = clinic.conn.execute("SELECT text FROM events WHERE kind = 'reply' ORDER BY id DESC").fetchone()[0]
    assert reply.startswith("Hej Sara, vi ringer dig.")


def test_acute_errands_are_pinned_first_and_the_notice_is_in_the_header(clinic, app_for, system, as_):
    intake.import_errands(
        system,
        jsonl(
            errand_line("1177-000077", message="Hon har feber igen.", received_at="2026-11-25T09:00:00+01:00")
        ),
    )
    settings_svc.post_notice(as_("adm"), "Driftstopp i kväll 18–19", dt.date(2026, 11, 25))
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        table = app.screen.query_one("#table-unassigned", ErrandTable)
        header = str(app.screen.query_one(HeaderBar).render())
        return table.order[0], str(table.get_cell("1177-000077", "mark")), header

    first, mark, header = drive(app, scenario)
    assert first == "1177-000077" and mark.startswith("✚")
    assert "Driftstopp i kväll 18–19" in header


def test_admin_edits_a_type_and_the_deadlines_move(clinic, app_for):
    app = app_for(clinic, "adm")

    async def scenario(pilot):
        assert isinstance(app.screen, AdminScreen)
        await pilot.press("down", "down", "down", "enter")  # fornya_recept
        await pilot.press("tab", "backspace", "3", "ctrl+s")
        await settle(pilot)
        return [n.message for n in notifications(app)]

    messages = drive(app, scenario)
    assert any("nytt förfallodatum" in m for m in messages)
    assert (
        clinic.conn.execute("SELECT business_days FROM errand_types WHERE code = 'fornya_recept'").fetchone()[
            0
        ]
        == 3
    )
    assert (
        clinic.conn.execute("SELECT due_date FROM errands WHERE ref = '1177-000001'").fetchone()[0]
        == "2026-11-30"
    )


def test_admin_form_shows_the_services_refusal(clinic, app_for):
    app = app_for(clinic, "adm")

    async def scenario(pilot):
        app.screen.query_one("#admin-tabs").active = "tab-templates"
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        form.query_one("#f-name").value = "Trasig"
        form.query_one("#f-body").text = "Hej {namn}"
        await pilot.press("ctrl+s")
        await pilot.pause()
        return form.__class__.__name__, str(form.query_one("#form-error").render()), app.screen is form

    _name, error, still_open = drive(app, scenario)
    assert still_open and "okänd platshållare {namn}" in error


def test_a_receivers_partial_reply_preselects_the_top_doctor_and_asks_before_another(clinic, app_for, system):
    """R4 (issue 26): on an unassigned errand whose PAL is absent, `p` `ctrl+s` sends a partial
    reply naming the top doctor; choosing another doctor on duty asks once more."""
    from bcc_tui.services import patients

    absent_doc1(system)
    patients.set_team(ctx_system_as(system, "adm"), "20150315-1233", pal="doc1")
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        app.open_errand("1177-000001")
        await settle(pilot)
        text, subtitle = await partial_reply_form(pilot, ())
        await pilot.press("ctrl+s")
        await settle(pilot)
        return subtitle, text

    subtitle, text = drive(app, scenario)
    assert "PAL Doris Doktor frånv." in subtitle and "Dag Doktor" in subtitle
    assert "Hen är tillbaka" in text
    ev = clinic.conn.execute(
        "SELECT detail FROM events WHERE kind = 'partial_reply' ORDER BY id DESC"
    ).fetchone()[0]
    assert '"consulted": "doc2"' in ev


def ctx_system_as(system, username):
    from bcc_tui.services import people as people_
    from bcc_tui.services.context import Ctx
    from bcc_tui.store import staff as staff_q

    with system.store.read() as conn:
        return Ctx(system.store, people_.actor_from_row(staff_q.by_username(conn, username)), system.clock)


def test_the_row_says_the_pal_is_absent_and_until_when_in_the_room_it_has(clinic, app_for, system, as_):
    """Issue 26 (R4): an unassigned errand whose PAL is absent today says so in its row, with the
    last day of the absence where the column has room ("PAL frånv.→26 nov"), in place of the
    suggestion (never the absent PAL; the assign form has it)."""
    from bcc_tui.services import patients

    absent_doc1(system)  # 25–26 Nov
    patients.set_team(as_("rec1"), "20180101-0016", pal="doc1")  # Hugo, 1177-000002

    def row_text(size):
        app = app_for(clinic, "rec1")

        async def scenario(pilot):
            await settle(pilot)
            table = app.screen.query_one("#table-unassigned", ErrandTable)
            return table.get_cell("1177-000002", "who").plain, table.get_cell("1177-000001", "who").plain

        return drive(app, scenario, size=size)

    narrow, other = row_text((80, 24))
    wide, _ = row_text((170, 40))
    assert narrow == "PAL frånv." and "frånv" not in other  # Elsa has no team: her suggestion
    assert wide == "PAL frånv.→26 nov"


def test_r_on_an_unassigned_errand_opens_the_reply_only_where_receivers_answer(clinic, app_for, system, as_):
    """Issue 26 item 5 (R29): with "besvaras av mottagare" on for rebooking, a receiver's `r` on
    such an errand in Ofördelade opens the reply form, and sending it answers and closes it; on a
    prescription it still says to assign first."""
    intake.import_errands(
        system,
        jsonl(errand_line("1177-000010", type="av_omboka_tid", received_at="2026-11-25T09:30:00+01:00")),
    )
    settings_svc.update_type(as_("adm"), "av_omboka_tid", receivers_answer=True)
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await settle(pilot)
        table = app.screen.query_one("#table-unassigned", ErrandTable)
        table.move_cursor(row=table.order.index("1177-000001"))  # a prescription
        await pilot.press("r")
        await settle(pilot)
        refused = (type(app.screen).__name__, [str(n.message) for n in notifications(app)])
        table.move_cursor(row=table.order.index("1177-000010"))
        await pilot.press("r")
        await settle(pilot)
        opened = isinstance(app.screen, ReplyForm)
        await pilot.press(*"Ny tid är bokad.", "ctrl+s")
        await settle(pilot)
        return refused, opened

    (screen, toasts), opened = drive(app, scenario)
    assert screen == "DashboardScreen" and any("fördela det först" in t for t in toasts)
    assert opened
    row = clinic.conn.execute("SELECT status, assignee FROM errands WHERE ref = '1177-000010'").fetchone()
    assert tuple(row) == ("closed", "rec1")


def test_the_caregiver_concerned_is_never_cut_in_a_word_at_any_width():
    """R32: "Senast sv. frånv." in Ofördelade's column of 13 (120 columns) showed as
    "Senast sv. fr"; where not even the role fits, the absence says itself alone."""
    import datetime as dt

    from bcc_tui.services.views import Concerned
    from bcc_tui.ui import render

    for role in ("PAL", "handläggaren", "senast svarande"):
        for back in (None, dt.date(2026, 11, 27)):
            c = Concerned("doc1", role, back)
            whole = render.concerned(c).plain
            for width in range(6, 30):
                text = render.concerned(c, width).plain
                assert len(text) <= width, (role, width, text)
                assert text == whole or text.endswith("frånv.") or "frånv." in text, (role, width, text)
    assert render.concerned(Concerned("doc1", "senast svarande", None), 13).plain == "frånv."
    assert render.concerned(Concerned("doc1", "PAL", None), 13).plain == "PAL frånv."


def test_moving_all_of_a_deactivated_doctors_errands_says_how_many(clinic, app_for, system, as_):
    """ctrl+a in the reassign form asks "Flytta N öppna ärenden från X till Y?": of a deactivated
    doctor, who is no choice in the form, it said "alla öppna ärenden", no number."""
    from bcc_tui.services import people

    people.set_active(as_("adm"), "doc1", False)
    held = clinic.conn.execute(
        "SELECT count(*) FROM errands WHERE status = 'assigned' AND assignee = 'doc1'"
    ).fetchone()[0]
    app = app_for(clinic, "rec1")  # 1177-000005 is assigned to doc1

    async def scenario(pilot):
        await pilot.press("tab")
        table = app.screen.query_one("#table-assigned")
        table.move_cursor(row=table.order.index("1177-000005"))
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("ctrl+a")
        await settle(pilot)
        return str(app.screen.query_one("#form-error").render())

    asked = drive(app, scenario)
    assert held >= 1 and asked.startswith(f"Flytta {held} öppe") and "från Doris Doktor" in asked, asked


def test_the_days_receiver_deactivated_or_away_is_marked_in_the_header_and_the_handover(
    clinic, app_for, system, as_
):
    """The day's receiver deactivated was named as the day's receiver with no mark, and the
    unassigned errands waited for nobody: the header and the handover say why she is not there."""
    from bcc_tui.services import handover

    people.import_schedule(
        system, jsonl({"date": "2026-11-25", "receiver": "rec2", "outpatient_doctors": ["doc1", "doc2"]})
    )
    people.set_active(as_("adm"), "rec2", False)

    async def scenario(pilot):
        await settle(pilot)
        return str(pilot.app.screen.query_one(HeaderBar).render())

    for size, said in (((120, 40), "(avaktiverad)"), ((80, 24), "(avakt.)")):
        header = drive(app_for(clinic, "rec1"), scenario, size=size)
        assert said in header, header
    line = handover.markdown(handover.handover(as_("rec1"))).splitlines()[2]
    assert line.startswith("Mottagare idag: ") and "(avaktiverad)" in line, line
