"""Care teams (R29) and a patient's earlier errands: all SQL about a patient as a whole."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from bcc_tui.store import rows as rows_


@dataclass(frozen=True, slots=True)
class CareTeam:
    """A patient's care team as stored (R29): the PAL and the contact nurse, who set it and when."""

    personnummer: str
    pal: str | None
    contact_nurse: str | None
    updated_at: str
    updated_by: str
    version: int

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> CareTeam:
        return cls(*row)  # the columns of _TEAM

    def member(self, key: str) -> str | None:
        """The member in the role `key` ('pal' or 'contact_nurse', a care-team line's field names)."""
        return self.pal if key == "pal" else self.contact_nurse if key == "contact_nurse" else None


_TEAM = "SELECT personnummer, pal, contact_nurse, updated_at, updated_by, version FROM care_teams"


@dataclass(frozen=True, slots=True)
class EarlierErrand:
    """One of a patient's other errands, with who answered it (the last reply's or close's author)."""

    ref: str
    type: str
    received_at: str
    status: str
    assignee: str | None
    answered_by: str | None

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> EarlierErrand:
        return cls(*row)


def team(conn: sqlite3.Connection, pnr: str) -> CareTeam | None:
    return rows_.first(conn, CareTeam.from_row, f"{_TEAM} WHERE personnummer = ?", (pnr,))


def teams(conn: sqlite3.Connection, pnrs: list[str]) -> dict[str, CareTeam]:
    """The teams of the patients of one page of rows: one query, whatever the page."""
    if not pnrs:
        return {}
    rows = rows_.each(
        conn,
        CareTeam.from_row,
        f"{_TEAM} WHERE personnummer IN (SELECT value FROM json_each(?))",
        (json.dumps(pnrs),),
    )
    return {r.personnummer: r for r in rows}


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


def listing(conn: sqlite3.Connection, limit: int, offset: int = 0) -> list[CareTeam]:
    return rows_.every(
        conn, CareTeam.from_row, f"{_TEAM} ORDER BY personnummer LIMIT ? OFFSET ?", (limit, offset)
    )


def count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM care_teams").fetchone()[0]


def earlier(
    conn: sqlite3.Connection, pnr: str, errand_id: int, limit: int
) -> tuple[int, list[EarlierErrand]]:
    """How many other errands the patient has sent, and the newest `limit` of them, with who
    answered each (the last reply's or close's author)."""
    total = conn.execute(
        "SELECT count(*) FROM errands WHERE personnummer = ? AND id <> ?", (pnr, errand_id)
    ).fetchone()[0]
    rows = rows_.every(
        conn,
        EarlierErrand.from_row,
        "SELECT x.ref, x.type, x.received_at, x.status, x.assignee,"
        " (SELECT actor FROM events WHERE errand_id = x.id AND kind IN ('reply', 'close')"
        "  ORDER BY id DESC LIMIT 1) AS answered_by"
        " FROM errands x WHERE x.personnummer = ? AND x.id <> ? ORDER BY x.received_at DESC, x.id DESC LIMIT ?",
        (pnr, errand_id, limit),
    )
    return total, rows
