"""Where an import's input comes from: stdin or a file, and the intake job's folder of files, each
imported once and moved aside (issue 18). Reading within the caps is services/inbox.py's; what a
line holds is services/intake.py's. The command line only prints what these return."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bcc_tui.domain.errors import Busy, InvalidInput
from bcc_tui.services import inbox, intake
from bcc_tui.services.context import Ctx
from bcc_tui.settings import sudo_person

# stdin's byte reader, asked for only when the input is "-" (a missing stdin is refused then).
StdinReader = Callable[[], Callable[[int], bytes]]


def _no_file_under_sudo(name: str) -> None:
    if sudo_person(os.environ) is not None:
        # The service account may read files the person may not (its backups, the wrapper's
        # settings): under sudo the input comes from the person's side only.
        raise InvalidInput(f"via sudo läses indata bara från standard in; använd - i stället för {name}")


def open_input(ctx: Ctx, name: str, stdin: StdinReader) -> inbox.Input:
    """An import's input, read within the caps (services/inbox.py): a regular file opened without
    following a link, or stdin."""
    limits = inbox.limits_now(ctx)
    if name == "-":
        return inbox.read_stream(stdin(), "stdin", limits)
    _no_file_under_sudo(name)
    return inbox.read_file(name, limits)


def read_input(ctx: Ctx, name: str, stdin: StdinReader) -> bytes:
    """A whole small input (staff, schedule, care teams) the same safe way, within the file cap."""
    limits = inbox.whole(inbox.limits_now(ctx))
    if name == "-":
        return inbox.joined(inbox.read_stream(stdin(), "stdin", limits))
    _no_file_under_sudo(name)
    with inbox.read_file(name, limits) as opened:
        return inbox.joined(opened)


@dataclass
class FileDone:
    """One file of the intake job, in the order its lines are said: the whole file refused (and
    why), else its report with the rejected lines; then a problem moving it aside, if any."""

    path: Path
    refused: str | None = None
    report: intake.IntakeReport | None = None
    not_moved: str | None = None

    @property
    def failed(self) -> bool:
        return bool(self.refused or self.not_moved or (self.report and self.report.rejected))


def job_files(source: str, done_dir: str) -> tuple[Path, list[inbox.Listed]]:
    """The intake job's folder for files read and the files to read: one file, or every regular
    `*.jsonl` of a folder (a sender writes under another name, or a dot name, and renames when the
    file is complete). Refused before anything is read."""
    if not done_dir or "\0" in done_dir:
        # Path("") is the working folder: `--move-to ''` moved the file into the folder it was in.
        raise InvalidInput("--move-to: målet saknar namn")
    done = Path(done_dir)
    # Where the files go, and their rejected lines, is looked at first: refused after the import,
    # the errands were in and the file still in the inbox, with no count said (a hostile trial).
    inbox.folder_to_write(done)
    inbox.folder_to_write(done / "rejected", may_be_missing=True)
    if source == "-":
        raise InvalidInput("--move-to gäller filer, inte stdin")
    _no_file_under_sudo(source)
    src = Path(source)
    if src.is_dir() and not src.is_symlink():
        inbox.folder_to_write(src)  # a file read is moved out of it: read-only, each run read it again
        return done, inbox.listing(src)
    if src.is_file() and not src.is_symlink():
        inbox.folder_to_write(src.parent)
        return done, [inbox.Listed(src, os.lstat(src))]
    raise InvalidInput(f"{source} är varken en fil eller en mapp")


def run_job(ctx: Ctx, done: Path, files: list[inbox.Listed]) -> Iterator[FileDone]:
    """The intake job (issue 18): each file is imported once and moved aside, its rejected lines
    kept in rejected/ for a person to fix and drop again, so one bad line never blocks the next
    run. Each file is read, copied and moved through the descriptor it was opened with, and only
    if it is the file listed (issue 28): a name swapped for another file (a symlink to the
    database, say) is refused and left alone. Yields each file as it is done, so that a long run
    says what it has done so far."""
    limits = inbox.limits_now(ctx)
    for listed in files:
        path = listed.path
        try:
            opened = inbox.open_file(path, listed.st)
        except InvalidInput as err:  # not the file listed, or no regular file: left alone, unread
            if not os.path.lexists(path):
                continue  # gone since the listing: another intake job took it (inbox.claim)
            yield FileDone(path, refused=_about(path, err.for_cli()))
            continue
        with opened:
            if not inbox.claim(opened, path):
                continue  # another intake job has it now, or has moved it: its to do
            try:
                report = intake.import_errands(ctx, inbox.read(opened, limits).lines)
            except Busy:
                raise  # nothing stored: the file stays for the next run
            except InvalidInput as err:  # the whole file refused (too large, empty): set aside as it is
                refused = _about(path, err.for_cli())
                yield FileDone(path, refused=refused, not_moved=_set_aside(opened, done / "rejected", listed))
                continue
            if report.rejected:
                inbox.write_new(done / "rejected", path.name, opened.copy_of(n for n, _ in report.rejected))
            yield FileDone(path, report=report, not_moved=_set_aside(opened, done, listed))


def _set_aside(opened: inbox.Input, folder: Path, listed: inbox.Listed) -> str | None:
    """The file read, moved into `folder`; what went wrong when its name was swapped meanwhile."""
    try:
        inbox.set_aside(opened, folder, listed)
    except InvalidInput as err:
        return _about(listed.path, str(err))
    return None


def _about(path: Path, message: str) -> str:
    """A refusal that names its file once."""
    return message if message.startswith(str(path)) else f"{path}: {message}"
