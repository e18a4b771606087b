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
Instead one *probe* variant is laid out first (the kind's first guess,
or the variant of the nearest fit memo, see below), and the space each
part of the page takes in it predicts the others: height grows with type
size (to the power ``SIZE_EXPONENT``), dropped parts take none, shortened
parts take their share of lines (a share known only within bounds, such
as two columns against one, counts with the bound that gives the lower
height), pictures keep their height. Variants predicted to be clearly too
long are skipped, the rest are laid out in order of preference until one
fits (each one that does not fit becomes the basis of the next
predictions: it is closer to them than the probe; a variant whose shares
differ from it is predicted from a laid-out one with the same shares,
when there is one). Predictions only skip work: the page count of the
real layout decides, so the result is the same as trying every variant,
as long as no prediction is more than the tolerance too pessimistic (on
the bundled guides and test fixtures, it is: tests/test_printables.py;
for posters see ``poster.TWO_COLUMNS``).

The variant that fitted is remembered in the build cache, the *fit memo*
(``fitmemo``), keyed by everything the layout is made from, for the
generic layout and the team layout (whether there is a team counts, not
which: the footer strip of a team layout is taller than the generic one,
but the same for every team). Any later render of the same inputs, in
this process or another (a fresh build, CI, every team-pack worker), lays
that variant out once, and uses it if it still fits its page budget, with
acceptable page breaks, at exactly the content height remembered;
otherwise it fits again from scratch, silently, and the memo is rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..errors import GuideError, Problem, display_path
from ..markup import IMAGE_DIR
from ..model import Guide
from . import fitmemo
from .fit import Fit, Share, bounds  # noqa: F401 (Share: re-exported)
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
class Measure:
    """Where the space went in one laid-out variant."""

    pages: float
    """Content height in pages (the last page counts partly)."""
    parts: dict[str, float]
    """Height of each top-level part of ``<body>`` by its first class, in
    pages."""
    images: dict[str, float] = field(default_factory=dict)
    """Height of the pictures in each part (in pages): sized in mm by the
    print CSS (``.step-image``), they do not grow with the type size."""

    def predict(self, probe: Fit, fit: Fit, exponent: float = SIZE_EXPONENT) -> float:
        """Pages ``fit`` is expected to need, from this measure of ``probe``
        (content height growing with type size to the power ``exponent``)."""
        scale = (fit.size / probe.size) ** exponent
        total = self.pages
        fixed = 0.0
        for part, height in self.parts.items():
            if part in fit.drop and part not in probe.drop:
                total -= height
                continue
            if part in fit.fixed:
                total -= height
                fixed += height
                continue
            pictures = min(self.images.get(part, 0.0), height)
            total -= pictures
            fixed += pictures
            keep_fit, keep_probe = fit.shorten.get(part, 1.0), probe.shorten.get(part, 1.0)
            if keep_fit != keep_probe:
                # Shares known within bounds: the lowest height they allow
                # (a prediction may cost a layout, never skip a variant).
                ratio = bounds(keep_fit)[0] / (bounds(keep_probe)[1] or 1e-9)
                total -= (height - pictures) * (1 - ratio)
        return total * scale + fixed


def body_box(page):
    stack = [page_box(page)]
    while stack:
        box = stack.pop()
        if getattr(box, "element_tag", None) == "body":
            return box
        stack.extend(getattr(box, "children", ()))
    return None


def bottom(box) -> float:
    """Where the content of ``box`` ends: the bottom of its last line or
    leaf box, not of the box itself (a box split across pages reaches down
    to the page's end, wherever its content stops)."""
    children = [c for c in getattr(box, "children", ()) if hasattr(c, "margin_height")]
    if not children:
        return box.position_y + box.margin_height()
    return max(bottom(c) for c in children)


def height(layout: Layout) -> float:
    """Content height of ``layout`` in pages, as the fit memo records it."""
    return round(measure(layout).pages, fitmemo.HEIGHT_DIGITS)


