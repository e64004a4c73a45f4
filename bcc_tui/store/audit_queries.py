"""Reading the audit log (R9): by patient, by user, by period — paged, never all at once."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from bcc_tui.store import rows


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One row of the audit log as the log's readers see it (its chain's hashes left out)."""

    id: int
    at: str
    actor: str
    role: str
    action: str
    ref: str | None
    personnummer: str | None
    outcome: str
    detail: str

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> AuditRow:
        return cls(*row)  # the columns of `search`, in the order of the fields


def search(
    conn: sqlite3.Connection,
    *,
    patient: str | None = None,
    user: str | None = None,
    start: str | None = None,
    end: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[AuditRow]:
    where: list[str] = []
    args: list[str | int] = []
    if patient:
        where.append("personnummer = ?")
        args.append(patient)
    if user:
        where.append("actor = ?")
        args.append(user)
    if start:
        where.append("at >= ?")
        args.append(start)
    if end:
        where.append("at < ?")
        args.append(end)
    sql = "SELECT id, at, actor, role, action, ref, personnummer, outcome, detail FROM audit"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY at DESC, id DESC"
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        args += [limit, offset]
    return rows.every(conn, AuditRow.from_row, sql, args)


def errands_without_intake_row(conn: sqlite3.Connection) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT ref FROM errands WHERE ref NOT IN (SELECT ref FROM audit WHERE action = 'import' AND ref IS NOT NULL)"
            " LIMIT 20"
        )
    ]


def integrity(conn: sqlite3.Connection) -> list[str]:
    problems = [r[0] for r in conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
    problems += [f"främmande nyckel: {tuple(r)}" for r in conn.execute("PRAGMA foreign_key_check")]
    return problems


def errand_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM errands").fetchone()[0]


def last_change(conn: sqlite3.Connection) -> str | None:
    """The time of the newest audit row: the last change the database knows of."""
    return conn.execute("SELECT max(at) FROM audit").fetchone()[0]
