"""A footer that puts back, help and quit first, so a narrow terminal cuts other keys, never those."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# Textual's key names: esc (where a screen shows it), ?, q.
FIRST = ("escape", "question_mark", "q")


class KeyFooter(Footer):
    def __init__(self, *, only: Iterable[str] | None = None, **kwargs) -> None:
        """`only`: the keys this footer may show (a modal screen's own), None for all."""
        super().__init__(**kwargs)
        self.only = frozenset(only) if only is not None else None

    def _offered(self, action: str) -> bool:
        """The app's word on an errand action in the errand's present state (see BccApp.offers)."""
        offers = getattr(self.app, "offers", None)
        return offers is None or bool(offers(action))

    def compose(self) -> ComposeResult:
        widgets: list[Widget] = [
            w
            for w in super().compose()
            if not isinstance(w, FooterKey)
            or ((self.only is None or w.key in self.only) and self._offered(w.action))
        ]
        first = sorted(
            (w for w in widgets if isinstance(w, FooterKey) and w.key in FIRST),
            key=lambda w: FIRST.index(w.key) if isinstance(w, FooterKey) else 0,
        )
        self.styles.grid_size_columns = len(widgets)
        yield from first
        yield from (w for w in widgets if not any(w is f for f in first))
