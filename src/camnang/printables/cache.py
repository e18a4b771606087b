"""The printables cache: one file per content hash, outside the site.

The key of an output (``keys.output_key``) hashes everything its bytes
are made from (see ``kinds``): the guide's digest, the kind's template and CSS files with
what they include, the settings it reads, the guide's category as
configured (its name and icon are printed), the team (team packs), the font
files, the camnang source code and the versions of WeasyPrint, pydyf and
segno. Same key, same bytes: a rebuild with nothing changed renders
nothing, and a changed guide re-renders only its own files.

Layout: ``<cache_dir>/printables/<kind>/<stem>.<key16><suffix>``, e.g.
``.cache/camnang/printables/leaflet/to-roi-vneid-kich-hoat.3f9c…pdf``. The
cache lives outside ``site/`` because MkDocs empties its site folder on
every build. Older versions of an output are pruned, the newest
``KEEP`` kept (switching back and forth between two configurations, say
with and without a site_url, then re-renders nothing).

An entry is checked before it is reused (``Cache.usable``): a PDF must
start with ``%PDF-`` and end with ``%%EOF``, a text file must be non-empty
UTF-8 (``verify_bytes``, a fraction of a millisecond); then its SHA-256 must
match the one stored beside it when it was written (``<entry>.sha256``;
about a millisecond, where a full PDF parse costs some 30). An entry without
its digest (an older cache, a digest deleted) is rendered again, never
reused. A bad entry (a disk that filled up under another program, a copy
cut short, a stray edit) is deleted with a warning and rendered again,
never shipped. Team pack entries, thousands of them, get the structural
check only. Entries are written through ``camnang.writer`` (whole or not
at all).

Entries are opened, never followed (``writer.read_regular``: ``O_NOFOLLOW``,
then ``fstat``): a symbolic link, a folder or a device where an entry
should be (planted to publish a local file as a printable) is deleted with
a warning (the link itself, never its target) and the entry rendered again.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import Callable

from ..errors import display_path
from ..writer import NotRegularFile, read_regular, remove, remove_tree, write_atomic
from .kinds import Kind

KEEP = 3
"""Versions of each output kept in the cache."""


class Cache:
    def __init__(self, cache_dir: Path):
        self.root = cache_dir / "printables"

    def path(self, kind: Kind, name: str, key: str) -> Path:
        """Where the output ``name`` (e.g. ``to-roi-x.pdf``; may contain a
        folder, as team packs do) of ``key`` is kept."""
        rel = Path(name)
        return self.root / kind.name / rel.parent / f"{rel.stem}.{key[:16]}{rel.suffix}"

    def put(self, path: Path, data: bytes, *, digest: bool = True) -> None:
        """Store ``data`` at ``path`` with (``digest``) its SHA-256 beside
        it, checked on reuse. Team packs skip the digest file (thousands of
        entries): their entries get the structural check only."""
        if digest:
            write_atomic(digest_path(path), hashlib.sha256(data).hexdigest().encode() + b"\n")
        write_atomic(path, data)
        self.prune(path)

    @staticmethod
    def usable(path: Path, warn: Callable[[str], None] | None = None, *, deep: bool = True) -> bool:
        """Whether the entry at ``path`` exists and passes its checks
        (``load``). A bad entry is deleted (so it is rendered again), with
        a warning."""
        return Cache.load(path, warn, deep=deep) is not None

    @staticmethod
    def load(path: Path, warn: Callable[[str], None] | None = None, *, deep: bool = True) -> bytes | None:
        """The bytes of the entry at ``path``, or None when there is none
        or it fails a check: not a regular file (opened without following
        a symbolic link), ``verify_bytes``, and with ``deep`` its stored
        digest (missing: rendered again). A bad entry is deleted with a
        warning (through ``warn``)."""
        try:
            st = os.lstat(path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as e:
            st, problem = None, f"không đọc được: {e.strerror or e}"
        data = None
        if st is None:
            pass
        elif stat.S_ISLNK(st.st_mode):
            problem = "là một liên kết tượng trưng (symlink), không phải tệp camnang đã ghi"
        elif not stat.S_ISREG(st.st_mode):
            problem = "không phải tệp thường"
        else:
            try:
                data = read_regular(path)
            except NotRegularFile:
                problem = "không phải tệp thường"
            except OSError as e:
                problem = f"không đọc được: {e.strerror or e}"
            else:
                problem = verify_bytes(data, path.suffix)
                if problem is None and deep:
                    problem = _digest_problem(path, data)
        if problem is None:
            return data
        _discard(path)
        remove(digest_path(path))
        if warn is not None:
            warn(f"{display_path(path)}: tệp trong bộ nhớ đệm bị hỏng ({problem}); đã xóa và tạo lại")
        return None

    def prune(self, keep: Path) -> None:
        """Remove old versions of ``keep``'s output beyond the newest ``KEEP``."""
        stem = keep.name.split(".")[0]
        siblings = [
            p for p in keep.parent.glob(f"{stem}.*{keep.suffix}")
            if p.name.split(".")[0] == stem and p.name.count(".") == keep.name.count(".")
        ]
        siblings.sort(key=lambda p: p.lstat().st_mtime_ns, reverse=True)
        for old in siblings[KEEP:]:
            if old != keep:
                _discard(old)
                remove(digest_path(old))


