"""The audit log screen (R9) for auditors and administrators: who opened or changed which
patient's errand, and when. Reading it is itself logged, with its filter."""

from __future__ import annotations

import re

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from bcc_tui.domain.audit_text import OUTCOMES, action_name, detail_text
from bcc_tui.domain.errors import BccError
from bcc_tui.domain.text import count
from bcc_tui.services import audit_log, clinic
from bcc_tui.ui import actions, render
from bcc_tui.ui.screens.details import RowDetails, audit_fields
from bcc_tui.ui.typed import BccScreen, FollowsChanges
from bcc_tui.ui.widgets.footer import KeyFooter
from bcc_tui.ui.widgets.header import HeaderBar, roster
from bcc_tui.ui.widgets.lines import LineTable

# A personnummer in any written form (the service reads its century): 141203-7416 was taken for
# a user name and showed nobody's reads.
# Anything of digits and separators is meant as one, and the service says what is wrong with it:
# "20210428 4027" was read as a user name and showed nobody's reads.
_PNR = re.compile(r"^[0-9][0-9 +-]*$")


class AuditTable(LineTable):
    # The table's own enter (RowSelected, which the screen answers with the row in full), named so
    # that the footer says what it does.
    BINDINGS = [Binding("enter", "select_cursor", actions.name("audit_row"), id="audit_row")]


