"""``make build``: the site and its printables, swapped into place whole.

    python -m camnang.sitebuild [--config mkdocs.yml] [--no-wait]

1. Takes the project's build lock (``camnang.lock``): a second build in
   the same folder waits (or, with ``--no-wait``, stops), saying so.
2. Runs MkDocs (in this process, with the camnang plugin) into a new
   folder next to the site, ``.site-build-<pid>``. The live ``site/`` is
   not touched while it runs: a build that fails or is killed leaves it
   exactly as it was.
3. Swaps the new folder and ``site/`` in one ``renameat2(RENAME_EXCHANGE)``
   system call (Linux 3.15+, ext4, xfs, btrfs, tmpfs, overlayfs...): at
   every instant ``site/`` is the whole old site or the whole new one.
   The old one, now under the temporary name, is then deleted; leftovers
   of a build killed before that are deleted by the next build.

   ``site/`` stays a real folder rather than a symlink to a versioned copy
   (the other classic way to swap atomically): teams copy it to USB
   sticks, zip it on Windows shares and upload it with tools that copy a
   symlink as a symlink (``cp -r site /media/usb`` would copy a dangling
   link). Where the file system refuses RENAME_EXCHANGE (or off Linux),
   two renames are used, with a window of a few microseconds without
   ``site/``, and a warning says so.
4. Shows every warning (camnang's, MkDocs', the theme's) without MkDocs'
   routine INFO lines, and ends with one Vietnamese line: files built and
   warnings. A missing ``site_url`` ends the output with a boxed notice.

Exit status: 0 built, 1 not built (bad guide, file-system error, lock
busy with ``--no-wait``); ``site/`` is then the previous site.
"""

from __future__ import annotations

import argparse
import ctypes
import errno
import logging
import os
import signal
import sys
import textwrap
import time
from pathlib import Path

from .errors import CamnangError, Problem, display_path, terminal_safe
from .lock import BuildLock
from .writer import WriteError, error_for, one_line, remove_tree

BUILD_PREFIX = ".site-build-"
"""Temporary folders of builds in progress (and old sites being deleted),
next to ``site/``; for another site_dir name ``.<name>-build-``, so two
projects publishing into one parent folder never clean up each other's."""


def build_prefix(site: Path) -> str:
    return BUILD_PREFIX if site.name == "site" else f".{site.name}-build-"
LEGACY = (".site-new", ".site-old")
"""Temporary folders of the Makefile before camnang.sitebuild."""

AT_FDCWD = -100
RENAME_EXCHANGE = 2
SYS_RENAMEAT2 = {"x86_64": 316, "aarch64": 276, "armv7l": 382, "i686": 353}


# -- swapping -------------------------------------------------------------------

def checkpoint(name: str) -> None:
    """Tests kill the build at named instants: CAMNANG_KILL_AT=<name> makes
    the process SIGKILL itself there (tests/test_robust_build.py)."""
    if os.environ.get("CAMNANG_KILL_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _renameat2(old: Path, new: Path, flags: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    func = getattr(libc, "renameat2", None)
    args = (AT_FDCWD, os.fsencode(old), AT_FDCWD, os.fsencode(new), flags)
    if func is not None:
        func.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
        result = func(*args)
    else:  # glibc before 2.28: the system call itself
        number = SYS_RENAMEAT2.get(os.uname().machine)
        if number is None:
            raise OSError(errno.ENOSYS, "renameat2 unavailable")
        result = libc.syscall(number, *(ctypes.c_int(a) if isinstance(a, int) else a for a in args))
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(old), None, str(new))


def exchange(a: Path, b: Path) -> None:
    """Swap the names ``a`` and ``b`` atomically (both must exist)."""
    if not sys.platform.startswith("linux"):
        raise OSError(errno.ENOSYS, "RENAME_EXCHANGE is Linux only")
    _renameat2(a, b, RENAME_EXCHANGE)


def swap_in(new: Path, site: Path, warn=lambda message: None) -> None:
    """Make the complete folder ``new`` the site at ``site``; delete the
    previous site. ``site`` is never missing nor partial, where the file
    system can exchange two names atomically."""
    if not os.path.lexists(site):
        os.rename(new, site)
        return
    try:
        checkpoint("before-exchange")
        exchange(new, site)
        checkpoint("exchanged")
    except OSError as e:
        if e.errno not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
            raise
        warn(
            f"hệ thống tệp chứa {display_path(site)} không đổi chỗ được hai thư mục trong một bước "
            "(RENAME_EXCHANGE); đã thay bằng hai lần đổi tên liên tiếp"
        )
        old = new.with_name(new.name + "-old")
        os.rename(site, old)
        checkpoint("fallback-between-renames")
        os.rename(new, site)
        remove_tree(old)
        return
    remove_tree(new)  # now the old site


