"""Issue 29, R32: nothing is cut mid-word at any supported size, on any screen, for each role.

Each role's dashboard visits every screen that person can reach, at 60×20, 80×24, 120×40 and
200×50, and reads each one as it is drawn (tests/ui/cut.py): a table cell longer than its column,
a label, tab, title or footer key clipped at an edge, a line that runs past its widget's right
edge all fail; wrapped prose passes."""

from __future__ import annotations

import pytest

from bcc_tui.ui.widgets.footer import KeyFooter
from tests.ui.conftest import drive, settle
from tests.ui.cut import cuts
from tests.ui.test_snapshots import app_on

SIZES = [(60, 20), (80, 24), (120, 40), (200, 50)]
ROLES = {"receiver": None, "caregiver": "erilin", "admin": "lenwal", "auditor": "gunbjo"}

# What each role reaches from their first screen: (name, keys, the screen they open, what puts
# the first screen back: None, esc until it is on top; or keys, pressed after that; or STAY, the
# next visit starts where this one is; or UP, one esc: the next starts on the screen this one was
# opened from). Screens opened from the same place are visited in a row: a dashboard's screen
# costs more to reopen (or its pane to refocus) than its form to open.
STAY = ("stay",)
UP = ("up",)
Visit = tuple[str, tuple[str, ...], str, tuple[str, ...] | None]
_ERRAND: list[Visit] = [
    ("errand", ("enter",), "ErrandScreen", None),
    ("note", ("n",), "NoteForm", None),
    ("help", ("question_mark",), "HelpScreen", None),
    ("palette", ("ctrl+p",), "Palette", None),
    ("filter", ("slash",), "DashboardScreen", ("escape",)),
]
# The admin screen's tabs by their number keys, each with the form of e (edit the row) and of n
# (a new row) where the tab has one (a type is not added here; a deviation is found, not written).
_NEW = {2, 3, 4, 5, 6, 7, 8}
_TABS: list[Visit] = [
    visit
    for i in range(1, 10)
    for visit in (
        (f"admin tab {i}", (str(i),), "AdminScreen", STAY),
        (f"admin tab {i}: e", ("e",), "FieldsForm", None),
        *([(f"admin tab {i}: n", ("n",), "FieldsForm", None)] if i in _NEW else []),
    )
]
_AUDIT: list[Visit] = [
    ("audit row", ("enter",), "RowDetails", None),
    ("audit filter", ("slash",), "AuditScreen", ("escape",)),
    ("help", ("question_mark",), "HelpScreen", None),
    ("palette", ("ctrl+p",), "Palette", None),
]
VISITS: dict[str, list[Visit]] = {
    "receiver": [
        ("dashboard", (), "DashboardScreen", None),
        *_ERRAND,
        ("assign", ("a",), "AssignForm", None),
        ("acute signs handled", ("K",), "AcuteHandledForm", None),
        ("care team", ("v",), "FieldsForm", None),
        # The assigned pane (focused once, for all four): reassign, reply, partial reply, close
        # without reply.
        ("reassign", ("tab", "a"), "AssignForm", None),
        ("reply", ("r",), "ReplyForm", None),
        ("partial reply", ("p",), "PartialReplyForm", None),
        ("close without reply", ("x",), "CloseForm", ("shift+tab",)),
        ("statistics and deviations", ("s",), "StatsScreen", None),
        # The handover (opened once), and its two forms.
        ("handover", ("h",), "HandoverScreen", STAY),
        ("remark", ("c",), "NoteForm", UP),
        ("handover note", ("w",), "NoteForm", None),
    ],
    "caregiver": [
        ("dashboard", (), "DashboardScreen", None),
        *_ERRAND,
        ("reply", ("r",), "ReplyForm", None),
        ("partial reply", ("p",), "PartialReplyForm", None),
        ("close without reply", ("x",), "CloseForm", None),
    ],
    "admin": [
        *_TABS,
        ("admin help", ("1", "question_mark"), "AdminHelpScreen", None),
        ("statistics and deviations", ("s",), "StatsScreen", None),
        ("audit log", ("f3",), "AuditScreen", STAY),
        ("audit row", ("enter",), "RowDetails", None),
        ("palette", ("ctrl+p",), "Palette", None),
    ],
    "auditor": [("audit log", (), "AuditScreen", None), *_AUDIT],
}


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("role", list(ROLES))
def test_no_word_is_cut_on_any_screen(demo_db, role, size):
    """One dashboard per role and size visits every screen of theirs in turn (a dashboard costs
    more to start than a screen to open), going back to the first screen between two. Fails if a
    visit does not open the screen it is for, so that none is left out unnoticed."""
    app = app_on(demo_db, ROLES[role])
    # The screen is read once it has settled: the tab bar's underline sliding along is not waited
    # for, frame by frame, some forty times.
    app.animation_level = "none"

    async def scenario(pilot):
        await settle(pilot)
        first = len(app.screen_stack)
        seen = []
        for name, keys, _screen, back in VISITS[role]:
            await pilot.press(*keys)
            await settle(pilot)
            seen.append((name, type(app.screen).__name__, cuts(app.screen)))
            if back == STAY:
                continue
            if back == UP:
                below = len(app.screen_stack) - 1
                await pilot.press("escape")
                await settle(pilot)
                assert len(app.screen_stack) == below, name
                continue
            for _ in range(3):
                if len(app.screen_stack) <= first:
                    break
                await pilot.press("escape")
                await settle(pilot)
            assert len(app.screen_stack) == first, name
            if back:
                await pilot.press(*back)
                await settle(pilot)
        return seen

    seen = drive(app, scenario, size=size)
    assert [shown for _, shown, _ in seen] == [screen for _, _, screen, _ in VISITS[role]]
    found = [f"{name}: {cut}" for name, _, found in seen for cut in found]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    "keys", [(), ("enter",), ("s",), ("h",)], ids=["dashboard", "errand", "stats", "handover"]
)
def test_a_terminal_narrowed_and_widened_under_a_screen_cuts_nothing(demo_db, keys):
    """A screen opened wide, then the terminal narrowed to 60×20 and widened again (an SSH window
    dragged smaller): the statistics' columns were fitted once, to the width they were first
    shown at, and at 60 columns ran past the table's edge."""
    app = app_on(demo_db)
    app.animation_level = "none"

    async def scenario(pilot):
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)
        found = []
        for size in [(60, 20), (200, 50)]:
            await pilot.resize_terminal(*size)
            await settle(pilot)
            found += [f"{size}: {cut}" for cut in cuts(app.screen)]
        return found

    assert drive(app, scenario, size=(200, 50)) == []


