"""Offline after one visit, in real Chromium: the site served on 127.0.0.1,
one visit with a connection, then the connection cut (``context.set_offline``)
and the guides, the search and the printables opened as a resident would.
Then a guide changes on the server: the next online visit must refresh it.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import threading
import time
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from camnang import offline
from camnang.config import load_categories
from camnang.text import fold
from camnang.validate import load_library

from conftest import FIXTURES, PHONE, ROOT, make_project, run_mkdocs
from test_search_browser import Visit
from test_a11y_browser import _blocking  # noqa: I001 (kept apart for merging)


def _poll(page, predicate: str, arg=None, timeout_s: float = 60) -> None:
    """Wait until an async JavaScript predicate holds (wait_for_function does
    not await promises)."""
    ok = page.evaluate(
        """async ([source, arg, timeout]) => {
          const predicate = eval(source);
          const end = performance.now() + timeout;
          while (performance.now() < end) {
            if (await predicate(arg)) return true;
            await new Promise(r => setTimeout(r, 200));
          }
          return false;
        }""",
        [predicate, arg, timeout_s * 1000],
    )
    assert ok, predicate


def _wait_until_offline_ready(page) -> dict:
    """Wait until the service worker stored everything and controls the page;
    return what the page's cache storage holds."""
    _poll(
        page,
        """async () => {
          if (!navigator.serviceWorker) return false;
          const reg = await navigator.serviceWorker.getRegistration();
          return !!(reg && reg.active && reg.active.state === "activated" && navigator.serviceWorker.controller);
        }""",
    )
    return page.evaluate(
        """async () => {
          const out = {};
          for (const name of await caches.keys()) {
            const cache = await caches.open(name);
            out[name] = (await cache.keys()).map(r => r.url);
          }
          return out;
        }"""
    )


def _sw_source(site: Path) -> str:
    return (site / offline.SERVICE_WORKER).read_text(encoding="utf-8")


def _files(site: Path) -> list[list]:
    """The worker's list (sw-files.json): [address, revision, bytes, kind] per file."""
    return json.loads((site / offline.FILE_LIST).read_text(encoding="utf-8"))


def _shell(site: Path) -> list[list]:
    """The shell, written into sw.js: [address, revision] per file."""
    return json.loads(re.search(r"var SHELL = (\[.*?\]);", _sw_source(site), re.S).group(1))


def _precache(site: Path) -> list[str]:
    """What "Lưu tất cả" stores."""
    return [f[0] for f in _files(site) if f[3] != "x"]


def _save_all(page, timeout_s: float = 120) -> None:
    """Tap "Lưu tất cả" and wait for its done state."""
    button = page.locator(".camnang-offline button")
    button.wait_for(state="visible")
    assert re.fullmatch(r"Lưu tất cả để xem khi mất mạng \(\d+(,\d)? [KM]B\)", button.inner_text().strip())
    button.click()
    page.locator(".camnang-offline[data-state=saved]").wait_for(timeout=timeout_s * 1000)
    assert re.fullmatch(r"Đã lưu \d+(,\d)? [KM]B để xem khi mất mạng", page.locator(".camnang-offline p").first.inner_text().strip())


@pytest.fixture(scope="module")
def library():
    return load_library(ROOT / "guides", load_categories())


# --------------------------------------------------------------------------
# The bundled site
# --------------------------------------------------------------------------


