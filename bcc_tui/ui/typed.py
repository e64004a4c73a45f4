"""Screens that know their app's type, and their size classes from the start.

`self.app` is typed as a plain `App` by Textual; screens here call the dashboard's own methods and
read its `ctx`. Textual's `getters.app` names the subclass for the type checker; at run time the
base property stays as it is.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Protocol, TypeVar, runtime_checkable

from textual.screen import ModalScreen, Screen

from bcc_tui.ui.textual_compat import StyledOnce

if TYPE_CHECKING:
    from textual import getters

    from bcc_tui.ui.app import BccApp

R = TypeVar("R")


def _size_classes(screen: Screen) -> None:
    """Give a new screen the breakpoint classes of the terminal's present size. Textual adds them
    on the screen's first resize, after it has been styled, and so styles every widget on it a
    second time (4 % of the calls to open and close four screens); present from the start, the
    resize finds them there and changes nothing."""
    try:
        app = screen.app
    except RuntimeError:  # made outside a running app (NoActiveAppError): Textual adds them as usual
        return
    width, height = app.size
    for dimension, own, default in (
        (width, screen.HORIZONTAL_BREAKPOINTS, app.HORIZONTAL_BREAKPOINTS),
        (height, screen.VERTICAL_BREAKPOINTS, app.VERTICAL_BREAKPOINTS),
    ):
        for at, name in sorted((default if own is None else own) or [], reverse=True):
            if dimension >= at:
                screen.add_class(name, update=False)
                break


class BccScreen(StyledOnce, Screen[R]):
    if TYPE_CHECKING:
        app = getters.app(BccApp)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _size_classes(self)
        self._shown_before = False

    def on_screen_resume(self) -> None:
        # Back on top (a form or another screen closed over it): what others committed meanwhile
        # was not followed while it was covered, and is read now rather than at the next fallback
        # poll. Not at its first showing, which reads anyway.
        if self._shown_before:
            self.app.look_now()
        self._shown_before = True


class BccModal(StyledOnce, ModalScreen[R]):
    if TYPE_CHECKING:
        app = getters.app(BccApp)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _size_classes(self)


# What the app asks of the screen on top, where only some screens can answer (issue 30): each
# says what it means, where a getattr would only have said that some method of that name exists.
@runtime_checkable
class Ticks(Protocol):
    """A screen whose times move with the clock (ages, countdowns): the app calls `tick` when the
    minute changes, without asking the database."""

    def tick(self, now: dt.datetime) -> None: ...


@runtime_checkable
class KeepsDraft(Protocol):
    """A form that keeps what is typed in it (R21): `flush_draft` writes what the debounced save
    has not written yet (the app quitting, the terminal hung up); True when it was written."""

    def flush_draft(self, *, quiet: bool = False) -> bool: ...


@runtime_checkable
class ShowsErrand(Protocol):
    """A screen with an errand under the cursor (or open): the one an errand action acts on."""

    def current_ref(self) -> str | None: ...


@runtime_checkable
class Filters(Protocol):
    """A screen with a filter box that `/` (and the palette) opens."""

    def action_filter(self) -> None: ...


@runtime_checkable
class OffersActions(Protocol):
    """An app that says which errand actions the errand under the cursor can take (the footer
    shows only those)."""

    def offers(self, action: str) -> bool: ...


class FollowsChanges:
    """A screen that reads its data again when another process changed the database (R31): the
    app calls `follow` after each feed read while the screen is on top. Unaudited: nobody asked."""

    def follow(self) -> None:
        raise NotImplementedError
