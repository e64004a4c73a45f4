"""Issue 16, done when: at 60×20, 80×24, 120×40 and 200×50 each role's main screen keeps what is
essential — the header names today's receiver and the top doctor, every pane its title and count,
the footer help and quit, first. The snapshot of the same run shows the rest."""

from __future__ import annotations

import re

import pytest

from tests.ui.conftest import drive, settle, visible_keys
from tests.ui.test_layout import screen_text
from tests.ui.test_snapshots import ALL_SIZES, ROLE_PEOPLE, app_on, steps


def _screen_lines(app) -> list[str]:
    """The screen as lines of text (the screenshot's text runs grouped by their row)."""
    import html

    rows: dict[float, str] = {}
    for y, text in re.findall(r'<text[^>]*\by="([\d.]+)"[^>]*>(.*?)</text>', app.export_screenshot()):
        rows[float(y)] = rows.get(float(y), "") + html.unescape(text).replace("\xa0", " ")
    return [rows[y] for y in sorted(rows) if rows[y] != app.title]  # the window title is no row


CASES = [
    pytest.param(role, size, id=f"{role}-{size[0]}x{size[1]}") for role in ROLE_PEOPLE for size in ALL_SIZES
]


@pytest.mark.parametrize("role, size", CASES)
def test_main(snap_compare, demo_db, role, size):
    """Each role's main screen at each size: what must never be cut, checked by code, and the
    snapshot of the rest — both read from one run of the dashboard."""
    app = app_on(demo_db, ROLE_PEOPLE[role])
    seen = {}

    async def essentials(pilot):
        await steps()(pilot)
        seen["titles"] = [str(b.border_title) for b in app.screen.query(".pane")]
        seen["text"] = screen_text(app)
        seen["keys"] = visible_keys(app)

    matches = snap_compare(app, terminal_size=size, run_before=essentials)
    text, titles, keys = seen["text"], seen["titles"], seen["keys"]
    assert re.search(r"Mottagare( idag)?: (A\.|Anna) Lindqvist", text), text[:300]
    assert re.search(r"Överst( på schemat)?: (M\.|Magnus) Forsberg", text), text[:300]
    # Help and quit first in the footer, so that a narrow terminal cuts other keys, never those.
    assert keys[:2] == ["question_mark", "q"], keys
    if role in ("receiver", "caregiver"):
        wanted = (
            ["Ofördelade", "Fördelade", "Avslutade"] if role == "receiver" else ["Mina ärenden", "Avslutade"]
        )
        assert [t.split(" (")[0] for t in titles] == wanted
        for title in titles:
            assert re.match(r".+ \(\d+\)", title) and title.split(" ·")[0] in text, (title, size)
    if role == "auditor":
        assert "Granskningslogg" in text and "Utfall" in text
    assert matches


@pytest.mark.parametrize("size", [(60, 20), (80, 24)], ids=["60x20", "80x24"])
def test_a_person_with_several_roles_keeps_the_header_on_its_lines(demo_db, size):
    """Eva Sandberg is receiver and admin: where her roles do not fit, they give way before her
    name breaks or the header grows a line."""
    app = app_on(demo_db, "evasan")

    async def scenario(pilot):
        await settle(pilot)
        return _screen_lines(app)

    lines = drive(app, scenario, size=size)
    first = next(i for i, line in enumerate(lines) if "1177" in line)
    assert "Eva Sandberg" in lines[first], lines[first]
    assert not lines[first + 1].strip().startswith(("mottagare", "administratör")), lines[: first + 3]
