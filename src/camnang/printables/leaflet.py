"""Leaflet: a guide on one A4 page, two (front and back) for a long guide.

Title, summary, "Cần chuẩn bị" checklist, numbered steps, safety tips,
troubleshooting when there is room, and a footer strip with the QR codes
(template ``posters/leaflet.html.j2``, CSS ``print.css`` + ``leaflet.css``).
Every step is printed in full. Variants, in order of preference
(``camnang.printables.fitting``):

1. one page at 14 pt, then 13 pt;
2. two pages (front and back) at 16 pt down to 13 pt: the back page is
   used before the type shrinks below 13 pt (``FLOOR_PT``); last at 13 pt
   with tighter lines and spacing (``two-pages-tight``);
3. three pages at 14 pt, then 13 pt: the last resort of a long guide in a
   team pack, whose footer strip is taller.

Every variant prints everything: no section is ever left out, so a
team's leaflet says all the generic one says.

Pagination (``paginate``): a step never stands alone on a page. When the
steps run over from the front to the back and one page would hold just
one of them, the page breaks one step earlier (or before the whole list),
and the variant is used only if it still fits its pages. Every page after
the first starts with a continuation header (``CONTINUED``): the guide's
title, small, then the section it continues ("Các bước (tiếp)"), so a
back page photocopied alone still says what it is. Every page has
the footer strip with the QR codes: a sheet photocopied on one side still
leads to the guide.

A guide that needs more than three pages even then is refused with a
message naming its file.

Why 13 pt: the readers are often older, and leaflets are photocopied,
which thins strokes; 13 pt Noto Sans (x-height 2.5 mm) is the smallest
size read without strain at arm's length by people with presbyopia and
ordinary reading glasses.
"""

from __future__ import annotations

import dataclasses

from ..model import Guide
from . import templates
from .compat import page_box
from .fit import Fit
from .fitting import Measure, render_fitted
from .pdf import Layout
from .kinds import Kind, PrintContext
from .pdf import AUTHOR
from .teamstrip import strip_for

TEMPLATE = "leaflet.html.j2"
STYLESHEETS = ("print.css", "leaflet.css")
QR_BOX_MM = 40
QR_ERROR = "m"
"""Printed width of each QR code with its quiet zone (the strip is laid
out for it)."""
QR_MIN_MM = 30
"""Printed width of each QR symbol itself: at least 30 mm."""

FLOOR_PT = 13
"""Smallest body type (see the module docstring)."""

FITS = (
    Fit("one-page", 14),
    Fit("one-page", 13),
    Fit("two-pages", 16, max_pages=2),
    Fit("two-pages", 15, max_pages=2),
    Fit("two-pages", 14, max_pages=2),
    Fit("two-pages", 13, max_pages=2),
    Fit("two-pages-tight", 13, max_pages=2),
    Fit("three-pages", 14, max_pages=3),
    Fit("three-pages", 13, max_pages=3),
)
PROBE = 4
"""Laid out first when ``first_guess`` finds no variant (a guide too long
for two pages, most likely)."""
SIZE_EXPONENT = 1.6
"""Height grows with type size to about this power on leaflets (measured
on the bundled guides, see ``fitting.SIZE_EXPONENT``)."""
TOLERANCE = (0.02, 0.04)
"""How much longer than its budget a variant may be predicted and still be
laid out (same size, another size; see ``fitting.TOLERANCE``). At
``SIZE_EXPONENT``, no variant that fits a bundled guide or test fixture is
predicted above its budget (at most 99.6 % of it): 2 and 4 % are margin,
and each percent less saves layouts of variants that just do not fit."""

GUESS_FIT = 3
"""The variant the text estimate (``first_guess``) is calibrated on."""
GUESS_LINE_MM = 170
"""Width of a line of text on the leaflet, about (A4 less margins and bullets)."""
GUESS_TITLE_MM = 182
"""Width of the title's lines (20 pt bold)."""
GUESS_PAGES = (0.0302, 0.0043, 0.0269, 0.4029)
"""Content height at ``GUESS_FIT`` in pages: per line of text (every block
wrapped at ``GUESS_LINE_MM``), per block, per line of title, and fixed.
Least squares on the bundled guides and test fixtures: within 3 % for
guides without pictures."""
GUESS_PICTURE = 0.16
"""Pages a step picture takes (``.step-image``: at most 45 mm, with its margins)."""
GUESS_MARGIN = 0.02
"""The first guess must be predicted this much under its budget."""


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


CONTINUED = "Các bước (tiếp)"
"""Heading of a page that continues the steps (``paginate``)."""


def block_pages(layout: Layout) -> list[tuple[str, int]]:
    """The blocks of the page (``data-block``: ``section:item``, item 0 for
    the section's start), in order, each with the page (0-based) it
    starts on."""
    first: dict[str, int] = {}
    order: list[str] = []
    for number, page in enumerate(layout.document.pages):
        stack = [page_box(page)]
        while stack:
            box = stack.pop()
            element = getattr(box, "element", None)
            block = element.get("data-block") if element is not None else None
            if block and block not in first:
                first[block] = number
                order.append(block)
            stack.extend(reversed(getattr(box, "children", ())))
    return [(b, first[b]) for b in order]


