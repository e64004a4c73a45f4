"""The command line's commands, each registered where it is handled: its arguments stand beside its
handler (`@command(...)` on the handler, the arguments in the function named with it), so adding
or changing a command touches one place. `cli.build_parser` and `cli.app.run` read this table.

This module imports nothing of the program: command modules import it, never the other way.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

# The order of `bcc-tui --help` (docs/routine.md 4.1): a contract people read, so it is written
# out rather than left to the order in which modules happen to be imported.
ORDER = (
    "demo",
    "open",
    "import",
    "staff",
    "schedule",
    "patients",
    "list",
    "show",
    "assign",
    "reassign",
    "reply",
    "partial-reply",
    "close",
    "note",
    "remind",
    "audit",
    "check",
    "backup",
    "migrate",
    "replicate",
    "restore",
    "outbound",
    "outbox",
    "template",
    "types",
    "notice",
    "settings",
    "handover",
    "stats",
    "deviations",
    "urgent",
)

# What a command needs before its handler runs:
# - "ctx": an open session on the current database (most commands): handler(ctx, args);
# - "settings": only the settings, because it opens a file itself (restore, migrate):
#   handler(settings, args);
# - "dashboard": the dashboard's own start (cli/dashboard.py): handler(args).
Opens = Literal["ctx", "settings", "dashboard"]


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    handler: Callable[..., int]
    opens: Opens = "ctx"
    # May create a missing database file (the first set-up of an empty database).
    creates: bool = False


COMMANDS: dict[str, Command] = {}


def command(
    name: str,
    help: str,
    arguments: Callable[[argparse.ArgumentParser], None],
    *,
    opens: Opens = "ctx",
    creates: bool = False,
) -> Callable[[Callable[..., int]], Callable[..., int]]:
    """Register the decorated function as the handler of `name`, with the function that adds its
    arguments to its subparser."""

    def register(handler: Callable[..., int]) -> Callable[..., int]:
        if name in COMMANDS:
            raise ValueError(f"command {name!r} registered twice")
        COMMANDS[name] = Command(name, help, arguments, handler, opens, creates)
        return handler

    return register


def in_order() -> list[Command]:
    """Every registered command, in the order of ORDER; a command missing from either is a bug."""
    missing = set(ORDER) ^ set(COMMANDS)
    if missing:
        raise RuntimeError(f"commands registered and listed differ: {sorted(missing)}")
    return [COMMANDS[name] for name in ORDER]
