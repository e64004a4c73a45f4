"""Dispatch of the parsed command line to its handler (cli/registry.py), with what every command
shares: the session it opens and the outbox tried before it exits."""

from __future__ import annotations

import argparse

from bcc_tui.cli import dashboard
from bcc_tui.cli.commands import clinic, errands, intake, records, reports  # noqa: F401 (they register)
from bcc_tui.cli.common import open_ctx
from bcc_tui.cli.registry import COMMANDS
from bcc_tui.services import notify
from bcc_tui.settings import Settings

# Each command's handler by name, for the commands that run on an open session; a test swaps one.
_COMMANDS = {c.name: c.handler for c in COMMANDS.values() if c.opens == "ctx"}


def run(args: argparse.Namespace) -> int:
    command = COMMANDS.get(args.command) if args.command is not None else None
    if command is None or command.opens == "dashboard":
        return dashboard.run(args)  # the UI itself is imported only once it runs
    settings = Settings.load(args.db, args.as_user)
    if command.opens == "settings":
        return command.handler(settings, args)
    ctx = open_ctx(settings, create=command.creates)
    try:
        return _COMMANDS[command.name](ctx, args)
    finally:
        # docs/routine.md 4.6: every command tries the outbox before it exits.
        try:
            notify.deliver(ctx.store, ctx.clock, notify.MailConfig.parse(settings.smtp, settings.mail_from))
        except Exception:
            pass
        ctx.store.close()
