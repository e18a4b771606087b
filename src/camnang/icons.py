"""The few icons camnang draws, kept in the repository.

``src/camnang/data/icons/<name>.svg`` are Material Design Icons by the
Pictogrammers group (Apache 2.0, ``data/icons/LICENSE``), copied from the
set that Material for MkDocs ships, so that the site pages and the
printables draw the same icons without depending on an installed theme.

An icon is named as in ``categories.yml``: ``material/<name>``. Only the
``viewBox`` and the ``<path d>`` data are read from the file; the SVG is
built here, so nothing else in a file can reach a page. A name that is not
``material/<lower-case-words>``, or that has no file, gives None.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path

from markupsafe import escape

ICONS_DIR = Path(__file__).resolve().parent / "data" / "icons"
NAME_RE = re.compile(r"^material/([a-z0-9]+(?:-[a-z0-9]+)*)$")
_NUMBERS = re.compile(r"^[-0-9. ]+$")
_PATH_DATA = re.compile(r"^[MmLlHhVvCcSsQqTtAaZz0-9.,\s+eE-]+$")


@lru_cache(maxsize=64)
def icon_paths(icon: str) -> tuple[str, tuple[str, ...]] | None:
    """``(viewBox, path data...)`` of an icon, or None."""
    m = NAME_RE.match(icon or "")
    if not m:
        return None
    try:
        root = ET.fromstring((ICONS_DIR / f"{m.group(1)}.svg").read_text(encoding="utf-8"))
    except (OSError, ET.ParseError):
        return None
    view_box = root.get("viewBox", "0 0 24 24")
    paths = tuple(el.get("d", "") for el in root.iter() if el.tag.rsplit("}", 1)[-1] == "path")
    if not _NUMBERS.match(view_box) or not paths or not all(_PATH_DATA.match(d) for d in paths):
        return None
    return view_box, paths


def svg(icon: str, attrs: str = "", title: str = "") -> str | None:
    """The icon as one ``<svg>`` element; ``attrs`` are the caller's own
    (sizes, fill), never text from a guide. ``title`` (escaped): the text
    a tagged PDF gives the picture for a screen reader (WeasyPrint makes
    every ``<svg>`` a Figure, which PDF/UA requires to have one)."""
    found = icon_paths(icon)
    if found is None:
        return None
    view_box, paths = found
    body = "".join(f'<path d="{d}"/>' for d in paths)
    extra = f" {attrs}" if attrs else ""
    if title:
        body = f"<title>{escape(title)}</title>{body}"
    return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{view_box}"{extra} aria-hidden="true">{body}</svg>'