def test_every_page_has_the_manifest_and_registers_the_worker(bundled_site):
    manifest = json.loads((bundled_site / offline.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["name"] == "Cẩm nang số cộng đồng"
    assert manifest["lang"] == "vi" and manifest["start_url"] == "./"
    for icon in manifest["icons"]:
        data = (bundled_site / icon["src"]).read_bytes()
        assert data.startswith(b"\x89PNG"), icon
        size = int(icon["sizes"].split("x")[0])
        assert int.from_bytes(data[16:20], "big") == size
    pages = sorted(bundled_site.rglob("index.html"))
    assert len(pages) > 10
    for page in pages:
        html = page.read_text(encoding="utf-8")
        head = html.split("</head>")[0]
        assert 'rel="manifest"' in head, page
        assert offline.PAGE_SCRIPT.split("/")[-1] in html, page


def test_precache_lists_pages_index_and_printables_within_budget(bundled_site):
    files = _files(bundled_site)
    for url, rev, size, _kind in files:
        path = bundled_site / (url + "index.html" if url.endswith("/") else url)
        assert rev == offline.revision(path.read_bytes()) and size == path.stat().st_size, url
    shell = {f[0] for f in files if f[3] == "s"}
    assert {"404.html", "search/camnang/pages.json", offline.SEARCH_CORE} <= shell
    # sw.js holds the shell only (its size does not grow with the guides);
    # the list of every file is read only for "Lưu tất cả" and updates.
    assert sorted(_shell(bundled_site)) == sorted([f[0], f[1]] for f in files if f[3] == "s")
    source = _sw_source(bundled_site)
    assert "huong-dan/" not in source and "in-an/" not in source
    assert len(source.encode("utf-8")) < 30_000
    assert f"var TOTAL = {sum(f[2] for f in files if f[3] != 'x')};" in source
    assert not [u for u in shell if u.endswith((".html", "/")) and u != "404.html"]
    urls = _precache(bundled_site)
    assert len(urls) == len(set(urls))
    pages = {offline.url_of(p.relative_to(bundled_site).as_posix()) for p in bundled_site.rglob("index.html")}
    assert pages <= set(urls)
    assert "search/search_index.json" in urls
    assert not [u for u in urls if u.endswith(".map")]
    leaflets = sorted(p.name for p in (bundled_site / "in-an").glob("to-roi-*.pdf"))
    assert leaflets and {f"in-an/{name}" for name in leaflets} <= set(urls)
    stored = sum((bundled_site / u).stat().st_size for u in urls if u.startswith("in-an/"))
    assert stored <= offline.DEFAULT_PRINTABLES_BUDGET
    # Every listed file exists (a 404 would fail the worker's install).
    for u in urls:
        path = bundled_site / (u + "index.html" if u.endswith("/") else u)
        assert path.is_file(), u


def test_after_one_visit_guides_search_and_leaflets_open_offline(browser, site_url, bundled_site, library):
    visit = Visit(browser, site_url, service_workers="allow")
    try:
        visit.open()
        _wait_until_offline_ready(visit.page)
        _save_all(visit.page, timeout_s=300)
        caches = _wait_until_offline_ready(visit.page)
        assert len(caches) == 1, caches.keys()
        (name, stored), = caches.items()
        assert {site_url + (u if u != "./" else "") for u in _precache(bundled_site)} <= set(stored)

        visit.context.set_offline(True)
        page = visit.page
        for guide in library.guides:
            response = page.goto(site_url + guide.page_path, wait_until="load")
            assert response.status == 200 and response.from_service_worker, guide.slug
            assert page.locator("h1").first.inner_text().strip() == guide.title
        # The home page, from a result link's address with ?h= too.
        response = page.goto(site_url + "?h=bao", wait_until="load")
        assert response.status == 200
        assert page.locator("#camnang-home-search").is_visible()

        # Search, offline, typed without diacritics.
        guide = next(g for g in library.guides if "bảo hiểm" in g.title.lower())
        page.goto(site_url + library.guides[0].page_path, wait_until="load")
        results = visit.search(fold(guide.title))
        assert results, visit.meta()
        assert guide.page_path in [r.href for r in results[:3]]

        # A leaflet, byte for byte, and opened from the guide's page (in the
        # phone's viewer: no download attribute), from the store.
        leaflet = sorted((bundled_site / "in-an").glob("to-roi-*.pdf"))[0]
        got = page.evaluate(
            """async (url) => {
              const r = await fetch(url);
              const b = new Uint8Array(await r.arrayBuffer());
              return [r.status, b.length, Array.from(b.slice(0, 5))];
            }""",
            site_url + "in-an/" + leaflet.name,
        )
        assert got == [200, leaflet.stat().st_size, list(b"%PDF-")]
        slug = leaflet.name[len("to-roi-") : -len(".pdf")]
        page.goto(site_url + f"huong-dan/{slug}/", wait_until="load")
        link = page.locator(f"a[href$='{leaflet.name}']")
        assert link.get_attribute("download") is None
        with page.expect_response(lambda r: r.url.endswith(leaflet.name)) as info:
            link.click()
        opened = info.value
        assert opened.status == 200 and opened.from_service_worker
        # Chromium shows it in its PDF viewer (the body Playwright sees is
        # the viewer's page): the stored file's type and size.
        assert opened.headers["content-type"] == "application/pdf"
        assert int(opened.headers["content-length"]) == leaflet.stat().st_size

        # A page that was never stored: the Vietnamese 404 page, not the
        # browser's "no internet" dinosaur.
        response = page.goto(site_url + "huong-dan/khong-co-trang-nay/", wait_until="load")
        assert response.status == 404
        assert "Không tìm thấy trang này" in page.locator("h1").first.inner_text()
        assert "không có mạng" in page.content()

        assert visit.problems() == [] or all("Failed to load resource" in m for _, m in visit.problems())
        # chrome:// is the browser's own PDF viewer, never the network.
        assert [u for u in visit.outside_requests() if not u.startswith("chrome://")] == []
    finally:
        visit.close()


# --------------------------------------------------------------------------
# A small site that changes: versions, refresh, the printables budget
# --------------------------------------------------------------------------


def _build(project: Path, site: Path) -> None:
    out = project / "built"
    shutil.rmtree(out, ignore_errors=True)
    result = run_mkdocs(project, out, env={"CAMNANG_SITE_URL": "https://camnang.test/"})
    assert result.returncode == 0, result.stderr
    # Publish like a web server's folder: replace its contents in place.
    for child in site.iterdir():
        shutil.rmtree(child) if child.is_dir() else child.unlink()
    for child in out.iterdir():
        shutil.move(str(child), site / child.name)


class _Counting:
    """Wraps a request's output stream: every byte sent, headers included."""

    def __init__(self, stream, record: list) -> None:
        self.stream, self.record = stream, record

    def write(self, data):
        self.record[0] += len(data)
        return self.stream.write(data)

    def __getattr__(self, name):
        return getattr(self.stream, name)


class _MeteredHandler(SimpleHTTPRequestHandler):
    """The site's web server, counting what it sends per request, and slow
    for printables when asked (to cut a download half-way)."""

    log: list
    slow: list

    def log_message(self, *args):
        pass

    def send_response(self, code, message=None):
        self.status = int(code)
        super().send_response(code, message)

    def handle_one_request(self):
        record = [0]
        self.wfile = _Counting(getattr(self.wfile, "stream", self.wfile), record)
        self.status = None
        super().handle_one_request()
        if self.status is not None:
            self.log.append((urlsplit(self.path).path, self.status, record[0]))

    def do_GET(self):
        if self.slow[0] and "/in-an/" in self.path:
            time.sleep(self.slow[0])
        if self.slow[1]:
            # The connection is cut: no answer at all.
            self.close_connection = True
            return
        super().do_GET()


@contextmanager
def metered(directory: Path):
    """Serve a folder on 127.0.0.1; yield (address, log of (path, status,
    bytes sent), slow): set slow[0] to seconds of delay per printable,
    slow[1] to True to cut every connection."""
    log: list = []
    slow = [0.0, False]
    handler = type("Handler", (_MeteredHandler,), {"log": log, "slow": slow})
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/", log, slow
    finally:
        server.shutdown()
        server.server_close()


def _sent(log: list) -> int:
    return sum(size for _, _, size in log)


def _stored(page) -> dict[str, str]:
    """Address -> revision of every file the phone stored."""
    return page.evaluate(
        """async () => {
          const out = {};
          for (const name of await caches.keys()) {
            const cache = await caches.open(name);
            for (const request of await cache.keys()) {
              const hit = await cache.match(request);
              out[request.url] = hit.headers.get("x-camnang-rev");
            }
          }
          return out;
        }"""
    )


def _wanted(site: Path, base: str) -> dict[str, str]:
    """Address -> revision of what "Lưu tất cả" must store."""
    return {base + (url if url != "./" else ""): rev for url, rev, _size, kind in _files(site) if kind != "x"}


def _settle(log: list, quiet_s: float = 1.5, timeout_s: float = 30) -> None:
    """Wait until the server has been idle for quiet_s."""
    end = time.monotonic() + timeout_s
    seen = -1
    while time.monotonic() < end:
        if len(log) == seen:
            return
        seen = len(log)
        time.sleep(quiet_s)


@pytest.fixture(scope="module")
def small_project(tmp_path_factory) -> tuple[Path, Path]:
    """The fixture guide's site (with its printables), built once: (project, site)."""
    tmp = tmp_path_factory.mktemp("offline-small")
    project = make_project(tmp)
    site = tmp / "built-once"
    result = run_mkdocs(project, site, env={"CAMNANG_SITE_URL": "https://camnang.test/"})
    assert result.returncode == 0, result.stderr
    return project, site


def _copy_site(small_project, tmp_path: Path) -> Path:
    site = tmp_path / "www"
    shutil.copytree(small_project[1], site)
    return site


GUIDE_PAGE = "huong-dan/thu-nghiem/"


def test_first_visit_costs_at_most_half_again_the_page_alone(browser, small_project, tmp_path):
    """A resident who scans a leaflet's QR code pays for the page, not for
    the whole site: the worker adds its shell, and nothing twice."""
    site = _copy_site(small_project, tmp_path)
    with metered(site) as (base, log, _slow):
        alone_context = browser.new_context(**PHONE, service_workers="block")
        try:
            alone_context.new_page().goto(base + GUIDE_PAGE, wait_until="networkidle")
            _settle(log)
        finally:
            alone_context.close()
        alone = _sent(log)
        log.clear()

        context = browser.new_context(**PHONE)
        try:
            page = context.new_page()
            page.goto(base + GUIDE_PAGE, wait_until="networkidle")
            _wait_until_offline_ready(page)
            _poll(page, "async (url) => !!(await caches.match(url))", base + GUIDE_PAGE)
            _settle(log)
            first = _sent(log)
            downloaded = [path for path, status, _ in log if status == 200]
            print(f"first visit {first} bytes, the page alone {alone} bytes ({first / alone:.2f}x)")
            assert first <= 1.5 * alone, (first, alone, log)
            # No printable, no other page: only the button stores those.
            assert not [p for p in downloaded if p.startswith("/in-an/")], downloaded
            pages = [p for p in downloaded if p.endswith("/") or p.endswith(".html")]
            assert sorted(set(pages)) == sorted({"/" + GUIDE_PAGE, "/404.html"}), pages
            assert downloaded.count("/assets/javascripts/" + Path(_bundle(site)).name) == 1
            # The search's core words are stored; the list of every file is not read.
            assert "/" + offline.SEARCH_CORE in downloaded and "/" + offline.FILE_LIST not in downloaded, downloaded

            # The page is stored as opened; offline it shows, with the notice.
            stored = _stored(page)
            assert base + GUIDE_PAGE in stored and base + "404.html" in stored
            assert not [u for u in stored if "/in-an/" in u]
            button = page.locator(".camnang-offline button")
            total = sum(f[2] for f in _files(site) if f[3] != "x")
            assert button.inner_text().strip() == f"Lưu tất cả để xem khi mất mạng ({round(total / 1000)} KB)"

            # Offline straight after that one visit (no search made online):
            # the search finds pages by their service, title or keywords
            # (the core words stored on the first visit); results not
            # stored say so, and the search says it looks only in what is
            # stored.
            context.set_offline(True)
            page.goto(base + GUIDE_PAGE, wait_until="load")
            for query in ("dich vu thu nghiem", "dang ky tai khoan", "mau"):
                assert _search(page, query) >= 1, query
                first_link = urlsplit(page.locator(".md-search-result__link").first.get_attribute("href")).path
                assert first_link == "/" + GUIDE_PAGE, (query, first_link)
            assert _search(page, "to cong nghe so") >= 1
            page.locator(".camnang-offline-missing").first.wait_for()
            tagged = page.locator(".md-search-result__link:has(.camnang-offline-missing)")
            hrefs = sorted(urlsplit(tagged.nth(i).get_attribute("href")).path for i in range(tagged.count()))
            assert "/" + GUIDE_PAGE not in hrefs and "/to-cong-nghe-so/" in hrefs, hrefs
            assert page.locator(".camnang-offline-missing").first.inner_text() == "Chưa lưu trên máy"
            assert "Lưu tất cả để xem khi mất mạng" in page.locator(".camnang-offline-search").inner_text()

            page.goto(base + GUIDE_PAGE, wait_until="load")
            notice = page.locator(".camnang-offline-notice")
            assert notice.inner_text().strip() == "Đang xem khi không có mạng"
            assert notice.is_visible()
            # The notice and the button pass axe-core; the button is a
            # 44 px touch target.
            page.locator(".camnang-offline button").wait_for()
            assert _blocking(Axe(), page) == []
            box = page.locator(".camnang-offline button").bounding_box()
            assert box["height"] >= 44 and box["width"] >= 44
            # A page never opened: the not-found page says it is not stored
            # and offers the button for when the signal is back.
            response = page.goto(base + "to-cong-nghe-so/", wait_until="load")
            assert response.status == 404
            assert "chưa được lưu trên máy" in page.locator(".camnang-offline-notice").inner_text()
            assert page.locator(".camnang-offline button").inner_text().startswith("Lưu tất cả để xem khi mất mạng (")
            assert _blocking(Axe(), page) == []
        finally:
            context.close()


def _search(page, query: str) -> int:
    """Type a query in the site's search; the number of results shown."""
    if not page.evaluate("() => document.getElementById('__search').checked"):
        page.click("header label[for=__search]")
    box = page.locator("input.md-search__input")
    box.fill("")
    page.keyboard.type(query, delay=15)
    page.locator("li.md-search-result__item").first.wait_for(timeout=15000)
    time.sleep(0.5)
    return page.locator("li.md-search-result__item").count()


def _bundle(site: Path) -> str:
    return next((site / "assets" / "javascripts").glob("bundle.*.min.js")).name


def test_save_all_resumes_after_a_cut_without_downloading_twice(browser, small_project, tmp_path):
    site = _copy_site(small_project, tmp_path)
    with metered(site) as (base, log, slow):
        context = browser.new_context(**PHONE)
        try:
            page = context.new_page()
            page.goto(base + GUIDE_PAGE, wait_until="networkidle")
            _wait_until_offline_ready(page)
            _settle(log)
            wanted = _wanted(site, base)
            before = set(_stored(page))
            log.clear()

            slow[0] = 1.5  # each printable takes 1.5 s: cut while they come
            page.locator(".camnang-offline button").click()
            page.locator(".camnang-offline[data-state=saving]").wait_for()
            _poll(page, "async (n) => (await caches.open((await caches.keys())[0]).then(c => c.keys())).length > n", len(before) + 3)
            slow[1] = True  # the signal goes: nothing more arrives
            page.locator(".camnang-offline[data-state=paused], .camnang-offline[data-state=ready]").wait_for(timeout=30000)
            slow[0] = 0
            first_part = {u: r for u, r in _stored(page).items() if u in wanted and wanted[u] == r}
            assert len(before) < len(first_part) < len(wanted), "the cut came too early or too late"
            missing = set(wanted) - set(first_part)
            assert any("/in-an/" in u for u in missing)
            button = page.locator(".camnang-offline button")
            assert button.inner_text().startswith("Lưu tiếp để xem khi mất mạng (còn ") or button.inner_text().startswith("Lưu tiếp")
            time.sleep(2)  # requests the server was still answering
            log.clear()

            slow[1] = False
            button.click()
            page.locator(".camnang-offline[data-state=saved]").wait_for(timeout=60000)
            _settle(log)
            again = [base.rstrip("/") + path for path, status, _ in log if status == 200]
            assert not set(again) & set(first_part), "stored before the cut, downloaded again"
            assert set(wanted) <= set(_stored(page))

            # All of it offline, with the notice.
            context.set_offline(True)
            for url in ("", "to-cong-nghe-so/", GUIDE_PAGE):
                response = page.goto(base + url, wait_until="load")
                assert response.status == 200 and response.from_service_worker, url
                assert page.locator("body").get_attribute("data-camnang-offline") == "stored", url
                assert page.locator(".camnang-offline-notice").inner_text(timeout=10000).strip() == "Đang xem khi không có mạng", url
            leaflet = next((site / "in-an").glob("to-roi-*.pdf"))
            got = page.evaluate("async (u) => (await (await fetch(u)).arrayBuffer()).byteLength", base + "in-an/" + leaflet.name)
            assert got == leaflet.stat().st_size
            # Opened from the guide's link (a navigation): the stored PDF as is.
            page.goto(base + GUIDE_PAGE, wait_until="load")
            with page.expect_response(lambda r: r.url.endswith(leaflet.name)) as info:
                page.locator(f"a[href$='{leaflet.name}']").first.click()
            opened = info.value
            assert opened.status == 200 and opened.from_service_worker
            assert opened.headers["content-type"] == "application/pdf"
            assert int(opened.headers["content-length"]) == leaflet.stat().st_size
        finally:
            context.close()


def _build(project: Path, site: Path) -> None:
    out = project / "built"
    shutil.rmtree(out, ignore_errors=True)
    result = run_mkdocs(project, out, env={"CAMNANG_SITE_URL": "https://camnang.test/"})
    assert result.returncode == 0, result.stderr
    # Publish like a web server's folder: replace its contents in place.
    for child in site.iterdir():
        shutil.rmtree(child) if child.is_dir() else child.unlink()
    for child in out.iterdir():
        shutil.move(str(child), site / child.name)


def _contents(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def test_an_edit_of_one_guide_downloads_only_the_files_that_changed(browser, tmp_path):
    guide_file = FIXTURES / "guides" / "thu-nghiem.md"
    project = make_project(tmp_path)
    # A second guide, whose page and printables must not be downloaded again.
    text = guide_file.read_text(encoding="utf-8")
    (project / "guides" / "thu-nghiem-hai.md").write_text(
        text.replace("title: Đăng ký tài khoản thử nghiệm", "title: Đổi mật khẩu tài khoản thử nghiệm", 1),
        encoding="utf-8",
    )
    site = tmp_path / "www"
    site.mkdir()
    _build(project, site)
    with metered(site) as (base, log, _slow):
        context = browser.new_context(**PHONE)
        try:
            page = context.new_page()
            page.goto(base + GUIDE_PAGE, wait_until="networkidle")
            _wait_until_offline_ready(page)
            _save_all(page)
            old = _contents(site)

            # One sentence of one guide changes on the server.
            source = project / "guides" / guide_file.name
            source.write_text(
                source.read_text(encoding="utf-8").replace("Lời giới thiệu của hướng dẫn mẫu.", "Lời giới thiệu mới của hướng dẫn mẫu.", 1),
                encoding="utf-8",
            )
            _build(project, site)
            new = _contents(site)
            changed = {"/" + path for path, data in new.items() if old.get(path) != data}
            changed |= {p[: -len("index.html")] for p in changed if p.endswith("/index.html")}
            assert "/" + GUIDE_PAGE in changed
            unchanged_pdfs = {"/" + p for p in new if p.endswith(".pdf") and "thu-nghiem-hai" in p}
            assert unchanged_pdfs and not unchanged_pdfs & changed
            log.clear()

            # The next visit with a connection: the new worker, then every
            # stored file whose revision changed, and nothing else.
            page.goto(base, wait_until="networkidle")
            wanted = _wanted(site, base)
            _poll(
                page,
                """async (wanted) => {
                  const cache = await caches.open((await caches.keys())[0]);
                  for (const [url, rev] of Object.entries(wanted)) {
                    const hit = await cache.match(url);
                    if (!hit || hit.headers.get("x-camnang-rev") !== rev) return false;
                  }
                  return true;
                }""",
                wanted,
            )
            _settle(log)
            downloaded = {path for path, status, _ in log if status == 200}
            # Besides the page visited (asked from the network first) and the
            # new worker: only what changed.
            assert downloaded - {"/", "/sw.js"} <= changed, sorted(downloaded - changed)
            assert "/" + GUIDE_PAGE in downloaded
            # The update read the list of every file (sw.js holds the shell only).
            assert "/" + offline.FILE_LIST in downloaded
            changed_bytes = sum(len(d) for p, d in new.items() if old.get(p) != d and not p.endswith((".gz", ".br")))
            assert _sent(log) < changed_bytes + 20_000 + len(new["sw.js"]), (_sent(log), changed_bytes)
            assert _sent(log) < 0.5 * sum(len(d) for p, d in new.items() if not p.endswith((".gz", ".br")))

            context.set_offline(True)
            page.goto(base + GUIDE_PAGE, wait_until="load")
            assert "Lời giới thiệu mới" in page.content()
            assert page.locator(".camnang-offline-notice").is_visible()
        finally:
            context.close()
