"""Layout by size: every pane keeps its title, rows follow content, the footer keeps help and quit."""

import html
import re

import pytest

from bcc_tui.ui.screens.dashboard import COLLAPSED, MIN_ROWS, PANE_FRAME, fit_heights
from tests.ui.conftest import drive, settle
from tests.ui.test_snapshots import app_on


def screen_text(app) -> str:
    svg = app.export_screenshot()
    lines = re.findall(r"<text[^>]*>(.*?)</text>", svg)
    return html.unescape("".join(lines)).replace("\xa0", " ")


def test_heights_follow_content():
    # A pane with 2 rows takes only what it needs; the rest goes to the one that would scroll.
    assert fit_heights([2, None, 0], 30) == [PANE_FRAME + 2, 30 - PANE_FRAME - 2 - COLLAPSED, COLLAPSED]
    # Short of room: each non-empty pane keeps MIN_ROWS before any gets more.
    assert fit_heights([None, None, None], 21) == [PANE_FRAME + MIN_ROWS] * 3
    # Very short: every pane still keeps its title.
    assert all(h >= COLLAPSED for h in fit_heights([None, None, None], 8))
    assert sum(fit_heights([None, 50, 3], 40)) == 40


def _run(app, size):
    async def scenario(pilot):
        await pilot.pause()
        boxes = {p: app.screen.query_one(f"#pane-{p}") for p in app.screen.panes_shown}
        return (
            {p: (b.size.height, b.region.height) for p, b in boxes.items()},
            {p: (len(app.screen.table(p).order), app.screen.table(p).has_more) for p in boxes},
            screen_text(app),
        )

    return drive(app, scenario, size=size)


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (120, 40), (200, 50)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_pane_keeps_its_place(demo_db, size):
    app = app_on(demo_db)
    heights, rows, text = _run(app, size)
    for title in ("Ofördelade", "Fördelade", "Avslutade"):
        assert title in text, (title, size)
    for pane, (_, region) in heights.items():
        n, more = rows[pane]
        assert region >= COLLAPSED
        if size != (60, 20) and (n or more):
            assert region >= PANE_FRAME - 2 + MIN_ROWS, (pane, heights, size)
        if not more:  # a pane that fits shows no empty rows
            assert region <= PANE_FRAME + n or n == 0, (pane, heights, size)


def test_palette_asks_in_swedish(demo_db):
    app = app_on(demo_db)

    async def scenario(pilot):
        await pilot.press("ctrl+p")
        await pilot.pause()
        return screen_text(app)

    text = drive(app, scenario)
    assert "Sök kommando" in text and "Search for commands" not in text


def test_home_end_g_and_G_move_to_first_and_last_row(demo_db):
    app = app_on(demo_db)

    async def scenario(pilot):
        table = pilot.app.screen.focused_table
        seen = []
        for key in ("end", "home", "G", "g"):
            await pilot.press(key)
            await pilot.pause()
            seen.append(table.cursor_row)
        return seen, len(table.order)

    seen, n = drive(app, scenario)
    assert n > 1 and seen == [n - 1, 0, n - 1, 0]


@pytest.mark.parametrize(
    "key, sizes",
    [("s", [(60, 20)]), ("s", [(60, 20), (120, 40)]), ("a", [(60, 20), (120, 40)]), ("enter", [(60, 20)])],
)
def test_a_terminal_resized_under_another_screen_leaves_the_dashboard_as_if_resized_on_top(
    demo_db, key, sizes
):
    """Reviewers' findings: resized while statistics, a form or an errand was on top (also twice,
    back to the size it had), the dashboard came back with its header one row too tall (laid out
    for its old text) and the panes fitted to that."""
    from bcc_tui.ui.widgets.header import HeaderBar

    def layout(keys):
        app = app_on(demo_db)

        async def scenario(pilot):
            for k in keys:
                await pilot.press(k)
                await settle(pilot)
            for size in sizes:
                await pilot.resize_terminal(*size)
                await settle(pilot)
            for _ in keys:
                await pilot.press("escape")
                await settle(pilot)
            screen = app.dashboard
            assert app.screen is screen
            return [screen.query_one(HeaderBar).region] + [
                screen.query_one(f"#pane-{p}").region for p in screen.panes_shown
            ]

        return drive(app, scenario, size=(120, 40))

    assert layout([key]) == layout([])
