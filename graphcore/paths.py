"""How every file a learner names is read and written: as what it is.

Reading opens only a regular file and reads at most a limit (a device reports size 0 and
never ends; a FIFO blocks for ever). Writing replaces a regular file atomically beside
itself, writes *through* a symlink to its target (the link stays a link), and refuses a
directory, a FIFO or a device outright, so nothing that is not a learner's file is ever
read or replaced.
"""
from __future__ import annotations

import errno
import io
import os
import re
import stat
import tempfile
import time
from pathlib import Path

from .errors import GraphError, short_path


class PathError(GraphError, OSError):
    """A path that cannot be read or written as a file; the message is one line naming it.
    An OSError too, so callers that catch a failed write catch this refusal."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _not_regular(path, mode: int) -> PathError:
    kind = _kind(mode)
    detail = kind if kind.startswith("not ") else f"it is {kind}, not a file"
    return PathError(f"{short_path(path)}: {detail}")


class _Bounded(io.RawIOBase):
    """A regular file's descriptor that refuses to read past ``limit`` bytes (a file may report
    size 0, as /proc files do, or grow while it is read)."""

    def __init__(self, fd: int, path: Path, limit: int, what: str):
        self._fd, self._path, self._limit, self._what, self._total = fd, path, limit, what, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        want = min(len(buf), self._limit + 1 - self._total)
        try:
            chunk = os.read(self._fd, want)
        except OSError as exc:
            raise PathError(f"cannot read {short_path(self._path)}: {exc.strerror or exc}") from None
        self._total += len(chunk)
        if self._total > self._limit:
            raise PathError(f"{short_path(self._path.name)}: {self._what} is too large "
                            f"(more than {self._limit} bytes)")
        buf[:len(chunk)] = chunk
        return len(chunk)

    def close(self):
        if not self.closed:
            os.close(self._fd)
        super().close()


def open_regular(path: str | os.PathLike, limit: int, what: str = "file") -> io.BufferedReader:
    """A regular file opened for reading at most ``limit`` bytes; PathError for anything else
    (a FIFO, a device, a folder, an empty name), before anything is read."""
    if str(path) == "":
        raise PathError(f"no {what} name given (an empty path)")
    path = Path(path)
    try:
        mode = os.stat(path).st_mode  # opening a device can itself do something: look first
        if not stat.S_ISREG(mode):
            raise _not_regular(path, mode)
        # O_NONBLOCK: should a FIFO appear there after the look, opening it must not wait for a
        # writer; fstat below refuses it then.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except PathError:
        raise
    except OSError as exc:
        raise PathError(f"cannot read {short_path(path)}: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _not_regular(path, st.st_mode)
        if st.st_size > limit:
            raise PathError(f"{short_path(path.name)}: {what} is too large ({st.st_size} bytes; the limit is {limit})")
    except BaseException:
        os.close(fd)
        raise
    return io.BufferedReader(_Bounded(fd, path, limit, what), buffer_size=1 << 20)


def read_bytes(path: str | os.PathLike, limit: int, what: str = "file") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; PathError for anything else."""
    with open_regular(path, limit, what) as fh:
        return fh.read()


def write_target(path: str | os.PathLike) -> Path:
    """The regular file a write to ``path`` must replace: the path itself, or a symlink's
    final target. Refuses an empty name, a folder, a FIFO, a device, a missing folder."""
    if str(path) == "":
        raise PathError("no output file name given (an empty path)")
    path = Path(path)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        st = os.stat(target)
    except FileNotFoundError:
        folder = target.parent
        if not folder.is_dir():
            raise PathError(f"cannot write {short_path(path)}: "
                            f"the folder {short_path(folder)} does not exist") from None
        return target
    except OSError as exc:
        raise PathError(f"cannot write {short_path(path)}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise _not_regular(path, st.st_mode)
    return target


def cannot_create(exc: OSError) -> bool:
    """The folder refuses a new file (read-only folder, sticky or immutable directory)."""
    return exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS)


def write_failure(path, exc: OSError) -> str:
    """One line for a failed write: a PathError already names the path and the reason."""
    return str(exc) if isinstance(exc, PathError) else f"cannot write {short_path(path)}: {exc.strerror or exc}"


STALE_SECONDS = 60  # a temporary file this old beside its target was left by a killed save


def atomic_write(path: str | os.PathLike, text: str | bytes):
    """Write to a temporary file beside the target, flush it to disk, then rename over
    it: a crash or a full disk mid-save leaves the old file whole. The target is ``path``
    or, for a symlink, the file it points to (the link stays); a folder, a FIFO or a
    device is refused (``PathError``), never replaced. The file keeps the old
    file's permission bits (a new one gets 0o666 less the umask, as ``open`` would give
    it), and temporary files a killed save left beside it are swept up."""
    target = write_target(path)
    folder = target.parent
    mode = _mode_for(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        if cannot_create(exc):
            # Name the folder, not mkstemp's hidden temporary name.
            err = PathError(f"cannot write {path}: the folder {folder} does not allow new files "
                                  f"(a save writes a new file beside the old one); save somewhere else")
            err.errno = exc.errno
            raise err from None
        raise
    try:
        if hasattr(os, "fchmod"):  # mkstemp makes 0600
            os.fchmod(fd, mode)
        binary = isinstance(text, bytes)  # an image export
        with os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError) and not isinstance(exc, PathError):
            err = PathError(f"cannot write {path}: {exc.strerror or exc}")  # one line naming the file
            err.errno = exc.errno
            raise err from exc
        raise
    _sweep_stale(folder, target.name)


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask, read without changing it where the system says it (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _sweep_stale(folder: Path, name: str):
    """Remove ``.NAME.XXXXXXXX.tmp`` files (mkstemp's pattern for this very file) older
    than STALE_SECONDS: what a save killed before its rename left behind. Nothing else."""
    pattern = re.compile(re.escape(f".{name}.") + r"[a-z0-9_]{8}\.tmp")
    cutoff = time.time() - STALE_SECONDS
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not pattern.fullmatch(entry.name):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(st.st_mode) and st.st_mtime < cutoff:
                os.unlink(entry.path)
        except OSError:
            pass  # gone already, or not ours to remove
