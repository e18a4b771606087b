"""The site on a phone with enlarged text (issue 23, Deliver 4 and 6), in
real Chromium: cards reflow to one column and no word breaks letter by
letter at 200% zoom and at a doubled text size; the header's site name
goes home in one tap; on a guide page every Tab stop before the first
link of the text is visible; Tab stays in the open search and Escape
never drops focus to <body>; "Chia sẻ" copies the page's address where
the phone has no share sheet; Open Graph tags for link previews."""

from __future__ import annotations

import re

import pytest

from conftest import TEST_SITE_URL

GUIDE = "huong-dan/vneid-kich-hoat/"

# 360 px at 200% zoom is a 180 px CSS viewport with twice the pixels.
ZOOMED = {"viewport": {"width": 180, "height": 400}, "device_scale_factor": 4, "is_mobile": True, "has_touch": True}
PHONE = {"viewport": {"width": 360, "height": 800}, "is_mobile": True, "has_touch": True}
DOUBLED_TEXT = "html { font-size: 250% !important; }"  # Material's 125%, doubled

BROKEN_WORDS = """() => {
  // Words (of 2+ letters) in cards, titles, lists and the header that a
  // reader sees split over lines: each word should make one line box.
  const out = [];
  const roots = document.querySelectorAll(
    ".camnang-categories a, .grid.cards a, article h1, article h2, .camnang-downloads a, .md-header__topic");
  for (const root of roots) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /\\S{2,}/g;
      let m;
      while ((m = re.exec(node.data))) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (lines.size > 1 && !/^https?:|\\//.test(m[0])) out.push(m[0]);
      }
    }
  }
  return out;
}"""


@pytest.fixture(scope="module", params=["zoom-200", "text-200"])
def enlarged(request, browser, site_url):
    options = ZOOMED if request.param == "zoom-200" else PHONE
    context = browser.new_context(**options, service_workers="block")
    page = context.new_page()
    yield request.param, page, site_url
    context.close()


def _enlarge(name: str, page) -> None:
    if name == "text-200":
        page.add_style_tag(content=DOUBLED_TEXT)
        page.wait_for_timeout(50)


@pytest.mark.parametrize("path", ["", GUIDE])
def test_enlarged_text_reflows_without_broken_words(enlarged, path):
    name, page, url = enlarged
    page.goto(url + path, wait_until="load")
    _enlarge(name, page)
    assert page.evaluate(BROKEN_WORDS) == []
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{name}: the page scrolls sideways by {overflow}px"
    if path == "":
        lefts = page.evaluate("() => Array.from(document.querySelectorAll('.camnang-categories li')).map(li => Math.round(li.getBoundingClientRect().left))")
        assert len(set(lefts)) == 1, f"{name}: category cards in {len(set(lefts))} columns"


def test_header_title_goes_home_in_one_tap(browser, site_url):
    context = browser.new_context(**PHONE, service_workers="block")
    page = context.new_page()
    page.goto(site_url + GUIDE, wait_until="load")
    link = page.locator(".md-header__topic a.camnang-home-link").first
    assert link.is_visible()
    link.click()
    page.wait_for_load_state("load")
    assert page.url.rstrip("/") == site_url.rstrip("/")
    assert page.locator("#camnang-home-search").is_visible()
    context.close()


def test_every_tab_stop_before_the_text_is_visible(browser, site_url):
    context = browser.new_context(**PHONE, service_workers="block")
    page = context.new_page()
    page.goto(site_url + GUIDE, wait_until="load")
    page.wait_for_timeout(300)
    hidden = []
    for _ in range(40):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """() => { const e = document.activeElement; const r = e.getBoundingClientRect();
                 const s = getComputedStyle(e);
                 return {tag: e.tagName, text: (e.textContent || e.id || '').trim().slice(0, 30),
                         inArticle: !!e.closest('article') && e.tagName === 'A',
                         visible: r.width > 0 && r.height > 0 && r.right > 0 && r.left < innerWidth
                                  && s.visibility !== 'hidden'}; }"""
        )
        if info["inArticle"]:
            break
        if not info["visible"]:
            hidden.append(f"{info['tag']} {info['text']}")
    else:
        pytest.fail("40 Tab presses never reached a link of the guide's text")
    assert hidden == [], hidden
    context.close()


def test_share_copies_the_page_address_without_a_share_sheet(browser, site_url):
    context = browser.new_context(**PHONE, service_workers="block")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_url.rstrip("/"))
    page = context.new_page()
    page.add_init_script("try { delete Navigator.prototype.share; } catch (e) {}")
    page.goto(site_url + GUIDE + "?h=vneid", wait_until="load")
    button = page.locator("button.camnang-share")
    assert button.is_visible() and "Chia sẻ" in button.inner_text()
    button.click()
    page.wait_for_function("() => document.querySelector('.camnang-share__label').textContent.includes('Đã chép')")
    assert page.evaluate("() => navigator.clipboard.readText()") == site_url + GUIDE
    context.close()


def test_guide_page_has_a_link_preview(bundled_site):
    html = (bundled_site / GUIDE / "index.html").read_text(encoding="utf-8")
    tags = dict(re.findall(r'<meta property="(og:[a-z]+)" content="([^"]*)"', html))
    assert tags["og:title"] == "Kích hoạt tài khoản định danh điện tử VNeID mức 2"
    assert tags["og:description"].startswith("Cài ứng dụng VNeID")
    assert tags["og:url"] == TEST_SITE_URL + GUIDE
    assert tags["og:image"].startswith(TEST_SITE_URL) and tags["og:image"].endswith(".png")
    assert (bundled_site / tags["og:image"][len(TEST_SITE_URL):]).is_file()


def test_open_search_keeps_focus_and_escape_returns_it(browser, site_url):
    context = browser.new_context(**PHONE, service_workers="block")
    page = context.new_page()
    page.goto(site_url + GUIDE, wait_until="load")
    page.locator("label[for='__search']").first.click()
    field = page.locator(".md-search__input")
    field.wait_for(state="visible")
    field.click()
    page.keyboard.type("vneid")
    page.wait_for_timeout(300)
    for _ in range(12):
        page.keyboard.press("Tab")
        assert page.evaluate("() => !!document.activeElement.closest('.md-search')"), "Tab left the open search"
    # Escape from a result: back to the search field, still open.
    page.keyboard.press("Escape")
    assert page.evaluate("() => document.activeElement.classList.contains('md-search__input')")
    assert page.evaluate("() => document.getElementById('__search').checked")
    # Escape from the field closes it; focus goes to a visible place, not <body>.
    page.keyboard.press("Escape")
    page.wait_for_timeout(100)
    assert page.evaluate("() => !document.getElementById('__search').checked")
    assert page.evaluate("() => document.activeElement !== document.body"), "Escape dropped focus to <body>"
    context.close()
