"""One build at a time per project folder.

Every command that writes outputs (``make build`` through
``camnang.sitebuild``, a plain ``mkdocs build`` through the plugin, and
``build_posters.py``) holds an exclusive ``flock(2)`` on ``.camnang.lock``
in the folder of ``mkdocs.yml`` for as long as it writes (in a read-only
folder: ``camnang-<hash of the folder>.lock`` in the temporary folder). A second run in
the same folder waits for the first, saying so in Vietnamese (or, with
``wait=False``, stops with exit 1). The kernel releases the lock when the
holder exits, however it ends (even ``kill -9``): a stale lock file is
never a problem, and no one has to delete it.

The lock is re-entrant within a process (``camnang.sitebuild`` holds it
and runs MkDocs in the same process, whose plugin asks for it again):
``flock`` on a second open file of the same process would wait for
itself.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

from .errors import CamnangError, Problem
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
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as e:
            if e.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
                raise error_for(e, self.path) from e
            # A read-only checkout may still build into a writable site_dir:
            # lock a file named after the folder in the temporary folder.
            digest = hashlib.sha256(os.fsencode(self.key)).hexdigest()[:16]
            try:
                fd = os.open(Path(tempfile.gettempdir()) / f"camnang-{digest}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
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
