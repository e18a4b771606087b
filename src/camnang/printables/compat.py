"""Every use of a dependency's private API, in one place.

camnang needs one thing its dependencies do not offer publicly: the
laid-out box tree of a WeasyPrint page (``Page._page_box``) to measure how
full a page is (``fitting``) and whether a team block fits its box
(``teampacks``). The boxes' attributes read from it are listed in
``BOX_ATTRIBUTES``; they are WeasyPrint internals too.

Versions are pinned (``constraints.txt``); ``tests/test_robust_compat.py``
exercises these on real documents, so an upgrade that moves one of them
fails that test by name rather than a build in the field. Code
elsewhere calls these functions, never the private names (``grep -rn
"\\._" src`` finds only this module).
"""

from __future__ import annotations

BOX_ATTRIBUTES = ("children", "element", "element_tag", "position_y", "height", "margin_height", "content_box_y")
"""Attributes of WeasyPrint boxes read by ``fitting`` and ``teampacks``."""


def page_box(page):
    """The root box of a laid-out WeasyPrint page (``weasyprint.document.Page``)."""
    return page._page_box


def versions() -> str:
    """The installed versions these functions were written against, for
    the failure message of the compatibility test."""
    from importlib import metadata

    return ", ".join(f"{name} {metadata.version(name)}" for name in ("weasyprint",))
