"""What every use case receives: the store, the acting person and the clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from sqlite3 import Connection

from bcc_tui.domain import roles
from bcc_tui.domain.business_days import local_date
from bcc_tui.domain.errors import BccError, Busy, NotAllowed
from bcc_tui.domain.roles import Actor
from bcc_tui.domain.text import clean, clean_line
from bcc_tui.domain.validation import format_utc
from bcc_tui.services.clock import Clock, SystemClock
from bcc_tui.store import audit
from bcc_tui.store import errands as errands_q
from bcc_tui.store.db import Store


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
    ) -> audit.Entry:
        # A ref or personnummer may be what someone typed (a refusal logs it as typed): the log
        # keeps it without control characters, so that reading the log cannot drive a terminal.
        return audit.Entry(
            self.now_text(),
            self.actor.username,
            self.actor.role_label,
            action,
            clean_line(ref) if ref is not None else None,
            clean_line(personnummer) if personnummer is not None else None,
            outcome,
            clean(detail),
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
        try:
            with self.store.write() as conn:
                pnr = None
                if ref:
                    ref = clean_line(ref)
                    pnr = errands_q.personnummer_of(conn, ref)
                audit.append(conn, [self.entry(action, ref, pnr, "refused", why)])
        except Busy:
            pass  # the refusal stands; the person is told, the log row waits for no one


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
