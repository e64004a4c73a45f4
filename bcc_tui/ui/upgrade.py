"""Upgrades that users do not notice (issue 31): a dashboard under which the program or the
database's schema changed says so in one line, keeps the person's drafts, writes nothing more and
ends cleanly on their next key, so that the new version starts in its place.

Two things change under a running dashboard during an upgrade (docs/upgrade.md): the installed
files (`pip install`, bcc_tui/installation.py) and then the schema (`bcc-tui migrate`, which
marks the file before its first step). Either is looked for at every poll and before every key;
a module of ours not yet loaded is never loaded from the new files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from bcc_tui.domain.errors import BccError
from bcc_tui.installation import Guard, Installation, Upgraded, guard_imports, unguard

if TYPE_CHECKING:
    from bcc_tui.ui.app import BccApp

UPGRADED = "bcc-tui har uppdaterats — avsluta och starta igen; ditt utkast är sparat"
# A toast that stays until the person acts: the next key ends the dashboard anyway.
SHOWN_FOR = 24 * 3600.0


class UpgradeWatch:
    def __init__(self, app: BccApp) -> None:
        self.app = app
        self.installation = Installation()
        self.noticed = False
        self._guard: Guard | None = None

    def start(self) -> None:
        self._guard = guard_imports(self.installation)

    def stop(self) -> None:
        if self._guard is not None:
            unguard(self._guard)
            self._guard = None

    def moved(self, schema: bool = True) -> bool:
        """Whether the installed program or the database's schema is no longer the one the
        dashboard started with (a connection busy in a worker: the next look tells); schema=False:
        the program only (nothing was committed since the schema was last asked)."""
        if self.installation.changed():
            return True
        if not schema:
            return False
        try:
            return self.app.feed.reader.outdated(wait=False)
        except BccError:
            return False

    def check(self, schema: bool = True) -> bool:
        """At every poll and before every key: True once the dashboard has stopped."""
        if not self.noticed and self.moved(schema):
            self.notice()
        return self.noticed

    def explains(self, error: BaseException) -> bool:
        """Whether an error nobody foresaw came from the upgrade (a half-replaced installation, a
        schema changed between two looks): then it is no crash to report."""
        try:
            return isinstance(error, Upgraded) or self.noticed or self.moved()
        except Exception:  # asked on the way to a crash report: never a second error
            return False

    def notice(self) -> None:
        self.noticed = True
        app = self.app
        store = app.ctx.store
        # The person's text first. It is written once more even when the schema has just changed:
        # a draft row is their own words, in a table every version keeps, and a write that the
        # new schema refuses is lost no more than it would be without trying.
        known, store.schema_version = store.schema_version, None
        try:
            app.flush_forms()
        finally:
            store.schema_version = known
        # Then nothing more: every write of this process (a form, an audit row, the mail) refused.
        for connection in (store, app.feed.reader):
            connection.retire(UPGRADED)
        app.notify(UPGRADED, title="Ny version", severity="warning", timeout=SHOWN_FOR)

    def leave(self) -> None:
        """The person's next key: the dashboard ends cleanly and the line stays on the terminal."""
        self.app.exit(return_code=0, message=Text(UPGRADED))
