"""The command palette in Swedish: Textual's own asks "Search for commands…", answers "No matches
found" and lists its own commands in English (Theme, Quit, Keys, Maximize, Screenshot).

It is also safe to close at any moment (ui/textual_compat.py, SafeCommandPalette: a Textual bug)."""

from __future__ import annotations

from collections.abc import Iterator

from textual.app import SystemCommand
from textual.command import DiscoveryHit, Hit, Hits
from textual.system_commands import SystemCommandsProvider

from bcc_tui.ui.textual_compat import SafeCommandPalette

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


class Palette(SafeCommandPalette):
    NO_MATCHES_TEXT = NO_MATCHES

    def __init__(self, *, placeholder: str = PROMPT, id: str | None = "--command-palette") -> None:
        super().__init__(providers=[SwedishCommands], placeholder=placeholder, id=id)
