"""Leaflet: a guide on one A4 page, two (front and back) for a long guide.

Title, summary, "Cần chuẩn bị" checklist, numbered steps, safety tips,
troubleshooting when there is room, and a footer strip with the QR codes
(template ``posters/leaflet.html.j2``, CSS ``print.css`` + ``leaflet.css``).
Every step is printed in full. Variants, in order of preference
(``camnang.printables.fitting``):

1. one page at 13 pt, then 12 pt, everything in;
2. one page at 12 pt without "Khi gặp khó khăn" (a line points to the QR
   code of the guide's page, which has it);
3. two pages at 14 pt, 13 pt, then 12 pt, everything in;
4. two pages at 12 pt without "Khi gặp khó khăn".

A guide that needs more than two pages even then is refused with a
message naming its file.
"""

from __future__ import annotations

from ..model import Guide
from . import templates
from .fitting import Fit, render_fitted
from .kinds import Kind, PrintContext
from .pdf import AUTHOR

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
    Fit("two-pages", 14, max_pages=2),
    Fit("two-pages", 13, max_pages=2),
    Fit("two-pages", 12, max_pages=2),
    Fit("two-pages", 12, max_pages=2, drop=frozenset({TROUBLE})),
)
PROBE = 3
"""Most guides are long enough to need both sides of the sheet."""


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
    )


LEAFLET = Kind(
    name="leaflet",
    filename="to-roi-{slug}.pdf",
    label="Tờ rơi A4",
    render=render,
    sources=(TEMPLATE, *STYLESHEETS),
)
