"""Every private name of Textual's that the dashboard or its suite uses, pinned against the
installed Textual (ui/textual_compat.py): a release that renames or reshapes one fails here,
naming it, instead of the dashboard quietly going wrong (keys routed early, a traceback with
patient data, frames written whole)."""

from __future__ import annotations

import ast
import asyncio
import functools
import inspect
import re
from pathlib import Path

import pytest
import textual
from textual.app import App
from textual.command import CommandPalette
from textual.drivers.headless_driver import HeadlessDriver
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable

from bcc_tui.ui import textual_compat as compat
from bcc_tui.ui.textual_compat import DATA_TABLE, PRIVATE, Private

UI = Path(compat.__file__).parent
ALL = PRIVATE + DATA_TABLE


def _instances() -> list[object]:
    """One object of each class whose instance attributes are pinned (made outside a running
    app, as Textual allows)."""

    async def make() -> list[object]:
        app = App()
        return [
            app,
            app.stylesheet,
            Widget(),
            Screen(),
            DataTable(),
            CommandPalette(),
            HeadlessDriver(app),
            compat.XTermParser(False),
        ]

    return asyncio.run(make())


INSTANCES = _instances()


def _has(entry: Private) -> bool:
    found = compat.owner(entry)
    if hasattr(found, entry.name):
        return True
    return any(isinstance(i, found) and hasattr(i, entry.name) for i in INSTANCES)


@pytest.mark.parametrize("entry", ALL, ids=lambda e: f"{e.owner}.{e.name}")
def test_each_private_name_is_there_as_used(entry: Private):
    assert _has(entry), f"Textual {textual.__version__} has no {entry.owner}.{entry.name}"
    if entry.kind == "method":
        method = getattr(compat.owner(entry), entry.name)
        assert callable(method)
        assert entry.params is not None
        assert compat.parameters(method) == entry.params, entry


def test_each_use_says_why_and_each_bug_has_its_report():
    upstream = (UI.parents[1] / "docs" / "upstream.md").read_text()
    for entry in ALL:
        assert entry.why, entry
        assert entry.bug is None or f"## {entry.bug}" in upstream, entry.bug


def test_our_overrides_take_what_textual_passes():
    """A method of Textual's overridden here is called by Textual with its own parameters."""
    from bcc_tui.ui.app import BccApp
    from bcc_tui.ui.widgets.errand_table import ErrandTable
    from bcc_tui.ui.widgets.palette import Palette

    ours = {
        "_handle_exception": compat.CompatApp,
        "_display": compat.CompatApp,
        "_gather_commands": compat.SafeCommandPalette,
        "_start_no_matches_countdown": compat.SafeCommandPalette,
        "_render_cell": ErrandTable,
    }
    for entry in ALL:
        if entry.name in ours:
            mine = getattr(ours[entry.name], entry.name)
            theirs = getattr(compat.owner(entry), entry.name)
            assert compat.parameters(mine) == compat.parameters(theirs), entry.name
    assert issubclass(BccApp, compat.CompatApp) and issubclass(Palette, compat.SafeCommandPalette)


def test_the_app_ends_on_an_error_as_textual_would_without_its_traceback():
    """CompatApp._handle_exception does what Textual's does (the status, the error kept for
    run_test, the app closed), with `crashed` instead of the traceback."""

    class Failing(compat.CompatApp):
        def crashed(self, error: Exception) -> int:
            self.seen = error
            return 3

        def on_mount(self) -> None:
            raise RuntimeError("boom")

    app = Failing()

    async def main() -> None:
        with pytest.raises(RuntimeError, match="boom"):
            async with app.run_test():
                pass

    asyncio.run(main())
    assert isinstance(app.seen, RuntimeError) and app.return_code == 3
    assert not compat.exit_renderables(app)


@functools.cache
def _defined_by(base: type) -> frozenset[str]:
    """The private names one Textual class defines, on the class or set on self."""
    names = {n for n in vars(base) if n.startswith("_") and not n.startswith("__")}
    try:
        names |= set(re.findall(r"self\.(_[a-z]\w*)\s*(?::[^=\n]*)?=", inspect.getsource(base)))
    except (OSError, TypeError):
        pass
    return frozenset(names)


def _textual_privates(cls: type) -> set[str]:
    """The private names a class's Textual bases define."""
    return set().union(*(_defined_by(b) for b in cls.__mro__ if b.__module__.startswith("textual")))


