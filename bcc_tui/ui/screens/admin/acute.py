"""R11 acute signs: the rule set's settings, one row each — the fever threshold, each category's
own words, the exception phrases and the advice to the family. A change screens the open errands
again in a thread of its own (100,000 of them take seconds), in short transactions."""

from __future__ import annotations

from typing import Any

from bcc_tui.domain import acute
from bcc_tui.domain.text import clean_line, count
from bcc_tui.services import acute as acute_settings
from bcc_tui.ui import render
from bcc_tui.ui.screens.admin.tab import AdminTab, Staff
from bcc_tui.ui.screens.fields import Field, FieldsForm

THRESHOLD, EXCEPTIONS, ADVICE = "threshold", "exceptions", "advice"
ROOM = 30  # characters of a list in its cell; the form shows it whole


def listed(items: tuple[str, ...] | list[str]) -> str:
    """A list cut between its items, never inside one: "kramp i vaden, kramp i benen … (+10)"."""
    shown: list[str] = []
    for n, item in enumerate(items):
        rest = len(items) - n - 1
        tail = f" … (+{rest})" if rest else ""
        if shown and len(", ".join([*shown, item]) + tail) > ROOM:
            return ", ".join(shown) + f" … (+{len(items) - n})"
        shown.append(item)
    return ", ".join(shown) or "–"


class AcuteTab(AdminTab):
    KEY = "acute"
    TITLE = "Akuta tecken"
    COLUMNS = (("Vad", 16), ("Inbyggt", 44), ("Egna ord och fraser", 30))

    def __init__(self) -> None:
        super().__init__()
        self.now = acute_settings.Settings(acute.DEFAULT_RULES, acute_settings.Advice(False, ""))

    def fill(self, staff: Staff) -> None:
        super().fill(staff)
        self.now = acute_settings.settings_now(self.ctx)
        rules, advice = self.now.rules, self.now.advice
        rows = [
            (
                THRESHOLD,
                render.row(
                    "Febergräns",
                    "temperatur som räknas som feber",
                    f"{rules.threshold:.1f} °C".replace(".", ","),
                ),
            )
        ]
        for cat in acute.CATEGORIES:
            own = rules.words.get(cat.code, ())
            rows.append(
                (cat.code, render.row(cat.label, acute.built_in(cat.code, rules.threshold), listed(own)))
            )
        rows.append(
            (
                EXCEPTIONS,
                render.row("Undantag", "fraser som aldrig är tecken", listed(rules.exceptions)),
            )
        )
        rows.append(
            (
                ADVICE,
                render.row(
                    "Råd till familjen",
                    "delsvar vid inläsning när tecken hittas",
                    ("på: " if advice.enabled else "av")
                    + (f"{clean_line(advice.text)}" if advice.enabled else ""),
                ),
            )
        )
        self.draw(rows)

    def edit(self, key: str | None) -> None:
        key = key or self.current_key()
        rules, advice = self.now.rules, self.now.advice
        if key == THRESHOLD:
            field = Field("value", "Febergräns i °C (37,0–40,0)", f"{rules.threshold:.1f}".replace(".", ","))
            self._ask("Febergräns", [field], lambda v: {"threshold": v["value"]})
        elif key == EXCEPTIONS:
            field = Field("value", "Undantag (kommaseparerade fraser)", ", ".join(rules.exceptions), "area")
            self._ask("Undantag", [field], lambda v: {"exceptions": v["value"].split(",")})
        elif key == ADVICE:
            self._advice(advice)
        elif key in acute.BY_CODE:
            cat = acute.BY_CODE[key]
            field = Field(
                "value",
                "Egna ord och fraser, kommaseparerade (* sist = valfri ändelse)",
                ", ".join(rules.words.get(key, ())),
                "area",
            )
            self._ask(cat.label, [field], lambda v: {"words": {key: v["value"].split(",")}})

    def _ask(self, title: str, fields: list[Field], to_args: Any) -> None:
        def submit(v: dict[str, Any]) -> str:
            acute_settings.set_rules(self.ctx, **to_args(v), screen_open=False)
            self.carry(
                self.ctx,
                acute_settings.rescreen,
                lambda n: (
                    f"Akuta tecken omprövade: {count(n, 'öppet ärende', 'öppna ärenden')} fick nya flaggor"
                ),
            )
            return "Sparat; öppna ärenden prövas om"

        self.open_form(FieldsForm("Akuta tecken", title, fields, submit))

    def _advice(self, advice: acute_settings.Advice) -> None:
        def submit(v: dict[str, Any]) -> str:
            now = acute_settings.set_advice(self.ctx, enabled=bool(v["on"]), text=v["text"])
            return f"Rådet till familjen är {'på' if now.enabled else 'av'}"

        self.open_form(
            FieldsForm(
                "Akuta tecken",
                "råd till familjen",
                [
                    Field(
                        "on",
                        "Skicka rådet som delsvar när ett nytt ärende har akuta tecken",
                        advice.enabled,
                        "check",
                    ),
                    Field("text", "Rådets text (t.ex. vem familjen ska ringa nu)", advice.text, "area"),
                ],
                submit,
            )
        )
