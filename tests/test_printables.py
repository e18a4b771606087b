"""Leaflets and posters of every bundled guide, as the real site build
(``bundled_site``, with a site_url) writes them: what a person printing,
reading, copying text from or scanning them with a phone gets."""

from __future__ import annotations

import dataclasses
import html
import re
from functools import lru_cache
from pathlib import Path

import pytest

import pdfs
from camnang.config import load_settings
from camnang.printables import fitting, leaflet, poster
from camnang.printables.kinds import PrintContext
from camnang.printables.leaflet import LEAFLET
from camnang.printables.pdf import printer
from camnang.printables.poster import POSTER
from camnang.render.site import Download
from camnang.markup import parse_inline, to_html
from camnang.markup import to_text as plain
from camnang.validate import load_library
from conftest import FIXTURES, ROOT, TEST_SITE_URL

SETTINGS = load_settings(ROOT / "mkdocs.yml")
GUIDES = load_library(ROOT / "guides", SETTINGS.categories).guides
COURSE_URL = SETTINGS.course_url
KINDS = {
    "leaflet": dict(kind=LEAFLET, size=pdfs.A4, pages=(1, 2), body_pt=12, title_pt=20, qr_mm=30, max_kb=60),
    "poster": dict(kind=POSTER, size=pdfs.A3, pages=(1,), body_pt=24, title_pt=40, qr_mm=60, max_kb=100),
}
CASES = [pytest.param(g, k, id=f"{k}-{g.slug}") for g in GUIDES for k in KINDS]
DPI = 150


@pytest.fixture(scope="module")
def printed(bundled_site) -> Path:
    return bundled_site / "in-an"


def pdf_of(printed: Path, guide, kind: str) -> Path:
    return printed / KINDS[kind]["kind"].output_name(guide)


@lru_cache(maxsize=None)
def pages_at(path: Path, dpi: float) -> tuple:
    return tuple(pdfs.raster(path, dpi))


def test_every_guide_page_links_its_printables_with_sizes(bundled_site):
    for guide in GUIDES:
        page = bundled_site / "huong-dan" / guide.slug / "index.html"
        source = page.read_text(encoding="utf-8")
        box = re.search(r'<h2 id="in-an">In ấn</h2>\s*<div class="camnang-downloads">(.*?)</div>', source, re.S)
        assert box, guide.slug
        links = re.findall(r'<a download href="([^"]+)">([^<]+)</a> \(([^)]+)\)', box.group(1))
        by_label = {label: (href, size) for href, label, size in links}
        for spec in KINDS.values():
            kind = spec["kind"]
            href, size = by_label[kind.label]
            target = (page.parent / html.unescape(href)).resolve()
            assert target == (bundled_site / "in-an" / kind.output_name(guide)).resolve()
            assert size == Download(kind.label, target.name, target.stat().st_size).size_text


@pytest.mark.parametrize("guide, kind", CASES)
def test_pages_are_exact_paper_size(printed, guide, kind):
    spec = KINDS[kind]
    sizes = pdfs.page_sizes(pdf_of(printed, guide, kind))
    assert len(sizes) in spec["pages"], (guide.slug, len(sizes))
    for width, height in sizes:
        assert abs(width - spec["size"][0]) <= 1 and abs(height - spec["size"][1]) <= 1


@pytest.mark.parametrize("guide, kind", CASES)
def test_fonts_are_embedded_and_metadata_is_set(printed, guide, kind):
    path = pdf_of(printed, guide, kind)
    found = pdfs.fonts(path)
    assert found
    for font in found:
        assert font.subtype != "/Type3", font
        assert font.embedded, font
        assert "Noto" in font.name and "+" in font.name, font  # subset of the configured family
    assert pdfs.metadata(path) == {"title": guide.title, "author": "Tổ công nghệ số cộng đồng", "lang": "vi"}
    assert path.stat().st_size <= KINDS[kind]["max_kb"] * 1024, path.stat().st_size


@pytest.mark.parametrize("guide", GUIDES, ids=lambda g: g.slug)
def test_leaflet_text_has_title_and_every_step_in_full(printed, guide):
    text = pdfs.squash(pdfs.text(pdf_of(printed, guide, "leaflet")))
    assert pdfs.squash(guide.title) in text
    for step in guide.steps:
        assert pdfs.squash(plain(step)) in text, step
    for item in guide.prepare:
        assert pdfs.squash(plain(item)) in text, item
    for tip in guide.tips:
        assert pdfs.squash(plain(tip)) in text, tip


