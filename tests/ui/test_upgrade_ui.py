"""Upgrades that users do not notice (issue 31, item 2): a dashboard under which the database's
schema or the installed program changes says so in one line, keeps the draft, writes nothing more
and ends cleanly on the person's next key."""

import asyncio
import sqlite3

import pytest

from bcc_tui.store import schema
from bcc_tui.ui.textual_compat import notifications
from bcc_tui.ui.upgrade import UPGRADED
from tests.ui.conftest import settle


async def _until(predicate, seconds=20.0):
    for _ in range(int(seconds / 0.02)):
        if predicate():
            return True
        await asyncio.sleep(0.02)
    return False


def _toasts(app) -> list[str]:
    return [str(n.message) for n in notifications(app)]


def _bump_schema(path, to: int) -> None:
    """What `bcc-tui migrate` of a newer version does first: the file's schema version changes
    (here: another connection, as the migrating process is)."""
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {to}")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("change", ["schema", "marked", "installation"])
def test_the_dashboard_says_so_keeps_the_draft_and_ends_on_the_next_key(clinic, app_for, change):
    clinic.schema_version = schema.CURRENT  # as services/session opens it for a real dashboard
    app = app_for(clinic, "doc1")
    seen = {}

    async def main():
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            app.open_errand("1177-000005")
            await pilot.pause(0.1)
            await pilot.press("n")  # an internal note, typed and not yet saved (a second of quiet)
            assert await _until(lambda: type(app.screen).__name__ == "NoteForm")
            await pilot.press(*"Ringde mamman")
            if change == "schema":
                _bump_schema(clinic.path, schema.CURRENT + 1)
            elif change == "marked":
                _bump_schema(clinic.path, schema.MIGRATING + 1000 * (schema.CURRENT + 1))
            else:
                app.upgrade.installation.at_start = ()  # the installed files are not those of the start
            assert await _until(lambda: UPGRADED in _toasts(app))
            seen["lines"] = [t for t in _toasts(app) if "uppdaterats" in t]
            seen["screen"] = type(app.screen).__name__
            # Nothing more is written: a key that would act is the one that ends the session.
            await pilot.press("x")
            assert await _until(lambda: app.return_code is not None)
        seen["code"] = app.return_code

    asyncio.run(main())
    assert seen["lines"] == [UPGRADED]
    assert seen["screen"] == "NoteForm"  # the form stayed with its text until the key
    assert seen["code"] == 0
    conn = sqlite3.connect(clinic.path)
    drafts = conn.execute("SELECT fields FROM drafts WHERE username = 'doc1'").fetchall()
    notes = conn.execute("SELECT count(*) FROM events WHERE kind = 'note'").fetchone()[0]
    conn.close()
    assert drafts and "Ringde mamman" in drafts[0][0]
    assert notes == 0


def test_no_module_of_the_new_version_is_loaded_into_the_old_dashboard(clinic, app_for):
    """`?` and `s` loaded their screens from the new files and ended in an unexpected error: now
    a key after the upgrade loads nothing, and a load that slips past is refused, not crashed on."""
    import sys

    from bcc_tui.installation import Upgraded

    clinic.schema_version = schema.CURRENT
    app = app_for(clinic, "rec1")
    seen = {}

    loaded = sys.modules.get("bcc_tui.ui.screens.stats")

    async def main():
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            sys.modules.pop("bcc_tui.ui.screens.stats", None)
            app.upgrade.installation.at_start = ()
            await pilot.press("s")  # shows the line instead of the statistics
            seen["screen"] = type(app.screen).__name__
            seen["loaded"] = "bcc_tui.ui.screens.stats" in sys.modules
            with pytest.raises(Upgraded):
                __import__("bcc_tui.ui.screens.stats")
            seen["toasts"] = _toasts(app)
            await pilot.press("q")
        seen["code"] = app.return_code

    try:
        asyncio.run(main())
    finally:
        if loaded is not None:  # the module as the rest of the run knows it
            sys.modules["bcc_tui.ui.screens.stats"] = loaded
    assert seen["screen"] == "DashboardScreen" and not seen["loaded"]
    assert UPGRADED in seen["toasts"]
    assert seen["code"] == 0
