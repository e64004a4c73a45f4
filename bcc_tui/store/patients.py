"""Care teams (R29) and a patient's earlier errands: all SQL about a patient as a whole."""

from __future__ import annotations

import json
import sqlite3


def team(conn: sqlite3.Connection, pnr: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM care_teams WHERE personnummer = ?", (pnr,)).fetchone()


def teams(conn: sqlite3.Connection, pnrs: list[str]) -> dict[str, sqlite3.Row]:
    """The teams of the patients of one page of rows: one query, whatever the page."""
    if not pnrs:
        return {}
    rows = conn.execute(
        "SELECT * FROM care_teams WHERE personnummer IN (SELECT value FROM json_each(?))", (json.dumps(pnrs),)
    ).fetchall()
    return {r["personnummer"]: r for r in rows}


def save_team(conn: sqlite3.Connection, pnr: str, fields: dict, at: str, by: str) -> None:
    """Insert or change the named fields (pal, contact_nurse); the others stay as stored."""
    conn.execute(
        "INSERT INTO care_teams (personnummer, pal, contact_nurse, updated_at, updated_by)"
        " VALUES (:pnr, :pal, :contact_nurse, :at, :by)"
        " ON CONFLICT (personnummer) DO UPDATE SET "
        + ", ".join(
            [
                *(f"{k} = excluded.{k}" for k in fields),
                "updated_at = excluded.updated_at",
                "updated_by = excluded.updated_by",
                "version = version + 1",
            ]
        ),
        {
            "pnr": pnr,
            "pal": fields.get("pal"),
            "contact_nurse": fields.get("contact_nurse"),
            "at": at,
            "by": by,
        },
    )


def listing(conn: sqlite3.Connection, limit: int, offset: int = 0) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT * FROM care_teams ORDER BY personnummer LIMIT ? OFFSET ?", (limit, offset)
    ).fetchall()


def count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM care_teams").fetchone()[0]


def earlier(conn: sqlite3.Connection, pnr: str, errand_id: int, limit: int) -> tuple[int, list[sqlite3.Row]]:
    """How many other errands the patient has sent, and the newest `limit` of them, with who
    answered each (the last reply's or close's author)."""
    total = conn.execute(
        "SELECT count(*) FROM errands WHERE personnummer = ? AND id <> ?", (pnr, errand_id)
    ).fetchone()[0]
    rows = conn.execute(
        "SELECT x.ref, x.type, x.received_at, x.status, x.assignee,"
        " (SELECT actor FROM events WHERE errand_id = x.id AND kind IN ('reply', 'close')"
        "  ORDER BY id DESC LIMIT 1) AS answered_by"
        " FROM errands x WHERE x.personnummer = ? AND x.id <> ? ORDER BY x.received_at DESC, x.id DESC LIMIT ?",
        (pnr, errand_id, limit),
    ).fetchall()
    return total, rows
