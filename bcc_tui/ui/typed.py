"""Screens that know their app's type.

`self.app` is typed as a plain `App` by Textual; screens here call the dashboard's own methods and
read its `ctx`. Textual's `getters.app` names the subclass for the type checker; at run time the
base property stays as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from textual.screen import ModalScreen, Screen

if TYPE_CHECKING:
    from textual import getters

    from bcc_tui.ui.app import BccApp

R = TypeVar("R")


class BccScreen(Screen[R]):
    if TYPE_CHECKING:
        app = getters.app(BccApp)


class BccModal(ModalScreen[R]):
    if TYPE_CHECKING:
        app = getters.app(BccApp)
