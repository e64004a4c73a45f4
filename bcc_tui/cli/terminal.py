"""Output to terminals and pipes that cannot show every character (issue 18).

A locale forwarded over SSH may be Latin-1 or ASCII. What such a terminal cannot show is replaced,
one cell for one cell so the dashboard's layout holds: box drawing by ASCII lines, anything else by
'?'. Python's default for the standard streams is a crash (stdout) or a visible `\\u2502` (stderr,
where Textual draws)."""

from __future__ import annotations

import codecs
import sys
import unicodedata

HANDLER = "bcc-terminal"

_LINES = {
    "─": "-",
    "━": "-",
    "═": "=",
    "│": "|",
    "┃": "|",
    "║": "|",
    "╌": "-",
    "╍": "-",
    "┄": "-",
    "┅": "-",
    "┈": "-",
    "┉": "-",
    "╎": "|",
    "╏": "|",
    "┆": "|",
    "┇": "|",
    "┊": "|",
    "┋": "|",
    "–": "-",
    "—": "-",
    "·": ".",
    "…": ".",
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "✓": "v",
    "▔": "-",
    "▁": "_",
    "•": "*",
    "→": ">",
    "←": "<",
}


def _one(ch: str) -> str:
    if ch in _LINES:
        return _LINES[ch]
    code = ord(ch)
    if 0x2500 <= code <= 0x257F:  # corners, tees and crossings of box drawing
        return "+"
    if 0x2580 <= code <= 0x259F:  # block elements (scroll bars)
        return "#"
    # A wide character keeps its two cells.
    return "??" if unicodedata.east_asian_width(ch) in ("W", "F") else "?"


def _replace(err: UnicodeError):
    if not isinstance(err, UnicodeEncodeError):
        raise err
    # The replacement itself must be encodable: ASCII always is for the encodings Python uses
    # for terminals; a replacement the codec still cannot take becomes '?'.
    out = []
    for ch in err.object[err.start : err.end]:
        sub = _one(ch)
        try:
            sub.encode(err.encoding)
        except (UnicodeEncodeError, LookupError):
            sub = "?" * len(sub)
        out.append(sub)
    return "".join(out), err.end


def install() -> None:
    """Make the process's text streams replace what their encoding cannot take; never crash."""
    try:
        codecs.lookup_error(HANDLER)
    except LookupError:
        codecs.register_error(HANDLER, _replace)
    seen = set()
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        if stream is None or id(stream) in seen:
            continue
        seen.add(id(stream))
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        try:
            reconfigure(errors=HANDLER)
        except (ValueError, OSError):  # a closed or detached stream
            pass
