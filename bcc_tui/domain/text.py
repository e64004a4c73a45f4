"""What is removed from untrusted text (docs/routine.md 6).

Everything a patient or proxy wrote passes through `clean` at intake and again at display: C0
controls except newline and tab, DEL, C1 controls, the Unicode bidirectional controls and the
characters that show nothing (the zero-width space, direction marks, the word joiner, the
byte-order mark, the soft hyphen; not the joiners that Persian, Arabic and emoji need) go; the rest
of the text is kept exactly. A lone surrogate (an undecodable byte of a command-line argument,
or a JSON escape such as "\\ud800") cannot be stored or printed; it becomes U+FFFD.
"""

import re

_BIDI = "\u202a-\u202e\u2066-\u2069"
# Characters that show nothing: zero-width spaces and joiners, direction marks, the word joiner and
# invisible operators, the byte-order mark, the soft hyphen. A message of "\u200b\u200b" was not
# empty, a patient named "\u200b" was a name, "Ann\u00adLindqvist" looked like another, and
# "fe\u200bber" hid a fever from the acute screen (an attacker's trial).
# The zero-width joiner and non-joiner stay: Persian and Arabic spelling and emoji need them.
_INVISIBLE = "\u00ad\u061c\u180e\u200b\u200e\u200f\u2060-\u2064\ufeff"
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}{_INVISIBLE}]")
# A carriage return is a control character too, but "\r\n" from a Windows editor means a newline.
_CRLF = re.compile(r"\r\n?")
_SURROGATE = re.compile("[\ud800-\udfff]")


# Any character that one of the three above would change: most texts hold none, and one search is
# a third of three substitutions (every line a command prints passes through here).
_ANY = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}{_INVISIBLE}\ud800-\udfff]")


def clean(text: str) -> str:
    """Return `text` without control, bidirectional-control and invisible characters."""
    if _ANY.search(text) is None:
        return text
    return _SURROGATE.sub("\ufffd", _UNSAFE.sub("", _CRLF.sub("\n", text)))


def has_surrogate(text: str) -> bool:
    """Whether `text` holds a lone surrogate, which no UTF-8 file or database can hold."""
    return _SURROGATE.search(text) is not None


def clean_line(text: str) -> str:
    """Like `clean`, for one-line fields (names, subjects): newlines and tabs become spaces."""
    return clean(text).replace("\n", " ").replace("\t", " ")


def count(n: int, one: str, many: str) -> str:
    """A number and its noun in the right form: '1 nytt ärende', '2 nya ärenden', '0 rader'."""
    return f"{n} {one if n == 1 else many}"
