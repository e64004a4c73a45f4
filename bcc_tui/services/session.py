"""Opening the database for a command or a dashboard: the file, its schema checked, and the
person on whose behalf everything then runs.

A file at this program's schema is used as it is; an empty one gets the schema (the first
`import`, `staff import` or `demo` sets a database up). A file at an older schema is refused with
the one line that names `bcc-tui migrate`, which alone brings a database forward, after a
verified backup (services/migration.py): an upgrade is a step someone takes, never a side effect
of the next command. The command line and the dashboard reach the
store only through the services; `Store` is named here for their annotations and their own
second connection (the dashboard's reader)."""

from __future__ import annotations

import datetime as dt
import os

from bcc_tui.domain import roles
from bcc_tui.domain.errors import InvalidInput
from bcc_tui.domain.validation import format_utc
from bcc_tui.services import acute, batches, clinic, identity
from bcc_tui.services.clock import FixedClock, SystemClock
from bcc_tui.services.context import Ctx
from bcc_tui.store import audit, schema
from bcc_tui.store.db import Store

__all__ = ["Store", "open_current", "open_session", "open_store"]


def open_store(path: str | os.PathLike) -> Store:
    """A connection to the file as it is (no migration): for looking before deciding."""
    return Store(path)


def behind(path: str | os.PathLike, now: schema.Status) -> InvalidInput:
    """The refusal of a file at an older schema (or part-way through a migration)."""
    if now.partway is not None:
        return InvalidInput(
            f"databasen {path} är mitt i en uppgradering (schemaversion {now.at} → {now.at + 1}); "
            "kör bcc-tui migrate för att slutföra den"
        )
    return InvalidInput(
        f"databasen {path} har schemaversion {now.at}, den här versionen av bcc-tui behöver "
        f"{now.target}; kör bcc-tui migrate (den tar en kontrollerad säkerhetskopia först)"
    )


def open_current(path: str | os.PathLike, *, migrate: bool = False, now: dt.datetime | None = None) -> Store:
    """A connection to a file at this program's schema: an empty file is set up, an older one
    refused (`migrate`: brought forward, for a private copy nobody else has open, as a restore's;
    `now`: the time of the baseline row an upgrade writes, default the system clock). Every
    transaction on it then checks that the schema is still this one (store/db.py)."""
    store = Store(path)
    when = format_utc(now) if now is not None else None
    try:
        found = schema.status(store)
        if found.empty:
            schema.create(store, now=when)
        elif not found.up_to_date:
            if not migrate:
                raise behind(path, found)
            schema.upgrade(store, now=when)
        store.schema_version = found.target
    except BaseException:
        store.close()
        raise
    return store


def open_session(
    path: str | os.PathLike, as_user: str | None, frozen_now: dt.datetime | None, *, migrate: bool = False
) -> Ctx:
    """The database at this program's schema (open_current) and the acting person resolved
    (identity.resolve: the account, or `as_user` where the account may act as another). A frozen clock is honoured only for a trusted
    account (tests and demos), never to backdate a real person's actions."""
    acct = identity.account(path)
    clock = FixedClock(frozen_now) if frozen_now and acct.trusted else SystemClock()
    store = open_current(path, migrate=migrate, now=clock.now())
    try:
        if isinstance(clock, FixedClock):
            _not_before_the_log(store, clock.now())
        actor = identity.resolve(store, acct, as_user, clock)
        catch_up(Ctx(store, roles.SYSTEM_ACTOR, clock))
    except BaseException:
        store.close()
        raise
    return Ctx(store, actor, clock)


def _not_before_the_log(store: Store, now: dt.datetime) -> None:
    """A frozen clock (BCC_NOW) behind the audit log's newest row: every row it wrote would be
    dated before the one it follows, and `check` would fail for good (an attacker's trial:
    BCC_NOW=1970-01-01). The log keeps the true moments; such a clock is refused."""
    with store.read() as conn:
        last = audit.last_at(conn)
    if last is not None and format_utc(now) < last:
        raise InvalidInput(
            f"BCC_NOW ({format_utc(now)}) ligger före granskningsloggens senaste rad ({last}); "
            "loggen går aldrig bakåt"
        )


def catch_up(ctx: Ctx) -> None:
    """What a new version or a setting asks of the data before anyone reads it: open errands
        screened with today's acute-sign rules (R11), and due dates that follow their types' days
        (R14). Usually two reads that find nothing to do; after an upgrade, or a change whose batches
        were cut short (services/batches.py), the system finishes it, in short transactions. A change
    that a live process is carrying right now is left to it: readers meanwhile show the rule's due
    dates (clinic.due_days), and the command need not wait for the whole change."""
    if acute.stale(ctx) and not batches.worked_on_now(ctx, acute.SCREENED_KEY):
        acute.rescreen(ctx)
    if clinic.dues_stale(ctx) and not batches.worked_on_now(ctx, clinic.DUES_KEY):
        clinic.redate(ctx)
