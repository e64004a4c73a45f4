"""What several commands share: the session they open, the names of positionals, and the plain
text of times and counts."""

from __future__ import annotations

import datetime as dt
import sys

from bcc_tui.cli.argparse_sv import SwedishParser
from bcc_tui.domain.business_days import STOCKHOLM
from bcc_tui.domain.errors import InvalidInput, NotFound
from bcc_tui.domain.text import clean_line, count
from bcc_tui.domain.validation import parse_date, parse_utc
from bcc_tui.services import session
from bcc_tui.services.context import Ctx
from bcc_tui.settings import Settings

# Positionals show in usage and in "det här saknas: …", so they get Swedish names (the
# attribute names stay): ÄRENDE, ANVÄNDARE, FIL, NAMN.
REF, USER, FILE, NAME = "ÄRENDE", "ANVÄNDARE", "FIL", "NAMN"
# Every parser and subparser speaks Swedish (cli/argparse_sv.py).
Parser = SwedishParser


def open_ctx(settings: Settings, *, create: bool, migrate: bool = False) -> Ctx:
    path = settings.db_path
    if not path.exists():
        if not create:
            raise NotFound(f"databasen {path} finns inte (ange --db eller $BCC_DB)")
        path.parent.mkdir(parents=True, exist_ok=True)
    elif not create and path.is_file() and path.stat().st_size == 0:
        # Set up only by the commands that create one: a refused `list` had made it a database.
        raise NotFound(f"databasen {path} är tom; en ny databas läggs upp av demo, import eller staff import")
    return session.open_session(path, settings.as_user, settings.frozen_now, migrate=migrate)


# Lines refused that are named one by one: a file of millions of bad lines wrote millions of lines
# to the terminal (or the job's log); the rest are counted, and the rejected file holds them all.
REJECTED_SHOWN = 1000


def print_rejected(name: str, rejected: list[tuple[int, str]]) -> None:
    for number, why in rejected[:REJECTED_SHOWN]:
        print(f"{name}:{number}: {why}", file=sys.stderr)
    if len(rejected) > REJECTED_SHOWN:
        more = len(rejected) - REJECTED_SHOWN
        print(f"{name}: och {count(more, 'avvisad rad', 'avvisade rader')} till", file=sys.stderr)


# The days a period given on the command line may run between: beyond them the week and time-zone
# arithmetic overflowed (9999-12-31, 0001-01-01) into a crash report instead of one line.
FIRST_DAY, LAST_DAY = dt.date(1970, 1, 1), dt.date(2099, 12, 31)


def day(value: str | None, option: str) -> dt.date | None:
    """An option's date (ÅÅÅÅ-MM-DD) within FIRST_DAY–LAST_DAY; None when not given."""
    if not value:
        return None
    found = parse_date(value, option)
    if not FIRST_DAY <= found <= LAST_DAY:
        raise InvalidInput(f"{option}: ska vara ett datum mellan {FIRST_DAY} och {LAST_DAY}")
    return found


def limit(n: int | None) -> int | None:
    """--limit as SQLite can hold it (a 20-digit number would overflow its integer)."""
    if n is not None and not 0 <= n <= 10**9:
        raise InvalidInput("--limit ska vara ett tal från 0 till 1000000000")
    return n


def local(moment) -> str:
    return moment.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")


def local_text(stored: str) -> str:
    """A stored UTC moment as a person reads it (Stockholm time); kept as stored if unreadable."""
    try:
        return local(parse_utc(stored))
    except (ValueError, OverflowError):
        return clean_line(stored)


def seconds(value: float) -> str:
    return f"{value:.2f}".replace(".", ",") + " s"
