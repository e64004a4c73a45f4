"""R23's announcements to a caregiver (widgets/announcement.py): one box per screen, mounted once
and shown or hidden, where Textual's toasts mounted widgets and laid the screen out for each
message (issue 31: the dearest part of an assignment on the doctor's own dashboards)."""

from __future__ import annotations

import pytest

from bcc_tui.services import errands
from bcc_tui.ui import textual_compat as compat
from bcc_tui.ui.widgets import announcement
from bcc_tui.ui.widgets.announcement import Announcement
from bcc_tui.ui.widgets.errand_table import ErrandTable
from tests.ui.conftest import acute_errand, announced, ctx_for, drive
from tests.ui.test_live import wait_for

# What reaches a terminal, frame by frame: every frame is composed (tests/ui/conftest.py).
pytestmark = pytest.mark.frames


def _spans(renderable) -> set[tuple[int, int, int]]:
    if isinstance(renderable, compat.ChopsUpdate):
        return set(renderable.spans)
    r = renderable.region
    return {(y, r.x, r.right) for y in range(r.y, r.bottom)}


def test_showing_and_hiding_draw_the_box_alone(clinic, app_for):
    """What a terminal receives for an announcement is the box's own cells, when it comes and when
    it goes; no widget is mounted for it once the dashboard has painted."""
    app = app_for(clinic, "doc1")
    frames: list[set[tuple[int, int, int]]] = []
    compat.watch_frames(app, lambda screen, r: frames.append(_spans(r)) if r is not None else None)

    async def scenario(pilot):
        await pilot.pause(0.3)
        widgets = len(list(app.screen.walk_children()))
        box = announcement.box(app.screen)
        frames.clear()
        box.add("Nytt ärende till dig: 1177-000001", reminder=False)
        await pilot.pause(0.3)
        shown, region = list(frames), box.region
        frames.clear()
        box.hide()
        await pilot.pause(0.3)
        return widgets, len(list(app.screen.walk_children())), shown, list(frames), region

    before, after, shown, hidden, region = drive(app, scenario, size=(120, 40))
    assert before == after
    for frame in shown + hidden:
        for y, x1, x2 in frame:
            assert region.y <= y < region.bottom and x1 >= region.x and x2 <= region.right, (y, x1, x2)
    assert shown and hidden
    # Its heading and its line, no blank line above or below: each was 60 cells more to send.
    assert region.height == 2


def test_announcements_while_one_is_up_join_it_newest_last(clinic, app_for, as_):
    app = app_for(clinic, "doc1")
    rec2 = ctx_for(clinic, "rec2", as_("rec2").clock)

    async def scenario(pilot):
        await pilot.pause(0.2)
        errands.assign(rec2, "1177-000001", "doc1")
        errands.assign(rec2, "1177-000002", "doc1")
        await wait_for(pilot, lambda: len(announced(app.screen)) == 2)
        box = app.screen.query_one(Announcement)
        two = (str(box.render()).splitlines()[0], box.has_class("-warning"))
        errands.remind(rec2, "1177-000002")
        await wait_for(pilot, lambda: any("Påminnelse" in x for x in announced(app.screen)))
        three = (str(box.render()).splitlines()[0], box.has_class("-warning"))
        return two, three, announced(app.screen), len(app.screen.query(Announcement))

    two, three, said, boxes = drive(app, scenario, size=(120, 40))
    assert two == ("Nya ärenden", False)
    assert three == ("Till dig", True)  # a reminder among them: the warning's colour
    assert said == [
        "Nytt ärende till dig: 1177-000001",
        "Nytt ärende till dig: 1177-000002",
        "Påminnelse till dig: 1177-000002 väntar på svar",
    ]
    assert boxes == 1


