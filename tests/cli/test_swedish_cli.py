"""The command line speaks Swedish and names people (issue 16 item 3): argparse's own words,
the reasons Python gives in English, the audit log's actions, people's names and counts."""

from __future__ import annotations

import argparse
import ast
import inspect
import re

import pytest

from bcc_tui.cli import argparse_sv
from tests.conftest import STAFF, errand_line, jsonl, run_cli

# Words that only argparse's English would print to a person.
ENGLISH = re.compile(
    r"usage:|positional arguments|options:|show this help|invalid choice|choose from|"
    r"the following arguments|unrecognized arguments|expected (one|at most|at least)|"
    r"not allowed with|is required|error:|invalid \w+ value",
    re.IGNORECASE,
)


@pytest.mark.parametrize("args", [["--help"], ["import", "--help"], ["close", "--help"], ["template", "-h"]])
def test_help_is_swedish(args):
    r = run_cli(*args)
    out = r.stdout.decode()
    assert r.returncode == 0 and out.startswith("användning: bcc-tui")
    assert not ENGLISH.search(out), out
    assert "flaggor:" in out and "visa den här hjälpen och avsluta" in out


def test_help_names_positionals_in_swedish():
    out = run_cli("assign", "--help").stdout.decode()
    assert "användning: bcc-tui assign [-h] [--reassign] ÄRENDE ANVÄNDARE" in out
    assert "argument:" in out


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["list", "--status", "bogus"], "bcc-tui list: fel: --status: ogiltigt val 'bogus' (välj bland "),
        (["assign"], "bcc-tui assign: fel: det här saknas: ÄRENDE, ANVÄNDARE"),
        (["--bogus", "list"], "bcc-tui: fel: okända argument: --bogus"),
        (["list", "--limit"], "bcc-tui list: fel: --limit: kräver ett värde"),
        (["list", "--limit", "x"], "bcc-tui list: fel: --limit: ogiltigt heltal: 'x'"),
        (["frobnicate"], "bcc-tui: fel: KOMMANDO: ogiltigt val 'frobnicate' (välj bland "),
        (["reply", "1177-1"], "bcc-tui reply: fel: ange en av --text --template"),
        (
            ["reply", "1177-1", "--text", "a", "--template", "b"],
            "fel: --template: kan inte kombineras med --text",
        ),
        (["staff"], "bcc-tui staff: fel: det här saknas: import"),
    ],
)
def test_usage_errors_exit_2_with_one_swedish_line(args, line):
    r = run_cli(*args)
    err = r.stderr.decode()
    assert r.returncode == 2 and r.stdout == b""
    errors = [x for x in err.splitlines() if ": fel: " in x]
    assert len(errors) == 1 and line in errors[0], err
    assert err.startswith("användning: ") and not ENGLISH.search(err), err


def test_usage_error_in_a_real_process_is_swedish():
    r = run_cli("list", "--status", "bogus", subprocess=True)
    assert r.returncode == 2 and "fel: --status: ogiltigt val 'bogus'" in r.stderr.decode()


def test_other_users_of_argparse_keep_their_language():
    """The Swedish catalogue is in force only while our parser works: another parser in the same
    process (pytest's own, say) is untouched, before and after."""
    run_cli("list", "--status", "bogus")
    other = argparse.ArgumentParser(prog="other")
    assert other.format_usage().startswith("usage: other")
    with argparse_sv.swedish():
        inner = argparse.ArgumentParser(prog="inner")
        with argparse_sv.swedish():
            pass
        assert inner.format_usage().startswith("användning: inner")
    assert inner.format_usage().startswith("usage: inner")


# Messages only a programmer building a parser can cause; no person using bcc-tui meets them.
_PROGRAMMER_ERRORS = {
    ".__call__() not defined",
    "'required' is an invalid argument for positionals",
    "mutually exclusive arguments must be optional",
    "%r is not callable",
    "cannot merge actions - two groups are named %r",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r",
    "dest= is required for options like %r",
    "invalid conflict_resolution value: %r",
    "cannot have multiple subparser arguments",
    "conflicting subparser: %s",
    "conflicting subparser alias: %s",
    'argument "-" with mode %r',
}


