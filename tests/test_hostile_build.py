"""Hostile guides built for real (issue 9): MkDocs with the camnang plugin,
WeasyPrint PDFs, the site in headless Chromium.

- escaped/doc-hai.md (markup everywhere it must print as text) builds; a
  local HTTP server that every address in the guide points to counts zero
  requests during the build; Chromium opens every page and types searches,
  and no dialog fires; every PDF link annotation is https://; the long word
  and the phone number print whole and in order; the step's picture is on
  the leaflet.
- refused/ (every attack of the issue) fails the build with a message per
  file, fetches nothing and leaves the previous site as it was.
"""

from __future__ import annotations

import functools
import re
import shutil
import threading
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import pdfs
from conftest import FIXTURES, ROOT, TEST_SITE_URL, run_mkdocs, shared_cache, use_cache

pytestmark = pytest.mark.build  # real site builds in a subprocess (left out of `make check`)

HOSTILE = FIXTURES / "hostile"
IMAGE = ROOT / "guides" / "anh" / "quet-ma-qr.png"
PHONE = {"viewport": {"width": 360, "height": 780}, "is_mobile": True, "has_touch": True}


class _Counter(BaseHTTPRequestHandler):
    """Answers anything with a tiny PNG, and remembers it was asked."""

    seen: list[str]

    def _answer(self):
        self.seen.append(f"{self.command} {self.path}")
        body = IMAGE.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_HEAD = _answer

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def counter():
    seen: list[str] = []
    handler = type("Handler", (_Counter,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_port}", seen
    server.shutdown()
    server.server_close()


def project_with(tmp: Path, guides: list[Path], host: str) -> Path:
    project = tmp / "project"
    project.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", project / "docs")
    shutil.copytree(ROOT / "posters", project / "posters")
    folder = project / "guides"
    (folder / "anh").mkdir(parents=True)
    shutil.copy(IMAGE, folder / "anh" / IMAGE.name)
    for g in guides:
        (folder / g.name).write_text(g.read_text(encoding="utf-8").replace("{HOST}", host), encoding="utf-8")
    use_cache(project, shared_cache())
    return project


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, counter):
    host, seen = counter
    tmp = tmp_path_factory.mktemp("hostile")
    project = project_with(tmp, [HOSTILE / "escaped" / "doc-hai.md", FIXTURES / "guides" / "thu-nghiem.md"], host)
    site = tmp / "site"
    before = len(seen)
    result = run_mkdocs(project, site, env={"CAMNANG_SITE_URL": TEST_SITE_URL})
    assert result.returncode == 0, result.stderr
    return site, result, seen[before:]


def test_build_fetches_nothing(hostile, counter):
    site, result, requests = hostile
    assert requests == []
    # The server does count: a real fetch of one of the guide's addresses shows up.
    from urllib.request import urlopen

    host, seen = counter
    urlopen(f"http://{host}/kiem-tra").read()
    assert seen[-1] == "GET /kiem-tra"


def test_hidden_characters_are_reported(hostile):
    _, result, _ = hostile
    assert "guides/doc-hai.md:29: đã bỏ 4 ký tự điều khiển ẩn (U+202E, U+2066, U+2069)" in result.stderr


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.handlers: list[str] = []
        self.hrefs: list[str] = []
        self.srcs: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.handlers += [f"<{tag} {k}>" for k in attrs if k.startswith("on")]
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if attrs.get("src"):
            self.srcs.append(attrs["src"])
        self._in_script = tag == "script"

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)

    def handle_endtag(self, tag):
        self._in_script = False


