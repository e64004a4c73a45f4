"""A shared server that protects itself (issue 12 items 1–3, issue 18 item 4): the attacks, made.

Most run the command line in-process through `bcc_tui.cli.main()` with sudo's variables in the
environment, as the session wrapper would start it.
"""

import hashlib
import os
import re
import sqlite3
import stat

import pytest

from bcc_tui.cli import main
from bcc_tui.domain.errors import InvalidInput
from bcc_tui.services import destination
from tests.conftest import STAFF, errand_line, jsonl

NOW = "2026-11-25T10:00:00+01:00"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("SUDO_USER", "SUDO_UID", "SUDO_GID", "SUDO_COMMAND", "BCC_DB", "BCC_NOW"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BCC_NOW", NOW)
    old = os.umask(0o022)  # the usual umask: whatever the program creates must still be private
    yield
    os.umask(old)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def digest(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def make_db(path, capsys):
    staff = path.parent / f"{path.name}.staff.jsonl"
    staff.write_bytes(jsonl(*STAFF))
    errands = path.parent / f"{path.name}.errands.jsonl"
    errands.write_bytes(jsonl(errand_line("1177-000001"), errand_line("1177-000002")))
    assert run(capsys, "--db", str(path), "staff", "import", str(staff))[0] == 0
    assert run(capsys, "--db", str(path), "import", str(errands))[0] == 0
    return path


@pytest.fixture
def clinic(tmp_path, capsys):
    return make_db(tmp_path / "clinic.db", capsys)


def sudo(monkeypatch, person, db=None, uid="1000"):
    monkeypatch.setenv("SUDO_USER", person)
    monkeypatch.setenv("SUDO_UID", uid)
    if db is not None:
        monkeypatch.setenv("BCC_DB", str(db))  # what the session wrapper sets


# --- 12.1: under sudo the command line cannot choose files -----------------------------------


def test_a_second_database_under_sudo_is_refused(clinic, tmp_path, capsys, monkeypatch):
    # The attack: an admin in a database of their own making, backing it up over the clinic's.
    own = tmp_path / "own.db"
    make_db(own, capsys)
    before = digest(clinic)
    sudo(monkeypatch, "adm", db=clinic)
    code, out, err = run(capsys, "--db", str(own), "backup", str(clinic))
    assert code == 1 and out == ""
    assert (
        err == "bcc-tui: --db är inte tillåtet via sudo: databasen är den som tjänstekontot har ställt in\n"
    )
    code, _, err = run(capsys, "demo", "--db", str(own), "--no-ui")
    assert code == 1 and "--db är inte tillåtet via sudo" in err
    code, _, err = run(capsys, "--db", "", "check")
    assert code == 1 and "--db är inte tillåtet via sudo" in err
    assert digest(clinic) == before
    # A relative BCC_DB would be relative to the person's working directory.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BCC_DB", "own.db")
    code, _, err = run(capsys, "check")
    assert code == 1 and "absolut" in err
    monkeypatch.setenv("BCC_DB", str(clinic))
    # Without --db the wrapper's database is the one used.
    code, out, _ = run(capsys, "check")
    assert code == 0 and "hel" in out


def test_under_sudo_the_default_database_is_the_service_accounts_not_the_persons(
    tmp_path, capsys, monkeypatch
):
    import pwd

    home = pwd.getpwuid(os.getuid()).pw_dir
    default = os.path.join(home, ".local", "share", "bcc-tui", "bcc.db")
    if os.path.exists(default):
        pytest.skip("this account has a database of its own")
    mine = tmp_path / "xdg" / "bcc-tui" / "bcc.db"
    mine.parent.mkdir(parents=True)
    make_db(mine, capsys)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    sudo(monkeypatch, "rec1")
    code, out, err = run(capsys, "list")
    assert code == 1 and f"databasen {default} finns inte" in err and "1177-" not in out


def test_files_are_written_only_by_admins_and_the_system_under_sudo(clinic, tmp_path, capsys, monkeypatch):
    sudo(monkeypatch, "rec1", db=clinic)
    code, _, err = run(capsys, "backup", str(tmp_path / "b.db"))
    assert code == 1 and "får inte" in err and not (tmp_path / "b.db").exists()
    code, _, err = run(capsys, "outbound", "export", str(tmp_path / "o.jsonl"))
    assert code == 1 and "får inte" in err and not (tmp_path / "o.jsonl").exists()
    sudo(monkeypatch, "adm", db=clinic)
    code, _, err = run(capsys, "backup", str(tmp_path / "b.db"))
    assert code == 0, err


def test_under_sudo_input_comes_from_stdin_only(clinic, tmp_path, capsys, monkeypatch):
    secret = tmp_path / "only-the-service-account-reads-this.jsonl"
    secret.write_bytes(jsonl(errand_line("1177-000009")))
    sudo(monkeypatch, "rec1", db=clinic)
    code, _, err = run(capsys, "import", str(secret))
    assert code == 1 and "standard in" in err
    for group in ("staff", "schedule"):
        code, _, err = run(capsys, group, "import", str(secret))
        assert code == 1 and "standard in" in err
    assert sqlite3.connect(clinic).execute("SELECT count(*) FROM errands").fetchone()[0] == 2


# --- 18.4: root is the owner's operator ---------------------------------------------------------


def test_sudo_from_root_acts_as_the_owner_not_as_a_person_named_root(tmp_path, capsys, monkeypatch):
    db = tmp_path / "bcc.db"
    staff = tmp_path / "staff.jsonl"
    staff.write_bytes(jsonl(*STAFF))
    # `sudo -u bcc env BCC_DB=… bcc-tui staff import …` as root: SUDO_USER=root, SUDO_UID=0.
    sudo(monkeypatch, "root", db=db, uid="0")
    code, _out, err = run(capsys, "staff", "import", str(staff))
    assert code == 0, err
    code, _, err = run(capsys, "--as", "rec1", "list")
    assert code == 0, err
    code, _, err = run(capsys, "--db", str(db), "check")  # root may name the file it operates on
    assert code == 0, err
    actors = sqlite3.connect(db).execute("SELECT actor, action, outcome FROM audit").fetchall()
    assert ("system", "import", "ok") in actors
    assert ("rec1", "list", "ok") in actors and not any(a == "root" for a, _, _ in actors)


# --- 12.2: no overwrite, no links ----------------------------------------------------------------


def test_backup_refuses_every_kind_of_existing_destination(clinic, tmp_path, capsys):
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"someone else's file\n")
    link = tmp_path / "link.db"
    link.symlink_to(victim)
    dangling = tmp_path / "dangling.db"
    dangling.symlink_to(tmp_path / "nowhere.db")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    cases = {
        victim: "en befintlig fil",
        link: "en symbolisk länk",
        dangling: "en symbolisk länk",
        fifo: "en specialfil",
    }
    for dest, why in cases.items():
        code, out, err = run(capsys, "--db", str(clinic), "backup", str(dest))
        assert code == 1 and out == "" and why in err and err.count("\n") == 1, (dest, err)
    assert victim.read_bytes() == b"someone else's file\n" and link.is_symlink()
    assert os.readlink(dangling) == str(tmp_path / "nowhere.db") and not (tmp_path / "nowhere.db").exists()
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


def test_backup_never_writes_into_the_live_databases_files(clinic, capsys):
    holder = sqlite3.connect(clinic)  # keeps the -wal and -shm in place
    holder.execute("SELECT count(*) FROM errands").fetchone()
    try:
        wal = f"{clinic}-wal"
        before = digest(wal)
        for dest in (wal, f"{clinic}-shm", f"{clinic}-journal", str(clinic)):
            code, _, err = run(capsys, "--db", str(clinic), "backup", dest)
            assert code == 1 and "den levande databasen" in err, (dest, err)
        assert digest(wal) == before and not os.path.exists(f"{clinic}-journal")
    finally:
        holder.close()
    code, _out, _ = run(capsys, "--db", str(clinic), "check")
    assert code == 0


def test_backup_into_a_folder_is_time_named_and_a_missing_folder_is_refused(clinic, tmp_path, capsys):
    code, _, err = run(capsys, "--db", str(clinic), "backup", str(tmp_path / "backups") + "/")
    assert code == 1 and "mappen" in err and "finns inte" in err
    assert not (tmp_path / "backups").exists()
    (tmp_path / "backups").mkdir()
    code, _out, err = run(capsys, "--db", str(clinic), "backup", str(tmp_path / "backups") + "/")
    assert code == 0, err
    made = tmp_path / "backups" / "bcc-20261125T090000Z.db"  # 10:00 in Stockholm is 09:00 UTC
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == [made.name]
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert sqlite3.connect(made).execute("SELECT count(*) FROM errands").fetchone()[0] == 2
    # The same second again: the name exists, so it is refused rather than replaced.
    code, _, err = run(capsys, "--db", str(clinic), "backup", str(tmp_path / "backups"))
    assert code == 1 and "skriver aldrig över" in err


def test_keep_prunes_only_the_programs_own_backups(clinic, tmp_path, capsys, monkeypatch):
    folder = tmp_path / "backups"
    folder.mkdir()
    old = ["bcc-20261120T020000Z.db", "bcc-20261121T020000Z.db", "bcc-20261122T020000Z.db"]
    for name in old:
        (folder / name).write_bytes(b"SQLite format 3\x00old")
    # A file named like a backup that is no database was not written by bcc-tui: never pruned.
    others = ["notes.txt", "bcc-manual.db", "bcc-20200101T000000Z.db.bak", "bcc-20190102T000000Z.db"]
    for name in others:
        (folder / name).write_bytes(b"keep me")
    (folder / "bcc-20190101T000000Z.db").symlink_to(tmp_path / "victim")  # a link is never ours
    (tmp_path / "victim").write_bytes(b"victim")
    code, _, err = run(capsys, "--db", str(clinic), "backup", str(folder / "x.db"), "--keep", "2")
    assert code == 1 and "--keep" in err and not (folder / "x.db").exists()
    code, _, err = run(capsys, "--db", str(clinic), "backup", str(folder), "--keep", "0")
    assert code == 1 and "--keep" in err
    code, out, err = run(capsys, "--db", str(clinic), "backup", str(folder), "--keep", "2")
    assert code == 0, err
    assert "2 äldre borttagna" in out
    left = sorted(p.name for p in folder.iterdir())
    assert left == sorted(
        ["bcc-20261122T020000Z.db", "bcc-20261125T090000Z.db", *others, "bcc-20190101T000000Z.db"]
    )
    assert (tmp_path / "victim").read_bytes() == b"victim"
    # A clock set back never prunes the backup just made, whatever its name says.
    (folder / "bcc-20301231T000000Z.db").write_bytes(b"SQLite format 3\x00future")
    monkeypatch.setenv("BCC_NOW", "2026-11-25T11:00:00+01:00")
    code, out, err = run(capsys, "--db", str(clinic), "backup", str(folder), "--keep", "1")
    assert code == 0, err
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith("bcc-2")) == [
        "bcc-20190101T000000Z.db",
        "bcc-20190102T000000Z.db",
        "bcc-20200101T000000Z.db.bak",
        "bcc-20261125T100000Z.db",
    ]


