"""A verified, consistent copy of the live database (issue 8).

SQLite's online backup copies a consistent snapshot while others keep writing; the copy is
checked (integrity, foreign keys, the audit chain) before it is moved into place with an atomic
rename, so DEST is either the old file or a whole, verified new one — never half a backup.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

from bcc_tui.domain import roles
from bcc_tui.domain.errors import InvalidInput
from bcc_tui.services.context import Ctx
from bcc_tui.store import audit, audit_queries


def backup(ctx: Ctx, dest: str | os.PathLike) -> dict:
    roles.require_command(ctx.actor, "backup")
    dest = Path(dest)
    if dest.is_dir():
        dest = dest / f"bcc-{ctx.now().strftime('%Y%m%dT%H%M%SZ')}.db"
    folder = dest.parent
    if not folder.is_dir():
        raise InvalidInput(f"mappen {folder} finns inte")
    if dest.resolve() == ctx.store.path.resolve():
        raise InvalidInput("säkerhetskopian kan inte skrivas över själva databasen")
    fd, tmp = tempfile.mkstemp(prefix=".bcc-backup-", suffix=".db", dir=folder)
    os.close(fd)
    try:
        target = sqlite3.connect(tmp)
        target.row_factory = sqlite3.Row
        try:
            with ctx.store._lock:
                ctx.store.conn.backup(target, pages=1024)
            target.execute("PRAGMA journal_mode=DELETE")
            problems = audit_queries.integrity(target) + audit.verify(target)
            rows = audit_queries.errand_count(target)
        finally:
            target.close()
        if problems:
            raise InvalidInput("säkerhetskopian klarade inte kontrollen: " + "; ".join(problems[:3]))
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, dest)
        dirfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dirfd)
        finally:
            os.close(dirfd)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    with ctx.store.write() as conn:
        audit.append(conn, [ctx.entry("backup", detail=f"{rows} ärenden till {dest}")])
    return {"path": str(dest), "errands": rows, "bytes": dest.stat().st_size}
