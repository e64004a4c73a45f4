"""The main screen: three live panes — Ofördelade, Fördelade, Avslutade."""

from __future__ import annotations

import datetime as dt

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input

from bcc_tui.domain.roles import RECEIVER
from bcc_tui.services.errands import Panes
from bcc_tui.ui.widgets.errand_table import ASSIGNED, CLOSED, UNASSIGNED, ErrandTable
from bcc_tui.ui import render
from bcc_tui.ui.widgets.header import HeaderBar

TITLES = {UNASSIGNED: "Ofördelade", ASSIGNED: "Fördelade", CLOSED: "Avslutade"}
WIDE = 110


class DashboardScreen(Screen):
    BINDINGS = [
        Binding("tab", "app.focus_next", "Byt ruta", id="next_pane", show=False),
        Binding("shift+tab", "app.focus_previous", "Föreg. ruta", id="previous_pane", show=False),
        Binding("slash", "filter", "Filter", id="filter", show=False),
        Binding("escape", "clear_filter", "Rensa filter", id="clear_filter", show=False),
    ]

    def __init__(self, actor, **kwargs) -> None:
        super().__init__(**kwargs)
        self.actor = actor
        self.panes_shown = [UNASSIGNED, ASSIGNED, CLOSED] if actor.has(RECEIVER) else [ASSIGNED, CLOSED]

    def compose(self) -> ComposeResult:
        yield HeaderBar(self.actor, id="header")
        yield Input(placeholder="Filter: ärende, patient, personnummer, ämne, typ, handläggare — enter söker, esc rensar",
                    id="filter")
        with Vertical(id="panes"):
            for pane in self.panes_shown:
                with Vertical(classes="pane", id=f"pane-{pane}"):
                    yield ErrandTable(pane, id=f"table-{pane}")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        first = self.panes_shown[0]
        for pane in self.panes_shown:
            self.query_one(f"#pane-{pane}").border_title = TITLES[pane] if pane != ASSIGNED or self.actor.has(RECEIVER) else "Mina ärenden"
        self.query_one(f"#table-{first}").focus()

    def table(self, pane: str) -> ErrandTable | None:
        found = self.query(f"#table-{pane}")
        return found.first() if found else None

    @property
    def focused_table(self) -> ErrandTable | None:
        focused = self.focused
        if isinstance(focused, ErrandTable):
            return focused
        return None

    def current_ref(self) -> str | None:
        t = self.focused_table
        return t.current_ref if t else None

    def show(self, data: Panes, now: dt.datetime, filter_text: str | None) -> None:
        self.query_one(HeaderBar).set_roster(data.today, data.names)
        self.query_one(HeaderBar).set_notice(data.notice)
        self.query_one(HeaderBar).set_time(now)
        wide = self.size.width >= WIDE
        for pane in self.panes_shown:
            page = data.pane(pane)
            table = self.table(pane)
            table.set_wide(wide, now)
            table.show(page.rows, data.names, now, has_more=page.has_more)
            title = TITLES[pane] if pane != ASSIGNED or self.actor.has(RECEIVER) else "Mina ärenden"
            count, overdue = page.total, page.overdue
            label = f"{title} ({count})"
            if overdue:
                label += f" · {overdue} {'försenat' if overdue == 1 else 'försenade'}"
            if filter_text:
                label += f" · filter: {filter_text}"
            box = self.query_one(f"#pane-{pane}")
            box.border_title = render.plain(label)
            box.set_class(bool(overdue), "-overdue")

    def tick(self, now: dt.datetime) -> None:
        self.query_one(HeaderBar).set_time(now)
        for pane in self.panes_shown:
            self.table(pane).tick(now)

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.add_class("-visible")
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.has_class("-visible"):
            box.value = ""
            box.remove_class("-visible")
            self.query_one(f"#table-{self.panes_shown[0]}").focus()
            self.app.set_filter(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            event.stop()
            text = event.value.strip() or None
            if text is None:
                event.input.remove_class("-visible")
            self.query_one(f"#table-{self.panes_shown[0]}").focus()
            self.app.set_filter(text)

    def on_errand_table_opened(self, message: ErrandTable.Opened) -> None:
        self.app.open_errand(message.ref)

    def on_errand_table_need_more(self, message: ErrandTable.NeedMore) -> None:
        self.app.load_more(message.pane)

    def on_resize(self, event) -> None:
        self.app.rerender()
