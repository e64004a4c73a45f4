"""What one change costs a dashboard in frames and lines (issue 31): every frame is the whole
chain of compositor, narrowing and terminal, on each of a hundred dashboards."""

from __future__ import annotations

import asyncio

import pytest
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from bcc_tui.services import errands, intake
from bcc_tui.ui import render
from bcc_tui.ui import textual_compat as compat
from bcc_tui.ui.widgets.errand_table import ErrandTable
from tests.conftest import errand_line, jsonl
from tests.ui.conftest import ctx_for, drive
from tests.ui.test_live import wait_for

# What reaches a terminal, frame by frame: every frame is composed (tests/ui/conftest.py).
pytestmark = pytest.mark.frames


def _lines(renderable) -> set[int]:
    """The screen lines a frame repaints."""
    if isinstance(renderable, compat.ChopsUpdate):
        return {y for y, _, _ in renderable.spans}
    return set(range(renderable.region.y, renderable.region.bottom))


def _long_panes(clinic, app_for, system):
    """A receiver's dashboard whose open panes are both longer than their room: a change moves no
    pane's edge."""
    lines = [errand_line(f"1177-1{i:05d}", received_at="2026-11-24T09:00:00+01:00") for i in range(90)]
    assert intake.import_errands(system, jsonl(*lines)).ok
    receiver = ctx_for(clinic, "rec2", system.clock)
    for i in range(20):
        errands.assign(receiver, f"1177-1{i:05d}", "doc2")
    return app_for(clinic, "rec1")


def test_a_row_leaving_a_long_pane_is_drawn_in_one_frame(clinic, app_for, system):
    """A row out of a pane that scrolls changes the table's length: Textual's layout repaints the
    table with its scrollbar, then asked the scrollbar to repaint again, alone, in a frame of its
    own (ErrandTable._scroll_update)."""
    app = _long_panes(clinic, app_for, system)
    frames: list[set[int]] = []
    compat.watch_frames(app, lambda screen, r: frames.append(_lines(r)) if r is not None else None)

    async def scenario(pilot):
        table = app.screen.query_one("#table-unassigned", ErrandTable)
        assert table.vertical_scrollbar.display  # a pane longer than it is tall
        top = table.order[0]
        await pilot.pause(0.3)
        frames.clear()
        errands.assign(ctx_for(clinic, "rec2", app.ctx.clock), top, "doc1")
        await wait_for(pilot, lambda: top not in table.order)
        await pilot.pause(0.5)  # a second frame, if any, comes within a few milliseconds
        return table.region

    region = drive(app, scenario)
    drawn = [f for f in frames if f & set(range(region.y, region.bottom))]
    assert len(drawn) == 1, str([sorted(f) for f in frames])


def test_rows_in_and_out_of_long_panes_lay_nothing_out(clinic, app_for, system):
    """A row out of a pane that scrolls and into another that scrolls changes only the tables'
    lengths and their scrollbars: no layout of the screen (each cost every receiver's dashboard a
    few milliseconds at each assignment, and at each change that moved a row off the page)."""
    app = _long_panes(clinic, app_for, system)
    layouts: list[object] = []

    async def scenario(pilot):
        unassigned = app.screen.query_one("#table-unassigned", ErrandTable)
        assigned = app.screen.query_one("#table-assigned", ErrandTable)
        assert unassigned.vertical_scrollbar.display and assigned.vertical_scrollbar.display
        await pilot.pause(0.3)
        app.screen.screen_layout_refresh_signal.subscribe(app.screen, layouts.append)
        top = unassigned.order[0]
        errands.assign(ctx_for(clinic, "rec2", app.ctx.clock), top, "doc1")
        await wait_for(pilot, lambda: top not in unassigned.order and top in assigned.order)
        await pilot.pause(0.5)
        bars = [
            (t.virtual_size.height, t.vertical_scrollbar.window_virtual_size, t.row_count + 1)
            for t in (unassigned, assigned)
        ]
        return bars

    bars = drive(app, scenario)
    assert layouts == []
    for virtual, scrollbar, rows_and_header in bars:
        assert virtual == scrollbar == rows_and_header  # the scrollbars know the new lengths


def test_a_new_title_repaints_the_title_line_only():
    """Setting Textual's border_title repaints every line of the widget; a pane's count changes
    at most changes, and its rows were drawn again with it (compat.set_border_title)."""
    frames: list[set[int]] = []

    class Boxed(App):
        def compose(self) -> ComposeResult:
            with Vertical(id="box") as box:
                box.styles.border = ("round", "white")
                box.border_title = "Ofördelade (3)"
                yield Static("\n".join(f"rad {i}" for i in range(10)))

    async def main() -> tuple[set[int], int, str]:
        app = Boxed()
        async with app.run_test(size=(40, 16)) as pilot:
            await pilot.pause()
            compat.watch_frames(app, lambda screen, r: frames.append(_lines(r)) if r is not None else None)
            box = app.query_one("#box")
            compat.set_border_title(box, render.plain("Ofördelade (2)"))
            await pilot.pause(0.2)
            return set().union(*frames), box.region.y, compat.border_title(box)

    repainted, top, title = asyncio.run(main())
    assert title == "Ofördelade (2)"
    assert repainted == {top}


