"""The administrator's screen: each tab its own widget, and forms that fit a small terminal."""

import pytest

from bcc_tui.services import people
from bcc_tui.services.clock import FixedClock
from bcc_tui.ui.textual_compat import notifications
from tests.conftest import NOW
from tests.ui.conftest import ctx_for, drive, prompts, settle, still
from tests.ui.test_snapshots import app_on


def tab_number(key: str) -> str:
    """The number key of an admin tab (1–9)."""
    from bcc_tui.ui.screens.admin import TABS

    return str([k for k, _ in TABS].index(key) + 1)


async def on_tab(pilot, key: str, *keys: str) -> None:
    """The admin screen settled, its tab `key` chosen by number, then `keys` pressed."""
    await settle(pilot)
    await pilot.press(tab_number(key), *keys)
    await settle(pilot)


@pytest.mark.parametrize(
    "tab, key", [("staff", "n"), ("templates", "n"), ("info", "n"), ("absences", "n"), ("types", "e")]
)
def test_a_refused_save_is_seen_at_80x24(demo_db, tab, key):
    """Issue 16: the reason a save was refused, and how to save, stay inside the terminal even
    when the form's fields do not fit (the staff form is taller than 24 rows)."""
    app = app_on(demo_db, "lenwal")

    async def scenario(pilot):
        pilot.app.screen.query_one("#admin-tabs").active = f"tab-{tab}"
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)
        form = pilot.app.screen
        for field in form.query("Input"):
            field.value = ""  # every text field emptied: each of these forms refuses that
        area = form.query("TextArea")
        if area:
            area.first().text = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = pilot.app.screen.region
        error = form.query_one("#form-error")
        hint = form.query_one(".form-hint")
        return (
            form is pilot.app.screen,
            str(error.render()),
            screen.contains_region(error.region) and error.region.height > 0,
            screen.contains_region(hint.region) and hint.region.height > 0,
        )

    still_open, error, error_shown, hint_shown = drive(app, scenario)
    assert still_open and error.strip(), error
    assert error_shown and hint_shown


def test_staff_form_refused_snapshot_at_80x24(snap_compare, demo_db):
    """Issue 16: a refused save of the staff form shows its reason and the ctrl+s hint at 80×24."""

    async def run(pilot):
        await settle(pilot)
        pilot.app.screen.query_one("#admin-tabs").active = "tab-staff"
        await settle(pilot)
        await pilot.press("n", "ctrl+s")
        await settle(pilot)
        still(pilot.app)
        await pilot.pause()

    assert snap_compare(app_on(demo_db, "lenwal"), terminal_size=(80, 24), run_before=run)


def _new_staff_by_keys(demo_db, roles_keys, title_downs=3, username="nyper"):
    """Add a person on the staff tab with the keyboard only: user name and name typed, the title
    picked from its list, the roles ticked with space; returns the form's error line (empty when
    it closed), whether that line was inside 80×24, and the stored row."""
    app = app_on(demo_db, "lenwal")

    async def scenario(pilot):
        pilot.app.screen.query_one("#admin-tabs").active = "tab-staff"
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = pilot.app.screen
        await pilot.press(*username, "tab", *"Ny Person", "tab")
        await pilot.press("enter", *(["down"] * title_downs), "enter", "tab")
        await settle(pilot)
        await pilot.press(*roles_keys, "ctrl+s")
        await settle(pilot)
        if form is not pilot.app.screen:
            return False, "", False
        error = form.query_one("#form-error")
        shown = pilot.app.screen.region.contains_region(error.region) and error.region.height > 0
        return True, str(error.render()), shown

    still_open, error, shown = drive(app, scenario)
    staff = people.staff_list(ctx_for(demo_db, "lenwal", FixedClock(NOW)))
    return still_open, error, shown, next((s for s in staff if s.username == username), None)


def test_staff_roles_and_title_are_picked_from_swedish_lists(demo_db):
    """Issue 16: the title is chosen from a list and the roles ticked in a list of Swedish names;
    what is stored is the codes."""
    # caregiver is ticked for a new person: space ticks ärendemottagare, ↓ space unticks vårdgivare
    still_open, error, _, row = _new_staff_by_keys(demo_db, ["space", "down", "space"])
    assert not still_open, error
    assert row is not None
    assert row.roles.split() == ["receiver"]
    assert row.title == "mottagningssjuksköterska"


