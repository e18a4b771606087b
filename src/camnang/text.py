"""Turning the guides' inline Markdown into other forms.

Renderers call these; the model keeps the author's Markdown.
"""

from __future__ import annotations

import re
from functools import lru_cache

import markdown
from markupsafe import Markup

_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<(https?://[^>]+)>")
_EMPH = re.compile(r"(\*\*|__)(.+?)\1|(?<![\w*])([*_])(?!\s)(.+?)(?<!\s)\3(?![\w*])")
_CODE = re.compile(r"`([^`]*)`")
_TAG = re.compile(r"<[^>]+>")


@lru_cache(maxsize=1)
def _md() -> markdown.Markdown:
    return markdown.Markdown(extensions=["smarty"], output_format="html")


def inline_html(md: str) -> Markup:
    """Inline Markdown (bold, italic, links, code) to safe HTML, no <p>.

    Raw HTML in the source is escaped, not passed through: guides are
    plain Markdown and printables must never carry author markup.
    """
    conv = _md()
    conv.reset()
    escaped = md.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    html = conv.convert(escaped)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)


def plain(md: str) -> str:
    """Inline Markdown to plain text: markup dropped, link labels kept."""
    text = _LINK.sub(lambda m: m.group(1), md)
    text = _AUTOLINK.sub(lambda m: m.group(1), text)
    text = _CODE.sub(lambda m: m.group(1), text)
    for _ in range(2):  # nested emphasis such as ***x***
        text = _EMPH.sub(lambda m: m.group(2) if m.group(2) is not None else m.group(4), text)
    text = _TAG.sub("", text)
    return " ".join(text.split())


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