def test_outbound_export_refuses_existing_links_folders_and_devices(clinic, tmp_path, capsys):
    # Something to export: the complaint-free errands need a reply first.
    assert run(capsys, "--db", str(clinic), "--as", "rec1", "assign", "1177-000001", "doc1")[0] == 0
    assert (
        run(capsys, "--db", str(clinic), "--as", "doc1", "reply", "1177-000001", "--text", "Klart.")[0] == 0
    )
    victim = tmp_path / "victim.jsonl"
    victim.write_bytes(b'{"unrelated": true}\n')
    link = tmp_path / "link.jsonl"
    link.symlink_to(victim)
    dangling = tmp_path / "dangling.jsonl"
    dangling.symlink_to(tmp_path / "nowhere.jsonl")
    folder = tmp_path / "outbox"
    folder.mkdir()
    for dest, why in {
        victim: "en befintlig fil",
        link: "en symbolisk länk",
        dangling: "en symbolisk länk",
        "/dev/null": "en specialfil",
        f"{clinic}-wal": "levande databasen",
        str(tmp_path / "missing") + "/x.jsonl": "finns inte",
        str(tmp_path / "missing") + "/": "finns inte",
    }.items():
        code, out, err = run(capsys, "--db", str(clinic), "outbound", "export", str(dest))
        assert code == 1 and out == "" and why in err and err.count("\n") == 1, (dest, err)
    assert (
        victim.read_bytes() == b'{"unrelated": true}\n' and link.is_symlink() and not list(folder.iterdir())
    )
    assert not (tmp_path / "nowhere.jsonl").exists()
    waiting = (
        sqlite3.connect(clinic).execute("SELECT count(*) FROM outbound WHERE exported_at IS NULL").fetchone()
    )
    assert waiting[0] == 1  # nothing was marked exported by a refused export
    code, out, err = run(capsys, "--db", str(clinic), "outbound", "export", str(tmp_path / "new.jsonl"))
    assert code == 0 and "1 svar" in out, err
    assert stat.S_IMODE((tmp_path / "new.jsonl").stat().st_mode) == 0o600
    # An existing folder (the delivery job's outbox) gets a new time-named file each run.
    assert run(capsys, "--db", str(clinic), "--as", "rec1", "assign", "1177-000002", "doc1")[0] == 0
    assert (
        run(capsys, "--db", str(clinic), "--as", "doc1", "reply", "1177-000002", "--text", "Klart.")[0] == 0
    )
    code, out, err = run(capsys, "--db", str(clinic), "outbound", "export", str(folder))
    assert code == 0 and "1 svar" in out, err
    [written] = list(folder.iterdir())
    assert (
        re.fullmatch(r"replies-\d{8}T\d{6}Z\.jsonl", written.name)
        and stat.S_IMODE(written.stat().st_mode) == 0o600
    )


