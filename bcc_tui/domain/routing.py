"""Who should get an errand (R5, R18): pure rules over the staff, today's roster and absences.

"On duty" means "not absent today". Nobody absent today is ever suggested.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from bcc_tui.domain import errand as e
from bcc_tui.domain.business_days import MONTHS
from bcc_tui.domain.roles import assignable

TOP_DOCTOR = "top_doctor"  # a type's default: the doctor at the top of today's schedule
# R32: one name per rule, in the admin's type list, `types`, and every suggestion's reason.
TOP_DOCTOR_RULE = "dagens läkare"  # the on-duty doctors, the top one first, the least loaded preferred
COMPLAINT_RULE = "klagomålsregeln"  # R5


@dataclass(frozen=True)
class Person:
    username: str
    name: str
    title: str
    roles: frozenset[str]
    active: bool
    medcontrol_responsible: bool


@dataclass(frozen=True)
class Suggestion:
    username: str
    reason: str
    # Chosen among several by their open errands (R24): someone's load changing may change it.
    by_load: bool = False


@dataclass(frozen=True)
class Team:
    """A patient's care team (R29): the responsible doctor and the contact nurse."""

    pal: str | None = None
    contact_nurse: str | None = None


# R29: who in the team a type goes to first — doctor's errands to the PAL, contact and messages to
# the contact nurse and then the PAL.
DOCTOR_TYPES = ("fornya_recept", "begar_intyg", "fraga_om_remiss")
NURSE_TYPES = ("kontakta_mig", "skicka_meddelande")
PAL_REASON, NURSE_REASON = "PAL", "kontaktsjuksköterska"


@dataclass(frozen=True)
class LastReply:
    """The caregiver who last replied to this patient, and when (local date)."""

    username: str
    on: dt.date


def _available(p: Person | None, absent: set[str], receivers_answer: bool = False) -> bool:
    return p is not None and assignable(p.roles, p.active, receivers_answer) and p.username not in absent


def _least_loaded(candidates: list[str], load: Mapping[str, int] | None) -> tuple[str, bool]:
    """The first of `candidates` (in their given order) with the fewest open errands, and whether
    it was the load that decided (someone earlier in the order has more)."""
    if not load:
        return candidates[0], False
    best = min(candidates, key=lambda u: (load.get(u, 0), candidates.index(u)))
    return best, best != candidates[0]


def suggest(
    type_code: str,
    urgent: bool,
    staff: list[Person],
    absent: set[str],
    top_doctor: str | None = None,
    last_reply: LastReply | None = None,
    type_default: str | None = None,
    *,
    doctors: tuple[str, ...] = (),
    load: Mapping[str, int] | None = None,
    team: Team | None = None,
    receivers_answer: bool = False,
) -> Suggestion | None:
    """R5 for complaints; otherwise R29 the patient's care team first (doctor types → the PAL;
    contact and messages → the contact nurse, then the PAL), then R18 continuity, then the type's
    default. Never someone absent today. receivers_answer (R29): the type is answered by
    receivers, so the one who last replied and the type's default may be a receiver.

    R24: where a default fits several people equally (the on-duty doctors of today's schedule,
    the section leaders), the one with the fewest open errands (`load`) is preferred; ties keep
    the schedule's order, so with no load the doctor at the top is suggested.
    """
    load = load or {}
    if type_code == e.COMPLAINT:
        return _complaint(urgent, staff, absent, load)
    by_name = {p.username: p for p in staff}
    if team is not None:
        found = _from_team(type_code, team, by_name, absent)
        if found is not None:
            return found
    if last_reply and _available(by_name.get(last_reply.username), absent, receivers_answer):
        return Suggestion(
            last_reply.username, f"svarade senast {last_reply.on.day} {MONTHS[last_reply.on.month - 1]}"
        )
    if type_default == TOP_DOCTOR:
        return _top_doctor(top_doctor, doctors, by_name, absent, load)
    if type_default and _available(by_name.get(type_default), absent, receivers_answer):
        return Suggestion(type_default, f"standard för {e.type_name(type_code)}")
    return None


def _complaint(
    urgent: bool, staff: list[Person], absent: set[str], load: Mapping[str, int]
) -> Suggestion | None:
    """R5: an urgent complaint to a section leader (the least loaded, R24), any other to the
    nurse responsible for MedControl PRO."""
    if urgent:
        leaders = [p.username for p in staff if p.title == "sektionsledare" and _available(p, absent)]
        if not leaders:
            return None
        chosen, by_load = _least_loaded(leaders, load)
        why = f"{COMPLAINT_RULE}: brådskande → sektionsledare"
        if by_load:
            why += f", färst öppna ärenden ({load.get(chosen, 0)})"
        return Suggestion(chosen, why, by_load=True)
    for p in staff:
        if p.medcontrol_responsible and _available(p, absent):
            return Suggestion(p.username, f"{COMPLAINT_RULE}: ansvarig för MedControl PRO")
    return None


def _from_team(type_code: str, team: Team, by_name: dict[str, Person], absent: set[str]) -> Suggestion | None:
    """R29: doctor types → the PAL; contact and messages → the contact nurse, then the PAL."""
    order: list[tuple[str | None, str]] = []
    if type_code in DOCTOR_TYPES:
        order = [(team.pal, PAL_REASON)]
    elif type_code in NURSE_TYPES:
        order = [(team.contact_nurse, NURSE_REASON), (team.pal, PAL_REASON)]
    for username, why in order:
        if username and _available(by_name.get(username), absent):
            return Suggestion(username, why)
    return None


def _top_doctor(
    top_doctor: str | None,
    doctors: tuple[str, ...],
    by_name: dict[str, Person],
    absent: set[str],
    load: Mapping[str, int],
) -> Suggestion | None:
    """The type's default "the doctor at the top of today's schedule": none when that doctor is
    absent; among today's doctors on duty the least loaded (R24), ties in the schedule's order."""
    if not top_doctor or not _available(by_name.get(top_doctor), absent):
        return None
    on_duty = [top_doctor] + [d for d in doctors if d != top_doctor and _available(by_name.get(d), absent)]
    chosen, by_load = _least_loaded(on_duty, load)
    if by_load:
        return Suggestion(
            chosen, f"{TOP_DOCTOR_RULE}: färst öppna ärenden ({load.get(chosen, 0)})", by_load=True
        )
    return Suggestion(chosen, f"{TOP_DOCTOR_RULE}: överst på schemat", by_load=True)
