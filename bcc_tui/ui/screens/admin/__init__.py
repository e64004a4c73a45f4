"""The administrator's screen and its tabs, one module each."""

from bcc_tui.ui.screens.admin.screen import ROOT_HINT, TABS, AdminScreen
from bcc_tui.ui.screens.admin.staff import _swedish_field

__all__ = ["ROOT_HINT", "TABS", "AdminScreen", "_swedish_field"]
