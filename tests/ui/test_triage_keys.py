"""Triage keys (issue 27): `A` gives the errand under the cursor to its suggestion without the
form and moves on; `space` marks rows in Ofördelade and `a` then gives them all to one person."""

from __future__ import annotations

import pytest

from bcc_tui.services import people
from bcc_tui.ui import actions
from bcc_tui.ui.screens.dashboard import DashboardScreen
from bcc_tui.ui.screens.forms import AssignForm
from bcc_tui.ui.textual_compat import notifications
from tests.conftest import jsonl
from tests.ui.conftest import drive, settle

DUTY = {"date": "2026-11-25", "receiver": "rec1", "outpatient_doctors": ["doc1", "doc2"]}


@pytest.fixture
def on_duty(clinic, system):
    """The small clinic with two doctors on today's schedule: prescriptions have a suggestion.
    Ofördelade, most pressing first: 1177-000003 (urgent complaint → Lena Ledare), 000002,
    000001 (prescriptions → the doctor with the fewest open errands: Doris holds 000005), 000004 (complaint → Nina)."""
    people.import_schedule(system, jsonl(DUTY))
    return clinic


def holder(store, ref: str) -> tuple[str, str | None]:
    return tuple(store.conn.execute("SELECT status, assignee FROM errands WHERE ref = ?", (ref,)).fetchone())


def audited(store, ref: str) -> list[tuple[str, str]]:
    rows = store.conn.execute(
        "SELECT actor, action FROM audit WHERE ref = ? AND action IN ('assign', 'reassign') ORDER BY id",
        (ref,),
    )
    return [tuple(r) for r in rows]


def toasts(app) -> list[str]:
    return [str(n.message) for n in notifications(app)]


def unassigned_table(app):
    return app.dashboard.table("unassigned")


def test_capital_a_assigns_the_suggestion_and_moves_to_the_next_row(on_duty, app_for):
    app = app_for(on_duty, "rec1")

    async def scenario(pilot):
        table = unassigned_table(app)
        first = table.current_ref
        suggested = table.current.suggestion.username
        await pilot.press("A")
        await settle(pilot)
        second = table.current_ref
        await pilot.press("A")
        await settle(pilot)
        return first, suggested, second, type(app.screen), table.current_ref

    first, suggested, second, screen, third = drive(app, scenario)
    assert (first, suggested) == ("1177-000003", "lead")
    assert holder(on_duty, "1177-000003") == ("assigned", "lead")
    assert second == "1177-000002" and holder(on_duty, "1177-000002") == ("assigned", "doc2")
    assert third == "1177-000001"  # the cursor went on down the pane
    assert screen is DashboardScreen  # no form on the way
    assert audited(on_duty, "1177-000003") == [("rec1", "assign")]
    assert audited(on_duty, "1177-000002") == [("rec1", "assign")]
    said = toasts(app)
    assert "1177-000003 fördelat till Lena Ledare" in said and "1177-000002 fördelat till Dag Doktor" in said


def test_capital_a_never_gives_an_errand_to_someone_absent_without_asking(on_duty, app_for, system):
    """R22: the row says Dag; he is reported absent after the list was read. `A` assigns
    nothing: the assign form opens and says so (the new suggestion preselected, one enter)."""
    app = app_for(on_duty, "rec1", poll_interval=3600)  # the list is not read again by itself

    async def scenario(pilot):
        await pilot.press("down")
        table = unassigned_table(app)
        shown = (table.current_ref, table.current.suggestion.username)
        people.import_schedule(
            system, jsonl({"absent": "doc2", "from": "2026-11-25", "to": "2026-11-25", "reason": "Sjuk"})
        )
        await pilot.press("A")
        await settle(pilot)
        form = app.screen
        notice = str(form.query_one(".form-subtitle").render()) if isinstance(form, AssignForm) else ""
        untouched = holder(on_duty, "1177-000002")
        await pilot.press("enter")
        await settle(pilot)
        return shown, type(form), notice, untouched

    shown, form, notice, untouched = drive(app, scenario)
    assert shown == ("1177-000002", "doc2")
    assert form is AssignForm and untouched == ("unassigned", None)
    assert "Dag Doktor, förslaget i listan, är frånvarande idag (Sjuk). Nu föreslås Doris Doktor." in notice
    assert holder(on_duty, "1177-000002") == ("assigned", "doc1")  # chosen in the form, by enter


def test_capital_a_on_an_assigned_errand_says_why_not(on_duty, app_for):
    app = app_for(on_duty, "rec1")

    async def scenario(pilot):
        await pilot.press("tab", "A")  # Fördelade: 1177-000005, Doris's
        await settle(pilot)
        return type(app.screen)

    assert drive(app, scenario) is DashboardScreen
    assert holder(on_duty, "1177-000005") == ("assigned", "doc1")
    assert any("1177-000005 är redan fördelat" in m for m in toasts(app)), toasts(app)


