"""Issue 16, keyboard habits: j/k move in every list, `esc` goes back from every screen, and every
screen's footer keeps help and quit where they can be read, at 60×20 and 80×24."""

from __future__ import annotations

import html
import re

import pytest

from bcc_tui.ui import actions
from bcc_tui.ui.screens.audit import AuditScreen
from bcc_tui.ui.widgets.footer import KeyFooter
from tests.ui.conftest import drive, settle, visible_keys
from tests.ui.test_snapshots import app_on

SMALL = [(60, 20), (80, 24)]


def test_acute_handled_is_on_capital_k_and_clashes_with_nothing():
    acute = next(a for a in actions.ACTIONS if a.id == "acute_handled")
    assert acute.key == "K"
    keyed = [a.key for a in actions.ACTIONS if a.key]
    assert len(keyed) == len(set(keyed))
    assert not {"j", "k", "g", "G"} & set(keyed)  # the lists' own keys
    assert (acute.key_label or acute.key) == "K"  # as help writes it


# For each person, the screens they reach: (keys that open it from their first screen, the screen's
# class, the class esc goes back to). One dashboard per person and size visits them in turn,
# going back to the first screen between two.
SCREENS = {
    "annlin": [
        (("enter",), "ErrandScreen", "DashboardScreen"),
        (("h",), "HandoverScreen", "DashboardScreen"),
        (("s",), "StatsScreen", "DashboardScreen"),
        (("question_mark",), "HelpScreen", "DashboardScreen"),
        (("h", "enter"), "ErrandScreen", "HandoverScreen"),
        (("s", "question_mark"), "HelpScreen", "StatsScreen"),
    ],
    "erilin": [
        (("enter",), "ErrandScreen", "DashboardScreen"),
        (("question_mark",), "HelpScreen", "DashboardScreen"),
    ],
    "lenwal": [(("f3",), "AuditScreen", "AdminScreen")],
    "gunbjo": [(("question_mark",), "HelpScreen", "AuditScreen")],
}


