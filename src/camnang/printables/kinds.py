"""What printables exist, and what each one is rendered from.

A ``Kind`` is one output per guide: its file name, its label in the guide
page's "In ấn" box, and a render function ``render(guide, ctx) -> bytes``.
The pipeline (``camnang.printables.pipeline``) knows nothing else about
it: it computes the cache key from the kind's ``sources`` and ``settings``,
calls ``render`` in a worker process when the cache has no file for that
key, and writes the bytes atomically.

Adding a kind (the radio scripts of issue 5 are two):

1. write the render function in its own module, e.g. ``printables/radio.py``::

       def render_text(guide: Guide, ctx: PrintContext) -> bytes: ...

   For a PDF, build HTML from a template in ``posters/`` (see
   ``camnang.printables.templates.render``) and lay it out with
   ``camnang.printables.pdf.printer(ctx.settings.print_font).layout(...)``:
   the font configuration and parsed stylesheets are then shared with
   every other document of the worker process;
2. declare it next to the function::

       RADIO_TEXT = Kind(
           name="radio-text",
           filename="phat-thanh-{slug}.txt",
           label="Bài phát thanh (chữ)",
           render=render_text,
           template="radio.html.j2",                 # files in posters/
           stylesheets=("print.css", "radio.css"),
           settings=("radio_rate", "radio_slot_minutes", "radio_abbreviations"),
       )

3. add it to the tuple in ``registry.KINDS``, in the order the "In ấn"
   box should list it (kind modules never import the registry).

Everything a render reads must be in the cache key, or a change to it
would not re-render: the guide (its digest), the files named in
``sources`` (templates are followed through their includes), the Settings
fields named in ``settings`` (``site_url``, ``course_url`` and
``print_font`` always count), the team (if any) and the camnang code.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..config import Settings
from ..errors import display_path
from ..model import Category, Guide
from ..roster import Team
from .qr import QrCode, qr_code

ALWAYS_SETTINGS = ("site_url", "course_url", "print_font")
"""Settings every printable depends on."""

BLANK = Team(id="", name="", level="xa", commune="", province="")
"""The team of the shared team-pack layout: its block and QR cell are left
empty (``teampacks`` stamps each team's own strip on it)."""


@dataclass(frozen=True)
class PrintContext:
    """What a render function gets besides the guide.

    ``team`` is ``None`` for the generic printables of the site. Team packs
    (issue 6) pass a ``camnang.roster.Team``: templates get it as ``team``,
    and the leaflet and poster include ``posters/team-block.html.j2`` in
    place of the generic help line of their footer strip, above the QR
    codes. The strip has a fixed height (``.strip`` in ``leaflet.css`` and
    ``poster.css``): the team block must fit in it, and the height may be
    changed, but must be the same for every team, so that the rest of the
    page lays out as in the generic version (see ``fitting``). Render with
    ``kind.render(guide, PrintContext(settings, team))``. Team
    packs themselves (``teampacks``) lay out each guide once with a blank
    team and stamp each team's strip (``posters/team-strip.html.j2``) on
    it; the team's Zalo code (``team_qr``) is the first cell of the QR row
    (``posters/team-qr.html.j2``).
    """

    settings: Settings
    team: Any = None

    @property
    def where(self) -> str:
        """The config file, as named in error messages."""
        return display_path(self.settings.config_file or "mkdocs.yml")

    def category(self, guide: Guide) -> Category | None:
        for c in self.settings.categories:
            if c.id == guide.category:
                return c
        return None

    def page_qr(self, guide: Guide, width_mm: float, error: str, min_symbol_mm: float) -> QrCode | None:
        """QR code of the guide's page, or None without a site_url (a
        relative or local address is never encoded). See ``qr.qr_code``."""
        url = guide.page_url(self.settings.site_url)
        return qr_code(url, width_mm, error, min_symbol_mm) if url else None

    def course_qr(self, width_mm: float, error: str, min_symbol_mm: float) -> QrCode:
        """QR code of the national course (made once per process)."""
        return qr_code(self.settings.course_url, width_mm, error, min_symbol_mm)

    def team_qr(self, width_mm: float, error: str, min_symbol_mm: float) -> QrCode | None:
        """QR code of the team's Zalo group, or None (no team, no link:
        team packs never print a broken code). The roster only accepts
        ``https://zalo.me/`` links."""
        url = getattr(self.team, "zalo", None)
        return qr_code(url, width_mm, error, min_symbol_mm) if url else None

    def token(self, setting_names: tuple[str, ...] = (), team: bool = True) -> str:
        """The part of a cache key that comes from settings (and the team,
        unless ``team`` is false)."""
        values = {name: getattr(self.settings, name) for name in (*ALWAYS_SETTINGS, *setting_names)}
        if team and self.team is not None:
            values["team"] = dataclasses.asdict(self.team) if dataclasses.is_dataclass(self.team) else repr(self.team)
        return json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)


@dataclass(frozen=True)
class Kind:
    """One printable made for every guide."""

    name: str
    """Short id: names the kind's cache folder and its worker tasks."""
    filename: str
    """Output file name, ``{slug}`` replaced by the guide's slug."""
    label: str
    """Link text in the guide page's "In ấn" box (Vietnamese)."""
    render: Callable[[Guide, PrintContext], bytes]
    """Module-level function (worker processes look it up by reference)."""
    settings: tuple[str, ...] = ()
    """Settings fields the output depends on, beyond ``ALWAYS_SETTINGS``."""
    template: str = ""
    """The kind's page template in ``posters/`` (empty: not made from HTML)."""
    stylesheets: tuple[str, ...] = ()
    """Its stylesheets in ``posters/``, in cascade order."""
    qr_box_mm: float = 0
    """Printed width of each QR cell, in mm (0: no QR codes)."""
    qr_min_mm: float = 0
    """Smallest symbol printed in that cell, in mm (``qr.qr_code``)."""
    qr_error: str = "m"
    """QR error correction level (segno's ``"m"``, ``"q"``...)."""
    fits: tuple = ()
    """Its fitting variants (``fit.Fit``), largest first (empty: not fitted)."""
    extra_sources: tuple[str, ...] = ()
    """Files in ``posters/`` the output is made from beyond its template
    and stylesheets (included templates are followed anyway)."""

    @property
    def sources(self) -> tuple[str, ...]:
        """Files in ``posters/`` the output is made from (cache key)."""
        return tuple(s for s in (self.template, *self.stylesheets, *self.extra_sources) if s)

    @property
    def prefix(self) -> str:
        """The file name before the slug, e.g. ``to-roi-``."""
        return self.filename.partition("{slug}")[0]

    def output_name(self, guide: Guide) -> str:
        return self.filename.format(slug=guide.slug)

    @property
    def suffix(self) -> str:
        return Path(self.filename).suffix
