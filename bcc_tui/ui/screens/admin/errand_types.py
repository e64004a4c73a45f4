"""Errand types (R1, R14): names, business days to the due date and the suggested handler. A new
number of days moves the open errands' due dates in a thread of its own (100,000 of them take
seconds), in short transactions."""

from __future__ import annotations

from typing import Any

from bcc_tui.domain import errand as e
from bcc_tui.domain.errors import InvalidInput
from bcc_tui.domain.routing import COMPLAINT_RULE, TOP_DOCTOR, TOP_DOCTOR_RULE
from bcc_tui.domain.text import count
from bcc_tui.services import clinic
from bcc_tui.services.clinic import TypeInfo
from bcc_tui.ui import render
from bcc_tui.ui.screens.admin.tab import AdminTab, Staff
from bcc_tui.ui.screens.fields import Field, FieldsForm


class TypesTab(AdminTab):
    KEY = "types"
    TITLE = "Ärendetyper"
    COLUMNS = (
        ("Kod", 22),
        ("Namn", 24),
        ("Vardagar", 8),
        ("Förslag", 18),
        ("Mottagare", 9),
        ("Enheter", 22),
    )

    def __init__(self) -> None:
        super().__init__()
        self.types: list[TypeInfo] = []

    def fill(self, staff: Staff) -> None:
        super().fill(staff)
        self.types = clinic.list_types(self.ctx)
        names = staff.names
        rows = []
        for ty in self.types:
            default = (
                TOP_DOCTOR_RULE
                if ty.default_assignee == TOP_DOCTOR
                else names.get(ty.default_assignee, ty.default_assignee)
                if ty.default_assignee
                else (COMPLAINT_RULE if ty.code == e.COMPLAINT else "inget")
            )
            # "Besvaras av mottagare" (R29): the column reads "Mottagare: svarar".
            answered = (
                "svarar"
                if ty.receivers_answer
                else ("föreslås" if ty.code in e.RECEIVERS_ANSWER_SUGGESTED else "–")
            )
            cells = render.row(
                ty.code,
                ty.name,
                str(ty.business_days),
                default,
                answered,
                " och ".join(e.UNITS[u].lower() for u in ty.units),
            )
            rows.append((ty.code, cells))
        self.draw(rows)

    def edit(self, key: str | None) -> None:
        if key is None:
            self.app.notify(
                "Ärendetyperna är 1177:s basutbud; nya typer läggs inte till här.",
                severity="warning",
                markup=False,
            )
            return
        code = key
        ty = next(t for t in self.types if t.code == code)
        options = [
            (TOP_DOCTOR_RULE.capitalize() + " (överst på schemat först)", TOP_DOCTOR),
            *self.staff.caregiver_options(),
        ]

        def submit(v: dict[str, Any]) -> str:
            days = v["days"].strip()
            if not (days.isascii() and days.isdigit()) or len(days) > 3:
                raise InvalidInput("antalet vardagar ska vara ett heltal")
            clinic.update_type(
                self.ctx,
                code,
                name=v["name"],
                days=int(days),
                default_assignee=v["default"] or "",
                receivers_answer=bool(v["receivers"]) if code != e.COMPLAINT else None,
                follow=False,
            )
            if clinic.dues_stale(self.ctx):
                self.carry(
                    self.ctx,
                    clinic.redate,
                    lambda n: (
                        f"Förfallodatum omräknade: {count(n, 'öppet ärende', 'öppna ärenden')} "
                        "fick nytt förfallodatum"
                    ),
                )
                return f"{v['name']} sparad; de öppna ärendenas förfallodatum räknas om"
            return f"{v['name']} sparad"

        fields = [
            Field("name", "Namn", ty.name),
            Field("days", "Vardagar till förfallodatum", str(ty.business_days)),
        ]
        if code != e.COMPLAINT:
            fields.append(
                Field(
                    "default",
                    "Föreslagen handläggare när kontinuitet saknas",
                    ty.default_assignee,
                    "select",
                    options,
                )
            )
        else:
            fields.append(
                Field("default", f"Förslag (klagomål följer alltid {COMPLAINT_RULE})", None, "select", [])
            )
        if code != e.COMPLAINT:
            suggested = " (föreslås för denna typ)" if code in e.RECEIVERS_ANSWER_SUGGESTED else ""
            fields.append(
                Field(
                    "receivers",
                    f"Besvaras av mottagare: ärendemottagare svarar själva{suggested}",
                    ty.receivers_answer,
                    "check",
                )
            )
        self.open_form(FieldsForm("Ärendetyp", ty.name, fields, submit))

    def retire(self, key: str | None) -> bool:
        if key is None:
            return False
        clinic.update_type(self.ctx, key, enabled=False)
        return True
