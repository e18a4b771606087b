"""Site search that finds Vietnamese typed without diacritics, instantly at
1,000 guides.

Why: residents type on cheap phones, often without diacritics ("bao hiem",
"dang ky") or with some ("bảo hiem"). Material for MkDocs' own search
(lunr.js) compares words exactly and builds its index in the browser (8 s
before the first answer at 1,000 guides). camnang has its own search worker
instead, with an index prebuilt here, plugged into Material's search dialog
through its documented extension point: the page talks to a web worker
whose address is ``search`` in the page's ``__config`` and which speaks
Material's ``SearchMessage`` protocol (SETUP -> READY, QUERY -> RESULT with
``items: SearchItem[][]``; Material 9.x,
integrations/search/worker/_/index.ts: "the application does not care how
search is implemented, as long as the web worker conforms to the format").
Material's result list, messages and keyboard handling stay as they are.

What the build writes (``write_index``, on_post_build after Material's search
plugin wrote ``search/search_index.json``; README, "Search"):

- ``search/camnang/pages.json``, read when search starts: for each page its
  address, title, service and keywords (shown as tags), how many sections it
  has, and the word separator; a version that changes with the index.
- ``search/camnang/t-<key>.json``, the inverted index, one file per first
  letter of the folded word, split by the next letters while larger than
  ``CHUNK_BYTES`` (``chunk_keys``: a query loads only the files its words
  can match): folded word -> the words as written ("bảo", "báo") and its
  postings: section, field (title, text, service, keywords), and for each
  occurrence its position (block << 12 | word) and which written form it is.
- ``search/camnang/t-core.json``, the same for the words of section titles
  that tell pages apart, in one file the offline worker stores on the
  first visit (camnang.offline's shell): when a t-<key>.json cannot be
  loaded (offline, never stored), the worker searches this and the words
  of every page's title, service and keywords, built from pages.json
  (``CORE_KEY``), so every guide is found by its names with no signal.
- ``search/camnang/d-<n>.json``, the sections of ``GROUP`` pages each: anchor,
  title and text as plain text blocks (for the result list, loaded for the
  first pages a query lists).
- ``search/search_index.json``, which the page itself fetches and hands to
  the worker, keeps only its ``config``.

Words are split with the search plugin's ``separator`` (mkdocs.yml) and folded
with ``camnang.text.fold`` (tones and vowel marks dropped, đ -> d,
lower-cased). The worker (``camnang-search.js``, the same file that runs on
every page) folds queries the same way: the marks it drops are generated
from the same ``unicodedata`` (``combining_marks_class``), and
tests/test_search_browser.py checks both agree in Chromium. Guide text
reaches the result list only escaped, with ``<mark>`` added by the worker.

``use_worker`` (on_post_page) points the page's ``__config`` at
``camnang-search.js`` instead of Material's lunr worker; the build fails if
Material's page no longer carries that setting. ``add_help`` (on_post_page)
writes, just above Material's result list, the help the page script shows
when a query finds nothing or only a weak answer (README, "Ranking,
typos, weak answers"): the categories' pages and the team page.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

from mkdocs.structure.files import File, Files
from mkdocs.utils import get_relative_url

from .errors import ConfigError, Problem
from .model import Library
from .text import fold
from .writer import write_atomic

log = logging.getLogger("mkdocs.plugins.camnang.search")

PAGE_SCRIPT = "assets/javascripts/camnang-search.js"
"""The page script, which is also the search worker."""
INDEX_FILE = "search/search_index.json"
INDEX_DIR = "search/camnang"
PAGES_FILE = f"{INDEX_DIR}/pages.json"
GROUP = 8
"""Pages per d-<n>.json file (a query loads those of the first pages it
lists, camnang-search.js FULL_PAGES)."""
FIELDS = ("title", "text", "service", "keywords")
"""Field numbers in the postings; boosts in camnang-search.js."""
BLOCK_BITS = 12
MAX_WORD = (1 << BLOCK_BITS) - 1
EXTRA_SEPARATOR = r"|[<>&*+^~]+"
"""Words also end at these (the index holds plain text, not escaped HTML, and
queries may carry lunr-style modifiers)."""
DEFAULT_SEPARATOR = r"[\s\-]+"
_MARKS_PLACEHOLDER = "@@MARKS@@"

_CONFIG_SCRIPT = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)


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


def script_version() -> str:
    return hashlib.sha256(script().encode("utf-8")).hexdigest()[:12]


def search_config(config):
    """The options of Material's search plugin, or None when search is off."""
    for name in ("material/search", "search"):
        plugin = config.plugins.get(name)
        if plugin is not None:
            return plugin.config if plugin.config.get("enabled", True) else None
    return None


