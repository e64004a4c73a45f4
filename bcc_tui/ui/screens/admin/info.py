"""The clinic's information: the notice everyone sees at start (R17) and the follow-up time after
a partial reply (R19). The acute-sign rules have their own tab (acute.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from bcc_tui.domain.errors import InvalidInput
from bcc_tui.domain.text import clean_line, count
from bcc_tui.domain.validation import parse_date
from bcc_tui.services import clinic
from bcc_tui.ui.screens.admin.tab import AdminTab, Staff
from bcc_tui.ui.screens.fields import Field, FieldsForm


class InfoTab(AdminTab):
    """No table: e posts a notice, n changes the settings, d takes the notice down."""

    KEY = "info"
    TITLE = "Information"

    def compose(self) -> ComposeResult:
        yield Static(id="info-text", classes="admin-info")

    def current_key(self) -> str | None:
        return None

    def fill(self, staff: Staff) -> None:
        super().fill(staff)
        notice = clinic.notice_now(self.ctx)
        fdays = clinic.followup_days_now(self.ctx)
        info = Text()
        info.append("Driftinformation\n", style="bold underline")
        if notice:
            info.append(f"{clean_line(notice.text)}\n", style="bold black on yellow")
            info.append(
                f"Visas till och med {notice.until:%Y-%m-%d} · av {clean_line(notice.author)}\n", style="dim"
            )
        else:
            info.append("Ingen driftinformation just nu.\n", style="dim")
        info.append("e: lägg ut ny · d: ta bort\n\n", style="dim")
        info.append("Uppföljning efter delsvar\n", style="bold underline")
        info.append(f"{count(fdays, 'vardag', 'vardagar')}\n")
        info.append("n: ändra uppföljningstiden\n", style="dim")
        self.query_one("#info-text", Static).update(info)

    def edit(self, key: str | None) -> None:
        """A new notice for everyone."""

        def submit(v: dict[str, Any]) -> str:
            clinic.post_notice(self.ctx, v["text"], parse_date(v["until"].strip(), "till och med"))
            return "Driftinformationen är ute"

        week = (self.ctx.today() + dt.timedelta(days=7)).isoformat()
        self.open_form(
            FieldsForm(
                "Driftinformation",
                "till alla",
                [
                    Field("text", "Text (visas vid start och i sidhuvudet)", ""),
                    Field("until", "Visas till och med (ÅÅÅÅ-MM-DD)", week),
                ],
                submit,
            )
        )

    def new(self) -> None:
        """The follow-up time after a partial reply."""
        fdays = clinic.followup_days_now(self.ctx)

        def submit(v: dict[str, Any]) -> str:
            days = v["days"].strip()
            if not (days.isascii() and days.isdigit()) or len(days) > 3:
                raise InvalidInput("uppföljningen anges i hela vardagar")
            clinic.set_followup_days(self.ctx, int(v["days"]))
            return "Inställningarna sparade"

        self.open_form(
            FieldsForm(
                "Inställningar",
                "kliniken",
                [
                    Field("days", "Uppföljning efter delsvar, vardagar", str(fdays)),
                ],
                submit,
            )
        )

    def retire(self, key: str | None) -> bool:
        clinic.clear_notice(self.ctx)
        self.app.notify("Driftinformationen borttagen", markup=False)
        return True
