"""Splitting an import file into JSON lines, with the line number of every problem."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from bcc_tui.domain.errors import InvalidInput
from bcc_tui.domain.text import clean_line, has_surrogate

T = TypeVar("T")

BOM = b"\xef\xbb\xbf"


# json's reasons (the C scanner's and the Python one's, 3.11 to 3.13), by how they begin.
_JSON_REASONS = (
    ("Expecting value", "ett värde saknas"),
    ("Expecting ',' delimiter", "kommatecken saknas"),
    ("Expecting ':' delimiter", "kolon saknas"),
    ("Expecting property name enclosed in double quotes", "fältnamn inom dubbla citattecken saknas"),
    ("Extra data", "mer text efter värdet"),
    ("Unterminated string", "en sträng saknar avslutande citattecken"),
    ("Invalid control character", "otillåtet styrtecken i en sträng"),
    ("Invalid \\uXXXX escape", "ogiltig \\u-sekvens"),
    ("Invalid \\escape", "ogiltig \\-sekvens"),
    ("Illegal trailing comma", "kommatecken före slutet"),
)


def json_reason(msg: str) -> str:
    """Why json could not read a line, in Swedish (json says it in English)."""
    for english, swedish in _JSON_REASONS:
        if msg.startswith(english):
            return swedish
    return "felaktig JSON-syntax"


@dataclass(frozen=True)
class TooLong:
    """A line longer than the line cap: never held or decoded, only where it is (for a copy read
    again from the file) and how long it turned out to be."""

    offset: int  # of its first byte in the input
    size: int  # in bytes, without the newline
    cap: int  # the cap it broke, in bytes

    def reason(self) -> str:
        return f"raden är längre än {size_text(self.cap)}, gränsen för en rad ({self.size} byte); den lästes inte"


def size_text(n: int) -> str:
    """A size as an administrator sets it: '1 MB', '100 MB', '64 kB', '300 byte' (binary units)."""
    if n >= MB and n % MB == 0:
        return f"{n // MB} MB"
    if n >= KB and n % KB == 0:
        return f"{n // KB} kB"
    return f"{n} byte"


KB, MB = 1024, 1024 * 1024


class LineSplitter:
    """Input that arrives in chunks, as lines, without ever holding more of one line than `cap`
    bytes: the rest of a longer line is counted and dropped as it comes (a 200 MB line, or
    /dev/zero, costs one chunk of memory, not its length)."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self._parts: list[bytes] = []
        self._size = 0  # of the line being read, so far
        self._long = False
        self._start = 0  # offset of the line being read

    def feed(self, chunk: bytes) -> list[bytes | TooLong]:
        """The lines this chunk completes."""
        pieces = chunk.split(b"\n")
        out: list[bytes | TooLong] = []
        for piece in pieces[:-1]:
            self._add(piece)
            out.append(self._finish())
        self._add(pieces[-1])
        return out

    def end(self) -> list[bytes | TooLong]:
        """The last line, when the input does not end with a newline."""
        return [self._finish()] if self._size else []

    def _add(self, piece: bytes) -> None:
        self._size += len(piece)
        if self._long:
            return
        if self._size > self.cap:
            self._long, self._parts = True, []
        elif piece:
            self._parts.append(piece)

    def _finish(self) -> bytes | TooLong:
        line: bytes | TooLong = (
            TooLong(self._start, self._size, self.cap) if self._long else b"".join(self._parts)
        )
        self._start += self._size + 1
        self._parts, self._size, self._long = [], 0, False
        return line


