"""Hostile input at the command line and in intake files (issue 11): every bad line is refused by
its number and the good ones kept, nothing stored breaks a later read, every echo is clean, and
an unforeseen error ends in one line naming a private report."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import stat
from pathlib import Path

import pytest

from bcc_tui.cli import main
from tests.conftest import STAFF, errand_line, jsonl

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


@pytest.fixture
def env(monkeypatch, tmp_path):
    for key in ("SUDO_USER", "BCC_DB", "BCC_SMTP"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("BCC_NOW", "2026-11-25T10:00:00+01:00")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path


@pytest.fixture
def db(env, capsys):
    path = env / "h.db"
    staff = env / "staff.jsonl"
    staff.write_bytes(jsonl(*STAFF))
    assert main(["--db", str(path), "staff", "import", str(staff)]) == 0
    capsys.readouterr()
    return path


def cli(capsys, db: Path, *args: str, user: str | None = None) -> tuple[int, str, str]:
    argv = ["--db", str(db)] + (["--as", user] if user else []) + list(args)
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def import_lines(capsys, db: Path, tmp: Path, raw: bytes) -> tuple[int, str, str]:
    f = tmp / "in.jsonl"
    f.write_bytes(raw)
    return cli(capsys, db, "import", str(f))


def refused(err: str) -> dict[int, str]:
    out = {}
    for line in err.splitlines():
        m = re.match(r".*in\.jsonl:(\d+): (.*)", line)
        assert m, line
        out[int(m[1])] = m[2]
    return out


def test_unholdable_and_out_of_range_values_are_refused_by_line(db, env, capsys):
    good = errand_line("1177-000001")
    bad_lines = [
        errand_line("1177-000002", received_at="0999-06-01T10:00:00Z"),
        errand_line("1177-000003", received_at="0001-01-01T00:00:00+01:00"),
        errand_line("1177-000004", received_at="9999-12-31T23:59:59-01:00"),
        errand_line("1177-000005", received_at="1999-12-31T23:59:59Z"),
        errand_line("1177-000006", received_at="2030-06-01T10:00:00+02:00"),
        errand_line("1177-000007", received_at="2026-11-25T10:11:00+01:00"),  # 11 minutes ahead
        errand_line("1177-000008", received_at="2026-11-25T08:14:00+01:00\n"),
        errand_line("1177-000009", received_at="２０２６-11-25T08:14:00+01:00"),
    ]
    raw = jsonl(good, *bad_lines)
    # A lone surrogate can only come as a JSON escape; json.dumps writes it so.
    raw += (json.dumps(errand_line("1177-000010", message="Hej \ud800 där")) + "\n").encode()
    raw += (json.dumps({**errand_line("1177-000011"), "\udc80x": 1}) + "\n").encode()
    raw += b'{"ref": "1177-000012", "n": 1' + b"0" * 5000 + b"}\n"
    raw += (json.dumps({**errand_line("1177-000013"), "urgent": 2**70}) + "\n").encode()
    raw += jsonl(errand_line("1177-000014", received_at="2026-11-25T10:09:00+01:00"))  # within 10 min
    raw += jsonl(errand_line("1177-000015", received_at="2000-01-01T00:00:00Z"))
    code, out, err = import_lines(capsys, db, env, raw)
    assert code == 1
    assert "3 nya ärenden, 0 redan inlästa, 12 avvisade rader" in out
    why = refused(err)
    assert sorted(why) == list(range(2, 14))
    assert "före 2000-01-01" in why[2] and "före 2000-01-01" in why[5]
    assert "ingen giltig tidpunkt" in why[3] and "ingen giltig tidpunkt" in why[4]
    assert "framtiden" in why[6] and "framtiden" in why[7]
    assert "surrogat" in why[10] and "surrogat" in why[11]
    assert not CONTROL.search(err)
    # What was stored reads back everywhere.
    for args in (["list"], ["list", "--json"], ["handover"], ["stats", "--from", "2000-01-01"]):
        code, out, err = cli(capsys, db, *args, user="rec1")
        assert code == 0 and "Traceback" not in err, (args, err)


@pytest.mark.parametrize(
    "pnr, ok",
    [
        ("20150315-1233", True),
        ("201503151233", True),
        ("20150375-1230", True),  # samordningsnummer: day 15 + 60
        ("20150315-0000", False),  # serial 000 (Skatteverket issues 001–999)
        ("21150315-1233", False),  # century 21
        ("17150315-1233", False),
        ("20300315-1233", False),  # born after today
        ("20150315-1233\n", False),
        ("\n20150315-1233", False),
        (" 20150315-1233", False),
        ("2015031٥-1233", False),  # an Arabic-Indic digit is a digit to str.isdigit
        ("20150230-1233", False),
        ("20150315-1234", False),
        ("20150315--1233", False),
    ],
)
def test_personnummer_by_skatteverkets_rules(db, env, capsys, pnr, ok):
    from bcc_tui.domain.personnummer import check_digit

    if pnr == "20150315-0000":  # a correct check digit, so that only the serial is wrong
        pnr = "20150315-000" + check_digit("150315000")
    if pnr.startswith(("2115", "1715", "2030")):
        pnr = pnr[:12] + check_digit(pnr[2:8] + pnr[9:12])
    line = errand_line("1177-000001", patient={"name": "Elsa", "personnummer": pnr})
    code, _out, err = import_lines(capsys, db, env, jsonl(line))
    assert (code == 0) is ok, err
    if not ok:
        assert "patient.personnummer" in err and not CONTROL.search(err)


def test_a_complaints_automatic_reply_is_never_before_it_arrived(db, env, capsys):
    line = errand_line("1177-000001", type="synpunkter_klagomal", received_at="2026-11-25T10:05:00+01:00")
    assert import_lines(capsys, db, env, jsonl(line))[0] == 0
    import sqlite3

    conn = sqlite3.connect(db)
    received, partial = conn.execute("SELECT received_at, partial_reply_at FROM errands").fetchone()
    assert partial >= received == "2026-11-25T09:05:00Z"
    conn.close()


def test_echoed_input_is_clean(db, env, capsys):
    raw = jsonl(
        {**errand_line("1177-000001"), "\x1b]0;kapad\x07nyckel": 1},
        errand_line("1177-000002", type="\x1b[2Jtyp\u202e"),
        errand_line("1177-000003\n"),
    )
    code, out, err = import_lines(capsys, db, env, raw)
    assert code == 1 and "0 nya" in out
    why = refused(err)
    assert why[1] == "]0;kapadnyckel: okänt fält"
    assert why[2].startswith('type: okänt värde "[2Jtyp"')
    assert "ref:" in why[3]
    assert not CONTROL.search(err)
    name = env / "fil\x1b]0;t\x07.jsonl"
    code, out, err = cli(capsys, db, "import", str(name))
    assert code == 1 and "finns inte" in err and not CONTROL.search(err)


def test_a_typed_reference_is_stored_and_printed_clean(db, env, capsys):
    hostile = "X\x1b]52;c;ZXZpbA==\x07\x1b]0;T\x07\x1b[2J\u202e"
    code, out, err = cli(capsys, db, "show", hostile, user="rec1")
    assert code == 1 and not CONTROL.search(out + err)
    code, out, err = cli(capsys, db, "note", hostile, "--text", "[/]\x1b[31m", user="rec1")
    assert code == 1 and not CONTROL.search(out + err)
    import sqlite3

    conn = sqlite3.connect(db)
    stored = [r[0] for r in conn.execute("SELECT ref FROM audit WHERE ref IS NOT NULL")]
    conn.close()
    assert stored and all(not CONTROL.search(r) for r in stored)
    for args in (["audit"], ["audit", "--csv"]):
        code, out, err = cli(capsys, db, *args, user="adm")
        assert code == 0 and "X]52;c;ZXZpbA==]0;T[2J" in out and not CONTROL.search(out + err)


@pytest.mark.parametrize(
    "args",
    [
        ["note", "1177-000001", "--text", "bad\udcffnote"],
        ["handover", "--remark", "1177-77\udcff", "x"],
        ["show", "X\udcff"],
    ],
)
def test_a_text_argument_that_is_not_utf8_is_refused_in_one_line(db, env, capsys, args):
    """An attacker's trial: `--text $'bad\\xff'` was stored as "bad\ufffd", and a reference with
    such a byte crashed the handover's remark into a crash report."""
    assert import_lines(capsys, db, env, jsonl(errand_line("1177-000001")))[0] == 0
    code, out, err = cli(capsys, db, *args, user="rec1")
    assert code == 1 and out == "" and err.startswith("bcc-tui: ") and "UTF-8" in err, err
    assert len(err.splitlines()) == 1 and "oväntat" not in err
    import sqlite3

    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM events WHERE kind = 'note'").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM handover_remarks").fetchone()[0] == 0


