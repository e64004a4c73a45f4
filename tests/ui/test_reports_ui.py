"""The handover (h) and statistics (s) screens."""

from bcc_tui.ui.screens.errand import ErrandScreen
from bcc_tui.ui.screens.handover import HandoverScreen
from bcc_tui.ui.screens.stats import StatsScreen
from tests.ui.conftest import drive, settle


def test_handover_walks_and_opens_errands_and_takes_a_note(clinic, app_for):
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HandoverScreen)
        ol = app.screen.query_one("#handover-list")
        first = ol.get_option_at_index(ol.highlighted).id
        await pilot.press("enter")
        await settle(pilot)
        opened = app.screen.detail.summary.ref if isinstance(app.screen, ErrandScreen) else None
        await pilot.press("escape")
        await pilot.press("w", *"Ring familjen", "ctrl+s")
        await settle(pilot)
        summary = str(app.screen.query_one("#handover-summary").render())
        return first, opened, summary

    first, opened, summary = drive(app, scenario)
    assert first == "overdue:1177-000002" and opened == "1177-000002"
    assert "Från förra passet: Ring familjen — Rita Receiver" in summary
    assert clinic.conn.execute("SELECT author, text FROM handover_notes").fetchone()[:] == ("rec1", "Ring familjen")


def test_stats_screen_moves_by_month(clinic, app_for):
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, StatsScreen)
        table = app.screen.query_one("#stats-types")
        total_now = str(table.get_row_at(table.row_count - 1)[1])
        await pilot.press("left_square_bracket")
        await settle(pilot)
        title = str(app.screen.query_one("#stats-title").render())
        total_before = str(table.get_row_at(table.row_count - 1)[1])
        return total_now, title, total_before

    now, title, before = drive(app, scenario)
    assert now == "6" and "2026-10-01 – 2026-10-31" in title and before == "0"
    assert clinic.conn.execute("SELECT count(*) FROM audit WHERE action = 'stats'").fetchone()[0] == 2
