"""Queries on errands, their events and the outbound reply queue."""

from __future__ import annotations

import heapq
import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from bcc_tui.domain.errors import Conflict
from bcc_tui.domain.search import fold, personnummer_text
from bcc_tui.store import rows
from bcc_tui.store.db import new_id

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

# What `list --json` reads of a row (services/views.summary_json): the list's columns without the
# patient's name, the subject and the closing's, which it does not print.
JSON_COLUMNS = (
    "id, ref, type, unit, received_at, received_on, due_date, personnummer, proxy_name, urgent, "
    "status, assignee, first_response_on, partial_reply_at, last_reminded_at, acute, acute_handled_at, "
    "version, "
    "(SELECT r.text FROM handover_remarks r WHERE r.errand_id = errands.id AND r.handover_id IS NULL"
    " ORDER BY r.id DESC LIMIT 1) AS remark"
)

_OPEN_ORDER = "urgent DESC, due_date, received_at, id"


@dataclass(frozen=True, slots=True)
class ErrandRow:
    """An errand as the lists read it (LIST_COLUMNS, in this order): all but the message, with its
    open handover remark. Times are stored UTC text, dates ISO text; `urgent` the column's 0 or 1
    (built with no conversion: a 100,000-errand listing makes one of these per row)."""

    id: int
    ref: str
    type: str
    unit: str
    received_at: str
    received_on: str
    due_date: str
    patient_name: str
    personnummer: str
    proxy_name: str | None
    proxy_relation: str | None
    subject: str
    contact_preference: str | None
    urgent: int
    status: str
    assignee: str | None
    first_response_at: str | None
    first_response_on: str | None
    partial_reply_at: str | None
    closed_at: str | None
    close_kind: str | None
    last_reminded_at: str | None
    acute: str | None
    acute_handled_at: str | None
    version: int
    remark: str | None

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> ErrandRow:
        return cls(*row)


@dataclass(frozen=True, slots=True)
class Errand:
    """One errand in full, as stored (by_ref): the list's columns, the message and what the intake
    kept (no remark: the detail reads it beside)."""

    id: int
    ref: str
    type: str
    unit: str
    received_at: str
    received_on: str
    due_date: str
    patient_name: str
    personnummer: str
    proxy_name: str | None
    proxy_relation: str | None
    subject: str
    message: str
    contact_preference: str | None
    phone: str | None
    urgent: int
    status: str
    assignee: str | None
    first_response_at: str | None
    first_response_on: str | None
    partial_reply_at: str | None
    closed_at: str | None
    close_kind: str | None
    content_hash: str
    imported_at: str
    version: int
    last_reminded_at: str | None
    acute: str | None
    acute_handled_at: str | None

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> Errand:
        return cls(*row)


# The columns of Errand, in its order (a table that migrations grew: its own order is not relied on).
_ERRAND = (
    "SELECT id, ref, type, unit, received_at, received_on, due_date, patient_name, personnummer,"
    " proxy_name, proxy_relation, subject, message, contact_preference, phone, urgent, status, assignee,"
    " first_response_at, first_response_on, partial_reply_at, closed_at, close_kind, content_hash,"
    " imported_at, version, last_reminded_at, acute, acute_handled_at FROM errands"
)


def search_text(row: dict[str, Any]) -> str:
    """What the filter searches in the row itself (as migration 9 writes it): reference, subject,
    patient, personnummer (also as its twelve digits, search.personnummer_text) and proxy, folded.
    Type labels and holders' names are matched through their codes and user names, so renaming a
    person needs no rewrite of errands."""
    return search_text_of(
        row["ref"], row.get("subject"), row["patient_name"], row["personnummer"], row.get("proxy_name")
    )


def search_text_of(ref: str, subject: str | None, name: str, pnr: str, proxy: str | None) -> str:
    """`search_text` of these fields (an import works it out before its write, in its helper)."""
    return fold(" ".join((ref, subject or "", name, personnummer_text(pnr), proxy or "")))


@lru_cache(maxsize=16)
def _insert_sql(cols: tuple[str, ...]) -> str:
    # An import writes 10,000 rows of the same shape: the statement is built once.
    return f"INSERT INTO errands ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})"


def insert(conn: sqlite3.Connection, row: dict[str, Any]) -> int:
    if "search_text" not in row:
        row = {**row, "search_text": search_text(row)}
    return new_id(conn.execute(_insert_sql(tuple(row)), row))


