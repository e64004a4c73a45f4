"""The administrator's screen: each tab its own widget, and forms that fit a small terminal."""

import pytest

from tests.ui.conftest import drive, settle, still
from tests.ui.test_snapshots import app_on


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
