"""`bcc-tui migrate` (issue 31): the one way an existing database is brought forward to this
program's schema. Every other command refuses a file at an older schema and names this one
(services/session.py).

First a verified backup (services/backup.py: SQLite's online backup, checked, linked into place),
so that the way back is a file that exists before anything changed; then the migrations in short
transactions (store/schema.py, `upgrade`: no write lock held for long, a mark in the file that
stops every process of the old version from reading or writing it); then one audit row. An
interrupted run is taken up where it stopped by the next.

Only the database's owner, acting as the system, migrates (the service account: `bcc-admin
migrate`): an upgrade is the operator's step, and an older schema's staff table is not one this
program reads people from.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bcc_tui.domain.errors import NotAllowed, NotFound
from bcc_tui.domain.roles import SYSTEM_ACTOR
from bcc_tui.domain.text import count
from bcc_tui.domain.validation import format_utc
from bcc_tui.services import backup, identity
from bcc_tui.services.clock import Clock
from bcc_tui.services.context import Ctx
from bcc_tui.store import audit, schema
from bcc_tui.store.db import Store

Step = schema.Step


@dataclass
class Migrated:
    before: int  # the schema version the file was at
    after: int
    created: bool = False  # an empty file was set up: nothing to back up
    resumed: int | None = None  # statements of an interrupted run that were already done
    backup: dict | None = None  # services.backup.backup's result
    steps: list[Step] = field(default_factory=list)

    @property
    def longest_lock(self) -> float:
        return max((s.longest_lock for s in self.steps), default=0.0)


def migrate(
    path: str | os.PathLike,
    clock: Clock,
    backup_to: str | os.PathLike | None = None,
    *,
    on_backup: Callable[[dict], None] | None = None,
    on_step: Callable[[Step], None] | None = None,
) -> Migrated:
    """Back up, then migrate the file at `path`; `on_backup` and `on_step` hear of each part as it
    is done. `backup_to`: a new file or a folder (default: the database's own folder)."""
    acct = identity.account(path)
    if not acct.trusted:
        raise NotAllowed(
            f"bcc-tui migrate körs av databasens ägare (tjänstekontot, t.ex. bcc-admin migrate); du är "
            f"{acct.sudo_user or acct.name}"
        )
    if not Path(path).is_file():
        raise NotFound(f"databasen {path} finns inte (ange --db eller $BCC_DB)")
    store = Store(path)
    try:
        now = schema.status(store)
        if now.empty:
            schema.create(store)
            return Migrated(0, now.target, created=True)
        if now.up_to_date:
            return Migrated(now.at, now.at)
        ctx = Ctx(store, SYSTEM_ACTOR, clock)
        done = None
        if now.partway is None:
            # Its audit row is written after the migration, with migrate's own (below): the old
            # schema is not this program's to write to.
            done = backup.backup(
                ctx, backup_to if backup_to is not None else f"{Path(path).parent}{os.sep}", logged=False
            )
            if on_backup is not None:
                on_backup(done)
        # else: an interrupted run is taken up; its backup, made before the file was first
        # marked, is the way back (a copy of a file part-way through would be none).
        steps = schema.upgrade(store, on_step=on_step, now=format_utc(clock.now()))
        store.schema_version = now.target
        result = Migrated(now.at, now.target, resumed=now.partway, backup=done, steps=steps)
        with store.write() as conn:
            audit.append(
                conn,
                (
                    [
                        ctx.entry(
                            "backup",
                            detail=f"{count(done['errands'], 'ärende', 'ärenden')} till {done['path']}",
                        )
                    ]
                    if done
                    else []
                )
                + [
                    ctx.entry(
                        "migrate",
                        detail=f"schemaversion {now.at} → {now.target}; "
                        + (f"säkerhetskopia {done['path']}" if done else "avbruten migrering slutförd")
                        + f"; längsta skrivlås {result.longest_lock:.2f} s",
                    )
                ],
            )
        return result
    finally:
        store.close()
