"""Validation of the import formats (`tests/contract/schemas/*.schema.json`, docs/routine.md 4.2 and 4.4).

Hand-written rather than a JSON Schema engine: the import command must start fast, and each
refusal names the field and the reason in Swedish. `tests/contract` checks these rules against
the schemas themselves.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from bcc_tui.domain import errand as e
from bcc_tui.domain import personnummer, roles
from bcc_tui.domain.business_days import STOCKHOLM
from bcc_tui.domain.errors import InvalidInput
from bcc_tui.domain.text import clean, clean_line

# Every pattern is used with fullmatch: "$" would let a trailing newline through. ASCII: "\d"
# would otherwise accept any script's digits.
_REF = e.REF
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_USERNAME = re.compile(r"[a-z_][a-z0-9_.-]{0,31}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

# The range of an errand's received_at (R: nothing from before 1177's e-services, nothing from
# the future beyond a clock's drift): every later computation can then hold it.
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
CLOCK_SLACK = dt.timedelta(minutes=10)
# Schedule dates: far enough for any roster, near enough for date arithmetic never to overflow.
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
# The longest a person's name (patient, proxy, staff) may be, as the contract's schemas say; the
# display also cuts a longer one that reached the database around intake.
NAME_MAX = 200


def quote(value: Any, limit: int = 60) -> str:
    """Input echoed in a message: one clean line, cut short."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)[: limit * 4]
    text = clean_line(text)
    return text if len(text) <= limit else text[:limit] + "…"


def _fail(field: str, why: str) -> InvalidInput:
    return InvalidInput(f"{field}: {why}" if field else why)


