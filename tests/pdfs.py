"""Reading PDFs the way a person or a phone would, for the printables tests:
page sizes, fonts, text as copied out, type sizes, pages rasterised and
QR codes decoded from them (pypdf, pypdfium2, zxing-cpp; no mocks)."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pypdfium2
import zxingcpp

PT_PER_MM = 72 / 25.4
A4 = (595.28, 841.89)
A3 = (841.89, 1190.55)


def reader(path: Path) -> pypdf.PdfReader:
    return pypdf.PdfReader(str(path))


def reader_bytes(data: bytes) -> pypdf.PdfReader:
    import io

    return pypdf.PdfReader(io.BytesIO(data))


def page_sizes(path: Path) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader(path).pages]


@dataclass(frozen=True)
class FontInfo:
    name: str
    subtype: str
    embedded: bool


def _font_file(descriptor) -> bool:
    descriptor = descriptor.get_object() if descriptor is not None else {}
    return any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def fonts(path: Path) -> list[FontInfo]:
    """Every font of every page, including those of form XObjects."""
    found: dict[str, FontInfo] = {}

    def walk(resources) -> None:
        resources = resources.get_object() if resources is not None else {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            subtype = str(font.get("/Subtype"))
            if subtype == "/Type0":
                descendant = font["/DescendantFonts"][0].get_object()
                embedded = _font_file(descendant.get("/FontDescriptor"))
            elif subtype == "/Type3":
                embedded = False
            else:
                embedded = _font_file(font.get("/FontDescriptor"))
            name = str(font.get("/BaseFont", "?"))
            found[name] = FontInfo(name, subtype, embedded)
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form":
                walk(xobject.get("/Resources"))

    for page in reader(path).pages:
        walk(page.get("/Resources"))
    return list(found.values())


def text(path: Path) -> str:
    """The text as copied out of the PDF, NFC-normalised."""
    return unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in reader(path).pages))


def squash(value: str) -> str:
    """Text compared whatever the line breaks and typographic quotes:
    NFC, straight quotes, no whitespace at all."""
    value = unicodedata.normalize("NFC", value)
    for fancy, plain in (("“", '"'), ("”", '"'), ("‘", "'"), ("’", "'"), ("…", "..."), ("–", "-"), ("—", "-")):
        value = value.replace(fancy, plain)
    return "".join(value.split())


def type_sizes(path: Path) -> list[tuple[float, str]]:
    """(size in pt, text) of every text run of every page."""
    runs: list[tuple[float, str]] = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            scale = math.sqrt(abs(tm[0] * tm[3] - tm[1] * tm[2])) * math.sqrt(abs(cm[0] * cm[3] - cm[1] * cm[2]))
            runs.append((font_size * scale, text))

    for page in reader(path).pages:
        page.extract_text(visitor_text=visit)
    return runs


def metadata(path: Path) -> dict:
    r = reader(path)
    info = r.metadata or {}
    return {
        "title": info.get("/Title"),
        "author": info.get("/Author"),
        "lang": str(r.trailer["/Root"].get("/Lang")),
    }


def raster(path: Path, dpi: float = 150) -> list:
    """Every page as a PIL image at ``dpi``."""
    document = pypdfium2.PdfDocument(str(path))
    try:
        return [document[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(document))]
    finally:
        document.close()


@dataclass(frozen=True)
class Code:
    text: str
    width_mm: float
    """Printed width of the symbol (no quiet zone), from its corners."""


def qr_codes(image, dpi: float) -> list[Code]:
    codes = []
    for result in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
        p = result.position
        width_px = math.dist((p.top_left.x, p.top_left.y), (p.top_right.x, p.top_right.y))
        codes.append(Code(result.text, width_px / dpi * 25.4))
    return codes


def ink_near_edges(image, dpi: float, mm: float, threshold: int = 200) -> bool:
    """Whether any pixel within ``mm`` of the paper's edge is darker than
    ``threshold`` (0 black, 255 white): what an office printer clips."""
    gray = image.convert("L")
    band = round(mm / 25.4 * dpi)
    w, h = gray.size
    for box in ((0, 0, w, band), (0, h - band, w, h), (0, 0, band, h), (w - band, 0, w, h)):
        if gray.crop(box).getextrema()[0] < threshold:
            return True
    return False


@dataclass(frozen=True)
class Picture:
    """An image as a page draws it (``pictures``)."""

    image: object
    """The image's own pixels (PIL), as stored in the PDF."""
    width_mm: float
    height_mm: float
    interpolate: bool
    bits: int
    """/BitsPerComponent (1 for an /ImageMask)."""
    ref: tuple[int, int]
    """Its object: the same for every page that draws the same picture."""


def pictures(path: Path) -> list[list[Picture]]:
    """Every image each page draws, form XObjects (stamped layers)
    included, with its printed size from the transformation in force."""
    import pikepdf

    def walk(stream, resources, ctm, found):
        stack = []
        for operands, op in pikepdf.parse_content_stream(stream):
            op = str(op)
            if op == "q":
                stack.append(ctm)
            elif op == "Q":
                ctm = stack.pop()
            elif op == "cm":
                ctm = pikepdf.Matrix(*[float(v) for v in operands]) @ ctm
            elif op == "Do":
                xobject = resources.XObject[operands[0]]
                if xobject.get("/Subtype") == "/Form":
                    inner = pikepdf.Matrix(*[float(v) for v in xobject.get("/Matrix", [1, 0, 0, 1, 0, 0])]) @ ctm
                    walk(xobject, xobject.get("/Resources", resources), inner, found)
                elif xobject.get("/Subtype") == "/Image":
                    a, b, c, d = ctm.a, ctm.b, ctm.c, ctm.d
                    found.append(Picture(
                        pikepdf.PdfImage(xobject).as_pil_image(),
                        math.hypot(a, b) / PT_PER_MM, math.hypot(c, d) / PT_PER_MM,
                        bool(xobject.get("/Interpolate", False)),
                        1 if xobject.get("/ImageMask", False) else int(xobject.BitsPerComponent),
                        xobject.objgen,
                    ))

    with pikepdf.open(path) as pdf:
        pages = []
        for page in pdf.pages:
            found: list[Picture] = []
            walk(page, page.Resources, pikepdf.Matrix(), found)
            pages.append(found)
        return pages