def test_staff_without_a_role_is_refused_in_swedish_at_80x24(demo_db):
    still_open, error, shown, row = _new_staff_by_keys(demo_db, ["down", "space"])
    assert still_open and row is None
    assert error.startswith("roller: kryssa minst en (ärendemottagare, vårdgivare, administratör, granskare)")
    assert shown


def test_a_new_person_with_a_taken_user_name_is_refused_and_nobody_changes(demo_db):
    ctx = ctx_for(demo_db, "lenwal", FixedClock(NOW))
    before = next(s for s in people.staff_list(ctx) if s.username == "annlin")
    still_open, error, shown, row = _new_staff_by_keys(demo_db, ["space"], username="annlin")
    assert still_open and shown
    assert error.startswith("användarnamn: annlin finns redan (Anna Lindqvist)"), error
    assert row == before


def test_roster_doctors_are_chosen_by_name_and_ordered_by_keys(demo_db):
    """Issue 16: the day's doctors are picked among the active caregivers by name, and their
    order (the first is the top of the schedule) is set with ctrl+↑↓; user names are stored."""
    ctx = ctx_for(demo_db, "lenwal", FixedClock(NOW))
    before = people.roster_days(ctx, ctx.today(), 1)[0].doctors
    assert len(before) >= 2
    app = app_on(demo_db, "lenwal")

    async def scenario(pilot):
        pilot.app.screen.query_one("#admin-tabs").active = "tab-roster"
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        form = pilot.app.screen
        await pilot.press("tab")
        listed = form.query_one("#f-doctors")
        labels = prompts(listed)
        await pilot.press("down", "ctrl+up", "ctrl+s")
        await settle(pilot)
        return labels, form is pilot.app.screen

    labels, still_open = drive(app, scenario)
    names = {s.username: s.name for s in people.staff_list(ctx)}
    assert not still_open
    assert labels[0].startswith(names[before[0]]) and labels[1].startswith(names[before[1]])
    assert not any(u in label for label in labels for u in names if u not in names[u].lower())
    after = people.roster_days(ctx, ctx.today(), 1)[0].doctors
    assert after == (before[1], before[0], *before[2:])


def test_tabs_are_switched_by_number_and_brackets_and_help_lists_the_admin_keys(demo_db):
    """Issue 16: 1–6 and ] / [ switch tabs (the table of the new tab takes the keys); ? on the
    admin screen lists e, n, d and how to switch tabs."""
    import io

    from rich.console import Console
    from textual.widgets import DataTable

    app = app_on(demo_db, "lenwal")

    async def scenario(pilot):
        tabs = pilot.app.screen.query_one("#admin-tabs")
        seen = []
        for key in ("3", "]", "[", "[", "6", "]"):
            await pilot.press(key)
            await settle(pilot)
            focused = pilot.app.focused
            seen.append((tabs.active, focused.id if isinstance(focused, DataTable) else None))
        await pilot.press("?")
        await settle(pilot)
        console = Console(width=200, record=True, file=io.StringIO())
        console.print(pilot.app.screen.query_one("#admin-keys").content)
        return seen, console.export_text()

    seen, help_text = drive(app, scenario)
    assert seen == [
        ("tab-staff", "t-staff"),
        ("tab-roster", "t-roster"),
        ("tab-staff", "t-staff"),
        ("tab-templates", "t-templates"),
        ("tab-acute", "t-acute"),
        ("tab-care_teams", "t-care_teams"),
    ]
    for words in ("] / [", "1–9", "3: Personal", "e / enter", "ändra raden", "ny rad", "avveckla"):
        assert words in help_text, words


@pytest.mark.parametrize(
    "size, tab, whole",
    [
        ((200, 50), "staff", ["medicinsk sekreterare", "administratör, mottagare"]),
        ((120, 40), "staff", ["medicinsk sekreterare", "administratör, mottagare"]),
        ((120, 40), "types", ["öppenvård och slutenvård"]),
        ((80, 24), "roster", ["ons 25 nov (idag)"]),
    ],
)
def test_admin_columns_are_as_wide_as_their_text_where_there_is_room(demo_db, size, tab, whole):
    """Issue 16: `medicinsk sekr`, `öppenvård och slutenvå` and `tors 26 nov (ida` were cut with
    room to spare; a row's first column is never cut."""
    app = app_on(demo_db, "lenwal")

    async def scenario(pilot):
        pilot.app.screen.query_one("#admin-tabs").active = f"tab-{tab}"
        await settle(pilot)
        table = pilot.app.screen.tab.table
        shown = []
        for row in range(table.row_count):
            for col, column in enumerate(table.columns.values()):
                text = str(table.get_cell_at((row, col)))
                shown.append(text if len(text) <= column.width else text[: column.width])
        return shown

    shown = drive(app, scenario, size=size)
    for text in whole:
        assert text in shown, (text, [s for s in shown if s[:6] == text[:6]])


