"""Intake reads only what it listed, within caps (issue 28, item 4): a name swapped for a symlink
between listing and reading is refused and nothing is read or moved; devices and FIFOs are
refused at once; a line past the line cap is a rejected line that is never held in memory; a
file past the file cap is refused whole."""

import json
import os
import sqlite3
import tracemalloc

import pytest

from bcc_tui.services import inbox, intake
from tests.conftest import STAFF, errand_line, jsonl, run_cli


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "intake.db"
    assert run_cli("staff", "import", "-", db=path, stdin=jsonl(*STAFF)).returncode == 0
    return path


@pytest.fixture
def dirs(tmp_path):
    inbox_dir, done = tmp_path / "inbox", tmp_path / "done"
    inbox_dir.mkdir()
    done.mkdir()
    return inbox_dir, done


def two_files(inbox_dir, first: str, second: str) -> None:
    """a.jsonl and b.jsonl in the inbox, one errand each."""
    (inbox_dir / "a.jsonl").write_bytes(jsonl(errand_line(first)))
    (inbox_dir / "b.jsonl").write_bytes(jsonl(errand_line(second)))


def after_listing(monkeypatch, change) -> None:
    """`change` happens to the inbox between the job's listing and its reads."""
    listing = inbox.listing

    def listed(folder):
        found = listing(folder)
        change()
        return found

    monkeypatch.setattr(inbox, "listing", listed)


def refs(db) -> set[str]:
    listed = run_cli("--as", "rec1", "list", "--json", db=db)
    return {json.loads(x)["ref"] for x in listed.stdout.decode().splitlines()}


def caps(db, *args: str) -> None:
    r = run_cli("--as", "adm", "settings", *args, db=db)
    assert r.returncode == 0, r.stderr


def test_a_symlink_swapped_in_after_the_listing_is_refused_and_nothing_is_read_or_moved(
    db, dirs, monkeypatch
):
    inbox_dir, done = dirs
    two_files(inbox_dir, "1177-000001", "1177-000002")

    def swapped():  # a.jsonl becomes a symlink to the live database
        os.unlink(inbox_dir / "a.jsonl")
        os.symlink(db, inbox_dir / "a.jsonl")

    after_listing(monkeypatch, swapped)
    r = run_cli("import", str(inbox_dir), "--move-to", str(done), db=db)
    assert r.returncode == 1
    err = r.stderr.decode()
    assert err.startswith(f"{inbox_dir / 'a.jsonl'} byttes ut") and "symbolisk länk" in err
    assert len(err.splitlines()) == 1  # one line, and none of the database's bytes as "rejected lines"
    assert (inbox_dir / "a.jsonl").is_symlink()  # left alone
    assert sorted(p.name for p in done.iterdir()) == ["b.jsonl"]  # nothing of a.jsonl copied or moved
    assert refs(db) == {"1177-000002"}
    assert b"SQLite format" not in (done / "b.jsonl").read_bytes()


def test_a_fifo_swapped_in_after_the_listing_is_refused_at_once(db, dirs, monkeypatch):
    inbox_dir, done = dirs
    (inbox_dir / "a.jsonl").write_bytes(jsonl(errand_line("1177-000001")))
    listing = inbox.listing

    def swapped(folder):
        found = listing(folder)
        os.unlink(inbox_dir / "a.jsonl")
        os.mkfifo(inbox_dir / "a.jsonl")  # no writer: an open without O_NONBLOCK would hang
        return found

    monkeypatch.setattr(inbox, "listing", swapped)
    r = run_cli("import", str(inbox_dir), "--move-to", str(done), db=db)
    assert r.returncode == 1 and "namngiven pipe" in r.stderr.decode()
    assert list(done.iterdir()) == [] and refs(db) == set()