def test_nothing_else_under_ui_uses_textuals_private_api():
    """Outside ui/textual_compat.py, no module imports a private module of Textual's, and no
    class derived from Textual's touches a private name of its bases; errand_table's DataTable
    internals are the one exception, and only those listed in DATA_TABLE."""
    import importlib

    allowed = {"errand_table.py": {e.name for e in DATA_TABLE}}
    found: list[str] = []
    for path in sorted(UI.rglob("*.py")):
        if path.name == "textual_compat.py":
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and re.match(r"textual(\.\w+)*\._", node.module or ""):
                found.append(f"{path.name}: from {node.module}")
        module = importlib.import_module(
            ".".join(path.relative_to(UI.parents[1]).with_suffix("").parts).removesuffix(".__init__")
        )
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            obj = getattr(module, cls.name, None)
            if not inspect.isclass(obj) or not any(b.__module__.startswith("textual") for b in obj.__mro__):
                continue
            theirs = _textual_privates(obj)
            for node in ast.walk(cls):
                name = getattr(node, "attr", None) or getattr(node, "name", None)
                if (
                    isinstance(node, (ast.Attribute, ast.FunctionDef, ast.AsyncFunctionDef))
                    and name in theirs
                    and name not in allowed.get(path.name, set())
                ):
                    found.append(f"{path.name}: {cls.name}.{name}")
    assert found == []


def test_a_line_that_cannot_be_drawn_fails_the_test_that_left_it_on_screen():
    """tests/ui/conftest.py: headless, the suite composes only the frames a test reads, and the
    last screen once as the test ends; a widget that cannot draw what it was given still fails
    its test, though no frame was read while it was on screen."""
    from textual.widgets import Static

    class Fragile(Static):
        DEFAULT_CSS = "Fragile { width: 10; height: 1; }"  # its size is not measured from its text
        broken = False

        def render(self):
            if self.broken:
                raise RuntimeError("cannot draw")
            return "ok"

    class Small(App):
        def compose(self):
            yield Fragile()

    async def main() -> None:
        app = Small()
        async with app.run_test() as pilot:
            widget = app.query_one(Fragile)
            widget.broken = True
            widget.refresh()
            await pilot.pause()

    with pytest.raises(RuntimeError, match="cannot draw"):
        asyncio.run(main())


@pytest.mark.parametrize(
    "key, opened", [("enter", "ErrandScreen"), ("n", "NoteForm"), ("question_mark", "HelpScreen")]
)
def test_a_new_screen_is_styled_once_as_it_is_shown(demo_db, key, opened):
    """textual_compat.StyledOnce: the widgets of a screen just opened were styled as they
    mounted; the ScreenResume that Textual sends it then does not style the whole screen again
    (docs/upstream.md, "A pushed screen is styled twice"). Back on top after a form closes, the
    screen keeps Textual's own choice."""
    from tests.ui.conftest import drive, settle
    from tests.ui.test_snapshots import app_on

    app = app_on(demo_db)

    async def scenario(pilot):
        await settle(pilot)
        restyled = []
        update_styles = app.update_styles

        def spy(node, animate=True):
            restyled.append(node)
            return update_styles(node, animate)

        app.update_styles = spy
        await pilot.press(key)
        await settle(pilot)
        return app.screen, restyled

    screen, restyled = drive(app, scenario)
    assert type(screen).__name__ == opened
    assert isinstance(screen, compat.StyledOnce)
    assert screen not in restyled


def test_planned_dispatch_finds_the_handlers_textual_would(demo_db):
    """textual_compat.plan_dispatch: for every message a receiver's dashboard handles while they
    assign (the assign form's @on handlers, matched on their widgets), open an errand, a note,
    help and the palette, the planned search yields the handlers Textual's own finds, in its
    order (compared before any runs: prevent_default between them is the next test's)."""
    from textual.message_pump import MessagePump

    from tests.ui.conftest import drive, settle
    from tests.ui.test_snapshots import app_on

    app = app_on(demo_db)  # make_app switches it on
    planned = MessagePump._get_dispatch_methods
    assert getattr(planned, "planned", False), (
        "plan_dispatch is off: Textual's dispatch is not the one it was checked against "
        "(textual_compat.VERIFIED_DISPATCH); check the two again and add this one's fingerprints"
    )
    theirs = planned.__wrapped__
    differ: list[str] = []
    selected: list[str] = []

    def compared(self, method_name, message):
        found = list(planned(self, method_name, message))
        if found != list(theirs(self, method_name, message)):
            differ.append(f"{type(self).__name__}.{method_name}")
        selected.extend(m.__name__ for _, m in found if getattr(m, "_textual_on", None))
        return planned(self, method_name, message)

    async def scenario(pilot):
        await settle(pilot)
        MessagePump._get_dispatch_methods = compared
        try:
            for keys in (("a", "d", "o", "down", "escape"), ("enter", "n", "escape", "escape")):
                await pilot.press(*keys)
                await settle(pilot)
            await pilot.press("question_mark")
            await settle(pilot)
            await pilot.press("escape", "ctrl+p", "h", "j")
            await settle(pilot)
        finally:
            MessagePump._get_dispatch_methods = planned

    drive(app, scenario)
    assert differ == []
    # the assign form's list and filter, the palette's input: @on handlers matched on their widget
    assert {"_highlighted", "_filter", "_input"} <= set(selected), selected


