"""Splitting a guide body into introduction, steps, tips and troubleshooting.

The body is the author's Markdown. Only the structure the renderers need is
parsed here (level-2 sections and the items of their lists); item text stays
inline Markdown.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

STEPS = "Các bước"
TIPS = "Lưu ý"
TROUBLE = "Khi gặp khó khăn"
MIN_STEPS, MAX_STEPS = 3, 12

_HEADING = re.compile(r"^##\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_ORDERED = re.compile(r"^ {0,3}(\d{1,3})[.)]\s+(.*)$")
_BULLET = re.compile(r"^ {0,3}[-*+]\s+(.*)$")


def _key(heading: str) -> str:
    return unicodedata.normalize("NFC", heading).strip().rstrip(":").casefold()


@dataclass
class RawSection:
    heading: str
    line: int
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip()


@dataclass
class ParsedBody:
    intro: str
    sections: list[RawSection]

    def find(self, heading: str) -> RawSection | None:
        for s in self.sections:
            if _key(s.heading) == _key(heading):
                return s
        return None

    def others(self) -> list[RawSection]:
        known = {_key(STEPS), _key(TIPS), _key(TROUBLE)}
        return [s for s in self.sections if _key(s.heading) not in known]


def split_sections(body: str, first_line: int) -> ParsedBody:
    intro: list[str] = []
    sections: list[RawSection] = []
    in_fence = False
    for offset, line in enumerate(body.split("\n")):
        if _FENCE.match(line):
            in_fence = not in_fence
        m = None if in_fence else _HEADING.match(line)
        if m:
            sections.append(RawSection(heading=m.group(1), line=first_line + offset))
        elif sections:
            sections[-1].lines.append(line)
        else:
            intro.append(line)
    return ParsedBody(intro="\n".join(intro).strip(), sections=sections)


def _collect(lines: list[str], start: re.Pattern[str], first_line: int) -> list[tuple[list[tuple[str, int]], bool]]:
    """Group list items into runs of consecutive items.

    Returns a list of runs; each run is a list of (item text, line) and a flag
    saying whether the run is a list (False: a plain paragraph).
    """
    runs: list[tuple[list[tuple[str, int]], bool]] = []
    current: list[tuple[str, int]] | None = None
    is_list = False
    blank = False
    for offset, line in enumerate(lines):
        m = start.match(line)
        if m:
            text = m.group(m.lastindex or 1)
            if current is None or not is_list:
                current, is_list = [], True
                runs.append((current, True))
            current.append((text.strip(), first_line + offset))
            blank = False
        elif not line.strip():
            blank = True
        elif current is not None and (not blank or line.startswith((" ", "\t"))):
            # Continuation of the current item or paragraph.
            text, at = current[-1]
            current[-1] = ((text + " " + line.strip()).strip(), at)
            blank = False
        else:
            current, is_list = [(line.strip(), first_line + offset)], False
            runs.append((current, False))
            blank = False
    return runs


def ordered_items(section: RawSection) -> list[list[tuple[str, int]]]:
    """The ordered lists in a section, each as (item text, line) pairs."""
    runs = _collect(section.lines, _ORDERED, section.line + 1)
    return [items for items, is_list in runs if is_list]


def bullet_items(section: RawSection) -> tuple[str, ...]:
    """Items of a bulleted section; paragraphs count as one item each."""
    runs = _collect(section.lines, _BULLET, section.line + 1)
    if not any(is_list for _, is_list in runs):
        # Free text: one item per paragraph.
        paragraphs = re.split(r"\n\s*\n", section.text)
        return tuple(" ".join(p.split()) for p in paragraphs if p.strip())
    return tuple(text for items, _ in runs for text, _ in items if text)
