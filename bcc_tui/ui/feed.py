"""The dashboard's data feed: the one way the panes are read.

Every read of the panes goes through `Feed.fetch()`: the audit row a list owes (R15), then the
panes and the open errand's detail, on a connection of the feed's own. The first fetch starts in
a thread before Textual is up; later ones run in a thread worker and reach the screen as a
`PanesFetched` message (Dolphie's split: fetching apart from rendering); after the person's own
change `reload_now` fetches on the spot. Changes by other processes are noticed by polling
PRAGMA data_version; nothing refreshes while a form is open, and an automatic refresh is never
an audited read.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.message import Message

from bcc_tui.domain import errand as e
from bcc_tui.domain import roles
from bcc_tui.domain.errors import BccError, Busy, NotAllowed, NotFound
from bcc_tui.domain.text import clean_line
from bcc_tui.services import errands, identity
from bcc_tui.services.context import Ctx
from bcc_tui.services.errands import Panes
from bcc_tui.services.session import Store
from bcc_tui.services.views import ErrandDetail
from bcc_tui.ui import render

if TYPE_CHECKING:
    from bcc_tui.ui.app import BccApp

PAGE = errands.PAGE  # rows each pane asks for at first, and more each time the cursor nears the end
# R15: a list or a view is shown only after its audit row is written; while the database is busy
# the person is told so and the read is tried again.
BUSY_READ = "Databasen är upptagen, försöker igen …"
MAX_FILTER = 200


@dataclass(frozen=True)
class Fetched:
    """One read of what the dashboard shows; `version` is the file's data_version seen before it."""

    data: Panes
    detail: ErrandDetail | None
    version: int
    seq: int = 0  # the order reads began in: a read begun earlier never replaces a later one
    lost: str | None = None  # the open errand can no longer be read by this person: why


class PanesFetched(Message):
    """A worker's read, handed to the UI thread for rendering."""

    def __init__(self, fetched: Fetched) -> None:
        super().__init__()
        self.fetched = fetched


