"""One settings object, read from the command line and the environment at start."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bcc_tui.domain.errors import InvalidInput, os_reason
from bcc_tui.domain.validation import parse_utc


def default_db_path(environ: Mapping[str, str]) -> Path:
    base = environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "bcc-tui" / "bcc.db"


def sudo_person(environ: Mapping[str, str]) -> str | None:
    """The person behind sudo, or None when there is none to distrust.

    sudo started by root (SUDO_UID 0, SUDO_USER root) is the machine's operator working as the
    service account, not a member of staff named root: it acts as the owner (issue 18).
    """
    user = environ.get("SUDO_USER") or None
    if user is not None and environ.get("SUDO_UID") == "0":
        return None
    return user


def _account_db_path() -> Path:
    """The service account's own default, from its passwd entry: under sudo neither $HOME nor
    $XDG_DATA_HOME is the person's to choose."""
    import pwd

    try:
        home = pwd.getpwuid(os.getuid()).pw_dir
    except KeyError:
        home = "/nonexistent"
    return Path(home) / ".local" / "share" / "bcc-tui" / "bcc.db"


def _check_db_path(path: str) -> None:
    """A path the system cannot even look up is one clear line, not a traceback later."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        pass
    except OSError as err:  # a name too long, a folder that may not be entered…
        raise InvalidInput(f"kan inte nå databasen {path}: {os_reason(err)}") from None
    except (ValueError, UnicodeError):  # a NUL byte, a lone surrogate
        raise InvalidInput("sökvägen till databasen innehåller ogiltiga tecken") from None


@dataclass(frozen=True)
class Settings:
    db_path: Path
    db_explicit: bool  # named by --db or $BCC_DB rather than the default
    as_user: str | None
    smtp: str | None
    mail_from: str
    frozen_now: dt.datetime | None  # BCC_NOW: tests and demos; honoured only for the service account

    @classmethod
    def load(cls, db: str | None, as_user: str | None, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        sudo = sudo_person(env)
        if sudo is not None and db is not None:
            # The wrapper's BCC_DB (or the account's default) is the clinic's database; a path
            # from the person's command line could be a database of their own making (issue 12).
            raise InvalidInput(
                "--db är inte tillåtet via sudo: databasen är den som tjänstekontot har ställt in"
            )
        path = db or env.get("BCC_DB")
        if sudo is not None and path and not os.path.isabs(path):
            # Relative to the person's working directory, which sudo keeps: theirs to choose.
            raise InvalidInput(f"BCC_DB ska vara en absolut sökväg via sudo, inte {path}")
        now = env.get("BCC_NOW")
        frozen = None
        if now:
            try:
                frozen = parse_utc(now)
            except ValueError:
                frozen = None
            if frozen is None or frozen.tzinfo is None:
                raise InvalidInput(
                    "BCC_NOW ska vara en tidpunkt med tidszon, t.ex. 2026-11-25T10:00:00+01:00"
                )
            # The year in UTC, as it is stored: 2099-12-31T23:59:59-12:00 is 2100 there.
            if not 1970 <= frozen.year <= 2099 or not 1970 <= frozen.astimezone(dt.UTC).year <= 2099:
                # 9999-12-31T23:59:59 overflowed the day arithmetic into a crash report.
                raise InvalidInput("BCC_NOW ska vara en tidpunkt mellan år 1970 och 2099")
        if path:
            _check_db_path(path)
        return cls(
            db_path=Path(path) if path else (_account_db_path() if sudo else default_db_path(env)),
            db_explicit=bool(path),
            as_user=as_user,
            smtp=env.get("BCC_SMTP") or None,
            mail_from=env.get("BCC_MAIL_FROM") or "bcc-tui@localhost",
            frozen_now=frozen,
        )
