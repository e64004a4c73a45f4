"""The administrator's screen (R1, R14, R17, docs/routine.md 4.4): one tab per thing kept, each its own widget
(errand types, templates, staff, the roster, absences, the acute signs, the clinic's information,
the deviation register). Every change
goes through the services (and the audit log)."""

from __future__ import annotations

import datetime as dt

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, TabbedContent

from bcc_tui.domain import routine
from bcc_tui.domain.errors import BccError
from bcc_tui.services import clinic, people
from bcc_tui.services.context import Ctx
from bcc_tui.ui.screens.admin.absences import AbsencesTab
from bcc_tui.ui.screens.admin.acute import AcuteTab
from bcc_tui.ui.screens.admin.care_teams import CareTeamsTab
from bcc_tui.ui.screens.admin.deviations import DeviationsTab
from bcc_tui.ui.screens.admin.errand_types import TypesTab
from bcc_tui.ui.screens.admin.info import InfoTab
from bcc_tui.ui.screens.admin.keys import AdminHelpScreen
from bcc_tui.ui.screens.admin.roster import RosterTab
from bcc_tui.ui.screens.admin.staff import StaffTab
from bcc_tui.ui.screens.admin.tab import AdminTab, Staff
from bcc_tui.ui.screens.admin.templates import TemplatesTab
from bcc_tui.ui.typed import BccScreen, FollowsChanges
from bcc_tui.ui.widgets.footer import KeyFooter
from bcc_tui.ui.widgets.header import HeaderBar

TAB_CLASSES: tuple[type[AdminTab], ...] = (
    TypesTab,
    TemplatesTab,
    StaffTab,
    RosterTab,
    AbsencesTab,
    AcuteTab,
    CareTeamsTab,
    InfoTab,
    DeviationsTab,
)
TABS = [(tab.KEY, tab.TITLE) for tab in TAB_CLASSES]
# The tab bar's whole width with every name (a tab has one cell of padding each side): 98 cells.
# Narrower, the bar is in its fixed short form (`tab_labels`) rather than scrolled, where it cut a
# name at either edge ("Akuta teck", "onal").
TABS_WIDE = sum(Content(title).cell_length + 2 for _, title in TABS)


def tab_labels(width: int, active: str) -> list[str]:
    """The tab bar in `width` cells: every name, or, where they do not all fit, each tab's number
    key (1–9, which help names) and the name of the tab on show after its number."""
    if width >= TABS_WIDE:
        return [title for _, title in TABS]
    return [f"{i} {title}" if key == active else str(i) for i, (key, title) in enumerate(TABS, 1)]


ROOT_HINT = "Det här är din startsida; q avslutar."


class AdminScreen(BccScreen[None], FollowsChanges):
    BINDINGS = [
        Binding("e", "edit", "Ändra", id="admin_edit"),
        Binding("n", "new", "Ny", id="admin_new"),
        Binding("d", "remove", "Ta bort/avveckla", id="admin_remove"),
        Binding("escape", "back", "Tillbaka", id="admin_back"),
        # On the person's first screen esc leads nowhere, so the footer leaves it out; the key still
        # says how to leave (Textual tries the next binding of a key whose action is not allowed).
        Binding("escape", "root_hint", show=False, id="admin_root_hint"),
        Binding("right_square_bracket", "step_tab(1)", "Byt flik", key_display="[ ]", id="admin_next_tab"),
        Binding("left_square_bracket", "step_tab(-1)", "Föregående flik", show=False),
        *(Binding(str(i), f"show_tab({i})", show=False) for i in range(1, len(TAB_CLASSES) + 1)),
        # The app's help, with this screen's own keys at the top.
        Binding("question_mark", "admin_help", "Hjälp", id="admin_help"),
    ]

    def compose(self) -> ComposeResult:
        yield HeaderBar(self.app.ctx.actor, id="header")
        with TabbedContent(id="admin-tabs"):
            for tab in TAB_CLASSES:
                yield tab()
        yield KeyFooter()

    def on_mount(self) -> None:
        header = self.query_one(HeaderBar)
        header.set_time(self.app.ctx.now())
        self.reload()
        header.set_roster(self.query_one(RosterTab).days[0], self.names)
        self._notice()
        self.query_one("#t-types", DataTable).focus()
        self._label_tabs()
        # The routine's own validity: from 60 days before it expires the administrator is told.
        warning = routine.warning(self.ctx.today())
        if warning:
            self.app.notify(warning, title="Rutinen", severity="warning", timeout=20, markup=False)

    def tick(self, now: dt.datetime) -> None:
        self.query_one(HeaderBar).set_time(now)

    def follow(self) -> None:
        """Another person's change (an absence, the roster, a notice), or midnight: the tabs and the
        header read again (R31)."""
        self.reload()
        header = self.query_one(HeaderBar)
        header.set_roster(self.query_one(RosterTab).days[0], self.names)
        self._notice()
        header.set_time(self.app.ctx.now())

    def _notice(self) -> None:
        """R17: the notice in the header; the app says it in a toast only when it changed."""
        notice = clinic.notice_now(self.ctx)
        self.query_one(HeaderBar).set_notice(notice)
        self.app.notice_seen(notice)

    @property
    def ctx(self) -> Ctx:
        return self.app.ctx

    @property
    def tab(self) -> AdminTab:
        """The tab on show."""
        pane = self.query_one(TabbedContent).active_pane
        assert isinstance(pane, AdminTab)  # every pane is one of TAB_CLASSES
        return pane

    def reload(self) -> None:
        staff = Staff(people.staff_list(self.ctx))
        self.names = staff.names
        for tab in self.query(AdminTab):
            tab.fill(staff)

    def on_resize(self, _event: events.Resize) -> None:
        for tab in self.query(AdminTab):
            if tab.rows:
                tab.redraw()
        self._label_tabs()

    def _label_tabs(self) -> None:
        tabbed = self.query_one(TabbedContent)
        active = self.tab.KEY
        for (key, _), label in zip(
            TABS, tab_labels(self.size.width or self.app.size.width, active), strict=True
        ):
            tab = tabbed.get_tab(f"tab-{key}")
            if tab.label.plain != label:
                tab.label = label

    def on_admin_tab_changed(self, _message: AdminTab.Changed) -> None:
        self.reload()
        self.app.request_reload()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._label_tabs()
        tables = event.pane.query(DataTable)
        if tables:
            tables.first().focus()

    # -- actions -----------------------------------------------------------------------------
    def action_step_tab(self, step: int) -> None:
        at = next(i for i, tab in enumerate(TAB_CLASSES) if isinstance(self.tab, tab))
        self.action_show_tab((at + step) % len(TAB_CLASSES) + 1)

    def action_show_tab(self, number: int) -> None:
        if 1 <= number <= len(TAB_CLASSES):
            self.query_one(TabbedContent).active = f"tab-{TAB_CLASSES[number - 1].KEY}"

    def action_admin_help(self) -> None:
        self.app.push_screen(AdminHelpScreen([title for _, title in TABS]))

    def action_edit(self) -> None:
        tab = self.tab
        tab.edit(tab.current_key())

    def action_new(self) -> None:
        self.tab.new()

    def action_remove(self) -> None:
        tab = self.tab
        try:
            changed = tab.retire(tab.current_key())
        except BccError as err:
            self.app.notify(str(err), severity="error", timeout=8, markup=False)
            return
        if changed:
            self.reload()
            self.app.request_reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The footer offers esc only where it leads somewhere (as on the audit log).
        return action != "back" or len(self.app.screen_stack) > 1

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_root_hint(self) -> None:
        self.app.notify(ROOT_HINT, markup=False)
