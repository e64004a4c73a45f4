"""A verified, consistent copy of the live database (issue 8).

SQLite's online backup copies a consistent snapshot while others keep writing; the copy is
checked (integrity, foreign keys, the audit chain) before it is linked into place (see
services/destination.py), so DEST is either absent or a whole, verified new file — never half a
backup, and never anything that was there before.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from contextlib import closing

from bcc_tui.domain.errors import InvalidInput
from bcc_tui.domain.text import count
from bcc_tui.services import audit_log, destination
from bcc_tui.services.context import Ctx, require
from bcc_tui.store import audit, audit_queries

# The program's own time-named backups in a folder: the only files `--keep` ever removes.
BACKUP_NAME = re.compile(r"bcc-\d{8}T\d{6}Z\.db")


def backup_name(moment: dt.datetime) -> str:
    return f"bcc-{moment.astimezone(dt.UTC).strftime('%Y%m%dT%H%M%SZ')}.db"


def backup(ctx: Ctx, dest: str | os.PathLike, keep: int | None = None, *, logged: bool = True) -> dict:
    """`logged=False`: the caller writes the audit row itself (bcc-tui migrate, whose live file
    is at an older schema, one this program does not write to)."""
    require(ctx, "backup")
    if keep is not None and keep < 1:
        raise InvalidInput("--keep ska vara minst 1")
    into_folder = os.fspath(dest).endswith(os.sep) or os.path.isdir(dest)
    if keep is not None and not into_folder:
        raise InvalidInput("--keep gäller bara när målet är en mapp")
    with destination.new_file(dest, name_in_folder=backup_name(ctx.now()), protect=[ctx.store.path]) as new:
        with closing(ctx.store.copy_into(new.tmp)) as target:
            # An object no migration made (a trigger named sqlite_…, written through
            # writable_schema) would be carried into the copy and be live in whatever is
            # restored from it: the copy is refused, and nothing is written anywhere (the
            # live database's triggers would run on a row written to its log).
            refusal = audit_log.schema_refusal(target)
            if refusal is not None:
                raise InvalidInput(f"säkerhetskopian skrevs inte: {refusal}; kör bcc-tui check")
            problems = audit_queries.integrity(target) + audit.verify(target)
            rows = audit_queries.errand_count(target)
        if problems:
            raise InvalidInput("säkerhetskopian klarade inte kontrollen: " + "; ".join(problems[:3]))
    pruned = (
        destination.prune(
            new.path.parent, BACKUP_NAME, keep, spare=new.path.name, magic=b"SQLite format 3\x00"
        )
        if keep is not None
        else []
    )
    detail = f"{count(rows, 'ärende', 'ärenden')} till {new.path}" + (
        f"; {count(len(pruned), 'äldre borttagen', 'äldre borttagna')}" if pruned else ""
    )
    if logged:
        with ctx.store.write() as conn:
            audit.append(conn, [ctx.entry("backup", detail=detail)])
    return {
        "path": str(new.path),
        "errands": rows,
        "bytes": new.path.stat().st_size,
        "pruned": [str(p) for p in pruned],
    }
