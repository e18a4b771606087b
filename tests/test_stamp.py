"""Stamping (``camnang.printables.stamp``) on real WeasyPrint PDFs: what a
printer of the team packs would notice (the strip's text on every page,
once; the same bytes every time; files that stay small; fonts embedded
once in a combined document)."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest

import pdfs
from camnang.printables import stamp

PAGE = "@page { size: A4; margin: 20mm } body { font-family: sans-serif }"


def pdf(html: str) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=f"<html lang=vi><style>{PAGE}</style><body>{html}</body></html>").write_pdf()


@pytest.fixture(scope="module")
def parts():
    blank = pdf("<p>Trang một của hướng dẫn</p><p style='break-before: page'>Trang hai của hướng dẫn</p>")
    strip = pdf("<p style='margin-top: 230mm'>Tổ công nghệ số thôn Đồng Quan</p>")
    return blank, strip


def test_strip_drawn_once_per_page_as_one_form(parts, tmp_path):
    blank, strip = parts
    out = tmp_path / "x.pdf"
    out.write_bytes(stamp.stamp(blank, strip))
    with pikepdf.open(out) as doc:
        assert len(doc.pages) == 2
        forms = {page.Resources.XObject[name].objgen for page in doc.pages for name in page.Resources.XObject.keys()}
        assert len(forms) == 1  # one form XObject, drawn on both pages
        for page in doc.pages:
            drawn = [ops for ops, op in pikepdf.parse_content_stream(page) if str(op) == "Do"]
            assert len(drawn) == 1  # the strip, once
        assert all(
            "/Filter" in o for o in doc.objects if isinstance(o, pikepdf.Stream)
        ), "every stream compressed"
    text = pdfs.squash(pdfs.text(out))
    assert text.count(pdfs.squash("Tổ công nghệ số thôn Đồng Quan")) == 2
    assert pdfs.squash("Trang hai của hướng dẫn") in text


def test_strip_on_tagged_pages_is_read_once_after_the_first_page(tmp_path):
    """On tagged (PDF/UA) pages the strip is content where it is first
    drawn, read after that page's own text, and an artifact (like a
    running footer) on the pages after; its own marked content never
    names the page's elements."""
    import weasyprint

    def tagged(html: str) -> bytes:
        document = weasyprint.HTML(string=f"<html lang=vi><style>{PAGE}</style><body>{html}</body></html>")
        return document.write_pdf(pdf_variant="pdf/ua-1")

    blank = tagged("<h1>Trang một</h1><p>Của hướng dẫn</p><h1 style='break-before: page'>Trang hai</h1>")
    strip = tagged("<p style='margin-top: 230mm'>Tổ công nghệ số thôn Đồng Quan</p>")
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(stamp.stamp(blank, strip))
    assert pdfs.tagging_problems(plain) == []
    with pikepdf.open(plain) as doc:
        kids = list(doc.Root.StructTreeRoot.K[0].K)
        pages = [doc.pages[0].obj.objgen, doc.pages[1].obj.objgen]
        assert [(str(k.S), pages.index(k.Pg.objgen)) for k in kids] == [("/H1", 0), ("/P", 0), ("/P", 0), ("/H1", 1)]
        team = kids[2]
        assert int(team.K) >= 1  # numbered after the page's own marked content
        ends = [list(pikepdf.parse_content_stream(page))[-5:] for page in doc.pages]
        assert str(ends[0][0][1]) == "BDC" and str(ends[0][0][0][0]) == "/P" and int(ends[0][0][0][1].MCID) == int(team.K)
        assert str(ends[1][0][1]) == "BDC" and str(ends[1][0][0][0]) == "/Artifact"
    # What the check catches: the strip drawn as before (no tagging).
    untagged = pikepdf.open(io.BytesIO(blank))
    source = pikepdf.open(io.BytesIO(strip))
    form = untagged.copy_foreign(source.pages[0].as_form_xobject())
    untagged.pages[0].Resources.XObject = pikepdf.Dictionary({"/T": form})
    untagged.pages[0].contents_add(untagged.make_stream(b"q /T Do Q"))
    untagged.save(tmp_path / "untagged.pdf")
    found = pdfs.tagging_problems(tmp_path / "untagged.pdf")
    assert "page 1: Do outside marked content" in found and any("inside a form" in f for f in found)


