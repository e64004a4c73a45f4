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


_SEEN: dict[Style, Style] = {}


def _seen(style: Style | None) -> Style | None:
    """The style as the terminal shows it. A table's cells carry their row and column as meta
    (for the mouse), which the terminal never sees: with it, a row moved one line down would
    differ in every cell from the same row on the line below, and could not be scrolled."""
    if style is None or not style._meta or style._link:
        return style  # a link is seen (and rare): kept whole
    plain = _SEEN.get(style)
    if plain is None:
        if len(_SEEN) > 50_000:
            _SEEN.clear()
        plain = _SEEN[style] = style.clear_meta_and_links()
    return plain


def cells(strip: Strip) -> list[Cell]:
    """The strip's cells as the terminal shows them: a wide character takes two, the second of
    them empty."""
    out: list[Cell] = []
    for text, segment_style, control in strip:
        if control or not text:
            continue
        style = _seen(segment_style)
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
    """The cells to write: (x, y, cells) each, placed with absolute cursor moves, after `moves`
    (the terminal's own scrolling of lines that only moved, already escaped)."""

    def __init__(self, runs: list[tuple[int, int, list[Cell]]], moves: str = "") -> None:
        self.runs = runs
        self.moves = moves

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
        if self.moves:
            yield Segment(self.moves)
        for x, y, run in self.runs:
            yield Control.move_to(x, y).segment
            yield from self._strip(run)

    def render_segments(self, console: Console) -> str:
        out: list[str] = [self.moves]
        for x, y, run in self.runs:
            out.append(Control.move_to(x, y).segment.text)
            out.append(self._strip(run).render(console))
        return "".join(out)


# Lines shifted by up to this many rows are scrolled by the terminal rather than written again:
# a row arriving at the top of a pane (a new errand, an assignment) moves the rows below by one.
SHIFTS = (1, -1, 2, -2, 3, -3)
MIN_MOVED = 2  # lines: scrolling fewer costs about what writing them does
MAX_SCROLLS = 4  # regions per frame: the panes, each moving its own way
# A line that shows what another did but for this many cells still scrolls with its neighbours:
# a pane's scrollbar stays put while its rows move, and its thumb split the pane's region in two,
# the lines beside it written again (a receiver's assignment at the top of Ofördelade: 2.6 KB to
# each dashboard, where 2 KB was the goal). The cells that differ are written after the scroll.
NEAR = 2


