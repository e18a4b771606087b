"""A team's radio PDF composed from laid-out blocks (``radiocompose``) is
the PDF that laying out every script for the team gives
(``radio.render_team_pdf``): the same pages, words and look, tagged, and
the same bytes every time."""

from __future__ import annotations

import dataclasses

import pikepdf
import pytest
from PIL import ImageChops

from camnang.config import load_settings
from camnang.printables import radio, radiocompose, teampacks
from camnang.printables.kinds import PrintContext
from camnang.printables.pipeline import select
from camnang.validate import load_library

import pdfs
from conftest import ROOT, TEST_SITE_URL

TEAM = dataclasses.replace(
    teampacks.RADIO_REFERENCE, id="thon-xa", name="Tổ công nghệ số cộng đồng thôn Xa Tít Mù Khơi Bên Kia Sông Lớn",
    phone="0912 000 111", help_place="Nhà văn hóa thôn Xa, sáng Chủ nhật hằng tuần",
)
"""A team unlike the reference: a long name, another place and phone."""


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    # A short slot: the long scripts get the header's warning and the split note.
    settings = dataclasses.replace(load_settings(ROOT / "mkdocs.yml"), site_url=TEST_SITE_URL, radio_slot_minutes=2.5)
    guides = select(load_library(settings.guides_dir, settings.categories), None)
    ref = PrintContext(settings, teampacks.RADIO_REFERENCE)
    ctx = PrintContext(settings, TEAM)
    # The longest scripts (a split note, several pages) and the shortest.
    words = sorted(guides, key=lambda g: radio.script(g, ctx).word_count)
    chosen = [words[-1], words[0], words[-2]]
    scripts = [radio.script(g, ctx) for g in chosen]
    starts = [radio.start_index(g, ref) for g in chosen]
    galley = radiocompose.load_galley(*radiocompose.make_galley(chosen, ref, starts))
    composed, pages = radiocompose.compose(TEAM, chosen, ctx, scripts, starts, galley)
    again = radiocompose.compose(TEAM, chosen, ctx, scripts, starts, radiocompose.load_galley(*radiocompose.make_galley(chosen, ref, starts)))[0]
    laid_out, laid_pages = radio.render_team_pdf(TEAM, chosen, ctx, scripts, starts)
    folder = tmp_path_factory.mktemp("radiocompose")
    (folder / "composed.pdf").write_bytes(composed)
    (folder / "laid-out.pdf").write_bytes(laid_out)
    return folder, scripts, pages, laid_pages, composed == again


def test_composed_pdf_has_the_pages_words_and_look_of_the_laid_out_one(made):
    folder, scripts, pages, laid_pages, _ = made
    assert any(s.split_after_step() for s in scripts)  # the split note is there
    assert pages == laid_pages
    composed, laid_out = pdfs.reader(folder / "composed.pdf"), pdfs.reader(folder / "laid-out.pdf")
    assert len(composed.pages) == len(laid_out.pages) == pages
    for n, (a, b) in enumerate(zip(composed.pages, laid_out.pages)):
        # Same words in the same order on every page: page breaks, page
        # numbers, the contents page's page ranges.
        assert pdfs.squash(a.extract_text()) == pdfs.squash(b.extract_text()), n
    # Every character where the laid-out PDF has it, and the same look.
    import pypdfium2

    documents = [pypdfium2.PdfDocument(str(folder / name)) for name in ("composed.pdf", "laid-out.pdf")]
    for n in range(pages):
        boxes = []
        for document in documents:
            text = document[n].get_textpage()
            boxes.append([tuple(round(v, 1) for v in text.get_charbox(i)) for i in range(0, text.count_chars(), 7)])
        assert boxes[0] == boxes[1], n
    for n, (a, b) in enumerate(zip(pdfs.raster(folder / "composed.pdf", 30), pdfs.raster(folder / "laid-out.pdf", 30))):
        diff = ImageChops.difference(a.convert("L"), b.convert("L"))
        # Anti-aliasing aside (a line of text may snap a pixel apart).
        assert sum(1 for v in diff.get_flattened_data() if v > 64) < 0.003 * a.width * a.height, n


def test_composed_pdf_is_tagged_and_the_same_bytes_every_time(made):
    folder, scripts, _, _, same = made
    assert same
    with pikepdf.open(folder / "composed.pdf") as pdf:
        assert str(pdf.Root.Lang) == "vi" and pdf.Root.MarkInfo.Marked
        tree = pdf.Root.StructTreeRoot
        kinds: dict[str, int] = {}
        marked = 0
        stack = [tree.K[0]]
        while stack:
            elem = stack.pop()
            kinds[str(elem.S)] = kinds.get(str(elem.S), 0) + 1
            for kid in elem.K:
                if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") != "/MCR":
                    stack.append(kid)
                    continue
                # Marked content of a page, found back through the parent tree.
                page, mcid = (kid.Pg, int(kid.MCID)) if isinstance(kid, pikepdf.Dictionary) else (elem.Pg, int(kid))
                assert tree.ParentTree.Nums[2 * int(page.StructParents) + 1][mcid].objgen == elem.objgen
                assert b"/MCID %d " % mcid in page.Contents.read_bytes()
                marked += 1
        assert str(tree.K[0].S) == "/Document"
        assert kinds["/H1"] == len(scripts) + 1  # the contents page's and each script's
        assert kinds["/P"] > 20 * len(scripts) and marked > 100
        # Each face embedded once, shared by the galley's and the team's blocks.
        programs = {
            (o.get("/FontFile2") or o.get("/FontFile")).objgen for o in pdf.objects
            if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/FontDescriptor"
        }
        faces = {str(o.FontName).split("+")[-1] for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/FontDescriptor"}
        assert len(programs) == len(faces)


def test_a_paragraph_longer_than_a_page_is_laid_out_whole_not_composed(tmp_path):
    """Stacking whole paragraphs cannot place one taller than a page (a
    guide's step of several hundred words): ``compose`` refuses it, and
    the team's PDF is laid out instead, every word of it printed."""
    from camnang.render.radio import ScriptSection

    settings = dataclasses.replace(load_settings(ROOT / "mkdocs.yml"), site_url=TEST_SITE_URL)
    guides = select(load_library(settings.guides_dir, settings.categories), None)
    ctx = PrintContext(settings, TEAM)
    guide = min(guides, key=lambda g: radio.script(g, ctx).word_count)
    script = radio.script(guide, ctx)
    long_step = "Bước một: " + " ".join(f"bà con bấm nút số {n} rồi chờ" for n in range(120)) + "."
    sections = tuple(
        ScriptSection(s.kind, (s.paragraphs[0], long_step, *s.paragraphs[2:]), s.leads) if s.kind == "steps" else s
        for s in script.sections
    )
    script = dataclasses.replace(script, sections=sections)
    starts = [radio.start_index(guide, PrintContext(settings, teampacks.RADIO_REFERENCE))]
    galley = radiocompose.load_galley(*radiocompose.make_galley([guide], PrintContext(settings, teampacks.RADIO_REFERENCE), starts))
    with pytest.raises(radiocompose.TooTall):
        radiocompose.compose(TEAM, [guide], ctx, [script], starts, galley)
    data, pages = radio.render_team_pdf(TEAM, [guide], ctx, [script], starts)
    (tmp_path / "long.pdf").write_bytes(data)
    assert pages >= 3
    import re

    printed = re.sub(r"Trang\d+/\d+", "", pdfs.squash(pdfs.text(tmp_path / "long.pdf")))  # page numbers between its lines
    assert pdfs.squash(long_step.removeprefix("Bước một: ")) in printed
