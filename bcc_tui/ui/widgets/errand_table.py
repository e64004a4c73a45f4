"""One pane of errands: a DataTable that updates in place and keeps its cursor on the same errand."""

from __future__ import annotations

import datetime as dt

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, ColumnKey, RowKey

from bcc_tui.domain import errand as e
from bcc_tui.services.views import ErrandSummary
from bcc_tui.ui import render
from bcc_tui.ui import textual_compat as compat
from bcc_tui.ui.widgets.lines import LineTable

UNASSIGNED, ASSIGNED, CLOSED = "unassigned", "assigned", "closed"

# (key, label, width); the wide set adds columns when the terminal has room.
# An open errand's row: the same columns in both open panes, the last naming a person.
_OPEN_ROW = [
    ("mark", "!", 2),
    ("ref", "Ärende", 11),
    ("type", "Typ", 14),
    ("age", "Ålder", 6),
    ("sla", "Tid kvar", 14),
    ("pr", "✉", 1),
]
# Ofördelade's flags have room for ✓ before them: a row marked with space (MARK).
_NARROW = {
    UNASSIGNED: [("mark", "!", 3), *_OPEN_ROW[1:], ("who", "Förslag", 12)],
    ASSIGNED: [*_OPEN_ROW, ("who", "Handläggare", 12)],
    CLOSED: [
        ("ref", "Ärende", 11),
        ("type", "Typ", 14),
        ("closed", "Avslutad", 12),
        ("sla", "Regeln", 11),
        ("how", "Sätt", 4),
        ("who", "Handläggare", 12),
    ],
}
MARK = "✓"  # a row marked for `a` to assign with the others: a sign, not a colour alone
NEAR_END = 10  # rows before the end of a page at which the next page is asked for
_WIDE_EXTRA = [("received", "Inkom", 12), ("patient", "Patient", 22)]
_SUBJECT = ("subject", "Ämne", 24)  # at least; it takes the room the other columns leave
_WHO_WIDE = 18  # from the subject level the holder column has room for "E. Ström (frånv.)"
CELL_PADDING = 2  # a DataTable cell's padding, left and right
# The reference column is as wide as the longest reference on screen (issue 31: 1177-0019811 and
# 1177-0019815 both showed as "1177-001981"), from the usual 1177-NNNNNN up to the contract's 40.
REF_WIDTH = 11
REF_MAX = 40
_LINE_JOIN = Text("\n")  # Text.__rich_console__ joins a cell's lines with this before drawing them
_NO_STYLE = Style.null()  # Padding's style ("none"), which it pads a cell with


def ref_width(refs) -> int:
    return min(REF_MAX, max([REF_WIDTH, *(len(r) for r in refs)]))


# Width levels, set by the screen from its breakpoints: 0 narrow, 1 received and patient, 2 subject.