def test_a_resize_keeps_the_statistics_deviation_under_the_cursor(demo_db):
    """A resize lays the deviations out again with the columns that fit: the cursor stays on the
    errand the person stood on."""
    from textual.widgets import DataTable

    app = app_on(demo_db)

    async def scenario(pilot):
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        table = app.screen.query_one("#stats-deviations", DataTable)
        table.focus()
        table.move_cursor(row=3)
        await settle(pilot)
        ref = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        await pilot.resize_terminal(60, 20)
        await settle(pilot)
        after = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return ref, after, table.row_count, len(table.columns)

    ref, after, rows, columns = drive(app, scenario, size=(200, 50))
    assert rows > 3 and after == ref and columns == 4


def _wider_than_shown(screen) -> list[str]:
    """The statistics' tables wider than the room they get: such a table scrolls sideways, and its
    right edge falls inside a heading ("I ti" of "I tid"; at 80 columns the deviations' holders
    cut to their first letter). The cut checker takes a table that scrolls for whole, so it passed
    them."""
    from textual.widgets import DataTable

    found = []
    for table in screen.query(DataTable):
        if not table.display:
            continue
        room = table.scrollable_content_region.width
        if table.virtual_size.width > room or table.show_horizontal_scrollbar:
            found.append(f"{table.id}: {table.virtual_size.width} cells in {room}")
    return found


def _stats_figures(screen) -> list[list[str]]:
    """Every figure of the statistics' tables, row by row, without the types' names: the same
    whether a type's row is one table's or (narrow) split over two."""
    from textual.widgets import DataTable

    def rows(*ids):
        shown = [t for t in screen.query(DataTable) if t.id in ids and t.display and t.columns]
        return [[str(cell) for t in shown for cell in t.get_row_at(r)[1:]] for r in range(shown[0].row_count)]

    return [*rows("stats-types", "stats-times"), *rows("stats-final"), *rows("stats-kinds")]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_statistics_tables_fit_the_screen_whole(demo_db, size):
    """At 60×20 the per-type table (72 cells), the final answers (65) and the deviation kinds (67)
    had 56: they scrolled sideways. Narrow, the types' times are a table of their own below
    their counts and the headings are shorter; every figure is still shown."""
    app = app_on(demo_db, "lenwal")

    async def scenario(pilot):
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert type(app.screen).__name__ == "StatsScreen"
        return _wider_than_shown(app.screen), cuts(app.screen)

    assert drive(app, scenario, size=size) == ([], [])


def test_the_statistics_tables_fit_after_a_resize_and_keep_every_figure(demo_db):
    """Opened at 200×50, the terminal narrowed to 60×20 and widened again: the tables are laid
    out again each time, fit, and show the same figures."""
    app = app_on(demo_db, "lenwal")
    app.animation_level = "none"

    async def scenario(pilot):
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        seen = [((200, 50), _wider_than_shown(app.screen), _stats_figures(app.screen))]
        for size in [(60, 20), (200, 50), (60, 20), (80, 24)]:
            await pilot.resize_terminal(*size)
            await settle(pilot)
            seen.append((size, _wider_than_shown(app.screen), _stats_figures(app.screen)))
        return seen

    seen = drive(app, scenario, size=(200, 50))
    assert [(size, wide) for size, wide, _ in seen] == [(size, []) for size, _, _ in seen]
    first = seen[0][2]
    assert len(first) > 10 and all(figures == first for _, _, figures in seen)


