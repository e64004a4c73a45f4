"""What every use case receives: the store, the acting person and the clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from sqlite3 import Connection

from bcc_tui.domain import errand as e
from bcc_tui.domain import roles
from bcc_tui.domain.business_days import local_date
from bcc_tui.domain.errors import BccError, Busy, InvalidInput, NotAllowed
from bcc_tui.domain.exports import neutralised
from bcc_tui.domain.roles import Actor
from bcc_tui.domain.text import clean
from bcc_tui.domain.validation import format_utc
from bcc_tui.services.clock import Clock, SystemClock
from bcc_tui.store import audit
from bcc_tui.store import errands as errands_q
from bcc_tui.store.db import Store
from bcc_tui.store.errands import Errand


@dataclass
class Ctx:
    store: Store
    actor: Actor
    clock: Clock = field(default_factory=SystemClock)

    def now(self) -> dt.datetime:
        return self.clock.now()

    def now_text(self) -> str:
        return format_utc(self.clock.now())

    def today(self) -> dt.date:
        return local_date(self.clock.now())

    def entry(
        self,
        action: str,
        ref: str | None = None,
        personnummer: str | None = None,
        outcome: str = "ok",
        detail: str = "",
        data: dict | None = None,
    ) -> audit.Entry:
        # A ref or personnummer may be what someone typed (a refusal logs it as typed): the log
        # keeps its shown form — a real reference as it is; anything else without control
        # characters, cut, and neutralised as a spreadsheet cell (`=cmd|…` as `'=cmd|…`) — so
        # that reading or exporting the log can neither drive a terminal nor run a formula.
        return audit.Entry(
            self.now_text(),
            self.actor.username,
            self.actor.role_label,
            action,
            e.shown_ref(ref) if ref is not None else None,
            e.shown_ref(personnummer) if personnummer is not None else None,
            outcome,
            clean(detail),
            # For machines, kept exactly (never shown): what replaying the log needs (issue 28).
            audit.dump_data(data) if data is not None else None,
        )

    @contextmanager
    def change(self, action: str, ref: str | None = None) -> Iterator[Connection]:
        """A write transaction whose refusal is itself logged (R15) in a transaction of its own."""
        try:
            with self.store.write() as conn:
                yield conn
        except Busy:
            raise
        except BccError as err:
            self.log_refusal(action, ref, str(err))
            raise

    def log_refusal(self, action: str, ref: str | None, why: str) -> None:
        """The refusal's row: who, the action, the reference as typed (its shown form) and the
        reason. The patient is named only when the errand is one the person may see: a refusal
        of an errand they may not see (or that does not exist) reads the same in the log."""
        try:
            with self.store.write() as conn:
                pnr = None
                if ref:
                    row = visible_row(self, conn, ref, action)
                    pnr = row.personnummer if row is not None else None
                audit.append(conn, [self.entry(action, ref, pnr, "refused", neutralised(why))])
        except Busy:
            pass  # the refusal stands; the person is told, the log row waits for no one


def visible_row(ctx: Ctx, conn: Connection, ref: str, action: str | None = None) -> Errand | None:
    """The errand `ref` if the person may see it when taking `action` (None: reading it), else
    None — whether it does not exist or is not theirs to see (roles.sight)."""
    sees = roles.sight(ctx.actor, action)
    if not sees.every and sees.own is None:
        return None
    row = errands_q.by_ref(conn, ref)
    if row is None or sees.own is None:
        return row
    return row if errands_q.involves(conn, row.id, sees.own) else None


def seen_errand(ctx: Ctx, conn: Connection, ref: str, action: str | None = None) -> Errand:
    """`visible_row`, or the one refusal for an errand that does not exist and one the person may
    not see (roles.unseen): the same words, the same log row, so no reference is an oracle. Ask
    what does not depend on the errand (roles.check_act) before, and what does after."""
    row = visible_row(ctx, conn, ref, action)
    if row is None:
        raise roles.unseen(ref)
    return row


def require(
    ctx: Ctx, action: str, ref: str | None = None, *, what: str | None = None, logged_as: str | None = None
) -> None:
    """The one permission check of the services (roles.PERMISSIONS): a refusal is logged (R15)
    as `logged_as` (default: the action) and raised. The system actor's refusals are not logged:
    it is no person."""
    try:
        roles.check(ctx.actor, action, what)
    except NotAllowed as err:
        if not ctx.actor.is_system:
            ctx.log_refusal(logged_as or action, ref, str(err))
        raise


def period(start: dt.date | None, end: dt.date | None) -> None:
    """A period asked for (statistics, the audit log) ends on or after its start: the log's
    --from after --to printed nothing, as if nothing had happened, where the statistics refused."""
    if start is not None and end is not None and end < start:
        raise InvalidInput("--to ligger före --from")
