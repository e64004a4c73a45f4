"""The roster (R4): the receiver and the outpatient doctors in order, day by day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bcc_tui.domain.business_days import WEEKDAYS, short_date
from bcc_tui.domain.errors import InvalidInput
from bcc_tui.services import people
from bcc_tui.services.people import Today
from bcc_tui.ui import render
from bcc_tui.ui.screens.admin.tab import AdminTab, Staff
from bcc_tui.ui.screens.fields import Field, FieldsForm

ROSTER_DAYS = 21


class RosterTab(AdminTab):
    KEY = "roster"
    TITLE = "Schema"
    COLUMNS = (("Datum", 18), ("Mottagare", 16), ("Öppenvårdens läkare i ordning", 40), ("Frånvarande", 20))

    def __init__(self) -> None:
        super().__init__()
        self.days: list[Today] = []

    def fill(self, staff: Staff) -> None:
        super().fill(staff)
        today = self.ctx.today()
        names = staff.names
        self.days = people.roster_days(self.ctx, today, ROSTER_DAYS)
        self.draw(
            (
                d.day.isoformat(),
                render.row(
                    short_date(d.day) + (" (idag)" if d.day == today else ""),
                    names.get(d.receiver, d.receiver) if d.receiver else "–",
                    ", ".join(render.person_short(x, names) for x in d.doctors) or "–",
                    ", ".join(render.person_short(u, names) for u in sorted(d.on_leave)) or "",
                ),
            )
            for d in self.days
        )

    def edit(self, key: str | None) -> None:
        day = dt.date.fromisoformat(key) if key is not None else self.ctx.today()
        current = next((d for d in self.days if d.day == day), None)
        receivers = [(f"{s.name}", s.username) for s in self.staff.active("receiver")]
        doctors = current.doctors if current else ()
        doctor_options = self.staff.caregiver_options()
        # Someone already on the day (since deactivated, say) stays listed, so that saving the
        # day does not quietly drop them; the service says whether they may stay.
        listed = {v for _, v in doctor_options}
        doctor_options += [(self.staff.names.get(u, u), u) for u in doctors if u not in listed]

        def submit(v: dict[str, Any]) -> str:
            if not v["receiver"]:
                raise InvalidInput("välj dagens ärendemottagare")
            people.set_roster_day(self.ctx, day, v["receiver"], tuple(v["doctors"]))
            return f"Schemat för {short_date(day)} sparat"

        self.open_form(
            FieldsForm(
                "Schema",
                f"{WEEKDAYS[day.weekday()]} {day.isoformat()}",
                [
                    Field(
                        "receiver",
                        "Ärendemottagare",
                        current.receiver if current else None,
                        "select",
                        receivers,
                    ),
                    Field(
                        "doctors",
                        "Läkare, först = överst (mellanslag: kryssa, ctrl+↑↓: flytta)",
                        list(doctors),
                        "ordered",
                        doctor_options,
                    ),
                ],
                submit,
            )
        )
