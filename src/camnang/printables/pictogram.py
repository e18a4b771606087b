"""Category pictograms for printables: the site's own icons, as vector.

Each category names an icon (``src/camnang/data/categories.yml``:
``material/wallet`` ...) kept in the repository (``camnang.icons``). A
printable draws it as inline SVG, solid black on white (it photocopies),
at its printed size in mm. An unknown icon gives no pictogram (the
printable then simply has none).
"""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup

from .. import icons


@lru_cache(maxsize=64)
def pictogram(icon: str, size_mm: float, label: str) -> Markup | None:
    """The icon as an ``<svg>`` ``size_mm`` square, or None. ``label``:
    what it stands for (a category's name), its alternative text in the
    tagged PDF ("Biểu tượng: ...")."""
    drawn = icons.svg(icon, f'width="{size_mm:g}mm" height="{size_mm:g}mm" fill="#000"', f"Biểu tượng: {label}")
    return Markup(drawn) if drawn else None
