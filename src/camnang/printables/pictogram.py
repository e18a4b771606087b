"""Category pictograms for printables: the site's own icons, as vector.

Each category names an icon of the set the site already uses
(``src/camnang/data/categories.yml``: ``material/wallet`` ...), the
Material Design icons shipped inside the installed ``mkdocs-material``
package (``material/templates/.icons/<set>/<name>.svg``). A printable
draws it as inline SVG, solid black on white (it photocopies), at its
printed size in mm.

Only the icon's path data is kept: the SVG printed is built here, so
nothing but a ``viewBox`` and ``<path d>`` ever comes from the file. An
icon name that is not ``<set>/<name>`` in lower-case letters, digits and
hyphens, or that the package does not have, gives no pictogram (the
categories file is checked when it is loaded; the printable then simply
has none).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup

NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*/[a-z0-9]+(?:-[a-z0-9]+)*$")
_NUMBERS = re.compile(r"^[-0-9. ]+$")
_PATH_DATA = re.compile(r"^[MmLlHhVvCcSsQqTtAaZz0-9.,\s+-eE]+$")


def icons_dir() -> Path | None:
    """``.icons`` of the installed mkdocs-material, if any."""
    try:
        import material
    except ImportError:  # pragma: no cover - mkdocs-material is a dependency
        return None
    folder = Path(material.__file__).resolve().parent / "templates" / ".icons"
    return folder if folder.is_dir() else None


@lru_cache(maxsize=64)
def pictogram(icon: str, size_mm: float) -> Markup | None:
    """The icon as an ``<svg>`` ``size_mm`` square, or None."""
    folder = icons_dir()
    if folder is None or not NAME_RE.match(icon or ""):
        return None
    path = folder / f"{icon}.svg"
    try:
        root = ET.fromstring(path.read_text(encoding="utf-8"))
    except (OSError, ET.ParseError):
        return None
    view_box = root.get("viewBox", "0 0 24 24")
    paths = [el.get("d", "") for el in root.iter() if el.tag.rsplit("}", 1)[-1] == "path"]
    if not _NUMBERS.match(view_box) or not paths or not all(_PATH_DATA.match(d) for d in paths):
        return None
    body = "".join(f'<path d="{d}"/>' for d in paths)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{view_box}" width="{size_mm:g}mm" '
        f'height="{size_mm:g}mm" fill="#000" aria-hidden="true">{body}</svg>'
    )
