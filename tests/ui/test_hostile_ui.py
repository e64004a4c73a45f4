"""Nothing typed or stored is markup, and no unforeseen error shows a traceback (issue 11)."""

import asyncio
import datetime as dt
import os
import stat

import pytest

from bcc_tui.services import clinic as clinic_svc
from bcc_tui.services import intake
from bcc_tui.ui import textual_compat as compat
from bcc_tui.ui.textual_compat import notifications
from bcc_tui.ui.widgets.errand_table import ErrandTable
from bcc_tui.ui.widgets.header import HeaderBar
from tests.conftest import errand_line, jsonl
from tests.ui.conftest import drive, settle

# Hostile text must draw: every frame is composed, as on a terminal (tests/ui/conftest.py).
pytestmark = pytest.mark.frames

MARKUP = ["[/]", "[/b]", "[bold]", "[@click=app.quit]x[/]", "[link=https://evil.example]l[/link]", "[OBS]"]


def toasts(app) -> list[str]:
    """The toasts' texts; every one is plain (a markup toast would crash when drawn)."""
    assert all(n.markup is False for n in notifications(app))
    return [str(n.message) + "|" + str(n.title) for n in notifications(app)]


def test_any_filter_is_shown_literally_and_survives(clinic, app_for):
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        titles = []
        for typed in MARKUP:  # one after the other in one dashboard, each typed into an empty box
            await pilot.press("slash")
            app.screen.query_one("#filter").value = ""
            await pilot.press(*typed, "enter")
            await settle(pilot)
            box = app.screen.query_one("#pane-unassigned")
            titles.append((app.is_running, compat.border_title(box)))
        return titles

    for typed, (running, title) in zip(MARKUP, drive(app, scenario), strict=True):
        assert running, typed
        assert f"filter: {typed}" in title, typed


async def until_a_toast(pilot) -> None:
    """A notice posted while the dashboard is open is said in a toast once the feed reads it."""
    for _ in range(600):
        if notifications(pilot.app):
            break
        await pilot.pause(0.05)
    await settle(pilot)


def test_a_notice_with_markup_is_shown_literally_in_header_and_toast(clinic, app_for, as_):
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await settle(pilot)
        clinic_svc.post_notice(
            as_("adm"), "[OBS] Test [/b] driftinfo [@click=app.quit]x[/]", dt.date(2026, 11, 25)
        )
        await until_a_toast(pilot)
        header = str(app.screen.query_one(HeaderBar).render())
        return app.is_running, header, toasts(app)

    running, header, shown = drive(app, scenario)
    assert running
    assert "[OBS] Test [/b] driftinfo [@click=app.quit]x[/]" in header
    assert any("[OBS] Test [/b] driftinfo" in t for t in shown)


def test_toasts_are_never_markup_and_carry_no_control_characters(clinic, app_for):
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        app.notify("[/] fel \x1b]0;titel\x07 [bold]", title="[/b]\x1b[2J")
        await pilot.pause()
        return app.is_running, toasts(app)

    running, shown = drive(app, scenario)
    assert running
    assert "[/] fel ]0;titel [bold]|[/b][2J" in shown