@pytest.mark.parametrize(
    "args",
    [
        ["replicate", "--to", "/tmp/" + "A" * 5000],
        ["import", "/tmp/" + "A" * 5000 + "/f.jsonl"],
        ["backup", "/tmp/" + "A" * 5000],
    ],
)
def test_a_path_too_long_for_any_file_is_one_line(db, env, capsys, args):
    """An attacker's trial: a path of 5,000 characters ended in a crash report (OSError)."""
    code, _out, err = cli(capsys, db, *args, user="adm")
    assert code == 1 and len(err.splitlines()) == 1 and "oväntat" not in err, err


def test_numbers_out_of_range_are_one_clear_line(db, env, capsys):
    for args, user in (
        (["list", "--limit", "9" * 30], "rec1"),
        (["audit", "--limit", "-1"], "adm"),
        (["types", "--set", "fornya_recept", "--days", "9" * 30], "adm"),
        (["settings", "--followup-days", "9" * 30], "adm"),
        # A hostile trial: each of these ended in a crash report (the week and time-zone
        # arithmetic overflowed).
        (["stats", "--from", "2026-01-01", "--to", "9999-12-31"], "adm"),
        (["stats", "--from", "0001-01-01"], "adm"),
        (["audit", "--to", "9999-12-31"], "adm"),
        (["audit", "--from", "0001-01-01"], "adm"),
    ):
        code, _out, err = cli(capsys, db, *args, user=user)
        assert code == 1 and len(err.splitlines()) == 1 and "Traceback" not in err, (args, err)
        assert "oväntat" not in err, (args, err)


