"""Poster: a guide on exactly one A3 page, for the commune office wall.

Read from across the room first, then up close (template
``posters/poster.html.j2``, CSS ``print.css`` + ``poster.css``):

1. the category pictogram (the site's icon, vector, ``pictogram``), the
   category and the title, in fixed large type: they read from 3 m;
2. one key message in a black frame: the guide's most important safety
   tip (``key_message``), whole, at 32 pt whatever the steps' size (it is
   read from across the room), never left out;
3. every step, whole, or the short form its author wrote (a ``Ngắn:``
   line, see ``camnang.markup``): never cut, never a "…" the author did
   not write;
4. a footer strip with the QR codes: the generic poster prints each
   code's caption beside it and its address under both (no blank beside
   a code); a team poster has three cells, caption over each code.

Steps are laid out in the first variant of ``FITS`` that fits the page
(in order of preference): one column at 30, 27 or 24 pt (every bundled
guide, generic and team, with its short forms); two columns at 24 pt;
then 22 pt in one column, then in two; 21 pt in two columns; 20 pt in one,
then two; 19 pt in two; last two columns at 18 pt, the floor
(``FLOOR_PT``). A guide whose steps do not fit even then is printed on two
A3 sheets (``SHEETS``), each with the title and its number ("1/2",
"2/2"), the key message on the first, the steps continuing on the
second (three sheets as a last resort): the build goes on, and its log names the steps that need a ``Ngắn:`` line (``notes``,
from the variant actually chosen; ``build_posters.py --strict`` and
``mkdocs build --strict`` make it an error). A3 and A4 have the same
proportions: printed on A4 (scaled to 71 %) the title keeps 31 pt or
more, the key message 23 pt, the steps 13 to 21 pt, and the QR codes 42 mm
or more.

Why 18 pt: Noto Sans's x-height is 0.536 em, 3.4 mm at 18 pt. A letter is
recognised by a reader with normal sight (6/6) when its x-height subtends
5 minutes of arc (the "1M" print size: 1.45 mm at 1 m), so 18 pt is
legible to about 2.3 m; fluent reading wants twice that size (acuity
reserve), so steps at the floor are read comfortably from 1.2 m, where
people stand to follow them, and the title, pictogram and key message,
always 40 pt or more, from 3 m.
"""

from __future__ import annotations

from ..model import Guide, Run, key_tip
from . import templates
from .fit import Fit
from .fitting import TOLERANCE, render_fitted
from .kinds import BLANK, Kind, PrintContext
from .pdf import AUTHOR
from .teamstrip import strip_for
from .pictogram import pictogram

TEMPLATE = "poster.html.j2"
STYLESHEETS = ("print.css", "poster.css")
QR_BOX_MM = 74
QR_ERROR = "q"
"""Printed width of each QR code with its quiet zone (the strip is laid
out for it; the symbol's 60 mm floor may make it a little wider)."""
QR_MIN_MM = 60
"""Printed width of each QR symbol itself: at least 60 mm."""
PICTOGRAM_MM = 30
"""Printed size of the category pictogram."""
FLOOR_PT = 18
"""Smallest type of the steps (see the module docstring)."""

STEPS = "steps"
"""Class of the list of steps, the part that two columns make shorter."""
HEAD = "head"
"""Class of the header (pictogram, title): sized in pt, whatever the variant."""
TWO_COLUMNS = (0.5, 1.25)
"""Share of its one-column height the list of steps takes in two columns
at the same type size: between these bounds (``fitting.Share``).

Not half: a line of a column half as wide (less the number's indent)
holds less than half a line of one column, so a step of one full line
takes two or three, and column balancing cannot split a step. Measured on
the bundled guides and test fixtures, generic and team layouts (issue 15):
0.69 to 1.22, most between 0.8 and 1.2. Short steps (a few words) are
where two columns save most; a step that fills its lines saves nothing.
So the fitting predicts one column from two with the upper bound (a one-
column variant is laid out unless even that says it is clearly too long)
and two columns from one with the lower bound, never skipping a variant
that may fit; once it has laid out a variant with the same number of
columns, it predicts from that one instead (``fitting.render_fitted``).
Every bundled poster is in the first variant of ``FITS`` that really fits
(tests/test_printables.py)."""


MESSAGE = "message"
"""Class of the key message: sized in pt (32), never left out."""


def _fit(size: float, columns: int, sheets: int = 1) -> Fit:
    return Fit(
        f"c{columns}" + (f"-s{sheets}" if sheets > 1 else ""),
        size,
        max_pages=sheets,
        fixed=frozenset({HEAD, MESSAGE}),
        shorten={STEPS: TWO_COLUMNS} if columns == 2 else {},
        options={"columns": columns, "sheets": sheets},
    )