def test_a_callbacks_parameters_are_counted_as_textual_counts_them():
    """plan_dispatch keeps Textual's count of a callback's parameters per function's code: a
    lambda made anew, a partial, a method, a function that says it wraps another, a class."""
    import functools

    from textual import _callback

    assert compat.plan_dispatch()

    class Thing:
        def __init__(self, a, b): ...

        def method(self, a, *rest, **named): ...

    @functools.wraps(lambda a, b, c: None)
    def wrapper(*args): ...

    cases = [lambda: None, lambda a, b=1: None, functools.partial(lambda a, b: None, 1), Thing(1, 2).method]
    cases += [wrapper, Thing, lambda *a, k, **kw: None, lambda a, /, b: None]
    for case in cases:
        for _ in range(2):  # once counted, once kept
            expected = len(inspect.signature(case).parameters)
            if isinstance(case, functools.partial):
                expected = len(inspect.signature(case.func).parameters) - 1
            assert _callback.count_parameters(case) == expected, case


def test_a_textual_whose_dispatch_changed_keeps_its_own(monkeypatch):
    """plan_dispatch replaces Textual's search only where it is the one it was checked against
    (its compiled code's fingerprint): one that does anything else is kept."""
    from textual.message_pump import MessagePump

    def changed(self, method_name, message):
        if message.new_rule:
            yield from ()

    monkeypatch.setattr(MessagePump, "_get_dispatch_methods", changed)
    assert compat.plan_dispatch() is False
    assert MessagePump._get_dispatch_methods is changed


def test_planned_dispatch_stops_where_textual_stops_and_sees_handlers_set_later():
    """prevent_default between handlers, a selector that does not match, and a handler set on a
    class after its first message: the planned search yields what Textual's does, lazily."""
    from textual import on
    from textual.message import Message
    from textual.message_pump import MessagePump
    from textual.widgets import Static

    assert compat.plan_dispatch()
    planned = MessagePump._get_dispatch_methods
    theirs = planned.__wrapped__
    hit, miss = Static(id="hit"), Static(id="miss")

    class Ping(Message):
        def __init__(self, control):
            super().__init__()
            self._control = control

        @property
        def control(self):
            return self._control

    class Base(MessagePump):
        @on(Ping, "#hit")
        def picked(self, message): ...

        def on_ping(self, message): ...

    class Middle(Base): ...

    class Leaf(Middle):
        @on(Ping)
        def any_ping(self, message): ...

        def _on_ping(self, message): ...

    def run(search, control, stop_after):
        message = Ping(control)
        message.set_sender(leaf)
        found = []
        for cls, method in search(leaf, "on_ping", message):
            found.append((cls, method.__func__))
            if len(found) == stop_after:
                message.prevent_default()
        return found

    leaf = Leaf()
    for control in (hit, miss):
        for stop_after in (None, 1, 2, 3):
            assert run(planned, control, stop_after) == run(theirs, control, stop_after)
    Middle.on_ping = lambda self, message: None  # after the first Ping: Textual sees it
    try:
        assert run(planned, hit, None) == run(theirs, hit, None)
    finally:
        del Middle.on_ping
    assert run(planned, hit, None) == run(theirs, hit, None)


def test_a_partialmethods_parameters_are_its_own():
    """functools.partialmethod's functions share one code; inspect.signature reads their
    _partialmethod: each counted as Textual counts it."""
    import functools

    from textual import _callback

    assert compat.plan_dispatch()

    def three(a, b, c): ...

    class Thing:
        none_bound = functools.partialmethod(functools.partial(three))
        two_bound = functools.partialmethod(functools.partial(three, 1, 2))

    assert _callback.count_parameters(Thing().none_bound) == 2
    assert _callback.count_parameters(Thing().two_bound) == 0
