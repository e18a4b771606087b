"""Accessibility and readability of the bundled site, in real Chromium at a
cheap phone's width (360 px) and a desktop's (1280 px): axe-core (the engine
behind most accessibility checkers, through axe-playwright-python), touch
target sizes, text zoomed to 200%, type sizes, the home page's first screen
and the interface language."""

from __future__ import annotations

import pytest

from camnang.config import load_categories
from camnang.validate import load_library

from conftest import ROOT

WIDTHS = {"phone": {"width": 360, "height": 800}, "desktop": {"width": 1280, "height": 800}}
BLOCKING = {"serious", "critical"}
MIN_TARGET_PX = 44


@pytest.fixture(scope="module")
def library():
    return load_library(ROOT / "guides", load_categories())


@pytest.fixture(scope="module")
def pages(library) -> list[str]:
    """Home, every guide page, one category page, the team page, the 404 page."""
    first = library.by_category()[0][0]
    return ["", *[g.page_path for g in library.guides], f"chu-de/{first.id}/", "to-cong-nghe-so/", "404.html"]


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture(scope="module", params=list(WIDTHS))
def screen(request, browser, site_url):
    """A tab at one width (phone: touch, mobile layout)."""
    mobile = request.param == "phone"
    context = browser.new_context(viewport=WIDTHS[request.param], is_mobile=mobile, has_touch=mobile, service_workers="block")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield request.param, page, site_url
    context.close()
    assert errors == []


def _blocking(axe, page) -> list[str]:
    response = axe.run(page).response
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
        for v in response["violations"]
        if v["impact"] in BLOCKING
    ]


def _open_search(page, query: str) -> None:
    if not page.locator("input.md-search__input").is_visible():
        page.click("header label[for=__search]")
    page.wait_for_function(
        """() => {
          const meta = document.querySelector(".md-search-result__meta");
          return meta && !/Initializing|chuẩn bị/i.test(meta.textContent);
        }"""
    )
    box = page.locator("input.md-search__input")
    box.fill("")
    box.type(query, delay=10)
    page.wait_for_function("() => document.querySelectorAll('li.md-search-result__item').length > 0")
    page.wait_for_timeout(400)


# --------------------------------------------------------------------------
# axe-core
# --------------------------------------------------------------------------


def _sampled(pages: list[str], every: int) -> list[str]:
    """The pages that are not guides, and every ``every``-th guide: the
    guides are one template with the same blocks (`make test`; the slow
    tier checks every page)."""
    guides = [p for p in pages if p.startswith("huong-dan/")]
    return [p for p in pages if p not in guides or guides.index(p) % every == 0]


def _axe_pages(name: str, pages: list[str], every: bool) -> list[str]:
    """What axe checks at this width: on the phone (where the site is
    read) every other guide, on the desktop every third; every page of
    both in ``slow``."""
    if every:
        return pages
    return _sampled(pages, 2 if name == "phone" else 3)


def test_axe_finds_no_serious_or_critical_violation(screen, pages, axe):
    _axe(screen, pages, axe, every=False)


@pytest.mark.slow
def test_axe_finds_no_serious_or_critical_violation_on_every_page(screen, pages, axe):
    _axe(screen, pages, axe, every=True)


def _axe(screen, pages, axe, every: bool) -> None:
    name, page, base = screen
    found = {}
    for path in _axe_pages(name, pages, every):
        page.goto(base + path, wait_until="load")
        problems = _blocking(axe, page)
        if problems:
            found[path or "/"] = problems
    assert found == {}, (name, found)


def test_axe_with_the_search_dialog_open_showing_results(screen, axe):
    name, page, base = screen
    page.goto(base, wait_until="load")
    _open_search(page, "bao hiem")
    assert page.locator("li.md-search-result__item").count() > 0
    assert page.locator(".md-search[role=dialog]").get_attribute("aria-label") == "Tìm kiếm"
    assert _blocking(axe, page) == [], name


# --------------------------------------------------------------------------
# Touch targets, zoom
# --------------------------------------------------------------------------

