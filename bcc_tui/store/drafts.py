"""Queries on drafts (R21): what a person has typed into a form and not yet sent."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from bcc_tui.store import rows


@dataclass(frozen=True, slots=True)
class DraftRow:
    """What one person typed into one form of one errand (`fields`: JSON text), and when."""

    fields: str
    saved_at: str

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> DraftRow:
        return cls(*row)  # fields, saved_at


def get(conn: sqlite3.Connection, username: str, errand_id: int, form: str) -> DraftRow | None:
    return rows.first(
        conn,
        DraftRow.from_row,
        "SELECT fields, saved_at FROM drafts WHERE username = ? AND errand_id = ? AND form = ?",
        (username, errand_id, form),
    )


def put(conn: sqlite3.Connection, username: str, errand_id: int, form: str, fields: dict, at: str) -> bool:
    """Store the draft; returns whether it is new (no draft for this form before)."""
    existed = get(conn, username, errand_id, form) is not None
    conn.execute(
        "INSERT INTO drafts (username, errand_id, form, fields, saved_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (username, errand_id, form) DO UPDATE SET fields = excluded.fields,"
        " saved_at = excluded.saved_at",
        (username, errand_id, form, json.dumps(fields, ensure_ascii=False), at),
    )
    return not existed


def delete(conn: sqlite3.Connection, username: str, errand_id: int, form: str) -> bool:
    return (
        conn.execute(
            "DELETE FROM drafts WHERE username = ? AND errand_id = ? AND form = ?",
            (username, errand_id, form),
        ).rowcount
        > 0
    )


def forms_kept(conn: sqlite3.Connection, username: str, errand_id: int) -> list[str]:
    """The forms this person keeps a draft of on this errand (their names, not their text)."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT form FROM drafts WHERE username = ? AND errand_id = ? ORDER BY form",
            (username, errand_id),
        )
    ]


def kept_on(conn: sqlite3.Connection, errand_id: int, forms: tuple[str, ...]) -> list[tuple[str, str]]:
    """(user name, form) of every draft of these forms on this errand, anyone's."""
    marks = ", ".join("?" * len(forms))
    return [
        (r[0], r[1])
        for r in conn.execute(
            f"SELECT username, form FROM drafts WHERE errand_id = ? AND form IN ({marks}) ORDER BY username, form",
            (errand_id, *forms),
        )
    ]
