"""Spoken form: guide text turned into words a reader or a TTS voice says.

Commune radio staff read scripts aloud, and more and more communes paste
them into text-to-speech loudspeaker systems, which stumble on raw web
addresses, abbreviations, symbols and digits. ``Speaker.speak`` turns a
piece of guide text (a ``camnang.markup.Run`` or ``Step`` from the parsed
guide, or plain text such as a title) into plain Vietnamese sentences in
which every token is a word: only letters, spaces and the punctuation
. , : ; ? ! remain. No Markdown is read here: the tree says what is bold,
code or a link.

The rules, in the order they apply:

1. Markup (tree nodes): links keep their label (or their address when the
   label is the address); code is text to type, read character by
   character; emphasis is just its text; a button name in bold or in
   quotes after a verb of pressing gets "nút" ("bấm **Đăng ký**" -> "bấm nút
   Đăng ký"; after "chọn" it gets "mục"). Images are not read.
2. Web and e-mail addresses: read part by part with the ``domains`` table of
   the lexicon; see ``Speaker.address`` and ``data/abbreviations.yml``
   ("dichvucong.gov.vn" -> "dịch vụ công chấm gốp chấm vê en").
3. Legal document numbers ("368/2025/NĐ-CP") -> "nghị định số ... năm ...
   của Chính phủ".
4. Abbreviations from the lexicon, whole words, exact case ("UBND" -> "Ủy ban
   nhân dân", "OTP" -> "ô tê pê"), then foreign words (``loanwords``), whole
   words in any case, as a Vietnamese voice says them ("App Store" -> "áp
   xờ to", "passcode" -> "pát cốt"): no English spelling is left.
5. Numbers: dates ("15/10/2026" -> "ngày mười lăm tháng mười năm hai nghìn
   không trăm hai mươi sáu"), times ("7h30"), phone numbers, hotlines, codes
   and long digit runs digit by digit in the groups they are written in;
   amounts with units ("100.000đ", "50%"); every other number as a
   Vietnamese number ("20 phút" -> "hai mươi phút"). ``number_words`` wraps
   num2words, which is right below one thousand but wrong above it.
6. Any other all-capital word is spelled with Vietnamese letter names
   ("VNPT" -> "vê en pê tê") and reported in ``Speaker.unknown`` so that it
   can be added to the lexicon.
7. Symbols: brackets become commas, "&" "và", "+" "cộng", "a/b" "a hoặc b"
   ("đồng/tháng" -> "đồng mỗi tháng"); quotes, stars, slashes and the rest
   go.

The lexicon (``data/abbreviations.yml``) is data: users add local words with
their own file (plugin option ``radio_abbreviations``), see ``Lexicon.load``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Mapping
from urllib.parse import unquote

import yaml
from num2words import num2words

from .errors import ConfigError, Problem, display_path
from . import markup

LEXICON_FILE = Path(__file__).parent / "data" / "abbreviations.yml"

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")

LETTERS = {
    "A": "a", "Ă": "á", "Â": "ớ", "B": "bê", "C": "xê", "D": "dê", "Đ": "đê",
    "E": "e", "Ê": "ê", "F": "ép", "G": "giê", "H": "hát", "I": "i", "J": "gi",
    "K": "ca", "L": "lờ", "M": "em", "N": "en", "O": "o", "Ô": "ô", "Ơ": "ơ",
    "P": "pê", "Q": "quy", "R": "rờ", "S": "ét", "T": "tê", "U": "u", "Ư": "ư",
    "V": "vê", "W": "vê kép", "X": "ích", "Y": "i", "Z": "dét",
}
"""Letter names used to spell an abbreviation: the Vietnamese alphabet names
with the short forms people use for acronyms ("VNPT": vê en pê tê,
"ATM": a tê em)."""

ALLOWED_PUNCTUATION = ".,:;?!"

SYMBOL_NAMES = {
    "@": "a còng", "#": "dấu thăng", "*": "dấu sao", "$": "đô la", "~": "dấu ngã",
    "_": "gạch dưới", "^": "dấu mũ", "|": "gạch đứng", "\\": "gạch chéo ngược",
}
"""Names of symbols written on their own, as in a password rule."""


# -- numbers ---------------------------------------------------------------

def _group(n: int, inner: bool) -> str:
    """A three-digit group. ``inner``: a higher group was read before, so a
    group below one hundred keeps its zero hundreds ("không trăm")."""
    words = num2words(n, lang="vi")  # right for 1..999 (see tests)
    if inner and n < 100:
        words = "không trăm " + ("lẻ " if n < 10 else "") + words
    return words


def _below_billion(n: int, inner: bool) -> list[str]:
    millions, rest = divmod(n, 1_000_000)
    thousands, units = divmod(rest, 1000)
    out: list[str] = []
    started = inner
    if millions:
        out += [_group(millions, started), "triệu"]
        started = True
    if thousands:
        out += [_group(thousands, started), "nghìn"]
        started = True
    elif started and units:
        # 1.000.500 is "một triệu không nghìn năm trăm": without "không
        # nghìn" it would sound like 1.500.000.
        out.append("không nghìn")
    if units:
        out.append(_group(units, started))
    return out


def number_words(n: int) -> str:
    """An integer as Vietnamese words, as newsreaders say it.

    num2words(lang="vi") reads 2026 as "hai nghìn lẻ hai mươi sáu" and
    1.050.000 as "một triệu năm mươi nghìn"; a group after a higher one
    keeps its hundreds: "hai nghìn không trăm hai mươi sáu", "một triệu
    không trăm năm mươi nghìn". Below one thousand num2words is right
    ("hai mươi mốt", "mười lăm", "một trăm lẻ năm") and is used as is.
    """
    if n < 0:
        return "âm " + number_words(-n)
    if n == 0:
        return "không"
    if n >= 1_000_000_000:
        high, low = divmod(n, 1_000_000_000)
        words = [number_words(high), "tỷ"]
        if low:
            words += _below_billion(low, inner=True)
        return " ".join(words)
    return " ".join(_below_billion(n, inner=False))


def digit_words(digits: str) -> str:
    """Digits one by one: "0912" -> "không chín một hai"."""
    return " ".join(DIGITS[int(d)] for d in digits if d.isdigit())


def decimal_words(whole: str, fraction: str) -> str:
    """"1,5" -> "một phẩy năm"; "1,05" -> "một phẩy không năm"."""
    if fraction.startswith("0") or len(fraction) > 3:
        tail = digit_words(fraction)
    else:
        tail = number_words(int(fraction))
    return f"{number_words(int(whole))} phẩy {tail}"


def month_words(month: int) -> str:
    """"tháng tư", not "tháng bốn"."""
    return "tư" if month == 4 else number_words(month)


def date_words(day: int | None, month: int, year: int | None = None, say_day: bool = True) -> str:
    """A date as it is read: "ngày mùng một tháng bảy năm hai nghìn không
    trăm hai mươi tư" (days 1 to 10 take "mùng"). ``say_day``: start with
    "ngày" (False when the sentence already says it)."""
    parts = []
    if day is not None:
        if say_day:
            parts.append("ngày")
        parts.append(("mùng " if day <= 10 else "") + number_words(day))
    parts.append("tháng " + month_words(month))
    if year is not None:
        parts.append("năm " + number_words(year))
    return " ".join(parts)


def duration_words(seconds: int) -> str:
    """"hai phút bốn mươi giây", "ba phút", "năm mươi giây"."""
    minutes, secs = divmod(int(seconds), 60)
    parts = []
    if minutes:
        parts.append(f"{number_words(minutes)} phút")
    if secs or not minutes:
        parts.append(f"{number_words(secs)} giây")
    return " ".join(parts)


def spell(word: str) -> str:
    """An abbreviation letter by letter: "NFC" -> "en ép xê"."""
    out = []
    for ch in word:
        if ch.isdigit():
            out.append(DIGITS[int(ch)])
        elif ch.upper() in LETTERS:
            out.append(LETTERS[ch.upper()])
        elif ch.isalpha():
            out.append(ch.lower())
    return " ".join(out)


# -- the lexicon -----------------------------------------------------------

_SECTIONS = ("abbreviations", "loanwords", "domains", "document_kinds", "document_issuers", "units")
_LIST_SECTIONS = ("address_endings",)
_WORDS_ONLY = re.compile(r"^[^\W\d_]+(?:,? [^\W\d_]+)*$")


@dataclass(frozen=True)
class Lexicon:
    """Spoken forms by section; see ``data/abbreviations.yml``."""

    abbreviations: Mapping[str, str]
    domains: Mapping[str, str]
    address_endings: tuple[str, ...]
    document_kinds: Mapping[str, str]
    document_issuers: Mapping[str, str]
    units: Mapping[str, str]
    loanwords: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Foreign words, keyed in case-folded form, to how they are said."""
    digest: str = ""
    """SHA-256 of the files read: part of the cache key of radio scripts."""
    files: tuple[Path, ...] = field(default=(), compare=False)

    @classmethod
    def load(cls, extra: Path | str | None = None) -> "Lexicon":
        """The bundled lexicon, plus a user's file whose entries are added
        and replace bundled ones with the same key."""
        return _load(str(Path(extra).resolve()) if extra else None, _mtime(extra))


