"""Issue 16: help's colour words match the colours the panes are drawn in (it once said "gult" for
what the terminal shows orange)."""

from __future__ import annotations

import colorsys
import html
import re
from collections import Counter

from bcc_tui.domain import business_days as bd
from bcc_tui.ui import render
from bcc_tui.ui.screens.help import ROUTINE
from tests.ui.conftest import drive, settle
from tests.ui.test_snapshots import app_on

HUES = {"grönt": (75, 165), "orange": (20, 45), "gult": (45, 70), "rött": (-30, 15)}


def _hue_word(hex_colour: str) -> str | None:
    r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4))
    h, _, s = colorsys.rgb_to_hls(r, g, b)
    degrees = h * 360 if h * 360 <= 330 else h * 360 - 360  # a crimson red counts as red
    if s < 0.3:
        return None
    return next((word for word, (lo, hi) in HUES.items() if lo <= degrees < hi), None)


def _colours_by_text(svg: str) -> dict[str, Counter]:
    styles = dict(re.findall(r"\.(terminal-[\w-]*r\d+) \{ ([^}]*) \}", svg))
    out: dict[str, Counter] = {}
    for cls, raw in re.findall(r'<text class="([^"]*)"[^>]*>(.*?)</text>', svg):
        fill = re.search(r"fill: #([0-9a-f]{6})", styles.get(cls, ""))
        if fill:
            out.setdefault(html.unescape(raw).replace("\xa0", " ").strip(), Counter())[fill.group(1)] += 1
    return out


def test_help_names_the_colours_the_levels_are_drawn_in(demo_db):
    app = app_on(demo_db)

    async def scenario(pilot):
        await settle(pilot)
        return app.export_screenshot(), app.last_data.open + app.last_data.closed, app.ctx.now()

    svg, rows, now = drive(app, scenario, size=(120, 40))
    colours = _colours_by_text(svg)
    seen: dict[str, set[str | None]] = {}
    for s in rows:
        words = render.sla_cell(s, now).plain.strip()
        level = bd.countdown(s.due_date, bd.local_date(now), s.first_response_on).level
        if words in colours and level in (bd.OK, bd.DUE_SOON, bd.MET, bd.BREACHED):
            # Grey is the highlighted row's own colour: not a level's.
            hues = {_hue_word(c) for c in colours[words]} - {None}
            seen.setdefault(level, set()).update(hues)
    line = next(line for line in ROUTINE.splitlines() if "Tid kvar" in line)
    line += " " + ROUTINE.splitlines()[ROUTINE.splitlines().index(line) + 1]
    assert {bd.DUE_SOON, bd.MET, bd.BREACHED} <= set(seen), seen
    # What help says, per level, against what the screen shows.
    assert seen[bd.DUE_SOON] == {"orange"} and "orange = idag eller nästa vardag" in line
    assert seen[bd.MET] == {"grönt"} and "grönt = gott om tid" in line
    assert seen.get(bd.OK, {"grönt"}) == {"grönt"}
    assert seen[bd.BREACHED] == {"rött"} and "rött = försenat" in line
    assert "on red" in render.LEVEL_STYLE[bd.OVERDUE]  # overdue: white on red


def test_help_draws_its_tables_once_for_its_width(demo_db, monkeypatch):
    """Textual measured and drew the help's Rich tables again on every layout and frame (a fifth
    of opening help, more while scrolling it); they are drawn once for the screen's width."""
    from rich.table import Table

    from tests.ui.conftest import drive, settle
    from tests.ui.test_snapshots import app_on

    drawn: list[int] = []
    draw = Table.__rich_console__

    def counting(self, console, options):
        drawn.append(options.max_width)
        return draw(self, console, options)

    monkeypatch.setattr(Table, "__rich_console__", counting)
    app = app_on(demo_db)

    async def scenario(pilot):
        await pilot.press("question_mark")
        await settle(pilot)
        drawn.clear()  # what opening drew; now only scrolling
        for _ in range(3):
            await pilot.press("pagedown")
            await settle(pilot)
        return type(app.screen).__name__

    assert drive(app, scenario) == "HelpScreen"
    assert drawn == []
