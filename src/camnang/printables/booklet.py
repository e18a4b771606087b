"""The team handbook (sổ tay, issue 26): every guide in one A5 booklet,
and the same booklet imposed for a copier.

``in-an/so-tay.pdf``: a cover (title, the categories' pictograms, the
course code, the edition: the newest guide's), a contents page with page
numbers (WeasyPrint's ``target-counter``), the guides grouped by category
in the site's order, each starting on a right-hand page (a left page left
empty before one is a "Ghi chú" page with lines), every step whole at
12 pt, and a last page "Khi cần giúp đỡ" with the course and site codes.
The page count is padded to a multiple of 4 with "Ghi chú" pages before
the last page, so the booklet folds from whole sheets.

``in-an/so-tay-in-gap.pdf``: the booklet imposed for saddle stitching
(``impose``, pikepdf): A4 landscape, two A5 pages a side, sheet by sheet
in the order that, printed on both sides (flip on short edge), folded in
the middle and stapled, gives the booklet.

Rendered from the same document tree and templates as the other
printables (``posters/booklet.html.j2``, ``print.css`` + ``booklet.css``),
cached by the content of everything it is made from (``key``).
"""

from __future__ import annotations

import json
from pathlib import Path

from ..config import Settings
from ..model import Library
from ..writer import read_regular, write_atomic
from . import templates
from .keys import cache_key
from .kinds import PrintContext
from .pdf import AUTHOR, Layout, printer
from .pictogram import pictogram
from .qr import qr_code
from .stamp import save  # every PDF camnang rewrites is saved the one way

FILENAME = "so-tay.pdf"
IMPOSED_FILENAME = "so-tay-in-gap.pdf"
LABEL = "Sổ tay A5 (mọi hướng dẫn)"
IMPOSED_LABEL = "Sổ tay, bản in gập (A4 ngang, in hai mặt)"
TEMPLATE = "booklet.html.j2"
STYLESHEETS = ("print.css", "booklet.css")
OFFSET_STYLESHEET = "booklet-offset.css"
"""Added for ``print_profile: offset`` (bleed, crop marks, K text)."""
OUTPUT_CONDITION = "FOGRA39"
"""The offset profile's output intent: the registered characterization
of ISO 12647-2:2004 coated paper (ICC registry), named, not embedded:
no CMYK profile with a free licence ships with camnang or Debian's fonts
and WeasyPrint; the print shop applies its own."""
GUIDE_QR_MM = 26.0
"""Each guide's code at the end of its pages (the journey sheet's size)."""
COVER_QR_MM = 38.0
HELP_QR_MM = 40.0
QR_MIN_MM = 20.0
PICTOGRAM_MM = 9.0
KICKER_PICTOGRAM_MM = 5.0
SLOTS = ("generic", "blank")
"""``generic``: the generic help line where a team's details go; ``blank``:
those places left empty, for a team layer stamped on (``teambooklet``)."""

MM = 72 / 25.4
A5_MM = (148.0, 210.0)
A4_LANDSCAPE_MM = (297.0, 210.0)


def _groups(library: Library, settings: Settings) -> list:
    return [
        (c, [(g, qr_code(url, GUIDE_QR_MM, "m", QR_MIN_MM) if (url := g.page_url(settings.site_url)) else None) for g in members])
        for c, members in library.by_category()
    ]


def edition(library: Library):
    """The booklet's edition: the newest edition of its guides."""
    return max(g.edition for g in library.guides)


def context(library: Library, settings: Settings, team_slot: str = "generic") -> dict:
    """What the template prints, but the part (``html``)."""
    groups = _groups(library, settings)
    return dict(
        groups=groups,
        icons={c.id: pictogram(c.icon, PICTOGRAM_MM, c.name) for c, _ in groups},
        kicker_icons={c.id: pictogram(c.icon, KICKER_PICTOGRAM_MM, c.name) for c, _ in groups},
        course_qr=qr_code(settings.course_url, COVER_QR_MM, "m", QR_MIN_MM),
        site_qr=qr_code(settings.site_url, HELP_QR_MM, "m", QR_MIN_MM) if settings.site_url else None,
        help_course_qr=qr_code(settings.course_url, HELP_QR_MM, "m", QR_MIN_MM),
        edition=edition(library),
        author=AUTHOR,
        image_base=settings.guides_dir.resolve().as_uri() + "/",
        team_slot=team_slot,
    )


def html(library: Library, settings: Settings, team_slot: str = "generic", part: str = "main", notes: int = 0, first_page: int = 1) -> str:
    return templates.render(
        settings.posters_dir, TEMPLATE, **context(library, settings, team_slot), part=part, notes=notes, first_page=first_page
    )


