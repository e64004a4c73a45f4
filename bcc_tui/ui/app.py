"""The dashboard application (PRODUCT.md §6, keys §4.5).

Data is fetched in a thread worker on a connection of its own and rendered on the UI thread
(Dolphie's split). Every action goes through the same services as the command line. Changes by
other processes are noticed by polling PRAGMA data_version; nothing refreshes while a form is
open, and an automatic refresh is never an audited read.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterable
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, work
from textual.app import App, SystemCommand
from textual.css.query import NoMatches
from textual.screen import ModalScreen, Screen

from bcc_tui.domain import errand as e
from bcc_tui.domain import roles
from bcc_tui.domain.business_days import BREACHED, MET, OVERDUE, short_date
from bcc_tui.domain.errors import BccError, Busy
from bcc_tui.domain.roles import CAREGIVER
from bcc_tui.domain.text import clean, clean_line
from bcc_tui.services import clinic, drafts, errands, identity, people
from bcc_tui.services.context import Ctx
from bcc_tui.services.errands import Panes
from bcc_tui.services.session import Store
from bcc_tui.services.views import ErrandDetail, ErrandSummary
from bcc_tui.ui import actions, render
from bcc_tui.ui.screens.dashboard import DashboardScreen
from bcc_tui.ui.screens.errand import ErrandScreen
from bcc_tui.ui.widgets.header import HeaderBar

if TYPE_CHECKING:
    from bcc_tui.services.notify import MailConfig

# Screens and forms that the first paint does not need are imported when first used: the
# dashboard's start-up is measured against a bare Textual app (docs/performance.md).
_LAZY = {
    "AcuteHandledForm": "forms",
    "DraftHooks": "forms",
    "AssignForm": "forms",
    "CloseForm": "forms",
    "NoteForm": "forms",
    "PartialReplyForm": "forms",
    "ReplyForm": "forms",
    "AdminScreen": "admin",
    "AuditScreen": "audit",
    "HandoverScreen": "handover",
    "HelpScreen": "help",
    "StatsScreen": "stats",
}


def screen_class(name: str) -> type:
    from importlib import import_module

    return getattr(import_module(f"bcc_tui.ui.screens.{_LAZY[name]}"), name)


def _showing(screen, name: str) -> bool:
    return type(screen).__name__ == name


PAGE = errands.PAGE  # rows each pane asks for at first, and more each time the cursor nears the end
# R15: a list or a view is shown only after its audit row is written; while the database is busy
# the person is told so and the read is tried again.
BUSY_READ = "Databasen är upptagen, försöker igen …"
OPEN_RETRY = 1.0  # seconds between attempts to open an errand while the database is busy
ERRAND_ACTIONS = {
    "assign",
    "reply",
    "partial_reply",
    "close_errand",
    "note",
    "urgent",
    "remind",
    "acute_handled",
    "move_all",
}
MAX_FILTER = 200
DELIVERY_INTERVAL = 3.0


class BccApp(App):
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "bcc-tui"
    BINDINGS = actions.bindings()  # per person: check_action hides what they may not take

    def __init__(
        self,
        ctx: Ctx,
        open_ref: str | None = None,
        poll_interval: float = 0.25,
        mail: MailConfig | None = None,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.mail = mail
        self.open_ref = clean_line(open_ref) if open_ref else None  # as typed: it is looked up
        self.poll_interval = poll_interval
        # A second connection for the worker: reads never wait on the UI thread's connection.
        self.reader = Store(ctx.store.path)
        self.reader_ctx = Ctx(self.reader, ctx.actor, ctx.clock)
        self.last_data: Panes | None = None
        self.search: str | None = None
        self.limits: dict[str, int] = {}  # per pane, once the person has paged further than PAGE
        self._version: int | None = None
        self._pending = False
        self._identity_version: int | None = None
        self._access_ended = False  # the person's access ended: the app is on its way out
        self._detail_ref: str | None = None
        # The audit row owed before the panes may show ("dashboard", filter); None when written.
        self._unlogged: tuple[str, str | None] | None = ("dashboard", None)
        self._busy_told = False
        self._opening: tuple[str, Screen] | None = None  # an errand waiting for a busy database
        self.loads = 0  # completed loads, for tests and the benchmark
        # R23: the newest event seen for "a new errand for you", looked at when the file changed.
        self._news_after: int | None = None
        self._news_version: int | None = None
        self.bell_on = True
        self.crash_line: str | None = None  # set when an unforeseen error ended the app
        # The first load starts now, in parallel with Textual's own start-up.
        self._first: list = []
        self._prefetch = None
        if roles.may(ctx.actor, "list"):
            self._prefetch = threading.Thread(target=self._fetch_first, daemon=True)
            self._prefetch.start()

    # -- what reaches the person --------------------------------------------------------------
    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity="information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every toast may quote what someone typed or stored (a filter, a notice, a ref): never
        markup, never a control character, whatever the caller asked for."""
        super().notify(
            clean(str(message)),
            title=clean_line(str(title)),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    async def on_event(self, event: events.Event) -> None:
        # A paste is the one way a control character gets into an input or a text area (a
        # terminal sends keys otherwise); it would be drawn raw, so it is cleaned on the way in.
        if isinstance(event, events.Paste) and not event.is_forwarded:
            cleaned = clean(event.text)
            if cleaned != event.text:
                event = events.Paste(cleaned)
        await super().on_event(event)

    def _handle_exception(self, error: Exception) -> None:
        """Textual's own handler prints a traceback with local variables (patient data) when the
        app exits. Instead: a private report, and one line printed after the screen is restored."""
        from bcc_tui import crash

        self.crash_line = crash.message(crash.write_report(error, "instrumentpanelen"))
        self._return_code = 1
        if self._exception is None:  # run_test re-raises it, so that tests see the error
            self._exception = error
            self._exception_event.set()
        self._close_messages_no_wait()

    def _fetch_first(self) -> None:
        try:
            errands.log_list(self.ctx, "dashboard")  # opening the dashboard is a list a person started
            self._unlogged = None
        except BccError as err:
            self._first.append(err)  # no row, no data: load() tries again
            return
        try:
            # Seen after our own audit row, so that row does not count as someone else's change.
            self._version = self.reader.data_version()
            self._first.append(errands.panes(self.reader_ctx, limits=self.limits))
        except BccError as err:
            self._first.append(err)

    # -- life cycle --------------------------------------------------------------------------
    def on_mount(self) -> None:
        from bcc_tui.ui import theme

        theme.apply(self)
        if self.mail is not None:
            # §4.6: every open dashboard tries the outbox every few seconds.
            self.set_interval(DELIVERY_INTERVAL, self.deliver_mail)
        actor = self.ctx.actor
        if not roles.may(actor, "list"):
            # Administrators and auditors do not read patients' errands: they keep the settings
            # and review the log.
            self.dashboard = None
            self.push_screen(
                screen_class("AdminScreen")()
                if roles.may(actor, "admin_change")
                else screen_class("AuditScreen")()
            )
            self.set_interval(self.poll_interval, self.poll)
            self.set_interval(1, self.tick_clock)
            notice = clinic.notice_now(self.ctx)
            if notice:
                self.notify(notice.text, title="Driftinformation", timeout=20)
            return
        self.dashboard = DashboardScreen(self.ctx.actor)
        self.push_screen(self.dashboard)
        self._watch_hangup()
        if self._prefetch is None:
            self._version = self.reader.data_version()
        # The prefetch has usually finished by now: fill the panes before the first frame, so the
        # screen is laid out once, with its rows.
        self.call_after_refresh(self._first_fill)
        if actor.has(CAREGIVER):
            try:
                self.bell_on = people.bell(self.ctx)
            except BccError:
                pass
            self.check_news(announce=False)  # the first load is the baseline, not news
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
        if self._old_hangup is not None:
            signal.signal(signal.SIGHUP, self._old_hangup)
            self._old_hangup = None
        self.reader.close()

    def flush_forms(self) -> None:
        """R21: write what open forms hold that the debounced save has not written yet."""
        for screen in self.screen_stack:
            if hasattr(screen, "flush_draft"):
                try:
                    screen.flush_draft(quiet=True)
                except Exception:
                    pass

    async def action_quit(self) -> None:
        self.flush_forms()
        await super().action_quit()

    _old_hangup = None

    def _watch_hangup(self) -> None:
        """A dropped SSH connection or closed terminal sends SIGHUP: keep the forms' text, then
        end exactly as the signal would have ended the program."""
        if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGHUP"):
            return
        try:
            self._old_hangup = signal.signal(signal.SIGHUP, self._hangup)
        except (ValueError, OSError):
            self._old_hangup = None

    def _hangup(self, signum, _frame) -> None:
        self.flush_forms()
        previous, self._old_hangup = self._old_hangup, None
        signal.signal(signal.SIGHUP, previous if previous is not None else signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    # -- loading -----------------------------------------------------------------------------
    @property
    def form_open(self) -> bool:
        return isinstance(self.screen, ModalScreen)

    def poll(self) -> None:
        """Reload when another connection committed; never while a form is open."""
        try:
            version = self.reader.data_version()
        except BccError:
            return
        if version != self._identity_version and self.check_identity():
            self._identity_version = version
        # R23: news for a caregiver is checked even while a form is open.
        if self.dashboard is not None and self._news_after is not None and version != self._news_version:
            self._news_version = version
            self.check_news()
        if self.form_open or self.dashboard is None or self._access_ended:
            return
        if version != self._version or self._pending:
            self._version = version
            self._pending = False
            self.load()

    def check_identity(self) -> bool:
        """Whether the check ran. A person set inactive, or whose roles changed, is shown one
        plain line and the session ends, also with a form open (nothing more is saved in their
        name)."""
        try:
            why = identity.still_allowed(self.reader, self.ctx.actor)
        except BccError:
            return False
        if why is not None and not self._access_ended:
            self._access_ended = True
            self.exit(return_code=1, message=Text(why))
        return True

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
        owed = self._unlogged
        if owed is not None:
            try:
                errands.log_list(self.reader_ctx, *owed)
            except Busy:
                self._pending = True  # poll() tries again
                self.call_from_thread(self._tell_busy)
                return
            except BccError as err:
                self.call_from_thread(self.notify, str(err), severity="error")
                return
            if self._unlogged == owed:
                self._unlogged = None
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

    def _tell_busy(self) -> None:
        if not self._busy_told:
            self._busy_told = True
            self.notify(BUSY_READ, title="Upptagen", severity="warning", timeout=8)

    def apply(self, data: Panes, detail: ErrandDetail | None = None) -> None:
        self._busy_told = False
        if data.notice is not None and (self.last_data is None or self.last_data.notice != data.notice):
            self.notify(data.notice.text, title="Driftinformation", timeout=20)
        self.last_data = data
        now = self.ctx.now()
        self.dashboard.show(data, now, self.search)
        # A screen just pushed is drawn from its own, fresh detail when it mounts; one being
        # taken down (the app closing) has nothing left to redraw.
        if (
            detail is not None
            and isinstance(self.screen, ErrandScreen)
            and self.screen.is_mounted
            and self.screen.detail.summary.ref == detail.summary.ref
        ):
            try:
                self.screen.replace(detail, now, data.names)
            except NoMatches:
                pass
        self.loads += 1

    def check_news(self, announce: bool = True) -> None:
        """R23: say so when someone else assigns or reassigns an errand to me, or reminds me.
        Separate from the panes' fetch: only the events since the last look are read."""
        try:
            found = errands.news(self.ctx, None if not announce else self._news_after)
        except BccError:
            return
        self._news_after = found.last
        for kind, ref in found.items:
            shown = render.safe(ref, one_line=True).plain
            if kind == e.REMIND:
                self.notify(
                    f"Påminnelse till dig: {shown} väntar på svar",
                    title="Påminnelse",
                    severity="warning",
                    timeout=15,
                    markup=False,
                )
            else:
                self.notify(f"Nytt ärende till dig: {shown}", title="Nytt ärende", timeout=15, markup=False)
        if found.items and self.bell_on:
            self.bell()

    def rerender(self) -> None:
        if self.last_data is not None and self.dashboard is not None:
            self.dashboard.show(self.last_data, self.ctx.now(), self.search)

    def tick_clock(self) -> None:
        # A timer may fire while a screen is still composing or already going away: its widgets
        # are then missing, which is no reason to stop the dashboard.
        screen = self.screen
        if hasattr(screen, "tick") and not isinstance(screen, DashboardScreen):
            with suppress(NoMatches):
                screen.tick(self.ctx.now())
        if self.dashboard is not None:
            for header in self.dashboard.query(HeaderBar):  # none while the screen is torn down
                header.set_time(self.ctx.now())

    @work(thread=True, exclusive=True, group="mail")
    def deliver_mail(self) -> None:
        from bcc_tui.services import notify

        notify.deliver(self.reader, self.ctx.clock, self.mail)

    def tick_rows(self) -> None:
        if self.dashboard is not None:
            with suppress(NoMatches):
                self.dashboard.tick(self.ctx.now())

    def set_filter(self, text: str | None) -> None:
        # What was typed or pasted, made storable and searchable: SQLite refuses a lone surrogate
        # and a LIKE pattern beyond 50,000 bytes.
        text = clean_line(text or "").strip() or None
        if text is not None and len(text) > MAX_FILTER:
            self.notify(f"Filtret är för långt (högst {MAX_FILTER} tecken).", severity="error")
            return
        self.search = text
        self.limits = {}
        if text:
            self._unlogged = ("dashboard", text)  # written by load() before the result shows
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
        if not actions.allowed(self.ctx.actor, action):
            return False  # neither offered in the footer nor run by its key
        if action not in ERRAND_ACTIONS:
            return True
        return not self.form_open and isinstance(self.screen, (DashboardScreen, ErrandScreen))

    def open_errand(self, ref: str) -> None:
        self._opening = (ref, self.screen)
        try:
            caught_up = self.reader.data_version() == self._version
            detail = errands.show_errand(self.ctx, ref)
            if caught_up:
                # Opening writes its audit row (R9); that is not a change to reload the panes for
                # (on a large backlog the reload would cost the opening its frame).
                self._version = self.reader.data_version()
        except Busy:
            # The view's audit row could not be written, so nothing of the errand is shown.
            self._tell_busy()
            self.set_timer(OPEN_RETRY, lambda: self._retry_open(ref))
            return
        except BccError as err:
            self._opening = None
            self.notify(str(err), title="Kan inte öppna", severity="error")
            return
        self._opening = None
        self._busy_told = False
        self._detail_ref = ref
        names = self.last_data.names if self.last_data else {}
        self.push_screen(ErrandScreen(detail, self.ctx.now(), names), callback=self._detail_closed)

    def _retry_open(self, ref: str) -> None:
        """Try again, unless the person has since asked for something else."""
        if self._opening == (ref, self.screen):
            self.open_errand(ref)

    def _detail_closed(self, _result=None) -> None:
        self._detail_ref = None

    def perform(self, done: str, fn: Callable, *args, **kwargs) -> str:
        """Run one service call for the person and say how it went, in plain words.
        Returns "ok", "busy" (nothing changed; try again) or "refused"."""
        try:
            fn(self.ctx, *args, **kwargs)
        except Busy as err:
            self.notify(str(err), title="Upptagen", severity="warning", timeout=8, markup=False)
            return "busy"
        except BccError as err:
            self.notify(err.for_ui(), title="Gick inte", severity="error", timeout=8, markup=False)
            self.request_reload()
            return "refused"
        self.notify(done, markup=False)
        self.reload_now(keep_position=True)
        return "ok"

    def ask(
        self, make: Callable[[], Screen], submit: Callable[[object], str], errand: ErrandSummary | None = None
    ) -> None:
        """Open a form whose send runs `submit` (the service call; it returns what to say when
        done) while the form is still open: a refusal, or a busy database, is shown in the form
        with everything typed still there (R21). With `errand`, the form keeps a draft."""
        form = make()
        outcome: list[str] = []

        def hook(result) -> str | None:
            try:
                outcome.append(submit(result))
            except Busy as err:
                return str(err)
            except BccError as err:
                self.request_reload()
                return err.for_ui()
            return None

        def closed(result) -> None:
            if result is not None and outcome:
                self.notify(outcome[-1], markup=False)
                self.reload_now(keep_position=True)

        form.submit_hook = hook
        if errand is not None and getattr(form, "DRAFT_FORM", None):
            form.drafts = self._draft_hooks(errand.ref, form.DRAFT_FORM)
        self.push_screen(form, closed)

    def _draft_hooks(self, ref: str, form: str):
        """R21: the service calls a form keeps its draft with; None when drafts cannot be read
        now (a busy database), so that an empty form never overwrites a kept draft."""
        try:
            kept = drafts.load(self.ctx, ref, form)
        except BccError as err:
            self.notify(f"Utkast kan inte hämtas just nu: {err.for_ui()}", severity="warning", markup=False)
            return None

        def save(fields: dict) -> str | None:
            try:
                drafts.save(self.ctx, ref, form, fields)
            except BccError as err:
                return err.for_ui()
            return None

        def discard() -> None:
            try:
                drafts.discard(self.ctx, ref, form)
            except BccError as err:
                self.notify(f"Utkastet kunde inte slängas: {err.for_ui()}", severity="error", markup=False)

        return screen_class("DraftHooks")(
            save, discard, kept.fields if kept else None, render.short_moment(kept.saved_at) if kept else None
        )

    def reload_now(self, keep_position: bool = False) -> None:
        """After the person's own change: show it at once, not after a worker's round trip.
        With keep_position the cursor stays on the same row number, so a row that moved
        (an answered or urgent errand) does not take the person's place with it."""
        if self.dashboard is None or self.form_open or self._unlogged is not None:
            self.request_reload()
            return
        table = self.dashboard.focused_table if self.screen is self.dashboard else None
        row = table.cursor_row if table is not None else None
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
        if keep_position and table is not None and table.order and row is not None:
            table.move_cursor(row=min(row, len(table.order) - 1), animate=False)

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
    def _refused_early(self, s: ErrandSummary, action: str) -> bool:
        """Refuse before a form opens on an errand that cannot take the action (R21: nothing is
        typed in vain); the same rules the service applies when the form is sent."""
        try:
            e.check_move(action, s.ref, s.status, s.assignee)
            roles.require_action(self.ctx.actor, action, s.ref, s.assignee)
        except BccError as err:
            self.notify(err.for_ui(), title="Går inte", severity="warning", timeout=8, markup=False)
            return True
        return False

    def _person_name(self, username: str | None) -> str | None:
        if not username or not self.last_data:
            return username
        return self.last_data.names.get(username, username)

    def action_assign(self, notice: Text | None = None, move_all: bool = False) -> None:
        s = self._target()
        if s is None:
            return
        if not roles.may(self.ctx.actor, e.ASSIGN):
            self.notify("Bara en ärendemottagare får fördela.", severity="error")
            return
        if s.status == e.CLOSED:
            self.notify(f"{s.ref} är redan avslutat.", severity="error", markup=False)
            return
        reassign = s.status == e.ASSIGNED
        if move_all and not reassign:
            self.notify(
                f"{s.ref} är inte fördelat till någon; välj ett fördelat ärende.",
                severity="warning",
                markup=False,
            )
            return
        choices = errands.assign_choices(self.ctx, s.ref)

        def done(result) -> None:
            if result is None:
                return
            name = self._person_name(result.username)
            if result.move_all:
                self._move_all(s.assignee, result.username)
                return
            verb = "omfördelat" if reassign else "fördelat"
            self.perform(
                f"{s.ref} {verb} till {name}",
                errands.assign,
                s.ref,
                result.username,
                reassign=reassign,
                expected_version=s.version,
            )

        self.push_screen(
            screen_class("AssignForm")(
                s.ref,
                choices,
                reassign=reassign,
                current=s.assignee,
                current_name=self._person_name(s.assignee),
                top_doctor=self._top_doctor_name(),
                context=self._errand_line(s),
                notice=notice,
                move_all=move_all,
            ),
            done,
        )

    def _move_all(self, from_user: str, to_user: str) -> None:
        """R22: every open errand of one person to another, each its own audited reassignment."""
        try:
            result = errands.reassign_all(self.ctx, from_user, to_user)
        except BccError as err:
            self.notify(err.for_ui(), title="Gick inte", severity="error", timeout=8, markup=False)
            return
        shown = ", ".join(result.moved[:8]) + (
            f" och {len(result.moved) - 8} till" if len(result.moved) > 8 else ""
        )
        self.notify(
            f"{len(result.moved)} ärenden flyttade från {self._person_name(from_user)} till {self._person_name(to_user)}"
            + (f": {shown}" if shown else ""),
            timeout=12,
            markup=False,
        )
        for ref, why in result.refused:
            self.notify(f"{ref} flyttades inte: {why}", severity="error", timeout=12, markup=False)
        self.reload_now(keep_position=True)

    def action_move_all(self) -> None:
        s = self.current()
        name = self._person_name(s.assignee) if s is not None else None
        self.action_assign(
            notice=Text(f"Alla öppna ärenden hos {name} flyttas till den du väljer.", style="bold")
            if name
            else None,
            move_all=True,
        )

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
        text = Text(
            clean_line(
                f"{names.get(s.assignee, s.assignee)} är frånvarande idag{' (' + reason + ')' if reason else ''}."
            ),
            style="bold yellow",
        )
        top = self._top_doctor_name()
        if top:
            text.append(
                f" Stäm av med {top} (överst på schemat); kan ärendet vänta, skicka ett delsvar.",
                style="yellow",
            )
        return text

    def action_reply(self) -> None:
        s = self._target()
        if s is None or self._refused_early(s, e.REPLY):
            return
        actor = self.ctx.actor
        signature = f"{actor.name}{', ' + actor.title if actor.title else ''}, Barncancercentrum"

        try:
            filled = clinic.templates_for(self.ctx, s.ref)
        except BccError:
            filled = []
        self.ask(
            lambda: screen_class("ReplyForm")(
                s.ref, signature, filled, warning=self._absence_warning(s), context=self._errand_line(s)
            ),
            lambda r: (
                errands.reply(self.ctx, s.ref, r.text, expected_version=s.version)
                or f"{s.ref} besvarat och avslutat"
            ),
            errand=s,
        )

    @staticmethod
    def _deadline(s: ErrandSummary) -> Text:
        """What a partial reply does for the rule on this errand, said truthfully (R3, §5)."""
        c = s.countdown
        if c.level == OVERDUE:
            return Text(
                f"Svarstiden gick ut {short_date(s.due_date)} ({c.text}): delsvaret kommer för sent "
                "för regeln och ärendet räknas som en avvikelse, men familjen får veta att det "
                "hanteras. Ärendet förblir öppet.",
                style="bold yellow",
            )
        if c.level == BREACHED:
            return Text(f"Regeln bröts redan ({c.text}); ärendet förblir öppet.", style="yellow")
        if c.level == MET:
            return Text("Regeln är redan uppfylld; ärendet förblir öppet.", style="dim")
        return Text(
            f"Ärendet förblir öppet; ett delsvar nu uppfyller regeln (förfaller {short_date(s.due_date)}).",
            style="dim",
        )

    def action_partial_reply(self) -> None:
        s = self._target()
        if s is None or self._refused_early(s, e.PARTIAL_REPLY):
            return
        doctors = []
        top = None
        if self.last_data:
            today = self.last_data.today
            top = today.top_doctor
            doctors = [
                (self.last_data.names.get(d, d) + (" (överst)" if d == top else ""), d)
                for d in today.doctors
                if d not in today.absent
            ]

        self.ask(
            lambda: screen_class("PartialReplyForm")(
                s.ref,
                doctors,
                top,
                warning=self._absence_warning(s),
                deadline=self._deadline(s),
                context=self._errand_line(s),
            ),
            lambda r: (
                errands.partial_reply(
                    self.ctx, s.ref, r.text, consulted=r.consulted, expected_version=s.version
                )
                or f"Delsvar skickat för {s.ref}"
            ),
            errand=s,
        )

    def action_close_errand(self) -> None:
        s = self._target()
        if s is None or self._refused_early(s, e.CLOSE):
            return

        self.ask(
            lambda: screen_class("CloseForm")(s.ref, context=self._errand_line(s)),
            lambda r: (
                errands.close(self.ctx, s.ref, r.reason, documented=r.documented, expected_version=s.version)
                or f"{s.ref} avslutat utan svar"
            ),
            errand=s,
        )

    def action_note(self) -> None:
        s = self._target()
        if s is None or self._refused_early(s, e.NOTE):
            return

        self.ask(
            lambda: screen_class("NoteForm")(s.ref, context=self._errand_line(s)),
            lambda r: errands.note(self.ctx, s.ref, r.text) or f"Anteckning sparad för {s.ref}",
            errand=s,
        )

    def action_acute_handled(self) -> None:
        """R25: mark the acute banner handled, with a short note; the errand is then not pinned."""
        s = self._target()
        if s is None or self._refused_early(s, e.ACUTE_HANDLED):
            return
        if not s.acute:
            self.notify(f"{s.ref} har inga akuta tecken.", severity="warning", markup=False)
            return
        if s.acute_handled_at is not None:
            self.notify(
                f"De akuta tecknen i {s.ref} är redan markerade som hanterade.",
                severity="warning",
                markup=False,
            )
            return
        self.ask(
            lambda: screen_class("AcuteHandledForm")(s.ref, s.acute, context=self._errand_line(s)),
            lambda r: (
                errands.acute_handled(self.ctx, s.ref, r.text, expected_version=s.version)
                or f"Akuta tecken i {s.ref} markerade som hanterade"
            ),
            errand=s,
        )

    def action_urgent(self) -> None:
        s = self._target()
        if s is None:
            return
        on = not s.urgent
        self.perform(
            f"{s.ref} {'markerat' if on else 'inte längre'} brådskande",
            errands.set_urgent,
            s.ref,
            on,
            expected_version=s.version,
        )

    def action_remind(self) -> None:
        s = self._target()
        if s is None:
            return
        name = self._person_name(s.assignee)
        if s.holder_absent and roles.may(self.ctx.actor, e.ASSIGN):
            # R22: a reminder would wait unread; offer to give the errand to someone on duty.
            reason = self.last_data.today.absent.get(s.assignee) if self.last_data else None
            self.action_assign(
                notice=Text(
                    f"{name} är frånvarande idag{' (' + reason + ')' if reason else ''}; en påminnelse når "
                    "inte fram. Omfördela ärendet i stället (ctrl+a flyttar alla hens öppna ärenden).",
                    style="bold yellow",
                )
            )
            return
        self.perform(f"Påminnelse skickad till {name} för {s.ref}", errands.remind, s.ref)

    def action_toggle_bell(self) -> None:
        on = not self.bell_on
        if (
            self.perform("Ljudsignal för nya ärenden är nu " + ("på" if on else "av"), people.set_bell, on)
            == "ok"
        ):
            self.bell_on = on

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
        self._open_screen(
            "HandoverScreen", roles.may(self.ctx.actor, "handover"), "Överlämningen är för ärendemottagare."
        )

    def action_stats(self) -> None:
        self._open_screen(
            "StatsScreen",
            roles.may(self.ctx.actor, "stats"),
            "Statistiken är för ärendemottagare och administratörer.",
        )

    def action_admin(self) -> None:
        self._open_screen(
            "AdminScreen",
            roles.may(self.ctx.actor, "admin_change"),
            "Administrationen är bara för administratörer.",
        )

    def action_audit(self) -> None:
        self._open_screen(
            "AuditScreen",
            roles.may(self.ctx.actor, "audit"),
            "Granskningsloggen är för administratörer och granskare.",
        )

    def action_help(self) -> None:
        if not _showing(self.screen, "HelpScreen"):
            self.push_screen(screen_class("HelpScreen")())

    def screen_filter(self) -> None:
        if hasattr(self.screen, "action_filter"):
            self.screen.action_filter()

    def action_command_palette(self) -> None:
        # Textual's own opens with an English prompt; the same palette, asked in Swedish.
        from bcc_tui.ui.widgets.palette import Palette

        if self.use_command_palette and not Palette.is_open(self):
            self.push_screen(Palette())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for action in actions.palette(self.ctx.actor):
            yield SystemCommand(action.title or "", action.help, getattr(self, action.app_method))


def make_app(
    ctx: Ctx, open_ref: str | None = None, poll_interval: float = 0.25, mail: MailConfig | None = None
) -> BccApp:
    """The factory the command line and the tests share."""
    return BccApp(ctx, open_ref=open_ref, poll_interval=poll_interval, mail=mail)
