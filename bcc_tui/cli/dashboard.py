"""The commands that start the dashboard: `bcc-tui`, `bcc-tui demo`, `bcc-tui open REF`."""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from bcc_tui.domain.errors import InvalidInput
from bcc_tui.services import demo, session
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


def run(args: argparse.Namespace) -> int:
    os.umask(0o077)  # the demo database and its folder are as private as the real one
    if not (args.command == "demo" and args.no_ui) and not has_terminal():
        print(NEEDS_TERMINAL, file=sys.stderr)
        return 1
    if args.command == "demo":
        db = args.demo_db if args.demo_db is not None else args.db
        settings = Settings.load(db, args.demo_as or args.as_user)
        path = _prepare_demo(settings)
        settings = replace(settings, db_path=path, db_explicit=True)
        if args.no_ui:
            print(f"Demodatabasen finns i {path}")
            return 0
    else:
        settings = Settings.load(args.db, args.as_user)
    from bcc_tui.cli.app import open_ctx

    if args.command == "demo" and settings.as_user is None:
        store = session.open_store(settings.db_path)
        receiver = demo.today_receiver(
            store, FixedClock(settings.frozen_now) if settings.frozen_now else SystemClock()
        )
        store.close()
        settings = replace(settings, as_user=receiver)
    ctx = open_ctx(settings, create=False)
    try:
        from bcc_tui.services.notify import MailConfig
        from bcc_tui.ui.app import make_app  # Textual is imported only for the dashboard

        app = make_app(
            ctx, open_ref=getattr(args, "ref", None), mail=MailConfig.parse(settings.smtp, settings.mail_from)
        )
        app.run()
    finally:
        ctx.store.close()
    if app.crash_line:
        print(app.crash_line, file=sys.stderr)
        return 1
    if app.ended_line:
        print(app.ended_line, file=sys.stderr)
    return app.return_code or 0


def _prepare_demo(settings: Settings) -> Path:
    """A demo database at the named path, or a fresh one in a temporary folder.

    An existing demo database is reused, so that a second dashboard can open the same one; an
    existing database that is not a demo database is never touched.
    """
    if settings.db_explicit:
        path = settings.db_path
        if path.exists() and path.stat().st_size > 0:
            store = session.open_store(path)
            try:
                if demo.is_demo(store):
                    return path
                if not demo.is_empty(store):
                    raise InvalidInput(
                        f"{path} är ingen demodatabas; demo rör bara demodatabaser (välj en annan sökväg)"
                    )
            finally:
                store.close()
        path.parent.mkdir(parents=True, exist_ok=True)
    else:
        folder = tempfile.mkdtemp(prefix="bcc-tui-demo-")
        atexit.register(shutil.rmtree, folder, True)
        path = Path(folder) / "demo.db"
    store = session.open_store(path)
    try:
        demo.build(store, FixedClock(settings.frozen_now) if settings.frozen_now else SystemClock())
    finally:
        store.close()
    return path
