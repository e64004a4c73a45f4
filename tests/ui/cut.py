"""Issue 29, R32: what counts as a word cut on the screen, read from the widgets as they are drawn.

Each widget on the top screen is drawn as the terminal shows it (its region, clipped by its
containers) and once more from its whole content (every cell of a table, every option of a list,
a label laid out on one very wide line). A word on screen that is not a word of the whole content
is a piece of one ("Akuta teck", "Sjöbe…", "s Stati"): cut. Wrapped prose keeps its words whole and
passes; so does a list that scrolls, whose rows are whole. A label, a tab or a footer key that
reaches past the edge of what shows it is cut too, even where the part on show happens to be a
word ("s" of "s Statistik").

A line that does not wrap and runs past its widget's edge is cut even where the edge falls between
two words. A widget whose text wraps to more lines than it has rows hides the rest ("Besvaras av mottagare:
ärendemottagare" without "svarar själva"): cut too.

A table is held to its columns instead: a cell longer than its column is cut (free text too: the
program shortens it between words, "Besvarat …", and enter shows it whole), and so is a column that
reaches past the table's edge, its heading included.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from rich.text import Text
from textual.content import Content
from textual.errors import NoWidget
from textual.geometry import Region
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.visual import Visual, visualize
from textual.widget import Widget
from textual.widgets import Checkbox, DataTable, Input, OptionList, SelectionList, TextArea

# A word, with the "…" that says where it was cut.
WORD = re.compile(r"\w+…?")
WIDE = 4000  # the width a widget's whole text is laid out in: no line of it wraps


def words(text: str) -> set[str]:
    return set(WORD.findall(text))


def _plain(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Text):
        return value.plain
    if isinstance(value, Content):
        return value.plain
    return str(value)


def _whole_text(widget: Widget) -> list[str]:
    """Everything the widget could show, unwrapped and uncut."""
    texts = [_plain(widget.border_title), _plain(widget.border_subtitle)]
    if isinstance(widget, DataTable):
        texts += [_plain(c.label) for c in widget.columns.values()]
        texts += [_plain(cell) for row in range(widget.row_count) for cell in widget.get_row_at(row)]
    elif isinstance(widget, OptionList):
        texts += [_plain(option.prompt) for option in widget.options]
        if isinstance(widget, SelectionList):
            texts.append(Checkbox.BUTTON_INNER)  # the tick in front of each option
    elif isinstance(widget, Input):
        texts += [widget.value, _plain(widget.placeholder)]
    elif isinstance(widget, TextArea):
        texts.append(widget.text)
    else:
        visual = visualize(widget, widget.render())
        strips = Visual.to_strips(widget, visual, WIDE, None, widget.visual_style)
        texts += [strip.text for strip in strips]
    return texts


def _lost(widget: Widget) -> set[str]:
    """The words of a widget's own text (not a table's or a list's) that do not reach the screen
    at its width: a line that does not wrap runs past the edge, even where it breaks between
    words ("Statistik" of "Statistik per vecka")."""
    if isinstance(widget, (ScrollView, Input)) or widget.is_container:
        return set()
    visual = visualize(widget, widget.render())
    width = widget.content_region.width
    at_width = Visual.to_strips(widget, visual, width, None, widget.visual_style)
    wide = Visual.to_strips(widget, visual, WIDE, None, widget.visual_style)
    return words("\n".join(s.text for s in wide)) - words("\n".join(s.text for s in at_width))


def _drawn(widget: Widget, region: Region, clip: Region) -> tuple[list[str], list[str]]:
    """The widget's lines as the terminal shows them, and what its containers hide left and right
    of that on the same lines."""
    visible = clip.intersection(region)
    strips = widget.render_lines(Region(0, 0, region.width, region.height))
    x0 = visible.x - region.x
    x1 = x0 + visible.width
    shown, hidden = [], []
    for y in range(visible.y - region.y, visible.y - region.y + visible.height):
        if y >= len(strips):
            break
        strip = strips[y]
        shown.append(strip.crop(x0, x1).text)
        hidden.append(strip.crop(0, x0).text + " " + strip.crop(x1, region.width).text)
    return shown, hidden


def _table_cuts(table: DataTable, gaps: Collection[str]) -> Iterable[str]:
    columns = list(table.columns.values())
    # Where each column's text starts and ends inside what the table shows.
    view = table.scrollable_content_region.width
    x = -round(table.scroll_x)
    starts = []
    for column in columns:
        starts.append(x + table.cell_padding)
        x += column.get_render_width(table)
    for column, start in zip(columns, starts, strict=True):
        label = _plain(column.label)
        length = Text(label).cell_len
        if length > column.width:
            yield f"{table.id}: column {label!r} cut in {column.width}"
        elif table.show_header and start < view and (start < 0 or start + length > view):
            yield f"{table.id}: column {label!r} reaches past the table's edge"  # "I ti" of "I tid"
    for row in range(table.row_count):
        for column, start, cell in zip(columns, starts, table.get_row_at(row), strict=False):
            label = _plain(column.label)
            text = cell if isinstance(cell, Text) else Text(str(cell))
            length = text.cell_len
            if length == 0:
                continue
            if label not in gaps and not column.auto_width and length > column.width:
                yield f"{table.id} {label!r}: {text.plain!r} in {column.width}"
            elif start < view and (start < 0 or start + min(length, column.width) > view):
                yield f"{table.id} {label!r}: {text.plain!r} reaches past the table's edge"


def cuts(screen: Screen, pane_gaps: Collection[str] = ()) -> list[str]:
    """Every word cut on the screen as it is drawn now; `pane_gaps`: the columns of the
    dashboard's panes (by label) whose cells are not held to their width."""
    found: list[str] = []
    for widget in screen.query("*"):
        try:
            geometry = screen.find_widget(widget)
        except NoWidget:
            continue  # not laid out: not on screen
        region, clip = geometry.region, geometry.clip
        if not widget.display or not clip.overlaps(region) or not region.overlaps(screen.region):
            continue
        name = f"{type(widget).__name__}#{widget.id}" if widget.id else type(widget).__name__
        if isinstance(widget, DataTable):
            gaps = pane_gaps if type(widget).__name__ == "ErrandTable" else ()
            found += list(_table_cuts(widget, gaps))
            continue
        if isinstance(widget, TextArea):
            continue  # what a person types scrolls in its box
        try:
            shown, hidden = _drawn(widget, region, clip)
        except Exception as error:  # a widget the checker cannot draw is reported, not skipped
            found.append(f"{name}: not drawn ({error!r})")
            continue
        clipped = any(WORD.search(h) for h in hidden) and any(WORD.search(s) for s in shown)
        if clipped and not isinstance(widget, ScrollView):
            found.append(f"{name}: cut at the edge, {' | '.join(s.strip() for s in shown)!r}")
            continue
        whole = words("\n".join(_whole_text(widget)))
        if not isinstance(widget, ScrollView) and not widget.is_container and whole:
            # Lines the text wraps to that the widget has no rows for are cut off below it.
            box = widget.content_region
            need = visualize(widget, widget.render()).get_height(widget.styles, box.width)
            if need > box.height:
                found.append(f"{name}: {need} lines in {box.height} rows, {' | '.join(shown)!r}")
        lost = _lost(widget)
        if lost:
            found.append(f"{name}: {sorted(lost)} run past its edge, {' | '.join(shown)!r}")
        if isinstance(widget, Input) and widget.value:
            continue  # a typed value scrolls in its box
        for line in shown:
            pieces = sorted(words(line) - whole)
            if pieces:
                found.append(f"{name}: {pieces} in {line.strip()!r}")
    return found


__all__ = ["cuts", "words"]
