"""Leaflet: a guide on one A4 page, two (front and back) for a long guide.

Title, summary, "Cần chuẩn bị" checklist, numbered steps, safety tips,
troubleshooting when there is room, and a footer strip with the QR codes
(template ``posters/leaflet.html.j2``, CSS ``print.css`` + ``leaflet.css``).
Every step is printed in full. Variants, in order of preference
(``camnang.printables.fitting``):

1. one page at 13 pt, then 12 pt, everything in;
2. one page at 12 pt without "Khi gặp khó khăn" (a line points to the QR
   code of the guide's page, which has it);
3. two pages (front and back) at 16 pt down to 12 pt, everything in: the
   largest type that fits, so the back page is used, not left empty;
4. two pages at 12 pt without "Khi gặp khó khăn".

Pagination (``paginate``): a step never stands alone on a page. When the
steps run over from the front to the back and one page would hold just
one of them, the page breaks one step earlier (or before the whole list),
and the variant is used only if it still fits its pages. Every page has
the footer strip with the QR codes: a sheet photocopied on one side still
leads to the guide.

A guide that needs more than two pages even then is refused with a
message naming its file.
"""

from __future__ import annotations

import dataclasses

from ..model import Guide
from . import templates
from .compat import page_box
from .fitting import Fit, render_fitted
from .pdf import Layout
from .kinds import Kind, PrintContext
from .pdf import AUTHOR
from .teamstrip import strip_for

TEMPLATE = "leaflet.html.j2"
STYLESHEETS = ("print.css", "leaflet.css")
QR_BOX_MM = 40
"""Printed width of each QR code with its quiet zone (the strip is laid
out for it)."""
QR_MIN_MM = 30
"""Printed width of each QR symbol itself: at least 30 mm."""

TROUBLE = "trouble"
"""Class of the "Khi gặp khó khăn" section, which compact variants drop."""

FITS = (
    Fit("one-page", 13),
    Fit("one-page", 12),
    Fit("one-page", 12, drop=frozenset({TROUBLE})),
    Fit("two-pages", 16, max_pages=2),
    Fit("two-pages", 15, max_pages=2),
    Fit("two-pages", 14, max_pages=2),
    Fit("two-pages", 13, max_pages=2),
    Fit("two-pages", 12, max_pages=2),
    Fit("two-pages", 12, max_pages=2, drop=frozenset({TROUBLE})),
)
PROBE = 5
"""Most guides are long enough to need both sides of the sheet (14 pt)."""


def step_pages(layout: Layout) -> list[int]:
    """The page (0-based) each step starts on, in order."""
    first: dict[int, int] = {}
    for number, page in enumerate(layout.document.pages):
        stack = [page_box(page)]
        while stack:
            box = stack.pop()
            element = getattr(box, "element", None)
            step = element.get("data-step") if element is not None and getattr(box, "element_tag", None) == "li" else None
            if step and step.isdigit():
                first.setdefault(int(step), number)
            stack.extend(getattr(box, "children", ()))
    return [first[k] for k in sorted(first)]


def paginate(fit: Fit, layout: Layout) -> Fit | None:
    """The variant with an earlier page break when a page would hold a
    single step of a list that runs over two pages; None when the breaks
    are fine. ``break_before`` (1-based step) makes that step start the
    next page (step 1: the whole "Các bước" section)."""
    pages = step_pages(layout)
    if len(pages) < 2 or len(set(pages)) < 2:
        return None
    counts = {p: pages.count(p) for p in set(pages)}
    last_page = max(counts)
    if counts[last_page] == 1:
        # The last step alone on the back: take the one before it along.
        return dataclasses.replace(fit, options={**fit.options, "break_before": len(pages) - 1})
    first_page = min(counts)
    if counts[first_page] == 1:
        # Only the first step at the foot of the front: the list starts on the back.
        return dataclasses.replace(fit, options={**fit.options, "break_before": 1})
    return None


def html(guide: Guide, ctx: PrintContext, fit: Fit) -> str:
    """The leaflet's HTML at one fit variant."""
    return templates.render(
        ctx.settings.posters_dir,
        TEMPLATE,
        g=guide,
        category=ctx.category(guide),
        author=AUTHOR,
        fit=fit,
        trouble=TROUBLE not in fit.drop,
        image_base=ctx.settings.guides_dir.resolve().as_uri() + "/",
        page_qr=ctx.page_qr(guide, QR_BOX_MM, "m", QR_MIN_MM),
        course_qr=ctx.course_qr(QR_BOX_MM, "m", QR_MIN_MM),
        team=ctx.team,
        strip=strip_for(ctx.team, "leaflet", ctx.settings.print_font),
        team_qr=ctx.team_qr(QR_BOX_MM, "m", QR_MIN_MM),
    )


def render(guide: Guide, ctx: PrintContext) -> bytes:
    return render_fitted(
        "leaflet",
        guide,
        ctx,
        FITS,
        PROBE,
        lambda fit: html(guide, ctx, fit),
        STYLESHEETS,
        LEAFLET.sources,
        too_long="hướng dẫn quá dài, tờ rơi cần hơn hai trang A4",
        paginate=paginate,
    )


LEAFLET = Kind(
    name="leaflet",
    filename="to-roi-{slug}.pdf",
    label="Tờ rơi A4",
    render=render,
    sources=(TEMPLATE, *STYLESHEETS),
)