def test_the_newest_is_never_cut_on_a_narrow_screen(clinic, app_for):
    """At 80 columns the box is 40 wide: three reminders of 40-character references do not fit
    its lines; the oldest give way, the newest is whole."""
    app = app_for(clinic, "doc1")
    refs = [f"1177-{i}" + "9" * 30 for i in range(4)]

    async def scenario(pilot):
        await pilot.pause(0.2)
        box = announcement.box(app.screen)
        for ref in refs:
            box.add(f"Påminnelse till dig: {ref} väntar på svar", reminder=True)
        await pilot.pause(0.3)
        return announced(app.screen), box.region.height, box.content_region.height

    said, height, inner = drive(app, scenario, size=(80, 24))
    assert said[-1] == f"Påminnelse till dig: {refs[-1]} väntar på svar"
    assert len(said) < 3
    assert height <= announcement.ROOM and inner >= 1 + 3 * len(said)  # heading, and each line whole


def test_the_box_goes_after_its_time_and_at_a_click(clinic, app_for, monkeypatch):
    monkeypatch.setattr(announcement, "SHOWN_FOR", 0.2)
    app = app_for(clinic, "doc1")

    async def scenario(pilot):
        await pilot.pause(0.2)
        box = announcement.box(app.screen)
        box.add("Nytt ärende till dig: 1177-000001", reminder=False)
        await pilot.pause(0.05)
        up = box.visible
        await wait_for(pilot, lambda: not box.visible, timeout=5)
        gone = announced(app.screen)
        monkeypatch.setattr(announcement, "SHOWN_FOR", 3600.0)
        box.add("Nytt ärende till dig: 1177-000002", reminder=False)
        await pilot.pause(0.05)
        await pilot.click(Announcement)
        await pilot.pause(0.05)
        return up, gone, box.visible, announced(app.screen)

    assert drive(app, scenario) == (True, [], False, [])


def test_the_hidden_rack_takes_no_click(clinic, app_for):
    """The rack lies over the panes' last lines on every dashboard: a row there is still clicked,
    with or without an announcement up."""
    app = app_for(clinic, "doc1")

    async def scenario(pilot):
        await pilot.pause(0.2)
        rack = app.screen.query_one(announcement.AnnouncementRack)
        box = rack.box
        assert rack.styles.height.value == announcement.ROOM
        inside = (2, 40 - 4)  # the rack's lines, left of the box, over a pane (a hidden rack has no region)
        hit = app.screen.get_widget_at(*inside)[0]
        box.add("Nytt ärende till dig: 1177-000001", reminder=False)
        await pilot.pause(0.1)
        under_box = app.screen.get_widget_at(box.region.x + 2, box.region.y + 1)[0]
        box.hide()
        await rack.remove()
        await pilot.pause(0.1)
        return hit, under_box, app.screen.get_widget_at(*inside)[0]

    hit, under_box, without = drive(app, scenario, size=(120, 40))
    assert hit is without and not isinstance(hit, announcement.AnnouncementRack)
    assert isinstance(under_box, Announcement)


def test_an_errand_given_to_me_is_one_frame_with_its_row(clinic, app_for, as_):
    """The followed change brings its news with it (Fetched.news): the row and the box are laid out
    and drawn together, so the box never tells of a row not yet shown. The news was read and said
    after the rows, in a frame of its own (and, once the box had grown, a layout of its own)."""
    app = app_for(clinic, "doc1")
    frames: list[set[tuple[int, int, int]]] = []
    compat.watch_frames(app, lambda screen, r: frames.append(_spans(r)) if r is not None else None)
    rec2 = ctx_for(clinic, "rec2", as_("rec2").clock)

    async def scenario(pilot):
        table = app.screen.query_one("#table-assigned", ErrandTable)
        await pilot.pause(0.3)
        box = announcement.box(app.screen)
        drawn = []
        for ref in ("1177-000001", "1177-000002"):
            frames.clear()
            errands.assign(rec2, ref, "doc1")
            await wait_for(pilot, lambda r=ref: r in table.order and r in str(box.render()))
            await pilot.pause(0.5)
            drawn.append(len(frames))
        return drawn, announced(app.screen)

    drawn, said = drive(app, scenario, size=(120, 40))
    assert drawn == [1, 1]
    assert said == ["Nytt ärende till dig: 1177-000001", "Nytt ärende till dig: 1177-000002"]