def _mtime(path) -> float:
    try:
        return Path(path).stat().st_mtime if path else 0.0
    except OSError:
        return 0.0


def _read_lexicon_file(path: Path) -> tuple[dict, bytes]:
    shown = display_path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ConfigError(Problem(path=shown, message=f"không đọc được tệp từ viết tắt: {e.strerror or e}")) from e
    try:
        text = unicodedata.normalize("NFC", raw.decode("utf-8-sig"))
    except UnicodeDecodeError as e:
        raise ConfigError(
            Problem(path=shown, line=raw[: e.start].count(b"\n") + 1, message="tệp không phải mã UTF-8", hint="lưu lại tệp với mã hóa UTF-8")
        ) from e
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise ConfigError(
            Problem(path=shown, line=mark.line + 1 if mark else None, message=f"YAML không hợp lệ: {getattr(e, 'problem', e)}")
        ) from e
    if data is None:
        return {}, raw
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise ConfigError(Problem(path=shown, line=1, message="tệp phải là các nhóm như 'abbreviations:', 'domains:'"))
    lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        lines[str(key_node.value)] = key_node.start_mark.line + 1
        if isinstance(value_node, yaml.MappingNode):
            for k, _ in value_node.value:
                lines[f"{key_node.value}.{k.value}"] = k.start_mark.line + 1
    problems = []
    for section, entries in data.items():
        where = lines.get(str(section))
        if section in _LIST_SECTIONS:
            if not isinstance(entries, list) or not all(isinstance(x, str) and x.isalpha() for x in entries):
                problems.append(Problem(path=shown, line=where, field=str(section), message="phải là danh sách các đuôi địa chỉ, ví dụ [vn, com]"))
            continue
        if section not in _SECTIONS:
            problems.append(
                Problem(path=shown, line=where, field=str(section), message="nhóm không được hỗ trợ", hint="các nhóm: " + ", ".join(_SECTIONS + _LIST_SECTIONS))
            )
            continue
        if not isinstance(entries, dict):
            problems.append(Problem(path=shown, line=where, field=str(section), message="phải là các dòng 'viết tắt: cách đọc'"))
            continue
        for key, value in entries.items():
            at = lines.get(f"{section}.{key}", where)
            if not isinstance(value, str) or not value.strip():
                problems.append(Problem(path=shown, line=at, field=f"{section}.{key}", message="cách đọc phải là một dòng chữ, không để trống"))
            elif not _WORDS_ONLY.match(" ".join(value.split())):
                problems.append(
                    Problem(
                        path=shown, line=at, field=f"{section}.{key}",
                        message=f"cách đọc {value!r} có chữ số hoặc ký hiệu",
                        hint="viết đúng như khi đọc to, chỉ dùng chữ, ví dụ 'hai bốn bảy' thay cho '247'",
                    )
                )
    if problems:
        raise ConfigError(problems)
    return data, raw


