"""Small text helpers: dates, folding, slugs, and the one set of unsafe
(control, bidirectional, invisible) characters every reader removes.

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


# -- unsafe characters ---------------------------------------------------------

UNSAFE_CHARS = re.compile(
    "["
    "\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 controls but tab and newline, DEL, C1 controls
    "\u00ad"  # soft hyphen
    "\u034f"  # combining grapheme joiner
    "\u061c"  # Arabic letter mark (a bidi mark)
    "\u115f\u1160\u3164\uffa0"  # Hangul fillers: letters that print as nothing
    "\u17b4\u17b5"  # Khmer inherent vowels (invisible)
    "\u180b-\u180f"  # Mongolian variation selectors and vowel separator
    "\u200b-\u200f"  # zero-width space, non-joiner, joiner; LRM, RLM
    "\u2028-\u202e"  # line and paragraph separators; bidi embeddings and overrides
    "\u2060-\u2064"  # word joiner, invisible operators
    "\u2066-\u206f"  # bidi isolates; deprecated format characters
    "\ufdd0-\ufdef"  # noncharacters (camnang.spoken uses two of them as marks)
    "\ufeff"  # byte order mark / zero-width no-break space
    "\ufff9-\ufffb"  # interlinear annotation controls
    "\ufffe\uffff"  # noncharacters
    "\U000e0000-\U000e007f"  # tag characters (invisible ASCII look-alikes)
    "\U000e0100-\U000e01ef"  # variation selectors 17-256 (can carry hidden data)
    "]"
)
"""The one set of characters removed from every text camnang reads (guides
after YAML and Markdown decoding, roster cells, link targets): control
characters other than tab and newline, bidirectional controls, and
invisible format characters. They print as nothing yet reorder text (a
phone number printed backwards), hide words from search, or make a link
host look like another one. The soft hyphen is removed too: Vietnamese is
written in short syllables and never needs a hyphenation hint, so in a
guide it can only hide something. Variation selectors U+FE00-U+FE0F stay
(emoji presentation); ordinary spaces and no-break spaces stay (white space
is collapsed where it matters)."""

PARSER_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")
"""The part of ``UNSAFE_CHARS`` removed from a file's text before a parser
reads it: control characters (libyaml refuses most of them and reads NEL,
U+2028 and U+2029 as line breaks; markdown-it turns NUL into U+FFFD) and
the noncharacters U+FFFE/U+FFFF. The rest of the set is removed after
decoding: from each YAML scalar (``source.load_front_matter``, so that
escapes such as ``"\\u202E"`` are caught) and from the text markdown-it
decodes (``markup``, so that entities such as ``&#x202E;`` are caught)."""

_AS_SPACE = frozenset("\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028\u2029")
"""Unsafe characters that separate words (vertical tab, form feed, NEL,
line and paragraph separators): replaced by a space, not joined away."""


def remove_unsafe(text: str, chars: re.Pattern = UNSAFE_CHARS) -> tuple[str, list[str]]:
    """``text`` without ``UNSAFE_CHARS`` (or the subset ``chars``; the
    line-like ones become a space), and the characters removed, in order.
    The result is NFC: decoding (a YAML escape, an HTML entity) or a
    removal may leave a letter and its mark apart."""
    import unicodedata

    found: list[str] = []

    def sub(m: re.Match) -> str:
        found.append(m.group(0))
        return " " if m.group(0) in _AS_SPACE else ""

    if chars.search(text):
        text = chars.sub(sub, text)
    return unicodedata.normalize("NFC", text), found


def char_codes(found) -> str:
    """"U+202E, U+2066": each distinct character once, sorted."""
    return ", ".join(sorted({f"U+{ord(c):04X}" for c in found}))


def unsafe_warning(where: str, found: list[str]) -> str:
    """The warning for characters removed at ``where`` ("file:line" and
    maybe "trường 'title'")."""
    return (
        f"{where}: đã bỏ {len(found)} ký tự điều khiển ẩn ({char_codes(found)}); "
        "các ký tự này có thể đảo ngược hoặc che chữ (ví dụ số điện thoại in ngược), "
        "hãy xóa chúng khỏi tệp"
    )
