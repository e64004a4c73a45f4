"""What is removed from untrusted text (PRODUCT.md §6).

Everything a patient or proxy wrote passes through `clean` at intake and again at display: C0
controls except newline and tab, DEL, C1 controls and the Unicode bidirectional controls go; the
rest of the text is kept exactly.
"""

import re

_BIDI = "\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
# A carriage return is a control character too, but "\r\n" from a Windows editor means a newline.
_CRLF = re.compile(r"\r\n?")


def clean(text: str) -> str:
    """Return `text` without control and bidirectional-control characters."""
    return _UNSAFE.sub("", _CRLF.sub("\n", text))


def clean_line(text: str) -> str:
    """Like `clean`, for one-line fields (names, subjects): newlines and tabs become spaces."""
    return clean(text).replace("\n", " ").replace("\t", " ")
