"""Type-ahead is safe (issue 27): keys apply in order, as if typed slowly, whatever screen is
opening or closing (ui/typeahead.py).

The report: with 4 unassigned errands, `a` `enter` sent four times 0.15 s apart assigned only 3.
Textual routes a key to whatever is focused when the app takes it from its queue; an `enter`
that came while the assign form was mounting was dropped, an `a` that came while the form was
still sending was typed into the closing form's filter, and the `enter` after it opened an errand.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import subprocess
import sys

import pytest
from textual import events
from textual.message_pump import MessagePump
from textual.widget import Widget

from bcc_tui.services import people
from bcc_tui.ui import textual_compat as compat
from bcc_tui.ui import typeahead
from bcc_tui.ui.screens.dashboard import DashboardScreen
from bcc_tui.ui.screens.errand import ErrandScreen
from bcc_tui.ui.screens.forms import AssignForm
from tests.conftest import STAFF, errand_line, jsonl, run_cli
from tests.pty_session import PtySession
from tests.ui.conftest import drive, settle
from tests.ui.test_snapshots import app_on

TEN = [f"1177-0001{i:02d}" for i in range(10)]
# What `a` `enter` ten times gives when typed slowly: the suggestion for a prescription is the
# on-duty doctor with the fewest open errands, the top of the schedule on a tie (R24), so the
# errands, most pressing (oldest) first, go to Doris and Dag in turn.
SLOWLY = {ref: ("doc1", "doc2")[i % 2] for i, ref in enumerate(TEN)}
DUTY = {"date": "2026-11-25", "receiver": "rec1", "outpatient_doctors": ["doc1", "doc2"]}


def ten_errands(db) -> None:
    assert run_cli("staff", "import", "-", db=db, stdin=jsonl(*STAFF)).returncode == 0
    assert run_cli("schedule", "import", "-", db=db, stdin=jsonl(DUTY)).returncode == 0
    lines = [errand_line(ref, received_at=f"2026-11-25T07:{i:02d}:00+01:00") for i, ref in enumerate(TEN)]
    assert run_cli("import", "-", db=db, stdin=jsonl(*lines)).returncode == 0


@contextlib.contextmanager
def starved(pid: int):
    """The dashboard made to share one core with two busy loops for as long as the block runs: a
    third of a core at most, while the keys keep coming. (The loops used to run free on both cores,
    which starved it no more and cost twice the CPU time; a stopped and continued process is no
    substitute, since Textual takes SIGCONT for a return from suspension.)"""
    cpu = min(os.sched_getaffinity(0))
    tasks = [int(t) for t in os.listdir(f"/proc/{pid}/task")]
    before = {t: os.sched_getaffinity(t) for t in tasks}
    loops = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        for task in [*tasks, *(loop.pid for loop in loops)]:
            os.sched_setaffinity(task, {cpu})
        yield
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()
        for task, cpus in before.items():
            with contextlib.suppress(OSError):  # a thread that has ended meanwhile
                os.sched_setaffinity(task, cpus)


def screen_ready(app, i: int, key: bytes, since: int) -> bool:
    """The screen that `key`, the i-th errand's, was typed for is shown: what typing slowly waits
    for (the assign form of the top errand; after `enter`, one errand fewer in Ofördelade)."""
    if key == b"a":
        return app.wait_for(f"Fördela · {TEN[i]}".encode(), since=since, timeout=60)
    return app.wait_for(f"Ofördelade ({len(TEN) - i - 1})".encode(), since=since, timeout=60)


@pytest.mark.parametrize(
    ("interval", "loaded"),
    [(None, False), (0.15, False), (0.02, False), (0.15, True), (0.02, True)],
    ids=["slowly", "150ms", "20ms", "150ms-starved", "20ms-starved"],
)
def test_a_enter_typed_ahead_assigns_as_if_typed_slowly(tmp_path, interval, loaded):
    """The real program in a real terminal: `a` `enter` ten times, a key every `interval`
    seconds, written without waiting for the screen; or (`None`) typed slowly, each key once the
    screen before it is shown, which is what the others must equal. In the suite the two cores are
    already shared with the other workers; `loaded` also makes the dashboard share one core with two
    busy loops while the keys are typed (`starved`)."""
    db = tmp_path / "typeahead.db"
    ten_errands(db)
    with PtySession(["--db", str(db), "--as", "rec1"], size=(40, 160)) as app:
        assert app.wait_for("Ofördelade (10)".encode(), b"1177-000109"), bytes(app.output[-800:])
        since = app.mark()
        with starved(app.pid) if loaded else contextlib.nullcontext():
            for i, _ in enumerate(TEN):
                for key in (b"a", b"\r"):
                    shown = app.mark()
                    app.write(key)
                    if interval is None:
                        assert screen_ready(app, i, key, shown), bytes(app.output[-800:])
                    else:
                        app.read_for(interval)  # the terminal is read meanwhile, as a person's would be
            done = app.wait_for("Ofördelade (0)".encode(), timeout=60, since=since)
        app.write(b"q")  # quits from the dashboard: no form or errand was left open
        code = app.wait_exit(30)
        tail = bytes(app.output[-1500:])
    conn = sqlite3.connect(db)
    assigned = dict(conn.execute("SELECT ref, assignee FROM errands WHERE status = 'assigned'").fetchall())
    per_errand = conn.execute(
        "SELECT e.ref, count(*) FROM events v JOIN errands e ON e.id = v.errand_id "
        "WHERE v.kind = 'assign' GROUP BY e.ref"
    ).fetchall()
    assert done, tail
    assert assigned == SLOWLY
    assert sorted(per_errand) == [(ref, 1) for ref in TEN]  # each assigned once, no reassignment
    assert code == 0, tail


# -- in the process, under Pilot ---------------------------------------------------------------


def type_ahead(app, keys: str) -> None:
    """Keys as a terminal delivers them to someone typing ahead: all in the app's queue at once,
    with no wait for the screen between them (Pilot's press waits after every key)."""
    for key in keys.split():
        event = events.Key(key, "\r" if key == "enter" else key)
        event.set_sender(app)
        app.post_message(event)


@pytest.fixture
def four(clinic, system):
    """The report's case: four unassigned errands, a schedule with two doctors on duty."""
    people.import_schedule(system, jsonl(DUTY))
    return clinic


def test_keys_in_the_queue_together_apply_one_after_the_other(four, app_for):
    app = app_for(four, "rec1")
    open_before = four.conn.execute("SELECT count(*) FROM errands WHERE status = 'unassigned'").fetchone()[0]

    async def scenario(pilot):
        type_ahead(app, "a enter " * open_before)
        for _ in range(400):
            await settle(pilot)
            if not app.typeahead.held and isinstance(app.screen, DashboardScreen):
                break
        return type(app.screen), app.typeahead.kept, app.typeahead.forced

    screen, kept, forced = drive(app, scenario)
    left = four.conn.execute("SELECT count(*) FROM errands WHERE status = 'unassigned'").fetchone()[0]
    assert open_before == 4 and left == 0
    assert screen is DashboardScreen  # no errand was opened by an `enter` meant for a form
    assert kept > 0 and forced == 0  # keys did wait for the screens, and none waited in vain


@pytest.mark.parametrize("keys", ["a enter a enter", "a enter k a enter"])
def test_a_enter_typed_ahead_twice_on_a_reassignment_gives_the_errand_to_nobody(demo_db, keys):
    """The trial's report: `a` `enter` typed fast on a colleague's errand in Fördelade moved it
    from one person to the next. Where the form preselects nobody (the suggestion is the holder
    already) it refuses the first enter and stays; the second `a` went into its filter, which
    highlighted the first name with an `a`, and the second enter gave the errand to that person."""
    app = app_on(demo_db)
    held = "SELECT assignee, (SELECT count(*) FROM events) FROM errands WHERE ref = ?"

    async def scenario(pilot):
        await settle(pilot)
        await pilot.press("tab")
        await settle(pilot)
        ref = app.dashboard.current_ref()
        before = tuple(demo_db.conn.execute(held, (ref,)).fetchone())
        type_ahead(app, keys)  # k: the table's up key; "ka" matched two titles (a review)
        for _ in range(100):
            await settle(pilot)
            if not app.typeahead.held:
                break
        form = app.screen
        said = str(form.query_one("#form-error").render()) if isinstance(form, AssignForm) else None
        return ref, before, form, said

    ref, before, form, said = drive(app, scenario)
    assert tuple(demo_db.conn.execute(held, (ref,)).fetchone()) == before
    assert isinstance(form, AssignForm) and form.reassign
    assert said == "Välj en person i listan (↑↓) först."


def test_a_paste_right_after_slash_lands_in_the_filter_box(four, app_for):
    """`/` and a pasted personnummer at once: the paste went to the pane, before the box had the
    focus, and was lost."""
    app = app_for(four, "rec1")

    async def scenario(pilot):
        type_ahead(app, "slash")
        paste = events.Paste("20180101-0016")
        paste.set_sender(app)
        app.post_message(paste)
        type_ahead(app, "enter")
        for _ in range(100):
            await settle(pilot)
            if not app.typeahead.held:
                break
        return app.screen.query_one("#filter").value, app.dashboard.table("unassigned").order

    value, rows = drive(app, scenario)
    assert value == "20180101-0016" and rows == ["1177-000002"]  # Hugo's


def test_a_key_is_never_kept_for_ever(four, app_for, monkeypatch):
    """Something that never settles (here: every pump said busy) delays a key by HOLD_LIMIT of
    the app's running time, not for ever: it then goes on as Textual would have sent it."""
    monkeypatch.setattr(typeahead, "HOLD_LIMIT", 0.1)
    app = app_for(four, "rec1")

    async def scenario(pilot):
        monkeypatch.setattr(typeahead, "busy", lambda pump: True)
        type_ahead(app, "enter")
        for _ in range(200):
            await pilot.pause(0.01)
            if isinstance(app.screen, ErrandScreen):
                break
        monkeypatch.undo()
        await settle(pilot)
        return type(app.screen), app.typeahead.forced

    screen, forced = drive(app, scenario)
    assert screen is ErrandScreen and forced == 1


def test_the_textual_internals_type_ahead_reads_are_there():
    """ui/typeahead.busy reads private parts of Textual's message pumps (through ui/textual_compat,
    pinned by test_textual_compat.py); here what they say of a widget: nothing pending, a callback
    pending, not closing. A release that changed their meaning must fail here instead of the
    dashboard quietly routing keys early again."""

    async def main():
        pump = Widget()
        assert isinstance(pump, MessagePump)
        assert compat.closing(pump) is False and compat.pending(pump) is False
        assert typeahead.busy(pump)  # not mounted yet
        pump.call_next(lambda: None)
        assert compat.pending(pump)

    asyncio.run(main())
