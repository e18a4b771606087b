"""Site search that finds Vietnamese typed without diacritics.

Why: residents type on cheap phones, often without diacritics ("bao hiem",
"dang ky") or with some ("bảo hiem"). Material for MkDocs' search (lunr.js in
a web worker) compares words exactly, so "bao" never finds "bảo", and its
Vietnamese language module does not fold. Here both sides are folded the way
``camnang.text.fold`` does (tones and vowel marks dropped, đ -> d,
lower-cased), inside Material's own search: no other search engine, no
request to another host.

How it hooks into Material 9.x (read from the installed package:
plugins/search/plugin.py, the worker's source in
templates/assets/javascripts/workers/search.*.min.js.map):

1. Worker. The worker reads ``search/search_index.json``, then loads the
   lunr language module named by ``config.lang`` from
   ``assets/javascripts/lunr/min/lunr.<lang>.min.js`` before it builds the
   index. ``install_assets`` (``on_files``) appends ``camnang-search.js`` to
   that file for ``vi``, so our code runs in the worker right after lunr.vi
   is defined and before the index is built. It patches lunr (2.3.9, the
   version Material bundles): the index pipeline folds every word (keeping
   its position, so the result list highlights the original "bảo" for the
   query "bao"); every query term is folded (Material adds a wildcard to each
   term, and lunr skips the search pipeline for wildcard terms); the results
   are re-ranked so pages containing all the query words come first, whole
   words and the typed diacritics before prefixes and other diacritics,
   words side by side before scattered ones. Before a result goes back to
   the page, the guide keywords it matched are added to the document's
   ``tags`` (which Material's result list shows) and the query words get
   their diacritics back (Material shows them as missing words and passes
   the found ones to the opened page).
2. Index. ``extend_index`` (``on_post_build``, after Material's search plugin
   wrote the index and before the ``offline`` plugin copies it) adds each
   guide's ``service`` and ``keywords`` to the guide's main entry as two
   fields, declared with boosts in the index's ``config.fields``: the worker
   indexes every declared field, the result list shows only title and text.
3. Pages. ``camnang-search.js`` is also loaded on every page
   (``extra_javascript``): it searches on every change of the search box
   (voice typing, paste), and, as Material's ``search.highlight`` passes the
   found words in ``?h=`` already folded, it highlights them on the opened
   page with folding instead of Material's literal matching.

The JavaScript fold must equal the Python one: the marks it drops after NFD
are generated from the same ``unicodedata`` (``combining_marks_class``), and
tests/test_search_browser.py checks both agree in Chromium. A Material
upgrade that moves these hooks makes ``install_assets`` fail the build or the
browser tests fail, rather than search silently losing Vietnamese.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import unicodedata
from functools import lru_cache
from importlib import resources
from pathlib import Path

from mkdocs.structure.files import File, Files

from .errors import ConfigError, Problem
from .model import Library

log = logging.getLogger("mkdocs.plugins.camnang.search")

LANGUAGE = "vi"
LANGUAGE_FILE = f"assets/javascripts/lunr/min/lunr.{LANGUAGE}.min.js"
"""Material's lunr language module for Vietnamese, loaded by the search worker."""
PAGE_SCRIPT = "assets/javascripts/camnang-search.js"
FIELDS = {"service": {"boost": 1000.0}, "keywords": {"boost": 100.0}}
"""Extra index fields: the service ranks like the title (Material: 1000),
keywords above a passing mention in the text (1)."""
INDEX_FILE = "search/search_index.json"
_MARKS_PLACEHOLDER = "@@MARKS@@"


@lru_cache(maxsize=1)
def combining_marks_class() -> str:
    """Body of a JavaScript regex class (``u`` flag) matching exactly the code
    points ``camnang.text.fold`` drops: those with a non-zero canonical
    combining class in this Python's Unicode database."""
    ranges: list[list[int]] = []
    for cp in range(sys.maxunicode + 1):
        if unicodedata.combining(chr(cp)):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
    return "".join(
        f"\\u{{{a:x}}}" if a == b else f"\\u{{{a:x}}}-\\u{{{b:x}}}" for a, b in ranges
    )