def test_a_name_swapped_while_the_file_is_read_in_keeps_the_file_read_and_leaves_the_name_alone(
    db, dirs, monkeypatch
):
    """The move goes by the descriptor: the file that was read is set aside, and the symlink that
    took its name stays where it is, untouched."""
    inbox_dir, done = dirs
    original = jsonl(errand_line("1177-000001"))
    (inbox_dir / "a.jsonl").write_bytes(original)
    real = intake.import_errands

    def swap_then_import(ctx, data):
        os.rename(inbox_dir / "a.jsonl", inbox_dir / ".moved-away")
        os.symlink(db, inbox_dir / "a.jsonl")
        return real(ctx, data)

    monkeypatch.setattr(intake, "import_errands", swap_then_import)
    r = run_cli("import", str(inbox_dir), "--move-to", str(done), db=db)
    assert r.returncode == 1 and "byttes ut" in r.stderr.decode()
    assert (inbox_dir / "a.jsonl").is_symlink() and os.readlink(inbox_dir / "a.jsonl") == str(db)
    assert (done / "a.jsonl").read_bytes() == original  # the file read, not the database
    assert (done / "a.jsonl").stat().st_ino == (inbox_dir / ".moved-away").stat().st_ino
    assert refs(db) == {"1177-000001"}


@pytest.mark.parametrize("kind", ["device", "fifo", "symlink", "folder", "socket"])
def test_only_regular_files_are_read(db, tmp_path, kind):
    """Refused at once, before anything is read (a FIFO with no writer would otherwise hang, and
    /dev/zero grew an import to 937 MB)."""
    path = tmp_path / "in.jsonl"
    if kind == "device":
        path = "/dev/zero"
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "symlink":
        (tmp_path / "real.jsonl").write_bytes(jsonl(errand_line()))
        os.symlink(tmp_path / "real.jsonl", path)
    elif kind == "folder":
        path.mkdir()
    else:
        import socket

        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
    r = run_cli("import", str(path), db=db, subprocess=kind in ("device", "fifo"))
    assert r.returncode == 1
    err = r.stderr.decode().splitlines()
    assert len(err) == 1 and str(path) in err[0] and "ingen vanlig fil" in err[0], err
    assert refs(db) == set()


def test_the_staff_import_reads_files_the_same_way(db):
    r = run_cli("staff", "import", "/dev/zero", db=db, subprocess=True)
    assert r.returncode == 1 and "ingen vanlig fil" in r.stderr.decode()


def _traced(fn):
    """fn() and the peak of the Python memory it allocated."""
    tracemalloc.start()
    try:
        result = fn()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("via", ["file", "stdin", "inbox"])
def test_a_line_past_the_line_cap_is_rejected_and_never_held(db, tmp_path, dirs, via):
    caps(db, "--import-max-line", "1")  # 1 kB: a fast test of the same code as 1 MB
    long_line = b'{"message": "' + b"x" * (8 * 1024 * 1024) + b'"}'
    data = jsonl(errand_line("1177-000001")) + long_line + b"\n" + jsonl(errand_line("1177-000002"))
    path = tmp_path / "in.jsonl"
    path.write_bytes(data)
    inbox_dir, done = dirs
    if via == "file":
        r, peak = _traced(lambda: run_cli("import", str(path), db=db))
    elif via == "stdin":
        r, peak = _traced(lambda: run_cli("import", "-", db=db, stdin=data))
        peak -= 2 * len(data)  # the test's own copy of stdin (and its BytesIO)
    else:
        os.rename(path, inbox_dir / "in.jsonl")
        r, peak = _traced(lambda: run_cli("import", str(inbox_dir), "--move-to", str(done), db=db))
    assert r.returncode == 1
    assert r.stderr.decode().splitlines() == [
        f"{'stdin' if via == 'stdin' else path if via == 'file' else inbox_dir / 'in.jsonl'}:2: raden är "
        f"längre än 1 kB, gränsen för en rad ({len(long_line)} byte); den lästes inte"
    ]
    assert refs(db) == {"1177-000001", "1177-000002"}
    assert peak < 2 * 1024 * 1024, peak  # an 8 MB line: never in memory
    if via == "inbox":
        # The rejected line is kept for a person to see, copied through the descriptor in chunks.
        assert (done / "rejected" / "in.jsonl").read_bytes() == long_line + b"\n"
        assert (done / "in.jsonl").read_bytes() == data


