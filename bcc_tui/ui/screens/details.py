"""One row of a list in full (`enter` on an audit row): every column as label and value, wrapped
rather than cut, for the rows whose cells a table must cut to its width."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, Static

from bcc_tui.domain.audit_text import role_name
from bcc_tui.services.audit_log import AuditRow
from bcc_tui.ui import render
from bcc_tui.ui.render import safe
from bcc_tui.ui.typed import BccModal
from bcc_tui.ui.widgets.lines import LineScroll


class RowDetails(BccModal[None]):
    BINDINGS = [
        Binding("escape", "close", "Tillbaka", id="details_back"),
        Binding("enter", "close", show=False),
    ]

    def __init__(self, title: str, fields: list[tuple[str, str]]) -> None:
        """`fields`: (label, value); every value is untrusted text (the log quotes what people
        typed), shown as inert Text without control characters, never as markup."""
        super().__init__()
        self.title_text = title
        self.fields = fields

    def compose(self) -> ComposeResult:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        for label, value in self.fields:
            grid.add_row(safe(label, one_line=True), safe(value) if value else Text("–", style="dim"))
        with Vertical(classes="form"):
            yield Label(safe(self.title_text, "bold", one_line=True), classes="form-title")
            with LineScroll(classes="row-details"):
                yield Static(grid, id="row-details")
            yield Static(Text("esc eller enter: tillbaka · j / k: rulla", style="dim"), classes="form-hint")

    def on_mount(self) -> None:
        self.query_one(LineScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)


def audit_fields(
    r: AuditRow, names: dict[str, str], *, action: str, outcome: str, detail: str
) -> list[tuple[str, str]]:
    """An audit row's every column, under the audit table's labels: the words a person reads
    (`action`, `outcome`, `detail`, as the table shows them) and, where they differ, the codes and
    the text the log keeps, which `bcc-tui audit --csv` and scripts see."""
    try:
        at = f"{render.local(render.parse_utc(r.at)):%Y-%m-%d %H:%M:%S}"
    except (ValueError, OverflowError):
        at = r.at
    name = names.get(r.actor)
    fields = [
        ("Tid", at),
        ("Vem", f"{name} ({r.actor})" if name and name != r.actor else r.actor),
        ("Roll", role_name(r.role)),
        ("Vad", action if action == r.action else f"{action} ({r.action})"),
        ("Utfall", outcome),
        ("Ärende", r.ref or ""),
        ("Patient", r.personnummer or ""),
        ("Detaljer", detail),
    ]
    if r.detail != detail:
        fields.append(("Som loggat", r.detail))
    fields.append(("Rad", str(r.id)))
    return fields
