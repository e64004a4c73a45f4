"""Patient text is shown exactly as written: never markup, never escape sequences."""

import re

import pytest

from bcc_tui.services import intake
from tests.conftest import errand_line, jsonl
from tests.ui.conftest import drive, settle

# Patient text must draw as written: every frame is composed, as on a terminal (tests/ui/conftest.py).
pytestmark = pytest.mark.frames

HOSTILE_MESSAGE = (
    "Hej [@click=app.quit]klicka här[/] och [link=https://evil.example]länk[/link] "
    "[bold red]FET[/] \x1b]52;c;ZXZpbA==\x07 \x1b]8;;https://x\x1b\\x\x1b]8;;\x1b\\ "
    "\x1b[2J\x1b]0;titel\x07 \x9b31m \u202eevil\u202c [unbalanced"
)


def test_markup_and_escapes_in_patient_text_stay_literal(system, store, app_for):
    intake.import_errands(
        system,
        jsonl(
            errand_line(
                "1177-000666",
                message=HOSTILE_MESSAGE,
                subject="[@click=app.quit]Ämne[/]",
                patient={"name": "[b]Elsa[/b] \x1b[31mAndersson", "personnummer": "20150315-1233"},
                submitted_by={"name": "[link=x]Sara[/link]", "relation": "mamma\x07"},
            )
        ),
    )
    app = app_for(store, "rec1")

    async def scenario(pilot):
        await pilot.press("enter")
        await settle(pilot)
        texts = {w.id: str(w.render()) for w in app.screen.query("Static") if w.id}
        svg = app.export_screenshot()
        # Clicking where the hostile "link" is must not quit the app.
        await pilot.click("#d-message", offset=(8, 1))
        await pilot.pause()
        return texts, svg, app.is_running

    texts, svg, running = drive(app, scenario, size=(120, 40))
    assert running
    message = texts["d-message"]
    assert "[@click=app.quit]klicka här[/]" in message
    assert "[link=https://evil.example]länk[/link]" in message
    assert "[bold red]FET[/]" in message and "[unbalanced" in message
    assert "Ämne: [@click=app.quit]Ämne[/]" in message
    assert "[b]Elsa[/b] [31mAndersson" in texts["d-who"] and "[link=x]Sara[/link]" in texts["d-who"]
    for text in texts.values():
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", text)
    assert "\x1b" not in svg


def test_a_20000_character_message_opens(system, store, app_for):
    long = ("Lång text om behandlingen. " * 800)[:20000]
    intake.import_errands(system, jsonl(errand_line("1177-000777", message=long)))
    app = app_for(store, "rec1")

    async def scenario(pilot):
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("end", "home", "escape")
        return app.screen.__class__.__name__

    assert drive(app, scenario) == "DashboardScreen"


def test_a_line_longer_than_any_terminal_is_cut_where_it_is_drawn():
    """Intake keeps names short, but what the database holds is not trusted for it: a line is cut
    at ONE_LINE_MAX with "…" (a 100,000-character name was measured on every frame), after the
    control characters are gone, so they cannot push the text out."""
    from bcc_tui.ui import render

    huge = "Elsa " + "x" * 100_000
    for drawn in (render.line_text(huge).plain, render.plain(huge).plain, render.cell(huge).plain):
        assert len(drawn) == render.ONE_LINE_MAX and drawn.startswith("Elsa x") and drawn.endswith("…")
    assert render.line_text("\x1b" * 5000 + "Elsa").plain == "Elsa"
    assert render.line_text("x" * render.ONE_LINE_MAX).plain == "x" * render.ONE_LINE_MAX
    # What wraps is shown whole: a message, and a handover note made one line.
    assert len(render.safe(huge).plain) == len(render.safe(huge, one_line=True).plain) == len(huge)


def test_the_handover_note_is_shown_whole(clinic, app_for, as_):
    """A note to the next shift may be 5,000 characters: it wraps, and its end is read too."""
    from textual.widgets import Static

    from bcc_tui.services import handover

    note = "Ring familjen Karlsson före 14. " * 40 + "SLUT: glöm inte journalen."
    handover.add_note(as_("rec2"), note)
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await pilot.press("h")
        await settle(pilot)
        return str(app.screen.query_one("#handover-summary", Static).render())

    assert "SLUT: glöm inte journalen." in drive(app, scenario, size=(160, 50))