def test_catalogue_covers_this_pythons_argparse():
    """Every message id of the running Python's argparse that a person can meet has Swedish: a
    new Python's new wording shows up here, not as English in front of a nurse."""
    tree = ast.parse(inspect.getsource(argparse))
    singular, plural = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            texts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if node.func.id == "_" and texts:
                singular.add(texts[0])
            elif node.func.id == "ngettext" and len(texts) == 2:
                plural.add((texts[0], texts[1]))
    assert "usage: " in singular  # the walk found argparse's calls
    assert singular - _PROGRAMMER_ERRORS - set(argparse_sv.MESSAGES) == set()
    known = set(argparse_sv.PLURALS) | {("conflicting option string: %s", "conflicting option strings: %s")}
    assert plural - known == set()
    # Each translation keeps the placeholders argparse fills in.
    for msgid, text in argparse_sv.MESSAGES.items():
        assert sorted(re.findall(r"%\(\w+\)[rs]|%[rs]", msgid)) == sorted(
            re.findall(r"%\(\w+\)[rs]|%[rs]", text)
        )


def test_an_unknown_message_id_falls_back_to_argparse_own_words():
    assert argparse_sv.sv_gettext("some new wording: %s") == "some new wording: %s"
    assert argparse_sv.sv_ngettext("expected %s argument", "expected %s arguments", 2) == "kräver %s värden"
    assert argparse_sv.sv_ngettext("a %s", "b %s", 1) == "a %s"


def test_commands_still_parse(db):
    r = run_cli("import", "-", db=db, stdin=jsonl(errand_line()))
    assert r.returncode == 0, r.stderr
    r = run_cli("--as", "rec1", "list", "--limit", "1", "--status", "unassigned", db=db)
    assert r.returncode == 0 and "1177-000001" in r.stdout.decode()


# --- 2. reasons Python gives in English ---------------------------------------------------------


def test_broken_json_is_described_in_swedish(db, tmp_path):
    f = tmp_path / "in.jsonl"
    f.write_bytes(b'{"ref": "1177-000001" "type": "x"}\n{"ref": \n{} x\n[1,]\n"\\q"\n')
    r = run_cli("import", str(f), db=db)
    err = r.stderr.decode().splitlines()
    assert r.returncode == 1
    assert err == [
        f"{f}:1: ogiltig JSON (kommatecken saknas, tecken 23)",
        f"{f}:2: ogiltig JSON (ett värde saknas, tecken 9)",
        f"{f}:3: ogiltig JSON (mer text efter värdet, tecken 4)",
        f"{f}:4: ogiltig JSON (ett värde saknas, tecken 4)",
        f"{f}:5: ogiltig JSON (ogiltig \\-sekvens, tecken 2)",
    ]
    assert "Expecting" not in r.stderr.decode()


def test_system_reasons_are_swedish(db, tmp_path):
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "plain").write_text("x")
    for path, reason in (
        # A symlink named itself is refused before it is opened (issue 28); one inside the path
        # is the system's reason.
        (tmp_path / "loop" / "in.jsonl", "en symbolisk länk (eller för många länkar i rad)"),
        (tmp_path / "plain" / "in.jsonl", "en del av sökvägen är ingen mapp"),
    ):
        r = run_cli("import", str(path), db=db)
        assert r.returncode == 1
        assert r.stderr.decode() == f"bcc-tui: kan inte läsa {path}: {reason}\n"


def test_an_uncommon_errno_is_named_not_explained_in_english():
    import errno

    from bcc_tui.domain.errors import os_reason

    assert os_reason(OSError(errno.ENOENT, "No such file or directory")) == "finns inte"
    assert os_reason(OSError(errno.EPIPE, "Broken pipe")) == "systemfel (EPIPE)"
    assert os_reason(ValueError("embedded null byte"), "ogiltigt filnamn") == "ogiltigt filnamn"
    assert os_reason(TimeoutError()) == "tidsgränsen passerades"


def test_a_file_that_is_no_database_says_so_in_swedish(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"not a database at all, just some text " * 200)
    path.chmod(0o600)
    r = run_cli("--as", "rec1", "list", db=path)
    assert r.returncode == 1
    assert r.stderr.decode() == f"bcc-tui: {path} är ingen bcc-tui-databas: filen är ingen databas\n"


# --- 3. the audit log's actions in Swedish; 4. people's names ------------------------------------


@pytest.fixture
def worked(db):
    """Two errands: one assigned to doc1, refused to a doctor, then moved to doc2."""
    assert (
        run_cli(
            "import", "-", db=db, stdin=jsonl(errand_line("1177-000001"), errand_line("1177-000002"))
        ).returncode
        == 0
    )
    assert run_cli("--as", "rec1", "assign", "1177-000001", "doc1", db=db).returncode == 0
    assert run_cli("--as", "doc2", "reply", "1177-000001", "--text", "Inte mitt", db=db).returncode == 1
    return db


