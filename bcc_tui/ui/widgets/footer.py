"""A footer that puts back, help and quit first, so a narrow terminal cuts other keys, never those."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer

from bcc_tui.ui.textual_compat import FooterKey, bindings_ready
from bcc_tui.ui.typed import OffersActions

# Textual's key names: esc (where a screen shows it), ?, q.
FIRST = ("escape", "question_mark", "q")


class KeyFooter(Footer):
    def __init__(self, *, only: Iterable[str] | None = None, **kwargs) -> None:
        """`only`: the keys this footer may show (a modal screen's own), None for all."""
        super().__init__(**kwargs)
        self.only = frozenset(only) if only is not None else None
        self._drawn: object = None  # what the keys were last composed from

    def _what_to_show(self) -> object:
        """Everything compose reads: equal values compose the same keys."""
        if not bindings_ready(self) or not self.is_attached:
            return None
        return tuple(
            (b.key, b.key_display, b.description, b.action, b.group, enabled, tip, self._offered(b.action))
            for (_, b, enabled, tip) in self.screen.active_bindings.values()
            if b.show
        )

    def _room(self) -> int:
        return self.size.width or self.app.size.width

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """Whole keys or none (R32): the keys, in their order (help and quit first), are shown
        while they fit and the rest hidden, so no key is ever cut at the edge; a wider terminal
        shows them again. (Hidden, not composed again: a resize under another screen then
        changes nothing but the keys.)"""
        room = self._room()
        for key in self.query(FooterKey):
            width = self._width(key)
            fits = width <= room
            if fits:
                room -= width + (1 if self.compact else 0)  # compact keys' margin-right
            if key.display != fits:
                key.display = fits

    def _width(self, key: FooterKey) -> int:
        """The cells `key` takes (FooterKey.render with Textual's default paddings)."""
        label = Text(key.key_display).cell_len
        text = Text(key.description).cell_len
        if self.compact:
            return label + (1 + text if text else 0)
        return label + 2 + (text + 1 if text else 0)

    async def recompose(self) -> None:
        # Textual recomposes the footer on every focus change and binding refresh; rebuilding a
        # dozen keys costs a keypress several milliseconds though they rarely differ. Compose
        # again only when what they show has changed.
        if not self.is_attached or self.screen is not self.app.screen:
            # A screen under another (the dashboard under statistics, a screen being dismissed)
            # was told its bindings changed and recomposed to keys nobody could press, then back
            # again when it came to the top: it is brought up to date when it comes back.
            return
        shown = self._what_to_show()
        if shown is not None and shown == self._drawn:
            return
        # Said before the old keys are removed (that waits), so that the calls queued behind
        # this one for the same state return above; compose records again what it really drew,
        # since the state may move meanwhile.
        self._drawn = shown
        await super().recompose()

    def _offered(self, action: str) -> bool:
        """The app's word on an errand action in the errand's present state (see BccApp.offers)."""
        app = self.app
        return not isinstance(app, OffersActions) or app.offers(action)

    def compose(self) -> ComposeResult:
        self._drawn = self._what_to_show()
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
        if self.compact:
            # Each key learns it is compact from a watcher after it is mounted, and the class
            # that watcher adds restyles the key a second time; given now, the watcher finds
            # it there and the key is styled once.
            for w in widgets:
                if isinstance(w, FooterKey):
                    w.add_class("-compact", update=False)
        yield from first
        yield from (w for w in widgets if not any(w is f for f in first))
        self.call_after_refresh(self._fit)
