"""Offline by choice, and cheap: a service worker and a web app manifest.

Why: residents often have patchy or paid-by-the-megabyte data, and team
members help people where there is no signal. A page opened once opens
again with no connection; every page and printable is stored only when the
resident taps "Lưu tất cả để xem khi mất mạng (2,4 MB)"; an update
downloads only the files whose content changed (issue 23). The site can be
added to the home screen under its Vietnamese name.

What the build writes (no page address changes: printed QR codes point to
the pages):

- ``sw-files.json`` at the site root: every file of the site with its
  revision (the start of the SHA-256 of its bytes, ``revision``), size and
  kind ("s" the shell, "p" a page, "f" another file, "x" a printable over
  ``printables_budget``, stored only when opened). The worker reads it
  only for "Lưu tất cả" and after an update.
- ``sw.js`` at the site root, the service worker (templates/offline/sw.js
  says how it works): the shell's files with their revisions, the size
  "Lưu tất cả" stores and a version (a digest of every file) so any change
  gives a new worker. Its size does not depend on the number of guides.
- The first visit stores the page (its files come from the browser's
  cache: nothing is downloaded twice) and the shell: the not-found page
  (shown, with the button, for a page not stored), the styles, scripts and
  icon it loads (those every page loads), the search's list of pages
  (``search/camnang/pages.json``) and core words (``t-core.json``: with
  them, offline search finds every guide by its title, service, keywords
  and distinctive section titles) and the web app manifest. About 1.1x the
  page alone in bytes (README, "Offline").
- ``assets/javascripts/camnang-offline.js``, on every page: registers the
  worker (only where browsers allow one: https or localhost), adds the
  button at the end of the article, with the size written in here at the
  end of the build, the "Đang xem khi không có mạng" notice, and marks
  search results not stored when offline.
- ``manifest.webmanifest`` and two PNG icons drawn here, linked from every
  page's ``<head>``.

Hooks (camnang.plugin): on_config -> ``add_page_script``, on_files ->
``install_assets``, on_post_page -> ``link_manifest``, on_post_build (after
the search index) -> ``write_service_worker``.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import struct
import zlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from mkdocs.structure.files import File, Files
from mkdocs.utils import get_relative_url

from . import search
from .printables.registry import KINDS
from .writer import write_atomic

SERVICE_WORKER = "sw.js"
FILE_LIST = "sw-files.json"
"""Every file with its revision, size and kind: read by the worker only for
"Lưu tất cả" and after an update (sw.js stays small at 1,000 guides)."""
PAGE_SCRIPT = "assets/javascripts/camnang-offline.js"
MANIFEST = "manifest.webmanifest"
ICONS = {192: "assets/images/camnang-icon-192.png", 512: "assets/images/camnang-icon-512.png"}
THEME_COLOR = "#4051b5"  # Material's indigo, the site's primary colour

DEFAULT_PRINTABLES_BUDGET = 3 * 1024 * 1024
"""Printables stored by "Lưu tất cả", in bytes (others when opened). The bundled 11 guides have
0.7 MB of printables (leaflet ~27 KB, poster ~20 KB, radio PDF + text ~17
KB): all of them fit, and leaflets alone fit up to ~110 guides."""

PRINTABLES_DIR = "in-an"
PRINTABLE_ORDER = tuple(dict.fromkeys(kind.prefix for kind in KINDS))
"""Leaflets first (what a resident keeps), then posters, then radio scripts."""

NETWORK_WAIT_S = 4
"""How long a page waits for the network before the stored copy is shown."""

NOT_FOUND_PAGE = "404.html"
SEARCH_PAGES = search.PAGES_FILE
SEARCH_CORE = f"{search.INDEX_DIR}/t-{search.CORE_KEY}.json"
"""The search's words of titles, services and keywords (camnang.search,
CORE_KEY): offline, search finds every guide by these."""
REV_CHARS = 8
"""Hex digits of a revision: a changed file keeps its old revision once in
4 billion; shorter rows keep sw-files.json small at 1,000 guides."""

_SKIP_SUFFIXES = (".map", ".gz", ".br")
_SKIP_FILES = {SERVICE_WORKER, FILE_LIST, "sitemap.xml"}
_SKIP_DIRS = ("assets/javascripts/lunr/", "assets/javascripts/workers/")
"""Material's lunr search: no page loads it (camnang.search)."""


@dataclass(frozen=True)
class Entry:
    url: str
    """Address relative to the site root ("./", "huong-dan/x/", ...)."""
    rev: str
    """The file's revision: the start of the SHA-256 of its bytes (hex), as
    the worker computes it for what it stores."""
    size: int
    kind: str
    """"s": the offline shell, stored on the first visit; "p": a page;
    "f": any other file. Pages and files are stored when opened, and all of
    them by the "Lưu tất cả" button; "x": a printable over the budget,
    stored only when opened."""


