"""Finding 7: the subject column takes the width the others leave; an absent holder reads as a
name with its flag, not 'frånv. E. St'."""

from __future__ import annotations

import pytest

from tests.ui.conftest import demo_receiver, drive, settle


def _table(app):
    return app.screen.query_one("#table-assigned")


@pytest.mark.parametrize(("size", "least"), [((200, 50), 27), ((170, 40), 45)])
def test_the_subject_takes_the_spare_width(demo_db, app_for, size, least):
    app = app_for(demo_db, demo_receiver(demo_db))

    async def scenario(pilot):
        await settle(pilot)
        table = _table(app)
        width = sum(c.get_render_width(table) for c in table.columns.values())
        subject = next(c for c in table.columns.values() if c.key.value == "subject")
        return subject.width, width, table.scrollable_content_region.width

    subject, used, room = drive(app, scenario, size=size)
    assert subject >= least
    assert room - 1 <= used <= room  # filled to the edge (less a scrollbar), never past it


@pytest.mark.parametrize(("size", "shown"), [((200, 50), "E. Ström (frånv.)"), ((80, 24), "frånv. Ström")])
def test_an_absent_holder_keeps_name_and_flag(demo_db, app_for, size, shown):
    app = app_for(demo_db, demo_receiver(demo_db))

    async def scenario(pilot):
        await settle(pilot)
        table = _table(app)
        cells = [table.get_cell(ref, "who").plain for ref in table.order]
        return cells

    cells = drive(app, scenario, size=size)
    assert shown in cells, cells