def test_the_panes_subjects_are_whole_or_cut_between_words(demo_db):
    app = app_on(demo_db)

    async def scenario(pilot):
        await settle(pilot)
        return cuts(pilot.app.screen)

    assert drive(app, scenario, size=(200, 50)) == []


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
        shown = [e.key for e in pilot.app.screen.query_one(KeyFooter).shown()]
        return shown

    shown = drive(app, scenario, size=(80, 24))
    assert {"a", "p", "x", "n"} <= set(shown), shown


def test_the_checker_finds_a_cut_word_and_passes_wrapped_prose():
    """tests/ui/cut.py itself: a label clipped by its container, a one-line text past its
    widget's edge and a cell longer than its column are cut; prose that wraps is not."""
    import asyncio

    from rich.text import Text
    from textual.app import App
    from textual.containers import Horizontal
    from textual.widgets import DataTable, Label, Static

    class Small(App):
        CSS = "#box { width: 8; height: 1; } #line { width: 10; text-wrap: nowrap; text-overflow: clip; } #prose { width: 12; }"

        def compose(self):
            with Horizontal(id="box"):
                yield Label("Akuta tecken")
            yield Static("Statistik per vecka", id="line")
            yield Static("Statistik per vecka och typ", id="prose")
            yield DataTable(id="t")

        def on_mount(self):
            table = self.query_one(DataTable)
            table.add_column("Vem", width=5)
            table.add_row(Text("Sjöberg"))

    async def main():
        app = Small()
        async with app.run_test(size=(40, 10)) as pilot:
            await pilot.pause()
            return cuts(app.screen)

    found = asyncio.run(main())
    assert any(f.startswith("Label") and "Akuta" in f for f in found), found
    assert any(f.startswith("Static#line") for f in found), found
    assert any(f.startswith("t 'Vem'") for f in found), found
    assert not any("prose" in f for f in found), found


@pytest.mark.parametrize(
    ("size", "columns"),
    [
        ((200, 50), ["Ärende", "Typ", "Inkom", "Förföll", "Första svar", "Vd", "Handläggare"]),
        ((80, 24), ["Ärende", "Typ", "Förföll", "Första svar", "Vd", "Handläggare"]),
        ((60, 20), ["Ärende", "Första svar", "Vd", "Handläggare"]),
    ],
    ids=["200x50", "80x24", "60x20"],
)
@pytest.mark.parametrize("who", ["lenwal", None], ids=["admin", "receiver"])
def test_the_deviations_give_up_columns_rather_than_cut_the_holder(demo_db, size, columns, who):
    """At 80×24 the deviations list took 88 cells in 76: the holder's name showed as its first
    letter. Narrower, the arrival gives way first, then the type and the due date (which the
    register is for); the holder, the first response and its days stay whole. The title points
    to enter only for those whom enter takes to the errand (an administrator reads none)."""
    from textual.widgets import DataTable

    app = app_on(demo_db, who)

    async def scenario(pilot):
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        table = app.screen.query_one("#stats-deviations", DataTable)
        title = str(app.screen.query_one("#stats-dev-title").render())
        return [str(c.label) for c in table.columns.values()], table.row_count, title

    shown, rows, title = drive(app, scenario, size=size)
    assert shown == columns and rows > 3
    assert ("enter visar hela ärendet" in title) == (who is None and len(columns) < 7)


@pytest.mark.parametrize("size", [(80, 24), (92, 30)], ids=["80x24", "92x30"])
def test_a_long_deviations_list_fits_beside_its_own_scrollbar(demo_db, monkeypatch, size):
    """More deviations than the table's height give it a scrollbar of its own, two cells that the
    columns' budget had not left: a holder's name was cut at the edge (at 92 columns the whole
    list's 88 cells were taken to fit in 88)."""
    import dataclasses

    from bcc_tui.services import reports

    stats = reports.stats

    def many(*args, **kwargs):
        report = stats(*args, **kwargs)
        rows = [
            dataclasses.replace(d, ref=f"1177-{900000 + n:06d}")
            for n, d in enumerate(d for d in report.deviations for _ in range(4))
        ]
        return dataclasses.replace(report, deviations=rows)

    monkeypatch.setattr(reports, "stats", many)
    app = app_on(demo_db, "lenwal")

    async def scenario(pilot):
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        table = app.screen.query_one("#stats-deviations")
        table.focus()
        await settle(pilot)
        return table.row_count, _wider_than_shown(app.screen), cuts(app.screen)

    rows, wider, cut = drive(app, scenario, size=size)
    assert rows > 24 and wider == [] and cut == []
