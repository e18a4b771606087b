"""Poster: a guide on exactly one A3 page, for the commune office wall.

Big title, the steps in short form, and a footer strip with a large QR
code to the guide's page and one to the national course (template
``posters/poster.html.j2``, CSS ``print.css`` + ``poster.css``). A3 and A4
have the same proportions, so the poster printed on A4 (scaled to 71 %)
still has 17 pt text and 44 mm QR codes.

The short form of a step is its first sentence, at 30, 27 or 24 pt. When
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

from ..model import Guide
from ..text import plain
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

_SENTENCE_END = re.compile(r"(?<=[.?!])\s+\**(\w)")
_PARENTHESES = re.compile(r"(?<!\])\s*\([^()]*\)")
_CLAUSE = re.compile(r"\s*[:;]\s")


def _balanced(text: str, end: int) -> bool:
    """Whether ``text[:end]`` closes every bold/italic run it opens."""
    head = text[:end]
    return head.count("**") % 2 == 0 and head.replace("**", "").count("*") % 2 == 0


def _close(text: str) -> str:
    text = text.rstrip(" ,:;")
    return text if text.endswith((".", "?", "!", "…")) else text + "."


def first_sentence(text: str) -> str:
    """Up to the first full stop (or ? !) followed by a new sentence, i.e.
    by a capital or a digit: "vneid.gov.vn" and "1.000" do not end one."""
    text = text.strip()
    for m in _SENTENCE_END.finditer(text):
        if m.group(1).isupper() or m.group(1).isdigit():
            return text[: m.start()]
    return text


def short_step(step: str, limit: int | None = None) -> str:
    """The short form of a step (inline Markdown): its first sentence,
    shortened to about ``limit`` characters of text when it is longer."""
    text = first_sentence(step)
    if limit is None or len(plain(text)) <= limit:
        return text
    text = _close(_PARENTHESES.sub("", text))
    if len(plain(text)) <= limit:
        return text
    # "Nạp tiền vào tài khoản: nộp tiền mặt..." -> "Nạp tiền vào tài khoản."
    # Commas are not cut at: "Nếu thủ tục có phí, [làm gì]" would lose
    # the action and still read like a whole sentence.
    cuts = [m.start() for m in _CLAUSE.finditer(text) if _balanced(text, m.start())]
    fitting = [c for c in cuts if 20 <= len(plain(text[:c])) <= limit]
    if fitting:
        return _close(text[: fitting[-1]])
    words = [m.start() for m in re.finditer(r"\s", text) if _balanced(text, m.start())]
    fitting = [w for w in words if len(plain(text[:w])) < limit]
    return text[: fitting[-1]].rstrip(" ,:;.") + "…" if fitting else text


STEPS = "steps"
"""Class of the list of steps, the part that shortening shrinks."""


LINE_CHARS = 60
"""About how many characters a line of steps holds at 24 pt; only used to
predict how much shortening saves (see ``fitting``), never to cut."""


def _lines(steps: list[str]) -> int:
    return sum(-(-len(plain(s)) // LINE_CHARS) for s in steps)


def steps_at(guide: Guide, fit: Fit) -> list[str]:
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
    longest = sorted(range(count), key=lambda i: (-len(plain(short_step(guide.steps[i], TWO_LINES))), i))
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
        shortened=any(s != full for s, full in zip(steps, guide.steps)),
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
