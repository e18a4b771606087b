"""Radio scripts as printables (issue 5): ``phat-thanh-<slug>.txt`` to read
from or paste into a text-to-speech loudspeaker system, and
``phat-thanh-<slug>.pdf``, the same words on A4 in large type for the
microphone (template ``posters/radio.html.j2``, CSS ``print.css`` +
``radio.css``). The script itself is ``camnang.render.radio``.
"""

from __future__ import annotations

from ..config import Settings
from ..model import Guide, Library
from ..render import radio
from . import templates
from .kinds import Kind, PrintContext
from .pdf import AUTHOR, printer

TEMPLATE = "radio.html.j2"
STYLESHEETS = ("print.css", "radio.css")
TEAM_TEMPLATE = "radio-team.html.j2"
TEAM_STYLESHEETS = (*STYLESHEETS, "radio-team.css")
SOURCES = (TEMPLATE, *STYLESHEETS)
TEAM_SOURCES = (TEMPLATE, TEAM_TEMPLATE, *TEAM_STYLESHEETS)
"""What a team's radio PDF is made from: each script's page, the contents page."""
TEAM_PDF_NAME = "phat-thanh.pdf"
"""A team pack's one radio PDF: every guide's script (``render_team_pdf``;
team packs compose the same pages from laid-out blocks: ``radiocompose``)."""
SETTINGS = ("radio_rate", "radio_slot_minutes", "radio_lexicon")
"""What a script depends on beyond the guide: ``radio_lexicon`` is the
content hash of the spoken-form lists (bundled and the user's file)."""

def script(guide: Guide, ctx: PrintContext) -> radio.RadioScript:
    return radio.script_for(guide, ctx.settings, team=ctx.team)


def render_text(guide: Guide, ctx: PrintContext, made: radio.RadioScript | None = None) -> bytes:
    """The script as text; ``made``: the script, when already made (team
    packs make it once for the text and the PDF)."""
    return (made or script(guide, ctx)).text().encode("utf-8")


def notes(library: Library, settings: Settings, only=None) -> list[str]:
    """Lines for the build log (Vietnamese) about the radio scripts: those
    longer than the slot, and words spelled letter by letter because the
    spoken-form lists do not know them. Scripts are cheap to make, so this
    runs on every build, cached outputs or not. ``only``: these slugs."""
    lines = []
    for guide in library.guides:
        if only is not None and guide.slug not in only:
            continue
        s = radio.script_for(guide, settings)
        name = radio.TXT_NAME.format(slug=guide.slug)
        if s.over_slot:
            step = s.split_after_step()
            lines.append(
                f"{name}: đọc mất khoảng {_clock(s.shown_seconds)}, dài hơn khung {_clock(s.slot_seconds)}"
                + (f"; có thể chia hai lần phát sau bước {step}" if step else "")
            )
        if s.unknown:
            lines.append(
                f"{name}: đánh vần từng chữ cái {', '.join(s.unknown)}; "
                "thêm cách đọc vào tệp radio_abbreviations nếu cần (xem README, Radio scripts)"
            )
    return lines


def _clock(seconds: int) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes} phút" + (f" {secs} giây" if secs else "")


def html(guide: Guide, ctx: PrintContext, made: radio.RadioScript | None = None) -> str:
    return templates.render(ctx.settings.posters_dir, TEMPLATE, script=made or script(guide, ctx), author=AUTHOR)


FONT_SIZES = (19, 18.5, 18, 17.5, 17, 19.5, 20, 20.5, 21)
"""Body sizes (pt) tried in turn until the last page is at least
``LAST_PAGE_MIN`` full: 19 pt (``radio.css``) first, then smaller (one page
fewer), then larger (more text onto the last page). A reader turning to a
last page with three lines on it thinks a page is missing."""
LAST_PAGE_MIN = 1 / 3


def last_page_fill(layout) -> float:
    """Share of the last page's height that its text fills (1.0 for a
    document of one page: nothing to balance)."""
    from .compat import page_box
    from .fitting import body_box, bottom

    pages = layout.document.pages
    if len(pages) <= 1:
        return 1.0
    page = pages[-1]
    body = body_box(page)
    if body is None or not body.children:
        return 0.0
    area = page_box(page).height
    return (max(bottom(c) for c in body.children) - body.content_box_y()) / area


def _sized(document: str, size: float) -> str:
    if size == FONT_SIZES[0]:
        return document
    return document.replace("</head>", f"<style>html {{ font-size: {size}pt !important; }}</style></head>", 1)


def layout_pdf(guide: Guide, ctx: PrintContext, made: radio.RadioScript | None = None):
    """The laid-out script and the body size used: the first of
    ``FONT_SIZES`` whose last page is at least a third full, else the one
    with the fullest last page."""
    layout, index = layout_sized(guide, ctx, made)
    return layout, FONT_SIZES[index]


def render_pdf(guide: Guide, ctx: PrintContext, made: radio.RadioScript | None = None) -> bytes:
    return layout_pdf(guide, ctx, made)[0].pdf()


