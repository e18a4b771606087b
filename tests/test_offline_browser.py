"""Offline after one visit, in real Chromium: the site served on 127.0.0.1,
one visit with a connection, then the connection cut (``context.set_offline``)
and the guides, the search and the printables opened as a resident would.
Then a guide changes on the server: the next online visit must refresh it.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from camnang import offline
from camnang.config import load_categories
from camnang.text import fold
from camnang.validate import load_library

from conftest import FIXTURES, PHONE, ROOT, make_project, run_mkdocs, serve
from test_search_browser import Visit


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


def _precache(site: Path) -> list[str]:
    text = _sw_source(site)
    return json.loads(re.search(r"var PRECACHE = (\[.*?\]);", text, re.S).group(1))


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
        caches = _wait_until_offline_ready(visit.page)
        assert len(caches) == 1, caches.keys()
        (name, stored), = caches.items()
        assert len(stored) == len(_precache(bundled_site))

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
        assert visit.outside_requests() == []
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


def test_updated_guide_is_refreshed_on_the_next_online_visit(browser, tmp_path):
    guide_file = FIXTURES / "guides" / "thu-nghiem.md"
    project = make_project(tmp_path)
    # Budget for the leaflet only: the poster is stored when first opened.
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "  - camnang:\n", "  - camnang:\n      offline_printables_budget: 25000\n"
        ),
        encoding="utf-8",
    )
    site = tmp_path / "www"
    site.mkdir()
    _build(project, site)
    guide = load_library(project / "guides", load_categories()).guides[0]
    leaflet = next((site / "in-an").glob("to-roi-*.pdf"))
    poster = next((site / "in-an").glob("ap-phich-*.pdf"))
    urls = _precache(site)
    assert f"in-an/{leaflet.name}" in urls and f"in-an/{poster.name}" not in urls

    with serve(site) as base:
        context = browser.new_context(**PHONE)
        page = context.new_page()
        try:
            fetch_status = """async (url) => {
              try { return (await fetch(url)).status; } catch (e) { return "offline"; }
            }"""
            page.goto(base + guide.page_path, wait_until="load")
            first = _wait_until_offline_ready(page)
            assert page.locator("h1").first.inner_text().strip() == guide.title

            context.set_offline(True)
            assert page.evaluate(fetch_status, base + f"in-an/{leaflet.name}") == 200
            assert page.evaluate(fetch_status, base + f"in-an/{poster.name}") == "offline"
            context.set_offline(False)
            assert page.evaluate(fetch_status, base + f"in-an/{poster.name}") == 200  # now stored
            context.set_offline(True)
            assert page.evaluate(fetch_status, base + f"in-an/{poster.name}") == 200
            context.set_offline(False)

            # The guide changes on the server.
            source = project / "guides" / guide_file.name
            new_title = guide.title + " (bản mới)"
            text = source.read_text(encoding="utf-8")
            source.write_text(text.replace(f"title: {guide.title}", f"title: {new_title}", 1), encoding="utf-8")
            assert new_title in source.read_text(encoding="utf-8")
            _build(project, site)

            # Next visit with a connection: the new page, and a new worker
            # that stores the new version and drops the old one.
            page.goto(base + guide.page_path, wait_until="load")
            assert page.locator("h1").first.inner_text().strip() == new_title
            _poll(
                page,
                """async (old) => {
                  const names = await caches.keys();
                  return names.length === 1 && names[0] !== old;
                }""",
                next(iter(first)),
            )
            context.set_offline(True)
            page.goto(base + guide.page_path, wait_until="load")
            assert page.locator("h1").first.inner_text().strip() == new_title
            page.goto(base, wait_until="load")
            assert new_title in page.content()
        finally:
            context.close()