def test_a_number_sqlite_cannot_hold_is_one_line_not_a_crash(db, env, capsys):
    """`deviations --report 99999999999999999999999` overflowed SQLite's integer into a crash
    report: no deviation has that number."""
    code, _out, err = cli(capsys, db, "deviations", "--report", "9" * 23, "--medcontrol", "5", user="adm")
    assert (code, err) == (1, f"bcc-tui: --report: ingen avvikelse har nummer {'9' * 23}\n")


@pytest.mark.parametrize("kind", ["devnull", "text", "folder"])
def test_db_that_is_no_database_is_one_line(env, capsys, kind):
    path = {"devnull": Path(os.devnull), "text": env / "notes.txt", "folder": env}[kind]
    if kind == "text":
        path.write_text("inte en databas\n" * 100)
    sidecars = [Path(os.devnull + suffix) for suffix in ("-journal", "-wal", "-shm")]

    def stamps():  # another program may have left one; this test must not make or touch it
        return {p: p.stat().st_mtime_ns for p in sidecars if p.exists()}

    before = stamps()
    for args in (["list"], ["import", "-"], ["check"]):
        code = main(["--db", str(path), *args])
        _out, err = capsys.readouterr()
        assert code == 1 and len(err.splitlines()) == 1 and str(path) in err, (args, err)
    assert stamps() == before
    if kind == "text":
        assert sorted(p.name for p in env.iterdir() if p.name.startswith("notes")) == ["notes.txt"]


