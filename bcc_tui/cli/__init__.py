"""The command line (docs/routine.md 4.1). Importing this must not import Textual: scripts such as
`bcc-tui import` start fast; the dashboard commands import the UI only when they run. For the same
reason a command's process imports only that command's module (`command_in`, cli/registry.py)."""

from __future__ import annotations

import argparse
import errno
import gc
import os
import sys

from bcc_tui.cli import app as _app
from bcc_tui.cli import registry
from bcc_tui.cli.argparse_sv import SwedishParser
from bcc_tui.domain.errors import BccError, Interrupted, InvalidInput
from bcc_tui.domain.text import clean, clean_line


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line: the global options, then each registered command with the arguments it
    adds beside its handler (cli/registry.py, cli/commands/); given a command, that one alone,
    which parses its own arguments as the whole command line does."""
    p = SwedishParser(
        prog="bcc-tui",
        description="Ärendehantering för 1177 vid Barncancercentrum. Utan kommando: instrumentpanelen.",
    )
    _global_options(p)
    sub = p.add_subparsers(dest="command", metavar="KOMMANDO", parser_class=SwedishParser)
    for cmd in registry.in_order() if command is None else registry.load(command):
        cmd.arguments(sub.add_parser(cmd.name, help=cmd.help))
    return p


def _global_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db", metavar="SÖKVÄG", help="databasfilen (annars $BCC_DB, annars ~/.local/share/bcc-tui/bcc.db)"
    )
    p.add_argument(
        "--as", dest="as_user", metavar="ANVÄNDARE", help="agera som denna person (bara databasens ägare)"
    )


class _Unsure(Exception):
    """The command line is left to the whole parser, which reports what is wrong with it."""


class _CommandFinder(SwedishParser):
    """The whole command line's own options, with the command and what follows it in one
    positional as its subparsers take them: the command it names is the one the whole command
    line would run. An error is not reported here but left to the whole command line."""

    def __init__(self, *, command: bool = True) -> None:
        super().__init__(prog="bcc-tui", add_help=False)
        # -h and --help as the whole command line spells them, so that an abbreviation of one
        # (--he) is read the same way; help is never printed here.
        self.add_argument("-h", "--help", action="store_true")
        _global_options(self)
        if command:
            self.add_argument("command", nargs=argparse.PARSER)

    def error(self, message: str):  # type: ignore[override]
        raise _Unsure(message)


def command_in(argv: list[str]) -> str | None:
    """The command that argv runs, when that is certain without the other commands' parsers: a
    known command, or none at all (the dashboard, registry.DASHBOARD: what staff start most), and
    no help of the whole command line. None otherwise (--help, a misspelt command, an error among
    the global options): then the whole command line is built, as its help and its errors list
    every command."""
    try:
        found, _rest = _CommandFinder().parse_known_args(argv)
    except _Unsure:
        return registry.DASHBOARD if _no_command(argv) else None
    name = found.command[0]
    return name if not found.help and name in registry.ORDER else None


def _no_command(argv: list[str]) -> bool:
    """Whether argv is global options only, each well formed, and no help."""
    try:
        return not _CommandFinder(command=False).parse_args(argv).help
    except _Unsure:
        return False


# Arguments that name files or places: kept byte for byte (an undecodable name is still a real
# file) and refused by their command when unusable — never quietly changed into another place.
_PATH_ARGS = frozenset(
    {"db", "demo_db", "file", "dest", "replica", "move_to", "against", "ssh_key", "host_key", "backup"}
)


class _Cleaned:
    """A text stream through which no control or bidi character and no lone surrogate passes:
    whatever a command prints quotes input somewhere (a ref, a file name, an unknown option)."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(clean(text))
        return len(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def main(argv: list[str] | None = None) -> int:
    # Everything the program creates (database, WAL, SHM, backups, exports, reports) is private.
    os.umask(0o077)
    from bcc_tui.cli import terminal

    terminal.install()
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Cleaned(sys.stdout), _Cleaned(sys.stderr)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = streams


def _main(argv: list[str] | None) -> int:
    program = argv is None  # the program itself, not a caller in its own process (the tests)
    if argv is None:
        argv = sys.argv[1:]
    # Only the command that runs is imported: a command started every minute, or by a script,
    # does not load every other command's services.
    args = build_parser(command_in(argv)).parse_args(argv)
    if program:
        # What the imports made, the command's own module's included (just imported), lives as
        # long as the process: out of the collector's sight, the collections that a long output's
        # rows set off do not walk it each time (about 7 % of `list --json` on 100,000 errands).
        gc.freeze()
    try:
        for key, value in vars(args).items():
            if key not in _PATH_ARGS:
                setattr(args, key, _text_argument(key, value))
        return _app.run(args)
    except BccError as err:
        print(f"bcc-tui: {clean_line(err.for_cli())}", file=sys.stderr)
        return 130 if isinstance(err, Interrupted) else 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as error:
        if error.errno not in _NAMED_PATH_ERRORS:
            return _crashed(error, args)
        # A path from an argument or the environment ($HOME, $XDG_DATA_HOME, --to) that no file
        # can have: one line naming it, not a crash report (an attacker's trial).
        named = error.filename
        where = clean_line(os.fsdecode(named)) if isinstance(named, (str, bytes, os.PathLike)) else ""
        shown = where if len(where) <= 80 else where[:40] + " … " + where[-30:]
        print(f"bcc-tui: {shown}: {_NAMED_PATH_ERRORS[error.errno]}", file=sys.stderr)
        return 1
    except Exception as error:
        return _crashed(error, args)


_NAMED_PATH_ERRORS = {
    errno.ENAMETOOLONG: "namnet är för långt för en fil",
    errno.ELOOP: "för många symboliska länkar i rad",
}


def _text_argument(key: str, value: object) -> object:
    """An argument that is text, not a place: cleaned of control and bidi characters, and refused
    in one line when it holds bytes that are not UTF-8 (`--text $'bad\\xff'` was stored as
    "bad\ufffd", and a reference with such a byte crashed the handover's remark)."""
    if isinstance(value, list):
        return [_text_argument(key, v) for v in value]
    if not isinstance(value, str):
        return value
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        raise InvalidInput(f"{key.replace('_', '-')}: innehåller bytes som inte är UTF-8-text")
    return clean(value)


def _crashed(error: BaseException, args: argparse.Namespace) -> int:
    from bcc_tui import crash

    print(crash.message(crash.write_report(error, where=args.command or "instrumentpanel")), file=sys.stderr)
    return 1