def clean_leftovers(parent: Path, site: Path | None = None) -> None:
    """Folders of builds that were killed (we hold the lock: none is in use).
    A site moved aside by the two-rename fallback and never replaced is
    put back first."""
    prefix = build_prefix(site) if site is not None else BUILD_PREFIX
    if site is not None and not os.path.lexists(site):
        old = sorted(parent.glob(prefix + "*-old"), key=lambda p: p.stat().st_mtime)
        if old:
            os.rename(old[-1], site)
    for path in parent.glob(prefix + "*"):
        remove_tree(path)
    for name in LEGACY:
        if (parent / name).is_dir():
            remove_tree(parent / name)


# -- what the user sees -------------------------------------------------------------

CAMNANG_LOGGER = "mkdocs.plugins.camnang"


class Console(logging.Handler):
    """Every warning and error of any logger; INFO only from camnang.
    Counts warnings for the summary line."""

    def __init__(self, stream=None):
        super().__init__(logging.INFO)
        self.stream = stream or sys.stderr
        self.warnings = 0
        self.errors = 0

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a bad log call must not end the build
            text = str(record.msg)
        text = terminal_safe(text)  # MkDocs' and the theme's messages echo file names too
        if record.levelno >= logging.ERROR:
            self.errors += 1
            line = f"Lỗi: {text}"
        elif record.levelno >= logging.WARNING:
            self.warnings += 1
            source = "" if record.name.startswith(CAMNANG_LOGGER) else f" ({record.name.split('.')[0]})"
            line = f"Cảnh báo{source}: {text.removeprefix('camnang: ')}"
        elif record.name.startswith(CAMNANG_LOGGER):
            line = text if text.startswith("camnang:") else f"camnang: {text}"
        else:
            return
        self.stream.write(line + "\n")
        self.stream.flush()


def boxed(lines: list[str], width: int = 72) -> str:
    """A notice in a frame of box-drawing characters, wrapped to ``width``."""
    commands = [line for line in lines if line.startswith("  ")]  # shown whole, never wrapped
    width = max([width] + [len(line) + 4 for line in commands])
    inner = width - 4
    wrapped: list[str] = []
    for line in lines:
        wrapped += [line] if line in commands else textwrap.wrap(line, inner, break_on_hyphens=False) or [""]
    top = "╔" + "═" * (width - 2) + "╗"
    bottom = "╚" + "═" * (width - 2) + "╝"
    return "\n".join([top, *(f"║ {w.ljust(inner)} ║" for w in wrapped), bottom])


def site_url_notice(command: str = "make build") -> str:
    return boxed(
        [
            "CHÚ Ý TRƯỚC KHI IN: chưa đặt địa chỉ trang (site_url).",
            "Tờ rơi và áp phích vừa tạo KHÔNG có mã QR dẫn tới trang hướng dẫn, "
            "chỉ có mã QR của khóa học. Đừng in hàng loạt các bản này.",
            "Đặt địa chỉ thật của trang rồi chạy lại, ví dụ:",
            f"  CAMNANG_SITE_URL=https://camnang.example.gov.vn/ {command}",
        ]
    )


def count_files(folder: Path) -> tuple[int, int]:
    """(files in the site, of which printables)."""
    from .printables.pipeline import PRINTABLES_DIR

    total = printables = 0
    for root, _, names in os.walk(folder):
        total += len(names)
        if Path(root).relative_to(folder).parts[:1] == (PRINTABLES_DIR,):
            printables += len(names)
    return total, printables


def summary(files: int, printables: int, warnings: int, site: Path, seconds: float) -> str:
    warned = f"{warnings} cảnh báo (xem ở trên)" if warnings else "không có cảnh báo"
    took = f"{seconds:.1f}".replace(".", ",")
    return (
        f"camnang: đã dựng xong {display_path(site)}/: {files} tệp, trong đó {printables} tệp in ấn; "
        f"{warned} ({took} giây)"
    )