def test_a_refused_file_is_left_as_it_was(env, capsys):
    """A hostile trial: another program's database was switched to WAL (its header changed) by a
    refused `list`, and an empty file became a whole bcc-tui database although `list` was
    refused. Only import, staff import and demo set up a new database."""
    import sqlite3

    foreign, empty = env / "other.db", env / "empty.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE foo (x)")
    conn.commit()
    conn.close()
    empty.write_bytes(b"")
    for path in (foreign, empty):
        path.chmod(0o600)
    before = foreign.read_bytes()
    for path, said in (
        (foreign, f"bcc-tui: {foreign} är ingen bcc-tui-databas (den har tabeller men ingen schemaversion)"),
        (
            empty,
            f"bcc-tui: databasen {empty} är tom; en ny databas läggs upp av demo, import eller staff import",
        ),
    ):
        code = main(["--db", str(path), "--as", "rec1", "list"])
        _out, err = capsys.readouterr()
        assert (code, err) == (1, said + "\n")
    assert foreign.read_bytes() == before and empty.read_bytes() == b""
    assert sorted(p.name for p in env.iterdir() if p.name.startswith(("other", "empty"))) == [
        "empty.db",
        "other.db",
    ]
    assert main(["--db", str(empty), "import", "-"]) == 1  # an empty input; the file is set up
    capsys.readouterr()
    assert empty.stat().st_size > 0


@pytest.mark.parametrize("args", [["demo", "--no-ui"], ["import", "-"], ["staff", "import", "-"]])
def test_a_database_path_that_links_to_nothing_is_refused(env, capsys, args):
    """A hostile trial: `demo --db exp/dangling.jsonl`, a link to a file that did not exist, made
    a database where the link pointed, in another folder."""
    (env / "victim").mkdir()
    link = env / "dangling.db"
    link.symlink_to(env / "victim" / "nothere.txt")
    code = main(["demo", "--db", str(link), *args[1:]] if args[0] == "demo" else ["--db", str(link), *args])
    _out, err = capsys.readouterr()
    assert (code, err) == (1, f"bcc-tui: {link} är en symbolisk länk till en fil som inte finns\n")
    assert list((env / "victim").iterdir()) == []


@pytest.mark.parametrize(
    "now",
    [
        "9999-12-31T23:59:59+00:00",
        "0001-01-01T00:00:00+00:00",
        "2099-12-31T23:59:59-12:00",
        "9999-12-31T23:59:59-12:00",  # past the calendar's end in UTC: an OverflowError (a review)
        "0001-01-01T00:00:00+12:00",
    ],
)
def test_a_clock_out_of_the_programs_years_is_one_line(db, env, capsys, monkeypatch, now):
    """A hostile trial: BCC_NOW at the ends of the calendar overflowed into a crash report."""
    monkeypatch.setenv("BCC_NOW", now)
    code = main(["--db", str(db), "--as", "rec1", "list"])
    _out, err = capsys.readouterr()
    assert (code, err) == (1, "bcc-tui: BCC_NOW ska vara en tidpunkt mellan år 1970 och 2099\n")


def test_an_unforeseen_error_is_one_line_and_a_private_report(db, env, capsys, monkeypatch):
    from bcc_tui.cli import registry

    def boom(ctx, args):
        raise KeyError("Elsa Andersson 20150315-1233")

    (listing,) = registry.load("list")
    monkeypatch.setitem(registry.COMMANDS, "list", dataclasses.replace(listing, handler=boom))
    code, out, err = cli(capsys, db, "list", user="rec1")
    assert code == 1 and out == ""
    assert len(err.splitlines()) == 1 and "Traceback" not in err and "Elsa" not in err
    path = Path(re.search(r"Felrapporten finns i (\S+);", err)[1])
    assert path.parent == env / "state" / "bcc-tui"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert "KeyError" in text and "boom" in text and "Elsa" not in text and "20150315" not in text


def _error() -> BaseException:
    try:
        raise KeyError("Elsa Andersson")
    except KeyError as err:
        return err


