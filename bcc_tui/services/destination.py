"""Where a command may write a file, and how (issue 12): never over anything, never through a link.

Every command that writes a file (`backup`, `outbound export`, `restore`) goes through
`new_file()`: the destination must not exist in any form (a file, a symlink — even a dangling
one —, a device, a folder for a file name, the live database's own files); the content is written
to a private temporary file beside it (0600, created with O_EXCL|O_NOFOLLOW) and linked into place
only when complete and synced, so a file that appeared meanwhile is refused rather than replaced.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bcc_tui.domain.errors import InvalidInput

# The live database's companions: SQLite replays a hot journal or a WAL it finds beside the file.
_DB_SUFFIXES = ("", "-wal", "-shm", "-journal")


@dataclass(frozen=True)
class NewFile:
    path: Path  # where the file will be once complete
    tmp: Path  # the private temporary file to fill; gone once the block ends


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "en symbolisk länk"
    if stat.S_ISDIR(mode):
        return "en mapp"
    if stat.S_ISREG(mode):
        return "en befintlig fil"
    return "en specialfil (enhet, rör eller uttag)"


def target(
    dest: str | os.PathLike, *, name_in_folder: str | None = None, protect: Iterable[str | os.PathLike] = ()
) -> Path:
    """The file a command would create for DEST, or a refusal naming what is wrong.

    An existing folder gets `name_in_folder` inside it when the command names its files itself
    (backup); `DIR/` whose folder is missing is refused instead of becoming a file named DIR.
    `protect` names databases whose files must never be a destination.
    """
    text = os.fspath(dest)
    if not text or "\0" in text:
        raise InvalidInput("målet saknar namn")
    path = Path(text)
    wants_folder = text.endswith(os.sep) or (os.altsep is not None and text.endswith(os.altsep))
    if wants_folder or os.path.isdir(path):  # a link to a folder is a folder: nothing is replaced
        if not os.path.isdir(path):
            raise InvalidInput(
                f"{text} är ingen mapp" if os.path.lexists(path) else f"mappen {text} finns inte"
            )
        if name_in_folder is None:
            raise InvalidInput(f"{text} är en mapp; ange ett filnamn")
        path = path / name_in_folder
    folder = path.parent
    if not folder.is_dir():
        raise InvalidInput(f"mappen {folder} finns inte")
    final = Path(os.path.realpath(folder)) / path.name
    for db in protect:
        live = Path(os.path.realpath(db))
        if final in {live.with_name(live.name + s) for s in _DB_SUFFIXES}:
            raise InvalidInput(f"{path} hör till den levande databasen och skrivs aldrig över")
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return path
    raise InvalidInput(
        f"{path} är {_kind(st.st_mode)}; bcc-tui skriver aldrig över något (välj ett nytt namn)"
    )


@contextmanager
def new_file(
    dest: str | os.PathLike, *, name_in_folder: str | None = None, protect: Iterable[str | os.PathLike] = ()
) -> Iterator[NewFile]:
    """Check DEST (see `target`), hand out a private temporary file beside it, and put it in
    place when the block ends without an error; on an error nothing is left behind."""
    path = target(dest, name_in_folder=name_in_folder, protect=protect)
    folder = path.parent
    tmp = folder / f".bcc-{secrets.token_hex(8)}.tmp"  # hidden, and short whatever the name
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # whatever the umask, a copy of patients' data is private
    finally:
        os.close(fd)
    try:
        yield NewFile(path, tmp)
        fd = os.open(tmp, os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)
        try:
            os.fchmod(fd, 0o600)  # a writer (SQLite) may have replaced the mode bits
            os.fsync(fd)
        finally:
            os.close(fd)
        place(tmp, path)
    finally:
        for leftover in (tmp, *(Path(f"{tmp}{s}") for s in _DB_SUFFIXES[1:])):
            try:
                os.unlink(leftover)
            except FileNotFoundError:
                pass
    sync_folder(folder)


def place(tmp: Path, path: Path) -> None:
    """Give the complete file its name without replacing anything that appeared meanwhile:
    link(2) fails when the name exists, where rename(2) would silently replace it."""
    try:
        os.link(tmp, path, follow_symlinks=False)
        return
    except FileExistsError:
        raise InvalidInput(
            f"{path} finns redan; bcc-tui skriver aldrig över något (välj ett nytt namn)"
        ) from None
    except OSError as err:
        if err.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
    # A file system without hard links: check once more, then rename (a small window remains).
    if os.path.lexists(path):
        raise InvalidInput(f"{path} finns redan; bcc-tui skriver aldrig över något (välj ett nytt namn)")
    os.rename(tmp, path)


def sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def prune(
    folder: str | os.PathLike, pattern: re.Pattern, keep: int, spare: str | None = None, magic: bytes = b""
) -> list[Path]:
    """Remove all but the `keep` newest files in FOLDER whose names match PATTERN (names that
    sort by time) and whose content begins with `magic` (what the program itself writes there);
    links, folders and every other file are never touched, nor `spare` (the file just written,
    even when a clock set back gave it an older name)."""
    folder = Path(folder)
    ours = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if (
                pattern.fullmatch(entry.name)
                and entry.is_file(follow_symlinks=False)
                and _begins(entry.path, magic)
            ):
                ours.append(entry.name)
    ours.sort(reverse=True)
    kept = [spare] if spare in ours else []
    kept += [name for name in ours if name != spare][: max(keep - len(kept), 0)]
    gone = []
    for name in ours:
        if name in kept:
            continue
        try:
            os.unlink(folder / name)
        except FileNotFoundError:
            continue
        gone.append(folder / name)
    if gone:
        sync_folder(folder)
    return gone


def _begins(path: str, magic: bytes) -> bool:
    if not magic:
        return True
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        return os.read(fd, len(magic)) == magic
    finally:
        os.close(fd)
