"""Every key of the printables cache, built by one function (``cache_key``).

A key hashes what a file is made from. The inputs every printable shares
(camnang's code and the versions of the libraries that shape a PDF, the
print font's files) are added by ``cache_key`` itself: a new shared input
is added there, once, and every key (the outputs, the fit memo, the team
packs' inputs) follows. The rest (the guide, the kind's templates, the
settings it reads, its category) is passed by the callers below.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import camnang

from ..model import Guide
from . import templates
from .fonts import find_font
from .kinds import Kind, PrintContext

_PACKAGE = Path(camnang.__file__).parent


@lru_cache(maxsize=1)
def code_digest() -> str:
    """Hash of camnang's own code and of the libraries that shape a PDF."""
    h = hashlib.sha256(f"camnang {camnang.__version__}\0".encode())
    for name in ("weasyprint", "pydyf", "segno", "Jinja2", "pikepdf", "fonttools"):
        try:
            h.update(f"{name} {metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name} -\0".encode())
    for path in sorted(_PACKAGE.rglob("*.py")):
        h.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def font_digest(ctx: PrintContext) -> str:
    """Hash of the print font's files (path, size, modification time)."""
    font = find_font(ctx.settings.print_font, ctx.where)
    h = hashlib.sha256()
    for path in font.files:
        st = path.stat()
        h.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()


def category_token(ctx: PrintContext, guide: Guide) -> str:
    """The guide's category as configured (its name and icon are printed)."""
    category = ctx.category(guide)
    return json.dumps(dataclasses.asdict(category) if category is not None else None, sort_keys=True, ensure_ascii=False)


def cache_key(ctx: PrintContext, *parts: str) -> str:
    """The one function that makes a cache key: the inputs every printable
    shares (code, libraries, font), then ``parts``."""
    h = hashlib.sha256()
    for part in (code_digest(), font_digest(ctx), *parts):
        h.update(part.encode("utf-8") + b"\0")
    return h.hexdigest()


def guide_key(ctx: PrintContext, guide: Guide, name: str, sources_digest: str, token: str) -> str:
    """The key of something made from one guide: ``name`` (what is made),
    the guide, the settings and team (``token``: ``PrintContext.token``),
    its category and the templates (``sources_digest``)."""
    return cache_key(ctx, name, guide.digest, token, category_token(ctx, guide), sources_digest)


def output_key(kind: Kind, guide: Guide, ctx: PrintContext, sources_digest: str | None = None) -> str:
    """The content hash of one output. ``sources_digest`` (the kind's
    ``templates.digest``) can be passed in when computed once per build."""
    if sources_digest is None:
        sources_digest = templates.digest(ctx.settings.posters_dir, kind.sources)
    return guide_key(ctx, guide, f"{kind.name}\0{kind.filename}", sources_digest, ctx.token(kind.settings))