class Feed:
    def __init__(self, app: BccApp, ctx: Ctx) -> None:
        self.app = app
        self.ctx = ctx
        # A connection of its own: reads never wait on the UI thread's connection.
        self.reader = Store(ctx.store.path)
        self.reader_ctx = Ctx(self.reader, ctx.actor, ctx.clock)
        self.last_data: Panes | None = None
        self.search: str | None = None
        self.limits: dict[str, int] = {}  # per pane, once the person has paged further than PAGE
        self.version: int | None = None
        self.pending = False
        self.detail_ref: str | None = None  # the errand open on screen, refreshed with the panes
        self.access_ended = False  # the person's access ended: the app is on its way out
        # The audit row owed before the panes may show ("dashboard", filter); None when written.
        self._unlogged: tuple[str, str | None] | None = ("dashboard", None)
        self._busy_told = False
        self._identity_version: int | None = None
        # R23: the newest event seen for "a new errand for you", looked at when the file changed.
        self._news_after: int | None = None
        self._news_version: int | None = None
        self._first: list[Fetched | BccError] = []
        self._reads = itertools.count(1)
        self._drawn_seq = 0
        self._prefetch: threading.Thread | None = None
        self._form_version: int | None = None
        self._follow_version: int | None = None

    @property
    def live(self) -> bool:
        """Whether there are panes to feed (administrators and auditors have none)."""
        return self.app.dashboard is not None

    # -- the one fetch path ------------------------------------------------------------------
    def fetch(self) -> Fetched:
        """Write the audit row a list owes, then read the panes and the open errand. Raises
        Busy or BccError; nothing is shown of a list whose row could not be written."""
        seq = next(self._reads)
        owed = self._unlogged
        if owed is not None:
            errands.log_list(self.reader_ctx, *owed)
            if self._unlogged == owed:
                self._unlogged = None
        # Seen after our own audit row, so that row does not count as someone else's change.
        version = self.reader.data_version()
        data = errands.panes(self.reader_ctx, limits=self.limits, search=self.search)
        ref = self.detail_ref
        detail, lost = None, None
        if ref:
            try:
                detail = errands.show_errand(self.reader_ctx, ref, audited=False)
            except (NotAllowed, NotFound) as err:
                lost = err.for_ui()  # reassigned away from a caregiver, say: the panes still show
        return Fetched(data, detail, version, seq, lost)

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
            self.app.apply(first.data, None)
            return
        self.load()

    def load(self) -> None:
        self.app.run_worker(self._load, name="load", group="load", thread=True, exclusive=True)

    def _load(self) -> None:
        first = self._take_first(timeout=None)
        if first is not None:
            self.app.post_message(PanesFetched(first))
            return
        try:
            fetched = self.fetch()
        except Busy:
            self.pending = True  # poll() tries again
            if self._unlogged is not None:
                self.app.call_from_thread(self.tell_busy)
            return
        except BccError as err:
            self.app.call_from_thread(self.app.notify, str(err), severity="error", markup=False)
            return
        self.app.post_message(PanesFetched(fetched))

    def tell_busy(self) -> None:
        if not self._busy_told:
            self._busy_told = True
            self.app.notify(BUSY_READ, title="Upptagen", severity="warning", timeout=8, markup=False)

    def accept(self, fetched: Fetched) -> bool:
        """Whether `fetched` may be drawn: a worker's read that began before the one on screen (a
        poll overtaken by the person's own change) would put old rows back and stay there."""
        if fetched.seq < self._drawn_seq:
            return False
        self._drawn_seq = fetched.seq
        return True

    def shown(self, data: Panes) -> None:
        """The app has drawn `data`."""
        self._busy_told = False
        self.last_data = data

    def reload_now(self, keep_position: bool = False) -> None:
        """After the person's own change: show it at once, not after a worker's round trip.
        With keep_position the cursor stays on the same row number, so a row that moved
        (an answered or urgent errand) does not take the person's place with it."""
        dashboard = self.app.dashboard
        if dashboard is None or self.app.form_open or self._unlogged is not None:
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
        self.app.apply(fetched.data, fetched.detail, fetched.lost)
        if keep_position and table is not None and table.order and row is not None:
            table.move_cursor(row=min(row, len(table.order) - 1), animate=False)

    # -- what changes the fetch --------------------------------------------------------------
    def set_filter(self, text: str | None) -> None:
        # What was typed or pasted, made storable and searchable: SQLite refuses a lone surrogate
        # and a LIKE pattern beyond 50,000 bytes.
        text = clean_line(text or "").strip() or None
        if text is not None and len(text) > MAX_FILTER:
            self.app.notify(
                f"Filtret är för långt (högst {MAX_FILTER} tecken).", severity="error", markup=False
            )
            return
        self.search = text
        self.limits = {}
        if text:
            self._unlogged = ("dashboard", text)  # written by the fetch before the result shows
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

    def open_errand(self, ref: str) -> ErrandDetail:
        """An errand the person opens; it is then refreshed with the panes."""
        detail = self.read_errand(ref)
        self.detail_ref = ref
        return detail

    def reread_errand(self, ref: str) -> ErrandDetail:
        """The same errand again, after it changed: a live update of what is on screen, not a new
        access (R15), so nothing is logged."""
        return errands.show_errand(self.ctx, ref, audited=False)

    # -- noticing changes --------------------------------------------------------------------
    def poll(self) -> None:
        """Reload when another connection committed; never while a form is open."""
        try:
            version = self.reader.data_version(wait=False)
        except BccError:
            return  # the reader is busy in a worker: the next poll asks again
        if version != self._identity_version and self.check_identity():
            self._identity_version = version
        # R23: news for a caregiver is checked even while a form is open.
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
        if self.app.form_open or not self.live or self.access_ended:
            return
        if version != self.version or self.pending:
            self.version = version
            self.pending = False
            self.load()

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
                self.app.notify(
                    f"Påminnelse till dig: {shown} väntar på svar",
                    title="Påminnelse",
                    severity="warning",
                    timeout=15,
                    markup=False,
                )
            else:
                self.app.notify(
                    f"Nytt ärende till dig: {shown}", title="Nytt ärende", timeout=15, markup=False
                )
        if found.items and self.app.bell_on:
            self.app.bell()

    def check_form(self) -> None:
        """A form open on an errand that someone else changed meanwhile (reassigned it, closed it):
        the form says so at once; what was typed stays, as a draft (R21, R31)."""
        from bcc_tui.ui.screens.forms import Form  # forms are loaded when first opened

        form = self.app.screen
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
