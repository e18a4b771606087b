"""The printables registry: every ``Kind``, in the order the guide page's
"In ấn" box lists them.

The registry imports the kind modules; a kind module never imports the
registry (it declares its ``Kind`` next to its render function, see
``kinds``). Adding a kind: declare it in its module, add it to ``KINDS``.
"""

from __future__ import annotations

from .kinds import Kind
from .leaflet import LEAFLET
from .poster import POSTER
from .radio import RADIO_PDF, RADIO_TEXT

KINDS: tuple[Kind, ...] = (LEAFLET, POSTER, RADIO_PDF, RADIO_TEXT)
"""Every kind of printable, in the order the "In ấn" box lists them."""

PACK_KINDS: tuple[Kind, ...] = (LEAFLET, POSTER)
"""The kinds a team pack holds as stamped layouts: leaflets and posters."""

RADIO_KINDS: tuple[Kind, ...] = (RADIO_TEXT,)
"""The team's own radio scripts, one per guide (rendered per team); their
printed form is one PDF per team of every guide (``radio.render_team_pdf``)."""


def all_kinds() -> tuple[Kind, ...]:
    """Every kind of printable, in the order the "In ấn" box lists them."""
    return KINDS


def kind_named(name: str) -> Kind:
    for kind in KINDS:
        if kind.name == name:
            return kind
    raise KeyError(name)
