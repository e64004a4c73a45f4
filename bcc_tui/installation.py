"""The installed program as a running process found it at start (issue 31).

An upgrade (`pip install` of a newer bcc-tui) replaces the files of a dashboard that is still
running. Python loads some modules only when first needed (a screen opened with `?`, the
statistics with `s`); loaded after the upgrade they are the new version's, meeting the old ones
already in memory, and the dashboard ended with an unexpected error. So the process notes the
installed packages' identity at start — the folder and the `__init__.py` of bcc_tui, Textual and
Rich: pip replaces them, and their inode or time changes — and checks it (a few stat calls) before
each key and each poll, and before it loads a module of its own (`guard_imports`). Once it has
changed, nothing more is loaded: the dashboard says so and ends on the person's next key.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

WATCHED = ("bcc_tui", "textual", "rich")


class Upgraded(ImportError):
    """A module of the old version was about to be loaded from the new version's files."""


def watched(packages: Sequence[str] = WATCHED) -> tuple[str, ...]:
    """The folder and the `__init__.py` of each watched package, as loaded."""
    out: list[str] = []
    for name in packages:
        where = getattr(sys.modules.get(name), "__file__", None)
        if where:
            out += [os.path.dirname(where), where]
    return tuple(out)


def fingerprint(paths: Sequence[str]) -> tuple:
    out: list[tuple] = []
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:  # being replaced right now: that is a change too
            out.append((path, None))
        else:
            out.append((path, st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size))
    return tuple(out)


class Installation:
    """What was installed when the process started, and whether that is still so."""

    def __init__(self) -> None:
        # The paths once: asked at every poll of every dashboard on the server, the look is a few
        # stat calls and nothing more (issue 31).
        self.paths = watched()
        self.at_start = fingerprint(self.paths)
        self._changed = False

    def changed(self) -> bool:
        if not self._changed and fingerprint(self.paths) != self.at_start:
            self._changed = True  # once replaced, always: a reinstall of the old files is no way back
        return self._changed


class Guard:
    """A finder on sys.meta_path: the import system asks it first for every module. Not a subclass
    of importlib.abc.MetaPathFinder, whose module loads importlib.resources with it (2 ms of every
    dashboard's start, issue 31) for a base class that adds nothing the guard uses."""

    def __init__(self, installation: Installation) -> None:
        self.installation = installation

    def find_spec(self, fullname, path, target=None):
        """None (the usual finders load it) while the installation is the one of the start."""
        if fullname.partition(".")[0] == "bcc_tui" and self.installation.changed():
            raise Upgraded(f"bcc-tui har uppdaterats; {fullname} laddas inte i den gamla versionen")
        return None  # noqa: PLR1711 -- said outright: the import system asks for a spec or None


def guard_imports(installation: Installation) -> Guard:
    """From now on a module of bcc_tui not yet loaded is loaded only while the installation is
    unchanged; `unguard` with the returned finder ends that."""
    guard = Guard(installation)
    sys.meta_path.insert(0, guard)
    return guard


def unguard(guard: Guard) -> None:
    try:
        sys.meta_path.remove(guard)
    except ValueError:
        pass
