"""Text that leaves the program for another program to read: CSV cells a spreadsheet cannot run,
and Markdown that stays text.

Whatever a patient, a proxy or a member of staff wrote reaches CSV files (`audit --csv`,
`stats --csv`, `deviations --csv`) and the handover's Markdown. A spreadsheet runs a cell that
starts like a formula (`=HYPERLINK(…)`, `=cmd|…`, `@SUM(…)`), and a Markdown reader makes a
heading, a list, a link or raw HTML of text that looks like one. Every CSV writer writes through
`csv_writer`/`csv_text` and every piece of untrusted Markdown goes through `md`, so there is one
rule for each, tested in one place (tests/domain/test_exports.py).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from bcc_tui.domain.text import clean, clean_line

# -- CSV ------------------------------------------------------------------------------------------

# OWASP's CSV-injection rule: a cell whose first character is one of these is read as a formula
# (tab and carriage return because some spreadsheets skip them and read what follows; NUL as the
# ASVS lists it). Such a cell gets a leading apostrophe, which the spreadsheet takes as "text".
_FORMULA_FIRST = frozenset("=+-@\t\r\0")
# A cell that is only a number (what the program computed: counts, days, -3) is no formula and is
# left as a number, so that a column of figures still sums.
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
# A Swedish spreadsheet opens a .csv with ';' as its separator: "ring; =HYPERLINK(…)" is then two
# cells, the second a formula. A formula character after a ';' (and any spaces or quotes) is
# neutralised the same way.
_AFTER_SEMICOLON = re.compile(r"(;[\s\"]*)(?=[=+\-@])")


def neutralised(text: str) -> str:
    """`text` as a spreadsheet cannot run it: a leading formula character (also after leading
    spaces) gets an apostrophe before it, and so does one that follows a ';'. A number stays as
    it is; every other text is unchanged."""
    if not text:
        return text
    if ";" in text:
        text = _AFTER_SEMICOLON.sub(r"\1'", text)
    first = text.lstrip(" \u00a0")[:1]
    if (text[0] in _FORMULA_FIRST or first in _FORMULA_FIRST) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def cell(value: object) -> object:
    """One CSV cell: None is empty, a number (int or float) stays a number, text is neutralised."""
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return value
    return neutralised(str(value))


class _Sink(Protocol):
    def write(self, text: str, /) -> Any: ...


class SafeWriter:
    """A csv.writer (comma, '\\n' line ends, as the contracts in docs/statistics.md say) whose
    every cell goes through `cell`."""

    def __init__(self, stream: _Sink):
        self._writer = csv.writer(stream, lineterminator="\n")

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream: _Sink) -> SafeWriter:
    return SafeWriter(stream)


def csv_text(header: Sequence[str], rows: Iterable[Iterable[object]]) -> str:
    """A whole CSV file as text: the header, then the rows, every cell through `cell`."""
    out = io.StringIO()
    w = SafeWriter(out)
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue()


# -- Markdown -------------------------------------------------------------------------------------

# Inline structure anywhere in a line: escapes, code, emphasis, links and images, HTML and
# entities, headings, tables, strikethrough, and '@' (an e-mail address becomes a mailto link).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&@])")
# What makes a block of a line's start: a list item ("- ", "+ ", "1. ", "1) "), a setext
# heading's underline ("---", "==="). '#', '>' and '*' are escaped everywhere already.
_MD_LINE_START = re.compile(r"^(?:[-+=]|[0-9]{1,9}(?=[.)](?:\s|$)))")
# A bare address becomes a link in GitHub's Markdown and markdown-it's linkify: the escaped ':'
# of "://" and '.' of "www." leave it as text.
_MD_AUTOLINK = re.compile(r"(?i)(?<=[a-z0-9])(:)(?=//)|(?<=\bwww)(\.)")


def md(text: str | None) -> str:
    """Untrusted text for one line of Markdown (a remark, a name, an acute sign): control
    characters gone, every run of white space (blank lines included) one space, and everything
    Markdown or HTML would act on escaped — "## x" and "- x" at the start, "<script>",
    "[a](javascript:…)", `code`, "a | b", "http://…" — so the text reads as written and stays in
    its line."""
    line = _MD_SPECIAL.sub(r"\\\1", " ".join(clean_line(text or "").split()))
    line = _MD_AUTOLINK.sub(lambda m: "\\" + m.group(0), line)
    first = _MD_LINE_START.match(line)
    if first is None:
        return line
    if line[0].isdigit():  # "1. x" -> "1\. x": the escape goes before the '.' or ')'
        return line[: first.end()] + "\\" + line[first.end() :]
    return "\\" + line  # "- x" -> "\- x", "---" -> "\---"


def md_quote(text: str) -> list[str]:
    """A note's lines as a Markdown block quote, each line escaped by `md`: a note with "## …",
    "---" or "- …" lines stays inside its quote as text, and a blank line is a quoted blank line
    (the quote goes on)."""
    return ["> " + md(line) for line in clean(text).splitlines()] or ["> "]
