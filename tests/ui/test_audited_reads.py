"""No unaudited read (issue 12.6): while another process holds the write lock, the audit row of a
list or a view cannot be written, so nothing of it is shown — the person is told the database is
busy and the read is tried again; once the lock is gone the row is written and the data shown."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from bcc_tui.cli import main
from bcc_tui.ui.app import BUSY_RETRY
from bcc_tui.ui.screens.errand import ErrandScreen
from bcc_tui.ui.textual_compat import notifications
from tests.ui.conftest import settle

SHORT = 0.2  # seconds: the busy timeout of every connection in these tests


@pytest.fixture
def held(clinic, monkeypatch):
    """A second connection that can hold the write lock; every store here gives up after SHORT."""
    monkeypatch.setenv("BCC_BUSY_TIMEOUT", str(SHORT))
    clinic.busy_timeout = SHORT
    clinic.conn.execute(f"PRAGMA busy_timeout = {int(SHORT * 1000)}")
    holder = sqlite3.connect(clinic.path, isolation_level=None)
    yield holder
    if holder.in_transaction:
        holder.execute("ROLLBACK")
    holder.close()


def run(app, scenario, size=(120, 30)):
    """Like drive(), without waiting for workers first: while the database is busy the loader
    is tried again and again, so there is no moment when all workers are done."""

    async def main():
        async with app.run_test(size=size) as pilot:
            return await scenario(pilot)

    return asyncio.run(main())


def rows(store, action: str) -> list[tuple]:
    return store.conn.execute(
        "SELECT actor, detail FROM audit WHERE action = ? ORDER BY id", (action,)
    ).fetchall()


async def until(pilot, condition, tries: int = 200) -> bool:
    for _ in range(tries):
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


def screen_text(app) -> str:
    return app.export_screenshot()


def busy_told(app) -> bool:
    return any("upptagen, försöker igen" in n.message for n in notifications(app))


def test_the_dashboard_shows_no_patient_until_its_list_is_logged(clinic, held, app_for, monkeypatch):
    held.execute("BEGIN IMMEDIATE")
    app = app_for(clinic, "rec1")
    # Tried again soon, not at the next fallback poll: a rollback writes nothing the kernel would
    # wake the dashboard for. The next look's delay, as each refused read sets it.
    delays = []
    again = app.look_again_soon

    def look_again_soon():
        again()
        delays.append(app._pulse_at.when() - asyncio.get_running_loop().time())

    monkeypatch.setattr(app, "look_again_soon", look_again_soon)

    async def scenario(pilot):
        assert await until(pilot, lambda: busy_told(app))
        before = (app.last_data, "Karlsson" in screen_text(app), len(rows(clinic, "list")))
        assert delays and max(delays) <= BUSY_RETRY
        held.execute("ROLLBACK")
        assert await until(pilot, lambda: app.last_data is not None)
        await pilot.pause(0.1)
        return before, "Karlsson" in screen_text(app)

    (data, shown, logged), shown_after = run(app, scenario)
    assert data is None and not shown and logged == 0
    assert shown_after
    assert [actor for actor, _ in rows(clinic, "list")] == ["rec1"]


def test_a_filter_shows_its_result_only_after_its_search_is_logged(clinic, held, app_for):
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await settle(pilot)
        loads = app.loads
        held.execute("BEGIN IMMEDIATE")
        app.set_filter("Hugo")
        assert await until(pilot, lambda: busy_told(app))
        before = (app.loads == loads, rows(clinic, "search"))
        held.execute("ROLLBACK")
        assert await until(pilot, lambda: app.loads > loads)
        return before

    unchanged, searched = run(app, scenario)
    assert unchanged and searched == []
    assert [(a, '"filter": "Hugo"' in d) for a, d in rows(clinic, "search")] == [("rec1", True)]


def test_an_errand_opens_only_after_its_view_is_logged(clinic, held, app_for):
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await settle(pilot)
        held.execute("BEGIN IMMEDIATE")
        app.open_errand("1177-000002")
        # The view's read runs in a worker (issue 30): it says the database is busy once its
        # audit row could not be written, and nothing of the errand is shown meanwhile.
        assert await until(pilot, lambda: busy_told(app))
        before = (isinstance(app.screen, ErrandScreen), busy_told(app), rows(clinic, "view"))
        held.execute("ROLLBACK")
        assert await until(pilot, lambda: isinstance(app.screen, ErrandScreen))
        await settle(pilot)  # the reload the view's own row set off, before the app closes
        return before, app.screen.detail.summary.patient_name

    (opened, told, viewed), name = run(app, scenario)
    assert not opened and told and viewed == []
    assert name == "Hugo Karlsson"
    assert [actor for actor, _ in rows(clinic, "view")] == ["rec1"]


@pytest.mark.parametrize("argv", [["list"], ["list", "--json"], ["show", "1177-000002"]])
def test_cli_list_and_show_refuse_while_busy(clinic, held, argv, monkeypatch, capsys):
    monkeypatch.setenv("BCC_NOW", "2026-11-25T10:00:00+01:00")
    held.execute("BEGIN IMMEDIATE")
    assert main(["--db", str(clinic.path), "--as", "rec1", *argv]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "upptagen" in err and err.count("\n") == 1
    held.execute("ROLLBACK")
    assert rows(clinic, "list") == [] and rows(clinic, "view") == []


def test_a_filter_settled_on_while_the_database_is_busy_is_logged_once_it_is_free(
    clinic, held, app_for, monkeypatch
):
    """Issue 27: the panes follow the keys (a read, no row); when typing rests, the search is owed.
    A busy database delays that row — the person is told, and it is written once the lock is gone."""
    from bcc_tui.ui import feed

    monkeypatch.setattr(feed, "SETTLED", 0.2)
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await settle(pilot)
        held.execute("BEGIN IMMEDIATE")
        await pilot.press("slash")
        # Typed in one go: on a loaded machine keys can come further apart than SETTLED.
        app.screen.query_one("#filter").value = "Hugo"
        assert await until(pilot, lambda: busy_told(app))
        before = rows(clinic, "search")
        held.execute("ROLLBACK")
        assert await until(pilot, lambda: len(rows(clinic, "search")) == 1)
        await settle(pilot)  # the reads under way write nothing more
        return before, app.screen.query_one("#table-unassigned").order

    before, shown = run(app, scenario)
    assert before == [] and list(shown) == ["1177-000002"]
    assert [(a, '"filter": "Hugo"' in d) for a, d in rows(clinic, "search")] == [("rec1", True)]
