"""Search without diacritics: what the build writes for Material's search.

What a user sees is tested in Chromium (test_search_browser.py); these tests
check the build output and the hooks into Material that make it work, so a
Material upgrade that moves them fails here with a clear message."""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path

import material
import pytest

from camnang import search
from camnang.config import load_categories
from camnang.text import fold
from camnang.validate import load_library

from conftest import ROOT

MATERIAL = Path(material.__file__).parent / "templates"


def _index(site: Path) -> dict:
    return json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))


def test_marks_class_is_exactly_what_fold_drops():
    ranges = re.findall(r"\\u\{([0-9a-f]+)\}(?:-\\u\{([0-9a-f]+)\})?", search.combining_marks_class())
    listed = set()
    for a, b in ranges:
        listed.update(range(int(a, 16), int(b or a, 16) + 1))
    dropped = {cp for cp in range(sys.maxunicode + 1) if unicodedata.combining(chr(cp))}
    assert listed == dropped
    # The marks Vietnamese uses are among them.
    for mark in "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b":
        assert ord(mark) in listed


def test_script_has_the_marks_filled_in():
    js = search.script()
    assert "@@MARKS@@" not in js
    assert "\\u{300}-\\u{34e}" in js  # tone and vowel marks, not U+034F (CGJ)


def test_material_still_takes_a_custom_worker():
    """Material's documented extension point: the page reads the worker's
    address from ``search`` in ``__config`` and exchanges SearchMessages
    with it (SETUP=0, READY=1, QUERY=2, RESULT=3); the result list renders
    each item's title and text as HTML, its tags and missing words, and
    passes the found words to the opened page as ?h=."""
    base = (MATERIAL / "base.html").read_text(encoding="utf-8")
    assert re.search(r'<script id="__config" type="application/json">.*"search": "assets/javascripts/workers/search\.', base, re.S)
    (bundle,) = (MATERIAL / "assets/javascripts").glob("bundle.*.min.js")
    code = bundle.read_text(encoding="utf-8")
    assert "md-search-result__terms" in code and "md-tags" in code
    assert 'searchParams.set("h"' in code
    sources = json.loads(bundle.with_name(bundle.name + ".map").read_text(encoding="utf-8"))
    message = next(
        text for name, text in zip(sources["sources"], sources["sourcesContent"])
        if name.endswith("integrations/search/worker/message/index.ts")
    )
    assert re.search(r"enum SearchMessageType \{\s*SETUP,[^}]*READY,[^}]*QUERY,[^}]*RESULT", message)


def _docs(site: Path) -> list[dict]:
    return search.load_docs(site)[1]


def test_build_index_postings():
    pages = [
        search.Page("", "Trang chủ", [search.Doc("", "Trang chủ", ["Bảo hiểm, báo tin."])]),
        search.Page(
            "huong-dan/a/", "Đăng ký",
            [search.Doc("", "Đăng ký", ["Xin chào"]), search.Doc("#buoc", "Các bước", ["Bấm Đăng ký", "bảo"])],
            service="VNeID", keywords=["CCCD", "căn cước"],
        ),
    ]
    meta, chunks, groups = search.build_index(pages, r"[\s\-]+|\.(?!\d)")
    assert meta["docs"] == 3
    assert [p[0] for p in meta["pages"]] == ["", "huong-dan/a/"]
    assert meta["pages"][1][2:] == ["VNeID", ["CCCD", "căn cước"], 2]
    assert meta["chunks"] == sorted(set(chunks) - {search.CORE_KEY}) and meta["core"] == search.CORE_KEY
    core = chunks.pop(search.CORE_KEY)

    def postings(term):
        (chunk,) = [c for c in chunks.values() if term in c["k"]]
        t = chunk["k"].index(term)
        return chunk["w"][t], chunk["p"][t]

    # "bao": two written forms; doc 0 text block 0 words 0 and 2; doc 2 text block 1 word 0.
    written, flat = postings("bao")
    assert written == ["bảo", "báo"]
    assert flat == [0, 1, 2, 0, 0, 2, 1, 2, 1, 1, (1 << 12) | 0, 0]
    # Title (field 0) and text (field 1) of the section, and the page's title.
    written, flat = postings("dang")
    assert written == ["đăng"]
    assert flat == [1, 0, 1, 0, 0, 2, 1, 1, 1, 0]
    # Service (field 2) and keywords (field 3), one block per keyword.
    assert postings("vneid")[1] == [1, 2, 1, 0, 0]
    assert postings("cuoc")[1] == [1, 3, 1, (1 << 12) | 1, 0]
    # Keys are sorted in each chunk (the worker searches them by halves).
    for chunk in chunks.values():
        assert chunk["k"] == sorted(chunk["k"])
    assert groups == [[[["", "Trang chủ", ["Bảo hiểm, báo tin."]]], [["", "Đăng ký", ["Xin chào"]], ["#buoc", "Các bước", ["Bấm Đăng ký", "bảo"]]]]]

    # The core words (stored for offline use): the section titles' words
    # (those of a page's own title, service and keywords are built by the
    # worker from pages.json), the written forms renumbered.
    assert core == {"k": ["buoc", "cac"], "w": [["bước"], ["các"]], "p": [[2, 0, 1, 1, 0], [2, 0, 1, 0, 0]]}


