"""Poster: a guide on exactly one A3 page, for the commune office wall.

Big title, the steps in short form, and a footer strip with a large QR
code to the guide's page and one to the national course (template
``posters/poster.html.j2``, CSS ``print.css`` + ``poster.css``). A3 and A4
have the same proportions, so the poster printed on A4 (scaled to 71 %)
still has 17 pt text and 44 mm QR codes.

The short form of a step is the author's ``Ngắn:`` line when the step has
one (``camnang.markup``), else its first sentence, at 30, 27 or 24 pt. When
the steps do not fit one page even at 24 pt, they are shortened, at 24 pt,
only as much as the page needs (``fits``): every step to at most two
lines, then the longest one to one line, then the two longest, and so on.
A step is shortened (``short_step``) first by leaving out remarks in
parentheses, then by cutting before a colon or semicolon ("Nạp tiền vào
tài khoản: nộp tiền mặt..." -> "Nạp tiền vào tài khoản."), and only then
after a word, with "…" to show it goes on. Whenever a step is shorter
than in the guide, the poster says the full steps are behind the QR code.
"""

from __future__ import annotations

import re

from ..model import Guide, Run, Step
from . import templates
from .fitting import Fit, render_fitted
from .kinds import Kind, PrintContext
from .pdf import AUTHOR

TEMPLATE = "poster.html.j2"
STYLESHEETS = ("print.css", "poster.css")
QR_BOX_MM = 78
"""Printed width of each QR code with its quiet zone (the strip is laid
out for it)."""
QR_MIN_MM = 60
"""Printed width of each QR symbol itself: at least 60 mm."""
ONE_LINE = 56
"""Characters that surely fit one line of steps at 24 pt."""
TWO_LINES = 2 * ONE_LINE

_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(\w)")
_PARENTHESES = re.compile(r"\s*\([^()]*\)")
_CLAUSE = re.compile(r"\s*[:;]\s")


def _close(run: Run) -> Run:
    raw = run.raw
    run = run.slice(0, len(raw.rstrip(" ,:;\n")))
    return run if run.raw.endswith((".", "?", "!", "…")) else run + "."


def first_sentence(step: Run) -> Run:
    """Up to the first full stop (or ? !) followed by a new sentence, i.e.
    by a capital or a digit: "vneid.gov.vn" and "1.000" do not end one."""
    raw = step.raw
    for m in _SENTENCE_END.finditer(raw):
        if m.group(1).isupper() or m.group(1).isdigit():
            return step.slice(0, m.start())
    return step


def short_step(step: Step | Run, limit: int | None = None) -> Run:
    """The short form of a step: the author's (a ``Ngắn:`` line, see
    ``camnang.markup``) or else its first sentence, shortened to about
    ``limit`` characters of text when it is longer. Works on the document
    tree: bold, code and links survive any cut."""
    if isinstance(step, Step):
        run = step.short or first_sentence(step.content)
    else:
        run = first_sentence(step)
    if limit is None or len(run.text) <= limit:
        return run
    run = _close(run.without([m.span() for m in _PARENTHESES.finditer(run.raw)]))
    if len(run.text) <= limit:
        return run
    # "Nạp tiền vào tài khoản: nộp tiền mặt..." -> "Nạp tiền vào tài khoản."
    # Commas are not cut at: "Nếu thủ tục có phí, [làm gì]" would lose
    # the action and still read like a whole sentence.
    raw = run.raw
    cuts = [m.start() for m in _CLAUSE.finditer(raw)]
    fitting = [c for c in cuts if 20 <= len(run.slice(0, c).text) <= limit]
    if fitting:
        return _close(run.slice(0, fitting[-1]))
    words = [m.start() for m in re.finditer(r"\s", raw)]
    fitting = [w for w in words if len(run.slice(0, w).text) < limit]
    if not fitting:
        return run
    head = run.slice(0, fitting[-1])
    return head.slice(0, len(head.raw.rstrip(" ,:;.\n"))) + "…"


STEPS = "steps"
"""Class of the list of steps, the part that shortening shrinks."""


LINE_CHARS = 60
"""About how many characters a line of steps holds at 24 pt; only used to
predict how much shortening saves (see ``fitting``), never to cut."""


def _lines(steps: list[Run]) -> int:
    return sum(-(-len(s.text) // LINE_CHARS) for s in steps)


def steps_at(guide: Guide, fit: Fit) -> list[Run]:
    """The steps as the poster prints them at ``fit``."""
    limits = fit.options.get("limits") or [None] * len(guide.steps)
    return [short_step(s, limit) for s, limit in zip(guide.steps, limits)]


def fits(guide: Guide) -> tuple[Fit, ...]:
    """Variants for ``guide``, in order of preference: first sentences at
    30, 27 and 24 pt; then at 24 pt every step in at most two lines; then
    the longest step in one line, then the two longest, and so on: only as
    many steps lose words as the page needs."""
    variants = [Fit("large", 30), Fit("medium", 27), Fit("small", 24)]
    full = _lines(steps_at(guide, variants[-1])) or 1
    count = len(guide.steps)
    longest = sorted(range(count), key=lambda i: (-len(short_step(guide.steps[i], TWO_LINES).text), i))
    seen = [steps_at(guide, variants[-1])]
    for shortened in range(count + 1):
        one_line = set(longest[:shortened])
        limits = tuple(ONE_LINE if i in one_line else TWO_LINES for i in range(count))
        fit = Fit("small", 24, options={"limits": limits})
        steps = steps_at(guide, fit)
        if steps in seen:
            continue
        seen.append(steps)
        variants.append(Fit("small", 24, shorten={STEPS: _lines(steps) / full}, options={"limits": limits}))
    return tuple(variants)


PROBE = 2
"""First sentences at 24 pt: what most guides end up with."""


def html(guide: Guide, ctx: PrintContext, fit: Fit) -> str:
    """The poster's HTML at one fit variant."""
    steps = steps_at(guide, fit)
    return templates.render(
        ctx.settings.posters_dir,
        TEMPLATE,
        g=guide,
        category=ctx.category(guide),
        author=AUTHOR,
        fit=fit,
        steps=steps,
        shortened=any(s != full.content for s, full in zip(steps, guide.steps)),
        page_qr=ctx.page_qr(guide, QR_BOX_MM, "q", QR_MIN_MM),
        course_qr=ctx.course_qr(QR_BOX_MM, "q", QR_MIN_MM),
        team=ctx.team,
        team_qr=ctx.team_qr(QR_BOX_MM, "q", QR_MIN_MM),
    )


def render(guide: Guide, ctx: PrintContext) -> bytes:
    return render_fitted(
        "poster",
        guide,
        ctx,
        fits(guide),
        PROBE,
        lambda fit: html(guide, ctx, fit),
        STYLESHEETS,
        POSTER.sources,
        too_long="các bước không vừa một trang áp phích A3",
    )


POSTER = Kind(
    name="poster",
    filename="ap-phich-{slug}.pdf",
    label="Áp phích A3",
    render=render,
    sources=(TEMPLATE, *STYLESHEETS),
)
