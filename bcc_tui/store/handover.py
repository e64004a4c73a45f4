"""Queries behind the shift handover (R28): the walkthrough's items by category, what changed
since the last recorded handover, the receipts and the remarks pinned for the next shift.

Every query is bounded by what a person reads: categories are counted in one pass over the open
errands and only the most pressing rows of each are fetched, so a backlog of 100,000 costs one
scan, not 100,000 rows in memory.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from bcc_tui.store import rows
from bcc_tui.store.db import new_id
from bcc_tui.store.errands import ACUTE_PINNED, LIST_COLUMNS, ErrandRow


@dataclass(frozen=True, slots=True)
class RemarkRow:
    """A remark pinned on an errand for the next shift, with its author's name (None: not on the
    staff list)."""

    at: str
    author: str
    author_name: str | None
    text: str

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> RemarkRow:
        return cls(*row)  # at, author, name, text


_REMARK = "r.at, r.author, s.name, r.text"


@dataclass(frozen=True, slots=True)
class HandoverRecord:
    """A receipt (R28): who took over from whom, when, and what the list held (JSON text)."""

    id: int
    at: str
    since: str | None
    from_user: str | None
    to_user: str
    items: str  # JSON: [{"ref", "category"}, …]
    done: str  # JSON: the references gone through
    note: str | None

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> HandoverRecord:
        return cls(*row)  # the columns of _RECORD


_RECORD = "h.id, h.at, h.since, h.from_user, h.to_user, h.items, h.done, h.note"


@dataclass(frozen=True, slots=True)
class ReceiptRow:
    """A receipt with the names of both sides and when the give it took was given (None: nobody gave)."""

    record: HandoverRecord
    from_name: str | None
    to_name: str | None
    given_at: str | None

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> ReceiptRow:
        return cls(HandoverRecord(*row[:8]), *row[8:])  # _RECORD, then the names and the give's time


@dataclass(frozen=True, slots=True)
class GiveRow:
    """A handover given by the outgoing receiver, with the giver's name (None: not on the staff list)."""

    id: int
    at: str
    author: str
    author_name: str | None
    items: str  # JSON: [{"ref", "category"}, …]
    done: str  # JSON: the references gone through
    note: str | None

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> GiveRow:
        return cls(*row)  # g.id, g.at, g.author, s.name, g.items, g.done, g.note


# The walkthrough's categories, most pressing first. An errand is listed once, in the first
# category it falls into; an errand held by someone absent today comes right after the overdue
# ones, since it waits for nobody until it is reassigned.
CATEGORIES = (
    "acute",
    "overdue",
    "absent_holder",
    "due_today",
    "due_next",
    "followup",
    "unassigned",
    "unanswered",
)

# What makes an open errand fall into each category; :today, :next_day, :followup_cutoff
# (UTC text) and the absent user names are bound by the caller.
_CATEGORY = f"""CASE
    WHEN {ACUTE_PINNED} OR urgent = 1 THEN 'acute'
    WHEN first_response_on IS NULL AND due_date < :today THEN 'overdue'
    WHEN status = 'assigned' AND assignee IN (SELECT value FROM json_each(:absent)) THEN 'absent_holder'
    WHEN first_response_on IS NULL AND due_date = :today THEN 'due_today'
    WHEN first_response_on IS NULL AND due_date = :next_day THEN 'due_next'
    WHEN partial_reply_at IS NOT NULL AND partial_reply_at < :followup_cutoff THEN 'followup'
    WHEN status = 'unassigned' THEN 'unassigned'
    WHEN first_response_on IS NULL THEN 'unanswered'
END"""


def _params(today: str, next_day: str, followup_cutoff: str, absent: list[str]) -> dict:
    return {
        "today": today,
        "next_day": next_day,
        "followup_cutoff": followup_cutoff,
        "absent": json.dumps(sorted(absent)),
    }


def category_counts(
    conn: sqlite3.Connection, today: str, next_day: str, followup_cutoff: str, absent: list[str]
) -> dict[str, dict[str, int]]:
    """category -> errand type -> how many open errands, in one pass."""
    rows = conn.execute(
        f"SELECT {_CATEGORY} AS category, type, count(*) FROM errands WHERE status <> 'closed' GROUP BY 1, 2",
        _params(today, next_day, followup_cutoff, absent),
    ).fetchall()
    out: dict[str, dict[str, int]] = {}
    for category, type_code, n in rows:
        if category:
            out.setdefault(category, {})[type_code] = n
    return out


