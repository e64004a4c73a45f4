"""What reaches the terminal: only the cells whose text or colour changed (issue 31).

Textual repaints whatever a widget marks dirty, whole lines of it, whether or not the result
differs from what the terminal already shows: a pane's title set to the same text rewrote the
pane, 25 KB a dashboard for a write that changed nothing on screen, and the clock's minute
rewrote the header. Over SSH, with a hundred dashboards open, that is the server's CPU and every
person's line. `Shadow` keeps what the terminal shows, cell by cell, and turns each partial update
of Textual's compositor into the runs of cells that differ — nothing at all when nothing does.

Full updates (a layout: a toast, a screen pushed) are narrowed the same way, unless the screen's
size changed (the terminal may have redrawn or cleared itself) or the app was suspended: then the
copy is forgotten and the frame written whole. Everything the app draws passes through
`BccApp._display` (the one place Textual writes a frame), so the copy stays what the terminal
shows.
"""

from __future__ import annotations

from itertools import repeat

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.control import Control
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from bcc_tui.ui.textual_compat import ChopsUpdate, CompositorUpdate, LayoutUpdate

Cell = tuple[str, Style | None]
# Equal cells between two changed runs cost less to rewrite than a cursor move ("\x1b[12;34H")
# and the colour set again.
GAP = 8


def cells(strip: Strip) -> list[Cell]:
    """The strip's cells: a wide character takes two, the second of them empty."""
    out: list[Cell] = []
    for text, style, control in strip:
        if control or not text:
            continue
        if text.isascii():
            out.extend(zip(text, repeat(style)))
            continue
        for char in text:
            width = cell_len(char)
            if width == 1:
                out.append((char, style))
            elif width == 2:
                out.append((char, style))
                out.append(("", style))
            elif out:  # a combining mark: part of the character before it
                before, its = out[-1]
                out[-1] = (before + char, its)
    return out


class Runs(CompositorUpdate):
    """The cells to write: (x, y, cells) each, placed with absolute cursor moves."""

    def __init__(self, runs: list[tuple[int, int, list[Cell]]]) -> None:
        self.runs = runs

    @staticmethod
    def _strip(run: list[Cell]) -> Strip:
        segments: list[Segment] = []
        text, style = "", None
        for char, its in run:
            if its is not style and its != style and text:
                segments.append(Segment(text, style))
                text = ""
            text, style = text + char, its
        if text:
            segments.append(Segment(text, style))
        return Strip(segments)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for x, y, run in self.runs:
            yield Control.move_to(x, y).segment
            yield from self._strip(run)

    def render_segments(self, console: Console) -> str:
        out: list[str] = []
        for x, y, run in self.runs:
            out.append(Control.move_to(x, y).segment.text)
            out.append(self._strip(run).render(console))
        return "".join(out)


class Shadow:
    """The screen as the terminal shows it, for narrowing the next update to what differs."""

    def __init__(self) -> None:
        self.lines: dict[int, list[Cell | None]] = {}
        self.size: tuple[int, int] | None = None

    def reset(self) -> None:
        """Forget what the terminal shows: the next frame is written whole."""
        self.lines.clear()
        self.size = None

    def _line(self, y: int, width: int) -> list[Cell | None]:
        line = self.lines.get(y)
        if line is None or len(line) < width:
            line = (line or []) + [None] * (width - len(line or []))
            self.lines[y] = line
        return line

    def full(self, update: LayoutUpdate) -> Runs | None:
        """A whole screen (a layout: a toast, a screen pushed): what differs from the terminal's.
        A new size forgets the copy first: the terminal may have redrawn or cleared itself."""
        size = (update.region.right, update.region.bottom)
        if size != self.size:
            self.reset()
            self.size = size
        runs: list[tuple[int, int, list[Cell]]] = []
        x = update.region.x
        for y, strips in enumerate(update.strips, update.region.y):
            new: list[Cell] = []
            for strip in strips:
                new += cells(strip)
            stop = x + len(new)
            line = self._line(y, stop)
            if line[x:stop] != new:
                runs += self._differing(line, new, x, y)
                line[x:stop] = new
        return Runs(runs) if runs else None

    def narrow(self, update: ChopsUpdate) -> Runs | None:
        """The cells of `update` that differ from the terminal's, as runs; None: nothing to write."""
        runs: list[tuple[int, int, list[Cell]]] = []
        for y, x1, x2 in update.spans:
            line_chops = update.chops[y]
            for end, (x, strip) in zip(update.chop_ends[y], line_chops.items(), strict=False):
                if strip is None or x > x2 or end <= x1:
                    continue
                # What Textual would write here: from the chop's start to the span's end.
                stop = min(end, x2)
                new = cells(strip.crop(0, stop - x) if stop < end else strip)
                stop = x + len(new)
                line = self._line(y, stop)
                if line[x:stop] == new:
                    continue
                runs += self._differing(line, new, x, y)
                line[x:stop] = new
        return Runs(runs) if runs else None

    @staticmethod
    def _differing(
        line: list[Cell | None], new: list[Cell], x: int, y: int
    ) -> list[tuple[int, int, list[Cell]]]:
        out: list[tuple[int, int, list[Cell]]] = []
        start = last = -1
        for i, cell in enumerate(new):
            if line[x + i] == cell:
                continue
            if start < 0:
                start = i
            elif i - last > GAP:
                out.append(Shadow._run(new, x, y, start, last + 1))
                start = i
            last = i
        if start >= 0:
            out.append(Shadow._run(new, x, y, start, last + 1))
        return out

    @staticmethod
    def _run(new: list[Cell], x: int, y: int, a: int, b: int) -> tuple[int, int, list[Cell]]:
        # Never half a wide character: its empty second cell goes with its first.
        while a > 0 and new[a][0] == "":
            a -= 1
        while b < len(new) and new[b][0] == "":
            b += 1
        return (x + a, y, new[a:b])
