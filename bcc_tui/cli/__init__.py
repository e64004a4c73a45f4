"""The command line (docs/routine.md 4.1). Importing this must not import Textual: scripts such as
`bcc-tui import` start fast; the dashboard commands import the UI only when they run."""

from __future__ import annotations

import argparse
import gc
import os
import sys

from bcc_tui.cli import app as _app
from bcc_tui.cli import registry
from bcc_tui.cli.argparse_sv import SwedishParser
from bcc_tui.domain.errors import BccError
from bcc_tui.domain.text import clean, clean_line


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: the global options, then each registered command with the
    arguments it adds beside its handler (cli/registry.py, cli/commands/)."""
    p = SwedishParser(prog="bcc-tui", description="Ärendehantering för 1177 vid Barncancercentrum.")
    p.add_argument("--db", metavar="SÖKVÄG", help="databasfilen (annars $BCC_DB)")
    p.add_argument(
        "--as", dest="as_user", metavar="ANVÄNDARE", help="agera som denna person (bara databasens ägare)"
    )
    sub = p.add_subparsers(dest="command", metavar="KOMMANDO", parser_class=SwedishParser)
    for cmd in registry.in_order():
        cmd.arguments(sub.add_parser(cmd.name, help=cmd.help))
    return p


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
    if argv is None:
        # The program itself (not a caller in its own process, such as the tests): what the
        # imports made lives as long as the process, and out of the collector's sight the
        # collections that a long output's rows set off do not walk it each time (about 7 % of
        # `list --json` on 100,000 errands).
        gc.freeze()
    from bcc_tui.cli import terminal

    terminal.install()
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Cleaned(sys.stdout), _Cleaned(sys.stderr)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = streams


def _main(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    for key, value in vars(args).items():
        if isinstance(value, str) and key not in _PATH_ARGS:
            setattr(args, key, clean(value))
    try:
        return _app.run(args)
    except BccError as err:
        print(f"bcc-tui: {clean_line(err.for_cli())}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:
        from bcc_tui import crash

        print(
            crash.message(crash.write_report(error, where=args.command or "instrumentpanel")), file=sys.stderr
        )
        return 1
