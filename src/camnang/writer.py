"""Every file camnang writes goes through here (like pelican/writers.py).

A file is written whole or not at all: the bytes go to a temporary file
next to the target, are flushed to disk (``fsync``), and only then renamed
over the target (``rename(2)`` is atomic within a folder). A reader never
sees half a file; a failure (disk full, read-only folder, no permission,
a file where a folder should be, the process killed) leaves the old file
as it was and no temporary file behind.

File-system errors become a ``WriteError`` with one Vietnamese line that
names the path and says what to do (``problem_for``); the front ends print
it and exit 1 instead of a Python traceback. MkDocs writes the site pages
itself: ``camnang.sitebuild`` builds them into a separate folder and turns
its ``OSError`` into the same line (``problem_for``).
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Callable, Iterator

from .errors import CamnangError, Problem, display_path


before_write: "Callable[[], bool] | None" = None
"""Asked before a file is put into place; False stops the process there
(a worker whose build died, see ``camnang.workers``: it must not write
after the build lock is released)."""


def may_write(tmp: str | None = None) -> None:
    """Exit at once, removing ``tmp``, when ``before_write`` says no."""
    if before_write is not None and not before_write():
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        os._exit(1)


class WriteError(CamnangError):
    """The file system refused a write (or a read of camnang's own files)."""


_FULL = (
    "ổ đĩa đã đầy",
    "xóa bớt tệp trên ổ đĩa này, ví dụ thư mục .cache/camnang, hoặc ghi sang ổ khác, rồi chạy lại",
)
_READ_ONLY = (
    "ổ đĩa hoặc thư mục này chỉ cho đọc, không ghi được",
    "chọn thư mục khác với --out, hoặc gắn lại ổ đĩa cho phép ghi, rồi chạy lại",
)
_DENIED = (
    "không có quyền ghi vào đây",
    "cấp quyền ghi cho tài khoản đang chạy lệnh bằng chmod hoặc chown, hoặc chọn thư mục khác, rồi chạy lại",
)
_NOT_DIR = (
    "đây là một tệp, nhưng cần một thư mục ở chỗ này",
    "đổi tên hoặc xóa tệp đó, hoặc chọn thư mục khác, rồi chạy lại",
)
_IS_DIR = (
    "đây là một thư mục, nhưng cần ghi một tệp ở chỗ này",
    "đổi tên hoặc xóa thư mục đó, rồi chạy lại",
)
ADVICE = {
    errno.ENOSPC: _FULL,
    errno.EDQUOT: ("đã hết dung lượng được phép dùng trên ổ đĩa (quota)", _FULL[1]),
    errno.EFBIG: ("tệp quá lớn cho ổ đĩa này", "ghi sang ổ khác, rồi chạy lại"),
    errno.EROFS: _READ_ONLY,
    errno.EACCES: _DENIED,
    errno.EPERM: _DENIED,
    errno.ENOTDIR: _NOT_DIR,
    errno.EEXIST: _NOT_DIR,
    errno.EISDIR: _IS_DIR,
    errno.ENAMETOOLONG: ("tên tệp hoặc đường dẫn quá dài", "chọn thư mục có đường dẫn ngắn hơn"),
    errno.EMFILE: ("mở quá nhiều tệp cùng lúc", "chạy lại với ít tiến trình hơn, ví dụ --jobs 1"),
    errno.EIO: ("ổ đĩa báo lỗi đọc/ghi", "kiểm tra ổ đĩa, có thể đã hỏng hoặc bị rút ra, rồi chạy lại"),
}


def _culprit(path: Path) -> Path:
    """The first component of ``path`` that exists but is not a folder
    (for "not a directory" errors), else ``path``."""
    path = Path(os.path.abspath(path))
    for part in reversed((path, *path.parents)):
        if part.exists() and not part.is_dir():
            return part
        if not part.exists():
            break
    return path


def problem_for(error: OSError, path: Path | str | None = None) -> Problem:
    """One line for a failed read or write: the path, what went wrong and
    what to do. ``path``: the file meant (not a temporary name)."""
    where = Path(path) if path is not None else Path(error.filename) if error.filename else None
    message, hint = ADVICE.get(error.errno, (None, None))
    if error.errno in (errno.ENOTDIR, errno.EEXIST) and where is not None:
        where = _culprit(where)
    if message is None:
        message = f"lỗi hệ thống tệp: {error.strerror or error}"
        hint = "kiểm tra thư mục này rồi chạy lại"
    shown = display_path(where) if where is not None else "camnang"
    return Problem(path=shown, message=f"không ghi được: {message}", hint=hint)


def error_for(error: OSError, path: Path | str | None = None) -> WriteError:
    return WriteError(problem_for(error, path))


def ensure_dir(folder: Path) -> None:
    """``folder`` and its parents exist (``WriteError`` otherwise)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError as e:  # a file has the folder's name
        raise error_for(OSError(errno.ENOTDIR, e.strerror, str(folder)), folder) from e
    except OSError as e:
        raise error_for(e, folder) from e


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every file system
    lets a folder be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` whole or not at all (see the module).

    ``durable=False`` skips the fsyncs, for files inside a site folder that
    is itself swapped in whole only after the build (sitebuild): many small
    files, no need for each to reach the disk on its own."""
    path = Path(path)
    ensure_dir(path.parent)
    if path.is_dir() and not path.is_symlink():
        raise error_for(OSError(errno.EISDIR, "Is a directory", str(path)), path)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        may_write(tmp)
        os.replace(tmp, path)
        tmp = None
    except OSError as e:
        raise error_for(e, path) from e
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    if durable:
        _fsync_dir(path.parent)


CHUNK = 1 << 20
"""Bytes read or compared at a time by ``streaming`` (1 MiB)."""


class Streamed:
    """What ``streaming`` writes: the open file while the block runs; then
    its size, SHA-256 and whether the file in place was replaced."""

    file: IO[bytes]
    size: int = 0
    sha256: str = ""
    written: bool = False

    def finish(self) -> None:
        """Size and SHA-256 of ``file`` (read back a chunk at a time)."""
        import hashlib

        self.file.flush()
        self.file.seek(0)
        h = hashlib.sha256()
        while chunk := self.file.read(CHUNK):
            h.update(chunk)
        self.size, self.sha256 = self.file.tell(), h.hexdigest()


def same_stream(ours: IO[bytes], theirs: IO[bytes]) -> bool:
    """Whether two open files hold the same bytes (a chunk at a time)."""
    ours.seek(0)
    while True:
        a, b = ours.read(CHUNK), theirs.read(CHUNK)
        if a != b:
            return False
        if not a:
            return True


@contextmanager
def streaming(path: Path) -> Iterator[Streamed]:
    """A seekable temporary file beside ``path`` to write piece by piece
    (a ZIP, a long CSV: never held whole in memory), put in place whole
    (``os.replace``, ``before_write`` asked) when the block ends without
    error, unless ``path`` already holds the same bytes: then it is left
    alone, time stamp and all. Removed on an error; one a killed writer
    left is ``.<name>.<random>.tmp``."""
    path = Path(path)
    ensure_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    streamed = Streamed()
    try:
        with os.fdopen(fd, "w+b") as f:
            streamed.file = f
            yield streamed
            streamed.finish()
            os.fsync(f.fileno())
            if _holds(path, f, streamed.size):
                return
        os.chmod(tmp, 0o644)
        may_write(tmp)
        os.replace(tmp, path)
        tmp = None
        _fsync_dir(path.parent)
        streamed.written = True
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _holds(path: Path, ours: IO[bytes], size: int) -> bool:
    """Whether ``path`` is a regular file (not followed) of ``size`` bytes
    holding what ``ours`` holds."""
    try:
        if os.lstat(path).st_size != size:
            return False
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False
    with os.fdopen(fd, "rb") as theirs:
        return stat.S_ISREG(os.fstat(fd).st_mode) and same_stream(ours, theirs)


def _temp_name(path: Path) -> str:
    """A fresh name beside ``path`` for a file to be renamed over it."""
    return str(path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp")


@contextmanager
def replacing(path: Path):
    """A temporary path beside ``path`` for a program to write (espeak-ng,
    say), put in place whole when the block ends without error, removed
    otherwise. The file is created empty (``mkstemp``: no other process
    can claim the name)."""
    path = Path(path)
    ensure_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, 0o644)
        may_write(tmp)
        os.replace(tmp, path)
        tmp = None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def link_atomic(source: Path, target: Path) -> bool:
    """Make ``target`` a hard link to ``source``, atomically (a link under
    a fresh temporary name, then renamed over ``target``). False when it
    cannot be done (other disk, no hard links, ``source`` gone, or not a
    regular file: a symbolic link is never linked or followed): nothing
    changed."""
    target = Path(target)
    try:
        st = os.lstat(source)
        if not stat.S_ISREG(st.st_mode):
            return False
        try:
            if os.path.samestat(st, os.lstat(target)):
                return True
        except FileNotFoundError:
            pass
        target.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(10):
            tmp = _temp_name(target)
            try:
                os.link(source, tmp, follow_symlinks=False)  # fails if the name exists
                break
            except FileExistsError:
                continue
        else:
            return False
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.lstat(tmp).st_mode):  # ``source`` swapped for a link meanwhile
            raise OSError("not a regular file")
        may_write(tmp)
        os.replace(tmp, target)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return False
    return True