def test_audit_text_reads_swedish_with_names(worked):
    r = run_cli("--as", "adm", "audit", db=worked)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.decode().splitlines()
    assign = next(x for x in lines if "1177-000001" in x and "fördelade " in x)
    assert assign.startswith("2026-11-25 10:00  Rita Receiver (rec1)")  # Stockholm time, the person
    refused = next(x for x in lines if "Dag Doktor (doc2)" in x)
    assert "besvarade" in refused and "nekad" in refused
    system = next(x for x in lines if "läste in" in x)
    assert "system" in system
    for code in ("assign", " reply ", "refused", "import "):
        assert code not in r.stdout.decode(), code


def test_audit_details_read_as_swedish_words_not_json(worked):
    """Issue 29: `{"view": "dashboard", "filter": null}` read as words, on the command line as on
    the audit screen (one module, domain/audit_text.py)."""
    assert run_cli("--as", "rec1", "list", db=worked).returncode == 0
    from bcc_tui.domain.audit_text import detail_text

    assert detail_text('{"view": "dashboard", "filter": null}', {}) == "vy instrumentpanelen"
    out = run_cli("--as", "adm", "audit", db=worked).stdout.decode()
    assert "{" not in out and '"view"' not in out, out


def test_audit_csv_keeps_codes_and_adds_swedish(worked):
    import csv
    import io

    r = run_cli("--as", "adm", "audit", "--csv", db=worked)
    table = list(csv.DictReader(io.StringIO(r.stdout.decode())))
    assert list(table[0])[:9] == [
        "id",
        "tid_utc",
        "användare",
        "roll",
        "åtgärd",
        "ärende",
        "personnummer",
        "utfall",
        "detaljer",
    ]
    assert list(table[0])[9:] == ["namn", "roll_text", "åtgärd_text", "utfall_text", "detaljer_text"]
    row = next(t for t in table if t["åtgärd"] == "assign")
    assert (row["användare"], row["namn"], row["åtgärd_text"], row["utfall_text"]) == (
        "rec1",
        "Rita Receiver",
        "fördelade",
        "ok",
    )
    refused = next(t for t in table if t["utfall"] == "refused")
    assert (refused["åtgärd"], refused["åtgärd_text"], refused["utfall_text"]) == (
        "reply",
        "besvarade",
        "nekad",
    )


def test_every_logged_action_has_a_swedish_label():
    """The codes the services write to the log (ctx.entry, require, change, log_refusal) are all
    in the domain's one table: a new action cannot reach a reader as a bare code."""
    from pathlib import Path

    from bcc_tui.domain import roles

    codes = set(roles.PERMISSIONS)
    root = Path(__file__).resolve().parents[2] / "bcc_tui" / "services"
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            # The code is the first argument (require's second, after ctx), when written out.
            at = 1 if name == "require" else 0
            first = node.args[at] if len(node.args) > at else None
            if name in ("entry", "change", "log_refusal", "require") and isinstance(first, ast.Constant):
                codes.add(first.value)
            for kw in node.keywords:
                if kw.arg == "logged_as" and isinstance(kw.value, ast.Constant):
                    codes.add(kw.value.value)
    assert {"view", "login", "import", "admin_change", "assign"} <= codes  # the walk found them
    assert codes - set(roles.AUDIT_ACTIONS) == set()
    assert all(label and label.islower() for label in roles.AUDIT_ACTIONS.values())
    # … and each reads as one short word of the log (domain/audit_text.ACTIONS, issue 29).
    from bcc_tui.domain import audit_text

    assert codes - set(audit_text.ACTIONS) == set()
    assert max(len(w) for w in audit_text.ACTIONS.values()) <= 22


def test_show_and_assign_name_people(worked):
    out = run_cli("--as", "rec1", "show", "1177-000001", db=worked).stdout.decode()
    assert "Handläggare: Doris Doktor (doc1)" in out
    assert "Fördelat av Rita Receiver → Doris Doktor (doc1)" in out
    r = run_cli("--as", "rec1", "assign", "1177-000002", "doc2", db=worked)
    assert r.stdout.decode() == "1177-000002 fördelat till Dag Doktor (doc2)\n"
    r = run_cli("--as", "rec1", "assign", "--reassign", "1177-000002", "doc1", db=worked)
    assert r.stdout.decode() == "1177-000002 omfördelat till Doris Doktor (doc1)\n"
    # --json is for scripts: user names, as the contract says (docs/routine.md 4.1).
    import json

    shown = json.loads(run_cli("--as", "rec1", "show", "1177-000001", "--json", db=worked).stdout)
    assert shown["assignee"] == "doc1" and shown["events"][0]["target"] == "doc1"


