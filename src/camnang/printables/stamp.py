"""Stamping a team's strip onto the shared layout of a guide, with pikepdf
(qpdf).

Team packs (``teampacks``) lay out each guide once with the team's cells
left blank, and per team only its strip (a page of the same size holding
the team block and Zalo code). This module puts the two together:

- ``stamp(blank, strip)``: the blank PDF with the strip's page drawn on
  every page as *one* form XObject (qpdf's overlay: the page's own content
  is wrapped in ``q``/``Q``, the form drawn after it). Nothing is laid out
  or re-serialised through Python objects: qpdf copies the strip's objects
  into the blank, and writes the file with every stream compressed and
  objects packed into object streams. The file ID is derived from the
  content (``deterministic_id``), so the same inputs give the same bytes
  in every run and on every machine. A face that the blank and the strip
  both use is embedded once (``share_fonts``, ``fontmerge``: one program
  holding both subsets' glyphs), not twice.
- ``combine(layouts)``: several WeasyPrint layouts (a contents page and
  the blank posters of every guide) as one PDF, so that each font is
  subset and embedded *once* for all the pages (a team's ``ap-phich.pdf``),
  instead of once per guide.

Blank layouts do not depend on the team: ``teampacks`` keeps them in the
printables cache (``team-packs/_blank/``), so a run reuses the layouts of
the previous one.
"""

from __future__ import annotations

import io
from typing import Sequence

FORM_NAME = "/CamnangTeam"
"""Name the team's strip is drawn under on every page."""



def save(pdf) -> bytes:
    """The bytes of ``pdf``: streams compressed, small objects packed into
    object streams, black-and-white pictures (the QR codes) at 1 bit a
    pixel (``qr.one_bit_images``), file ID from the content (same input,
    same bytes)."""
    import pikepdf

    from .qr import one_bit_images

    one_bit_images(pdf)
    buffer = io.BytesIO()
    pdf.save(
        buffer,
        compress_streams=True,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        deterministic_id=True,
    )
    return buffer.getvalue()


def open_pdf(data: bytes):
    """``data`` as a pikepdf document (parsed lazily by qpdf)."""
    import pikepdf

    return pikepdf.Pdf.open(io.BytesIO(data))


def stamp(
    blank: bytes, strip: bytes, *, merge_fonts: bool = True, metadata: dict[str, str] | None = None, skip: int = 0,
) -> bytes:
    """``blank`` with the first page of ``strip`` drawn over each of its
    pages but the first ``skip`` (a contents page). The strip page must
    have the blank's page size: it lands where the blank left room for it,
    at scale 1. ``merge_fonts``: a face both use is embedded once
    (``share_fonts``). ``metadata``: title, subject and keywords to write
    over the blank's (``retitle``)."""
    import pikepdf

    pdf = open_pdf(blank)
    if metadata:
        retitle(pdf, **metadata)
    source = open_pdf(strip)
    strip_page = source.pages[0]
    form = pdf.copy_foreign(strip_page.as_form_xobject())
    box = [float(v) for v in strip_page.mediabox]
    tagged = "/StructTreeRoot" in pdf.Root
    if tagged:
        untag(form)
    for number, page in enumerate(list(pdf.pages)[skip:]):
        if [float(v) for v in page.mediabox] != box:
            raise ValueError(f"strip page {box} and blank page {list(page.mediabox)} differ in size")
        # As qpdf's overlay (``Page.add_overlay``) does, but under a fixed
        # name: the overlay picks a random one, and the bytes would differ
        # from run to run.
        if "/Resources" not in page.obj:
            page.obj.Resources = pikepdf.Dictionary()
        resources = page.obj.Resources
        if "/XObject" not in resources:
            resources.XObject = pikepdf.Dictionary()
        resources.XObject[FORM_NAME] = form
        page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
        drawn = b"q " + FORM_NAME.encode() + b" Do Q\n"
        if tagged:
            # The strip is real content where it is first drawn (read
            # once, after that page's content), and a repeat like a
            # running footer on the pages after (PDF/UA: an artifact).
            opening = tag_strip(pdf, page) if number == 0 else None
            drawn = (opening or b"/Artifact <</Type /Pagination>> BDC\n") + drawn + b"EMC\n"
        page.contents_add(pdf.make_stream(b"\nQ\n" + drawn))
    if merge_fonts:
        share_fonts(pdf, form)
    return save(pdf)


def untag(form) -> None:
    """Drop the marked-content operators of ``form`` (the strip's page as
    laid out, with marked content numbered for *its own* structure tree):
    drawn into a tagged page those numbers would name the page's own
    elements. The form is then tagged as a whole where it is drawn."""
    import pikepdf

    kept = [
        (operands, operator) for operands, operator in pikepdf.parse_content_stream(form)
        if str(operator) not in ("BDC", "BMC", "EMC")
    ]
    form.write(pikepdf.unparse_content_stream(kept))


