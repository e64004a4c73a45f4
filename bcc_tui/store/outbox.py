"""Queries on the outbox of e-mail notices: queued in the caller's transaction, claimed with a
lease so that two processes never send the same mail at once, marked sent after the server
accepted it."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from bcc_tui.store import rows as rows_
from bcc_tui.store.db import new_id


@dataclass(frozen=True, slots=True)
class Mail:
    """One e-mail notice in the outbox, as stored."""

    id: int
    message_id: str
    kind: str
    ref: str | None
    recipient: str
    address: str
    subject: str
    body: str
    created_at: str
    attempts: int
    next_attempt_at: str
    claimed_until: str | None
    last_error: str | None
    sent_at: str | None

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> Mail:
        return cls(*row)  # the columns of _MAIL


_MAIL = (
    "SELECT id, message_id, kind, ref, recipient, address, subject, body, created_at, attempts,"
    " next_attempt_at, claimed_until, last_error, sent_at FROM outbox"
)


def add(conn: sqlite3.Connection, row: dict[str, Any]) -> int:
    cols = ", ".join(row)
    return new_id(
        conn.execute(f"INSERT INTO outbox ({cols}) VALUES ({', '.join(':' + c for c in row)})", row)
    )


_DUE = "sent_at IS NULL AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)"


def any_due(conn: sqlite3.Connection, now: str) -> bool:
    """Whether a mail is due and not claimed by a live sender (a read: see services/notify.py)."""
    return conn.execute(f"SELECT 1 FROM outbox WHERE {_DUE} LIMIT 1", (now, now)).fetchone() is not None


def claim(conn: sqlite3.Connection, now: str, lease_until: str, limit: int) -> list[Mail]:
    """Take the mails that are due and not claimed by a live sender (caller holds BEGIN IMMEDIATE)."""
    rows = rows_.every(
        conn,
        Mail.from_row,
        f"{_MAIL} WHERE {_DUE} ORDER BY id LIMIT ?",
        (now, now, limit),
    )
    conn.executemany("UPDATE outbox SET claimed_until = ? WHERE id = ?", [(lease_until, r.id) for r in rows])
    return rows


def mark_sent(conn: sqlite3.Connection, outbox_id: int, now: str) -> None:
    conn.execute(
        "UPDATE outbox SET sent_at = ?, claimed_until = NULL, last_error = NULL,"
        " attempts = attempts + 1 WHERE id = ?",
        (now, outbox_id),
    )


def release(conn: sqlite3.Connection, outbox_ids: list[int]) -> None:
    """Give back claimed mails that were not tried: due again at once, no attempt counted."""
    conn.executemany(
        "UPDATE outbox SET claimed_until = NULL WHERE id = ? AND sent_at IS NULL", [(i,) for i in outbox_ids]
    )


def mark_failed(conn: sqlite3.Connection, outbox_id: int, error: str, next_attempt_at: str) -> None:
    conn.execute(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?,"
        " claimed_until = NULL WHERE id = ?",
        (error[:500], next_attempt_at, outbox_id),
    )


def listing(conn: sqlite3.Connection, waiting_only: bool = True, limit: int = 200) -> list[Mail]:
    where = " WHERE sent_at IS NULL" if waiting_only else ""
    return rows_.every(conn, Mail.from_row, f"{_MAIL}{where} ORDER BY id DESC LIMIT ?", (limit,))


def waiting_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0]


def failing(conn: sqlite3.Connection, prefix: str) -> tuple[int, str | None]:
    """The notices waiting after a try that failed with a reason starting `prefix`, and the newest
    such reason."""
    where = "sent_at IS NULL AND attempts > 0 AND substr(last_error, 1, length(:p)) = :p"
    row = conn.execute(
        f"SELECT count(*), (SELECT last_error FROM outbox WHERE {where} ORDER BY id DESC LIMIT 1)"
        f" FROM outbox WHERE {where}",
        {"p": prefix},
    ).fetchone()
    return row[0], row[1]


def settle_all(conn: sqlite3.Connection) -> None:
    """Mark every queued notice as sent: the demo's history is not mail for anyone."""
    conn.execute("UPDATE outbox SET sent_at = created_at WHERE sent_at IS NULL")