@pytest.mark.parametrize("guide", GUIDES, ids=lambda g: g.slug)
def test_poster_text_has_title_and_every_step_in_short_form(printed, guide):
    text = pdfs.squash(pdfs.text(pdf_of(printed, guide, "poster")))
    assert pdfs.squash(guide.title) in text
    # One of the poster's variants is on the page, all its steps in order.
    candidates = []
    for fit in poster.fits(guide):
        steps = [pdfs.squash(plain(s)) for s in poster.steps_at(guide, fit)]
        positions = [text.find(s) for s in steps]
        if all(p >= 0 for p in positions) and positions == sorted(positions):
            candidates.append(fit)
    assert candidates, guide.slug
    # Each step keeps at least its first words.
    for step in guide.steps:
        assert pdfs.squash(" ".join(plain(step).split()[:2])) in text


@pytest.mark.parametrize("guide, kind", CASES)
def test_type_is_large_enough_for_elderly_readers(printed, guide, kind):
    spec = KINDS[kind]
    runs = pdfs.type_sizes(pdf_of(printed, guide, kind))
    smallest = min(size for size, _ in runs)
    assert smallest >= spec["body_pt"] - 0.01, [r for r in runs if r[0] < spec["body_pt"]][:3]
    title_words = guide.title.split()[0]
    title_sizes = [size for size, t in runs if t.strip().startswith(title_words)]
    assert max(title_sizes) >= spec["title_pt"], title_sizes


@pytest.mark.parametrize("guide, kind", CASES)
def test_every_page_scans_to_exactly_the_guide_page_and_the_course(printed, guide, kind):
    expected = {TEST_SITE_URL + f"huong-dan/{guide.slug}/", COURSE_URL}
    for image in pages_at(pdf_of(printed, guide, kind), DPI):
        codes = pdfs.qr_codes(image, DPI)
        assert {c.text for c in codes} == expected
        assert len(codes) == 2
        for code in codes:
            assert code.width_mm >= KINDS[kind]["qr_mm"], code
        # Photocopied in black and white.
        assert {c.text for c in pdfs.qr_codes(image.convert("L"), DPI)} == expected


@pytest.mark.parametrize("guide", GUIDES, ids=lambda g: g.slug)
def test_poster_printed_on_a4_still_scans(printed, guide):
    dpi = DPI * pdfs.A4[0] / pdfs.A3[0]  # the A3 page shrunk onto A4, seen at 150 dpi
    (image,) = pages_at(pdf_of(printed, guide, "poster"), dpi)
    assert {c.text for c in pdfs.qr_codes(image.convert("L"), dpi)} == {
        TEST_SITE_URL + f"huong-dan/{guide.slug}/",
        COURSE_URL,
    }


@pytest.mark.parametrize("guide, kind", CASES)
def test_nothing_printed_within_10_mm_of_the_paper_edge(printed, guide, kind):
    for image in pages_at(pdf_of(printed, guide, kind), DPI):
        assert not pdfs.ink_near_edges(image, DPI, 10)


def test_typical_guide_fits_one_leaflet_page(tmp_path):
    """The fixture guide (four short steps) is a one-page leaflet, and the
    long fixture needs two pages but not three; both posters are one page."""
    from camnang.printables.leaflet import render as render_leaflet
    from camnang.printables.poster import render as render_poster

    settings = dataclasses.replace(SETTINGS, site_url=TEST_SITE_URL)
    ctx = PrintContext(settings)
    short = load_library(FIXTURES / "guides", settings.categories).get("thu-nghiem")
    long = load_library(FIXTURES / "printables", settings.categories).get("rat-dai")
    for guide, leaflet_pages in ((short, 1), (long, 2)):
        for render, pages in ((render_leaflet, leaflet_pages), (render_poster, 1)):
            path = tmp_path / f"{render.__module__}-{guide.slug}.pdf"
            path.write_bytes(render(guide, ctx))
            assert len(pdfs.page_sizes(path)) == pages, (guide.slug, render.__module__)
    text = pdfs.squash(pdfs.text(tmp_path / f"{render_poster.__module__}-rat-dai.pdf"))
    assert pdfs.squash("Xem đủ từng bước: quét mã QR bên dưới.") in text
    assert "..." in text  # a step cut short says so


