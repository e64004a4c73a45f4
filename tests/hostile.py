"""Hypothesis strategies for hostile text (issue 11), shared by the fuzz tests.

Each escape fragment carries a marker after its introducer, so that a test can tell the
fragment reaching the terminal from Textual's own escape sequences.
"""

from __future__ import annotations

import re

from hypothesis import strategies as st

MARK = "Ⓜ"

ESCAPES = [
    f"\x1b]52;c;{MARK}\x07",
    f"\x1b]0;{MARK}\x07",
    f"\x1b]8;;https://evil.example{MARK}\x1b\\",
    f"\x1b[2J{MARK}",
    f"\x1b[31m{MARK}",
    f"\x9b31m{MARK}",
    f"\x9d0;{MARK}\x9c",
    f"\x1bP{MARK}\x1b\\",
    f"\x07{MARK}",
    f"\x00{MARK}",
    f"\r{MARK}",
    f"\x7f{MARK}",
    f"\x85{MARK}",
]
MARKUP = [
    "[/]",
    "[/b]",
    "[bold]",
    "[@click=app.quit]",
    "[link=https://evil.example]",
    "[/link]",
    "[",
    "]",
    "[[",
    "\\[",
    "[b]",
    "[OBS]",
    "[red on blue]",
    "$",
    "{förnamn}",
    "{",
    "}",
    "%s",
    "\\",
]
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
ODD = [
    "\ud800",
    "\udcff",
    "\udfff",
    "\n",
    "\t",
    "\r\n",
    " ",
    "-",
    "--",
    "\ufeff",
    "Ⅻ",
    "٣",
    "²",
    "é",
    "\u0301",
    "😀",
    "\u200b",
    "1177-000001",
    "rec1",
    "20150315-1233",
    "2026-11-25",
    "'",
    '"',
]

#: Characters that must never reach a terminal or a file a person reads.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

_any_char = st.characters(blacklist_categories=())  # includes controls and lone surrogates
_piece = st.one_of(
    st.sampled_from(ESCAPES + MARKUP + BIDI + ODD),
    st.text(_any_char, max_size=8),
)


def hostile(max_pieces: int = 8) -> st.SearchStrategy[str]:
    """Markup, unbalanced brackets, ESC/OSC/CSI/C1, bidi, lone surrogates; now and then empty or
    huge."""
    mixed = st.lists(_piece, max_size=max_pieces).map("".join)
    huge = st.builds(lambda s, n: (s or "x") * n, mixed, st.integers(2000, 25000))
    return st.one_of(mixed, mixed, mixed, st.just(""), huge)


def fragments_in(output: bytes) -> list[bytes]:
    """The hostile escape fragments, C1 controls and bidi characters found in terminal output."""
    found = [f.encode("utf-8") for f in ESCAPES if f.encode("utf-8") in output]
    found += [b.encode() for b in BIDI if b.encode() in output]
    found += re.findall(rb"\xc2[\x80-\x9f]", output)
    return found