def test_a_stored_notice_and_name_longer_than_any_writer_allows_leave_the_screen_its_panes(clinic, app_for):
    """What the database holds is not trusted for length: a notice of 100,000 characters, written
    around its 300-character limit, wrapped the header over the whole screen (no pane, no title
    was left to see) and made a toast as long; a name as long took the header's first line."""
    from bcc_tui.services.clinic import NOTICE_KEY, NOTICE_MAX
    from bcc_tui.store import staff as staff_q
    from bcc_tui.ui.app import TOAST_MAX

    huge = "Driftinfo " + "x" * 100_000
    with clinic.write() as conn:
        conn.execute("UPDATE staff SET name = ? WHERE username = 'rec1'", ("Rita " + "y" * 100_000,))
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await settle(pilot)
        with clinic.write() as conn:  # posted while the dashboard is open: a toast as well
            staff_q.set_setting(conn, NOTICE_KEY, {"text": huge, "until": "2026-11-30", "author": "adm"})
        await until_a_toast(pilot)
        header = app.screen.query_one(HeaderBar)
        pane = app.screen.query_one("#pane-unassigned")
        return header.region.height, pane.region, str(header.render()), toasts(app)

    height, pane, header, shown = drive(app, scenario)
    assert height <= 2 + -(-(NOTICE_MAX + 30) // 78)  # two lines, and the notice cut where it may end
    assert pane.height >= 4 and pane.bottom <= 23  # the first pane and its title are on screen
    assert "Driftinfo xxx" in header and "x" * (NOTICE_MAX + 1) not in header and "Rita yyy" in header
    assert shown and all(len(t) <= TOAST_MAX + 200 for t in shown) and any("Driftinfo" in t for t in shown)


def test_names_and_refs_with_markup_in_tables_and_titles(system, store, app_for):
    intake.import_errands(
        system,
        jsonl(
            errand_line("1177-000042", patient={"name": "[/] [bold]Elsa", "personnummer": "20150315-1233"})
        ),
    )
    app = app_for(store, "rec1")

    async def scenario(pilot):
        table = app.screen.query_one("#table-unassigned", ErrandTable)
        patient = (
            [str(table.get_cell(ref, "patient")) for ref in table.order]
            if app.screen.size.width >= 120
            else []
        )
        await pilot.press("enter")
        await settle(pilot)
        return app.is_running, patient, app.screen.border_title

    running, patient, title = drive(app, scenario, size=(140, 40))
    assert running
    assert "[/] [bold]Elsa" in patient
    assert title is not None and "1177-000042" in title


def test_an_unforeseen_error_ends_in_one_line_and_a_private_report(clinic, app_for, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    app = app_for(clinic, "rec1")

    def boom():
        secret = "Elsa Andersson 20150315-1233"  # noqa: F841 - a local that must not be printed
        raise RuntimeError("patient Elsa Andersson 20150315-1233")

    async def main():
        with pytest.raises(RuntimeError):
            async with app.run_test() as pilot:
                await settle(pilot)
                app.call_later(boom)
                await pilot.pause()
                await pilot.pause()

    asyncio.run(main())
    assert app.crash_line and "Felrapporten finns i" in app.crash_line
    assert app.return_code == 1
    reports = list((tmp_path / "state" / "bcc-tui").iterdir())
    assert len(reports) == 1
    assert stat.S_IMODE(os.stat(reports[0]).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(reports[0].parent).st_mode) == 0o700
    text = reports[0].read_text()
    assert "RuntimeError" in text and "boom" in text
    assert "Elsa" not in text and "20150315" not in text
    assert str(reports[0]) in app.crash_line
    # Textual's own report (with locals) is never queued for printing.
    assert not compat.exit_renderables(app)


def test_a_failed_worker_is_reported_with_the_workers_own_frames(clinic, app_for, tmp_path, monkeypatch):
    """Textual wraps a worker's exception in WorkerFailed without chaining it; the report must
    still say where it happened, or nobody can find the fault."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    app = app_for(clinic, "rec1")

    def fetch_that_fails():
        raise LookupError("patient Elsa Andersson 20150315-1233")

    async def main():
        with pytest.raises(Exception):  # noqa: B017 - run_test re-raises whatever ended the app
            async with app.run_test() as pilot:
                await settle(pilot)
                app.run_worker(fetch_that_fails, thread=True)
                await pilot.pause(0.2)
                await pilot.pause()

    asyncio.run(main())
    text = next((tmp_path / "state" / "bcc-tui").iterdir()).read_text()
    assert "textual.worker.WorkerFailed" in text
    assert "LookupError" in text and "fetch_that_fails" in text
    assert "Elsa" not in text and "20150315" not in text