def test_a_destination_that_appears_meanwhile_is_not_replaced(tmp_path):
    dest = tmp_path / "race.db"
    with pytest.raises(InvalidInput, match="finns redan"), destination.new_file(dest) as new:
        new.tmp.write_bytes(b"ours")
        dest.write_bytes(b"theirs")  # another process got there between check and rename
    assert dest.read_bytes() == b"theirs" and list(tmp_path.iterdir()) == [dest]


def test_destination_check_names_a_device():
    with pytest.raises(InvalidInput, match="specialfil"):
        destination.target("/dev/null")


# --- 12.3: private by default, refused when not ------------------------------------------------


def test_everything_created_is_private_even_under_a_loose_umask(clinic, tmp_path, capsys):
    holder = sqlite3.connect(clinic)
    holder.execute("SELECT count(*) FROM errands").fetchone()
    try:
        for name in (str(clinic), f"{clinic}-wal", f"{clinic}-shm"):
            assert stat.S_IMODE(os.stat(name).st_mode) == 0o600, name
    finally:
        holder.close()
    # A database made through the store directly (as tests and the demo do) is private too.
    from bcc_tui.store.db import Store

    os.umask(0o022)
    s = Store(tmp_path / "direct.db")
    s.conn.execute("CREATE TABLE t (x)")
    assert stat.S_IMODE((tmp_path / "direct.db").stat().st_mode) == 0o600
    assert stat.S_IMODE(os.stat(f"{tmp_path / 'direct.db'}-wal").st_mode) == 0o600
    s.close()
    assert run(capsys, "--db", str(clinic), "backup", str(tmp_path / "b.db"))[0] == 0
    assert stat.S_IMODE((tmp_path / "b.db").stat().st_mode) == 0o600
    assert os.umask(0o022) == 0o077  # main() set it for everything else it creates


