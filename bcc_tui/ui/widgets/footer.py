"""A footer that puts help and quit first, so a narrow terminal cuts other keys, never those two."""

from __future__ import annotations

from textual.widgets import Footer
from textual.widgets._footer import FooterKey

FIRST = ("question_mark", "q")


class KeyFooter(Footer):
    def compose(self):
        widgets = list(super().compose())
        first = sorted(
            (w for w in widgets if isinstance(w, FooterKey) and w.key in FIRST),
            key=lambda w: FIRST.index(w.key),
        )
        yield from first
        yield from (w for w in widgets if not any(w is f for f in first))