@lru_cache(maxsize=8)
def _load(extra: str | None, _mtime: float) -> Lexicon:
    merged: dict[str, dict] = {s: {} for s in _SECTIONS}
    endings: list[str] = []
    digest = hashlib.sha256()
    files = [LEXICON_FILE] + ([Path(extra)] if extra else [])
    for path in files:
        data, raw = _read_lexicon_file(path)
        digest.update(raw)
        for section in _SECTIONS:
            for key, value in (data.get(section) or {}).items():
                key = str(key)
                if section == "domains":
                    key = key.lower()
                merged[section][key] = " ".join(value.split())
        for ending in data.get("address_endings") or ():
            if ending.lower() not in endings:
                endings.append(ending.lower())
    return Lexicon(
        abbreviations=MappingProxyType(merged["abbreviations"]),
        loanwords=MappingProxyType({k.casefold(): v for k, v in merged["loanwords"].items()}),
        domains=MappingProxyType(merged["domains"]),
        address_endings=tuple(endings),
        document_kinds=MappingProxyType(merged["document_kinds"]),
        document_issuers=MappingProxyType(merged["document_issuers"]),
        units=MappingProxyType(merged["units"]),
        digest=digest.hexdigest(),
        files=tuple(files),
    )


# -- the speaker -----------------------------------------------------------

_PUA = 0xE000
_PLACEHOLDER = re.compile("[\ue000-\uf8ff]")