def test_an_unticked_role_shows_an_empty_box_not_only_another_colour(demo_db):
    app = app_on(demo_db, "lenwal")

    async def scenario(pilot):
        pilot.app.screen.query_one("#admin-tabs").active = "tab-staff"
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        listed = pilot.app.screen.query_one("#f-roles")
        roles = [listed.render_line(i).text for i in range(listed.option_count)]
        # The boxes to tick ("Aktiv", "Vill ha e-postavisering") showed "X" ticked or not, in
        # another colour; space turns one and its box says so.
        boxes = {box.id: str(box.render())[:3] for box in pilot.app.screen.query("SpaceCheckbox")}
        pilot.app.screen.query_one("#f-email_notify").focus()
        await pilot.press("space")
        await settle(pilot)
        return roles, boxes, str(pilot.app.screen.query_one("#f-email_notify").render())[:3]

    lines, boxes, turned = drive(app, scenario)
    assert ["X" in line for line in lines] == [False, True, False, False], lines
    assert "vårdgivare" in lines[1]
    assert boxes == {"f-email_notify": "▐ ▌", "f-medcontrol": "▐ ▌", "f-active": "▐X▌"}, boxes
    assert turned == "▐X▌"


def test_the_acute_tab_changes_the_threshold_and_screens_the_open_errands_in_a_thread(demo_db):
    """R11: the administrator's Akuta tecken tab: enter on the threshold's row, a new value, ctrl+s;
    a refused value keeps the form open with the reason; the open errands are screened again
    off the screen's thread and a toast says how many changed."""
    from bcc_tui.services import acute

    app = app_on(demo_db, "lenwal")

    async def scenario(pilot):
        pilot.app.screen.query_one("#admin-tabs").active = "tab-acute"
        await settle(pilot)
        table = pilot.app.screen.query_one("#t-acute")
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("enter")
        await settle(pilot)
        form = pilot.app.screen
        form.query_one("Input").value = "45"
        await pilot.press("ctrl+s")
        await settle(pilot)
        refused = str(form.query_one("#form-error").render())
        form.query_one("Input").value = "38,5"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        fever = pilot.app.screen.query_one("#t-acute").get_row("fever")
        return refused, [str(n.message) for n in notifications(pilot.app)], str(fever[1])

    refused, toasts, fever = drive(app, scenario, size=(120, 40))
    assert "febergränsen ska ligga mellan 37,0 och 40,0 °C" in refused
    assert fever.startswith("38,5 °C eller mer"), fever  # the fever row said 38,0 still
    assert any(t.startswith("Akuta tecken omprövade:") for t in toasts), toasts
    assert acute.settings_now(ctx_for(demo_db, "lenwal", FixedClock(NOW))).rules.threshold == 38.5


