"""Queries on errands, their events and the outbound reply queue."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from bcc_tui.domain.errors import Conflict

# Everything but the message: lists never carry 20,000-character texts they do not show.
LIST_COLUMNS = (
    "id, ref, type, unit, received_at, received_on, due_date, patient_name, personnummer, "
    "proxy_name, proxy_relation, subject, contact_preference, urgent, status, assignee, "
    "first_response_at, first_response_on, partial_reply_at, closed_at, close_kind, last_reminded_at, "
    "acute, acute_handled_at, version, "
    # R28: the open handover remark, for the panes' mark (a partial index makes it cheap).
    "(SELECT r.text FROM handover_remarks r WHERE r.errand_id = errands.id AND r.handover_id IS NULL"
    " ORDER BY r.id DESC LIMIT 1) AS remark"
)

_OPEN_ORDER = "urgent DESC, due_date, received_at, id"


def insert(conn: sqlite3.Connection, row: dict[str, Any]) -> int:
    cols = ", ".join(row)
    marks = ", ".join(f":{c}" for c in row)
    return conn.execute(f"INSERT INTO errands ({cols}) VALUES ({marks})", row).lastrowid


def by_ref(conn: sqlite3.Connection, ref: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM errands WHERE ref = ?", (ref,)).fetchone()


def hashes_by_ref(conn: sqlite3.Connection, refs: list[str]) -> dict[str, str]:
    """The stored content hash of each of `refs` that exists (one query for a whole batch)."""
    out: dict[str, str] = {}
    for i in range(0, len(refs), 500):
        part = refs[i:i + 500]
        out.update(conn.execute(
            f"SELECT ref, content_hash FROM errands WHERE ref IN ({', '.join('?' for _ in part)})", part).fetchall())
    return out


def update(conn: sqlite3.Connection, errand_id: int, expected_version: int, **fields: Any) -> None:
    """Compare-and-set: applies only if nobody changed the errand since `expected_version`."""
    sets = ", ".join(f"{k} = :{k}" for k in fields)
    cur = conn.execute(
        f"UPDATE errands SET {sets}, version = version + 1 WHERE id = :_id AND version = :_version",
        {**fields, "_id": errand_id, "_version": expected_version},
    )
    if cur.rowcount != 1:
        raise Conflict("ärendet har ändrats av någon annan under tiden; läs om det och försök igen")


def add_event(
    conn: sqlite3.Connection, errand_id: int, kind: str, at: str, actor: str, actor_name: str,
    actor_title: str = "", target: str | None = None, text: str | None = None,
    detail: dict | None = None,
) -> int:
    return conn.execute(
        "INSERT INTO events (errand_id, kind, at, actor, actor_name, actor_title, target, text, detail)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (errand_id, kind, at, actor, actor_name, actor_title, target, text,
         json.dumps(detail, ensure_ascii=False) if detail else None),
    ).lastrowid


def events(conn: sqlite3.Connection, errand_id: int) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM events WHERE errand_id = ? ORDER BY id", (errand_id,)).fetchall()


def add_outbound(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
    cols = ", ".join(row)
    conn.execute(f"INSERT INTO outbound ({cols}) VALUES ({', '.join(':' + c for c in row)})", row)


def _where(status, assignee, involved, search, statuses=None) -> tuple[str, list]:
    where, args = [], []
    if status == "closed":
        where.append("status = 'closed'")  # a literal, so the partial index errands_closed applies
    elif status:
        where.append("status = ?")
        args.append(status)
    if statuses:
        if "closed" not in statuses:
            where.append("status <> 'closed'")  # a literal, so the partial index errands_open applies
        where.append(f"status IN ({', '.join('?' for _ in statuses)})")
        args += list(statuses)
    if assignee:
        where.append("assignee = ?")
        args.append(assignee)
    if involved:
        where.append(
            "(assignee = ? OR id IN (SELECT errand_id FROM events WHERE actor = ?"
            " AND kind IN ('reply', 'partial_reply', 'close')))"
        )
        args += [involved, involved]
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(
            "(ref LIKE :p OR patient_name LIKE :p OR personnummer LIKE :p OR subject LIKE :p"
            " OR assignee LIKE :p OR proxy_name LIKE :p)".replace(":p", "? ESCAPE '\\'")
        )
        args += [pattern] * 6
    return (" WHERE " + " AND ".join(where)) if where else "", args


def listing(
    conn: sqlite3.Connection, *, status: str | None = None, statuses: tuple[str, ...] | None = None,
    assignee: str | None = None, involved: str | None = None, search: str | None = None,
    limit: int | None = None, offset: int = 0,
) -> list[sqlite3.Row]:
    """Errands in the order that needs attention first; closed ones most recent first.

    `involved`: only errands assigned to this user or that this user answered (a caregiver's view).
    `search`: a piece of the reference, patient, personnummer, subject, proxy or assignee.
    """
    where, args = _where(status, assignee, involved, search, statuses)
    sql = f"SELECT {LIST_COLUMNS} FROM errands{where}"
    if status == "closed":
        sql += " ORDER BY closed_at DESC, id DESC"
    else:
        sql += f" ORDER BY status = 'closed', {_OPEN_ORDER}"
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        args += [limit, offset]
    return conn.execute(sql, args).fetchall()


def count(conn: sqlite3.Connection, *, status: str | None = None, involved: str | None = None,
          search: str | None = None) -> int:
    where, args = _where(status, None, involved, search)
    return conn.execute(f"SELECT count(*) FROM errands{where}", args).fetchone()[0]


def last_replies(conn: sqlite3.Connection, pnrs: list[str]) -> dict[str, tuple[str, str]]:
    """For each patient, the caregiver who last replied (final reply) and when (UTC text)."""
    out: dict[str, tuple[str, str]] = {}
    for chunk in range(0, len(pnrs), 500):
        part = pnrs[chunk:chunk + 500]
        # CROSS JOIN keeps the patient index outermost: the few patients, then their events.
        rows = conn.execute(
            "SELECT x.personnummer, ev.actor, max(ev.at) AS at FROM errands x"
            " CROSS JOIN events ev ON ev.errand_id = x.id"
            f" WHERE x.personnummer IN ({', '.join('?' for _ in part)}) AND ev.kind = 'reply'"
            " GROUP BY x.personnummer",
            part,
        ).fetchall()
        out.update({r[0]: (r[1], r[2]) for r in rows})
    return out


def open_of_type(conn: sqlite3.Connection, type_code: str) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT id, ref, received_on, due_date, version FROM errands WHERE type = ? AND status <> 'closed'",
        (type_code,),
    ).fetchall()


def open_messages(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT id, subject, message, acute FROM errands WHERE status <> 'closed'").fetchall()


def set_due(conn: sqlite3.Connection, errand_id: int, due: str) -> None:
    conn.execute("UPDATE errands SET due_date = ?, version = version + 1 WHERE id = ?", (due, errand_id))


def set_acute(conn: sqlite3.Connection, errand_id: int, acute: str | None) -> None:
    conn.execute("UPDATE errands SET acute = ?, version = version + 1 WHERE id = ?", (acute, errand_id))


def type_row(conn: sqlite3.Connection, code: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM errand_types WHERE code = ?", (code,)).fetchone()


def update_type(conn: sqlite3.Connection, code: str, fields: dict) -> None:
    sets = ", ".join(f"{k} = :{k}" for k in fields)
    conn.execute(f"UPDATE errand_types SET {sets}, version = version + 1 WHERE code = :code",
                 {**fields, "code": code})


def type_days(conn: sqlite3.Connection) -> dict[str, int]:
    return {r[0]: r[1] for r in conn.execute("SELECT code, business_days FROM errand_types")}


def types(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM errand_types ORDER BY rowid").fetchall()


def outbound_waiting(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT o.*, e.ref FROM outbound o JOIN errands e ON e.id = o.errand_id"
        " WHERE o.exported_at IS NULL ORDER BY o.sent_at, o.event_id"
    ).fetchall()


def mark_exported(conn: sqlite3.Connection, ids: list[str], now: str) -> None:
    conn.executemany("UPDATE outbound SET exported_at = ? WHERE id = ? AND exported_at IS NULL",
                     [(now, i) for i in ids])


def open_load(conn: sqlite3.Connection, usernames: list[str] | None = None,
              today: str | None = None) -> dict[str, tuple[int, int]]:
    """Per caregiver: (open errands assigned to them, of which overdue on `today`); only
    `usernames` when given (the assignee index then counts just those)."""
    where, args = "status = 'assigned'", []
    if usernames is not None:
        if not usernames:
            return {}
        where += f" AND assignee IN ({', '.join('?' for _ in usernames)})"
        args += usernames
    overdue = "sum(first_response_on IS NULL AND due_date < ?)" if today else "0"
    # The overdue count reads due dates: from errands_load alone, not from 100,000 table rows.
    source = "errands INDEXED BY errands_load" if today else "errands"
    rows = conn.execute(f"SELECT assignee, count(*), {overdue} FROM {source} WHERE {where} GROUP BY assignee",
                        ([today] if today else []) + args).fetchall()
    return {r[0]: (r[1], r[2] or 0) for r in rows}


def open_of_assignee(conn: sqlite3.Connection, username: str, type_code: str | None = None) -> list[sqlite3.Row]:
    """The open errands one person holds, oldest due first."""
    sql = "SELECT id, ref, type, version FROM errands WHERE assignee = ? AND status = 'assigned'"
    args: list = [username]
    if type_code:
        sql += " AND type = ?"
        args.append(type_code)
    return conn.execute(sql + f" ORDER BY {_OPEN_ORDER}", args).fetchall()


def last_event_id(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]


def news_for(conn: sqlite3.Connection, username: str, after_id: int) -> list[sqlite3.Row]:
    """Assignments, reassignments and reminders to `username` by someone else, after event
    `after_id`: a range of the newest events only, whatever the backlog."""
    return conn.execute(
        # NOT INDEXED: walk the newest events by id, never every assignment there ever was.
        "SELECT ev.id, ev.kind, x.ref FROM events ev NOT INDEXED JOIN errands x ON x.id = ev.errand_id"
        " WHERE ev.id > ? AND ev.target = ? AND ev.actor <> ? AND ev.kind IN ('assign', 'reassign', 'remind')"
        " ORDER BY ev.id",
        (after_id, username, username),
    ).fetchall()
