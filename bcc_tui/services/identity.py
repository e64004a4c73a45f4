"""Who is acting (docs/routine.md 4.3): from the process's uid, never from $USER."""

from __future__ import annotations

import os
import pwd
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NoReturn

from bcc_tui.domain.errors import NotAllowed
from bcc_tui.domain.roles import SYSTEM_ACTOR, Actor
from bcc_tui.services.clock import Clock
from bcc_tui.services.context import Ctx
from bcc_tui.services.people import actor_from_row
from bcc_tui.settings import sudo_person
from bcc_tui.store import audit
from bcc_tui.store import staff as q
from bcc_tui.store.db import Store


@dataclass(frozen=True)
class Account:
    """The operating-system side of identity, read once at start."""

    uid: int
    name: str
    owner_uid: int
    sudo_user: str | None

    @property
    def is_owner(self) -> bool:
        return self.uid == self.owner_uid

    @property
    def trusted(self) -> bool:
        """The service account itself (not reached through sudo): may name the person."""
        return self.is_owner and not self.sudo_user


def account(db_path: str | os.PathLike, environ: Mapping[str, str] | None = None) -> Account:
    env = os.environ if environ is None else environ
    uid = os.getuid()
    try:
        name = pwd.getpwuid(uid).pw_name
    except KeyError:
        name = str(uid)
    try:
        owner = os.stat(db_path).st_uid
    except FileNotFoundError:
        owner = uid  # the process about to create the file will own it
    return Account(uid, name, owner, sudo_person(env))


def resolve(store: Store, acct: Account, as_user: str | None, ctx_clock: Clock) -> Actor:
    """The acting person, or a refusal (logged) when there is none the process may act as."""
    if as_user is not None and not acct.trusted:
        why = (
            ("--as är inte tillåtet via sudo; du är " + acct.sudo_user)
            if acct.sudo_user
            else (f"--as är bara tillåtet för databasens ägare; du är {acct.name}")
        )
        _refuse(store, acct.sudo_user or acct.name, why, ctx_clock)
    if acct.trusted and as_user is None:
        # The service account itself is the system (its jobs: intake, mail, backups), whatever
        # the staff list says: a staff line named like the account made every job act as that
        # person, refused or inactive, and nothing but SQL undid it (a hostile trial).
        return SYSTEM_ACTOR
    if acct.is_owner and acct.sudo_user:
        username = acct.sudo_user
    elif acct.trusted:
        username = as_user or acct.name
    else:
        username = acct.name
    with store.read() as conn:
        row = q.by_username(conn, username)
    if row is None:
        _refuse(
            store, username, f"{username} finns inte i personallistan och får inte använda bcc-tui", ctx_clock
        )
    if not row.active:
        _refuse(store, username, f"{username} är inte längre aktiv och får inte använda bcc-tui", ctx_clock)
    return actor_from_row(row)


def _refuse(store: Store, who: str, why: str, clock: Clock) -> NoReturn:
    ctx = Ctx(store, Actor(who, who, "", frozenset()), clock)
    try:
        with store.write() as conn:
            audit.append(conn, [ctx.entry("login", outcome="refused", detail=why)])
    finally:
        raise NotAllowed(why)


def still_allowed(store: Store, actor: Actor) -> str | None:
    """Offboarding ends access (issue 18): None while the person may go on as they started;
    otherwise the plain reason an open session must close. A change of roles closes it too, since
    what the screen shows was chosen by the roles it started with."""
    if actor.is_system:
        return None
    with store.read() as conn:
        row = q.by_username(conn, actor.username)
    if row is None or not row.active:
        return "Du är inte längre aktiv i bcc-tui; instrumentpanelen stängs."
    if actor_from_row(row).roles != actor.roles:
        return "Din behörighet i bcc-tui har ändrats; instrumentpanelen stängs. Starta den igen."
    return None