TARGETS_JS = """(min) => {
  const SEL = "a[href], button, input:not([type=hidden]), select, textarea, summary, label[for], [role=button]";
  const small = [];
  for (const el of document.querySelectorAll(SEL)) {
    if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
    if (el.closest("[hidden], .md-search, .md-skip, .md-typeset .headerlink")) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right <= 0 || r.left >= innerWidth) continue;  /* off-canvas drawer */
    /* The label of a text field: the field is the target. */
    if (el.matches("label[for]")) {
      const field = document.getElementById(el.htmlFor);
      if (field && field.matches("input:not([type=checkbox]):not([type=radio]), textarea, select")) continue;
    }
    /* Inline in a sentence: exempt (WCAG 2.5.8), as a tap lands on the line. */
    const style = getComputedStyle(el);
    if (style.display === "inline") {
      const block = el.parentElement.closest("p, li, dd, td, th, div, h1, h2, h3, figcaption");
      const own = el.textContent.replace(/\\s+/g, "");
      const all = block ? block.textContent.replace(/\\s+/g, "") : own;
      if (all.length > own.length) continue;
    }
    /* Check boxes drawn in the "Cần chuẩn bị" list cannot be ticked. */
    if (el.matches("input[type=checkbox][disabled]")) continue;
    if (r.height < min || r.width < min) {
      small.push(`${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 30)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
  }
  return small;
}"""


@pytest.mark.parametrize("every", [pytest.param(False, id="sample"), pytest.param(True, id="every-page", marks=pytest.mark.slow)])
def test_touch_targets_are_at_least_44_px(screen, pages, every):
    """Every page in the slow tier; in `make test` the pages that are not
    guides and every other guide on the phone, every third on the desktop."""
    name, page, base = screen
    found = {}
    for path in pages if every else _sampled(pages, 2 if name == "phone" else 3):
        page.goto(base + path, wait_until="load")
        small = page.evaluate(TARGETS_JS, MIN_TARGET_PX)
        if name == "phone":  # the navigation drawer, opened
            page.click("header label[for=__drawer]")
            page.wait_for_timeout(300)
            small += page.evaluate(TARGETS_JS, MIN_TARGET_PX)
        if small:
            found[path or "/"] = small
    assert found == {}, (name, found)


def test_text_zoomed_to_200_percent_never_scrolls_sideways(screen, pages):
    name, page, base = screen
    if name != "phone":
        pytest.skip("the phone width is the hard case")
    found = {}
    for path in pages:
        page.goto(base + path, wait_until="load")
        widths = page.evaluate(
            """() => {
              const html = document.documentElement;
              const size = parseFloat(getComputedStyle(html).fontSize);
              html.style.fontSize = (2 * size) + "px";
              document.body.style.fontSize = getComputedStyle(document.body).fontSize.replace(/[\\d.]+/, n => 2 * n);
              return [html.scrollWidth, document.body.scrollWidth, innerWidth, size];
            }"""
        )
        scroll, body, viewport, size = widths
        assert size > 0
        if max(scroll, body) > viewport:
            culprits = page.evaluate(
                """() => [...document.querySelectorAll("body *")]
                  .filter(e => e.getBoundingClientRect().right > innerWidth + 1 && e.checkVisibility())
                  .slice(0, 5).map(e => e.tagName + "." + e.className + " " + e.textContent.slice(0, 30))"""
            )
            found[path or "/"] = (scroll, viewport, culprits)
    assert found == {}


# --------------------------------------------------------------------------
# Type sizes (phone)
# --------------------------------------------------------------------------


def _px(page, selector: str) -> float:
    return page.eval_on_selector(selector, "e => parseFloat(getComputedStyle(e).fontSize)")


def test_safety_box_and_search_results_are_at_least_body_size(screen, library):
    name, page, base = screen
    if name != "phone":
        pytest.skip("phone only")
    guide = next(g for g in library.guides if g.tips)
    page.goto(base + guide.page_path, wait_until="load")
    body = _px(page, ".md-content .md-typeset > p:not(.camnang-summary)")
    assert body >= 16
    assert _px(page, ".admonition.warning p, .admonition.warning li") >= body
    assert _px(page, ".admonition.warning .admonition-title") >= body

    _open_search(page, "bao hiem")
    assert _px(page, ".md-search-result__article h1") >= body
    texts = page.eval_on_selector_all(
        ".md-search-result__article p", "ps => ps.map(p => parseFloat(getComputedStyle(p).fontSize))"
    )
    assert texts and min(texts) >= body
    assert _px(page, ".md-search-result__meta") >= 0.9 * body
    # Tags (matched keywords) and "Thêm N mục trong trang này": legible.
    _open_search(page, "cccd")
    assert page.locator(".md-search-result .md-tag").count() > 0
    assert _px(page, ".md-search-result .md-tag") >= 14
    _open_search(page, "tai khoan")
    more = page.locator(".md-search-result__more > summary > div")
    assert more.count() > 0, "no result with more sections to check"
    assert "Thêm" in more.first.inner_text()
    assert _px(page, ".md-search-result__more > summary > div") >= 0.9 * body


