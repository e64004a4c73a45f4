"""Queries behind the deviation register (issue 26): the candidates each kind is found among,
and the register itself. What counts as a deviation is domain/deviations.py's; these queries
only narrow the search, cheaply:

- an errand whose deviation of that kind is decided is never looked at again (it no longer
  changes), nor one whose open deviation was judged at the errand's current version (every
  change to an errand raises its version, store/errands.py);
- each query leaves out what its rule can never count (a complaint assigned by R5 within a day
  of arrival, an acute errand handled within four hours), with margins that only ever let more
  through for the domain to judge.

Each candidate row carries its errand's `version` and, when the register already has the
deviation, its `dev_id`."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bcc_tui.store import rows


# Each candidate ends with _COLS: the errand's version and the register's id for the deviation
# (None: not in the register yet).
@dataclass(frozen=True, slots=True)
class BreachCandidate:
    id: int
    due_date: str
    first_response_at: str | None
    first_response_on: str | None
    type: str
    received_on: str
    status: str
    version: int
    dev_id: int | None

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> BreachCandidate:
        return cls(*row)


@dataclass(frozen=True, slots=True)
class ComplaintCandidate:
    id: int
    urgent: int
    received_on: str
    assignments: str  # JSON: [[at, username, title, medcontrol], …]
    version: int
    dev_id: int | None

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> ComplaintCandidate:
        return cls(*row)


@dataclass(frozen=True, slots=True)
class PartialReplyCandidate:
    id: int  # the partial reply's event
    errand_id: int
    at: str
    actor: str
    detail: str | None  # JSON
    assignee_then: str | None
    version: int
    dev_id: int | None

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> PartialReplyCandidate:
        return cls(*row)


@dataclass(frozen=True, slots=True)
class AcuteCandidate:
    id: int
    imported_at: str
    acute_handled_at: str | None
    version: int
    dev_id: int | None

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> AcuteCandidate:
        return cls(*row)


@dataclass(frozen=True, slots=True)
class LateReplyCandidate:
    errand_id: int
    reply_at: str
    partial_at: str
    version: int
    dev_id: int | None

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> LateReplyCandidate:
        return cls(*row)


@dataclass(frozen=True, slots=True)
class DeviationRow:
    """A deviation in the register, with its errand's reference, type, arrival and patient and the
    name of whoever decided it."""

    id: int
    kind: str
    errand_id: int
    occurred_at: str
    detected_at: str
    facts: str  # JSON
    errand_version: int
    status: str
    medcontrol_number: str | None
    reason: str | None
    decided_by: str | None
    decided_at: str | None
    version: int
    ref: str
    type: str
    received_at: str
    personnummer: str
    decided_by_name: str | None

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> DeviationRow:
        return cls(*row)  # the columns of _LISTED


# The register's row for this kind and errand, and whether the errand needs judging (again).
_JOIN = " LEFT JOIN deviations d ON d.kind = '{kind}' AND d.errand_id = x.id"
_DUE = "(d.id IS NULL OR (d.status = 'open' AND d.errand_version <> x.version))"
_COLS = "x.version, d.id AS dev_id"
_UTC = "'%Y-%m-%dT%H:%M:%SZ'"


def breach_candidates(conn: sqlite3.Connection, today: str) -> list[BreachCandidate]:
    """Errands answered after their due date, or open and past it (statistics.outcome)."""
    return rows.every(
        conn,
        BreachCandidate.from_row,
        "SELECT x.id, x.due_date, x.first_response_at, x.first_response_on, x.type, x.received_on,"
        f" x.status, {_COLS} FROM errands x"
        + _JOIN.format(kind="breach")
        + " WHERE (x.first_response_on > x.due_date OR (x.first_response_on IS NULL AND x.due_date < ?))"
        f" AND {_DUE}",
        (today,),
    )


def complaints(conn: sqlite3.Connection, type_code: str, received_before: str) -> list[ComplaintCandidate]:
    """Complaints that arrived before the day `received_before` (a day after arrival at least
    has passed), with their assignments as JSON: [[at, username, title, medcontrol], …]. One
    assigned by R5 within 24 hours of arrival is within the business day whatever the calendar,
    and is left out."""
    right = (
        "EXISTS (SELECT 1 FROM events ev JOIN staff s ON s.username = ev.target"
        " WHERE ev.errand_id = x.id AND ev.kind IN ('assign', 'reassign')"
        f" AND ev.at <= strftime({_UTC}, x.received_at, '+1 day')"
        " AND CASE WHEN x.urgent THEN s.title = 'sektionsledare' ELSE s.medcontrol_responsible END)"
    )
    return rows.every(
        conn,
        ComplaintCandidate.from_row,
        "SELECT x.id, x.urgent, x.received_on,"
        " (SELECT json_group_array(json_array(ev.at, ev.target, coalesce(s.title, ''),"
        "    coalesce(s.medcontrol_responsible, 0)))"
        "  FROM events ev LEFT JOIN staff s ON s.username = ev.target"
        f"  WHERE ev.errand_id = x.id AND ev.kind IN ('assign', 'reassign')) AS assignments, {_COLS}"
        " FROM errands x"
        + _JOIN.format(kind="complaint_routing")
        # +received_on: a scan of the table, not of the date index (nearly every errand is older).
        + f" WHERE x.type = ? AND +x.received_on < ? AND {_DUE} AND NOT {right}",
        (type_code, received_before),
    )


def receiver_partial_replies(conn: sqlite3.Connection) -> list[PartialReplyCandidate]:
    """Partial replies with no consulted doctor sent by someone who is a receiver, oldest first,
    each with the errand's assignee at that moment (the last assignment before it) and the
    event's detail."""
    return rows.every(
        conn,
        PartialReplyCandidate.from_row,
        "SELECT ev.id, ev.errand_id, ev.at, ev.actor, ev.detail,"
        " (SELECT a.target FROM events a WHERE a.errand_id = ev.errand_id"
        "   AND a.kind IN ('assign', 'reassign') AND a.id < ev.id ORDER BY a.id DESC LIMIT 1) AS assignee_then,"
        f" {_COLS}"
        " FROM events ev JOIN staff s ON s.username = ev.actor"
        " JOIN errands x ON x.id = ev.errand_id"
        + _JOIN.format(kind="no_consulted_doctor")
        + " WHERE ev.kind = 'partial_reply' AND (' ' || s.roles || ' ') LIKE '% receiver %'"
        " AND json_extract(ev.detail, '$.consulted') IS NULL"
        # R29: a type that receivers answer themselves has no doctor to consult.
        " AND x.type NOT IN (SELECT code FROM errand_types WHERE receivers_answer = 1)"
        f" AND {_DUE}"
        " ORDER BY ev.id",
    )


