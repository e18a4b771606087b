"""A team's handbook (issue 26): ``so-tay.pdf`` and ``so-tay-in-gap.pdf``
in each team pack, with the team on the cover and the last page (name,
phone, help place, Zalo code; an example team gets the "VÍ DỤ" frame,
never a code, and "(ví dụ)" by its phone).

The booklet is laid out once per run with the team's places left empty
(``booklet.cached(..., "blank")``, in the cache). Per team only a two-page
layer is laid out (``layer``: the cover and the last page of the same
template holding only the team's boxes, which both place absolutely, so
they land exactly where the blank left room) and stamped on the blank's first and
last pages as form XObjects (``stamp_pages``, pikepdf), then imposed
(``booklet.impose``). the team-pack builder (``teampacks``) calls ``pack_files``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

from ..model import Library
from . import booklet, templates
from .cache import Cache
from .pdf import printer
from .qr import qr_code
from .teamstrip import is_example

FILENAME = booklet.FILENAME
IMPOSED_FILENAME = booklet.IMPOSED_FILENAME
ZALO_QR_MM = 30.0
ZALO_QR_MIN_MM = 22.0
FORM_NAMES = ("/CamnangTeamCover", "/CamnangTeamHelp")


def layer(library: Library, settings, team) -> bytes:
    """The team's layer: two pages of the booklet's size, the cover's and
    the last page's team boxes, nothing else painted."""
    posters = settings.posters_dir
    html = templates.render(
        posters, booklet.TEMPLATE,
        **booklet.context(library, settings, "team"),
        part="layer", notes=0, first_page=1,
        team=team, example=is_example(team),
        team_qr=qr_code(team.zalo, ZALO_QR_MM, "m", ZALO_QR_MIN_MM) if team.zalo else None,
    )
    sheets = [posters / name for name in booklet.stylesheets(settings)]
    data = printer(settings.print_font).layout(html, posters, sheets).document.write_pdf()
    return booklet.to_black_ink(data) if settings.print_profile == "offset" else data


def stamp_pages(blank: bytes, layer_pdf: bytes, title: str) -> bytes:
    """``blank`` with the layer's first page drawn over its first page and
    the layer's second over its last (under fixed names: same inputs, same
    bytes); the team's name in the title."""
    import pikepdf

    from .stamp import open_pdf, retitle, share_fonts, tag_strip, untag

    pdf = open_pdf(blank)
    source = open_pdf(layer_pdf)
    targets = (pdf.pages[0], pdf.pages[len(pdf.pages) - 1])
    for name, target, page in zip(FORM_NAMES, targets, source.pages):
        if [float(v) for v in page.mediabox] != [float(v) for v in target.mediabox]:
            raise ValueError("team layer and booklet pages differ in size")
        form = pdf.copy_foreign(page.as_form_xobject())
        if "/Resources" not in target.obj:
            target.obj.Resources = pikepdf.Dictionary()
        if "/XObject" not in target.obj.Resources:
            target.obj.Resources.XObject = pikepdf.Dictionary()
        target.obj.Resources.XObject[name] = form
        target.contents_add(pdf.make_stream(b"q\n"), prepend=True)
        drawn = b"q " + name.encode() + b" Do Q\n"
        if "/StructTreeRoot" in pdf.Root:
            # The team's boxes, tagged as a paragraph of the page they
            # are drawn on (``stamp.tag_strip``).
            untag(form)
            opening = tag_strip(pdf, target)
            drawn = (opening or b"/Artifact BMC\n") + drawn + b"EMC\n"
        target.contents_add(pdf.make_stream(b"\nQ\n" + drawn))
        share_fonts(pdf, form)
    retitle(pdf, title)
    return booklet.save(pdf)


def _key(blank_key: str, settings, team) -> str:
    row = dataclasses.asdict(dataclasses.replace(team, row=0))
    h = hashlib.sha256()
    for part in (blank_key, json.dumps(row, sort_keys=True, ensure_ascii=False), settings.print_profile):
        h.update(part.encode("utf-8") + b"\0")
    return h.hexdigest()


def shared_blank(ctx) -> dict:
    """This worker's state for the run's blank booklet (the run's guides,
    no team), laid out once per run into the cache (``teampacks.warm_up``)
    and read back by every worker: its library, key and cache path."""
    state = ctx.state.setdefault("booklet", {})
    if "library" not in state:
        library = Library(guides=tuple(ctx.guides), categories=ctx.settings.categories)
        path, _ = booklet.cached(library, ctx.settings, "blank")
        state.update(library=library, key=booklet.key(library, ctx.settings, "blank"), path=path)
    return state


def pack_files(ctx, team, cache: Cache, cache_root: Path, warnings: list) -> tuple[list, int]:
    """The team's two booklet files for its pack: [(name, pages, cache
    path, bytes)] and how many were made (0: both from the cache)."""
    settings = ctx.settings
    state = shared_blank(ctx)
    key = _key(state["key"], settings, team)[:16]
    paths = (cache_root / f"so-tay.{key}.pdf", cache_root / f"so-tay-in-gap.{key}.pdf")
    data = [Cache.load(p, warnings.append, deep=False) for p in paths]
    made = 0
    if None in data:
        if "blank" not in state:
            state["blank"] = state["path"].read_bytes()
        title = f"Sổ tay hướng dẫn dùng dịch vụ số · {team.name}"
        booklet_pdf = stamp_pages(state["blank"], layer(state["library"], settings, team), title)
        data = [booklet_pdf, booklet.impose(booklet_pdf)]
        for p, d in zip(paths, data):
            cache.put(p, d, digest=False)
        made = 2
    pages = booklet.page_count(data[0])
    return [(FILENAME, pages, paths[0], data[0]), (IMPOSED_FILENAME, pages // 2, paths[1], data[1])], made



def inputs_token(settings) -> str:
    """The booklet's part of a team pack's inputs (``teampacks.inputs_digest``):
    its templates and the print profile."""
    return templates.digest(settings.posters_dir, (booklet.TEMPLATE, *booklet.stylesheets(settings))) + settings.print_profile