def test_capital_a_is_in_the_table_for_footer_help_and_palette(on_duty, app_for):
    action = next(a for a in actions.ACTIONS if a.id == "assign_suggested")
    assert action.key == "A" and action.permission == "assign" and action.title and action.help_text
    binding = next(b for b in actions.bindings() if b.id == "assign_suggested")
    assert (binding.key, binding.action) == ("A", "assign_suggested")
    app = app_for(on_duty, "rec1")

    async def scenario(pilot):
        from bcc_tui.ui.widgets.footer import KeyFooter

        return [e.key for e in app.screen.query_one(KeyFooter).entries]

    assert "A" in drive(app, scenario, size=(200, 50))
    assert ("A", action.help_text) in actions.help_keys(app.ctx.actor)
    assert action in actions.palette(app.ctx.actor)


def mark_cell(app, ref: str) -> str:
    return unassigned_table(app).get_cell(ref, "mark").plain


def pane_title(app) -> str:
    return str(app.dashboard.query_one("#pane-unassigned").border_title)


def test_space_marks_rows_and_a_gives_them_all_to_one_person(on_duty, app_for):
    app = app_for(on_duty, "rec1")

    async def scenario(pilot):
        await pilot.press("space", "down", "space")  # 1177-000003, then 000001 (space moves on)
        await settle(pilot)
        seen = {
            "cells": [mark_cell(app, r) for r in ("1177-000003", "1177-000002", "1177-000001")],
            "title": pane_title(app),
            "cursor": unassigned_table(app).current_ref,
        }
        await pilot.press("tab", "a")  # in Fördelade, a is about the errand under the cursor
        await settle(pilot)
        seen["single"] = str(app.screen.query_one(".form-title").render())
        await pilot.press("escape", "shift+tab", "a")
        await settle(pilot)
        seen["form"] = str(app.screen.query_one(".form-title").render())
        seen["context"] = str(app.screen.query_one(".form-context").render())
        await pilot.press(*"nina", "enter", "enter")  # the second: 000003 is a complaint (R5)
        await settle(pilot)
        seen["after"] = (type(app.screen), pane_title(app), unassigned_table(app).marked)
        return seen

    seen = drive(app, scenario)
    assert seen["cells"][0].startswith("✓") and seen["cells"][2].startswith("✓")
    assert "✓" not in seen["cells"][1]
    assert "2 markerade" in seen["title"] and seen["cursor"] == "1177-000004"
    assert seen["single"] == "Omfördela · 1177-000005"
    assert seen["form"] == "Fördela · 2 markerade ärenden"
    assert "1177-000003, 1177-000001" in seen["context"]
    screen, title, marked = seen["after"]
    assert screen is DashboardScreen and "markerade" not in title and not marked
    assert holder(on_duty, "1177-000003") == holder(on_duty, "1177-000001") == ("assigned", "nurse")
    assert holder(on_duty, "1177-000002") == holder(on_duty, "1177-000004") == ("unassigned", None)
    assert audited(on_duty, "1177-000003") == audited(on_duty, "1177-000001") == [("rec1", "assign")]
    assert "2 ärenden fördelade till Nina Nurse: 1177-000003, 1177-000001" in toasts(app)


def test_a_marked_row_refused_is_named_and_the_others_still_go(on_duty, app_for, as_):
    """Someone else assigns one of the marked errands while the form is open."""
    from bcc_tui.services import errands

    app = app_for(on_duty, "rec1")

    async def scenario(pilot):
        await pilot.press("space", "space", "space")  # 1177-000003, 000002, 000001
        await pilot.press("a")
        await settle(pilot)
        errands.assign(as_("rec2"), "1177-000002", "doc1")
        await pilot.press(*"dag", "enter", "enter")  # the second: the complaint rule's question
        await settle(pilot)
        return type(app.screen), unassigned_table(app).marked

    screen, marked = drive(app, scenario)
    assert screen is DashboardScreen and not marked
    assert holder(on_duty, "1177-000003") == holder(on_duty, "1177-000001") == ("assigned", "doc2")
    assert holder(on_duty, "1177-000002") == ("assigned", "doc1")  # rec2's stands
    logged = on_duty.conn.execute(
        "SELECT ref, outcome FROM audit WHERE actor = 'rec1' AND action = 'assign' "
        "AND ref IN ('1177-000001', '1177-000002', '1177-000003') ORDER BY id"
    ).fetchall()
    assert [tuple(r) for r in logged] == [
        ("1177-000003", "ok"),
        ("1177-000002", "refused"),
        ("1177-000001", "ok"),
    ]
    said = toasts(app)
    assert "2 ärenden fördelade till Dag Doktor: 1177-000003, 1177-000001" in said
    assert any(m.startswith("1177-000002 fördelades inte: ") and "redan fördelat" in m for m in said), said