def back_starts(layout: Layout, fit: Fit) -> str:
    """Where each page after the first starts (the option ``back`` of the
    variant: ``section:item`` of each page's first block, comma-separated),
    given the step breaks ``fit`` asks for."""
    starts, seen = [], {0}
    for block, page in block_pages(layout):
        if page not in seen:
            seen.add(page)
            starts.append(block)
    return ",".join(starts)


def _breaks(fit: Fit, layout: Layout) -> Fit:
    """``fit`` with ``break_before`` where a page would hold a single step
    of a list that runs over two pages (unchanged when the breaks are fine)."""
    pages = step_pages(layout)
    if len(pages) < 2 or len(set(pages)) < 2:
        return fit
    counts = {p: pages.count(p) for p in set(pages)}
    last_page = max(counts)
    if counts[last_page] == 1:
        # The last step alone on the back: take the one before it along.
        return dataclasses.replace(fit, options={**fit.options, "break_before": len(pages) - 1})
    first_page = min(counts)
    if counts[first_page] == 1:
        # Only the first step at the foot of the front: the list starts on the back.
        return dataclasses.replace(fit, options={**fit.options, "break_before": 1})
    return fit


def paginate(fit: Fit, layout: Layout) -> Fit | None:
    """The variant adjusted for its page breaks, or None when they are
    fine: a page never holds a single step of a list that runs over two
    pages (``break_before``, 1-based step: that step starts the next page,
    step 1 the whole "Các bước" section); then every page after the first
    starts with the continuation header (``back``: where those pages
    start, see ``back_starts``). One adjustment at a time: the fitting
    lays the adjusted variant out and asks again."""
    if layout.page_count < 2:
        return None
    adjusted = _breaks(fit, layout)
    if adjusted.options.get("break_before") != fit.options.get("break_before"):
        return adjusted
    actual = back_starts(layout, fit).split(",") if layout.page_count > 1 else []
    wanted = [b for b in fit.options.get("back", "").split(",") if b]
    if actual == wanted:
        return None
    # The first page that does not start where its header is: a header
    # makes its page longer, so the next pages' starts follow from it.
    same = 0
    while same < min(len(actual), len(wanted)) and actual[same] == wanted[same]:
        same += 1
    back = actual[: same + 1]
    return dataclasses.replace(fit, options={**fit.options, "back": ",".join(back)})


def html(guide: Guide, ctx: PrintContext, fit: Fit) -> str:
    """The leaflet's HTML at one fit variant."""
    return templates.render(
        ctx.settings.posters_dir,
        TEMPLATE,
        g=guide,
        category=ctx.category(guide),
        author=AUTHOR,
        fit=fit,
        back=set(fit.options.get("back", "").split(",")) - {""},
        image_base=ctx.settings.guides_dir.resolve().as_uri() + "/",
        page_qr=ctx.page_qr(guide, QR_BOX_MM, QR_ERROR, QR_MIN_MM),
        course_qr=ctx.course_qr(QR_BOX_MM, QR_ERROR, QR_MIN_MM),
        team=ctx.team,
        strip=strip_for(ctx.team, "leaflet", ctx.settings.print_font),
        team_qr=ctx.team_qr(QR_BOX_MM, QR_ERROR, QR_MIN_MM),
        feedback_url=ctx.settings.feedback_url,
    )


def first_guess(guide: Guide, ctx: PrintContext) -> int:
    """The variant to lay out first: the first one a text estimate (the
    print font's glyph widths, no layout) predicts to fit. Only a guess:
    the fitting measures the real layout and tries what it must from there
    (``fitting.render_fitted``); a good guess saves layouts."""
    from ..markup import to_text
    from .teamstrip import widths

    measure = widths(ctx.settings.print_font)
    blocks = [guide.summary, *guide.prepare, *(step.content for step in guide.steps), *guide.tips, *guide.troubleshooting]
    lines = sum(measure.lines(b if isinstance(b, str) else to_text(b), GUESS_LINE_MM, FITS[GUESS_FIT].size, False) for b in blocks)
    title = measure.lines(guide.title, GUESS_TITLE_MM, 20, True)
    per_line, per_block, per_title_line, fixed = GUESS_PAGES
    pages = per_line * lines + per_block * len(blocks) + per_title_line * title + fixed + GUESS_PICTURE * len(guide.images)
    estimate = Measure(pages=pages, parts={})
    for i, fit in enumerate(FITS):
        if estimate.predict(FITS[GUESS_FIT], fit, SIZE_EXPONENT) <= fit.max_pages * (1 - GUESS_MARGIN):
            return i
    return PROBE


def render(guide: Guide, ctx: PrintContext) -> bytes:
    return render_fitted(
        "leaflet",
        guide,
        ctx,
        FITS,
        lambda: first_guess(guide, ctx),
        lambda fit: html(guide, ctx, fit),
        STYLESHEETS,
        LEAFLET.sources,
        too_long="hướng dẫn quá dài, tờ rơi cần hơn ba trang A4",
        paginate=paginate,
        exponent=SIZE_EXPONENT,
        tolerance=TOLERANCE,
    )


LEAFLET = Kind(
    name="leaflet",
    filename="to-roi-{slug}.pdf",
    label="Tờ rơi A4",
    render=render,
    template=TEMPLATE,
    stylesheets=STYLESHEETS,
    qr_box_mm=QR_BOX_MM,
    qr_min_mm=QR_MIN_MM,
    qr_error=QR_ERROR,
    fits=FITS,
    settings=("feedback_url",),
)
