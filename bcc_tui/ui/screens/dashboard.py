"""The main screen: three live panes — Ofördelade, Fördelade, Avslutade."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from contextlib import suppress
from itertools import takewhile

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from bcc_tui.domain import errand as e
from bcc_tui.domain import roles
from bcc_tui.domain.errors import BccError, Busy
from bcc_tui.domain.roles import RECEIVER
from bcc_tui.domain.text import count
from bcc_tui.services.errands import Panes
from bcc_tui.services.views import ErrandDetail, ErrandSummary
from bcc_tui.ui import render
from bcc_tui.ui import textual_compat as compat
from bcc_tui.ui.typed import BccScreen
from bcc_tui.ui.widgets.errand_table import ASSIGNED, CLOSED, UNASSIGNED, ErrandTable
from bcc_tui.ui.widgets.footer import KeyFooter
from bcc_tui.ui.widgets.header import HeaderBar

TITLES = {UNASSIGNED: "Ofördelade", ASSIGNED: "Fördelade", CLOSED: "Avslutade"}
# The one table of widths: each step adds to what the panes show. The screen gets the class as
# Textual's breakpoint and the tables get the step's index, so CSS and columns never disagree.
BREAKPOINTS = [(0, "-narrow"), (110, "-wide"), (160, "-subject"), (200, "-preview")]
PANE_FRAME = 3  # border top and bottom plus the column header
MIN_ROWS = 4  # rows every non-empty pane keeps when the screen has room for them
COLLAPSED = 2  # a pane squeezed to its border: title and count still read
PREVIEW_WIDTH = 48  # columns, border included
PREVIEW_REST = 0.3  # seconds between two reads of the preview while the cursor runs down the rows
PREVIEW_EVENTS = 3  # the latest entries of the thread the preview shows


def width_level(width: int) -> int:
    return max(i for i, (at, _) in enumerate(BREAKPOINTS) if width >= at)


def fit_heights(needs: list[int | None], available: int) -> list[int]:
    """Share `available` rows among panes needing `needs` rows each (None: more than any screen).

    Every pane keeps its title; a non-empty pane gets MIN_ROWS before any pane gets more; then
    rows go one at a time to the smallest pane still short, so no pane keeps empty rows while
    another scrolls. Rows left when every pane fits stay below the panes.
    """
    full = [COLLAPSED if n == 0 else (PANE_FRAME + n if n is not None else None) for n in needs]
    heights = [COLLAPSED] * len(needs)
    left = available - COLLAPSED * len(needs)

    def wants(i: int, cap: int | None) -> bool:
        need = full[i]
        return (need is None or heights[i] < need) and (cap is None or heights[i] < cap)

    for cap in (PANE_FRAME + MIN_ROWS, None):
        while left > 0:
            short = [i for i in range(len(needs)) if wants(i, cap)]
            if not short:
                break
            i = min(short, key=lambda k: (heights[k], k))
            heights[i] += 1
            left -= 1
    return heights


_NOT_YET = object()


class DashboardScreen(BccScreen[None]):
    HORIZONTAL_BREAKPOINTS = BREAKPOINTS
    # The panes scroll, never the screen: for the moment the filter box takes its rows, before the
    # panes are refitted, a screen scrollbar would take two columns and push the footer away. The
    # body's full width is said outright: a fraction would shrink by the filter box's margins.
    DEFAULT_CSS = """
    DashboardScreen { overflow: hidden hidden; }
    DashboardScreen #body { width: 100%; }
    DashboardScreen #panes { overflow: hidden hidden; }
    """
    BINDINGS = [
        Binding("tab", "app.focus_next", "Byt ruta", id="next_pane", show=False),
        Binding("shift+tab", "app.focus_previous", "Föreg. ruta", id="previous_pane", show=False),
        Binding("slash", "filter", "Filter", id="filter", show=False),
        # Ofördelade: mark the row for `a` to assign with the others (ui/actions.py lists it).
        Binding("space", "mark", "Markera", id="mark", show=False),
        # In the footer while the filter box is open, the one key there that does not type a letter.
        Binding("escape", "clear_filter", "Rensa filter", id="clear_filter"),
        # Marked rows take `a` over from the row under the cursor: esc lets them all go at once.
        Binding("escape", "clear_marks", "Avmarkera", id="clear_marks"),
    ]

    def __init__(self, actor, first_fill: Callable[[], None] | None = None, **kwargs) -> None:
        """`first_fill`: called when the screen has mounted, before its first frame, to fill the
        panes, so that the first layout and the first paint already have their rows."""
        super().__init__(**kwargs)
        self.actor = actor
        self._first_fill = first_fill
        self.panes_shown = [UNASSIGNED, ASSIGNED, CLOSED] if actor.has(RECEIVER) else [ASSIGNED, CLOSED]
        self._pending_show: tuple[Panes, dt.datetime, str | None] | None = None
        # The errand the preview read last: its ref, detail, or why it could not be read.
        self._preview: tuple[str, ErrandDetail | None, str | None] | None = None
        self._preview_timer: Timer | None = None
        self._last_read = -PREVIEW_REST
        self._offered_state: object = _NOT_YET  # the errand state the footer was last drawn for
        self._resized_under = False  # the terminal was resized while another screen was on top
        self._titles: dict[str, str] = {}  # each pane's title as last read, before its marks
        self._drawn_titles: dict[str, str] = {}  # each pane's title as on screen
        self._fitted: tuple[int, tuple[int | None, ...]] | None = None  # what fit() last fitted
        self._tables: dict[str, ErrandTable] = {}
        self._refocus_for: str | None = None  # a filter entered: its rows decide the focus (show)

    def compose(self) -> ComposeResult:
        yield HeaderBar(self.actor, id="header")
        # Short enough for 60 columns; the keys go in the frame, so no hint is cut mid-sentence.
        box = Input(placeholder="Ärende, patient, personnr, ämne, typ, handläggare", id="filter")
        box.border_title = "Filter"
        box.border_subtitle = "söker medan du skriver · esc rensar"
        yield box
        with Horizontal(id="body"):
            with Vertical(id="panes"):
                for pane in self.panes_shown:
                    with compat.PaneFrame(classes="pane", id=f"pane-{pane}"):
                        yield ErrandTable(pane, id=f"table-{pane}")
            yield Static(id="preview")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#preview").styles.width = PREVIEW_WIDTH
        first = self.panes_shown[0]
        for pane in self.panes_shown:
            self.query_one(f"#pane-{pane}").border_title = self.pane_title(pane)
        # At once, not on the next turn of the loop: the footer composes its keys once, for the pane.
        self.set_focus(self.query_one(f"#table-{first}"))
        pending, self._pending_show = self._pending_show, None
        if pending is not None:
            self.show(*pending)
        elif self._first_fill is not None:
            self._first_fill()

    def table(self, pane: str) -> ErrandTable | None:
        # Found once: a query walks the screen's widgets, and a live change asks a dozen times.
        found = self._tables.get(pane)
        if found is None or not found.is_attached:
            found = next(iter(self.query(f"#table-{pane}").results(ErrandTable)), None)
            if found is not None:
                self._tables[pane] = found
        return found

    def tables(self) -> list[tuple[str, ErrandTable]]:
        """The panes' tables that are there (none while the screen composes or is torn down)."""
        return [(pane, table) for pane in self.panes_shown if (table := self.table(pane)) is not None]

    @property
    def focused_table(self) -> ErrandTable | None:
        focused = self.focused
        if isinstance(focused, ErrandTable):
            return focused
        return None

    def pane_title(self, pane: str) -> str:
        """A caregiver's assigned pane holds only their own errands, and says so."""
        return TITLES[pane] if pane != ASSIGNED or self.actor.has(RECEIVER) else "Mina ärenden"

    def current_ref(self) -> str | None:
        t = self.focused_table
        return t.current_ref if t else None

    def show(self, data: Panes, now: dt.datetime, filter_text: str | None) -> None:
        header = next(iter(self.query(HeaderBar)), None)
        if header is None:
            # The first data can arrive from its worker before the screen has composed; it is
            # shown when the screen mounts (and never raises into Textual's crash screen).
            self._pending_show = (data, now, filter_text)
            return
        header.set_roster(data.today, data.names)
        header.set_notice(data.notice)
        header.set_waiting(data.handover_waiting)
        header.set_time(now)
        # The terminal's width: the screen spans it, and has no size of its own before its first
        # layout, which the first fill comes before.
        width = self.app.size.width
        wide = width_level(width)
        # The columns' room: the screen less the preview, the pane's border and its scrollbar.
        room = width - (PREVIEW_WIDTH if wide == len(BREAKPOINTS) - 1 else 0) - 3
        for pane, table in self.tables():
            page = data.pane(pane)
            table.set_wide(wide, now, room)
            table.show(page.rows, data.names, now, has_more=page.has_more)
        if self._refocus_for is not None and filter_text == self._refocus_for:
            self._refocus_for = None
            self._focus_rows()
        self.show_counts(data, filter_text)
        self.show_preview()
        self.refresh_offers()  # the errand under the cursor may have changed state

    def _focus_rows(self) -> None:
        """A filter whose errands are all in another pane left the focus on an empty one, where
        every key said "Inget ärende valt" (a keyboard trial): the first pane with rows gets it."""
        focused = self.focused_table
        if focused is None or focused.order:
            return
        for _, table in self.tables():
            if table.order:
                table.focus()
                return

    def show_counts(self, data: Panes, filter_text: str | None) -> None:
        """The panes' titles and heights from `data`'s counts: alone when only the counts came
        (a filter being typed: Feed._count_typed), so they cost a key no redraw of the rows."""
        for pane, table in self.tables():
            page = data.pane(pane)
            table.has_more = page.has_more
            title = self.pane_title(pane)
            count, overdue = page.total, page.overdue
            # Not counted yet (a filter being typed): the rows shown and more; the count and the
            # overdue mark follow in a moment.
            label = f"{title} ({len(page.rows)}+)" if count is None else f"{title} ({count})"
            # R11: the acute errands are pinned first, so the page holds them all unless it holds
            # nothing else; a small terminal may show fewer of them than there are.
            # Pinned rows sort first (services/views.py): counted until the first that is not.
            acute = 0 if pane == CLOSED else sum(1 for _ in takewhile(lambda s: s.acute_pinned, page.rows))
            if acute:
                more = "+" if acute == len(page.rows) and page.has_more else ""
                label += f" · {acute}{more} akut{'a' if acute > 1 or more else ''}"
            if overdue:
                label += f" · {overdue} {'försenat' if overdue == 1 else 'försenade'}"
            if filter_text:
                label += f" · filter: {filter_text}"
            self._titles[pane] = label
            self.retitle(pane)
            if count is not None:
                self.query_one(f"#pane-{pane}").set_class(bool(overdue), "-overdue")
        self.fit()
        self.call_after_refresh(self.fit)

    def retitle(self, pane: str) -> None:
        """The pane's title, with how many of its rows are marked."""
        label = self._titles.get(pane, self.pane_title(pane))
        table = self.table(pane)
        if table is not None and table.marked:
            label += f" · {count(len(table.marked), 'markerat', 'markerade')}"
        # Setting a title repaints the whole pane, also to the same text: set only a new one,
        # and repaint its line only.
        if self._drawn_titles.get(pane) != label:
            self._drawn_titles[pane] = label
            compat.set_border_title(self.query_one(f"#pane-{pane}"), render.plain(label))

    def marked(self) -> list[ErrandSummary]:
        """What `a` assigns together: the marked rows of Ofördelade, when that pane has the focus
        (elsewhere `a` acts on the errand under the cursor)."""
        table = self.focused_table
        if table is None or table.pane != UNASSIGNED:
            return []
        return table.marked_rows()

    def unmark(self, refs: list[str]) -> None:
        table = self.table(UNASSIGNED)
        if table is not None:
            table.unmark(refs)
            self.retitle(UNASSIGNED)

    def action_clear_marks(self) -> None:
        table = self.table(UNASSIGNED)
        if table is not None and table.marked:
            self.unmark(list(table.marked))
            self.refresh_bindings()

    def action_mark(self) -> None:
        table = self.focused_table
        if table is None or not table.toggle_mark():
            return
        self.retitle(table.pane)
        self.refresh_bindings()  # esc: take the marks away, offered while there are some
        if table.cursor_row < len(table.order) - 1:
            table.move_cursor(row=table.cursor_row + 1, animate=False)

    def fit(self) -> None:
        """Pane heights follow their content within the room the screen has."""
        available = self.query_one("#panes").size.height
        if available <= 0:
            return
        tables = self.tables()
        needs = [None if t.has_more else len(t.order) for _, t in tables]
        fitted = (available, tuple(needs))
        if fitted == self._fitted:
            return  # as they are: a live change that moved no pane's edge costs nothing here
        self._fitted = fitted
        for (pane, _), height in zip(tables, fit_heights(needs, available), strict=True):
            box = self.query_one(f"#pane-{pane}")
            if box.styles.height is None or box.styles.height.value != height:
                box.styles.height = height

    def show_preview(self) -> None:
        if width_level(self.app.size.width) < len(BREAKPOINTS) - 1:
            return
        table = self.focused_table or self.table(self.panes_shown[0])
        s = table.current if table else None
        preview = self.query_one("#preview", Static)
        if table is None or s is None:
            preview.update(Text("Inget ärende valt.", style="dim"))
            return
        out = Text()
        out.append_text(render.safe(s.ref, "bold", one_line=True))
        out.append(f"  {e.type_name(s.type)}\n", style="dim")
        out.append("Patient: ")
        out.append_text(render.safe(s.patient_name, one_line=True))
        if s.proxy_name:
            out.append("\nOmbud: ")
            out.append_text(render.safe(s.proxy_name, one_line=True))
        out.append(f"\nInkom: {render.short_moment(s.received_at)}\n")
        out.append("Tid kvar: ")
        out.append_text(render.sla_cell(s, self.app.ctx.now()))
        out.append("\nHandläggare: ")
        out.append_text(render.holder(s, table.names))
        out.append("\n\nÄmne\n", style="bold")
        out.append_text(render.safe(s.subject))
        detail, why_not = self._preview_detail(s)
        if detail is not None:
            out.append("\n\nMeddelande\n", style="bold")
            out.append_text(render.safe(detail.message))
            if detail.events:
                out.append("\n\nSenast\n", style="bold")
                for ev in detail.events[-PREVIEW_EVENTS:]:
                    out.append(f"{render.short_moment(ev.at)} ", style="dim")
                    out.append(e.EVENT_NAMES.get(ev.kind, ev.kind), style="bold")
                    out.append(" av ")
                    out.append_text(render.safe(ev.actor_name, one_line=True))
                    if ev.text:
                        out.append(": ")
                        out.append_text(render.safe(ev.text, "italic", one_line=True))
                    out.append("\n")
        elif why_not:
            out.append("\n\n")
            out.append(why_not, style="dim")
        preview.update(out)

    def _preview_detail(self, s: ErrandSummary) -> tuple[ErrandDetail | None, str | None]:
        """The message and thread of the errand under the cursor: reading them is an access (R9),
        logged like opening it. A cursor running down the rows logs only where it rests: a read
        at most every PREVIEW_REST seconds, the last row read once the cursor stops."""
        shown = self._preview
        if shown is not None and shown[0] == s.ref:
            detail = shown[1]
            if detail is not None and detail.summary.version != s.version:
                with suppress(BccError):  # the errand changed: the same view, refreshed
                    detail = self.app.feed.reread_errand(s.ref)
                    self._preview = (s.ref, detail, None)
            return detail, shown[2]
        if self._preview_timer is not None:
            self._preview_timer.stop()
            self._preview_timer = None
        wait = self._last_read + PREVIEW_REST - time.monotonic()
        if wait > 0:
            self._preview_timer = self.set_timer(wait, self._preview_rested)
            return None, None
        self._last_read = time.monotonic()
        try:
            detail = self.app.feed.read_errand(s.ref)
        except Busy:
            self._preview = None
            return None, "Databasen är upptagen; meddelandet visas när den är ledig."
        except BccError as err:
            self._preview = (s.ref, None, err.for_ui())
            return None, err.for_ui()
        self._preview = (s.ref, detail, None)
        return detail, None

    def _preview_rested(self) -> None:
        self._preview_timer = None
        with suppress(NoMatches):
            self.show_preview()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_preview()
        self.refresh_offers()

    def on_descendant_focus(self, event) -> None:
        self.show_preview()
        self.refresh_offers()

    def refresh_offers(self) -> None:
        """The footer offers what the errand under the cursor allows in its state. Redrawn only
        when that state changes: a footer rebuilt on every cursor move costs a keypress ~50 ms."""
        # This screen's own pane, not the app's top screen: a reload while statistics or a form is
        # on top would record that screen's state, and the footer missed the next real change.
        table = self.focused_table
        current = table.current if table is not None else None
        state = current.status if current is not None else None
        if state != self._offered_state:
            self._offered_state = state
            self.refresh_bindings()

    def tick(self, now: dt.datetime) -> None:
        self.query_one(HeaderBar).set_time(now)
        for _, table in self.tables():
            table.tick(now)

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.add_class("-visible")
        box.focus()
        self.refit()

    def refit(self) -> None:
        """The filter box came or went: the panes share the rows that are left once it is laid out
        (else they would overflow the screen and push the footer out of sight)."""
        self.call_after_refresh(self.fit)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":
            return self.query_one("#filter", Input).has_class("-visible")
        if action == "clear_marks":
            table = self.table(UNASSIGNED)
            return table is not None and bool(table.marked)
        if action == "mark":
            table = self.focused_table
            return table is not None and table.pane == UNASSIGNED and roles.may(self.actor, e.ASSIGN)
        return True

    def on_input_changed(self, event: Input.Changed) -> None:
        """The panes follow the filter box at every key (issue 27; the feed reads in a worker,
        and keys typed while it reads are read together when it is done: Feed.type_filter)."""
        if event.input.id != "filter" or not event.input.has_class("-visible"):
            return  # emptied by esc, which has set the filter already
        event.stop()
        # Each key reads only the rows a pane has room for here (Feed.type_filter).
        self.app.type_filter(event.value, self.query_one("#panes").size.height - PANE_FRAME)

    def on_input_blurred(self, event: Input.Blurred) -> None:
        """Leaving the box (tab, a click, the palette) settles on what it holds, as enter does."""
        if event.input.id == "filter" and event.input.has_class("-visible") and self.is_current:
            event.stop()
            self.app.set_filter(event.value)

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.has_class("-visible"):
            box.value = ""
            box.remove_class("-visible")
            self.refit()
            self.query_one(f"#table-{self.panes_shown[0]}").focus()
            self.app.set_filter(None)
            # The footer offered "esc Rensa filter" on, where the focus was on that pane already
            # (enter had put it there): no focus change asked for the keys again.
            self.refresh_bindings()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            event.stop()
            text = event.value.strip() or None
            if text is None:
                event.input.remove_class("-visible")
                self.refit()
            self.query_one(f"#table-{self.panes_shown[0]}").focus()
            # Once the filter's rows are in, the focus goes to a pane that has some (show).
            self._refocus_for = text
            self.app.set_filter(text)

    def on_errand_table_opened(self, message: ErrandTable.Opened) -> None:
        self.app.open_errand(message.ref)

    def on_errand_table_need_more(self, message: ErrandTable.NeedMore) -> None:
        self.app.load_more(message.pane)

    def on_resize(self, event) -> None:
        if self.app.screen is not self:
            self._resized_under = True
        self.app.rerender()

    def on_screen_resume(self) -> None:
        # A terminal resized while another screen was on top (even back to the size it had): the
        # header redrew its text under it, but kept the height it was laid out with, and the panes
        # were fitted to that (a row lost).
        resized, self._resized_under = self._resized_under, False
        if resized:
            for header in self.query(HeaderBar):
                header.refresh(layout=True)
            self.call_after_refresh(self.refit)  # once the header has its new height
