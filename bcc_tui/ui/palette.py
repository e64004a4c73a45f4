"""The command palette: Textual's own, asked in Swedish and safe to close at any moment.

Textual's palette gathers matching commands in a worker that looks up the palette's list; when
the palette closes in the meantime (a fast hand, or a control character in pasted text) the
lookup fails and the worker's failure would end the whole dashboard. Nothing is lost by stopping
there: the list it would have filled is gone.
"""

from __future__ import annotations

from textual import work
from textual.command import CommandPalette
from textual.css.query import NoMatches

PROMPT = "Sök kommando…"


class Palette(CommandPalette):
    def __init__(self) -> None:
        super().__init__(placeholder=PROMPT, id="--command-palette")

    @work(exclusive=True, group=CommandPalette._GATHER_COMMANDS_GROUP)
    async def _gather_commands(self, search_value: str) -> None:
        try:
            await CommandPalette._gather_commands.__wrapped__(self, search_value)  # type: ignore[attr-defined]  # functools.wraps sets it
        except NoMatches:
            pass
