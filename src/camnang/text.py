"""Small text helpers shared by renderers: dates, folding, slugs.

Markdown is read only by ``camnang.markup``; nothing here interprets it.
"""

from __future__ import annotations

import re


def vi_date(d) -> str:
    """A date as Vietnamese readers write it: 29/11/2026."""
    return d.strftime("%d/%m/%Y")


_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "D"})


def fold(text: str) -> str:
    """Vietnamese text without diacritics, lower-cased: "Đăng ký" -> "dang ky".

    NFD splits off tone and vowel marks, which are then dropped; đ/Đ is a
    separate letter that NFD does not decompose, so it is mapped by hand.
    """
    import unicodedata

    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).lower()


def slugify(value: str, separator: str = "-") -> str:
    """Heading anchors for Python-Markdown's toc: folded ASCII, so that
    "Đường dẫn" becomes "duong-dan", not "uong-dan"."""
    words = re.findall(r"[a-z0-9]+", fold(value))
    return separator.join(words)