def acute_errands(conn: sqlite3.Connection) -> list[AcuteCandidate]:
    """Errands flagged with acute signs (R11) and not marked handled within four hours."""
    return rows.every(
        conn,
        AcuteCandidate.from_row,
        f"SELECT x.id, x.imported_at, x.acute_handled_at, {_COLS} FROM errands x"
        + _JOIN.format(kind="acute_unhandled")
        + " WHERE coalesce(x.acute, '') <> ''"
        f" AND (x.acute_handled_at IS NULL OR x.acute_handled_at > strftime({_UTC}, x.imported_at, '+4 hours'))"
        f" AND {_DUE}",
    )


def replies_after_partial(conn: sqlite3.Connection, followup_days: int) -> list[LateReplyCandidate]:
    """Replies that came after a partial reply, each with the last partial reply before it; a
    reply less than `followup_days` calendar days after it cannot be past the follow-up date (a
    business day is a calendar day at least), so it is left out, with half a day's margin for
    summer time."""
    return rows.every(
        conn,
        LateReplyCandidate.from_row,
        "SELECT * FROM ("
        " SELECT x.id AS errand_id, r.at AS reply_at,"
        "  (SELECT p.at FROM events p WHERE p.errand_id = x.id AND p.kind = 'partial_reply'"
        f"    AND p.id < r.id ORDER BY p.id DESC LIMIT 1) AS partial_at, {_COLS}"
        # CROSS JOIN keeps SQLite to this order: the errands with a partial reply (a scan of the
        # table), then each one's reply; the other way it looked up every reply's errand.
        "  FROM errands x CROSS JOIN events r ON r.errand_id = x.id AND r.kind = 'reply'"
        + _JOIN.format(kind="late_after_followup")
        + f" WHERE x.partial_reply_at IS NOT NULL AND x.close_kind = 'reply' AND {_DUE}"
        ") WHERE partial_at IS NOT NULL AND julianday(reply_at) - julianday(partial_at) > ?",
        (followup_days - 0.5,),
    )


