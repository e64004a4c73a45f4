"""Offboarding ends access (issue 18): an open dashboard of a person set inactive, or whose roles
changed, closes with a plain message on its next poll — also with a form open."""

import asyncio

import pytest

from bcc_tui.services import people
from bcc_tui.services.context import Ctx
from bcc_tui.store.db import Store
from tests.conftest import STAFF, jsonl


def _with(username, **change):
    return [dict(p, **change) if p["username"] == username else p for p in STAFF]


async def _until(predicate, seconds=20.0):
    for _ in range(int(seconds / 0.05)):
        if predicate():
            return True
        await asyncio.sleep(0.05)
    return False


def _staff_import(system, db_path, lines):
    other = Store(db_path)  # the administrator's staff import: another connection
    try:
        report = people.import_staff(Ctx(other, system.actor, system.clock), jsonl(*lines))
        assert report.ok, report.rejected
    finally:
        other.close()


def _run(app, scenario):
    """The app runs as it does for a person (headless), and ends by itself, not by the test."""

    async def main():
        task = asyncio.create_task(app.run_async(headless=True, size=(100, 30)))
        assert await _until(lambda: app.loads >= 1)
        await scenario()
        return await asyncio.wait_for(task, 20)

    return asyncio.run(main())


@pytest.mark.parametrize(
    "change, words",
    [
        ({"active": False}, "inte längre aktiv"),
        ({"roles": ["caregiver"]}, "behörighet"),
    ],
)
@pytest.mark.parametrize("form", [False, True])
def test_the_open_dashboard_closes_when_access_ends(
    clinic, system, db_path, app_for, change, words, form, capfd
):
    app = app_for(clinic, "rec2")

    async def scenario():
        if form:
            app.call_later(app.action_note)  # a note form open on the selected errand
            assert await _until(lambda: app.form_open)
        await asyncio.sleep(0.3)
        assert app.return_code is None
        _staff_import(system, db_path, _with("rec2", **change))

    _run(app, scenario)
    assert app.return_code == 1
    assert words in capfd.readouterr().err  # the plain line the person sees as the session ends


def test_an_unrelated_change_leaves_the_dashboard_open(clinic, system, db_path, app_for):
    app = app_for(clinic, "rec2")
    seen = {}

    async def scenario():
        loads = app.loads
        _staff_import(system, db_path, _with("doc2", active=False))
        assert await _until(lambda: app.loads > loads)  # the change was seen and loaded
        await asyncio.sleep(0.5)
        seen["code"] = app.return_code
        app.exit()

    _run(app, scenario)
    assert seen["code"] is None
    assert app.return_code == 0
