"""Statistics and deviations (s, R8): per errand type, the final answer apart from the partial
reply, per caregiver, week by week, the deviation register per kind and the errands that breached
the rule — for the period's arrivals; [ and ] move a month."""

from __future__ import annotations

import datetime as dt
from contextlib import suppress

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static
from textual.widgets.data_table import RowDoesNotExist

from bcc_tui.domain import deviations as dv
from bcc_tui.domain import errand as e
from bcc_tui.domain import roles, statistics
from bcc_tui.domain.errors import BccError
from bcc_tui.domain.text import count
from bcc_tui.services import reports
from bcc_tui.ui import render
from bcc_tui.ui.typed import BccScreen
from bcc_tui.ui.widgets.footer import KeyFooter
from bcc_tui.ui.widgets.header import HeaderBar, roster
from bcc_tui.ui.widgets.lines import LineScroll


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{v:.0%}"


def _days(v: float | None) -> str:
    return "–" if v is None else f"{v:g}"


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    start = day.replace(day=1)
    nxt = (start + dt.timedelta(days=32)).replace(day=1)
    return start, nxt - dt.timedelta(days=1)


# The deviations' columns and their widths, in their order.
DEVIATION_COLUMNS = {
    "Ärende": 11,
    "Typ": 14,
    "Inkom": 12,
    "Förföll": 10,
    "Första svar": 12,
    "Vd": 3,
    "Handläggare": 12,
}


