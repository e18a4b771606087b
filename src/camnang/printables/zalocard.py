"""Zalo cards: a guide as pictures to post in a village's Zalo group
(issue 25). ``in-an/the-zalo-<slug>.png``, then ``-2.png``... when the
steps need more than one card (Zalo shows a series as an album).

Each card is 1080x1350 px, portrait 4:5: the tallest shape Zalo (like
most chat apps) shows whole in the conversation, without cropping, at the
width phones send pictures (1080 px). It carries the category pictogram,
the title, the key message and every step in its ``Ngắn:`` form (or
whole) from the same model as the poster (``poster.key_message``,
``poster.steps_of``), then a QR code to the guide's page (to the course
without a site address) with the short address under it. No text is
smaller than 40 px (``MIN_PX``): read on a phone without zooming.

One layout path: the HTML (``posters/zalo-card.html.j2`` with
``zalo-card.css``) is laid out by WeasyPrint like every printable; steps
that do not fit one card flow onto the next page, each page a card,
numbered "1/2", "2/2" with the title repeated small at the top. The PDF
is rasterised by pypdfium2 (Apache-2.0 or BSD-3-Clause; the PDFium
library it bundles is BSD-3-Clause; maintained, with wheels for every
platform) at exactly 1080 px wide, and saved by Pillow as a PNG in 16
grey levels (``png``): black text and codes stay sharp (a JPEG would blur
them and then be recompressed by Zalo a second time), each card is well
under 300 KB, and the bytes are the same run to run (no timestamps or
metadata are written).

Cached like the journey sheets (``journeysheet``): each guide's series
in ``<cache>/zalo-cards``, keyed by everything it is made from (``key``).
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

from ..config import Settings
from ..model import Guide, Library
from ..writer import read_regular, write_atomic, write_first
from . import templates
from .compat import page_box
from .keys import guide_key
from .kinds import PrintContext
from .pdf import AUTHOR, printer
from .pictogram import pictogram
from .poster import key_message, steps_of
from .qr import qr_code

FILENAME = "the-zalo-{slug}.png"
NEXT_FILENAME = "the-zalo-{slug}-{n}.png"
LABEL = "Ảnh để gửi nhóm Zalo"
TEMPLATE = "zalo-card.html.j2"
STYLESHEETS = ("zalo-card.css",)
WIDTH_PX = 1080
HEIGHT_PX = 1350
MIN_PX = 40
MAX_BYTES = 300 * 1024
"""Largest card: a picture that big still goes out quickly on 3G."""
"""Smallest type on a card, in CSS px (= pixels of the PNG)."""
MM_PER_PX = 25.4 / 96
QR_PX = 300
"""The code's box, quiet zone included: about 8 px a module for a guide's
address, still 4 px after Zalo halves the picture."""
END_QR_PX = 420
"""The code when it is alone on the last card (``end_card``)."""
PICTOGRAM_PX = 132
GREYS = 16
"""Grey levels of the PNG: enough for smooth type edges, few enough to
keep a card small."""


def card_name(slug: str, n: int) -> str:
    """File name of card ``n`` (1-based) of a guide's series."""
    return FILENAME.format(slug=slug) if n == 1 else NEXT_FILENAME.format(slug=slug, n=n)


def target_url(guide: Guide, settings: Settings) -> str:
    """Where the card's code leads: the guide's page, or the course
    without a site address."""
    return guide.page_url(settings.site_url) or settings.course_url


TITLE_PX = 40
"""The title repeated at the top of the next cards of a series."""


def series_top(title: str, font_family: str) -> int:
    """Top margin (px) of the next cards of a series: room for the title
    repeated at ``TITLE_PX`` on as many lines as it takes (measured with the
    print font's glyph widths, with a line to spare for a wider renderer)."""
    from .teamstrip import widths

    lines = widths(font_family).lines(title, 900 * MM_PER_PX, TITLE_PX * 0.75, False)
    return 56 + round(lines * TITLE_PX * 1.2) + 36


def html(guide: Guide, settings: Settings, series: bool = False, nudge: int = 0, end_card: bool = False) -> str:
    category = next((c for c in settings.categories if c.id == guide.category), None)
    return templates.render(
        settings.posters_dir,
        TEMPLATE,
        g=guide,
        category=category,
        icon=pictogram(category.icon, PICTOGRAM_PX * MM_PER_PX, category.name) if category else None,
        author=AUTHOR,
        message=key_message(guide),
        steps=steps_of(guide),
        code=qr_code(target_url(guide, settings), (END_QR_PX if end_card else QR_PX) * MM_PER_PX, "q"),
        to_page=bool(guide.page_url(settings.site_url)),
        series=series,
        nudge=nudge,
        end_card=end_card,
        top=series_top(guide.title, settings.print_font),
    )


NUDGES = (0, 10, 20, 30, 40)
"""Right padding (px) tried in turn until no paragraph starts with a lone
word (``lone_first_word``)."""


def lone_first_word(layout) -> bool:
    """Whether a paragraph of ``layout`` starts with a line of one word
    although more text follows: WeasyPrint 70 breaks a line too early when
    its text nearly fills it and a bold run comes next ("Xem" alone, then
    "đúng tên nhóm ... bấm", then "**Tham gia nhóm**")."""

    def text(box) -> str:
        own = getattr(box, "text", None)
        return own if own is not None else "".join(text(c) for c in getattr(box, "children", ()))

    def walk(box) -> bool:
        children = list(getattr(box, "children", ()))
        lines = [c for c in children if type(c).__name__ == "LineBox"]
        if len(lines) >= 2 and len(text(lines[0]).split()) == 1 and len(text(lines[1]).split()) >= 2:
            return True
        return any(walk(c) for c in children)

    return any(walk(page_box(page)) for page in layout.document.pages)


