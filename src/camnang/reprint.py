"""What to reprint: the printables whose content changed.

A team prints dozens of sheets per guide; when one guide changes it should
reprint that guide's files only. Two ways to ask:

- ``since(library, day)``: the guides whose edition (``Guide.edition``:
  the newest ``changes`` line, else the review date) is after ``day``,
  with the file names of their printables and what changed;
- ``against(new_dir, old_dir)``: the printables of ``new_dir`` (a fresh
  build) whose bytes differ from the file of the same name in ``old_dir``
  (the folder the team printed last time) or that it lacks. Builds are
  byte-identical run to run, so a difference is a real change: a step, a
  QR code's address, the team's phone.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .model import Change, Guide, Library
from .printables.registry import all_kinds


@dataclass(frozen=True)
class Reprint:
    guide: Guide
    files: tuple[str, ...]
    changes: tuple[Change, ...]
    """The guide's changes after the date asked (may be empty: reviewed)."""


def files_of(guide: Guide) -> tuple[str, ...]:
    """The file names of a guide's printables, in the "In ấn" box order."""
    return tuple(kind.output_name(guide) for kind in all_kinds())


def since(library: Library, day: _dt.date, only: list[str] | None = None) -> list[Reprint]:
    """Guides changed after ``day``, newest edition first."""
    out = [
        Reprint(guide=g, files=files_of(g), changes=tuple(c for c in g.changes if c.date > day))
        for g in library.guides
        if g.edition > day and (only is None or g.slug in only)
    ]
    return sorted(out, key=lambda r: (-r.guide.edition.toordinal(), r.guide.slug))


def _digest(path: Path) -> str | None:
    """SHA-256 of a regular file (opened, never followed), or None."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            return None
        h = hashlib.sha256()
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
        return h.hexdigest()


def against(new_dir: Path, old_dir: Path, names: list[str]) -> list[str]:
    """Which of ``names`` in ``new_dir`` differ from ``old_dir`` or are new."""
    return [n for n in names if _digest(new_dir / n) != _digest(old_dir / n) or _digest(old_dir / n) is None]
