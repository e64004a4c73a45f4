"""The caregiver concerned (R29): each patient's care team — the responsible doctor (PAL) and the
contact nurse — set by import, by the administrator or by a receiver from an errand; and what
the person deciding on an errand needs to see about the patient: the team with absences and
return dates, and the patient's earlier errands.

A care team is patient data: every change is audited with the patient's personnummer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from sqlite3 import Connection

from bcc_tui.domain import jsonl, personnummer, roles, validation
from bcc_tui.domain.errors import InvalidInput
from bcc_tui.domain.routing import Team
from bcc_tui.domain.text import count
from bcc_tui.domain.validation import parse_utc
from bcc_tui.services.context import Ctx, require
from bcc_tui.services.people import ImportReport
from bcc_tui.store import audit, ledger
from bcc_tui.store import patients as q
from bcc_tui.store import staff as staff_q

ROLES_OF = {"pal": "PAL", "contact_nurse": "kontaktsjuksköterska"}
EARLIER = 5  # the patient's earlier errands shown where the decision is made


def team_of(row: q.CareTeam | None) -> Team | None:
    return Team(row.pal, row.contact_nurse) if row is not None else None


def check_member(conn: Connection, field: str, username: str | None) -> None:
    """A PAL is an active caregiver who is a doctor (läkare or sektionsledare); a contact nurse an
    active caregiver who is a nurse (the contract)."""
    if username is None:
        return
    person = staff_q.by_username(conn, username)
    titles = ("läkare", "sektionsledare") if field == "pal" else ("sjuksköterska", "mottagningssjuksköterska")
    if (
        person is None
        or not person.active
        or roles.CAREGIVER not in person.roles.split()
        or person.title not in titles
    ):
        raise InvalidInput(f"{field}: {username} är ingen aktiv {' eller '.join(titles)} i personallistan")


def import_patients(ctx: Ctx, data: bytes) -> ImportReport:
    """`bcc-tui patients import FILE`: care teams as JSON Lines (tests/contract/schemas/patient.schema.json).
    A bad line is reported by number and the good ones are kept; a line changes only the fields
    it names, null removes a member. One transaction; each change audited with its patient."""
    require(ctx, "patients_import")
    report = ImportReport()
    now = ctx.now()
    good = []
    rejected = report.rejected
    for number, line in jsonl.parsed(data, lambda obj: validation.patient_from_json(obj, now)):
        if isinstance(line, InvalidInput):
            rejected.append((number, str(line)))
        else:
            good.append((number, line))
    seen: dict[str, int] = {}
    with ctx.change("admin_change") as conn:
        entries = []
        for number, line in good:
            if line.personnummer in seen:
                rejected.append((number, f"personnummer: står redan på rad {seen[line.personnummer]}"))
                continue
            seen[line.personnummer] = number
            try:
                for key, user in line.fields.items():
                    check_member(conn, key, user)
            except InvalidInput as err:
                rejected.append((number, str(err)))
                continue
            before = q.team(conn, line.personnummer)
            if before is not None and all(before.member(k) == v for k, v in line.fields.items()):
                report.skipped += 1
                continue
            at = ctx.now_text()
            q.save_team(conn, line.personnummer, line.fields, at, ctx.actor.username)
            if before is None:
                report.added += 1
            else:
                report.changed += 1
            entries.append(
                ctx.entry(
                    "care_team",
                    None,
                    line.personnummer,
                    detail=_describe(line.fields),
                    data=ledger.team_change(line.personnummer, line.fields, at, ctx.actor.username),
                )
            )
        entries.append(
            ctx.entry(
                "import",
                outcome="ok" if not rejected else "partly refused",
                detail=f"vårdteam: {count(report.added, 'nytt', 'nya')}, "
                f"{count(report.changed, 'ändrat', 'ändrade')}, {count(len(rejected), 'avvisad rad', 'avvisade rader')}",
            )
        )
        audit.append(conn, entries)
    rejected.sort()
    return report


def _describe(fields: dict[str, str | None]) -> str:
    return ", ".join(f"{ROLES_OF[k]}: {v or '(ingen)'}" for k, v in fields.items())


def set_team(
    ctx: Ctx, pnr: str, *, pal: str | object | None = ..., contact_nurse: str | object | None = ...
) -> Team:
    """A receiver (from an errand) or the administrator sets a member; `...` leaves one as it is,
    None removes it."""
    require(ctx, "care_team")
    why = personnummer.problem(pnr, ctx.today())
    if why:
        raise InvalidInput(f"personnummer: {why}")
    pnr = personnummer.normalise(pnr)
    fields: dict[str, str | None] = {}
    for key, value in (("pal", pal), ("contact_nurse", contact_nurse)):
        if isinstance(value, str) or value is None:
            fields[key] = (value or "").strip() or None
    if not fields:
        raise InvalidInput("ange pal eller kontaktsjuksköterska")
    with ctx.change("care_team") as conn:
        for key, user in fields.items():
            check_member(conn, key, user)
        before = q.team(conn, pnr)
        if before is None or any(before.member(k) != v for k, v in fields.items()):
            at = ctx.now_text()
            q.save_team(conn, pnr, fields, at, ctx.actor.username)
            audit.append(
                conn,
                [
                    ctx.entry(
                        "care_team",
                        None,
                        pnr,
                        detail=_describe(fields),
                        data=ledger.team_change(pnr, fields, at, ctx.actor.username),
                    )
                ],
            )
        return team_of(q.team(conn, pnr)) or Team()


def candidates(ctx: Ctx, pnr: str | None) -> tuple[list[tuple[str, str]], list[tuple[str, str]], Team]:
    """Who may be the patient's PAL and contact nurse, as (label, user name), and the team now."""
    with ctx.store.read() as conn:
        staff = [r for r in staff_q.all_staff(conn) if r.active and roles.CAREGIVER in r.roles.split()]
        team = (team_of(q.team(conn, personnummer.normalise(pnr))) if pnr else None) or Team()
    doctors = [
        (f"{r.name} ({r.title})", r.username) for r in staff if r.title in ("läkare", "sektionsledare")
    ]
    nurses = [
        (f"{r.name} ({r.title})", r.username)
        for r in staff
        if r.title in ("sjuksköterska", "mottagningssjuksköterska")
    ]
    return doctors, nurses, team