# What intake writes of a new errand, in this order (services/intake.py), then its search_text.
NEW_COLUMNS = (
    "ref",
    "type",
    "unit",
    "received_at",
    "received_on",
    "due_date",
    "patient_name",
    "personnummer",
    "proxy_name",
    "proxy_relation",
    "subject",
    "message",
    "contact_preference",
    "phone",
    "urgent",
    "status",
    "content_hash",
    "imported_at",
    "acute",
    "partial_reply_at",
    "first_response_at",
    "first_response_on",
)
_INSERT_NEW = (
    f"INSERT INTO errands ({', '.join(NEW_COLUMNS)}, search_text)"
    f" VALUES ({', '.join('?' for _ in NEW_COLUMNS)}, ?)"
)


def insert_new(conn: sqlite3.Connection, values: tuple[Any, ...], searched: str) -> int:
    """`insert` of a new errand given as NEW_COLUMNS' values and its search_text (search_text_of
    its fields): an import's 10,000 rows without a dictionary each."""
    return new_id(conn.execute(_INSERT_NEW, (*values, searched)))


def by_ref(conn: sqlite3.Connection, ref: str) -> Errand | None:
    return rows.first(conn, Errand.from_row, f"{_ERRAND} WHERE ref = ?", (ref,))


def hashes_by_ref(conn: sqlite3.Connection, refs: list[str]) -> dict[str, str]:
    """The stored content hash of each of `refs` that exists (one query for a whole batch)."""
    out: dict[str, str] = {}
    for i in range(0, len(refs), 500):
        part = refs[i : i + 500]
        out.update(
            conn.execute(
                f"SELECT ref, content_hash FROM errands WHERE ref IN ({', '.join('?' for _ in part)})", part
            ).fetchall()
        )
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
    conn: sqlite3.Connection,
    errand_id: int,
    kind: str,
    at: str,
    actor: str,
    actor_name: str,
    actor_title: str = "",
    target: str | None = None,
    text: str | None = None,
    detail: dict | None = None,
) -> int:
    cur = conn.execute(
        "INSERT INTO events (errand_id, kind, at, actor, actor_name, actor_title, target, text, detail)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            errand_id,
            kind,
            at,
            actor,
            actor_name,
            actor_title,
            target,
            text,
            json.dumps(detail, ensure_ascii=False) if detail else None,
        ),
    )
    return new_id(cur)


@dataclass(frozen=True, slots=True)
class EventRow:
    """One event in an errand's history, as stored (`detail`: JSON text or None)."""

    id: int
    errand_id: int
    kind: str
    at: str
    actor: str
    actor_name: str
    actor_title: str
    target: str | None
    text: str | None
    detail: str | None

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> EventRow:
        return cls(*row)  # the columns of events, in the order of the fields


def events(conn: sqlite3.Connection, errand_id: int) -> list[EventRow]:
    return rows.every(
        conn,
        EventRow.from_row,
        "SELECT id, errand_id, kind, at, actor, actor_name, actor_title, target, text, detail"
        " FROM events WHERE errand_id = ? ORDER BY id",
        (errand_id,),
    )


