"""A fitting variant: plain data shared by the printable kinds, the fitting
and its memo. This module imports nothing from camnang, so that any module
may import it (``camnang.printables.fitting`` lays variants out)."""

from __future__ import annotations

from dataclasses import dataclass, field


Share = float | tuple[float, float]
"""Share of a part's height a variant keeps: a number, or the bounds
``(lowest, highest)`` of a share that depends on the text."""


def bounds(share: Share) -> tuple[float, float]:
    """``(lowest, highest)`` of a ``Share``."""
    if isinstance(share, tuple):
        return share
    return share, share


@dataclass(frozen=True)
class Fit:
    name: str
    """Variant name: the class ``fit-<name>`` on ``<body>``."""
    size: float
    """Root type size in pt; the print CSS sizes text in em from it."""
    max_pages: int = 1
    drop: frozenset[str] = frozenset()
    """Classes of the page's top-level parts left out at this variant."""
    shorten: dict[str, Share] = field(default_factory=dict, hash=False, compare=False)
    """Top-level class -> share of its height kept (1.0: all of it): fewer
    characters, or more columns. A share known only within bounds is a
    pair ``(lowest, highest)`` (two columns: see ``poster.TWO_COLUMNS``)."""
    fixed: frozenset[str] = frozenset()
    """Classes of top-level parts sized in pt, not with ``size``: their
    height does not scale with the variant's type size."""
    options: dict = field(default_factory=dict, hash=False, compare=False)
    """Anything else the kind's template needs to know about the variant."""
