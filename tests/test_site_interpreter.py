"""No second interpreter (issue 20, items 1 and 15): guide text never
reaches Python-Markdown, whose ``attr_list`` and ``md_in_html`` turned a
title into ``<a autofocus onfocus=...>`` that ran on page load.

One real MkDocs build (printables off: the pages are what is checked) of
a guide whose every field holds Markdown, attribute lists, ``md_in_html``
markup and YAML escapes. Every page and search file of the site has no
event-handler attribute, no ``autofocus`` and no ``javascript:`` link; the
guide page and the home page show the fields as typed; Chromium opens both
and no dialog fires.
"""

from __future__ import annotations

import json
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, make_project, run_mkdocs, serve

GUIDE = FIXTURES / "hostile" / "interpreter" / "doc-hai-markdown.md"


def _visible(text: str) -> str:
    """Text as a reader sees it: invisible and control characters dropped
    (the loader may remove them), white space collapsed."""
    kept = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf"))
    return " ".join(kept.split())


class _Page(HTMLParser):
    """Every tag with its attributes, and the text of chosen elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.texts: dict[str, list[str]] = {}
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        key = tag if tag in ("h1", "title") else a.get("class", "")
        if key in ("h1", "title", "camnang-summary", "camnang-meta"):
            self._open.append(key)
            self.texts.setdefault(key, []).append("")
        elif self._open:
            self._open.append("")

    def handle_endtag(self, tag):
        if self._open and tag not in ("input", "img", "br", "meta", "link", "path"):
            self._open.pop()

    def handle_data(self, data):
        for key in self._open:
            if key:
                self.texts[key][-1] += data


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _active(tag: str, attrs: dict) -> list[str]:
    """What in one tag could run script."""
    found = [f"<{tag} {k}>" for k in attrs if k.startswith("on") or k == "autofocus"]
    for k in ("href", "src", "action", "formaction"):
        v = (attrs.get(k) or "").strip().lower()
        if v.startswith(("javascript:", "data:text", "vbscript:")):
            found.append(f"<{tag} {k}={v[:40]}>")
    return found


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("interpreter")
    project = make_project(tmp, [GUIDE])
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("      guides_dir: guides\n", "      guides_dir: guides\n      printables: false\n"),
        encoding="utf-8",
    )
    site = tmp / "site"
    result = run_mkdocs(project, site)
    assert result.returncode == 0, result.stderr
    return site


def _meta() -> dict:
    text = GUIDE.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])


def test_no_page_or_search_file_carries_script(hostile_site: Path):
    problems = []
    for path in sorted(hostile_site.rglob("*.html")):
        for tag, attrs in _parse(path).tags:
            problems += [f"{path.relative_to(hostile_site)}: {p}" for p in _active(tag, attrs)]
    for path in sorted(hostile_site.rglob("*.json")):
        text = json.dumps(json.loads(path.read_text(encoding="utf-8")), ensure_ascii=False)
        for m in re.finditer(r"<[a-z][^<>]*?\s(on[a-z]+|autofocus)\b[^<>]*>|javascript:alert", text):
            # In a search file the guide's text may say "onclick=alert(2)" as
            # words; markup carrying it as an attribute is the fault.
            if m.group(0).startswith("<"):
                problems.append(f"{path.relative_to(hostile_site)}: {m.group(0)[:80]}")
    assert problems == []


def test_no_invisible_character_or_look_alike_host_is_published(hostile_site: Path):
    """The guide's YAML escapes (\\x01, \\e, \\u202E) are removed after
    decoding: no control, bidi or invisible character reaches a page or a
    search file, and no link leads to a punycode look-alike host."""
    from camnang.text import UNSAFE_CHARS

    found = []
    for path in sorted([*hostile_site.rglob("*.html"), *hostile_site.rglob("*.json")]):
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(hostile_site)}: U+{ord(m.group(0)):04X}" for m in UNSAFE_CHARS.finditer(text)]
        found += [f"{path.relative_to(hostile_site)}: {m.group(0)}" for m in re.finditer(r"https?://[^\s\"'<>]*xn--[^\s\"'<>]*", text)]
    assert found == []


def test_fields_print_as_typed(hostile_site: Path):
    meta = _meta()
    page = _parse(hostile_site / "huong-dan" / "doc-hai-markdown" / "index.html")
    assert [_visible(t) for t in page.texts["h1"]] == [_visible(meta["title"])]
    assert _visible(page.texts["title"][0]).startswith(_visible(meta["title"]))
    assert [_visible(t) for t in page.texts["camnang-summary"]] == [_visible(meta["summary"])]
    assert _visible(meta["time_needed"]) in _visible(page.texts["camnang-meta"][0])
    html = (hostile_site / "huong-dan" / "doc-hai-markdown" / "index.html").read_text(encoding="utf-8")
    # The step's attribute list is text after the link, not attributes of it.
    assert "{onclick=alert(9) autofocus onfocus=alert(10)}" in html
    assert "Phần thêm {#them onclick=alert(15)}" in html
    description = re.search(r'<meta name="description" content="([^"]*)"', html).group(1)
    assert _visible(description.replace("&lt;", "<").replace("&gt;", ">").replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&")) == _visible(meta["summary"])


def test_home_card_summary_is_literal(hostile_site: Path):
    """Item 15: "2024. ..." was read as a numbered list and "2024." lost."""
    meta = _meta()
    home = (hostile_site / "index.html").read_text(encoding="utf-8")
    card = re.search(r'<a href="huong-dan/doc-hai-markdown/"><strong>(.*?)</strong></a></p>\s*<p>(.*?)</p>', home, re.S)
    assert card, "the guide's card is missing from the home page"
    unescape = __import__("html").unescape
    assert _visible(unescape(card.group(1))) == _visible(meta["title"])
    assert _visible(unescape(card.group(2))) == _visible(meta["summary"])


def test_chromium_opens_pages_without_a_dialog(hostile_site: Path, browser):
    dialogs: list[str] = []
    with serve(hostile_site) as url:
        context = browser.new_context(viewport={"width": 360, "height": 780}, service_workers="block")
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for path in ("", "huong-dan/doc-hai-markdown/"):
            page.goto(url + path)
            page.wait_for_load_state("load")
            for link in page.locator("article a").all()[:40]:
                href = link.get_attribute("href") or ""
                assert not href.lower().startswith("javascript:"), href
            page.keyboard.press("Tab")
            page.keyboard.press("Tab")
        context.close()
    assert dialogs == []
