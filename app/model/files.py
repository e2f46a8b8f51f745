"""Files the app writes and reads, so that nothing is ever lost.

A write goes to a temporary file in the target's folder, is flushed to the disk and then
renamed over the target: a failure at any point (a full disk, a read-only folder, a text that
cannot be encoded, Ctrl+C) leaves the old file as it was and no partial file beside it, and
says which path and why. A read takes at most a limit's worth of bytes, from regular files
only: a device or a pipe is refused at once, never read without end or waited on.
"""

import contextlib
import errno
import os
import secrets
import shutil
import stat
import sys
from collections.abc import Callable
from pathlib import Path

_BINARY = getattr(os, "O_BINARY", 0)
"""Bytes as they are on Windows, where a file opened without it translates line ends."""
MAX_NAME = 200
"""A temporary file's name keeps at most this much of its target's, within file systems' 255."""


class SaveError(OSError):
    """A file that was not written, and why; the file there before, if any, is unchanged."""

    def __str__(self):
        return self.args[0]


class NotAFile(ValueError):
    """A path that is a folder, a device or a pipe, where a file's bytes were wanted."""


class TooLarge(ValueError):
    """A file larger than what is read of it."""


def target_of(path, stream: bool = False) -> Path:
    """The file a write to `path` replaces (a symbolic link's target), after checking that it
    can be one: SaveError if it is a folder, read-only, the file this process's own output
    goes to, or in a folder that does not exist. A pipe or a device (`/dev/null`, a shell's
    `>(...)`) is refused too, unless `stream`: then it is written to as it is."""
    if str(path) == "":
        raise SaveError("no file name was given")
    try:
        status = os.stat(path)  # follows links: a link to a pipe is a pipe
    except FileNotFoundError:
        status = None
    except OSError as error:
        raise SaveError(f"{path}: cannot be written ({error.strerror or error})") from None
    if status is not None and not stat.S_ISREG(status.st_mode):
        if stat.S_ISDIR(status.st_mode):
            raise SaveError(f"{path}: is a folder, not a file name")
        if stream and (stat.S_ISFIFO(status.st_mode) or stat.S_ISCHR(status.st_mode)):
            return Path(path)
        raise SaveError(f"{path}: is not a regular file (a device or a pipe): choose a file name")
    target = Path(os.path.realpath(path))
    if status is not None:
        for output in (sys.stdout, sys.stderr):
            if _same_file(status, output):
                raise SaveError(f"{path}: is where this program's own output goes")
        if not os.access(target, os.W_OK):
            raise SaveError(f"{path}: is read-only")
    if not target.parent.is_dir():
        raise SaveError(f"{path}: the folder {target.parent} does not exist")
    return target


def is_stream(target: Path) -> bool:
    """A pipe or a device: written to as it is, never replaced."""
    try:
        return not stat.S_ISREG(os.stat(target).st_mode)
    except OSError:
        return False


def write_file(path, write: Callable, *, binary: bool = False, size: int | None = None, stream: bool = False) -> Path:
    """Write a file whole or not at all: `write(file)` fills a temporary file in the same
    folder, which then replaces `path` (text is UTF-8, newlines as written). `size`, if known,
    is checked against the room on the disk first. With `stream`, a pipe or a device is
    written to directly (see `target_of`). Returns the path written; SaveError says why
    nothing was."""
    target = target_of(path, stream)
    text = {} if binary else {"encoding": "utf-8", "newline": ""}
    if stream and is_stream(target):
        try:
            with open(target, "wb" if binary else "w", **text) as file:
                write(file)
        except (OSError, UnicodeError) as error:
            raise SaveError(f"could not write {path}: {_reason(error)}") from None
        return target
    existed = target.exists()
    kept = "the file there is unchanged" if existed else "nothing was written"
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode) if existed else None
        if size is not None and size > (free := shutil.disk_usage(target.parent).free):
            raise SaveError(f"could not write {path}: it needs {size:,} bytes and the disk has {free:,} free; {kept}")
        descriptor, temporary = _create_beside(target)
    except SaveError:
        raise
    except OSError as error:
        raise SaveError(f"could not write {path}: {_reason(error)}; {kept}") from None
    try:
        with os.fdopen(descriptor, "wb" if binary else "w", **text) as file:
            write(file)
            _flush_to_disk(file)
        if mode is not None:
            os.chmod(temporary, mode)  # the file keeps the permissions it had
        os.replace(temporary, target)
        temporary = None
        _sync_folder(target.parent)
    except (OSError, UnicodeError) as error:
        raise SaveError(f"could not write {path}: {_reason(error)}; {kept}") from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    return target


def write_bytes(path, data: bytes) -> Path:
    """`data` as the whole of the file at `path` (see `write_file`)."""
    return write_file(path, lambda file: file.write(data), binary=True, size=len(data))


def read_bounded(path, limit: int) -> bytes:
    """A regular file's bytes, reading at most `limit` + 1 of them. NotAFile for a device, a
    pipe or a folder (refused before any read, never waited on), TooLarge for a file over
    `limit`; OSError if it cannot be opened."""
    flags = os.O_RDONLY | _BINARY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    descriptor = os.open(path, flags)  # a pipe with no writer opens at once without blocking
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise NotAFile("is not a regular file (a folder, a device or a pipe)")
    with os.fdopen(descriptor, "rb") as file:
        data = file.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"is larger than {limit:,} bytes")
    return data


def _create_beside(target: Path) -> tuple[int, str]:
    """A new, empty, hidden file in `target`'s folder, created with the permissions a new file
    gets there (the umask applies)."""
    for _ in range(100):
        name = target.with_name(f".{target.name[:MAX_NAME]}.{secrets.token_hex(4)}.part")
        try:
            return os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, 0o666), str(name)
        except FileExistsError:
            continue
    raise OSError(errno.EEXIST, "no free name for a temporary file")


def _flush_to_disk(file) -> None:
    """The file's bytes on the disk, not only in the system's buffers: a full disk says so here."""
    file.flush()
    os.fsync(file.fileno())


def _reason(error: Exception) -> str:
    return error.strerror if isinstance(error, OSError) and error.strerror else str(error)


def _sync_folder(folder: Path) -> None:
    """The rename itself on the disk, where the platform allows it."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _same_file(status: os.stat_result, stream) -> bool:
    try:
        return os.path.samestat(status, os.fstat(stream.fileno()))
    except (AttributeError, OSError, ValueError):  # no such stream, or not a real file
        return False
