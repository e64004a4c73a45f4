"""Staff and schedules: imports (docs/routine.md 4.4), today's roster, absences, and who is assignable."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from sqlite3 import Connection
from typing import Any, TypeVar

from bcc_tui.domain import jsonl, roles, validation
from bcc_tui.domain.errors import Conflict, InvalidInput, NotFound
from bcc_tui.domain.roles import Actor
from bcc_tui.domain.routing import Person
from bcc_tui.domain.text import clean_line, count
from bcc_tui.services.context import Ctx, require
from bcc_tui.store import audit, ledger
from bcc_tui.store import errands as errands_q
from bcc_tui.store import staff as q
from bcc_tui.store.staff import StaffMember  # staff_list's; the screens may not import the store

T = TypeVar("T")


@dataclass
class ImportReport:
    added: int = 0
    changed: int = 0
    skipped: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected


def actor_from_row(row: StaffMember) -> Actor:
    return Actor(row.username, row.name, row.title, frozenset(row.roles.split()))


def person(row: StaffMember) -> Person:
    return Person(
        row.username,
        row.name,
        row.title,
        frozenset(row.roles.split()),
        row.active,
        row.medcontrol_responsible,
    )


def staff_people(conn: Connection) -> list[Person]:
    return [person(r) for r in q.all_staff(conn)]


def names(ctx: Ctx) -> dict[str, str]:
    """Every staff member's name by user name (former staff too: their names stay in history)."""
    with ctx.store.read() as conn:
        return {p.username: p.name for p in staff_people(conn)}


def who(names: Mapping[str, str], username: str | None) -> str:
    """A person where a person reads: 'Erik Lindgren (erilin)', the name with the user name a
    reader may type next; the user name alone for someone not on the staff list (the system
    account), and '–' for nobody."""
    if not username:
        return "–"
    name = names.get(username)
    return f"{name} ({username})" if name and name != username else username


def _parse(data: bytes, parse: Callable[[Any], T], report: ImportReport) -> list[tuple[int, T]]:
    """Every line validated on its own: (number, parsed) for the good, the reason for the bad."""
    good: list[tuple[int, T]] = []
    for number, value in jsonl.parsed(data, parse):
        if isinstance(value, InvalidInput):
            report.rejected.append((number, str(value)))
        else:
            good.append((number, value))
    return good


def _counted(
    ctx: Ctx,
    report: ImportReport,
    outcome: str,
    entries: list,
    kind: str,
    what: str,
    data: dict | None = None,
) -> None:
    """Count one imported line; a real change also gets its audit row ('frånvaro tillagd: …')."""
    if outcome == "same":
        report.skipped += 1
        return
    setattr(report, outcome, getattr(report, outcome) + 1)
    entries.append(ctx.entry("admin_change", detail=f"{kind} {_OUTCOME_WORDS[outcome]}: {what}", data=data))


# An audit row is read by a person (the audit screen, `audit`, its CSV): Swedish words, not codes.
_OUTCOME_WORDS = {"added": "tillagd", "changed": "ändrad"}


def _summary(report: ImportReport) -> str:
    return (
        f"{count(report.added, 'ny', 'nya')}, {count(report.changed, 'ändrad', 'ändrade')}, "
        f"{count(len(report.rejected), 'avvisad', 'avvisade')}"
    )


def _yes(value: object) -> str:
    return "ja" if value else "nej"


def _staff_detail(username: str, fields: dict) -> str:
    """What a staff change set, in words: 'Ida Axelsson (idaaxe): läkare; vårdgivare; e-post …'."""
    parts = [
        f"{clean_line(str(fields['name']))} ({username})",
        clean_line(str(fields["title"] or "ingen titel")),
    ]
    parts.append(", ".join(roles.ROLES.get(r, r) for r in str(fields["roles"]).split()) or "inga roller")
    if "email" in fields:
        parts.append(f"e-post {clean_line(str(fields['email']))}" if fields["email"] else "ingen e-post")
    labels = {
        "email_notify": "e-postavisering",
        "medcontrol_responsible": "MedControl PRO",
        "active": "aktiv",
    }
    parts += [f"{label} {_yes(fields[key])}" for key, label in labels.items() if key in fields]
    return "; ".join(parts)


def _schedule_detail(line: object, names: Mapping[str, str]) -> str:
    if isinstance(line, validation.AbsenceLine):
        reason = f" ({clean_line(line.reason)})" if line.reason else ""
        return f"{who(names, line.username)} {line.start}–{line.end}{reason}"
    assert isinstance(line, validation.RosterLine)
    doctors = (
        ""
        if line.doctors is None
        else "; läkare " + (", ".join(who(names, d) for d in line.doctors) or "inga")
    )
    return f"{line.day}: mottagare {who(names, line.receiver)}{doctors}"


