"""How the store hands out what it reads: each query's rows become frozen dataclasses (issue 30),
so that the layers above read attributes a checker knows, never a row by string key.

The rows come from the cursor as plain tuples (no sqlite3.Row between) and go straight into the
dataclass's `from_row`, which takes the columns in the order its query names them: one call per
row, no lookup by name. The connection's own row factory (sqlite3.Row) stays for the queries
that are not converted yet and for tools.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

Args = Sequence[object] | Mapping[str, object]


def _tuples(conn: sqlite3.Connection, sql: str, args: Args) -> sqlite3.Cursor:
    cur = conn.cursor()
    cur.row_factory = None  # plain tuples
    return cur.execute(sql, args)


def every(
    conn: sqlite3.Connection, make: Callable[[tuple[Any, ...]], T], sql: str, args: Args = ()
) -> list[T]:
    """All the rows of `sql`, each made by `make`."""
    return list(map(make, _tuples(conn, sql, args)))


def each(
    conn: sqlite3.Connection, make: Callable[[tuple[Any, ...]], T], sql: str, args: Args = ()
) -> Iterator[T]:
    """The rows of `sql` one at a time (a long listing streamed), each made by `make`."""
    return map(make, _tuples(conn, sql, args))


def first(
    conn: sqlite3.Connection, make: Callable[[tuple[Any, ...]], T], sql: str, args: Args = ()
) -> T | None:
    """The first row of `sql` made by `make`, or None when there is none."""
    row = _tuples(conn, sql, args).fetchone()
    return None if row is None else make(row)
