"""The detail view of one errand: who, what, when it is due and why, the message verbatim, the thread."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from bcc_tui.domain import errand as e
from bcc_tui.domain import personnummer
from bcc_tui.domain.business_days import local_date, short_date
from bcc_tui.domain.text import clean_line
from bcc_tui.services.patients import PatientContext
from bcc_tui.services.views import ErrandDetail, Event
from bcc_tui.ui import render
from bcc_tui.ui.typed import BccScreen
from bcc_tui.ui.widgets.footer import KeyFooter
from bcc_tui.ui.widgets.header import HeaderBar
from bcc_tui.ui.widgets.lines import LineScroll

EVENT_STYLES = {e.NOTE: "yellow", e.PARTIAL_REPLY: "cyan", e.REPLY: "green", e.CLOSE: "magenta"}


def describe(d: ErrandDetail, now: dt.datetime, names: dict[str, str]) -> list[Text]:
    """The detail view as blocks of inert Text (patient text never parsed as markup), one
    function per block, in the order they are shown."""
    return [_head(d), _who(d, now, names), _when(d, now, names), _message(d), _thread(d, names)]


def _head(d: ErrandDetail) -> Text:
    """The reference, type, unit and status; urgent; the acute banner or who handled it (R11, R25)."""
    s = d.summary
    head = Text()
    head.append(clean_line(f"{s.ref}  "), style="bold")
    head.append(s.type_name, style="bold")
    head.append(f"  ·  {e.UNITS[s.unit]}  ·  {e.STATUS_NAMES[s.status]}")
    if s.urgent:
        head.append("  BRÅDSKANDE", style="bold white on red")
    if s.acute_pinned and s.status != e.CLOSED:
        head.append("\n")
        head.append(
            f" AKUTA TECKEN: {clean_line(s.acute_text)} — {e.ACUTE_ADVICE_TO_STAFF} ",
            style="bold white on red",
        )
        head.append("  K: markera hanterat", style="dim")
    elif s.acute and s.acute_handled_at is not None:
        head.append_text(_acute_handled(d))
    elif s.acute:
        # Closed with its signs never marked handled: the closed errand had shown no sign of them
        # at all, so a review read it as an ordinary message (R11, R25).
        head.append("\n")
        head.append(
            f"Akuta tecken ({clean_line(s.acute_text)}) — aldrig markerade hanterade", style="bold red"
        )
        head.append("  K: markera hanterat", style="dim")
    return head


def _acute_handled(d: ErrandDetail) -> Text:
    """R25: the acute signs marked handled, by whom and when, with their note."""
    s = d.summary
    handled = next((ev for ev in reversed(d.events) if ev.kind == e.ACUTE_HANDLED), None)
    line = Text("\n")
    line.append(f"Akuta tecken ({clean_line(s.acute_text)}) hanterade", style="bold green")
    if handled is not None:
        line.append(f" {render.long_moment(handled.at)} av ")
        line.append_text(render.safe(handled.actor_name, one_line=True))
        if handled.text:
            line.append(": ")
            line.append_text(render.safe(handled.text, "italic", one_line=True))
    return line


def _who(d: ErrandDetail, now: dt.datetime, names: dict[str, str]) -> Text:
    """The patient, the proxy (R12: flagged for a patient of 13 or more), how they want to be
    contacted (R5) and the care team (R29)."""
    s = d.summary
    who = Text()
    who.append("Patient: ", style="dim")
    who.append_text(render.safe(s.patient_name, "bold", one_line=True))
    years = personnummer.age_on(s.personnummer, local_date(now))
    who.append(f"  {s.personnummer}  ({years} år)")
    if s.proxy_name:
        who.append("\nOmbud: ", style="dim")
        who.append_text(render.safe(s.proxy_name, one_line=True))
        who.append(" (")
        who.append_text(render.safe(s.proxy_relation, one_line=True))
        who.append(")")
    if s.proxy_for_older_child:
        who.append("\nObs: ", style="bold yellow")
        who.append(
            "ombudet skriver för en patient som är 13 år eller äldre (kontrollera behörigheten)",
            style="yellow",
        )
    if d.contact_preference or d.phone:
        who.append("\nVill kontaktas: ", style="dim")
        who.append(e.CONTACT_PREFERENCES.get(d.contact_preference or "", "–"))
        if d.phone:
            who.append("  tel ")
            who.append_text(render.safe(d.phone, "bold", one_line=True))

    if d.patient is not None:
        who.append_text(patient_context(d.patient, names))
    return who


def _when(d: ErrandDetail, now: dt.datetime, names: dict[str, str]) -> Text:
    """When it came and is due, and why (R14); who holds it; what follows from it since."""
    s = d.summary
    when = Text()
    when.append("Inkom: ", style="dim")
    when.append(render.long_moment(s.received_at))
    when.append("   Förfaller: ", style="dim")
    when.append(f"{s.due_date:%Y-%m-%d}  ")
    when.append_text(render.sla_cell(s, now))
    when.append(f"\n{d.due_explanation}", style="dim")
    when.append("\nHandläggare: ", style="dim")
    when.append(clean_line(names.get(s.assignee, s.assignee)) if s.assignee else "–")
    if s.holder_absent:
        when.append(" (avaktiverad)" if s.holder_gone else " (frånvarande idag)", style="bold yellow")
    when.append_text(_since(d, names))
    return when


def _since(d: ErrandDetail, names: dict[str, str]) -> Text:
    """The follow-up date (R19), the handover remark (R28), the last reminder (R16) and, while
    unassigned, the suggestion (R18)."""
    s = d.summary
    since = Text()
    if s.followup_on and s.status != e.CLOSED:
        since.append("\nUppföljning efter delsvar: ", style="dim")
        since.append(f"{s.followup_on:%Y-%m-%d}", style="bold red" if s.followup_overdue else "")
        if s.followup_overdue:
            since.append(" (passerad)", style="bold red")
    if s.remark and s.status != e.CLOSED:
        since.append("\nAnmärkning till nästa pass: ", style="bold cyan")
        since.append_text(render.safe(s.remark, one_line=True))
    if s.last_reminded_at:
        since.append("\nSenaste påminnelse: ", style="dim")
        since.append(render.long_moment(s.last_reminded_at), style="yellow")
    if s.status == e.UNASSIGNED and s.suggestion:
        since.append("   Förslag: ", style="dim")
        since.append(clean_line(names.get(s.suggestion.username, s.suggestion.username)), style="italic")
        since.append(clean_line(f" ({s.suggestion.reason})"), style="dim italic")
    return since


def _message(d: ErrandDetail) -> Text:
    """The subject and the message, exactly as written."""
    s = d.summary
    message = Text()
    if s.subject:
        message.append("Ämne: ", style="dim")
        message.append_text(render.safe(s.subject, "bold", one_line=True))
        message.append("\n\n")
    message.append_text(render.safe(d.message))
    return message


def _thread(d: ErrandDetail, names: dict[str, str]) -> Text:
    """Every event of the errand, oldest first, with its text."""
    thread = Text()
    thread.append("Händelser", style="bold underline")
    if not d.events:
        thread.append("\nInga ännu.", style="dim")
    for ev in d.events:
        thread.append_text(_event(ev, names))
    return thread


def _event(ev: Event, names: dict[str, str]) -> Text:
    """One event: when, what and by whom, to whom, and what it says."""
    line = Text()
    line.append(f"\n{render.long_moment(ev.at)}  ", style="dim")
    line.append(e.EVENT_NAMES.get(ev.kind, ev.kind), style=f"bold {EVENT_STYLES.get(ev.kind, '')}")
    line.append(" av ")
    line.append_text(render.safe(ev.actor_name, one_line=True))
    if ev.target:
        line.append(" → ")
        line.append(clean_line(names.get(ev.target, ev.target)), style="bold")
    line.append_text(_event_detail(ev, names))
    if ev.text:
        for part in render.safe(ev.text).split("\n"):
            line.append("\n    ")
            line.append_text(part)
    return line


def _event_detail(ev: Event, names: dict[str, str]) -> Text:
    """What an event's detail adds: where it came from, urgent on or off, the consulted doctor
    (R4), and whether the record was updated (R13)."""
    detail = Text()
    if ev.detail.get("from"):
        detail.append(clean_line(f" (från {names.get(ev.detail['from'], ev.detail['from'])})"), style="dim")
    if ev.kind == e.URGENT:
        detail.append(" på" if ev.detail.get("urgent") else " av")
    if ev.detail.get("consulted"):
        detail.append(
            clean_line(f" (avstämt med {names.get(ev.detail['consulted'], ev.detail['consulted'])})"),
            style="dim",
        )
    if ev.kind == e.CLOSE and ev.detail.get("documented") is not None:
        detail.append(
            " · dokumenterat i journalen" if ev.detail["documented"] else " · inte dokumenterat i journalen",
            style="dim",
        )
    return detail


def patient_context(p: PatientContext, names: dict[str, str]) -> Text:
    """R29: the care team with today's absences and return dates, and the patient's earlier
    errands, where the decision on this one is made (the errand view and the assign form)."""
    t = Text()
    t.append("\nVårdteam: ", style="dim")
    if not p.members:
        t.append("inget angivet (v: ange)", style="dim italic")
    for i, m in enumerate(p.members):
        if i:
            t.append(" · ")
        t.append(f"{m.role} ", style="dim")
        t.append_text(render.safe(m.name, "bold", one_line=True))
        if m.absent:
            back = f" t.o.m. {short_date(m.back_on - dt.timedelta(days=1))}" if m.back_on else ""
            t.append(f" (frånv.{back})", style="bold yellow")
    t.append(f"\nPatientens andra ärenden: {p.earlier_count}", style="dim")
    for x in p.earlier:
        t.append("\n  ")
        t.append(f"{render.short_moment(x.received_at)}  ", style="dim")
        t.append_text(render.safe(x.ref, one_line=True))
        t.append(f"  {e.type_name(x.type)}  {e.STATUS_NAMES.get(x.status, x.status)}")
        if x.answered_by:
            t.append(" · ", style="dim")
            t.append_text(render.safe(names.get(x.answered_by, x.answered_by), "dim", one_line=True))
    return t


class ErrandScreen(BccScreen[None]):
    """Opened with enter; the action keys work here on this errand; escape goes back."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Tillbaka", id="back"),
    ]

    def __init__(self, detail: ErrandDetail, now: dt.datetime, names: dict[str, str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.detail = detail
        self.now = now
        self.names = names
        self.lost: str | None = None  # why the person can no longer read it (reassigned away)

    def compose(self) -> ComposeResult:
        yield HeaderBar(self.app.ctx.actor, id="header")
        with LineScroll(id="detail"):
            yield Static(id="d-head", classes="block head")
            yield Static(id="d-who", classes="block")
            yield Static(id="d-when", classes="block")
            yield Static(id="d-message", classes="block message")
            yield Static(id="d-thread", classes="block")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.border_title = render.plain(self.detail.summary.ref)
        self.draw()
        self.query_one("#detail").focus()

    def current_ref(self) -> str:
        return self.detail.summary.ref

    def on_unmount(self) -> None:
        # However it was closed (escape pops it, which skips the callback it was pushed with),
        # the feed stops following this errand's detail at each change.
        self.app.detail_closed(self)

    def draw(self) -> None:
        blocks = describe(self.detail, self.now, self.names)
        for widget_id, block in zip(
            ("d-head", "d-who", "d-when", "d-message", "d-thread"), blocks, strict=False
        ):
            self.query_one(f"#{widget_id}", Static).update(block)
        header = self.query_one(HeaderBar)
        if self.app.last_data is not None:
            header.set_roster(self.app.last_data.today, self.names)
            header.set_notice(self.app.last_data.notice)
            header.set_waiting(self.app.last_data.handover_waiting)
        header.set_time(self.now)

    def lose(self, why: str) -> None:
        """The errand went out of this person's reach while open (R31): said at the top, and no
        action is offered on it any more."""
        if self.lost == why:
            return
        self.lost = why
        banner = Text(f" Ärendet är inte längre ditt: {clean_line(why)} ", style="bold white on red")
        head = self.query_one("#d-head", Static)
        head.update(Text("\n").join([banner, describe(self.detail, self.now, self.names)[0]]))
        self.refresh_bindings()

    def replace(self, detail: ErrandDetail, now: dt.datetime, names: dict[str, str]) -> None:
        self.detail, self.now, self.names = detail, now, names
        self.lost = None
        self.draw()
        self.refresh_bindings()  # the footer offers what the errand's new state allows

    def tick(self, now: dt.datetime) -> None:
        self.now = now
        for header in self.query(HeaderBar):  # none yet while the screen is still being composed
            header.set_time(now)