def _staff_fields(line: validation.StaffLine) -> dict:
    """The columns a staff line sets; the fields it leaves out are not touched (docs/routine.md 4.4)."""
    fields: dict[str, str | int] = {
        "name": line.name,
        "title": line.title,
        "roles": " ".join(sorted(line.roles)),
    }
    for key in ("email", "email_notify", "medcontrol_responsible", "active"):
        value = getattr(line, key)
        if value is not None:
            fields[key] = int(value) if isinstance(value, bool) else value
    return fields


def import_staff(ctx: Ctx, data: bytes) -> ImportReport:
    """Add or update staff; fields a line leaves out stay as stored. One transaction."""
    require(ctx, "staff_import")
    report = ImportReport()
    parsed = _parse(data, validation.staff_from_json, report)
    seen: dict[str, int] = {}
    with ctx.change("admin_change") as conn:
        entries: list[audit.Entry] = []
        for number, line in parsed:
            if line.username in seen:
                report.rejected.append(
                    (number, f"username: {line.username} står redan på rad {seen[line.username]}")
                )
                continue
            seen[line.username] = number
            fields = _staff_fields(line)
            _counted(
                ctx,
                report,
                q.upsert(conn, line.username, fields),
                entries,
                "personal",
                _staff_detail(line.username, fields),
                ledger.staff_change(line.username, fields),
            )
        entries.append(
            ctx.entry(
                "import",
                outcome="ok" if report.ok else "partly refused",
                detail=f"personal: {_summary(report)}",
            )
        )
        audit.append(conn, entries)
    report.rejected.sort()
    return report


def import_schedule(ctx: Ctx, data: bytes) -> ImportReport:
    """Rosters and absences; a roster line changes only the day it names. One transaction."""
    require(ctx, "schedule_import")
    report = ImportReport()
    parsed = _parse(data, validation.schedule_from_json, report)
    with ctx.change("admin_change") as conn:
        staff = {r.username: r for r in q.all_staff(conn)}
        entries: list[audit.Entry] = []
        for number, line in parsed:
            try:
                outcome = _schedule_line(conn, staff, line)
            except InvalidInput as err:
                report.rejected.append((number, str(err)))
                continue
            names = {u: r.name for u, r in staff.items()}
            kind = "frånvaro" if isinstance(line, validation.AbsenceLine) else "schema"
            _counted(ctx, report, outcome, entries, kind, _schedule_detail(line, names))
        entries.append(
            ctx.entry(
                "import",
                outcome="ok" if report.ok else "partly refused",
                detail=f"schema: {_summary(report)}",
            )
        )
        audit.append(conn, entries)
    report.rejected.sort()
    return report


def _schedule_line(
    conn: Connection, staff: Mapping[str, StaffMember], line: validation.AbsenceLine | validation.RosterLine
) -> str:
    def known(user: str, field_name: str, role: str | None = None) -> None:
        row = staff.get(user)
        if row is None:
            raise InvalidInput(f"{field_name}: {user} finns inte i personallistan")
        if role and role not in row.roles.split():
            raise InvalidInput(f"{field_name}: {user} är inte {roles.ROLES[role]}")

    if isinstance(line, validation.AbsenceLine):
        known(line.username, "absent")
        return q.add_absence(conn, line.username, line.start, line.end, line.reason)
    known(line.receiver, "receiver", roles.RECEIVER)
    for doctor in line.doctors or ():
        known(doctor, "outpatient_doctors", roles.CAREGIVER)
    return q.set_roster(conn, line.day, line.receiver, line.doctors)


@dataclass(frozen=True)
class Today:
    day: dt.date
    receiver: str | None
    doctors: tuple[str, ...]
    # Absent today, with the reason; a deactivated person too, as INACTIVE: a doctor deactivated
    # with nine open errands (two acute) was still "Överst", preselected for consultation, and
    # held them with no mark anywhere.
    absent: dict[str, str | None]
    inactive: frozenset[str] = frozenset()

    @property
    def on_leave(self) -> dict[str, str | None]:
        """The absences of the day, as the header, the handover and the schedule name them: not
        everyone who has ever left."""
        return {u: why for u, why in self.absent.items() if u not in self.inactive}

    @property
    def receiver_away(self) -> str | None:
        """Why the day's receiver on the schedule is not there to triage, or None: the header and
        the handover name it, and another receiver steps in (a receiver deactivated was named as
        the day's receiver with no mark, and the unassigned errands, acute ones among them,
        waited for nobody)."""
        if self.receiver is None:
            return None
        if self.receiver in self.inactive:
            return "avaktiverad"
        if self.receiver in self.absent:
            return "frånvarande"
        return None

    @property
    def top_doctor(self) -> str | None:
        """The first doctor on today's outpatient schedule who is not absent (R4)."""
        for d in self.doctors:
            if d not in self.absent:
                return d
        return None


