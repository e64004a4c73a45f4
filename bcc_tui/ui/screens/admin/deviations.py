"""The deviation register (issue 26, R8): one row per deviation found in the data; `e`/enter opens
a form with the draft for MedControl PRO in full, where the administrator marks it reported
(MedControl PRO's number) or dismissed (a reason). Detection runs each time the tab reads."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from bcc_tui.domain import errand as e
from bcc_tui.domain.errors import BccError, InvalidInput
from bcc_tui.domain.text import clean_line, count
from bcc_tui.services import deviations
from bcc_tui.ui import render
from bcc_tui.ui.screens.admin.tab import AdminTab, Staff
from bcc_tui.ui.screens.fields import Field, FieldsForm

STATUS_STYLE = {"open": "bold", "reported": "green", "dismissed": "dim"}
SHOWN = 500  # rows in the tab: a clinic fallen behind may hold 100,000 deviations


class DeviationsTab(AdminTab):
    KEY = "deviations"
    TITLE = "Avvikelser"
    # At 80 columns every column shows (Nr whole, the rest cut to their share); wider, whole.
    COLUMNS = (("Nr", 4), ("Avvikelse", 16), ("Ärende", 11), ("Typ", 10), ("När", 16), ("Status", 11))
    # The status before the type and the time: at 100 columns a row reported as MC-118 looked
    # exactly like an open one, and could be reported twice.
    FIT_ORDER = (0, 1, 2, 5, 4, 3)

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[str, deviations.Deviation] = {}
        self._read_once = False

    def fill(self, staff: Staff) -> None:
        super().fill(staff)
        # The first read is the administrator opening the register (audited, R15); the screen
        # reading again after a change is not a new look.
        try:
            rows = deviations.register(self.ctx, audited=not self._read_once, limit=SHOWN)
            held = deviations.total(self.ctx)[0] if len(rows) == SHOWN else len(rows)
        except BccError as err:
            self.app.notify(str(err), severity="error", markup=False)
            return
        if held > len(rows) and not self._read_once:
            self.app.notify(
                f"Fliken visar {len(rows)} av {count(held, 'avvikelse', 'avvikelser')}, de öppna och nyaste först; "
                "bcc-tui deviations --csv har alla.",
                markup=False,
                timeout=10,
            )
        self._read_once = True
        self.items = {str(d.id): d for d in rows}
        self.draw(
            (
                str(d.id),
                [
                    *render.row(str(d.id), d.kind_name, d.ref, e.type_name(d.type), d.when),
                    render.line_text(
                        f"{d.status_name} {d.medcontrol_number}" if d.medcontrol_number else d.status_name,
                        STATUS_STYLE.get(d.status, ""),
                    ),
                ],
            )
            for d in rows
        )

    def edit(self, key: str | None) -> None:
        d = self.items.get(key or self.current_key() or "")
        if d is None:
            return
        decision = d.decision()
        if decision is not None:
            self.app.notify(f"Avvikelse {d.id}: {decision}", markup=False, timeout=8)
            return

        def submit(v: dict[str, Any]) -> str:
            number, reason = v["medcontrol"].strip(), v["reason"].strip()
            if number and reason:
                raise InvalidInput("fyll i antingen numret i MedControl PRO eller en orsak, inte båda")
            if number:
                deviations.report(self.ctx, d.id, number)
                return f"Avvikelse {d.id} rapporterad i MedControl PRO som {clean_line(number)}"
            if reason:
                deviations.dismiss(self.ctx, d.id, reason)
                return f"Avvikelse {d.id} avfärdad"
            raise InvalidInput("fyll i numret i MedControl PRO (rapporterad) eller en orsak (avfärdad)")

        self.open_form(
            FieldsForm(
                "Avvikelse",
                f"{d.id} · {d.kind_name}",
                [
                    Field("medcontrol", "Rapporterad i MedControl PRO: avvikelsens nummer där", ""),
                    Field("reason", "… eller avfärdad: orsaken", ""),
                ],
                submit,
                context=Text.assemble(
                    ("Utkast till MedControl PRO\n", "bold underline"), render.safe(d.draft)
                ),
            )
        )

    def new(self) -> None:
        self.app.notify(
            "Avvikelser hittas i ärendenas data; de läggs inte till för hand.", markup=False, timeout=6
        )

    def retire(self, key: str | None) -> bool:
        self.app.notify(
            "En avvikelse tas inte bort: avfärda den med e och en orsak.", markup=False, timeout=6
        )
        return False
