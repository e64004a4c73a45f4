"""Issue 16: the command palette speaks Swedish — its prompt, its "no matches" and Textual's own
commands (English ones are left out, Quit becomes Avsluta)."""

from __future__ import annotations

import time

from textual.command import CommandList

from bcc_tui.ui.widgets import palette
from tests.ui.conftest import drive, settle
from tests.ui.test_layout import screen_text
from tests.ui.test_snapshots import app_on

ENGLISH = ("Theme", "Quit", "Keys", "Maximize", "Screenshot", "No matches", "Search for")


async def _polled(pilot, read, until, timeout=30.0):
    """What `read` gives once `until` holds for it, or when the timeout has passed."""
    start = time.monotonic()
    while True:
        found = read(pilot.app)
        if until(found) or time.monotonic() - start > timeout:
            return found
        await pilot.pause(0.05)


def _shown_options(app) -> list[str]:
    lists = app.screen.query(CommandList)
    return [str(o.prompt) for o in lists.first().options] if lists else []


async def _options(pilot, until) -> list[str]:
    return await _polled(pilot, _shown_options, until)


async def _screen(pilot, until) -> str:
    """The screen as drawn once `until` holds for it: options already in the list may be drawn
    only after the next layout, which a busy machine may keep waiting."""
    return await _polled(pilot, screen_text, until)


def _words(shown: list[str]) -> str:
    return " ".join(shown)


def test_palette_lists_in_swedish_and_says_so_when_nothing_matches(demo_db):
    app = app_on(demo_db)

    async def scenario(pilot):
        await settle(pilot)
        await pilot.press("ctrl+p")
        listed = await _options(pilot, lambda s: any("Avsluta" in o for o in s))
        await pilot.press(*"zqzq")
        none = await _options(pilot, lambda s: any(palette.NO_MATCHES in o for o in s))
        text = await _screen(pilot, lambda t: palette.NO_MATCHES in t)
        await pilot.press(*(["backspace"] * 4), *"avsl")
        found = await _options(pilot, lambda s: any("Avsluta" in o for o in s))
        return type(app.screen).__name__, listed, none, text, found

    name, listed, none, text, found = drive(app, scenario)
    assert name == "Palette"
    assert "Fördela / omfördela" in _words(listed) and "Avsluta" in _words(listed)
    assert palette.NO_MATCHES in _words(none) and palette.NO_MATCHES in text
    assert "Avsluta" in _words(found)
    for word in ENGLISH:
        assert word not in _words(listed) + _words(none) + text + _words(found), word
