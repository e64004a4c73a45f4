"""The text of e-mail notices (R7, R16): the errand's reference, type and how to open it — and
nothing about the patient: no name, no personnummer, no message text."""

from __future__ import annotations

from dataclasses import dataclass

from bcc_tui.domain.errand import type_name

ASSIGNED, REMINDER = "assign", "remind"


@dataclass(frozen=True)
class Notice:
    subject: str
    body: str


def assignment(ref: str, type_code: str, reassigned: bool = False) -> Notice:
    verb = "omfördelats" if reassigned else "fördelats"
    return Notice(
        subject=f"1177-ärende {ref} har {verb} till dig",
        body=(
            f"Hej!\n\nEtt ärende i 1177 Vårdguidens e-tjänster har {verb} till dig.\n\n"
            f"Ärende: {ref}\nTyp: {type_name(type_code)}\n\n"
            f"Öppna det direkt i bcc-tui:\n\n    bcc-tui open {ref}\n\n"
            "Ärendet ska besvaras inom två vardagar, annars ska patienten få ett delsvar.\n\n"
            "Barncancercentrum · bcc-tui\n"
        ),
    )


def reminder(ref: str, type_code: str, countdown_text: str) -> Notice:
    return Notice(
        subject=f"Påminnelse: 1177-ärende {ref} ({countdown_text})",
        body=(
            f"Hej!\n\nÄrendemottagaren påminner om ett ärende som är fördelat till dig och "
            f"som snart ska vara besvarat ({countdown_text}).\n\n"
            f"Ärende: {ref}\nTyp: {type_name(type_code)}\n\n"
            f"Öppna det direkt i bcc-tui:\n\n    bcc-tui open {ref}\n\n"
            "Kan det inte besvaras i tid, skicka ett delsvar till patienten.\n\n"
            "Barncancercentrum · bcc-tui\n"
        ),
    )