# -- the register -------------------------------------------------------------------------------
def insert(conn: sqlite3.Connection, rows: Iterable[tuple[str, int, str, str, str, int]]) -> int:
    """(kind, errand_id, occurred_at, detected_at, facts, errand_version); a key already there is
    left alone."""
    before = conn.total_changes
    conn.executemany(
        "INSERT INTO deviations (kind, errand_id, occurred_at, detected_at, facts, errand_version)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind, errand_id) DO NOTHING",
        rows,
    )
    return conn.total_changes - before


def refresh(conn: sqlite3.Connection, rows: Iterable[tuple[str | None, str | None, int, int]]) -> None:
    """(occurred_at, facts, errand_version, id): an open deviation follows the errand it was
    found in; None keeps what it had (the errand changed, the deviation did not)."""
    conn.executemany(
        "UPDATE deviations SET occurred_at = coalesce(?, occurred_at), facts = coalesce(?, facts),"
        " errand_version = ? WHERE id = ? AND status = 'open'",
        rows,
    )


_LISTED = (
    "SELECT d.id, d.kind, d.errand_id, d.occurred_at, d.detected_at, d.facts, d.errand_version, d.status,"
    " d.medcontrol_number, d.reason, d.decided_by, d.decided_at, d.version,"
    " x.ref, x.type, x.received_at, x.personnummer, s.name"
    " FROM deviations d JOIN errands x ON x.id = d.errand_id"
    " LEFT JOIN staff s ON s.username = d.decided_by"
)


def listed(
    conn: sqlite3.Connection, *, open_only: bool = False, limit: int | None = None
) -> list[DeviationRow]:
    """The register: open ones first, then the newest first; at most `limit` rows."""
    where = " WHERE d.status = 'open'" if open_only else ""
    return rows.every(
        conn,
        DeviationRow.from_row,
        _LISTED + where + " ORDER BY d.status <> 'open', d.occurred_at DESC, d.id DESC LIMIT ?",
        (-1 if limit is None else limit,),
    )


def count(conn: sqlite3.Connection, *, open_only: bool = False) -> int:
    where = " WHERE status = 'open'" if open_only else ""
    return conn.execute("SELECT count(*) FROM deviations" + where).fetchone()[0]


def by_id(conn: sqlite3.Connection, deviation_id: int) -> DeviationRow | None:
    return rows.first(conn, DeviationRow.from_row, _LISTED + " WHERE d.id = ?", (deviation_id,))


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


def per_kind(conn: sqlite3.Connection, start: str, end: str) -> list[tuple[str, str, int]]:
    """(kind, status, how many) of the deviations of the errands that arrived from `start` to `end`."""
    return rows.every(
        conn,
        lambda row: (row[0], row[1], row[2]),
        "SELECT d.kind, d.status, count(*) AS n FROM deviations d JOIN errands x ON x.id = d.errand_id"
        " WHERE x.received_on BETWEEN ? AND ? GROUP BY d.kind, d.status",
        (start, end),
    )
