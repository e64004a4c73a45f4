"""Dispatch of the parsed command line to its handler (cli/registry.py), with what every command
shares: the session it opens and the outbox tried before it exits."""

from __future__ import annotations

import argparse

from bcc_tui.cli import registry
from bcc_tui.cli.common import open_ctx
from bcc_tui.services import notify
from bcc_tui.settings import Settings


def run(args: argparse.Namespace) -> int:
    # Looked up as it runs, not kept: only the command's own module is imported (cli/__init__.py),
    # and a test swaps a handler in the registry.
    (command,) = registry.load(args.command or registry.DASHBOARD)
    if command.opens == "dashboard":
        return command.handler(args)  # the UI itself is imported only once it runs
    settings = Settings.load(args.db, args.as_user)
    if command.opens == "settings":
        return command.handler(settings, args)
    ctx = open_ctx(settings, create=command.creates)
    try:
        return command.handler(ctx, args)
    finally:
        # docs/routine.md 4.6: every command tries the outbox before it exits.
        try:
            notify.deliver(ctx.store, ctx.clock, notify.MailConfig.parse(settings.smtp, settings.mail_from))
        except Exception:
            pass
        ctx.store.close()
