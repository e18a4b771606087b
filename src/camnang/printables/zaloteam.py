"""Team packs: the Zalo cards of a team's pack (issue 25, Deliver 2).

Each team folder gets:

- ``the-zalo-to.png``, the team's own card (1080x1350 px, like the guide
  cards of ``zalocard``): "<tên tổ> sẵn sàng giúp bà con", the leader, the
  phone in large digits, the help place and a QR code to the team's Zalo
  group. As on the leaflets (``teamstrip``), an example team
  (``is_example``) never gets a scannable code: the "VÍ DỤ" frame stands
  where it will go, and its phone is marked "(ví dụ)". Without a Zalo
  link the card ends with the phone; with neither phone nor link, with the
  help place in large type. Laid out by WeasyPrint from
  ``posters/zalo-team-card.html.j2`` and ``zalo-card.css``, rasterised and
  saved like the guide cards (``zalocard.rasterise``), cached per team like
  every other team-pack entry (``keys.cache_key``).
- the generic guide cards, ``the-zalo-<slug>.png`` (``-2``... for a
  series): the same for every team, so each is a hard link to the one copy
  in the cache (``zalocard.cards_with_bytes``, ``OutDir.write_linked``): a
  national run adds one card a team, not one per guide.

``add_to_pack`` is the whole hook into the team-pack builder (``teampacks``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

from ..config import Settings
from ..errors import CamnangError, Problem
from ..model import Library
from ..roster import Team
from . import templates, zalocard
from .cache import Cache
from .keys import cache_key
from .kinds import PrintContext
from .pdf import AUTHOR, printer
from .pictogram import pictogram
from .teamstrip import is_example

TEAM_CARD = "the-zalo-to.png"
TEMPLATE = "zalo-team-card.html.j2"
STYLESHEETS = zalocard.STYLESHEETS
QR_PX = 340
"""The team's code with its quiet zone: a ``zalo.me/g/...`` address is a
small code, some 9 px a module (4.5 after Zalo halves the picture)."""
LAYOUTS = ((62, False), (56, False), (50, False), (56, True), (50, True), (44, True))
"""(type size of the team's name, compact), tried in turn until the
card's text clears its foot: a long merged-village name shrinks, never
under ``zalocard.MIN_PX``, and at last the card leaves out its heading
line (pictogram, commune) and has a smaller code (``COMPACT_QR_PX``)."""
COMPACT_QR_PX = 290
PHONE_PX = 120
"""The phone's digits, unless the number is too long for the line."""
LINE_PX = 952
"""Width of a line of the card (1080 px less the margins)."""
GAP_PX = 24
"""Least room between the text and the foot of the card."""
ICON = "material/account-group"
"""The community pictogram (category ``cong-dong``)."""


def phone_px(team: Team, font_family: str) -> int:
    """The phone's type size: ``PHONE_PX``, or less for a number too long
    for one line ("Gọi", the digits and an example's "(ví dụ)")."""
    from .teamstrip import widths

    if not team.phone:
        return PHONE_PX
    measure = widths(font_family)
    line_mm = LINE_PX * zalocard.MM_PER_PX * 0.96
    label_mm = measure.width_mm("Gọi " + (" (ví dụ)" if is_example(team) else ""), 44 * 0.75, False)
    digits_mm = measure.width_mm(team.phone, PHONE_PX * 0.75, True)
    fit = PHONE_PX * (line_mm - label_mm) / digits_mm if digits_mm else PHONE_PX
    return max(zalocard.MIN_PX, min(PHONE_PX, int(fit)))


def html(team: Team, settings: Settings, name_px: int, compact: bool = False) -> str:
    example = is_example(team)
    code = None
    qr_px = COMPACT_QR_PX if compact else QR_PX
    if team.zalo and not example:
        code = PrintContext(settings, team).team_qr(qr_px * zalocard.MM_PER_PX, "q", 0)
    return templates.render(
        settings.posters_dir,
        TEMPLATE,
        team=team,
        icon=pictogram(ICON, ICON_PX * zalocard.MM_PER_PX, "cộng đồng"),
        compact=compact,
        qr_px=qr_px,
        code=code,
        example=example,
        name_px=name_px,
        phone_px=phone_px(team, settings.print_font),
        author=AUTHOR,
    )


ICON_PX = 96


def clears_foot(layout) -> bool:
    """Whether the card's text ends at least ``GAP_PX`` above its foot."""
    from .compat import page_box
    from .fitting import bottom

    text_bottom, foot_top = 0.0, None
    stack = [page_box(layout.document.pages[0])]
    while stack:
        box = stack.pop()
        element = getattr(box, "element", None)
        classes = (element.get("class") or "").split() if element is not None else []
        if "foot" in classes:
            foot_top = box.position_y if foot_top is None else min(foot_top, box.position_y)
            continue
        if classes and classes[0] in ("head", "team-name", "ready", "contact"):
            text_bottom = max(text_bottom, bottom(box))
            continue
        stack.extend(getattr(box, "children", ()))
    return foot_top is not None and text_bottom + GAP_PX <= foot_top


def render_pdf(team: Team, settings: Settings, roster: str = "danh sách tổ") -> bytes:
    """The team's card as a one-page PDF, its name at the largest size
    whose text clears the foot. A team that does not fit even at the
    smallest is refused, naming its row (the roster's limits make that
    rare: the poster's team block refuses such a team first)."""
    posters = settings.posters_dir
    sheets = [posters / name for name in STYLESHEETS]
    for name_px, compact in LAYOUTS:
        layout = printer(settings.print_font).layout(html(team, settings, name_px, compact), posters, sheets)
        if layout.page_count == 1 and clears_foot(layout):
            return layout.pdf()
    raise CamnangError(
        Problem(
            path=roster, line=team.row or None, field="dia_diem" if team.help_place else "ten_to",
            message=f"thông tin của tổ '{team.id}' quá dài, không vừa ảnh Zalo của tổ ({TEAM_CARD})",
            hint="rút gọn tên tổ, tên tổ trưởng hoặc nơi hỗ trợ",
        )
    )


def render(team: Team, settings: Settings, roster: str = "danh sách tổ") -> bytes:
    """The team's card as a PNG."""
    return zalocard.rasterise(render_pdf(team, settings, roster))[0]


def sources(settings: Settings) -> str:
    """Digest of the templates the cards of a pack are made from."""
    return templates.digest(settings.posters_dir, (TEMPLATE, zalocard.TEMPLATE, *STYLESHEETS))


def add_to_pack(ctx, team: Team, key_ctx: PrintContext, cache: Cache, cache_root: Path, files: list, warnings: list) -> int:
    """Add the team's card and the shared guide cards to ``files`` (name,
    pages, cache path, bytes: a hard link to the cache path is what the
    team folder gets); returns how many were rendered. ``ctx``: the
    ``teampacks.PackContext``; the guide cards are read once per worker."""
    rendered = 0
    settings = ctx.settings
    state = ctx.state
    if "zalo_sources" not in state:
        state["zalo_sources"] = sources(settings)
    key = cache_key(key_ctx, "zalo-team-card", state["zalo_sources"], key_ctx.token())
    path = cache_root / f"{Path(TEAM_CARD).stem}.{key[:16]}.png"
    data = Cache.load(path, warnings.append, deep=False)
    if data is None:
        data = render(team, settings, ctx.roster)
        cache.put(path, data, digest=False)
        rendered += 1
    files.append((TEAM_CARD, 1, path, data))
    if "zalo_cards" not in state:
        state["zalo_cards"] = [card for guide in ctx.guides for card in zalocard.cards_with_bytes(guide, settings)]
    files.extend((name, 1, card_path, card) for name, card_path, card in state["zalo_cards"])
    _remove_stale(ctx, team, [name for name, _, _ in state["zalo_cards"]])
    return rendered


def _remove_stale(ctx, team: Team, names: list[str]) -> None:
    """Remove the cards of this pack's guides beyond a series now shorter
    (``the-zalo-<slug>-3.png`` when the guide now makes two)."""
    current = set(names)
    slugs = {guide.slug for guide in ctx.guides}
    for name in ctx.out.sizes(team.id):
        slug = guide_of(name, slugs)
        if slug is not None and name not in current:
            ctx.out.remove(f"{team.id}/{name}")


CARD_NAME = re.compile(r"the-zalo-(.+?)(?:-([2-9]|[1-9][0-9]+))?\.png")


def guide_of(name: str, slugs: Iterable[str]) -> str | None:
    """The slug of the guide whose card is named ``name``, or None (not a
    guide card of ``slugs``). Unambiguous: ``validate`` refuses a slug
    that is another's card name (``abc-2`` beside ``abc``)."""
    slugs = set(slugs)
    whole = re.fullmatch(r"the-zalo-(.+)\.png", name)
    if whole and whole.group(1) in slugs:
        return whole.group(1)
    match = CARD_NAME.fullmatch(name)
    if match and match.group(1) in slugs:
        return match.group(1)
    return None


def editions(library: Library, names: Iterable[str]) -> dict[str, str]:
    """The edition of each guide card among ``names`` (the ``ban_ngay``
    column of ``index.csv``)."""
    by_slug = {guide.slug: guide.edition.isoformat() for guide in library.guides}
    found = {}
    for name in names:
        slug = guide_of(name, by_slug)
        if slug is not None:
            found[name] = by_slug[slug]
    return found