_URL = re.compile(r"(?i)(?<![\w@])(?:https?|ftp)://[^\s<>()\[\]\"'“”]+|(?<![\w@./])www\.[^\s<>()\[\]\"'“”]+")
_EMAIL = re.compile(r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
"""An e-mail address, with any symbols before it (``_email`` sets them
apart). Linear: it may start only where a run of address characters
starts (the look-behind covers the whole local-part class), so no start
rescans the run; "a-a-a-…" over 240 KB once cost minutes."""
_TRAILING = ".,;:!?"

_PRESS = r"(?:bấm|nhấn|ấn|chạm|nhấp|bấm vào|nhấn vào|chạm vào|bấm chọn|nhấn chọn)"
_CHOOSE = r"(?:chọn)"
_BOLD, _END_BOLD = "\ufdd0", "\ufdd1"
"""Where a Strong node starts and ends in the text being spoken
(noncharacters: removed from the guide text itself first)."""
_MARKS = re.compile("[\ufdd0\ufdd1]")
_ITEM = r"(?:\ufdd0[^\ufdd1\n]+?\ufdd1|\"[^\"\n]+?\"|“[^”\n]+?”)"
_JOIN = r"(?:\s*,\s*|\s+(?:rồi|hoặc|hay|và|rồi bấm|rồi chọn)\s+)"
_CHAIN = re.compile(rf"(?i)(?<!\w)({_PRESS}|{_CHOOSE})(\s+)({_ITEM}(?:{_JOIN}{_ITEM})*)")
_ONE_ITEM = re.compile(_ITEM)

_DOC = re.compile(
    r"(?<![\w/])(\d{1,5})(?:/(\d{4}))?/"
    r"([A-ZĐ][A-Za-zĐđ]*(?:-[A-ZĐ][A-Za-zĐđ]*\d*)+|[A-ZĐ]{2,}\d*)(?![\w/])"
)

_USSD = re.compile(r"(?<![\w*#])[*#][\d*#]*")
r"""A run that may hold a USSD code such as ``*123#``; ``_ussd_split``
finds the code in it (the pattern ``[*#][\d*#]*\d[\d*#]*#`` did the same
with nested quantifiers: quadratic on "*1*1*1…")."""
_ISO_DATE = re.compile(r"(?<![\d/.-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d/-])")
_DMY = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?![\d/-])")
_DAY_MONTH = re.compile(r"(?i)(?<!\w)(ngày|mùng|mồng|từ|đến|trước|sau|hết|tới)(\s+)(\d{1,2})/(\d{1,2})(?![\d/])")
_MONTH_YEAR = re.compile(r"(?i)(?<!\w)(tháng)(\s+)(\d{1,2})/(\d{4})(?![\d/])")
_TIME = re.compile(r"(?<![\d:.,])(\d{1,2})(?::|h|g)(\d{2})(?:p|')?(?![\d:])")
_HOUR = re.compile(r"(?<![\d:.,])(\d{1,2})h(?!\w)")
_PHONE = re.compile(r"(?<![\w+.,])(\+84|0)(\d{1,4}(?:[ .-]?\d{2,4}){1,4})(?![\d])")
_HOTLINE = re.compile(r"(?<![\d.,])(1[89]00(?:[ .]?\d{2,4}){1,2})(?![\d])")
_CONTEXT_DIGITS = re.compile(
    r"(?i)(?<!\w)(gọi|gọi số|gọi điện|số điện thoại|điện thoại|tổng đài|đường dây nóng|hotline|mã|mã số|số tài khoản|số thẻ|số hiệu)"
    r"(\s*:?\s+)(\d{3,}(?:[ .]\d{2,})*)(?![\d])"
)
_ZERO_LEAD = re.compile(r"(?<![\w.,])(0\d{2,})(?![\w])")
_ORDINAL = re.compile(r"(?i)(?<!\w)(thứ|tháng)(\s+)(\d{1,2})(?![\d/]|[.,]\d)")
_RANGE = re.compile(r"(?<![\w.,/-])(\d[\d.,]*)\s*[-–—]\s*(?=\d)")
_FRACTION = re.compile(r"(?<![\w/])(\d+)/(\d+)(?![\w/])")
_MIXED = re.compile(r"(?<![\w.,])(?=\w*\d)(?=\w*[^\W\d_])\w+(?![\w])")
_CODE_MARKS = {"-": "gạch ngang", ".": "chấm", "/": "gạch chéo", "_": "gạch dưới", ":": "hai chấm"}
_NUMBER = re.compile(r"(?<![\d])(\d{1,3}(?:\.\d{3})+(?![\d])|\d+,\d+|\d+\.\d+|\d+)")
_LONG_RUN = re.compile(r"(?<![\d.,])(\d{5,})(?![\d.,])")
_CAPS = re.compile(r"(?<![\w])([A-ZĐ]{2,})(?![\w])")
_SHORTCODE = re.compile(r":[a-z0-9_+-]+:")
_PER_WORDS = r"(?:ngày|tuần|tháng|năm|giờ|phút|lần|người|hộ|con|chiếc|cái|kg|ki lô gam)"


def _skip(speaker, node, out: list[str], hold) -> None:
    """Nodes with no spoken form (a picture) are not read."""


