"""The fit memo: the variant each document was fitted with, kept in the
build cache so that another process (a fresh build, a CI run, a team-pack
worker) lays the document out once instead of fitting it again.

One small JSON file per document and layout (generic, or team layout:
the team strip is taller, but the same for every team)::

    <cache_dir>/printables/fit-memo/<kind>[-team]/<slug>.<key16>.json

with its SHA-256 beside it (``<file>.sha256``), written through
``camnang.writer`` like every cache entry (``cache.Cache.put``; older
versions pruned). The key hashes everything that can change the layout:
camnang's code and the versions of WeasyPrint and the libraries that
shape a PDF (``keys.code_digest``), the kind, the guide's digest (its
text and images), the kind's templates and CSS with what they include,
the settings printables read, the guide's category as configured, the
font files, and whether it is the team layout. Any change gives a new
key, so the memo of the old one is simply not found.

A memo is a hint, never trusted blindly: ``load`` ignores a file whose
digest, key, or variant does not check out (damaged, cut short, edited,
from another version), and the fitting lays the remembered variant out
and accepts it only when it fits its page budget and measures exactly
the content height the memo recorded (``height``). Anything else (a
system library that lays text out differently, say) falls back to fitting
from scratch, silently: the only cost is time, and the memo is rewritten.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from ..model import Guide
from ..writer import WriteError, read_regular
from . import templates
from .cache import Cache, read_digest
from .fit import Fit
from .keys import guide_key
from .kinds import PrintContext

log = logging.getLogger("mkdocs.plugins.camnang")

MEMO_DIR = "fit-memo"
"""Folder of the memo in ``<cache_dir>/printables/``."""
FORMAT = 1
"""Version of the file's layout: a memo of another format is ignored."""
HEIGHT_DIGITS = 6
"""Content height (in pages) is recorded and compared to this many decimals."""


@dataclass(frozen=True)
class Entry:
    """What the memo says about one document."""

    index: int
    """Index of the variant in the kind's list (``Fit`` in ``fitting``)."""
    fit: object
    """The variant as laid out (``fit.Fit``, with its pagination
    adjustments in ``options``)."""
    height: float
    """Content height of that layout in pages (``fitting.measure``)."""


def key(kind_name: str, guide: Guide, ctx: PrintContext, sources: tuple[str, ...], team: bool | None = None) -> str:
    """The memo key of ``guide``'s ``kind_name`` layout (see the module);
    ``team``: of the team layout (True) or the generic one (False)
    instead of ``ctx``'s."""
    if team is None:
        team = ctx.team is not None
    return guide_key(
        ctx,
        guide,
        f"fit-memo {FORMAT}\0{kind_name}\0{'team' if team else 'generic'}",
        templates.digest(ctx.settings.posters_dir, sources),
        ctx.token(team=False),
    )


def path(kind_name: str, guide: Guide, ctx: PrintContext, memo_key: str, team: bool | None = None) -> Path:
    """Where the memo of ``memo_key`` is kept (``team`` as for ``key``)."""
    if team is None:
        team = ctx.team is not None
    folder = kind_name + ("-team" if team else "")
    return ctx.settings.cache_dir / "printables" / MEMO_DIR / folder / f"{guide.slug}.{memo_key[:16]}.json"


def _fit_to_json(fit) -> dict:
    return {
        "name": fit.name,
        "size": fit.size,
        "max_pages": fit.max_pages,
        "drop": sorted(fit.drop),
        "shorten": dict(sorted(fit.shorten.items())),
        "fixed": sorted(fit.fixed),
        "options": dict(sorted(fit.options.items())),
    }


def _share(value) -> float | tuple[float, float]:
    """A ``fit.Share`` from JSON: a number, or a pair (a list)."""
    if isinstance(value, list):
        low, high = value  # ValueError unless a pair
        return float(low), float(high)
    return float(value)


def load(where: Path, memo_key: str, fits: tuple | None = None) -> Entry | None:
    """The entry stored at ``where`` for ``memo_key``, or None when there
    is none or it does not check out (never raises). With ``fits`` (the
    kind's variants) the remembered variant must be one of them, as it is
    today, up to its pagination options."""
    return _load(where, memo_key, fits)


def _load(where: Path, memo_key: str | None, fits: tuple | None) -> Entry | None:
    """``load``; any key when ``memo_key`` is None (for ``hint``)."""
    # Opened, never followed: a symbolic link or a device is no memo.
    try:
        data = read_regular(where)
    except OSError:
        return None
    stored = read_digest(where)
    if hashlib.sha256(data).hexdigest() != stored:
        log.debug("fit memo %s: digest mismatch, ignored", where)
        return None
    try:
        doc = json.loads(data.decode("utf-8"))
        if doc.get("format") != FORMAT or (memo_key is not None and doc.get("key") != memo_key):
            return None
        raw = doc["fit"]
        options = raw["options"]
        if not isinstance(options, dict) or not all(
            isinstance(v, (int, str, bool)) and not isinstance(v, float) for v in options.values()
        ):
            return None
        fit = Fit(
            name=str(raw["name"]),
            size=float(raw["size"]),
            max_pages=int(raw["max_pages"]),
            drop=frozenset(map(str, raw["drop"])),
            shorten={str(k): _share(v) for k, v in raw["shorten"].items()},
            fixed=frozenset(map(str, raw["fixed"])),
            options=dict(options),
        )
        index = doc["index"]
        height = float(doc["height"])
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        log.debug("fit memo %s: unreadable, ignored", where)
        return None
    if not isinstance(index, int) or isinstance(index, bool):
        return None
    if fits is not None:
        if not 0 <= index < len(fits):
            return None
        known = fits[index]
        # Same variant, up to the pagination adjustments it was printed with.
        if fit != known or fit.shorten != known.shorten or {**known.options, **fit.options} != fit.options:
            return None
    return Entry(index=index, fit=fit, height=round(height, HEIGHT_DIGITS))


def save(cache_dir: Path, where: Path, memo_key: str, entry: Entry) -> None:
    """Store ``entry`` at ``where`` (atomically, digest beside it). A memo
    that cannot be written only costs time: it is logged, not raised."""
    doc = {
        "format": FORMAT,
        "key": memo_key,
        "index": entry.index,
        "fit": _fit_to_json(entry.fit),
        "height": round(entry.height, HEIGHT_DIGITS),
    }
    data = (json.dumps(doc, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
    try:
        Cache(cache_dir).put(where, data)
    except (OSError, WriteError) as e:
        log.debug("fit memo %s not written: %s", where, e)


def hint(kind_name: str, guide: Guide, ctx: PrintContext, sources: tuple[str, ...], fits: tuple) -> int | None:
    """A first guess for fitting without a memo of these inputs: the
    variant index of the same guide's other layout (team or generic, whose
    strips differ a little), else of its newest memo under other inputs (an
    earlier version of the guide, the templates, camnang...). Only a guess:
    the fitting checks it like any other variant. None when there is none."""
    team = ctx.team is not None
    other_key = key(kind_name, guide, ctx, sources, team=not team)
    other = load(path(kind_name, guide, ctx, other_key, team=not team), other_key, fits)
    if other is not None:
        return other.index
    folder = path(kind_name, guide, ctx, "", team=team).parent
    try:
        older = sorted(folder.glob(f"{guide.slug}.*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    except OSError:
        return None
    for where in older:
        entry = _load(where, None, fits)
        if entry is not None and entry.fit.options == fits[entry.index].options:
            return entry.index
    return None
