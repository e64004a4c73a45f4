"""The footer: the screen's keys on one line, back, help and quit first, each key whole or not at
all (R32), so a narrow terminal leaves out other keys, never those.

One widget that draws its keys as text, where Textual's Footer mounts a widget per key: the keys
change with the errand under the cursor, and a dozen widgets mounted again each time cost a key
press several milliseconds and every screen's start about 30 ms (issue 30, the suite; issue 31, the
first paint). It looks as Textual's compact footer does, and a click on a key presses it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

from bcc_tui.ui.typed import OffersActions

# Textual's key names: esc (where a screen shows it), ?, q.
FIRST = ("escape", "question_mark", "q")


@dataclass(frozen=True)
class FooterEntry:
    """A key as the footer shows it."""

    key: str  # Textual's name, what a click presses
    display: str
    description: str
    enabled: bool

    @property
    def width(self) -> int:
        """Its cells: the key, a space and the description (Textual's compact footer key)."""
        label = Text(self.display).cell_len
        return label + (1 + Text(self.description).cell_len if self.description else 0)


class KeyFooter(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "footer-key--item",
        "footer-key--key",
        "footer-key--description",
        "footer-key--hover",
    }
    # Textual's Footer and compact FooterKey, as one widget's component classes.
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .footer-key--item {
            background: $footer-item-background;
        }
        & > .footer-key--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .footer-key--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .footer-key--hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
    }
    """

    def __init__(self, *, only: Iterable[str] | None = None, **kwargs) -> None:
        """`only`: the keys this footer may show (a modal screen's own), None for all."""
        super().__init__(**kwargs)
        self.only = frozenset(only) if only is not None else None
        self.entries: tuple[FooterEntry, ...] = ()  # in the footer's order, before fitting
        self._pointer: int | None = None  # the column under the mouse pointer

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        # A screen under another (the dashboard under statistics, a screen being dismissed) is told
        # its bindings changed too, and its errand actions would be read from the screen on top:
        # it is brought up to date when its bindings change as it comes back. A terminal that lost
        # the focus (the person went to the journal) takes the focus from the pane, and with it
        # the errand keys; Textual refreshes the bindings when it comes back, so the keys stay.
        if self.is_attached and screen is self.screen and screen is self.app.screen and self.app.app_focus:
            self.look()

    def look(self) -> None:
        """The keys again from the screen's bindings; drawn again only when they differ."""
        entries = self._entries()
        if entries != self.entries:
            self.entries = entries
            self.refresh()

    def _entries(self) -> tuple[FooterEntry, ...]:
        shown = [
            FooterEntry(b.key, self.app.get_key_display(b), b.description, enabled)
            for (_, b, enabled, _tip) in self.screen.active_bindings.values()
            if b.show and (self.only is None or b.key in self.only) and self._offered(b.action)
        ]
        first = sorted((k for k in shown if k.key in FIRST), key=lambda k: FIRST.index(k.key))
        return (*first, *(k for k in shown if k.key not in FIRST))

    def _offered(self, action: str) -> bool:
        """The app's word on an errand action in the errand's present state (see BccApp.offers)."""
        app = self.app
        return not isinstance(app, OffersActions) or app.offers(action)

    def shown(self) -> list[FooterEntry]:
        """The keys that fit the width, in their order, each with a space after it: whole keys while
        they fit, the rest left out; a wider terminal shows them again."""
        room = self.size.width
        out = []
        for entry in self.entries:
            if entry.width <= room:
                out.append(entry)
                room -= entry.width + 1
        return out

    def render(self) -> Text:
        # Partial: a transparent background is left unset, so that the item's (or the pointer's)
        # shows through as it does on Textual's footer keys. The pointer's is a faint white, only
        # readable blended over the footer (whole: partial would make it solid white).
        item, key_style, description = (
            self.get_component_rich_style(name, partial=True)
            for name in ("footer-key--item", "footer-key--key", "footer-key--description")
        )
        hover = self.get_component_rich_style("footer-key--hover")
        pointed = self._entry_at(self._pointer) if self._pointer is not None else None
        line = Text(no_wrap=True, overflow="crop", end="")
        for entry in self.shown():
            if line:
                line.append(" ")  # the space between two keys (the last has the footer's rest)
            start = len(line)
            line.append(entry.display, key_style)
            if entry.description:
                line.append(" " + entry.description, description)
            base = hover if entry is pointed else item
            line.stylize_before(base + Style(dim=True) if not entry.enabled else base, start, len(line))
        return line

    def _entry_at(self, x: int) -> FooterEntry | None:
        at = 0
        for entry in self.shown():
            if at <= x < at + entry.width:
                return entry
            at += entry.width + 1
        return None

    def on_mouse_down(self, event: events.MouseDown) -> None:
        entry = self._entry_at(event.x)
        if entry is None:
            return
        if entry.enabled:
            self.app.simulate_key(entry.key)
        else:
            self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        # The column, not the key: keys that change under a still pointer are marked where it is.
        self._point(event.x)

    def on_leave(self, _event: events.Leave) -> None:
        self._point(None)

    def _point(self, x: int | None) -> None:
        before = self._entry_at(self._pointer) if self._pointer is not None else None
        self._pointer = x
        after = self._entry_at(x) if x is not None else None
        self.styles.pointer = "pointer" if after is not None else "default"  # a hand over a key
        if after is not before:
            self.refresh()
