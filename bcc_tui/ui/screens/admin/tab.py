"""What every administration tab is: a tab pane of its own that reads its rows through the
services, opens its forms and says when it changed something (`AdminTab.Changed`), so that the
screen reads every tab again (a renamed person is renamed in the roster too)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import DataTable, TabPane

from bcc_tui.domain.errors import InvalidInput
from bcc_tui.services import session
from bcc_tui.services.context import Ctx
from bcc_tui.services.people import StaffMember
from bcc_tui.ui.screens.fields import FieldsForm
from bcc_tui.ui.widgets.lines import LineTable

if TYPE_CHECKING:
    from textual import getters

    from bcc_tui.ui.app import BccApp


def yes(value: object) -> str:
    return "ja" if value else "–"


class Staff:
    """The staff list the tabs name people from, read once each time the screen reads."""

    def __init__(self, rows: list[StaffMember]) -> None:
        self.rows = rows
        self.names: dict[str, str] = {s.username: s.name for s in rows}

    def active(self, role: str | None = None) -> list[StaffMember]:
        return [s for s in self.rows if s.active and (role is None or role in s.roles.split())]

    def caregiver_options(self) -> list[tuple[str, str]]:
        return [(f"{s.name} ({s.title})", s.username) for s in self.active("caregiver")]


def in_swedish(message: str, names: Mapping[str, str]) -> str:
    """A refusal that names a file's field ("to: …"), as the form names it ("till: …"): the files'
    field names are a contract for scripts, a person in the form reads Swedish."""
    field, sep, rest = message.partition(":")
    return f"{names[field]}:{rest}" if sep and field in names else message


class AdminTab(TabPane):
    """One tab; most show a table whose rows are keyed by what `edit` and `retire` act on."""

    KEY: ClassVar[str]
    TITLE: ClassVar[str]
    # Each column's label and its share when the screen is too narrow for every cell in full.
    COLUMNS: ClassVar[Sequence[tuple[str, int]]] = ()
    # Which columns a narrow screen keeps first (indices into COLUMNS; None: left to right).
    FIT_ORDER: ClassVar[Sequence[int] | None] = None

    if TYPE_CHECKING:
        app = getters.app(BccApp)

    class Changed(Message):
        """Something was saved: the screen reads every tab again, the dashboard too."""

    def __init__(self) -> None:
        super().__init__(self.TITLE, id=f"tab-{self.KEY}")
        self.staff = Staff([])
        self.rows: list[tuple[str, Sequence[Text]]] = []

    def compose(self) -> ComposeResult:
        # A LineTable: j/k/g/G move here as in every other list of the program.
        yield LineTable(id=f"t-{self.KEY}", cursor_type="row", zebra_stripes=True)

    @property
    def ctx(self) -> Ctx:
        return self.app.ctx

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one(f"#t-{self.KEY}", DataTable)

    # -- what each tab does ------------------------------------------------------------------
    def fill(self, staff: Staff) -> None:
        """Read this tab's rows and draw them."""
        self.staff = staff

    def edit(self, key: str | None) -> None:
        """Open the form for the row `key` (None: a new one)."""

    def new(self) -> None:
        self.edit(None)

    def retire(self, key: str | None) -> bool:
        """Retire, deactivate or remove the row `key`; whether anything changed. A refusal is
        raised as BccError: on a tab with nothing to remove, d had done nothing and said nothing."""
        raise InvalidInput(f"{self.TITLE}: här tas inget bort")

    # -- shared ------------------------------------------------------------------------------
    def current_key(self) -> str | None:
        tables = self.query(f"#t-{self.KEY}")
        if not tables:
            return None
        table = self.table
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def draw(self, rows: Iterable[tuple[str, Sequence[Text]]]) -> None:
        """Replace the table's rows, the cursor kept on the same row number."""
        self.rows = list(rows)
        self.redraw()

    def widths(self, room: int) -> list[int]:
        """Every column as wide as its widest cell, whole or not at all (R32: nothing is cut in a
        word): the first column (what names the row), then in FIT_ORDER (left to right by default)
        each that still fits; one left out is 0, and its value is in the row's form (e)."""
        need = [
            max([Text(label).cell_len, *(cells[i].cell_len for _, cells in self.rows)])
            for i, (label, _) in enumerate(self.COLUMNS)
        ]
        room -= 2  # the scroll bar
        given = [0] * len(need)
        for i in self.FIT_ORDER or range(len(need)):
            if i == 0 or need[i] + 2 <= room:  # a cell's padding, left and right
                given[i] = need[i]
                room -= need[i] + 2
        return given

    def redraw(self) -> None:
        table = self.table
        keep = table.cursor_row
        table.clear(columns=True)
        widths = self.widths(self.app.size.width)
        shown = [i for i, width in enumerate(widths) if width]
        for i in shown:
            table.add_column(self.COLUMNS[i][0], width=widths[i])
        for key, cells in self.rows:
            table.add_row(*(cells[i] for i in shown), key=key)
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1), animate=False)

    @work(thread=True, exclusive=True, group="admin-carry")
    def carry(self, ctx: Ctx, change: Callable[[Ctx], int], said: Callable[[int], str]) -> None:
        """Finish a change that reaches every open errand (services/batches: a type's days, the
        acute rules) in a thread, on a connection of its own so that the screen's stays free for
        the person meanwhile; `said(n)` is the toast when it is done."""
        store = session.open_store(ctx.store.path)
        try:
            done = change(Ctx(store, ctx.actor, ctx.clock))
        finally:
            store.close()
        self.app.call_from_thread(self.app.notify, said(done), markup=False)

    def open_form(self, form: FieldsForm) -> None:
        def done(message: str | None) -> None:
            if message:
                self.app.notify(message, markup=False)
                self.post_message(self.Changed())

        self.app.push_screen(form, done)