# --------------------------------------------------------------------------
# Home page, first screen at 360 px
# --------------------------------------------------------------------------


def test_home_first_screen_has_search_then_category_cards(screen, library):
    name, page, base = screen
    if name != "phone":
        pytest.skip("phone only")
    page.goto(base, wait_until="load")
    height = page.viewport_size["height"]
    field = page.locator("#camnang-home-search").bounding_box()
    cards = page.eval_on_selector_all(".camnang-categories a", "as => as.map(a => { const r = a.getBoundingClientRect(); return [r.top, r.bottom, r.width, r.height, a.getAttribute('href')]; })")
    categories = library.by_category()
    assert len(cards) == len(categories)
    assert field["y"] + field["height"] <= min(c[0] for c in cards)
    assert field["height"] >= MIN_TARGET_PX
    assert max(c[1] for c in cards) <= height, "the categories do not fit the first screen"
    assert all(c[3] >= 56 and c[2] >= 140 for c in cards), cards
    course = page.locator(".camnang-course").bounding_box()
    assert course["y"] >= max(c[1] for c in cards)
    # A card leads to its category's guides on the same page.
    page.click(".camnang-categories a >> nth=1")
    anchor = cards[1][4]
    assert page.url.endswith(anchor)
    assert page.locator(f"[id='{anchor[1:]}']").count() == 1

    # Typing in the home field: the site's search, forgiving diacritics.
    page.goto(base, wait_until="load")
    page.click("#camnang-home-search")
    page.keyboard.type("bao hiem", delay=20)
    page.wait_for_function("() => document.querySelectorAll('li.md-search-result__item').length > 0")
    assert page.locator("input.md-search__input").input_value() == "bao hiem"
    marks = page.eval_on_selector_all(".md-search-result mark", "ms => ms.map(m => m.textContent.toLowerCase())")
    assert "bảo" in marks


# --------------------------------------------------------------------------
# Interface language
# --------------------------------------------------------------------------


def test_interface_is_vietnamese(screen, pages):
    name, page, base = screen
    if name != "phone":
        pytest.skip("phone only")
    for path in pages:
        page.goto(base + path, wait_until="load")
        assert page.get_attribute("html", "lang") == "vi"
        footer = page.locator(".md-copyright").inner_text()
        assert "Made with" not in footer and "tổ công nghệ số" in footer, footer
    page.goto(base + "404.html", wait_until="load")
    assert page.locator("h1").first.inner_text() == "Không tìm thấy trang này"
    page.goto(base, wait_until="load")
    assert page.locator("input.md-search__input").get_attribute("placeholder") == "Tìm kiếm"


# --------------------------------------------------------------------------
# Printables for screen readers
# --------------------------------------------------------------------------


def test_leaflets_and_posters_are_tagged_vietnamese_pdfs(bundled_site):
    """PDF/UA-1 through WeasyPrint: a structure tree (headings, lists, the
    reading order), marked content, the language and the title shown."""
    import pypdf
    from pdfs import tagging_problems

    pdfs = sorted((bundled_site / "in-an").glob("*.pdf"))
    assert any(p.name.startswith("to-roi-") for p in pdfs) and any(p.name.startswith("ap-phich-") for p in pdfs)
    for path in pdfs:
        reader = pypdf.PdfReader(str(path))
        root = reader.trailer["/Root"]
        assert root.get("/Lang") == "vi", path.name
        if path.name == "so-tay-in-gap.pdf":
            # Sheets for the copier, two booklet pages a side out of reading
            # order: nobody reads it on a screen (so-tay.pdf is the tagged
            # reading copy), so it has the language and title, not a tree.
            assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
            assert reader.metadata.title
            continue
        assert root["/MarkInfo"]["/Marked"] == True, path.name  # noqa: E712 (pypdf BooleanObject)
        tree = root["/StructTreeRoot"].get_object()
        kids = tree["/K"]
        assert kids, path.name
        assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True, path.name  # noqa: E712
        assert reader.metadata.title, path.name
        assert b"pdfuaid" in root["/Metadata"].get_object().get_data(), path.name
        # Everything drawn is tagged or an artifact; every picture (QR
        # codes, the category's pictogram) has its text.
        assert tagging_problems(path) == [], path.name
