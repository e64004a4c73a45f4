"""Queries behind the deviation register (issue 26): the candidates each kind is found among,
and the register itself. What counts as a deviation is domain/deviations.py's; these queries
only narrow the search, and skip errands whose deviation of that kind is already decided (a
decided deviation no longer changes)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

_NOT_DECIDED = (
    "NOT EXISTS (SELECT 1 FROM deviations d WHERE d.kind = '{kind}' AND d.errand_id = x.id"
    " AND d.status <> 'open')"
)


def breach_candidates(conn: sqlite3.Connection, today: str) -> list[sqlite3.Row]:
    """Errands answered after their due date, or open and past it (statistics.outcome)."""
    return conn.execute(
        "SELECT x.id, x.due_date, x.first_response_at, x.first_response_on FROM errands x"
        " WHERE (x.first_response_on > x.due_date OR (x.first_response_on IS NULL AND x.due_date < ?))"
        f" AND {_NOT_DECIDED.format(kind='breach')}",
        (today,),
    ).fetchall()


def complaints(conn: sqlite3.Connection, type_code: str, received_before: str) -> list[sqlite3.Row]:
    """Complaints that arrived before the day `received_before` (a day after arrival at least
    has passed), with their assignments as JSON: [[at, username, title, medcontrol], …]."""
    return conn.execute(
        "SELECT x.id, x.urgent, x.received_on,"
        " (SELECT json_group_array(json_array(ev.at, ev.target, coalesce(s.title, ''),"
        "    coalesce(s.medcontrol_responsible, 0)))"
        "  FROM events ev LEFT JOIN staff s ON s.username = ev.target"
        "  WHERE ev.errand_id = x.id AND ev.kind IN ('assign', 'reassign')) AS assignments"
        # +received_on: a scan of the table, not of the date index (nearly every errand is older).
        " FROM errands x WHERE x.type = ? AND +x.received_on < ?"
        f" AND {_NOT_DECIDED.format(kind='complaint_routing')}",
        (type_code, received_before),
    ).fetchall()


def receiver_partial_replies(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Partial replies sent by someone who is a receiver, oldest first, each with the errand's
    assignee at that moment (the last assignment before it) and the event's detail."""
    return conn.execute(
        "SELECT ev.id, ev.errand_id, ev.at, ev.actor, ev.detail,"
        " (SELECT a.target FROM events a WHERE a.errand_id = ev.errand_id"
        "   AND a.kind IN ('assign', 'reassign') AND a.id < ev.id ORDER BY a.id DESC LIMIT 1) AS assignee_then"
        " FROM events ev JOIN staff s ON s.username = ev.actor"
        " JOIN errands x ON x.id = ev.errand_id"
        " WHERE ev.kind = 'partial_reply' AND (' ' || s.roles || ' ') LIKE '% receiver %'"
        f" AND {_NOT_DECIDED.format(kind='no_consulted_doctor')}"
        " ORDER BY ev.id",
    ).fetchall()


def acute_errands(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Errands flagged with acute signs (R11), handled or not."""
    return conn.execute(
        "SELECT x.id, x.imported_at, x.acute_handled_at FROM errands x"
        " WHERE coalesce(x.acute, '') <> ''"
        f" AND {_NOT_DECIDED.format(kind='acute_unhandled')}"
    ).fetchall()


def replies_after_partial(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Replies that came after a partial reply, each with the last partial reply before it."""
    return conn.execute(
        "SELECT x.id AS errand_id, r.at AS reply_at,"
        " (SELECT p.at FROM events p WHERE p.errand_id = x.id AND p.kind = 'partial_reply'"
        "   AND p.id < r.id ORDER BY p.id DESC LIMIT 1) AS partial_at"
        # CROSS JOIN keeps SQLite to this order: the errands with a partial reply (a scan of the
        # table), then each one's reply; the other way it looked up every reply's errand.
        " FROM errands x CROSS JOIN events r ON r.errand_id = x.id AND r.kind = 'reply'"
        " WHERE x.partial_reply_at IS NOT NULL AND x.close_kind = 'reply'"
        f" AND {_NOT_DECIDED.format(kind='late_after_followup')}"
    ).fetchall()


# -- the register -------------------------------------------------------------------------------
def known(conn: sqlite3.Connection) -> dict[tuple[str, int], sqlite3.Row]:
    """Every deviation's key, with the facts of the open ones."""
    return {
        (r["kind"], r["errand_id"]): r
        for r in conn.execute("SELECT id, kind, errand_id, status, occurred_at, facts FROM deviations")
    }


def insert(conn: sqlite3.Connection, rows: Iterable[tuple[str, int, str, str, str]]) -> int:
    """(kind, errand_id, occurred_at, detected_at, facts); a key already there is left alone."""
    before = conn.total_changes
    conn.executemany(
        "INSERT INTO deviations (kind, errand_id, occurred_at, detected_at, facts) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (kind, errand_id) DO NOTHING",
        rows,
    )
    return conn.total_changes - before


def refresh(conn: sqlite3.Connection, rows: Iterable[tuple[str, str, int]]) -> None:
    """(occurred_at, facts, id): an open deviation follows the data it was found in."""
    conn.executemany(
        "UPDATE deviations SET occurred_at = ?, facts = ?, version = version + 1"
        " WHERE id = ? AND status = 'open'",
        rows,
    )


_LISTED = (
    "SELECT d.*, x.ref, x.type, x.received_at, x.personnummer, s.name AS decided_by_name"
    " FROM deviations d JOIN errands x ON x.id = d.errand_id"
    " LEFT JOIN staff s ON s.username = d.decided_by"
)


def listed(conn: sqlite3.Connection, *, open_only: bool = False) -> list[sqlite3.Row]:
    """The register: open ones first, then the newest first."""
    where = " WHERE d.status = 'open'" if open_only else ""
    return conn.execute(
        _LISTED + where + " ORDER BY d.status <> 'open', d.occurred_at DESC, d.id DESC"
    ).fetchall()


def by_id(conn: sqlite3.Connection, deviation_id: int) -> sqlite3.Row | None:
    return conn.execute(_LISTED + " WHERE d.id = ?", (deviation_id,)).fetchone()


def decide(
    conn: sqlite3.Connection,
    deviation_id: int,
    status: str,
    *,
    medcontrol_number: str | None,
    reason: str | None,
    by: str,
    at: str,
) -> bool:
    """Mark an open deviation reported or dismissed; False when it was not open any more."""
    cur = conn.execute(
        "UPDATE deviations SET status = ?, medcontrol_number = ?, reason = ?, decided_by = ?,"
        " decided_at = ?, version = version + 1 WHERE id = ? AND status = 'open'",
        (status, medcontrol_number, reason, by, at, deviation_id),
    )
    return cur.rowcount == 1


def per_kind(conn: sqlite3.Connection, start: str, end: str) -> list[sqlite3.Row]:
    """Deviations of the errands that arrived from `start` to `end`, counted per kind and status."""
    return conn.execute(
        "SELECT d.kind, d.status, count(*) AS n FROM deviations d JOIN errands x ON x.id = d.errand_id"
        " WHERE x.received_on BETWEEN ? AND ? GROUP BY d.kind, d.status",
        (start, end),
    ).fetchall()