def lines(data: bytes | Sequence[bytes | TooLong]) -> Iterator[tuple[int, Any | InvalidInput]]:
    """Yield (line number, decoded object or the reason it could not be read) per non-blank line.

    `data` is the whole input, or its lines as `LineSplitter` gives them. A UTF-8 byte-order
    mark at the start is tolerated; a line that is not valid UTF-8 or not valid JSON, or longer
    than the line cap, is reported by its number and the other lines are still read. An input
    with no line at all is refused as a whole.
    """
    raw_lines: Iterable[bytes | TooLong]
    if isinstance(data, bytes):
        raw_lines = (data[len(BOM) :] if data.startswith(BOM) else data).split(b"\n")
    else:
        first = data[0] if data else b""
        raw_lines = data
        if isinstance(first, bytes) and first.startswith(BOM):
            raw_lines = _after_bom(data)
    seen = False
    for number, raw in enumerate(raw_lines, start=1):
        if isinstance(raw, TooLong):
            seen = True
            yield number, InvalidInput(raw.reason())
            continue
        if not raw.strip():
            continue
        seen = True
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            yield number, InvalidInput(f"raden är inte giltig UTF-8 (byte {err.start + 1})")
            continue
        try:
            obj = json.loads(text, object_pairs_hook=_once_each)
        except json.JSONDecodeError as err:
            yield number, InvalidInput(f"ogiltig JSON ({json_reason(err.msg)}, tecken {err.colno})")
            continue
        except _TwiceNamed as err:
            yield number, InvalidInput(f'ogiltig JSON (fältet "{clean_line(err.key)[:40]}" finns två gånger)')
            continue
        except RecursionError:
            yield number, InvalidInput("ogiltig JSON (för djupt nästlad)")
            continue
        except ValueError:  # e.g. an integer longer than Python converts (4300 digits)
            yield number, InvalidInput("ogiltig JSON (ett tal är för stort)")
            continue
        if "\\u" not in text and _plain(obj):
            yield number, obj  # the usual line: nothing in it to refuse (see _plain)
            continue
        try:
            why = _unholdable(obj)
        except RecursionError:
            why = "för djupt nästlad"
        yield number, InvalidInput(why) if why else obj
    if not seen:
        raise InvalidInput("filen är tom: inga rader att läsa in")


class _TwiceNamed(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _once_each(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose field is named twice ({"ref": "A", "ref": "B"}) is refused: json keeps the
    last and drops the first without a word, so the errand stored was not the one a reader of the
    line would see first."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _TwiceNamed(key)
            seen.add(key)
    return obj


# SQLite's integer is 64 bits; a float that is not finite is no value at all.
_INT_RANGE = range(-(2**63), 2**63)


_PLAIN_DEPTH = 8  # deeper than any import format nests: such a line takes the full walk


def _plain(obj: Any) -> bool:
    """Whether a decoded line certainly holds nothing `_unholdable` refuses, cheaply: an object
    of texts, booleans, nulls and shallow objects and lists of them. Only a JSON escape makes a
    lone surrogate (valid UTF-8 holds none), so in a line without "\\u" its texts need no look;
    a number, or a deeper nesting, is left to the full walk."""
    if type(obj) is not dict:
        return False
    stack = [(obj, 0)]
    while stack:
        node, depth = stack.pop()
        for value in node.values() if type(node) is dict else node:
            kind = type(value)
            if kind is str or kind is bool or value is None:
                continue
            if (kind is dict or kind is list) and depth < _PLAIN_DEPTH:
                stack.append((value, depth + 1))
                continue
            return False
    return True


def _unholdable(obj: Any, field: str = "") -> str | None:
    """Why a decoded line holds something no file or database can keep, or None.

    A JSON escape can make a lone surrogate ("\\ud800"), which UTF-8 cannot encode: storing it
    would abort the whole batch, so the line is refused here, by its number, like any other."""
    if isinstance(obj, str):
        return f"{field or 'raden'}: ogiltigt tecken (ensamt surrogat)" if has_surrogate(obj) else None
    if isinstance(obj, bool) or obj is None:
        return None
    if isinstance(obj, int):
        return None if obj in _INT_RANGE else f"{field or 'raden'}: talet är för stort"
    if isinstance(obj, float):
        return None if math.isfinite(obj) else f"{field or 'raden'}: ogiltigt tal"
    if isinstance(obj, list):
        for item in obj:
            why = _unholdable(item, field)
            if why:
                return why
        return None
    for key, value in obj.items():
        if has_surrogate(key):
            return f"{field + '.' if field else ''}?: ogiltigt tecken (ensamt surrogat) i ett fältnamn"
        name = clean_line(key)[:60]
        why = _unholdable(value, f"{field}.{name}" if field else name)
        if why:
            return why
    return None


def _after_bom(data: Sequence[bytes | TooLong]) -> Iterator[bytes | TooLong]:
    """The lines with the first one's byte-order mark removed, without copying the list."""
    for i, raw in enumerate(data):
        yield raw[len(BOM) :] if i == 0 and isinstance(raw, bytes) else raw


def parsed(
    data: bytes | Sequence[bytes | TooLong], parse: Callable[[Any], T]
) -> Iterator[tuple[int, T | InvalidInput]]:
    """Each line through `parse` (a validator): the value, or the reason the line is refused."""
    for number, obj in lines(data):
        if isinstance(obj, InvalidInput):
            yield number, obj
            continue
        try:
            yield number, parse(obj)
        except InvalidInput as err:
            yield number, err