def test_the_care_teams_tab_adds_a_team_and_reads_it_again_unaudited(demo_db):
    """R29: the administrator's Vårdteam tab; the list is logged once, not on every refresh."""
    app = app_on(demo_db, "lenwal")

    async def scenario(pilot):
        pilot.app.screen.query_one("#admin-tabs").active = "tab-care_teams"
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = pilot.app.screen
        form.query_one("#f-pnr").value = "20110912-6233"
        form.query_one("#f-pal").value = "johwes"
        await pilot.press("ctrl+s")
        await settle(pilot)
        table = pilot.app.screen.query_one("#t-care_teams")
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        return next(r for r in rows if r[0] == "20110912-6233")

    row = drive(app, scenario, size=(120, 40))
    assert row[1] == "Johanna Westin"
    lists = demo_db.conn.execute("SELECT count(*) FROM audit WHERE detail = 'vårdteam'").fetchone()[0]
    assert lists == 1


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (120, 40)], ids=["60x20", "80x24", "120x40"])
def test_the_tab_bar_is_whole_or_in_its_short_form(demo_db, size):
    """Issue 29: at 60 and 80 columns the tab bar scrolled and cut a name at its edge ("Akuta
    teck", "onal"). Where the nine names do not fit, each tab is its number key and the tab on
    show its number and name; where they fit, every name is whole."""
    from textual.widgets import Tabs

    app = app_on(demo_db, "lenwal")

    def bar():
        tabs = pilot_app.screen.query_one("#admin-tabs").query_one(Tabs)
        labels = [str(tab.label) for tab in tabs.query("Tab")]
        right = max(tab.region.right for tab in tabs.query("Tab"))
        return labels, right <= tabs.region.right

    async def scenario(pilot):
        nonlocal pilot_app
        pilot_app = pilot.app
        await settle(pilot)
        first = bar()
        await pilot.press("6")
        await settle(pilot)
        return first, bar()

    pilot_app = None
    first, sixth = drive(app, scenario, size=size)
    names = ["Ärendetyper", "Mallar", "Personal", "Schema", "Frånvaro", "Akuta tecken", "Vårdteam"]
    names += ["Information", "Avvikelser"]
    if size[0] >= 120:
        assert first == (names, True) and sixth == (names, True)
    else:
        assert first == (["1 Ärendetyper", *"23456789"], True)
        assert sixth == (["1", "2", "3", "4", "5", "6 Akuta tecken", "7", "8", "9"], True)


def test_e_on_an_absence_changes_that_absence(demo_db):
    """e on the absences' tab opened an empty form titled "ny", whatever row was chosen: a sick
    leave moved on was added as a second absence. Now the form holds the chosen one, and saving
    changes it (one row, in one transaction)."""
    number = tab_number("absences")
    app = app_on(demo_db, "lenwal")
    before = demo_db.conn.execute("SELECT id, username, start, end FROM absences ORDER BY id").fetchall()

    async def scenario(pilot):
        await settle(pilot)
        await pilot.press(number)
        await settle(pilot)
        chosen = app.screen.query_one("#t-absences").coordinate_to_cell_key((0, 0)).row_key.value
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        title = str(form.query_one(".form-title").render())
        end = form.query_one("#f-end")
        end.value = "2027-01-31"
        await pilot.press("ctrl+s")
        await settle(pilot)
        return chosen, title, type(app.screen).__name__

    chosen, title, after = drive(app, scenario, size=(120, 40))
    rows = demo_db.conn.execute("SELECT id, username, start, end FROM absences ORDER BY id").fetchall()
    old = next(r for r in before if str(r[0]) == chosen)
    assert "ändra" in title and after == "AdminScreen"
    assert len(rows) == len(before)
    assert [tuple(r[1:]) for r in rows if r[1] == old[1] and r[2] == old[2]] == [
        (old[1], old[2], "2027-01-31")
    ]


def test_d_on_a_person_who_holds_open_errands_says_what_stays_with_them(demo_db):
    """Deactivating a doctor said only "avaktiverad", and his open errands, acute ones among them,
    stayed with him unmarked. The toast now says how many, and how many with acute signs, and
    that a receiver must reassign them."""

    holder, held, acute = demo_db.conn.execute(
        "SELECT assignee, count(*), sum(acute IS NOT NULL AND acute_handled_at IS NULL) FROM errands"
        " WHERE status = 'assigned' GROUP BY assignee ORDER BY 3 DESC, 2 DESC LIMIT 1"
    ).fetchone()
    name = demo_db.conn.execute("SELECT name FROM staff WHERE username = ?", (holder,)).fetchone()[0]
    app = app_on(demo_db, "lenwal")

    async def scenario(pilot):
        await on_tab(pilot, "staff")
        table = app.screen.query_one("#t-staff")
        table.move_cursor(row=table.get_row_index(holder))
        # One key had ended a doctor's access at once: now it asks, saying what they hold; esc
        # leaves them as they were, enter deactivates.
        await pilot.press("d")
        await settle(pilot)
        question = [str(w.render()) for w in app.screen.query("Static")]
        await pilot.press("escape")
        await settle(pilot)
        kept = demo_db.conn.execute("SELECT active FROM staff WHERE username = ?", (holder,)).fetchone()[0]
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        return question, kept, [(n.message, n.severity) for n in notifications(app)]

    question, kept, said = drive(app, scenario, size=(120, 40))
    assert kept == 1
    assert any(f"{held} öppna ärenden ({acute} med akuta tecken) ligger hos {name}" in q for q in question), (
        question
    )
    wanted = f"{name} avaktiverad. {held} öppna ärenden ({acute} med akuta tecken) ligger kvar hos {name}"
    assert any(m.startswith(wanted) and sev == "warning" for m, sev in said), said
    assert demo_db.conn.execute("SELECT active FROM staff WHERE username = ?", (holder,)).fetchone()[0] == 0


