"""The administrator's screens (R1, R14, R17, §4.4): errand types, templates, staff, the roster,
absences, and the clinic's settings. Every change goes through the services (and the audit log)."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane

from bcc_tui.domain import errand as e
from bcc_tui.domain import roles
from bcc_tui.domain.business_days import WEEKDAYS, short_date
from bcc_tui.domain.errors import BccError, InvalidInput
from bcc_tui.domain.routing import TOP_DOCTOR
from bcc_tui.domain.templates import PLACEHOLDERS
from bcc_tui.domain.text import clean_line
from bcc_tui.domain.validation import parse_date
from bcc_tui.services import clinic, people
from bcc_tui.ui import render
from bcc_tui.ui.screens.fields import Field, FieldsForm
from bcc_tui.ui.typed import BccScreen
from bcc_tui.ui.widgets.header import HeaderBar

TABS = [
    ("types", "Ärendetyper"),
    ("templates", "Mallar"),
    ("staff", "Personal"),
    ("roster", "Schema"),
    ("absences", "Frånvaro"),
    ("info", "Information"),
]
ROSTER_DAYS = 21


def _yes(value) -> str:
    return "ja" if value else "–"


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
_ROLE_CODES = {**{name: code for code, name in roles.ROLES.items()}, "mottagare": roles.RECEIVER}


def _swedish_field(message: str) -> str:
    field, sep, rest = message.partition(":")
    return f"{_FIELD_NAMES[field]}:{rest}" if sep and field in _FIELD_NAMES else message


ROOT_HINT = "Det här är din startsida; q avslutar."


class AdminScreen(BccScreen[None]):
    BINDINGS = [
        Binding("e", "edit", "Ändra", id="admin_edit"),
        Binding("n", "new", "Ny", id="admin_new"),
        Binding("d", "remove", "Ta bort/avveckla", id="admin_remove"),
        Binding("escape", "back", "Tillbaka", id="admin_back"),
    ]

    def compose(self) -> ComposeResult:
        yield HeaderBar(self.app.ctx.actor, id="header")
        with TabbedContent(id="admin-tabs"):
            for key, title in TABS:
                with TabPane(title, id=f"tab-{key}"):
                    if key == "info":
                        yield Static(id="info-text", classes="admin-info")
                    else:
                        yield DataTable(id=f"t-{key}", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(HeaderBar).set_time(self.app.ctx.now())
        self.reload()
        self.query_one(HeaderBar).set_roster(self.days[0], self.names)
        self.query_one(HeaderBar).set_notice(clinic.notice_now(self.ctx))
        self.query_one("#t-types", DataTable).focus()

    def tick(self, now) -> None:
        self.query_one(HeaderBar).set_time(now)

    @property
    def ctx(self):
        return self.app.ctx

    @property
    def tab(self) -> str:
        return self.query_one(TabbedContent).active.removeprefix("tab-")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        tables = event.pane.query(DataTable)
        if tables:
            tables.first().focus()

    # -- loading -----------------------------------------------------------------------------
    def _table(self, key: str, columns: list[tuple[str, int]]) -> DataTable:
        table = self.query_one(f"#t-{key}", DataTable)
        keep = table.cursor_row
        table.clear(columns=True)
        for label, width in columns:
            table.add_column(label, width=width)
        table._keep = keep  # restored after the rows are in
        return table

    def _restore(self, table: DataTable) -> None:
        if table.row_count:
            table.move_cursor(row=min(getattr(table, "_keep", 0), table.row_count - 1), animate=False)

    def reload(self) -> None:
        ctx = self.ctx
        self.staff = people.staff_list(ctx)
        self.names = {s["username"]: s["name"] for s in self.staff}

        self.types = clinic.list_types(ctx)
        t = self._table(
            "types", [("Kod", 22), ("Namn", 24), ("Vardagar", 8), ("Förslag", 18), ("Enheter", 22)]
        )
        for ty in self.types:
            default = (
                "överst på schemat"
                if ty.default_assignee == TOP_DOCTOR
                else self.names.get(ty.default_assignee, ty.default_assignee)
                if ty.default_assignee
                else ("klagomålsregeln" if ty.code == e.COMPLAINT else "–")
            )
            t.add_row(
                *render.row(
                    ty.code,
                    ty.name,
                    str(ty.business_days),
                    default,
                    " och ".join(e.UNITS[u].lower() for u in ty.units),
                ),
                key=ty.code,
            )
        self._restore(t)

        self.templates = clinic.list_templates(ctx, active_only=False)
        t = self._table("templates", [("Namn", 22), ("Typ", 20), ("Aktiv", 5), ("Text", 50)])
        for tp in self.templates:
            t.add_row(
                *render.row(
                    tp.name, e.type_name(tp.type) if tp.type else "alla typer", _yes(tp.active), tp.body
                ),
                key=str(tp.id),
            )
        self._restore(t)

        t = self._table(
            "staff",
            [
                ("Användare", 10),
                ("Namn", 20),
                ("Titel", 14),
                ("Roller", 22),
                ("E-post", 26),
                ("Avis.", 5),
                ("MedC", 4),
                ("Aktiv", 5),
            ],
        )
        for s in self.staff:
            t.add_row(
                *render.row(
                    s["username"],
                    s["name"],
                    s["title"],
                    ", ".join(roles.ROLES.get(r, r) for r in s["roles"].split()),
                    s["email"] or "–",
                    _yes(s["email_notify"]),
                    _yes(s["medcontrol_responsible"]),
                    Text(_yes(s["active"]), style="" if s["active"] else "dim red"),
                ),
                key=s["username"],
            )
        self._restore(t)

        today = ctx.today()
        self.days = people.roster_days(ctx, today, ROSTER_DAYS)
        t = self._table(
            "roster",
            [("Datum", 16), ("Mottagare", 18), ("Öppenvårdens läkare i ordning", 44), ("Frånvarande", 24)],
        )
        for d in self.days:
            t.add_row(
                *render.row(
                    short_date(d.day) + (" (idag)" if d.day == today else ""),
                    self.names.get(d.receiver, d.receiver or "–"),
                    ", ".join(render.person_short(x, self.names) for x in d.doctors) or "–",
                    ", ".join(render.person_short(u, self.names) for u in sorted(d.absent)) or "",
                ),
                key=d.day.isoformat(),
            )
        self._restore(t)

        self.absence_rows = people.absences(ctx, today - dt.timedelta(days=7))
        t = self._table("absences", [("Vem", 20), ("Från", 12), ("Till", 12), ("Orsak", 30)])
        for a in self.absence_rows:
            t.add_row(
                *render.row(
                    self.names.get(a.username, a.username),
                    a.start.isoformat(),
                    a.end.isoformat(),
                    a.reason or "",
                ),
                key=str(a.id),
            )
        self._restore(t)

        notice = clinic.notice_now(ctx)
        with ctx.store.read() as conn:
            stems, fdays = clinic.acute_stems(conn), clinic.followup_days(conn)
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
        info.append("Akuta tecken\n", style="bold underline")
        info.append(clean_line(", ".join(stems)) + "\n")
        info.append(
            "Ordstammar; varje matchar början av ett ord: feb → feber, febern, febrig.\n", style="dim"
        )
        info.append("\nUppföljning efter delsvar\n", style="bold underline")
        info.append(f"{fdays} vardagar\n")
        info.append("n: ändra akuta ord och uppföljningstid\n", style="dim")
        self.query_one("#info-text", Static).update(info)

    # -- actions -----------------------------------------------------------------------------
    def _current_key(self) -> str | None:
        tables = self.query(f"#t-{self.tab}")
        if not tables:
            return None
        table = tables.first()
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _open(self, form: FieldsForm) -> None:
        def done(message) -> None:
            if message:
                self.app.notify(message)
                self.reload()
                self.app.request_reload()

        self.app.push_screen(form, done)

    def _caregiver_options(self) -> list[tuple[str, str]]:
        return [
            (f"{s['name']} ({s['title']})", s["username"])
            for s in self.staff
            if s["active"] and "caregiver" in s["roles"].split()
        ]

    def action_edit(self) -> None:
        getattr(self, f"_edit_{self.tab}")(self._current_key())

    def action_new(self) -> None:
        getattr(self, f"_edit_{self.tab}")(None if self.tab != "info" else "settings")

    def action_remove(self) -> None:
        key = self._current_key()
        try:
            if self.tab == "templates" and key:
                tp = next(t for t in self.templates if str(t.id) == key)
                clinic.retire_template(self.ctx, tp.name)
                self.app.notify(f"Mallen {tp.name} avvecklad")
            elif self.tab == "staff" and key:
                person = next(s for s in self.staff if s["username"] == key)
                people.set_active(self.ctx, key, not person["active"])
                self.app.notify(f"{person['name']} {'aktiverad' if not person['active'] else 'avaktiverad'}")
            elif self.tab == "absences" and key:
                people.remove_absence(self.ctx, int(key))
                self.app.notify("Frånvaron borttagen")
            elif self.tab == "info":
                clinic.clear_notice(self.ctx)
                self.app.notify("Driftinformationen borttagen")
            elif self.tab == "types":
                clinic.update_type(self.ctx, key, enabled=False)
            else:
                return
        except BccError as err:
            self.app.notify(str(err), severity="error", timeout=8)
            return
        self.reload()
        self.app.request_reload()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:  # this is the person's first screen: nothing behind it, so say how to leave
            self.app.notify(ROOT_HINT, markup=False)

    # -- forms -------------------------------------------------------------------------------
    def _edit_types(self, key: str | None) -> None:
        if key is None:
            self.app.notify(
                "Ärendetyperna är 1177:s basutbud; nya typer läggs inte till här.", severity="warning"
            )
            return
        ty = next(t for t in self.types if t.code == key)
        options = [("Överst på schemat", TOP_DOCTOR)] + self._caregiver_options()

        def submit(v: dict) -> str:
            days = v["days"].strip()
            if not (days.isascii() and days.isdigit()) or len(days) > 3:
                raise InvalidInput("antalet vardagar ska vara ett heltal")
            moved = clinic.update_type(
                self.ctx, key, name=v["name"], days=int(days), default_assignee=v["default"] or ""
            )
            return f"{v['name']} sparad" + (
                f"; {moved} öppna ärenden fick nytt förfallodatum" if moved else ""
            )

        fields = [
            Field("name", "Namn", ty.name),
            Field("days", "Vardagar till förfallodatum", str(ty.business_days)),
        ]
        if key != e.COMPLAINT:
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
            fields.append(Field("default", "Förslag (klagomål följer alltid R5)", None, "select", []))
        self._open(FieldsForm("Ärendetyp", key, fields, submit))

    def _edit_templates(self, key: str | None) -> None:
        tp = next((t for t in self.templates if str(t.id) == key), None)
        type_options = [(t.name, t.code) for t in e.TYPES.values()]
        hint = "Platshållare: " + ", ".join("{" + p + "}" for p in PLACEHOLDERS)

        def submit(v: dict) -> str:
            clinic.save_template(self.ctx, v["name"], v["body"], v["type"], template_id=tp.id if tp else None)
            return f"Mallen {v['name'].strip()} sparad"

        self._open(
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

    def _edit_staff(self, key: str | None) -> None:
        s = next((x for x in self.staff if x["username"] == key), None)

        def submit(v: dict) -> str:
            obj = {
                "username": (key or v["username"]).strip(),
                "name": v["name"],
                "title": v["title"] or "",
                "roles": [
                    _ROLE_CODES.get(r.strip().lower(), r.strip()) for r in v["roles"].split(",") if r.strip()
                ],
                "email": v["email"].strip() or None,
                "email_notify": v["email_notify"],
                "medcontrol_responsible": v["medcontrol"],
                "active": v["active"],
            }
            try:
                outcome = people.save_staff(self.ctx, obj)
            except InvalidInput as err:
                raise InvalidInput(_swedish_field(err.message)) from None
            return f"{obj['name']}: {'tillagd' if outcome == 'added' else 'sparad'}"

        fields = [] if s else [Field("username", "Användarnamn (datorkontot)", "")]
        fields += [
            Field("name", "Namn", s["name"] if s else ""),
            Field("title", "Titel", s["title"] if s else None, "select", [(t, t) for t in roles.TITLES]),
            Field(
                "roles",
                "Roller, kommaseparerade: " + ", ".join(roles.ROLES.values()),
                ", ".join(roles.ROLES.get(r, r) for r in s["roles"].split())
                if s
                else roles.ROLES[roles.CAREGIVER],
            ),
            Field("email", "E-post", (s["email"] or "") if s else ""),
            Field(
                "email_notify", "Vill ha e-postavisering", bool(s["email_notify"]) if s else False, "check"
            ),
            Field(
                "medcontrol",
                "Ansvarig för MedControl PRO (får klagomål, R5)",
                bool(s["medcontrol_responsible"]) if s else False,
                "check",
            ),
            Field(
                "active",
                "Aktiv (avaktiverad: ingen åtkomst, historiken finns kvar)",
                bool(s["active"]) if s else True,
                "check",
            ),
        ]
        self._open(FieldsForm("Personal", key or "ny", fields, submit))

    def _edit_roster(self, key: str | None) -> None:
        if key is None:
            key = self.ctx.today().isoformat()
        day = dt.date.fromisoformat(key)
        current = next((d for d in self.days if d.day == day), None)
        receivers = [
            (f"{s['name']}", s["username"])
            for s in self.staff
            if s["active"] and "receiver" in s["roles"].split()
        ]

        def submit(v: dict) -> str:
            if not v["receiver"]:
                raise InvalidInput("välj dagens ärendemottagare")
            doctors = tuple(x.strip() for x in v["doctors"].split(",") if x.strip())
            people.set_roster_day(self.ctx, day, v["receiver"], doctors)
            return f"Schemat för {short_date(day)} sparat"

        self._open(
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
                        "Öppenvårdens läkare i ordning (användarnamn, kommaseparerade; först = överst)",
                        ", ".join(current.doctors) if current else "",
                    ),
                ],
                submit,
            )
        )

    def _edit_absences(self, key: str | None) -> None:
        people_options = [(s["name"], s["username"]) for s in self.staff if s["active"]]
        today = self.ctx.today().isoformat()

        def submit(v: dict) -> str:
            if not v["who"]:
                raise InvalidInput("välj vem som är frånvarande")
            start, end = parse_date(v["start"].strip(), "från"), parse_date(v["end"].strip(), "till")
            people.add_absence(self.ctx, v["who"], start, end, v["reason"].strip() or None)
            return "Frånvaron sparad"

        self._open(
            FieldsForm(
                "Frånvaro",
                "ny",
                [
                    Field("who", "Vem", None, "select", people_options),
                    Field("start", "Från och med (ÅÅÅÅ-MM-DD)", today),
                    Field("end", "Till och med (ÅÅÅÅ-MM-DD)", today),
                    Field("reason", "Orsak (valfri)", ""),
                ],
                submit,
            )
        )

    def _edit_info(self, key: str | None) -> None:
        if key == "settings":
            with self.ctx.store.read() as conn:
                stems, fdays = clinic.acute_stems(conn), clinic.followup_days(conn)

            def submit_settings(v: dict) -> str:
                if (
                    not (v["days"].strip().isascii() and v["days"].strip().isdigit())
                    or len(v["days"].strip()) > 3
                ):
                    raise InvalidInput("uppföljningen anges i hela vardagar")
                clinic.set_acute_stems(self.ctx, v["stems"].split(","))
                clinic.set_followup_days(self.ctx, int(v["days"]))
                return "Inställningarna sparade"

            self._open(
                FieldsForm(
                    "Inställningar",
                    "kliniken",
                    [
                        Field("stems", "Akuta ord (ordstammar, kommaseparerade)", ", ".join(stems), "area"),
                        Field("days", "Uppföljning efter delsvar, vardagar", str(fdays)),
                    ],
                    submit_settings,
                )
            )
            return

        def submit(v: dict) -> str:
            clinic.post_notice(self.ctx, v["text"], parse_date(v["until"].strip(), "till och med"))
            return "Driftinformationen är ute"

        week = (self.ctx.today() + dt.timedelta(days=7)).isoformat()
        self._open(
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