def test_reassign_names_people_and_counts_in_the_singular(worked):
    r = run_cli("--as", "rec1", "reassign", "--from", "doc1", "--to", "doc2", db=worked)
    assert r.returncode == 0, r.stderr
    assert (
        r.stdout.decode().splitlines()[0]
        == "1 ärende flyttat från Doris Doktor (doc1) till Dag Doktor (doc2)"
    )
    r = run_cli("--as", "rec1", "reassign", "--from", "doc1", "--to", "doc2", db=worked)
    assert r.stdout.decode() == "Doris Doktor (doc1) har inga öppna ärenden; inget flyttat\n"


def test_stats_names_people(worked):
    later = "2026-11-30T10:00:00+01:00"  # the errands are overdue by then: deviations
    out = run_cli("--as", "rec1", "stats", db=worked, now=later).stdout.decode()
    assert "  Doris Doktor (doc1)    1 fördelade" in out
    assert "\n2 avvikelser (bröt mot regeln)" in out
    dev = run_cli("--as", "rec1", "stats", "--deviations", db=worked, now=later).stdout.decode()
    assert "2 ärenden bröt mot regeln" in dev and "hos Doris Doktor (doc1)" in dev
    csv_out = run_cli("--as", "rec1", "stats", "--csv", "--deviations", db=worked, now=later).stdout.decode()
    assert "doc1" in csv_out and "Doris Doktor (doc1)" not in csv_out  # CSV: codes for scripts


# --- 5. one and many ---------------------------------------------------------------------------


def test_counts_agree_with_their_number(db, tmp_path):
    r = run_cli("import", "-", db=db, stdin=jsonl(errand_line("1177-000001")))
    assert r.stdout.decode() == "1 nytt ärende, 0 redan inlästa, 0 avvisade rader\n"
    r = run_cli(
        "import", "-", db=db, stdin=jsonl(errand_line("1177-000001"), errand_line("1177-000002")) + b"{\n"
    )
    assert r.stdout.decode() == "1 nytt ärende, 1 redan inläst, 1 avvisad rad\n"
    r = run_cli("import", "-", db=db, stdin=jsonl(errand_line("1177-000003"), errand_line("1177-000004")))
    assert r.stdout.decode() == "2 nya ärenden, 0 redan inlästa, 0 avvisade rader\n"
    one = [dict(STAFF[0], name="Rita Mottagare")]
    r = run_cli("staff", "import", "-", db=db, stdin=jsonl(*one))
    assert r.stdout.decode() == "0 nya, 1 ändrad, 0 oförändrade, 0 avvisade rader\n"


def test_a_refusal_names_the_person(worked):
    r = run_cli("--as", "adm", "reply", "1177-000001", "--text", "Inte mitt", db=worked)
    assert r.stderr.decode() == (
        "bcc-tui: Adam Admin (adm) får inte besvara (kräver vårdgivare eller ärendemottagare)\n"
    )
    # Someone else's errand that a caregiver may not see reads as one that does not exist.
    r = run_cli("--as", "doc2", "reply", "1177-000001", "--text", "Inte mitt", db=worked)
    assert r.stderr.decode() == "bcc-tui: ärendet 1177-000001 finns inte eller får inte visas\n"
    r = run_cli("--as", "rec2", "assign", "1177-000001", "doc2", db=worked)
    assert "redan fördelat till Doris Doktor (doc1)" in r.stderr.decode()


def test_one_business_day_is_singular(db):
    assert run_cli("import", "-", db=db, stdin=jsonl(errand_line("1177-000001"))).returncode == 0
    r = run_cli("--as", "adm", "types", "--set", "fornya_recept", "--days", "1", db=db)
    assert r.stdout.decode() == "fornya_recept ändrad; 1 öppet ärende fick nytt förfallodatum\n"
    out = run_cli("--as", "rec1", "show", "1177-000001", db=db).stdout.decode()
    assert "ankomstdagen räknas inte; 1 vardag;" in out


