"""Issue 29, keys and forms: one send key in every form (ctrl+s; enter too where the text is one
line), the reply's templates one key from the text and never replacing it silently, a draft notice
that tells the truth, every form titled with its action's one name, j/k/g/G and the page keys in
the administration's tables and the audit log, enter on an audit row, and the notice in one place."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import re

import pytest
from rich.text import Text
from textual.widgets import Select, Static, TextArea

from bcc_tui.services import clinic as clinic_svc
from bcc_tui.services import drafts, errands, intake
from bcc_tui.services.clock import FixedClock
from bcc_tui.store import staff as staff_q
from bcc_tui.ui import actions
from bcc_tui.ui.app import make_app
from bcc_tui.ui.screens.details import RowDetails
from bcc_tui.ui.screens.forms import (
    DEFAULT_PARTIAL,
    CloseForm,
    ConfirmDialog,
    Form,
    TemplatePicker,
)
from bcc_tui.ui.textual_compat import notifications
from bcc_tui.ui.widgets.header import HeaderBar
from tests.conftest import NOW, errand_line, jsonl
from tests.ui.conftest import acute_errand, ctx_for, drive, settle
from tests.ui.test_snapshots import ROLE_PEOPLE, app_on


def rendered(widget) -> str:
    return str(widget.render())


def form_title(app) -> str:
    return rendered(app.screen.query_one(".form-title")).split(" · ")[0]


def status(store, ref) -> str:
    return store.conn.execute("SELECT status FROM errands WHERE ref = ?", (ref,)).fetchone()[0]


async def wait_until(pilot, condition, timeout=30.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not condition():
        assert loop.time() < end, "the condition did not come true in time"
        await pilot.pause(0.05)


# -- one send key ---------------------------------------------------------------------------------
def test_close_without_reply_sends_on_ctrl_s_and_its_one_line_reason_on_enter(clinic, app_for):
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await pilot.press("down", "x")  # 1177-000002
        assert isinstance(app.screen, CloseForm)
        hint = rendered(app.screen.query_one(".form-hint"))
        await pilot.press(*"Besvarat per telefon", "tab")  # on the box to tick: ctrl+s still sends
        await pilot.press("ctrl+s")
        await settle(pilot)
        after_ctrl_s = type(app.screen).__name__
        await pilot.press("x", *"Ringt mamma", "enter")  # the row that moved up, 1177-000001
        await settle(pilot)
        return hint, after_ctrl_s, type(app.screen).__name__

    hint, after_ctrl_s, after_enter = drive(app, scenario)
    assert hint.startswith("ctrl+s eller enter: avsluta")
    assert after_ctrl_s == after_enter == "DashboardScreen"
    assert status(clinic, "1177-000002") == status(clinic, "1177-000001") == "closed"


def test_the_assign_form_sends_on_ctrl_s_as_on_enter(clinic, app_for):
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await pilot.press("a")  # the suggestion is preselected
        hint = rendered(app.screen.query_one(".form-hint"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        return hint

    assert drive(app, scenario).startswith("ctrl+s eller enter: fördela")
    assert status(clinic, "1177-000003") == "assigned"


def test_an_admin_form_with_text_of_several_lines_takes_enter_as_the_next_field(clinic, app_for):
    """The template form: enter in its name goes on to the next field (it saved a template whose
    text was still the default); ctrl+s saves it from the text."""
    app = app_for(clinic, "adm")

    async def scenario(pilot):
        await pilot.press("2", "n")  # Mallar, a new one
        hint = rendered(app.screen.query_one(".form-hint"))
        await pilot.press(*"Ring", "enter")
        await settle(pilot)
        still_open = isinstance(app.screen, Form) and app.screen.focused is not None
        field = app.screen.focused.id
        app.screen.query_one("#f-body", TextArea).text = "Vi ringer dig i dag."
        await pilot.press("ctrl+s")
        await settle(pilot)
        return hint, still_open, field, type(app.screen).__name__

    hint, still_open, field, after = drive(app, scenario)
    assert hint.startswith("ctrl+s: spara") and "enter" not in hint
    assert still_open and field == "f-type" and after == "AdminScreen"
    assert [t.body for t in clinic_svc.list_templates(app.ctx) if t.name == "Ring"] == [
        "Vi ringer dig i dag."
    ]


# -- the reply's templates ------------------------------------------------------------------------
RING = "Hej {förnamn}, vi ringer dig i dag."


@pytest.fixture
def templates(clinic, as_):
    clinic_svc.save_template(as_("adm"), "Ring", RING, "kontakta_mig")
    clinic_svc.save_template(as_("adm"), "[b]Allmän[/b]", "Tack för ditt meddelande.", None)
    return clinic


def area(app) -> TextArea:
    return app.screen.query_one("#form-text", TextArea)


def said(app) -> str:
    return rendered(app.screen.query_one("#form-error"))


def test_the_template_list_opens_with_one_key_from_inside_the_text(templates, app_for):
    app = app_for(templates, "doc1")  # 1177-000005, kontakta_mig

    async def scenario(pilot):
        await pilot.press("r", *"Hej")
        in_text = app.screen.focused is area(app)
        await pilot.press("ctrl+t")
        await settle(pilot)
        picker = app.screen
        names = [str(picker.query_one("#template-list").get_option_at_index(i).prompt) for i in range(2)]
        await pilot.press("escape")
        await settle(pilot)
        return in_text, type(picker).__name__, names, app.screen.focused is area(app), area(app).text

    in_text, picker, names, back_in_text, text = drive(app, scenario)
    assert in_text and picker == TemplatePicker.__name__ and back_in_text and text == "Hej"
    assert sorted(names) == ["Ring", "[b]Allmän[/b]"]  # a name is shown as written, never as markup


def test_a_template_after_typing_goes_in_at_the_cursor_and_ctrl_z_takes_it_back(templates, app_for):
    app = app_for(templates, "doc1")

    async def scenario(pilot):
        await pilot.press("r", *"Hej!")
        await pilot.press("ctrl+t")
        await settle(pilot)
        picker = app.screen
        at = next(i for i, (name, _) in enumerate(picker.templates) if name == "Ring")
        picker.query_one("#template-list").highlighted = at
        await pilot.press("enter")
        await settle(pilot)
        put, note = area(app).text, said(app)
        await pilot.press("ctrl+z")
        await settle(pilot)
        return put, note, area(app).text, said(app)

    put, note, undone, after = drive(app, scenario)
    assert put == "Hej!\nHej Sara, vi ringer dig i dag."  # the typed text kept, the template after it
    assert "Ring" in note and "där markören stod" in note and "ctrl+z" in note
    assert undone == "Hej!" and after == ""  # undone, and no word left about a template not there


def test_a_template_replaces_the_text_only_when_confirmed_and_the_draft_notice_goes(templates, app_for, as_):
    drafts.save(as_("doc1"), "1177-000005", "reply", {"text": "Mitt utkast"})
    app = app_for(templates, "doc1")

    async def scenario(pilot):
        await pilot.press("r")
        restored, notice = area(app).text, said(app)
        await pilot.press("ctrl+t")
        await settle(pilot)
        picker = app.screen
        picker.query_one("#template-list").highlighted = next(
            i for i, (name, _) in enumerate(picker.templates) if name == "Ring"
        )
        await pilot.press("e")  # replace: asked first
        await settle(pilot)
        asked = isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")  # no
        await settle(pilot)
        kept = area(app).text
        await pilot.press("ctrl+t", "e")
        await settle(pilot)
        await pilot.press("enter")  # yes
        await settle(pilot)
        replaced, after = area(app).text, said(app)
        await pilot.press("ctrl+z")
        await settle(pilot)
        return restored, notice, asked, kept, replaced, after, area(app).text

    restored, notice, asked, kept, replaced, after, undone = drive(app, scenario)
    assert restored == "Mitt utkast" and "utkast" in notice and "återställt" in notice
    assert asked and kept == "Mitt utkast"
    assert replaced == "Hej Sara, vi ringer dig i dag."
    assert "ersatte texten" in after and "utkast" not in after  # the notice says what is true now
    assert undone == "Mitt utkast"


def test_the_draft_notice_only_when_a_draft_was_really_restored(clinic, app_for, as_):
    """A draft that holds nothing the untouched form does not (typed and deleted again, or the
    partial reply's own opening text) restores nothing: the form does not say it did."""
    doc = as_("doc1")
    drafts.save(doc, "1177-000005", "reply", {"text": ""})
    drafts.save(doc, "1177-000005", "partial_reply", {"text": DEFAULT_PARTIAL})
    drafts.save(doc, "1177-000005", "note", {"text": "Ringt mamma"})
    app = app_for(clinic, "doc1")

    async def scenario(pilot):
        seen = {}
        for key in ("r", "p", "n"):
            await pilot.press(key)
            await settle(pilot)
            seen[key] = (area(app).text, said(app))
            await pilot.press("escape")
            await settle(pilot)
            if not isinstance(app.screen, type(app.dashboard)):
                await pilot.press("enter")  # keep the draft
                await settle(pilot)
        return seen

    seen = drive(app, scenario)
    assert seen["r"] == ("", "")
    assert seen["p"] == (DEFAULT_PARTIAL, "")
    assert seen["n"][0] == "Ringt mamma" and "är återställt" in seen["n"][1]


# -- one name per action --------------------------------------------------------------------------
FORMS_OF_RECEIVER = [("a", "assign"), ("p", "partial_reply"), ("x", "close"), ("n", "note")]
FORMS_OF_RECEIVER += [("K", "acute_handled"), ("v", "care_team")]


def test_every_form_is_titled_with_its_actions_one_name(clinic, system, app_for):
    intake.import_errands(
        system,
        jsonl(
            errand_line("1177-000077", message="Hon har feber 39,2.", received_at="2026-11-25T09:00:00+01:00")
        ),
    )
    receiver, doctor = app_for(clinic, "rec1"), app_for(clinic, "doc1")

    async def as_receiver(pilot):
        seen = {}
        assert pilot.app.screen.focused_table.current_ref == "1177-000077"  # acute: pinned first
        for key, action in FORMS_OF_RECEIVER:
            await pilot.press(key)
            await settle(pilot)
            seen[action] = (form_title(pilot.app), rendered(pilot.app.screen.query_one(".form-hint")))
            await pilot.press("escape")
            await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        for key, action in (("c", "handover_remark"), ("w", "handover_note")):
            await pilot.press(key)
            await settle(pilot)
            seen[action] = (form_title(pilot.app), rendered(pilot.app.screen.query_one(".form-hint")))
            await pilot.press("escape")
            await settle(pilot)
        footer = {b.id: b.description for _, b, _, _ in pilot.app.screen.active_bindings.values() if b.id}
        return seen, footer

    async def as_doctor(pilot):
        await pilot.press("r")
        await settle(pilot)
        return {"reply": (form_title(pilot.app), rendered(pilot.app.screen.query_one(".form-hint")))}

    seen, handover_footer = drive(receiver, as_receiver)
    seen |= drive(doctor, as_doctor)
    assert set(seen) == {a for _, a in FORMS_OF_RECEIVER} | {"handover_remark", "handover_note", "reply"}
    for action, (title, hint) in seen.items():
        assert title == actions.name(action), action
        assert hint.startswith("ctrl+s"), (action, hint)  # the one send key, said first
    assert seen["handover_remark"][0] == "Anmärkning" and seen["handover_note"][0] == "Till nästa pass"
    assert seen["note"][0] != seen["handover_remark"][0]  # c and n are two things, two names
    assert handover_footer["handover_remark"] == "Anmärkning"
    assert handover_footer["handover_note"] == "Till nästa pass"
    # The palette and help name each the same way: the name first.
    for action in seen:
        a = actions.BY_ID[action]
        assert a.title is None or a.title.startswith(a.label), a.title
        assert a.help_text is None or a.help_text.lower().startswith(a.label.lower()), a.help_text


# -- every list moves alike -----------------------------------------------------------------------
MOVES = ("j", "j", "k", "G", "g", "end", "home", "pagedown", "pageup")


def expected_moves(n: int) -> list[int]:
    two = min(2, n - 1)
    return [min(1, n - 1), two, max(0, two - 1), n - 1, 0, n - 1, 0, -1, 0]  # -1: a page down


async def moved(pilot, table) -> list[int]:
    seen = []
    for key in MOVES:
        await pilot.press(key)
        await pilot.pause()
        seen.append(table.cursor_row)
    return seen


def test_every_admin_table_and_the_audit_log_move_alike(demo_db, monkeypatch):
    from bcc_tui.ui.screens.audit import AuditScreen

    # The log in one page: reaching its last row reads the next (test_access_ui), here not wanted.
    monkeypatch.setattr(AuditScreen, "PAGE", 100_000)
    admin = app_on(demo_db, ROLE_PEOPLE["admin"])

    async def tabs(pilot):
        from bcc_tui.ui.screens.admin import TABS

        seen = {}
        for number, (key, _title) in enumerate(TABS, 1):
            await pilot.press(str(number))
            await settle(pilot)
            tables = pilot.app.screen.query(f"#t-{key}")
            if not tables:
                continue  # Information: a text, no table
            table = tables.first()
            assert pilot.app.screen.focused is table, key
            seen[key] = (table.row_count, await moved(pilot, table), table.size.height)
        return seen

    auditor = app_on(demo_db, ROLE_PEOPLE["auditor"])

    async def log(pilot):
        await settle(pilot)
        table = pilot.app.screen.query_one("#audit-table")
        return {"audit": (table.row_count, await moved(pilot, table), table.size.height)}

    seen = drive(admin, tabs) | drive(auditor, log)
    assert {"types", "staff", "roster", "acute", "audit"} <= set(seen)
    for key, (n, rows, height) in seen.items():
        if n < 3:
            continue
        want = expected_moves(n)
        page_down = rows[7]
        rows[7] = want[7] = -1
        assert rows == want, key
        assert page_down == (n - 1 if n <= height - 1 else page_down) and page_down > 0, key


# -- the audit row in full ------------------------------------------------------------------------
def _svg_text(svg: str) -> str:
    return html.unescape("".join(re.findall(r"<text[^>]*>(.*?)</text>", svg))).replace("\xa0", " ")


def as_demo(store, username):
    return ctx_for(store, username, FixedClock(NOW))


def test_enter_on_an_audit_row_shows_every_column_as_text(demo_db):
    typed = "[b]Elsa[/b] \x1b[31mröd\x07 [@click=app.quit]x[/]"
    errands.log_list(as_demo(demo_db, "annlin"), "dashboard", typed)  # a search as typed, kept so
    app = app_on(demo_db, ROLE_PEOPLE["auditor"])

    async def scenario(pilot):
        await settle(pilot)
        table = app.screen.query_one("#audit-table")
        row = next(i for i, r in enumerate(app.screen._rows) if r.action == "search")
        table.move_cursor(row=row, animate=False)
        await pilot.press("enter")
        await settle(pilot)
        details = app.screen
        grid = details.query_one("#row-details", Static).content
        cells = [c for column in grid.columns for c in column._cells]
        text = _svg_text(app.export_screenshot())
        await pilot.press("escape")
        await settle(pilot)
        return details, cells, text, type(app.screen).__name__

    details, cells, text, after = drive(app, scenario, size=(100, 40))
    assert isinstance(details, RowDetails)
    labels = [label for label, _ in details.fields]
    assert labels == [
        "Tid",
        "Vem",
        "Roll",
        "Vad",
        "Utfall",
        "Ärende",
        "Patient",
        "Detaljer",
        "Som loggat",
        "Rad",
    ]
    assert all(isinstance(c, Text) for c in cells)  # never markup
    assert not any(ch in c.plain for c in cells for ch in "\x1b\x07")  # no control character
    assert "[b]Elsa[/b]" in text and "[@click=app.quit]x[/]" in text
    assert "Anna Lindqvist (annlin)" in text
    assert after == "AuditScreen"


# -- the notice in one place ----------------------------------------------------------------------
def notices(app) -> list[str]:
    return [str(n.message) for n in notifications(app) if n.title == "Driftinformation"]


def test_the_notice_is_in_the_header_at_start_and_a_toast_only_when_it_changes(clinic, app_for, as_):
    clinic_svc.post_notice(as_("adm"), "Driftstopp i kväll 18–19", dt.date(2026, 11, 30))
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await settle(pilot)
        at_start = notices(app), rendered(app.screen.query_one(HeaderBar))
        clinic_svc.post_notice(as_("adm"), "Telefonerna fungerar igen", dt.date(2026, 11, 30))
        await wait_until(pilot, lambda: notices(app))
        await settle(pilot)
        return at_start, notices(app), rendered(app.screen.query_one(HeaderBar))

    (toasts, header), changed, header_after = drive(app, scenario)
    assert toasts == [] and "Driftstopp i kväll 18–19" in header
    assert changed == ["Telefonerna fungerar igen"] and "Telefonerna fungerar igen" in header_after


def test_a_long_notice_takes_two_lines_at_most_on_a_short_terminal(clinic, app_for, as_):
    """At 60×20 a notice of 150 characters took four of twenty lines, and the acute errands below
    Ofördelade's first row went out of sight. Two lines at most there; whole on a taller screen."""
    text = "Driftstopp i journalsystemet i kväll mellan 18 och 19; ring mottagningen vid frågor. " * 2
    clinic_svc.post_notice(as_("adm"), text.strip(), dt.date(2026, 11, 30))

    def header_lines(size):
        app = app_for(clinic, "rec1")

        async def scenario(pilot):
            await settle(pilot)
            bar = app.screen.query_one(HeaderBar)
            return bar.size.height, rendered(bar)

        return drive(app, scenario, size=size)

    short_height, short = header_lines((60, 20))
    tall_height, tall = header_lines((60, 40))
    assert "…" in short and "(t.o.m. 2026-11-30)" in short, short
    assert tall_height > short_height and "…" not in tall, (tall_height, short_height)


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_the_administrators_and_auditors_first_screen_has_the_notice_in_its_header(demo_db, role):
    clinic_svc.post_notice(as_demo(demo_db, "lenwal"), "Driftstopp i kväll 18–19", dt.date(2026, 11, 30))
    app = make_app(ctx_for(demo_db, ROLE_PEOPLE[role], FixedClock(NOW)), poll_interval=0.1)

    async def scenario(pilot):
        await settle(pilot)
        at_start = notices(app), rendered(app.screen.query_one(HeaderBar))
        with demo_db.write() as conn:  # another process changes it while the screen is open
            staff_q.set_setting(
                conn,
                clinic_svc.NOTICE_KEY,
                {"text": "Telefonerna fungerar igen", "until": "2026-11-30", "author": "adm"},
            )
        await wait_until(pilot, lambda: notices(app))
        return at_start, notices(app), rendered(app.screen.query_one(HeaderBar))

    (toasts, header), changed, header_after = drive(app, scenario)
    assert toasts == [] and "Driftstopp i kväll 18–19" in header
    assert changed == ["Telefonerna fungerar igen"] and "Telefonerna fungerar igen" in header_after


# -- tab goes from field to field ------------------------------------------------------------------

# One form class (FieldsForm) for all: a type's, and a new staff member's (a list to tick, boxes).
_FIELD_FORMS = [("1", "e"), ("3", "n")]


def test_tab_in_a_form_of_fields_stops_at_its_fields_only(demo_db):
    """The fields' scrolling room took the focus after the last field: tab landed on nothing
    visible, and enter there saved the form. Two of the administrator's forms and the receiver's
    care team form: the stops are the fields, and tab from the last is the first."""
    admin, receiver = app_on(demo_db, "lenwal"), app_on(demo_db)

    async def stops(pilot) -> tuple[str, list[str]]:
        screen = pilot.app.screen
        walked = []
        for _ in range(len(screen.focus_chain) + 1):
            focused = pilot.app.focused
            walked.append(focused.id if focused is not None else None)
            await pilot.press("tab")
            await pilot.pause()
        return type(screen).__name__, walked

    async def as_admin(pilot):
        seen = {}
        for tab, key in _FIELD_FORMS:
            await pilot.press(tab, key)
            await settle(pilot)
            seen[tab, key] = await stops(pilot)
            await pilot.press("escape")
            await settle(pilot)
            assert type(pilot.app.screen).__name__ == "AdminScreen", (tab, key)
        return seen

    async def as_receiver(pilot):
        await pilot.press("v")
        await settle(pilot)
        return {("care team", "v"): await stops(pilot)}

    seen = drive(admin, as_admin) | drive(receiver, as_receiver)
    assert len(seen) == len(_FIELD_FORMS) + 1
    assert "f-roles" in seen["3", "n"][1] and "f-pal" in seen["care team", "v"][1]
    for where, (screen, walked) in seen.items():
        assert screen == "FieldsForm", where
        assert all(w is not None and w.startswith("f-") for w in walked), (where, walked)
        assert walked[-1] == walked[0] and len(set(walked)) == len(walked) - 1, (where, walked)


def test_tab_in_a_form_of_fields_keeps_the_focused_field_in_sight_at_60x20(demo_db):
    """The form's title and foot are docked over the fields' room, and Textual scrolled a field
    into the room under them: at 60×20 tab reached the e-mail field and the box "Aktiv" of a
    staff member under the foot, out of sight (space there would have deactivated the person
    unseen). Every stop, once round and back to the first."""
    app = app_on(demo_db, "lenwal")

    async def scenario(pilot):
        await settle(pilot)
        await pilot.press("3", "e")
        await settle(pilot)
        screen = app.screen
        seen = []
        for _ in range(len(screen.focus_chain) + 1):
            await pilot.pause(0.05)
            top = screen.query_one(".form-title").region.bottom
            bottom = screen.query_one(".form-foot").region.y
            seen.append((app.focused.id, app.focused.region, top, bottom))
            await pilot.press("tab")
            await settle(pilot)
        return seen

    seen = drive(app, scenario, size=(60, 20))
    assert "f-active" in [field for field, *_ in seen]
    for field, region, top, bottom in seen:
        assert top <= region.y and region.bottom <= bottom, (field, region, top, bottom)


def test_a_refusal_of_the_text_goes_once_the_text_changes(clinic, system, app_for):
    """The acute form sent empty said "Skriv kort vad som gjordes", and the line stayed under the
    text written after it. A draft restored or a template put in is still said (forms' say)."""
    acute_errand(system)
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await settle(pilot)
        await pilot.press("K", "ctrl+s")
        await settle(pilot)
        error = app.screen.query_one("#form-error")
        refused = str(error.render())
        await pilot.press(*"Ringt")
        await settle(pilot)
        return refused, str(error.render())

    refused, after = drive(app, scenario)
    assert refused.strip() != "" and after.strip() == ""


def test_a_form_with_a_list_to_pick_from_does_not_promise_that_enter_saves(demo_db):
    """The care team's form is two lists; its foot said "ctrl+s eller enter: spara", and enter
    opened the first list."""
    app = app_on(demo_db)

    async def scenario(pilot):
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        return str(app.screen.query_one(".form-hint").render())

    hint = drive(app, scenario)
    assert hint.startswith("ctrl+s: spara") and "enter" not in hint


def colleagues_acute_errand(demo_db) -> tuple[str, str]:
    """The demo's receiver, and the first errand with acute signs not yet handled that a
    colleague holds."""
    from tests.ui.test_snapshots import demo_receiver

    me = demo_receiver(demo_db)
    ref = demo_db.conn.execute(
        "SELECT ref FROM errands WHERE status = 'assigned' AND assignee <> ? AND acute IS NOT NULL"
        " AND acute_handled_at IS NULL ORDER BY ref LIMIT 1",
        (me,),
    ).fetchone()[0]
    return me, ref


async def partial_reply_on(pilot, ref: str):
    """The partial reply form (p), opened on the errand `ref`."""
    await settle(pilot)
    pilot.app.open_errand(ref)
    await settle(pilot)
    await pilot.press("p")
    await settle(pilot)
    return pilot.app.screen


def test_a_receivers_partial_reply_keeps_its_second_ask_in_sight_at_80x24(demo_db):
    """A receiver's partial reply on a colleague's acute errand at 80×24: the cautions, the doctor
    consulted and the text put "ctrl+s igen skickar ändå" under the form's edge, and ctrl+s seemed
    to do nothing."""
    from tests.ui.test_snapshots import app_on

    _me, ref = colleagues_acute_errand(demo_db)
    app = app_on(demo_db)

    async def scenario(pilot):
        form = await partial_reply_on(pilot, ref)
        chosen = form.query_one("#form-consulted")
        chosen.value = next(v for _, v in form.doctors if v != form.top_doctor)
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        error = form.query_one("#form-error")
        return str(error.render()), error.region, form.query_one(".form").region

    said, error, box = drive(app, scenario, size=(80, 24))
    assert "ctrl+s igen" in said, said
    assert box.y < error.y and error.bottom <= box.bottom - 1, (error, box)  # inside the border


@pytest.mark.parametrize(
    "clinics_own, on",
    [(None, False), ("Ring avdelning 84 på 018-611 00 00, dygnet runt.", True), ("Gammal text", False)],
)
def test_a_partial_reply_on_acute_signs_not_handled_says_call_and_names_no_doctor(demo_db, clinics_own, on):
    """A nurse's trial: on a fever not yet handled, p offered "Du får ett svar så snart som
    möjligt" with the top doctor preselected as consulted; ctrl+s at once sent it and recorded a
    consultation that never happened. Now it says to call, with the clinic's own advice while
    that is on, and goes without a doctor named (R4 asks one for "it can wait", R11 says "call")."""
    import json

    from bcc_tui.services import acute as acute_settings
    from bcc_tui.ui.screens.forms import ACUTE_PARTIAL
    from tests.ui.test_snapshots import app_on

    me, ref = colleagues_acute_errand(demo_db)
    if clinics_own:
        admin = demo_db.conn.execute(
            "SELECT username FROM staff WHERE roles LIKE '%admin%' LIMIT 1"
        ).fetchone()[0]
        acute_settings.set_advice(ctx_for(demo_db, admin, FixedClock(NOW)), enabled=on, text=clinics_own)
    app = app_on(demo_db)

    async def scenario(pilot):
        form = await partial_reply_on(pilot, ref)
        consulted = form.query_one("#form-consulted").value
        text = form.query_one("#form-text").text
        await pilot.press("ctrl+s")
        await settle(pilot)
        return text, consulted, type(app.screen).__name__

    text, consulted, screen = drive(app, scenario, size=(80, 24))
    assert text == (clinics_own if on else ACUTE_PARTIAL)
    assert consulted is Select.NULL and screen != "PartialReplyForm"
    sent = demo_db.conn.execute(
        "SELECT ev.text, ev.detail FROM events ev JOIN errands x ON x.id = ev.errand_id"
        " WHERE x.ref = ? AND ev.kind = 'partial_reply' AND ev.actor = ?",
        (ref, me),
    ).fetchall()
    assert (
        len(sent) == 1 and sent[0][0].startswith(text) and "consulted" not in json.loads(sent[0][1] or "{}")
    )
