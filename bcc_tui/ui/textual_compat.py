"""Every use of Textual's private API, in one place (issue 30, item 4).

Textual's names with a leading underscore can change in any release, without a deprecation. The
dashboard needs a few of them: where Textual has no public way to do what a requirement asks (no
patient data in a crash report, only the cells that changed sent over SSH, a key typed ahead of
a screen not lost, an idle dashboard that sleeps), or where it works around a Textual bug. They
are all here, named in `PRIVATE` with why each is used; tests/ui/test_textual_compat.py pins every
one against the installed Textual (the name is there, a method takes the parameters used here),
so an upgrade fails there, with the name, instead of the dashboard going wrong quietly.

The uses that work around a bug in Textual say which (`Private.bug`), and docs/upstream.md has
the report drafted for each.

What is left outside this module, and why:
- ui/widgets/errand_table.py reads DataTable's internals for its cell cache (`_render_cell`,
  `_row_locations` …); they are listed and pinned here (`DATA_TABLE`), read where they are used.
"""

from __future__ import annotations

import inspect
import sys
import weakref
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from types import CodeType, FunctionType
from typing import Any, ClassVar, Protocol, runtime_checkable

from rich.align import Align
from rich.text import Text
from textual import events, work
from textual._compositor import ChopsUpdate, CompositorUpdate, LayoutUpdate
from textual._loop import loop_last
from textual._on import OnNoWidget
from textual._parser import ParseError
from textual._xterm_parser import XTermParser
from textual.app import App
from textual.command import CommandList, CommandPalette
from textual.containers import Vertical
from textual.content import Content
from textual.css.query import NoMatches
from textual.driver import Driver
from textual.filter import LineFilter
from textual.geometry import Region, Size
from textual.message_pump import MessagePump
from textual.notifications import Notification
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Checkbox
from textual.widgets.option_list import Option

__all__ = [
    "DATA_TABLE",
    "PRIVATE",
    "ChopsUpdate",
    "CompatApp",
    "CompositorUpdate",
    "LayoutUpdate",
    "PaneFrame",
    "ParseError",
    "Private",
    "SafeCommandPalette",
    "StyledOnce",
    "XTermParser",
    "act_as",
    "border_title",
    "closing",
    "draw",
    "driver_debug",
    "every_frame",
    "exit_renderables",
    "fast_pilot",
    "fingerprint",
    "forget_styles",
    "frames_when_read",
    "line_filters",
    "loop_last",
    "notifications",
    "open_and_running",
    "parser_waiting",
    "pending",
    "plan_dispatch",
    "scroll_update",
    "scrollbar_drawn",
    "set_border_title",
    "set_line_filters",
    "share_css_parses",
    "watch_frames",
]


@dataclass(frozen=True)
class Private:
    """One private name of Textual's that the dashboard (or its suite) uses."""

    owner: str  # "module:Class", or "module" for a module of Textual's own
    name: str
    kind: str  # "method" (called or overridden), "attribute" (read or set), "name" (imported)
    why: str
    params: tuple[str, ...] | None = None  # a method's parameters after self, as used here
    bug: str | None = None  # the section of docs/upstream.md, where it works around a Textual bug


