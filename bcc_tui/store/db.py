"""The one SQLite file: connection settings and the write-transaction helper.

Every write begins with BEGIN IMMEDIATE so that a second writer waits for the lock (up to the busy
timeout) instead of failing at its first write; sqlite-utils' own atomic() would begin a deferred
transaction. Inside our transaction sqlite-utils nests through savepoints, so its helpers may be
used there.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from bcc_tui.domain.errors import Busy, Conflict, InvalidInput, Outdated, os_reason
from bcc_tui.domain.search import fold

if TYPE_CHECKING:
    import sqlite_utils

DEFAULT_BUSY_TIMEOUT = 5.0
# Pages in the WAL before a committing connection checkpoints it itself (SQLite's default is
# 1,000). Litestream (`bcc-tui replicate`, R27) checkpoints at 1,000 pages or once a minute and
# must be the one that does, so that no checkpoint of ours races its read lock; without
# Litestream this still bounds the WAL (about 40 MB), and the last connection to close
# checkpoints anyway.
WAL_AUTOCHECKPOINT = 10_000


def ensure_private(path: Path) -> None:
    """Create a missing database file 0600, and refuse one that anyone but its owner may read or
    write (as ssh refuses a loose private key): it holds every patient's messages. SQLite gives
    the -wal, -shm and -journal files the database file's mode, so a private file keeps them
    private whatever the umask; loose ones left from earlier are refused too."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except FileExistsError:
        pass
    except OSError as err:
        raise InvalidInput(f"kan inte öppna databasen {path}: {os_reason(err)}") from None
    else:
        os.close(fd)
    loose = []
    for name in (str(path), f"{path}-wal", f"{path}-shm", f"{path}-journal"):
        try:
            mode = os.stat(name).st_mode
        except FileNotFoundError:
            continue
        except OSError as err:
            raise InvalidInput(f"kan inte öppna databasen {path}: {os_reason(err)}") from None
        if mode & 0o077:
            loose.append((name, mode))
    if loose:
        raise InvalidInput(
            f"{loose[0][0]} kan läsas eller ändras av andra än ägaren ({stat.filemode(loose[0][1])}); "
            f"rätta med: chmod 600 {' '.join(shlex.quote(name) for name, _ in loose)}"
        )


def new_id(cur: sqlite3.Cursor) -> int:
    """The id of the row an INSERT just wrote (sqlite3 sets lastrowid after every INSERT)."""
    if cur.lastrowid is None:
        raise RuntimeError("INSERT gave no row id")
    return cur.lastrowid


# SQLite's reasons are English; a person reads these instead (any other: "databasfel").
_SQLITE_REASONS = (
    ("file is not a database", "filen är ingen databas"),
    ("unable to open database file", "filen går inte att öppna"),
    ("database disk image is malformed", "databasfilen är skadad"),
    ("attempt to write a readonly database", "databasen är skrivskyddad"),
    ("database or disk is full", "disken är full"),
    ("disk i/o error", "in- eller utmatningsfel på disken"),
    ("unique constraint failed", "en rad med samma nyckel finns redan"),
    ("no such table", "en tabell saknas"),
    ("database is locked", "databasen är upptagen"),
)


def sqlite_reason(err: sqlite3.Error) -> str:
    text = str(err).lower()
    for english, swedish in _SQLITE_REASONS:
        if english in text:
            return swedish
    return "databasfel"


def _not_opened(path: Path, err: sqlite3.Error) -> InvalidInput:
    """Why the file could not be opened as a database. A damaged database of ours, a read-only
    folder or a full disk were all called "ingen bcc-tui-databas", the line the nightly check
    mails: a clinic told its database is not one has no reason to restore it."""
    reason = sqlite_reason(err)
    # bcc-tui restore (docs/replication.md, "Restoring"), or the last `bcc-tui backup`.
    restore = "; återställ den med bcc-tui restore eller från senaste säkerhetskopian (docs/replication.md)"
    if "not a database" in str(err).lower():
        if not _sqlite_header(path):
            return InvalidInput(f"{path} är ingen bcc-tui-databas: {reason}")
        # A database file whose first page is damaged reads as "not a database" too.
        return InvalidInput(f"kan inte öppna databasen {path}: databasfilen är skadad{restore}")
    if "malformed" in str(err).lower():
        reason += restore
    return InvalidInput(f"kan inte öppna databasen {path}: {reason}")