def test_a_mark_stays_on_its_errand_and_goes_with_a_row_out_of_sight(on_duty, app_for, as_):
    """Marks follow their errand through a reload, and a row that leaves the pane (here under a
    filter) takes its mark with it: `a` never assigns what is out of sight."""
    from bcc_tui.services import errands

    app = app_for(on_duty, "rec1")

    async def scenario(pilot):
        table = unassigned_table(app)
        await pilot.press("space")  # 1177-000003
        errands.assign(as_("rec2"), "1177-000001", "doc2")  # someone else: the panes reload
        for _ in range(200):
            await settle(pilot)
            if "1177-000001" not in table.order:
                break
        reloaded = (set(table.marked), mark_cell(app, "1177-000003"), pane_title(app))
        await pilot.press("slash", *"hugo", "enter")  # only 1177-000002 is Hugo's
        await settle(pilot)
        filtered = (table.order, set(table.marked))
        await pilot.press("escape")  # the filter goes; 1177-000003 is back, unmarked
        await settle(pilot)
        return reloaded, filtered, (table.order, set(table.marked), pane_title(app))

    reloaded, filtered, back = drive(app, scenario)
    assert reloaded[0] == {"1177-000003"} and reloaded[1].startswith("✓") and "1 markerat" in reloaded[2]
    assert filtered == (["1177-000002"], set())
    assert "1177-000003" in back[0] and back[1] == set() and "markerade" not in back[2]


def test_capital_a_does_not_give_away_an_errand_whose_doctor_is_away(demo_db):
    """A keyboard trial: the row said "PAL frånv." and `A` gave the errand to the suggestion,
    whom the row never named. R4: the receiver decides whether it waits for its doctor; `A`
    opens the form and says why, the suggestion preselected."""
    from tests.ui.test_snapshots import app_on

    app = app_on(demo_db)

    async def scenario(pilot):
        await settle(pilot)
        table = unassigned_table(app)
        row = next(i for i, ref in enumerate(table.order) if table.rows_by_ref[ref].concerned_absent)
        table.move_cursor(row=row)
        await settle(pilot)
        ref = table.current_ref
        await pilot.press("A")
        await settle(pilot)
        form = app.screen
        notice = str(form.query_one(".form-subtitle").render()) if isinstance(form, AssignForm) else ""
        return ref, type(form), notice

    ref, form, notice = drive(app, scenario, size=(120, 40))
    assert form is AssignForm
    assert "frånv." in notice and "vänta på hen (delsvar) eller välj vem" in notice, notice
    assert holder(demo_db, ref) == ("unassigned", None)


def test_marked_rows_with_a_complaint_given_to_another_ask_about_the_complaint_rule(on_duty, app_for):
    """A keyboard trial: an urgent complaint marked with other errands went to whoever was
    chosen, without the word the single errand's form gives (R5). The first enter asks."""
    app = app_for(on_duty, "rec1")

    async def scenario(pilot):
        await pilot.press("space", "space")  # 1177-000003 (urgent complaint → Lena), 000002
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"dag", "enter")
        await settle(pilot)
        asked = str(app.screen.query_one("#form-error").render())
        before = holder(on_duty, "1177-000003")
        await pilot.press("enter")
        await settle(pilot)
        return asked, before

    asked, before = drive(app, scenario)
    assert asked == (
        "Enligt klagomålsregeln ska 1177-000003 (brådskande) till en sektionsledare. "
        "Tryck enter igen för att ändå fördela till Dag Doktor."
    )
    assert before == ("unassigned", None)
    assert holder(on_duty, "1177-000003") == holder(on_duty, "1177-000002") == ("assigned", "doc2")


def test_marked_rows_with_an_urgent_complaint_go_to_any_section_leader_without_a_question(
    on_duty, app_for, system
):
    """R5 sends an urgent complaint to a section leader, not to one person: a second section
    leader chosen for the marked rows is within the rule, and nothing is asked (a review)."""
    people.import_staff(
        system,
        jsonl(
            {"username": "lead2", "name": "Lisa Ledare", "title": "sektionsledare", "roles": ["caregiver"]}
        ),
    )
    app = app_for(on_duty, "rec1")

    async def scenario(pilot):
        await pilot.press("space", "space")  # 1177-000003 (urgent complaint), 000002
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"lisa", "enter")
        await settle(pilot)
        return type(app.screen)

    assert drive(app, scenario) is DashboardScreen
    assert holder(on_duty, "1177-000003") == holder(on_duty, "1177-000002") == ("assigned", "lead2")
