"""The audit log (R9, R15): append-only rows, each hashed together with the previous row's hash.

Rows are written inside the same write transaction as the change they describe, so neither can
exist without the other. Triggers refuse UPDATE and DELETE; the chain lets `bcc-tui check` find
a row changed by someone who went around the triggers.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter

GENESIS = "0" * 64
_FIELDS = ("at", "actor", "role", "action", "ref", "personnummer", "outcome", "detail")


def _digest(prev_hash: str, row: dict) -> str:
    payload = "\x1f".join([prev_hash, *("" if row[f] is None else str(row[f]) for f in _FIELDS)])
    if row.get("data") is not None:
        # What a row says for machines (issue 28: the content read in, a staff change, a setting)
        # is covered by the chain too; a row without it hashes as before the column existed.
        payload += "\x1e" + str(row["data"])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def dump_data(value: dict) -> str:
    """An audit row's data as stored: JSON, one form for one value (sorted keys, no spaces)."""
    return _DATA.encode(value)


# json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")), without an encoder
# built for each row.
_DATA = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class Entry:
    at: str
    actor: str
    role: str
    action: str
    ref: str | None = None
    personnummer: str | None = None
    outcome: str = "ok"
    detail: str = ""
    data: str | None = None  # JSON (dump_data): what replaying the log needs (issue 28)


_VALUES = attrgetter(*_FIELDS, "data")


def last_at(conn: sqlite3.Connection) -> str | None:
    """The newest row's moment (UTC text), None for an empty log."""
    row = conn.execute("SELECT at FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    return row[0] if row else None


def append(conn: sqlite3.Connection, entries: Iterable[Entry]) -> None:
    """Append rows; the caller holds the write transaction (BEGIN IMMEDIATE)."""
    last = conn.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    prev = last[0] if last else GENESIS
    rows = []
    for entry in entries:
        values = _VALUES(entry)
        digest = _digest_values(prev, values)
        rows.append((*values, prev, digest))
        prev = digest
    conn.executemany(
        "INSERT INTO audit (at, actor, role, action, ref, personnummer, outcome, detail, data, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def _digest_values(prev_hash: str, values: tuple) -> str:
    """`_digest` of an Entry's values (_FIELDS', then data): an import hashes 10,000 rows."""
    *fields, data = values
    payload = "\x1f".join([prev_hash, *["" if v is None else str(v) for v in fields]])
    if data is not None:
        payload += "\x1e" + str(data)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def has_data(conn: sqlite3.Connection) -> bool:
    """Whether the log has its data column (a backup may be older than the column)."""
    return any(r[1] == "data" for r in conn.execute("PRAGMA table_info(audit)"))


def verify(conn: sqlite3.Connection, batch: int = 5000) -> list[str]:
    """Problems in the chain (empty when intact): a changed, removed or reordered row."""
    problems: list[str] = []
    prev, last_id, after = GENESIS, 0, 0
    data = ", data" if has_data(conn) else ""
    while True:
        rows = conn.execute(
            f"SELECT id, at, actor, role, action, ref, personnummer, outcome, detail{data}, prev_hash, hash"
            " FROM audit WHERE id > ? ORDER BY id LIMIT ?",
            (after, batch),
        ).fetchall()
        if not rows:
            return problems
        for row in rows:
            row = dict(row)
            if row["id"] != last_id + 1:
                problems.append(f"granskningsloggen saknar rad {last_id + 1}–{row['id'] - 1}")
            if row["prev_hash"] != prev:
                problems.append(
                    f"granskningsloggens rad {row['id']}: kedjan bryts (föregående rad ändrad eller borttagen)"
                )
            if _digest(row["prev_hash"], row) != row["hash"]:
                problems.append(f"granskningsloggens rad {row['id']}: innehållet har ändrats")
            prev, last_id = row["hash"], row["id"]
            if len(problems) > 20:
                problems.append("… fler fel i granskningsloggen")
                return problems
        after = last_id