# -- the command ----------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m camnang.sitebuild",
        description="Dựng trang web và mọi bản in vào site/, thay site/ cũ trong một bước.",
    )
    parser.add_argument("--config", "-f", default="mkdocs.yml", help="tệp cấu hình (mặc định: mkdocs.yml)")
    parser.add_argument(
        "--no-wait",
        action="store_true",
        help="nếu đang có một lần dựng khác trong thư mục này thì dừng ngay (mặc định: chờ lần đó xong)",
    )
    return parser.parse_args(argv)


def _setup_logging(console: Console) -> None:
    logging.getLogger("mkdocs").setLevel(logging.INFO)
    root = logging.getLogger()
    root.addHandler(console)
    root.setLevel(logging.INFO)
    for noisy in ("weasyprint", "fontTools", "PIL"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


def main(argv: list[str] | None = None, stream=None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    out = stream or sys.stderr
    console = Console(out)
    _setup_logging(console)
    try:
        return _run(args, out, console)
    finally:
        logging.getLogger().removeHandler(console)


def _run(args: argparse.Namespace, out, console: Console) -> int:
    def warn(message: str) -> None:
        logging.getLogger(CAMNANG_LOGGER).warning(message)

    started = time.perf_counter()
    config_file = Path(args.config)
    if not config_file.is_file():
        out.write(f"Lỗi: {display_path(config_file)}: không tìm thấy tệp cấu hình\n")
        return 1
    project = config_file.resolve().parent
    new: Path | None = None
    try:
        with BuildLock(project, wait=not args.no_wait, say=lambda m: out.write(m + "\n")):
            from mkdocs.commands.build import build
            from mkdocs.config import load_config
            from mkdocs.exceptions import Abort, ConfigurationError

            try:
                config = load_config(config_file=str(config_file))
            except ConfigurationError as e:
                raise CamnangError(Problem(path=display_path(config_file), message=f"cấu hình không hợp lệ: {e}")) from e
            site = Path(config.site_dir)
            if os.path.lexists(site) and not site.is_dir():
                raise error_for(OSError(errno.ENOTDIR, "Not a directory", str(site)), site)
            clean_leftovers(site.parent, site)
            checkpoint("cleaned")
            new = site.parent / f"{build_prefix(site)}{os.getpid()}"
            try:
                new.mkdir(parents=True)
            except OSError as e:
                raise error_for(e, site.parent) from e
            config.site_dir = str(new)
            config.plugins.on_startup(command="build", dirty=False)
            try:
                build(config)
                checkpoint("built")
            except Abort:
                return _failed(out, None)
            except OSError as e:
                raise error_for(e, _meant(e, new, site)) from e
            finally:
                config.plugins.on_shutdown()
            files, printables = count_files(new)
            try:
                swap_in(new, site, warn)
            except OSError as e:
                raise error_for(e, site) from e
            new = None
            checkpoint("swapped")
    except WriteError as e:
        # A file camnang wrote into the build folder: name it under site/.
        message = one_line(e)
        if new is not None:
            message = message.replace(str(new), str(site)).replace(new.name, site.name)
        return _failed(out, message)
    except CamnangError as e:
        return _failed(out, str(e))
    except OSError as e:
        return _failed(out, one_line(error_for(e)))
    except KeyboardInterrupt:
        out.write("camnang: đã dừng theo yêu cầu; site/ vẫn là bản trước.\n")
        return 130
    finally:
        if new is not None:
            remove_tree(new)
    out.write(summary(files, printables, console.warnings, site, time.perf_counter() - started) + "\n")
    if not config.site_url:
        out.write(site_url_notice() + "\n")
    out.flush()
    return 0


def _meant(error: OSError, new: Path, site: Path) -> Path:
    """The path to name for an error of MkDocs writing the site: the file
    under site/ it was writing (not the temporary build folder, nor the
    theme file it was copying from)."""
    for name in (error.filename2, error.filename):
        if name:
            try:
                return site / Path(name).relative_to(new)
            except ValueError:
                continue
    return site


def _failed(out, message: str | None) -> int:
    if message:
        out.write(f"Lỗi: {message}\n")
    out.write("camnang: không dựng được; site/ vẫn là bản trước (không đổi tệp nào).\n")
    out.flush()
    return 1


if __name__ == "__main__":
    sys.exit(main())
