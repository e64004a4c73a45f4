"""argparse's own words in Swedish: its usage line, headings, `-h` help and every error a person
can provoke on the command line.

argparse looks each message up through the module globals `argparse._` and `argparse.ngettext`
(gettext's, in the default domain) when it builds a parser, prints help or reports an error. A
catalogue of its message ids is swapped in for exactly those moments (`swedish()`), so no other
user of argparse in the same process (pytest, say) changes language. A message id this catalogue
does not know — a future Python's new wording — is printed as argparse wrote it: English, but
never lost. Errors a programmer causes while building a parser (conflicting options and the
like) are left in English on purpose: no person using the program can see them.
"""

from __future__ import annotations

import argparse
import gettext as _gettext
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# Message ids of Python 3.11 to 3.13 (some appear only in some versions; an unused one is harmless).
MESSAGES: dict[str, str] = {
    "usage: ": "användning: ",
    "positional arguments": "argument",
    "options": "flaggor",
    "optional arguments": "flaggor",  # before 3.10
    "subcommands": "kommandon",
    "%(heading)s:": "%(heading)s:",  # 3.13: a section heading
    "show this help message and exit": "visa den här hjälpen och avsluta",
    "show program's version number and exit": "visa programmets version och avsluta",
    " (default: %(default)s)": " (standard: %(default)s)",
    "%(prog)s: error: %(message)s\n": "%(prog)s: fel: %(message)s\n",
    "%(prog)s: warning: %(message)s\n": "%(prog)s: varning: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s: %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "ogiltigt val %(value)r (välj bland %(choices)s)",
    "invalid choice: %(value)r, maybe you meant %(closest)r?": "ogiltigt val %(value)r; menade du %(closest)r?",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "okänt kommando %(parser_name)r (välj bland %(choices)s)",
    "the following arguments are required: %s": "det här saknas: %s",
    "one of the arguments %s is required": "ange en av %s",
    "unrecognized arguments: %s": "okända argument: %s",
    "expected one argument": "kräver ett värde",
    "expected at most one argument": "tar högst ett värde",
    "expected at least one argument": "kräver minst ett värde",
    "not allowed with argument %s": "kan inte kombineras med %s",
    "ambiguous option: %(option)s could match %(matches)s": "tvetydig flagga %(option)s: kan vara %(matches)s",
    "invalid %(type)s value: %(value)r": "ogiltigt %(type)s: %(value)r",
    "ignored explicit argument %r": "tar inget värde (%r)",
    "unexpected option string: %s": "oväntad flagga: %s",
    "can't open '%(filename)s': %(error)s": "kan inte öppna '%(filename)s': %(error)s",
    "command '%(parser_name)s' is deprecated": "kommandot '%(parser_name)s' är föråldrat",
    "option '%(option)s' is deprecated": "flaggan '%(option)s' är föråldrad",
    "argument '%(argument_name)s' is deprecated": "argumentet '%(argument_name)s' är föråldrat",
}

PLURALS: dict[tuple[str, str], tuple[str, str]] = {
    ("expected %s argument", "expected %s arguments"): ("kräver %s värde", "kräver %s värden"),
}


def sv_gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def sv_ngettext(singular: str, plural: str, n: int) -> str:
    one, many = PLURALS.get((singular, plural), (singular, plural))
    return one if n == 1 else many


def integer(text: str) -> int:
    """`type=` for a whole number: its name is what argparse prints for a bad value."""
    return int(text)


integer.__name__ = "heltal"  # "ogiltigt heltal: 'x'"


@contextmanager
def swedish() -> Iterator[None]:
    """argparse speaks Swedish inside this block; what was there before comes back after it
    (nesting is safe: the inner block restores the outer one's catalogue)."""
    saved: tuple[Callable[[str], str], Callable[[str, str, int], str]] = (
        getattr(argparse, "_", _gettext.gettext),
        getattr(argparse, "ngettext", _gettext.ngettext),
    )
    setattr(argparse, "_", sv_gettext)  # noqa: B010 -- the module has no typed attribute to assign
    setattr(argparse, "ngettext", sv_ngettext)  # noqa: B010
    try:
        yield
    finally:
        setattr(argparse, "_", saved[0])  # noqa: B010
        setattr(argparse, "ngettext", saved[1])  # noqa: B010


class SwedishParser(argparse.ArgumentParser):
    """An ArgumentParser whose every message a person can meet is in Swedish. Usage errors
    still exit with status 2 (docs/routine.md 4.1)."""

    def __init__(self, *args, **kwargs) -> None:
        with swedish():  # the headings and -h's help are looked up here
            super().__init__(*args, **kwargs)

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[override]
        with swedish():  # errors and --help happen while parsing
            return super().parse_known_args(args, namespace)

    def parse_args(self, args=None, namespace=None):  # type: ignore[override]
        with swedish():  # 'unrecognized arguments' is reported here, after parse_known_args
            return super().parse_args(args, namespace)

    def format_usage(self) -> str:
        with swedish():
            return super().format_usage()

    def format_help(self) -> str:
        with swedish():
            return super().format_help()

    def error(self, message: str):  # type: ignore[override]
        with swedish():
            super().error(message)