@dataclass(frozen=True)
class TeamRow:
    personnummer: str
    pal: str | None
    contact_nurse: str | None
    updated_at: dt.datetime
    updated_by: str


LISTED = 500  # care teams an administrator's tab shows at once


def list_teams(ctx: Ctx, *, audited: bool = True) -> tuple[list[TeamRow], int]:
    """The care teams for the administrator's tab (the first LISTED, by personnummer), and how
    many there are. A list of patients the person opened is logged (R15); reading it again after
    a change made elsewhere is not (nobody asked, and the log's own row would be a change)."""
    require(ctx, "care_team")
    with ctx.store.write() if audited else ctx.store.read() as conn:
        rows = q.listing(conn, LISTED)
        total = q.count(conn)
        if audited:
            audit.append(conn, [ctx.entry("list", detail="vårdteam")])
    return [
        TeamRow(r.personnummer, r.pal, r.contact_nurse, parse_utc(r.updated_at), r.updated_by) for r in rows
    ], total


@dataclass(frozen=True)
class Member:
    """One member of the team as the errand view and the assign form show them."""

    role: str  # "PAL" or "kontaktsjuksköterska"
    username: str
    name: str
    absent: bool
    back_on: dt.date | None  # the first day after the absence


@dataclass(frozen=True)
class Earlier:
    ref: str
    type: str
    received_at: dt.datetime
    status: str
    answered_by: str | None


@dataclass(frozen=True)
class PatientContext:
    members: tuple[Member, ...]
    earlier_count: int
    earlier: tuple[Earlier, ...]


def context(conn: Connection, pnr: str, errand_id: int, today: dt.date) -> PatientContext:
    """The care team with today's absences, and the patient's earlier errands (count, last five):
    read with the errand itself, so its audit row covers them."""
    row = q.team(conn, pnr)
    members = []
    if row is not None:
        names = {r.username: r.name for r in staff_q.all_staff(conn)}
        gone = staff_q.inactive(conn)
        absent = staff_q.away_on(conn, today, gone)
        for key in ("pal", "contact_nurse"):
            user = row.member(key)
            if user:
                # Deactivated: no day back, whatever absence they also have.
                back = staff_q.back_on(conn, user, today) if user in absent and user not in gone else None
                members.append(Member(ROLES_OF[key], user, names.get(user, user), user in absent, back))
    total, rows = q.earlier(conn, pnr, errand_id, EARLIER)
    earlier = tuple(Earlier(r.ref, r.type, parse_utc(r.received_at), r.status, r.answered_by) for r in rows)
    return PatientContext(tuple(members), total, earlier)
