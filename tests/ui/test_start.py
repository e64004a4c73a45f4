"""The dashboard's start (issue 31, item 6: first paint against a bare Textual app)."""

import sys

from bcc_tui.ui import app as app_module
from bcc_tui.ui.feed import Feed
from tests.ui.conftest import drive, settle


def test_the_first_read_gets_the_interpreter_back_at_once_until_the_first_paint(clinic, app_for, monkeypatch):
    """The first read (Feed.prefetch) mostly waits on SQLite and the audit row's fsync; each time it
    returns it needs the interpreter back from Textual's start-up, which held it for Python's 5 ms
    switch interval: the read ended about 30 ms after the screen was ready for it. While the app
    starts the interval is short; after the first paint it is the process's own again."""
    seen: list[float] = []
    first_fill = Feed.first_fill

    def watched(self):
        seen.append(sys.getswitchinterval())  # the screen waits here for the first read
        return first_fill(self)

    monkeypatch.setattr(Feed, "first_fill", watched)
    before = sys.getswitchinterval()
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        return sys.getswitchinterval()

    painted = drive(app, scenario)
    assert seen and min(seen) <= app_module.START_SWITCH_INTERVAL < before
    assert painted == before and sys.getswitchinterval() == before


def test_an_app_ended_before_its_first_paint_leaves_the_switch_interval_as_it_was(clinic, app_for):
    """The short interval is the start's alone, also when the app ends before it has painted."""
    import asyncio

    before = sys.getswitchinterval()
    app = app_for(clinic, "rec1")

    async def main():
        async with app.run_test(size=(80, 24)):
            app.exit()

    asyncio.run(main())
    assert sys.getswitchinterval() == before


def test_the_persons_first_screen_is_the_bottom_of_the_stack(clinic, app_for):
    """The dashboard is the app's own first screen, not pushed over Textual's empty one once the
    app had mounted (about 30 ms of the start, issue 31); a screen opened from it is one above it
    and esc there comes back to it."""
    from bcc_tui.ui.screens.stats import StatsScreen

    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        first = list(app.screen_stack)
        await pilot.press("s")
        await settle(pilot)
        opened = type(app.screen)
        await pilot.press("escape")
        await settle(pilot)
        return first, opened, list(app.screen_stack)

    first, opened, back = drive(app, scenario)
    assert first == [app.dashboard] and opened is StatsScreen and back == [app.dashboard]


def test_an_administrators_first_screen_is_the_bottom_of_the_stack_and_esc_leads_nowhere(clinic, app_for):
    from bcc_tui.ui.app import screen_class

    app = app_for(clinic, "adm")

    async def scenario(pilot):
        return list(app.screen_stack), app.screen.check_action("back", ())

    stack, back_offered = drive(app, scenario)
    assert [type(s) for s in stack] == [screen_class("AdminScreen")] and app.dashboard is None
    assert not back_offered
