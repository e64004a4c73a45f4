"""R29: the patients' care teams — the responsible doctor (PAL) and the contact nurse — for the
administrator: one row a patient (the first 500 by personnummer), `n` a new team, `e`/enter
changes the row's. Receivers set a team from an errand (`v`)."""

from __future__ import annotations

from typing import Any

from bcc_tui.services import patients
from bcc_tui.ui import render
from bcc_tui.ui.screens.admin.tab import AdminTab, Staff
from bcc_tui.ui.screens.fields import Field, FieldsForm


class CareTeamsTab(AdminTab):
    KEY = "care_teams"
    TITLE = "Vårdteam"
    COLUMNS = (("Personnummer", 14), ("PAL", 24), ("Kontaktsjuksköterska", 24), ("Ändrat", 16))

    _logged = False  # the first read of the list is the person's; later ones follow changes

    def fill(self, staff: Staff) -> None:
        super().fill(staff)
        rows, _total = patients.list_teams(self.ctx, audited=not self._logged)
        self._logged = True
        names = staff.names
        self.draw(
            (
                r.personnummer,
                render.row(
                    r.personnummer,
                    names.get(r.pal, r.pal) if r.pal else "–",
                    names.get(r.contact_nurse, r.contact_nurse) if r.contact_nurse else "–",
                    f"{render.short_moment(r.updated_at)} {names.get(r.updated_by, r.updated_by)}",
                ),
            )
            for r in rows
        )

    def edit(self, key: str | None) -> None:
        pnr = key
        doctors, nurses, team = patients.candidates(self.ctx, pnr)

        def submit(v: dict[str, Any]) -> str:
            who = (v.get("pnr") or pnr or "").strip()
            patients.set_team(self.ctx, who, pal=v["pal"] or None, contact_nurse=v["nurse"] or None)
            return f"Vårdteamet för {who} sparat"

        fields = [] if pnr else [Field("pnr", "Personnummer (ÅÅÅÅMMDD-NNNN)", "")]
        fields += [
            Field("pal", "Patientansvarig läkare (PAL)", team.pal if pnr else None, "select", doctors),
            Field("nurse", "Kontaktsjuksköterska", team.contact_nurse if pnr else None, "select", nurses),
        ]
        self.open_form(FieldsForm("Vårdteam", pnr or "ny patient", fields, submit))
