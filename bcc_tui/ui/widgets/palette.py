"""The command palette in Swedish: Textual's own asks "Search for commands…", answers "No matches
found" and lists its own commands in English (Theme, Quit, Keys, Maximize, Screenshot).

It is also safe to close at any moment: Textual's palette gathers matching commands in a worker
(and shows "no matches" from a timer) that look up the palette's list; when the palette closed in
the meantime (a fast hand, or a control character in pasted text) the lookup failed and the
worker's failure ended the whole dashboard. Nothing is lost by stopping: the list is gone."""

from __future__ import annotations

from collections.abc import Iterator

from rich.align import Align
from rich.text import Text
from textual import work
from textual.app import SystemCommand
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits
from textual.css.query import NoMatches
from textual.system_commands import SystemCommandsProvider
from textual.widgets.option_list import Option

PROMPT = "Sök kommando…"
NO_MATCHES = "Inga träffar"
# Textual's own commands: quit in Swedish; the rest are left out — its key panel and theme names are
# English, and a screenshot would write the patients' data to a file.
TEXTUAL_OWN = {"Quit": ("Avsluta", "Avsluta programmet")}
LEFT_OUT = {"Theme", "Keys", "Maximize", "Minimize", "Screenshot", "Bell"}


class SwedishCommands(SystemCommandsProvider):
    def _commands(self) -> Iterator[SystemCommand]:
        for title, help_text, callback, discover in self.app.get_system_commands(self.screen):
            if title in LEFT_OUT:
                continue
            title, help_text = TEXTUAL_OWN.get(title, (title, help_text))
            yield SystemCommand(title, help_text, callback, discover)

    async def discover(self) -> Hits:
        for title, help_text, callback, discover in sorted(self._commands(), key=lambda c: c[0]):
            if discover:
                yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback, _ in self._commands():
            if (match := matcher.match(title)) > 0:
                yield Hit(match, matcher.highlight(title), callback, help=help_text)


class Palette(CommandPalette):
    def __init__(self, *, placeholder: str = PROMPT, id: str | None = "--command-palette") -> None:
        super().__init__(providers=[SwedishCommands], placeholder=placeholder, id=id)

    @work(exclusive=True, group=CommandPalette._GATHER_COMMANDS_GROUP)
    async def _gather_commands(self, search_value: str) -> None:
        try:
            await CommandPalette._gather_commands.__wrapped__(self, search_value)  # type: ignore[attr-defined]  # set by functools.wraps
        except NoMatches:
            pass

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual's own, with the words in Swedish (its text is not a setting).
        self._stop_no_matches_countdown()

        def show() -> None:
            if search_value:
                lists = self.query(CommandList)
                if not lists:
                    return  # closed meanwhile
                lists.first().add_option(
                    Option(
                        Align.center(Text(NO_MATCHES, style="not bold")), disabled=True, id=self._NO_MATCHES
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show)
