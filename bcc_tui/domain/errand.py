"""Errand types, units, states and the legal moves between them (docs/routine.md R1–R6, R10)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bcc_tui.domain.errors import Conflict, InvalidInput
from bcc_tui.domain.exports import neutralised
from bcc_tui.domain.text import clean_line

OUTPATIENT, INPATIENT = "oppenvard", "slutenvard"
UNITS = {OUTPATIENT: "Öppenvård", INPATIENT: "Slutenvård"}

COMPLAINT = "synpunkter_klagomal"

# An errand's reference as 1177 gives it (errand.schema.json); used with fullmatch. ASCII only.
REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{2,39}")
REF_SHOWN_MAX = 40


def shown_ref(typed: str) -> str:
    """A reference as someone typed it, in the one form that is printed, kept in the audit log
    (the row of a refusal) and exported: a reference of the real form as it is; anything else
    without control characters, cut to 40 characters, and neutralised as a spreadsheet cell
    (`=cmd|…` is kept as `'=cmd|…`), so that what was tried is on record and can act nowhere.
    No errand has such a reference, so the shown form never finds another errand."""
    if REF.fullmatch(typed):
        return typed
    text = clean_line(typed)
    if len(text) > REF_SHOWN_MAX:
        text = text[:REF_SHOWN_MAX] + "…"
    return neutralised(text)


@dataclass(frozen=True)
class ErrandType:
    code: str
    name: str  # Swedish, as 1177 names the e-service
    units: tuple[str, ...]
    short: str  # for narrow table columns


# R1: the outpatient basic offer; inpatient care offers only feedback and complaints.
TYPES: dict[str, ErrandType] = {
    t.code: t
    for t in (
        ErrandType("av_omboka_tid", "Av/omboka tid", (OUTPATIENT,), "Av/omboka tid"),
        ErrandType("begar_intyg", "Begär intyg", (OUTPATIENT,), "Begär intyg"),
        ErrandType("fraga_om_remiss", "Fråga om min remiss", (OUTPATIENT,), "Fråga remiss"),
        ErrandType("fornya_recept", "Förnya recept", (OUTPATIENT,), "Förnya recept"),
        ErrandType("kontakta_mig", "Kontakta mig", (OUTPATIENT,), "Kontakta mig"),
        ErrandType("skicka_meddelande", "Skicka meddelande", (OUTPATIENT,), "Meddelande"),
        ErrandType("bestalla_journalkopia", "Beställa journalkopia", (OUTPATIENT,), "Journalkopia"),
        ErrandType(COMPLAINT, "Synpunkter och klagomål", (OUTPATIENT, INPATIENT), "Synp./klagomål"),
    )
}

# R29: the administrative types whose errands a receiver (a medical secretary) can answer without
# a caregiver; the admin tab suggests turning "besvaras av mottagare" on for these, off by default.
RECEIVERS_ANSWER_SUGGESTED = ("av_omboka_tid", "bestalla_journalkopia")

# R5: the exact text of the automatic partial reply to feedback and complaints.
COMPLAINT_PARTIAL_REPLY = (
    "Vi har mottagit dina synpunkter och kommer att återkoppla till dig, på det sätt du angett att du önskar."
)

# R11: what the banner of an errand with acute signs tells the receiver to do.
ACUTE_ADVICE_TO_STAFF = "ring familjen och bedöm; 1177 är inte för akuta ärenden"

CONTACT_PREFERENCES = {"1177": "Via 1177", "telefon": "Per telefon", "brev": "Per brev"}

UNASSIGNED, ASSIGNED, CLOSED = "unassigned", "assigned", "closed"
STATUS_NAMES = {UNASSIGNED: "Ofördelad", ASSIGNED: "Fördelad", CLOSED: "Avslutad"}
# What a person types for a status on the command line (`list --status fördelad`).
STATUS_WORDS = {name.lower(): code for code, name in STATUS_NAMES.items()}

# Actions, as the audit log and the permission table name them (R15).
ASSIGN, REASSIGN, PARTIAL_REPLY, REPLY, CLOSE, NOTE, URGENT, REMIND = (
    "assign",
    "reassign",
    "partial_reply",
    "reply",
    "close",
    "note",
    "urgent",
    "remind",
)
ACUTE_HANDLED = "acute_handled"  # R25: the family was contacted about the acute signs
ACTION_NAMES = {
    ACUTE_HANDLED: "markera akuta tecken som hanterade",
    ASSIGN: "fördela",
    REASSIGN: "omfördela",
    PARTIAL_REPLY: "skicka delsvar",
    REPLY: "besvara",
    CLOSE: "avsluta utan svar",
    NOTE: "skriva intern anteckning",
    URGENT: "markera brådskande",
    REMIND: "påminna",
}

# How an errand's history names each kind of event (the command line's `show`, the errand view).
EVENT_NAMES = {
    ASSIGN: "Fördelat",
    REASSIGN: "Omfördelat",
    PARTIAL_REPLY: "Delsvar",
    REPLY: "Svar",
    CLOSE: "Avslutat utan svar",
    NOTE: "Intern anteckning",
    URGENT: "Brådskande ändrat",
    REMIND: "Påminnelse",
    "due_date": "Nytt förfallodatum",
    "acute": "Akuta ord omprövade",
    ACUTE_HANDLED: "Akuta tecken hanterade",
}

CLINIC = "Barncancercentrum"


def signature(name: str, title: str) -> tuple[str, str]:
    """R13: what a reply ends with: the writer's name and title, then the clinic."""
    return (f"{name}, {title}" if title else name), CLINIC