def same_bytes(path: Path, data: bytes) -> bool:
    """Whether ``path`` is a regular file holding ``data`` (a symbolic link
    is not followed: it is never "the same", and gets replaced)."""
    try:
        return os.lstat(path).st_size == len(data) and read_regular(path) == data
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError, NotRegularFile):
        return False
    except OSError as e:
        raise error_for(e, path) from e


def write_if_changed(path: Path, data: bytes) -> bool:
    """``write_atomic`` unless the file already holds exactly ``data``, so a
    rebuild with nothing changed writes nothing; True when it wrote."""
    if same_bytes(path, data):
        return False
    write_atomic(path, data)
    return True


def write_first(path: Path, data: bytes) -> None:
    """``write_if_changed`` for processes that write the same bytes at the
    same time (team-pack workers making the same shared file): the first
    copy put in place stays (a hard link under the final name, which fails
    when a file is there), so later writers never replace it and every
    hard link made to it meanwhile stays a link to the one file. A file
    there with other bytes is replaced."""
    path = Path(path)
    if same_bytes(path, data):
        return
    ensure_dir(path.parent)
    tmp = _temp_name(path)
    try:
        with open(tmp, "xb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        may_write(tmp)
        try:
            os.link(tmp, path, follow_symlinks=False)  # fails if a file is there
        except FileExistsError:
            if not same_bytes(path, data):
                os.replace(tmp, path)
        except OSError:  # no hard links on this file system
            os.replace(tmp, path)
    except OSError as e:
        raise error_for(e, path) from e
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass
    _fsync_dir(path.parent)


class NotRegularFile(OSError):
    """A file camnang wrote itself is now a symbolic link, a folder or a
    device (``read_regular``)."""


def read_regular(path: Path | str, limit: int | None = None) -> bytes:
    """The bytes of ``path``, opened, never followed: ``O_NOFOLLOW`` (a
    symbolic link raises ``NotRegularFile``), ``O_NONBLOCK`` (a FIFO does
    not hang the open) and ``fstat`` on the open file (anything but a
    regular file raises ``NotRegularFile``). ``limit``: at most this many
    bytes are read (for small files such as digests)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise NotRegularFile(errno.ELOOP, "symbolic link", str(path)) from None
        raise
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFile(errno.EINVAL, "not a regular file", str(path))
        return f.read() if limit is None else f.read(limit)


def read_bytes(path: Path) -> bytes:
    """A file camnang wrote itself (cache entries), read with
    ``read_regular`` (a symbolic link is never followed); ``WriteError`` if
    the file system refuses."""
    try:
        return read_regular(path)
    except NotRegularFile as e:
        raise WriteError(
            Problem(
                path=display_path(path),
                message="tệp trong bộ nhớ đệm không phải tệp thường (có thể là liên kết tượng trưng); camnang không đọc nó",
                hint="xóa thư mục .cache/camnang rồi chạy lại",
            )
        ) from e
    except OSError as e:
        raise error_for(e, path) from e


def remove(path: Path) -> None:
    """Delete a file camnang wrote (missing is fine)."""
    try:
        Path(path).unlink(missing_ok=True)
    except OSError as e:
        raise error_for(e, path) from e


def remove_tree(folder: Path) -> None:
    """Delete a folder camnang made (best effort: leftovers are retried by
    the next build)."""
    if os.path.islink(folder):
        os.unlink(folder)
    else:
        shutil.rmtree(folder, ignore_errors=True)


def one_line(error: CamnangError) -> str:
    """The error for the terminal. Several write problems with the same
    cause (a full disk fails every file) are one line."""
    problems = error.problems
    if len(problems) > 1 and all(p.message.startswith("không ghi được") for p in problems):
        if len({(p.message, p.hint) for p in problems}) == 1:
            first = problems[0]
            return f"{first} (và {len(problems) - 1} tệp khác)"
    return str(error)