PRIVATE: tuple[Private, ...] = (
    # -- the app: a crash ------------------------------------------------------------------
    Private(
        "textual.app:App",
        "_handle_exception",
        "method",
        "overridden: Textual's handler prints the traceback with local variables (patient data)",
        ("error",),
        bug="A crash report prints local variables, with no public way to replace it",
    ),
    Private("textual.app:App", "_return_code", "attribute", "the exit status after our own crash report"),
    Private("textual.app:App", "_exception", "attribute", "run_test re-raises the first error"),
    Private("textual.app:App", "_exception_event", "attribute", "set with _exception, as Textual does"),
    Private(
        "textual.message_pump:MessagePump",
        "_close_messages_no_wait",
        "method",
        "ends the app after the crash report, as Textual's handler does",
        (),
    ),
    # -- the app: what reaches the terminal (ui/damage.py) ---------------------------------
    Private(
        "textual.app:App",
        "_display",
        "method",
        "overridden: every frame, narrowed to the cells that differ (issue 31)",
        ("screen", "renderable"),
    ),
    Private("textual.app:App", "_batch_count", "attribute", "a frame held back by batch_update"),
    Private("textual.message_pump:MessagePump", "_running", "attribute", "the app is running"),
    Private("textual.message_pump:MessagePump", "_closed", "attribute", "the app has closed"),
    Private("textual.app:App", "_driver", "attribute", "an inline driver draws frames differently"),
    Private("textual._compositor", "ChopsUpdate", "name", "a partial frame, narrowed by Shadow"),
    Private("textual._compositor", "LayoutUpdate", "name", "a whole frame, narrowed by Shadow"),
    Private("textual._compositor", "CompositorUpdate", "name", "what Shadow's runs are"),
    # -- the app: no colour ----------------------------------------------------------------
    Private(
        "textual.app:App",
        "_filters",
        "attribute",
        "under NO_COLOR, Monochrome replaced by render.KeepContrast (Textual's greys are too faint)",
    ),
    # -- type-ahead (ui/typeahead.py) ------------------------------------------------------
    Private(
        "textual.message_pump:MessagePump",
        "_message_queue",
        "attribute",
        "a key waits while any message does",
        bug="A key typed while a screen is being pushed or popped goes astray",
    ),
    Private(
        "textual.message_pump:MessagePump",
        "_next_callbacks",
        "attribute",
        "a key waits while a call_next does",
        bug="A key typed while a screen is being pushed or popped goes astray",
    ),
    Private("textual.message_pump:MessagePump", "_closing", "attribute", "a pump going away decides nothing"),
    # -- the input thread (ui/quiet.py) ----------------------------------------------------
    Private("textual._xterm_parser", "XTermParser", "name", "QuietDriver reads keys as LinuxDriver does"),
    Private("textual._parser", "ParseError", "name", "what is left of a sequence at the end"),
    Private("textual._loop", "loop_last", "name", "as LinuxDriver.run_input_thread"),
    Private(
        "textual._parser:Parser",
        "_timeout_time",
        "attribute",
        "whether an escape sequence is half read: only then does the input thread wake",
    ),
    Private("textual.driver:Driver", "_debug", "attribute", "passed to the parser, as LinuxDriver does"),
    # -- the command palette (ui/widgets/palette.py) ---------------------------------------
    Private(
        "textual.command:CommandPalette",
        "_gather_commands",
        "method",
        "overridden: a palette closed while it gathers no longer ends the app",
        ("search_value",),
        bug="The command palette closed while it gathers commands crashes the app",
    ),
    Private(
        "textual.command:CommandPalette",
        "_GATHER_COMMANDS_GROUP",
        "attribute",
        "the override keeps Textual's worker group",
    ),
    Private(
        "textual.command:CommandPalette",
        "_start_no_matches_countdown",
        "method",
        "overridden: 'No matches found' in Swedish, and safe once the palette has closed",
        ("search_value",),
        bug="The command palette closed while it gathers commands crashes the app",
    ),
    Private("textual.command:CommandPalette", "_stop_no_matches_countdown", "method", "as Textual", ()),
    Private("textual.command:CommandPalette", "_NO_MATCHES", "attribute", "the no-matches option's id"),
    Private("textual.command:CommandPalette", "_NO_MATCHES_COUNTDOWN", "attribute", "Textual's delay"),
    Private("textual.command:CommandPalette", "_list_visible", "attribute", "shows the list"),
    Private("textual.command:CommandPalette", "_no_matches_timer", "attribute", "stopped by Textual"),
    # -- screens (ui/typed.py) --------------------------------------------------------------
    Private(
        "textual.screen:Screen",
        "_on_screen_resume",
        "method",
        "runs before Textual's: a new screen's first resume does not style all of it again",
        ("event",),
        bug="A pushed screen is styled twice",
    ),
    # -- dispatch (plan_dispatch) ------------------------------------------------------------
    Private(
        "textual.message_pump:MessagePump",
        "_get_dispatch_methods",
        "method",
        "replaced where unchanged: a message's handlers found once per kind of receiver and message",
        ("method_name", "message"),
    ),
    Private("textual.message_pump:MessagePump", "_decorated_handlers", "attribute", "the @on handlers"),
    Private("textual.message:Message", "_no_default_action", "attribute", "prevent_default, per message"),
    Private("textual.message:Message", "_sender", "attribute", "an @on selector's test, per message"),
    Private("textual._on", "OnNoWidget", "name", "raised as Textual does, for a selector on no widget"),
    Private("textual._callback", "_count_parameters", "name", "kept per function's code, where unchanged"),
    Private(
        "textual.message_pump",
        "_MessagePumpMeta",
        "name",
        "setting or deleting a handler on a class (a test's monkeypatch) forgets plan_dispatch's plans",
    ),
    # -- the test suite (tests/ui/conftest.py) ---------------------------------------------
    Private(
        "textual._wait",
        "SLEEP_GRANULARITY",
        "attribute",
        "tests: Pilot's idle wait sleeps in 5 ms slices instead of 20 ms",
    ),
    Private("textual._wait", "SLEEP_IDLE", "attribute", "tests: with SLEEP_GRANULARITY"),
    Private(
        "textual._styles_cache:StylesCache",
        "get_inner_outer",
        "method",
        "tests: its lru_cache emptied after each test",
        ("base_background", "background"),
        bug="StylesCache.get_inner_outer's lru_cache keeps widgets' style caches alive after their app ends",
    ),
    Private(
        "textual.css.stylesheet:Stylesheet",
        "_parse_rules",
        "method",
        "tests: one parse of each CSS source per test process, not one per app and screen class",
        ("css", "read_from", "is_default_rules", "tie_breaker", "scope"),
    ),
    Private("textual.css.stylesheet:Stylesheet", "_variables", "attribute", "tests: the parse's variables"),
    Private(
        "textual.screen:Screen",
        "_compositor_refresh",
        "method",
        "tests: a headless app composes the frames a test reads, not every one (frames_when_read)",
        (),
    ),
    Private("textual.screen:Screen", "_dirty_widgets", "attribute", "tests: as _compositor_refresh"),
    Private("textual.screen:Screen", "_compositor", "attribute", "tests: the top screen's whole frame"),
    Private(
        "textual._compositor:Compositor",
        "render_update",
        "method",
        "tests: the top screen's whole frame (draw)",
        ("full", "screen_stack", "simplify"),
    ),
    Private("textual.app:App", "_background_screens", "attribute", "tests: the screens under a modal"),
    Private("textual.app:App", "_update_mouse_over", "method", "tests: as _compositor_refresh", ("screen",)),
    Private("textual.app:App", "_notifications", "attribute", "tests: the toasts shown"),
    Private("textual.app:App", "_exit_renderables", "attribute", "tests: nothing printed at the end"),
    Private(
        "textual.widget:Widget",
        "_border_title",
        "attribute",
        "tests: a title as drawn; set_border_title: a pane's count repainted alone (issue 31)",
    ),
    Private("textual._context", "active_message_pump", "name", "tests: a recompose run by hand"),
    Private(
        "textual.widgets._toggle_button:ToggleButton",
        "_button",
        "attribute",
        "overridden (TickBox): the box drawn empty when unticked, not the same X in another colour",
    ),
)