def page_count(data: bytes) -> int:
    from .stamp import open_pdf

    return len(open_pdf(data).pages)


def layout(library: Library, settings: Settings, team_slot: str = "generic"):
    """The booklet laid out, its page count a multiple of 4. The guides
    are laid out once (cover, contents, guides); the tail (the "Ghi chú"
    pages they leave to fill, then the last page) apart, numbered on from
    them (``counter-reset: page``), and the pages of both are put together
    into one document (written once: fonts subset once, one structure
    tree)."""
    posters = settings.posters_dir
    pr = printer(settings.print_font)
    sheets = [posters / name for name in stylesheets(settings)]
    image_dir = settings.guides_dir / "anh"
    image_cache = settings.cache_dir / "images"
    main = pr.layout(html(library, settings, team_slot), posters, sheets, image_dir, image_cache)
    first = main.page_count + 1
    notes = -first % 4
    tail = pr.layout(
        html(library, settings, team_slot, "tail", notes, first), posters, sheets, image_dir, image_cache
    )
    pages = [*main.document.pages, *tail.document.pages]
    return Layout(main.document.copy(pages))


def stylesheets(settings: Settings) -> tuple[str, ...]:
    return (*STYLESHEETS, OFFSET_STYLESHEET) if settings.print_profile == "offset" else STYLESHEETS


def render(library: Library, settings: Settings, team_slot: str = "generic") -> bytes:
    from .stamp import recompress

    data = layout(library, settings, team_slot).pdf()
    return to_black_ink(data) if settings.print_profile == "offset" else recompress(data)


_GREY_OPS = {"rg": "k", "RG": "K", "g": "k", "G": "K"}


def _k_operands(operator: str, operands) -> list | None:
    """CMYK operands for a grey given in RGB or grey (None: a colour)."""
    values = [float(v) for v in operands]
    if operator in ("rg", "RG") and not (max(values) - min(values) < 1e-6):
        return None
    return [0, 0, 0, round(1 - values[0], 4)]


def _rewrite(pdf, instructions) -> bytes:
    import pikepdf

    out = []
    for operands, operator in instructions:
        name = str(operator)
        if name in _GREY_OPS:
            k = _k_operands(name, operands)
            if k is not None:
                out.append((k, pikepdf.Operator(_GREY_OPS[name])))
                continue
        out.append((operands, operator))
    return pikepdf.unparse_content_stream(out)


def to_black_ink(data: bytes) -> bytes:
    """``data`` with every grey painted in RGB or DeviceGray (``rg``,
    ``RG``, ``g``, ``G``: black text, rules, pictograms, white
    knock-outs) painted in K only (``k``/``K``), and an output intent
    naming the print condition (``OUTPUT_CONDITION``). Colours are left
    alone (camnang prints none). Pages, form XObjects and tiling patterns
    are rewritten; structure and marked content are kept."""
    import pikepdf

    from .stamp import open_pdf

    pdf = open_pdf(data)
    forms: list = []
    seen: set = set()
    for page in pdf.pages:
        resources = page.obj.get("/Resources", pikepdf.Dictionary())
        for _, xobject in resources.get("/XObject", pikepdf.Dictionary()).items():
            _collect_forms(xobject, forms, seen)
    for page in pdf.pages:
        page.contents_coalesce()
        page.obj.Contents = pdf.make_stream(_rewrite(pdf, pikepdf.parse_content_stream(page)))
    for form in forms:
        form.write(_rewrite(pdf, pikepdf.parse_content_stream(form)))
    pdf.Root.OutputIntents = pikepdf.Array([
        pikepdf.Dictionary(
            Type=pikepdf.Name.OutputIntent,
            S=pikepdf.Name.GTS_PDFX,
            OutputConditionIdentifier=pikepdf.String(OUTPUT_CONDITION),
            OutputCondition=pikepdf.String("Offset, coated paper (ISO 12647-2:2004)"),
            RegistryName=pikepdf.String("http://www.color.org"),
            Info=pikepdf.String("Coated FOGRA39 (ISO 12647-2:2004)"),
        )
    ])
    return save(pdf)


def _collect_forms(xobject, forms: list, seen: set) -> None:
    import pikepdf

    if xobject.get("/Subtype") != "/Form" or xobject.objgen in seen:
        return
    seen.add(xobject.objgen)
    forms.append(xobject)
    resources = xobject.get("/Resources", pikepdf.Dictionary())
    for _, inner in resources.get("/XObject", pikepdf.Dictionary()).items():
        _collect_forms(inner, forms, seen)