class StatsScreen(BccScreen[None]):
    BINDINGS = [
        Binding("escape", "back", "Tillbaka", id="stats_back"),
        Binding("left_square_bracket", "month(-1)", "Föreg. månad", id="stats_prev"),
        Binding("right_square_bracket", "month(1)", "Nästa månad", id="stats_next"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.start, self.end = reports.default_period(self.app.ctx.today())
        self.names: dict[str, str] = {}
        self._report: statistics.Report | None = None
        # The layout the width-bound tables were last drawn for: (wide, narrow, the deviations'
        # columns).
        self._fitted: tuple[bool, bool, tuple[str, ...]] | None = None

    def compose(self) -> ComposeResult:
        yield HeaderBar(self.app.ctx.actor, id="header")
        with LineScroll(id="stats"):
            yield Static(id="stats-title", classes="stats-title")
            yield DataTable(id="stats-types", cursor_type="row", zebra_stripes=True, show_cursor=False)
            # Narrow, the types' response times go below their counts: nine columns do not fit.
            yield DataTable(id="stats-times", cursor_type="row", zebra_stripes=True, show_cursor=False)
            yield Static(
                Text.assemble(
                    ("Slutsvar", "bold underline"),
                    ("  svar eller avslut; i tid och sena mot förfallodatum, ett delsvar räknas inte", "dim"),
                    ("\nMedian vardagar från ankomst till första delsvar och till slutsvar", "dim"),
                ),
                classes="stats-block",
            )
            yield DataTable(id="stats-final", cursor_type="row", zebra_stripes=True, show_cursor=False)
            yield Static(id="stats-reasons", classes="stats-block")
            yield Static(id="stats-weeks", classes="stats-block")
            yield Static(Text("Belastning per vårdgivare", style="bold underline"), classes="stats-block")
            yield DataTable(id="stats-load", cursor_type="row", zebra_stripes=True, show_cursor=False)
            yield Static(id="stats-kinds-title", classes="stats-block")
            yield DataTable(id="stats-kinds", cursor_type="row", zebra_stripes=True, show_cursor=False)
            yield Static(id="stats-dev-title", classes="stats-block")
            yield DataTable(id="stats-deviations", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        header = self.query_one(HeaderBar)
        header.set_time(self.app.ctx.now())
        data = self.app.last_data
        today, self.names = roster(self.app.ctx, (data.today, data.names) if data else None)
        header.set_roster(today, self.names)
        self.load()
        self.query_one("#stats").focus()

    def tick(self, now) -> None:
        self.query_one(HeaderBar).set_time(now)

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def action_month(self, step: int) -> None:
        anchor = self.start + dt.timedelta(days=15 + 31 * step) if step else self.start
        self.start, end = month_bounds(anchor)
        self.end = min(end, self.app.ctx.today()) if end >= self.app.ctx.today() else end
        if self.start > self.app.ctx.today():
            self.start, self.end = reports.default_period(self.app.ctx.today())
        self.load()

    def load(self) -> None:
        try:
            report = reports.stats(self.app.ctx, self.start, self.end)
        except BccError as err:
            self.app.notify(str(err), severity="error", markup=False)
            return
        self.query_one("#stats-title", Static).update(
            Text.assemble(
                ("Statistik ", "bold"),
                (f"för ärenden som kom in {report.start} – {report.end}", ""),
                ("  [ ] byter månad · Median/P90: vardagar till första svar", "dim"),
            )
        )
        self._report = report
        self._show(report)

    def on_resize(self) -> None:
        # A terminal narrowed under the screen (or widened) lays out again the tables whose
        # columns follow the width: they were fitted to the width the report was first shown at.
        # The deviations keep the row under the cursor; the other tables stay as they are.
        if self._report is not None and self._layout() != self._fitted:
            self._show_by_width(self._report)

    def _is_wide(self) -> bool:
        # Room for the types' full names (24 columns) beside the figures.
        return self.size.width >= 110

    def _is_narrow(self) -> bool:
        # A table gets the screen's width less 4 (the padding and the scrollbar). The types'
        # nine columns take 72 cells even with the short names (each column adds 2 of padding),
        # and the final answers and the deviation kinds 65 and 67: below 76 columns they would
        # scroll sideways and cut a heading at the edge ("I ti").
        return self.size.width < 76

    def _layout(self) -> tuple[bool, bool, tuple[str, ...]]:
        return self._is_wide(), self._is_narrow(), self._deviation_columns()

    def _deviation_columns(self) -> tuple[str, ...]:
        """The deviations' columns that fit the width whole (each takes its width and 2 of
        padding; the screen gives a table its width less 4, and less its own scrollbar when the
        list is longer than the table's height). At 80 columns the whole list took 88 cells in
        76 and cut the holder's name to its first letter. What gives way first: the arrival (the
        due date, which the register is for, follows from it), then the type, then the due date;
        the holder, the first response and its days stay."""
        rows = len(self._report.deviations) if self._report is not None else 0
        styles = self.query_one("#stats-deviations", DataTable).styles
        # Its height and its scrollbar as app.tcss and Textual set them: a longer list scrolls.
        height = styles.max_height.value if styles.max_height is not None else None
        own_scrollbar = height is not None and rows + 1 > height
        room = self.size.width - 4 - (styles.scrollbar_size_vertical if own_scrollbar else 0)
        shown = list(DEVIATION_COLUMNS)
        for gives_way in ("Inkom", "Typ", "Förföll"):
            if sum(DEVIATION_COLUMNS[c] + 2 for c in shown) <= room:
                break
            shown.remove(gives_way)
        return tuple(shown)

    def _show_by_width(self, report: statistics.Report) -> None:
        wide, narrow, deviations = self._fitted = self._layout()
        self._show_types(report, wide, narrow)
        self._show_final(report, wide, narrow)
        self._show_kinds(report, narrow)
        self._show_deviations(report, deviations)

    def _show(self, report: statistics.Report) -> None:
        self._show_by_width(report)
        self._show_reasons(report)
        self._show_weeks(report)
        self._show_load(report)

    def _show_types(self, report: statistics.Report, wide: bool, narrow: bool) -> None:
        """The table per type: arrived, answered, the rule kept, the days to a first response.
        Narrow, the last three (the rule kept and the days) are a second table below the first,
        each row again under the type's name."""
        counts = ("Inkom", 5), ("Svar", 5), ("Utan", 5), ("Delsv", 5), ("Öppna", 5)
        times = ("I tid", 5), ("Median", 6), ("P90", 4)
        t = self.query_one("#stats-types", DataTable)
        second = self.query_one("#stats-times", DataTable)
        second.display = narrow
        tables = ((t, counts), (second, times)) if narrow else ((t, counts + times),)
        second.clear(columns=True)
        for table, columns in tables:
            table.clear(columns=True)
            for label, width in (("Typ", 24 if wide else 14), *columns):
                table.add_column(label, width=width)
        for s in [*report.by_type.values(), report.total]:
            style = "bold" if s.type == "total" else ""
            name = "Totalt" if s.type == "total" else (e.type_name(s.type) if wide else e.type_short(s.type))
            figures = {
                "Inkom": s.received,
                "Svar": s.answered,
                "Utan": s.closed_without_reply,
                "Delsv": s.partial_replies,
                "Öppna": s.open,
                "I tid": _pct(s.share_met),
                "Median": _days(s.median_days),
                "P90": _days(s.p90_days),
            }
            for table, columns in tables:
                table.add_row(*(Text(str(v), style=style) for v in (name, *(figures[c] for c, _ in columns))))

    def _show_final(self, report: statistics.Report, wide: bool, narrow: bool) -> None:
        """Issue 26: the final answer apart from the partial reply, per type. Narrow, the medians'
        headings drop "Till": the line above the table says they run from arrival to each."""
        final = self.query_one("#stats-final", DataTable)
        final.clear(columns=True)
        for label, width in (
            ("Typ", 24 if wide else 14),
            ("Delsvar", 7) if narrow else ("Till delsvar", 12),
            ("Slutsvar", 8) if narrow else ("Till slutsvar", 13),
            ("P90", 4),
            ("I tid", 5),
            ("Sena", 5),
        ):
            final.add_column(label, width=width)
        for s in [*report.by_type.values(), report.total]:
            style = "bold" if s.type == "total" else ""
            name = "Totalt" if s.type == "total" else (e.type_name(s.type) if wide else e.type_short(s.type))
            late = "bold red" if s.final_late else style
            final.add_row(
                Text(name, style=style),
                Text(_days(s.median_partial_days), style=style),
                Text(_days(s.median_final_days), style=style),
                Text(_days(s.p90_final_days), style=style),
                Text(str(s.final_in_time), style=style),
                Text(str(s.final_late), style=late),
            )

    def _show_kinds(self, report: statistics.Report, narrow: bool) -> None:
        """The deviation register (R30) by kind: found, reported, dismissed. Narrow, the kinds'
        names (up to 33 cells) keep their width and the last two headings are shortened, spelled
        out in the line above the table."""
        legend = "  per slag, för periodens ärenden · rapporteras under Administration"
        if narrow:
            legend = "  per slag, för periodens ärenden · Rapp. = rapporterade, Avf. = avfärdade"
            legend += " · rapporteras under Administration"
        self.query_one("#stats-kinds-title", Static).update(
            Text.assemble(("Avvikelseregistret", "bold underline"), (legend, "dim"))
        )
        kinds = self.query_one("#stats-kinds", DataTable)
        kinds.clear(columns=True)
        columns = (("Rapp.", 5), ("Avf.", 4)) if narrow else (("Rapporterade", 12), ("Avfärdade", 9))
        for label, width in (("Avvikelse", 33), ("Funna", 5), *columns):
            kinds.add_column(label, width=width)
        for kind, (found, reported, dismissed) in report.by_kind.items():
            kinds.add_row(*render.row(dv.KINDS.get(kind, kind), str(found), str(reported), str(dismissed)))

    def _show_reasons(self, report: statistics.Report) -> None:
        """Closed without reply, by reason, and the acute signs (R11)."""
        reasons = Text()
        reasons.append("Avslutade utan svar, per orsak\n", style="bold underline")
        for why, n in report.total.without_reply_reasons.most_common():
            reasons.append(f"{n:>4}  ")
            reasons.append_text(render.safe(why, one_line=True))
            reasons.append("\n")
        if not report.total.without_reply_reasons:
            reasons.append("Inga.\n", style="dim")
        # R11: the acute advice is a partial reply, so it is named apart from the others.
        reasons.append("\nAkuta tecken\n", style="bold underline")
        reasons.append(
            f"{report.total.acute:>4}  {'ärende' if report.total.acute == 1 else 'ärenden'} med akuta tecken, "
            f"varav {report.total.acute_advice} fick det automatiska rådet till familjen\n"
        )
        self.query_one("#stats-reasons", Static).update(reasons)

    def _show_weeks(self, report: statistics.Report) -> None:
        """Errands arrived per week, as bars."""
        chart = Text()
        chart.append("Inkomna ärenden per vecka\n", style="bold underline")
        top = max((n for _, n in report.weeks), default=0) or 1
        for label, n in report.weeks:
            chart.append(f"{label:>4} ")
            chart.append("█" * round(40 * n / top), style="cyan")
            chart.append(f" {n}\n")
        self.query_one("#stats-weeks", Static).update(chart)

    def _show_load(self, report: statistics.Report) -> None:
        """Each caregiver's load (R8)."""
        load = self.query_one("#stats-load", DataTable)
        load.clear(columns=True)
        for label, width in (("Vårdgivare", 22), ("Fördelade", 9), ("Besvarade", 9), ("Öppna", 6)):
            load.add_column(label, width=width)
        names = self.names
        for c in report.load:
            load.add_row(
                *render.row(names.get(c.username, c.username), str(c.assigned), str(c.answered), str(c.open))
            )

    def _show_deviations(self, report: statistics.Report, columns: tuple[str, ...]) -> None:
        """The errands that breached the rule, to report in MedControl PRO: the columns that fit
        (`_deviation_columns`), the row under the cursor kept when the width changes them."""
        # Enter opens a deviation's errand for those who may read errands (not an administrator):
        # there the columns left out are whole.
        opens = roles.may(self.app.ctx.actor, "list") and bool(report.deviations)
        left_out = opens and len(columns) < len(DEVIATION_COLUMNS)
        self.query_one("#stats-dev-title", Static).update(
            Text.assemble(
                (
                    f"Avvikelser: {count(len(report.deviations), 'ärende', 'ärenden')} bröt mot regeln",
                    "bold underline",
                ),
                ("  (för rapport i MedControl PRO", "dim"),
                (" · enter visar hela ärendet)" if left_out else ")", "dim"),
            )
        )
        dev = self.query_one("#stats-deviations", DataTable)
        under = None
        if dev.row_count:
            with suppress(RowDoesNotExist):
                under = dev.coordinate_to_cell_key(dev.cursor_coordinate).row_key.value
        dev.clear(columns=True)
        for label in columns:
            dev.add_column(label, width=DEVIATION_COLUMNS[label])
        for d in report.deviations:
            cells = {
                "Ärende": d.ref,
                "Typ": e.type_short(d.type),
                "Inkom": render.short_moment(d.received_at),
                "Förföll": d.due_date.isoformat(),
                "Första svar": render.short_moment(d.first_response_at)
                if d.first_response_at
                else "inget än",
                "Vd": "" if d.response_days is None else str(d.response_days),
                "Handläggare": render.person_short(d.assignee, self.names),
            }
            dev.add_row(*render.row(*(cells[c] for c in columns)), key=d.ref)
        if under is not None and under in dev.rows:
            # The same errand, when the width laid the list out again (a new month has others).
            dev.move_cursor(row=dev.get_row_index(under), animate=False)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        ref = event.row_key.value
        if event.data_table.id == "stats-deviations" and ref and roles.may(self.app.ctx.actor, "list"):
            event.stop()
            self.app.open_errand(ref)