@lru_cache(maxsize=1)
def script() -> str:
    """camnang-search.js, ready to serve."""
    source = resources.files("camnang").joinpath("templates/search/camnang-search.js")
    return source.read_text(encoding="utf-8").replace(_MARKS_PLACEHOLDER, combining_marks_class())


def search_config(config):
    """The options of Material's search plugin, or None when search is off."""
    for name in ("material/search", "search"):
        plugin = config.plugins.get(name)
        if plugin is not None:
            return plugin.config if plugin.config.get("enabled", True) else None
    return None


def add_page_script(config) -> None:
    """on_config: load camnang-search.js on every page."""
    if search_config(config) is None:
        return
    if PAGE_SCRIPT not in [str(s) for s in config.extra_javascript]:
        config.extra_javascript.append(PAGE_SCRIPT)


def install_assets(files: Files, config) -> None:
    """on_files: append our code to the theme's lunr.vi module and add the
    page script. Fails the build when Material no longer ships the module
    (its search changed: update this module) or search is not Vietnamese."""
    search = search_config(config)
    if search is None:
        return
    config_file = config.config_file_path or "mkdocs.yml"
    if LANGUAGE not in (search.get("lang") or []):
        raise ConfigError(
            Problem(
                path=str(config_file),
                field="plugins.search.lang",
                message=f"tìm kiếm không dấu cần ngôn ngữ tìm kiếm '{LANGUAGE}', đang là {search.get('lang')!r}",
                hint="bỏ tùy chọn lang của plugin search, hoặc thêm vi vào danh sách",
            )
        )
    theme_file = files.get_file_from_path(LANGUAGE_FILE)
    if theme_file is None or not theme_file.abs_src_path:
        raise ConfigError(
            Problem(
                path=str(config_file),
                field="theme",
                message=f"giao diện không còn tệp {LANGUAGE_FILE}: phiên bản Material này đã đổi cách tìm kiếm",
                hint="dùng mkdocs-material 9.x như pyproject.toml ghi, hoặc cập nhật camnang/search.py",
            )
        )
    original = Path(theme_file.abs_src_path).read_text(encoding="utf-8")
    files.remove(theme_file)
    files.append(File.generated(config, LANGUAGE_FILE, content=original.rstrip() + "\n" + script()))
    existing = files.get_file_from_path(PAGE_SCRIPT)
    if existing is not None:
        files.remove(existing)
    files.append(File.generated(config, PAGE_SCRIPT, content=script()))


def guide_fields(library: Library, url_of) -> dict[str, dict]:
    """Index location of each guide's page -> the fields to add to it."""
    out = {}
    for guide in library.guides:
        fields: dict = {"service": guide.service}
        if guide.keywords:
            fields["keywords"] = list(guide.keywords)
        out[url_of(guide)] = fields
    return out


def extend_index(index: dict, by_location: dict[str, dict]) -> int:
    """Add the guide fields to their main entries (the one whose location has
    no #anchor) and declare them; returns how many entries were extended."""
    index.setdefault("config", {}).setdefault("fields", {}).update(FIELDS)
    done = 0
    for entry in index.get("docs", []):
        fields = by_location.get(entry.get("location"))
        if fields is not None:
            entry.update(fields)
            done += 1
    return done


def extend_index_file(site_dir: str | Path, by_location: dict[str, dict]) -> None:
    """on_post_build: rewrite search/search_index.json in place (atomically)."""
    path = Path(site_dir) / INDEX_FILE
    if not path.is_file():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    done = extend_index(index, by_location)
    if done != len(by_location):
        log.warning("camnang: %d of %d guides not found in the search index", len(by_location) - done, len(by_location))
    data = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
    fd, tmp = tempfile.mkstemp(prefix=".search_index.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(data)
        os.chmod(tmp, path.stat().st_mode & 0o777)  # mkstemp makes it private
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
