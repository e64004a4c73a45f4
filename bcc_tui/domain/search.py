"""How the filter compares text: what people see, without case or accents (issue 13, 15).

"ovrig" finds "övrig", "emma" finds "Emma", "lindgren" finds "Lindgrén". The same folding is
applied to the text searched (in SQLite, as the registered function `bcc_fold`) and to what was
typed, so both sides agree.

A personnummer is found in any written form (issue 27): twelve digits or ten, with "-" or "+"
before the last four or without (`201503041236`, `1503041236`, `20150304-1236`, `150304-1236`,
`150304+1236`). It is stored as YYYYMMDD-NNNN; the searched text holds that form and its twelve
digits (`personnummer_text`), and a "+" typed after six or eight digits is read as "-" (`needle`).
Every written form, and every piece typed on the way to one, is then a piece of the searched text.
"""

from __future__ import annotations

import re
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


# "+" after the date of birth (six digits, or eight with the century) and nothing before it but
# what is not a digit: Skatteverket's separator for someone 100 or older, read as "-".
_PNR_PLUS = re.compile(r"(?<![0-9])([0-9]{6}|[0-9]{8})\+", re.ASCII)


def personnummer_text(pnr: str) -> str:
    """What the searched text holds of a stored personnummer (YYYYMMDD-NNNN): the stored form and
    its twelve digits. Migration 9 writes the same in SQL (`personnummer || ' ' ||
    replace(personnummer, '-', '')`)."""
    return f"{pnr} {pnr.replace('-', '')}"


def needle(typed: str | None) -> str:
    """What was typed, as the filter looks for it: folded, a personnummer's "+" read as "-"."""
    return _PNR_PLUS.sub(r"\1-", fold(typed))
