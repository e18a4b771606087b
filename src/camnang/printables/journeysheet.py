"""A journey on one A4 page: its guides in order, each with its summary
and a QR code to its page, so a team can hand a family the whole path
("Khi gia đình có em bé": birth registration, then health insurance, then
the child's ID card) on one sheet. ``in-an/lo-trinh-<id>.pdf``.

Rendered from the same model and templates as the other printables
(``posters/journey.html.j2`` with ``print.css``), cached by the content of
everything it is made from (``key``). Without a site address the guides'
codes are left out, as on leaflets; the course code stays.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..config import Settings
from ..model import Journey, Library
from ..writer import read_regular, write_atomic
from . import templates
from .keys import cache_key
from .kinds import PrintContext
from .pdf import AUTHOR, printer
from .qr import qr_code

FILENAME = "lo-trinh-{id}.pdf"
LABEL = "Tờ tổng quan lộ trình (A4)"
TEMPLATE = "journey.html.j2"
STYLESHEETS = ("print.css", "journey.css")
QR_MM = 26.0
"""Each guide's code: 26 mm with its quiet zone, the symbol at least 20 mm
(the leaflet's size for a code read at arm's length)."""


def output_name(journey: Journey) -> str:
    return FILENAME.format(id=journey.id)


def html(journey: Journey, library: Library, settings: Settings) -> str:
    guides = [library.get(slug) for slug in journey.slugs]
    steps = [
        (g, qr_code(url, QR_MM, "m", 20.0) if (url := g.page_url(settings.site_url)) else None) for g in guides
    ]
    return templates.render(
        settings.posters_dir, TEMPLATE, j=journey, steps=steps, author=AUTHOR,
        course_qr=qr_code(settings.course_url, QR_MM, "m", 20.0),
        edition=max(g.edition for g in guides),
    )


def render(journey: Journey, library: Library, settings: Settings) -> bytes:
    posters = settings.posters_dir
    layout = printer(settings.print_font).layout(
        html(journey, library, settings), posters, [posters / name for name in STYLESHEETS]
    )
    return layout.pdf()


def key(journey: Journey, library: Library, settings: Settings) -> str:
    """Everything the sheet is made from (``keys.cache_key`` adds the code,
    libraries and font): the journey, its guides' content, the templates,
    the addresses."""
    parts = {
        "journey": [journey.id, journey.title, journey.summary, list(journey.slugs)],
        "guides": [library.get(s).digest for s in journey.slugs],
        "site_url": settings.site_url,
        "course_url": settings.course_url,
    }
    return cache_key(
        PrintContext(settings), "journey-sheet", json.dumps(parts, sort_keys=True),
        templates.digest(settings.posters_dir, (TEMPLATE, *STYLESHEETS)),
    )


def build(library: Library, settings: Settings) -> list[tuple[str, Path]]:
    """Every journey's sheet in the cache (rendered when its key is new):
    (file name, cache path) pairs."""
    folder = settings.cache_dir / "journeys"
    out = []
    for journey in library.journeys:
        path = folder / f"{journey.id}.{key(journey, library, settings)[:24]}.pdf"
        try:
            read_regular(path, limit=8)
        except OSError:
            write_atomic(path, render(journey, library, settings))
        out.append((output_name(journey), path))
    return out