def test_same_inputs_same_bytes(parts):
    blank, strip = parts
    assert stamp.stamp(blank, strip) == stamp.stamp(blank, strip)


def test_stamp_refuses_a_strip_of_another_size(parts):
    blank, _ = parts
    import weasyprint

    a3 = weasyprint.HTML(string="<style>@page { size: A3 }</style><p>x</p>").write_pdf()
    with pytest.raises(ValueError):
        stamp.stamp(blank, a3)


def test_combined_layouts_embed_each_font_once(tmp_path):
    from camnang.printables.pdf import Layout

    import weasyprint

    layouts = [
        Layout(weasyprint.HTML(string=f"<style>{PAGE}</style><p>Hướng dẫn số {i}: {'ăâđêôơư'[i:]}</p>").render())
        for i in range(3)
    ]
    separate = tmp_path / "separate.pdf"
    combined = tmp_path / "combined.pdf"
    combined.write_bytes(stamp.combine(layouts))

    def font_files(path: Path) -> int:
        with pikepdf.open(path) as doc:
            return sum(
                1 for o in doc.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/FontDescriptor"
                and any(k in o for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            )

    separate.write_bytes(layouts[0].pdf())
    assert len(pikepdf.open(combined).pages) == 3
    assert font_files(combined) == font_files(separate)
    text = pdfs.squash(pdfs.text(combined))
    assert all(pdfs.squash(f"Hướng dẫn số {i}") in text for i in range(3))


def font_programs(path: Path) -> int:
    with pikepdf.open(path) as doc:
        return len({
            o.get(k).objgen for o in doc.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/FontDescriptor"
            for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in o
        })


def test_a_face_used_by_blank_and_strip_is_embedded_once_and_prints_the_same(tmp_path):
    """The strip's subset of a face and the blank's become one program:
    the page rasterises exactly as with the two programs, and the text
    of both copies out."""
    from PIL import ImageChops

    blank = pdf("<p>Hướng dẫn kích hoạt tài khoản</p><p><b>Bước 1:</b> mở ứng dụng</p>"
                "<p style='break-before: page'>Trang hai của hướng dẫn</p>")
    # Letters the blank never draws, several built from accents (ỹ, ự, ẵ, Ỗ).
    strip = pdf("<p style='margin-top: 230mm'>Tổ công nghệ số thôn Đồng Quan: Mỹ Lựự, Bẵng, <b>ỖNG ĐỰC</b> 0912 345 678</p>")
    shared, separate = tmp_path / "shared.pdf", tmp_path / "separate.pdf"
    shared.write_bytes(stamp.stamp(blank, strip))
    separate.write_bytes(stamp.stamp(blank, strip, merge_fonts=False))
    assert font_programs(separate) == 4  # regular + bold, twice
    assert font_programs(shared) == 2
    assert shared.stat().st_size < separate.stat().st_size
    for a, b in zip(pdfs.raster(shared, 100), pdfs.raster(separate, 100), strict=True):
        assert ImageChops.difference(a.convert("L"), b.convert("L")).getbbox() is None
    text = pdfs.squash(pdfs.text(shared))
    assert text.count(pdfs.squash("Mỹ Lựự, Bẵng, ỖNG ĐỰC")) == 2
    assert pdfs.squash("Bước 1: mở ứng dụng") in text


def test_subsets_of_different_faces_are_not_merged(parts):
    from camnang.printables import fontmerge

    blank, _ = parts
    regular = pdf("<p>Tổ công nghệ số</p>")
    bold = pdf("<p><b>Tổ công nghệ số</b></p>")

    def program(data: bytes) -> tuple[bytes, set[int]]:
        with pikepdf.open(__import__("io").BytesIO(data)) as doc:
            font = next(iter(doc.pages[0].Resources.Font.values()))
            descriptor, used = stamp.font_program(font)
            return descriptor.FontFile2.read_bytes(), used

    r, b = program(regular), program(bold)
    assert fontmerge.merge(*r, *b) is None
    assert fontmerge.merge(*r, *r) is not None
    assert fontmerge.merge(b"garbage", set(), *r) is None