# -- checks on reuse ------------------------------------------------------------

PDF_TAIL = 1024
"""``%%EOF`` must be within this many bytes of the end (PDF 1.7, 7.5.5)."""


def verify_bytes(data: bytes, suffix: str) -> str | None:
    """Why ``data`` is not a good file of its type (``suffix``), or None.
    Cheap checks only; ``verify`` adds a qpdf parse (pikepdf)."""
    if not data:
        return "tệp rỗng"
    suffix = suffix.lower()
    if suffix == ".pdf":
        if not data.startswith(b"%PDF-"):
            return "không phải tệp PDF"
        if b"%%EOF" not in data[-PDF_TAIL:]:
            return "tệp PDF bị cắt cụt"
    elif suffix == ".png":
        if not data.startswith(b"\x89PNG\r\n\x1a\n"):
            return "không phải tệp PNG"
        if not data.endswith(b"IEND\xaeB`\x82"):
            return "tệp PNG bị cắt cụt"
    elif suffix in (".txt", ".csv", ".html", ".md"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return "không phải văn bản UTF-8"
        if b"\0" in data:
            return "văn bản có ký tự rỗng (NUL)"
    return None


def digest_path(path: Path) -> Path:
    """Where the SHA-256 of the cache entry ``path`` is kept."""
    return path.with_name(path.name + ".sha256")


def _discard(path: Path) -> None:
    """Delete what is at ``path``: a file or a symbolic link (the link,
    never its target) or a folder."""
    if os.path.isdir(path) and not os.path.islink(path):
        remove_tree(path)
    else:
        remove(path)


def read_digest(path: Path) -> str | None:
    """The SHA-256 stored beside the entry ``path`` (opened without
    following a link, at most 100 bytes), or None."""
    try:
        return read_regular(digest_path(path), limit=100).decode("ascii").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def _digest_problem(path: Path, data: bytes) -> str | None:
    """The entry's bytes against the digest stored when it was written.
    Without a digest file the entry is not trusted: rendered again."""
    stored = read_digest(path)
    if stored is None:
        return "thiếu tệp mã kiểm tra .sha256"
    if stored != hashlib.sha256(data).hexdigest():
        return "nội dung khác với lúc ghi"
    return None


def verify(path: Path, *, deep: bool = True) -> str | None:
    """Why the cache entry ``path`` cannot be reused, or None when it is
    the file it claims to be. ``deep``: a PDF must also open in qpdf with
    at least one page (a few milliseconds a file)."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".pdf":
            with os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC), "rb") as f:
                if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                    return "không phải tệp thường"
                head = f.read(len(b"%PDF-"))
                if not head:
                    return "tệp rỗng"
                if head != b"%PDF-":
                    return "không phải tệp PDF"
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - PDF_TAIL))
                problem = None if b"%%EOF" in f.read() else "tệp PDF bị cắt cụt"
        else:
            problem = verify_bytes(read_regular(path), suffix)
    except OSError as e:
        return f"không đọc được: {e.strerror or e}"
    if problem is not None or not deep or suffix != ".pdf":
        return problem
    return _pdf_problem(path)


def _pdf_problem(path: Path) -> str | None:
    """A damaged PDF as qpdf (pikepdf, camnang's one PDF library at run
    time) sees it: it must open without repair, have a page, and its last
    page's content must parse."""
    import pikepdf

    try:
        with pikepdf.open(path, suppress_warnings=True, attempt_recovery=False) as pdf:
            if len(pdf.pages) < 1:
                return "tệp PDF không có trang nào"
            pikepdf.parse_content_stream(pdf.pages[-1])
    except Exception as e:  # qpdf raises several kinds for a damaged file
        return f"tệp PDF hỏng: {type(e).__name__}"
    return None
