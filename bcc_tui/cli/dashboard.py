"""The commands that start the dashboard: `bcc-tui`, `bcc-tui demo`, `bcc-tui open REF`."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from dataclasses import replace

from bcc_tui.cli.common import REF, open_ctx
from bcc_tui.cli.registry import command
from bcc_tui.services import demo
from bcc_tui.services.clock import FixedClock, SystemClock
from bcc_tui.settings import Settings

NEEDS_TERMINAL = "bcc-tui behöver en terminal; använd ssh -t"


def has_terminal() -> bool:
    """A dashboard on pipes (`ssh host cmd`, sftp, cron) has nobody to show it to and nobody to
    end it: it is refused rather than left running when the other side goes away."""
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):  # closed or missing streams
        return False


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", dest="demo_db", metavar="SÖKVÄG", help="behåll demodatabasen här")
    p.add_argument("--as", dest="demo_as", metavar="ANVÄNDARE", help="en annan demoperson")
    p.add_argument("--no-ui", action="store_true", help="skapa bara databasen och skriv var den finns")


def _open_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("ref", metavar=REF)


# `bcc-tui` with no command is the dashboard too (cli/app.py sends it here).
@command("demo", "instrumentpanelen på en ny demodatabas", _arguments, opens="dashboard")
@command("open", "instrumentpanelen öppnad på ett ärende", _open_arguments, opens="dashboard")
def run(args: argparse.Namespace) -> int:
    os.umask(0o077)  # the demo database and its folder are as private as the real one
    if not (args.command == "demo" and args.no_ui) and not has_terminal():
        print(NEEDS_TERMINAL, file=sys.stderr)
        return 1
    if args.command == "demo":
        db = args.demo_db if args.demo_db is not None else args.db
        settings = Settings.load(db, args.demo_as or args.as_user)
        clock = FixedClock(settings.frozen_now) if settings.frozen_now else SystemClock()
        path = demo.prepare(settings.db_path if settings.db_explicit else None, clock)
        settings = replace(settings, db_path=path, db_explicit=True)
        if args.no_ui:
            print(f"Demodatabasen finns i {path}")
            return 0
        if settings.as_user is None:
            settings = replace(settings, as_user=demo.receiver_of(path, clock))
    else:
        settings = Settings.load(args.db, args.as_user)
    ctx = open_ctx(settings, create=False)
    # Starting the dashboard makes a few hundred thousand objects and frees few of them: no cycle
    # collection until its first paint, when the app freezes what the start made and collects
    # again (BccApp.started).
    gc.disable()
    try:
        from bcc_tui.services.notify import MailConfig
        from bcc_tui.ui.app import make_app  # Textual is imported only for the dashboard

        app = make_app(
            ctx, open_ref=getattr(args, "ref", None), mail=MailConfig.parse(settings.smtp, settings.mail_from)
        )
        app.run()
    finally:
        gc.enable()  # also when the app ended before its first paint
        ctx.store.close()
    if app.crash_line:
        print(app.crash_line, file=sys.stderr)
        return 1
    if app.ended_line:
        print(app.ended_line, file=sys.stderr)
    return app.return_code or 0
