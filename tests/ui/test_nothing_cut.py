"""Issue 29, R32: nothing is cut mid-word at any supported size, for each role. Every cell of
every table on the first screen fits its column (free text aside: a subject, a patient's name,
an audit row's details, which end where their column does), and every key in the footer is whole
or absent."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.widgets import DataTable

from bcc_tui.ui.textual_compat import FooterKey
from tests.ui.conftest import drive, settle
from tests.ui.test_snapshots import app_on

SIZES = [(60, 20), (80, 24), (120, 40), (200, 50)]
ROLES = {"receiver": None, "caregiver": "erilin", "admin": "lenwal", "auditor": "gunbjo"}
FREE_TEXT = {"Ämne", "Patient", "Detaljer", "Meddelande"}


def _cut(app) -> list[str]:
    found = []
    width = app.size.width
    for table in app.screen.query(DataTable):
        columns = list(table.columns.values())
        for row in range(table.row_count):
            for column, cell in zip(columns, table.get_row_at(row), strict=False):
                label = str(column.label)
                text = cell if isinstance(cell, Text) else Text(str(cell))
                if label in FREE_TEXT or column.auto_width:
                    continue
                if text.cell_len > column.width:
                    found.append(f"{table.id} {label!r}: {text.plain!r} in {column.width}")
    for table in app.screen.query("#audit-table"):
        # The log is wider than a pane: its columns are whole or absent, never cut at the edge.
        wide = sum(c.get_render_width(table) for c in table.columns.values())
        if wide > table.size.width:
            found.append(f"audit-table {wide} cells wide in {table.size.width}")
    for key in app.screen.query(FooterKey):
        if key.display and key.region.width and key.region.right > width:
            found.append(f"footer key {key.key!r} cut at the edge")
    return found


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("role", list(ROLES))
def test_no_word_is_cut_on_the_first_screen(demo_db, role, size):
    app = app_on(demo_db, ROLES[role])

    async def scenario(pilot):
        await settle(pilot)
        return _cut(pilot.app)

    assert drive(app, scenario, size=size) == []


@pytest.mark.parametrize("size", [(60, 20), (80, 24)], ids=["60x20", "80x24"])
def test_the_handover_list_keeps_the_holder_whole_where_it_is_narrow(demo_db, size):
    """Issue 29: at 60×20 the handover list hid the holder behind '…'. Narrow, a row gives up the
    day it came and then its type (for every row alike), and the holder stays whole."""
    from textual.widgets import OptionList

    from bcc_tui.ui import render

    app = app_on(demo_db)

    async def scenario(pilot):
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        screen = pilot.app.screen
        rows = [str(o.prompt) for o in screen.query_one(OptionList).options]
        held = [
            (item.summary.ref, item.summary.assignee) for item in screen._h.items if item.summary.assignee
        ]
        return rows, held, screen._h.names

    rows, held, names = drive(app, scenario, size=size)
    assert held
    for ref, user in held:
        row = next(r for r in rows if ref in r)
        surname = render.person_short(user, names).split(". ")[-1]  # "frånv. Ström" when absent
        assert surname in row and "…" not in row, row


def test_the_receivers_footer_keeps_every_errand_key_at_80_columns(demo_db):
    """The footer uses the glossary's short forms ("Utan svar", "Anteckning") where the names are
    long, so at 80 columns no errand key is hidden for want of room."""
    app = app_on(demo_db)

    async def scenario(pilot):
        await settle(pilot)
        shown = [k.key for k in pilot.app.screen.query(FooterKey) if k.display]
        return shown

    shown = drive(app, scenario, size=(80, 24))
    assert {"a", "p", "x", "n"} <= set(shown), shown
