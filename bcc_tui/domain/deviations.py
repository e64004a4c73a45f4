"""The deviation register (R8, issue 26): what counts as a deviation from the routine, found in the
data, and the draft text for MedControl PRO. Pure: the store finds the candidates, the services
keep the register; the clock's moment is always a parameter.

Each kind is found at most once per errand (the register's key is (kind, errand)):

- breach: the two-day rule broken (statistics.outcome, the statistics' one definition);
- complaint_routing: a complaint not assigned by R5's rule within one business day of arrival
  (urgent → a section leader, else the nurse responsible for MedControl PRO); assigned to
  someone else in that time counts, so does an assignment to the right person a day late;
- no_consulted_doctor: a receiver's partial reply on an errand that was not theirs, with no
  consulted doctor recorded (R4: the receiver checks with the doctor at the top of the schedule);
- acute_unhandled: acute signs (R11) not marked handled (R25) within ACUTE_LIMIT of intake, or
  still unmarked after it — a closed errand too: nobody recorded that the family was called;
- late_after_followup: a reply that came after the follow-up date (R19) of the partial reply
  before it.

A draft names the errand by reference and type only: no patient name, personnummer or message.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bcc_tui.domain import errand as e
from bcc_tui.domain import flags, routine, statistics
from bcc_tui.domain.business_days import STOCKHOLM, add_business_days, local_date
from bcc_tui.domain.validation import format_utc, parse_utc

BREACH = "breach"
COMPLAINT_ROUTING = "complaint_routing"
NO_CONSULTED_DOCTOR = "no_consulted_doctor"
ACUTE_UNHANDLED = "acute_unhandled"
LATE_AFTER_FOLLOWUP = "late_after_followup"

# The kinds in the order a report lists them, with the name a person reads.
KINDS: dict[str, str] = {
    BREACH: "Tvådagarsregeln bruten",
    COMPLAINT_ROUTING: "Klagomål ej fördelat enligt rutin",
    NO_CONSULTED_DOCTOR: "Delsvar utan avstämd läkare",
    ACUTE_UNHANDLED: "Akuta tecken ej hanterade i tid",
    LATE_AFTER_FOLLOWUP: "Svar efter uppföljningsdatum",
}

OPEN, REPORTED, DISMISSED = "open", "reported", "dismissed"
STATUS_NAMES = {OPEN: "öppen", REPORTED: "rapporterad", DISMISSED: "avfärdad"}

ACUTE_LIMIT = dt.timedelta(hours=4)
COMPLAINT_ROUTING_DAYS = 1  # business days after arrival
SECTION_LEADER = "sektionsledare"
MEDCONTROL_MAX = 40  # characters of a MedControl PRO case number


@dataclass(frozen=True)
class Found:
    """One deviation found in the data: the register keeps it by (kind, errand_id)."""

    kind: str
    errand_id: int
    occurred_at: dt.datetime  # when it happened (the moment a deadline passed, or the act)
    facts: Mapping[str, Any]  # what the draft is written from; only data, never the clock

    @property
    def facts_json(self) -> str:
        return facts_json(self.facts)


def facts_json(facts: Mapping[str, Any]) -> str:
    """The stored form of a deviation's facts: the same facts give the same text."""
    return json.dumps(dict(facts), ensure_ascii=False, sort_keys=True)


def key(kind: str, ref: str) -> str:
    """The register's stable key of a deviation, as scripts see it: 'breach:1177-100001'."""
    return f"{kind}:{ref}"


def _midnight_after(day: dt.date) -> dt.datetime:
    """The moment a day's deadline has passed: midnight after it, Stockholm time."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), STOCKHOLM).astimezone(dt.UTC)


def _utc(moment: dt.datetime | None) -> str | None:
    return format_utc(moment) if moment is not None else None


# -- the rules ----------------------------------------------------------------------------------
def breach(
    errand_id: int,
    due_date: dt.date,
    first_response_at: dt.datetime | None,
    first_response_on: dt.date | None,
    today: dt.date,
) -> Found | None:
    if statistics.outcome(due_date, first_response_on, today) != "breached":
        return None
    return Found(
        BREACH,
        errand_id,
        _midnight_after(due_date),
        {"due_date": due_date.isoformat(), "first_response_at": _utc(first_response_at)},
    )


@dataclass(frozen=True)
class Assignment:
    """An assign or reassign event of a complaint: when, to whom, and that person's standing."""

    at: dt.datetime
    username: str
    title: str
    medcontrol_responsible: bool


def routed_by_rule(urgent: bool, a: Assignment) -> bool:
    """R5: urgent → a section leader, else the nurse responsible for MedControl PRO."""
    return a.title == SECTION_LEADER if urgent else a.medcontrol_responsible


def complaint_routing(
    errand_id: int,
    urgent: bool,
    received_on: dt.date,
    assignments: Sequence[Assignment],
    today: dt.date,
) -> Found | None:
    deadline = add_business_days(received_on, COMPLAINT_ROUTING_DAYS)
    in_time = [a for a in assignments if local_date(a.at) <= deadline]
    if any(routed_by_rule(urgent, a) for a in in_time):
        return None
    if today <= deadline:
        return None  # there is still time to route it
    first = min(assignments, key=lambda a: a.at) if assignments else None
    return Found(
        COMPLAINT_ROUTING,
        errand_id,
        _midnight_after(deadline),
        {
            "deadline": deadline.isoformat(),
            "urgent": urgent,
            "first_assigned_at": _utc(first.at) if first else None,
            "first_assigned_title": first.title if first else None,
            "first_assigned_by_rule": routed_by_rule(urgent, first) if first else None,
        },
    )


