"""The one SQLite file: connection settings and the write-transaction helper.

Every write begins with BEGIN IMMEDIATE so that a second writer waits for the lock (up to the busy
timeout) instead of failing at its first write; sqlite-utils' own atomic() would begin a deferred
transaction. Inside our transaction sqlite-utils nests through savepoints, so its helpers may be
used there.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bcc_tui.domain.errors import Busy, Conflict, InvalidInput

DEFAULT_BUSY_TIMEOUT = 5.0


def _is_busy(err: sqlite3.OperationalError) -> bool:
    text = str(err).lower()
    return "locked" in text or "busy" in text


def _refuse_non_regular(path: Path) -> None:
    """Only a regular file (or none yet) may be a database: SQLite would otherwise read a device or
    a pipe and put its journal beside it (as root, /dev/null-journal)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    except OSError as err:
        raise InvalidInput(f"kan inte öppna databasen {path}: {err.strerror or err}") from None
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


class Store:
    """One connection to the database file, safe to share between a UI thread and a worker."""

    def __init__(self, path: str | os.PathLike, busy_timeout: float | None = None):
        self.path = Path(path)
        _refuse_non_regular(self.path)
        if busy_timeout is None:
            busy_timeout = _env_timeout(os.environ.get("BCC_BUSY_TIMEOUT"))
        self.busy_timeout = busy_timeout
        try:
            conn = sqlite3.connect(
                str(self.path), timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.OperationalError as err:
            raise InvalidInput(f"kan inte öppna databasen {self.path}: {err}") from None
        conn.row_factory = sqlite3.Row
        self.conn = conn
        # One lock around the connection: a dashboard's worker thread and its UI thread share it.
        self._lock = threading.RLock()
        self._closed = False
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.OperationalError as err:
            if _is_busy(err):
                raise Busy() from None
            raise InvalidInput(f"{self.path} är ingen bcc-tui-databas: {err}") from None
        except sqlite3.DatabaseError as err:
            raise InvalidInput(f"{self.path} är ingen bcc-tui-databas: {err}") from None

    @property
    def db(self):
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

    def _check_open(self) -> None:
        if self._closed:
            raise Busy("Databasen är stängd.")

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: BEGIN IMMEDIATE … COMMIT, rolled back on any error."""
        with self._lock:
            self._check_open()
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as err:
                if _is_busy(err):
                    raise Busy() from None
                raise
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException as err:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                if isinstance(err, sqlite3.OperationalError) and _is_busy(err):
                    raise Busy() from None
                if isinstance(err, sqlite3.IntegrityError) and "UNIQUE" in str(err):
                    raise Conflict(f"någon annan hann före: {err}") from None
                raise

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for several SELECTs (a deferred read transaction under WAL)."""
        with self._lock:
            self._check_open()
            try:
                self.conn.execute("BEGIN")
                try:
                    yield self.conn
                finally:
                    if self.conn.in_transaction:
                        self.conn.execute("COMMIT")
            except sqlite3.OperationalError as err:
                if _is_busy(err):
                    raise Busy() from None
                raise

    def data_version(self) -> int:
        """Changes when another connection commits (PRAGMA data_version): cheap to poll."""
        with self._lock:
            self._check_open()
            return self.conn.execute("PRAGMA data_version").fetchone()[0]
