"""The team's part of the footer strip of team packs: how it adapts to
each team (issue 11, "Team strips adapt").

The strip has a fixed size (the shared layout of each guide leaves room
for it, see ``teampacks``), but teams' names and help places do not: after
the 2025 mergers "Tổ công nghệ số cộng đồng thôn Nghĩa Trung Thượng Nghĩa
Hạ Nghĩa Đông Nghĩa Tây" is an ordinary name. So:

- the team block (name, leader and phone, help place) wraps, and its type
  shrinks from the strip's size down to a floor (``SIZES``) until the
  block fits its box (``block_pt``, measured with the print font's own
  glyph widths, the same choice for a full layout and a stamped strip);
  only a team that does not fit even at the floor is refused (the layout
  check in ``teampacks``), naming the row and column to shorten;
- the team's QR cell holds its Zalo code (caption over, address under);
  without a link the phone in large type; with neither, the help place in
  large type, and the run lists such teams (``unreachable``) so that
  whoever keeps the roster can add a phone or a link;
- an example team (its name says "ví dụ", as in ``teams/vi-du.csv``)
  never gets a scannable code: its Zalo cell shows a marked empty frame
  where the team's code will go, and its phone is marked "ví dụ".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

from ..errors import display_path

MM_PER_PT = 25.4 / 72


@dataclass(frozen=True)
class BlockBox:
    """The team block's box on one kind of page (see leaflet.css and
    poster.css, ``.team-block``)."""

    width_mm: float
    height_mm: float
    line_height: float
    sizes: tuple[float, ...]
    """Type sizes to try, largest first; the last is the floor."""


BOXES = {
    # 12 pt like the leaflet's text, down to 10 pt (read at arm's length).
    "leaflet": BlockBox(188, 22, 1.2, (12, 11.5, 11, 10.5, 10)),
    # 22 pt, down to 16 pt: 11.3 pt when the A3 poster is printed on A4.
    "poster": BlockBox(269, 34, 1.18, (22, 21, 20, 19, 18, 17, 16)),
}
SAFETY = 0.96
"""Share of the box width the estimate fills (kerning, rounding)."""
EXAMPLE_MARK = "(ví\u00a0dụ)"
"""Printed after the example phone, never broken across lines (no-break
spaces, also before it: the template joins it to the phone)."""
EXAMPLE_WORDS = "ví dụ"


def keep_marks(text: str) -> str:
    """``text`` with every "(ví dụ)" of a roster's example values held on
    one line, and to the word before it (no-break spaces): never "(ví" at
    the end of one line and "dụ)" on the next."""
    return (text or "").replace(" (ví dụ)", "\u00a0" + EXAMPLE_MARK).replace("(ví dụ)", EXAMPLE_MARK)


def is_example(team) -> bool:
    """An example team (``teams/vi-du.csv``): its name says "ví dụ"."""
    return EXAMPLE_WORDS in (getattr(team, "name", "") or "").casefold()


def shows_place_in_cell(team) -> bool:
    """No Zalo link and no phone: the help place takes the QR cell (and
    leaves the block)."""
    return bool(team.help_place) and not team.zalo and not team.phone


def shows_phone_in_cell(team) -> bool:
    """A phone and no Zalo link: the phone takes the QR cell in large type
    (and leaves the block: printed once)."""
    return bool(team.phone) and not team.zalo


def block_lines(team) -> list[tuple[str, bool]]:
    """The block's paragraphs as printed (text, bold), the same as
    ``posters/team-block.html.j2``."""
    lines = [(keep_marks(team.name), True)]
    phone = team.phone if not shows_phone_in_cell(team) else ""
    if team.leader or phone:
        parts = []
        if team.leader:
            parts.append(f"Tổ trưởng: {keep_marks(team.leader)}")
        if phone:
            parts.append(f"Điện thoại: {phone}" + (f"\u00a0{EXAMPLE_MARK}" if is_example(team) else ""))
        lines.append((" · ".join(parts), False))
    if team.help_place and not shows_place_in_cell(team):
        lines.append((f"Nơi hỗ trợ: {keep_marks(team.help_place)}", False))
    return lines


class Widths:
    """Advance widths of the print font's regular and bold faces."""

    def __init__(self, files: Iterable[Path]):
        from fontTools.ttLib import TTFont

        self.faces: dict[bool, tuple[dict, object, int]] = {}
        for path in files:
            try:
                font = TTFont(str(path), lazy=True, fontNumber=0)
                os2 = font["OS/2"]
                italic = bool(os2.fsSelection & 1)
                weight = os2.usWeightClass
            except Exception:
                continue
            if italic or weight not in (400, 700):
                continue
            bold = weight == 700
            if bold not in self.faces:
                self.faces[bold] = (font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm)

    def width_mm(self, text: str, pt: float, bold: bool) -> float:
        face = self.faces.get(bold) or self.faces.get(not bold)
        if face is None:
            return len(text) * 0.6 * pt * MM_PER_PT  # no usable face: a wide guess
        cmap, hmtx, upm = face
        space = cmap.get(32)
        units = 0
        for ch in text:
            glyph = cmap.get(ord(ch), space)
            units += hmtx[glyph][0] if glyph else upm // 2
        return units / upm * pt * MM_PER_PT

    def lines(self, text: str, width_mm: float, pt: float, bold: bool) -> int:
        """Lines ``text`` takes when wrapped at spaces into ``width_mm``."""
        count, line = 1, ""
        for word in text.split(" "):  # no-break spaces hold words together
            if not word:
                continue
            trial = f"{line} {word}" if line else word
            if line and self.width_mm(trial, pt, bold) > width_mm:
                count, line = count + 1, word
            else:
                line = trial
        return count


