"""Offline after one visit: a service worker and a web app manifest.

Why: residents often have patchy or paid-by-the-megabyte data, and team
members help people where there is no signal. After one visit with a
connection, every page of the site, its search and (within a size budget)
the printables open with none; the site can be added to the home screen
under its Vietnamese name.

What the build writes (no page address changes: printed QR codes point to
the pages):

- ``sw.js`` at the site root, the service worker. It holds the list of files
  to store ("precache") and a version: a digest of every file of the site, so
  any change to any guide, printable, style or script gives a new worker. The
  browser checks ``sw.js`` on each visit with a connection; a new version
  stores the new files in a new cache, then deletes the old one. Pages are
  asked from the network first (up to ``NETWORK_WAIT_S`` seconds, then the
  stored copy); everything else is served from the store, else the network.
  A page or file that is neither stored nor reachable gets the site's 404
  page, which says so in Vietnamese.
- ``assets/javascripts/camnang-offline.js``, on every page: registers the
  worker (only where browsers allow one: https or localhost).
- ``manifest.webmanifest`` and two PNG icons drawn here, linked from every
  page's ``<head>``.

What is stored on the first visit: every page, the theme's CSS and
JavaScript that pages and search load (not source maps, nor Material's lunr
search worker and languages, which camnang's search replaces), camnang's
search index (search/camnang/, every file of it), and printables in the
order leaflets, posters, radio scripts, while their total stays within
``printables_budget`` bytes (plugin option ``offline_printables_budget``).
Printables beyond the budget are stored the first time they are opened
with a connection. README, "Offline".

Hooks (camnang.plugin): on_config -> ``add_page_script``, on_files ->
``install_assets``, on_post_page -> ``link_manifest``, on_post_build (last)
-> ``write_service_worker``.
"""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path, PurePosixPath

from mkdocs.structure.files import File, Files
from mkdocs.utils import get_relative_url

from .printables.registry import KINDS
from .writer import write_atomic

SERVICE_WORKER = "sw.js"
PAGE_SCRIPT = "assets/javascripts/camnang-offline.js"
MANIFEST = "manifest.webmanifest"
ICONS = {192: "assets/images/camnang-icon-192.png", 512: "assets/images/camnang-icon-512.png"}
THEME_COLOR = "#4051b5"  # Material's indigo, the site's primary colour

DEFAULT_PRINTABLES_BUDGET = 3 * 1024 * 1024
"""Printables stored on the first visit, in bytes. The bundled 11 guides have
0.7 MB of printables (leaflet ~27 KB, poster ~20 KB, radio PDF + text ~17
KB): all of them fit, and leaflets alone fit up to ~110 guides."""

PRINTABLES_DIR = "in-an"
PRINTABLE_ORDER = tuple(dict.fromkeys(kind.prefix for kind in KINDS))
"""Leaflets first (what a resident keeps), then posters, then radio scripts."""

NETWORK_WAIT_S = 4
"""How long a page waits for the network before the stored copy is shown."""

_SKIP_SUFFIXES = (".map", ".gz")
_SKIP_FILES = {SERVICE_WORKER, "sitemap.xml"}
_SKIP_DIRS = ("assets/javascripts/lunr/", "assets/javascripts/workers/")
"""Material's lunr search: no page loads it (camnang.search)."""


@dataclass(frozen=True)
class Precache:
    urls: list[str]
    """Addresses relative to the site root ("./", "huong-dan/x/", ...)."""
    version: str
    """Digest of every file of the site (hex)."""
    total: int
    """Bytes stored on the first visit."""
    printables: int
    """Bytes of printables among them."""
    printables_left: int
    """Printables not stored up front (over the budget)."""


# --------------------------------------------------------------------------
# Hooks
# --------------------------------------------------------------------------


def add_page_script(config) -> None:
    """on_config: register the worker from every page."""
    if PAGE_SCRIPT not in [str(s) for s in config.extra_javascript]:
        config.extra_javascript.append(PAGE_SCRIPT)


def install_assets(files: Files, config) -> None:
    """on_files: the registration script, the manifest and the icons."""
    generated = {
        PAGE_SCRIPT: _resource("templates/offline/camnang-offline.js").encode("utf-8"),
        MANIFEST: manifest(config).encode("utf-8"),
        **{path: icon_png(size) for size, path in ICONS.items()},
    }
    for path, content in generated.items():
        existing = files.get_file_from_path(path)
        if existing is not None:
            files.remove(existing)
        files.append(File.generated(config, path, content=content))


def link_manifest(output: str, page) -> str:
    """on_post_page: link the manifest and icon from the page's <head>."""
    def rel(path: str) -> str:
        return get_relative_url(path, page.url or ".")

    head = (
        f'<link rel="manifest" href="{rel(MANIFEST)}">'
        f'<meta name="theme-color" content="{THEME_COLOR}">'
        f'<link rel="apple-touch-icon" href="{rel(ICONS[192])}">'
    )
    at = output.find("</head>")
    return output if at == -1 else output[:at] + head + output[at:]