def layout_sized(guide: Guide, ctx: PrintContext, made: radio.RadioScript | None = None, start: int = 0):
    """``layout_pdf`` trying ``FONT_SIZES`` from index ``start`` (then the
    ones before it): the layout and the index of the size used. A team
    pack starts each guide where a reference team's script has room to
    spare (``start_index``), so most scripts are laid out once."""
    posters = ctx.settings.posters_dir
    document = html(guide, ctx, made)
    sheets = [posters / name for name in STYLESHEETS]
    best = None
    order = [*range(start, len(FONT_SIZES)), *range(start)]
    for index in order:
        layout = printer(ctx.settings.print_font, ctx.where).layout(_sized(document, FONT_SIZES[index]), posters, sheets)
        fill = last_page_fill(layout)
        if fill >= LAST_PAGE_MIN:
            return layout, index
        if best is None or fill > best[0]:
            best = (fill, layout, index)
    return best[1], best[2]


def contents_layout(team, ctx: PrintContext, entries: list[tuple[str, int, int]]):
    """The contents page of a team's radio PDF: each guide's title and the
    pages of the file its script takes (``entries``: title, first page,
    last page)."""
    posters = ctx.settings.posters_dir
    document = templates.render(posters, TEAM_TEMPLATE, team=team, entries=entries, author=AUTHOR)
    sheets = [posters / name for name in TEAM_STYLESHEETS]
    return printer(ctx.settings.print_font, ctx.where).layout(document, posters, sheets)


def render_team_pdf(
    team, guides: list[Guide], ctx: PrintContext, scripts: list[radio.RadioScript], starts: list[int] | None = None,
) -> tuple[bytes, int]:
    """Every guide's script for ``team`` in one PDF, and its page count (the
    reference ``radiocompose.compose`` is tested against; team packs use
    that, about three times cheaper): a
    contents page, then each script from a new page, at a body size of
    ``FONT_SIZES`` that meets the last-page rule (``layout_sized``;
    ``starts``: the size index to try first for each guide). Each script is laid out on its own (a script whose
    last page is too empty costs a layout of that script again, not of
    the whole document) and the pages are written as one document, so the
    fonts are embedded once (``stamp.combine``)."""
    from . import stamp

    layouts = [
        layout_sized(guide, ctx, made, (starts or [0] * len(guides))[n])[0]
        for n, (guide, made) in enumerate(zip(guides, scripts))
    ]
    entries = []
    page = 2  # after the contents page
    for made, layout in zip(scripts, layouts):
        entries.append((made.written_title or made.title, page, page + layout.page_count - 1))
        page += layout.page_count
    contents = contents_layout(team, ctx, entries)
    if contents.page_count != 1:
        entries = [(title, first + contents.page_count - 1, last + contents.page_count - 1) for title, first, last in entries]
        contents = contents_layout(team, ctx, entries)
    return stamp.combine([contents, *layouts]), page - 2 + contents.page_count


START_BAND = (0.45, 0.85)
"""Where a team pack starts each guide's script (``start_index``): the
first of ``FONT_SIZES`` at which the reference team's last page is 45% to
85% full, not merely a third. Teams' names, places and phones take a few
lines more or fewer than the reference's (about three lines of 19-pt text
either way fit in that band), so their scripts meet the last-page rule at
that size too and are laid out once: starting where the reference's
script just met the rule (a last page 99% full, one more line and a
fourth page) cost 6 to 8 extra layouts a team on the bundled guides,
this 0 to 1."""


def start_index(guide: Guide, ctx: PrintContext) -> int:
    """The size index (``FONT_SIZES``) a team's script of ``guide`` is
    laid out at first: the first whose last page, for the team of ``ctx``
    (the reference team), is within ``START_BAND``; else the first that
    meets the last-page rule; else the first."""
    posters = ctx.settings.posters_dir
    document = html(guide, ctx)
    sheets = [posters / name for name in STYLESHEETS]
    fallback = None
    for index, size in enumerate(FONT_SIZES):
        layout = printer(ctx.settings.print_font, ctx.where).layout(_sized(document, size), posters, sheets)
        fill = last_page_fill(layout)
        if layout.page_count <= 1 or START_BAND[0] <= fill <= START_BAND[1]:
            return index
        if fallback is None and fill >= LAST_PAGE_MIN:
            fallback = index
    return fallback or 0


RADIO_TEXT = Kind(
    name="radio-text",
    filename=radio.TXT_NAME,
    label="Bài phát thanh (tệp chữ, cho loa đọc tự động)",
    render=render_text,
    settings=SETTINGS,
)

RADIO_PDF = Kind(
    name="radio-pdf",
    filename=radio.PDF_NAME,
    label="Bài phát thanh in chữ to (A4)",
    render=render_pdf,
    template=TEMPLATE,
    stylesheets=STYLESHEETS,
    settings=SETTINGS,
)
