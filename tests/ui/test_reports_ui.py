"""The handover (h) and statistics (s) screens."""

import json

from bcc_tui.ui.screens.errand import ErrandScreen
from bcc_tui.ui.screens.handover import HandoverScreen
from bcc_tui.ui.screens.stats import StatsScreen
from tests.ui.conftest import drive, settle


def test_handover_walkthrough_marks_opens_pins_and_finishes(clinic, app_for):
    app = app_for(clinic, "rec1")
    seen = {}

    async def scenario(pilot):
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HandoverScreen)
        ol = app.screen.query_one("#handover-list")
        seen["first"] = ol.get_option_at_index(ol.highlighted).id
        await pilot.press("space")  # gone through; the cursor moves on
        await settle(pilot)
        seen["second"] = ol.get_option_at_index(ol.highlighted).id
        await pilot.press("enter")  # opens in place …
        await settle(pilot)
        seen["opened"] = app.screen.detail.summary.ref if isinstance(app.screen, ErrandScreen) else None
        await pilot.press("escape")  # … and comes back to the same spot
        await settle(pilot)
        ol = app.screen.query_one("#handover-list")
        seen["back"] = ol.get_option_at_index(ol.highlighted).id
        await pilot.press("c", *"Ring mamma efter 14", "ctrl+s")
        await settle(pilot)
        seen["row"] = str(ol.get_option_at_index(ol.highlighted).prompt)
        await pilot.press("space")
        await pilot.press("w", *"Ring familjen", "ctrl+s")
        await settle(pilot)
        seen["summary"] = str(app.screen.query_one("#handover-summary").render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        seen["after"] = type(app.screen).__name__

    drive(app, scenario)
    assert seen["first"] == "item:1177-000003" and seen["second"] == "item:1177-000002"
    assert seen["opened"] == "1177-000002" and seen["back"] == "item:1177-000002"
    assert seen["row"].startswith("  · ") and seen["row"].endswith("¶ Ring mamma efter 14")
    assert "2 av 5 genomgångna" in seen["summary"]
    assert "Från förra passet: Ring familjen — Rita Receiver" in seen["summary"]
    assert seen["after"] != "HandoverScreen"
    row = clinic.conn.execute("SELECT to_user, items, done FROM handovers").fetchone()
    assert row["to_user"] == "rec1" and len(json.loads(row["items"])) == 5
    assert json.loads(row["done"]) == ["1177-000002", "1177-000003"]
    assert clinic.conn.execute("SELECT author, text FROM handover_notes").fetchone()[:] == (
        "rec1",
        "Ring familjen",
    )
    assert (
        clinic.conn.execute(
            "SELECT count(*) FROM audit WHERE action = 'remark' AND ref = '1177-000002'"
        ).fetchone()[0]
        == 1
    )


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