FITS = (
    _fit(30, 1),
    _fit(27, 1),
    _fit(24, 1),
    _fit(24, 2),
    _fit(22, 1),
    _fit(22, 2),
    _fit(21, 2),
    _fit(20, 1),
    _fit(20, 2),
    _fit(19, 2),
    _fit(FLOOR_PT, 2),
    _fit(24, 1, sheets=2),
    _fit(20, 1, sheets=2),
    _fit(FLOOR_PT, 2, sheets=2),
    _fit(FLOOR_PT, 2, sheets=3),
)
"""The last variants print on two A3 sheets (``SHEETS``): only when no
one-page variant fits, even at the floor; three sheets are the last
resort of a guide too long even for that (steps of a hundred words),
so that a layout never stops a build. The key message is never left out
(it is on the first sheet)."""
SHEETS = 2
PROBE = 2
"""One column at 24 pt, laid out first: what the bundled guides, with
their short forms, are printed with (or larger), generic and team."""
TOLERANCE_RESIZED = 0.12
"""``fitting.TOLERANCE_RESIZED`` for posters: the steps' height does not
scale smoothly with type size in two columns (a step moves to the other
column, or to the next page in a layout that runs over); measured up to
9 % more than predicted."""

def key_message(guide: Guide) -> Run | str:
    """The poster's key message: the tip with most safety words (the first
    of equals), whole; the summary when the guide has no tips."""
    index = key_tip(guide.tips)
    return guide.summary if index is None else guide.tips[index]


def steps_of(guide: Guide) -> list[Run]:
    """The steps as the poster prints them: the author's short form where
    there is one, else the whole step."""
    return [step.short or step.content for step in guide.steps]


MESSAGE_PT = 32
"""Type size of the key message (``.message`` in ``poster.css``)."""


PAGE_MM = 269
"""Width of the page's text area, in mm."""
MM_PER_PT = 25.4 / 72


def split(guide: Guide, fit: Fit, font_family: str) -> list[tuple[int, list[Run]]]:
    """The steps as printed, on the variant's sheets: (number of the first
    step, steps) for each. The key message is on the first sheet only, so
    the cuts are where the sheets' estimated heights (lines wrapped with
    the print font's glyph widths, the key message's at its own size, the
    steps' shared between the columns) are the most even."""
    from itertools import combinations

    from .teamstrip import widths

    printed = steps_of(guide)
    sheets = min(fit.options.get("sheets", 1), len(printed))
    if sheets <= 1:
        return [(1, printed)]
    measure = widths(font_family)
    columns = fit.options.get("columns", 1)
    column_mm = (PAGE_MM - 8 * (columns - 1)) / columns - 1.75 * fit.size * MM_PER_PT
    cost = [
        (measure.lines(run.text, column_mm, fit.size, False) * 1.22 + 0.15) * fit.size * MM_PER_PT / columns
        for run in printed
    ]
    message_mm = PAGE_MM - 2.5 * MESSAGE_PT * MM_PER_PT
    message = (measure.lines(plain_text(key_message(guide)), message_mm, MESSAGE_PT, True) * 1.2 + 0.5) * MESSAGE_PT * MM_PER_PT

    def heights(cuts: tuple[int, ...]) -> list[float]:
        bounds = (0, *cuts, len(printed))
        return [sum(cost[a:b]) + (message if a == 0 else 0.0) for a, b in zip(bounds, bounds[1:])]

    best = min(combinations(range(1, len(printed)), sheets - 1), key=lambda c: (max(heights(c)), c))
    bounds = (0, *best, len(printed))
    return [(a + 1, printed[a:b]) for a, b in zip(bounds, bounds[1:])]


def plain_text(value: Run | str) -> str:
    return value if isinstance(value, str) else value.text


def title_class(title: str) -> str:
    """Title size class by length: short titles print larger."""
    n = len(title)
    return "title-l" if n <= 36 else "title-m" if n <= 60 else "title-s"


def html(guide: Guide, ctx: PrintContext, fit: Fit) -> str:
    """The poster's HTML at one fit variant."""
    category = ctx.category(guide)
    return templates.render(
        ctx.settings.posters_dir,
        TEMPLATE,
        g=guide,
        category=category,
        icon=pictogram(category.icon, PICTOGRAM_MM, category.name) if category else None,
        author=AUTHOR,
        fit=fit,
        title_class=title_class(guide.title),
        message=key_message(guide),
        steps=steps_of(guide),
        sheets=split(guide, fit, ctx.settings.print_font),
        page_qr=ctx.page_qr(guide, QR_BOX_MM, QR_ERROR, QR_MIN_MM),
        course_qr=ctx.course_qr(QR_BOX_MM, QR_ERROR, QR_MIN_MM),
        team=ctx.team,
        strip=strip_for(ctx.team, "poster", ctx.settings.print_font),
        team_qr=ctx.team_qr(QR_BOX_MM, QR_ERROR, QR_MIN_MM),
    )


