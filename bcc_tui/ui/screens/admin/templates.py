"""Reply templates (R17): written here, offered in the reply form, retired rather than deleted."""

from __future__ import annotations

from typing import Any

from bcc_tui.domain import errand as e
from bcc_tui.domain.templates import PLACEHOLDERS
from bcc_tui.services import clinic
from bcc_tui.services.clinic import Template
from bcc_tui.ui import render
from bcc_tui.ui.screens.admin.tab import AdminTab, Staff, yes
from bcc_tui.ui.screens.fields import Field, FieldsForm


class TemplatesTab(AdminTab):
    KEY = "templates"
    TITLE = "Mallar"
    COLUMNS = (("Namn", 22), ("Typ", 20), ("Aktiv", 5), ("Text", 50))

    def __init__(self) -> None:
        super().__init__()
        self.templates: list[Template] = []

    def fill(self, staff: Staff) -> None:
        super().fill(staff)
        self.templates = clinic.list_templates(self.ctx, active_only=False)
        self.draw(
            (
                str(tp.id),
                render.row(
                    tp.name, e.type_name(tp.type) if tp.type else "alla typer", yes(tp.active), tp.body
                ),
            )
            for tp in self.templates
        )

    def edit(self, key: str | None) -> None:
        tp = next((t for t in self.templates if str(t.id) == key), None)
        type_options = [(t.name, t.code) for t in e.TYPES.values()]
        hint = "Platshållare: " + ", ".join("{" + p + "}" for p in PLACEHOLDERS)

        def submit(v: dict[str, Any]) -> str:
            clinic.save_template(self.ctx, v["name"], v["body"], v["type"], template_id=tp.id if tp else None)
            return f"Mallen {v['name'].strip()} sparad"

        self.open_form(
            FieldsForm(
                "Mall",
                tp.name if tp else "ny",
                [
                    Field("name", "Namn", tp.name if tp else ""),
                    Field(
                        "type",
                        "Ärendetyp (inget = alla typer)",
                        tp.type if tp else None,
                        "select",
                        type_options,
                    ),
                    Field("body", hint, tp.body if tp else "Hej {förnamn}!\n\n", "area"),
                ],
                submit,
            )
        )

    def retire(self, key: str | None) -> bool:
        if not key:
            return False
        tp = next(t for t in self.templates if str(t.id) == key)
        clinic.retire_template(self.ctx, tp.name)
        self.app.notify(f"Mallen {tp.name} avvecklad", markup=False)
        return True
