"""Live panes: another process's change shows by itself; nothing refreshes under a form;
an automatic refresh is never an audited read; countdowns move with the clock alone.

How soon a change shows (within a second) is a speed: bench/run.py measures it ("another
process's change shown"), where a busy machine does not turn it into a failed test."""

import time

from bcc_tui.services import errands, intake
from bcc_tui.services.clock import FixedClock
from bcc_tui.ui.textual_compat import notifications
from bcc_tui.ui.widgets.errand_table import ErrandTable
from tests.conftest import NOW, errand_line, jsonl, run_cli
from tests.services.test_backlog import _backlog
from tests.ui.conftest import ctx_for, drive, settle


async def wait_for(pilot, condition, timeout=30.0) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if condition():
            return time.monotonic() - start
        await pilot.pause(0.02)
    raise AssertionError("the dashboard did not show the change in time")


def test_a_change_by_another_process_shows_and_the_cursor_stays(clinic, app_for):
    app = app_for(clinic, "rec1")
    db = clinic.path

    async def scenario(pilot):
        assigned = app.screen.query_one("#table-assigned", ErrandTable)
        app.screen.query_one("#table-unassigned", ErrandTable).move_cursor(row=1)
        before_cursor = app.screen.focused.current_ref
        assert "1177-000001" not in assigned.order
        r = run_cli("--as", "rec2", "assign", "1177-000001", "doc2", db=db, subprocess=True)
        assert r.returncode == 0, r.stderr
        # No key is pressed: the dashboard notices the other process's change by itself.
        await wait_for(pilot, lambda: "1177-000001" in assigned.order)
        return before_cursor, app.screen.focused.current_ref

    before, after = drive(app, scenario)
    assert before == after == "1177-000002"  # the cursor stayed on the same errand


def test_new_errands_arrive_live_and_refreshes_are_not_audited(clinic, app_for, system):
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        audit_before = clinic.conn.execute("SELECT count(*) FROM audit WHERE actor = 'rec1'").fetchone()[0]
        loads = app.loads
        r = run_cli("import", "-", db=clinic.path, stdin=jsonl(errand_line("1177-000099")), subprocess=True)
        assert r.returncode == 0
        table = app.screen.query_one("#table-unassigned", ErrandTable)
        await wait_for(pilot, lambda: "1177-000099" in table.order)
        assert app.loads > loads
        audit_after = clinic.conn.execute("SELECT count(*) FROM audit WHERE actor = 'rec1'").fetchone()[0]
        return audit_before, audit_after

    before, after = drive(app, scenario)
    assert before == after


def test_no_refresh_while_a_form_is_open(clinic, app_for, system):
    app = app_for(clinic, "rec1", poll_interval=0.05)

    async def scenario(pilot):
        await pilot.press("n")
        loads = app.loads
        intake.import_errands(system, jsonl(errand_line("1177-000098")))
        await pilot.pause(0.4)  # eight polls' time: any of them would have reloaded
        assert app.loads == loads
        await pilot.press("escape")
        # Read as the form closes, not at the next fallback poll (five seconds on).
        await settle(pilot)
        table = app.screen.query_one("#table-unassigned", ErrandTable)
        assert "1177-000098" in table.order

    drive(app, scenario)


def test_countdowns_advance_with_the_clock_without_the_database(clinic, app_for):
    from bcc_tui.services.clock import FixedClock
    from tests.conftest import NOW

    clock = FixedClock(NOW)
    app = app_for(clinic, "rec1", clock=clock)
    # Midnight reads the new day's roster (tested with the admin header); here only the rows' clock.
    app.feed.day_changed = lambda: None

    async def scenario(pilot):
        table = app.screen.query_one("#table-unassigned", ErrandTable)
        cell = lambda: str(table.get_cell("1177-000001", "sla"))  # noqa: E731
        first = cell()
        loads = app.loads
        clock.advance(days=2)  # Wed 10:00 → Fri 10:00: the due day
        app.tick_rows()
        await pilot.pause()
        second = cell()
        clock.advance(days=1)
        app.tick_rows()
        await pilot.pause()
        return first, second, cell(), app.loads - loads

    first, second, third, extra_loads = drive(app, scenario)
    assert (first, second, third.strip()) == ("2 vd kvar", "idag", "försenad 1 vd")
    assert extra_loads == 0


