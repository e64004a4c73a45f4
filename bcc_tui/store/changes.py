"""The changes table (migration 16): what a dashboard may need to show again since it last read.

Triggers write it (store/schema.py, _V16); nothing here writes. A change has a kind: 'new',
'update' or 'gone' for an errand's row (with what the row was before), an event's kind for an
event ('note', 'reply', …), 'remark' for a handover remark, or the name of a clinic table
('staff', 'roster', 'settings', …) whose change may alter any row.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from bcc_tui.store import rows


@dataclass(frozen=True, slots=True)
class Change:
    """One row of the changes table: its number, its kind, the errand and event it concerns (None
    for a clinic table) and, for an errand's row, what decided its pane before."""

    seq: int
    kind: str
    errand_id: int | None
    event_id: int | None
    old_status: str | None
    old_assignee: str | None
    old_due_date: str | None
    old_first_response_on: str | None

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> Change:
        return cls(*row)  # the columns of `since`


# The clinic's own tables: a change to any of them may alter every row and the header.
CLINIC = ("settings", "staff", "roster", "absences", "errand_types", "care_teams", "handover_gives")


def last(conn: sqlite3.Connection) -> int:
    """The newest change's number (0: none yet)."""
    return conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]


def first(conn: sqlite3.Connection) -> int:
    """The oldest change still kept (0: none)."""
    return conn.execute("SELECT coalesce(min(seq), 0) FROM changes").fetchone()[0]


def since(conn: sqlite3.Connection, seq: int, limit: int) -> list[Change]:
    """The changes after `seq`, oldest first, at most `limit` of them."""
    return rows.every(
        conn,
        Change.from_row,
        "SELECT seq, kind, errand_id, event_id, old_status, old_assignee, old_due_date,"
        " old_first_response_on FROM changes WHERE seq > ? ORDER BY seq LIMIT ?",
        (seq, limit),
    )