def no_consulted_doctor(
    errand_id: int,
    at: dt.datetime,
    actor: str,
    assignee_then: str | None,
    detail: Mapping[str, Any] | None,
) -> Found | None:
    """A receiver's partial reply (the store gives only those) on an errand not theirs, with no
    consulted doctor recorded; a detail without the key, or none at all, records none."""
    if actor == assignee_then or (detail or {}).get("consulted"):
        return None
    return Found(NO_CONSULTED_DOCTOR, errand_id, at, {"partial_reply_at": _utc(at)})


def acute_unhandled(
    errand_id: int, imported_at: dt.datetime, handled_at: dt.datetime | None, now: dt.datetime
) -> Found | None:
    limit = imported_at + ACUTE_LIMIT
    if handled_at is None and now <= limit:
        return None
    if handled_at is not None and handled_at <= limit:
        return None
    return Found(
        ACUTE_UNHANDLED,
        errand_id,
        limit,
        {"imported_at": _utc(imported_at), "handled_at": _utc(handled_at)},
    )


def late_after_followup(
    errand_id: int, partial_at: dt.datetime, reply_at: dt.datetime, followup_days: int
) -> Found | None:
    followup = flags.followup_date(local_date(partial_at), followup_days)
    if local_date(reply_at) <= followup:
        return None
    return Found(
        LATE_AFTER_FOLLOWUP,
        errand_id,
        reply_at,
        {
            "partial_reply_at": _utc(partial_at),
            "followup_date": followup.isoformat(),
            "reply_at": _utc(reply_at),
        },
    )


# -- the draft for MedControl PRO ---------------------------------------------------------------
def local_text(moment: dt.datetime) -> str:
    """A moment as a person reads it, Stockholm time: '2026-11-25 10:00'."""
    return moment.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")


def when_short(occurred_at: dt.datetime) -> str:
    """For a table: an act's moment, or 'efter 2026-11-24' for a deadline that passed with the day."""
    local = occurred_at.astimezone(STOCKHOLM)
    if local.time() == dt.time():
        return f"efter {(local.date() - dt.timedelta(days=1)).isoformat()}"
    return local_text(occurred_at)


def _when(occurred_at: dt.datetime) -> str:
    """A deadline's midnight reads as the day it passed; an act as its moment."""
    local = occurred_at.astimezone(STOCKHOLM)
    if local.time() == dt.time():
        return f"{(local.date() - dt.timedelta(days=1)).isoformat()} (fristen gick ut vid dagens slut)"
    return local_text(occurred_at)


def _moment(facts: Mapping[str, Any], name: str) -> str | None:
    value = facts.get(name)
    return local_text(parse_utc(value)) if isinstance(value, str) and value else None


def what_happened(kind: str, facts: Mapping[str, Any]) -> str:
    """One or two sentences in Swedish: what broke the routine. Never a person's name."""
    if kind == BREACH:
        first = _moment(facts, "first_response_at")
        answered = (
            f"Första svar (delsvar, svar eller avslut) kom {first}."
            if first
            else "Inget svar (delsvar, svar eller avslut) hade kommit."
        )
        return f"Ärendet besvarades inte i tid: förfallodatum var {facts.get('due_date')}. {answered}"
    if kind == COMPLAINT_ROUTING:
        rule = (
            "ett brådskande klagomål ska fördelas till en sektionsledare"
            if facts.get("urgent")
            else "klagomålet ska fördelas till den sjuksköterska som är ansvarig för MedControl PRO"
        )
        first = _moment(facts, "first_assigned_at")
        if first is None:
            done = "Det var inte fördelat."
        else:
            title = facts.get("first_assigned_title") or "okänd titel"
            done = f"Det fördelades första gången {first} till {title}"
            done += "." if facts.get("first_assigned_by_rule") else ", inte enligt rutinen."
        return (
            f"Synpunkten/klagomålet fördelades inte enligt rutinen inom en vardag efter ankomst "
            f"(senast {facts.get('deadline')}); {rule}. {done}"
        )
    if kind == NO_CONSULTED_DOCTOR:
        return (
            f"Ärendemottagaren skickade {_moment(facts, 'partial_reply_at')} ett delsvar i ett ärende "
            "som inte var hens, utan att någon avstämd läkare antecknades (rutinen: delsvaret ges efter "
            "avstämning med läkaren överst på dagens schema för öppenvården)."
        )
    if kind == ACUTE_UNHANDLED:
        handled = _moment(facts, "handled_at")
        return (
            f"Ärendet hade akuta tecken men markerades inte som hanterat inom 4 timmar efter "
            f"inläsningen {_moment(facts, 'imported_at')}. "
            + (f"Det markerades hanterat {handled}." if handled else "Det var inte markerat hanterat.")
        )
    if kind == LATE_AFTER_FOLLOWUP:
        return (
            f"Efter delsvaret {_moment(facts, 'partial_reply_at')} skulle ärendet följas upp senast "
            f"{facts.get('followup_date')}; svaret kom först {_moment(facts, 'reply_at')}."
        )
    return kind


def draft(
    kind: str,
    ref: str,
    type_code: str,
    received_at: dt.datetime,
    occurred_at: dt.datetime,
    facts: Mapping[str, Any],
) -> str:
    """The text for MedControl PRO: what happened, when, the errand's type and reference."""
    return "\n".join(
        (
            f"Avvikelse: {KINDS.get(kind, kind)}",
            f"Ärende: {ref} ({e.type_name(type_code)}), inkom {local_text(received_at)}",
            f"När: {_when(occurred_at)}",
            f"Vad hände: {what_happened(kind, facts)}",
            f"Rutin: {routine.NAME}, version {routine.VERSION}",
        )
    )