class AuditScreen(BccScreen[None], FollowsChanges):
    BINDINGS = [
        Binding("slash", "filter", "Filter", id="audit_filter"),
        # In the footer where esc goes somewhere: back to the screen below, or out of the filter.
        Binding("escape", "clear", "Tillbaka", id="audit_clear"),
        # Where it leads nowhere (the auditor's first screen), the key still says how to leave.
        Binding("escape", "root_hint", show=False, id="audit_root_hint"),
    ]
    PAGE = 300
    # Rows read at most: each live change reads again what is shown, on the screen's thread. Older
    # rows than these are found by filtering (a patient, a user) or with `bcc-tui audit`.
    MOST = 3000

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.names: dict[str, str] = {}
        self._width = 0  # the screen width the columns were made for
        self._detail_width = 0  # the details' column, where it is shown
        self._action_width = 12  # "Vad": the longest action word among the rows shown
        self._keys: list[str] = []  # the columns shown, in order
        self._shown: str | None = None  # the filter the table shows
        self._rows: list[audit_log.AuditRow] = []  # the table's rows, in its order
        self._more = False  # the last read filled its page: older rows may follow
        self._filter: tuple[str | None, str | None] = (None, None)  # (personnummer, user) read

    def compose(self) -> ComposeResult:
        yield HeaderBar(self.app.ctx.actor, id="header")
        yield Input(placeholder="Personnummer (ÅÅÅÅMMDD-NNNN) eller användarnamn — enter söker", id="filter")
        yield Static(id="audit-title", classes="audit-title")
        yield AuditTable(id="audit-table", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.add_columns(self.app.size.width)
        header = self.query_one(HeaderBar)
        header.set_time(self.app.ctx.now())
        # Who is on duty today, and people's names rather than their user names.
        today, self.names = roster(self.app.ctx, None)
        header.set_roster(today, self.names)
        self._notice()
        self.load(None)
        self.query_one(DataTable).focus()

    # Which columns a narrow screen keeps, most needed first (R32: a column is whole or absent;
    # `enter` shows the row in full). The outcome before the errand: a refusal still shows.
    PRIORITY = ("at", "actor", "action", "outcome", "pnr", "ref")
    LEAST_DETAIL = 20  # details narrower than this are left to the row in full

    def add_columns(self, width: int) -> None:
        """The columns for a screen `width` wide: each whole or absent, the details taking what
        the others leave."""
        table = self.query_one(DataTable)
        fixed = {
            "at": ("Tid", 16),
            "actor": ("Vem", 14),
            # As wide as the longest word it shows (audit_text.ACTIONS are short): never cut.
            "action": ("Vad", self._action_width),
            "outcome": ("Utfall", 6),
            "ref": ("Ärende", 11),
            "pnr": ("Patient", 13),
        }
        room = width - 2  # the scroll bar
        kept = set()
        for key in self.PRIORITY:
            if fixed[key][1] + 2 <= room:  # a cell's padding, left and right
                kept.add(key)
                room -= fixed[key][1] + 2
        self._keys = [key for key in fixed if key in kept]
        for key in self._keys:
            label, column_width = fixed[key]
            table.add_column(label, key=key, width=column_width)
        if room - 2 >= self.LEAST_DETAIL:
            self._keys.append("detail")
            table.add_column("Detaljer", key="detail", width=room - 2)
        self._detail_width = room - 2
        self._width = width

    def on_resize(self, event: events.Resize) -> None:
        if self._width and event.size.width != self._width:
            at = self._cursor()  # before the clear, which puts the cursor on the top row
            self.query_one(DataTable).clear(columns=True)
            self.add_columns(event.size.width)
            self._reload(at)

    def load(self, text: str | None, audited: bool = True, rows_kept: int = 0) -> None:
        """The log with filter `text`; `audited`: a read the person asked for (not a redraw);
        `rows_kept`: as many rows as that at least (a redraw keeps the pages already read)."""
        patient = user = None
        if text:
            if _PNR.match(text):
                patient = text
            else:
                user = text.lower()  # user names are lower case: "MAGFOR" found nobody
        limit = min(self.MOST, max(self.PAGE, rows_kept))
        try:
            rows = audit_log.read(self.app.ctx, patient=patient, user=user, limit=limit, audited=audited)
        except BccError as err:
            self.app.notify(str(err), severity="error", markup=False)
            return
        # Only once read: a refused read leaves the table, its filter and its pages as they were.
        self._filter = (patient, user)
        table = self.query_one(DataTable)
        table.clear()
        wanted = max([len("Vad"), *(len(action_name(r.action)) for r in rows)])
        if wanted != self._action_width:
            self._action_width = wanted
            table.clear(columns=True)
            self.add_columns(self._width or self.app.size.width)
        self._shown = text
        self._rows = []
        self._more = len(rows) == limit < self.MOST
        self._add(rows)

    def more(self) -> None:
        """The next page of older rows, read when the cursor reaches the last row: the log held
        824 rows and the screen showed the newest 300, with no way to the rest. Part of the read
        the person asked for (not logged again); a row that a newer one pushed down a page is
        not shown twice."""
        if not self._more or len(self._rows) >= self.MOST:
            return
        patient, user = self._filter
        try:
            rows = audit_log.read(
                self.app.ctx,
                patient=patient,
                user=user,
                limit=self.PAGE,
                offset=len(self._rows),
                audited=False,
            )
        except BccError as err:
            self.app.notify(str(err), severity="error", markup=False)
            return
        self._more = len(rows) == self.PAGE and len(self._rows) + len(rows) < self.MOST
        shown = {r.id for r in self._rows}
        self._add([r for r in rows if r.id not in shown])

    def _add(self, rows: list[audit_log.AuditRow]) -> None:
        table = self.query_one(DataTable)
        self._rows += rows
        for r in rows:
            style = "bold red" if r.outcome == "refused" else ""
            try:
                at = render.local(render.parse_utc(r.at)).strftime("%Y-%m-%d %H:%M")
            except (ValueError, OverflowError):
                at = r.at
            # Every column may hold what someone typed (a ref given on the command line, say).
            cells = {
                "at": render.cell(at),
                "actor": render.cell(render.person_short(r.actor, self.names)),
                "action": render.cell(action_name(r.action)),
                "outcome": render.cell(OUTCOMES.get(r.outcome, r.outcome), style),
                "ref": render.cell(r.ref or "–"),
                "pnr": render.cell(r.personnummer or "–"),
                # Cut between words where it is longer than its column (enter shows it whole).
                "detail": render.cell(
                    render.cut_words(detail_text(r.detail, self.names, r.outcome), self._detail_width)
                ),
            }
            table.add_row(*(cells[key] for key in self._keys))
        patient, user = self._filter
        who = f"{self.names[user]} ({user})" if user in self.names else user
        what = f"patient {patient}" if patient else f"användare {who}" if user else "alla"
        n = len(self._rows)
        # "300+": older rows follow, read when the cursor reaches the last one.
        if self._more:
            shown = f"{n}+ rader (nyast först)"
        elif n >= self.MOST:
            shown = f"{n} nyaste (filtrera för äldre)"
        else:
            shown = count(n, "rad", "rader") + " (nyast först)"
        self.query_one("#audit-title", Static).update(
            render.safe(f"Granskningslogg · {what} · {shown}", "bold", one_line=True)
        )

    def _cursor(self) -> tuple[int, int | None]:
        """The cursor's row number and the id of the log's row there."""
        row = self.query_one(DataTable).cursor_row
        return row, self._rows[row].id if 0 <= row < len(self._rows) else None

    def _reload(self, at: tuple[int, int | None] | None = None) -> None:
        """Read again what is shown (a live change, a resize), the pages read kept, the cursor on
        its row (by its id: newer rows may have come above it); `at`: where it was, if the
        table was cleared before."""
        table = self.query_one(DataTable)
        row, on = at if at is not None else self._cursor()
        self.load(self._shown, audited=False, rows_kept=len(self._rows))
        found = next((i for i, r in enumerate(self._rows) if r.id == on), None)
        if table.row_count:
            table.move_cursor(row=min(row if found is None else found, table.row_count - 1), animate=False)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self._more and event.cursor_row >= event.data_table.row_count - 1:
            self.more()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear":
            return len(self.app.screen_stack) > 1 or self.query_one("#filter", Input).has_class("-visible")
        return True

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_details()

    def action_details(self) -> None:
        """The row under the cursor in full: at 80 columns its details are cut in the table."""
        table = self.query_one(DataTable)
        if not 0 <= table.cursor_row < min(table.row_count, len(self._rows)):
            return
        r = self._rows[table.cursor_row]
        fields = audit_fields(
            r,
            self.names,
            action=action_name(r.action),
            outcome=OUTCOMES.get(r.outcome, r.outcome),
            detail=detail_text(r.detail, self.names, r.outcome),
        )
        self.app.push_screen(RowDetails(f"Granskningslogg · rad {r.id}", fields))

    def action_root_hint(self) -> None:
        from bcc_tui.ui.screens.admin import ROOT_HINT

        self.app.notify(ROOT_HINT, markup=False)

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.add_class("-visible")
        box.focus()

    def action_clear(self) -> None:
        box = self.query_one("#filter", Input)
        if not box.has_class("-visible"):
            self.app.pop_screen()  # opened from the dashboard: escape goes back
            return
        box.value = ""
        box.remove_class("-visible")
        self.query_one(DataTable).focus()
        self.load(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(DataTable).focus()
        self.load(event.value.strip() or None)

    def tick(self, now) -> None:
        self.query_one(HeaderBar).set_time(now)

    def follow(self) -> None:
        """New rows appear at the top while the log is open (R31); the cursor stays on its row."""
        self._reload()
        today, self.names = roster(self.app.ctx, None)
        self.query_one(HeaderBar).set_roster(today, self.names)
        self._notice()

    def _notice(self) -> None:
        """R17: the notice in the header, as on every screen (an auditor's first screen had it
        only in a toast at start); the app says it in a toast only when it changed."""
        try:
            notice = clinic.notice_now(self.app.ctx)
        except BccError:
            return  # a busy database: the next read shows it
        self.query_one(HeaderBar).set_notice(notice)
        self.app.notice_seen(notice)