def today(conn: Connection, day: dt.date) -> Today:
    row = q.roster_day(conn, day)
    inactive = q.inactive(conn)
    return Today(
        day=day,
        receiver=row.receiver if row else None,
        doctors=tuple(json.loads(row.doctors)) if row else (),
        absent=q.away_on(conn, day, inactive),
        inactive=inactive,
    )


def set_email_notify(ctx: Ctx, on: bool) -> None:
    """A person's own setting (R7): whether assignments reach them by e-mail."""
    if ctx.actor.is_system:
        raise InvalidInput("systemkontot har inga personliga inställningar")
    with ctx.change("settings") as conn:
        row = q.by_username(conn, ctx.actor.username)
        if row is None:
            raise NotFound(f"{ctx.actor.username} finns inte i personallistan")
        if on and not row.email:
            raise InvalidInput(
                "du har ingen e-postadress i personallistan; be administratören lägga till den"
            )
        _own_setting(ctx, conn, {"email_notify": int(on)}, f"e-postavisering {'på' if on else 'av'}")


def set_bell(ctx: Ctx, on: bool) -> None:
    """A person's own setting (R23): whether their dashboard rings when an errand arrives for them."""
    if ctx.actor.is_system:
        raise InvalidInput("systemkontot har inga personliga inställningar")
    with ctx.change("settings") as conn:
        _own_setting(ctx, conn, {"bell": int(on)}, f"ljudsignal {'på' if on else 'av'}")


def _own_setting(ctx: Ctx, conn: Connection, fields: dict, detail: str) -> None:
    """A person's own setting written with its audit row, and what `check` replays when it changed."""
    outcome = q.upsert(conn, ctx.actor.username, fields)
    audit.append(
        conn,
        [
            ctx.entry(
                "settings",
                detail=detail,
                data=ledger.staff_change(ctx.actor.username, fields) if outcome != "same" else None,
            )
        ],
    )


def bell(ctx: Ctx) -> bool:
    with ctx.store.read() as conn:
        row = q.by_username(conn, ctx.actor.username)
    return bool(row is None or row.bell)


def email_notify(ctx: Ctx) -> bool:
    with ctx.store.read() as conn:
        row = q.by_username(conn, ctx.actor.username)
    return bool(row and row.email_notify)


# -- the administrator's screens: staff, rosters, absences ----------------------------------------
def save_staff(ctx: Ctx, obj: dict, *, new: bool = False) -> str:
    """Add or change one person (validated like a staff file line). Returns added/changed/same.

    `new`: the administrator asked for a new person, so an existing user name is refused rather
    than quietly overwriting someone else (a file import, by contrast, updates on purpose)."""
    require(ctx, "admin_change", what="ändra personallistan")
    clear_email = "email" in obj and obj["email"] is None  # an empty e-mail field removes the address
    line = validation.staff_from_json({k: v for k, v in obj.items() if not (k == "email" and v is None)})
    fields = _staff_fields(line)
    if clear_email:
        fields["email"] = None
        fields["email_notify"] = 0
    with ctx.change("admin_change") as conn:
        if line.username == ctx.actor.username and (line.active is False or roles.ADMIN not in line.roles):
            raise InvalidInput("du kan inte ta bort din egen administratörsbehörighet")
        if new and (existing := q.by_username(conn, line.username)) is not None:
            raise InvalidInput(
                f"användarnamn: {line.username} finns redan ({clean_line(existing.name)}); "
                "ändra personen i listan i stället"
            )
        outcome = q.upsert(conn, line.username, fields)
        if outcome != "same":
            audit.append(
                conn,
                [
                    ctx.entry(
                        "admin_change",
                        detail=f"personal {_OUTCOME_WORDS[outcome]}: {_staff_detail(line.username, fields)}",
                        data=ledger.staff_change(line.username, fields),
                    )
                ],
            )
    return outcome


def holding(ctx: Ctx, username: str) -> str | None:
    """The open errands a person holds, and how many with acute signs, in words ("10 öppna
    ärenden (2 med akuta tecken)"); None when there are none."""
    require(ctx, "admin_change", what="ändra personallistan")
    with ctx.store.read() as conn:
        held, acute = errands_q.held(conn, username)
    if not held:
        return None
    return count(held, "öppet ärende", "öppna ärenden") + (f" ({acute} med akuta tecken)" if acute else "")