@dataclass(frozen=True)
class Precache:
    entries: list[Entry]
    """Everything the worker knows, the shell first."""
    version: str
    """Digest of every file of the site (hex)."""
    printables: int
    """Bytes of printables among the entries."""
    printables_left: int
    """Printables left out (over the budget): stored only when opened."""

    @property
    def urls(self) -> list[str]:
        return [e.url for e in self.entries]

    @property
    def total(self) -> int:
        """Bytes stored by "Lưu tất cả"."""
        return sum(e.size for e in self.entries if e.kind != "x")

    @property
    def shell(self) -> int:
        """Bytes of the shell (the first visit stores these and the page)."""
        return sum(e.size for e in self.entries if e.kind == "s")


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
    """on_post_build, after every other file is written: the size "Lưu tất
    cả" shows, put into camnang-offline.js, then sw-files.json with every
    file's revision and sw.js with the shell's."""
    site = Path(site_dir)
    page_script = site / PAGE_SCRIPT
    if page_script.is_file():
        # The size includes the script itself: first a guess, then the truth.
        source = _resource("templates/offline/camnang-offline.js")
        text = source
        for _ in range(3):
            total = precache(site, printables_budget, _site_path(config)).total
            text = source.replace("/*@@SAVE_ALL_BYTES@@*/0", str(total))
            if page_script.read_text(encoding="utf-8") == text:
                break
            write_atomic(page_script, text.encode("utf-8"), durable=False)
    pre = precache(site, printables_budget, _site_path(config))
    rows = ",\n".join(json.dumps([e.url, e.rev, e.size, e.kind], ensure_ascii=False) for e in pre.entries)
    write_atomic(site / FILE_LIST, ("[\n" + rows + "\n]\n").encode("utf-8"), durable=False)
    shell = ",\n".join(json.dumps([e.url, e.rev], ensure_ascii=False) for e in pre.entries if e.kind == "s")
    script = (
        _resource("templates/offline/sw.js")
        .replace('"@@VERSION@@"', json.dumps(pre.version[:16]))
        .replace("[/*@@SHELL@@*/]", "[\n" + shell + "\n]")
        .replace("/*@@TOTAL@@*/0", str(pre.total))
        .replace('"@@LIST@@"', json.dumps(FILE_LIST))
        .replace("/*@@NETWORK_WAIT_MS@@*/0", str(NETWORK_WAIT_S * 1000))
        .replace("/*@@REV_CHARS@@*/16", str(REV_CHARS))
    )
    write_atomic(site / SERVICE_WORKER, script.encode("utf-8"), durable=False)
    return pre


def _site_path(config) -> str:
    """The path the site is published under ("/" or "/camnang/")."""
    site_url = getattr(config, "site_url", None) or (config.get("site_url") if hasattr(config, "get") else None)
    path = urlsplit(site_url).path if site_url else "/"
    return path if path.endswith("/") else path + "/"


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


def revision(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:REV_CHARS]


def _printable_rank(name: str) -> tuple[int, str]:
    for i, prefix in enumerate(PRINTABLE_ORDER):
        if name.startswith(prefix):
            return (i, name)
    return (len(PRINTABLE_ORDER), name)


_REFERENCE = re.compile(
    r"<(?:link|script)\b[^>]*?\b(?:href|src)=[\"']([^\"'#?]+)[^\"']*[\"'][^>]*>", re.I
)


def shell_files(site: Path, site_path: str = "/") -> list[str]:
    """The offline shell: the not-found page (shown for a page not stored),
    the styles, scripts and icon it loads (every page loads the same), the
    search's list of pages, its core word file and the web app manifest."""
    out = [NOT_FOUND_PAGE]
    page = site / NOT_FOUND_PAGE
    html = page.read_text(encoding="utf-8", errors="replace") if page.is_file() else ""
    for m in _REFERENCE.finditer(html):
        tag, ref = m.group(0), m.group(1)
        if "://" in ref or ref.startswith("//"):
            continue
        if tag.lower().startswith("<link") and not re.search(r"rel=[\"']?(?:stylesheet|icon|shortcut icon)", tag, re.I):
            continue
        if ref.startswith("/"):
            if not ref.startswith(site_path):
                continue
            rel = ref[len(site_path):]
        else:
            rel = posixpath.normpath(ref)
        if rel.startswith("..") or not (site / rel).is_file() or rel in out:
            continue
        out.append(rel)
    for rel in (SEARCH_PAGES, SEARCH_CORE, MANIFEST):
        if (site / rel).is_file() and rel not in out:
            out.append(rel)
    return out


def precache(site: Path, printables_budget: int = DEFAULT_PRINTABLES_BUDGET, site_path: str = "/") -> Precache:
    digest = hashlib.sha256()
    shell = shell_files(site, site_path)
    found: dict[str, Entry] = {}
    printables: list[Entry] = []
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
        kind = "s" if rel in shell else ("p" if rel.endswith(".html") else "f")
        entry = Entry(url_of(rel), revision(data), len(data), kind)
        if rel.startswith(PRINTABLES_DIR + "/"):
            printables.append(entry)
        else:
            found[rel] = entry
    printables.sort(key=lambda e: _printable_rank(PurePosixPath(e.url).name))
    stored = left = 0
    chosen = [found.pop(rel) for rel in shell if rel in found]
    chosen += list(found.values())
    for entry in printables:
        if stored + entry.size <= printables_budget:
            chosen.append(entry)
            stored += entry.size
        else:
            chosen.append(Entry(entry.url, entry.rev, entry.size, "x"))
            left += 1
    return Precache(entries=chosen, version=digest.hexdigest(), printables=stored, printables_left=left)


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
