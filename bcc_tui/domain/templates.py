"""Reply templates (mallar) with placeholders filled at use.

A placeholder is a name in braces, e.g. "Hej {förnamn}!"; "{{" and "}}" write a literal brace.
An unknown placeholder is refused when the template is saved, never discovered by a patient.
"""

from __future__ import annotations

import re

from bcc_tui.domain.errors import InvalidInput

PLACEHOLDERS = {
    "förnamn": "förnamnet på den som skrev (ombudet, om ett ombud skrev)",
    "patient": "patientens förnamn",
    "vårdgivare": "ditt namn",
    "titel": "din titel",
    "enhet": "enheten (Öppenvård/Slutenvård)",
    "datum": "dagens datum",
    "ärende": "ärendets referens",
}
_FIELD = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
MAX_NAME, MAX_BODY = 60, 5000


def _walk(body: str, values: dict[str, str] | None) -> str:
    out, pos = [], 0
    for m in _FIELD.finditer(body):
        out.append(body[pos : m.start()])
        token = m.group(0)
        if token in ("{{", "}}"):
            out.append(token[0])
        elif m.group(1) is None:
            raise InvalidInput(f"ensam klammer '{token}' i mallen; skriv {token * 2} för en klammer")
        else:
            name = m.group(1).strip()
            if name not in PLACEHOLDERS:
                known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
                raise InvalidInput(f"okänd platshållare {{{name}}} i mallen (kända: {known})")
            out.append(values[name] if values is not None else token)
        pos = m.end()
    out.append(body[pos:])
    return "".join(out)


def check(name: str, body: str) -> tuple[str, str]:
    """The cleaned name and body of a template about to be saved, or a refusal."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput("mallen behöver ett namn")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"mallens namn är för långt (högst {MAX_NAME} tecken)")
    body = (body or "").strip()
    if not body:
        raise InvalidInput("mallens text är tom")
    if len(body) > MAX_BODY:
        raise InvalidInput(f"mallens text är för lång (högst {MAX_BODY} tecken)")
    _walk(body, None)
    return name, body


def fill(body: str, values: dict[str, str]) -> str:
    return _walk(body, values)