def _obj(value: Any, field: str, required: tuple[str, ...], allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(field, "ska vara ett JSON-objekt")
    for key in required:
        if key not in value:
            raise _fail(f"{field}.{key}" if field else key, "saknas")
    for key in value:
        if key not in allowed:
            raise _fail(f"{field}.{quote(key)}" if field else quote(key), "okänt fält")
    return value


def _str(value: Any, field: str, min_len: int = 0, max_len: int | None = None) -> str:
    if not isinstance(value, str):
        raise _fail(field, "ska vara text")
    if len(value) < min_len:
        raise _fail(field, "får inte vara tom")
    if max_len is not None and len(value) > max_len:
        raise _fail(field, f"är för lång ({len(value)} tecken, högst {max_len})")
    return value


def _bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(field, "ska vara true eller false")
    return value


def _enum(value: Any, field: str, options: Collection[str]) -> str:
    if not isinstance(value, str) or value not in options:
        shown = quote(value) if isinstance(value, str) else type(value).__name__
        raise _fail(field, f'okänt värde "{shown}" (tillåtna: {", ".join(options)})')
    return value


def parse_moment(value: Any, field: str) -> dt.datetime:
    """An RFC 3339 date-time with an offset or Z, as an aware UTC datetime."""
    text = _str(value, field)
    m = _DATETIME.fullmatch(text)
    if not m:
        raise _fail(field, "ska vara tid enligt RFC 3339 med tidszon, t.ex. 2026-11-25T08:14:00+01:00")
    try:
        moment = parse_utc(text.upper())
        return moment.astimezone(dt.UTC)
    except (ValueError, OverflowError):  # e.g. 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        raise _fail(field, "är ingen giltig tidpunkt") from None


def parse_date(value: Any, field: str) -> dt.date:
    text = _str(value, field)
    if not _DATE.fullmatch(text):
        raise _fail(field, "ska vara ett datum ÅÅÅÅ-MM-DD")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _fail(field, "är inget giltigt datum") from None


# json.dumps(d, sort_keys=True, ensure_ascii=False), without an encoder built for every line.
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class NewErrand:
    ref: str
    type: str
    unit: str
    received_at: dt.datetime  # aware, UTC
    patient_name: str
    personnummer: str
    proxy_name: str | None
    proxy_relation: str | None
    subject: str
    message: str
    contact_preference: str | None
    phone: str | None
    urgent: bool

    def canonical(self, received_at: str | None = None) -> str:
        """The content that decides whether a line repeats a stored errand (docs/routine.md 4.2).
        `received_at`: format_utc(self.received_at), when the caller has it already."""
        return canonical_of(
            self.as_tuple(format_utc(self.received_at) if received_at is None else received_at)
        )

    def as_tuple(self, received_at: str) -> tuple[Any, ...]:
        """Its fields in their order (FIELDS), received_at as format_utc's text: what an import
        hands its helper process (a tuple of texts pickles in a third of a dataclass's time)."""
        return (
            self.ref,
            self.type,
            self.unit,
            received_at,
            self.patient_name,
            self.personnummer,
            self.proxy_name,
            self.proxy_relation,
            self.subject,
            self.message,
            self.contact_preference,
            self.phone,
            self.urgent,
        )


FIELDS = tuple(f.name for f in dataclasses.fields(NewErrand))


def canonical_of(values: Sequence[Any]) -> str:
    """NewErrand.canonical of its as_tuple."""
    return _CANONICAL.encode(dict(zip(FIELDS, values, strict=True)))


def format_utc(moment: dt.datetime) -> str:
    """RFC 3339 in UTC with Z, to the second — the one form stored and printed."""
    utc = moment.astimezone(dt.UTC)
    if utc.year < 1000:  # strftime's %Y does not pad (and isoformat would): kept as it was
        return utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    # isoformat is strftime's text without its cost (an import formats three moments a line)
    return utc.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def parse_utc(text: str) -> dt.datetime:
    """The one reader of moments as text: format_utc's form ('…Z'), or an ISO 8601 time with
    another offset, as an aware datetime; a text without an offset gives a naive one. Raises
    ValueError for anything else."""
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def parse_utc_or_none(text: str | None) -> dt.datetime | None:
    """parse_utc for a column that may be empty (NULL)."""
    return parse_utc(text) if text else None


_ERRAND_FIELDS = (
    "ref",
    "type",
    "unit",
    "received_at",
    "patient",
    "submitted_by",
    "subject",
    "message",
    "contact_preference",
    "phone",
    "urgent",
)


def errand_from_json(obj: Any, now: dt.datetime | None = None) -> NewErrand:
    """Validate one decoded intake line; untrusted text is cleaned (docs/routine.md 6) after its checks.

    `now` (the injected clock; intake always gives it) bounds received_at and the birth date."""
    obj = _obj(obj, "", ("ref", "type", "unit", "received_at", "patient", "message"), _ERRAND_FIELDS)
    ref = _str(obj["ref"], "ref")
    if not _REF.fullmatch(ref):
        raise _fail("ref", "ska vara 3–40 tecken: bokstäver, siffror och bindestreck")
    type_code = _enum(obj["type"], "type", e.TYPES)
    unit = _enum(obj["unit"], "unit", e.UNITS)
    try:
        e.check_type_for_unit(type_code, unit)
    except InvalidInput as err:
        raise _fail("type", err.message) from None
    received_at = parse_moment(obj["received_at"], "received_at")
    if received_at < EARLIEST:
        raise _fail("received_at", "ligger före 2000-01-01")
    if now is not None and received_at > now + CLOCK_SLACK:
        raise _fail("received_at", "ligger i framtiden")

    patient = _obj(obj["patient"], "patient", ("name", "personnummer"), ("name", "personnummer"))
    patient_name = clean_line(_str(patient["name"], "patient.name", 1, NAME_MAX)).strip()
    if not patient_name:
        raise _fail("patient.name", "får inte vara tom")
    pnr = _str(patient["personnummer"], "patient.personnummer")
    why = personnummer.problem(pnr, now.astimezone(STOCKHOLM).date() if now is not None else None)
    if why:
        raise _fail("patient.personnummer", why)

    proxy_name = proxy_relation = None
    proxy = obj.get("submitted_by")
    if proxy is not None:
        proxy = _obj(proxy, "submitted_by", ("name", "relation"), ("name", "relation"))
        proxy_name = clean_line(_str(proxy["name"], "submitted_by.name", 1, NAME_MAX)).strip()
        proxy_relation = clean_line(_str(proxy["relation"], "submitted_by.relation", 1, 100)).strip()
        if not proxy_name or not proxy_relation:
            raise _fail("submitted_by", "namn och relation får inte vara tomma")

    subject = clean_line(_str(obj.get("subject", ""), "subject", 0, 300)).strip()
    message = clean(_str(obj["message"], "message", 1, 20000))
    if not message.strip():
        raise _fail("message", "meddelandet är tomt")
    contact = obj.get("contact_preference")
    if contact is not None or "contact_preference" in obj:
        contact = _enum(contact, "contact_preference", e.CONTACT_PREFERENCES)
    phone = None
    if "phone" in obj:
        phone = clean_line(_str(obj["phone"], "phone", 0, 40)).strip() or None
    urgent = _bool(obj["urgent"], "urgent") if "urgent" in obj else False

    return NewErrand(
        ref=ref,
        type=type_code,
        unit=unit,
        received_at=received_at,
        patient_name=patient_name,
        personnummer=personnummer.normalise(pnr),
        proxy_name=proxy_name,
        proxy_relation=proxy_relation,
        subject=subject,
        message=message,
        contact_preference=contact,
        phone=phone,
        urgent=urgent,
    )


@dataclass(frozen=True)
class StaffLine:
    """A staff line; fields the line leaves out are None and stay as stored (docs/routine.md 4.4)."""

    username: str
    name: str
    title: str
    roles: frozenset[str]
    email: str | None
    email_notify: bool | None
    medcontrol_responsible: bool | None
    active: bool | None


_STAFF_FIELDS = (
    "username",
    "name",
    "title",
    "roles",
    "email",
    "email_notify",
    "medcontrol_responsible",
    "active",
)


def staff_from_json(obj: Any) -> StaffLine:
    obj = _obj(obj, "", ("username", "name", "title", "roles"), _STAFF_FIELDS)
    username = _str(obj["username"], "username")
    if not _USERNAME.fullmatch(username) or username == roles.SYSTEM:
        raise _fail("username", "ska vara ett giltigt användarnamn (små bokstäver, siffror, _ . -)")
    name = clean_line(_str(obj["name"], "name", 1, NAME_MAX)).strip()
    if not name:
        raise _fail("name", "får inte vara tom")
    title = _enum(obj["title"], "title", roles.TITLES)
    role_list = obj["roles"]
    if not isinstance(role_list, list) or not role_list:
        raise _fail("roles", "ska vara en lista med minst en roll")
    for r in role_list:
        _enum(r, "roles", tuple(roles.ROLES))
    if len(set(role_list)) != len(role_list):
        raise _fail("roles", "en roll står flera gånger")
    email = None
    if "email" in obj:
        email = _str(obj["email"], "email")
        if not _EMAIL.fullmatch(email):
            raise _fail("email", "är ingen giltig e-postadress")
    return StaffLine(
        username=username,
        name=name,
        title=title,
        roles=frozenset(role_list),
        email=email,
        email_notify=_bool(obj["email_notify"], "email_notify") if "email_notify" in obj else None,
        medcontrol_responsible=(
            _bool(obj["medcontrol_responsible"], "medcontrol_responsible")
            if "medcontrol_responsible" in obj
            else None
        ),
        active=_bool(obj["active"], "active") if "active" in obj else None,
    )


@dataclass(frozen=True)
class PatientLine:
    """A care team line (R29): `fields` holds what the line names — a user name, or None to
    remove that member; a field the line leaves out stays as stored."""

    personnummer: str
    fields: dict[str, str | None]


def patient_from_json(obj: Any, now: dt.datetime | None = None) -> PatientLine:
    obj = _obj(obj, "", ("personnummer",), ("personnummer", "pal", "contact_nurse"))
    pnr = _str(obj["personnummer"], "personnummer")
    why = personnummer.problem(pnr, now.astimezone(STOCKHOLM).date() if now is not None else None)
    if why:
        raise _fail("personnummer", why)
    fields: dict[str, str | None] = {}
    for key in ("pal", "contact_nurse"):
        if key in obj:
            value = obj[key]
            if value is not None and (not isinstance(value, str) or not _USERNAME.fullmatch(value)):
                raise _fail(key, "ska vara ett användarnamn eller null")
            fields[key] = value
    if not fields:
        raise _fail("pal", "raden namnger varken pal eller contact_nurse")
    return PatientLine(personnummer.normalise(pnr), fields)


@dataclass(frozen=True)
class RosterLine:
    day: dt.date
    receiver: str
    doctors: tuple[str, ...] | None  # None: the line leaves the day's doctors as they are


@dataclass(frozen=True)
class AbsenceLine:
    username: str
    start: dt.date
    end: dt.date
    reason: str | None


def _day(value: Any, field: str) -> dt.date:
    day = parse_date(value, field)
    if not FIRST_DAY <= day <= LAST_DAY:
        raise _fail(field, f"ska ligga mellan {FIRST_DAY} och {LAST_DAY}")
    return day


def schedule_from_json(obj: Any) -> RosterLine | AbsenceLine:
    if not isinstance(obj, dict):
        raise _fail("", "ska vara ett JSON-objekt")
    if "absent" in obj:
        obj = _obj(obj, "", ("absent", "from", "to"), ("absent", "from", "to", "reason"))
        user = _str(obj["absent"], "absent", 1)
        start, end = _day(obj["from"], "from"), _day(obj["to"], "to")
        if end < start:
            raise _fail("to", "slutdatumet ligger före startdatumet")
        reason = clean_line(_str(obj["reason"], "reason", 0, 200)).strip() if "reason" in obj else None
        return AbsenceLine(user, start, end, reason or None)
    obj = _obj(obj, "", ("date", "receiver"), ("date", "receiver", "outpatient_doctors"))
    day = _day(obj["date"], "date")
    receiver = _str(obj["receiver"], "receiver", 1)
    doctors = None
    if "outpatient_doctors" in obj:
        if not isinstance(obj["outpatient_doctors"], list):
            raise _fail("outpatient_doctors", "ska vara en lista med användarnamn")
        doctors = tuple(_str(d, "outpatient_doctors", 1) for d in obj["outpatient_doctors"])
        if len(set(doctors)) != len(doctors):
            raise _fail("outpatient_doctors", "en läkare står flera gånger")
    return RosterLine(day, receiver, doctors)