def test_list_and_types_name_people(worked):
    out = run_cli("--as", "rec1", "list", db=worked).stdout.decode()
    row = next(x for x in out.splitlines() if x.startswith("1177-000001"))
    assert " Doris Doktor (doc1) " in row
    assert out.splitlines()[0].split() == [
        "ÄRENDE",
        "TYP",
        "STATUS",
        "HANDLÄGGARE",
        "INKOM",
        "FÖRFALLER",
        "TID",
        "KVAR",
    ]
    import json

    listed = [json.loads(x) for x in run_cli("--as", "rec1", "list", "--json", db=worked).stdout.splitlines()]
    assert {x["assignee"] for x in listed} == {"doc1", None}  # the contract keeps user names
    assert (
        run_cli("--as", "adm", "types", "--set", "fornya_recept", "--default", "doc2", db=worked).returncode
        == 0
    )
    types = run_cli("--as", "adm", "types", db=worked).stdout.decode()
    assert "förslag: Dag Doktor (doc2)" in next(
        x for x in types.splitlines() if x.startswith("fornya_recept")
    )


@pytest.mark.parametrize(
    "word, code", [("ofördelad", "unassigned"), ("fördelad", "assigned"), ("avslutad", "closed")]
)
def test_list_takes_the_status_in_swedish_beside_the_code(worked, word, code):
    swedish = run_cli("--as", "rec1", "list", "--status", word, "--json", db=worked)
    english = run_cli("--as", "rec1", "list", "--status", code, "--json", db=worked)
    assert swedish.returncode == 0, swedish.stderr
    assert swedish.stdout == english.stdout


def test_a_detail_in_a_persons_own_words_is_never_parsed_to_a_crash():
    """A partial reply's detail is its text: '[' six thousand deep made json.loads recurse out of
    its stack, and `bcc-tui audit` crashed (found by tests/cli/test_fuzz_cli.py)."""
    from bcc_tui.domain.audit_text import detail_text

    for text in (
        "[" * 6000,
        "{" * 6000,
        '{"a": ' + "[" * 6000,
        "ärendetyp fornya_recept: {" + "[" * 6000 + "}",
    ):
        assert detail_text(text, {}) == text
    assert detail_text('{"till": "doc1"}', {"doc1": "Doris Doktor"}).endswith("Doris Doktor")


def test_a_damaged_database_is_called_damaged_not_someone_elses(tmp_path):
    """A database of ours cut short was "ingen bcc-tui-databas", the line the nightly check mails:
    a clinic told that has no reason to restore it. It is damaged, and the line says what to do."""
    path = tmp_path / "bcc.db"
    assert run_cli("demo", "--no-ui", db=path).returncode == 0
    with open(path, "r+b") as f:
        f.truncate(100_000)
    for wal in (tmp_path / "bcc.db-wal", tmp_path / "bcc.db-shm"):
        wal.unlink(missing_ok=True)
    r = run_cli("check", db=path)
    err = r.stderr.decode()
    assert r.returncode == 1 and len(err.splitlines()) == 1, err
    assert "ingen bcc-tui-databas" not in err and "skadad" in err and "säkerhetskopian" in err, err


def test_the_statistics_table_writes_half_days_with_a_comma():
    """`stats` printed a median of "1.5" days among Swedish text ("38,0 °C", "0,01 s")."""
    from bcc_tui.cli.commands.reports import _days

    assert [_days(1.5), _days(2.0), _days(0), _days(None)] == ["1,5", "2", "0", "–"]


def test_every_option_of_every_command_says_what_it_is_for():
    """`list --limit`, `show --json`, `reply --text`, `close --reason`, `reassign --from/--to` and
    ten more showed only their name in --help."""
    import argparse

    from bcc_tui.cli import build_parser

    bare = []

    def walk(parser: argparse.ArgumentParser, path: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, f"{path} {name}")
            elif action.option_strings and action.dest != "help" and not action.help:
                bare.append(f"{path} {action.option_strings[0]}")

    walk(build_parser(), "bcc-tui")
    assert bare == [], bare


def test_a_database_whose_first_page_is_damaged_is_called_damaged(tmp_path):
    """SQLite reads a database with a damaged first page as "file is not a database": ours, with
    its header intact, is damaged and says how to restore it; someone's text file is still no
    database."""
    path = tmp_path / "bcc.db"
    assert run_cli("demo", "--no-ui", db=path).returncode == 0
    for side in (tmp_path / "bcc.db-wal", tmp_path / "bcc.db-shm"):
        side.unlink(missing_ok=True)
    with open(path, "r+b") as f:
        f.seek(16)
        f.write(b"\xff" * 84)  # the rest of the header: page size and counts
    r = run_cli("check", db=path)
    err = r.stderr.decode()
    assert r.returncode == 1 and len(err.splitlines()) == 1, err
    assert "skadad" in err and "bcc-tui restore" in err and "ingen bcc-tui-databas" not in err, err