def _pictures(box) -> float:
    """Height of the pictures (``<img>``) inside ``box``."""
    total = 0.0
    stack = [box]
    while stack:
        box = stack.pop()
        if getattr(box, "element_tag", None) == "img" and hasattr(box, "margin_height"):
            total += box.margin_height()
            continue
        stack.extend(getattr(box, "children", ()))
    return total


def measure(layout: Layout) -> Measure:
    pages = layout.document.pages
    total = 0.0
    parts: dict[str, float] = {}
    images: dict[str, float] = {}
    for page in pages:
        body = body_box(page)
        if body is None or not body.children:
            continue
        area = page_box(page).height
        total += (max(bottom(c) for c in body.children) - body.content_box_y()) / area
        for child in body.children:
            element = getattr(child, "element", None)
            classes = (element.get("class") or "").split() if element is not None else []
            if classes:
                parts[classes[0]] = parts.get(classes[0], 0.0) + (bottom(child) - child.position_y) / area
                pictures = _pictures(child)
                if pictures:
                    images[classes[0]] = images.get(classes[0], 0.0) + pictures / area
    return Measure(pages=total, parts=parts, images=images)


_memo: dict[str, fitmemo.Entry] = {}
"""This process's memo: fit-memo key -> entry (see ``fitmemo``)."""


def _known(kind_name: str, guide: Guide, ctx: PrintContext, sources: tuple[str, ...]) -> fitmemo.Entry | None:
    key = fitmemo.key(kind_name, guide, ctx, sources)
    known = _memo.get(key)
    if known is None:
        known = fitmemo.load(fitmemo.path(kind_name, guide, ctx, key), key)
    return known


def fitted(kind_name: str, guide: Guide, ctx: PrintContext, sources: tuple[str, ...]) -> int | None:
    """Index of the variant the guide was last printed with (by this
    process, or by any other one with the same inputs: the fit memo), if
    any (for tools that want the HTML a PDF was made from)."""
    known = _known(kind_name, guide, ctx, sources)
    return known.index if known else None


def fitted_variant(kind_name: str, guide: Guide, ctx: PrintContext, sources: tuple[str, ...]) -> Fit | None:
    """The variant the guide was last printed with, as laid out (with its
    pagination adjustments, see ``render_fitted``), if known: by this
    process or from the fit memo. A layout of it must still be checked
    against the page budget (``render_fitted`` does)."""
    known = _known(kind_name, guide, ctx, sources)
    return known.fit if known else None


ADJUSTMENTS = 5
"""Times a variant may be adjusted for its page breaks (``Paginate``)
before it is given up: a moved break, then the header of each page after
the first, one page at a time."""

Paginate = Callable[[Fit, Layout], "Fit | None"]
"""Looks at a layout that fits its page budget; returns the variant
adjusted where the page breaks are not acceptable (a step alone on a
page, say), or None when they are."""


