"""The dashboard application (docs/routine.md 6, keys 4.5): the shell.

The shell composes the screens, navigates between them, offers the palette and keeps what
reaches the person safe (toasts, pastes, a crash, a hang-up). What it shows comes from the data
feed (ui/feed.py: one fetch path, in a thread worker, on a connection of its own); what the person
does to an errand is done by the action runner (ui/runner.py), through the same services as the
command line; which keys exist, and for whom, is the one table in ui/actions.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import suppress
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, work
from textual.app import SystemCommand
from textual.binding import BindingType
from textual.css.query import NoMatches
from textual.driver import Driver
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen

from bcc_tui.domain import roles
from bcc_tui.domain.errand import ASSIGN
from bcc_tui.domain.errors import BccError, Busy
from bcc_tui.domain.roles import CAREGIVER
from bcc_tui.domain.text import clean, clean_line
from bcc_tui.services import people
from bcc_tui.services.context import Ctx
from bcc_tui.services.errands import Panes
from bcc_tui.services.views import ErrandDetail, ErrandSummary
from bcc_tui.ui import actions, render
from bcc_tui.ui import textual_compat as compat
from bcc_tui.ui.damage import Shadow
from bcc_tui.ui.feed import Feed, NewsDue, PanesCounted, PanesFetched
from bcc_tui.ui.runner import ERRAND_ACTIONS, ActionRunner, Written
from bcc_tui.ui.screens.dashboard import DashboardScreen
from bcc_tui.ui.screens.errand import ErrandScreen
from bcc_tui.ui.textual_compat import ChopsUpdate, CompatApp, LayoutUpdate
from bcc_tui.ui.typeahead import TypeAhead
from bcc_tui.ui.typed import Filters, FollowsChanges, KeepsDraft, ShowsErrand, Ticks
from bcc_tui.ui.upgrade import UPGRADED, UpgradeWatch
from bcc_tui.ui.widgets.header import HeaderBar

if TYPE_CHECKING:
    from bcc_tui.services.clinic import Notice
    from bcc_tui.services.notify import MailConfig
    from bcc_tui.ui.quiet import Wake

# Screens that the first paint does not need are imported when first used: the dashboard's
# start-up is measured against a bare Textual app (docs/performance.md).
_LAZY = {
    "AdminScreen": "admin",
    "AuditScreen": "audit",
    "HandoverScreen": "handover",
    "HelpScreen": "help",
    "StatsScreen": "stats",
}


def screen_class(name: str) -> type[Screen[Any]]:
    from importlib import import_module

    found: type[Screen[Any]] = getattr(import_module(f"bcc_tui.ui.screens.{_LAZY[name]}"), name)
    return found


def _showing(screen: Screen[Any], name: str) -> bool:
    return type(screen).__name__ == name


def _help() -> Screen[Any]:
    return screen_class("HelpScreen")()


_UNSEEN = object()  # no notice read yet: the first one read is the start's, said in the header only
OPEN_RETRY = 1.0  # seconds between attempts to open an errand while the database is busy
DELIVERY_INTERVAL = 3.0
# With the kernel's word on writes (ui/quiet.py, Wake), the feed still looks this often, should a
# commit have been marked done after the write the kernel told of; and the clock is looked at.
FALLBACK = 5.0
# A read refused by a busy database is tried again this soon, not at the next FALLBACK: the
# writer's end may write nothing the kernel tells of (a transaction rolled back).
BUSY_RETRY = 0.5
TOAST_MAX = 1000  # characters: more than any message of ours; a toast never covers the screen
# Seconds a thread may hold the interpreter while another waits for it, until the first paint. The
# first read (Feed.prefetch) waits on SQLite and the audit row's fsync, and at each return it needs
# the interpreter back from Textual's start-up, which kept it for Python's 5 ms each time: the read
# ended some 30 ms after the screen was ready for it, and the screen waited.
START_SWITCH_INTERVAL = 0.0002


class BccApp(CompatApp):
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "bcc-tui"
    # A short terminal (80×24) gives a form's list fewer rows, and a tiny one (60×20) its text box
    # too, so the form's hint and its warning or error line stay on screen (app.tcss).
    VERTICAL_BREAKPOINTS = [(0, "-tiny"), (22, "-short"), (30, "-tall")]
    BINDINGS: ClassVar[list[BindingType]] = list(actions.bindings())  # check_action hides per person
    # Help is the same for the whole session: made once, when first asked for.
    SCREENS: ClassVar[dict[str, Callable[[], Screen[Any]]]] = {"help": _help}

    def __init__(
        self,
        ctx: Ctx,
        open_ref: str | None = None,
        poll_interval: float = 0.25,
        mail: MailConfig | None = None,
    ) -> None:
        super().__init__()
        if self.no_color:
            # Textual's greys keep too little contrast for some texts (render.KeepContrast).
            from textual.filter import Monochrome

            compat.set_line_filters(
                self,
                [
                    render.KeepContrast() if isinstance(f, Monochrome) else f
                    for f in compat.line_filters(self)
                ],
            )
        self.ctx = ctx
        self.mail = mail
        self.open_ref = clean_line(open_ref) if open_ref else None  # as typed: it is looked up
        self.poll_interval = poll_interval
        self.dashboard: DashboardScreen | None = None  # none for administrators and auditors
        self._opening: tuple[str, Screen[Any]] | None = None  # an errand waiting for a busy database
        self.loads = 0  # completed loads, for tests and the benchmark
        # The handover's rows gone through (space), kept while the session lasts: esc out of the
        # handover and back had lost them (a keyboard trial). Given or taken, they start again.
        self.handover_ticks: set[str] = set()
        self.bell_on = True
        self.crash_line: str | None = None  # set when an unforeseen error ended the app
        self.ended_line: str | None = None  # set when an upgrade ended it on an error instead
        self._notice: Notice | object | None = _UNSEEN  # the notice last shown (notice_seen)
        self._old_hangup: Callable[[int, FrameType | None], Any] | int | None = None
        self._pulse_at: asyncio.TimerHandle | None = None
        self._minute_at: asyncio.TimerHandle | None = None
        self._minute: tuple[int, ...] = ()
        self._wake: Wake | None = None
        self._every = poll_interval
        self.shadow = Shadow()  # what the terminal shows: only what differs is written (ui/damage.py)
        self.runner = ActionRunner(self)
        self.typeahead = TypeAhead(self)
        self.typeahead.holds = self.runner.holds  # a key that would act on a row being written waits
        self.feed = Feed(self, ctx)
        self.upgrade = UpgradeWatch(self)  # the program or the schema replaced under us (issue 31)
        self._today = self.ctx.today()  # the day the screens were read for
        # The dashboard command holds the cycle collector while the app starts (cli/dashboard.py):
        # it runs again after the first paint (started).
        self._collector_held = not gc.isenabled()
        self._switch_interval: float | None = None
        self.feed.prefetch()  # the first load starts now, in parallel with Textual's own start-up

    def on_load(self) -> None:
        # From the start of the run until the first paint (started), or the end of one that never
        # painted (on_unmount): see START_SWITCH_INTERVAL.
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(START_SWITCH_INTERVAL, self._switch_interval))

    # -- what reaches the person --------------------------------------------------------------
    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every toast may quote what someone typed or stored (a filter, a notice, a ref): never
        markup, never a control character, whatever the caller asked for, and never more than a
        toast can hold (a notice stored around its 300-character limit filled the screen)."""
        super().notify(
            render.cut(clean(str(message)), TOAST_MAX),
            title=render.line(str(title), 200),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    async def on_event(self, event: events.Event) -> None:
        # After an upgrade the person's next key (or click) ends the dashboard; before each key
        # the installation and the schema are looked at, so that no key loads a module or reads
        # a table of another version.
        if isinstance(event, (events.Key, events.Paste, events.MouseDown)) and not event.is_forwarded:
            if self.upgrade.noticed:
                self.upgrade.leave()
                return
            if isinstance(event, events.Key) and self.upgrade.check():
                return  # this key shows the line; the next one ends
        # Keys and pastes from the terminal go one at a time, each once the app has finished with
        # the one before (ui/typeahead.py): typed ahead of a screen opening or closing, they wait.
        if (
            isinstance(event, (events.Key, events.Paste))
            and not event.is_forwarded
            and not self.typeahead.admit(event)
        ):
            return
        # A paste is the one way a control character gets into an input or a text area (a
        # terminal sends keys otherwise); it would be drawn raw, so it is cleaned on the way in.
        if isinstance(event, events.Paste) and not event.is_forwarded:
            cleaned = clean(event.text)
            if cleaned != event.text:
                event = events.Paste(cleaned)
        await super().on_event(event)

    def crashed(self, error: Exception) -> int:
        """Textual's own handler prints a traceback with local variables (patient data) when the
        app exits. Instead: a private report, and one line printed after the screen is restored
        (the rest of ending the app: textual_compat.CompatApp)."""
        from bcc_tui import crash

        if self.upgrade.explains(error):
            # A module or a table of the new version met the old one: the upgrade's line, not a
            # crash report (the drafts were kept as they were typed).
            self.upgrade.noticed = True
            self.ended_line = UPGRADED
            return 0
        self.crash_line = crash.message(crash.write_report(error, "instrumentpanelen"))
        return 1

    def frame(self, renderable: Any, inline: bool) -> Any:
        """Every frame Textual writes to the terminal passes here, narrowed to the cells that
        differ from what the terminal shows: nothing at all when none do (ui/damage.py)."""
        if inline:
            self.shadow.reset()  # drawn below the prompt, with moves of its own
        elif isinstance(renderable, ChopsUpdate):
            return self.shadow.narrow(renderable)
        elif isinstance(renderable, LayoutUpdate):
            return self.shadow.full(renderable)
        else:
            self.shadow.reset()  # drawn some other way: the copy is no longer known
        return renderable

    def on_resize(self, _event: events.Resize) -> None:
        # The terminal may have redrawn itself, also at the size it had: the next frame is whole.
        self.shadow.reset()

    # -- life cycle --------------------------------------------------------------------------
    def on_mount(self) -> None:
        from bcc_tui import crash  # noqa: F401 -- loaded now: after an upgrade it is the old one's
        from bcc_tui.ui import theme

        theme.apply(self)
        self.call_after_refresh(self.started)
        # Another program has the terminal while the app is suspended: what it shows after is
        # not known.
        self.app_suspend_signal.subscribe(self, lambda _app: self.shadow.reset(), immediate=True)
        self.upgrade.start()
        if self.mail is not None:
            # docs/routine.md 4.6: every open dashboard tries the outbox every few seconds.
            self.set_interval(DELIVERY_INTERVAL, self.deliver_mail)
        actor = self.ctx.actor
        # Every screen keeps its forms' text and ends when its terminal goes: an administrator's
        # too (it was left out, and under nohup such a dashboard outlived its terminal).
        self._watch_hangup()
        if self.dashboard is None:
            self._start_pulse()
            return
        if actor.has(CAREGIVER):
            with suppress(BccError):
                self.bell_on = people.bell(self.ctx)
            self.feed.check_news(announce=False)  # the first load is the baseline, not news
        if roles.may(actor, ASSIGN):
            self.feed.check_acute(announce=False)  # R11: so are the acute errands there now
        self._start_pulse()
        if self.open_ref:
            self.call_after_refresh(self.open_errand, self.open_ref)

    def get_default_screen(self) -> Screen[Any]:
        """The person's first screen is the app's own, the bottom of its stack, mounted as the app
        composes. Pushed over Textual's empty default screen once the app had mounted, the
        dashboard reached its first frame about 20 ms later and a settled screen about 30 ms later
        on the 100,000-errand backlog (issue 31, docs/performance.md). Screens opened from it are
        one above it: `len(screen_stack) > 1` says that esc leads somewhere."""
        actor = self.ctx.actor
        if not roles.may(actor, "list"):
            # Administrators and auditors do not read patients' errands: they keep the settings
            # and review the log.
            return screen_class("AdminScreen" if roles.may(actor, "admin_change") else "AuditScreen")()
        # The prefetch has usually finished by the time the screen mounts: the panes are filled
        # then, before the first frame, so the screen is laid out and painted with its rows.
        self.dashboard = DashboardScreen(actor, first_fill=self.feed.first_fill)
        return self.dashboard

    def started(self) -> None:
        """The first paint is done. What the start made (modules, styles, widgets) lives as long as
        the app: frozen out of the cycle collector's sight, so that the collections that keys and
        reloads set off do not walk it each time; then the collector held during the start runs
        again. The interpreter goes back to its usual switch interval (START_SWITCH_INTERVAL)."""
        self._switch_back()
        if self._collector_held:
            self._collector_held = False
            gc.freeze()
            gc.enable()

    def _switch_back(self) -> None:
        if self._switch_interval is not None:
            sys.setswitchinterval(self._switch_interval)
            self._switch_interval = None

    def _start_pulse(self) -> None:
        """The feed looks for changes as soon as the kernel says the database was written (Wake),
        and otherwise every FALLBACK seconds; without that news (not Linux, inotify's limits
        reached) it polls every poll_interval as before. A poll_interval above a second is the
        tests' way of saying "never by itself": then nothing wakes it either. The clock's minute
        is looked at on each pulse and, with the wake, at each minute of the wall clock."""
        from bcc_tui.ui.quiet import Wake

        loop = asyncio.get_running_loop()
        self._minute = self._minute_of(self.ctx.now())
        self._wake = Wake(self.ctx.store.path, self._poke) if self.poll_interval <= 1 else None
        if self._wake is not None and not self._wake.start():
            self._wake = None
        self._every = FALLBACK if self._wake is not None else self.poll_interval
        self._pulse_at = loop.call_later(self._every, self._pulse)
        if self._wake is not None:
            self._next_minute()

    @staticmethod
    def _minute_of(now: dt.datetime) -> tuple[int, ...]:
        return now.timetuple()[:5]

    def _next_minute(self) -> None:
        # Just after the wall clock's next minute: the header's minute turns on time.
        self._minute_at = asyncio.get_running_loop().call_later(60.05 - time.time() % 60, self._on_minute)

    def _on_minute(self) -> None:
        self._minute_at = None
        self._timed(self._look_at_clock)
        if compat.open_and_running(self):
            self._next_minute()

    def _timed(self, step: Callable[[], object]) -> bool:
        """Run a step of our own timers as Textual runs its own: an error ends the app with its
        crash report. False when it did."""
        try:
            step()
        except Exception as error:
            self.fail(error)
            return False
        return True

    def _poke(self) -> bool:
        """The database was written: the feed looks now. Whether it saw a commit."""
        seen = False

        def look() -> None:
            nonlocal seen
            seen = self.feed.poll()

        return self._timed(look) and seen

    def _look_at_clock(self) -> None:
        """The clock, and the rows' ages and countdowns, when the minute changed: ages count whole
        minutes of the clock (render.age) and countdowns whole days, so nothing on screen turns
        between two minutes, and an idle dashboard writes nothing then (issue 31)."""
        minute = self._minute_of(self.ctx.now())
        if minute != self._minute:
            self._minute = minute
            self.tick_clock()
            self.tick_rows()

    def _looks_by_itself(self) -> bool:
        """Running, with its pulse: not before it starts, after it ends, or where the app polls
        only when told (a poll_interval above a second: tests)."""
        return self._pulse_at is not None and self.poll_interval <= 1

    def look_now(self) -> None:
        """A screen came back on top: the feed looks now (not under a form)."""
        if self._looks_by_itself() and not self.form_open:
            self._timed(self.feed.poll)

    def look_again_soon(self) -> None:
        """The database was busy: the feed looks again within BUSY_RETRY seconds (and again after
        that for as long as it stays busy)."""
        pulse = self._pulse_at
        if pulse is None or not self._looks_by_itself():
            return
        loop = asyncio.get_running_loop()
        if pulse.when() - loop.time() > BUSY_RETRY:
            pulse.cancel()
            self._pulse_at = loop.call_later(BUSY_RETRY, self._pulse)

    def _pulse(self) -> None:
        """The feed's poll (see _start_pulse) and the clock. On plain asyncio timers: a Textual
        interval costs about 0.25 ms a tick in messages of its own, and four polls a second of
        that were more than an idle dashboard's whole budget (issue 31: under 0.1 % of a core)."""
        self._pulse_at = None
        if not self._timed(self.feed.poll) or not self._timed(self._look_at_clock):
            return
        if compat.open_and_running(self):
            self._pulse_at = asyncio.get_running_loop().call_later(self._every, self._pulse)

    def on_unmount(self) -> None:
        self._switch_back()  # ended before its first paint
        self.upgrade.stop()
        if self._pulse_at is not None:
            self._pulse_at.cancel()
            self._pulse_at = None
        if self._minute_at is not None:
            self._minute_at.cancel()
            self._minute_at = None
        if self._wake is not None:
            self._wake.stop()
            self._wake = None
        if self._old_hangup is not None:
            signal.signal(signal.SIGHUP, self._old_hangup)
            self._old_hangup = None
        self.feed.close()

    def flush_forms(self) -> None:
        """R21: write what open forms hold that the debounced save has not written yet."""
        for screen in self.screen_stack:
            if isinstance(screen, KeepsDraft):
                with suppress(Exception):  # quitting or hung up: the other forms still get their turn
                    screen.flush_draft(quiet=True)

    async def action_quit(self) -> None:
        self.flush_forms()
        await super().action_quit()

    def _watch_hangup(self) -> None:
        """A dropped SSH connection or closed terminal sends SIGHUP: keep the forms' text, then
        end exactly as the signal would have ended the program."""
        if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGHUP"):
            return
        try:
            self._old_hangup = signal.signal(signal.SIGHUP, self._hangup)
        except (ValueError, OSError):
            self._old_hangup = None

    def _hangup(self, signum: int, _frame: FrameType | None) -> None:
        self.flush_forms()
        previous, self._old_hangup = self._old_hangup, None
        # A dashboard started with hangups ignored (under nohup, or a launcher that ignores
        # them) still ends: without its terminal it can only linger, a process per dropped
        # session on the shared server.
        keep = previous is not None and previous is not signal.SIG_IGN
        signal.signal(signal.SIGHUP, previous if keep else signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    # -- the data feed's side on the UI thread -------------------------------------------------
    @property
    def form_open(self) -> bool:
        """A form (any modal screen) is up; also while the app closes and no screen is left (a
        timer may still fire then): nothing refreshes in either case."""
        stack = self.screen_stack
        return not stack or isinstance(stack[-1], ModalScreen)

    # What screens and tests read of the feed.
    @property
    def last_data(self) -> Panes | None:
        return self.feed.last_data

    @property
    def search(self) -> str | None:
        return self.feed.search

    def request_reload(self) -> None:
        self.feed.request_reload()

    def set_filter(self, text: str | None) -> None:
        self.feed.set_filter(text)

    def type_filter(self, text: str | None, rows: int | None = None) -> None:
        self.feed.type_filter(text, rows)

    def load_more(self, pane: str) -> None:
        self.feed.load_more(pane)

    def on_panes_fetched(self, message: PanesFetched) -> None:
        fetched = message.fetched
        if fetched.news is not None:
            # Said before the rows are put in, in the same handler: the box's layout is asked for
            # first, and one layout and one frame draw both (after them, the box's came a frame late).
            self.feed.announce(fetched.news, fetched.news_after)
        if self.feed.accept(fetched):
            self.apply(fetched.data, fetched.detail, fetched.search, fetched.lost)

    def on_news_due(self, message: NewsDue) -> None:
        if message.news is None:
            self.feed.check_news()
        else:
            self.feed.announce(message.news, message.after)

    def on_written(self, message: Written[Any]) -> None:
        self.runner.written(message)

    def on_panes_counted(self, message: PanesCounted) -> None:
        data = self.feed.counted(message)
        if data is not None and self.dashboard is not None and self.dashboard.is_mounted:
            self.dashboard.show_counts(data, message.search)

    def apply(
        self,
        data: Panes,
        detail: ErrandDetail | None = None,
        search: str | None = None,
        lost: str | None = None,
    ) -> None:
        """Draw one read of the feed: the panes (titled with the filter they were read with), and
        the open errand if it is the one read (`lost`: why it can no longer be read)."""
        self.notice_seen(data.notice)
        self.feed.shown(data, search)
        now = self.ctx.now()
        if self.dashboard is not None:
            self.dashboard.show(data, now, search)
        # A screen just pushed is drawn from its own, fresh detail when it mounts; one being
        # taken down (the app closing) has nothing left to redraw.
        screen = self.top()
        if (
            detail is not None
            and isinstance(screen, ErrandScreen)
            and screen.is_mounted
            and screen.detail.summary.ref == detail.summary.ref
        ):
            with suppress(NoMatches):
                screen.replace(detail, now, data.names)
        elif (
            lost is not None
            and isinstance(screen, ErrandScreen)
            and screen.is_mounted
            and screen.detail.summary.ref == self.feed.detail_ref
        ):
            with suppress(NoMatches):
                screen.lose(lost)
        elif isinstance(screen, FollowsChanges) and screen.is_mounted:
            with suppress(NoMatches):
                screen.follow()  # R31: the handover follows an import, a remark, a give
        self.loads += 1

    def notice_seen(self, notice: Notice | None) -> None:
        """R17: the notice is in every screen's header. At start that is where it is read (a toast
        repeating it covered half the panes for 20 s at 80×24); a notice that comes or changes
        while the dashboard is open is also said in a toast, once, whichever screen saw it first."""
        first = self._notice is _UNSEEN
        changed = notice != self._notice
        self._notice = notice
        if not first and changed and notice is not None:
            self.notify(notice.text, title="Driftinformation", timeout=20, markup=False)

    def top(self) -> Screen[Any] | None:
        """The screen on top; None while the app closes (a timer or a message may come then)."""
        stack = self.screen_stack
        return stack[-1] if stack else None

    def rerender(self) -> None:
        if self.last_data is not None and self.dashboard is not None:
            self.dashboard.show(self.last_data, self.ctx.now(), self.feed.shown_search)

    def tick_clock(self) -> None:
        # A timer may fire while a screen is still composing or already going away: its widgets
        # are then missing, which is no reason to stop the dashboard.
        screen = self.top()
        if isinstance(screen, Ticks) and not isinstance(screen, DashboardScreen):
            with suppress(NoMatches):
                screen.tick(self.ctx.now())
        if self.dashboard is not None:
            for header in self.dashboard.query(HeaderBar):  # none while the screen is torn down
                header.set_time(self.ctx.now())
        today = self.ctx.today()
        if today != self._today:
            # Midnight: today's receiver, top doctor and absences are another day's (R31).
            self._today = today
            self.feed.day_changed()

    def follow_top(self) -> None:
        """The screen on top reads again, if it is one that follows changes and no form is open."""
        screen = self.top()
        if isinstance(screen, FollowsChanges) and screen.is_mounted and not self.form_open:
            with suppress(NoMatches):
                screen.follow()

    def tick_rows(self) -> None:
        if self.dashboard is not None:
            with suppress(NoMatches):
                self.dashboard.tick(self.ctx.now())

    @work(thread=True, exclusive=True, group="mail")
    def deliver_mail(self) -> None:
        from bcc_tui.services import notify

        if self.mail is not None and not self.upgrade.noticed:
            notify.deliver(self.feed.reader, self.ctx.clock, self.mail)

    # -- the errand under the cursor ---------------------------------------------------------
    def current_ref(self) -> str | None:
        screen = self.screen
        return screen.current_ref() if isinstance(screen, ShowsErrand) else None

    def current(self) -> ErrandSummary | None:
        ref = self.current_ref()
        if ref is None:
            return None
        screen = self.screen
        if isinstance(screen, ErrandScreen):
            return screen.detail.summary
        if isinstance(screen, DashboardScreen) and screen.focused_table is not None:
            return screen.focused_table.current  # a lookup, not a walk over every loaded row
        if self.last_data:
            for s in self.last_data.open + self.last_data.closed:
                if s.ref == ref:
                    return s
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not actions.allowed(self.ctx.actor, action):
            return False  # neither offered in the footer nor run by its key
        if action not in ERRAND_ACTIONS:
            return True
        return not self.form_open and isinstance(self.screen, (DashboardScreen, ErrandScreen))

    def offers(self, action: str) -> bool:
        """Whether the footer offers an errand action: only what the errand under the cursor can
        take in its state (a key pressed anyway still says why not)."""
        if action not in ERRAND_ACTIONS:
            return True
        s = self.current()
        if isinstance(self.screen, ErrandScreen) and self.screen.lost is not None:
            return False  # the errand is no longer this person's: nothing to offer on it
        return s is not None and actions.fits_state(action, s.status, s.receivers_answer)

    def open_errand(self, ref: str) -> None:
        """Open an errand: its audited read (R9: the view's audit row is a write) runs in a worker
        of the "open" group (issue 30), and the screen is pushed when the answer comes back. Keys
        typed meanwhile wait for it (runner.holds), as if typed once the errand was open."""
        self._opening = (ref, self.screen)
        opening = self._opening
        self.runner.opening = True
        self.runner.write(
            lambda: self.feed.read_audited(ref),
            lambda read, error: self._opened(opening, read, error),
            group="open",
        )

    def _opened(self, opening: tuple[str, Screen[Any]], read: Any, error: BccError | None) -> None:
        self.runner.opening = False
        ref = opening[0]
        if self._opening != opening or not compat.open_and_running(self):
            return  # the person asked for something else meanwhile (or the app is closing)
        if isinstance(error, Busy) or (error is None and read is None):
            # The view's audit row could not be written, so nothing of the errand is shown.
            self.feed.tell_busy()
            self.set_timer(OPEN_RETRY, lambda: self._retry_open(ref))
            return
        if error is not None:
            self._opening = None
            self.notify(str(error), title="Kan inte öppna", severity="error", markup=False)
            return
        self._opening = None
        detail = self.feed.opened(ref, read)
        names = self.last_data.names if self.last_data else {}
        self.push_screen(ErrandScreen(detail, self.ctx.now(), names))

    def _retry_open(self, ref: str) -> None:
        """Try again, unless the person has since asked for something else."""
        if self._opening == (ref, self.screen):
            self.open_errand(ref)

    def detail_closed(self, screen: ErrandScreen) -> None:
        """An errand's screen was removed: its detail is no longer followed, unless another screen
        still shows the same errand (opened again before this one had gone)."""
        ref = screen.current_ref()
        if self.feed.detail_ref != ref:
            return
        if not any(
            isinstance(s, ErrandScreen) and s is not screen and s.current_ref() == ref
            for s in self.screen_stack
        ):
            self.feed.detail_ref = None

    # -- the errand actions (ui/runner.py does them; ui/actions.py names them) -----------------
    def action_assign(self) -> None:
        # Rows marked with space in Ofördelade go together, to one person; else the errand under
        # the cursor.
        marked = (
            self.dashboard.marked() if self.dashboard is not None and self.screen is self.dashboard else []
        )
        if marked:
            self.runner.assign_marked(marked)
        else:
            self.runner.assign()

    def action_assign_suggested(self) -> None:
        self.runner.assign_suggested()

    def action_move_all(self) -> None:
        self.runner.move_all()

    def action_reply(self) -> None:
        self.runner.reply()

    def action_partial_reply(self) -> None:
        self.runner.partial_reply()

    def action_close_errand(self) -> None:
        self.runner.close_errand()

    def action_note(self) -> None:
        self.runner.note()

    def action_acute_handled(self) -> None:
        self.runner.acute_handled()

    def action_care_team(self) -> None:
        self.runner.care_team()

    def action_urgent(self) -> None:
        self.runner.urgent()

    def action_remind(self) -> None:
        self.runner.remind()

    def action_toggle_bell(self) -> None:
        self.runner.toggle_bell()

    def action_toggle_email(self) -> None:
        self.runner.toggle_email()

    # -- navigation --------------------------------------------------------------------------
    def _open_screen(self, name: str, allowed: bool, refusal: str) -> None:
        if not allowed:
            self.notify(refusal, severity="error", markup=False)
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

    def action_help_quit(self) -> None:
        # Textual's ctrl+c says how to quit in English markup, which notify() shows literally.
        self.notify("Tryck q för att avsluta.", title="Avsluta?", markup=False)

    def action_help(self) -> None:
        if not _showing(self.screen, "HelpScreen"):
            self.push_screen("help")

    def screen_filter(self) -> None:
        screen = self.screen
        if isinstance(screen, Filters):
            screen.action_filter()

    def action_command_palette(self) -> None:
        # Textual's own opens with an English prompt; the same palette, asked in Swedish.
        from bcc_tui.ui.widgets.palette import Palette

        if self.use_command_palette and not Palette.is_open(self):
            self.push_screen(Palette())

    def get_driver_class(self) -> type[Driver]:
        """Textual's, except on Linux: its input thread then sleeps until a key comes (ui/quiet.py)."""
        from textual.drivers.linux_driver import LinuxDriver

        found = super().get_driver_class()
        if found is LinuxDriver:
            from bcc_tui.ui.quiet import QuietDriver

            return QuietDriver
        return found

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for action in actions.palette(self.ctx.actor):
            yield SystemCommand(action.title or "", action.help, getattr(self, action.app_method))


def make_app(
    ctx: Ctx, open_ref: str | None = None, poll_interval: float = 0.25, mail: MailConfig | None = None
) -> BccApp:
    """The factory the command line and the tests share."""
    compat.plan_dispatch()
    return BccApp(ctx, open_ref=open_ref, poll_interval=poll_interval, mail=mail)
