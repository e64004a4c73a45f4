"""The command line's commands, each registered where it is handled: its arguments stand beside its
handler (`@command(...)` on the handler, the arguments in the function named with it), so adding
or changing a command touches one place. `cli.build_parser` and `cli.app.run` read this table.

This module imports nothing of the program: command modules import it, never the other way. It
imports them by name when asked (`load`), so that a process running one command loads that
command's module only, not every command's services (a job started every minute, a script).
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

# The order of `bcc-tui --help` (docs/routine.md 4.1): a contract people read, so it is written
# out rather than left to the order in which modules happen to be imported. Beside each command,
# the module that registers it (`in_order` checks that they agree).
ORDER: dict[str, str] = {
    "demo": "bcc_tui.cli.dashboard",
    "open": "bcc_tui.cli.dashboard",
    "import": "bcc_tui.cli.commands.intake",
    "staff": "bcc_tui.cli.commands.intake",
    "schedule": "bcc_tui.cli.commands.intake",
    "patients": "bcc_tui.cli.commands.intake",
    "list": "bcc_tui.cli.commands.errands",
    "show": "bcc_tui.cli.commands.errands",
    "assign": "bcc_tui.cli.commands.errands",
    "reassign": "bcc_tui.cli.commands.errands",
    "reply": "bcc_tui.cli.commands.errands",
    "partial-reply": "bcc_tui.cli.commands.errands",
    "close": "bcc_tui.cli.commands.errands",
    "note": "bcc_tui.cli.commands.errands",
    "remind": "bcc_tui.cli.commands.errands",
    "audit": "bcc_tui.cli.commands.records",
    "check": "bcc_tui.cli.commands.records",
    "backup": "bcc_tui.cli.commands.records",
    "migrate": "bcc_tui.cli.commands.records",
    "replicate": "bcc_tui.cli.commands.records",
    "restore": "bcc_tui.cli.commands.records",
    "outbound": "bcc_tui.cli.commands.records",
    "outbox": "bcc_tui.cli.commands.records",
    "template": "bcc_tui.cli.commands.clinic",
    "types": "bcc_tui.cli.commands.clinic",
    "notice": "bcc_tui.cli.commands.clinic",
    "settings": "bcc_tui.cli.commands.clinic",
    "handover": "bcc_tui.cli.commands.reports",
    "stats": "bcc_tui.cli.commands.reports",
    "deviations": "bcc_tui.cli.commands.reports",
    "urgent": "bcc_tui.cli.commands.errands",
}

# `bcc-tui` with no command is the dashboard, started by the handler of `open` and `demo`
# (cli/dashboard.py), which tells them apart by args.command.
DASHBOARD = "open"

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


def load(*names: str) -> list[Command]:
    """The commands of these names, their modules imported (each registers its commands as it is
    imported; a module already imported is not imported again)."""
    for module in dict.fromkeys(ORDER[name] for name in names):
        importlib.import_module(module)
    unregistered = [name for name in names if name not in COMMANDS]
    if unregistered:
        raise RuntimeError(f"commands listed but not registered by their module: {unregistered}")
    return [COMMANDS[name] for name in names]


def in_order() -> list[Command]:
    """Every command, in the order of ORDER, all their modules imported; a command missing from
    either, or registered by another module than ORDER names, is a bug."""
    load(*ORDER)
    unlisted = set(COMMANDS) - set(ORDER)
    if unlisted:
        raise RuntimeError(f"commands registered but not listed: {sorted(unlisted)}")
    elsewhere = sorted(name for name, cmd in COMMANDS.items() if cmd.handler.__module__ != ORDER[name])
    if elsewhere:
        raise RuntimeError(f"commands registered elsewhere than ORDER says: {elsewhere}")
    return [COMMANDS[name] for name in ORDER]