def saddle_order(pages: int) -> list[tuple[int, int]]:
    """The (left, right) page numbers (1-based) of each side, front then
    back, sheet by sheet, for a booklet of ``pages`` (a multiple of 4)
    printed on both sides, flipped on the short edge."""
    if pages % 4:
        raise ValueError(f"a saddle-stitched booklet has a multiple of 4 pages, not {pages}")
    sides = []
    for sheet in range(pages // 4):
        sides.append((pages - 2 * sheet, 1 + 2 * sheet))
        sides.append((2 + 2 * sheet, pages - 1 - 2 * sheet))
    return sides


def impose(data: bytes) -> bytes:
    """The booklet ``data`` (A5 pages, a multiple of 4) on A4 landscape
    sides in saddle-stitch order (``saddle_order``). Each A5 page is drawn
    once as a form XObject clipped to its trim box (a bleed and crop marks,
    if any, stay off the sheet), centred in its half of the side."""
    import pikepdf

    from .stamp import open_pdf

    source = open_pdf(data)
    out = pikepdf.Pdf.new()
    width, height = A4_LANDSCAPE_MM[0] * MM, A4_LANDSCAPE_MM[1] * MM
    forms = []
    for page in source.pages:
        trim = [float(v) for v in page.obj.get("/TrimBox", page.mediabox)]
        form = page.as_form_xobject()
        form.BBox = pikepdf.Array(trim)
        if page.obj.get("/Resources") is not None and page.obj.Resources.is_indirect:
            # The pages' shared resources once, not a copy written out in
            # each form's dictionary (stream dictionaries are never
            # compressed: some 1.4 KB a page with the QR pictures' names).
            form.Resources = page.obj.Resources
        forms.append((out.copy_foreign(form), trim))
    for left, right in saddle_order(len(forms)):
        content = []
        resources = pikepdf.Dictionary()
        for slot, number in enumerate((left, right)):
            form, (x0, y0, x1, y1) = forms[number - 1]
            name = f"/P{number}"
            resources[name] = form
            dx = slot * width / 2 + (width / 2 - (x1 - x0)) / 2 - x0
            dy = (height - (y1 - y0)) / 2 - y0
            content.append(f"q 1 0 0 1 {dx:.3f} {dy:.3f} cm {name} Do Q")
        page = pikepdf.Page(pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=pikepdf.Array([0, 0, round(width, 3), round(height, 3)]),
            Resources=pikepdf.Dictionary(XObject=resources),
            Contents=out.make_stream("\n".join(content).encode()),
        ))
        out.pages.append(page)
    with out.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:title"] = "Sổ tay hướng dẫn dùng dịch vụ số (bản in gập)"
    out.docinfo[pikepdf.Name.Title] = "Sổ tay hướng dẫn dùng dịch vụ số (bản in gập)"
    out.docinfo[pikepdf.Name.Author] = AUTHOR
    out.Root.Lang = pikepdf.String("vi")
    out.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
    return save(out)


def key(library: Library, settings: Settings, team_slot: str = "generic") -> str:
    """Everything the booklet is made from (``keys.cache_key`` adds the
    code, libraries and font): the guides' content, the categories, the
    templates, the addresses."""
    parts = {
        "guides": sorted((g.slug, g.digest) for g in library.guides),
        "categories": [[c.id, c.name, c.icon] for c in library.categories],
        "site_url": settings.site_url,
        "course_url": settings.course_url,
        "slot": team_slot,
        "profile": settings.print_profile,
    }
    return cache_key(
        PrintContext(settings), "booklet", json.dumps(parts, sort_keys=True, ensure_ascii=False),
        templates.digest(settings.posters_dir, (TEMPLATE, *stylesheets(settings))),
    )


def cached(library: Library, settings: Settings, team_slot: str = "generic") -> tuple[Path, Path]:
    """The booklet and its imposed form in the cache (rendered when the
    key is new): their cache paths."""
    folder = settings.cache_dir / "booklet"
    k = key(library, settings, team_slot)[:24]
    path, imposed = folder / f"so-tay-{team_slot}.{k}.pdf", folder / f"so-tay-in-gap-{team_slot}.{k}.pdf"
    try:
        read_regular(path, limit=8)
        read_regular(imposed, limit=8)
    except OSError:
        data = render(library, settings, team_slot)
        write_atomic(path, data)
        write_atomic(imposed, impose(data))
    return path, imposed


def build(library: Library, settings: Settings) -> list[tuple[str, Path]]:
    """(file name, cache path) of the booklet and its imposed form (none
    without guides)."""
    if not library.guides:
        return []
    path, imposed = cached(library, settings)
    return [(FILENAME, path), (IMPOSED_FILENAME, imposed)]
