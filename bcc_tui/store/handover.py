"""Queries behind the shift handover (R28): the walkthrough's items by category, what changed
since the last recorded handover, the receipts and the remarks pinned for the next shift.

Every query is bounded by what a person reads: categories are counted in one pass over the open
errands and only the most pressing rows of each are fetched, so a backlog of 100,000 costs one
scan, not 100,000 rows in memory.
"""

from __future__ import annotations

import json
import sqlite3

from bcc_tui.store.db import new_id
from bcc_tui.store.errands import LIST_COLUMNS

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
_CATEGORY = """CASE
    WHEN (acute IS NOT NULL AND acute <> '' AND acute_handled_at IS NULL) OR urgent = 1 THEN 'acute'
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


def items(
    conn: sqlite3.Connection,
    today: str,
    next_day: str,
    followup_cutoff: str,
    absent: list[str],
    per_category: int,
) -> list[sqlite3.Row]:
    """The most pressing `per_category` errands of each category, in walkthrough order, each with
    its category and its open remark."""
    params = _params(today, next_day, followup_cutoff, absent)
    params["per"] = per_category
    order = " ".join(f"WHEN '{c}' THEN {i}" for i, c in enumerate(CATEGORIES))
    return conn.execute(
        f"SELECT * FROM (SELECT {LIST_COLUMNS}, {_CATEGORY} AS category,"
        " row_number() OVER (PARTITION BY "
        + _CATEGORY
        + " ORDER BY urgent DESC, due_date, received_at, id) AS rank"
        " FROM errands WHERE status <> 'closed')"
        f" WHERE category IS NOT NULL AND rank <= :per ORDER BY CASE category {order} END, rank",
        params,
    ).fetchall()


def open_remarks(conn: sqlite3.Connection, errand_ids: list[int]) -> dict[int, sqlite3.Row]:
    """The newest open remark of each errand (with its author's name)."""
    if not errand_ids:
        return {}
    rows = conn.execute(
        "SELECT r.*, s.name FROM handover_remarks r LEFT JOIN staff s ON s.username = r.author"
        " WHERE r.handover_id IS NULL AND r.errand_id IN (SELECT value FROM json_each(?))"
        " ORDER BY r.id",
        (json.dumps(errand_ids),),
    ).fetchall()
    return {r["errand_id"]: r for r in rows}


def add_remark(conn: sqlite3.Connection, errand_id: int, at: str, author: str, text: str) -> None:
    conn.execute(
        "INSERT INTO handover_remarks (errand_id, at, author, text) VALUES (?, ?, ?, ?)",
        (errand_id, at, author, text),
    )


def remarks_since(conn: sqlite3.Connection, since: str | None, limit: int) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT r.at, r.author, r.text, s.name, x.ref FROM handover_remarks r"
        " JOIN errands x ON x.id = r.errand_id LEFT JOIN staff s ON s.username = r.author"
        " WHERE r.handover_id IS NULL AND (? IS NULL OR r.at >= ?) ORDER BY r.id LIMIT ?",
        (since, since, limit),
    ).fetchall()


def last(conn: sqlite3.Connection) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM handovers ORDER BY id DESC LIMIT 1").fetchone()


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


def log(conn: sqlite3.Connection, limit: int) -> list[sqlite3.Row]:
    """The receipts, newest first, each with the give it received (if one was given)."""
    return conn.execute(
        "SELECT h.*, f.name AS from_name, t.name AS to_name, g.at AS given_at, g.author AS given_by,"
        " g.items AS given_items, g.done AS given_done, g.note AS given_note FROM handovers h"
        " LEFT JOIN staff f ON f.username = h.from_user LEFT JOIN staff t ON t.username = h.to_user"
        " LEFT JOIN handover_gives g ON g.id = (SELECT max(id) FROM handover_gives WHERE handover_id = h.id)"
        " ORDER BY h.id DESC LIMIT ?",
        (limit,),
    ).fetchall()


def give(
    conn: sqlite3.Connection, *, at: str, author: str, items: list[dict], done: list[str], note: str | None
) -> int:
    cur = conn.execute(
        "INSERT INTO handover_gives (at, author, items, done, note) VALUES (?, ?, ?, ?, ?)",
        (at, author, json.dumps(items, ensure_ascii=False), json.dumps(done, ensure_ascii=False), note),
    )
    return new_id(cur)


def pending_give(conn: sqlite3.Connection) -> sqlite3.Row | None:
    """The newest give that nobody has taken yet, with its author's name."""
    return conn.execute(
        "SELECT g.*, s.name FROM handover_gives g LEFT JOIN staff s ON s.username = g.author"
        " WHERE g.handover_id IS NULL ORDER BY g.id DESC LIMIT 1"
    ).fetchone()


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
