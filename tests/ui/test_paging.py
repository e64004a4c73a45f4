"""Issue 13: a pane holds a page of its errands, asks the database for the next page as the
cursor nears the end, and names the total; the filter searches the database."""

from bcc_tui.services import errands
from bcc_tui.ui.widgets.errand_table import ErrandTable
from tests.services.test_backlog import _backlog
from tests.ui.conftest import drive, settle
from tests.ui.test_live import wait_for


def test_panes_page_and_count_in_sql(system, store, app_for):
    _backlog(store, 400)
    total = errands.panes(_rec(store)).unassigned.total
    app = app_for(store, "rec1")

    async def scenario(pilot):
        table = app.screen.query_one("#table-unassigned", ErrandTable)
        first = len(table.order)
        title = app.screen.query_one("#pane-unassigned").border_title
        table.focus()
        for _ in range(first):
            await pilot.press("down")
        await wait_for(pilot, lambda: len(table.order) > first)
        return first, title, len(table.order), table.cursor_row

    first, title, later, cursor = drive(app, scenario, size=(120, 40))
    assert first == errands.PAGE < total
    assert title.startswith(f"Ofördelade ({total})")
    assert later == min(total, 2 * errands.PAGE) and cursor >= first - 1


def test_the_filter_asks_the_database(system, store, app_for):
    _backlog(store, 400)
    app = app_for(store, "rec1")

    async def scenario(pilot):
        await pilot.press("slash", *"ovrig", "enter")
        await settle(pilot)
        table = app.screen.query_one("#table-unassigned", ErrandTable)
        await wait_for(pilot, lambda: app.search == "ovrig" and table.order)
        return [table.rows_by_ref[r].subject for r in table.order]

    subjects = drive(app, scenario, size=(120, 40))
    assert subjects and set(subjects) == {"Övrigt"}


def _rec(store):
    from bcc_tui.services.clock import FixedClock
    from tests.ui.conftest import NOW, ctx_for

    return ctx_for(store, "rec1", FixedClock(NOW))


def test_opening_an_errand_does_not_reload_the_panes_for_its_own_audit_row(system, store, app_for):
    _backlog(store, 50)
    app = app_for(store, "rec1")

    async def scenario(pilot):
        loads = app.loads
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ErrandScreen")
        for _ in range(4):  # several polls (every 0.25 s)
            await pilot.pause(0.25)
        return loads, app.loads

    before, after = drive(app, scenario, size=(120, 40))
    assert after == before
