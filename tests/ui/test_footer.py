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


def _marked(footer: KeyFooter, app) -> str:
    """The text drawn on the pointer's background (a faint white blended over the footer's)."""
    hover = footer.get_component_rich_style("footer-key--hover").bgcolor
    return "".join(
        s.text for s in footer.render().render(app.console) if s.style and s.style.bgcolor == hover
    )


def test_the_key_under_the_pointer_is_marked_readably_and_unmarked(demo_db):
    app = app_on(demo_db)

    async def scenario(pilot):
        await settle(pilot)
        footer = app.screen.query_one(KeyFooter)
        await pilot.hover(KeyFooter, offset=(_x_of(footer, "q"), 0))
        await pilot.pause()
        under = _marked(footer, app)
        await pilot.hover(KeyFooter, offset=(footer.size.width - 1, 0))
        await pilot.pause()
        away = _marked(footer, app)
        ground = footer.rich_style.bgcolor.get_truecolor()
        marked = footer.get_component_rich_style("footer-key--hover").bgcolor.get_truecolor()
        return under, away, ground, marked

    under, away, ground, marked = drive(app, scenario)
    assert under == "q Avsluta" and away == ""
    # A shade of the footer, not solid white under light text.
    assert marked != ground and max(abs(a - b) for a, b in zip(marked, ground, strict=True)) < 64


def test_the_mark_stays_where_the_pointer_is_when_the_keys_change(demo_db):
    app = app_on(demo_db)

    async def scenario(pilot):
        await settle(pilot)
        footer = app.screen.query_one(KeyFooter)
        x = _x_of(footer, "p")  # Delsvar, offered on an unassigned errand
        await pilot.hover(KeyFooter, offset=(x, 0))
        await pilot.pause()
        before = _marked(footer, app)
        await pilot.press("tab", "tab")  # Avslutade: other keys
        await settle(pilot)
        at = footer._entry_at(x)
        return before, _marked(footer, app), at

    before, after, at = drive(app, scenario)
    assert before == "p Delsvar"
    assert after == ("" if at is None else f"{at.display} {at.description}".strip())
    assert after != before


def test_a_terminal_that_loses_the_focus_keeps_the_errand_keys(demo_db):
    """The person goes to another window (the journal): Textual takes the focus from the pane, and
    the footer kept only the screen's own keys until the terminal had the focus again."""
    from textual import events

    app = app_on(demo_db)

    async def scenario(pilot):
        await settle(pilot)
        footer = app.screen.query_one(KeyFooter)
        before = [e.key for e in footer.entries]
        app.post_message(events.AppBlur())
        await settle(pilot)
        blurred = [e.key for e in footer.entries]
        app.post_message(events.AppFocus())
        await settle(pilot)
        return before, blurred, [e.key for e in footer.entries]

    before, blurred, back = drive(app, scenario)
    assert "a" in before and blurred == before and back == before
