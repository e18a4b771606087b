"""Precompressed copies of the site's text files, for the web server.

Why: on a slow shared link, a page's HTML, CSS and JavaScript sent without
compression arrive about three times later (issue 23: first text at 7.4 s
instead of 2.5 s). Many hosts do not compress on the fly, or do it at a low
level; nginx (``gzip_static on``) and Caddy (``file_server { precompressed
br gzip }``) send a ready ``name.gz`` / ``name.br`` beside ``name`` instead.
README, "Hosting", gives the snippets.

What: after the build, every text file (html, css, js, json, xml, txt, svg,
webmanifest) of at least ``MIN_SIZE`` bytes gets ``.gz`` (gzip level 9, no
name and mtime 0 in its header: the same input always gives the same bytes)
and, when the ``brotli`` package is installed (WeasyPrint brings it, through
fonttools), ``.br`` (quality ``BROTLI_QUALITY``). A copy that would not be smaller is not
written. Stale copies of files that changed or went away are replaced or
removed, so a build into an existing folder stays right.

Hook (camnang.plugin): on_post_build, after the service worker is written
(sw.js is compressed too).
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass
from pathlib import Path

from .writer import write_atomic

try:  # brotli comes with WeasyPrint (fonttools[woff]); optional here
    import brotli
except ImportError:  # pragma: no cover - depends on the environment
    brotli = None

TEXT_SUFFIXES = (".html", ".css", ".js", ".json", ".xml", ".txt", ".svg", ".webmanifest")
MIN_SIZE = 256
"""Smaller files gain nothing worth a second request path on the server."""
COMPRESSED = (".gz", ".br")
BROTLI_QUALITY = 10
"""Bundled guides (2.6 MB of text): quality 11 gives 3% smaller copies than
10 but takes twice as long (about 5 s against 2 s on one core)."""


@dataclass(frozen=True)
class Compressed:
    files: int
    """Text files given a compressed copy."""
    raw: int
    """Their bytes."""
    gzip: int
    """Bytes of their .gz copies (a file without one counts as raw)."""
    brotli: int | None
    """Bytes of their .br copies, or None without the brotli package."""


def gzip_bytes(data: bytes) -> bytes:
    """gzip, level 9, deterministic: no file name, mtime 0."""
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=9, mtime=0) as f:
        f.write(data)
    return out.getvalue()


def brotli_bytes(data: bytes) -> bytes | None:
    if brotli is None:
        return None
    return brotli.compress(data, mode=brotli.MODE_TEXT, quality=BROTLI_QUALITY)


def is_text(path: Path) -> bool:
    return path.suffix.lower() in TEXT_SUFFIXES


def compress_site(site_dir: str | Path) -> Compressed:
    """Write name.gz (and name.br) beside every text file of the site."""
    site = Path(site_dir)
    files = raw_total = gz_total = br_total = 0
    wanted: set[Path] = set()
    for path in sorted(p for p in site.rglob("*") if p.is_file() and not p.is_symlink()):
        if path.suffix in COMPRESSED or not is_text(path) or path.name.startswith("."):
            continue
        data = path.read_bytes()
        if len(data) < MIN_SIZE:
            continue
        files += 1
        raw_total += len(data)
        gz = gzip_bytes(data)
        br = brotli_bytes(data)
        for suffix, packed in ((".gz", gz), (".br", br)):
            target = path.with_name(path.name + suffix)
            if packed is None or len(packed) >= len(data):
                continue
            wanted.add(target)
            if not (target.is_file() and target.read_bytes() == packed):
                write_atomic(target, packed, durable=False)
        gz_total += len(gz) if len(gz) < len(data) else len(data)
        if br is not None:
            br_total += len(br) if len(br) < len(data) else len(data)
    # Copies left from an earlier build whose file changed size class or went away.
    for stale in site.rglob("*"):
        if stale.suffix in COMPRESSED and stale.is_file() and stale not in wanted:
            original = stale.with_name(stale.name[: -len(stale.suffix)])
            if is_text(original):
                stale.unlink()
    return Compressed(files=files, raw=raw_total, gzip=gz_total, brotli=br_total if brotli is not None else None)
