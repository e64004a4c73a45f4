"""Finding 7: the subject column takes the width the others leave; an absent holder reads as a
name with its flag, not 'frånv. E. St'."""

from __future__ import annotations

import pytest

from bcc_tui.ui.widgets.errand_table import categories_in
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


def _rendered_refs(table) -> list[str]:
    """The reference column as drawn: each row's cell cut to the column's width."""
    column = next(c for c in table.columns.values() if c.key.value == "ref")
    width = column.get_render_width(table) - 2  # less the cell's padding
    return [table.get_cell(ref, "ref").plain[:width].rstrip() for ref in table.order]


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
def test_a_reference_is_never_cut(system, store, app_for, size):
    """Issue 31, item 3: 1177-0019811 and 1177-0019815 both showed as '1177-001981'. The column is
    as wide as the longest reference on screen, up to the contract's 40."""
    from bcc_tui.services import intake
    from tests.conftest import errand_line, jsonl

    refs = ["1177-0019811", "1177-0019815", "R" + "1234567890" * 3 + "-ABCDEFGH"]  # 12, 12 and 40
    assert len(refs[2]) == 40
    intake.import_errands(system, jsonl(*(errand_line(ref) for ref in refs[:2])))
    app = app_for(store, "rec1")

    async def scenario(pilot):
        await settle(pilot)
        table = app.screen.query_one("#table-unassigned")
        first = _rendered_refs(table)
        # A longer one arrives while the dashboard is open: the column grows with it.
        intake.import_errands(system, jsonl(errand_line(refs[2])))
        for _ in range(100):
            await settle(pilot)
            if len(table.order) == 3:
                break
        return first, _rendered_refs(table), table.current_ref

    first, then, _ = drive(app, scenario, size=size)
    assert sorted(first) == sorted(refs[:2])
    assert sorted(then) == sorted(refs)


@pytest.mark.parametrize(
    "categories, width, shown",
    [
        (("Feber",), 14, "Feber"),
        (("Feber", "Andning"), 14, "Feber, Andning"),
        (("Kramper", "Medvetande"), 14, "Kramper +1"),
        (("Central infart", "Feber"), 14, "2 akuta tecken"),
        (("Feber", "Andning", "Blödning"), 14, "Feber +2"),
        (("Feber", "Andning", "Blödning"), 30, "Feber, Andning, Blödning"),
    ],
)
def test_acute_categories_fit_their_column_in_whole_words(categories, width, shown):
    """The helper's import of 'kramper … svårväckt' showed "Kramper, Medve" at 80×24."""
    assert categories_in(categories, width) == shown
    assert len(shown) <= width