def test_an_acute_errand_arriving_is_pinned_with_its_category(clinic, app_for):
    """R11: imported by another process while the dashboard is open, an errand whose message says
    "39,1" comes to the top of its pane by itself, its category where the type stands and ✚."""
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        message = "Hej, receptet tar slut. Hon har 39,1 sedan i kväll."
        line = errand_line("1177-000097", message=message, received_at="2026-11-25T09:30:00+01:00")
        r = run_cli("import", "-", db=clinic.path, stdin=jsonl(line), subprocess=True)
        assert r.returncode == 0
        table = app.screen.query_one("#table-unassigned", ErrandTable)
        await wait_for(pilot, lambda: table.order[:1] == ["1177-000097"])
        row = [str(cell) for cell in table.get_row("1177-000097")]
        return row

    row = drive(app, scenario)
    assert row[0].startswith("✚") and "Feber" in row


def test_the_handover_screen_follows_an_import_and_a_give_elsewhere(clinic, app_for):
    """Issue 27: with `h` open, an import by another process and another receiver's give show by
    themselves, and reading them again is not an audited read."""
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await pilot.press("h")
        await pilot.pause(0.2)
        summary = app.screen.query_one("#handover-summary")
        rows = app.screen.query_one("#handover-list")
        before = rows.option_count
        audit_before = clinic.conn.execute("SELECT count(*) FROM audit WHERE actor = 'rec1'").fetchone()[0]
        r = run_cli("import", "-", db=clinic.path, stdin=jsonl(errand_line("1177-000096")), subprocess=True)
        assert r.returncode == 0
        await wait_for(pilot, lambda: rows.option_count > before)
        r = run_cli(
            "--as", "rec2", "handover", "--give", "--note", "Från Rolf", db=clinic.path, subprocess=True
        )
        assert r.returncode == 0, r.stderr
        await wait_for(pilot, lambda: "Lämnad över av Rolf Receiver" in str(summary.render()))
        audit_after = clinic.conn.execute("SELECT count(*) FROM audit WHERE actor = 'rec1'").fetchone()[0]
        return audit_before, audit_after, str(summary.render())

    before, after, text = drive(app, scenario)
    assert before == after and "Anteckning: Från Rolf" in text


def test_an_open_errand_follows_notes_and_says_when_it_is_no_longer_yours(clinic, app_for):
    """Issue 27: a caregiver's open errand shows another person's note by itself; reassigned away,
    it says so at the top, offers nothing, and `r` opens no form."""
    from bcc_tui.ui.screens.errand import ErrandScreen

    app = app_for(clinic, "doc1")

    async def scenario(pilot):
        app.open_errand("1177-000005")
        await pilot.pause(0.1)
        assert isinstance(app.screen, ErrandScreen)
        r = run_cli(
            "--as",
            "rec2",
            "note",
            "1177-000005",
            "--text",
            "Mamma ringd kl 14",
            db=clinic.path,
            subprocess=True,
        )
        assert r.returncode == 0, r.stderr
        await wait_for(pilot, lambda: any(ev.text == "Mamma ringd kl 14" for ev in app.screen.detail.events))
        r = run_cli(
            "--as", "rec2", "assign", "--reassign", "1177-000005", "doc2", db=clinic.path, subprocess=True
        )
        assert r.returncode == 0, r.stderr
        await wait_for(pilot, lambda: app.screen.lost is not None)
        head = str(app.screen.query_one("#d-head").render())
        await pilot.press("r")
        await pilot.pause(0.1)
        return head, type(app.screen).__name__, [str(n.message) for n in notifications(app)]

    head, screen, toasts = drive(app, scenario)
    assert "Ärendet är inte längre ditt" in head and screen == "ErrandScreen"
    assert any(t.startswith("Ärendet är inte längre ditt") for t in toasts)


