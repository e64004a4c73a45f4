"""Triage keys (issue 27): `A` gives the errand under the cursor to its suggestion without the
form and moves on; `space` marks rows in Ofördelade and `a` then gives them all to one person."""

from __future__ import annotations

import pytest

from bcc_tui.services import people
from bcc_tui.ui import actions
from bcc_tui.ui.screens.dashboard import DashboardScreen
from bcc_tui.ui.screens.forms import AssignForm
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
    return [str(n.message) for n in app._notifications]


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
        from textual.widgets._footer import FooterKey

        from bcc_tui.ui.widgets.footer import KeyFooter

        return [k.key for k in app.screen.query_one(KeyFooter).query(FooterKey)]

    assert "A" in drive(app, scenario, size=(200, 50))
    assert ("A", action.help_text) in actions.help_keys(app.ctx.actor)
    assert action in actions.palette(app.ctx.actor)
