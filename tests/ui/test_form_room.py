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


def test_the_send_line_of_a_text_form_is_in_sight_at_60x20(demo_db, app_for):
    """R32: every form's foot says how to send it. At 60×20 the reply and partial-reply forms
    were taller than the screen and the line "ctrl+s: skicka …" was below its edge."""
    app = app_for(demo_db, demo_receiver(demo_db))

    async def scenario(pilot):
        await settle(pilot)
        await pilot.press("tab")  # Fördelade: an errand that can be answered
        await settle(pilot)
        seen = []
        for key in ("p", "r", "x", "n"):
            await pilot.press(key)
            await settle(pilot)
            form = app.screen
            assert form.query(".form-hint"), (key, type(form).__name__)
            hint = form.query_one(".form-hint")
            box = form.query_one(".form").region
            seen.append((key, str(hint.render()), hint.region, box))
            await pilot.press("escape")
            await settle(pilot)
        return seen

    for key, text, region, box in drive(app, scenario, size=(60, 20)):
        assert "ctrl+s" in text, (key, text)
        # Inside the form's border: a line below it is clipped, out of sight.
        assert region.height >= 1 and box.y < region.y and region.bottom <= box.bottom - 1, (key, region, box)


def test_the_send_line_stays_in_sight_under_a_caution_of_many_acute_signs_at_60x20(
    clinic, system, app_for, as_
):
    """The reply and close forms say first an errand's acute signs not yet handled and its holder
    (ui/runner.py, ending_caution): with four categories quoted, the caution took seven lines at
    60×20 and pushed the send line onto the form's border."""
    from bcc_tui.services import errands, intake
    from tests.conftest import errand_line, jsonl

    message = "Hon har feber 39,2, har kramper, andas tungt och blöder näsblod som inte slutar."
    intake.import_errands(system, jsonl(errand_line("1177-000077", message=message)))
    errands.assign(as_("rec2"), "1177-000077", "doc1")
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await settle(pilot)
        await pilot.press("tab")
        await settle(pilot)
        assert app.screen.focused_table.current_ref == "1177-000077"
        seen = []
        for key in ("r", "x"):
            await pilot.press(key)
            await settle(pilot)
            form = app.screen
            hint, box = form.query_one(".form-hint"), form.query_one(".form").region
            seen.append((key, str(form.query_one(".form-subtitle").render()), hint.region, box))
            await pilot.press("escape")
            await settle(pilot)
        return seen

    for key, caution, region, box in drive(app, scenario, size=(60, 20)):
        assert "Akuta tecken, inte hanterade (K): " in caution, (key, caution)
        assert box.y < region.y and region.bottom <= box.bottom - 1, (key, region, box)


def test_the_reassign_forms_foot_and_its_question_are_in_sight_at_60x20(demo_db, app_for):
    """At 60×20 the list of people filled the reassign form down to its border: its foot, and the
    question ctrl+a asks before moving all of a person's errands, were below it, out of sight."""
    app = app_for(demo_db, demo_receiver(demo_db))

    async def scenario(pilot):
        await settle(pilot)
        await pilot.press("tab", "a")  # Fördelade: reassign
        await settle(pilot)
        form = app.screen
        box = form.query_one(".form").region
        hint = form.query_one(".form-hint").region
        error = form.query_one("#form-error")
        for _ in range(4):  # someone in the list who is not the holder
            await pilot.press("down", "ctrl+a")
            await settle(pilot)
            if str(error.render()).startswith("Flytta "):
                break
        return box, hint, error.region, str(error.render())

    box, hint, question, text = drive(app, scenario, size=(60, 20))
    assert text.startswith("Flytta "), text
    for region in (hint, question):
        assert region.height >= 1 and box.y < region.y and region.bottom <= box.bottom - 1, (region, box)