class ErrandTable(LineTable):
    """Rows keyed by errand reference; j/k, g/G and home/end as in every list (LineTable)."""

    class Opened(Message):
        def __init__(self, ref: str) -> None:
            super().__init__()
            self.ref = ref

    class NeedMore(Message):
        """The cursor nears the end of a pane's page: the next page is asked for before it is needed."""

        def __init__(self, pane: str) -> None:
            super().__init__()
            self.pane = pane

    _in_place = False  # a row leaves a table that scrolls before and after (remove_row); DataTable
    # refreshes while it is made, before __init__ here has set anything

    def __init__(self, pane: str, **kwargs) -> None:
        # No zebra stripes: a stripe follows the row's position, so a row arriving at the top of a
        # live pane would recolour every line below it, and each dashboard on the server would
        # draw and send them all again (issue 31). Unstriped, the lines below are the same lines,
        # moved: the cells are kept (_render_cell) and the terminal scrolls them (ui/damage.py).
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self.pane = pane
        self.wide = 0
        self.room = 0  # the columns' width, from the screen; 0: not known yet
        self.rows_by_ref: dict[str, ErrandSummary] = {}
        self.order: list[str] = []
        self.names: dict[str, str] = {}
        self.has_more = False
        self.marked: set[str] = set()  # refs marked with space (Ofördelade only)
        self.ref_width = REF_WIDTH
        self._updating = False  # cursor moves while rows are put in place are not the person's
        # Cells drawn, kept across the table's changes (see _render_cell): a row's version moves
        # when its cells do, the epoch when the table is emptied.
        self._drawn: LRUCache[tuple, tuple[int, list[list[Segment]]]] = LRUCache(4096)
        self._lines: LRUCache[tuple, Strip] = LRUCache(1024)  # drawn lines, by row (_render_line)
        self._widths: tuple[int, ...] = ()  # the columns' widths while painting
        self._versions: dict[RowKey, int] = {}
        self._epoch = 0
        self._painting: Style | None = None  # this widget's style while it paints (rich_style)
        self._look: tuple[tuple, int, int] | None = None  # the lines' look while it paints
        self._justify: str | None = None  # the console's justify while it paints ("" for none)
        self._laid_out: tuple[tuple[int, int, int], list[tuple[str, str, int]]] | None = None
        self._build_columns()

    # -- columns -----------------------------------------------------------------------------
    def _columns(self) -> list[tuple[str, str, int]]:
        """The columns as the pane's width level, room and longest reference lay them out; worked
        out once for each of those (a row's cells ask for them several times)."""
        key = (self.wide, self.room, self.ref_width)
        if self._laid_out is None or self._laid_out[0] != key:
            self._laid_out = (key, self._lay_out())
        return self._laid_out[1]

    def _lay_out(self) -> list[tuple[str, str, int]]:
        cols = [(k, label, self.ref_width if k == "ref" else w) for k, label, w in _NARROW[self.pane]]
        if self.wide:
            at = 3 if self.pane == CLOSED else 4
            cols[at:at] = _WIDE_EXTRA[:1] if self.pane == CLOSED else _WIDE_EXTRA
            if self.pane == CLOSED:
                cols.append(_WIDE_EXTRA[1])
        if self.wide == 1 and self.room:
            # What the row leaves goes to the person ("frånv. Sjöberg" whole at 120 columns).
            used = sum(w + CELL_PADDING for _, _, w in cols) + CELL_PADDING
            spare = max(0, min(_WHO_WIDE, self.room - used + 12) - 12)
            cols = [(k, label, w + spare if k == "who" else w) for k, label, w in cols]
        if self.wide >= 2:
            cols = [(k, label, _WHO_WIDE if k == "who" else w) for k, label, w in cols]
            used = sum(w + CELL_PADDING for _, _, w in cols) + CELL_PADDING
            key, label, least = _SUBJECT
            cols.append((key, label, max(least, self.room - used)))
        return cols

    def _build_columns(self) -> None:
        for key, label, width in self._columns():
            # A Text label: a str one is read as markup (and loads Rich's emoji table).
            self.add_column(Text(label), width=width, key=key)

    def set_wide(self, wide: int, now: dt.datetime, room: int = 0) -> None:
        """The width level, and `room`: the columns' width in all (the subject takes what is left)."""
        if wide == self.wide and (wide == 0 or room == self.room):
            return
        self.wide, self.room = wide, room
        self.clear(columns=True)
        self._build_columns()
        rows, self.order, self.rows_by_ref = [self.rows_by_ref[r] for r in self.order], [], {}
        self.show(rows, self.names, now, self.has_more)

    # -- cells -------------------------------------------------------------------------------
    def _cells(self, s: ErrandSummary, now: dt.datetime) -> list[Text]:
        out = []
        for key, _, _ in self._columns():
            out.append(self._cell(key, s, now))
        return out

    def _cell(self, key: str, s: ErrandSummary, now: dt.datetime) -> Text:
        """One column's cell of a row: each column has its own function (`_CELLS`, below)."""
        cell = self._CELLS.get(key)
        return cell(self, s, now) if cell is not None else Text("")

    def _mark_col(self, s: ErrandSummary, now: dt.datetime) -> Text:
        return self._mark_cell(s)

    def _ref_col(self, s: ErrandSummary, now: dt.datetime) -> Text:
        return render.line_text(s.ref, "bold" if s.urgent or s.acute_pinned else "")

    def _type_col(self, s: ErrandSummary, now: dt.datetime) -> Text:
        if s.acute_pinned and s.status != CLOSED:
            # R11: why it is pinned, where the eye reads the row; the type is in the errand.
            return render.line_text(categories_in(s.acute_categories, self._width("type")), "bold red")
        return Text(e.type_short(s.type))

    def _age_col(self, s: ErrandSummary, now: dt.datetime) -> Text:
        return Text(render.age(s.received_at, now))

    def _sla_col(self, s: ErrandSummary, now: dt.datetime) -> Text:
        return render.sla_cell(s, now, self._width("sla"))

    def _pr_col(self, s: ErrandSummary, now: dt.datetime) -> Text:
        return Text("✉" if s.partial_reply_sent else "", style="cyan")

    def _who_col(self, s: ErrandSummary, now: dt.datetime) -> Text:
        width = self._width("who")
        if self.pane == UNASSIGNED:
            if s.concerned_absent is not None:
                # R4: the receiver decides here whether the errand waits for its doctor; the
                # suggestion (never someone absent) is in the assign form.
                return render.concerned(s.concerned_absent, width)
            return render.line_text(
                render.person_short(s.suggestion.username, self.names) if s.suggestion else "", "italic"
            )
        return render.holder(s, self.names, width)

    def _closed_col(self, s: ErrandSummary, now: dt.datetime) -> Text:
        return Text(render.short_moment(s.closed_at) if s.closed_at else "")

    def _how_col(self, s: ErrandSummary, now: dt.datetime) -> Text:
        return Text(
            "svar" if s.close_kind == "reply" else "utan", style="" if s.close_kind == "reply" else "dim"
        )

    def _received_col(self, s: ErrandSummary, now: dt.datetime) -> Text:
        return Text(render.short_moment(s.received_at))

    def _patient_col(self, s: ErrandSummary, now: dt.datetime) -> Text:
        return render.line_text(render.cut_words(s.patient_name, self._width("patient")))

    def _subject_col(self, s: ErrandSummary, now: dt.datetime) -> Text:
        # R32: a word is whole or absent; the whole subject is in the preview and the errand.
        return render.line_text(render.cut_words(s.subject, self._width("subject")))

    def _width(self, key: str) -> int:
        return next(w for k, _, w in self._columns() if k == key)

    # Each column's cell, by the column's key: looked up once a cell, called with the table.
    _CELLS = {
        "mark": _mark_col,
        "ref": _ref_col,
        "type": _type_col,
        "age": _age_col,
        "sla": _sla_col,
        "pr": _pr_col,
        "who": _who_col,
        "closed": _closed_col,
        "how": _how_col,
        "received": _received_col,
        "patient": _patient_col,
        "subject": _subject_col,
    }

    # -- rows --------------------------------------------------------------------------------
    @property
    def current_ref(self) -> str | None:
        if not self.order or self.cursor_row < 0 or self.cursor_row >= len(self.order):
            return None
        return self.order[self.cursor_row]

    def show(
        self, rows: list[ErrandSummary], names: dict[str, str], now: dt.datetime, has_more: bool = False
    ) -> None:
        """Show `rows` in order, touching only what changed; the cursor stays on its errand."""
        self._updating = True
        try:
            self._show(rows, names, now, has_more)
        finally:
            self._updating = False

    def _show(
        self, rows: list[ErrandSummary], names: dict[str, str], now: dt.datetime, has_more: bool
    ) -> None:
        self.names = names
        self.has_more = has_more
        new_order = [s.ref for s in rows]
        new = {s.ref: s for s in rows}
        # A mark stays only on a row still shown: `a` never assigns an errand out of sight (one
        # assigned by someone else, or hidden by a new filter).
        self.marked &= new.keys()
        keep = self.current_ref
        keep_index = self.cursor_row
        leaving = [r for r in self.order if r not in new]
        width = ref_width(new_order)
        if width != self.ref_width:
            # A longer (or no longer) reference on screen: the columns are laid out again.
            self.ref_width = width
            self.clear(columns=True)
            self._build_columns()
            self.order, self.rows_by_ref, leaving = [], {}, []
        if len(leaving) > 1 and 2 * len(leaving) > len(self.order):
            # Most rows go (a filter typed, issue 27): the table is filled again in order. Each
            # removal renumbers every row after it and moves the cursor: 60 of them cost a key
            # 20-70 ms.
            self.clear()
            for s in rows:
                self.add_row(*self._cells(s, now), key=s.ref)
        else:
            self._changed_only(rows, leaving, new_order, now)
        self.order, self.rows_by_ref = new_order, new
        if keep in new:
            if new_order.index(keep) != self.cursor_row:
                self.move_cursor(row=new_order.index(keep), animate=False, scroll=True)
        elif new_order:
            self.move_cursor(row=min(keep_index, len(new_order) - 1), animate=False)

    def _changed_only(
        self, rows: list[ErrandSummary], leaving: list[str], new_order: list[str], now: dt.datetime
    ) -> None:
        """Touch only what changed: rows that left, rows that came, cells that differ; then put
        the rows in order. A live refresh does not rebuild the table."""
        for ref in leaving:
            self.remove_row(ref)
        came = False
        for s in rows:
            old = self.rows_by_ref.get(s.ref)
            if old is None:
                self.add_row(*self._cells(s, now), key=s.ref)
                came = True
            elif old != s:
                # Only the cells whose text changed: each update makes the table draw its visible
                # rows again (issue 31: a row's other fields, its version, say, are not on screen).
                for (key, _, _), cell in zip(self._columns(), self._cells(s, now), strict=False):
                    if self.get_cell(s.ref, key) != cell:
                        self.update_cell(s.ref, key, cell)
        shown = set(new_order)
        present = [r for r in self.order if r in shown] + [r for r in new_order if r not in self.rows_by_ref]
        if present != new_order:
            position = {ref: i for i, ref in enumerate(new_order)}
            self.sort("ref", key=lambda cell: position[cell.plain])
        if leaving or came:
            # The new length now, in this frame: from DataTable's next idle, a long table's
            # scrollbar came a frame after its rows.
            self._update_dimensions(())

    # -- drawing ---------------------------------------------------------------------------
    @property
    def rich_style(self) -> Style:
        """Textual works this out from every ancestor's background each time it is asked, and
        DataTable asks for every line it draws (0.1-0.2 ms a line): asked once per paint here."""
        painting = self._painting
        return painting if painting is not None else super().rich_style

    def render_lines(self, crop: Region) -> list[Strip]:
        self._painting = None
        self._painting = self.rich_style
        self._widths = tuple(column.get_render_width(self) for column in self.ordered_columns)
        self._look = self._paint_look()
        self._justify = self.app.console_options.justify or ""  # built anew at each ask
        try:
            return super().render_lines(crop)
        finally:
            self._painting = None
            self._look = None
            self._justify = None

    def _paint_look(self) -> tuple[tuple, int, int]:
        """What every line's look depends on, and the cursor's and the pointer's rows: the same
        for all lines of one paint, read once (each is a reactive, a dozen reads a line)."""
        look = (
            self._epoch,
            self.size.width,
            self._widths,
            self.cursor_type,
            self.show_cursor,
            self._show_hover_cursor,
            self.get_pseudo_class_state(),  # what DataTable's render_lines sets before the lines
        )
        return look, self.cursor_coordinate.row, self.hover_coordinate.row

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        """DataTable's, kept by row. DataTable keys a drawn line by its position and forgets
        them all at any change, so a row that moved one line (an errand arriving above it) was
        drawn again, cell by cell: most of what an assignment cost each dashboard on a shared
        server (issue 31). Here a line is kept by its row, the row's version and its look; a
        line drawn at the row's old place still names that place for the mouse, which
        `_located` corrects from the pointer's line."""
        try:
            row_key, line_no = self._get_offsets(y)
        except LookupError:
            return super()._render_line(y, x1, x2, base_style)
        index = self._row_locations.get(row_key)
        if index is None:
            return self._header_line(y, x1, x2, base_style)
        look, cursor_row, hover_row = self._look or self._paint_look()
        key = (
            row_key,
            self._versions.get(row_key, 0),
            line_no,
            x1,
            x2,
            base_style,
            cursor_row == index,
            hover_row == index,
            look,
        )
        strip = self._lines.get(key)
        if strip is None:
            strip = super()._render_line(y, x1, x2, base_style)
            self._lines[key] = strip
        return strip

    def _header_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        """The header, kept while its labels and look stay: DataTable draws it again, label by
        label through Rich, at any change of any row (3 tables each time on a live change)."""
        hover = self.hover_coordinate
        key = (
            "header",
            y,
            self._epoch,
            tuple(str(column.label) for column in self.ordered_columns),
            x1,
            x2,
            self.size.width,
            self._widths,
            base_style,
            self.cursor_type,
            self.cursor_coordinate if self.cursor_type != "row" else None,
            hover if hover.row < 0 else None,
            self._show_hover_cursor,
            self._pseudo_class_state,
        )
        strip = self._lines.get(key)
        if strip is None:
            strip = super()._render_line(y, x1, x2, base_style)
            self._lines[key] = strip
        return strip

    def _update_dimensions(self, new_rows) -> None:
        """DataTable's, without measuring the new rows' cells: it measures every cell of every
        new row (some 1,600 at the first paint, 14 ms) for the widths of columns that fit their
        content, and every column here has its width given. Rows of one line, without labels."""
        rows = self.rows
        if any(column.auto_width for column in self.columns.values()) or any(
            row_key in rows and (rows[row_key].auto_height or rows[row_key].label is not None)
            for row_key in new_rows
        ):
            super()._update_dimensions(new_rows)
            return
        width = sum(column.get_render_width(self) for column in self.columns.values())
        header_height = self.header_height if self.show_header else 0
        size = Size(width + self._row_label_column_width, self._total_row_height + header_height)
        if self._scrolls(self.virtual_size) and self._scrolls(size):
            # Longer or shorter, the table fills its pane as before: its scrollbar changes, and
            # nothing else on the screen. The virtual size (a layout reactive) asked for a layout of
            # the whole screen at every row in or out of a long pane (issue 31).
            if size != self.virtual_size:
                self.set_reactive(ErrandTable.virtual_size, size)
                compat.scroll_update(self, size)
        else:
            self.virtual_size = size

    def _scrolls(self, virtual_size: Size) -> bool:
        """Whether a table this long scrolls in its place (the pane has room for fewer rows)."""
        height = self.container_size.height
        return height > 0 and virtual_size.height > height

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False):
        # DataTable.remove_row asks for a layout: in a table that scrolls before and after, the
        # new length is taken without one (_changed_only, _update_dimensions).
        layout = layout and not self._in_place
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def _scroll_update(self, virtual_size: Size) -> None:
        """Textual's, without the second frame. A layout that finds the table's length changed
        (a row in or out) calls this, and repaints the whole table in the same frame, scrollbar
        included; the scrollbar's own repaint, asked for here, came after it as a frame of its
        own: every pane's scrollbar drawn again, the same, at each change (issue 31)."""
        super()._scroll_update(virtual_size)
        compat.scrollbar_drawn(self)

    def _located(self, event: events.MouseEvent) -> None:
        """The row under the pointer, from its line: a kept line may name its row's old place
        (_render_line). DataTable's own handler, which reads it, runs after this one."""
        meta = event.style.meta
        if meta.get("row", -1) < 0:
            return  # the header, or no row
        row = event.y + self.scroll_offset.y - (self.header_height if self.show_header else 0)
        if row != meta["row"] and 0 <= row < self.row_count:
            event.style = event.style + Style.from_meta({**meta, "row": row})

    def _on_mouse_move(self, event: events.MouseMove) -> None:
        self._located(event)

    async def _on_click(self, event: events.Click) -> None:
        self._located(event)

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        """DataTable's, kept across changes. DataTable forgets every drawn cell whenever anything
        in the table changes, and draws each visible cell through Rich again: a row added, removed
        or moved on a live refresh cost 20-90 ms (issue 31). A cell is drawn again here only when
        its row's cells changed or its look did (zebra stripe, cursor, focus, width); one that
        only moved to another row number gets its new position (the mouse's meta) added."""
        if row_index < 0 or column_index < 0:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        if row_key is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        key = (
            row_key,
            column_key,
            self._versions.get(row_key, 0),
            self._epoch,
            base_style,
            width,
            cursor,
            hover,
            self.show_cursor,
            self._show_hover_cursor,
            self._pseudo_class_state,
        )
        drawn = self._drawn.get(key)
        if drawn is None:
            lines = self._plain_cell(
                row_key, column_key, row_index, column_index, base_style, width, cursor, hover
            )
            if lines is None:
                lines = super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
            self._drawn[key] = (row_index, lines)
            return lines
        at, lines = drawn
        if at == row_index:
            return lines
        meta = Style.from_meta({"row": row_index, "column": column_index})
        return [list(Segment.apply_style(line, post_style=meta)) for line in lines]

    def _plain_cell(
        self,
        row_key: RowKey,
        column_key: ColumnKey | None,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool,
        hover: bool,
    ) -> list[list[Segment]] | None:
        """A one-line Text cell that fits its column, drawn as DataTable draws it (console.render_lines
        of the cell padded and styled, one line, no wrapping) without going through Rich's
        renderers: the same segments, a tenth of the time (issue 31: the first paint draws some
        400 cells, a live change each row newly drawn). None for any other cell: DataTable's own
        drawing then."""
        cell = self._data.get(row_key, {}).get(column_key) if column_key is not None else None
        pad = self.cell_padding
        if type(cell) is not Text or pad <= 0 or cell.justify is not None or cell.end != "\n":
            return None
        plain = cell.plain
        room = width - 2 * pad
        row = self.rows.get(row_key)
        if row is None or row.height != 1 or "\n" in plain or "\t" in plain or cell_len(plain) > room:
            return None
        console = self.app.console
        justify = self._justify if self._justify is not None else self.app.console_options.justify or ""
        if justify not in ("", "default"):
            return None
        component_style, post_style = self._get_styles_to_render_cell(
            False,
            False,
            row_index < self.fixed_rows or column_index < self.fixed_columns,
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        # What Text's own drawing yields (Text.__rich_console__: its lines joined, then drawn),
        # padded to the column as Padding and render_lines pad it.
        # An empty cell is drawn as DataTable's empty text (no style), as DataTable puts it in.
        line = list(_LINE_JOIN.join([cell]).render(console)) if plain else [Segment("")]
        used = cell_len(plain)
        edge = Segment(" " * pad, _NO_STYLE)
        line = (
            [edge, *line, Segment(" " * (room - used), _NO_STYLE), edge]
            if used < room
            else [edge, *line, edge]
        )
        # DataTable puts the cell's place (the mouse's meta) into the base style; added last here,
        # the styles without it are the same for every cell of a look and Rich's cache keeps them.
        meta = Style.from_meta({"row": row_index, "column": column_index})
        styled = Segment.apply_style(line, base_style + component_style, post_style)
        return [list(Segment.apply_style(styled, post_style=meta))]

    def add_row(
        self, *cells: object, height: int | None = 1, key: str | None = None, label: object = None
    ) -> RowKey:
        found = super().add_row(*cells, height=height, key=key, label=label)  # type: ignore[arg-type]
        self._versions[found] = self._versions.get(found, 0) + 1
        return found

    def remove_row(self, row_key: RowKey | str) -> None:
        row_key = RowKey(row_key) if isinstance(row_key, str) else row_key
        self._versions[row_key] = self._versions.get(row_key, 0) + 1
        shorter = self.virtual_size - Size(0, self.rows[row_key].height if row_key in self.rows else 0)
        self._in_place = self._scrolls(self.virtual_size) and self._scrolls(shorter)
        try:
            super().remove_row(row_key)
        finally:
            self._in_place = False

    def clear(self, columns: bool = False) -> ErrandTable:
        self._epoch += 1
        self._versions.clear()
        self._drawn.clear()
        self._lines.clear()
        super().clear(columns)
        return self

    def update_cell(
        self,
        row_key: RowKey | str,
        column_key: ColumnKey | str,
        value: object,
        *,
        update_width: bool = False,
    ) -> None:
        """As DataTable's, repainting the cell's row only where DataTable repaints the whole table:
        every visible row's cells drawn through Rich again, most of what a live change cost a
        dashboard (issue 31). A row out of sight is not drawn at all until it comes into view."""
        if update_width:
            super().update_cell(row_key, column_key, value, update_width=True)
            found = RowKey(row_key) if isinstance(row_key, str) else row_key
            self._versions[found] = self._versions.get(found, 0) + 1
            return
        row_key = RowKey(row_key) if isinstance(row_key, str) else row_key
        column_key = ColumnKey(column_key) if isinstance(column_key, str) else column_key
        if row_key not in self._row_locations or column_key not in self._column_locations:
            raise CellDoesNotExist(f"No cell exists for row_key={row_key!r}, column_key={column_key!r}.")
        self._data[row_key][column_key] = value
        self._versions[row_key] = self._versions.get(row_key, 0) + 1
        self._update_count += 1  # DataTable's caches of rendered cells and lines
        index = self._row_locations.get(row_key)
        if index is not None:
            self.refresh_row(index)

    def tick(self, now: dt.datetime) -> None:
        """Advance ages and countdowns with the clock, without asking the database."""
        keys = [key for key, _, _ in self._columns() if key in ("age", "sla")]
        for ref in self.order:
            s = self.rows_by_ref[ref]
            for key in keys:
                cell = self._cell(key, s, now)
                # Only a changed text is repainted: an idle dashboard stays quiet over SSH.
                if self.get_cell(ref, key) != cell:
                    self.update_cell(ref, key, cell)

    def _mark_cell(self, s: ErrandSummary) -> Text:
        if s.ref in self.marked:
            return Text(MARK, style="bold").append_text(render.marks(s))
        return render.marks(s)

    def toggle_mark(self) -> bool:
        """Mark the row under the cursor, or take its mark away; True when there was a row."""
        ref = self.current_ref
        if ref is None:
            return False
        self.marked ^= {ref}
        self.update_cell(ref, "mark", self._mark_cell(self.rows_by_ref[ref]))
        return True

    def unmark(self, refs: list[str]) -> None:
        for ref in set(refs) & self.marked:
            self.marked.discard(ref)
            if ref in self.rows_by_ref:
                self.update_cell(ref, "mark", self._mark_cell(self.rows_by_ref[ref]))

    def marked_rows(self) -> list[ErrandSummary]:
        """The marked errands, in the pane's order."""
        return [self.rows_by_ref[ref] for ref in self.order if ref in self.marked]

    @property
    def current(self) -> ErrandSummary | None:
        ref = self.current_ref
        return self.rows_by_ref.get(ref) if ref else None

    # -- events ------------------------------------------------------------------------------
    def action_open(self) -> None:
        if self.current_ref:
            self.post_message(self.Opened(self.current_ref))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def watch_cursor_coordinate(self, old, new) -> None:
        super().watch_cursor_coordinate(old, new)
        if self.has_more and not self._updating and self.order and new.row >= len(self.order) - NEAR_END:
            self.post_message(self.NeedMore(self.pane))


def categories_in(categories: tuple[str, ...], width: int) -> str:
    """The acute categories in a column of `width`, whole words only: as many as fit and how many
    more ("Kramper +1"), or how many there are. Joined, "Kramper, Medvetande" was cut to
    "Kramper, Medve" in a column of 14."""
    joined = ", ".join(categories)
    if cell_len(joined) <= width:
        return joined
    for n in range(len(categories) - 1, 0, -1):
        head = f"{', '.join(categories[:n])} +{len(categories) - n}"
        if cell_len(head) <= width:
            return head
    return f"{len(categories)} akuta tecken" if len(categories) > 1 else "akuta tecken"
