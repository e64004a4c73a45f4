"""Finding 12: at 80×24 the assign form's absence warning is shown whole: the list gives up rows
so that the hint and the warning below it stay inside the form."""

from __future__ import annotations

from tests.ui.conftest import demo_receiver, drive, settle


def test_the_absence_warning_is_whole_at_80x24(demo_db, app_for):
    app = app_for(demo_db, demo_receiver(demo_db))

    async def scenario(pilot):
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        warning = form.query_one("#form-error")
        for _ in range(30):
            if "frånvarande" in str(warning.render()):
                break
            await pilot.press("down")
        await settle(pilot)
        box = form.query_one(".form")
        return str(warning.render()), warning.region, box.region, box.styles.border_bottom

    text, warning, box, _ = drive(app, scenario, size=(80, 24))
    assert "frånvarande idag" in text and "Överst på schemat" in text
    assert warning.height >= 2  # wrapped, not cut at the form's edge
    assert box.y <= warning.y and warning.bottom <= box.bottom - 1  # inside the form's border