class Shadow:
    """The screen as the terminal shows it, for narrowing the next update to what differs."""

    def __init__(self) -> None:
        self.lines: dict[int, list[Cell | None]] = {}
        self.size: tuple[int, int] | None = None
        self._whole: dict[int, bool] = {}

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
        pieces: dict[int, list[tuple[int, list[Cell]]]] = {}
        x = update.region.x
        for y, strips in enumerate(update.strips, update.region.y):
            new: list[Cell] = []
            for strip in strips:
                new += cells(strip)
            pieces[y] = [(x, new)]
        return self._apply(pieces)

    def narrow(self, update: ChopsUpdate) -> Runs | None:
        """The cells of `update` that differ from the terminal's, as runs; None: nothing to write."""
        pieces: dict[int, list[tuple[int, list[Cell]]]] = {}
        for y, x1, x2 in update.spans:
            line_chops = update.chops[y]
            for end, (x, strip) in zip(update.chop_ends[y], line_chops.items(), strict=False):
                if strip is None or x > x2 or end <= x1:
                    continue
                # What Textual would write here: from the chop's start to the span's end.
                stop = min(end, x2)
                pieces.setdefault(y, []).append((x, cells(strip.crop(0, stop - x) if stop < end else strip)))
        return self._apply(pieces)

    def _apply(self, pieces: dict[int, list[tuple[int, list[Cell]]]]) -> Runs | None:
        """What the lines become (each known line with the update's cells put in), the lines that
        only moved scrolled by the terminal, then the runs of cells that still differ."""
        targets: dict[int, list[Cell | None]] = {}
        for y, parts in pieces.items():
            target: list[Cell | None] | None = None
            for x, new in parts:
                line = self._line(y, x + len(new))
                if target is None:
                    if line[x : x + len(new)] == new:
                        continue
                    target = list(line)
                if len(target) < x + len(new):
                    target += [None] * (x + len(new) - len(target))
                target[x : x + len(new)] = new
            if target is not None and target != self.lines[y]:
                targets[y] = target
        if not targets:
            return None
        moves = self._scroll(targets)
        runs: list[tuple[int, int, list[Cell]]] = []
        for y in sorted(targets):
            line = self._line(y, len(targets[y]))
            runs += self._differing(line, targets[y], y)
            self.lines[y] = targets[y]
        return Runs(runs, moves) if runs or moves else None

    def _scroll(self, targets: dict[int, list[Cell | None]]) -> str:
        """Scroll regions of lines that the update only moves up or down (a pane whose rows
        shifted by one), as the terminal's own insert- and delete-line, and shift the copy to
        match. Every line of a region must be known whole: the terminal moves all of it. Lines
        uncovered by the scroll are blank to the copy (unknown), so they are written again; so
        is each line of the region, to what it should become, where it still differs."""
        if self.size is None or len(targets) < MIN_MOVED:
            return ""  # a clock's minute, a count: nothing to scroll, and this is every frame
        width = self.size[0]
        out: list[str] = []
        used: set[int] = set()
        # Whether a line is known whole, asked once per line: a line's answer changes only when
        # it is scrolled, and then it is in `used` and not asked again.
        self._whole = {}
        for _ in range(MAX_SCROLLS):
            best = self._best_shift(targets, width, used)
            if best is None:
                break
            top, bottom, k = best
            old = {y: self.lines[y] for y in range(top, bottom + 1)}
            # The moved lines' new place, the uncovered ones unknown (written again).
            for y in range(top, bottom + 1):
                source = y + k
                self.lines[y] = list(old[source]) if top <= source <= bottom else [None] * width
                # A line of the region the update leaves alone is still to show what it showed.
                targets.setdefault(y, list(old[y]))
            used.update(range(top, bottom + 1))
            code = f"{k}M" if k > 0 else f"{-k}L"
            out.append(f"\x1b[{top + 1};{bottom + 1}r\x1b[{top + 1};1H\x1b[{code}")
        if not out:
            return ""
        # Default colours for the lines the terminal uncovers; the region back to the whole screen.
        return "\x1b[0m" + "".join(out) + "\x1b[r"

    def _known(self, y: int, width: int) -> bool:
        whole = self._whole.get(y)
        if whole is None:
            line = self.lines.get(y)
            whole = self._whole[y] = line is not None and len(line) == width and None not in line
        return whole

    def _best_shift(
        self, targets: dict[int, list[Cell | None]], width: int, used: set[int]
    ) -> tuple[int, int, int] | None:
        """The region (top, bottom) and the shift k (lines up; negative: down) that scrolls the
        most changed lines into place, if it moves MIN_MOVED or more."""
        best: tuple[int, int, int, int] | None = None
        for k in SHIFTS:
            movable = [y for y in sorted(targets) if self._movable(y, k, targets, width, used)]
            movable = self._with_near(movable, k, targets, width, used)
            for run in _consecutive(movable):
                if len(run) < MIN_MOVED or (best is not None and len(run) <= best[0]):
                    continue
                top, bottom = (run[0], run[-1] + k) if k > 0 else (run[0] + k, run[-1])
                if all(y not in used and self._known(y, width) for y in range(top, bottom + 1)):
                    best = (len(run), top, bottom, k)
        return None if best is None else best[1:]

    def _movable(
        self,
        y: int,
        k: int,
        targets: dict[int, list[Cell | None]],
        width: int,
        used: set[int],
        near: bool = False,
    ) -> bool:
        """Whether line y is to show, whole, what line y + k shows now; `near`: but for NEAR
        cells (compared cell by cell, in Python: asked only beside a movable line)."""
        source = y + k
        if y in used or source in used or not self._known(source, width) or len(targets[y]) != width:
            return False
        if near:
            return _at_most_apart(targets[y], self.lines[source], NEAR)
        return targets[y] == self.lines[source]

    def _with_near(
        self, movable: list[int], k: int, targets: dict[int, list[Cell | None]], width: int, used: set[int]
    ) -> list[int]:
        """The movable lines, and beside them (or in a gap of one or two between them) those that
        would be but for NEAR cells. Only lines next to a movable one are compared cell by cell:
        an exact comparison is one call in C, this one a loop in Python."""
        if not movable:
            return movable
        found = set(movable)
        grown = True
        while grown:
            grown = False
            for y in sorted(found):
                for beside in (y - 1, y + 1, y - 2, y + 2):
                    if (
                        beside not in found
                        and beside in targets
                        and self._movable(beside, k, targets, width, used, near=True)
                    ):
                        found.add(beside)
                        grown = True
        return sorted(found)

    @staticmethod
    def _differing(
        line: list[Cell | None], new: list[Cell | None], y: int
    ) -> list[tuple[int, int, list[Cell]]]:
        out: list[tuple[int, int, list[Cell]]] = []
        start = last = -1
        for i, cell in enumerate(new):
            if cell is None or line[i] == cell:
                if cell is None and start >= 0:  # nothing known to write here: the run ends
                    out.append(Shadow._run(new, y, start, last + 1))
                    start = -1
                continue
            if start < 0:
                start = i
            elif i - last > GAP:
                out.append(Shadow._run(new, y, start, last + 1))
                start = i
            last = i
        if start >= 0:
            out.append(Shadow._run(new, y, start, last + 1))
        return out

    @staticmethod
    def _run(new: list[Cell | None], y: int, a: int, b: int) -> tuple[int, int, list[Cell]]:
        # Never half a wide character: its empty second cell goes with its first.
        while a > 0 and (new[a] or ("x",))[0] == "":
            a -= 1
        while b < len(new) and (new[b] or ("x",))[0] == "":
            b += 1
        return (a, y, [c for c in new[a:b] if c is not None])


def _consecutive(ys: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for y in ys:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return runs


def _at_most_apart(a: list[Cell | None], b: list[Cell | None], cells: int) -> bool:
    """Whether two lines of one length differ in no more than `cells` cells."""
    apart = 0
    for x, y in zip(a, b, strict=True):
        if x is not y and x != y:
            apart += 1
            if apart > cells:
                return False
    return True