# DataTable's internals that ErrandTable (ui/widgets/errand_table.py) reads for its cell cache,
# which DataTable empties on every change (issue 31): pinned like the rest.
DATA_TABLE: tuple[Private, ...] = (
    Private(
        "textual.widgets._data_table:DataTable",
        "_render_cell",
        "method",
        "overridden: a cell drawn again only when its row or its look changed",
        ("row_index", "column_index", "base_style", "width", "cursor", "hover"),
    ),
    Private(
        "textual.widgets._data_table:DataTable",
        "_get_styles_to_render_cell",
        "method",
        "a one-line cell drawn without Rich's renderers, in DataTable's styles (issue 31)",
        (
            "is_header_cell",
            "is_row_label_cell",
            "is_fixed_style_cell",
            "hover",
            "cursor",
            "show_cursor",
            "show_hover_cursor",
            "has_css_foreground_priority",
            "has_css_background_priority",
        ),
    ),
    Private(
        "textual.widgets._data_table:DataTable",
        "_update_dimensions",
        "method",
        "overridden: new rows' cells are not measured, every column's width is given (issue 31)",
        ("new_rows",),
    ),
    Private("textual.widgets._data_table:DataTable", "_total_row_height", "attribute", "the table's length"),
    Private(
        "textual.widgets._data_table:DataTable", "_row_label_column_width", "attribute", "the table's width"
    ),
    Private("textual.widgets._data_table:DataTable", "_row_locations", "attribute", "a row's key"),
    Private("textual.widgets._data_table:DataTable", "_column_locations", "attribute", "a column's key"),
    Private("textual.widgets._data_table:DataTable", "_data", "attribute", "update_cell, one row"),
    Private("textual.widgets._data_table:DataTable", "_update_count", "attribute", "DataTable's caches"),
    Private("textual.widgets._data_table:DataTable", "_show_hover_cursor", "attribute", "a cell's look"),
    Private("textual.dom:DOMNode", "_pseudo_class_state", "attribute", "a cell's look (focus)"),
    Private(
        "textual.widgets._data_table:DataTable",
        "_render_line",
        "method",
        "overridden: a drawn line kept by its row, not by its position (issue 31)",
        ("y", "x1", "x2", "base_style"),
    ),
    Private("textual.widgets._data_table:DataTable", "_get_offsets", "method", "the row on a line", ("y",)),
    Private(
        "textual.widget:Widget",
        "_scroll_update",
        "method",
        "overridden: the scrollbar is drawn in the layout's own frame, not in a second one; and "
        "called for a long table's new length, which needs no layout (issue 31)",
        ("virtual_size",),
    ),
    Private(
        "textual.widget:Widget",
        "_size_updated",
        "method",
        "overridden: a widget that nothing scrolls is not laid out again for its content (issue 31)",
        ("size", "virtual_size", "container_size", "layout"),
    ),
    Private("textual.widget:Widget", "_vertical_scrollbar", "attribute", "the scrollbar, if made"),
    Private("textual.widget:Widget", "_repaint_required", "attribute", "a repaint asked for"),
    Private(
        "textual.widgets._data_table:DataTable",
        "_on_mouse_move",
        "method",
        "runs before DataTable's: the row under the pointer, from its line (a kept line names its old place)",
        ("event",),
    ),
    Private(
        "textual.widgets._data_table:DataTable",
        "_on_click",
        "method",
        "runs before DataTable's: the row under the pointer, from its line (a kept line names its old place)",
        ("event",),
    ),
)


