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

from camnang import search
from camnang.config import load_categories
from camnang.text import fold
from camnang.validate import load_library

from conftest import ROOT, make_project, run_mkdocs

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


def test_material_still_loads_lunr_languages_the_way_we_hook_in():
    """The worker imports lunr/min/lunr.<lang>.min.js for config.lang and
    bundles lunr 2.3.9, whose internals camnang-search.js extends."""
    (worker,) = (MATERIAL / "assets/javascripts/workers").glob("search.*.min.js")
    code = worker.read_text(encoding="utf-8")
    assert "/min/lunr." in code and ".min.js" in code and "importScripts" in code
    assert '"2.3.9"' in code
    assert re.search(r"/min/lunr\.\$\{\w+\}\.min\.js", code)
    assert (MATERIAL / search.LANGUAGE_FILE).is_file()
    # The page renders a result's tags and missing words, and passes the
    # found words to the opened page as ?h=.
    (bundle,) = (MATERIAL / "assets/javascripts").glob("bundle.*.min.js")
    code = bundle.read_text(encoding="utf-8")
    assert "md-search-result__terms" in code and "md-tags" in code
    assert 'searchParams.set("h"' in code


def test_extend_index_adds_fields_to_guide_pages_only():
    index = {
        "config": {"fields": {"title": {"boost": 1000.0}}},
        "docs": [
            {"location": "", "title": "Trang chủ", "text": ""},
            {"location": "huong-dan/a/", "title": "A", "text": ""},
            {"location": "huong-dan/a/#cac-buoc", "title": "Các bước", "text": ""},
        ],
    }
    done = search.extend_index(index, {"huong-dan/a/": {"service": "VNeID", "keywords": ["CCCD"]}})
    assert done == 1
    assert index["config"]["fields"]["service"] == {"boost": 1000.0}
    assert index["config"]["fields"]["keywords"] == {"boost": 100.0}
    assert index["config"]["fields"]["title"] == {"boost": 1000.0}
    home, page, section = index["docs"]
    assert "service" not in home and "service" not in section
    assert page["service"] == "VNeID" and page["keywords"] == ["CCCD"]


def test_bundled_site_search_files(bundled_site: Path):
    library = load_library(ROOT / "guides", load_categories())
    index = _index(bundled_site)
    assert index["config"]["lang"] == ["vi"]
    assert set(search.FIELDS) <= set(index["config"]["fields"])
    entries = {e["location"]: e for e in index["docs"]}
    for guide in library.guides:
        entry = entries[guide.page_path]
        assert entry["title"] == guide.title
        assert entry["service"] == guide.service
        assert entry.get("keywords", []) == list(guide.keywords)

    # The worker's Vietnamese module: Material's own, then ours.
    language = (bundled_site / search.LANGUAGE_FILE).read_text(encoding="utf-8")
    original = (MATERIAL / search.LANGUAGE_FILE).read_text(encoding="utf-8").rstrip()
    assert language.startswith(original)
    assert language.endswith(search.script())
    assert (bundled_site / search.PAGE_SCRIPT).read_text(encoding="utf-8") == search.script()

    # Every page loads the page script, and says in Vietnamese that search
    # is getting ready (Material's vi leaves it in English).
    for page in [bundled_site / "index.html", *bundled_site.glob("huong-dan/*/index.html")]:
        html = page.read_text(encoding="utf-8")
        assert "assets/javascripts/camnang-search.js" in html, page
        assert "Đang chuẩn bị tìm kiếm" in html and "Initializing search" not in html, page
        assert '<html lang="vi"' in html


def test_home_cards_are_not_indexed_twice(bundled_site: Path):
    """The home page's cards repeat each guide's title and summary: search
    leads to the guide itself, not to the card."""
    library = load_library(ROOT / "guides", load_categories())
    index = _index(bundled_site)
    home = [e for e in index["docs"] if not e["location"].split("#")[0]]
    assert home
    home_text = " ".join(e["text"] for e in home)
    for guide in library.guides:
        assert guide.summary not in home_text, guide.slug
    # The home page itself stays searchable.
    assert any("Tổ công nghệ số cộng đồng" in e["title"] for e in home)


def test_words_end_at_punctuation(bundled_site: Path):
    """The separator Material's tokenizer uses: "(CCCD)," is the word CCCD."""
    separator = re.compile(_index(bundled_site)["config"]["separator"])
    words = [w for w in separator.split("Thẻ (CCCD), “VNeID”; giá 1.000 đồng. Xong…") if w]
    assert words == ["Thẻ", "CCCD", "VNeID", "giá", "1.000", "đồng", "Xong"]


def test_build_fails_when_search_is_not_vietnamese(tmp_path: Path):
    project = make_project(tmp_path)
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    text = re.sub(r"  - search:\n", "  - search:\n      lang: en\n", text, count=1)
    config.write_text(text, encoding="utf-8")
    result = run_mkdocs(project, tmp_path / "site")
    assert result.returncode != 0
    assert "lang" in result.stderr and "'vi'" in result.stderr


def test_fold_examples_from_the_issue():
    assert fold("Đăng ký") == "dang ky"
    assert fold("bảo hiểm") == fold("bảo hiem") == "bao hiem"
    assert fold("ĐỊNH DANH ĐIỆN TỬ") == "dinh danh dien tu"