@pytest.mark.parametrize("mode", [0o644, 0o660, 0o604, 0o620])
def test_a_loose_database_is_refused_with_the_chmod_that_fixes_it(clinic, capsys, mode):
    os.chmod(clinic, mode)
    before = digest(clinic)
    code, out, err = run(capsys, "--db", str(clinic), "--as", "rec1", "list")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.rstrip().endswith(f"rätta med: chmod 600 {clinic}")
    assert digest(clinic) == before  # not even a refusal row was written
    os.chmod(clinic, 0o600)
    assert run(capsys, "--db", str(clinic), "--as", "rec1", "list")[0] == 0


def test_every_loose_file_is_named_in_one_line(clinic, capsys):
    holder = sqlite3.connect(clinic)
    holder.execute("SELECT count(*) FROM errands").fetchone()
    try:
        for name in (clinic, f"{clinic}-wal", f"{clinic}-shm"):
            os.chmod(name, 0o644)
        code, _, err = run(capsys, "--db", str(clinic), "check")
        assert code == 1 and err.count("\n") == 1
        assert err.rstrip().endswith(f"rätta med: chmod 600 {clinic} {clinic}-wal {clinic}-shm")
    finally:
        holder.close()


def test_a_loose_wal_is_refused(clinic, capsys):
    holder = sqlite3.connect(clinic)
    holder.execute("SELECT count(*) FROM errands").fetchone()
    try:
        os.chmod(f"{clinic}-wal", 0o644)
        code, _, err = run(capsys, "--db", str(clinic), "--as", "rec1", "list")
        assert code == 1 and f"rätta med: chmod 600 {clinic}-wal" in err
        os.chmod(f"{clinic}-wal", 0o600)
        os.chmod(f"{clinic}-shm", 0o660)
        code, _, err = run(capsys, "--db", str(clinic), "--as", "rec1", "list")
        assert code == 1 and f"rätta med: chmod 600 {clinic}-shm" in err
    finally:
        holder.close()
