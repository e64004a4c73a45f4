"""How the filter compares text: what people see, without case or accents (issue 13, 15).

"ovrig" finds "övrig", "emma" finds "Emma", "lindgren" finds "Lindgrén". The same folding is
applied to the text searched (in SQLite, as the registered function `bcc_fold`) and to what was
typed, so both sides agree.
"""

from __future__ import annotations

import unicodedata

# Letters that do not decompose into a base letter and a combining mark.
_EXTRA: dict[str, str | int | None] = {
    "ø": "o",
    "æ": "ae",
    "ß": "ss",
    "đ": "d",
    "ł": "l",
    "þ": "th",
    "œ": "oe",
}


def _strip(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


# The Latin letters of names and Swedish text, folded once: most text then needs one translate.
_LATIN = str.maketrans({**{chr(c): _strip(chr(c)) for c in range(0xC0, 0x250) if chr(c).islower()}, **_EXTRA})


def fold(text: str | None) -> str:
    """Lower case, accents and diaeresis removed; None is the empty string."""
    if not text:
        return ""
    low = text.casefold()
    if low.isascii():
        return low
    low = low.translate(_LATIN)
    if low.isascii():
        return low
    return _strip(low).translate(str.maketrans(_EXTRA))