# More acute errands not handled than this is a flood beyond any walk (an outage's backlog): the
# list stays one a screen can hold, and the count says how many more there are.
ACUTE_MAX = 1000


def items(
    conn: sqlite3.Connection,
    today: str,
    next_day: str,
    followup_cutoff: str,
    absent: list[str],
    per_category: int,
) -> list[tuple[ErrandRow, str]]:
    """The most pressing `per_category` errands of each category, in walkthrough order, each with
    its category (and, as every list row, its open remark). Every errand with acute signs not yet
    handled is among them, up to ACUTE_MAX: the incoming receiver walks them all (R11, R28); a
    receiver's trial found nine of them left out, held and unheld, at 59 in the group."""
    params = _params(today, next_day, followup_cutoff, absent)
    params["per"] = per_category
    params["acute_max"] = ACUTE_MAX
    order = " ".join(f"WHEN '{c}' THEN {i}" for i, c in enumerate(CATEGORIES))
    return rows.every(
        conn,
        lambda row: (ErrandRow.from_row(row[:-3]), row[-3]),  # LIST_COLUMNS, category, pinned, rank
        f"SELECT * FROM (SELECT {LIST_COLUMNS}, {_CATEGORY} AS category, {ACUTE_PINNED} AS pinned,"
        " row_number() OVER (PARTITION BY "
        + _CATEGORY
        # Acute signs not yet handled first, those nobody holds before those someone does, as the
        # dashboard pins them: an urgent complaint with a partial reply was above a child's fever
        # that nobody held (R11, R28).
        + f" ORDER BY {ACUTE_PINNED} DESC, ({ACUTE_PINNED} AND status = 'unassigned') DESC,"
        " urgent DESC, due_date, received_at, id) AS rank"
        " FROM errands WHERE status <> 'closed')"
        f" WHERE category IS NOT NULL AND (rank <= :per OR (pinned AND rank <= :acute_max)) ORDER BY CASE category {order} END, rank",
        params,
    )


def open_remarks(conn: sqlite3.Connection, errand_ids: list[int]) -> dict[int, RemarkRow]:
    """The newest open remark of each errand (with its author's name)."""
    if not errand_ids:
        return {}
    return dict(
        rows.each(
            conn,
            lambda row: (row[0], RemarkRow.from_row(row[1:])),
            f"SELECT r.errand_id, {_REMARK} FROM handover_remarks r LEFT JOIN staff s ON s.username = r.author"
            " WHERE r.handover_id IS NULL AND r.errand_id IN (SELECT value FROM json_each(?))"
            " ORDER BY r.id",
            (json.dumps(errand_ids),),
        )
    )


def add_remark(conn: sqlite3.Connection, errand_id: int, at: str, author: str, text: str) -> None:
    conn.execute(
        "INSERT INTO handover_remarks (errand_id, at, author, text) VALUES (?, ?, ?, ?)",
        (errand_id, at, author, text),
    )


def remarks_since(conn: sqlite3.Connection, since: str | None, limit: int) -> list[tuple[str, RemarkRow]]:
    """The remarks pinned since `since` (all, None) and not handed over yet, each with its errand's
    reference, oldest first."""
    return rows.every(
        conn,
        lambda row: (row[0], RemarkRow.from_row(row[1:])),
        f"SELECT x.ref, {_REMARK} FROM handover_remarks r"
        " JOIN errands x ON x.id = r.errand_id LEFT JOIN staff s ON s.username = r.author"
        " WHERE r.handover_id IS NULL AND (? IS NULL OR r.at >= ?) ORDER BY r.id LIMIT ?",
        (since, since, limit),
    )


def last(conn: sqlite3.Connection) -> HandoverRecord | None:
    return rows.first(
        conn, HandoverRecord.from_row, f"SELECT {_RECORD} FROM handovers h ORDER BY h.id DESC LIMIT 1"
    )


