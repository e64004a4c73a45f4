"""Lists and scrolled text that move as in less and vim: `j`/`k` down and up, `g`/`G` (and
`home`/`end`) to the first and last line. Textual's own widgets know only the arrows."""

from __future__ import annotations

from collections.abc import Callable

from textual.actions import SkipAction
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, OptionList


class LineTable(DataTable):
    # DataTable's home/end scroll sideways; in a list they go to the first and last row.
    BINDINGS = [
        Binding("j", "cursor_down", "Ned", show=False),
        Binding("k", "cursor_up", "Upp", show=False),
        Binding("home,g", "first_row", "Första", show=False),
        Binding("end,G", "last_row", "Sista", show=False),
    ]

    def action_first_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=0, animate=False)

    def action_last_row(self) -> None:
        # The last row loaded: in a paged list, the next page is asked for as with the arrows.
        if self.row_count:
            self.move_cursor(row=self.row_count - 1, animate=False)


class LineOptions(OptionList):
    BINDINGS = [
        Binding("j", "cursor_down", "Ned", show=False),
        Binding("k", "cursor_up", "Upp", show=False),
        Binding("g", "first", "Första", show=False),
        Binding("G", "last", "Sista", show=False),
    ]


class LineScroll(VerticalScroll):
    """Every key lands at once. Textual animates a scroll (a second for home and end): over SSH
    that is sixty frames for one key, and the text moves under the eye of someone reading it."""

    BINDINGS = [
        Binding("j", "scroll_down", "Ned", show=False),
        Binding("k", "scroll_up", "Upp", show=False),
        Binding("g", "scroll_home", "Början", show=False),
        Binding("G", "scroll_end", "Slutet", show=False),
    ]

    def _at_once(self, scroll: Callable[..., object]) -> None:
        if not self.allow_vertical_scroll:
            raise SkipAction()  # the key goes on to the screen's bindings
        scroll(animate=False)

    def action_scroll_home(self) -> None:
        self._at_once(self.scroll_home)

    def action_scroll_end(self) -> None:
        self._at_once(self.scroll_end)

    def action_scroll_up(self) -> None:
        self._at_once(self.scroll_up)

    def action_scroll_down(self) -> None:
        self._at_once(self.scroll_down)

    def action_page_up(self) -> None:
        self._at_once(self.scroll_page_up)

    def action_page_down(self) -> None:
        self._at_once(self.scroll_page_down)
