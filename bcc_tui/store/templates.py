"""Queries on reply templates."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from bcc_tui.store import rows
from bcc_tui.store.db import new_id


@dataclass(frozen=True, slots=True)
class TemplateRow:
    """A reply template as stored; `type` None: for every errand type."""

    id: int
    name: str
    type: str | None
    body: str
    active: bool
    updated_at: str
    updated_by: str
    version: int

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> TemplateRow:
        id_, name, type_, body, active, updated_at, updated_by, version = row
        return cls(id_, name, type_, body, bool(active), updated_at, updated_by, version)


_TEMPLATE = "SELECT id, name, type, body, active, updated_at, updated_by, version FROM templates"


def listing(
    conn: sqlite3.Connection, *, type_code: str | None = None, active_only: bool = True
) -> list[TemplateRow]:
    where: list[str] = []
    args: list[object] = []
    if active_only:
        where.append("active = 1")
    if type_code:
        where.append("(type = ? OR type IS NULL)")
        args.append(type_code)
    sql = _TEMPLATE + (" WHERE " + " AND ".join(where) if where else "")
    return rows.every(conn, TemplateRow.from_row, sql + " ORDER BY type IS NULL, name", args)


def by_name(conn: sqlite3.Connection, name: str) -> TemplateRow | None:
    return rows.first(conn, TemplateRow.from_row, f"{_TEMPLATE} WHERE name = ?", (name,))


def insert(conn: sqlite3.Connection, row: dict) -> int:
    cols = ", ".join(row)
    return new_id(
        conn.execute(f"INSERT INTO templates ({cols}) VALUES ({', '.join(':' + c for c in row)})", row)
    )


def update(conn: sqlite3.Connection, template_id: int, fields: dict) -> None:
    sets = ", ".join(f"{k} = :{k}" for k in fields)
    conn.execute(
        f"UPDATE templates SET {sets}, version = version + 1 WHERE id = :id", {**fields, "id": template_id}
    )