@lru_cache(maxsize=4)
def widths(font_family: str) -> Widths:
    from .fonts import find_font

    return Widths(find_font(font_family).files)


def block_pt(team, kind_name: str, font_family: str) -> float:
    """The largest type size (pt) at which the team block fits its box on
    ``kind_name`` pages; the floor when none does (the layout check then
    refuses the team)."""
    box = BOXES[kind_name]
    measure = widths(font_family)
    for pt in box.sizes:
        line_mm = pt * MM_PER_PT * box.line_height
        total = sum(measure.lines(text, box.width_mm * SAFETY, pt, bold) for text, bold in block_lines(team))
        if total * line_mm <= box.height_mm:
            return pt
    return box.sizes[-1]


def unreachable(teams: Iterable, roster: Path | str | None, warn: Callable[[str], None]) -> list:
    """Warn about every team with neither a phone nor a Zalo link: their
    printables can only say where to find them. Returns those teams."""
    shown = display_path(roster) if roster is not None else "danh sách tổ"
    found = [t for t in teams if not t.phone and not t.zalo]
    for team in found:
        where = f"{shown}:{team.row}" if team.row else shown
        what = f"chỉ in nơi hỗ trợ ({team.help_place})" if team.help_place else "không in được cách liên hệ nào"
        warn(f"{where}: tổ '{team.id}' không có số điện thoại (dien_thoai) và nhóm Zalo (zalo): bản in {what}; hãy bổ sung nếu có")
    return found


@dataclass(frozen=True)
class Strip:
    """What the team templates need to know beyond the team itself
    (``team-block.html.j2``, ``team-qr.html.j2``)."""

    pt: float
    """Type size of the team block."""
    example: bool
    """An example team: no scannable code, phone marked "ví dụ"."""
    place_in_cell: bool
    """The help place takes the QR cell (no phone, no Zalo)."""
    kind: str = "leaflet"
    """"leaflet" or "poster": on posters each caption is one phrase, one line."""
    phone_in_cell: bool = False
    """The phone takes the QR cell (no Zalo): the block leaves it out."""


def strip_for(team, kind_name: str, font_family: str) -> Strip | None:
    """The strip settings of ``team`` on ``kind_name`` pages (None without
    a team, or for the blank team of the shared layout)."""
    if team is None or not getattr(team, "id", ""):
        return None
    return Strip(
        block_pt(team, kind_name, font_family), is_example(team), shows_place_in_cell(team), kind_name,
        shows_phone_in_cell(team),
    )