def test_a_form_says_at_once_when_its_errand_was_reassigned_and_keeps_the_draft(clinic, app_for):
    app = app_for(clinic, "doc1")

    async def scenario(pilot):
        app.open_errand("1177-000005")
        await pilot.pause(0.1)
        await pilot.press("r")
        await pilot.pause(0.1)
        await pilot.press(*"Hej! Receptet")
        await pilot.pause(1.3)  # the draft is kept as it is typed (after a second of quiet)
        r = run_cli(
            "--as", "rec2", "assign", "--reassign", "1177-000005", "doc2", db=clinic.path, subprocess=True
        )
        assert r.returncode == 0, r.stderr
        error = app.screen.query_one("#form-error")
        await wait_for(
            pilot, lambda: "fördelats om" in str(error.render()) or "inte längre ditt" in str(error.render())
        )
        return str(error.render()), type(app.screen).__name__

    error, screen = drive(app, scenario)
    assert screen == "ReplyForm" and "utkast" in error
    drafts = clinic.conn.execute("SELECT fields FROM drafts WHERE username = 'doc1'").fetchall()
    assert drafts and "Hej! Receptet" in drafts[0][0]


def _staff_file(tmp_path, lines):
    import json as _json

    path = tmp_path / "lines.jsonl"
    path.write_text("".join(_json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    return path


def test_the_admin_header_follows_an_absence_the_roster_and_midnight(clinic, app_for, tmp_path):
    """Issue 27: the administrator's header kept Sunday's receiver, top doctor and absences after
    midnight and after an absence was entered elsewhere."""
    from bcc_tui.services.clock import FixedClock

    clock = FixedClock(NOW)
    app = app_for(clinic, "adm", clock)

    async def scenario(pilot):
        header = app.screen.query_one("#header")
        schedule = _staff_file(
            tmp_path,
            [
                {"date": "2026-11-25", "receiver": "rec1", "outpatient_doctors": ["doc1"]},
                {"date": "2026-11-26", "receiver": "rec2", "outpatient_doctors": ["doc2"]},
                {"absent": "doc2", "from": "2026-11-25", "to": "2026-11-25", "reason": "Kurs"},
            ],
        )
        r = run_cli("schedule", "import", str(schedule), db=clinic.path, subprocess=True)
        assert r.returncode == 0, r.stderr
        await wait_for(
            pilot, lambda: "Dag Doktor" in str(header.render()) or "D. Doktor" in str(header.render())
        )
        seen = str(header.render())
        clock.advance(hours=15)  # past midnight: Thursday 26 Nov
        app._look_at_clock()  # as at the wall clock's next minute (the frozen clock has no other)
        await wait_for(pilot, lambda: "Rolf" in str(header.render()))
        return seen, str(header.render())

    before, after = drive(app, scenario, size=(120, 40))
    assert "Rita Receiver" in before and "Frånvarande" in before
    assert "Rolf Receiver" in after and "Dag Doktor" in after and "Frånvarande" not in after


def test_the_audit_log_grows_while_it_is_open(clinic, app_for, store):
    from bcc_tui.services import people as people_
    from tests.conftest import jsonl as jsonl_

    people_.import_staff(
        ctx_for_system(store),
        jsonl_({"username": "aud", "name": "Anna Granskare", "title": "administratör", "roles": ["auditor"]}),
    )
    app = app_for(clinic, "aud")

    async def scenario(pilot):
        table = app.screen.query_one("#audit-table")
        before = table.row_count
        r = run_cli("--as", "rec2", "show", "1177-000001", db=clinic.path, subprocess=True)
        assert r.returncode == 0, r.stderr
        await wait_for(pilot, lambda: table.row_count > before)
        return [str(c) for c in table.get_row_at(0)]

    top = drive(app, scenario, size=(160, 40))
    assert "1177-000001" in top and any("Rolf" in c or "R. Receiver" in c for c in top)


def ctx_for_system(store):
    from bcc_tui.domain.roles import SYSTEM_ACTOR
    from bcc_tui.services.clock import FixedClock
    from bcc_tui.services.context import Ctx

    return Ctx(store, SYSTEM_ACTOR, FixedClock(NOW))


def test_a_pane_most_of_whose_rows_go_is_filled_again_in_order_and_keeps_its_errand(
    system, store, app_for, monkeypatch
):
    """A new filter replaces most rows of a pane: the table is filled again in the new order (a
    removal per row renumbered every row after it and moved the cursor each time), and the
    cursor stays on its errand when that errand is still there."""
    _backlog(store, 200)
    every = errands.list_errands(ctx_for(store, "rec1", FixedClock(NOW)), audited=False)
    unassigned = [s for s in every if s.status == "unassigned"]
    app = app_for(store, "rec1")
    removed: list[str] = []

    async def scenario(pilot):
        table = app.screen.query_one("#table-unassigned", ErrandTable)
        table.focus()
        table.move_cursor(row=5, animate=False)
        kept = table.current_ref
        monkeypatch.setattr(table, "remove_row", removed.append)
        new = [table.rows_by_ref[kept], *unassigned[70:100]]
        table.show(new, table.names, NOW)
        drawn = [table.coordinate_to_cell_key((i, 0)).row_key.value for i in range(table.row_count)]
        return kept, [s.ref for s in new], table.order, drawn, table.current_ref

    kept, wanted, order, drawn, current = drive(app, scenario, size=(120, 40))
    assert order == drawn == wanted and current == kept
    assert removed == []


def test_a_poll_while_the_app_closes_does_not_raise(clinic, app_for):
    """CI found a poll that came after the last screen was gone: the form check asked for the
    screen on top and Textual raised ScreenStackError, which would reach the crash screen."""
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        return app

    app = drive(app, scenario)
    assert not app.screen_stack
    app.feed._form_version = -1
    app.feed.check_form()  # no screen: nothing to check, nothing raised
    assert app.top() is None


def test_a_click_after_rows_moved_selects_the_row_shown_there(clinic, app_for, system):
    """Lines are kept by row across changes (issue 31): a row moved down by an errand arriving
    above it keeps the line drawn at its old place. A click on it selects the row shown there."""
    app = app_for(clinic, "rec1", poll_interval=0.05)

    async def scenario(pilot):
        table = app.screen.query_one("#table-unassigned", ErrandTable)
        await pilot.pause(0.2)  # drawn once: the lines are kept from here
        before = list(table.order)
        acute = errand_line("1177-000097", message="Hon har 39,5 i feber sedan i natt.")
        intake.import_errands(system, jsonl(acute))
        await wait_for(pilot, lambda: table.order[:1] == ["1177-000097"])
        await pilot.pause(0.2)  # drawn after the move
        assert table.order[1:] == before[: len(table.order) - 1]
        await pilot.click(table, offset=(20, 3))  # the header, then the rows 0, 1, 2
        return table.order[2], table.current_ref

    shown, selected = drive(app, scenario)
    assert selected == shown


def test_an_errand_closed_with_escape_is_no_longer_followed(clinic, app_for):
    """Escape pops the errand's screen without the callback it was pushed with: the feed went on
    reading the closed errand's detail at every change that touched it."""
    from bcc_tui.ui.screens.errand import ErrandScreen

    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        app.open_errand("1177-000002")
        await wait_for(pilot, lambda: isinstance(app.screen, ErrandScreen))
        opened = app.feed.detail_ref
        await pilot.press("escape")
        await settle(pilot)
        return opened, app.feed.detail_ref

    assert drive(app, scenario) == ("1177-000002", None)


def test_the_clock_is_looked_at_on_each_pulse_and_at_each_minute(clinic, app_for, monkeypatch):
    """The frozen clock's tests move the minute by hand (BccApp._look_at_clock); the two timers
    that do it in use call it."""
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        looked = []
        monkeypatch.setattr(app, "_look_at_clock", lambda: looked.append(1))
        app._pulse_at.cancel()
        app._pulse()
        app._minute_at.cancel()
        app._on_minute()
        return len(looked)

    assert drive(app, scenario) == 2
