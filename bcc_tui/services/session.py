"""Opening the database for a command or a dashboard: the file, its schema brought up to date, and
the person on whose behalf everything then runs. The command line and the dashboard reach the
store only through the services; `Store` is named here for their annotations and their own
second connection (the dashboard's reader)."""

from __future__ import annotations

import datetime as dt
import os

from bcc_tui.domain import roles
from bcc_tui.domain.validation import format_utc
from bcc_tui.services import acute, batches, clinic, identity
from bcc_tui.services.clock import FixedClock, SystemClock
from bcc_tui.services.context import Ctx
from bcc_tui.store import schema
from bcc_tui.store.db import Store

__all__ = ["Store", "open_migrated", "open_session", "open_store"]


def open_store(path: str | os.PathLike) -> Store:
    """A connection to the file as it is (no migration): for looking before deciding."""
    return Store(path)


def open_migrated(path: str | os.PathLike, now: dt.datetime | None = None) -> Store:
    """A connection to the file with the schema brought up to this program's version (`now`: the
    time of a baseline row an upgrade writes; default the system clock)."""
    store = Store(path)
    try:
        schema.migrate(store, now=format_utc(now) if now is not None else None)
    except BaseException:
        store.close()
        raise
    return store


def open_session(path: str | os.PathLike, as_user: str | None, frozen_now: dt.datetime | None) -> Ctx:
    """The database migrated and the acting person resolved (identity.resolve: the account, or
    `as_user` where the account may act as another). A frozen clock is honoured only for a trusted
    account (tests and demos), never to backdate a real person's actions."""
    acct = identity.account(path)
    clock = FixedClock(frozen_now) if frozen_now and acct.trusted else SystemClock()
    store = open_migrated(path, clock.now())
    try:
        actor = identity.resolve(store, acct, as_user, clock)
        catch_up(Ctx(store, roles.SYSTEM_ACTOR, clock))
    except BaseException:
        store.close()
        raise
    return Ctx(store, actor, clock)


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
