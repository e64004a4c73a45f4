"""Snapshots of every screen at a frozen clock, at 80×24 (over SSH) and 120×40; the main screen of
each role at every size from 60×20 to 200×50 is in test_sizes.py.

Review a changed snapshot with `pytest --snapshot-update` and look at the SVG before committing.
"""

import pytest

from bcc_tui.services.clock import FixedClock
from bcc_tui.ui.app import make_app
from tests.conftest import NOW
from tests.ui.conftest import ctx_for, demo_receiver, settle, still

# Each screen as a terminal shows it: every frame composed, the screens under a form too.
pytestmark = pytest.mark.frames

SIZES = [(80, 24), (120, 40)]


def app_on(store, username=None):
    return make_app(ctx_for(store, username or demo_receiver(store), FixedClock(NOW)), poll_interval=3600)


def steps(*keys):
    async def run(pilot):
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
        await settle(pilot)
        still(pilot.app)
        await pilot.pause()

    return run


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(
    "name, keys",
    # The ids keep their old numbers (keys0 was the main screen, now test_sizes.py::test_main).
    [
        pytest.param(name, keys, id=f"{name}-keys{i}")
        for i, (name, keys) in enumerate(
            [
                ("detail", ("enter",)),
                ("assign", ("a",)),
                ("reassign", ("tab", "a")),
                ("reply", ("tab", "r")),
                ("partial_reply", ("p",)),
                ("close", ("x",)),
                ("note", ("n",)),
                ("help", ("question_mark",)),
            ],
            start=1,
        )
    ],
)
def test_screen(snap_compare, demo_db, name, keys, size):
    assert snap_compare(app_on(demo_db), terminal_size=size, run_before=steps(*keys))


@pytest.mark.parametrize(
    "tab", ["types", "templates", "staff", "roster", "absences", "acute", "info", "deviations"]
)
def test_admin_screens(snap_compare, demo_db, tab):
    from bcc_tui.ui.screens.admin import TABS

    index = [k for k, _ in TABS].index(tab)

    async def run(pilot):
        await settle(pilot)
        tabs = pilot.app.screen.query_one("#admin-tabs")
        tabs.active = f"tab-{tab}"
        await settle(pilot)

    assert snap_compare(app_on(demo_db, "lenwal"), terminal_size=(120, 40), run_before=run)
    assert index >= 0


def test_admin_form(snap_compare, demo_db):
    assert snap_compare(app_on(demo_db, "lenwal"), terminal_size=(80, 24), run_before=steps("down", "enter"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("key", ["h", "s"])
def test_handover_and_stats_screens(snap_compare, demo_db, key, size):
    assert snap_compare(app_on(demo_db), terminal_size=size, run_before=steps(key))


def test_keep_draft_question(snap_compare, demo_db):
    """R21: escape on a form with text asks whether to keep it as a draft."""
    assert snap_compare(
        app_on(demo_db), terminal_size=(80, 24), run_before=steps("down", "n", "H", "e", "j", "escape")
    )


def test_template_list_over_the_reply(snap_compare, demo_db):
    """Issue 29: ctrl+t from inside the reply's text; the highlighted template shown whole."""
    assert snap_compare(
        app_on(demo_db), terminal_size=(80, 24), run_before=steps("tab", "r", "H", "e", "j", "!", "ctrl+t")
    )


def test_audit_row_in_full(snap_compare, demo_db):
    """Issue 29: enter on an audit row shows every column, wrapped rather than cut."""
    assert snap_compare(app_on(demo_db, "gunbjo"), terminal_size=(80, 24), run_before=steps("j", "enter"))


# Issue 16: each role its own keys, and nothing essential cut at any size: a receiver (annlin), a
# caregiver (erilin, a doctor), an administrator (lenwal) and an auditor (gunbjo). The main screen is
# the dashboard for the first two, the admin screen and the audit log for the others.
ROLE_PEOPLE = {"receiver": "annlin", "caregiver": "erilin", "admin": "lenwal", "auditor": "gunbjo"}
ALL_SIZES = [(60, 20), (80, 24), (120, 40), (200, 50)]


# The main screen of each role at each size: tests/ui/test_sizes.py::test_main (its snapshot and
# what must never be cut, read from the same run).


# The receiver's help is test_screen[help-keys8-80x24].
@pytest.mark.parametrize("role", [r for r in ROLE_PEOPLE if r != "receiver"])
def test_help_per_role(snap_compare, demo_db, role):
    assert snap_compare(
        app_on(demo_db, ROLE_PEOPLE[role]), terminal_size=(80, 24), run_before=steps("question_mark")
    )
