"""Issue 31: what reaches the terminal is only what differs from what it shows (ui/damage.py),
and a write that changes nothing on a dashboard sends it nothing at all."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip

from bcc_tui.ui.damage import Runs, Shadow
from bcc_tui.ui.textual_compat import ChopsUpdate, LayoutUpdate
from tests.conftest import STAFF, errand_line, jsonl, run_cli
from tests.pty_session import PtySession, Screen

BOLD = Style(bold=True)


def _line(text: str, style: Style | None = None) -> Strip:
    return Strip([Segment(text, style)])


def _chops(y: int, text: str, style: Style | None = None, height: int = 3) -> ChopsUpdate:
    chops: list[dict[int, Strip | None]] = [{} for _ in range(height)]
    chops[y] = {0: _line(text, style)}
    ends = [[len(text)] for _ in range(height)]
    return ChopsUpdate(chops, [(y, 0, len(text))], ends)


def _layout(lines: list[str]) -> LayoutUpdate:
    return LayoutUpdate([[_line(t)] for t in lines], Region(0, 0, len(lines[0]), len(lines)))


def _written(update: Runs | None) -> list[tuple[int, int, str]]:
    return [] if update is None else [(x, y, "".join(c for c, _ in run)) for x, y, run in update.runs]


def test_only_the_cells_that_differ_are_written_and_nothing_when_none_do():
    shadow = Shadow()
    first = shadow.full(_layout(["Ofördelade (10)", "12:04          ", "               "]))
    assert _written(first)[0] == (0, 0, "Ofördelade (10)")  # nothing known yet: all of it
    assert shadow.narrow(_chops(0, "Ofördelade (10)")) is None  # the same title set again
    assert _written(shadow.narrow(_chops(0, "Ofördelade (9) "))) == [(12, 0, "9) ")]
    assert _written(shadow.narrow(_chops(1, "12:05          "))) == [(4, 1, "5")]  # the clock's minute
    # A colour is a difference too, even where the text is the same.
    assert _written(shadow.narrow(_chops(1, "12:05          ", BOLD))) == [(0, 1, "12:05          ")]


def test_a_whole_frame_of_the_same_size_is_narrowed_a_new_size_written_whole():
    shadow = Shadow()
    shadow.full(_layout(["abc", "def"]))
    assert shadow.full(_layout(["abc", "def"])) is None  # a toast came and went: the same screen
    assert _written(shadow.full(_layout(["abc", "dXf"]))) == [(1, 1, "X")]
    assert _written(shadow.full(_layout(["abcd", "dXfg"]))) == [(0, 0, "abcd"), (0, 1, "dXfg")]
    shadow.reset()  # resized, or another program had the terminal
    assert _written(shadow.full(_layout(["abcd", "dXfg"]))) == [(0, 0, "abcd"), (0, 1, "dXfg")]


def test_a_wide_character_is_never_written_in_half():
    shadow = Shadow()
    shadow.full(_layout(["a✓漢b", "     "]))
    out = _written(shadow.narrow(_chops(0, "a✓字b", height=2)))
    assert out == [(2, 0, "字")]
    rendered = shadow.narrow(_chops(0, "a✗字b", height=2))
    assert _written(rendered) == [(1, 0, "✗")]


def test_far_apart_changes_are_separate_runs_near_ones_one():
    shadow = Shadow()
    shadow.full(_layout(["x" * 40]))
    assert _written(shadow.narrow(_chops(0, "y" + "x" * 38 + "y", height=1))) == [(0, 0, "y"), (39, 0, "y")]
    assert _written(shadow.narrow(_chops(0, "yzx" + "z" + "x" * 35 + "y", height=1))) == [(1, 0, "zxz")]


def test_a_dashboard_sends_nothing_for_a_write_it_does_not_show(tmp_path):
    """The real program in a real terminal: another user opening an errand writes an audit row
    and nothing anyone sees; a new errand changes a count and a row, in a few hundred bytes."""
    db = tmp_path / "quiet.db"
    assert run_cli("staff", "import", "-", db=db, stdin=jsonl(*STAFF)).returncode == 0
    lines = [errand_line(f"1177-00000{i}") for i in range(1, 4)]
    assert run_cli("import", "-", db=db, stdin=jsonl(*lines)).returncode == 0
    with PtySession(["--db", str(db), "--as", "rec1"], size=(30, 100)) as app:
        assert app.wait_for("Ofördelade (3)".encode()), bytes(app.output[-500:])
        assert app.read_quiet(1.0)
        r = run_cli("--as", "rec2", "show", "1177-000002", db=db, subprocess=True)
        assert r.returncode == 0, r.stderr
        assert app.read_for(2.0) == b""  # its audit row: nothing to draw, nothing sent
        since = app.mark()
        r = run_cli("import", "-", db=db, stdin=jsonl(errand_line("1177-000009")), subprocess=True)
        assert r.returncode == 0, r.stderr
        assert app.wait_for("Ofördelade (4)".encode(), b"1177-000009", since=since), app.screen.text()
        app.read_quiet(1.0)
        assert len(app.output) - since < 2048, bytes(app.output[since:])


def _play(screen: Screen, update: Runs | None) -> int:
    """Feed what the update writes to a terminal; the bytes written."""
    if update is None:
        return 0
    data = update.render_segments(Console(force_terminal=True, color_system="truecolor")).encode()
    screen.feed(data)
    return len(data)


def test_rows_that_moved_are_scrolled_by_the_terminal_not_written_again():
    """A row arriving at the top of a pane moves the rows below it down by one: the terminal
    inserts a line in the pane's region, and only the new row is written."""
    rows = [f"│ 1177-{n:06d}  Förnya recept  2 vd kvar │" for n in range(8)]
    screen, shadow = Screen(10, len(rows[0])), Shadow()
    before = ["╭" + "─" * (len(rows[0]) - 2) + "╮", *rows, "╰" + "─" * (len(rows[0]) - 2) + "╯"]
    _play(screen, shadow.full(_layout(before)))
    new_row = "│ 1177-999999  Feber          1 vd kvar │"
    after = [before[0], new_row, *rows[:-1], before[-1]]
    written = _play(screen, shadow.full(_layout(after)))
    assert screen.text() == "\n".join(after)
    assert written < len(new_row.encode()) + 60, written  # the new row and the scroll, not 8 rows
    # And back: the top row leaves, the rest move up, the one below the page comes into view.
    again = [before[0], *rows, before[-1]]
    written = _play(screen, shadow.narrow(_chops_lines(again, range(1, 9))))
    assert screen.text() == "\n".join(again)
    assert written < len(rows[-1].encode()) + 60, written