def add_outbound(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
    cols = ", ".join(row)
    conn.execute(f"INSERT INTO outbound ({cols}) VALUES ({', '.join(':' + c for c in row)})", row)


# Need-to-know (R2): a caregiver's errands are those assigned to them and those they answered or
# closed (_ANSWERED: the events that make an errand theirs). Lists and counts read the set of the
# errands the person answered (_INVOLVED); one errand asks its own events (involves): the same rule.
_ANSWERED = "('reply', 'partial_reply', 'close')"
_INVOLVED = f"(assignee = ? OR id IN (SELECT errand_id FROM events WHERE actor = ? AND kind IN {_ANSWERED}))"


def involves(conn: sqlite3.Connection, errand_id: int, username: str) -> bool:
    """Whether the errand is among `username`'s under need-to-know (see _INVOLVED). Asked of its
    own events ("+kind": by the errand's index): _INVOLVED's set is every reply the person ever
    wrote, 8-9 ms on 100,000 errands at each errand a caregiver opens or acts on (issue 31)."""
    return (
        conn.execute(
            "SELECT 1 FROM errands WHERE id = ? AND (assignee = ? OR EXISTS (SELECT 1 FROM events"
            f" WHERE events.errand_id = errands.id AND actor = ? AND +kind IN {_ANSWERED}))",
            (errand_id, username, username),
        ).fetchone()
        is not None
    )


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds an errand and whose it is: what decides whether a change concerns a person."""

    id: int
    assignee: str | None
    personnummer: str

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> Holder:
        return cls(*row)  # id, assignee, personnummer


def holders(conn: sqlite3.Connection, ids: list[int]) -> list[Holder]:
    """The holder and patient of each of `ids` that exists."""
    out: list[Holder] = []
    for i in range(0, len(ids), 500):
        part = ids[i : i + 500]
        out += rows.each(
            conn,
            Holder.from_row,
            f"SELECT id, assignee, personnummer FROM errands WHERE id IN ({', '.join('?' for _ in part)})",
            part,
        )
    return out


def involving_events(conn: sqlite3.Connection, ids: list[int], username: str) -> list[tuple[int, int]]:
    """(errand id, event id) of `username`'s events among `ids` that make an errand theirs under
    need-to-know (see _INVOLVED)."""
    out: list[tuple[int, int]] = []
    for i in range(0, len(ids), 500):
        part = ids[i : i + 500]
        out += [
            (r[0], r[1])
            for r in conn.execute(
                # "+kind": by the errands' own index. From three ids on, SQLite chose the index on
                # (kind, actor) and walked every reply the person ever wrote: 6-7 ms for each
                # caregiver's dashboard at a change of three errands, on 100,000 (issue 31).
                f"SELECT errand_id, id FROM events WHERE errand_id IN ({', '.join('?' for _ in part)})"
                f" AND actor = ? AND +kind IN {_ANSWERED}",
                [*part, username],
            )
        ]
    return out


def _where(
    status: str | None,
    assignee: str | None,
    involved: str | None,
    search: Search | None,
    statuses: Sequence[str] | None = None,
) -> tuple[str, list[object]]:
    where: list[str] = []
    args: list[object] = []
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
        where.append(_INVOLVED)
        args += [involved, involved]
    if search:
        clause, extra = search.clause()
        where.append(clause)
        args += extra
    return (" WHERE " + " AND ".join(where)) if where else "", args


def listing(
    conn: sqlite3.Connection,
    *,
    status: str | None = None,
    statuses: tuple[str, ...] | None = None,
    assignee: str | None = None,
    involved: str | None = None,
    search: Search | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[ErrandRow]:
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
    return rows.every(conn, ErrandRow.from_row, sql, args)


def count(
    conn: sqlite3.Connection,
    *,
    status: str | None = None,
    involved: str | None = None,
    search: Search | None = None,
) -> int:
    where, args = _where(status, None, involved, search)
    return conn.execute(f"SELECT count(*) FROM errands{where}", args).fetchone()[0]


# -- paging by attention (issue 13) --------------------------------------------------------------
@dataclass(frozen=True)
class Search:
    """A filter, already folded: the text, plus the type codes and user names whose labels match
    it (found by the service in the small tables, so the query needs no join)."""

    needle: str
    types: tuple[str, ...] = ()
    usernames: tuple[str, ...] = ()

    def clause(self) -> tuple[str, list]:
        parts, args = ["instr(search_text, ?) > 0"], [self.needle]
        if self.types:
            parts.append(f"type IN ({', '.join('?' for _ in self.types)})")
            args += list(self.types)
        if self.usernames:
            parts.append(f"assignee IN ({', '.join('?' for _ in self.usernames)})")
            args += list(self.usernames)
        return "(" + " OR ".join(parts) + ")", args


@dataclass(frozen=True)
class Attention:
    """The dates that split open errands into views.attention_key's ranks on one day:
    `today` (ISO), `soon_before` (ISO; due before it = due soon), `followup_before` (UTC text;
    a partial reply sent before it has passed its follow-up date)."""

    today: str
    soon_before: str
    followup_before: str


CLOSED_ORDER = "closed_at DESC, id DESC"
OPEN = "open"  # a pane status: unassigned and assigned together

# views.attention_key in SQL. The order is acute signs first, urgent, then the rank — follow-up
# passed or overdue 0, due soon 1, ok 2, answered by a partial reply 3 — then due date, arrival,
# ref. The rank depends on today, so no index holds it; but within (status, acute, urgent,
# answered) the errands_attention index lists rows by due date, and each rank is a due-date
# range or a filter on that list. A page is then a few index range scans that stop after `limit`
# rows: the cost follows the page, not the backlog. (A partial reply always sets
# first_response_on, so "answered" is first_response_on IS NOT NULL.)
_ACUTE = "(coalesce(acute, '') = '' OR acute_handled_at IS NOT NULL)"  # R25: handled signs no longer pin
_UNANSWERED = "(first_response_on IS NULL)"
_SEGMENT_KEY = "due_date, received_at, ref"


def _ranks(a: Attention) -> list[list[tuple[str, list]]]:
    """Each rank as the ranges whose union it is (merged by due date, arrival, ref)."""
    return [
        [
            (f"{_UNANSWERED} = 1 AND due_date < ?", [a.today]),
            (f"{_UNANSWERED} = 0 AND partial_reply_at < ?", [a.followup_before]),
        ],
        [(f"{_UNANSWERED} = 1 AND due_date >= ? AND due_date < ?", [a.today, a.soon_before])],
        [(f"{_UNANSWERED} = 1 AND due_date >= ?", [a.soon_before])],
        [(f"{_UNANSWERED} = 0 AND (partial_reply_at IS NULL OR partial_reply_at >= ?)", [a.followup_before])],
    ]


def _pane_where(
    status: str, involved: str | None, search: Search | None, extra: str | None = None
) -> tuple[str, list]:
    if status == OPEN:
        where, args = _where(None, None, involved, search, ("unassigned", "assigned"))
    else:
        where, args = _where(status, None, involved, search)
        if status != "closed":
            where += " AND status <> 'closed'"  # a literal, so the partial index applies
    if extra:
        where += f" AND ({extra})"
    return where, args


def _attention_ids(
    conn: sqlite3.Connection,
    statuses: tuple[str, ...],
    attention: Attention,
    involved: str | None,
    search: Search | None,
    extra: str | None,
    extra_args: tuple,
    need: int | None,
) -> list[int]:
    # A pane's page (one status, a limit): each range its own index scan, stopped at the limit.
    # A whole list or both statuses: one query per rank and SQLite sorts it, faster than a merge
    # in Python when every row is wanted.
    ranged = len(statuses) == 1 and need is not None
    if len(statuses) == 1:
        base, base_args = _pane_where(statuses[0], involved, search, extra)
    else:
        base, base_args = _pane_where(OPEN, involved, search, extra)
    base_args += list(extra_args)
    ids: list[int] = []
    for acute_missing in (0, 1):
        for urgent in (1, 0):
            for rank in _ranks(attention):
                parts = (
                    rank
                    if ranged
                    else [(" OR ".join(f"({c})" for c, _ in rank), [a for _, args in rank for a in args])]
                )
                streams = []
                for cond, cond_args in parts:
                    sql = (
                        f"SELECT id, {_SEGMENT_KEY} FROM errands{base} AND {_ACUTE} = ? AND urgent = ?"
                        f" AND ({cond}) ORDER BY {_SEGMENT_KEY}"
                    )
                    args = [*base_args, acute_missing, urgent, *cond_args]
                    if need is not None:
                        sql += " LIMIT ?"
                        args.append(need - len(ids))
                    streams.append(conn.execute(sql, args))
                merged = (
                    streams[0]
                    if len(streams) == 1
                    else heapq.merge(*streams, key=lambda r: (r[1], r[2], r[3]))
                )
                if need is None:
                    ids += [row[0] for row in merged]
                    continue
                for row in merged:
                    ids.append(row[0])
                    if len(ids) >= need:
                        return ids
    return ids


def page_ids(
    conn: sqlite3.Connection,
    status: str,
    *,
    attention: Attention,
    involved: str | None = None,
    search: Search | None = None,
    limit: int | None = None,
    offset: int = 0,
    extra: str | None = None,
    extra_args: tuple = (),
) -> list[int]:
    """The ids of one pane's rows in order: open ones by attention, closed ones newest first."""
    if status != "closed":
        statuses = ("unassigned", "assigned") if status == OPEN else (status,)
        need = None if limit is None else offset + limit
        if need == 0:
            return []
        return _attention_ids(conn, statuses, attention, involved, search, extra, extra_args, need)[offset:]
    where, args = _pane_where(status, involved, search, extra)
    args += list(extra_args)
    sql = f"SELECT id FROM errands{where} ORDER BY {CLOSED_ORDER}"
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        args += [limit, offset]
    return [r[0] for r in conn.execute(sql, args)]


def rows_by_ids(conn: sqlite3.Connection, ids: list[int]) -> list[ErrandRow]:
    """The list columns of `ids`, in the order given (rows gone since are left out)."""
    found: dict[int, ErrandRow] = {}
    for i in range(0, len(ids), 500):
        part = ids[i : i + 500]
        for r in rows.each(
            conn,
            ErrandRow.from_row,
            f"SELECT {LIST_COLUMNS} FROM errands WHERE id IN ({', '.join('?' for _ in part)})",
            part,
        ):
            found[r.id] = r
    return [found[i] for i in ids if i in found]


def json_rows(conn: sqlite3.Connection, ids: list[int]) -> list[dict]:
    """The JSON_COLUMNS of `ids` as plain dicts, in the order given (rows gone since are left out):
    `list --json` reads a row's columns some 30 times, and a sqlite3.Row finds a column by name
    by comparing it with each column's name in turn (several times slower than a dict)."""
    cur = conn.cursor()
    cur.row_factory = None
    found: dict[int, tuple] = {}
    names: list[str] = []
    for i in range(0, len(ids), 500):
        part = ids[i : i + 500]
        cur.execute(f"SELECT {JSON_COLUMNS} FROM errands WHERE id IN ({', '.join('?' for _ in part)})", part)
        names = [d[0] for d in cur.description]
        for r in cur:
            found[r[0]] = r
    return [dict(zip(names, found[i], strict=True)) for i in ids if i in found]


def pane_count(
    conn: sqlite3.Connection,
    status: str,
    *,
    involved: str | None = None,
    search: Search | None = None,
    extra: str | None = None,
    extra_args: tuple = (),
) -> int:
    where, args = _pane_where(status, involved, search, extra)
    # Without statistics the planner counts closed errands by scanning errands_assignee, all
    # 100,000 rows of a backlog; the partial index holds exactly the closed ones.
    plain = status == "closed" and not (involved or search or extra)
    source = "errands INDEXED BY errands_closed" if plain else "errands"
    return conn.execute(f"SELECT count(*) FROM {source}{where}", args + list(extra_args)).fetchone()[0]


def open_pane_counts(
    conn: sqlite3.Connection,
    status: str,
    attention: Attention,
    *,
    involved: str | None = None,
    search: Search | None = None,
) -> tuple[int, int]:
    """How many errands an open pane has, and how many of them are overdue: one index scan."""
    where, args = _pane_where(status, involved, search)
    total, overdue = conn.execute(
        f"SELECT count(*), total({OVERDUE_SQL}) FROM errands{where}", [attention.today] + args
    ).fetchone()
    return total, int(overdue)


OVERDUE_SQL = "first_response_on IS NULL AND due_date < ?"


def overdue_among(conn: sqlite3.Connection, ids: list[int], attention: Attention) -> int:
    """How many of `ids` (the rows of a pane's pages) are overdue."""
    overdue = 0.0
    for i in range(0, len(ids), 500):
        part = ids[i : i + 500]
        overdue += conn.execute(
            f"SELECT total({OVERDUE_SQL}) FROM errands WHERE id IN ({', '.join('?' for _ in part)})",
            [attention.today, *part],
        ).fetchone()[0]
    return int(overdue)


def last_replies(conn: sqlite3.Connection, pnrs: list[str]) -> dict[str, tuple[str, str]]:
    """For each patient, the caregiver who last replied (final reply) and when (UTC text)."""
    out: dict[str, tuple[str, str]] = {}
    for chunk in range(0, len(pnrs), 500):
        part = pnrs[chunk : chunk + 500]
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


T = TypeVar("T")


def _open_after(
    conn: sqlite3.Connection, make: Callable[[tuple[Any, ...]], T], select: str, after_id: int, limit: int
) -> list[T]:
    """One batch of open errands after `after_id`, in id order (the batched recomputes)."""
    return rows.every(
        conn, make, f"{select} WHERE id > ? AND status <> 'closed' ORDER BY id LIMIT ?", (after_id, limit)
    )


@dataclass(frozen=True, slots=True)
class OpenMessage:
    """An open errand's texts and acute findings, for screening it again (R11)."""

    id: int
    subject: str
    message: str
    acute: str | None
    acute_handled_at: str | None
    version: int

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> OpenMessage:
        return cls(*row)  # the columns of _MESSAGE


_MESSAGE = "SELECT id, subject, message, acute, acute_handled_at, version FROM errands"


def open_messages(conn: sqlite3.Connection, after_id: int, limit: int) -> list[OpenMessage]:
    """One batch of open errands' texts in id order, for screening them again (R11)."""
    return _open_after(conn, OpenMessage.from_row, _MESSAGE, after_id, limit)


def open_message(conn: sqlite3.Connection, errand_id: int) -> OpenMessage | None:
    return rows.first(
        conn, OpenMessage.from_row, f"{_MESSAGE} WHERE id = ? AND status <> 'closed'", (errand_id,)
    )


def open_count_after(conn: sqlite3.Connection, after_id: int) -> int:
    return conn.execute(
        "SELECT count(*) FROM errands WHERE id > ? AND status <> 'closed'", (after_id,)
    ).fetchone()[0]


@dataclass(frozen=True, slots=True)
class OpenDue:
    """An open errand's due date and what it is computed from, for following a type's days (R14)."""

    id: int
    ref: str
    type: str
    received_on: str
    due_date: str
    version: int

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> OpenDue:
        return cls(*row)  # the columns of _DUE


_DUE = "SELECT id, ref, type, received_on, due_date, version FROM errands"


def open_dues(conn: sqlite3.Connection, after_id: int, limit: int) -> list[OpenDue]:
    """One batch of open errands' due dates in id order, for following a type's days (R14)."""
    return _open_after(conn, OpenDue.from_row, _DUE, after_id, limit)


def open_due(conn: sqlite3.Connection, errand_id: int) -> OpenDue | None:
    return rows.first(conn, OpenDue.from_row, f"{_DUE} WHERE id = ? AND status <> 'closed'", (errand_id,))


def set_due(conn: sqlite3.Connection, errand_id: int, expected_version: int, due: str) -> bool:
    """Compare-and-set of an open errand's due date; False when it changed or closed meanwhile."""
    cur = conn.execute(
        "UPDATE errands SET due_date = ?, version = version + 1"
        " WHERE id = ? AND version = ? AND status <> 'closed'",
        (due, errand_id, expected_version),
    )
    return cur.rowcount == 1


def set_acute(
    conn: sqlite3.Connection,
    errand_id: int,
    expected_version: int,
    acute: str | None,
    *,
    unhandle: bool = False,
) -> bool:
    """Compare-and-set of the acute findings (and, `unhandle`, the banner pinned again); False when
    the errand changed or closed meanwhile."""
    cur = conn.execute(
        "UPDATE errands SET acute = ?, version = version + 1"
        + (", acute_handled_at = NULL" if unhandle else "")
        + " WHERE id = ? AND version = ? AND status <> 'closed'",
        (acute, errand_id, expected_version),
    )
    return cur.rowcount == 1


@dataclass(frozen=True, slots=True)
class ErrandTypeRow:
    """An errand type's settings as stored (R14, R29); the 0/1 flags as bools."""

    code: str
    name: str
    business_days: int
    enabled: bool
    version: int
    default_assignee: str | None
    receivers_answer: bool

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> ErrandTypeRow:
        code, name, days, enabled, version, default_assignee, receivers_answer = row
        return cls(code, name, days, bool(enabled), version, default_assignee, bool(receivers_answer))


_TYPE = (
    "SELECT code, name, business_days, enabled, version, default_assignee, receivers_answer FROM errand_types"
)


def type_row(conn: sqlite3.Connection, code: str) -> ErrandTypeRow | None:
    return rows.first(conn, ErrandTypeRow.from_row, f"{_TYPE} WHERE code = ?", (code,))


def update_type(conn: sqlite3.Connection, code: str, fields: dict) -> None:
    sets = ", ".join(f"{k} = :{k}" for k in fields)
    conn.execute(
        f"UPDATE errand_types SET {sets}, version = version + 1 WHERE code = :code", {**fields, "code": code}
    )


def type_days(conn: sqlite3.Connection) -> dict[str, int]:
    return {r[0]: r[1] for r in conn.execute("SELECT code, business_days FROM errand_types")}


def types(conn: sqlite3.Connection) -> list[ErrandTypeRow]:
    return rows.every(conn, ErrandTypeRow.from_row, f"{_TYPE} ORDER BY rowid")


@dataclass(frozen=True, slots=True)
class OutboundReply:
    """A reply queued for 1177 (R20) and not exported yet, with its errand's reference and patient."""

    id: str
    kind: str
    text: str
    sent_at: str
    author_name: str
    author_title: str
    closes: bool
    ref: str
    personnummer: str

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> OutboundReply:
        id_, kind, text, sent_at, author_name, author_title, closes, ref, personnummer = row
        return cls(id_, kind, text, sent_at, author_name, author_title, bool(closes), ref, personnummer)


def outbound_waiting(conn: sqlite3.Connection) -> list[OutboundReply]:
    return rows.every(
        conn,
        OutboundReply.from_row,
        "SELECT o.id, o.kind, o.text, o.sent_at, o.author_name, o.author_title, o.closes, e.ref, e.personnummer"
        " FROM outbound o JOIN errands e ON e.id = o.errand_id"
        " WHERE o.exported_at IS NULL ORDER BY o.sent_at, o.event_id",
    )


def mark_exported(conn: sqlite3.Connection, ids: list[str], now: str) -> None:
    conn.executemany(
        "UPDATE outbound SET exported_at = ? WHERE id = ? AND exported_at IS NULL", [(now, i) for i in ids]
    )


def open_load(
    conn: sqlite3.Connection, usernames: list[str] | None = None, today: str | None = None
) -> dict[str, tuple[int, int]]:
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
    rows = conn.execute(
        f"SELECT assignee, count(*), {overdue} FROM {source} WHERE {where} GROUP BY assignee",
        ([today] if today else []) + args,
    ).fetchall()
    return {r[0]: (r[1], r[2] or 0) for r in rows}


# Acute signs that pin an errand (R11, R25): found, and not yet marked handled. Written once: a
# stored '' is no sign.
ACUTE_PINNED = "(coalesce(acute, '') <> '' AND acute_handled_at IS NULL)"


def held(conn: sqlite3.Connection, username: str) -> tuple[int, int]:
    """The open errands one person holds, and of them those with acute signs not yet handled."""
    row = conn.execute(
        f"SELECT count(*), coalesce(sum({ACUTE_PINNED}), 0) FROM errands"
        " WHERE status = 'assigned' AND assignee = ?",
        (username,),
    ).fetchone()
    return row[0], row[1]


def open_of_assignee(conn: sqlite3.Connection, username: str, type_code: str | None = None) -> list[str]:
    """The references of the open errands one person holds, most pressing first."""
    sql = "SELECT ref FROM errands WHERE assignee = ? AND status = 'assigned'"
    args: list[object] = [username]
    if type_code:
        sql += " AND type = ?"
        args.append(type_code)
    return [r[0] for r in conn.execute(sql + f" ORDER BY {_OPEN_ORDER}", args)]


def last_event_id(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]


def last_errand_id(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT coalesce(max(id), 0) FROM errands").fetchone()[0]


def acute_arrivals(conn: sqlite3.Connection, after_id: int) -> list[tuple[str, str]]:
    """(reference, acute findings as stored) of each errand that came after errand `after_id`
    with acute signs not yet handled and nobody holding it: the newest rows only, by the key."""
    return [
        (r[0], r[1])
        for r in conn.execute(
            "SELECT ref, acute FROM errands WHERE id > ? AND status = 'unassigned'"
            f" AND {ACUTE_PINNED} ORDER BY id",
            (after_id,),
        )
    ]


def news_for(conn: sqlite3.Connection, username: str, after_id: int) -> list[tuple[int, str, str, str]]:
    """(event id, kind, reference, acute findings as stored while not handled, else "") of each
    assignment, reassignment and reminder to `username` by someone else, after event `after_id`:
    a range of the newest events only, whatever the backlog."""
    return [
        (r[0], r[1], r[2], r[3])
        for r in conn.execute(
            # NOT INDEXED: walk the newest events by id, never every assignment there ever was.
            "SELECT ev.id, ev.kind, x.ref,"
            " CASE WHEN x.acute_handled_at IS NULL THEN coalesce(x.acute, '') ELSE '' END"
            " FROM events ev NOT INDEXED JOIN errands x ON x.id = ev.errand_id"
            " WHERE ev.id > ? AND ev.target = ? AND ev.actor <> ?"
            " AND ev.kind IN ('assign', 'reassign', 'remind') ORDER BY ev.id",
            (after_id, username, username),
        )
    ]