def test_fitting_chooses_what_trying_every_variant_would(tmp_path):
    """Predictions only skip layouts: the variant chosen is the first one,
    in order of preference, that really fits its page budget."""
    settings = dataclasses.replace(SETTINGS, site_url=TEST_SITE_URL)
    ctx = PrintContext(settings)
    lay_out = printer(settings.print_font).layout
    guides = [
        load_library(FIXTURES / "guides", settings.categories).get("thu-nghiem"),
        load_library(FIXTURES / "printables", settings.categories).get("rat-dai"),
    ]
    for module, fits_of in ((leaflet, lambda g: leaflet.FITS), (poster, poster.fits)):
        sheets = [settings.posters_dir / name for name in module.STYLESHEETS]
        for guide in guides:
            fits = fits_of(guide)
            first_fitting = next(
                i for i, fit in enumerate(fits)
                if lay_out(module.html(guide, ctx, fit), settings.posters_dir, sheets).page_count <= fit.max_pages
            )
            fitting._memo.clear()
            module.render(guide, ctx)
            chosen = fitting.fitted(module.__name__.rsplit(".", 1)[1], guide, ctx, (module.TEMPLATE, *module.STYLESHEETS))
            assert chosen == first_fitting, (module.__name__, guide.slug)


# -- units ------------------------------------------------------------------------

def test_short_step_rules():
    from camnang.printables.poster import first_sentence, short_step

    md = parse_inline
    assert first_sentence(md("Mở ứng dụng **VNeID**. Chờ một lúc.")) == md("Mở ứng dụng **VNeID**.")
    # Addresses and numbers do not end a sentence.
    assert first_sentence(md("Vào vneid.gov.vn rồi nhập 1.000 đồng. Xong.")) == md("Vào vneid.gov.vn rồi nhập 1.000 đồng.")
    step = md("Mở **CH Play** (điện thoại Android) hoặc **App Store** (iPhone), tìm và cài ứng dụng.")
    assert short_step(step) == step
    assert short_step(step, 70) == md("Mở **CH Play** hoặc **App Store**, tìm và cài ứng dụng.")
    # A colon cut keeps the part that says what to do.
    step = md("Nạp tiền vào tài khoản: nộp tiền mặt tại điểm giao dịch của nhà mạng, hoặc chuyển từ ngân hàng.")
    assert short_step(step, 60) == md("Nạp tiền vào tài khoản.")
    # No cut at a comma: the word cut shows it goes on.
    step = md("Nếu thủ tục có phí, lệ phí, chọn thanh toán trực tuyến qua ngân hàng hoặc ví điện tử của mình.")
    cut = short_step(step, 56).text
    assert cut.endswith("…") and len(cut) <= 56 and step.text.startswith(cut[:-1])
    # A cut inside bold keeps the bold closed (the tree cannot do otherwise).
    step = md("Chọn **Thanh toán hóa đơn tiền điện và tiền nước hằng tháng của gia đình** rồi bấm tiếp.")
    html = str(to_html(short_step(step, 30)))
    assert html.startswith("Chọn <strong>Thanh") and html.count("<strong>") == html.count("</strong>") == 1


def test_author_short_form_wins():
    from camnang.markup import parse_body, steps_of
    from camnang.printables.poster import short_step

    body, problems = parse_body(
        "## Các bước\n\n1. Mở ứng dụng **VNeID**, chờ màn hình đăng nhập hiện ra rồi đọc kỹ.\n"
        "   Ngắn: Mở **VNeID**.\n2. Hai.\n3. Ba.\n",
        "t.md",
        1,
    )
    assert not problems
    steps = steps_of(body.sections[0], "t.md", problems)
    assert steps[0].short == parse_inline("Mở **VNeID**.")
    assert steps[0].content == parse_inline("Mở ứng dụng **VNeID**, chờ màn hình đăng nhập hiện ra rồi đọc kỹ.")
    assert short_step(steps[0]) == steps[0].short
    assert short_step(steps[1]) == parse_inline("Hai.")


def test_qr_code_box_and_floor():
    from camnang.printables.qr import qr_code

    code = qr_code("https://camnang.test/huong-dan/vneid-kich-hoat/", 40, "m", 30)
    assert code.width_mm == pytest.approx(40)
    assert 30 <= code.symbol_mm < 40
    assert code.version.endswith(("M", "Q", "H"))
    tiny = qr_code("https://a.vn/", 40, "q", 36)
    assert tiny.symbol_mm == 36 and tiny.width_mm > 40
    with pytest.raises(ValueError):
        qr_code("huong-dan/vneid-kich-hoat/", 40)


def test_font_check_names_the_problem():
    from camnang.errors import ConfigError
    from camnang.printables.fonts import find_font

    assert find_font("Noto Sans").files
    with pytest.raises(ConfigError, match="không tìm thấy phông chữ 'Phông Không Có'"):
        find_font("Phông Không Có")
    with pytest.raises(ConfigError, match="không hợp lệ"):
        find_font('Noto"; x')
