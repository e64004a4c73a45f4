"""The dashboard's data feed: the one way the panes are read.

Every read of the panes goes through `Feed.fetch()`: the audit row a list owes (R15), then the
panes and the open errand's detail, on a connection of the feed's own. The first fetch starts in
a thread before Textual is up; later ones run in a thread worker and reach the screen as a
`PanesFetched` message (Dolphie's split: fetching apart from rendering); after the person's own
change `reload_now` fetches on the spot. Changes by other processes are noticed by polling
PRAGMA data_version; nothing refreshes while a form is open, and an automatic refresh is never
an audited read.

Another process's change is followed, not reloaded (issue 31): the worker reads the changes since
the panes' last one (services/follow.py) and fetches only the errands they touched; a write that
changes nothing on these panes (an audit row, someone else's caregiver's errand) ends there, with
no message, no redraw and no byte to the terminal. Whatever follow is unsure of it reads whole,
as before (a change to the clinic's tables, an import, a filter, a screen that follows changes on
top).

The filter follows each key (issue 27): what is typed is read live (`type_filter`, no audit row)
by one worker at a time, and keys typed while it reads are read together next (a debounce as long
as a read: on 100,000 errands 30-40 ms). The filter the person settles on — typing rests SETTLED
seconds, or enter, esc, or leaving the box (`settle`, `set_filter`) — is one audited search (R15),
written before the panes are read again; a filter replaced by the next key within that time is not
a search anyone made.
"""

from __future__ import annotations

import itertools
import threading
from contextlib import suppress
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual.message import Message
from textual.timer import Timer

from bcc_tui.domain import errand as e
from bcc_tui.domain import roles
from bcc_tui.domain.errors import BccError, Busy, NotAllowed, NotFound
from bcc_tui.domain.text import clean_line
from bcc_tui.services import errands, follow, identity
from bcc_tui.services.context import Ctx
from bcc_tui.services.errands import News, Panes
from bcc_tui.services.session import Store
from bcc_tui.services.views import ErrandDetail
from bcc_tui.ui import render
from bcc_tui.ui.typed import FollowsChanges
from bcc_tui.ui.widgets import announcement
from bcc_tui.ui.widgets.errand_table import categories_in

if TYPE_CHECKING:
    from bcc_tui.ui.app import BccApp

PAGE = errands.PAGE  # rows each pane asks for at first, and more each time the cursor nears the end
# R15: a list or a view is shown only after its audit row is written; while the database is busy
# the person is told so and the read is tried again.
BUSY_READ = "Databasen är upptagen, försöker igen …"
MAX_FILTER = 200
# Seconds without a key after which the filter on screen counts as the one the person settled on:
# its search is logged then (R15), not at every key.
SETTLED = 1.0


@dataclass(frozen=True)
class Fetched:
    """One read of what the dashboard shows; `version` is the file's data_version seen before it."""

    data: Panes
    detail: ErrandDetail | None
    version: int
    seq: int = 0  # the order reads began in: a read begun earlier never replaces a later one
    lost: str | None = None  # the open errand can no longer be read by this person: why
    search: str | None = None  # the filter it was read with (the box may hold more by now)
    # A followed read: the panes it was worked out from. Drawn only over those same panes (a read
    # drawn meanwhile, with another filter or page, is not what the changes apply to).
    base: Panes | None = None
    # R23's news that came with a followed change, read after `news_after`: said as the rows are
    # drawn, so that one layout and one frame show both.
    news: News | None = None
    news_after: int | None = None


class PanesFetched(Message):
    """A worker's read, handed to the UI thread for rendering."""

    def __init__(self, fetched: Fetched) -> None:
        super().__init__()
        self.fetched = fetched


class NewsDue(Message):
    """A followed change gave the person an errand or a reminder (R23) and drew nothing (with rows,
    the news comes in their Fetched): `news` as read from `after`, or None to read it here."""

    def __init__(self, news: News | None = None, after: int | None = None) -> None:
        super().__init__()
        self.news, self.after = news, after


class PanesCounted(Message):
    """The counts a typed read left out (Feed._count_typed), for the panes it drew."""

    def __init__(self, seq: int, search: str | None, totals: dict[str, tuple[int, int]]) -> None:
        super().__init__()
        self.seq, self.search, self.totals = seq, search, totals


