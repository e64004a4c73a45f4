"""What the services hand to the front ends: plain dataclasses built from store rows."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from bcc_tui.domain import acute as acute_rules
from bcc_tui.domain import errand as e
from bcc_tui.domain import flags
from bcc_tui.domain.business_days import (
    BREACHED,
    DUE_SOON,
    MET,
    OK,
    OVERDUE,
    STOCKHOLM,
    Countdown,
    add_business_days,
    countdown,
    due_date,
    local_date,
    short_date,
)
from bcc_tui.domain.routing import Suggestion
from bcc_tui.domain.validation import parse_utc, parse_utc_or_none
from bcc_tui.services.patients import PatientContext
from bcc_tui.store.errands import Attention, Errand, ErrandRow, EventRow


@lru_cache(maxsize=65536)
def _day(text: str) -> dt.date:
    # Dates repeat across a list (a backlog has a few thousand distinct days): parse each once.
    return dt.date.fromisoformat(text)


def _date(text: str | None) -> dt.date | None:
    return _day(text) if text else None


def _utc_text(moment: dt.datetime) -> str:
    """'2026-11-25T09:14:00Z' — isoformat is several times faster than strftime, which counts
    when `list --json` writes 100,000 rows."""
    if moment.microsecond == 0 and moment.utcoffset() == dt.timedelta(0):
        return moment.isoformat()[:19] + "Z"
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _stored_utc_text(text: str) -> str:
    """_utc_text of a stored moment: the stored form (format_utc's) is already the printed one."""
    if len(text) == 20 and text[10] == "T" and text[19] == "Z":
        return text
    return _utc_text(parse_utc(text))


@dataclass(frozen=True)
class Concerned:
    """R4: the caregiver concerned — the PAL, else the holder, else the one who last replied — is
    absent today, and back on `back_on` (None: not known)."""

    username: str
    role: str  # "PAL", "handläggaren", "senast svarande"
    back_on: dt.date | None
    gone: bool = False  # deactivated: not back, whatever an absence says

    def text(self, names: dict[str, str]) -> str:
        if self.gone:
            return f"{self.role} {names.get(self.username, self.username)} avaktiverad"
        back = f" t.o.m. {short_date(self.back_on - dt.timedelta(days=1))}" if self.back_on else ""
        return f"{self.role} {names.get(self.username, self.username)} frånv.{back}"


@lru_cache(maxsize=4096)
def _acute(stored: str | None) -> tuple[acute_rules.Finding, ...]:
    # Most rows hold none, and a backlog repeats the same few findings: parse each text once.
    return acute_rules.load(stored)


@dataclass(frozen=True)
class ErrandSummary:
    id: int
    ref: str
    type: str
    unit: str
    status: str
    assignee: str | None
    received_at: dt.datetime
    received_on: dt.date
    due_date: dt.date
    patient_name: str
    personnummer: str
    proxy_name: str | None
    proxy_relation: str | None
    subject: str
    urgent: bool
    partial_reply_at: dt.datetime | None
    first_response_on: dt.date | None
    closed_at: dt.datetime | None
    close_kind: str | None
    last_reminded_at: dt.datetime | None
    version: int
    countdown: Countdown
    suggestion: Suggestion | None = None
    acute_signs: tuple[acute_rules.Finding, ...] = ()  # R11: each with its category and quote
    proxy_for_older_child: bool = False  # R12
    followup_on: dt.date | None = None  # R19: open errands answered only by a partial reply
    followup_overdue: bool = False
    holder_absent: bool = False  # R22: the assignee is absent today
    # ...or deactivated: not back at all. Rows said "frånv." of a doctor who had left, and help
    # reads that as "absent today".
    holder_gone: bool = False
    acute_handled_at: dt.datetime | None = None  # R25: the acute banner was dealt with
    remark: str | None = None  # R28: pinned for the next shift until the next handover
    concerned_absent: Concerned | None = None  # R4/R29: the doctor concerned is absent today
    receivers_answer: bool = False  # R29: its type is answered by receivers ("besvaras av mottagare")

    @property
    def acute(self) -> tuple[str, ...]:
        """R11: what matched, as written ("39,1", "andas tungt")."""
        return tuple(f.quote for f in self.acute_signs)

    @property
    def acute_categories(self) -> tuple[str, ...]:
        """R11: the categories' Swedish labels, each once."""
        return acute_rules.labels(self.acute_signs)

    @property
    def acute_text(self) -> str:
        """R11: "Feber: 39,1 · Andning: andas tungt", for banners and lists."""
        return acute_rules.summary(self.acute_signs)

    @property
    def acute_pinned(self) -> bool:
        """R11/R25: acute signs pin the errand until someone marks them handled."""
        return bool(self.acute) and self.acute_handled_at is None

    @property
    def type_name(self) -> str:
        return e.type_name(self.type)

    @property
    def partial_reply_sent(self) -> bool:
        return self.partial_reply_at is not None

    def to_json(self) -> dict:
        """The fields of `list --json` (docs/routine.md 4.1)."""
        return {
            "ref": self.ref,
            "type": self.type,
            "unit": self.unit,
            "status": self.status,
            "assignee": self.assignee,
            "received_at": _utc_text(self.received_at),
            "due_date": self.due_date.isoformat(),
            "partial_reply_sent": self.partial_reply_sent,
            "urgent": self.urgent,
            "suggested_assignee": self.suggestion.username if self.suggestion else None,
            "suggestion_reason": self.suggestion.reason if self.suggestion else None,
            "sla": self.countdown.level,
            "sla_text": self.countdown.text,
            "last_reminded_at": self.last_reminded_at.strftime("%Y-%m-%dT%H:%M:%SZ")
            if self.last_reminded_at
            else None,
            "acute": list(self.acute),
            "acute_categories": list(self.acute_categories),
            "acute_handled": self.acute_handled_at is not None,
            "proxy_for_older_child": self.proxy_for_older_child,
            "followup_date": self.followup_on.isoformat() if self.followup_on else None,
            "handover_remark": self.remark,
            "assignee_absent": self.holder_absent,
            "version": self.version,
        }


# Open errands in the order that needs attention first: urgent, then overdue, due soon, the rest.
_RANK = {OVERDUE: 0, DUE_SOON: 1, OK: 2, MET: 3, BREACHED: 3}


def attention_key(s: ErrandSummary) -> tuple:
    """Acute signs first (R11), then urgent, then overdue (or a passed follow-up), due soon, …"""
    rank = 0 if s.followup_overdue else _RANK[s.countdown.level]
    return (not s.acute_pinned, not s.urgent, rank, s.due_date, s.received_at, s.ref)


def attention_bounds(today: dt.date, followup_days: int = flags.DEFAULT_FOLLOWUP_DAYS) -> Attention:
    """The dates with which the store orders open errands as `attention_key` does, on `today`."""
    # The earliest partial-reply date whose follow-up is today or later: replies before it are
    # past their follow-up (flags.followup_date is monotonic in the reply date).
    first_ok = today
    while flags.followup_date(first_ok - dt.timedelta(days=1), followup_days) >= today:
        first_ok -= dt.timedelta(days=1)
    midnight = dt.datetime.combine(first_ok, dt.time(), STOCKHOLM).astimezone(dt.UTC)
    return Attention(
        today=today.isoformat(),
        soon_before=add_business_days(today, 2).isoformat(),
        followup_before=midnight.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


def summary(
    row: ErrandRow | Errand,
    today: dt.date,
    suggestion: Suggestion | None = None,
    followup_days: int = flags.DEFAULT_FOLLOWUP_DAYS,
    *,
    holder_absent: bool = False,
    holder_gone: bool = False,
    days: dict[str, int] | None = None,
) -> ErrandSummary:
    """`days`: the types' days while a change of days is still being carried to the open errands
    (clinic.due_days): an open errand's due date is then the rule's, not the stored one that the
    batches may not have reached yet."""
    due = _day(row.due_date)
    received_on = _day(row.received_on)
    if days is not None and row.status != "closed" and row.type in days:
        due = due_date(received_on, days[row.type]).due
    partial = parse_utc_or_none(row.partial_reply_at)
    first_response_on = _date(row.first_response_on)
    followup = None
    if row.status != "closed" and partial is not None:
        followup = flags.followup_date(local_date(partial), followup_days)
    acute = _acute(row.acute)
    return ErrandSummary(
        id=row.id,
        ref=row.ref,
        type=row.type,
        unit=row.unit,
        status=row.status,
        assignee=row.assignee,
        received_at=parse_utc(row.received_at),
        received_on=received_on,
        due_date=due,
        patient_name=row.patient_name,
        personnummer=row.personnummer,
        proxy_name=row.proxy_name,
        proxy_relation=row.proxy_relation,
        subject=row.subject,
        urgent=bool(row.urgent),
        partial_reply_at=partial,
        first_response_on=first_response_on,
        closed_at=parse_utc_or_none(row.closed_at),
        close_kind=row.close_kind,
        last_reminded_at=parse_utc_or_none(row.last_reminded_at),
        version=row.version,
        countdown=countdown(due, today, first_response_on),
        suggestion=suggestion,
        acute_signs=acute,
        proxy_for_older_child=flags.proxy_for_older_child(
            row.personnummer, bool(row.proxy_name), received_on
        ),
        followup_on=followup,
        followup_overdue=followup is not None and today > followup,
        remark=row.remark if isinstance(row, ErrandRow) else None,  # the full errand reads it beside
        holder_absent=holder_absent,
        holder_gone=holder_gone,
        acute_handled_at=parse_utc_or_none(row.acute_handled_at),
    )


@lru_cache(maxsize=4096)
def _acute_json(stored: str | None) -> tuple[list[str], list[str]]:
    findings = _acute(stored)
    return [f.quote for f in findings], list(acute_rules.labels(findings))


@lru_cache(maxsize=65536)
def _countdown(due: dt.date, today: dt.date, responded_on: dt.date | None) -> Countdown:
    # A list repeats a few thousand (due, response) pairs: each countdown is worked out once.
    return countdown(due, today, responded_on)


@lru_cache(maxsize=65536)
def _proxy_older(pnr: str, on: dt.date) -> bool:
    return flags.proxy_for_older_child(pnr, True, on)


def summary_json(
    row: Mapping[str, Any],
    today: dt.date,
    suggestion: Suggestion | None = None,
    followup_days: int = flags.DEFAULT_FOLLOWUP_DAYS,
    *,
    holder_absent: bool = False,
    days: dict[str, int] | None = None,
) -> dict:
    """`summary(row, …).to_json()` without the summary in between: `list --json` writes 100,000
    rows, and building each ErrandSummary first cost more than all the rest of a row's work
    (tests/services/test_list_json.py holds the two to the same output)."""
    status = row["status"]
    due = _day(row["due_date"])
    received_on = _day(row["received_on"])
    if days is not None and status != "closed" and row["type"] in days:
        due = due_date(received_on, days[row["type"]]).due
    partial = row["partial_reply_at"]
    first = row["first_response_on"]
    followup = None
    if status != "closed" and partial:
        followup = flags.followup_date(local_date(parse_utc(partial)), followup_days).isoformat()
    quotes, labels = _acute_json(row["acute"])
    reminded = row["last_reminded_at"]
    level = _countdown(due, today, _day(first) if first else None)
    return {
        "ref": row["ref"],
        "type": row["type"],
        "unit": row["unit"],
        "status": status,
        "assignee": row["assignee"],
        "received_at": _stored_utc_text(row["received_at"]),
        "due_date": due.isoformat(),
        "partial_reply_sent": bool(partial),
        "urgent": bool(row["urgent"]),
        "suggested_assignee": suggestion.username if suggestion else None,
        "suggestion_reason": suggestion.reason if suggestion else None,
        "sla": level.level,
        "sla_text": level.text,
        "last_reminded_at": _stored_utc_text(reminded) if reminded else None,
        "acute": list(quotes),
        "acute_categories": list(labels),
        "acute_handled": bool(row["acute_handled_at"]),
        "proxy_for_older_child": bool(row["proxy_name"]) and _proxy_older(row["personnummer"], received_on),
        "followup_date": followup,
        "handover_remark": row["remark"],
        "assignee_absent": holder_absent,
        "version": row["version"],
    }


@dataclass(frozen=True)
class Event:
    kind: str
    at: dt.datetime
    actor: str
    actor_name: str
    actor_title: str
    target: str | None
    text: str | None
    detail: dict


def event(row: EventRow) -> Event:
    return Event(
        kind=row.kind,
        at=parse_utc(row.at),
        actor=row.actor,
        actor_name=row.actor_name,
        actor_title=row.actor_title,
        target=row.target,
        text=row.text,
        detail=json.loads(row.detail) if row.detail else {},
    )


@dataclass(frozen=True)
class ErrandDetail:
    summary: ErrandSummary
    message: str
    contact_preference: str | None
    phone: str | None
    business_days: int
    events: list[Event] = field(default_factory=list)
    patient: PatientContext | None = None  # R29: the care team and the patient's earlier errands

    @property
    def due_explanation(self) -> str:
        return due_date(self.summary.received_on, self.business_days).explain()

    def to_json(self) -> dict:
        out = self.summary.to_json()
        s = self.summary
        out.update(
            {
                "type_name": s.type_name,
                "patient": {"name": s.patient_name, "personnummer": s.personnummer},
                "submitted_by": (
                    {"name": s.proxy_name, "relation": s.proxy_relation} if s.proxy_name else None
                ),
                "subject": s.subject,
                "message": self.message,
                "contact_preference": self.contact_preference,
                "phone": self.phone,
                "due_explanation": self.due_explanation,
                "events": [
                    {
                        "kind": ev.kind,
                        "at": ev.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "actor": ev.actor,
                        "actor_name": ev.actor_name,
                        "target": ev.target,
                        "text": ev.text,
                        "detail": ev.detail or None,
                    }
                    for ev in self.events
                ],
            }
        )
        if self.patient is not None:
            p = self.patient
            out["care_team"] = [
                {
                    "role": m.role,
                    "username": m.username,
                    "absent": m.absent,
                    "back_on": m.back_on.isoformat() if m.back_on else None,
                }
                for m in p.members
            ]
            out["earlier_errands"] = {
                "count": p.earlier_count,
                "last": [
                    {
                        "ref": x.ref,
                        "type": x.type,
                        "received_at": _utc_text(x.received_at),
                        "status": x.status,
                        "answered_by": x.answered_by,
                    }
                    for x in p.earlier
                ],
            }
        return out
