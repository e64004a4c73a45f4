"""Splitting an import file into JSON lines, with the line number of every problem."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from bcc_tui.domain.errors import InvalidInput
from bcc_tui.domain.text import clean_line, has_surrogate

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


def lines(data: bytes) -> Iterator[tuple[int, Any | InvalidInput]]:
    """Yield (line number, decoded object or the reason it could not be read) per non-blank line.

    A UTF-8 byte-order mark at the start is tolerated; a line that is not valid UTF-8 or not
    valid JSON is reported by its number and the other lines are still read. An input with no
    line at all is refused as a whole.
    """
    if data.startswith(BOM):
        data = data[len(BOM) :]
    seen = False
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        seen = True
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            yield number, InvalidInput(f"raden är inte giltig UTF-8 (byte {err.start + 1})")
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as err:
            yield number, InvalidInput(f"ogiltig JSON ({json_reason(err.msg)}, tecken {err.colno})")
            continue
        except RecursionError:
            yield number, InvalidInput("ogiltig JSON (för djupt nästlad)")
            continue
        except ValueError:  # e.g. an integer longer than Python converts (4300 digits)
            yield number, InvalidInput("ogiltig JSON (ett tal är för stort)")
            continue
        try:
            why = _unholdable(obj)
        except RecursionError:
            why = "för djupt nästlad"
        yield number, InvalidInput(why) if why else obj
    if not seen:
        raise InvalidInput("filen är tom: inga rader att läsa in")


# SQLite's integer is 64 bits; a float that is not finite is no value at all.
_INT_RANGE = range(-(2**63), 2**63)


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


def parsed(data: bytes, parse) -> Iterator[tuple[int, Any | InvalidInput]]:
    """Each line through `parse` (a validator): the value, or the reason the line is refused."""
    for number, obj in lines(data):
        if isinstance(obj, InvalidInput):
            yield number, obj
            continue
        try:
            yield number, parse(obj)
        except InvalidInput as err:
            yield number, err
