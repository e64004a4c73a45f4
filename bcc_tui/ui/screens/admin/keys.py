"""The administrator's help: the admin screen's own keys first, then the general help."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from bcc_tui.ui.screens.help import HelpScreen


def admin_keys(tabs: list[str]) -> list[tuple[str, str]]:
    """What each key does on the admin screen, in the order a new administrator needs them."""
    return [
        ("] / [", "nästa / föregående flik"),
        (
            f"1–{len(tabs)}",
            ", ".join(f"{i}: {title}" for i, title in enumerate(tabs, 1))
            # The tab bar's short form (screen.tab_labels), named where it is used.
            + " (där skärmen är smal visar flikraden flikarnas nummer och namnet på den som visas)",
        ),
        *_ROW_KEYS,
    ]


_ROW_KEYS = (
    ("shift+tab, ← →", "till flikraden och byt flik med pilarna; tab tillbaka till tabellen"),
    ("↑ ↓, j / k", "välj rad i tabellen; g / G (home / end) första / sista, pgup / pgdn en sida"),
    (
        "e / enter",
        "ändra raden (på Information: lägg ut ett meddelande; på Avvikelser: rapportera eller avfärda)",
    ),
    ("n", "ny rad (på Information: ändra inställningarna)"),
    ("d", "ta bort, avveckla eller avaktivera raden (på Information: ta ner meddelandet)"),
    (
        "I ett formulär",
        "ctrl+s: spara (enter också, där all text är en rad) · tab: nästa fält · mellanslag: kryssa · "
        "enter i en lista: öppna den",
    ),
)


class AdminHelpScreen(HelpScreen):
    """`?` on the admin screen: the general help with the admin screen's keys at the top."""

    def __init__(self, tabs: list[str]) -> None:
        super().__init__()
        self.tabs = tabs

    def on_mount(self) -> None:
        super().on_mount()
        keys = Table.grid(padding=(0, 2))
        keys.add_column(style="bold cyan", no_wrap=True)
        keys.add_column()
        for key, what in admin_keys(self.tabs):
            keys.add_row(key, what)
        title = self.query_one("#help .form-title")
        self.query_one("#help").mount(
            Static(Text("Administration", style="bold underline")),
            Static(keys, id="admin-keys"),
            Static(Text("\nÖverallt", style="bold underline")),
            after=title,
        )