class Speaker:
    """Turns guide text into spoken text with one lexicon."""

    def __init__(self, lexicon: Lexicon | None = None, paths: bool = True):
        self.lexicon = lexicon or Lexicon.load()
        self.paths = paths
        """False (radio scripts): an address with a path is read as its
        site's name only, then where to find the full address: nobody can
        type a path heard once on a loudspeaker."""
        self.unknown: set[str] = set()
        """All-capital words spelled letter by letter because the lexicon
        does not have them (add them to ``radio_abbreviations``)."""
        keys = sorted(self.lexicon.abbreviations, key=len, reverse=True)
        self._abbr = re.compile(r"(?<![\w])(" + "|".join(re.escape(k) for k in keys) + r")(?![\w])") if keys else None
        loans = sorted(self.lexicon.loanwords, key=len, reverse=True)
        self._loan = (
            re.compile(r"(?i)(?<![\w])(" + "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in loans) + r")(?![\w])")
            if loans else None
        )
        units = sorted(self.lexicon.units, key=len, reverse=True)
        unit_alt = "|".join(re.escape(u) for u in units) or r"(?!)"
        self._with_unit = re.compile(
            r"(?<![\w.,])(\d{1,3}(?:\.\d{3})+|\d+(?:[.,]\d+)?)\s?(" + unit_alt + r")(?![\w])"
        )
        self._long_unit = re.compile(r"\s*(?:" + unit_alt + r")(?![\w])")
        endings = "|".join(re.escape(e) for e in self.lexicon.address_endings) or r"(?!)"
        self._bare = re.compile(
            r"(?i)(?<![\w@./-])((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:" + endings + r"))(?![\w-])"
            r"(/[^\s<>()\[\]\"'“”]*)?"
        )
        # A domain ending written on its own, with its dot: ".gov.vn" ->
        # "chấm gốp chấm vê en" (not a sentence end before "gov").
        self._ending = re.compile(r"(?i)(?<![\w@/-])\.((?:[a-z0-9-]+\.)*(?:" + endings + r"))(?![\w-])")

    # -- public ------------------------------------------------------
    def speak(self, node, sentence: bool = True) -> str:
        """A run or step of the guide tree, or plain text (one item, one or
        more sentences), to spoken text. ``sentence=False``: a fragment to
        put inside a sentence, whose first letter is left as it comes."""
        slots: list[str] = []

        def hold(spoken: str) -> str:
            slots.append(spoken)
            return chr(_PUA + len(slots) - 1)

        if isinstance(node, markup.Step):
            node = node.content
        if isinstance(node, markup.Run):
            parts: list[str] = []
            self._walk(node.children, parts, hold)
            text = "".join(parts)
        else:
            text = _MARKS.sub("", _PLACEHOLDER.sub("", str(node)))
        text = unicodedata.normalize("NFC", text)
        text = _SHORTCODE.sub("", text)
        # 2. addresses, before emphasis marks and numbers can touch them
        text = _URL.sub(lambda m: self._hold_address(m, hold), text)
        text = _EMAIL.sub(lambda m: self._email(m.group(0), hold), text)
        text = self._bare.sub(lambda m: self._hold_address(m, hold), text)
        text = self._ending.sub(lambda m: hold("chấm " + self.address(m.group(1))), text)
        # 3. legal documents
        text = _DOC.sub(lambda m: hold(self._document(m)), text)
        # 1. buttons, then the remaining marks
        text = _CHAIN.sub(self._buttons, text)
        text = " ".join(_MARKS.sub("", text).split())
        # 4. abbreviations
        if self._abbr is not None:
            text = self._abbr.sub(lambda m: hold(self.lexicon.abbreviations[m.group(1)]), text)
        # 4b. foreign words as they are said
        if self._loan is not None:
            text = self._loan.sub(lambda m: hold(self.lexicon.loanwords[" ".join(m.group(1).split()).casefold()]), text)
        # 5. numbers
        text = self._numbers(text, hold)
        # 6. unknown abbreviations
        text = _CAPS.sub(self._spell_unknown, text)
        # 7. symbols
        text = self._symbols(text)
        text = _PLACEHOLDER.sub(lambda m: slots[ord(m.group(0)) - _PUA], text)
        return tidy(text, capital_start=sentence)

    def _walk(self, nodes, out: list[str], hold) -> None:
        """Tree nodes to the text ``speak`` works on: bold between marks
        (for button names), code held as spoken, links as their label or
        their address (``_WALK``: one handler per node type)."""
        for n in nodes:
            markup.rule(self._WALK, n, "spoken form", _skip)(self, n, out, hold)

    def _walk_text(self, n, out: list[str], hold) -> None:
        out.append(_MARKS.sub("", _PLACEHOLDER.sub("", n.text)))

    def _walk_code(self, n, out: list[str], hold) -> None:
        out.append(" " + self._code_span(_PLACEHOLDER.sub("", n.text), hold) + " ")

    def _walk_strong(self, n, out: list[str], hold) -> None:
        out.append(_BOLD)
        self._walk(n.children, out, hold)
        out.append(_END_BOLD)

    def _walk_children(self, n, out: list[str], hold) -> None:
        self._walk(n.children, out, hold)

    def _walk_link(self, n, out: list[str], hold) -> None:
        label = markup.to_text(markup.Run(n.children)).strip()
        if not label or _URL.fullmatch(label) or self._bare.fullmatch(label):
            out.append(" " + hold(self.address(n.url)) + " ")
        else:
            self._walk(n.children, out, hold)

    _WALK = {
        markup.Text: _walk_text,
        markup.Phone: _walk_text,
        markup.Break: lambda self, n, out, hold: out.append(" "),
        markup.Code: _walk_code,
        markup.Strong: _walk_strong,
        markup.Emphasis: _walk_children,
        markup.Link: _walk_link,
    }
    """The spoken form of each inline node type (``_walk``); other nodes
    (pictures) are not read."""

    def paragraphs(self, blocks) -> list[str]:
        """Blocks of the guide tree (an introduction, a free section) to
        spoken paragraphs; each list item or heading is its own sentence."""
        out = []
        for block in blocks:
            sentences = [s for s in _sentences(block) if s]
            spoken = " ".join(end_sentence(self.speak(s)) for s in sentences)
            spoken = " ".join(p for p in spoken.split(" ") if p)
            if spoken.strip():
                out.append(spoken)
        return out

    def address(self, url: str) -> str:
        """A web address read part by part.

        "https://" and "www." are not read; "." is "chấm", "/" "gạch
        chéo", "-" "gạch ngang", "_" "gạch dưới"; a query, a fragment and
        a final "/" are dropped. Each part: the ``domains`` table, else
        digits one by one, letters without a vowel ("vnpt") spelled, else as
        written in lower case, as people dictate it.
        """
        u = url.strip()
        u = re.sub(r"(?i)^[a-z]+://", "", u)
        u = re.sub(r"(?i)^www\.", "", u)
        u = re.split(r"[?#]", u, maxsplit=1)[0].strip("/")
        host, _, path = u.partition("/")
        host = host.split("@")[-1].split(":")[0]
        words = [self._host(host)]
        for segment in path.split("/"):
            segment = unquote(segment)
            if segment:
                words.append(self._segment(segment))
        return " gạch chéo ".join(w for w in words if w)

    def email(self, address: str) -> str:
        """"to.cns@xa.gov.vn" -> "to chấm cns a còng xa chấm gốp chấm vê en"."""
        local, _, domain = address.partition("@")
        return self._segment(local) + " a còng " + self.address(domain)

    # -- helpers -----------------------------------------------------
    def _email(self, found: str, hold) -> str:
        """An ``_EMAIL`` match: the symbols before the address stay text
        (an address starts with a letter or digit, not after a dot)."""
        local = found.partition("@")[0]
        lead = len(local) - len(local.lstrip("._%+-"))
        if lead == len(local) or found[:lead].endswith("."):
            return found
        return found[:lead] + hold(self.email(found[lead:]))

    def _hold_address(self, m: re.Match, hold) -> str:
        found = m.group(0)
        tail = ""
        while found and found[-1] in _TRAILING + "*_" + _BOLD + _END_BOLD:
            tail = found[-1] + tail
            found = found[:-1]
        if not self.paths:
            bare = re.sub(r"(?i)^(?:[a-z]+://)?(?:www\.)?", "", found)
            host, _, path = re.split(r"[?#]", bare, maxsplit=1)[0].partition("/")
            if path.strip("/"):
                qr = self.lexicon.abbreviations.get("QR", "kiu a")
                return hold(f"{self.address(host)}, địa chỉ đầy đủ có trên tờ rơi và trong mã {qr} của bài này,") + tail.lstrip(",")
        return hold(self.address(found)) + tail

    def _host(self, host: str) -> str:
        """A site's name: the ``domains`` table for the whole name
        ("binhdanhocvuso.gov.vn"), else for the longest known ending, then
        part by part; a part the table does not know is spelled letter by
        letter with the Vietnamese letter names, so that a listener can
        type it ("abcxyz" -> "a bê xê ích i dét"), never one run of
        letters that a voice reads as an English word."""
        labels = [label for label in host.lower().split(".") if label]
        for i in range(len(labels)):
            known = self.lexicon.domains.get(".".join(labels[i:]))
            if known is not None and (i == 0 or len(labels) - i > 1):
                head = [self._part(label, spell_unknown=True) for label in labels[:i]]
                return " chấm ".join([*head, known])
        return " chấm ".join(self._part(label, spell_unknown=True) for label in labels)

    def _part(self, label: str, spell_unknown: bool = False) -> str:
        """One part of an address. ``spell_unknown``: a part of a site's
        name that the table does not know is spelled letter by letter; in
        a path (``_segment``) it is read as written."""
        low = label.lower()
        if low in self.lexicon.domains:
            return self.lexicon.domains[low]
        out = []
        for piece in re.findall(r"\d+|[^\W\d_]+", low):
            if piece.isdigit():
                out.append(digit_words(piece))
            elif spell_unknown or not re.search(r"[aeiouyăâêôơư]", piece):
                out.append(spell(piece))  # "vnpt", "dvc": no vowel, not a word
            else:
                out.append(piece)
        return " ".join(out)

    def _segment(self, segment: str) -> str:
        low = segment.lower()
        if low in self.lexicon.domains:
            return self.lexicon.domains[low]
        out = []
        for token in re.split(r"([-_.~])", segment):
            if token == "-":
                out.append("gạch ngang")
            elif token == "_":
                out.append("gạch dưới")
            elif token == ".":
                out.append("chấm")
            elif token == "~":
                out.append("dấu ngã")
            elif token:
                out.append(self._part(token))
        return " ".join(o for o in out if o)

    def _document(self, m: re.Match) -> str:
        number, year, code = m.group(1), m.group(2), m.group(3)
        parts = code.split("-")
        kind = self.lexicon.document_kinds.get(parts[0])
        issuers_raw = parts[1:] if kind else parts
        issuers = []
        for p in issuers_raw:
            pm = re.fullmatch(r"([A-Za-zĐđ]+)(\d*)", p)
            letters, digits = (pm.group(1), pm.group(2)) if pm else (p, "")
            name = self.lexicon.document_issuers.get(letters) or self.lexicon.abbreviations.get(letters)
            if name is None:
                self.unknown.add(letters)
                name = spell(letters)
            if digits:
                name += " " + number_words(int(digits))
            issuers.append(name)
        before = m.string[: m.start()].rstrip().casefold()
        after = m.string[m.end():].lstrip().casefold()
        words = []
        if kind and not before.endswith(kind.casefold()):
            words.append(kind)
        words += ["số", number_words(int(number))]
        if year:
            words += ["năm", number_words(int(year))]
        if issuers:
            by = " và ".join(issuers)
            if not after.startswith(("của " + by).casefold()):
                words += ["của", by]
        return " ".join(words)

    def _buttons(self, m: re.Match) -> str:
        verb, space, chain = m.group(1), m.group(2), m.group(3)
        noun = "mục" if re.fullmatch(_CHOOSE, verb, flags=re.I) else "nút"

        def one(item: re.Match) -> str:
            inner = item.group(0)[1:-1]
            return f"{noun} {inner.strip()}"

        return verb + space + _ONE_ITEM.sub(one, chain)

    def _code_span(self, code: str, hold) -> str:
        """`code` is text to type exactly: read character by character
        ("`CT01`" -> "xê tê không một"). Code around ordinary words
        (`Cài đặt`) is just text."""
        code = code.strip()
        if not code or re.search(r"\s", code) or not re.fullmatch(r"[A-Za-z0-9._/:-]+", code):
            return code
        words = []
        for token in re.findall(r"[A-Za-z]|\d+|[-./_:]", code):
            if token.isdigit():
                words.append(digit_words(token))
            elif token in _CODE_MARKS:
                words.append(_CODE_MARKS[token])
            else:
                words.append(spell(token))
        return hold(" ".join(words))

    def _spell_unknown(self, m: re.Match) -> str:
        word = m.group(1)
        self.unknown.add(word)
        return spell(word)

    def _numbers(self, text: str, hold) -> str:
        text = _USSD.sub(lambda m: _ussd_split(m.group(0), hold), text)
        text = re.sub(r"(?<![\w~])~\s*(?=\d)", "khoảng ", text)  # "~ 24h": about 24 hours

        def iso(m):
            y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if 1 <= mo <= 12 and 1 <= d <= 31:
                return hold(date_words(d, mo, y, say_day=not _ends_with_day(m.string[: m.start()])))
            return m.group(0)

        def dmy(m):
            d, mo, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
            if 1 <= mo <= 12 and 1 <= d <= 31:
                return hold(date_words(d, mo, y, say_day=not _ends_with_day(m.string[: m.start()])))
            return m.group(0)

        def day_month(m):
            d, mo = int(m.group(3)), int(m.group(4))
            if not (1 <= mo <= 12 and 1 <= d <= 31):
                return m.group(0)
            word = m.group(1)
            if word.lower() == "ngày":
                return word + m.group(2) + hold(date_words(d, mo, say_day=False))
            if word.lower() in ("mùng", "mồng"):
                return word + m.group(2) + hold(date_words(d, mo, say_day=False).removeprefix("mùng "))
            return word + m.group(2) + hold(date_words(d, mo))

        def month_year(m):
            mo, y = int(m.group(3)), int(m.group(4))
            if not 1 <= mo <= 12:
                return m.group(0)
            return m.group(1) + m.group(2) + hold(f"{month_words(mo)} năm {number_words(y)}")

        def clock(m):
            h, mi = int(m.group(1)), int(m.group(2))
            if h > 24 or mi > 59:
                return m.group(0)
            return hold(f"{number_words(h)} giờ" + (f" {number_words(mi)} phút" if mi else ""))

        def hour(m):
            h = int(m.group(1))
            return hold(f"{number_words(h)} giờ") if h <= 24 else m.group(0)

        def grouped(raw: str) -> str:
            return ", ".join(digit_words(g) for g in re.split(r"[ .]", raw) if g)

        def phone(m):
            prefix = "cộng tám tư" if m.group(1) == "+84" else "không"
            groups = re.split(r"[ .-]", m.group(2))
            if m.group(1) == "0" and len(re.sub(r"\D", "", m.group(2))) < 2:
                return m.group(0)
            first = prefix + (" " + digit_words(groups[0]) if groups[0] else "")
            rest = [digit_words(g) for g in groups[1:] if g]
            return hold(", ".join([first, *rest]))

        def context(m):
            return m.group(1) + m.group(2) + hold(grouped(m.group(3)))

        def ordinal(m):
            word, n = m.group(1), int(m.group(3))
            if word.lower() == "tháng":
                if not 1 <= n <= 12:
                    return m.group(0)
                return word + m.group(2) + hold(month_words(n))
            return word + m.group(2) + hold({1: "nhất", 4: "tư"}.get(n, number_words(n)))

        def long_run(m):
            after = m.string[m.end():]
            if self._long_unit.match(after):
                return m.group(0)
            return hold(digit_words(m.group(1)))

        def with_unit(m):
            return hold(_amount(m.group(1)) + " " + self.lexicon.units[m.group(2)])

        text = _ISO_DATE.sub(iso, text)
        text = _DMY.sub(dmy, text)
        text = _DAY_MONTH.sub(day_month, text)
        text = _MONTH_YEAR.sub(month_year, text)
        text = _TIME.sub(clock, text)
        text = _HOUR.sub(hour, text)
        text = _CONTEXT_DIGITS.sub(context, text)
        text = _HOTLINE.sub(lambda m: hold(grouped(m.group(1))), text)
        text = _PHONE.sub(phone, text)
        text = _ZERO_LEAD.sub(lambda m: hold(digit_words(m.group(1))), text)
        text = _LONG_RUN.sub(long_run, text)
        text = _ORDINAL.sub(ordinal, text)
        text = _RANGE.sub(lambda m: m.group(1) + " đến ", text)
        text = self._with_unit.sub(with_unit, text)
        text = _FRACTION.sub(lambda m: f"{m.group(1)} trên {m.group(2)}", text)
        # Codes mixing letters and digits ("CT01", "A4"): digits one by one.
        text = _MIXED.sub(
            lambda m: " ".join(
                hold(digit_words(run)) if run.isdigit() else run for run in re.findall(r"\d+|[^\W\d_]+", m.group(0))
            ),
            text,
        )
        text = _NUMBER.sub(lambda m: hold(_amount(m.group(1))), text)
        return text

    def _symbols(self, text: str) -> str:
        # A symbol standing alone is named ("như @ hoặc #").
        text = re.sub(
            r"(?<![^\s(,;:])([@#*$~_^|\\])(?=[\s).,;:!?]|$)",
            lambda m: " " + SYMBOL_NAMES[m.group(1)] + " ",
            text,
        )
        text = re.sub(r"(?<=\w)\s*/\s*(?=" + _PER_WORDS + r"(?!\w))", " mỗi ", text)
        text = re.sub(r"(?<=[\w\ue000-\uf8ff])\s*/\s*(?=[\w\ue000-\uf8ff])", " hoặc ", text)
        text = re.sub(r"[(\[{]", ", ", text)
        text = re.sub(r"[)\]}]", ", ", text)
        text = re.sub(r"\s+[-–—]+\s+|[–—]", ", ", text)
        text = text.replace("…", ".").replace("...", ".")
        text = re.sub(r"\s*&\s*", " và ", text)
        text = re.sub(r"\s*\+\s*", " cộng ", text)
        text = re.sub(r"\s*=\s*", " bằng ", text)
        text = re.sub(r"\s*%", " phần trăm", text)
        text = re.sub(r"\s*@\s*", " a còng ", text)
        # Whatever is left that is not a letter, a mark, a space, allowed
        # punctuation or a held slot goes.
        out = []
        for ch in text:
            cat = unicodedata.category(ch)
            if ch in ALLOWED_PUNCTUATION or ch.isspace() or cat[0] in "LM" or _PLACEHOLDER.match(ch):
                out.append(ch)
            elif ch.isdigit():
                out.append(f" {DIGITS[int(unicodedata.digit(ch, 0))]} ")
            else:
                out.append(" ")
        return "".join(out)


