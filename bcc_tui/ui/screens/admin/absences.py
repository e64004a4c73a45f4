"""Absences (R4, R22): who is away and when; the suggestions and the roster follow."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bcc_tui.domain.errors import InvalidInput
from bcc_tui.domain.validation import parse_date
from bcc_tui.services import people
from bcc_tui.services.people import Absence
from bcc_tui.ui import render
from bcc_tui.ui.screens.admin.tab import AdminTab, Staff, in_swedish
from bcc_tui.ui.screens.fields import Field, FieldsForm

_FIELDS = {"absent": "vem", "from": "från", "to": "till", "reason": "orsak"}


class AbsencesTab(AdminTab):
    KEY = "absences"
    TITLE = "Frånvaro"
    COLUMNS = (("Vem", 20), ("Från", 12), ("Till", 12), ("Orsak", 30))

    def __init__(self) -> None:
        super().__init__()
        self.absences: list[Absence] = []

    def fill(self, staff: Staff) -> None:
        super().fill(staff)
        self.absences = people.absences(self.ctx, self.ctx.today() - dt.timedelta(days=7))
        self.draw(
            (
                str(a.id),
                render.row(
                    staff.names.get(a.username, a.username),
                    a.start.isoformat(),
                    a.end.isoformat(),
                    a.reason or "",
                ),
            )
            for a in self.absences
        )

    def edit(self, key: str | None) -> None:
        """The absence under the cursor, to change (e: its end moved, say), or a new one (n). e
        opened an empty new one, titled "ny", whatever row was chosen."""
        people_options = [(s.name, s.username) for s in self.staff.active()]
        today = self.ctx.today().isoformat()
        chosen = next((a for a in self.absences if key is not None and str(a.id) == key), None)

        def submit(v: dict[str, Any]) -> str:
            if not v["who"]:
                raise InvalidInput("välj vem som är frånvarande")
            start, end = parse_date(v["start"].strip(), "från"), parse_date(v["end"].strip(), "till")
            replacing = chosen.id if chosen is not None else None
            try:
                people.add_absence(self.ctx, v["who"], start, end, v["reason"].strip() or None, replacing)
            except InvalidInput as err:  # "to: slutdatumet ligger före …" was shown as it was
                raise InvalidInput(in_swedish(err.message, _FIELDS)) from None
            return "Frånvaron ändrad" if chosen is not None else "Frånvaron sparad"

        self.open_form(
            FieldsForm(
                "Frånvaro",
                "ändra" if chosen is not None else "ny",
                [
                    Field("who", "Vem", chosen.username if chosen else None, "select", people_options),
                    Field(
                        "start", "Från och med (ÅÅÅÅ-MM-DD)", chosen.start.isoformat() if chosen else today
                    ),
                    Field("end", "Till och med (ÅÅÅÅ-MM-DD)", chosen.end.isoformat() if chosen else today),
                    Field("reason", "Orsak (valfri)", (chosen.reason or "") if chosen else ""),
                ],
                submit,
            )
        )

    def retire(self, key: str | None) -> bool:
        if not key:
            return False
        people.remove_absence(self.ctx, int(key))
        self.app.notify("Frånvaron borttagen", markup=False)
        return True
