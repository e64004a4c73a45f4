"""The shift handover (h): what the incoming receiver must know, walked by keyboard; enter opens
an errand in place and escape comes back to the same spot."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from bcc_tui.domain import errand as e
from bcc_tui.domain.business_days import STOCKHOLM, short_date
from bcc_tui.domain.errors import BccError
from bcc_tui.services import reports
from bcc_tui.ui import render
from bcc_tui.ui.screens.forms import NoteForm
from bcc_tui.ui.widgets.header import HeaderBar


class HandoverScreen(Screen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Tillbaka", id="handover_back"),
        Binding("w", "write_note", "Anteckning till nästa pass", id="handover_note"),
    ]

    def compose(self) -> ComposeResult:
        yield HeaderBar(self.app.ctx.actor, id="header")
        yield Static(id="handover-summary", classes="handover-summary")
        yield OptionList(id="handover-list")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.load()
        self.query_one(OptionList).focus()

    def tick(self, now) -> None:
        self.query_one(HeaderBar).set_time(now)

    def load(self) -> None:
        try:
            h = reports.handover(self.app.ctx)
        except BccError as err:
            self.app.notify(str(err), severity="error")
            self.app.pop_screen()
            return
        header = self.query_one(HeaderBar)
        header.set_roster(h.today, h.names)
        header.set_time(self.app.ctx.now())
        summary = Text()
        summary.append("Överlämning", style="bold underline")
        summary.append("  " + " · ".join(f"{title.split(',')[0]}: {h.count(key)}" for key, title, _ in h.sections))
        if h.note:
            at = render.local(render.parse_utc(h.note["at"]))
            summary.append("\nFrån förra passet: ", style="bold yellow")
            summary.append_text(render.safe(h.note["text"], one_line=True))
            summary.append(f" — {h.note['name'] or h.note['author']}, {short_date(at.date())} {at:%H:%M}", style="dim")
        self.query_one("#handover-summary", Static).update(summary)
        ol = self.query_one(OptionList)
        keep = ol.highlighted
        ol.clear_options()
        options: list[Option] = []
        for key, title, items in h.sections:
            options.append(Option(Text(f"{title} ({h.count(key)})", style="bold reverse"), disabled=True))
            if key == "unanswered":
                for who, mine in sorted(h.per_caregiver.items(), key=lambda kv: h.names.get(kv[0], kv[0])):
                    total = h.per_caregiver_total.get(who, len(mine))
                    options.append(Option(Text(f"  {h.names.get(who, who)} ({total})", style="bold"), disabled=True))
                    options += [Option(self._row(s, h.names), id=f"{key}:{s.ref}") for s in mine]
                    if total > len(mine):
                        options.append(self._more(total - len(mine)))
            else:
                options += [Option(self._row(s, h.names), id=f"{key}:{s.ref}") for s in items]
                if h.more(key) > 0:
                    options.append(self._more(h.more(key)))
            if not items:
                options.append(Option(Text("    Inga.", style="dim"), disabled=True))
        ol.add_options(options)
        if keep is not None and keep < len(options):
            ol.highlighted = keep
        else:
            ol.action_first()

    @staticmethod
    def _more(n: int) -> Option:
        return Option(Text(f"    … och {n} till (de mest brådskande visas; filtrera i panelerna)", style="dim"),
                      disabled=True)

    def _row(self, s, names) -> Text:
        t = Text("    ")
        t.append_text(render.marks(s))
        t.append(f" {s.ref}  ", style="bold")
        t.append(f"{e.type_short(s.type):<15}")
        sla = render.sla_cell(s, self.app.ctx.now())
        sla.pad_right(max(0, 15 - sla.cell_len))
        t.append_text(sla)
        received = s.received_at.astimezone(STOCKHOLM)
        t.append(f" {short_date(received.date()):<12}", style="dim")
        if s.assignee:
            t.append(f" {render.person_short(s.assignee, names)}")
        return t

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.app.open_errand(event.option.id.split(":", 1)[1])

    def on_screen_resume(self) -> None:
        self.load()

    def action_write_note(self) -> None:
        def done(result) -> None:
            if result is not None:
                try:
                    reports.add_note(self.app.ctx, result.text)
                except BccError as err:
                    self.app.notify(str(err), severity="error")
                    return
                self.app.notify("Anteckningen sparad till nästa pass")
                self.load()

        self.app.push_screen(NoteForm("överlämning", subtitle_text="Till nästa ärendemottagare: vad behöver hen veta?"),
                             done)