def test_rows_beside_a_scrollbar_thumb_scroll_with_the_rest():
    """A pane's scrollbar stays put while its rows move: the lines beside its thumb differ from
    the rows they show in that one cell. They split the region in two, and the lines above the
    split were written again (2.6 KB to each receiver for the top of Ofördelade assigned)."""
    kinds, names = (
        ["Synp./klagomål", "Fråga om prov ", "Förnya recept "],
        ["H. Nordin", "E. Lindgren", "M. Forsberg"],
    )
    rows = [
        f"│ 1177-{n:06d}  {kinds[n % 3]}  {1817 - n * 7} d  försenad {1248 - n * 3}  {names[n % 3]:<11}"
        for n in range(12)
    ]
    bar = ["▆" if y in (2, 3) else " " for y in range(len(rows))]  # the thumb, beside rows 2-3
    width = len(rows[0]) + 2
    edge = "╭" + "─" * (width - 2) + "╮"

    def frame(shown: list[str]) -> list[str]:
        return [edge, *(row + b + "│" for row, b in zip(shown, bar, strict=True)), edge]

    screen, shadow = Screen(len(rows) + 2, width), Shadow()
    before = frame(rows)
    _play(screen, shadow.full(_layout(before)))
    last = rows[0].replace("000000", "999999").replace(kinds[0], "Feber".ljust(14))
    after = frame([*rows[1:], last])  # the top row assigned: the rest move up, one comes into view
    written = _play(screen, shadow.full(_layout(after)))
    assert screen.text() == "\n".join(after)
    # The scroll, the row come into view, the thumb's two cells: not the lines beside the thumb.
    assert written < len(after[-2].encode()) + 80, written


def _chops_lines(lines: list[str], ys) -> ChopsUpdate:
    chops: list[dict[int, Strip | None]] = [{} for _ in lines]
    ends = [[len(t)] for t in lines]
    for y in ys:
        chops[y] = {0: _line(lines[y])}
    return ChopsUpdate(chops, [(y, 0, len(lines[y])) for y in ys], ends)


WIDTH, HEIGHT = 6, 9
_lines = st.text(alphabet="ab ", min_size=WIDTH, max_size=WIDTH)


@st.composite
def _frames(draw):
    """A screen, then frames made from it by moving a block of lines and editing a few."""
    screen = draw(st.lists(_lines, min_size=HEIGHT, max_size=HEIGHT))
    frames = []
    for _ in range(draw(st.integers(1, 5))):
        screen = list(screen)
        top = draw(st.integers(0, HEIGHT - 2))
        bottom = draw(st.integers(top + 1, HEIGHT - 1))
        k = draw(st.sampled_from([1, -1, 2, -2, 3]))
        block = screen[top : bottom + 1]
        fill = draw(st.lists(_lines, min_size=abs(k), max_size=abs(k)))
        block = block[k:] + fill if k > 0 else fill + block[:k]
        screen[top : bottom + 1] = block[: bottom + 1 - top]
        for y in draw(st.lists(st.integers(0, HEIGHT - 1), max_size=2)):
            screen[y] = draw(_lines)
        partial = draw(st.booleans())
        frames.append((screen, partial))
    return frames


@settings(max_examples=300, deadline=None)
@given(first=st.lists(_lines, min_size=HEIGHT, max_size=HEIGHT), frames=_frames())
def test_what_the_terminal_shows_is_always_the_frame(first, frames):
    """Whatever moved and changed, the bytes written make the terminal show each frame exactly,
    whether Textual sent the whole screen or only some lines."""
    screen, shadow = Screen(HEIGHT, WIDTH), Shadow()
    _play(screen, shadow.full(_layout(first)))
    shown = first
    for frame, partial in frames:
        if partial:
            changed = [y for y in range(HEIGHT) if frame[y] != shown[y]]
            update = shadow.narrow(_chops_lines(frame, changed)) if changed else None
        else:
            update = shadow.full(_layout(frame))
        _play(screen, update)
        assert screen.text() == "\n".join(frame)
        shown = frame