@pytest.mark.parametrize("via", ["file", "stdin", "inbox"])
def test_a_file_past_the_file_cap_is_refused_whole(db, tmp_path, dirs, via):
    caps(db, "--import-max-file", "1", "--import-max-line", "1")
    line = jsonl(errand_line("1177-000001"))
    data = line * (1024 * 1024 // len(line)) + line  # just past 1 MB, every line valid
    assert len(data) > 1024 * 1024
    path = tmp_path / "big.jsonl"
    path.write_bytes(data)
    inbox_dir, done = dirs
    if via == "file":
        r = run_cli("import", str(path), db=db)
    elif via == "stdin":
        r = run_cli("import", "-", db=db, stdin=data)
    else:
        os.rename(path, inbox_dir / "big.jsonl")
        r = run_cli("import", str(inbox_dir), "--move-to", str(done), db=db)
    assert r.returncode == 1
    err = r.stderr.decode().splitlines()
    assert len(err) == 1 and "större än 1 MB, gränsen för en fil; inget lästes in" in err[0], err
    assert ("stdin" if via == "stdin" else "big.jsonl") in err[0]
    assert refs(db) == set()
    if via == "inbox":
        assert (done / "rejected" / "big.jsonl").read_bytes() == data  # set aside whole, unread
        assert not (inbox_dir / "big.jsonl").exists()
    # A file of exactly the cap is read.
    exact = line * (1024 * 1024 // len(line))
    path.write_bytes(exact)
    assert run_cli("import", str(path), db=db).returncode == 0


def test_the_caps_are_a_setting_checked_and_audited(db):
    assert (
        "gränser för inläsning: en fil högst 100 MB, en rad högst 1 MB"
        in run_cli("--as", "adm", "settings", db=db).stdout.decode()
    )
    for bad in (
        ["--import-max-file", "0"],
        ["--import-max-file", "1025"],
        ["--import-max-line", "0"],
        ["--import-max-file", "1", "--import-max-line", "2048"],  # a line larger than a file
        ["--import-max-line", "1", "--followup-days", "99"],  # one refusal changes nothing
    ):
        r = run_cli("--as", "adm", "settings", *bad, db=db)
        assert r.returncode == 1 and len(r.stderr.decode().splitlines()) == 1, bad
    r = run_cli("--as", "rec1", "settings", "--import-max-line", "10", db=db)
    assert r.returncode == 1
    r = run_cli("--as", "adm", "settings", "--import-max-file", "50", "--import-max-line", "64", db=db)
    assert r.returncode == 0 and "en fil högst 50 MB, en rad högst 64 kB" in r.stdout.decode()
    with sqlite3.connect(db) as conn:
        details = [
            row[0]
            for row in conn.execute("SELECT detail FROM audit WHERE action = 'admin_change' ORDER BY id")
        ]
    assert details[-1] == "gränser för inläsning: en fil högst 50 MB, en rad högst 64 kB"
    assert not any("1025" in d or "2048" in d or "10 kB" in d for d in details)
    assert run_cli("check", db=db).returncode == 0  # the log replays the setting (its data)


@pytest.mark.parametrize("where", ["rejected is a symlink", "done is a file", "rejected is a file"])
def test_the_folders_the_job_writes_are_looked_at_before_anything_is_read(db, tmp_path, dirs, where):
    """A hostile trial: with done/rejected a symlink, the job imported the good line, then said
    only "… är en symbolisk länk, ingen mapp", and left the file in the inbox."""
    inbox_dir, done = dirs
    (tmp_path / "elsewhere").mkdir()
    if where == "rejected is a symlink":
        (done / "rejected").symlink_to(tmp_path / "elsewhere")
        named = f"{done / 'rejected'} är en symbolisk länk, ingen mapp"
    elif where == "rejected is a file":
        (done / "rejected").write_text("")
        named = f"{done / 'rejected'} är en fil, ingen mapp"
    else:
        done.rmdir()
        done.write_text("")
        named = f"{done} är en fil, ingen mapp"
    (inbox_dir / "a.jsonl").write_bytes(jsonl(errand_line("1177-000011")) + b"{}\n")
    r = run_cli("import", str(inbox_dir), "--move-to", str(done), db=db)
    assert (r.returncode, r.stderr.decode()) == (1, f"bcc-tui: {named}\n")
    assert refs(db) == set() and (inbox_dir / "a.jsonl").exists()
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_an_inbox_the_job_cannot_write_in_is_refused_before_reading(db, dirs, monkeypatch):
    """A review: an inbox the job cannot write in (read-only) was read in, the file linked into
    done, and then the move failed in a crash report; every later run did it again. (The suite
    runs as root, who may write anywhere by mode: the folder's check is made to say no.)"""
    from bcc_tui.services import inbox

    inbox_dir, done = dirs
    (inbox_dir / "a.jsonl").write_bytes(jsonl(errand_line("1177-000011")))
    real = os.access
    monkeypatch.setattr(
        inbox.os, "access", lambda path, mode: False if str(path) == str(inbox_dir) else real(path, mode)
    )
    r = run_cli("import", str(inbox_dir), "--move-to", str(done), db=db)
    assert (r.returncode, r.stderr.decode()) == (1, f"bcc-tui: mappen {inbox_dir} går inte att skriva i\n")
    assert refs(db) == set() and list(done.iterdir()) == []


def test_a_file_another_intake_job_holds_is_left_to_it(db, dirs):
    """A hostile trial: three intake jobs at once each imported and archived every file, leaving
    each three times in done/. A job leaves a file another job holds; the next run takes it."""
    import fcntl

    inbox_dir, done = dirs
    (inbox_dir / "a.jsonl").write_bytes(jsonl(errand_line("1177-000011")))
    (inbox_dir / "b.jsonl").write_bytes(jsonl(errand_line("1177-000012")))
    with open(inbox_dir / "a.jsonl", "rb") as other_job:
        fcntl.flock(other_job.fileno(), fcntl.LOCK_EX)
        r = run_cli("import", str(inbox_dir), "--move-to", str(done), db=db)
    assert r.returncode == 0, r.stderr
    assert refs(db) == {"1177-000012"}
    assert sorted(p.name for p in inbox_dir.iterdir()) == ["a.jsonl"]
    assert sorted(p.name for p in done.iterdir()) == ["b.jsonl"]
    r = run_cli("import", str(inbox_dir), "--move-to", str(done), db=db)
    assert r.returncode == 0 and refs(db) == {"1177-000011", "1177-000012"}
    assert sorted(p.name for p in done.iterdir()) == ["a.jsonl", "b.jsonl"]


def test_a_file_gone_since_the_listing_is_no_ones_problem(db, dirs, monkeypatch):
    """Three jobs at once: one lists a file that another then moves away. It said "byttes ut
    under inläsningen (är nu borta)" and failed; a file gone is another job's, and skipped."""
    inbox_dir, done = dirs
    two_files(inbox_dir, "1177-000011", "1177-000012")
    after_listing(monkeypatch, (inbox_dir / "a.jsonl").unlink)  # another job moved it
    r = run_cli("import", str(inbox_dir), "--move-to", str(done), db=db)
    assert (r.returncode, r.stderr.decode()) == (0, ""), r.stderr
    assert refs(db) == {"1177-000012"}


def test_an_empty_move_to_is_refused_and_nothing_moves(db, tmp_path, monkeypatch):
    """An attacker's trial: `--move-to ''` was the working folder, and the file read was renamed
    beside itself (one.jsonl.1)."""
    folder = tmp_path / "ib"
    folder.mkdir()
    (folder / "one.jsonl").write_bytes(jsonl(errand_line("1177-000001")))
    monkeypatch.chdir(tmp_path)  # where the file went: the working folder
    r = run_cli("import", str(folder / "one.jsonl"), "--move-to", "", db=db)
    assert r.returncode == 1 and r.stderr.decode() == "bcc-tui: --move-to: målet saknar namn\n"
    assert sorted(p.name for p in folder.iterdir()) == ["one.jsonl"] and not (tmp_path / "one.jsonl").exists()
