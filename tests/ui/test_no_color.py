"""Finding 16: under NO_COLOR an urgent '!' (red) and an overdue pane's title turned dark grey on
dark grey; the dashboard's filter keeps Textual's greys but lifts a text too close to its ground."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.color import Color

from bcc_tui.ui import render
from bcc_tui.ui import textual_compat as compat
from tests.ui.conftest import drive, settle
from tests.ui.test_snapshots import app_on

DARK_ROW = Color(39, 39, 39)


def _contrast(segment: Segment, background: Color) -> float:
    style = segment.style or Style()
    fg = Color.from_rich_color(style.color)
    bg = Color.from_rich_color(style.bgcolor) if style.bgcolor else background
    return abs(fg.brightness - bg.brightness)


def test_red_on_dark_is_lifted_and_borders_keep_their_grey():
    out = render.KeepContrast().apply(
        [
            Segment("!", Style.parse("bold red")),
            Segment("──", Style.parse("#303030")),
            Segment("idag", Style.parse("#e0e0e0")),
        ],
        DARK_ROW,
    )
    urgent, border, plain = out
    assert _contrast(urgent, DARK_ROW) >= render.MIN_CONTRAST and urgent.style.bold
    assert border.style.color.name == "#303030"  # a border keeps its grey: it shows which pane has focus
    assert plain.style.color.name == "#e0e0e0"  # readable already: untouched


def test_the_app_uses_it_under_no_color(demo_db, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = app_on(demo_db)

    async def scenario(pilot):
        await settle(pilot)
        return [type(f).__name__ for f in compat.line_filters(app)]

    assert "KeepContrast" in drive(app, scenario)
