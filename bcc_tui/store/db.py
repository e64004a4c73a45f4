"""The one SQLite file: connection settings and the write-transaction helper.

Every write begins with BEGIN IMMEDIATE so that a second writer waits for the lock (up to the busy
timeout) instead of failing at its first write; sqlite-utils' own atomic() would begin a deferred
transaction. Inside our transaction sqlite-utils nests through savepoints, so its helpers may be
used there.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bcc_tui.domain.errors import Busy, Conflict, InvalidInput
from bcc_tui.domain.search import fold

DEFAULT_BUSY_TIMEOUT = 5.0


def _is_busy(err: sqlite3.OperationalError) -> bool:
    text = str(err).lower()
    return "locked" in text or "busy" in text


class Store:
    """One connection to the database file, safe to share between a UI thread and a worker."""

    def __init__(self, path: str | os.PathLike, busy_timeout: float | None = None):
        self.path = Path(path)
        if busy_timeout is None:
            busy_timeout = float(os.environ.get("BCC_BUSY_TIMEOUT", DEFAULT_BUSY_TIMEOUT))
        self.busy_timeout = busy_timeout
        try:
            conn = sqlite3.connect(
                str(self.path), timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.OperationalError as err:
            raise InvalidInput(f"kan inte öppna databasen {self.path}: {err}") from None
        conn.row_factory = sqlite3.Row
        # The filter's folding (case and accents), for queries and for writing errands.search_text.
        conn.create_function("bcc_fold", 1, fold, deterministic=True)
        self.conn = conn
        # One lock around the connection: a dashboard's worker thread and its UI thread share it.
        self._lock = threading.RLock()
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
        self.conn.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: BEGIN IMMEDIATE … COMMIT, rolled back on any error."""
        with self._lock:
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
            return self.conn.execute("PRAGMA data_version").fetchone()[0]
