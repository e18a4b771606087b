"""The printables cache: one file per content hash, outside the site.

The key of an output hashes everything its bytes are made from (see
``kinds``): the guide's digest, the kind's template and CSS files with
what they include, the settings it reads, the team (team packs), the font
files, the camnang source code and the versions of WeasyPrint, pydyf and
segno. Same key, same bytes: a rebuild with nothing changed renders
nothing, and a changed guide re-renders only its own files.

Layout: ``<cache_dir>/printables/<kind>/<stem>.<key16><suffix>``, e.g.
``.cache/camnang/printables/leaflet/to-roi-vneid-kich-hoat.3f9c…pdf``. The
cache lives outside ``site/`` because MkDocs empties its site folder on
every build. Older versions of an output are pruned, the newest
``KEEP`` kept (switching back and forth between two configurations, say
with and without a site_url, then re-renders nothing).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import camnang

from ..model import Guide
from . import templates
from .fonts import find_font
from .kinds import Kind, PrintContext

KEEP = 3
"""Versions of each output kept in the cache."""

_PACKAGE = Path(camnang.__file__).parent


@lru_cache(maxsize=1)
def code_digest() -> str:
    """Hash of camnang's own code and of the libraries that shape a PDF."""
    h = hashlib.sha256(f"camnang {camnang.__version__}\0".encode())
    for name in ("weasyprint", "pydyf", "segno", "Jinja2"):
        try:
            h.update(f"{name} {metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name} -\0".encode())
    for path in sorted(_PACKAGE.rglob("*.py")):
        h.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _font_digest(ctx: PrintContext) -> str:
    font = find_font(ctx.settings.print_font, ctx.where)
    h = hashlib.sha256()
    for path in font.files:
        st = path.stat()
        h.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()


def output_key(kind: Kind, guide: Guide, ctx: PrintContext, sources_digest: str | None = None) -> str:
    """The content hash of one output. ``sources_digest`` (the kind's
    ``templates.digest``) can be passed in when computed once per build."""
    if sources_digest is None:
        sources_digest = templates.digest(ctx.settings.posters_dir, kind.sources)
    h = hashlib.sha256()
    for part in (
        code_digest(),
        kind.name,
        kind.filename,
        guide.digest,
        ctx.token(kind.settings),
        sources_digest,
        _font_digest(ctx),
    ):
        h.update(part.encode("utf-8") + b"\0")
    return h.hexdigest()


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file next to ``path``, then rename it
    into place: a reader never sees half a file, a failure leaves the old
    one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_if_changed(path: Path, data: bytes) -> bool:
    """``write_atomic`` unless the file already holds exactly ``data``, so a
    rebuild with nothing changed writes nothing; True when it wrote."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    write_atomic(path, data)
    return True


class Cache:
    def __init__(self, cache_dir: Path):
        self.root = cache_dir / "printables"

    def path(self, kind: Kind, name: str, key: str) -> Path:
        """Where the output ``name`` (e.g. ``to-roi-x.pdf``; may contain a
        folder, as team packs do) of ``key`` is kept."""
        rel = Path(name)
        return self.root / kind.name / rel.parent / f"{rel.stem}.{key[:16]}{rel.suffix}"

    def put(self, path: Path, data: bytes) -> None:
        write_atomic(path, data)
        self.prune(path)

    def prune(self, keep: Path) -> None:
        """Remove old versions of ``keep``'s output beyond the newest ``KEEP``."""
        stem = keep.name.split(".")[0]
        siblings = [
            p for p in keep.parent.glob(f"{stem}.*{keep.suffix}")
            if p.name.split(".")[0] == stem and p.name.count(".") == keep.name.count(".")
        ]
        siblings.sort(key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in siblings[KEEP:]:
            if old != keep:
                old.unlink(missing_ok=True)