def _sqlite_header(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def _is_busy(err: sqlite3.OperationalError) -> bool:
    text = str(err).lower()
    return "locked" in text or "busy" in text


def _refuse_non_regular(path: Path) -> None:
    """Only a regular file (or none yet) may be a database: SQLite would otherwise read a device or
    a pipe and put its journal beside it (as root, /dev/null-journal)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if path.is_symlink():
            # A link to nothing: SQLite would make the database wherever it points (a hostile trial:
            # `demo --db` wrote one into another folder through a link left in this one).
            raise InvalidInput(f"{path} är en symbolisk länk till en fil som inte finns") from None
        return
    except OSError as err:
        raise InvalidInput(f"kan inte öppna databasen {path}: {os_reason(err)}") from None
    if not stat.S_ISREG(mode):
        raise InvalidInput(f"{path} är ingen vanlig fil och kan inte vara en databas")


def _env_timeout(text: str | None) -> float:
    if not text:
        return DEFAULT_BUSY_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 3600:  # also refuses nan and inf
        raise InvalidInput("BCC_BUSY_TIMEOUT ska vara ett antal sekunder från 0 till 3600, t.ex. 5")
    return value


def refuse_foreign(conn: sqlite3.Connection, path: Path) -> None:
    """Another program's database (a table of its own, no schema version) is never touched: our
    schema is not built into it, nor is it switched to WAL (Store; store/schema.py, status)."""
    if conn.execute("PRAGMA user_version").fetchone()[0] != 0:
        return
    if conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' LIMIT 1"
    ).fetchone():
        raise InvalidInput(f"{path} är ingen bcc-tui-databas (den har tabeller men ingen schemaversion)")


class Store:
    """One connection to the database file, safe to share between a UI thread and a worker."""

    def __init__(
        self, path: str | os.PathLike, busy_timeout: float | None = None, schema_version: int | None = None
    ):
        self.path = Path(path)
        # The schema this program knows (services/session sets it once the file is seen to be at
        # it). Every transaction first checks that the file still is, so that a process started
        # before `bcc-tui migrate` neither writes into nor reads a schema it does not know: the
        # version is in the file's header, so the check costs microseconds. None: no check (the
        # migration itself, tools, tests that build old files).
        self.schema_version = schema_version
        # Set when the process has stopped writing for good (the dashboard after an upgrade).
        self.retired: str | None = None
        _refuse_non_regular(self.path)
        if busy_timeout is None:
            busy_timeout = _env_timeout(os.environ.get("BCC_BUSY_TIMEOUT"))
        self.busy_timeout = busy_timeout
        ensure_private(self.path)
        try:
            conn = sqlite3.connect(
                str(self.path), timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.OperationalError as err:
            raise InvalidInput(f"kan inte öppna databasen {self.path}: {sqlite_reason(err)}") from None
        conn.row_factory = sqlite3.Row
        # The filter's folding (case and accents), for queries and for writing errands.search_text.
        conn.create_function("bcc_fold", 1, fold, deterministic=True)
        self.conn = conn
        # One lock around the connection: a dashboard's worker thread and its UI thread share it.
        self._lock = threading.RLock()
        self._closed = False
        try:
            # Before the first pragma that writes: switched to WAL, another program's database had
            # its header changed although the command was refused (a hostile trial).
            try:
                refuse_foreign(conn, self.path)
            except InvalidInput:
                conn.close()
                raise
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT}")
            conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.OperationalError as err:
            if _is_busy(err):
                raise Busy() from None
            raise _not_opened(self.path, err) from None
        except sqlite3.DatabaseError as err:
            raise _not_opened(self.path, err) from None

    def another(self) -> Store:
        """A second connection to the same file, with the same settings and schema check."""
        return Store(self.path, self.busy_timeout, self.schema_version)

    def _check_schema(self) -> None:
        if (
            self.schema_version is not None
            and self.conn.execute("PRAGMA user_version").fetchone()[0] != self.schema_version
        ):
            raise Outdated()

    def outdated(self, *, wait: bool = True) -> bool:
        """Whether the file's schema is no longer the one this process knows (a poll's question;
        wait=False: Busy at once when the connection is in use, as data_version)."""
        if self.schema_version is None:
            return False
        if not self._lock.acquire(blocking=wait):
            raise Busy()
        try:
            self._check_open()
            return self.conn.execute("PRAGMA user_version").fetchone()[0] != self.schema_version
        finally:
            self._lock.release()

    def retire(self, why: str) -> None:
        """No write from now on: each is refused with `why` (Outdated)."""
        self.retired = why

    @property
    def db(self) -> sqlite_utils.Database:
        """The same connection through sqlite-utils, for tools and introspection (imported on use:
        the command line and the dashboard start without it)."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    def close(self) -> None:
        # Under the lock: closing a connection while a worker thread reads on it crashes SQLite
        # (a segmentation fault). A read after the close is refused as Busy, which a worker skips.
        with self._lock:
            self._closed = True
            self.conn.close()

    def interrupt(self) -> None:
        """Stop the query running on this connection (from any thread; sqlite3's interrupt needs
        no lock): the read under way raises Busy. Nothing is written by a read, so nothing is lost."""
        if not self._closed:
            self.conn.interrupt()

    def _check_open(self) -> None:
        if self._closed:
            raise Busy("Databasen är stängd.")

    @contextmanager
    def write(self, busy_timeout: float | None = None) -> Iterator[sqlite3.Connection]:
        """One write transaction: BEGIN IMMEDIATE … COMMIT, rolled back on any error.
        `busy_timeout`: wait at most this long for the lock (seconds), instead of the store's."""
        with self._lock:
            self._check_open()
            if self.retired is not None:
                raise Outdated(self.retired)
            try:
                if busy_timeout is not None:
                    self.conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
                try:
                    self.conn.execute("BEGIN IMMEDIATE")
                finally:
                    if busy_timeout is not None:
                        self.conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            except sqlite3.OperationalError as err:
                if _is_busy(err):
                    raise Busy() from None
                raise
            try:
                self._check_schema()  # under the write lock: no migration can start meanwhile
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException as err:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                if isinstance(err, sqlite3.OperationalError) and _is_busy(err):
                    raise Busy() from None
                if isinstance(err, sqlite3.IntegrityError) and "UNIQUE" in str(err):
                    raise Conflict(f"någon annan hann före: {sqlite_reason(err)}") from None
                raise

    @contextmanager
    def read(self, *, wait: bool = True) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for several SELECTs (a deferred read transaction under WAL).
        wait=False: Busy at once if another thread is using this connection (see data_version)."""
        if not self._lock.acquire(blocking=wait):
            raise Busy()
        try:
            self._check_open()
            try:
                self.conn.execute("BEGIN")
                try:
                    self._check_schema()  # the snapshot's own header: all it reads is of this schema
                    yield self.conn
                finally:
                    if self.conn.in_transaction:
                        self.conn.execute("COMMIT")
            except sqlite3.OperationalError as err:
                if _is_busy(err) or str(err) == "interrupted":
                    raise Busy() from None
                raise
        finally:
            self._lock.release()

    def copy_into(self, path: str | os.PathLike) -> sqlite3.Connection:
        """A consistent copy of the whole database in the new file `path` (SQLite's online backup,
        while others keep writing), as a self-contained file (no WAL beside it); returned open, for
        the caller to check and close."""
        target = sqlite3.connect(path)
        target.row_factory = sqlite3.Row
        try:
            with self._lock:
                self.conn.backup(target, pages=1024)
            target.execute("PRAGMA journal_mode=DELETE")
        except BaseException:
            target.close()
            raise
        return target

    def data_version(self, *, wait: bool = True) -> int:
        """Changes when another connection commits (PRAGMA data_version): cheap to poll.

        wait=False: Busy at once if this connection is in use (a worker may hold it through
        SQLite's busy wait), so that a poll on the screen's thread never stalls the screen."""
        if not self._lock.acquire(blocking=wait):
            raise Busy()
        try:
            self._check_open()
            return self.conn.execute("PRAGMA data_version").fetchone()[0]
        finally:
            self._lock.release()
