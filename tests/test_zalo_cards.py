"""Zalo cards (issue 25): a guide as 1080x1350 PNG pictures for a
village's Zalo group, checked on the real files: pixel, byte and type
size, the QR code after Zalo-like recompression, byte-identical renders,
a long guide as a numbered series with no step cut, and the site's guide
page (its og:image and its "In ấn" box)."""

from __future__ import annotations

import dataclasses
import html
import io
import re

import pytest
import zxingcpp
from PIL import Image

import pdfs
from camnang.config import load_settings
from camnang.markup import to_text as plain
from camnang.printables import poster, zalocard
from camnang.printables.cache import verify_bytes
from camnang.validate import load_library
from conftest import FIXTURES, ROOT, TEST_SITE_URL, make_project, run_mkdocs, shared_cache

SETTINGS = dataclasses.replace(load_settings(ROOT / "mkdocs.yml"), cache_dir=shared_cache(), site_url=TEST_SITE_URL)
BUNDLED = "vneid-kich-hoat"
PX_PER_PT = 96 / 72


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    """A bundled guide's cards, and the PDF they were rasterised from."""
    guide = load_library(ROOT / "guides", SETTINGS.categories).get(BUNDLED)
    pdf = tmp_path_factory.mktemp("zalo") / "cards.pdf"
    pdf.write_bytes(zalocard.render_pdf(guide, SETTINGS))
    return guide, pdf, zalocard.rasterise(pdf.read_bytes())


@pytest.fixture(scope="module")
def long_guide(tmp_path_factory):
    guide = load_library(FIXTURES / "printables", SETTINGS.categories).get("muoi-hai-buoc")
    pdf = tmp_path_factory.mktemp("zalo-long") / "cards.pdf"
    pdf.write_bytes(zalocard.render_pdf(guide, SETTINGS))
    return guide, pdf, zalocard.rasterise(pdf.read_bytes())


def test_cards_are_1080_by_1350_and_at_most_300_kb(bundled, long_guide):
    for _, _, cards in (bundled, long_guide):
        for data in cards:
            assert Image.open(io.BytesIO(data)).size == (1080, 1350)
            assert len(data) <= 300 * 1024, len(data)


def test_no_text_smaller_than_40_px(bundled, long_guide):
    for _, pdf, _ in (bundled, long_guide):
        sizes = pdfs.type_sizes(pdf)
        assert sizes
        smallest = min(sizes)
        assert smallest[0] * PX_PER_PT >= zalocard.MIN_PX - 0.01, smallest


