"""Finding 6: the audit screen's details in Swedish, with people's names, using the width."""

from __future__ import annotations

from textual.widgets import DataTable

from bcc_tui.ui.screens.audit import detail_text
from tests.ui.conftest import drive, settle
from tests.ui.test_snapshots import ROLE_PEOPLE, app_on

NAMES = {"magfor": "Magnus Forsberg", "johwes": "Johanna Westin"}


def test_details_read_as_swedish_with_names():
    assert detail_text("från magfor till johwes (Johanna Westin)", NAMES) == (
        "från Magnus Forsberg till Johanna Westin"
    )
    said = detail_text('{"user": null, "from": null, "to": null, "rows": 12}', NAMES)
    assert said == "rader 12"
    assert (
        detail_text('{"view": "dashboard", "filter": "Hugo"}', NAMES) == "vy instrumentpanelen, filter Hugo"
    )
    assert detail_text('{"from": "magfor", "items": 5, "done": 2, "note": true}', NAMES) == (
        "från Magnus Forsberg, ärenden 5, avklarade 2, anteckning ja"
    )
    assert detail_text("anteckning (12 tecken)", NAMES) == "anteckning (12 tecken)"


def test_the_details_use_the_width(demo_db):
    app = app_on(demo_db, ROLE_PEOPLE["auditor"])

    async def scenario(pilot):
        await settle(pilot)
        table = app.screen.query_one("#audit-table", DataTable)
        detail = next(c for c in table.columns.values() if c.key.value == "detail")
        cells = [table.get_cell_at((row, len(table.columns) - 1)).plain for row in range(table.row_count)]
        return detail.width, cells

    width, cells = drive(app, scenario, size=(200, 50))
    assert width >= 100
    assert cells and not [c for c in cells if c.startswith("{")], cells[:5]