def test_core_words_leave_out_the_section_titles_of_every_guide():
    """"Các bước" heads a section of every guide: no use to tell them apart
    offline, and at 1,000 guides a first visit would pay for it."""
    pages = [
        search.Page(f"huong-dan/{i}/", f"Hướng dẫn {i}", [search.Doc("", f"Hướng dẫn {i}", []), search.Doc("#b", "Các bước", [])])
        for i in range(40)
    ]
    pages.append(search.Page("to/", "Tổ", [search.Doc("", "Tổ", []), search.Doc("#in", "In tờ rơi", [])]))
    _meta, chunks, _groups = search.build_index(pages, r"[\s\-]+")
    assert chunks[search.CORE_KEY]["k"] == ["in", "roi", "to"]


def test_large_letters_are_split_into_smaller_files():
    sizes = {"tai": 160_000, "tam": 160_000, "thu": 120_000, "the": 120_000, "t": 10, "t.x": 10, "ba": 10, "1.000": 5, "%": 1}
    keys = search.chunk_keys(sizes)
    # "t" is too large: split by its second letter; "ta" too, by its third.
    assert keys == {
        "tai": "tai", "tam": "tam", "thu": "th", "the": "th", "t": "t", "t.x": "t",
        "ba": "b", "1.000": "1", "%": "_",
    }
    # Every word's file key is the start of the word (or "_").
    assert all(w.startswith(k) or k == "_" for w, k in keys.items())
    # A file that would hold only its own short word: the word goes to the
    # next longer file, which any query that can match it loads too.
    assert search.chunk_keys({"d": 10, "dan": 200_000, "dao": 200_000}) == {"d": "dan", "dan": "dan", "dao": "dao"}


def test_text_blocks_are_plain_text():
    html = '<p>Một &amp; hai <code>&lt;b&gt;</code></p><ul><li>ba</li><li>bốn\n năm</li></ul>sáu'
    assert search.text_blocks(html) == ["Một & hai <b>", "ba", "bốn năm", "sáu"]


def test_use_worker_points_config_at_camnang_search():
    class P:
        url = "huong-dan/a/"
        file = type("F", (), {"src_uri": "a.md"})

    class C(dict):
        config_file_path = "mkdocs.yml"
        plugins = {"search": type("S", (), {"config": {"enabled": True}})()}

    page = (
        '<div data-md-component="search"></div><script id="__config" type="application/json">'
        '{"base": "../..", "search": "../../assets/javascripts/workers/search.a7633da7.min.js", "x": "\\u003c/script\\u003e"}'
        "</script>"
    )
    out = search.use_worker(page, P(), C())
    config = json.loads(re.search(r'type="application/json">(.*?)</script>', out).group(1))
    assert config["search"] == f"../../assets/javascripts/camnang-search.js?v={search.script_version()}"
    assert config["x"] == "</script>" and "</script>\"" not in out
    with pytest.raises(search.ConfigError):
        search.use_worker('<div data-md-component="search"></div>', P(), C())


