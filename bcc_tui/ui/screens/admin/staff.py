"""Staff (R1): who may do what, their e-mail and whether they still have access."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from bcc_tui.domain import roles
from bcc_tui.domain.errors import BccError, InvalidInput
from bcc_tui.services import people
from bcc_tui.services.people import StaffMember
from bcc_tui.ui import render
from bcc_tui.ui.screens.admin.tab import AdminTab, Staff, in_swedish, yes
from bcc_tui.ui.screens.fields import Field, FieldsForm
from bcc_tui.ui.screens.forms import ConfirmDialog

# The staff file's field names are a contract for scripts; a person in the form reads Swedish.
_FIELD_NAMES = {
    "username": "användarnamn",
    "name": "namn",
    "title": "titel",
    "roles": "roller",
    "email": "e-post",
    "email_notify": "e-postavisering",
    "medcontrol_responsible": "medicinskt ansvarig",
    "active": "aktiv",
}


# The form's lists hold no unknown value: a refused title or roles is one left out, said as such.
_LEFT_OUT = {
    "title": "titel: välj en i listan (enter öppnar den)",
    "roles": "roller: kryssa minst en (" + ", ".join(roles.ROLES.values()) + ")",
}


def _swedish_field(message: str, *, from_lists: bool = False) -> str:
    field = message.partition(":")[0]
    if from_lists and field in _LEFT_OUT:
        return _LEFT_OUT[field]
    return in_swedish(message, _FIELD_NAMES)


class StaffTab(AdminTab):
    KEY = "staff"
    TITLE = "Personal"
    COLUMNS = (
        ("Användare", 9),
        ("Namn", 16),
        ("Titel", 21),
        ("Roller", 24),
        ("E-post", 18),
        ("Avis.", 5),
        ("MedC", 4),
        ("Aktiv", 5),
    )
    # Whether a person still has access before their title and e-mail: at 80 columns "Aktiv" was
    # gone, and a deactivated person looked like the rest.
    FIT_ORDER = (0, 1, 7, 2, 3, 4, 5, 6)

    def fill(self, staff: Staff) -> None:
        super().fill(staff)
        self.draw(
            (
                s.username,
                render.row(
                    s.username,
                    s.name,
                    s.title,
                    ", ".join(roles.SHORT_ROLE_NAMES.get(r, r) for r in s.roles.split()),
                    s.email or "–",
                    yes(s.email_notify),
                    yes(s.medcontrol_responsible),
                    Text(yes(s.active), style="" if s.active else "dim red"),
                ),
            )
            for s in staff.rows
        )

    def edit(self, key: str | None) -> None:
        s = next((x for x in self.staff.rows if x.username == key), None)

        def submit(v: dict[str, Any]) -> str:
            obj = {
                "username": (key or v["username"]).strip(),
                "name": v["name"],
                "title": v["title"] or "",
                "roles": v["roles"],
                "email": v["email"].strip() or None,
                "email_notify": v["email_notify"],
                "medcontrol_responsible": v["medcontrol"],
                "active": v["active"],
            }
            try:
                outcome = people.save_staff(self.ctx, obj, new=key is None)
            except InvalidInput as err:
                raise InvalidInput(_swedish_field(err.message, from_lists=True)) from None
            said = f"{obj['name']}: {'tillagd' if outcome == 'added' else 'sparad'}"
            left = None if obj["active"] else people.left_with(self.ctx, obj["username"])
            return f"{said}. {left}" if left else said

        title = s.title if s else None
        # A title given before the list had it stays choosable for that person.
        titles = list(roles.TITLES) + ([title] if title and title not in roles.TITLES else [])
        fields = [] if s else [Field("username", "Användarnamn (datorkontot)", "")]
        fields += [
            Field("name", "Namn", s.name if s else ""),
            Field("title", "Titel (välj med enter, ↑↓)", title, "select", [(t, t) for t in titles]),
            Field(
                "roles",
                "Roller (mellanslag kryssar, ↑↓ flyttar)",
                s.roles.split() if s else [roles.CAREGIVER],
                "multi",
                [(name, code) for code, name in roles.ROLES.items()],
            ),
            Field("email", "E-post", (s.email or "") if s else ""),
            Field("email_notify", "Vill ha e-postavisering", bool(s.email_notify) if s else False, "check"),
            Field(
                "medcontrol",
                "Ansvarig för MedControl PRO (får klagomål som inte är brådskande)",
                bool(s.medcontrol_responsible) if s else False,
                "check",
            ),
            Field(
                "active",
                "Aktiv (avaktiverad: ingen åtkomst, historiken finns kvar)",
                bool(s.active) if s else True,
                "check",
            ),
        ]
        self.open_form(FieldsForm("Personal", key or "ny", fields, submit))

    def retire(self, key: str | None) -> bool:
        """d: deactivate, after a question that says what the person holds (one key had ended a
        doctor's access, with ten open errands, at once); on someone deactivated, bring back."""
        if not key:
            return False
        person = next(s for s in self.staff.rows if s.username == key)
        if not person.active:
            self._set_active(person, True)
            return True
        held = people.holding(self.ctx, key)

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:  # outside the screen's own handling of a refusal: said here (yourself, say)
                self._set_active(person, False)
            except BccError as err:
                self.app.notify(str(err), severity="error", timeout=8, markup=False)
                return
            self.post_message(self.Changed())

        self.app.push_screen(
            ConfirmDialog(
                f"Avaktivera {person.name}?",
                "Åtkomsten upphör; historiken finns kvar."
                + (f" {held} ligger hos {person.name} och behöver fördelas om." if held else ""),
                yes="Avaktivera",
            ),
            answered,
        )
        return False

    def _set_active(self, person: StaffMember, active: bool) -> None:
        people.set_active(self.ctx, person.username, active)
        said = f"{person.name} {'aktiverad' if active else 'avaktiverad'}"
        left = None if active else people.left_with(self.ctx, person.username)
        if left:
            self.app.notify(f"{said}. {left}", severity="warning", timeout=30, markup=False)
        else:
            self.app.notify(said, markup=False)