@pytest.mark.parametrize("size", SMALL, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("who", list(SCREENS))
def test_every_screen_keeps_help_and_quit_and_esc_goes_back(demo_db, who, size):
    app = app_on(demo_db, who)

    async def scenario(pilot):
        await settle(pilot)
        first = len(app.screen_stack)
        seen = []
        for keys, _shown, _back in SCREENS[who]:
            await pilot.press(*keys)
            await settle(pilot)
            name = type(app.screen).__name__
            visible = visible_keys(app)
            await pilot.press("escape")
            await settle(pilot)
            seen.append((name, visible, type(app.screen).__name__))
            for _ in range(3):  # back to the first screen for the next
                if len(app.screen_stack) <= first:
                    break
                await pilot.press("escape")
                await settle(pilot)
            assert len(app.screen_stack) == first, keys
        return seen

    seen = drive(app, scenario, size=size)
    for (keys, shown, back), (name, visible, after) in zip(SCREENS[who], seen, strict=True):
        assert name == shown, keys
        assert {"question_mark", "q"} <= set(visible), (keys, visible)
        assert "escape" in visible, (keys, visible)
        assert after == back, keys


# One receiver's dashboard at 60×20 goes through every list and text of theirs. (The dashboard's
# own footer, help and quit first at every size, is test_sizes.py::test_main.)
TEXTS = [(("enter",), "#detail"), (("question_mark",), "#help"), (("s",), "#stats")]


def record_animations(widget, animated: list[str]) -> None:
    """Append to `animated` each attribute the widget starts to animate."""
    animate = widget.animate

    def record(attribute, *args, **kwargs):
        animated.append(attribute)
        return animate(attribute, *args, **kwargs)

    widget.animate = record


def test_j_and_k_in_every_list_and_text_and_q_quits_from_help(demo_db):
    app = app_on(demo_db)

    async def back_to_the_dashboard(pilot):
        while type(app.screen).__name__ != "DashboardScreen":
            await pilot.press("escape")
            await settle(pilot)

    async def scenario(pilot):
        screen = app.screen
        table = screen.focused_table
        pane = []
        for key in ("j", "j", "k"):
            await pilot.press(key)
            await pilot.pause()
            pane.append(table.cursor_row)
        same_screen = app.screen is screen  # k opens no form: the acute banner is marked with K
        texts = {}
        for keys, widget in TEXTS:
            await pilot.press(*keys)
            await settle(pilot)
            box = app.screen.query_one(widget)
            box.focus()
            await pilot.pause()
            # Each key lands at once: an animated scroll (a second for G) is sixty frames over SSH.
            animated: list[str] = []
            record_animations(box, animated)
            seen = []
            for key in ("j", "j", "k", "G", "g"):
                await pilot.press(key)
                await settle(pilot)
                seen.append(round(box.scroll_y))
            texts[widget] = (seen, box.max_scroll_y, animated)
            await back_to_the_dashboard(pilot)
        await pilot.press("h")
        await settle(pilot)
        ol = app.screen.query_one("#handover-list")
        handover = [ol.highlighted]
        for key in ("j", "k", "G", "g"):
            await pilot.press(key)
            await pilot.pause()
            handover.append(ol.highlighted)
        await back_to_the_dashboard(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        return pane, same_screen, texts, handover, app.return_code

    pane, same_screen, texts, handover, code = drive(app, scenario, size=(60, 20))
    assert pane == [1, 2, 1] and same_screen
    for widget, (seen, most, animated) in texts.items():
        assert most > 2, widget
        assert seen == [1, 2, 1, most, 0], widget
        assert animated == [], widget
    first, down, up, last, top = handover
    assert down is not None and first is not None and down > first and up == first
    assert last is not None and last > down and top == first
    assert code == 0  # q quits from help


# -- NO_COLOR --------------------------------------------------------------------------------


def _svg_text(svg: str) -> str:
    return html.unescape("".join(re.findall(r"<text[^>]*>(.*?)</text>", svg))).replace("\xa0", " ")


def test_no_color_is_honoured_and_the_levels_still_read(demo_db, monkeypatch):
    from bcc_tui.domain import business_days as bd
    from bcc_tui.ui import render

    monkeypatch.setenv("NO_COLOR", "1")
    app = app_on(demo_db)

    async def scenario(pilot):
        await settle(pilot)
        rows = app.last_data.open + app.last_data.closed
        return app.no_color, app.export_screenshot(), rows

    no_color, svg, rows = drive(app, scenario, size=(120, 40))
    assert no_color
    # The SVG's window frame (its three buttons and its title) is drawn by the exporter, not the app.
    frame = {"ff5f57", "febc2e", "28c840", "c5c8c6"}
    colours = set(re.findall(r"#([0-9a-fA-F]{6})\b", svg)) - frame
    grey = {c for c in colours if c[0:2] == c[2:4] == c[4:6]}
    assert colours and colours == grey, sorted(colours - grey)[:5]  # monochrome: greys only
    text = _svg_text(svg)
    now = app.ctx.now()
    levels = {}
    for s in rows:
        words = render.sla_cell(s, now).plain.strip()
        if words in text:
            levels.setdefault(bd.countdown(s.due_date, bd.local_date(now), s.first_response_on).level, words)
    # Each level on the screen says what it is in words, not by colour alone.
    assert {bd.DUE_SOON, bd.OVERDUE, bd.MET, bd.BREACHED} <= set(levels), levels
    assert "försenad" in levels[bd.OVERDUE]
    assert "sent" in levels[bd.BREACHED] and "✗" in levels[bd.BREACHED]
    assert "✓" in levels[bd.MET]
    assert levels[bd.DUE_SOON] in ("idag", "1 vd kvar")


@pytest.mark.parametrize("size", SMALL, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_filter_box_leaves_panes_and_footer_in_place(demo_db, size):
    """Issue 16: opening / once gave the screen a scrollbar, pushed the footer out of sight and cut
    the hint mid-sentence."""
    app = app_on(demo_db)

    async def scenario(pilot):
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        screen = app.screen
        box = screen.query_one("#filter")
        placeholder_fits = len(box.placeholder) <= box.content_region.width
        panes = [screen.query_one(f"#pane-{p}").region for p in screen.panes_shown]
        typing = visible_keys(app)
        await pilot.press(*"Hugo", "enter")
        await settle(pilot)
        return placeholder_fits, panes, typing, visible_keys(app), screen.query_one(KeyFooter).region.y

    fits, panes, typing, after, footer_y = drive(app, scenario, size=size)
    width, height = size
    assert fits
    assert footer_y == height - 1
    for region in panes:
        assert region.width == width and region.bottom <= footer_y, (region, size)
    assert typing == ["escape"]  # the letters type into the box; esc clears it
    assert {"escape", "question_mark", "q"} <= set(after)


def test_esc_on_the_auditors_own_log_is_offered_only_where_it_leads_somewhere(demo_db):
    app = app_on(demo_db, "gunbjo")

    async def scenario(pilot):
        await settle(pilot)
        root = visible_keys(app)
        await pilot.press("slash")
        await settle(pilot)
        await pilot.press("escape")  # the filter closes; the log stays
        await settle(pilot)
        return root, type(app.screen).__name__

    root, after = drive(app, scenario)
    assert "escape" not in root and {"question_mark", "q"} <= set(root)
    assert after == "AuditScreen"


def test_j_k_g_and_G_move_in_the_audit_log(demo_db):
    app = app_on(demo_db, "gunbjo")

    async def scenario(pilot):
        await settle(pilot)
        table = app.screen.query_one("#audit-table")
        seen = []
        for key in ("j", "j", "k", "G", "g"):
            await pilot.press(key)
            await pilot.pause()
            seen.append(table.cursor_row)
        return seen, table.row_count

    seen, n = drive(app, scenario)
    # G goes to the last row read, and reaching it reads the next page (the demo's log is longer
    # than one).
    page = AuditScreen.PAGE
    assert seen == [1, 2, 1, page - 1, 0] and n > page


def test_the_footer_stops_offering_to_clear_the_filter_once_it_is_cleared(demo_db):
    """`/`, text, enter (the focus goes to the pane), esc: the filter was cleared but the footer
    still said "esc Rensa filter" until the focus moved."""
    app = app_on(demo_db)

    async def scenario(pilot):
        await settle(pilot)
        await pilot.press("slash", *"recept", "enter")
        await settle(pilot)
        during = visible_keys(app)
        await pilot.press("escape")
        await settle(pilot)
        return during, visible_keys(app), app.screen.query_one("#filter").has_class("-visible")

    during, after, open_ = drive(app, scenario, size=(60, 20))
    assert "escape" in during and not open_
    assert "escape" not in after, after


def test_esc_takes_the_marks_away_in_ofordelade(demo_db):
    """Marked rows take `a` over from the row under the cursor, and nothing but space on each row
    took a mark away: esc now lets them all go, and the footer says so while there are some."""
    app = app_on(demo_db)

    async def scenario(pilot):
        await settle(pilot)
        await pilot.press("space", "space")
        await settle(pilot)
        table = app.screen.query_one("#table-unassigned")
        marked, keys = set(table.marked), visible_keys(app)
        await pilot.press("escape")
        await settle(pilot)
        return (
            marked,
            keys,
            set(table.marked),
            visible_keys(app),
            str(app.screen.query_one("#pane-unassigned").border_title),
        )

    marked, keys, after, keys_after, title = drive(app, scenario, size=(80, 24))
    assert len(marked) == 2 and "escape" in keys
    assert after == set() and "escape" not in keys_after and "markerade" not in title
