"""One build at a time per project folder.

Every command that writes outputs (``make build`` through
``camnang.sitebuild``, a plain ``mkdocs build`` through the plugin, and
``build_posters.py``) holds an exclusive ``flock(2)`` on ``.camnang.lock``
in the folder of ``mkdocs.yml`` for as long as it writes (in a read-only
folder: ``camnang-<hash of the folder>.lock`` in a private folder of the
user, see ``private_dir``; never at a predictable path of the shared
temporary folder, where anyone could plant a symbolic link). A second run in
the same folder waits for the first, saying so in Vietnamese (or, with
``wait=False``, stops with exit 1). The kernel releases the lock when the
holder exits, however it ends (even ``kill -9``): a stale lock file is
never a problem, and no one has to delete it.

The lock is re-entrant within a process (``camnang.sitebuild`` holds it
and runs MkDocs in the same process, whose plugin asks for it again):
``flock`` on a second open file of the same process would wait for
itself.

The lock file is opened, never followed: ``O_NOFOLLOW`` (a symbolic link
at its place is refused with a Vietnamese error, never written through),
it must be a regular file, and the holder's "pid time" line is written
only into a file of our own with one name (``st_nlink == 1``), so a hard
link to someone's file is locked but never truncated.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import stat
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

from .errors import CamnangError, Problem, display_path
from .writer import error_for

LOCK_NAME = ".camnang.lock"

_held: dict[str, list] = {}
"""Lock files held by this process: real path -> [fd, depth]."""
_guard = threading.Lock()


class BuildBusy(CamnangError):
    """Another build holds the lock and we were told not to wait."""


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _holder(fd: int) -> str:
    """What the lock file says about its holder ("tiến trình 123, từ 10:52")."""
    try:
        text = os.pread(fd, 200, 0).decode("utf-8", "replace").split()
        pid, started = int(text[0]), float(text[1])
    except (OSError, ValueError, IndexError):
        return ""
    return f" (tiến trình {pid}, bắt đầu lúc {time.strftime('%H:%M:%S', time.localtime(started))})"


def _refuse(path: Path, what: str) -> CamnangError:
    return CamnangError(
        Problem(
            path=display_path(path),
            message=f"tệp khóa của lần dựng là {what}; camnang không mở nó để tránh ghi vào một tệp khác",
            hint="xóa nó (rm) rồi chạy lại",
        )
    )


def _open_lock(path: Path) -> int:
    """The lock file at ``path``, opened (created if missing) without
    following a symbolic link; a regular file or ``CamnangError``."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
    except OSError as e:
        if e.errno == errno.ELOOP or os.path.islink(path):
            raise _refuse(path, "một liên kết tượng trưng (symlink)") from None
        if e.errno in (errno.EISDIR, errno.ENXIO):
            raise _refuse(path, "một thư mục hoặc một tệp đặc biệt, không phải tệp thường") from None
        raise
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise _refuse(path, "một tệp đặc biệt, không phải tệp thường")
    return fd


def private_dir() -> Path:
    """A folder only this user can write to, for the lock of a read-only
    project: ``$XDG_RUNTIME_DIR/camnang`` (a per-user 0700 folder of the
    session), else ``camnang-<uid>`` in the temporary folder, made 0700
    and checked (a real folder, not a link, owned by us, no access for
    others). ``OSError`` when no such folder can be had."""
    uid = os.geteuid()
    candidates = []
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isabs(runtime):
        candidates.append(Path(runtime) / "camnang")
    candidates.append(Path(tempfile.gettempdir()) / f"camnang-{uid}")
    for folder in candidates:
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            pass
        except OSError:
            continue
        try:
            st = os.lstat(folder)
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode) and st.st_uid == uid and not st.st_mode & 0o077:
            return folder
    raise OSError(errno.EACCES, "no private folder for the lock")


class BuildLock:
    """``with BuildLock(project_dir):`` holds the build lock of the folder."""

    def __init__(self, folder: Path | str, *, wait: bool = True, say: Callable[[str], None] = _say):
        self.path = Path(folder) / LOCK_NAME
        self.wait = wait
        self.say = say
        self.key = os.path.realpath(self.path)

    def acquire(self) -> "BuildLock":
        with _guard:
            if self.key in _held:
                _held[self.key][1] += 1
                return self
        try:
            fd = _open_lock(self.path)
        except OSError as e:
            if e.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
                raise error_for(e, self.path) from e
            # A read-only checkout may still build into a writable site_dir:
            # lock a file named after the folder in a private folder.
            digest = hashlib.sha256(os.fsencode(self.key)).hexdigest()[:16]
            try:
                fd = _open_lock(private_dir() / f"camnang-{digest}.lock")
            except OSError:
                raise error_for(e, self.path) from e
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                where = str(self.path.parent.resolve())
                if not self.wait:
                    raise BuildBusy(
                        Problem(
                            path=where,
                            message=f"Đang có một lần dựng khác chạy trong thư mục này{_holder(fd)}",
                            hint="chờ lần đó xong rồi chạy lại",
                        )
                    ) from None
                self.say(
                    f"camnang: Đang có một lần dựng khác chạy trong thư mục {where}{_holder(fd)}; "
                    "chờ lần đó xong rồi mới dựng tiếp…"
                )
                fcntl.flock(fd, fcntl.LOCK_EX)
                self.say("camnang: lần dựng trước đã xong, bắt đầu dựng.")
            try:
                st = os.fstat(fd)
                if st.st_uid == os.geteuid() and st.st_nlink == 1:
                    os.ftruncate(fd, 0)
                    os.pwrite(fd, f"{os.getpid()} {time.time():.0f}\n".encode(), 0)
            except OSError:
                pass  # only informative
        except BaseException:
            os.close(fd)
            raise
        with _guard:
            _held[self.key] = [fd, 1]
        return self

    def release(self) -> None:
        with _guard:
            entry = _held.get(self.key)
            if entry is None:
                return
            entry[1] -= 1
            if entry[1] > 0:
                return
            del _held[self.key]
        os.close(entry[0])  # closing the last descriptor releases the flock

    def __enter__(self) -> "BuildLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def held(folder: Path | str) -> bool:
    """Whether this process holds the build lock of ``folder``."""
    return os.path.realpath(Path(folder) / LOCK_NAME) in _held