# -- the app ---------------------------------------------------------------------------------
class CompatApp(App):
    """Textual's App with its private hooks turned into two of ours: `crashed` for an unforeseen
    error, `frame` for every frame on its way to the terminal."""

    def crashed(self, error: Exception) -> int:
        """An error no handler caught; the app ends after it with the exit status returned."""
        raise NotImplementedError

    def frame(self, renderable: Any, inline: bool) -> Any:
        """A frame about to be written to a terminal (`inline`: below the shell's prompt)."""
        return renderable

    def fail(self, error: Exception) -> None:
        """End the app on an error of our own timers' as Textual ends it on one of its own."""
        self._handle_exception(error)

    def _handle_exception(self, error: Exception) -> None:
        # Textual's own prints a traceback with its local variables when the app has ended
        # (docs/upstream.md); this is the rest of what it does, without that.
        self._return_code = self.crashed(error)
        if self._exception is None:  # run_test re-raises it, so that tests see the error
            self._exception = error
            self._exception_event.set()
        self._close_messages_no_wait()

    def _display(self, screen: Screen[Any], renderable: Any) -> None:
        # Textual's own test of whether the frame reaches a terminal (App._display, 8.2.8).
        driver = self._driver
        if (
            renderable is not None
            and not self._batch_count
            and self._running
            and not self._closed
            and not self.is_headless
            and driver is not None
        ):
            renderable = self.frame(renderable, driver.is_inline)
        super()._display(screen, renderable)


def open_and_running(pump: MessagePump) -> bool:
    """Running and not closed: a timer of our own that fires later goes on only then."""
    return pump._running and not pump._closed


def line_filters(app: App) -> list[LineFilter]:
    return list(app._filters)


def set_line_filters(app: App, filters: list[LineFilter]) -> None:
    """Textual chooses its line filters (Monochrome under NO_COLOR) with no setting to change them."""
    app._filters = filters


# -- message pumps (ui/typeahead.py) -----------------------------------------------------------
def closing(pump: MessagePump) -> bool:
    """Closing or closed: nothing of it decides where a key goes."""
    return pump._closing or pump._closed


def pending(pump: MessagePump) -> bool:
    """A message waiting in its queue, or a callback (call_next, call_after_refresh)."""
    return not pump._message_queue.empty() or bool(pump._next_callbacks)


# -- the input thread (ui/quiet.py) ------------------------------------------------------------
def parser_waiting(parser: XTermParser) -> bool:
    """Whether the parser waits for the rest of an escape sequence (a lone esc is a key only
    once nothing follows it)."""
    return parser._timeout_time is not None


