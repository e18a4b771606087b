"""The team handbook (issue 26): ``in-an/so-tay.pdf``, an A5 booklet of
every guide, and ``so-tay-in-gap.pdf``, the same imposed for a copier.

One booklet is rendered here, of five bundled guides (module fixture,
in the run's shared cache); the bundled booklet is the one the real site
build (``bundled_site``) wrote."""

from __future__ import annotations

import dataclasses
import html
import io
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pikepdf
import pytest

import pdfs
from camnang.config import load_settings
from camnang.printables import booklet, teambooklet
from camnang.roster import Team, load_roster
from camnang.validate import load_library
from conftest import ROOT, TEST_SITE_URL, shared_cache

FIVE = ("nhom-zalo-thon", "binh-dan-hoc-vu-so", "xac-thuc-sim-chinh-chu", "phat-nguoi-giao-thong", "to-giac-toi-pham-vneid")
A5 = (419.53, 595.28)
A4_LANDSCAPE = (841.89, 595.28)


@pytest.fixture(scope="module")
def five(tmp_path_factory):
    """The booklet of five guides and its imposed form: (library, booklet, imposed)."""
    guides = tmp_path_factory.mktemp("five") / "guides"
    guides.mkdir()
    for slug in FIVE:
        shutil.copy(ROOT / "guides" / f"{slug}.md", guides / f"{slug}.md")
    settings = dataclasses.replace(
        load_settings(ROOT / "mkdocs.yml"), guides_dir=guides, cache_dir=shared_cache(), site_url=TEST_SITE_URL
    )
    library = load_library(guides, settings.categories)
    path, imposed = booklet.cached(library, settings)
    return library, path, imposed, settings


def page_texts(path: Path, layout: bool = True) -> list[str]:
    """Each page's text: as laid out, or (``layout`` false) block by block."""
    args = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1]


def halves(path: Path) -> list[tuple[str, str]]:
    """Each half of each imposed side, in order (left, right of side 1,
    ...): (its whole text, the text of its foot, below the text area: the lowest 20 mm), from
    the words' positions (one ``pdftotext -bbox`` run)."""
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    result = []
    for page in re.findall(r"<page [^>]*>(.*?)</page>", out, re.S):
        words = [
            (float(x), float(y), html.unescape(w))
            for x, y, w in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>(.*?)</word>', page)
        ]
        for half in (0, 1):
            mine = [(y, w) for x, y, w in words if (x >= A4_LANDSCAPE[0] / 2) == bool(half)]
            result.append((" ".join(w for _, w in mine), " ".join(w for y, w in mine if y > A4_LANDSCAPE[1] - 20 * pdfs.PT_PER_MM)))
    return result


def printed_page(whole: str, foot: str) -> int | str:
    """What a reader sees as the page number of one half of a side: the
    number in its foot, or "bìa" (the cover) and "cuối" (the last page),
    which carry none."""
    if "Sổ tay hướng dẫn dùng" in whole:
        return "bìa"
    if "Khi cần giúp đỡ" in whole and "Hỏi tổ" in whole:
        return "cuối"
    numbers = re.findall(r"(?<![\d/])(\d{1,3})(?![\d/])", foot)
    assert len(numbers) == 1, (whole[:80], foot)
    return int(numbers[0])


