"""Queries on staff, rosters, absences and settings."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from bcc_tui.domain import roles
from bcc_tui.store import rows


@dataclass(frozen=True, slots=True)
class StaffMember:
    """One person on the staff list (R1), as stored; the flags are the columns' 0 and 1 as bools."""

    username: str
    name: str
    title: str
    roles: str  # the role codes, space-separated, as stored (`roles.split()`)
    email: str | None
    email_notify: bool
    medcontrol_responsible: bool
    active: bool
    version: int
    bell: bool

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> StaffMember:
        """A row of _STAFF, whose columns are in the order of the fields."""
        username, name, title, roles_, email, notify, medcontrol, active, version, bell = row
        return cls(
            username,
            name,
            title,
            roles_,
            email,
            bool(notify),
            bool(medcontrol),
            bool(active),
            version,
            bool(bell),
        )


_STAFF = (
    "SELECT username, name, title, roles, email, email_notify, medcontrol_responsible, active, version, bell"
    " FROM staff"
)


def by_username(conn: sqlite3.Connection, username: str) -> StaffMember | None:
    return rows.first(conn, StaffMember.from_row, f"{_STAFF} WHERE username = ?", (username,))


def all_staff(conn: sqlite3.Connection) -> list[StaffMember]:
    return rows.every(conn, StaffMember.from_row, f"{_STAFF} ORDER BY name")


def inactive(conn: sqlite3.Connection) -> frozenset[str]:
    return frozenset(r[0] for r in conn.execute("SELECT username FROM staff WHERE NOT active"))


def upsert(conn: sqlite3.Connection, username: str, fields: dict[str, Any]) -> str:
    """Insert a person, or change only the given fields; returns 'added', 'changed' or 'same'."""
    current = by_username(conn, username)
    if current is None:
        row = {"username": username, **fields}
        cols = ", ".join(row)
        conn.execute(f"INSERT INTO staff ({cols}) VALUES ({', '.join(':' + c for c in row)})", row)
        return "added"
    changed = {k: v for k, v in fields.items() if getattr(current, k) != v}
    if not changed:
        return "same"
    sets = ", ".join(f"{k} = :{k}" for k in changed)
    conn.execute(
        f"UPDATE staff SET {sets}, version = version + 1 WHERE username = :username",
        {**changed, "username": username},
    )
    return "changed"


@dataclass(frozen=True, slots=True)
class RosterDay:
    """One day's roster as stored: the receiver, and the outpatient doctors in order (JSON text)."""

    day: str
    receiver: str
    doctors: str

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> RosterDay:
        return cls(*row)  # day, receiver, doctors


def roster_day(conn: sqlite3.Connection, day: dt.date) -> RosterDay | None:
    return rows.first(
        conn,
        RosterDay.from_row,
        "SELECT day, receiver, doctors FROM roster WHERE day = ?",
        (day.isoformat(),),
    )


def receiver_before(conn: sqlite3.Connection, day: dt.date) -> str | None:
    """The receiver of the last rostered day before `day` (None when no day before is rostered)."""
    row = conn.execute(
        "SELECT receiver FROM roster WHERE day < ? ORDER BY day DESC LIMIT 1", (day.isoformat(),)
    ).fetchone()
    return row["receiver"] if row else None


def set_roster(conn: sqlite3.Connection, day: dt.date, receiver: str, doctors: tuple[str, ...] | None) -> str:
    current = roster_day(conn, day)
    doctors_json = json.dumps(list(doctors)) if doctors is not None else None
    if current is None:
        conn.execute(
            "INSERT INTO roster (day, receiver, doctors) VALUES (?, ?, ?)",
            (day.isoformat(), receiver, doctors_json or "[]"),
        )
        return "added"
    new_doctors = doctors_json if doctors_json is not None else current.doctors
    if current.receiver == receiver and current.doctors == new_doctors:
        return "same"
    conn.execute(
        "UPDATE roster SET receiver = ?, doctors = ? WHERE day = ?",
        (receiver, new_doctors, day.isoformat()),
    )
    return "changed"


def add_absence(
    conn: sqlite3.Connection, username: str, start: dt.date, end: dt.date, reason: str | None
) -> str:
    cur = conn.execute(
        "INSERT INTO absences (username, start, end, reason) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (username, start, end) DO UPDATE SET reason = excluded.reason"
        " WHERE absences.reason IS NOT excluded.reason",
        (username, start.isoformat(), end.isoformat(), reason),
    )
    return "added" if cur.rowcount else "same"


def absent_on(conn: sqlite3.Connection, day: dt.date) -> dict[str, str | None]:
    """Who is absent on `day`, with the reason."""
    rows = conn.execute(
        "SELECT username, reason FROM absences WHERE start <= ? AND end >= ?",
        (day.isoformat(), day.isoformat()),
    ).fetchall()
    return {r["username"]: r["reason"] for r in rows}


def away_on(
    conn: sqlite3.Connection, day: dt.date, gone: frozenset[str] | None = None
) -> dict[str, str | None]:
    """Who is away on `day`, with the reason: absent, or deactivated (roles.INACTIVE; `gone`, when
    the caller has read them), whose errands wait for nobody (R22), who is suggested to nobody and
    whose team is told (R4)."""
    gone = inactive(conn) if gone is None else gone
    return {**absent_on(conn, day), **dict.fromkeys(gone, roles.INACTIVE)}


def back_on(conn: sqlite3.Connection, username: str, day: dt.date) -> dt.date | None:
    """The first day after the absences that cover `day` and follow on from it (R29: "frånv.
    t.o.m. 9 dec" names the day before)."""
    end = day - dt.timedelta(days=1)
    while True:
        row = conn.execute(
            "SELECT max(end) FROM absences WHERE username = ? AND start <= ? AND end > ?",
            (username, (end + dt.timedelta(days=1)).isoformat(), end.isoformat()),
        ).fetchone()
        if row[0] is None:
            break
        end = dt.date.fromisoformat(row[0])
    return end + dt.timedelta(days=1) if end >= day else None


def get_setting(conn: sqlite3.Connection, key: str, default: Any = None) -> Any:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return json.loads(row[0]) if row else default


def set_setting(conn: sqlite3.Connection, key: str, value: Any) -> str:
    """Store a setting as JSON; returns the text stored (what an audit row's data replays)."""
    text = json.dumps(value, ensure_ascii=False)
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, text),
    )
    return text


@dataclass(frozen=True, slots=True)
class AbsenceRow:
    """An absence as stored: from `start` to `end` inclusive (ISO dates)."""

    id: int
    username: str
    start: str
    end: str
    reason: str | None

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> AbsenceRow:
        return cls(*row)  # id, username, start, end, reason


def absences_from(conn: sqlite3.Connection, day: dt.date) -> list[AbsenceRow]:
    return rows.every(
        conn,
        AbsenceRow.from_row,
        "SELECT id, username, start, end, reason FROM absences WHERE end >= ? ORDER BY start, username",
        (day.isoformat(),),
    )


def absence(conn: sqlite3.Connection, absence_id: int) -> AbsenceRow | None:
    row = conn.execute(
        "SELECT id, username, start, end, reason FROM absences WHERE id = ?", (absence_id,)
    ).fetchone()
    return AbsenceRow.from_row(tuple(row)) if row is not None else None


def remove_absence(conn: sqlite3.Connection, absence_id: int) -> None:
    conn.execute("DELETE FROM absences WHERE id = ?", (absence_id,))