def _sentences(block) -> list:
    """The runs of a block, one per paragraph, list item or heading."""
    return markup.rule(_SENTENCES, block, "sentences", lambda b: [])(block)


def _list_sentences(block) -> list:
    return [s for item in block.items for b in item.blocks for s in _sentences(b)]


_SENTENCES = {
    markup.Paragraph: lambda b: [b.content],
    markup.Heading: lambda b: [b.content],
    markup.CodeBlock: lambda b: [b.text],
    markup.BulletList: _list_sentences,
    markup.OrderedList: _list_sentences,
}
"""The sentences of each block type (``_sentences``); others have none."""


def _ussd_split(run: str, hold) -> str:
    """A ``_USSD`` run: its code (up to its last '#', with a digit before
    that) held as spoken words, the rest left as text."""
    end = run.rfind("#")
    if end < 2 or not any(ch.isdigit() for ch in run[1:end]):
        return run
    return hold(_ussd(run[: end + 1])) + run[end + 1 :]


def _ussd(code: str) -> str:
    names = {"*": "sao", "#": "thăng"}
    return " ".join(names.get(ch) or DIGITS[int(ch)] for ch in code)


def _amount(raw: str) -> str:
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", raw):
        return number_words(int(raw.replace(".", "")))
    m = re.fullmatch(r"(\d+)[.,](\d+)", raw)
    if m:
        return decimal_words(m.group(1), m.group(2))
    return number_words(int(raw))