def picture_text(picture: Picture) -> str:
    """The text of a QR code's picture as stored: scaled up without
    smoothing, so that one pixel a module becomes a square zxing reads."""
    from PIL import Image

    grey = picture.image.convert("L")
    (result,) = zxingcpp.read_barcodes(grey.resize((grey.width * 8, grey.height * 8), Image.Resampling.NEAREST))
    return result.text


def is_qr(picture: Picture) -> bool:
    """A QR code's picture (``picture_text``), not a guide's photo."""
    counts = picture.image.convert("L").histogram()
    if picture.image.width != picture.image.height or sum(counts[1:255]):
        return False
    try:
        picture_text(picture)
    except ValueError:
        return False
    return True


def photocopy(image, dpi: float = 150):
    """``image`` as an office copier in black and white gives it back:
    toner spread over about a tenth of a millimetre, then every pixel
    black or white at mid-grey."""
    from PIL import ImageFilter

    spread = 0.1 / 25.4 * dpi
    grey = image.convert("L").filter(ImageFilter.GaussianBlur(spread))
    return grey.point(lambda v: 255 if v >= 128 else 0).convert("L")


PAINTING = frozenset({"Tj", "TJ", "'", '"', "f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "Do", "sh", "BI"})


def tagging_problems(path: Path) -> list[str]:
    """What a screen reader would trip on, as PDF/UA-1 states it (ISO
    14289-1, 7.1 and 7.3): text, lines or pictures drawn outside marked
    content (neither tagged nor an artifact, inside forms too); marked
    content whose number (MCID) the parent tree does not lead back to an
    element of the same page, or used twice on a page; numbered marked
    content inside a form that has no parent tree of its own; a Figure
    without alternative text."""
    import pikepdf

    problems: list[str] = []
    with pikepdf.open(path) as pdf:
        root = pdf.Root.get("/StructTreeRoot")
        if root is None:
            return ["no structure tree"]
        tree = pikepdf.NumberTree(root.ParentTree)
        for number, page in enumerate(pdf.pages, 1):
            key = page.obj.get("/StructParents")
            marks = tree[int(key)] if key is not None and int(key) in tree else pikepdf.Array()
            seen: set[int] = set()

            def walk(stream, resources, inside: bool, in_form: bool) -> None:
                stack: list[bool] = []
                for operands, operator in pikepdf.parse_content_stream(stream):
                    op = str(operator)
                    if op in ("BMC", "BDC"):
                        props = operands[1] if op == "BDC" else None
                        mcid = int(props.MCID) if isinstance(props, pikepdf.Dictionary) and "/MCID" in props else None
                        if mcid is not None:
                            if in_form and "/StructParents" not in stream:
                                problems.append(f"page {number}: MCID {mcid} inside a form without a parent tree")
                            elif not in_form:
                                element = marks[mcid] if mcid < len(marks) else None
                                if not isinstance(element, pikepdf.Dictionary) or element.get("/Type") != "/StructElem":
                                    problems.append(f"page {number}: MCID {mcid} leads to no structure element")
                                elif not _holds(element, mcid, page.obj):
                                    problems.append(f"page {number}: MCID {mcid} leads to an element not holding it")
                                if mcid in seen:
                                    problems.append(f"page {number}: MCID {mcid} twice")
                                seen.add(mcid)
                        stack.append(str(operands[0]) == "/Artifact" or mcid is not None)
                    elif op == "EMC":
                        if stack:
                            stack.pop()
                    elif op in PAINTING:
                        marked = inside or any(stack)
                        if not marked:
                            problems.append(f"page {number}: {op} outside marked content")
                        if op == "Do":
                            xobject = resources.XObject[operands[0]]
                            if xobject.get("/Subtype") == "/Form":
                                walk(xobject, xobject.get("/Resources", resources), marked, True)

            walk(page.obj, page.obj.get("/Resources", pikepdf.Dictionary()), False, False)
        for element in pdf.objects:
            if isinstance(element, pikepdf.Dictionary) and element.get("/S") == "/Figure":
                if "/Alt" not in element and "/ActualText" not in element:
                    problems.append(f"a Figure without alternative text ({element.get('/A', {}).get('/BBox')})")
    return problems


def _holds(element, mcid: int, page) -> bool:
    """Whether the structure ``element`` lists marked content ``mcid`` of
    ``page`` among its kids (a number, on the element's page, or a
    marked-content reference naming its page)."""
    import pikepdf

    kids = element.get("/K")
    kids = kids if isinstance(kids, pikepdf.Array) else [kids]
    default = element.get("/Pg")
    for kid in kids:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            on = kid.get("/Pg", default)
            if int(kid.MCID) == mcid and on is not None and on.objgen == page.objgen:
                return True
        elif not isinstance(kid, pikepdf.Dictionary) and kid is not None and int(kid) == mcid:
            if default is not None and default.objgen == page.objgen:
                return True
    return False
