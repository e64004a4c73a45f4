"""What happens to an error nobody foresaw: one plain line for the person, a private report file.

A traceback on the screen would show patient data (Textual's prints local variables, and an
exception's message may quote a name or a message), so the person sees one Swedish line that
names the report; the report holds where it happened and nothing that came from the data: the
exception types and the frames (file, line, function), without messages, source lines or locals.

The report goes to $BCC_REPORT_DIR when it is set (the shared server's /var/log/bcc-tui/, made
by docs/deployment.md: the service account's, readable by the administrators' group), else to
$XDG_STATE_HOME/bcc-tui/ (by default ~/.local/state/bcc-tui/); when neither can be used, the
system's temporary folder. A folder that others may enter or anyone else may write to is not
used. A report is 0600, or 0640 in a folder its group may read; it is at most MAX_BYTES, and a
folder keeps at most MAX_REPORTS of them (the oldest go), so a crash loop cannot fill a disk.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import stat
import sys
import tempfile
import traceback
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from bcc_tui.domain.text import clean_line

MAX_REPORTS = 100
MAX_BYTES = 64 * 1024
REPORT_NAME = re.compile(r"krasch-\d{8}T\d{6}Z-\d+-[0-9a-f]{6}\.txt")


def report_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get("BCC_REPORT_DIR"):
        return Path(env["BCC_REPORT_DIR"])
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
    data = report_text(error, where).encode("utf-8")
    if len(data) > MAX_BYTES:
        cut = "\n(rapporten är avkortad)\n".encode()
        data = data[: MAX_BYTES - len(cut)].rsplit(b"\n", 1)[0] + cut
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    name = f"krasch-{stamp}-{os.getpid()}-{secrets.token_hex(3)}.txt"  # unique even within a second
    old = os.umask(0o077)
    try:
        for folder in (report_dir(environ), Path(tempfile.gettempdir()) / f"bcc-tui-{os.getuid()}"):
            try:
                folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                st = folder.lstat()
                # A folder someone else owns, others may enter or anyone else may write to (or a
                # link to one) is not ours to leave reports in; its group may read (the admins).
                if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o027:
                    continue
                _make_room(folder)
                path = folder / name
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
                with os.fdopen(fd, "wb") as f:
                    if st.st_mode & 0o040:
                        os.fchmod(f.fileno(), 0o640)  # the folder's group reads it (no data inside)
                    f.write(data)
                return path
            except OSError:
                continue
        return None
    finally:
        os.umask(old)


def _make_room(folder: Path) -> None:
    """Keep at most MAX_REPORTS - 1 of the program's own reports, so that the new one fits: the
    oldest go (their names sort by time). Nothing else in the folder is touched."""
    reports = sorted(entry for entry in os.listdir(folder) if REPORT_NAME.fullmatch(entry))
    for entry in reports[: max(0, len(reports) - (MAX_REPORTS - 1))]:
        try:
            if stat.S_ISREG(os.lstat(folder / entry).st_mode):
                os.unlink(folder / entry)
        except OSError:  # gone meanwhile (another process made room too)
            pass


def message(path: Path | None, environ: Mapping[str, str] | None = None) -> str:
    """The one line the person sees. A person working through sudo cannot open the service
    account's report: they are told its name, which the administrators find in their folder."""
    env = os.environ if environ is None else environ
    if path is None:
        return (
            "bcc-tui: ett oväntat fel inträffade och ingen felrapport kunde sparas. Kontakta förvaltningen."
        )
    if env.get("SUDO_USER") and env.get("SUDO_UID") != "0":
        return (
            f"bcc-tui: ett oväntat fel inträffade. Felrapporten {clean_line(path.name)} finns hos "
            f"förvaltningen ({clean_line(str(path.parent))}); nämn den när du hör av dig."
        )
    return f"bcc-tui: ett oväntat fel inträffade. Felrapporten finns i {clean_line(str(path))}; skicka den till förvaltningen."