def test_a_change_draws_no_header_again(clinic, app_for, system, monkeypatch):
    """DataTable draws its header again, label by label through Rich, at any change of a row;
    the tables keep it while its labels and look stay (ErrandTable._header_line)."""
    from textual.widgets import DataTable

    app = app_for(clinic, "rec1")
    drawn: list[int] = []
    draw = DataTable._render_line

    def counting(self, y, x1, x2, base_style):
        try:
            header = self._get_offsets(y)[0] not in self._row_locations
        except (LookupError, IndexError):  # past the last row (IndexError: Textual's own)
            header = False
        if header:
            drawn.append(y)
        return draw(self, y, x1, x2, base_style)

    monkeypatch.setattr(DataTable, "_render_line", counting)

    async def scenario(pilot):
        table = app.screen.query_one("#table-unassigned", ErrandTable)
        top = table.order[0]
        await pilot.pause(0.2)
        drawn.clear()
        errands.assign(ctx_for(clinic, "rec2", app.ctx.clock), top, "doc1")
        await wait_for(pilot, lambda: top not in table.order)
        await pilot.pause(0.3)
        return len(drawn)

    assert drive(app, scenario) == 0


def test_ages_turn_with_the_clock_at_the_minute():
    """An age counts whole minutes of the clock: an errand in at 08:03:40 is 13 minutes old at
    08:16:00, when the header says 08:16 (before, at 08:16:40: each row turned at a second of its
    own, and an idle dashboard wrote between two minutes)."""
    import datetime as dt

    since = dt.datetime(2026, 11, 25, 8, 3, 40, tzinfo=dt.UTC)
    at = dt.datetime(2026, 11, 25, 8, 16, 0, tzinfo=dt.UTC)
    assert render.age(since, at) == "13 min"
    assert render.age(since, at + dt.timedelta(seconds=59)) == "13 min"
    assert render.age(since, at - dt.timedelta(seconds=1)) == "12 min"
    assert render.age(since, since + dt.timedelta(hours=2, seconds=25)) == "2 h"
    assert render.age(since, since - dt.timedelta(minutes=5)) == "0 min"  # a clock a little behind


def test_an_idle_dashboard_draws_nothing_between_two_minutes(clinic, app_for, system):
    """Between two minutes nothing on screen may change, so nothing is drawn; at the minute the
    clock and the ages turn together (BccApp._look_at_clock)."""
    from bcc_tui.services.clock import FixedClock
    from tests.conftest import NOW

    fresh = errand_line("1177-000099", received_at="2026-11-25T09:55:00+01:00")  # 5 min before NOW
    assert intake.import_errands(system, jsonl(fresh)).ok
    clock = FixedClock(NOW)
    app = app_for(clinic, "rec1", clock=clock)
    frames: list[set[int]] = []
    compat.watch_frames(app, lambda screen, r: frames.append(_lines(r)) if r is not None else None)

    async def scenario(pilot):
        table = app.screen.query_one("#table-unassigned", ErrandTable)
        age = lambda: str(table.get_cell("1177-000099", "age"))  # noqa: E731
        before = age()
        await pilot.pause(0.2)
        frames.clear()
        for _ in range(5):  # ten seconds apart, within the minute: nothing turns
            clock.advance(seconds=10)
            app._look_at_clock()
            await pilot.pause(0.05)
        within = len(frames), age()
        clock.advance(seconds=10)  # the minute
        app._look_at_clock()
        await pilot.pause(0.1)
        return before, within, age()

    before, (drawn, within), after = drive(app, scenario)
    assert drawn == 0 and within == before == "5 min"
    assert after == "6 min"


def test_a_one_line_cell_is_drawn_as_datatable_draws_it(clinic, app_for):
    """ErrandTable draws a one-line Text cell itself, without Rich's renderers (issue 31: the
    first paint's cells); each such cell's segments are DataTable's own, in every look (cursor,
    pointer, focus), the empty cells and a marked row's spans included."""
    from itertools import product

    from rich.style import Style
    from textual.widgets import DataTable

    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        fast = slow = 0
        for table in app.screen.query(ErrandTable):
            if table.pane == "unassigned":
                table.toggle_mark()
            widths = [column.get_render_width(table) for column in table.ordered_columns]
            for row, column, cursor, hover, focus in product(
                range(table.row_count), range(len(widths)), *[(False, True)] * 3
            ):
                base = table.rich_style + Style(bgcolor="red") if focus else table.rich_style
                row_key = table._row_locations.get_key(row)
                column_key = table._column_locations.get_key(column)
                args = (row, column, base, widths[column], cursor, hover)
                mine = table._plain_cell(row_key, column_key, *args)
                if mine is None:
                    slow += 1
                    continue
                fast += 1
                assert mine == DataTable._render_cell(table, *args), (table.pane, row, column)
        return fast, slow

    fast, slow = drive(app, scenario)
    assert fast > 10 * slow


def test_a_row_into_a_short_pane_is_drawn_in_one_frame(clinic, app_for, as_, monkeypatch):
    """A short pane's height is fitted to its rows (DashboardScreen.fit). A row in was laid out and
    drawn twice: the pane's frame, whose content had grown, asked Textual for a layout of its own
    after the one that placed it (PaneBox)."""
    from bcc_tui.ui.widgets.announcement import Announcement

    monkeypatch.setattr(Announcement, "add", lambda self, text, reminder: None)  # R23's box apart
    app = app_for(clinic, "doc1")
    frames: list[set[int]] = []
    compat.watch_frames(app, lambda screen, r: frames.append(_lines(r)) if r is not None else None)
    rec2 = ctx_for(clinic, "rec2", as_("rec2").clock)

    async def scenario(pilot):
        table = app.screen.query_one("#table-assigned", ErrandTable)
        await pilot.pause(0.3)
        drawn = []
        for ref in ("1177-000001", "1177-000002"):
            frames.clear()
            errands.assign(rec2, ref, "doc1")
            await wait_for(pilot, lambda r=ref: r in table.order)
            await pilot.pause(0.5)
            drawn.append(len(frames))
        return drawn, table.vertical_scrollbar.display

    drawn, scrolls = drive(app, scenario, size=(120, 40))
    assert not scrolls  # a short pane: it grows with its rows
    assert drawn == [1, 1]
