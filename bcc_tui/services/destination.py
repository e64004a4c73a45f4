"""Where a command may write a file, and how (issue 12): never over anything, never through a link.

Every command that writes a file (`backup`, `outbound export`, `restore`) goes through
`new_file()`: the destination must not exist in any form (a file, a symlink — even a dangling
one —, a device, a folder for a file name, the live database's own files); the content is written
to a private temporary file beside it (0600, created with O_EXCL|O_NOFOLLOW) and linked into place
only when complete and synced, so a file that appeared meanwhile is refused rather than replaced.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import secrets
import stat
import time
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
    if any(is_live_file(final, db) for db in protect):
        raise InvalidInput(f"{path} hör till den levande databasen och skrivs aldrig över")
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return path
    raise InvalidInput(
        f"{path} är {_kind(st.st_mode)}; bcc-tui skriver aldrig över något (välj ett nytt namn)"
    )


def is_live_file(path: str | os.PathLike, db: str | os.PathLike) -> bool:
    """Whether `path` is the database `db` or one of its -wal, -shm or -journal files."""
    live = Path(os.path.realpath(db))
    return Path(os.path.realpath(path)) in {live.with_name(live.name + s) for s in _DB_SUFFIXES}


@contextmanager
def new_file(
    dest: str | os.PathLike, *, name_in_folder: str | None = None, protect: Iterable[str | os.PathLike] = ()
) -> Iterator[NewFile]:
    """Check DEST (see `target`), hand out a private temporary file beside it, and put it in
    place when the block ends without an error; on an error nothing is left behind."""
    path = target(dest, name_in_folder=name_in_folder, protect=protect)
    folder = path.parent
    sweep(folder)
    tmp = folder / f".bcc-{secrets.token_hex(8)}.tmp"  # hidden, and short whatever the name
    claim = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        os.fchmod(claim, 0o600)  # whatever the umask, a copy of patients' data is private
        # Held until the file is placed or gone: a sweep (below) of a later command leaves a
        # temporary file alone while its writer lives.
        fcntl.flock(claim, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BaseException:
        os.close(claim)
        raise
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
        _remove(tmp)
        os.close(claim)
    sync_folder(folder)


# A temporary file of new_file's, and the age at which one nobody holds is a dead run's.
_TEMPORARY = re.compile(r"\.bcc-[0-9a-f]{16}\.tmp")
STALE_AFTER = 60.0  # seconds


def sweep(folder: Path) -> None:
    """Remove what a killed `backup`, `migrate --backup` or export left in `folder`: a full copy of
    the database under a hidden name (an attacker's trial: three kills, about 1 GB of patients'
    data, never removed). One is a dead run's when it is older than STALE_AFTER and no process
    holds its lock; a live writer holds it from the moment it is made."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    now = time.time()
    for name in names:
        if not _TEMPORARY.fullmatch(name):
            continue
        tmp = folder / name
        try:
            fd = os.open(tmp, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid() or now - st.st_mtime < STALE_AFTER:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # a writer holds it
            _remove(tmp)
        finally:
            os.close(fd)


def _remove(tmp: Path) -> None:
    for leftover in (tmp, *(Path(f"{tmp}{s}") for s in _DB_SUFFIXES[1:])):
        try:
            os.unlink(leftover)
        except FileNotFoundError:
            pass


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