def zalo_recompressed(data: bytes) -> Image.Image:
    """What a phone shows after Zalo's recompression: half size, JPEG 70."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    image = image.resize((image.width // 2, image.height // 2), Image.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return Image.open(io.BytesIO(buffer.getvalue()))


def test_qr_code_decodes_after_half_size_jpeg(bundled):
    guide, _, cards = bundled
    found = [r.text for data in cards for r in zxingcpp.read_barcodes(zalo_recompressed(data), formats=zxingcpp.BarcodeFormat.QRCode)]
    assert found == [guide.page_url(TEST_SITE_URL)]


def test_without_site_address_the_code_leads_to_the_course(bundled):
    guide = bundled[0]
    settings = dataclasses.replace(SETTINGS, site_url="")
    cards = zalocard.render(guide, settings)
    found = [r.text for data in cards for r in zxingcpp.read_barcodes(zalo_recompressed(data), formats=zxingcpp.BarcodeFormat.QRCode)]
    assert found == [settings.course_url]


def test_cards_are_byte_identical_run_to_run(bundled):
    guide, _, cards = bundled
    assert zalocard.render(guide, SETTINGS) == cards


def test_bundled_guide_card_carries_title_message_and_every_step(bundled):
    guide, pdf, cards = bundled
    text = pdfs.squash(pdfs.text(pdf))
    assert pdfs.squash(guide.title) in text
    assert pdfs.squash(plain(poster.key_message(guide))) in text
    assert len(pdfs.page_sizes(pdf)) == len(cards)


def test_long_guide_is_a_numbered_series_and_no_step_is_cut(long_guide):
    guide, pdf, cards = long_guide
    count = len(cards)
    assert count >= 2
    assert len(pdfs.page_sizes(pdf)) == count
    pages = [pdfs.squash(p.extract_text()) for p in pdfs.reader(pdf).pages]
    for n, page in enumerate(pages, 1):
        assert page.endswith(f"{n}/{count}"), (n, page[-40:])
    # Later cards repeat the title (at the top, in the page margin), whole:
    # nothing runs off the card's top edge.
    for page, data in zip(pages[1:], cards[1:]):
        assert pdfs.squash(guide.title) in page
        assert Image.open(io.BytesIO(data)).convert("L").crop((0, 0, 1080, 24)).getextrema()[0] > 200
    # No card is the code alone: steps on every card, or the end card's help.
    steps = [pdfs.squash(plain(s.short or s.content)) for s in guide.steps]
    for page in pages:
        assert any(step in page for step in steps) or "Cầnngườigiúp?" in page
    text = "".join(pages)
    assert "..." not in text
    positions = [text.find(pdfs.squash(plain(s.short or s.content))) for s in guide.steps]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), positions


def test_cards_are_cached_and_named_as_a_series(tmp_path):
    library = load_library(FIXTURES / "printables", SETTINGS.categories)
    settings = dataclasses.replace(SETTINGS, cache_dir=tmp_path)
    guide = library.get("muoi-hai-buoc")
    first = zalocard.cards(guide, settings)
    names = [name for name, _ in first]
    assert names[0] == "the-zalo-muoi-hai-buoc.png"
    assert names[1:] == [f"the-zalo-muoi-hai-buoc-{n}.png" for n in range(2, len(names) + 1)]
    stamps = [path.stat().st_mtime_ns for _, path in first]
    assert zalocard.cards(guide, settings) == first
    assert [path.stat().st_mtime_ns for _, path in first] == stamps
    # A card changed in place (a team pack's file is a hard link to it) or
    # cut short is found by its digest and made again; a team-pack entry
    # cut short fails the cache's check.
    path = first[0][1]
    good = path.read_bytes()
    with path.open("r+b") as f:
        f.write(b"\x89PNG\r\n\x1a\nchanged")
    assert zalocard.cards(guide, settings) == first and path.read_bytes() == good
    assert verify_bytes(good, ".png") is None
    assert verify_bytes(good[:-100], ".png") and verify_bytes(b"GIF89a" + good[6:], ".png")


@pytest.mark.build
def test_site_guide_page_previews_and_links_its_card(tmp_path):
    """A real MkDocs build of a small project: the card is published under
    in-an/, the guide page's og:image is its absolute address and the
    "In ấn" box links it."""
    project = make_project(tmp_path, [FIXTURES / "guides" / "thu-nghiem.md"])
    site = tmp_path / "site"
    result = run_mkdocs(project, site, env={"CAMNANG_SITE_URL": TEST_SITE_URL})
    assert result.returncode == 0, result.stderr[-3000:]
    card = site / "in-an" / "the-zalo-thu-nghiem.png"
    assert Image.open(card).size == (1080, 1350)
    page = (site / "huong-dan" / "thu-nghiem" / "index.html").read_text(encoding="utf-8")
    og = re.findall(r'<meta property="og:image" content="([^"]+)"', page)
    assert og == [f"{TEST_SITE_URL}in-an/the-zalo-thu-nghiem.png"]
    links = re.findall(r'<li><a href="([^"]+)">(.*?)</a></li>', page)
    cards = [(href, html.unescape(re.sub(r"<[^>]+>", "", label)).strip()) for href, label in links if "the-zalo-" in href]
    assert cards and cards[0][0] == "../../in-an/the-zalo-thu-nghiem.png", cards
    assert all(label.startswith(zalocard.LABEL) for _, label in cards)


def test_no_step_starts_with_a_lone_word(tmp_path):
    """WeasyPrint 70 broke this short form of a bundled guide after its
    first word ("Xem", then the rest): the card is laid out again a little
    narrower until every paragraph's first line holds more than one word."""
    guide = load_library(ROOT / "guides", SETTINGS.categories).get("nhom-zalo-thon")
    step = plain(guide.steps[4].short)
    assert step.startswith("Xem đúng tên nhóm")
    pdf = tmp_path / "cards.pdf"
    pdf.write_bytes(zalocard.render_pdf(guide, SETTINGS))
    lines = [line.strip() for line in pdfs.text(pdf).splitlines()]
    assert "Xem" not in lines
    assert any(line.startswith("Xem đúng") for line in lines), lines
