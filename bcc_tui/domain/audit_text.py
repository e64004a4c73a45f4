"""How the audit log reads to a person (R9, R15): the same Swedish words on the audit screen and
in `bcc-tui audit`, its CSV's label columns and any other place a row is shown. The log itself
keeps stable codes, which scripts filter on."""

from __future__ import annotations

import json
import re
from typing import Any

from bcc_tui.domain import deviations, roles, routing
from bcc_tui.domain import errand as e

OUTCOMES = roles.AUDIT_OUTCOMES

# What each action code reads as in a log's "Vad" column: short, past tense, one form on the audit
# screen, in `bcc-tui audit` and in its CSV (R32). A refusal is the same word with the outcome
# "nekad"; the refusal's own message uses the permission's words (roles.PERMISSIONS).
ACTIONS = {
    "view": "öppnade",
    "list": "listade",
    "search": "sökte",
    "import": "läste in",
    "staff_import": "läste in personal",
    "schedule_import": "läste in schema",
    "patients_import": "läste in vårdteam",
    "export": "exporterade",
    "outbound_export": "exporterade",
    "assign": "fördelade",
    "reassign": "omfördelade",
    "partial_reply": "delsvar",
    "reply": "besvarade",
    "close": "avslutade",
    "note": "antecknade",
    "urgent": "brådskande",
    "remind": "påminde",
    "remind_due": "påminde",
    "acute_handled": "akut hanterad",
    "admin_change": "ändrade inställning",
    "own_settings": "egna inställningar",
    "settings": "egna inställningar",
    "login": "loggade in",
    "audit": "läste loggen",
    "check": "kontrollerade",
    "backup": "säkerhetskopierade",
    "replicate": "replikerade",
    "restore": "återställde",
    "outbox": "läste e-postkön",
    "handover": "överlämning",
    "handover_note": "till nästa pass",
    "remark": "anmärkning",
    "care_team": "vårdteam",
    "draft": "utkast",
    "stats": "statistik",
    "deviations": "läste avvikelser",
    "deviation_decide": "avvikelse",
    "deviation_report": "rapporterade avvikelse",
    "deviation_dismiss": "avfärdade avvikelse",
    "baseline": "utgångsläge",
    "migrate": "uppgraderade",
}

# Some rows keep their details as JSON for scripts (a list, the log read, a handover): a person
# reads them in Swedish, in this order.
DETAIL_KEYS = {
    "act": "",  # the handover: its value says it ("lämnade över", "tog över")
    "view": "vy",
    "status": "ruta",
    "filter": "filter",
    "user": "användare",
    "from": "från",
    "to": "till",
    "items": "ärenden",
    "listed": "visade",  # the deviation register: the rows shown
    "open": "öppna",
    "done": "avklarade",
    "note": "anteckning",
    "rows": "rader",
    "limit": "högst",
    "offset": "från rad",
    "patient": "patient",
    "file": "fil",
    "replies": "svar",
    "consulted": "avstämt med",
    "on_behalf_of": "för",
    "documented": "dokumenterat i journalen",
    "errands": "ärenden",  # statistics: the errands counted
    "given": "lämnad över",
    # A type's change (services/clinic.update_type): "ärendetyp CODE: {…}".
    "name": "namn",
    "business_days": "vardagar",
    "default_assignee": "förslag",
    "receivers_answer": "besvaras av mottagare",
    # The deviation register's decisions: "deviation 26, kind acute_unhandled, medcontrol MC-118"
    # was shown as written.
    "deviation": "avvikelse",
    "kind": "slag",
    "medcontrol": "MedControl PRO",
    "reason": "orsak",
}
ACTS = {"give": "lämnade över", "take": "tog över"}
YES_NO_KEYS = {"receivers_answer"}  # kept as 0 or 1
_TYPE_CHANGE = re.compile(r"ärendetyp ([a-z_]+): (\{.*\})", re.S)
VIEWS = {"dashboard": "instrumentpanelen", "handover": "överlämningen"}
ROLE_NAMES = {**roles.ROLES, roles.SYSTEM: "systemet"}
_USER = re.compile(r"(?<![\w.@-])([a-z][a-z0-9._-]*)(?: \(([^()]*)\))?(?![\w@-])")


def _value(key: str, value: object, names: dict[str, str]) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, list):
        return ", ".join(_value(key, v, names) for v in value)
    if key in YES_NO_KEYS and value in (0, 1):
        return "ja" if value else "nej"
    text = str(value)
    if key == "act":
        return ACTS.get(text, text)
    if key == "default_assignee" and text == routing.TOP_DOCTOR:
        return routing.TOP_DOCTOR_RULE
    if key == "view":
        return VIEWS.get(text, text)
    if key == "status":
        return e.STATUS_NAMES.get(text, text)
    if key == "kind":
        return deviations.KINDS.get(text, text)
    return names.get(text, text)


def _words(data: dict[str, Any], names: dict[str, str]) -> str:
    known = [k for k in DETAIL_KEYS if data.get(k) is not None]
    other = [k for k in data if k not in DETAIL_KEYS and data[k] is not None]
    return ", ".join(
        " ".join(part for part in (DETAIL_KEYS.get(k, k), _value(k, data[k], names)) if part)
        for k in known + other
    )


def _object(text: str) -> dict[str, Any] | None:
    """The JSON object the program wrote, or None: a detail may also be a person's own words
    ('[[[[…' six thousand deep made the parser recurse out of its stack: a crash of `audit`)."""
    if not text.startswith("{"):
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def detail_text(detail: str | None, names: dict[str, str], outcome: str = "ok") -> str:
    """A row's details as a person reads them: JSON in Swedish words, user names as names
    ('från magfor till johwes (Johanna Westin)' → 'från Magnus Forsberg till Johanna Westin').
    A refusal's message quotes what was asked, as it was written: a name put in for a word there
    made the log say what did not happen (" annlin finns inte" read as Anna Lindqvist not being
    on the staff list; "Evil (root)" as "Evil (Evil)")."""
    if not detail:
        return ""
    data = _object(detail)
    if data is not None:
        return _words(data, names)
    change = _TYPE_CHANGE.fullmatch(detail)
    if change:
        fields = _object(change.group(2))
        if fields is not None:
            return f"ärendetyp {e.type_name(change.group(1))}: {_words(fields, names)}"

    if outcome != "ok":
        return detail

    def person(match: re.Match[str]) -> str:
        user, said = match.group(1), match.group(2)
        if user not in names:
            return match.group(0)
        return names[user] if said in (None, names[user]) else f"{names[user]} ({said})"

    return _USER.sub(person, detail)


def action_name(code: str) -> str:
    """What an action code reads as in the log (ACTIONS); a code of another version, as it is."""
    return ACTIONS.get(code) or roles.AUDIT_ACTIONS.get(code, code)


def outcome_name(code: str) -> str:
    return OUTCOMES.get(code, code)


def role_name(code: str) -> str:
    """A row's roles ('admin,receiver') as words ('administratör, ärendemottagare')."""
    return ", ".join(ROLE_NAMES.get(r, r) for r in code.split(",") if r)