# --------------------------------------------------------------------------
# Hooks
# --------------------------------------------------------------------------


def add_page_script(config) -> None:
    """on_config: load camnang-search.js on every page."""
    if search_config(config) is None:
        return
    if PAGE_SCRIPT not in [str(s) for s in config.extra_javascript]:
        config.extra_javascript.append(PAGE_SCRIPT)


def install_assets(files: Files, config) -> None:
    """on_files: the page script (which is also the worker)."""
    if search_config(config) is None:
        return
    existing = files.get_file_from_path(PAGE_SCRIPT)
    if existing is not None:
        files.remove(existing)
    files.append(File.generated(config, PAGE_SCRIPT, content=script()))


def use_worker(output: str, page, config) -> str:
    """on_post_page: the page's search talks to camnang-search.js.

    Material reads the worker's address from ``search`` in the JSON of
    ``<script id="__config">`` (partials of base.html, block ``config``).
    Fails the build when a page with Material's search has no such setting
    (a Material upgrade moved it: update this function)."""
    if search_config(config) is None or 'data-md-component="search"' not in output:
        return output
    m = _CONFIG_SCRIPT.search(output)
    data = None
    if m is not None:
        try:
            data = json.loads(m.group(2))
        except ValueError:
            data = None
    if not isinstance(data, dict) or not isinstance(data.get("search"), str):
        raise ConfigError(
            Problem(
                path=str(config.config_file_path or "mkdocs.yml"),
                field="theme",
                message=(
                    f"trang {page.file.src_uri}: không thấy địa chỉ search worker trong __config của Material: "
                    "phiên bản Material này đã đổi cách tìm kiếm"
                ),
                hint="dùng mkdocs-material 9.x như pyproject.toml ghi, hoặc cập nhật camnang/search.py",
            )
        )
    data["search"] = get_relative_url(PAGE_SCRIPT, page.url or ".") + "?v=" + script_version()
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # As Jinja's tojson: nothing in it can close the script element.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("'", "\\u0027")
    return output[: m.start(2)] + text + output[m.end(2) :]


_RESULT_LIST = '<ol class="md-search-result__list"'


@dataclass(frozen=True)
class HelpLink:
    """A link of the help shown when search finds nothing or little."""

    text: str
    url: str
    """From the site's root (``chu-de/dinh-danh/``)."""
    count: int = 0


def help_html(topics: list[HelpLink], team: HelpLink | None, page_url: str) -> str:
    """The help the search dialog shows above a weak or empty result
    (camnang-search.js, helpWhenWeak): what happened, the categories and
    where to get help, links relative to the page. Hidden until then."""
    from html import escape

    def link(item: HelpLink) -> str:
        return f'<a href="{escape(get_relative_url(item.url, page_url or "."), quote=True)}">{escape(item.text)}</a>'

    out = ['<div class="camnang-search-help" hidden aria-live="polite">']
    out.append('<p data-when="empty" hidden><strong>Không tìm thấy hướng dẫn nào với từ đã gõ.</strong> Thử gõ ít từ hơn, hoặc tên dịch vụ (VNeID, VssID, Zalo...).</p>')
    out.append('<p data-when="weak" hidden><strong>Chưa thấy hướng dẫn nào đúng hẳn với từ đã gõ.</strong> Các hướng dẫn gần nhất ở ngay dưới đây; có thể chưa có hướng dẫn cho việc này.</p>')
    if topics:
        out.append("<p>Xem hướng dẫn theo chủ đề:</p><ul>")
        out += [f"<li>{link(t)} ({t.count})</li>" for t in topics]
        out.append("</ul>")
    if team is not None:
        out.append(f"<p>Cần người giúp: hỏi tổ công nghệ số cộng đồng ở thôn, xã ({link(team)}).</p>")
    else:
        out.append("<p>Cần người giúp: hỏi tổ công nghệ số cộng đồng ở thôn, xã.</p>")
    out.append("</div>")
    return "".join(out)