class Feed:
    def __init__(self, app: BccApp, ctx: Ctx) -> None:
        self.app = app
        self.ctx = ctx
        # A connection of its own: reads never wait on the UI thread's connection.
        self.reader = ctx.store.another()
        self.reader_ctx = Ctx(self.reader, ctx.actor, ctx.clock)
        self.last_data: Panes | None = None
        self.search: str | None = None
        self.shown_search: str | None = None  # the filter the panes on screen were read with
        # A filter read live while typing whose search is logged once the person settles on it.
        self._unsettled: str | None = None
        self._settle_timer: Timer | None = None
        # The live read: at most one worker; a key typed while it reads asks it to read again.
        self._typing = threading.Lock()
        self._typed_reading = False
        self._typed_again = False
        self.limits: dict[str, int] = {}  # per pane, once the person has paged further than PAGE
        self.version: int | None = None
        self.pending = False
        self.detail_ref: str | None = None  # the errand open on screen, refreshed with the panes
        self.access_ended = False  # the person's access ended: the app is on its way out
        # The audit rows owed before the panes may show ("dashboard", filter), oldest first.
        self._unlogged: list[tuple[str, str | None]] = [("dashboard", None)]
        self._owing = threading.Lock()
        self._busy_told = False
        self._identity_version: int | None = None
        # R23: the newest event seen for "a new errand for you", looked at when the file changed.
        self._news_after: int | None = None
        self._acute_after: int | None = None  # a receiver's: the newest errand looked at (R11)
        self._acute_version: int | None = None
        self._news_version: int | None = None
        self._news_due: NewsDue | None = None  # a followed change's news, said without rows
        self._first: list[Fetched | BccError] = []
        self._reads = itertools.count(1)
        self._drawn_seq = 0
        self._prefetch: threading.Thread | None = None
        self._form_version: int | None = None
        self._follow_version: int | None = None
        self._counter: Store | None = None  # the typed filter's counts: a connection to interrupt
        self._counting = False
        # Followed changes that drew nothing: the panes on screen and the change they are current to.
        self._seen: tuple[Panes, int] | None = None
        self._reading = threading.Lock()  # one read of the panes at a time, full or followed
        self._following = False  # a followed read is under way or waits to be drawn
        self._polled: int | None = None  # the data_version the last poll saw

    @property
    def live(self) -> bool:
        """Whether there are panes to feed (administrators and auditors have none)."""
        return self.app.dashboard is not None

    # -- the one fetch path ------------------------------------------------------------------
    def fetch(self, counted: bool = True) -> Fetched:
        """Write the audit rows owed (a list opened, a filter settled on), then read the panes and
        the open errand. Raises Busy or BccError; nothing is shown of a read whose rows could not
        be written. (A filter being typed owes none yet: see type_filter.)"""
        seq = next(self._reads)
        # The filter before the rows owed: set_filter owes a search's row before it sets the
        # filter, so a read that sees a new filter also writes its row.
        search = self.search
        with self._owing:  # two reads at once (a worker overtaken by the next) write each row once
            while self._unlogged:  # the UI thread only appends: the first is the one written
                errands.log_list(self.reader_ctx, *self._unlogged[0])
                del self._unlogged[0]
        # Seen after our own audit row, so that row does not count as someone else's change.
        version = self.reader.data_version()
        data = errands.panes(self.reader_ctx, limits=self.limits, search=search, counted=counted)
        ref = self.detail_ref
        detail, lost = None, None
        if ref:
            try:
                detail = errands.show_errand(self.reader_ctx, ref, audited=False)
            except (NotAllowed, NotFound) as err:
                lost = err.for_ui()  # reassigned away from a caregiver, say: the panes still show
        return Fetched(data, detail, version, seq, lost=lost, search=search)

    def prefetch(self) -> None:
        """The first load starts now, in parallel with Textual's own start-up."""
        if roles.may(self.ctx.actor, "list"):
            self._prefetch = threading.Thread(target=self._fetch_first, daemon=True)
            self._prefetch.start()

    def _fetch_first(self) -> None:
        try:
            fetched = self.fetch()
        except BccError as err:
            self._first.append(err)  # no data: load() tries again
            return
        self.version = fetched.version
        self._first.append(fetched)

    def _take_first(self, timeout: float | None) -> Fetched | None:
        """The prefetch's result once it is done (None: not done, taken already, or it failed).
        Two loads may ask at once (the first fill and a poll): one of them gets it."""
        prefetch = self._prefetch
        if prefetch is None:
            return None
        prefetch.join(timeout=timeout)
        if prefetch.is_alive():
            return None
        self._prefetch = None
        try:
            first = self._first.pop()
        except IndexError:
            return None
        return first if isinstance(first, Fetched) else None

    def first_fill(self) -> None:
        """The prefetch has usually finished by the first frame: fill the panes before it, so
        the screen is laid out once, with its rows."""
        if self._prefetch is None and self.version is None:
            self.version = self.reader.data_version()
        first = self._take_first(timeout=1.0)
        if first is not None and self.accept(first):
            self.app.apply(first.data, None, first.search)
            return
        self.load()

    def load(self) -> None:
        self.app.run_worker(self._load, name="load", group="load", thread=True, exclusive=True)

    def _load(self, counted: bool = True) -> Fetched | None:
        """One read, handed to the UI thread; None when there was none."""
        with self._reading:
            return self._load_now(counted)

    def _load_now(self, counted: bool) -> Fetched | None:
        first = self._take_first(timeout=None)
        if first is not None:
            self.app.post_message(PanesFetched(first))
            return first
        try:
            fetched = self.fetch(counted)
        except Busy:
            self.pending = True  # poll() tries again, soon
            self.app.call_from_thread(self.busy)
            return None
        except BccError as err:
            self.app.call_from_thread(self.app.notify, str(err), severity="error", markup=False)
            return None
        self.app.post_message(PanesFetched(fetched))
        return fetched

    def busy(self) -> None:
        self.app.look_again_soon()
        if self._unlogged:
            self.tell_busy()

    def tell_busy(self) -> None:
        if not self._busy_told:
            self._busy_told = True
            self.app.notify(BUSY_READ, title="Upptagen", severity="warning", timeout=8, markup=False)

    def accept(self, fetched: Fetched) -> bool:
        """Whether `fetched` may be drawn: a worker's read that began before the one on screen (a
        poll overtaken by the person's own change) would put old rows back and stay there; changes
        followed from panes no longer on screen are read again."""
        if fetched.base is not None:
            self._following = False
        if fetched.seq < self._drawn_seq:
            return False
        if fetched.base is not None and fetched.base is not self.last_data:
            self.pending = True
            return False
        self._drawn_seq = fetched.seq
        return True

    def shown(self, data: Panes, search: str | None) -> None:
        """The app has drawn `data`, read with the filter `search`."""
        self._busy_told = False
        self.last_data = data
        self.shown_search = search

    def reload_now(self, keep_position: bool = False) -> None:
        """After the person's own change: show it at once, not after a worker's round trip.
        With keep_position the cursor stays on the same row number, so a row that moved
        (an answered errand) does not take the person's place with it; without, it stays on its
        errand (one marked urgent: u again undoes it)."""
        dashboard = self.app.dashboard
        if dashboard is None or self.app.form_open or self._unlogged:
            self.request_reload()
            return
        table = dashboard.focused_table if self.app.screen is dashboard else None
        row = table.cursor_row if table is not None else None
        try:
            fetched = self.fetch()
        except BccError:
            self.request_reload()
            return
        self.version = fetched.version
        self.accept(fetched)
        self.app.apply(fetched.data, fetched.detail, fetched.search, fetched.lost)
        if keep_position and table is not None and table.order and row is not None:
            table.move_cursor(row=min(row, len(table.order) - 1), animate=False)

    # -- what changes the fetch --------------------------------------------------------------
    @staticmethod
    def _filter_text(text: str | None) -> str | None:
        # What was typed or pasted, made storable and searchable: SQLite refuses a lone surrogate
        # and a LIKE pattern beyond 50,000 bytes.
        return clean_line(text or "").strip() or None

    def type_filter(self, text: str | None, rows: int | None = None) -> None:
        """What the filter box holds, at every key: the panes follow it, read like a refresh, with
        no audit row; the person settles on it when typing rests SETTLED seconds (settle).
        `rows`: what a pane can show on this screen — each key reads no more (the rest of a page
        comes when the person settles)."""
        text = self._filter_text(text)
        if text == self.search or (text is not None and len(text) > MAX_FILTER):
            return  # nothing new; a filter too long is said on enter
        self._unsettled = text
        self.search = text
        if text is not None and rows is not None and rows > 0:
            self.limits = dict.fromkeys(errands.STATUSES, min(rows, PAGE))
        else:
            self.limits = {}  # an emptied box is the whole dashboard again: whole pages
        self._stop_settling()
        with self._typing:
            if self._counting and self._counter is not None:
                self._counter.interrupt()  # the count of the text before: no longer wanted
        if text is not None:
            self._settle_timer = self.app.set_timer(SETTLED, self.settle, name="settle filter")
        with self._typing:
            if self._typed_reading:
                self._typed_again = True  # read with the newest text when the read under way ends
                return
            self._typed_reading = True
        self.app.run_worker(self._load_typed, name="filter", group="filter", thread=True)

    def _load_typed(self) -> None:
        again, fetched = True, None
        try:
            while again:
                fetched = self._load(counted=False)
                with self._typing:
                    again, self._typed_again = self._typed_again, False
                    if fetched is not None and fetched.search == self.search:
                        again = False  # the keys came before the read began: it read them
                    self._typed_reading = again
        finally:
            with self._typing:
                self._typed_reading = False
        if fetched is not None:
            self._count_typed(fetched)

    def _count_typed(self, fetched: Fetched) -> None:
        """The counts a typed read left out (each reads a whole pane: 15-30 ms on a backlog of
        100,000), read once its rows are on their way to the screen, on a connection of its own
        that the next key interrupts: a key never waits for the count of the text before it."""
        missing = [s for s in errands.STATUSES if fetched.data.pane(s).total is None]
        with self._typing:
            if not missing or self._typed_again or fetched.search != self.search:
                return
            self._counting = True
        try:
            if self._counter is None:
                self._counter = self.ctx.store.another()
            totals = errands.pane_totals(
                Ctx(self._counter, self.ctx.actor, self.ctx.clock), missing, fetched.search
            )
        except BccError:
            return  # interrupted by the next key (Busy), or the database went: the next read counts
        finally:
            with self._typing:
                self._counting = False
        self.app.post_message(PanesCounted(fetched.seq, fetched.search, totals))

    def counted(self, message: PanesCounted) -> Panes | None:
        """The panes on screen with the counts `message` brings; None when they are no longer
        the read those counts belong to."""
        data = self.last_data
        if data is None or message.seq != self._drawn_seq or message.search != self.shown_search:
            return None
        panes = {s: data.pane(s) for s in errands.STATUSES}
        for status, (total, overdue) in message.totals.items():
            panes[status] = replace(panes[status], total=total, overdue=overdue)
        self.last_data = replace(
            data, unassigned=panes[e.UNASSIGNED], assigned=panes[e.ASSIGNED], closed_pane=panes[e.CLOSED]
        )
        return self.last_data

    def settle(self) -> None:
        """The person settled on the filter read live (typing rested, or they left the box): its
        one audit row, written by the next fetch before the panes are read again."""
        self._stop_settling()
        text, self._unsettled = self._unsettled, None
        if text is not None and text == self.search:
            self._unlogged.append(("dashboard", text))
            self.limits = {}  # whole pages again
            self.load()

    def _stop_settling(self) -> None:
        if self._settle_timer is not None:
            self._settle_timer.stop()
            self._settle_timer = None

    def set_filter(self, text: str | None) -> None:
        """A filter the person settles on: enter in the box, or esc (None). Its search is logged
        before its result shows — once: enter on a filter whose typing already rested adds none.
        A live result read before esc was read all the same, and is logged then."""
        text = self._filter_text(text)
        if text is not None and len(text) > MAX_FILTER:
            self.app.notify(
                f"Filtret är för långt (högst {MAX_FILTER} tecken).", severity="error", markup=False
            )
            return
        self._stop_settling()
        live, self._unsettled = self._unsettled, None
        if text is None:
            if live is not None and live == self.search:
                self._unlogged.append(("dashboard", live))
            elif self.search is None:
                return  # no filter before, none now
        elif text != self.search or text == live:
            self._unlogged.append(("dashboard", text))  # written by the fetch before the result shows
        else:
            return  # the filter on screen, its search logged when typing rested
        if text != self.search or live is not None:
            self.limits = {}
        self.search = text
        self.load()

    def load_more(self, pane: str) -> None:
        """The cursor nears the end of a pane's page: ask the database for the next page."""
        if self.last_data is None:
            return
        shown = self.last_data.pane(pane)
        if shown.has_more and self.limits.get(pane, PAGE) <= len(shown.rows):
            self.limits[pane] = len(shown.rows) + PAGE
            self.load()

    def read_errand(self, ref: str) -> ErrandDetail:
        """An audited read (R9) of one errand on the app's connection: opened, or previewed."""
        caught_up = self.reader.data_version() == self.version
        detail = errands.show_errand(self.ctx, ref)
        if caught_up:
            # Opening writes its audit row (R9); that is not a change to reload the panes for
            # (on a large backlog the reload would cost the opening its frame).
            self.version = self.reader.data_version()
        self._busy_told = False
        return detail

    def read_audited(self, ref: str) -> tuple[ErrandDetail, int, int]:
        """In a worker: the audited read of an errand the person opens, with the file's
        data_version before and after it (for `opened`, on the UI thread)."""
        before = self.reader.data_version()
        detail = errands.show_errand(self.ctx, ref)
        return detail, before, self.reader.data_version()

    def opened(self, ref: str, read: tuple[ErrandDetail, int, int]) -> ErrandDetail:
        """On the UI thread, after `read_audited`: the errand is then refreshed with the panes."""
        detail, before, after = read
        if before == self.version:
            # Opening writes its audit row (R9); that is not a change to reload the panes for.
            self.version = after
        self._busy_told = False
        self.detail_ref = ref
        return detail

    def reread_errand(self, ref: str) -> ErrandDetail:
        """The same errand again, after it changed: a live update of what is on screen, not a new
        access (R15), so nothing is logged."""
        return errands.show_errand(self.ctx, ref, audited=False)

    # -- noticing changes --------------------------------------------------------------------
    def poll(self) -> bool:
        """Follow what another connection committed; never while a form is open. Whether a commit
        was seen since the last poll (the wake need not look again for it: ui/quiet.py)."""
        try:
            version = self.reader.data_version(wait=False)
        except BccError:
            return False  # the reader is busy in a worker: the next poll asks again
        seen = version != self._polled
        # The schema changes only by a commit: asked again only when something was committed.
        if self.app.upgrade.check(schema=seen):
            return False  # the program or the schema changed under the dashboard: nothing more is read
        self._polled = version
        self._poll(version)
        return seen

    def _poll(self, version: int) -> None:
        if version == self.version and not self.pending and not self.app.form_open:
            return  # nothing committed since the last look: an idle dashboard's every poll
        if self._acute_after is not None and version != self._acute_version:
            # Before anything else, whether the panes follow, a form is open or a filter is set.
            self._acute_version = version
            self.check_acute()
        if self.live and not self.app.form_open and not self.access_ended and self._may_follow():
            self._follow_changes(version)
            return
        self._look_around(version)
        if self.app.form_open or not self.live or self.access_ended:
            return
        if version != self.version or self.pending:
            self.version = version
            self.pending = False
            self.load()

    def _follow_changes(self, version: int) -> None:
        """The changes since the panes on screen: nothing when none is shown here (an audit row,
        another caregiver's errand), else followed in a worker."""
        if self._reading.locked() or self._following:
            return  # a read under way: the next poll follows what it did not see
        try:
            newest = follow.newest(self.reader_ctx)
        except BccError:
            return  # the reader is busy: the next poll asks again
        self.version = version
        if newest <= self._current_seq():
            return  # a write that changed nothing anyone sees (an audit row): nothing to read
        if self.detail_ref is None and self.last_data is not None:
            try:
                unseen = follow.unseen(self.reader_ctx, self.last_data, self._current_seq())
            except BccError:
                unseen = None
            if unseen is not None:
                self._seen = (self.last_data, unseen)  # another caregiver's errand: not ours
                return
        self._following = True
        self.app.run_worker(self._follow, name="follow", group="follow", thread=True)

    def _look_around(self, version: int) -> None:
        """What a commit may change besides the panes: the person's access, a caregiver's news
        (R23, also while a form is open), the open form's errand, the screen on top (R31)."""
        if version != self._identity_version and self.check_identity():
            self._identity_version = version
        if self.live and self._news_after is not None and version != self._news_version:
            self._news_version = version
            self.check_news()
        if self.app.form_open and version != self._form_version:
            self._form_version = version
            self.check_form()
        if not self.live and not self.access_ended and version != self._follow_version:
            # No panes (an administrator, an auditor): the screen on top follows by itself (R31).
            self._follow_version = version
            self.app.follow_top()

    def _may_follow(self) -> bool:
        """Whether the changes may be followed rather than everything read again."""
        return (
            self.last_data is not None
            and not self.pending
            and not self._unlogged
            and self.search is None
            and self.shown_search is None
            and self._prefetch is None
            and not isinstance(self.app.top(), FollowsChanges)  # it reads again at every change
        )

    def _current_seq(self, base: Panes | None = None) -> int:
        """The change the panes on screen (or `base`) are current to."""
        base = base or self.last_data
        if base is None:
            return 0
        seen = self._seen
        return seen[1] if seen is not None and seen[0] is base else base.seq

    def _follow(self) -> None:
        """The changes since the panes on screen, in a worker: drawn only when they change what
        the panes or the open errand show."""
        posted = False
        self._news_due = None
        try:
            posted = self._follow_now()
        finally:
            if not posted:
                self._following = False
            if self._news_due is not None:
                self.app.post_message(self._news_due)

    def _follow_now(self) -> bool:
        """Whether a read was posted to be drawn (it ends the following when it is)."""
        with self._reading:
            base = self.last_data
            if base is None:
                return False
            seq = self._current_seq(base)
            read = next(self._reads)
            try:
                found = follow.follow(
                    self.reader_ctx, base, seq=seq, limits=self.limits, detail_ref=self.detail_ref
                )
            except Busy:
                self.pending = True  # the next poll, soon, reads everything
                self.app.call_from_thread(self.app.look_again_soon)
                return False
            except BccError as err:
                self.app.call_from_thread(self.app.notify, str(err), severity="error", markup=False)
                return False
            if found.staff:
                self.app.call_from_thread(self.check_identity)
            news, after = None, self._news_after
            if found.news and after is not None:
                with suppress(BccError):  # then read again on the UI thread
                    news = errands.news(self.reader_ctx, after)
                self._news_due = NewsDue(news, after)  # unless it goes with rows drawn, below
            if found.again:
                self._load_now(counted=True)
                return False
            detail, lost = None, None
            ref = self.detail_ref
            if found.detail and ref:
                try:
                    detail = errands.show_errand(self.reader_ctx, ref, audited=False)
                except (NotAllowed, NotFound) as err:
                    lost = err.for_ui()
                except BccError:
                    self.pending = True
                    return False
            if found.data is None and detail is None and lost is None:
                self._seen = (base, found.seq)  # nothing on screen changed: nothing is drawn
                return False
            # Current to the newer change, but not its load (a count it did not follow).
            data = found.data or replace(base, seq=found.seq, load=None)
            fetched = Fetched(
                data, detail, self.version or 0, read, lost=lost, base=base, news=news, news_after=after
            )
            if news is not None:
                self._news_due = None
            return self.app.post_message(PanesFetched(fetched))

    def day_changed(self) -> None:
        if self.live:
            self.request_reload()
        else:
            self.app.follow_top()

    def request_reload(self) -> None:
        if not self.live:
            return
        self.pending = True
        if not self.app.form_open:
            self.poll()

    def check_identity(self) -> bool:
        """Whether the check ran. A person set inactive, or whose roles changed, is shown one
        plain line and the session ends, also with a form open (nothing more is saved in their
        name)."""
        try:
            why = identity.still_allowed(self.reader, self.ctx.actor)
        except BccError:
            return False
        if why is not None and not self.access_ended:
            self.access_ended = True
            self.app.exit(return_code=1, message=Text(why))
        return True

    def check_news(self, announce: bool = True) -> None:
        """R23: say so when someone else assigns or reassigns an errand to me, or reminds me, in
        the screen's announcement box (widgets/announcement.py: not a toast of Textual's, which
        cost a whole layout to show and another to take away). Separate from the panes' fetch:
        only the events since the last look are read."""
        try:
            found = errands.news(self.ctx, None if not announce else self._news_after)
        except BccError:
            return
        if not announce:
            # Mounted now, after the first paint, so that no announcement pays for it.
            self.app.call_after_refresh(lambda: announcement.box(self.app.screen))
        self._say(found)

    def check_acute(self, announce: bool = True) -> None:
        """R11: a new errand with acute signs, said at once to a receiver, with the bell, on
        whatever screen is on top (an errand open, a form being written) and whatever the panes'
        filter: at 60×20 Ofördelade shows two rows, and a new one sorts below the acute errands
        already pinned, out of sight. Those there at the start are on screen, not news."""
        try:
            found = errands.acute_arrivals(self.ctx, None if not announce else self._acute_after)
        except BccError:
            return
        self._acute_after = found.last
        if not found.items:
            return
        box = announcement.box(self.app.screen)
        for ref, categories in found.items:
            shown = render.safe(ref, one_line=True).plain
            room = announcement.line_room(self.app.size.width) - len(shown) - 2  # one line each
            box.add(f"{shown}: {categories_in(categories, max(12, room))}", acute=True)
        if self.app.bell_on:
            self.app.bell()

    def announce(self, found: News, after: int | None) -> None:
        """The news a followed read brought (Fetched.news), read from `after`: said unless the
        news was looked at meanwhile, which it is then again from where that look left off."""
        if after != self._news_after:
            self.check_news()
            return
        self._say(found)

    def _say(self, found: News) -> None:
        """The news is seen up to `found.last`; each item in the box, and the bell once."""
        self._news_after = found.last
        dashboard = self.app.dashboard
        mine = dashboard.pane_title(e.ASSIGNED) if dashboard is not None else "Mina ärenden"
        for kind, ref, signs in found.items:
            shown = render.safe(ref, one_line=True).plain
            box = announcement.box(self.app.screen)
            said = (
                f"Påminnelse till dig: {shown} väntar på svar"
                if kind == e.REMIND
                else f"Nytt ärende till dig: {shown}"
            )
            if signs:
                # R11: an errand with acute signs given to me is said to be one, in red, with its
                # signs, as a receiver is told of it when it comes.
                room = announcement.line_room(self.app.size.width) - len(said) - 2  # one line each
                box.add(f"{said}: {categories_in(signs, max(12, room))}", acute=True, pinned_in=mine)
            else:
                box.add(said, reminder=kind == e.REMIND)
        if found.items and self.app.bell_on:
            self.app.bell()

    def check_form(self) -> None:
        """A form open on an errand that someone else changed meanwhile (reassigned it, closed it):
        the form says so at once; what was typed stays, as a draft (R21, R31)."""
        from bcc_tui.ui.screens.forms import Form  # forms are loaded when first opened

        form = self.app.top()  # None while the app closes: a poll may still come then
        if not isinstance(form, Form) or form.watched is None:
            return
        ref, version, assignee, status = form.watched
        try:
            now = errands.show_errand(self.reader_ctx, ref, audited=False).summary
        except (NotAllowed, NotFound) as err:
            form.stale(f"Ärendet är inte längre ditt: {err.for_ui()}")
            return
        except BccError:
            return
        if now.version == version:
            return
        if now.status == e.CLOSED and status != e.CLOSED:
            form.stale("Ärendet har avslutats av någon annan under tiden")
        elif now.assignee != assignee:
            names = self.last_data.names if self.last_data else {}
            holder = names.get(now.assignee, now.assignee) if now.assignee else "ingen"
            form.stale(f"Ärendet har fördelats om till {holder} under tiden")

    def close(self) -> None:
        self.reader.close()
        if self._counter is not None:
            self._counter.interrupt()  # a count under way would hold the close until it ends
            self._counter.close()
