"""What a person reads is Swedish and names people, not user names."""

from bcc_tui.ui.textual_compat import notifications
from tests.conftest import run_cli
from tests.ui.conftest import demo_receiver


def test_show_names_the_suggested_person(demo_db):
    user = demo_receiver(demo_db)
    r = run_cli("--as", user, "show", "1177-260764", db=demo_db.path)
    out = r.stdout.decode()
    assert r.returncode == 0, r.stderr
    # The demo patient's care team (R29): a message goes to the contact nurse first.
    assert "Förslag: Fredrik Hedlund (frehed) — kontaktsjuksköterska" in out, out


def test_escape_on_an_admin_only_first_screen_says_how_to_leave(demo_db):
    from tests.ui.conftest import drive
    from tests.ui.test_snapshots import app_on

    app = app_on(demo_db, "lenwal")

    async def scenario(pilot):
        screen = pilot.app.screen
        await pilot.press("escape")
        await pilot.pause()
        return screen is pilot.app.screen, [n.message for n in notifications(pilot.app)]

    same, notes = drive(app, scenario)
    assert same and any("q avslutar" in n for n in notes), notes


def test_bcc_theme_kontrast_is_chosen_and_other_values_ignored(demo_db, monkeypatch):
    from tests.ui.conftest import drive
    from tests.ui.test_snapshots import app_on

    async def scenario(pilot):
        return pilot.app.theme

    monkeypatch.setenv("BCC_THEME", "kontrast")
    assert drive(app_on(demo_db), scenario) == "kontrast"
    monkeypatch.setenv("BCC_THEME", "../../etc\x1b[31m")
    assert drive(app_on(demo_db), scenario) != "kontrast"


def test_staff_form_names_fields_and_roles_in_swedish():
    import pytest

    from bcc_tui.domain import validation
    from bcc_tui.domain.errors import BccError
    from bcc_tui.ui.screens.admin import _swedish_field

    with pytest.raises(BccError) as err:
        validation.staff_from_json(
            {"username": "ny", "name": "Ny Person", "title": "läkare", "roles": ["okänd"]}
        )
    assert err.value.message.startswith("roles:")
    assert _swedish_field(err.value.message).startswith("roller:")
    assert _swedish_field("något annat") == "något annat"


def test_escape_on_the_auditors_first_screen_says_how_to_leave(demo_db):
    from tests.ui.conftest import drive
    from tests.ui.test_snapshots import app_on

    app = app_on(demo_db, "gunbjo")

    async def scenario(pilot):
        screen = pilot.app.screen
        await pilot.press("escape")
        await pilot.pause()
        return screen is pilot.app.screen, [n.message for n in notifications(pilot.app)]

    same, notes = drive(app, scenario)
    assert same and any("q avslutar" in n for n in notes), notes


def test_ctrl_c_says_in_swedish_how_to_quit(demo_db):
    from tests.ui.conftest import drive, settle
    from tests.ui.test_snapshots import app_on

    app = app_on(demo_db)

    async def scenario(pilot):
        await settle(pilot)
        await pilot.press("ctrl+c")
        await pilot.pause()
        return pilot.app.is_running, [(n.title, n.message) for n in notifications(pilot.app)]

    running, notes = drive(app, scenario)
    assert running and ("Avsluta?", "Tryck q för att avsluta.") in notes, notes
    assert not any("[b]" in m or "quit" in m.lower() for _, m in notes)