def record(
    conn: sqlite3.Connection,
    *,
    at: str,
    since: str | None,
    from_user: str | None,
    to_user: str,
    items: list[dict],
    done: list[str],
    note: str | None,
) -> int:
    """The receipt; the remarks it went through stop being pinned."""
    cur = conn.execute(
        "INSERT INTO handovers (at, since, from_user, to_user, items, done, note)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            at,
            since,
            from_user,
            to_user,
            json.dumps(items, ensure_ascii=False),
            json.dumps(done, ensure_ascii=False),
            note,
        ),
    )
    handover_id = new_id(cur)
    conn.execute(
        "UPDATE handover_remarks SET handover_id = ? WHERE handover_id IS NULL AND at <= ?", (handover_id, at)
    )
    return handover_id


def log(conn: sqlite3.Connection, limit: int) -> list[ReceiptRow]:
    """The receipts, newest first, each with when the give it took was given (if one was)."""
    return rows.every(
        conn,
        ReceiptRow.from_row,
        f"SELECT {_RECORD}, f.name, t.name, g.at FROM handovers h"
        " LEFT JOIN staff f ON f.username = h.from_user LEFT JOIN staff t ON t.username = h.to_user"
        " LEFT JOIN handover_gives g ON g.id = (SELECT max(id) FROM handover_gives WHERE handover_id = h.id)"
        " ORDER BY h.id DESC LIMIT ?",
        (limit,),
    )


def give(
    conn: sqlite3.Connection, *, at: str, author: str, items: list[dict], done: list[str], note: str | None
) -> int:
    cur = conn.execute(
        "INSERT INTO handover_gives (at, author, items, done, note) VALUES (?, ?, ?, ?, ?)",
        (at, author, json.dumps(items, ensure_ascii=False), json.dumps(done, ensure_ascii=False), note),
    )
    return new_id(cur)


def pending_give(conn: sqlite3.Connection) -> GiveRow | None:
    """The newest give that nobody has taken yet, with its author's name."""
    return rows.first(
        conn,
        GiveRow.from_row,
        "SELECT g.id, g.at, g.author, s.name, g.items, g.done, g.note FROM handover_gives g"
        " LEFT JOIN staff s ON s.username = g.author WHERE g.handover_id IS NULL ORDER BY g.id DESC LIMIT 1",
    )


def take_gives(conn: sqlite3.Connection, handover_id: int) -> None:
    conn.execute("UPDATE handover_gives SET handover_id = ? WHERE handover_id IS NULL", (handover_id,))


def arrived_since(conn: sqlite3.Connection, since: str, limit: int | None) -> tuple[int, list[str]]:
    total = conn.execute("SELECT count(*) FROM errands WHERE imported_at >= ?", (since,)).fetchone()[0]
    refs = conn.execute(
        "SELECT ref FROM errands WHERE imported_at >= ? ORDER BY imported_at, id LIMIT ?",
        (since, -1 if limit is None else limit),
    ).fetchall()
    return total, [r[0] for r in refs]


def closed_since(conn: sqlite3.Connection, since: str, limit: int | None) -> tuple[int, list[str]]:
    where = "status = 'closed' AND closed_at >= ?"
    total = conn.execute(f"SELECT count(*) FROM errands WHERE {where}", (since,)).fetchone()[0]
    refs = conn.execute(
        f"SELECT ref FROM errands WHERE {where} ORDER BY closed_at, id LIMIT ?",
        (since, -1 if limit is None else limit),
    ).fetchall()
    return total, [r[0] for r in refs]


def overdue_since(
    conn: sqlite3.Connection, first_due: str, today: str, limit: int | None
) -> tuple[int, list[str]]:
    """Open errands whose rule is still open and whose due date passed since the last handover:
    due on `first_due` (the local date of the last handover) or later, before today."""
    where = "status <> 'closed' AND first_response_on IS NULL AND due_date >= ? AND due_date < ?"
    total = conn.execute(f"SELECT count(*) FROM errands WHERE {where}", (first_due, today)).fetchone()[0]
    refs = conn.execute(
        f"SELECT ref FROM errands WHERE {where} ORDER BY due_date, received_at, id LIMIT ?",
        (first_due, today, -1 if limit is None else limit),
    ).fetchall()
    return total, [r[0] for r in refs]
