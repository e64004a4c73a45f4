"""The dashboard when another process holds the write lock: plain words, nothing lost."""

import sqlite3

import pytest

from bcc_tui.ui.screens.forms import ReplyForm
from tests.ui.conftest import drive, settle


@pytest.fixture
def short_busy(monkeypatch):
    """A short busy timeout for every Store the test opens, set before the first is made (the
    store reads it when it opens)."""
    monkeypatch.setenv("BCC_BUSY_TIMEOUT", "0.2")


def test_dashboard_says_busy_and_keeps_the_reply(short_busy, clinic, app_for):
    assert clinic.busy_timeout == 0.2
    app = app_for(clinic, "doc1")
    holder = sqlite3.connect(clinic.path, isolation_level=None)

    async def scenario(pilot):
        await pilot.press("r", *"Vi ringer i morgon.")
        holder.execute("BEGIN IMMEDIATE")
        await pilot.press("ctrl+s")
        await settle(pilot)
        again = app.screen  # the form stays open with the reason and the text (R21)
        kept = again.query_one("#form-text").text if isinstance(again, ReplyForm) else None
        reason = str(again.query_one("#form-error").render()) if isinstance(again, ReplyForm) else ""
        holder.execute("ROLLBACK")
        await pilot.press("ctrl+s")
        await settle(pilot)
        return kept, reason

    kept, reason = drive(app, scenario)
    holder.close()
    assert kept == "Vi ringer i morgon."
    assert "upptagen" in reason
    assert (
        clinic.conn.execute("SELECT status FROM errands WHERE ref = '1177-000005'").fetchone()[0] == "closed"
    )