def driver_debug(driver: Driver) -> bool:
    return driver._debug


# -- the command palette ---------------------------------------------------------------------
class TickBox(Checkbox):
    """A checkbox whose box is empty when unticked. Textual draws its BUTTON_INNER ("X") both
    ways, told apart by colour alone, which reads the same on a terminal of few colours: an
    administrator could not see that "Aktiv" was off."""

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = "X" if self.value else " "
        return super()._button


class SafeCommandPalette(CommandPalette):
    """Textual's palette, safe to close at any moment, with its "no matches" text a setting.

    Textual's palette gathers matching commands in a worker (and shows "no matches" from a timer)
    that look up the palette's list; when the palette closed in the meantime (a fast hand, or a
    control character in pasted text) the lookup failed and the worker's failure ended the whole
    app (docs/upstream.md). Nothing is lost by stopping: the list is gone."""

    NO_MATCHES_TEXT: ClassVar[str] = "No matches found"

    @work(exclusive=True, group=CommandPalette._GATHER_COMMANDS_GROUP)
    async def _gather_commands(self, search_value: str) -> None:
        try:
            # The undecorated method: this one is the worker already.
            await CommandPalette._gather_commands.__wrapped__(self, search_value)  # type: ignore[attr-defined]
        except NoMatches:
            pass

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual's own (8.2.8), with the text a setting and no failure once closed.
        self._stop_no_matches_countdown()

        def show() -> None:
            if search_value:
                lists = self.query(CommandList)
                if not lists:
                    return  # closed meanwhile
                lists.first().add_option(
                    Option(
                        Align.center(Text(self.NO_MATCHES_TEXT, style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show)


# -- the test suite --------------------------------------------------------------------------
@runtime_checkable
class _LruCached(Protocol):
    """A function under functools.lru_cache."""

    def cache_clear(self) -> None: ...


def notifications(app: App) -> list[Notification]:
    """The toasts the app shows (tests read what was said)."""
    return list(app._notifications)


def exit_renderables(app: App) -> list[object]:
    """What Textual prints once the screen is restored (its crash report would be there)."""
    return list(app._exit_renderables)


def border_title(widget: Widget) -> str:
    """A widget's border title as drawn (markup already parsed, or not), in plain text."""
    title = widget._border_title
    return title.plain if title is not None else ""


def set_border_title(widget: Widget, title: Content) -> None:
    """Widget.border_title's setter, repainting only the top border line. The setter repaints
    the whole widget: a pane's count changing made the compositor draw every line of the pane
    again, each row of its table included (issue 31: what a change costs each dashboard)."""
    widget._border_title = widget.render_str(title).expand_tabs(4).split()[0]
    if not widget.is_mounted or not widget.region:
        widget.refresh()
        return
    offset = widget.content_offset  # refresh's regions are relative to the content, inside the border
    widget.refresh(Region(-offset.x, -offset.y, widget.outer_size.width, 1))


class StyledOnce(MessagePump):
    """A screen styled once as it is shown. Textual sends every screen it pushes a ScreenResume
    that asks for its styles to be refreshed, so each widget of a new screen, styled as it
    mounted, is styled again, all of them, a moment later: a third of the styling done in
    opening a form or the errand screen. The first resume of a screen here does not ask for it;
    later ones (back on top after another screen closed) keep Textual's own choice.

    Textual calls each class's own handler along the MRO, subclass first: this one, placed before
    Screen, changes the event before Screen's handler reads it."""

    _resumed_before = False

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        if not self._resumed_before:
            self._resumed_before = True
            event.refresh_styles = False


class NoSecondLayout(Widget):
    """A widget that nothing scrolls (overflow hidden), laid out once per change. Textual sets a
    widget's virtual size (its content's) as it places it, and a virtual size that changed asks
    for a layout of the whole screen again: a second layout and a second frame drawing the same
    lines, at every row in or out of a short pane (issue 31). Here it is set without one."""

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        return super()._size_updated(size, virtual_size, container_size, layout=False)


class PaneFrame(NoSecondLayout, Vertical):
    """A pane's frame around its table (ui/screens/dashboard.py): the table inside scrolls, the
    frame does not; the dashboard fits a short pane's height to its rows."""


def scroll_update(widget: Widget, virtual_size: Size) -> None:
    """Textual's own scrollbar update of `widget` for a new virtual size, which the layout would
    have made: the scrollbars' lengths and positions, the scroll offset kept within the new end."""
    Widget._scroll_update(widget, virtual_size)


def scrollbar_drawn(widget: Widget) -> None:
    """Withdraw the repaint that Textual asked of `widget`'s vertical scrollbar, where the frame
    under way draws it anyway (ErrandTable._scroll_update: the layout repaints the whole table)."""
    scrollbar = widget._vertical_scrollbar
    if scrollbar is not None:
        scrollbar._repaint_required = False


def act_as(pump: MessagePump) -> None:
    """Make `pump` the active one, as Textual does before it runs a pump's handler."""
    from textual._context import active_message_pump

    active_message_pump.set(pump)


def watch_frames(app: App, seen: Callable[[Screen[Any], Any], None]) -> None:
    """Tests: call `seen` with every frame Textual composes, headless too (App._display)."""
    _FRAMES.apps.add(app)
    display = app._display

    def watched(screen: Screen[Any], renderable: Any) -> None:
        seen(screen, renderable)
        display(screen, renderable)

    app._display = watched  # type: ignore[method-assign]


class _Frames:
    """Which headless apps compose every frame (frames_when_read): all, or those watched."""

    every = False
    apps: weakref.WeakSet[App] = weakref.WeakSet()


_FRAMES = _Frames()


def frames_when_read() -> bool:
    """Tests: a headless app composes a frame only where a test reads frames (watch_frames,
    every_frame), and its last one when the test ends (draw); a screenshot composes its own.
    Headless, Textual composes every frame (each widget's lines drawn, the terminal's output made)
    and then throws it away: a fifth of the dashboard tests' CPU. What changed stays marked
    (the compositor's dirty regions), so the next frame composed has the text of all of it; a
    scrollbar under a form was seen to differ by a few cells (docs/structure.md), so the tests of
    what a terminal shows keep every frame. False when this Textual refreshes some other way: the
    suite is then slower, never wrong."""
    refresh = getattr(Screen, "_compositor_refresh", None)
    if refresh is None or getattr(refresh, "when_read", False):
        return refresh is not None

    def when_read(self: Screen[Any]) -> None:
        app = self.app
        if (
            app.is_headless
            and not app.is_inline
            and self is app.screen
            and not _FRAMES.every
            and app not in _FRAMES.apps
        ):
            self._dirty_widgets.clear()
            app._update_mouse_over(self)
            return
        refresh(self)

    when_read.when_read = True  # type: ignore[attr-defined]
    when_read.__wrapped__ = refresh  # type: ignore[attr-defined]  # the pin test reads Textual's own
    Screen._compositor_refresh = when_read  # type: ignore[method-assign]
    return True


def every_frame(on: bool) -> None:
    """Tests: every headless app composes every frame (a test of what is drawn, frame by frame)."""
    _FRAMES.every = on


def draw(app: App) -> None:
    """Tests: compose the top screen's whole frame now, every widget's lines drawn, as a terminal
    just opened would be sent it (frames_when_read: what a test left on screen is drawn once).
    Nothing where the app composes every frame: it has drawn all of it already."""
    if _FRAMES.every or app in _FRAMES.apps:
        return
    screen = app.screen
    app._display(screen, screen._compositor.render_update(full=True, screen_stack=app._background_screens))


def fast_pilot(granularity: float = 1 / 200) -> bool:
    """Pilot waits for "idle" in slices of `granularity` seconds (Textual's: 20 ms). False when
    this Textual waits some other way: the suite is then slower, never wrong."""
    try:
        import textual._wait as wait
    except ImportError:
        return False
    if not hasattr(wait, "SLEEP_GRANULARITY"):
        return False
    wait.SLEEP_GRANULARITY = granularity
    wait.SLEEP_IDLE = granularity / 20.0
    return True


def forget_styles() -> None:
    """Empty StylesCache.get_inner_outer's lru_cache, which keeps the last 1024 widgets' style
    caches (with the lines they drew) alive after their app has ended (docs/upstream.md)."""
    try:
        from textual._styles_cache import StylesCache
    except ImportError:
        return
    cached = StylesCache.get_inner_outer
    if isinstance(cached, _LruCached):
        cached.cache_clear()


def share_css_parses() -> bool:
    """Tests: parse each CSS source once per process instead of once per app. Textual keeps its
    parses per stylesheet, and `Stylesheet.reparse` (run whenever a screen class with its own CSS
    is first shown) starts a new stylesheet without them: every app of a test process parsed the
    dashboard's CSS and every widget's DEFAULT_CSS again, once per screen class it opened. The
    rule sets are only read once parsed (an app reuses them across its own reparses); the key is
    everything the parse reads, the variables (the theme) included. False when this Textual
    parses some other way: the suite is then slower, never wrong."""
    from textual.css.stylesheet import Stylesheet

    parse = getattr(Stylesheet, "_parse_rules", None)
    if parse is None or getattr(parse, "shared", False):
        return parse is not None
    parsed: dict[tuple[object, ...], Any] = {}

    def shared(
        self: Stylesheet,
        css: str,
        read_from: Any,
        is_default_rules: bool = False,
        tie_breaker: int = 0,
        scope: str = "",
    ) -> Any:
        key = (css, read_from, is_default_rules, tie_breaker, scope, tuple(self._variables.items()))
        rules = parsed.get(key)
        if rules is None:
            rules = parsed[key] = parse(self, css, read_from, is_default_rules, tie_breaker, scope)
        return rules

    shared.shared = True  # type: ignore[attr-defined]
    shared.__wrapped__ = parse  # type: ignore[attr-defined]  # the pin test reads Textual's own
    Stylesheet._parse_rules = shared  # type: ignore[method-assign]
    return True


def fingerprint(code: CodeType) -> int:
    """A function's compiled code without its line numbers (its instructions, names and
    constants, its nested code's too): equal for the same logic compiled by the same Python, and
    changed by any change to what it does. Cheap enough for a dashboard's start."""
    parts = [code.co_code, "\0".join(code.co_names).encode(), "\0".join(code.co_varnames).encode()]
    for const in code.co_consts:
        if isinstance(const, CodeType):
            parts.append(b"%d" % fingerprint(const))
        elif isinstance(const, frozenset):  # `x in {"a", "b"}`: its order is the string hashes'
            parts.append(repr(sorted(map(repr, const))).encode())
        else:
            parts.append(repr(const).encode())
    return zlib.crc32(b"\1".join(parts))


# Textual's MessagePump._get_dispatch_methods and textual._callback._count_parameters as
# plan_dispatch was written from and checked against (Textual 8.2.8), by the Python that compiled
# them: another Textual or Python keeps Textual's own until the two are checked again (the pin
# test in tests/ui/test_textual_compat.py fails until then).
VERIFIED_DISPATCH = {(3, 11): (679361513, 3829749622)}
_Plan = tuple[tuple[type, tuple[tuple[Any, "dict[str, Any] | None"], ...]], ...]


def _plan(pump: type, handler: str, message: type) -> _Plan:
    """Where Textual looks for `pump`'s handlers of `message`, class by class along its MRO, as
    MessagePump._get_dispatch_methods does: the methods decorated with @on for the message (or a
    base of it), with their selectors, then the method named after it; None for the selectors of
    a method named so. Classes with neither are left out."""
    from textual.message import Message

    kinds = [t for t in message.__mro__ if issubclass(t, Message)]
    plan = []
    for cls in pump.__mro__:
        found: list[tuple[Any, dict[str, Any] | None]] = []
        decorated = cls.__dict__.get("_decorated_handlers")
        if decorated:
            found += [(method, selectors) for kind in kinds for method, selectors in decorated.get(kind, [])]
        method = cls.__dict__.get(f"_{handler}") or cls.__dict__.get(handler)
        if method is not None and not getattr(method, "_textual_on", None):
            found.append((method, None))
        if found:
            plan.append((cls, tuple(found)))
    return tuple(plan)


def plan_dispatch() -> bool:
    """Every message's handlers found along its receiver's MRO once per kind of receiver and
    message, not again for each message. Textual walks a widget's whole MRO (twenty-odd classes)
    for each message it handles, two dictionary lookups per class and a list of the message's
    bases made anew: about 4 % of a dashboard's CPU in handling keys, frames and changes (issue 31:
    what a change costs each of a hundred dashboards). What can differ between two messages of
    one kind (a handler's prevent_default, an @on selector matched against the sender) is
    checked per message, in Textual's order. Also: Textual counts a callback's parameters (to
    call it with the ones it takes) with inspect.signature once per call for a partial or a
    lambda made anew; counted once per function's code here.

    Each is switched on only where Textual's functions are the ones it was checked against
    (`fingerprint`, VERIFIED_DISPATCH); a Textual that changed them keeps its own, slower, never
    wrong. Handlers set on a class later (a test's monkeypatch) are seen: setting or deleting
    one forgets the plans. The suite compares the two on a real dashboard's messages and on
    prevent_default between handlers (tests/ui/test_textual_compat.py)."""
    from textual import _callback
    from textual.css.match import match

    original = MessagePump._get_dispatch_methods
    if getattr(original, "planned", False):
        return True
    found = (fingerprint(original.__code__), fingerprint(_callback._count_parameters.__code__))
    if VERIFIED_DISPATCH.get(sys.version_info[:2]) != found:
        return False
    plans: dict[tuple[type, str, type], _Plan] = {}

    def planned(self: MessagePump, method_name: str, message: Any) -> Any:
        key = (self.__class__, method_name, message.__class__)
        plan = plans.get(key)
        if plan is None:
            plan = plans[key] = _plan(*key)
        dispatched: set[Any] = set()
        for cls, methods in plan:
            if message._no_default_action:
                break
            for method, selectors in methods:
                if selectors is None:  # named after the message: never among `dispatched`
                    yield cls, method.__get__(self, cls)
                    continue
                if method in dispatched:
                    continue
                if selectors and not _selected(message, selectors, match):
                    continue
                yield cls, method.__get__(self, cls)
                dispatched.add(method)

    def forget(name: str) -> None:
        if name in ("_decorated_handlers", "__bases__") or name.startswith(("on_", "_on_")):
            plans.clear()

    meta = type(MessagePump)
    set_attribute, delete_attribute = meta.__setattr__, meta.__delattr__

    def setting(cls: type, name: str, value: Any) -> None:
        set_attribute(cls, name, value)
        forget(name)

    def deleting(cls: type, name: str) -> None:
        delete_attribute(cls, name)
        forget(name)

    meta.__setattr__ = setting  # type: ignore[method-assign,assignment]
    meta.__delattr__ = deleting  # type: ignore[method-assign,assignment]
    planned.planned = True  # type: ignore[attr-defined]
    planned.__wrapped__ = original  # type: ignore[attr-defined]  # the test compares the two
    MessagePump._get_dispatch_methods = planned  # type: ignore[method-assign]
    _callback._count_parameters = _counted(_callback._count_parameters)  # type: ignore[assignment]
    return True


def _selected(message: Any, selectors: dict[str, Any], match: Callable[..., bool]) -> bool:
    """An @on handler's selectors all match the message's widgets (Textual's test, in its order)."""
    if not message._sender:
        return False
    for attribute, selector in selectors.items():
        node = getattr(message, attribute)
        if node is None:
            return False
        if not isinstance(node, Widget):
            raise OnNoWidget(f"on decorator can't match against {attribute!r} as it is not a widget.")
        if not match(selector, node):
            return False
    return True


def _counted(count: Callable[[Callable[..., Any]], int]) -> Callable[[Callable[..., Any]], int]:
    """`count` (Textual's parameter count) kept per function's code, for plain functions: their
    parameters are their code's. Other callables are counted each time, as before."""
    counts: dict[CodeType, int] = {}

    def counted(func: Callable[..., Any]) -> int:
        # inspect.signature reads a function's __wrapped__, __signature__ and _partialmethod
        # (functools.partialmethod's functions share one code) as well as its code: only those
        # with no attribute but Textual's own _param_count are counted by their code.
        if type(func) is not FunctionType or not func.__dict__.keys() <= {"_param_count"}:
            return count(func)
        code = func.__code__
        found = counts.get(code)
        if found is None:
            found = counts[code] = count(func)
        return found

    return counted


def parameters(method: Callable[..., object]) -> tuple[str, ...]:
    """A method's parameters after self, for the pin test (through Textual's decorators)."""
    found = list(inspect.signature(inspect.unwrap(method)).parameters)
    return tuple(found[1:] if found and found[0] in ("self", "cls") else found)


def owner(entry: Private) -> Any:
    """The module or class `entry` names, imported."""
    from importlib import import_module

    module, _, cls = entry.owner.partition(":")
    found: Any = import_module(module)
    return getattr(found, cls) if cls else found