def write_service_worker(site_dir: str | Path, config, printables_budget: int = DEFAULT_PRINTABLES_BUDGET) -> Precache:
    """on_post_build, after every other file is written: sw.js."""
    site = Path(site_dir)
    pre = precache(site, printables_budget)
    script = (
        _resource("templates/offline/sw.js")
        .replace('"@@VERSION@@"', json.dumps(pre.version[:16]))
        .replace("[/*@@PRECACHE@@*/]", json.dumps(pre.urls, ensure_ascii=False, indent=0))
        .replace("/*@@NETWORK_WAIT_MS@@*/0", str(NETWORK_WAIT_S * 1000))
    )
    write_atomic(site / SERVICE_WORKER, script.encode("utf-8"), durable=False)
    return pre


# --------------------------------------------------------------------------
# What to store
# --------------------------------------------------------------------------


def url_of(path: str) -> str:
    """Site file -> the address pages use for it ("a/index.html" -> "a/")."""
    if path == "index.html":
        return "./"
    if path.endswith("/index.html"):
        return path[: -len("index.html")]
    return path


def _printable_rank(name: str) -> tuple[int, str]:
    for i, prefix in enumerate(PRINTABLE_ORDER):
        if name.startswith(prefix):
            return (i, name)
    return (len(PRINTABLE_ORDER), name)


def precache(site: Path, printables_budget: int) -> Precache:
    digest = hashlib.sha256()
    chosen: list[tuple[str, int]] = []
    printables: list[tuple[str, int]] = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        rel = path.relative_to(site).as_posix()
        if rel in _SKIP_FILES:
            continue
        data = path.read_bytes()
        digest.update(rel.encode("utf-8") + b"\0" + hashlib.sha256(data).digest())
        if rel.endswith(_SKIP_SUFFIXES) or PurePosixPath(rel).name.startswith("."):
            continue
        if rel.startswith(_SKIP_DIRS):
            continue
        if rel.startswith(PRINTABLES_DIR + "/"):
            printables.append((rel, len(data)))
        else:
            chosen.append((rel, len(data)))
    printables.sort(key=lambda item: _printable_rank(PurePosixPath(item[0]).name))
    stored = 0
    left = 0
    for rel, size in printables:
        if stored + size <= printables_budget:
            chosen.append((rel, size))
            stored += size
        else:
            left += 1
    return Precache(
        urls=[url_of(rel) for rel, _ in chosen],
        version=digest.hexdigest(),
        total=sum(size for _, size in chosen),
        printables=stored,
        printables_left=left,
    )


# --------------------------------------------------------------------------
# Manifest and icon
# --------------------------------------------------------------------------


def short_name(site_name: str) -> str:
    """A home-screen label: the site name, or its first three words."""
    words = site_name.split()
    return site_name if len(site_name) <= 15 else " ".join(words[:3])


def manifest(config) -> str:
    name = config.site_name
    data = {
        "name": name,
        "short_name": short_name(name),
        "description": config.site_description or name,
        "lang": "vi",
        "dir": "ltr",
        "start_url": "./",
        "scope": "./",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOR,
        "icons": [
            {"src": path, "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any maskable"}
            for size, path in ICONS.items()
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


@lru_cache(maxsize=None)
def icon_png(size: int) -> bytes:
    """The app icon: an open white book on the site's indigo, drawn pixel by
    pixel (no image library needed at build time). Safe for "maskable": the
    book stays inside the central 80%."""
    bg = (0x40, 0x51, 0xB5)
    page = (0xFF, 0xFF, 0xFF)
    line = (0xC5, 0xCA, 0xE9)
    s = size / 24.0  # drawn on a 24-unit grid

    def pixel(x: float, y: float) -> tuple[int, int, int]:
        u, v = x / s, y / s
        # Two pages, 6..18 wide, 7..17 high, split by the spine at 12.
        if 6.0 <= u <= 18.0 and 7.0 <= v <= 17.0:
            if abs(u - 12.0) < 0.45:
                return bg
            # Lines of text on each page.
            if (9.0 <= v <= 15.5) and (round((v - 9.0) * 2) % 3 == 0) and (7.2 <= u <= 11.0 or 13.0 <= u <= 16.8):
                return line
            return page
        return bg

    rows = bytearray()
    for y in range(size):
        rows.append(0)  # filter: none
        for x in range(size):
            rows.extend(pixel(x + 0.5, y + 0.5))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b"")


# --------------------------------------------------------------------------


@lru_cache(maxsize=None)
def _resource(name: str) -> str:
    return resources.files("camnang").joinpath(name).read_text(encoding="utf-8")