# R2: the state each action may start from.
_FROM_STATES = {
    ASSIGN: (UNASSIGNED,),
    REASSIGN: (ASSIGNED,),
    PARTIAL_REPLY: (UNASSIGNED, ASSIGNED),
    REPLY: (ASSIGNED,),
    CLOSE: (UNASSIGNED, ASSIGNED),
    NOTE: (UNASSIGNED, ASSIGNED, CLOSED),
    URGENT: (UNASSIGNED, ASSIGNED),
    REMIND: (ASSIGNED,),
    # A closed errand too: the call made before a reply or a close (a duplicate) is still recorded
    # after it. Closed, its signs were left "never marked handled" for good (a nurse's trial).
    ACUTE_HANDLED: (UNASSIGNED, ASSIGNED, CLOSED),
}

MAX_REPLY = 20000
MAX_NOTE = 5000
MAX_REASON = 500
MAX_ACUTE_NOTE = 500
MIN_ACUTE_NOTE = 5  # "Ringt" says what was done; "x" or "ok" does not


def type_name(code: str) -> str:
    t = TYPES.get(code)
    return t.name if t else code


def type_short(code: str) -> str:
    t = TYPES.get(code)
    return t.short if t else code


def check_type_for_unit(type_code: str, unit: str) -> None:
    t = TYPES.get(type_code)
    if t is None:
        raise InvalidInput(f"okänd ärendetyp '{type_code}'")
    if unit not in UNITS:
        raise InvalidInput(f"okänd enhet '{unit}'")
    if unit not in t.units:
        raise InvalidInput(
            f"{UNITS[unit]} tar inte emot ärendetypen '{t.name}' (bara Synpunkter och klagomål)"
        )


# "… kan inte <passive>": how a refused move is said.
_PASSIVE = {
    ASSIGN: "fördelas",
    REASSIGN: "omfördelas",
    PARTIAL_REPLY: "få delsvar",
    REPLY: "besvaras",
    CLOSE: "avslutas",
    NOTE: "få anteckningar",
    URGENT: "markeras brådskande",
    REMIND: "få påminnelser",
    ACUTE_HANDLED: "få akuta tecken markerade som hanterade",
}


def check_move(
    action: str, ref: str, status: str, assignee: str | None = None, *, receivers_answer: bool = False
) -> None:
    """Refuse an action that the errand's state does not allow, with a message naming why.
    receivers_answer (R29, a type "besvaras av mottagare"): a receiver may reply to an errand not
    yet assigned; the reply assigns it to them first."""
    allowed = _FROM_STATES[action]
    if status in allowed or (receivers_answer and action == REPLY and status == UNASSIGNED):
        return
    if status == CLOSED:
        raise Conflict(f"{ref} är redan avslutat och kan inte {_PASSIVE[action]}")
    if action == ASSIGN and status == ASSIGNED:
        raise Conflict(
            f"{ref} är redan fördelat till {assignee}",
            cli_hint="använd --reassign för att omfördela",
            ui_hint="tryck a för att omfördela det",
        )
    if status == UNASSIGNED and action in (REASSIGN, REPLY, REMIND):
        raise Conflict(f"{ref} är inte fördelat ännu; fördela det först")
    raise Conflict(f"{ref} kan inte {_PASSIVE[action]} i läget {STATUS_NAMES[status]}")


def required_text(value: str | None, what: str, limit: int) -> str:
    """A text that must say something: refuse empty or oversized (after cleaning)."""
    text = (value or "").strip()
    if not text:
        raise InvalidInput(f"{what} saknas")
    if len(text) > limit:
        raise InvalidInput(f"{what} är för lång ({len(text)} tecken, högst {limit})")
    return text