def _ends_with_day(before: str) -> bool:
    return bool(re.search(r"(?i)(?<!\w)(ngày|mùng|mồng)\s*$", before))


def tidy(text: str, capital_start: bool = True) -> str:
    """Spaces and punctuation of spoken text put right: no space before a
    mark, no doubled or dangling marks, capital at each sentence start
    (``capital_start=False``: except the first)."""
    text = " ".join(text.split())
    text = re.sub(r"\s+([.,:;?!])", r"\1", text)
    text = re.sub(r"([,:;])(?:\s*[,:;])+", r"\1", text)
    text = re.sub(r"[,:;]+\s*([.?!])", r"\1", text)
    text = re.sub(r"([.?!])(?:\s*[.,:;])+", r"\1", text)
    text = re.sub(r"([.,:;?!])(?=[^\s.,:;?!])", r"\1 ", text)
    text = re.sub(r"^[\s.,:;?!]+", "", text)
    text = re.sub(r"[\s,:;]+$", "", text)
    start = r"(^|[.?!]\s+)" if capital_start else r"([.?!]\s+)"
    text = re.sub(start + r"([^\W\d_])", lambda m: m.group(1) + m.group(2).upper(), text)
    return text.strip()


def end_sentence(text: str) -> str:
    """A full stop at the end unless it already has ending punctuation."""
    text = text.rstrip()
    if text and text[-1] not in ".?!":
        text = text.rstrip(",:;") + "."
    return text


def count_words(text: str) -> int:
    """Words of spoken text: Vietnamese is written one syllable per word,
    so this is the number of syllables a reader says."""
    return sum(1 for t in text.split() if any(ch.isalpha() for ch in t))
