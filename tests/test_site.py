"""The site as residents see it: real `mkdocs build` output."""

from __future__ import annotations

import dataclasses
import html
import re
from pathlib import Path

import pytest

from camnang.config import load_categories
from camnang.render import site
from camnang.validate import load_library

from conftest import FIXTURES, ROOT, make_project, run_mkdocs

CATEGORIES = load_categories()


def _text(page: Path) -> str:
    """Visible text of the article, tags stripped, entities decoded."""
    raw = page.read_text(encoding="utf-8")
    body = raw[raw.index("<article") : raw.index("</article>")]
    body = re.sub(r"<svg.*?</svg>", "", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_every_bundled_guide_has_a_page(bundled_site: Path):
    library = load_library(ROOT / "guides", CATEGORIES)
    assert len(library.guides) >= 10
    for guide in library.guides:
        page = bundled_site / "huong-dan" / guide.slug / "index.html"
        assert page.is_file(), guide.slug
        text = _text(page)
        assert guide.title in text
        assert "Cần chuẩn bị" in text and "Các bước" in text
        assert f"Cập nhật: {guide.edition:%d/%m/%Y}" in text
        for item in guide.prepare:
            assert item in text
        # Each drawn check box is named after its item in the page itself,
        # so a screen reader says what it is even without JavaScript.
        raw = page.read_text(encoding="utf-8")
        boxes = re.findall(r'<input type="checkbox" disabled aria-label="([^"]*)"', raw)
        assert [html.unescape(b) for b in boxes] == list(guide.prepare), guide.slug
        assert "<script" not in raw.split('<ul class="task-list')[1].split("</ul>")[0]


def test_home_shows_each_category_with_a_few_guides_and_its_page(bundled_site: Path):
    library = load_library(ROOT / "guides", CATEGORIES)
    home = (bundled_site / "index.html").read_text(encoding="utf-8")
    text = _text(bundled_site / "index.html")
    assert "Phổ cập kỹ năng số cộng đồng" in text
    assert "https://onetouch.mic.gov.vn/pho-cap-ky-nang-so/" in home
    groups = library.by_category()
    starts = [home.index(f'<h2 id="{category.id}"') for category, _ in groups]
    ends = starts[1:] + [home.index("</article>")]
    for (category, guides), start, end in zip(groups, starts, ends):
        block = home[start:end]
        assert category.name in block
        shown = {g.slug for g in library.guides if f'href="huong-dan/{g.slug}/"' in block}
        # A few of the category's own guides, none of another's.
        assert 1 <= len(shown) <= min(len(guides), site.HOME_FEATURED), (category.id, shown)
        assert shown <= {g.slug for g in guides}, (category.id, shown)
        # The category's page, with its count, lists every one of its guides.
        assert f'href="chu-de/{category.id}/"' in block
        assert f"({len(guides)})" in block
        page = (bundled_site / "chu-de" / category.id / "index.html").read_text(encoding="utf-8")
        page = page[page.index("<article") : page.index("</article>")]
        listed = set(re.findall(r'href="\.\./\.\./huong-dan/([^/"]+)/"', page))
        assert listed == {g.slug for g in guides}, category.id


def test_category_pages_stay_short_and_out_of_search(tmp_path: Path):
    """At 1,000 guides a category is split over pages of
    CATEGORY_PAGE_GUIDES guides, the home page keeps HOME_FEATURED guides
    per category and the navigation lists a large category's page, not its
    guides (bench/site.py measures the built pages: under 60 KB)."""
    library = load_library(ROOT / "guides", CATEGORIES)
    many = dataclasses.replace(
        library,
        guides=tuple(
            dataclasses.replace(library.guides[i % len(library.guides)], slug=f"g-{i:04d}")
            for i in range(1000)
        ),
    )
    pages = site.category_pages(many)
    assert sum(len(p.guides) for p in pages) == 1000
    assert max(len(p.guides) for p in pages) == site.CATEGORY_PAGE_GUIDES
    home = site.render_home_cards(many, lambda g: g.slug)
    assert home.count("<li>") == site.HOME_FEATURED * len(many.by_category())
    assert len(home.encode()) < 30 * 1024
    for section in site.build_nav(many, [])[1:]:
        (name, items), = section.items()
        assert len(items) <= site.NAV_GUIDES + 1, name
    longest = max(pages, key=lambda p: p.count)
    html_text = site.render_category_page(longest)
    assert len(html_text.encode()) < 30 * 1024
    assert f"Trang {longest.count}" in html_text
    assert site.category_meta(longest)["search"] == {"exclude": True}


def test_navigation_groups_by_category(bundled_site: Path):
    library = load_library(ROOT / "guides", CATEGORIES)
    page = (bundled_site / "huong-dan" / library.guides[0].slug / "index.html").read_text(encoding="utf-8")
    nav = page[page.index('class="md-nav md-nav--primary"') :]
    for category, _ in library.by_category():
        assert category.name in nav


def test_team_page_documents_the_format(bundled_site: Path):
    text = _text(bundled_site / "to-cong-nghe-so" / "index.html")
    assert "Dành cho tổ công nghệ số" in text
    for field in ("title", "service", "category", "summary", "prepare", "sources", "reviewed", "Các bước"):
        assert field in text


def test_no_outside_font_or_script_requests(bundled_site: Path):
    """font: false, so no Google Fonts; every script and stylesheet is local."""
    for page in [bundled_site / "index.html", *bundled_site.glob("huong-dan/*/index.html")]:
        raw = page.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in raw and "fonts.gstatic" not in raw
        loaded = re.findall(r'<script[^>]+src="([^"]+)"', raw)
        loaded += re.findall(r'<link[^>]+rel="(?:stylesheet|preload|icon|modulepreload)"[^>]+href="([^"]+)"', raw)
        assert loaded
        for url in loaded:
            assert not re.match(r"^(https?:)?//", url), (page, url)


@pytest.mark.build
def test_new_guide_appears_with_no_other_change(tmp_path: Path):
    project = make_project(tmp_path)
    source = (FIXTURES / "guides" / "thu-nghiem.md").read_text(encoding="utf-8")
    (project / "guides" / "huong-dan-moi.md").write_text(
        source.replace("Đăng ký tài khoản thử nghiệm", "Hướng dẫn mới thêm vào"), encoding="utf-8"
    )
    site = tmp_path / "site"
    result = run_mkdocs(project, site)
    assert result.returncode == 0, result.stderr
    page = site / "huong-dan" / "huong-dan-moi" / "index.html"
    assert "Hướng dẫn mới thêm vào" in _text(page)
    assert 'href="huong-dan/huong-dan-moi/"' in (site / "index.html").read_text(encoding="utf-8")


@pytest.mark.build
def test_guide_saved_in_nfd_comes_out_nfc(tmp_path: Path):
    import unicodedata

    project = make_project(tmp_path)
    path = project / "guides" / "thu-nghiem.md"
    path.write_text(unicodedata.normalize("NFD", path.read_text(encoding="utf-8")), encoding="utf-8")
    assert "Đăng ký" not in path.read_text(encoding="utf-8")  # really decomposed on disk
    site = tmp_path / "site"
    result = run_mkdocs(project, site)
    assert result.returncode == 0, result.stderr
    raw = (site / "huong-dan" / "thu-nghiem" / "index.html").read_text(encoding="utf-8")
    assert "Đăng ký tài khoản thử nghiệm" in raw
    assert raw == unicodedata.normalize("NFC", raw)


@pytest.mark.build
def test_stale_review_date_warns_and_shows_date(tmp_path: Path):
    project = make_project(tmp_path)
    path = project / "guides" / "thu-nghiem.md"
    path.write_text(path.read_text(encoding="utf-8").replace("reviewed: 2026-11-01", "reviewed: 2024-01-15"), encoding="utf-8")
    site = tmp_path / "site"
    result = run_mkdocs(project, site)
    assert result.returncode == 0, result.stderr
    assert "thu-nghiem.md" in result.stderr and "reviewed" in result.stderr and "12 tháng" in result.stderr
    assert "Cập nhật: 15/01/2024" in _text(site / "huong-dan" / "thu-nghiem" / "index.html")


def test_preview_address_is_never_used_as_site_url():
    """`mkdocs serve` sets site_url to its loopback address: printables must
    not encode it; a real https address is kept as configured."""
    from mkdocs.config import load_config

    from camnang.plugin import settings_from_mkdocs

    for url, expected in (("http://127.0.0.1:8000/", None), ("https://camnang.test/a", "https://camnang.test/a/")):
        cfg = load_config(config_file=str(ROOT / "mkdocs.yml"), site_url=url)
        assert settings_from_mkdocs(cfg, cfg.plugins["camnang"].config).site_url == expected