def test_an_errand_with_acute_signs_given_to_me_is_said_to_be_one(clinic, app_for, as_, system):
    """The trial's report: an errand with acute signs assigned to a doctor was announced as any
    other ("Nytt ärende till dig: REF"). R11: it is said in red, with its signs, under the advice
    to call the family; one that gives way in the box is counted where it is pinned, among the
    doctor's own errands."""
    acute_errand(system)
    app = app_for(clinic, "doc1")
    rec2 = ctx_for(clinic, "rec2", as_("rec2").clock)

    async def scenario(pilot):
        table = app.screen.query_one("#table-assigned", ErrandTable)
        await pilot.pause(0.3)
        box = announcement.box(app.screen)
        errands.assign(rec2, "1177-000077", "doc1")
        await wait_for(pilot, lambda: "1177-000077" in table.order and "1177-000077" in str(box.render()))
        heading = str(box.render()).splitlines()[0]
        acute, said = box.has_class("-acute"), announced(app.screen)
        for _ in range(announcement.MOST):
            box.add("Nytt ärende till dig: 1177-000001")
        return heading, acute, said, str(box.render()).splitlines()[1]

    heading, acute, said, counted = drive(app, scenario, size=(120, 40))
    assert heading == announcement.ACUTE_HEADING and acute
    assert len(said) == 1 and said[0].startswith("Nytt ärende till dig: 1177-000077: "), said
    assert "feber" in said[0].lower(), said
    assert counted == "+1 till med akuta tecken: överst i Mina ärenden"


def test_the_first_showing_on_a_screen_is_one_frame(clinic, app_for):
    """The box's size as shown asked Textual for a second layout of the screen (compat.NoSecondLayout)."""
    app = app_for(clinic, "doc1")
    frames: list[object] = []
    compat.watch_frames(app, lambda screen, r: frames.append(r) if r is not None else None)

    async def scenario(pilot):
        await pilot.pause(0.3)
        box = announcement.box(app.screen)
        frames.clear()
        box.add("Nytt ärende till dig: 1177-000001", reminder=False)
        await pilot.pause(0.3)
        return len(frames)

    assert drive(app, scenario, size=(120, 40)) == 1


def test_what_the_box_says_is_never_markup(clinic, app_for):
    """The lines quote references read back from the database: plain text, whatever they hold."""
    app = app_for(clinic, "doc1")
    hostile = "Nytt ärende till dig: [/][@click=app.quit]x[b]"
    escaped = "Nytt ärende till dig: \x1b]52;c;aGk=\x07\x1b[2J1177-000001"

    async def scenario(pilot):
        await pilot.pause(0.2)
        box = announcement.box(app.screen)
        box.add(hostile, reminder=False)
        box.add(escaped, reminder=False)
        await pilot.pause(0.2)
        return str(box.render()).splitlines(), app.is_running

    lines, running = drive(app, scenario)
    assert lines[:2] == ["Nya ärenden", hostile] and running
    assert "\x1b" not in lines[2] and "\x07" not in lines[2] and lines[2].endswith("1177-000001")


@pytest.mark.parametrize("size", [(60, 20), (80, 24)])
def test_acute_errands_that_give_way_in_the_box_are_counted(clinic, app_for, size):
    """Six acute errands at once: the box names the newest it has room for and counts the rest
    (it named three and said nothing of the others); red, the advice once in its heading."""
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await pilot.pause(0.2)
        box = announcement.box(app.screen)
        for n in range(6):
            box.add(f"1177-94100{n}: Feber", acute=True)
        await pilot.pause()
        return str(box.render()).splitlines(), box.has_class("-acute"), box.region.height

    lines, red, height = drive(app, scenario, size=size)
    named = [line for line in lines if line.startswith("1177-")]
    counted = next(line for line in lines if line.startswith("+"))
    assert lines[0].startswith("Akuta tecken") and red
    assert counted == f"+{6 - len(named)} till med akuta tecken: överst i Ofördelade"
    assert named and named[-1] == "1177-941005: Feber"
    assert height <= announcement.ROOM
