"""Fitting a document to its page budget.

A leaflet must fit one A4 page (two for a long guide) and a poster exactly
one A3 page, whatever the length of the guide. Each kind lists its ``Fit``
variants in order of preference; the first one WeasyPrint lays out within
its page budget is written. A variant sets the root type size (the print
CSS sizes everything in em, so the whole page scales with it) and may
leave out or shorten content; type never goes below the print design's
minimum (12 pt leaflets, 24 pt posters): compact variants drop or shorten
content instead, and the page says where the rest is (the QR code to the
guide's page).

Laying out every variant in turn would cost up to one render per variant.
Instead one *probe* variant is laid out first (the one most guides end up
with), and the space each part of the page takes in it predicts the others:
height grows with type size (to the power ``SIZE_EXPONENT``), dropped
parts take none, shortened parts take their share of lines. Variants predicted to be
clearly too long are skipped, the rest are laid out in order of preference
until one fits (each one that does not fit becomes the basis of the next
predictions: it is closer to them than the probe). Predictions only skip work: the page count of the real
layout decides, so the result is the same as trying every variant, as long
as no prediction is more than ``TOLERANCE`` too pessimistic (on the
bundled guides and test fixtures, it is: tests/test_printables.py).

The variant that fitted is remembered per worker process, for the guide,
templates, settings and whether there is a team (not which: the footer
strip of a team layout is taller than the generic one, but the same for
every team), so every team after the first lays out once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..errors import GuideError, Problem, display_path
from ..markup import IMAGE_DIR
from ..model import Guide
from . import templates
from .compat import page_box
from .kinds import PrintContext
from .pdf import Layout, printer

SIZE_EXPONENT = 1.8
"""Content height grows with type size to about this power: area would go
with the square, but short items keep their number of lines. Measured on
the bundled guides (1.6 for leaflets, 1.8 for posters), erring on the
optimistic side: a too optimistic prediction costs a layout, a too
pessimistic one a smaller variant than needed."""

TOLERANCE = 0.04
"""A variant predicted to need at most 4 % more than its page budget is
still laid out (line breaks do not scale exactly with shortening)..."""
TOLERANCE_RESIZED = 0.08
"""... or 8 % when it has another type size than the layout the
prediction comes from (nor exactly with type size)."""


@dataclass(frozen=True)
class Fit:
    name: str
    """Variant name: the class ``fit-<name>`` on ``<body>``."""
    size: float
    """Root type size in pt; the print CSS sizes text in em from it."""
    max_pages: int = 1
    drop: frozenset[str] = frozenset()
    """Classes of the page's top-level parts left out at this variant."""
    shorten: dict[str, float] = field(default_factory=dict, hash=False, compare=False)
    """Top-level class -> share of its height kept (1.0: all of it): fewer
    characters, or more columns (two columns: about 0.5)."""
    fixed: frozenset[str] = frozenset()
    """Classes of top-level parts sized in pt, not with ``size``: their
    height does not scale with the variant's type size."""
    options: dict = field(default_factory=dict, hash=False, compare=False)
    """Anything else the kind's template needs to know about the variant."""


@dataclass(frozen=True)
class Measure:
    """Where the space went in one laid-out variant."""

    pages: float
    """Content height in pages (the last page counts partly)."""
    parts: dict[str, float]
    """Height of each top-level part of ``<body>`` by its first class, in
    pages."""

    def predict(self, probe: Fit, fit: Fit) -> float:
        """Pages ``fit`` is expected to need, from this measure of ``probe``."""
        scale = (fit.size / probe.size) ** SIZE_EXPONENT
        total = self.pages
        fixed = 0.0
        for part, height in self.parts.items():
            if part in fit.drop and part not in probe.drop:
                total -= height
            elif part in fit.fixed:
                total -= height
                fixed += height
            elif part in fit.shorten or part in probe.shorten:
                keep_probe = probe.shorten.get(part, 1.0) or 1e-9
                total -= height * (1 - fit.shorten.get(part, 1.0) / keep_probe)
        return total * scale + fixed


def _body(page):
    stack = [page_box(page)]
    while stack:
        box = stack.pop()
        if getattr(box, "element_tag", None) == "body":
            return box
        stack.extend(getattr(box, "children", ()))
    return None


def _bottom(box) -> float:
    """Where the content of ``box`` ends: the bottom of its last line or
    leaf box, not of the box itself (a box split across pages reaches down
    to the page's end, wherever its content stops)."""
    children = [c for c in getattr(box, "children", ()) if hasattr(c, "margin_height")]
    if not children:
        return box.position_y + box.margin_height()
    return max(_bottom(c) for c in children)