def test_esc_in_an_admin_form_with_changes_asks_before_it_throws_them_away(demo_db):
    """A new template typed whole was gone at esc without a word (R21). Now esc on a changed form
    asks: enter goes back to the text, s throws it away; a form left as it opened closes at once."""
    from bcc_tui.ui.screens.fields import FieldsForm
    from bcc_tui.ui.screens.forms import DiscardDialog

    app = app_on(demo_db, "lenwal")

    async def scenario(pilot):
        await on_tab(pilot, "templates", "n")
        untouched = type(app.screen).__name__
        await pilot.press("escape")
        await settle(pilot)
        closed = type(app.screen).__name__
        await pilot.press("n", *"Provsvar")
        await pilot.press("escape")
        await settle(pilot)
        asked = isinstance(app.screen, DiscardDialog)
        await pilot.press("enter")
        await settle(pilot)
        back = app.screen
        kept = isinstance(back, FieldsForm) and back.values()["name"] == "Provsvar"
        await pilot.press("escape", "s")
        await settle(pilot)
        return untouched, closed, asked, kept, type(app.screen).__name__

    untouched, closed, asked, kept, after = drive(app, scenario, size=(100, 30))
    assert (untouched, closed) == ("FieldsForm", "AdminScreen")
    assert asked and kept and after == "AdminScreen"


def test_d_on_a_tab_with_nothing_to_remove_says_so(demo_db):
    """d on the acute signs' tab did nothing and said nothing."""
    app = app_on(demo_db, "lenwal")

    async def scenario(pilot):
        await on_tab(pilot, "acute", "d")
        return [(n.message, n.severity) for n in notifications(app)]

    assert ("Akuta tecken: här tas inget bort", "error") in drive(app, scenario, size=(100, 30))


def test_help_and_the_palette_name_every_admin_tab():
    """Help said "ärendetyper, mallar, personal, schema, frånvaro, information": six of nine."""
    from bcc_tui.ui import actions
    from bcc_tui.ui.screens.admin import TABS

    admin = next(a for a in actions.ACTIONS if a.id == "admin")
    for _, title in TABS:
        assert title.lower() in (admin.help_text or "") and title.lower() in admin.help.lower(), title


@pytest.mark.parametrize(
    ("tab", "size", "kept"), [("deviations", (100, 30), "Status"), ("staff", (80, 24), "Aktiv")]
)
def test_a_narrow_screen_keeps_the_column_that_says_a_rows_state(demo_db, tab, size, kept):
    """At 100 columns the deviations lost their status (a row reported as MC-118 looked like an
    open one); at 80 the staff lost "Aktiv". Those stay; a column less needed gives way."""
    app = app_on(demo_db, "lenwal")

    async def scenario(pilot):
        await on_tab(pilot, tab)
        return [str(c.label) for c in app.screen.tab.table.columns.values()]

    shown = drive(app, scenario, size=size)
    assert kept in shown, shown


def test_an_absence_ending_before_it_starts_is_refused_in_swedish(demo_db):
    """The form said "to: slutdatumet ligger före startdatumet", the file's field name."""
    app = app_on(demo_db, "lenwal")

    async def scenario(pilot):
        await on_tab(pilot, "absences", "e")
        form = app.screen
        form.query_one("#f-end").value = "2000-01-01"
        await pilot.press("ctrl+s")
        await settle(pilot)
        return str(form.query_one("#form-error").render())

    said = drive(app, scenario, size=(120, 40))
    assert said.startswith("till: slutdatumet ligger före startdatumet"), said


def test_each_tabs_fit_order_names_every_column_once_its_first_first():
    """A column missing from FIT_ORDER would never be shown, whatever the width."""
    from bcc_tui.ui.screens.admin.screen import TAB_CLASSES

    for tab in TAB_CLASSES:
        if tab.FIT_ORDER is not None:
            assert tab.FIT_ORDER[0] == 0 and sorted(tab.FIT_ORDER) == list(range(len(tab.COLUMNS))), tab
