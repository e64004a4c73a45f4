"""Queries on reply templates."""

from __future__ import annotations

import sqlite3

from bcc_tui.store.db import new_id


def listing(
    conn: sqlite3.Connection, *, type_code: str | None = None, active_only: bool = True
) -> list[sqlite3.Row]:
    where, args = [], []
    if active_only:
        where.append("active = 1")
    if type_code:
        where.append("(type = ? OR type IS NULL)")
        args.append(type_code)
    sql = "SELECT * FROM templates" + (" WHERE " + " AND ".join(where) if where else "")
    return conn.execute(sql + " ORDER BY type IS NULL, name", args).fetchall()


def by_name(conn: sqlite3.Connection, name: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM templates WHERE name = ?", (name,)).fetchone()


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
