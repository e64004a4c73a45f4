"""What happens to an error nobody foresaw: one plain line for the person, a private report file.

A traceback on the screen would show patient data (Textual's prints local variables, and an
exception's message may quote a name or a message), so the person sees one Swedish line that
names the report; the report holds where it happened and nothing that came from the data: the
exception types and the frames (file, line, function), without messages, source lines or locals.

The report goes to $XDG_STATE_HOME/bcc-tui/ (by default ~/.local/state/bcc-tui/), a folder only
the user can enter, as a file only the user can read (0600); when that folder cannot be made,
the system's temporary folder is used instead.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import sys
import tempfile
import traceback
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from bcc_tui.domain.text import clean_line


def report_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    base = env.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "bcc-tui"


def report_text(error: BaseException, where: str = "") -> str:
    """The traceback of `error` and its causes: types and frames only."""
    lines = [
        f"bcc-tui kraschrapport {dt.datetime.now(dt.UTC):%Y-%m-%dT%H:%M:%SZ}",
        f"python {sys.version.split()[0]}, pid {os.getpid()}",
    ]
    if where:
        lines.append(f"där: {clean_line(where)}")
    lines.append("(felmeddelanden och variabler utelämnas: de kan innehålla patientuppgifter)")
    chain: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen and len(chain) < 20:
        seen.add(id(current))
        chain.append(current)
        # Textual's WorkerFailed carries the worker's own exception as `.error`, not as a cause.
        wrapped = getattr(current, "error", None)
        current = (
            current.__cause__
            or (wrapped if isinstance(wrapped, BaseException) else None)
            or (None if current.__suppress_context__ else current.__context__)
        )
    for i, exc in enumerate(reversed(chain)):
        if i:
            lines.append("\nledde till:")
        lines.append("Traceback (most recent call last):")
        lines += _frames(exc.__traceback__)
        kind = type(exc)
        lines.append(f"{kind.__module__}.{kind.__qualname__}")
    return "\n".join(lines) + "\n"


def _frames(tb: TracebackType | None) -> list[str]:
    out = []
    for frame in traceback.extract_tb(tb, limit=200):
        # The source line is left out too: a literal in it could be data; file and line find it.
        out.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
    return out


def write_report(
    error: BaseException, where: str = "", environ: Mapping[str, str] | None = None
) -> Path | None:
    """Write the report privately; its path, or None when no file could be written at all."""
    text = report_text(error, where)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    name = f"krasch-{stamp}-{os.getpid()}-{secrets.token_hex(3)}.txt"  # unique even within a second
    old = os.umask(0o077)
    try:
        for folder in (report_dir(environ), Path(tempfile.gettempdir()) / f"bcc-tui-{os.getuid()}"):
            try:
                folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                st = folder.lstat()
                # A folder someone else owns or may enter (or a link to one) is not private.
                if (
                    not folder.is_dir()
                    or folder.is_symlink()
                    or st.st_uid != os.getuid()
                    or st.st_mode & 0o077
                ):
                    continue
                path = folder / name
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    f.write(text)
                return path
            except OSError:
                continue
        return None
    finally:
        os.umask(old)


def message(path: Path | None) -> str:
    """The one line the person sees."""
    if path is None:
        return (
            "bcc-tui: ett oväntat fel inträffade och ingen felrapport kunde sparas. Kontakta förvaltningen."
        )
    return f"bcc-tui: ett oväntat fel inträffade. Felrapporten finns i {clean_line(str(path))}; skicka den till förvaltningen."
