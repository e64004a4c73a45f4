"""Splitting an import file into JSON lines, with the line number of every problem."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from bcc_tui.domain.errors import InvalidInput

BOM = b"\xef\xbb\xbf"


def lines(data: bytes) -> Iterator[tuple[int, Any | InvalidInput]]:
    """Yield (line number, decoded object or the reason it could not be read) per non-blank line.

    A UTF-8 byte-order mark at the start is tolerated; a line that is not valid UTF-8 or not
    valid JSON is reported by its number and the other lines are still read. An input with no
    line at all is refused as a whole.
    """
    if data.startswith(BOM):
        data = data[len(BOM):]
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
            yield number, json.loads(text)
        except (json.JSONDecodeError, RecursionError) as err:
            msg = getattr(err, "msg", "för djupt nästlad")
            yield number, InvalidInput(f"ogiltig JSON ({msg}, tecken {getattr(err, 'colno', '?')})")
    if not seen:
        raise InvalidInput("filen är tom: inga rader att läsa in")


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
