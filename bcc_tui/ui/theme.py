"""A high-contrast theme, chosen with BCC_THEME=kontrast. NO_COLOR is honoured by Textual itself
(it renders monochrome); every level's meaning is also in the text, so neither loses anything."""

from __future__ import annotations

import os

from textual.theme import Theme

KONTRAST = Theme(
    name="kontrast",
    primary="#FFFFFF",
    secondary="#FFFF00",
    accent="#00FFFF",
    warning="#FFFF00",
    error="#FF5555",
    success="#55FF55",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1A1A1A",
    dark=True,
    luminosity_spread=0.3,
    text_alpha=1.0,
)


def apply(app) -> None:
    """Any other value of BCC_THEME is ignored: a setting never stops the dashboard from starting."""
    app.register_theme(KONTRAST)
    if os.environ.get("BCC_THEME", "").strip().lower() == KONTRAST.name:
        app.theme = KONTRAST.name