def test_help_for_weak_results_sits_above_the_list_with_relative_escaped_links():
    class P:
        url = "huong-dan/a/"

    class C(dict):
        plugins = {"search": type("S", (), {"config": {"enabled": True}})()}

    page = '<div class="md-search-result"><ol class="md-search-result__list" role="presentation"></ol></div>'
    topics = [search.HelpLink("Định danh <điện tử>", "chu-de/dinh-danh/", 2)]
    team = search.HelpLink("Dành cho tổ công nghệ số", "to-cong-nghe-so/")
    out = search.add_help(page, P(), C(), topics, team)
    help_part = out[: out.index('<ol class="md-search-result__list"')]
    assert help_part.startswith('<div class="md-search-result"><div class="camnang-search-help" hidden')
    assert '<a href="../../chu-de/dinh-danh/">Định danh &lt;điện tử&gt;</a> (2)' in help_part
    assert '<a href="../../to-cong-nghe-so/">Dành cho tổ công nghệ số</a>' in help_part
    # Shown by the page script as one of two messages, in Vietnamese.
    assert 'data-when="empty"' in help_part and 'data-when="weak"' in help_part
    assert search.add_help("<p>no search</p>", P(), C(), topics, team) == "<p>no search</p>"


def test_bundled_site_search_files(bundled_site: Path):
    library = load_library(ROOT / "guides", load_categories())
    # The page fetches search_index.json and hands it to the worker: only
    # the config (the worker loads camnang's own files).
    index = _index(bundled_site)
    assert index["docs"] == [] and index["config"]["separator"]
    meta, docs = search.load_docs(bundled_site)
    entries = {e["location"]: e for e in docs}
    # Category pages list guides found on their own pages: not searched.
    assert not [location for location in entries if location.startswith("chu-de/")]
    assert (bundled_site / "chu-de" / library.guides[0].category / "index.html").is_file()
    for guide in library.guides:
        entry = entries[guide.page_path]
        assert entry["title"] == guide.title
        assert entry["service"] == guide.service
        assert entry["keywords"] == list(guide.keywords)
        assert guide.summary in entry["text"]
    assert {f"t-{k}.json" for k in [*meta["chunks"], meta["core"]]} == {p.name for p in (bundled_site / search.INDEX_DIR).glob("t-*.json")}

    # Material's lunr module is Material's own again (no patching).
    lunr_vi = "assets/javascripts/lunr/min/lunr.vi.min.js"
    assert (bundled_site / lunr_vi).read_text(encoding="utf-8") == (MATERIAL / lunr_vi).read_text(encoding="utf-8")
    assert (bundled_site / search.PAGE_SCRIPT).read_text(encoding="utf-8") == search.script()

    # Every page loads the page script, its search runs camnang's worker,
    # and it says in Vietnamese that search is getting ready.
    for page in [bundled_site / "index.html", *bundled_site.glob("huong-dan/*/index.html")]:
        html = page.read_text(encoding="utf-8")
        assert "assets/javascripts/camnang-search.js" in html, page
        config = json.loads(re.search(r'<script id="__config" type="application/json">(.*?)</script>', html, re.S).group(1))
        assert re.fullmatch(r"(\.\./)*assets/javascripts/camnang-search\.js\?v=[0-9a-f]{12}", config["search"]), config["search"]
        assert "Đang chuẩn bị tìm kiếm" in html and "Initializing search" not in html, page
        assert '<html lang="vi"' in html


def test_home_cards_are_not_indexed_twice(bundled_site: Path):
    """The home page's cards repeat each guide's title and summary: search
    leads to the guide itself, not to the card."""
    library = load_library(ROOT / "guides", load_categories())
    home = [e for e in _docs(bundled_site) if not e["location"].split("#")[0]]
    assert home
    home_text = " ".join(e["text"] for e in home)
    for guide in library.guides:
        assert guide.summary not in home_text, guide.slug
    # The home page itself stays searchable.
    assert any("Tổ công nghệ số cộng đồng" in e["title"] for e in home)


def test_words_end_at_punctuation(bundled_site: Path):
    """The separator the index and the worker split words with: "(CCCD)," is
    the word CCCD."""
    meta = search.load_docs(bundled_site)[0]
    splitter = re.compile(meta["separator"])
    words = [w for w in splitter.split("Thẻ (CCCD), “VNeID”; giá 1.000 đồng. Xong… <b>a&b</b>") if w]
    assert words == ["Thẻ", "CCCD", "VNeID", "giá", "1.000", "đồng", "Xong", "b", "a", "b", "b"]


def test_fold_examples_from_the_issue():
    assert fold("Đăng ký") == "dang ky"
    assert fold("bảo hiểm") == fold("bảo hiem") == "bao hiem"
    assert fold("ĐỊNH DANH ĐIỆN TỬ") == "dinh danh dien tu"