def test_pages_show_guide_text_literally(hostile):
    site, _, _ = hostile
    for path in site.rglob("*.html"):
        found = _Elements()
        found.feed(path.read_text(encoding="utf-8"))
        assert found.handlers == [], path
        assert not any("alert" in s for s in found.scripts), path
        for href in found.hrefs:
            # tel: links are the parser's own (markup.Phone): digits only.
            if href.startswith("tel:"):
                assert re.fullmatch(r"tel:\+?\d{3,12}", href), (path, href)
                continue
            assert href.startswith(("https://", "#", "./", "../", "/")) or ":" not in href.split("/")[0], (path, href)
        for src in found.srcs:
            assert ":" not in src.split("/")[0] and "127.0.0.1" not in src, (path, src)
    page = (site / "huong-dan" / "doc-hai" / "index.html").read_text(encoding="utf-8")
    assert '<img src="../anh/quet-ma-qr.png" alt="Điện thoại trước tấm mã QR" loading="lazy">' in page
    assert (site / "huong-dan" / "anh" / "quet-ma-qr.png").read_bytes() == IMAGE.read_bytes()
    assert '<a href="https://dichvucong.gov.vn/">https://dichvucong.gov.vn/</a>' in page  # the autolink
    assert "javascript:" not in page.replace("javascript:alert(", "")  # only ever as escaped text
    assert 'href="javascript' not in page and 'href="data' not in page


def _link_uris(path: Path) -> list[str]:
    uris = []
    for page in pdfs.reader(path).pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Link":
                action = annot.get("/A")
                action = action.get_object() if action is not None else {}
                if not action and "/Dest" in annot:  # a jump inside the file (the handbook's contents)
                    uris.append("#" + str(annot["/Dest"]))
                else:
                    uris.append(str(action.get("/URI", action.get("/S", "?"))))
    return uris


def test_pdf_links_are_https_only(hostile):
    site, _, _ = hostile
    found = sorted((site / "in-an").glob("*.pdf"))
    assert len(found) >= 4
    all_uris = {p.name: _link_uris(p) for p in found}
    assert "https://dichvucong.gov.vn/" in all_uris["to-roi-doc-hai.pdf"]  # the step's link is live
    for name, uris in all_uris.items():
        for uri in uris:
            assert uri.startswith("https://") or (name == "so-tay.pdf" and uri.startswith("#g-")), (name, uri)


def test_long_word_and_phone_number_print_whole(hostile):
    site, _, _ = hostile
    leaflet = site / "in-an" / "to-roi-doc-hai.pdf"
    text = pdfs.squash(pdfs.text(leaflet))
    assert "A" + "a" * 39 in text  # the longest word allowed (markup.MAX_WORD)
    assert "0987654321" in text and "19001234" in text
    assert not any(0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 for c in pdfs.text(leaflet))
    for image in pdfs.raster(leaflet, dpi=72):
        assert not pdfs.ink_near_edges(image, 72, 5)


def test_leaflet_shows_the_step_picture(hostile):
    site, _, _ = hostile
    # One picture besides the QR codes (the pages of a two-page leaflet
    # may share their resources).
    with_picture = pdfs.pictures(site / "in-an" / "to-roi-doc-hai.pdf")
    assert len({p.ref for page in with_picture for p in page if not pdfs.is_qr(p)}) == 1
    without = pdfs.pictures(site / "in-an" / "to-roi-thu-nghiem.pdf")
    assert [p for page in without for p in page if not pdfs.is_qr(p)] == []
    assert any(pdfs.is_qr(p) for page in without for p in page)


def test_radio_script_has_no_markup(hostile):
    site, _, _ = hostile
    script = (site / "in-an" / "phat-thanh-doc-hai.txt").read_text(encoding="utf-8")
    for mark in ("<", ">", "*", "[", "]", "(", ")", "`", "://", "Ngắn"):
        assert mark not in script, mark


def test_refused_guides_fail_the_build_and_fetch_nothing(tmp_path, counter):
    host, seen = counter
    refused = sorted((HOSTILE / "refused").glob("*.md"))
    project = project_with(tmp_path, refused, host)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("trang cũ", encoding="utf-8")
    before = len(seen)
    result = run_mkdocs(project, site)
    assert result.returncode != 0
    assert seen[before:] == []
    assert (site / "index.html").read_text(encoding="utf-8") == "trang cũ"
    assert [p.name for p in site.iterdir()] == ["index.html"]
    for guide in refused:
        assert f"guides/{guide.name}:" in result.stderr, guide.name


# -- in the browser -----------------------------------------------------------------


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(hostile):
    site, _, _ = hostile
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/", site
    server.shutdown()
    server.server_close()


# ``browser``: the session-wide Chromium of conftest.py (one Playwright per process).