def add_help(output: str, page, config, topics: list[HelpLink], team: HelpLink | None) -> str:
    """on_post_page: the help for weak results, just above Material's result list."""
    if search_config(config) is None or _RESULT_LIST not in output:
        return output
    return output.replace(_RESULT_LIST, help_html(topics, team, page.url) + _RESULT_LIST, 1)


# --------------------------------------------------------------------------
# Index
# --------------------------------------------------------------------------


def guide_fields(library: Library, url_of) -> dict[str, dict]:
    """Index location of each guide's page -> its service and keywords."""
    out = {}
    for guide in library.guides:
        out[url_of(guide)] = {"service": guide.service, "keywords": list(guide.keywords)}
    return out


_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd details dialog div dl dt fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td tfoot th thead tr ul".split()
)


class _Blocks(HTMLParser):
    """HTML (as Material's search plugin stores it) -> plain text blocks,
    one per paragraph, list item, table cell..."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._current: list[str] = []

    def _flush(self) -> None:
        text = " ".join("".join(self._current).split())
        if text:
            self.blocks.append(text)
        self._current = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag):
        if tag in _BLOCK_TAGS:
            self._flush()

    def handle_data(self, data):
        self._current.append(data)

    def close(self):
        super().close()
        self._flush()


def text_blocks(html_text: str) -> list[str]:
    parser = _Blocks()
    parser.feed(html_text or "")
    parser.close()
    return parser.blocks


def plain_text(html_text: str) -> str:
    return " ".join(text_blocks(html_text))


@dataclass
class Doc:
    anchor: str  # "" for the page itself, "#section" for a section
    title: str
    blocks: list[str]


@dataclass
class Page:
    location: str
    title: str
    docs: list[Doc] = field(default_factory=list)
    service: str = ""
    keywords: list[str] = field(default_factory=list)


def pages_of(index: dict, by_location: dict[str, dict]) -> list[Page]:
    """Material's index entries grouped by page (the page's own entry first,
    then its sections), as plain text."""
    pages: dict[str, Page] = {}
    for entry in index.get("docs", []):
        location = str(entry.get("location", ""))
        path, _, anchor = location.partition("#")
        title = plain_text(str(entry.get("title", "")))
        page = pages.get(path)
        if page is None:
            page = pages[path] = Page(location=path, title=title)
            if anchor:  # no entry for the page itself: an untitled one
                page.docs.append(Doc("", title, []))
        blocks = text_blocks(str(entry.get("text", "")))
        if not anchor and blocks and blocks[0] == title:
            blocks = blocks[1:]  # the page's heading, already its title
        doc = Doc("#" + anchor if anchor else "", title, blocks)
        if not anchor and page.docs:
            continue  # a second entry for the page itself
        page.docs.append(doc)
    for path, fields in by_location.items():
        page = pages.get(path)
        if page is not None:
            page.service = fields.get("service", "") or ""
            page.keywords = [str(k) for k in fields.get("keywords", [])]
    return list(pages.values())


def word_splitter(separator: str) -> re.Pattern:
    return re.compile(f"(?:{separator}){EXTRA_SEPARATOR}")


def words(text: str, splitter: re.Pattern) -> list[str]:
    """The words of a text, as the worker splits them (every non-empty piece
    counts for positions)."""
    return [w for w in splitter.split(text) if w]


CHUNK_BYTES = 256 * 1024
"""A t-<key>.json file is split by one more letter while larger than this."""
MAX_KEY = 3


def _alnum(c: str) -> bool:
    return "a" <= c <= "z" or "0" <= c <= "9"


def chunk_keys(sizes: dict[str, int]) -> dict[str, str]:
    """Folded word -> the key of the t-<key>.json that holds it.

    Words are grouped by first letter, and a group larger than CHUNK_BYTES
    by one more letter, up to MAX_KEY letters ("t" -> "th" -> "thu"), so a
    query loads only the files of the words it can match: those whose key
    starts with the query word or is the start of it (camnang-search.js).
    Words that start with anything but a-z, 0-9 are in "_"."""
    out: dict[str, str] = {}

    def refine(prefix: str, terms: list[str]) -> None:
        if len(prefix) >= MAX_KEY or sum(sizes[t] for t in terms) <= CHUNK_BYTES:
            out.update((t, prefix) for t in terms)
            return
        sub: dict[str, list[str]] = {}
        for t in terms:
            c = t[len(prefix) : len(prefix) + 1]
            sub.setdefault(prefix + c if c and _alnum(c) else prefix, []).append(t)
        for key, group in sub.items():
            if key == prefix:
                out.update((t, prefix) for t in group)
            else:
                refine(key, group)

    first: dict[str, list[str]] = {}
    for t in sorted(sizes):
        first.setdefault(t[0] if _alnum(t[0]) else "_", []).append(t)
    for key, terms in first.items():
        if key == "_":
            out.update((t, key) for t in terms)
        else:
            refine(key, terms)
    # A file left with only its own word ("d" when "d" was split into "da",
    # "dă"...) would be one more request for most queries: that word goes
    # to the first longer file (any query that can match it loads that one).
    members: dict[str, list[str]] = {}
    for t, key in out.items():
        members.setdefault(key, []).append(t)
    for key in sorted(members, reverse=True):  # longest keys first
        if members[key] != [key]:
            continue
        longer = sorted(k for k in members if k != key and k.startswith(key) and members[k])
        if longer:
            out[key] = longer[0]
            members[longer[0]].append(key)
            members[key] = []
    return out


class _Postings:
    def __init__(self) -> None:
        self.variants: dict[str, int] = {}
        self.flat: list[int] = []


CORE_KEY = "core"
"""t-core.json: for offline use, stored on the first visit (camnang.offline's
shell) with pages.json. With no signal, a word file not stored is replaced
by the words of every page's title, service and keywords, which the worker
builds from pages.json itself (camnang-search.js, namesChunk: no byte
more), and by this file: the words of section titles that tell pages apart
(those in the section titles of at most CORE_SECTION_SHARE of the pages;
"Các bước", "Lưu ý" of every guide are left out)."""
CORE_SECTION_SHARE = 0.1


def core_chunk(terms: dict[str, _Postings], main_docs: set[int], page_of: list[int]) -> dict:
    """The postings of section titles (field 0 of a page's sections, not of
    the page itself) of the words found in the section titles of few pages,
    as a chunk: same format as t-<key>.json, the written forms renumbered."""
    out: dict[str, list] = {"k": [], "w": [], "p": []}
    title_field = FIELDS.index("title")
    limit = max(3, int(CORE_SECTION_SHARE * (max(page_of, default=0) + 1)))
    for term in sorted(terms):
        p = terms[term]
        flat, kept, j = p.flat, [], 0
        used: dict[int, int] = {}
        pages: set[int] = set()
        while j < len(flat):
            doc, field_no, count = flat[j], flat[j + 1], flat[j + 2]
            occ = flat[j + 3 : j + 3 + 2 * count]
            j += 3 + 2 * count
            if field_no != title_field or doc in main_docs:
                continue
            pages.add(page_of[doc])
            kept.extend((doc, field_no, count))
            for k in range(0, len(occ), 2):
                kept.extend((occ[k], used.setdefault(occ[k + 1], len(used))))
        if kept and len(pages) <= limit:
            variants = list(p.variants)
            out["k"].append(term)
            out["w"].append([variants[v] for v in sorted(used, key=used.get)])
            out["p"].append(kept)
    return out


def build_index(pages: list[Page], separator: str) -> tuple[dict, dict[str, dict], list[list]]:
    """pages.json, the t-<c>.json chunks (and t-core.json) and the d-<n>.json groups."""
    splitter = word_splitter(separator)
    terms: dict[str, _Postings] = {}
    doc_id = 0

    def add(doc: int, field_no: int, blocks: list[str]) -> None:
        hits: dict[str, list[int]] = {}
        for b, block in enumerate(blocks):
            for w, word in enumerate(words(block, splitter)):
                written = unicodedata.normalize("NFC", word).lower()
                term = fold(written)
                if not term:
                    continue
                p = terms.get(term)
                if p is None:
                    p = terms[term] = _Postings()
                v = p.variants.setdefault(written, len(p.variants))
                hits.setdefault(term, []).extend(((b << BLOCK_BITS) | min(w, MAX_WORD), v))
        for term, occ in hits.items():
            terms[term].flat.extend((doc, field_no, len(occ) // 2, *occ))

    out_pages = []
    groups: list[list] = []
    main_docs: set[int] = set()
    page_of: list[int] = []
    for i, page in enumerate(pages):
        if i % GROUP == 0:
            groups.append([])
        main_docs.add(doc_id)
        for k, doc in enumerate(page.docs):
            page_of.append(i)
            add(doc_id, 0, [doc.title])
            add(doc_id, 1, doc.blocks)
            if k == 0:
                if page.service:
                    add(doc_id, 2, [page.service])
                if page.keywords:
                    add(doc_id, 3, page.keywords)
            doc_id += 1
        groups[-1].append([[d.anchor, d.title, d.blocks] for d in page.docs])
        out_pages.append([page.location, page.title, page.service, page.keywords, len(page.docs)])

    keys = chunk_keys({t: 16 + 4 * len(p.flat) + sum(len(v) + 3 for v in p.variants) for t, p in terms.items()})
    chunks: dict[str, dict] = {}
    for term in sorted(terms):
        p = terms[term]
        c = chunks.setdefault(keys[term], {"k": [], "w": [], "p": []})
        c["k"].append(term)
        c["w"].append(list(p.variants))
        c["p"].append(p.flat)
    chunks[CORE_KEY] = core_chunk(terms, main_docs, page_of)
    meta = {
        "separator": f"(?:{separator}){EXTRA_SEPARATOR}",
        "group": GROUP,
        "docs": doc_id,
        "chunks": sorted(k for k in chunks if k != CORE_KEY),
        "core": CORE_KEY,
        "pages": out_pages,
    }
    return meta, chunks, groups


def _dump(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def write_index(site_dir: str | Path, by_location: dict[str, dict]) -> None:
    """on_post_build: camnang's search files, and search_index.json reduced to
    its config."""
    site = Path(site_dir)
    path = site / INDEX_FILE
    if not path.is_file():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    config = index.get("config", {})
    separator = config.get("separator") or DEFAULT_SEPARATOR
    pages = pages_of(index, by_location)
    found = sum(1 for p in pages if p.location in by_location)
    if found != len(by_location):
        log.warning("camnang: %d of %d guides not found in the search index", len(by_location) - found, len(by_location))
    meta, chunks, groups = build_index(pages, separator)

    files = {f"{INDEX_DIR}/t-{key}.json": _dump(chunk) for key, chunk in chunks.items()}
    files.update({f"{INDEX_DIR}/d-{n}.json": _dump(group) for n, group in enumerate(groups)})
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode("utf-8"))
    digest.update(_dump(meta).encode("utf-8"))
    meta["version"] = digest.hexdigest()[:12]
    files[PAGES_FILE] = _dump(meta)
    files[INDEX_FILE] = _dump({"config": config, "docs": []})
    for name, text in files.items():
        write_atomic(site / name, text.encode("utf-8"), durable=False)


def load_docs(site_dir: str | Path) -> tuple[dict, list[dict]]:
    """What a built site's search holds, one entry per page and section as
    Material's index has them (``location``, ``title``, ``text`` as plain
    text; ``service`` and ``keywords`` on a page's own entry), and
    pages.json. For tests and benchmarks."""
    folder = Path(site_dir) / INDEX_DIR
    meta = json.loads((folder / "pages.json").read_text(encoding="utf-8"))
    entries = []
    groups: dict[int, list] = {}
    for p, (location, _title, service, keywords, _count) in enumerate(meta["pages"]):
        n = p // meta["group"]
        if n not in groups:
            groups[n] = json.loads((folder / f"d-{n}.json").read_text(encoding="utf-8"))
        for k, (anchor, title, blocks) in enumerate(groups[n][p % meta["group"]]):
            entry = {"location": location + anchor, "title": title, "text": " ".join(blocks)}
            if k == 0:
                entry.update(service=service, keywords=keywords)
            entries.append(entry)
    return meta, entries