def test_crash_reports_go_to_the_configured_folder_group_readable_and_capped(tmp_path, monkeypatch):
    """Issue 31, item 5: the service account's reports fell back to /tmp/bcc-tui-UID/ (its home is
    root's), where nobody was told to look, and were not capped. With BCC_REPORT_DIR (the guide's
    /var/log/bcc-tui/, 2750 with the administrators' group) they go there, readable by that
    group, at most MAX_REPORTS of at most MAX_BYTES; the person behind sudo is told the name."""
    from bcc_tui import crash

    folder = tmp_path / "log"
    folder.mkdir(mode=0o750)
    folder.chmod(0o2750)
    (folder / "notes.txt").write_text("the admins' own file")
    env = {"BCC_REPORT_DIR": str(folder), "SUDO_USER": "rec1", "SUDO_UID": "1000"}
    monkeypatch.setattr(crash, "MAX_REPORTS", 5)
    paths = []
    for n in range(8):
        paths.append(crash.write_report(_error(), f"test {n}", environ=env))
        os.utime(paths[-1], (1000 + n, 1000 + n))
    assert all(p is not None and p.parent == folder for p in paths)
    kept = sorted(p.name for p in folder.iterdir() if p.name.startswith("krasch-"))
    assert len(kept) == 5 and paths[-1].name in kept
    assert (folder / "notes.txt").exists()  # nothing but its own reports removed
    assert stat.S_IMODE(paths[-1].stat().st_mode) == 0o640
    line = crash.message(paths[-1], env)
    assert paths[-1].name in line and str(folder) in line and "skicka den" not in line
    # A report past MAX_BYTES is cut (a recursion deep enough would have written megabytes).
    monkeypatch.setattr(crash, "report_text", lambda error, where="": "x" * 100 + "\n" * 10 + "y\n" * 99_000)
    big = crash.write_report(_error(), environ=env)
    assert big.stat().st_size <= crash.MAX_BYTES and big.read_text().endswith("(rapporten är avkortad)\n")
    # A folder others may write to is not used (the fallback: the system's temporary folder).
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    loose = tmp_path / "loose"
    loose.mkdir()
    loose.chmod(0o777)
    fallback = crash.write_report(_error(), environ={"BCC_REPORT_DIR": str(loose)})
    assert fallback is not None and fallback.parent == tmp_path / f"bcc-tui-{os.getuid()}"


@pytest.mark.parametrize(
    "field, value, why",
    [
        ("message", "\u200b\u200b", "meddelandet är tomt"),
        ("patient", {"name": "\u200b\ufeff", "personnummer": "20180101-0016"}, "får inte vara tom"),
    ],
)
def test_a_field_of_invisible_characters_is_empty(db, env, capsys, field, value, why):
    """An attacker's trial: a message of zero-width spaces, and a patient named "\u200b", were
    imported as if they said something."""
    line = errand_line("1177-000001")
    line[field] = value
    code, _out, err = import_lines(capsys, db, env, jsonl(line))
    assert code == 1 and why in err, err


def test_a_clock_behind_the_audit_log_writes_nothing(db, env, capsys, monkeypatch):
    """An attacker's trial: BCC_NOW=1970-01-01 wrote audit rows dated before the log's newest,
    and `check` failed for good ("tiden … är före föregående rads")."""
    monkeypatch.setenv("BCC_NOW", "1970-01-01T00:00:00Z")
    import sqlite3

    rows = sqlite3.connect(db).execute("SELECT count(*) FROM audit").fetchone()[0]
    code, _out, err = cli(capsys, db, "list", user="rec1")
    assert code == 1 and err.startswith("bcc-tui: BCC_NOW (1970-01-01T00:00:00Z) ligger före"), err
    assert sqlite3.connect(db).execute("SELECT count(*) FROM audit").fetchone()[0] == rows
    monkeypatch.setenv("BCC_NOW", "2026-11-26T10:00:00+01:00")
    assert cli(capsys, db, "check", user="adm")[0] == 0
