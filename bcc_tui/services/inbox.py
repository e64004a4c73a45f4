"""Reading an import's input, and the intake job's files (issue 28): only what was listed, only
regular files, never more than the caps.

A file is looked at with `lstat` (a symlink, a device, a FIFO, a socket or a folder is refused
before it is opened), then opened with O_NOFOLLOW (a symlink swapped in meanwhile is not followed)
and O_NONBLOCK (a FIFO swapped in cannot hang the open), and `fstat` must show the same regular
file (st_dev, st_ino) that was looked at or listed. Everything after that — the read, the copy of
an over-long rejected line, setting the file aside — goes through that descriptor, so a name
that changes hands between two steps never makes the intake read, copy or move another file.

Reading is bounded: a file larger than the file cap is refused before a byte is read (stdin,
whose size is not known, when it passes the cap), and a line longer than the line cap is counted
and dropped as it is read, then reported as a rejected line. The lines are held until the input
has been read to its end, so that a refusal of the whole input changes nothing: at most about the
file cap in memory.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from sqlite3 import Connection

from bcc_tui.domain.errors import InvalidInput, os_reason
from bcc_tui.domain.jsonl import KB, MB, LineSplitter, TooLong, size_text
from bcc_tui.services.context import Ctx, require
from bcc_tui.store import audit, ledger
from bcc_tui.store import staff as staff_q

CHUNK = 64 * KB  # what one read asks for: the memory a line past the cap costs

# -- the caps: a setting ----------------------------------------------------------------------------
LIMITS_KEY = "intake_limits"
FILE_MB = range(1, 1025)  # what an administrator may set, in MB (binary: 1 MB = 1,048,576 byte)
LINE_KB = range(1, 100 * 1024 + 1)


@dataclass(frozen=True)
class Limits:
    file_bytes: int = 100 * MB
    line_bytes: int = 1 * MB

    def describe(self) -> str:
        return f"en fil högst {size_text(self.file_bytes)}, en rad högst {size_text(self.line_bytes)}"


def limits(conn: Connection) -> Limits:
    raw = staff_q.get_setting(conn, LIMITS_KEY)
    default = Limits()
    if not isinstance(raw, dict):
        return default
    file_bytes, line_bytes = raw.get("file_bytes"), raw.get("line_bytes")
    return Limits(
        file_bytes if isinstance(file_bytes, int) and file_bytes > 0 else default.file_bytes,
        line_bytes if isinstance(line_bytes, int) and line_bytes > 0 else default.line_bytes,
    )


def limits_now(ctx: Ctx) -> Limits:
    with ctx.store.read() as conn:
        return limits(conn)


def checked_limits(old: Limits, file_mb: int | None, line_kb: int | None) -> Limits:
    """The caps as asked for, checked against each other and what is stored."""
    if file_mb is not None and file_mb not in FILE_MB:
        raise InvalidInput(f"--import-max-file ska vara {FILE_MB.start}–{FILE_MB.stop - 1} MB")
    if line_kb is not None and line_kb not in LINE_KB:
        raise InvalidInput(f"--import-max-line ska vara {LINE_KB.start}–{LINE_KB.stop - 1} kB")
    new = Limits(
        file_mb * MB if file_mb is not None else old.file_bytes,
        line_kb * KB if line_kb is not None else old.line_bytes,
    )
    if new.line_bytes > new.file_bytes:
        raise InvalidInput(
            f"en rad ({size_text(new.line_bytes)}) kan inte få vara större än en fil ({size_text(new.file_bytes)})"
        )
    return new


def check_limits(ctx: Ctx, file_mb: int | None, line_kb: int | None) -> None:
    with ctx.store.read() as conn:
        checked_limits(limits(conn), file_mb, line_kb)


def set_limits(ctx: Ctx, *, file_mb: int | None = None, line_kb: int | None = None) -> Limits:
    """Change the caps on what an import reads (in MB for a file, kB for a line)."""
    require(ctx, "admin_change", what="ändra gränserna för inläsning")
    with ctx.change("admin_change") as conn:
        old = limits(conn)
        new = checked_limits(old, file_mb, line_kb)
        if new == old and staff_q.get_setting(conn, LIMITS_KEY) is not None:
            return old  # nothing changes: nothing to audit
        text = staff_q.set_setting(
            conn, LIMITS_KEY, {"file_bytes": new.file_bytes, "line_bytes": new.line_bytes}
        )
        audit.append(
            conn,
            [
                ctx.entry(
                    "admin_change",
                    detail=f"gränser för inläsning: {new.describe()}",
                    data=ledger.setting_change(LIMITS_KEY, text),
                )
            ],
        )
    return new


# -- one input, read within the caps ----------------------------------------------------------------
@dataclass
class Input:
    """An input read to its end: its lines (an over-long one as `TooLong`), and for a file the
    descriptor it was read through, kept open for the intake job's copy and move."""

    name: str  # as messages name it
    lines: list[bytes | TooLong]
    fd: int | None = None
    identity: tuple[int, int] | None = None  # (st_dev, st_ino) of the file read
    size: int = 0  # at the open

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> Input:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def raw(self, number: int) -> Iterator[bytes]:
        """Line `number` as it is in the input, without its newline, in chunks: an over-long line is
        read again from the file (never from its name), a chunk at a time."""
        if not 0 < number <= len(self.lines):
            return
        line = self.lines[number - 1]
        if isinstance(line, bytes):
            yield line.rstrip(b"\r")
            return
        if self.fd is None:
            return  # stdin cannot be read again
        at, end = line.offset, line.offset + line.size
        while at < end:
            chunk = os.pread(self.fd, min(CHUNK, end - at), at)
            if not chunk:
                return
            at += len(chunk)
            yield chunk[: len(chunk) - 1] if at == end and chunk.endswith(b"\r") else chunk

    def copy_of(self, numbers: Iterable[int]) -> Iterator[bytes]:
        """These lines as they are in the input, each with a newline, in chunks."""
        for number in numbers:
            yield from self.raw(number)
            yield b"\n"

    def content(self) -> Iterator[bytes]:
        """The whole file as it was opened, in chunks, through the descriptor."""
        if self.fd is None:
            return
        at = 0
        while chunk := os.pread(self.fd, CHUNK, at):
            at += len(chunk)
            yield chunk