def _layout(guide: Guide, settings: Settings, nudge: int):
    posters = settings.posters_dir
    sheets = [posters / name for name in STYLESHEETS]
    layout = printer(settings.print_font).layout(html(guide, settings, nudge=nudge), posters, sheets)
    if layout.page_count > 1:
        # Numbered, the title repeated at the top: a named page of its own.
        layout = printer(settings.print_font).layout(html(guide, settings, True, nudge), posters, sheets)
        if not has_steps(layout.document.pages[-1]):
            # The code alone on the last card: made an end card (the code
            # large, what it leads to, where to ask for help).
            end = printer(settings.print_font).layout(html(guide, settings, True, nudge, True), posters, sheets)
            if end.page_count == layout.page_count:  # never a card more
                layout = end
    return layout


def has_steps(page) -> bool:
    """Whether a laid-out page holds a step (an ``li`` of the list)."""

    def walk(box) -> bool:
        element = getattr(box, "element", None)
        if element is not None and element.tag == "li":
            return True
        return any(walk(c) for c in getattr(box, "children", ()))

    return walk(page_box(page))


def render_pdf(guide: Guide, settings: Settings) -> bytes:
    """The series as a PDF, one page per card (what ``render`` rasterises)."""
    for nudge in NUDGES:
        layout = _layout(guide, settings, nudge)
        if not lone_first_word(layout):
            break
    return layout.pdf()


def rasterise(pdf: bytes) -> list[bytes]:
    """Each page of ``pdf`` as a PNG exactly ``WIDTH_PX`` wide."""
    import pypdfium2

    out = []
    document = pypdfium2.PdfDocument(pdf)
    try:
        for i in range(len(document)):
            page = document[i]
            width_pt = page.get_width()
            image = page.render(scale=WIDTH_PX / width_pt, grayscale=True).to_pil().convert("L")
            page.close()
            if image.size != (WIDTH_PX, HEIGHT_PX):
                image = image.resize((WIDTH_PX, HEIGHT_PX))
            out.append(png(image))
    finally:
        document.close()
    return out


_LEVELS = [(v * (GREYS - 1) + 127) // 255 for v in range(256)]
_PALETTE = bytes(round(i * 255 / (GREYS - 1)) for i in range(GREYS) for _ in range(3))


def png(image) -> bytes:
    """A greyscale picture as a PNG of ``GREYS`` evenly spaced greys (a
    4-bit palette). A fixed mapping, not Pillow's ``quantize``, and zlib's
    default level, not ``optimize``: ten times faster (some 35 ms a card,
    where a national run makes one a team) for 5 to 10% more bytes; the
    same bytes for the same picture."""
    from PIL import Image

    levels = image.point(_LEVELS)
    indexed = Image.frombytes("P", levels.size, levels.tobytes())
    indexed.putpalette(_PALETTE)
    buffer = io.BytesIO()
    indexed.save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()


def render(guide: Guide, settings: Settings) -> list[bytes]:
    """The guide's cards: one PNG per card of its series."""
    return rasterise(render_pdf(guide, settings))


def key(guide: Guide, settings: Settings) -> str:
    """Everything the cards are made from (``keys.guide_key`` adds the code,
    libraries, font and category): the guide, the templates, the addresses."""
    ctx = PrintContext(settings)
    return guide_key(ctx, guide, "zalo-card", templates.digest(settings.posters_dir, (TEMPLATE, *STYLESHEETS)), ctx.token())


def cards(guide: Guide, settings: Settings) -> list[tuple[str, Path]]:
    """The guide's cards in the cache (rendered when the key is new):
    (file name, cache path) pairs."""
    return [(name, path) for name, path, _ in cards_with_bytes(guide, settings)]


def cards_with_bytes(guide: Guide, settings: Settings) -> list[tuple[str, Path, bytes]]:
    """The guide's cards in the cache: (file name, cache path, bytes). The
    index, written after the cards, says how many there are and their
    SHA-256: a card changed in place (a team pack's file is a hard link to
    its entry) is found and rendered again."""
    folder = settings.cache_dir / "zalo-cards"
    stem = f"{guide.slug}.{key(guide, settings)[:24]}"
    index = folder / f"{stem}.json"
    try:
        digests = json.loads(read_regular(index, limit=4096))["sha256"]
        paths = [folder / f"{stem}.{n}.png" for n in range(1, len(digests) + 1)]
        images = [read_regular(path) for path in paths]
        if not digests or [hashlib.sha256(data).hexdigest() for data in images] != digests:
            raise ValueError("changed")
    except (OSError, ValueError, KeyError, TypeError):
        images = render(guide, settings)
        paths = [folder / f"{stem}.{n}.png" for n in range(1, len(images) + 1)]
        for path, data in zip(paths, images):
            write_first(path, data)  # one file, however many workers make it at once
        digests = [hashlib.sha256(data).hexdigest() for data in images]
        write_atomic(index, json.dumps({"cards": len(images), "sha256": digests}).encode("utf-8"))
    return [(card_name(guide.slug, n), path, data) for n, (path, data) in enumerate(zip(paths, images), 1)]


def label(n: int, count: int) -> str:
    """The "In ấn" box's line for card ``n`` of ``count``."""
    return LABEL if count == 1 else f"{LABEL} ({n}/{count})"


def by_guide(library: Library, settings: Settings) -> dict[str, list[tuple[str, Path]]]:
    """Every guide's cards in the cache, by slug: (file name, cache path)
    pairs in order."""
    return {guide.slug: cards(guide, settings) for guide in library.guides}


def build(library: Library, settings: Settings) -> list[tuple[str, Path]]:
    """Every guide's cards in the cache: (file name, cache path) pairs."""
    return [pair for pairs in by_guide(library, settings).values() for pair in pairs]