def measure(layout: Layout) -> Measure:
    pages = layout.document.pages
    total = 0.0
    parts: dict[str, float] = {}
    for page in pages:
        body = _body(page)
        if body is None or not body.children:
            continue
        area = page_box(page).height
        total += (max(_bottom(c) for c in body.children) - body.content_box_y()) / area
        for child in body.children:
            element = getattr(child, "element", None)
            classes = (element.get("class") or "").split() if element is not None else []
            if classes:
                parts[classes[0]] = parts.get(classes[0], 0.0) + (_bottom(child) - child.position_y) / area
    return Measure(pages=total, parts=parts)


_memo: dict[tuple, tuple[int, Fit]] = {}


def _memo_key(kind_name: str, guide: Guide, ctx: PrintContext, sources: tuple[str, ...]) -> tuple:
    # Team layouts have a taller footer strip than the generic one (the
    # same for every team): whether there is a team counts, not which.
    return (kind_name, guide.digest, ctx.team is not None, ctx.token(team=False), templates.digest(ctx.settings.posters_dir, sources))


def fitted(kind_name: str, guide: Guide, ctx: PrintContext, sources: tuple[str, ...]) -> int | None:
    """Index of the variant this process last found for the guide, if any
    (for tools that want the HTML a PDF was made from)."""
    known = _memo.get(_memo_key(kind_name, guide, ctx, sources))
    return known[0] if known else None


def fitted_variant(kind_name: str, guide: Guide, ctx: PrintContext, sources: tuple[str, ...]) -> Fit | None:
    """The variant this process last printed the guide with, as laid out
    (with its pagination adjustments, see ``render_fitted``), if any."""
    known = _memo.get(_memo_key(kind_name, guide, ctx, sources))
    return known[1] if known else None


Paginate = Callable[[Fit, Layout], "Fit | None"]
"""Looks at a layout that fits its page budget; returns the variant
adjusted where the page breaks are not acceptable (a step alone on a
page, say), or None when they are."""


def render_fitted(
    kind_name: str,
    guide: Guide,
    ctx: PrintContext,
    fits: tuple[Fit, ...],
    probe: int,
    make_html: Callable[[Fit], str],
    stylesheets: tuple[str, ...],
    sources: tuple[str, ...],
    too_long: str,
    paginate: Paginate | None = None,
) -> bytes:
    """The PDF of the first variant in ``fits`` that fits its page budget.

    ``probe`` is the index of the variant laid out first; ``too_long`` is
    the message (Vietnamese) when no variant fits. ``paginate``, if given,
    checks the page breaks of a layout that fits; the adjusted variant it
    returns is laid out in its place, and used if it still fits (if not,
    the next variant is tried).
    """
    posters = ctx.settings.posters_dir
    pdf_printer = printer(ctx.settings.print_font, ctx.where)
    sheets = [posters / name for name in stylesheets]
    key = _memo_key(kind_name, guide, ctx, sources)

    def lay_out(fit: Fit) -> Layout:
        return pdf_printer.layout(make_html(fit), posters, sheets, image_dir=ctx.settings.guides_dir / IMAGE_DIR)

    def accept(i: int, fit: Fit, layout: Layout) -> bytes | None:
        """The PDF of ``layout`` (or of its adjusted variant), or None."""
        if layout.page_count > fit.max_pages:
            return None
        adjusted = paginate(fit, layout) if paginate else None
        if adjusted is not None:
            fit, layout = adjusted, lay_out(adjusted)
            if layout.page_count > fit.max_pages or paginate(fit, layout) is not None:
                return None
        _memo[key] = (i, fit)
        return layout.pdf()

    known = _memo.get(key)
    if known is not None:
        layout = lay_out(known[1])
        if layout.page_count <= known[1].max_pages:
            _memo[key] = known
            return layout.pdf()

    first = lay_out(fits[probe])
    basis, seen = fits[probe], measure(first)
    pages = first.page_count
    for i, fit in enumerate(fits):
        if i == probe:
            layout = first
        elif seen.predict(basis, fit) > fit.max_pages * (1 + (TOLERANCE if fit.size == basis.size else TOLERANCE_RESIZED)):
            continue
        else:
            layout = lay_out(fit)
        pages = layout.page_count
        pdf = accept(i, fit, layout)
        if pdf is not None:
            return pdf
        if i > probe:
            # A later variant is closer to the ones left: predict from it.
            basis, seen = fit, measure(layout)
    path = display_path(guide.source_path) if guide.source_path else guide.slug
    raise GuideError(Problem(path=path, message=f"{too_long} (cần {pages} trang)", hint="rút gọn các bước hoặc phần lưu ý"))