def _kind(mode: int) -> str | None:
    """What a file that is not a regular file is, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "en symbolisk länk"
    if stat.S_ISDIR(mode):
        return "en mapp"
    if stat.S_ISFIFO(mode):
        return "en namngiven pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "ett uttag (socket)"
    return "en enhet"


def _not_regular(name: str, what: str) -> InvalidInput:
    return InvalidInput(f"{name} är {what}, ingen vanlig fil; bara vanliga filer läses in")


def _unreadable(name: str, err: OSError, gone_is_swapped: bool) -> InvalidInput:
    if isinstance(err, FileNotFoundError):
        return _swapped(name, "borta") if gone_is_swapped else InvalidInput(f"filen {name} finns inte")
    if isinstance(err, PermissionError):
        return InvalidInput(f"filen {name} får inte läsas")
    return InvalidInput(f"kan inte läsa {name}: {os_reason(err, 'ogiltigt filnamn')}")


def _swapped(name: str, now: str | None = None) -> InvalidInput:
    return InvalidInput(
        f"{name} byttes ut under inläsningen" + (f" (är nu {now})" if now else "") + "; den lämnas orörd"
    )


def claim(opened: Input, path: Path) -> bool:
    """The file opened is this process's alone while it is read, imported and moved: another
    intake job at the same moment (cron's next minute over a slow run) leaves it, rather than
    archiving it a second time (three jobs at once left each file three times in done/). False
    when another job holds it, or has moved it away meanwhile."""
    if opened.fd is None:
        return False
    try:
        fcntl.flock(opened.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released when the file is closed
    except BlockingIOError:
        return False
    try:
        now = os.lstat(path)
    except FileNotFoundError:
        return False
    return (now.st_dev, now.st_ino) == opened.identity


def open_file(path: str | os.PathLike, listed: os.stat_result | None = None) -> Input:
    """A file opened for reading, nothing read yet: the file listed (`listed`, the listing's lstat)
    or, for a file named alone, the file its name showed a moment before."""
    name = os.fspath(path)
    try:
        before = os.lstat(path)
    except OSError as err:
        raise _unreadable(name, err, listed is not None) from None
    except ValueError:  # a NUL byte in the name
        raise InvalidInput(f"kan inte läsa {name}: ogiltigt filnamn") from None
    what = _kind(before.st_mode)
    if listed is not None and (before.st_dev, before.st_ino) != (listed.st_dev, listed.st_ino):
        raise _swapped(name, what)
    if what is not None:
        raise _not_regular(name, what)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as err:
        if err.errno == errno.ELOOP:  # a symlink swapped in after the lstat
            raise _swapped(name, "en symbolisk länk") from None
        if err.errno == errno.ENXIO:  # a socket swapped in
            raise _swapped(name, "ett uttag (socket)") from None
        raise _unreadable(name, err, True) from None
    opened = Input(name, [], fd)
    try:
        st = os.fstat(fd)
        what = _kind(st.st_mode)
        if (st.st_dev, st.st_ino) != (before.st_dev, before.st_ino):
            raise _swapped(name, what)
        if what is not None:
            raise _not_regular(name, what)
        # Blocking again: O_NONBLOCK was only for the open (a regular file never blocks anyway).
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
    except OSError as err:
        opened.close()
        raise InvalidInput(f"kan inte läsa {name}: {os_reason(err)}") from None
    except BaseException:
        opened.close()
        raise
    opened.identity = (st.st_dev, st.st_ino)
    opened.size = st.st_size
    return opened


def read(opened: Input, lim: Limits) -> Input:
    """The opened file's lines, read through its descriptor; a file over the cap is refused before
    a byte is read. The descriptor stays open either way (the caller closes it)."""
    fd = opened.fd
    assert fd is not None
    if opened.size > lim.file_bytes:
        raise too_large(opened.name, lim)
    try:
        opened.lines = read_lines(lambda n: os.read(fd, n), opened.name, lim)
    except OSError as err:
        raise InvalidInput(f"kan inte läsa {opened.name}: {os_reason(err)}") from None
    return opened


def read_file(path: str | os.PathLike, lim: Limits) -> Input:
    """A file named alone, opened and read within the caps (the caller closes it)."""
    opened = open_file(path)
    try:
        return read(opened, lim)
    except BaseException:
        opened.close()
        raise


# Lines in one input, whatever their size. 100 MB of "{}" is 33 million lines, each an object held
# while it is read, checked and refused: 1.9 GB before stdin's size cap refused it, 5 GB for a
# 60 MB file read to its end (an attacker's trial). A year of a clinic's 1177 errands is some
# tens of thousands; an archive of years, some hundreds of thousands.
MAX_LINES = 1_000_000


def too_many(name: str) -> InvalidInput:
    return InvalidInput(
        f"{name} har fler än {f'{MAX_LINES:_}'.replace('_', ' ')} rader, gränsen för en fil; inget lästes in",
        cli_hint="dela filen",
    )


def too_large(name: str, lim: Limits) -> InvalidInput:
    return InvalidInput(
        f"{name} är större än {size_text(lim.file_bytes)}, gränsen för en fil; inget lästes in",
        cli_hint="dela filen, eller be administratören ändra gränsen (settings --import-max-file)",
    )


def read_lines(read: Callable[[int], bytes], name: str, lim: Limits) -> list[bytes | TooLong]:
    """Everything `read` gives, as lines, refused as a whole past the file cap."""
    splitter = LineSplitter(lim.line_bytes)
    lines: list[bytes | TooLong] = []
    total = 0
    while chunk := read(CHUNK):
        total += len(chunk)
        if total > lim.file_bytes:
            raise too_large(name, lim)
        lines += splitter.feed(chunk)
        if len(lines) > MAX_LINES:
            raise too_many(name)
    lines += splitter.end()
    if len(lines) > MAX_LINES:
        raise too_many(name)
    return lines


def read_stream(read: Callable[[int], bytes], name: str, lim: Limits) -> Input:
    """Standard input (or any stream) within the same caps as a file."""
    try:
        return Input(name, read_lines(read, name, lim))
    except OSError as err:
        raise InvalidInput(f"kan inte läsa {name}: {os_reason(err, 'ingen indata')}") from None


def joined(opened: Input) -> bytes:
    """The lines as one piece again, for the imports that parse their input whole (read with a
    line cap as large as the file cap, so no line was dropped)."""
    return b"\n".join(line for line in opened.lines if isinstance(line, bytes))


def whole(lim: Limits) -> Limits:
    """The caps of an input parsed whole: the file cap for every line too."""
    return Limits(lim.file_bytes, lim.file_bytes)


# -- the intake job's folder -------------------------------------------------------------------------
@dataclass(frozen=True)
class Listed:
    path: Path
    st: os.stat_result  # lstat at listing: what is read must be this file


def listing(folder: Path) -> list[Listed]:
    """The regular `*.jsonl` files of the inbox, as they are now (a sender writes under another name,
    or a dot name, and renames when the file is complete)."""
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(".") or not entry.name.endswith(".jsonl"):
                continue
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(st.st_mode):
                found.append(Listed(Path(entry.path), st))
    return sorted(found, key=lambda x: x.path)


def _free_name(folder: Path, name: str) -> Path:
    candidate, n = folder / name, 1
    while os.path.lexists(candidate):
        candidate, n = folder / f"{name}.{n}", n + 1
    return candidate


def _folder(folder: Path) -> None:
    """The folder, made if missing; a symlink or a file in its place is refused."""
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    except OSError as err:
        raise InvalidInput(f"mappen {folder} kan inte skapas: {os_reason(err)}") from None
    folder_to_write(folder)


def folder_to_write(folder: Path, *, may_be_missing: bool = False) -> None:
    """A folder files will be written into, looked at before anything is read (the intake job):
    a symlink, a file, or one this process cannot write in, is refused with its name."""
    try:
        st = os.lstat(folder)
    except FileNotFoundError:
        if may_be_missing:
            return
        raise InvalidInput(f"mappen {folder} finns inte (skapa den först)") from None
    if not stat.S_ISDIR(st.st_mode):
        raise InvalidInput(f"{folder} är {_kind(st.st_mode) or 'en fil'}, ingen mapp")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InvalidInput(f"mappen {folder} går inte att skriva i")


def write_new(folder: Path, name: str, chunks: Iterator[bytes] | list[bytes]) -> Path:
    """A new file in `folder` (never over anything, never through a link), synced."""
    _folder(folder)
    while True:
        target = _free_name(folder, name)
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        return target


def set_aside(opened: Input, folder: Path, listed: Listed) -> Path:
    """Move the file that was read into `folder`, by its descriptor: a new name for the opened
    file itself (a hard link through /proc/self/fd, or a copy read through the descriptor on
    another file system), then the inbox's name removed only if it still names that file. A name
    that now names something else is left alone, and refused (the file that was read is kept in
    `folder` all the same: it was read in)."""
    assert opened.fd is not None and opened.identity is not None
    path = listed.path
    _folder(folder)
    target = _link_new(opened.fd, folder, path.name)
    if target is None:  # no /proc, another file system, a file already gone: a copy of what was read
        target = write_new(folder, path.name, opened.content())
    # The inbox's name is first taken aside under a dot name (never listed): if it names another
    # file by then, that file is put back, so nothing the intake did not read is removed.
    staged = path.with_name(f".bcc-intake-{os.getpid()}-{path.name}")
    try:
        os.rename(path, staged)
    except FileNotFoundError:
        return target  # already gone: nothing of ours left in the inbox
    if _identity(staged) == opened.identity:
        os.unlink(staged)
        return target
    try:
        os.link(staged, path, follow_symlinks=False)  # back under its name, never over a newer one
        os.unlink(staged)
    except OSError:
        if not os.path.lexists(path):  # a folder cannot be linked: renamed back while the name is free
            os.rename(staged, path)
    raise _swapped(str(path))


def _link_new(fd: int, folder: Path, name: str) -> Path | None:
    """A new name in `folder` for the open file itself (linkat of /proc/self/fd/N with
    AT_SYMLINK_FOLLOW, which Python asks for only when given a directory descriptor), or None
    where that cannot be done."""
    try:
        dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        while True:
            target = _free_name(folder, name)
            try:
                os.link(f"/proc/self/fd/{fd}", target.name, dst_dir_fd=dir_fd, follow_symlinks=True)
            except FileExistsError:
                continue
            except OSError:
                return None
            return target
    finally:
        os.close(dir_fd)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)
