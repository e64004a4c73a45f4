"""Queries behind statistics, deviations and the shift handover."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from bcc_tui.store import rows


@dataclass(frozen=True, slots=True)
class HandoverNote:
    """The outgoing receiver's note to the next one, with its author's name (None: not on the
    staff list)."""

    id: int
    at: str
    author: str
    author_name: str | None
    text: str

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> HandoverNote:
        return cls(*row)  # n.id, n.at, n.author, s.name, n.text


@dataclass(frozen=True, slots=True)
class PeriodErrand:
    """An errand of a statistics period with what the statistics need from its events."""

    ref: str
    type: str
    received_at: str
    received_on: str
    due_date: str
    status: str
    close_kind: str | None
    first_response_on: str | None
    first_response_at: str | None
    assignee: str | None
    close_reason: str | None  # the last close's text
    responded_by: str | None  # the last reply's author
    partial_replies: int
    acute: int  # 1: flagged with acute signs
    closed_at: str | None
    first_partial_at: str | None
    acute_advice: int  # 1: a partial reply gave the acute advice

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> PeriodErrand:
        return cls(*row)  # the columns of `period`


def period(conn: sqlite3.Connection, start: str, end: str) -> list[PeriodErrand]:
    """The errands that arrived from `start` to `end` (local dates, inclusive), with what the
    statistics need from their events."""
    return rows.every(
        conn,
        PeriodErrand.from_row,
        "SELECT x.ref, x.type, x.received_at, x.received_on, x.due_date, x.status, x.close_kind,"
        " x.first_response_on, x.first_response_at, x.assignee,"
        " (SELECT text FROM events WHERE errand_id = x.id AND kind = 'close' ORDER BY id DESC LIMIT 1) AS close_reason,"
        " (SELECT actor FROM events WHERE errand_id = x.id AND kind = 'reply' ORDER BY id DESC LIMIT 1) AS responded_by,"
        " (SELECT count(*) FROM events WHERE errand_id = x.id AND kind = 'partial_reply') AS partial_replies,"
        " x.acute IS NOT NULL AS acute, x.closed_at,"
        " (SELECT at FROM events WHERE errand_id = x.id AND kind = 'partial_reply' ORDER BY id LIMIT 1) AS first_partial_at,"
        " EXISTS (SELECT 1 FROM events WHERE errand_id = x.id AND kind = 'partial_reply'"
        "   AND json_extract(detail, '$.acute_advice')) AS acute_advice"
        " FROM errands x WHERE x.received_on BETWEEN ? AND ? ORDER BY x.received_at, x.id",
        (start, end),
    )


def add_note(conn: sqlite3.Connection, at: str, author: str, text: str) -> None:
    conn.execute("INSERT INTO handover_notes (at, author, text) VALUES (?, ?, ?)", (at, author, text))


def last_note(conn: sqlite3.Connection) -> HandoverNote | None:
    return rows.first(
        conn,
        HandoverNote.from_row,
        "SELECT n.id, n.at, n.author, s.name, n.text FROM handover_notes n"
        " LEFT JOIN staff s ON s.username = n.author ORDER BY n.id DESC LIMIT 1",
    )
