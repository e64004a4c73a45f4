"""Issue 30, item 2: an action's write runs off the UI thread. Another process holds the
database's write lock for 3 s: meanwhile the dashboard answers keys (the cursor moves), and the
action completes once the lock is released."""

from __future__ import annotations

import subprocess
import sys
import time

from bcc_tui.services import errands
from bcc_tui.ui.textual_compat import notifications
from tests.ui.conftest import drive, settle

HOLD = 3.0  # seconds the other process keeps BEGIN IMMEDIATE

_HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("held", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
print("released", flush=True)
"""


def _urgent(ref: str, as_) -> bool:
    return errands.show_errand(as_("rec1"), ref, audited=False).summary.urgent


def test_a_write_waiting_for_another_process_lock_leaves_the_keys_answered(clinic, app_for, as_):
    app = app_for(clinic, "rec1", poll_interval=60)
    seen: dict[str, object] = {}

    async def scenario(pilot):
        await settle(pilot)
        table = app.dashboard.focused_table
        ref = table.current_ref
        seen["ref"], seen["was_urgent"] = ref, table.current.urgent
        holder = subprocess.Popen(
            [sys.executable, "-c", _HOLDER, str(clinic.path), str(HOLD)], stdout=subprocess.PIPE, text=True
        )
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
            start = time.monotonic()
            await pilot.press("u")  # urgent on or off: a write, which waits for the lock
            for _ in range(3):
                await pilot.press("down")
            seen["moved_after"] = time.monotonic() - start
            seen["row"] = table.cursor_row
            seen["lock_still_held"] = holder.poll() is None
            # The write goes through once the lock is free, and the row shows it.
            deadline = time.monotonic() + HOLD + 20
            while time.monotonic() < deadline:
                await pilot.pause(0.05)
                row = next((s for s in app.last_data.open if s.ref == ref), None)
                if row is not None and row.urgent != seen["was_urgent"]:
                    break
            seen["released"] = holder.wait(timeout=30) == 0 and holder.stdout.read().strip() == "released"
        finally:
            if holder.poll() is None:
                holder.kill()
                holder.wait()
        await settle(pilot)
        seen["toasts"] = [str(n.message) for n in notifications(app)]
        seen["running"] = app.is_running
        return seen

    drive(app, scenario)
    assert seen["running"] and seen["released"]
    # Keys answered while the other process held the lock: the cursor moved three rows down.
    assert seen["lock_still_held"], f"the keys waited for the lock ({seen['moved_after']:.1f} s)"
    assert seen["row"] == 3
    # … and the action completed after the lock was released.
    assert _urgent(str(seen["ref"]), as_) != seen["was_urgent"]
    assert any(str(seen["ref"]) in t and "brådskande" in t for t in seen["toasts"]), seen["toasts"]


def test_a_draft_written_while_another_process_holds_the_lock_leaves_the_typing_answered(clinic, app_for):
    """R21 and issue 30: a pause in the typing writes the draft. With the database held by another
    process, that write waits in a worker; the keys typed meanwhile reach the text at once, and
    the draft, with all of them, is kept once the lock is free."""
    import sqlite3

    from bcc_tui.ui.screens.forms import DRAFT_DELAY

    app = app_for(clinic, "rec1", poll_interval=60)
    seen: dict[str, object] = {}

    async def scenario(pilot):
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        holder = subprocess.Popen(
            [sys.executable, "-c", _HOLDER, str(clinic.path), str(HOLD)], stdout=subprocess.PIPE, text=True
        )
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
            for key in "abc":
                await pilot.press(key)
            await pilot.pause(DRAFT_DELAY + 0.3)  # the pause: the draft's write waits for the lock
            for key in "def":
                await pilot.press(key)
            seen["typed"] = app.screen.query_one("TextArea").text
            seen["lock_still_held"] = holder.poll() is None
            holder.wait(timeout=30)
        finally:
            if holder.poll() is None:
                holder.kill()
                holder.wait()
        deadline = time.monotonic() + DRAFT_DELAY + 20
        while time.monotonic() < deadline:
            await pilot.pause(0.1)
            rows = (
                sqlite3.connect(clinic.path)
                .execute("SELECT fields FROM drafts WHERE form = 'note'")
                .fetchall()
            )
            if rows and "abcdef" in rows[0][0]:
                seen["kept"] = rows[0][0]
                break
        return seen

    drive(app, scenario)
    assert seen["typed"] == "abcdef"
    assert seen["lock_still_held"], "the keys waited for the draft's write"
    assert "abcdef" in str(seen.get("kept")), seen