def left_with(ctx: Ctx, username: str) -> str | None:
    """What a deactivated person still holds, said to the administrator who deactivated them: a
    doctor's nine open errands, two with acute signs, had stayed with him without a word (they
    are marked as an absent holder's from then on, R22, and wait for a receiver to reassign)."""
    with ctx.store.read() as conn:
        row = q.by_username(conn, username)
    if row is None or row.active:
        return None
    held = holding(ctx, username)
    if held is None:
        return None
    return clean_line(f"{held} ligger kvar hos {row.name}: mottagaren behöver omfördela dem")


def set_active(ctx: Ctx, username: str, active: bool) -> None:
    """Deactivate (or bring back) a person: access ends, history stays."""
    require(ctx, "admin_change", what="ändra personallistan")
    with ctx.change("admin_change") as conn:
        row = q.by_username(conn, username)
        if row is None:
            raise InvalidInput(f"{username} finns inte i personallistan")
        if username == ctx.actor.username and not active:
            raise InvalidInput("du kan inte avaktivera dig själv")
        fields = {"active": int(active)}
        outcome = q.upsert(conn, username, fields)
        audit.append(
            conn,
            [
                ctx.entry(
                    "admin_change",
                    detail=f"personal {'aktiverad' if active else 'avaktiverad'}: {username}",
                    data=ledger.staff_change(username, fields) if outcome != "same" else None,
                )
            ],
        )


def set_roster_day(ctx: Ctx, day: dt.date, receiver: str, doctors: tuple[str, ...]) -> None:
    require(ctx, "admin_change", what="ändra schemat")
    with ctx.change("admin_change") as conn:
        staff = {r.username: r for r in q.all_staff(conn)}
        _schedule_line(conn, staff, validation.RosterLine(day, receiver, tuple(doctors)))
        audit.append(
            conn, [ctx.entry("admin_change", detail=f"schema {day}: {receiver}, {', '.join(doctors)}")]
        )


def roster_days(ctx: Ctx, start: dt.date, days: int) -> list[Today]:
    with ctx.store.read() as conn:
        return [today(conn, start + dt.timedelta(days=i)) for i in range(days)]


@dataclass(frozen=True)
class Absence:
    id: int
    username: str
    start: dt.date
    end: dt.date
    reason: str | None


def absences(ctx: Ctx, from_day: dt.date) -> list[Absence]:
    with ctx.store.read() as conn:
        rows = q.absences_from(conn, from_day)
    return [
        Absence(
            r.id,
            r.username,
            dt.date.fromisoformat(r.start),
            dt.date.fromisoformat(r.end),
            r.reason,
        )
        for r in rows
    ]


def add_absence(
    ctx: Ctx,
    username: str,
    start: dt.date,
    end: dt.date,
    reason: str | None,
    replacing: int | None = None,
) -> None:
    """An absence; with `replacing`, in place of that one (an absence changed: both in one
    transaction, so the person is never shown as present or away twice meanwhile)."""
    require(ctx, "admin_change", what="ändra frånvaro")
    line = validation.schedule_from_json(
        {
            "absent": username,
            "from": start.isoformat(),
            "to": end.isoformat(),
            **({"reason": reason} if reason else {}),
        }
    )
    with ctx.change("admin_change") as conn:
        changed = "frånvaro"
        if replacing is not None:
            old = q.absence(conn, replacing)
            # Read in the same transaction: another administrator may have removed or changed it
            # since the tab was read, and a change is of one person's absence, not a move to another.
            if old is None:
                raise Conflict("frånvaron har tagits bort av någon annan under tiden; läs om fliken")
            if old.username != username:
                raise InvalidInput("en frånvaro byter inte person: ta bort den och lägg till en ny")
            q.remove_absence(conn, replacing)
            changed = f"frånvaro #{replacing} ändrad från {old.start}–{old.end}"
        staff = {r.username: r for r in q.all_staff(conn)}
        _schedule_line(conn, staff, line)
        audit.append(conn, [ctx.entry("admin_change", detail=f"{changed}: {username} {start}–{end}")])


def remove_absence(ctx: Ctx, absence_id: int) -> None:
    require(ctx, "admin_change", what="ändra frånvaro")
    with ctx.change("admin_change") as conn:
        q.remove_absence(conn, absence_id)
        audit.append(conn, [ctx.entry("admin_change", detail=f"frånvaro borttagen: #{absence_id}")])


def staff_list(ctx: Ctx) -> list[StaffMember]:
    """Everyone on the staff list, former staff too, by name (the administrator's screens)."""
    with ctx.store.read() as conn:
        return q.all_staff(conn)