def check_saddle_order(booklet_pdf: Path, imposed_pdf: Path) -> int:
    """The imposed sheets, read half by half, give the booklet's pages in
    saddle-stitch order: a stack of sides printed front and back (short
    edge), folded and stapled, reads 1, 2, 3... Returns the page count."""
    pages = len(pikepdf.Pdf.open(booklet_pdf).pages)
    assert pages % 4 == 0
    with pikepdf.Pdf.open(imposed_pdf) as pdf:
        assert len(pdf.pages) == pages // 2
        for page in pdf.pages:
            assert [round(float(v), 1) for v in page.mediabox[2:]] == [round(v, 1) for v in A4_LANDSCAPE]
    read = halves(imposed_pdf)
    assert len(read) == pages
    seen = {(i // 2, i % 2): printed_page(whole, foot) for i, (whole, foot) in enumerate(read)}

    def label(n: int):
        return "bìa" if n == 1 else "cuối" if n == pages else n

    # Sheet k: front (N-2k, 2k+1), back (2k+2, N-2k-1): the fold puts page
    # 1 on top, its back is page 2, and so on.
    for k in range(pages // 4):
        assert (seen[(2 * k, 0)], seen[(2 * k, 1)]) == (label(pages - 2 * k), label(2 * k + 1)), k
        assert (seen[(2 * k + 1, 0)], seen[(2 * k + 1, 1)]) == (label(2 * k + 2), label(pages - 2 * k - 1)), k
    return pages


def test_five_guides_booklet(five):
    library, path, _, _ = five
    texts = page_texts(path)
    assert len(texts) % 4 == 0
    assert all(size == pytest.approx(A5, abs=0.5) for size in pdfs.page_sizes(path))
    # Cover: title, every category's name, the course code's address, the edition.
    cover = pdfs.squash(texts[0])
    assert pdfs.squash("Sổ tay hướng dẫn dùng dịch vụ số") in cover
    for category, _ in library.by_category():
        assert pdfs.squash(category.name) in cover
    assert "onetouch.mic.gov.vn" in cover
    assert f"Bảnngày{booklet.edition(library):%d/%m/%Y}" in cover
    # The last page: help, both codes' addresses; the pages before it
    # that only fill the count are "Ghi chú" pages, numbered.
    assert "Khi cần giúp đỡ" in texts[-1] and "onetouch.mic.gov.vn" in texts[-1] and urlsplit(TEST_SITE_URL).hostname in texts[-1]
    notes = [i for i, t in enumerate(texts) if t.split()[:2] == ["Ghi", "chú"]]
    assert notes, "a booklet of five guides needs notes pages to make a multiple of 4"
    assert len(texts) - 2 in notes
    for i in notes:
        assert re.search(rf"(?<!\d){i + 1}(?!\d)", texts[i]), f"notes page {i + 1} has its number"
    # Contents: each guide with the page it starts on, a right-hand (odd) page.
    contents = pdfs.squash(texts[1])
    for guide in library.guides:
        squashed = pdfs.squash(guide.title)
        m = re.search(re.escape(squashed) + r"\.*(\d+)", contents)
        assert m, guide.slug
        start = int(m.group(1))
        assert start % 2 == 1, f"{guide.slug} starts on a left page"
        assert squashed in pdfs.squash(texts[start - 1]), f"{guide.slug} is not on page {start}"
        # Every step whole.
        body = pdfs.squash(" ".join(texts[start - 1 : start + 4]))
        for step in guide.steps:
            assert pdfs.squash(step.text) in body, (guide.slug, step.text)
    sizes = [size for size, text in pdfs.type_sizes(path)]
    assert min(sizes) >= 10.95, "type under 11 pt"


def test_five_guides_imposed_in_saddle_stitch_order(five):
    _, path, imposed, _ = five
    check_saddle_order(path, imposed)


def test_bundled_booklet_imposed_in_saddle_stitch_order(bundled_site):
    path, imposed = bundled_site / "in-an" / booklet.FILENAME, bundled_site / "in-an" / booklet.IMPOSED_FILENAME
    pages = check_saddle_order(path, imposed)
    contents = pdfs.squash(" ".join(page_texts(path)[1:3]))
    for guide in load_library(ROOT / "guides", load_settings(ROOT / "mkdocs.yml").categories).guides:
        assert pdfs.squash(guide.title) in contents, guide.slug
    assert pages >= 40
    # The team page links both files, with the printer settings beside them.
    team_page = (bundled_site / "to-cong-nghe-so" / "index.html").read_text(encoding="utf-8")
    for name in (booklet.FILENAME, booklet.IMPOSED_FILENAME):
        assert f'href="../in-an/{name}"' in team_page
    assert "lật theo cạnh ngắn" in team_page


REAL_TEAM = Team(
    id="xa-huong-lac", name="Tổ công nghệ số cộng đồng xã Hương Lạc", level="xa", commune="Hương Lạc",
    province="Bắc Ninh", leader="Lê Văn Cường", phone="0204 3854 123", zalo="https://zalo.me/g/xa-huong-lac",
    help_place="Bộ phận một cửa, Ủy ban nhân dân xã",
)


@pytest.fixture(scope="module")
def team_booklets(five):
    """The five guides' blank booklet with a real team's and an example
    team's layers stamped on (as team packs make them)."""
    library, _, _, settings = five
    blank = booklet.cached(library, settings, "blank")[0].read_bytes()
    example = load_roster(ROOT / "teams" / "vi-du.csv").teams[0]
    made = {}
    for team in (REAL_TEAM, example):
        data = teambooklet.stamp_pages(blank, teambooklet.layer(library, settings, team), team.name)
        made[team.id if team is REAL_TEAM else "vi-du"] = (team, data)
    return blank, made


def test_team_booklet_carries_the_team_on_cover_and_last_page(team_booklets, tmp_path):
    blank, made = team_booklets
    team, data = made["xa-huong-lac"]
    path = tmp_path / "so-tay.pdf"
    path.write_bytes(data)
    texts = page_texts(path, layout=False)
    assert len(texts) == len(pikepdf.Pdf.open(io.BytesIO(blank)).pages)
    assert pdfs.squash(team.name) in pdfs.squash(texts[0]) and team.phone.replace(" ", "") in pdfs.squash(texts[0])
    last = pdfs.squash(texts[-1])
    for value in (team.name, team.leader, team.phone, team.help_place):
        assert pdfs.squash(value) in last, value
    # Only the cover and the last page change.
    assert all(pdfs.squash(team.name) not in pdfs.squash(t) for t in texts[1:-1])
    # The team's Zalo code scans from the last page, beside the course and site codes.
    image = pdfs.raster(path, 150)[-1]
    assert {c.text for c in pdfs.qr_codes(image, 150)} >= {team.zalo, TEST_SITE_URL}
    with pikepdf.open(path) as pdf:
        assert str(pdf.docinfo["/Title"]) == team.name


def test_example_team_booklet_has_no_scannable_code(team_booklets, tmp_path):
    _, made = team_booklets
    team, data = made["vi-du"]
    path = tmp_path / "so-tay.pdf"
    path.write_bytes(data)
    last = page_texts(path)[-1]
    assert "VÍ DỤ" in last and "(ví dụ)" in last.replace("\u00a0", " ")
    codes = {c.text for c in pdfs.qr_codes(pdfs.raster(path, 150)[-1], 150)}
    assert team.zalo not in codes and TEST_SITE_URL in codes


def _colour_operators(pdf) -> tuple[list[str], set]:
    """Every RGB or grey colour operator of every page and form XObject of
    ``pdf``, and the operators that set the fill colour text is shown in
    (``None``: the page's initial colour)."""
    streams, seen = list(pdf.pages), set()
    anywhere, text_colours = [], set()
    while streams:
        owner = streams.pop()
        obj = owner if isinstance(owner, pikepdf.Object) else owner.obj
        for _, xobject in obj.get("/Resources", pikepdf.Dictionary()).get("/XObject", pikepdf.Dictionary()).items():
            if xobject.get("/Subtype") == "/Form" and xobject.objgen not in seen:
                seen.add(xobject.objgen)
                streams.append(xobject)
        fill, stack = None, []
        for _, operator in pikepdf.parse_content_stream(owner):
            name = str(operator)
            if name in ("rg", "RG", "g", "G"):
                anywhere.append(name)
            if name in ("rg", "g", "k", "sc", "scn"):
                fill = name
            elif name == "q":
                stack.append(fill)
            elif name == "Q" and stack:
                fill = stack.pop()
            elif name in ("Tj", "TJ", "'", '"'):
                text_colours.add(fill)
    return anywhere, text_colours


def test_offset_profile_for_a_print_shop(five, tmp_path):
    """print_profile: offset: 3 mm bleed round the A5 trim, crop marks, an
    output intent, every black in K only (no RGB text, nor RGB rules or
    codes), nothing within 10 mm inside the trim; the imposed form is cut
    to the trim."""
    library, _, _, settings = five
    one = dataclasses.replace(library, guides=library.guides[:1])
    offset = dataclasses.replace(settings, print_profile="offset")
    data = booklet.render(one, offset)
    path = tmp_path / "so-tay.pdf"
    path.write_bytes(data)
    bleed = 3 * pdfs.PT_PER_MM
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) % 4 == 0
        for page in pdf.pages:
            trim = [float(v) for v in page.trimbox]
            assert trim[2] - trim[0] == pytest.approx(A5[0], abs=0.1) and trim[3] - trim[1] == pytest.approx(A5[1], abs=0.1)
            box = [float(v) for v in page.bleedbox]
            assert box == pytest.approx([trim[0] - bleed, trim[1] - bleed, trim[2] + bleed, trim[3] + bleed], abs=0.1)
            media = [float(v) for v in page.mediabox]
            assert media[0] <= box[0] and media[2] >= box[2]
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX" and str(intent.OutputConditionIdentifier) == booklet.OUTPUT_CONDITION
        assert "/StructTreeRoot" in pdf.Root  # still tagged
        anywhere, text_colours = _colour_operators(pdf)
        assert text_colours <= {"k", "scn"}, f"text painted with {text_colours}"
        assert anywhere == [], "rules or codes painted in RGB or grey"
    # Text is still text, and nothing is inked within 10 mm inside the trim
    # (the crop marks are outside it).
    assert "Sổ tay hướng dẫn dùng" in page_texts(path)[0]
    dpi = 50
    margin = round(3 / 25.4 * dpi)
    for image in pdfs.raster(path, dpi):
        inside = image.crop((margin, margin, image.width - margin, image.height - margin))
        assert not pdfs.ink_near_edges(inside, dpi, 10)
    # The office profile (the default) is RGB black, no bleed.
    with pikepdf.open(five[1]) as pdf:
        assert "/OutputIntents" not in pdf.Root
        assert "rg" in _colour_operators(pdf)[1], "the office booklet's text is RGB black (the check above can fail)"
        assert [float(v) for v in pdf.pages[0].mediabox] == pytest.approx([0, 0, *A5], abs=0.1)
    imposed = booklet.impose(data)
    with pikepdf.open(io.BytesIO(imposed)) as pdf:
        assert [float(v) for v in pdf.pages[0].mediabox] == pytest.approx([0, 0, *A4_LANDSCAPE], abs=0.1)