def render_fitted(
    kind_name: str,
    guide: Guide,
    ctx: PrintContext,
    fits: tuple[Fit, ...],
    probe: int | Callable[[], int],
    make_html: Callable[[Fit], str],
    stylesheets: tuple[str, ...],
    sources: tuple[str, ...],
    too_long: str,
    paginate: Paginate | None = None,
    exponent: float = SIZE_EXPONENT,
    tolerance: tuple[float, float] = (TOLERANCE, TOLERANCE_RESIZED),
) -> bytes:
    """The PDF of the first variant in ``fits`` that fits its page budget.

    ``probe`` is the index of the variant laid out first (or a function
    that guesses it, called only when there is no memo); ``too_long`` is
    the message (Vietnamese) when no variant fits. ``paginate``, if given,
    checks the page breaks of a layout that fits; the adjusted variant it
    returns is laid out in its place, and used if it still fits (if not,
    the next variant is tried). ``exponent`` and ``tolerance``: the kind's
    measured ``SIZE_EXPONENT`` and (``TOLERANCE``, ``TOLERANCE_RESIZED``).

    Without a memo of the same inputs, the first layout is the variant of
    the nearest memo there is (the same guide's other layout, generic or
    team, or its previous version: ``fitmemo.hint``), else ``probe``.
    """
    posters = ctx.settings.posters_dir
    pdf_printer = printer(ctx.settings.print_font, ctx.where)
    sheets = [posters / name for name in stylesheets]
    key = fitmemo.key(kind_name, guide, ctx, sources)
    where = fitmemo.path(kind_name, guide, ctx, key)

    def lay_out(fit: Fit) -> Layout:
        return pdf_printer.layout(make_html(fit), posters, sheets, image_dir=ctx.settings.guides_dir / IMAGE_DIR, image_cache=ctx.settings.cache_dir)

    def acceptable(fit: Fit, layout: Layout) -> bool:
        return layout.page_count <= fit.max_pages and (paginate is None or paginate(fit, layout) is None)

    def remember(i: int, fit: Fit, layout: Layout) -> bytes:
        entry = fitmemo.Entry(index=i, fit=fit, height=height(layout))
        _memo[key] = entry
        fitmemo.save(ctx.settings.cache_dir, where, key, entry)
        return layout.pdf()

    def accept(i: int, fit: Fit, layout: Layout) -> bytes | None:
        """The PDF of ``layout`` (or of its adjusted variant: adjusted
        again, up to ``ADJUSTMENTS`` times, while ``paginate`` asks), or
        None."""
        if layout.page_count > fit.max_pages:
            return None
        for _ in range(ADJUSTMENTS):
            adjusted = paginate(fit, layout) if paginate else None
            if adjusted is None:
                return remember(i, fit, layout)
            fit, layout = adjusted, lay_out(adjusted)
            if layout.page_count > fit.max_pages:
                return None
        return remember(i, fit, layout) if acceptable(fit, layout) else None

    # The variant this process or another one printed the same inputs
    # with: used if it still fits and lays out exactly as remembered.
    first = None
    in_process = _memo.get(key)
    known = in_process or fitmemo.load(where, key, fits)
    if known is not None:
        layout = lay_out(known.fit)
        if acceptable(known.fit, layout) and height(layout) == known.height:
            _memo[key] = known
            if in_process is not None and not where.is_file():  # the cache was emptied meanwhile
                fitmemo.save(ctx.settings.cache_dir, where, key, known)
            return layout.pdf()
        _memo.pop(key, None)
        if known.fit.options == fits[known.index].options:
            # Not adjusted for its page breaks: as good a start as the probe.
            probe, first = known.index, layout

    if first is None:
        hint = fitmemo.hint(kind_name, guide, ctx, sources, fits)
        probe = hint if hint is not None else probe() if callable(probe) else probe
        first = lay_out(fits[probe])
    basis, seen = fits[probe], measure(first)
    laid_out = [(basis, seen)]
    pages = first.page_count
    for i, fit in enumerate(fits):
        if i == probe:
            layout = first
        else:
            base, base_seen = basis, seen
            if fit.shorten != basis.shorten:
                # Predicting across shares known only within bounds (one
                # column from two) is optimistic: from a layout with the
                # same shares, when there is one: the nearest in type size,
                # the latest of equals.
                same = [(b, m) for b, m in laid_out if b.shorten == fit.shorten]
                if same:
                    base, base_seen = min(reversed(same), key=lambda bm: abs(bm[0].size - fit.size))
            if base_seen.predict(base, fit, exponent) > fit.max_pages * (1 + tolerance[fit.size != base.size]):
                continue
            layout = lay_out(fit)
        pages = layout.page_count
        pdf = accept(i, fit, layout)
        if pdf is not None:
            return pdf
        if i != probe:
            laid_out.append((fit, measure(layout)))
        if i > probe:
            # A later variant is closer to the ones left: predict from it.
            basis, seen = laid_out[-1]
    path = display_path(guide.source_path) if guide.source_path else guide.slug
    raise GuideError(Problem(path=path, message=f"{too_long} (cần {pages} trang)", hint="rút gọn các bước hoặc phần lưu ý"))
