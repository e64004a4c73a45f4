"""R23's announcements to a caregiver: "Nytt ärende till dig: REF", and a reminder; and R11's to a
receiver: a new errand with acute signs, which may be below the rows a small terminal shows.

Textual's toast mounts two widgets for each message, styles them, lays the whole screen out, and
at its end removes them and lays it out again. On a hundred open dashboards that was the dearest
part of an assignment: half of what it cost the doctor's own dashboards, and two toasts stacked
were the most any terminal received for one change (issue 31). Here the box is mounted once per
screen and only shown or hidden; announcements that come while it is up join it, newest last,
instead of stacking toasts that move each other.
"""

from __future__ import annotations

from rich.text import Text
from textual.containers import Container
from textual.timer import Timer
from textual.widgets import Static

from bcc_tui.domain.text import clean_line
from bcc_tui.ui import textual_compat as compat

SHOWN_FOR = 15.0  # seconds after the latest announcement, as Textual's toasts of them were
MOST = 3  # announcements in the box at once: the oldest give way (each errand is in Mina ärenden)
ROOM = 9  # the rack's lines, fixed: when the box shows or hides, only its own lines are drawn again


class AnnouncementRack(Container):
    """The bottom edge of a screen, above the footer. Never drawn itself (hidden, like Textual's
    own rack): only the box in it, at the right, and only while it has something to say."""

    DEFAULT_CSS = """
    AnnouncementRack {
        layer: announce;
        dock: bottom;
        width: 1fr;
        align: right bottom;
        visibility: hidden;
        margin-bottom: 1;
    }
    AnnouncementRack > Announcement {
        width: 60;
        max-width: 50%;
        height: auto;
        max-height: 100%;
        overflow: hidden;
        padding: 0 1;  /* no blank line above or below: each was 60 cells more to every terminal */
        visibility: hidden;
        background: $panel-lighten-1;
        border-left: outer $success;
    }
    AnnouncementRack > Announcement.-warning { border-left: outer $warning; }
    AnnouncementRack > Announcement.-acute { border-left: outer $error; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.styles.height = ROOM
        self.box = Announcement()

    def compose(self):
        yield self.box


class Announcement(compat.NoSecondLayout, Static):
    """What is being said, as plain text: the lines quote references, which are never markup. Its
    first showing on a screen was two frames: its new size asked for a second layout."""

    def __init__(self) -> None:
        super().__init__("")
        # (text, its kind: NEWS, REMINDER or ACUTE, the pane where an acute errand is pinned)
        self.lines: list[tuple[str, str, str]] = []
        # Acute errands that gave way in the box since it was last hidden, by their pane.
        self._unnamed: dict[str, int] = {}
        self._ends: Timer | None = None

    def add(
        self, text: str, reminder: bool = False, acute: bool = False, pinned_in: str = "Ofördelade"
    ) -> None:
        kind = ACUTE if acute else REMINDER if reminder else NEWS
        lines = [*self.lines, (clean_line(text), kind, pinned_in)]  # cleaned where shown too
        # The oldest give way to the newest, but an errand with acute signs never goes unsaid: the
        # box counts those it no longer names (six arriving at once showed three, and nothing
        # said there were more).
        while len(lines) > MOST:
            self._count_unnamed(lines[0])
            lines = lines[1:]
        self.lines = lines
        shown = self._text()
        while len(self.lines) > 1 and self._height(shown) > ROOM:
            self._count_unnamed(self.lines[0])
            self.lines = self.lines[1:]  # the newest is never the one cut
            shown = self._text()
        acute = bool(self._unnamed) or any(k == ACUTE for _, k, _ in self.lines)
        warning = not acute and any(k != NEWS for _, k, _ in self.lines)
        self.update(shown)
        self.set_class(warning, "-warning")
        self.set_class(acute, "-acute")  # red, as acute signs are everywhere else
        self.styles.visibility = "visible"
        if self._ends is not None:
            self._ends.stop()
        self._ends = self.set_timer(SHOWN_FOR, self.hide)

    def _count_unnamed(self, line: tuple[str, str, str]) -> None:
        _, kind, pinned_in = line
        if kind == ACUTE:
            self._unnamed[pinned_in] = self._unnamed.get(pinned_in, 0) + 1

    def _text(self) -> Text:
        kinds = [k for _, k, _ in self.lines] + ([ACUTE] if self._unnamed else [])
        acute = ACUTE in kinds
        shown = Text(_heading(kinds), style="bold red" if acute else "bold")
        for pinned_in, unnamed in self._unnamed.items():
            shown.append(f"\n+{unnamed} till med akuta tecken: överst i {pinned_in}", style="red")
        for line, _, _ in self.lines:
            shown.append("\n")
            shown.append(line)
        return shown

    def _height(self, shown: Text) -> int:
        """Lines the box takes: its text wrapped to its width (60, or half a narrow screen) less
        its edge and its padding at the sides."""
        width = line_room(self.screen.size.width) if self.is_mounted else 60 - 3
        return len(shown.wrap(self.app.console, max(1, width)))

    def hide(self) -> None:
        self.lines = []
        self._unnamed = {}
        self.styles.visibility = "hidden"
        if self._ends is not None:
            self._ends.stop()
            self._ends = None

    def on_click(self) -> None:
        self.hide()  # as a toast goes when clicked


NEWS, REMINDER, ACUTE = "news", "reminder", "acute"
# The advice once, in the heading: each errand's line is then one line, its reference and signs.
ACUTE_HEADING = "Akuta tecken – ring familjen och bedöm"


def _heading(kinds: list[str]) -> str:
    if ACUTE in kinds:
        return ACUTE_HEADING if all(k == ACUTE for k in kinds) else "Akuta tecken m.m. – ring familjen"
    if all(k == NEWS for k in kinds):
        return "Nytt ärende" if len(kinds) == 1 else "Nya ärenden"
    if all(k == REMINDER for k in kinds):
        return "Påminnelse" if len(kinds) == 1 else "Påminnelser"
    return "Till dig"


def line_room(screen_width: int) -> int:
    """The cells of text in one of the box's lines: its width (60, or half a narrow screen) less
    its edge and its padding at the sides."""
    return min(60, screen_width // 2) - 3


def box(screen) -> Announcement:
    """The screen's box, mounted the first time it is needed there (the dashboard's is mounted
    after its first paint, so that no announcement pays for it)."""
    racks = screen.query_children(AnnouncementRack)
    if racks:
        return racks.first().box
    rack = AnnouncementRack()
    screen.mount(rack)
    return rack.box
