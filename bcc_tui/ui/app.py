"""The dashboard application (PRODUCT.md §6, keys §4.5).

Data is fetched in a thread worker on a connection of its own and rendered on the UI thread
(Dolphie's split). Every action goes through the same services as the command line. Changes by
other processes are noticed by polling PRAGMA data_version; nothing refreshes while a form is
open, and an automatic refresh is never an audited read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import ModalScreen, Screen

from bcc_tui.domain import errand as e
from bcc_tui.domain.errors import BccError, Busy
from bcc_tui.domain.roles import ADMIN, AUDITOR, CAREGIVER, RECEIVER
from bcc_tui.services import clinic, errands, people
from bcc_tui.services.context import Ctx
from bcc_tui.services.errands import Panes
from bcc_tui.services.views import ErrandDetail, ErrandSummary
from bcc_tui.store.db import Store
from bcc_tui.ui import render
from bcc_tui.ui.screens.dashboard import DashboardScreen
from bcc_tui.ui.screens.errand import ErrandScreen
from bcc_tui.ui.widgets.header import HeaderBar

if TYPE_CHECKING:
    from bcc_tui.services.notify import MailConfig

# Screens and forms that the first paint does not need are imported when first used: the
# dashboard's start-up is measured against a bare Textual app (docs/performance.md).
_LAZY = {
    "AssignForm": "forms", "CloseForm": "forms", "NoteForm": "forms", "PartialReplyForm": "forms",
    "ReplyForm": "forms", "AdminScreen": "admin", "AuditScreen": "audit", "HandoverScreen": "handover",
    "HelpScreen": "help", "StatsScreen": "stats",
}


def screen_class(name: str) -> type:
    from importlib import import_module

    return getattr(import_module(f"bcc_tui.ui.screens.{_LAZY[name]}"), name)


def _showing(screen, name: str) -> bool:
    return type(screen).__name__ == name

PAGE = errands.PAGE  # rows each pane asks for at first, and more each time the cursor nears the end
ERRAND_ACTIONS = {"assign", "reply", "partial_reply", "close_errand", "note", "urgent", "remind"}
DELIVERY_INTERVAL = 3.0


class BccApp(App):
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "bcc-tui"
    BINDINGS = [
        Binding("a", "assign", "Fördela", id="assign"),
        Binding("r", "reply", "Svara", id="reply"),
        Binding("p", "partial_reply", "Delsvar", id="partial_reply"),
        Binding("x", "close_errand", "Utan svar", id="close"),
        Binding("n", "note", "Notera", id="note"),
        Binding("u", "urgent", "Brådsk.", id="urgent"),
        Binding("question_mark", "help", "Hjälp", id="help"),
        Binding("q", "quit", "Avsluta", id="quit"),
        # Shown where the footer has room (120 columns); at 80 they are in the help and palette.
        Binding("m", "remind", "Påminn", id="remind"),
        Binding("h", "handover", "Överlämning", id="handover"),
        Binding("s", "stats", "Statistik", id="stats"),
        Binding("f2", "admin", "Administration", id="admin", show=False),
        Binding("f3", "audit", "Granskningslogg", id="audit", show=False),
    ]

    def __init__(self, ctx: Ctx, open_ref: str | None = None, poll_interval: float = 0.25,
                 mail: "MailConfig | None" = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.mail = mail
        self.open_ref = open_ref
        self.poll_interval = poll_interval
        # A second connection for the worker: reads never wait on the UI thread's connection.
        self.reader = Store(ctx.store.path)
        self.reader_ctx = Ctx(self.reader, ctx.actor, ctx.clock)
        self.last_data: Panes | None = None
        self.search: str | None = None
        self.limits: dict[str, int] = {}  # per pane, once the person has paged further than PAGE
        self._version: int | None = None
        self._pending = False
        self._detail_ref: str | None = None
        self.loads = 0  # completed loads, for tests and the benchmark
        # The first load starts now, in parallel with Textual's own start-up.
        self._first: list = []
        self._prefetch = None
        if ctx.actor.has(RECEIVER) or ctx.actor.has(CAREGIVER):
            self._prefetch = threading.Thread(target=self._fetch_first, daemon=True)
            self._prefetch.start()

    def _fetch_first(self) -> None:
        try:
            errands.log_list(self.ctx, "dashboard")  # opening the dashboard is a list a person started
        except BccError:
            pass
        try:
            # Seen after our own audit row, so that row does not count as someone else's change.
            self._version = self.reader.data_version()
            self._first.append(errands.panes(self.reader_ctx, limits=self.limits))
        except BccError as err:
            self._first.append(err)

    # -- life cycle --------------------------------------------------------------------------
    def on_mount(self) -> None:
        if self.mail is not None:
            # §4.6: every open dashboard tries the outbox every few seconds.
            self.set_interval(DELIVERY_INTERVAL, self.deliver_mail)
        actor = self.ctx.actor
        if not (actor.has(RECEIVER) or actor.has(CAREGIVER)):
            # Administrators and auditors do not read patients' errands: they keep the settings
            # and review the log.
            self.dashboard = None
            self.push_screen(screen_class("AdminScreen")() if actor.has(ADMIN) else screen_class("AuditScreen")())
            self.set_interval(1, self.tick_clock)
            notice = clinic.notice_now(self.ctx)
            if notice:
                self.notify(notice.text, title="Driftinformation", timeout=20)
            return
        self.dashboard = DashboardScreen(self.ctx.actor)
        self.push_screen(self.dashboard)
        if self._prefetch is None:
            self._version = self.reader.data_version()
        # The prefetch has usually finished by now: fill the panes before the first frame, so the
        # screen is laid out once, with its rows.
        self.call_after_refresh(self._first_fill)
        self.set_interval(self.poll_interval, self.poll)
        self.set_interval(1, self.tick_clock)
        self.set_interval(30, self.tick_rows)
        if self.open_ref:
            self.call_after_refresh(self.open_errand, self.open_ref)

    def _first_fill(self) -> None:
        if self._prefetch is not None:
            self._prefetch.join(timeout=1.0)
            if not self._prefetch.is_alive():
                self._prefetch = None
                first = self._first.pop() if self._first else None
                if first is not None and not isinstance(first, BccError):
                    self.apply(first, None)
                    return
        self.load()

    def on_unmount(self) -> None:
        self.reader.close()

    # -- loading -----------------------------------------------------------------------------
    @property
    def form_open(self) -> bool:
        return isinstance(self.screen, ModalScreen)

    def poll(self) -> None:
        """Reload when another connection committed; never while a form is open."""
        if self.form_open or self.dashboard is None:
            return
        try:
            version = self.reader.data_version()
        except BccError:
            return
        if version != self._version or self._pending:
            self._version = version
            self._pending = False
            self.load()

    def request_reload(self) -> None:
        if self.dashboard is None:
            return
        self._pending = True
        if not self.form_open:
            self.poll()

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        if self._prefetch is not None:
            self._prefetch.join()
            self._prefetch = None
            first = self._first.pop() if self._first else None
            if first is not None and not isinstance(first, BccError):
                self.call_from_thread(self.apply, first, None)
                return
        try:
            data = errands.panes(self.reader_ctx, limits=self.limits, search=self.search)
            detail = None
            ref = self._detail_ref
            if ref:
                detail = errands.show_errand(self.reader_ctx, ref, audited=False)
        except Busy:
            self._pending = True
            return
        except BccError as err:
            self.call_from_thread(self.notify, str(err), severity="error")
            return
        self.call_from_thread(self.apply, data, detail)

    def apply(self, data: Panes, detail: ErrandDetail | None = None) -> None:
        if data.notice is not None and (self.last_data is None or self.last_data.notice != data.notice):
            self.notify(data.notice.text, title="Driftinformation", timeout=20)
        self.last_data = data
        now = self.ctx.now()
        self.dashboard.show(data, now, self.search)
        if detail is not None and isinstance(self.screen, ErrandScreen) and \
                self.screen.detail.summary.ref == detail.summary.ref:
            self.screen.replace(detail, now, data.names)
        self.loads += 1

    def rerender(self) -> None:
        if self.last_data is not None and self.dashboard is not None:
            self.dashboard.show(self.last_data, self.ctx.now(), self.search)

    def tick_clock(self) -> None:
        screen = self.screen
        if hasattr(screen, "tick") and not isinstance(screen, DashboardScreen):
            screen.tick(self.ctx.now())
        if self.dashboard is not None:
            self.dashboard.query_one(HeaderBar).set_time(self.ctx.now())

    @work(thread=True, exclusive=True, group="mail")
    def deliver_mail(self) -> None:
        from bcc_tui.services import notify

        notify.deliver(self.reader, self.ctx.clock, self.mail)

    def tick_rows(self) -> None:
        if self.dashboard is not None:
            self.dashboard.tick(self.ctx.now())

    def set_filter(self, text: str | None) -> None:
        self.search = text
        self.limits = {}
        if text:
            try:
                errands.log_list(self.ctx, "dashboard", text)
            except Busy:
                pass
        self.load()

    def load_more(self, pane: str) -> None:
        """The cursor nears the end of a pane's page: ask the database for the next page."""
        if self.last_data is None:
            return
        shown = self.last_data.pane(pane)
        if shown.has_more and self.limits.get(pane, PAGE) <= len(shown.rows):
            self.limits[pane] = len(shown.rows) + PAGE
            self.load()

    # -- the errand under the cursor ---------------------------------------------------------
    def current_ref(self) -> str | None:
        screen = self.screen
        return screen.current_ref() if hasattr(screen, "current_ref") else None

    def current(self) -> ErrandSummary | None:
        ref = self.current_ref()
        if ref is None:
            return None
        if isinstance(self.screen, ErrandScreen):
            return self.screen.detail.summary
        if self.last_data:
            for s in self.last_data.open + self.last_data.closed:
                if s.ref == ref:
                    return s
        return None

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ERRAND_ACTIONS:
            if self.form_open or not isinstance(self.screen, (DashboardScreen, ErrandScreen)):
                return False
        return True

    def open_errand(self, ref: str) -> None:
        try:
            caught_up = self.reader.data_version() == self._version
            detail = errands.show_errand(self.ctx, ref)
            if caught_up:
                # Opening writes its audit row (R9); that is not a change to reload the panes for
                # (on a large backlog the reload would cost the opening its frame).
                self._version = self.reader.data_version()
        except BccError as err:
            self.notify(str(err), title="Kan inte öppna", severity="error")
            return
        self._detail_ref = ref
        names = self.last_data.names if self.last_data else {}
        self.push_screen(ErrandScreen(detail, self.ctx.now(), names), callback=self._detail_closed)

    def _detail_closed(self, _result=None) -> None:
        self._detail_ref = None

    def perform(self, done: str, fn: Callable, *args, **kwargs) -> str:
        """Run one service call for the person and say how it went, in plain words.
        Returns "ok", "busy" (nothing changed; try again) or "refused"."""
        try:
            fn(self.ctx, *args, **kwargs)
        except Busy as err:
            self.notify(str(err), title="Upptagen", severity="warning", timeout=8)
            return "busy"
        except BccError as err:
            self.notify(str(err), title="Gick inte", severity="error", timeout=8)
            self.request_reload()
            return "refused"
        self.notify(done)
        self.reload_now()
        return "ok"

    def ask(self, make: Callable[[], Screen], submit: Callable[[object], str]) -> None:
        """Open a form and submit what it returns. When the database is busy nothing is lost:
        the form opens again with what the person wrote."""
        def done(result) -> None:
            if result is None:
                return
            if submit(result) == "busy":
                form = make()
                form.prefill(result)
                self.push_screen(form, done)

        self.push_screen(make(), done)

    def reload_now(self) -> None:
        """After the person's own change: show it at once, not after a worker's round trip."""
        if self.dashboard is None or self.form_open:
            self.request_reload()
            return
        try:
            data = errands.panes(self.reader_ctx, limits=self.limits, search=self.search)
            detail = None
            if self._detail_ref:
                detail = errands.show_errand(self.reader_ctx, self._detail_ref, audited=False)
        except BccError:
            self.request_reload()
            return
        self._version = self.reader.data_version()
        self.apply(data, detail)

    def _target(self) -> ErrandSummary | None:
        s = self.current()
        if s is None:
            self.notify("Inget ärende valt.", severity="warning")
        return s

    def _errand_line(self, s: ErrandSummary) -> Text:
        """One line naming the errand a form acts on: type, patient, subject (patient text inert)."""
        line = Text()
        line.append(f"{e.type_name(s.type)} · ", style="dim")
        line.append_text(render.safe(s.patient_name, one_line=True))
        if s.proxy_name:
            line.append(" (")
            line.append_text(render.safe(f"{s.proxy_relation} {s.proxy_name}", one_line=True))
            line.append(")")
        if s.subject:
            line.append(" · ", style="dim")
            line.append_text(render.safe(s.subject, "italic", one_line=True))
        return line

    # -- actions -----------------------------------------------------------------------------
    def action_assign(self) -> None:
        s = self._target()
        if s is None:
            return
        if not self.ctx.actor.has(RECEIVER):
            self.notify("Bara en ärendemottagare får fördela.", severity="error")
            return
        if s.status == e.CLOSED:
            self.notify(f"{s.ref} är redan avslutat.", severity="error")
            return
        reassign = s.status == e.ASSIGNED
        choices = errands.assign_choices(self.ctx, s.ref)

        def done(result) -> None:
            if result is not None:
                verb = "omfördelat" if reassign else "fördelat"
                name = self.last_data.names.get(result.username, result.username) if self.last_data else result.username
                self.perform(f"{s.ref} {verb} till {name}", errands.assign, s.ref,
                             result.username, reassign=reassign, expected_version=s.version)

        current = self.last_data.names.get(s.assignee, s.assignee) if s.assignee and self.last_data else s.assignee
        top = self._top_doctor_name()
        self.push_screen(screen_class("AssignForm")(s.ref, choices, reassign=reassign, current=s.assignee,
                                    current_name=current, top_doctor=top, context=self._errand_line(s)), done)

    def _top_doctor_name(self) -> str | None:
        if not self.last_data or not self.last_data.today.top_doctor:
            return None
        return self.last_data.names.get(self.last_data.today.top_doctor, self.last_data.today.top_doctor)

    def _absence_warning(self, s: ErrandSummary) -> Text | None:
        """R4: the errand's caregiver is absent today — say so and name the top doctor."""
        if not s.assignee or not self.last_data or s.assignee not in self.last_data.today.absent:
            return None
        names = self.last_data.names
        reason = self.last_data.today.absent.get(s.assignee)
        text = Text(f"{names.get(s.assignee, s.assignee)} är frånvarande idag{' (' + reason + ')' if reason else ''}.",
                    style="bold yellow")
        top = self._top_doctor_name()
        if top:
            text.append(f" Stäm av med {top} (överst på schemat); kan ärendet vänta, skicka ett delsvar.",
                        style="yellow")
        return text

    def action_reply(self) -> None:
        s = self._target()
        if s is None:
            return
        actor = self.ctx.actor
        signature = f"{actor.name}{', ' + actor.title if actor.title else ''}, Barncancercentrum"

        try:
            filled = clinic.templates_for(self.ctx, s.ref)
        except BccError:
            filled = []
        self.ask(lambda: screen_class("ReplyForm")(s.ref, signature, filled, warning=self._absence_warning(s),
                                                   context=self._errand_line(s)),
                 lambda r: self.perform(f"{s.ref} besvarat och avslutat", errands.reply, s.ref, r.text,
                                        expected_version=s.version))

    def action_partial_reply(self) -> None:
        s = self._target()
        if s is None:
            return
        doctors = []
        top = None
        if self.last_data:
            today = self.last_data.today
            top = today.top_doctor
            doctors = [(self.last_data.names.get(d, d) + (" (överst)" if d == top else ""), d)
                       for d in today.doctors if d not in today.absent]

        self.ask(lambda: screen_class("PartialReplyForm")(s.ref, doctors, top, warning=self._absence_warning(s),
                                                          context=self._errand_line(s)),
                 lambda r: self.perform(f"Delsvar skickat för {s.ref}", errands.partial_reply, s.ref, r.text,
                                        consulted=r.consulted, expected_version=s.version))

    def action_close_errand(self) -> None:
        s = self._target()
        if s is None:
            return

        self.ask(lambda: screen_class("CloseForm")(s.ref, context=self._errand_line(s)),
                 lambda r: self.perform(f"{s.ref} avslutat utan svar", errands.close, s.ref, r.reason,
                                        documented=r.documented, expected_version=s.version))

    def action_note(self) -> None:
        s = self._target()
        if s is None:
            return

        self.ask(lambda: screen_class("NoteForm")(s.ref, context=self._errand_line(s)),
                 lambda r: self.perform(f"Anteckning sparad för {s.ref}", errands.note, s.ref, r.text))

    def action_urgent(self) -> None:
        s = self._target()
        if s is None:
            return
        on = not s.urgent
        self.perform(f"{s.ref} {'markerat' if on else 'inte längre'} brådskande", errands.set_urgent,
                     s.ref, on, expected_version=s.version)

    def action_remind(self) -> None:
        s = self._target()
        if s is None:
            return
        name = self.last_data.names.get(s.assignee, s.assignee) if s.assignee and self.last_data else s.assignee
        self.perform(f"Påminnelse skickad till {name} för {s.ref}", errands.remind, s.ref)

    def action_toggle_email(self) -> None:
        on = not people.email_notify(self.ctx)
        self.perform("E-postavisering är nu " + ("på" if on else "av"), people.set_email_notify, on)

    def _open_screen(self, name: str, allowed: bool, refusal: str) -> None:
        if not allowed:
            self.notify(refusal, severity="error")
            return
        if not _showing(self.screen, name) and not self.form_open:
            self.push_screen(screen_class(name)())

    def action_handover(self) -> None:
        self._open_screen("HandoverScreen", self.ctx.actor.has(RECEIVER),
                          "Överlämningen är för ärendemottagare.")

    def action_stats(self) -> None:
        self._open_screen("StatsScreen", self.ctx.actor.has(RECEIVER) or self.ctx.actor.has(ADMIN),
                          "Statistiken är för ärendemottagare och administratörer.")

    def action_admin(self) -> None:
        self._open_screen("AdminScreen", self.ctx.actor.has(ADMIN), "Administrationen är bara för administratörer.")

    def action_audit(self) -> None:
        self._open_screen("AuditScreen", self.ctx.actor.has(ADMIN) or self.ctx.actor.has(AUDITOR),
                          "Granskningsloggen är för administratörer och granskare.")

    def action_help(self) -> None:
        if not _showing(self.screen, "HelpScreen"):
            self.push_screen(screen_class("HelpScreen")())

    def screen_filter(self) -> None:
        if hasattr(self.screen, "action_filter"):
            self.screen.action_filter()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for title, help_text, action in (
            ("Fördela / omfördela", "Ge det valda ärendet till en vårdgivare (a)", self.action_assign),
            ("Besvara", "Skicka svar och avsluta ärendet (r)", self.action_reply),
            ("Delsvar", "Berätta att handläggning pågår (p)", self.action_partial_reply),
            ("Avsluta utan svar", "Avsluta med orsak (x)", self.action_close_errand),
            ("Intern anteckning", "En anteckning som patienten aldrig ser (n)", self.action_note),
            ("Brådskande på/av", "Markera eller avmarkera brådskande (u)", self.action_urgent),
            ("Påminn handläggaren", "E-post och markering till den som har ärendet (m)", self.action_remind),
            ("Mina inställningar: e-postavisering på/av",
             "Få e-post när ett ärende fördelas till dig", self.action_toggle_email),
            ("Filtrera", "Sök på ärende, patient, ämne eller handläggare (/)", self.screen_filter),
            ("Hjälp", "Tangenterna och rutinen i korthet (?)", self.action_help),
            ("Överlämning", "Skiftbytet: försenat, idag, obesvarat, delsvar, akut (h)", self.action_handover),
            ("Statistik och avvikelser", "Per ärendetyp, vårdgivare och vecka (s)", self.action_stats),
            ("Administration", "Ärendetyper, mallar, personal, schema, frånvaro, information (F2)", self.action_admin),
            ("Granskningslogg", "Vem har öppnat eller ändrat vad (F3)", self.action_audit),
        ):
            yield SystemCommand(title, help_text, action)


def make_app(ctx: Ctx, open_ref: str | None = None, poll_interval: float = 0.25,
             mail: "MailConfig | None" = None) -> BccApp:
    """The factory the command line and the tests share."""
    return BccApp(ctx, open_ref=open_ref, poll_interval=poll_interval, mail=mail)