def tag_strip(pdf, page) -> bytes | None:
    """A paragraph (``P``) in the document's structure for the strip drawn
    on ``page``, read after the parts of the document that start on that
    page; its marked content numbered after the page's own (``/MCID``,
    found back through the parent tree). Returns the operator that opens
    it, or None where the tree is not of the shape WeasyPrint writes (the
    strip is then drawn as an artifact)."""
    import pikepdf

    root = pdf.Root.StructTreeRoot
    kids = root.get("/K")
    if not isinstance(kids, pikepdf.Array) or len(kids) != 1 or kids[0].get("/S") != "/Document":
        return None
    document = kids[0]
    if not isinstance(document.get("/K"), pikepdf.Array) or "/ParentTree" not in root:
        return None
    tree = pikepdf.NumberTree(root.ParentTree)
    key = page.obj.get("/StructParents")
    if key is None:
        key = int(root.get("/ParentTreeNextKey", max((int(k) for k, _ in tree.items()), default=-1) + 1))
        page.obj.StructParents = key
        tree[key] = pdf.make_indirect(pikepdf.Array())
        root.ParentTreeNextKey = key + 1
    marks = tree[int(key)]
    if not isinstance(marks, pikepdf.Array):
        return None
    element = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.StructElem, S=pikepdf.Name.P, P=document, Pg=page.obj, K=len(marks),
    ))
    starts = [i for i, kid in enumerate(document.K) if isinstance(kid, pikepdf.Dictionary)
              and "/Pg" in kid and kid.Pg.objgen == page.obj.objgen]
    document.K.insert(starts[-1] + 1 if starts else len(document.K), element)
    marks.append(element)
    return b"/P <</MCID %d>> BDC\n" % (len(marks) - 1)


def retitle(pdf, title: str, subject: str = "", keywords: str = "") -> None:
    """Write ``title``, ``subject`` and ``keywords`` into both the document
    information and the XMP metadata of ``pdf`` (PDF/UA reads the XMP
    title, which viewers show: ``DisplayDocTitle``); the structure tree,
    language and the rest of the metadata are kept."""
    import pikepdf

    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:title"] = title
        if subject:
            meta["dc:description"] = subject
        if keywords:
            meta["pdf:Keywords"] = keywords
    pdf.docinfo[pikepdf.Name.Title] = title
    if subject:
        pdf.docinfo[pikepdf.Name.Subject] = subject
    if keywords:
        pdf.docinfo[pikepdf.Name.Keywords] = keywords


def font_program(font) -> tuple | None:
    """(descriptor, set of glyphs drawn) of a WeasyPrint TrueType font
    (``Type0`` over ``CIDFontType2``, character codes = glyph indices), or
    None for any other kind of font."""
    import pikepdf

    try:
        if font.get("/Subtype") != "/Type0":
            return None
        descendant = font.DescendantFonts[0]
        if descendant.get("/Subtype") != "/CIDFontType2" or descendant.get("/CIDToGIDMap", pikepdf.Name.Identity) != pikepdf.Name.Identity:
            return None
        descriptor = descendant.FontDescriptor
        if "/FontFile2" not in descriptor or "/CIDSet" in descriptor:
            return None
        used: set[int] = set()
        items = list(descendant.get("/W", pikepdf.Array()))
        i = 0
        while i < len(items):
            first = int(items[i])
            if isinstance(items[i + 1], pikepdf.Array):
                used.update(range(first, first + len(items[i + 1])))
                i += 2
            else:
                used.update(range(first, int(items[i + 1]) + 1))
                i += 3
        return descriptor, used
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        return None


def share_fonts(pdf, form) -> int:
    """Embed each face once: where the strip (``form``) draws from a subset
    of the same font as the blank's pages, one merged program
    (``fontmerge``) serves both (each font dictionary keeps its own widths
    and ``ToUnicode``). Returns how many programs were shared; a face
    that cannot be merged keeps its two programs."""
    import pikepdf

    from . import fontmerge

    blank: dict[str, dict] = {}
    for page in pdf.pages:
        fonts = page.obj.get("/Resources", pikepdf.Dictionary()).get("/Font", pikepdf.Dictionary())
        for _, font in fonts.items():
            program = font_program(font)
            if program is not None:
                blank.setdefault(str(font.get("/BaseFont")), {})[program[0].objgen] = program
    shared = 0
    fonts = form.get("/Resources", pikepdf.Dictionary()).get("/Font", pikepdf.Dictionary())
    for _, font in fonts.items():
        program = font_program(font)
        candidates = blank.get(str(font.get("/BaseFont")), {})
        if program is None or len(candidates) != 1:
            continue
        (descriptor, used), = candidates.values()
        if descriptor.objgen == program[0].objgen:
            continue
        merged = fontmerge.merge(descriptor.FontFile2.read_bytes(), used, program[0].FontFile2.read_bytes(), program[1])
        if merged is None:
            continue
        stream = pdf.make_stream(merged)
        stream.Length1 = len(merged)
        descriptor.FontFile2 = stream
        program[0].FontFile2 = stream
        shared += 1
    return shared


def recompress(data: bytes) -> bytes:
    """``data`` written again by qpdf: streams compressed, object streams."""
    return save(open_pdf(data))


def combine(layouts: Sequence) -> bytes:
    """The pages of several WeasyPrint layouts (``pdf.Layout``, laid out
    with the same printer) as one PDF, metadata of the first (``retitle``
    it). WeasyPrint subsets each font once for the whole document, so the
    fonts are embedded once, not once per layout; it tags the pages as it
    writes them (PDF/UA, like every printable: ``pdf.Layout.pdf``), so the
    combined file has one structure tree for all of them."""
    documents = [layout.document for layout in layouts]
    pages = [page for document in documents for page in document.pages]
    return recompress(documents[0].copy(pages).write_pdf(pdf_variant="pdf/ua-1"))
