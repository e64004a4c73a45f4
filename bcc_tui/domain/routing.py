"""Who should get an errand (R5, R18): pure rules over the staff, today's roster and absences."""

from __future__ import annotations

from dataclasses import dataclass

from bcc_tui.domain import errand as e
from bcc_tui.domain.roles import CAREGIVER


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


def _available(p: Person, absent: set[str]) -> bool:
    return p.active and CAREGIVER in p.roles and p.username not in absent


def suggest(
    type_code: str, urgent: bool, staff: list[Person], absent: set[str],
    top_doctor: str | None = None,
) -> Suggestion | None:
    """R5: an urgent complaint goes to a section leader, any other to the MedControl PRO nurse.

    Never someone absent today. Other types get no suggestion yet (continuity and per-type
    defaults are R18's rules).
    """
    if type_code != e.COMPLAINT:
        return None
    if urgent:
        for p in staff:
            if p.title == "sektionsledare" and _available(p, absent):
                return Suggestion(p.username, "brådskande klagomål → sektionsledare")
        return None
    for p in staff:
        if p.medcontrol_responsible and _available(p, absent):
            return Suggestion(p.username, "ansvarig för MedControl PRO")
    return None
