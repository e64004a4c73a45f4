"""Queries for `check`: the schema as stored, errands with their histories, the audit log as
evidence, and a backup's log and history to compare with (issue 12)."""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bcc_tui.domain.search import fold
from bcc_tui.store import schema


def _lenient(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


@contextmanager
def tolerant(conn: sqlite3.Connection) -> Iterator[None]:
    """Text that is not UTF-8 (written around the program) is read with replacement characters,
    so that it is reported as changed content instead of stopping the check."""
    before = conn.text_factory
    conn.text_factory = _lenient
    try:
        yield
    finally:
        conn.text_factory = before


def open_witness(path: Path) -> sqlite3.Connection:
    """A backup, read-only (it is a witness, never written), read as the live side reads under
    tolerant(); raises sqlite3.Error unless it holds an audit log and a history."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        conn.row_factory = sqlite3.Row
        conn.text_factory = _lenient
        conn.execute("SELECT count(*) FROM audit").fetchone()
        conn.execute("SELECT count(*) FROM events").fetchone()
    except BaseException:
        conn.close()
        raise
    return conn


# Actions whose successful audit row is written with exactly one event of the same kind.
ONE_EVENT_EACH = ("assign", "reassign", "reply", "partial_reply", "close", "note", "remind", "acute_handled")


@functools.cache
def _expected() -> tuple[dict[tuple[str, str], str | None], dict[str, tuple[str, ...]]]:
    """The objects, and each table's columns, of a database migrated by this program (in memory)."""
    conn = sqlite3.connect(":memory:")
    conn.create_function("bcc_fold", 1, fold, deterministic=True)  # a migration fills search_text
    try:
        for script in schema.MIGRATIONS:
            for statement in schema._split(script):
                conn.execute(statement)
        objects = stored_schema(conn)
        columns = {
            name: tuple(r[1] for r in conn.execute(f"PRAGMA table_info({name})"))
            for kind, name in objects
            if kind == "table"
        }
        return objects, columns
    finally:
        conn.close()


def expected_schema() -> dict[tuple[str, str], str | None]:
    """(type, name) -> sql of every object a database migrated by this program has."""
    return _expected()[0]


def expected_columns(table: str) -> tuple[str, ...]:
    return _expected()[1].get(table, ())


def stored_schema(conn: sqlite3.Connection) -> dict[tuple[str, str], str | None]:
    return {
        (r[0], r[1]): r[2]
        for r in conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        )
    }


def errands_with_events(conn: sqlite3.Connection) -> Iterator[tuple[sqlite3.Row, list[dict]]]:
    """Every errand with its events in id order, streamed (two cursors merged; no N+1 queries)."""
    events = conn.execute(
        "SELECT id, errand_id, kind, at, actor, target, detail FROM events ORDER BY errand_id, id"
    )
    pending = events.fetchone()
    for row in conn.execute("SELECT * FROM errands ORDER BY id"):
        own = []
        while pending is not None and pending["errand_id"] <= row["id"]:
            if pending["errand_id"] == row["id"]:
                own.append(_event(pending))
            pending = events.fetchone()
        yield row, own


def replies_unlike_their_outbound(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Replies and partial replies whose text differs from the copy queued for 1177 with them:
    what the family was told, changed afterwards in one place."""
    return conn.execute(
        "SELECT x.ref, ev.id, ev.kind FROM events ev JOIN outbound o ON o.event_id = ev.id"
        " JOIN errands x ON x.id = ev.errand_id"
        " WHERE ev.kind IN ('reply', 'partial_reply') AND o.text IS NOT ev.text ORDER BY ev.id"
    ).fetchall()


def _event(row: sqlite3.Row) -> dict:
    ev = dict(row)
    try:
        ev["detail"] = json.loads(ev["detail"]) if ev["detail"] else {}
    except ValueError:
        ev["detail"] = {"unreadable": ev["detail"]}
    if not isinstance(ev["detail"], dict):
        ev["detail"] = {"unreadable": ev["detail"]}
    return ev


def audit_counts(conn: sqlite3.Connection, actions: tuple[str, ...]) -> dict[tuple[str, str], int]:
    """(ref, action) -> successful audit rows, for the errand actions."""
    marks = ", ".join("?" for _ in actions)
    return {
        (r[0], r[1]): r[2]
        for r in conn.execute(
            f"SELECT ref, action, count(*) FROM audit WHERE outcome = 'ok' AND ref IS NOT NULL"
            f" AND action IN ({marks}) GROUP BY ref, action",
            actions,
        )
    }


def audited_refs_missing(conn: sqlite3.Connection, limit: int = 20) -> list[str]:
    """Refs the log says were imported that are no longer in the errands table."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT ref FROM audit WHERE action = 'import' AND outcome = 'ok' AND ref IS NOT NULL"
            " AND ref NOT IN (SELECT ref FROM errands) LIMIT ?",
            (limit,),
        )
    ]


def audit_backwards(conn: sqlite3.Connection, limit: int = 20) -> list[tuple[int, str, str]]:
    """Rows whose time is before the previous row's: (id, at, previous at)."""
    return [
        tuple(r)
        for r in conn.execute(
            "SELECT id, at, prev FROM (SELECT id, at, lag(at) OVER (ORDER BY id) AS prev FROM audit)"
            " WHERE at < prev ORDER BY id LIMIT ?",
            (limit,),
        )
    ]


def audit_hashes(conn: sqlite3.Connection, after: int = 0, batch: int = 5000) -> Iterator[tuple[int, str]]:
    """(id, hash) of the log in id order, paged."""
    while True:
        rows = conn.execute(
            "SELECT id, hash FROM audit WHERE id > ? ORDER BY id LIMIT ?", (after, batch)
        ).fetchall()
        if not rows:
            return
        for r in rows:
            yield r[0], r[1]
        after = rows[-1][0]


_EVENT_COLUMNS = "id, errand_id, kind, at, actor, actor_name, actor_title, target, text, detail"


def event_rows(conn: sqlite3.Connection, after: int = 0, batch: int = 5000) -> Iterator[tuple]:
    """Every event in id order with all its columns, paged."""
    while True:
        rows = conn.execute(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE id > ? ORDER BY id LIMIT ?", (after, batch)
        ).fetchall()
        if not rows:
            return
        for r in rows:
            yield tuple(r)
        after = rows[-1][0]


def errand_refs(conn: sqlite3.Connection) -> dict[int, str]:
    return dict(conn.execute("SELECT id, ref FROM errands").fetchall())


def last_audit(conn: sqlite3.Connection) -> tuple[int, str] | None:
    row = conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    return (row[0], row[1]) if row else None