HANDLERS_JS = """() => [...document.querySelectorAll('*')]
  .filter(e => [...e.attributes].some(a => a.name.startsWith('on')))
  .map(e => e.outerHTML.slice(0, 120))"""

# What a pointer passing over an element, and focus, fire at it, fired at
# every element the selector finds (hidden ones too), in one call: a handler
# a guide managed to attach would run (and its alert() show as a dialog).
# Playwright's hover() of each element in turn took minutes for the same.
HOVER_ALL_JS = """(selector) => {
  const types = ["pointerover", "pointerenter", "mouseover", "mouseenter", "pointermove", "mousemove", "focusin", "focus"];
  const elements = [...document.querySelectorAll(selector)];
  for (const e of elements) {
    for (const type of types) {
      const init = { bubbles: !type.endsWith("enter") && type !== "focus", cancelable: true, view: window };
      const event = type.startsWith("pointer") ? new PointerEvent(type, init)
        : type.startsWith("focus") ? new FocusEvent(type, init) : new MouseEvent(type, init);
      e.dispatchEvent(event);
    }
  }
  return elements.length;
}"""


def test_no_script_from_a_guide_runs_on_any_page(served, browser):
    base, site = served
    pages = sorted(p.parent.relative_to(site).as_posix() for p in site.rglob("index.html"))
    assert "huong-dan/doc-hai" in pages and len(pages) >= 4
    context = browser.new_context(**PHONE)
    dialogs: list[str] = []
    page = context.new_page()
    page.on("dialog", lambda d: (dialogs.append(f"{page.url}: {d.message}"), d.dismiss()))
    for path in pages:
        page.goto(base + ("" if path == "." else path + "/"), wait_until="load")
        # Hover everything too: onmouseover= would fire.
        assert page.evaluate(HOVER_ALL_JS, "article *") > 0, path
        assert page.evaluate(HANDLERS_JS) == [], path
    title = page.goto(base + "huong-dan/doc-hai/") and page.locator("article h1").inner_text()
    assert title.startswith("<img src=x onerror=alert('title')>Tiêu đề **đậm**")
    nav = page.locator("nav.md-nav").first.text_content()  # the drawer is hidden on a phone until opened
    assert "<img src=x onerror=alert('title')>" in nav
    assert dialogs == []
    context.close()


@pytest.fixture(scope="module")
def search_tab(served, browser):
    """One phone tab of the hostile site with the search open, shared by the
    queries (each clears the box first); the dialogs it showed, by query."""
    base, _ = served
    context = browser.new_context(**PHONE)
    dialogs: list[str] = []
    page = context.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(base, wait_until="load")
    page.click("header label[for=__search]")  # opens search and focuses the box
    page.wait_for_function(
        """() => { const m = document.querySelector('.md-search-result__meta');
                   return m && !/Initializing|khởi tạo|chuẩn bị/i.test(m.textContent); }"""
    )
    yield page, dialogs
    context.close()


@pytest.mark.parametrize("query", ["alert", "img", "onerror", "tieu de", "script", "abc", "kw", "dich vu thu", "cuoc thu"])
def test_searches_run_no_script(search_tab, query):
    page, dialogs = search_tab
    dialogs.clear()
    box = page.locator("input.md-search__input")
    box.fill("")
    # The list of the previous query is gone before this one is typed.
    page.wait_for_function(
        """() => document.querySelectorAll('li.md-search-result__item').length === 0
                 && !/Không tìm thấy/.test(document.querySelector('.md-search-result__meta').textContent)"""
    )
    box.focus()
    page.keyboard.type(query, delay=20)
    # Results listed, or Material says there are none.
    page.wait_for_function(
        """() => document.querySelectorAll('li.md-search-result__item').length > 0
                 || /Không tìm thấy/.test(document.querySelector('.md-search-result__meta').textContent)""",
        timeout=20000,
    )
    page.wait_for_timeout(600)
    results = page.locator("li.md-search-result__item").count()
    assert page.evaluate(HOVER_ALL_JS, ".md-search-result *") > 0
    assert page.evaluate(HANDLERS_JS) == []
    assert dialogs == [], (query, dialogs)
    if query in ("tieu de", "dich vu thu"):
        assert results >= 1, query
