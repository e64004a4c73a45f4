"""An errand's state as its history says it must be (issue 12: `check` finds tampering).

The services change an errand and write its event in one transaction, so the errand's columns
are a function of its events. Replaying the events here and comparing with the stored row finds
a column changed by plain SQL (an assignee moved, a closed errand reopened) and a history cut
short. This is a second statement of the moves in the services, kept deliberately small: only
what each event sets, not who may do it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bcc_tui.domain import errand as e
from bcc_tui.domain.errors import Conflict
from bcc_tui.domain.validation import parse_utc

# Events that do not come from an errand action: an administrator's change recomputed the due
# date (a type's number of days) or the acute-sign words of open errands.
DUE_DATE, ACUTE = "due_date", "acute"

# Kinds whose stored event bumps the errand's version (compare-and-set) in the same transaction.
_BUMPS = {
    e.ASSIGN,
    e.REASSIGN,
    e.PARTIAL_REPLY,
    e.REPLY,
    e.CLOSE,
    e.REMIND,
    e.URGENT,
    e.ACUTE_HANDLED,
    DUE_DATE,
    ACUTE,
}

# Kinds that are a person's action on the errand: each must have been legal in the state before it.
_FROM_ACTION = {
    e.ASSIGN,
    e.REASSIGN,
    e.PARTIAL_REPLY,
    e.REPLY,
    e.CLOSE,
    e.NOTE,
    e.URGENT,
    e.REMIND,
    e.ACUTE_HANDLED,
}

_UNSET = object()


@dataclass
class Replayed:
    status: str = e.UNASSIGNED
    assignee: str | None = None
    urgent: bool | None = None  # None: never changed since intake
    initial_urgent: bool | None = None  # known when an urgent event flipped it
    first_response_at: str | None = None
    partial_reply_at: str | None = None
    closed_at: str | None = None
    close_kind: str | None = None
    last_reminded_at: str | None = None
    acute_handled_at: str | None = None  # R25
    version: int = 1
    due_date: object = _UNSET
    acute: object = _UNSET
    problems: list[str] = field(default_factory=list)

    @property
    def due_date_known(self) -> bool:
        return self.due_date is not _UNSET

    @property
    def acute_known(self) -> bool:
        return self.acute is not _UNSET


def replay(ref: str, events: Iterable[Mapping[str, Any]]) -> Replayed:
    """The state after `events` (each with kind, at, target and detail as a dict), in id order."""
    s = Replayed()
    for ev in events:
        kind, at, detail = ev["kind"], ev["at"], ev["detail"] or {}
        if kind in _FROM_ACTION:
            try:
                e.check_move(kind, ref, s.status, s.assignee)
            except Conflict:
                s.problems.append(f"händelsen {kind} {at} är inte tillåten i läget {s.status}")
        if not (_moved(s, kind, at, ev) or _marked(s, kind, detail, at)) and kind != e.NOTE:
            s.problems.append(f"okänd händelse '{kind}' {at}")
        # The automatic partial reply to a complaint is written with the errand (version 1).
        if kind in _BUMPS and not (kind == e.PARTIAL_REPLY and detail.get("automatic")):
            s.version += 1
    return s


def _moved(s: Replayed, kind: str, at: str, ev: Mapping[str, Any]) -> bool:
    """An event that moves the errand (assigned, answered in part or whole, closed): applied, True."""
    if kind in (e.ASSIGN, e.REASSIGN):
        s.status, s.assignee = e.ASSIGNED, ev["target"]
    elif kind == e.PARTIAL_REPLY:
        s.partial_reply_at = at
        s.first_response_at = s.first_response_at or at
    elif kind in (e.REPLY, e.CLOSE):
        s.status, s.closed_at = e.CLOSED, at
        s.close_kind = "reply" if kind == e.REPLY else "no_reply"
        s.first_response_at = s.first_response_at or at
    else:
        return False
    return True


def _marked(s: Replayed, kind: str, detail: Mapping[str, Any], at: str) -> bool:
    """An event that marks the errand (reminded, acute handled, urgent, a new due date or acute
    signs): applied, True."""
    if kind == e.REMIND:
        s.last_reminded_at = at
    elif kind == e.ACUTE_HANDLED:
        s.acute_handled_at = at
    elif kind == e.URGENT:
        value = bool(detail.get("urgent"))
        if s.urgent is None:
            s.initial_urgent = not value
        s.urgent = value
    elif kind == DUE_DATE:
        s.due_date = detail.get("due_date")
    elif kind == ACUTE:
        s.acute = detail.get("acute")
        if detail.get("unhandled"):
            s.acute_handled_at = None  # new signs: the banner pins again
    else:
        return False
    return True


_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
# Years the calendar rules (holidays, offsets to Stockholm time) can work with.
_YEARS = range(1900, 9999)


def readable_moment(text: object) -> dt.datetime | None:
    """A stored UTC moment as the readers parse it, or None when they could not."""
    if not isinstance(text, str) or not _MOMENT.match(text):
        return None
    try:
        moment = parse_utc(text)
    except ValueError:
        return None
    return moment if moment.year in _YEARS else None


def readable_date(text: object) -> dt.date | None:
    if not isinstance(text, str) or not _DATE.match(text):
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return day if day.year in _YEARS else None
