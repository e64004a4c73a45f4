"""The footer is one widget that draws its keys as text (ui/widgets/footer.py): a click on a key
presses it, as on Textual's footer, and the key under the pointer is shown as such."""

from __future__ import annotations

from bcc_tui.ui.screens.help import HelpScreen
from bcc_tui.ui.widgets.footer import KeyFooter
from tests.ui.conftest import drive, settle
from tests.ui.test_snapshots import app_on


def _x_of(footer: KeyFooter, key: str) -> int:
    """The column of `key`'s first cell in the footer."""
    at = 0
    for entry in footer.shown():
        if entry.key == key:
            return at
        at += entry.width + 1
    raise AssertionError(f"{key} not shown: {[e.key for e in footer.shown()]}")


def test_a_click_on_a_key_presses_it(demo_db):
    app = app_on(demo_db)

    async def scenario(pilot):
        await settle(pilot)
        footer = app.screen.query_one(KeyFooter)
        x = _x_of(footer, "question_mark")
        assert footer.shown()[0].key == "question_mark"  # help first (R32)
        await pilot.click(KeyFooter, offset=(x + 2, 0))  # on its description ("Hjälp")
        await settle(pilot)
        return type(app.screen)

    assert drive(app, scenario) is HelpScreen


def test_a_click_between_keys_or_past_them_presses_nothing(demo_db):
    app = app_on(demo_db)

    async def scenario(pilot):
        await settle(pilot)
        footer = app.screen.query_one(KeyFooter)
        gap = _x_of(footer, "q") - 1  # the space between help and quit
        await pilot.click(KeyFooter, offset=(gap, 0))
        await pilot.click(KeyFooter, offset=(footer.size.width - 1, 0))
        await settle(pilot)
        return type(app.screen).__name__, app.is_running

    assert drive(app, scenario) == ("DashboardScreen", True)


def test_the_key_under_the_pointer_is_marked_and_unmarked(demo_db):
    app = app_on(demo_db)

    async def scenario(pilot):
        await settle(pilot)
        footer = app.screen.query_one(KeyFooter)
        hover = footer.get_component_rich_style("footer-key--hover", partial=True)
        x = _x_of(footer, "q")
        await pilot.hover(KeyFooter, offset=(x, 0))
        await pilot.pause()
        under = footer.render()
        await pilot.hover(KeyFooter, offset=(footer.size.width - 1, 0))
        await pilot.pause()
        away = footer.render()
        styled = [s.style for s in under.render(app.console) if s.text.strip() == "q"]
        return hover.bgcolor, styled, hover.bgcolor in {s.style.bgcolor for s in away.render(app.console)}

    hover_bg, styled, still_marked = drive(app, scenario)
    assert styled and all(s.bgcolor == hover_bg for s in styled)
    assert not still_marked
