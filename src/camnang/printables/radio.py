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


def render_pdf(guide: Guide, ctx: PrintContext, made: radio.RadioScript | None = None) -> bytes:
    posters = ctx.settings.posters_dir
    layout = printer(ctx.settings.print_font, ctx.where).layout(
        html(guide, ctx, made), posters, [posters / name for name in STYLESHEETS]
    )
    return layout.pdf()


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