def render(guide: Guide, ctx: PrintContext) -> bytes:
    return render_fitted(
        "poster",
        guide,
        ctx,
        FITS,
        PROBE,
        lambda fit: html(guide, ctx, fit),
        STYLESHEETS,
        POSTER.sources,
        too_long=f"các bước không vừa ba tờ áp phích A3 dù đã in hai cột chữ {FLOOR_PT} pt",
        tolerance=(TOLERANCE, TOLERANCE_RESIZED),
    )


POSTER = Kind(
    name="poster",
    filename="ap-phich-{slug}.pdf",
    label="Áp phích A3",
    render=render,
    template=TEMPLATE,
    stylesheets=STYLESHEETS,
    qr_box_mm=QR_BOX_MM,
    qr_min_mm=QR_MIN_MM,
    qr_error=QR_ERROR,
    fits=FITS,
)


LEGIBLE_PT = 24
"""Steps at this size or more, in one column, read comfortably from 2 m:
a poster printed smaller, in two columns or on two sheets makes the build
ask the author for short forms (``notes``)."""
LINE_MM = 250
"""Width of a line of steps in one column, in mm (orders the steps to
shorten, longest first)."""


def legible(fit: Fit) -> bool:
    """Whether a poster laid out in ``fit`` is what a poster should be:
    one sheet, one column, steps at ``LEGIBLE_PT`` or more."""
    return fit.size >= LEGIBLE_PT and fit.options.get("columns") == 1 and fit.max_pages == 1


def chosen(guide: Guide, settings, team: bool = False) -> Fit | None:
    """The variant the poster of ``guide`` was printed with (generic or
    team layout), from the fit memo the build left; None if unknown."""
    from .fitting import fitted_variant

    return fitted_variant(POSTER.name, guide, PrintContext(settings, BLANK if team else None), POSTER.sources)


def needs_short_forms(guide: Guide, font_family: str) -> list[int]:
    """Numbers (1-based) of the steps without a ``Ngắn:`` line, longest
    first (as measured with the print font's glyph widths at 24 pt)."""
    from .teamstrip import widths

    measure = widths(font_family)
    lines = [measure.lines(step.content.text, LINE_MM, LEGIBLE_PT, False) for step in guide.steps]
    size = [len(step.content.text) for step in guide.steps]
    todo = [i for i, step in enumerate(guide.steps) if step.short is None]
    return [i + 1 for i in sorted(todo, key=lambda i: (-lines[i], -size[i], i))]


def note(guide: Guide, fit: Fit, settings, team: bool = False) -> str | None:
    """The build log's line (Vietnamese) for a poster laid out in ``fit``:
    None when it is legible (``legible``), else what was printed and the
    steps to give a ``Ngắn:`` line, longest first."""
    if legible(fit):
        return None
    from ..errors import display_path

    where = display_path(guide.source_path) if guide.source_path else guide.slug
    if fit.max_pages > 1:
        printed = f"áp phích phải in trên {fit.max_pages} tờ A3"
    elif fit.options.get("columns") == 2:
        printed = f"áp phích phải in hai cột chữ {fit.size:g} pt"
    else:
        printed = f"áp phích phải in chữ {fit.size:g} pt (nhỏ hơn {LEGIBLE_PT} pt)"
    if team:
        printed += " trong gói của tổ"
    steps = needs_short_forms(guide, settings.print_font)
    if steps:
        advice = f"thêm dòng 'Ngắn:' cho bước {', '.join(str(n) for n in steps[:6])} trong {where}"
    else:
        advice = f"rút gọn thêm các dòng 'Ngắn:' trong {where}"
    return f"{POSTER.output_name(guide)}: các bước dài, {printed}; {advice} (xem README, Writing a guide)"


def notes(library, settings, only=None, team: bool = False) -> list[str]:
    """Lines for the build log (Vietnamese), from the layout each poster
    was actually printed with (the fit memo of this build): posters whose
    steps are printed below 24 pt, in two columns or on two sheets, naming
    the steps that have no short form yet, longest first. ``team``: of the
    team layout (team packs)."""
    out = []
    for guide in library.guides:
        if only is not None and guide.slug not in only:
            continue
        fit = chosen(guide, settings, team)
        line = note(guide, fit, settings, team) if fit is not None else None
        if line:
            out.append(line)
    return out
