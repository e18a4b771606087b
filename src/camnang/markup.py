"""Guide Markdown -> a small typed, frozen document tree.

This is the one place where Markdown syntax is read. markdown-it-py (a
CommonMark parser) tokenises the body of a guide; ``parse_body`` turns the
tokens into the tree below and reports, as ``Problem``s naming file, line
and section, every construct the guide format does not allow. Renderers walk
the tree (``to_html``, ``to_text``; ``camnang.spoken`` for radio) and never
see Markdown: HTML is escaped by construction.

Inline nodes: ``Text``, ``Strong``, ``Emphasis``, ``Code``, ``Link`` (https
only), ``Break`` (a hard line break); a paragraph or list item's inline
content is a ``Run``. Block nodes: ``Paragraph``, ``BulletList``,
``OrderedList``, ``ListItem``, ``Heading`` (level 3 to 6), ``CodeBlock``;
a sequence of blocks is ``Blocks``. A step of "Các bước" is a ``Step``: one
``Run``, its ``Image``s (screenshots, files in the guides' image folder)
and an optional short form for posters.

Policy, one rule per construct (README "Guide format" and
docs/to-cong-nghe-so.md say the same to authors):

- raw HTML (a tag, a comment, an HTML block): refused;
- a link whose address is not ``https://``: refused; an autolink
  ``<https://...>`` is a link whose printed label is exactly its address;
- a link whose host is not plain ASCII (``xn--`` included) or whose
  address, percent-decoded, holds an invisible character: refused; so is
  a label that reads as an address other than the link's host
  (``link_problem``, ``label_problem``);
- a word longer than ``MAX_WORD`` characters, lists nested deeper than
  ``MAX_DEPTH``, a body beyond ``MAX_BODY_LINES`` lines or
  ``MAX_MARKUP_CHARS`` markup characters: refused (cost bounds);
- ``text.UNSAFE_CHARS`` are removed from the text markdown-it decodes
  (entities such as ``&#x202E;`` included), with a warning naming the line;
- an image: only ``![alt](anh/<file>.png|.jpg|.jpeg)`` inside a step, with
  alt text, naming a file that exists in the guides' ``anh/`` folder;
  anything else (remote, ``file:``, ``data:``, SVG, elsewhere) refused;
- block content inside a step or a tip (a second paragraph, a nested list,
  code block, quote): refused; a step may hold its text plus image lines
  and one ``Ngắn:`` line (its short form for posters);
- level-1 headings and headings inside lists: refused; level-2 headings
  start sections; levels 3 to 6 are kept inside the introduction and free
  sections;
- block quotes and thematic breaks (``***``): refused;
- code blocks: kept as preformatted literal text in the introduction and
  free sections;
- everything else (tables, strikethrough, footnotes... which CommonMark does
  not have) is literal text.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from html import escape
from typing import Union

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from .errors import Problem
from .text import PARSER_UNSAFE, UNSAFE_CHARS, char_codes, remove_unsafe, unsafe_warning

# -- inline nodes ----------------------------------------------------------


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Code:
    """Text to type exactly (`code`)."""

    text: str


@dataclass(frozen=True)
class Break:
    """A hard line break (two spaces or a backslash at the end of a line)."""


@dataclass(frozen=True)
class Strong:
    children: tuple["Inline", ...]


@dataclass(frozen=True)
class Emphasis:
    children: tuple["Inline", ...]


@dataclass(frozen=True)
class Link:
    children: tuple["Inline", ...]
    url: str
    """Always https://, percent-encoded by the parser."""


@dataclass(frozen=True)
class Phone:
    """A Vietnamese phone number or hotline written in the text ("0987 654
    321", "1900 1234", "gọi 113"): found by the parser (``find_phones``),
    printed as written, a ``tel:`` link on the site."""

    text: str
    number: str
    """What to dial: digits, with a leading + for +84."""


Inline = Union[Text, Code, Break, Strong, Emphasis, Link, Phone]


@dataclass(frozen=True)
class Image:
    """A picture beside a step: a file in the guides' image folder."""

    src: str
    """Path relative to the guides folder, always ``anh/<name>``."""
    alt: str
    line: int = field(default=0, compare=False)

    @property
    def name(self) -> str:
        return self.src.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Run:
    """The inline content of one paragraph, item or step.

    In a Jinja template with autoescape, ``{{ run }}`` prints its HTML
    (``__html__``); ``run.text`` is its plain text (what ``str(run)`` gives).
    """

    children: tuple[Inline, ...] = ()

    def __html__(self) -> str:
        return to_html(self)

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.children)

    @cached_property
    def text(self) -> str:
        return to_text(self)

    def __len__(self) -> int:
        """Characters of plain text."""
        return len(self.text)

    def slice(self, start: int, end: int | None = None) -> "Run":
        """The part of the run whose plain text is ``text[start:end]``,
        formatting kept (used to shorten steps on posters)."""
        full = _raw_text(self.children)
        end = len(full) if end is None else end
        return Run(tuple(_slice(self.children, start, end, [0])))

    def without(self, spans: list[tuple[int, int]]) -> "Run":
        """The run with the raw-text spans left out."""
        keep, pos = [], 0
        for a, b in sorted(spans):
            if a > pos:
                keep.append((pos, a))
            pos = max(pos, b)
        keep.append((pos, None))
        out: list[Inline] = []
        for a, b in keep:
            out += self.slice(a, b).children
        return Run(_merge(tuple(out)))

    def __add__(self, other: "Run | str") -> "Run":
        if isinstance(other, str):
            other = Run((Text(other),)) if other else Run()
        return Run(_merge(self.children + other.children))

    @property
    def raw(self) -> str:
        """Concatenated text of every node, spacing as written (``slice``
        and ``without`` count positions in this string)."""
        return _raw_text(self.children)


def text_run(text: str) -> Run:
    """A run of plain text (no Markdown is read from it)."""
    return Run((Text(text),)) if text else Run()


# -- block nodes -----------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    content: Run
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Heading:
    level: int
    content: Run
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class CodeBlock:
    text: str
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class ListItem:
    blocks: tuple["Block", ...]
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class BulletList:
    items: tuple[ListItem, ...]
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class OrderedList:
    items: tuple[ListItem, ...]
    start: int = 1
    line: int = field(default=0, compare=False)


Block = Union[Paragraph, Heading, CodeBlock, BulletList, OrderedList]


@dataclass(frozen=True)
class Blocks:
    """A sequence of blocks (the introduction, a free section)."""

    blocks: tuple[Block, ...] = ()

    def __html__(self) -> str:
        return to_html(self)

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.blocks)

    def __iter__(self):
        return iter(self.blocks)

    @cached_property
    def text(self) -> str:
        return to_text(self)


@dataclass(frozen=True)
class Step:
    """One step of "Các bước"."""

    content: Run
    images: tuple[Image, ...] = ()
    short: Run | None = None
    """The author's short form for posters (a ``Ngắn:`` line), if any."""
    line: int = field(default=0, compare=False)

    def __html__(self) -> str:
        return to_html(self.content)

    def __str__(self) -> str:
        return self.content.text

    @property
    def text(self) -> str:
        return self.content.text


@dataclass(frozen=True)
class Section:
    """A level-2 section of the body."""

    heading: Run
    blocks: Blocks
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Body:
    """A guide body: introduction (blocks before the first ``##``) and
    level-2 sections in order."""

    intro: Blocks
    sections: tuple[Section, ...]
    refused: bool = field(default=False, compare=False)
    """The body was refused unread (too big to parse): it is empty, and
    its sections are not missing, only not read."""


# -- renderers ---------------------------------------------------------------


def _esc(text: str) -> str:
    return escape(text, quote=True)


def to_html(node, image_base: str = "", tel: bool = False) -> Markup:
    """HTML of any node; every text is escaped, every URL is https:// (links)
    or ``image_base`` + a checked file name (images). ``tel``: phone numbers
    as ``tel:`` links (the site; never on paper)."""
    out: list[str] = []
    _html(node, out, image_base, tel)
    return Markup("".join(out))


def _html(node, out: list[str], base: str, tel: bool = False) -> None:
    rule(_HTML, node, "HTML")(node, out, base, tel)


# -- one dispatch table per renderer ----------------------------------------
# As markdown-it-py's RendererHTML keeps a dict from token type to rule,
# each renderer of the tree is a dict from node type to handler: a new node
# type is one entry per table, and a type a table lacks is an error naming
# it (never a silent gap).


def rule(rules: dict, node, what: str, default=None):
    """The handler of ``rules`` for ``node``'s type (or the nearest base
    type: a ``Markup`` uses the ``str`` handler); ``default`` when there is
    none, or TypeError when no default is given."""
    for cls in type(node).__mro__:
        handler = rules.get(cls)
        if handler is not None:
            return handler
    if default is not None:
        return default
    raise TypeError(f"no {what} for {type(node).__name__}")


def _html_children(node, out: list[str], base: str, tel: bool) -> None:
    for c in node.children:
        _html(c, out, base, tel)


def _html_tag(tag: str):
    def render(node, out: list[str], base: str, tel: bool) -> None:
        out.append(f"<{tag}>")
        _html_children(node, out, base, tel)
        out.append(f"</{tag}>")

    return render


def _html_link(node: "Link", out: list[str], base: str, tel: bool) -> None:
    out.append(f'<a href="{_esc(node.url)}">')
    _html_children(node, out, base, tel)
    out.append("</a>")


def _html_phone(node: "Phone", out: list[str], base: str, tel: bool) -> None:
    if tel:
        out.append(f'<a class="camnang-tel" href="tel:{_esc(node.number)}">{_esc(node.text)}</a>')
    else:
        out.append(_esc(node.text))


def _html_block(tag: str):
    def render(node, out: list[str], base: str, tel: bool) -> None:
        out.append(f"<{tag}>")
        _html(node.content, out, base, tel)
        out.append(f"</{tag}>\n")

    return render


def _html_heading(node: "Heading", out: list[str], base: str, tel: bool) -> None:
    _html_block(f"h{node.level}")(node, out, base, tel)


def _html_list(node, out: list[str], base: str, tel: bool) -> None:
    if type(node) is OrderedList:
        out.append("<ol>\n" if node.start == 1 else f'<ol start="{int(node.start)}">\n')
    else:
        out.append("<ul>\n")
    for item in node.items:
        _html(item, out, base, tel)
    out.append("</ol>\n" if type(node) is OrderedList else "</ul>\n")


def _html_item(node: "ListItem", out: list[str], base: str, tel: bool) -> None:
    out.append("<li>")
    # Tight items: a lone paragraph prints without <p>.
    if len(node.blocks) == 1 and type(node.blocks[0]) is Paragraph:
        _html(node.blocks[0].content, out, base, tel)
    else:
        for b in node.blocks:
            _html(b, out, base, tel)
    out.append("</li>\n")


def _html_blocks(node: "Blocks", out: list[str], base: str, tel: bool) -> None:
    for b in node.blocks:
        _html(b, out, base, tel)


_HTML = {
    str: lambda node, out, base, tel: out.append(_esc(node)),
    Text: lambda node, out, base, tel: out.append(_esc(node.text)),
    Phone: _html_phone,
    Code: lambda node, out, base, tel: out.append(f"<code>{_esc(node.text)}</code>"),
    Break: lambda node, out, base, tel: out.append("<br>"),
    Strong: _html_tag("strong"),
    Emphasis: _html_tag("em"),
    Link: _html_link,
    Run: _html_children,
    Paragraph: _html_block("p"),
    Heading: _html_heading,
    CodeBlock: lambda node, out, base, tel: out.append(f"<pre><code>{_esc(node.text)}</code></pre>\n"),
    BulletList: _html_list,
    OrderedList: _html_list,
    ListItem: _html_item,
    Blocks: _html_blocks,
    Step: lambda node, out, base, tel: _html(node.content, out, base, tel),
    Image: lambda node, out, base, tel: out.append(f'<img src="{_esc(base + node.src)}" alt="{_esc(node.alt)}">'),
}
"""HTML of each node type (``to_html``)."""


def to_text(node) -> str:
    """Plain text of any node: inline marks dropped, link labels kept,
    white space collapsed; blocks separated by blank lines."""
    return rule(_TEXT, node, "plain text")(node)


def _inline_text(node) -> str:
    return " ".join(_raw_text((node,)).split())


_TEXT = {
    str: lambda node: " ".join(node.split()),
    Blocks: lambda node: "\n\n".join(to_text(b) for b in node.blocks),
    Paragraph: lambda node: to_text(node.content),
    Heading: lambda node: to_text(node.content),
    CodeBlock: lambda node: node.text.rstrip("\n"),
    BulletList: lambda node: "\n".join(to_text(i) for i in node.items),
    OrderedList: lambda node: "\n".join(to_text(i) for i in node.items),
    ListItem: lambda node: " ".join(to_text(b) for b in node.blocks),
    Step: lambda node: to_text(node.content),
    Run: lambda node: " ".join(_raw_text(node.children).split()),
    Text: _inline_text,
    Code: _inline_text,
    Break: _inline_text,
    Phone: _inline_text,
    Strong: _inline_text,
    Emphasis: _inline_text,
    Link: _inline_text,
}
"""Plain text of each node type (``to_text``)."""

_LEAF_TEXT = {
    Text: lambda n: n.text,
    Code: lambda n: n.text,
    Phone: lambda n: n.text,
    Break: lambda n: " ",
}
"""Raw text of the inline leaves; every other inline node has ``children``
(``_raw_text``, ``_slice``: positions count in this text)."""


def _raw_text(nodes) -> str:
    parts: list[str] = []
    stack = list(reversed(nodes))
    while stack:
        n = stack.pop()
        leaf = _LEAF_TEXT.get(type(n))
        if leaf is not None:
            parts.append(leaf(n))
        else:
            stack.extend(reversed(n.children))
    return "".join(parts)


def _slice(nodes, start: int, end: int, pos: list[int]) -> list:
    out = []
    for n in nodes:
        t = type(n)
        leaf = _LEAF_TEXT.get(t)
        if leaf is not None:
            text = leaf(n)
            a, b = pos[0], pos[0] + len(text)
            pos[0] = b
            lo, hi = max(start, a), min(end, b)
            if lo < hi:
                if t is Break or (lo == a and hi == b):
                    out.append(n)
                else:  # part of a phone number is no longer one
                    out.append((Text if t is Phone else t)(text[lo - a : hi - a]))
        else:
            children = _slice(n.children, start, end, pos)
            if children:
                out.append(dataclasses.replace(n, children=tuple(children)))
    return out


_PHONE = re.compile(
    r"(?<![\w.,+])(?:"
    r"(?P<intl>\+84[ .]?\d{2,3}(?:[ .]?\d{3}){2})"
    r"|(?P<local>0\d{2,3}[ .]?\d{3,4}[ .]?\d{3,4})"
    r"|(?P<hotline>1[89]00[ .]?\d{4}(?:\d{2})?|1[89]00[ .]?\d{2}[ .]\d{2}(?:[ .]\d{2})?)"
    r"|(?<=gọi )(?P<short>11[1-5])"
    r")(?!\w|[.,]\d)"
)
"""Vietnamese numbers as residents write them: mobile and landline
(0 then 9 or 10 digits, in groups), +84, the 1800/1900 hotlines, and the
emergency numbers after "gọi" (113 police, 114 fire, 115 ambulance).
Linear: no nested quantifiers, every branch bounded."""


def find_phones(text: str) -> list[Inline]:
    """``text`` as Text and Phone nodes."""
    out: list[Inline] = []
    pos = 0
    for m in _PHONE.finditer(text):
        digits = "".join(c for c in m.group(0) if c.isdigit())
        if m.group("local") and not 10 <= len(digits) <= 11:
            continue
        if m.start() > pos:
            out.append(Text(text[pos : m.start()]))
        number = "+" + digits if m.group("intl") else digits
        out.append(Phone(m.group(0), number))
        pos = m.end()
    if pos < len(text):
        out.append(Text(text[pos:]))
    return out


def _phones(nodes: tuple) -> tuple:
    """Phone numbers found in the Text nodes of a run (not in code or links)."""
    out: list = []
    for n in nodes:
        t = type(n)
        if t is Text:
            out += find_phones(n.text)
        elif t is Strong or t is Emphasis:
            out.append(t(_phones(n.children)))
        else:
            out.append(n)
    return tuple(out)


def _merge(nodes: tuple) -> tuple:
    """Adjacent Text nodes joined."""
    out: list = []
    for n in nodes:
        if type(n) is Text and out and type(out[-1]) is Text:
            out[-1] = Text(out[-1].text + n.text)
        elif type(n) is Text and not n.text:
            continue
        else:
            out.append(n)
    return tuple(out)


# -- parsing -------------------------------------------------------------------

SHORT_PREFIX = "Ngắn:"
"""A step's line starting with this holds its short form for posters."""

IMAGE_DIR = "anh"
"""The guides' image folder, relative to the guides folder."""
IMAGE_TYPES = (".png", ".jpg", ".jpeg")
"""Raster only: an SVG can carry script on the site."""
IMAGE_MAX_BYTES = 2 * 1024 * 1024

HTTPS_URL = re.compile(r"^https://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?::\d{1,5})?(?:[/?#][^\s<>\"'`\\{}|^]*)?$")
"""An https address: a host name of letters, digits and hyphens, then a
path without spaces, quotes, angle brackets or backslashes (never needed in
a real address, and how markup gets injected). Links in the body and the
front matter's ``links`` and ``sources`` must match it."""

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


MAX_WORD = 40
"""Characters in one word of printed text. A word is what lies between
spaces, slashes and hyphens, the places where a line may break (so an
address breaks at its "/" and "-"). The longest Vietnamese word has 7
letters; 40 covers brand names, long numbers and host names (the longest
in the bundled guides, markup included, has 26). A longer run cannot be
broken but anywhere, and laying that out costs the PDF renderer minutes."""
_LONG_WORD = re.compile(r"[^\s/\-]{%d,}" % (MAX_WORD + 1))
_LONG_URL_WORD = re.compile(r"[^\s/\-?&=.]{%d,}" % (MAX_WORD + 1))
"""In an address a run may also end at "?", "&", "=" or ".": a query such
as ``chi-tiet.aspx?ItemID=4332&l=...`` is many short runs."""

MAX_BODY_LINES = 3000
"""Lines in a guide's body: the longest bundled guide has 63."""
MAX_MARKUP_CHARS = 5000
"""Inline markup characters (``[ * _ ` < & \\``) in a guide's body: the
bundled guides have at most 60. markdown-it-py spends some 10 µs on each
(``![`` repeated 120 000 times took over 3 s), so this bound, with
``MAX_BODY_LINES``, keeps the parse of any body under a second."""
_MARKUP_CHARS = "[*_`<&\\"

MAX_DEPTH = 5
"""Lists (or quotes) one inside the other. markdown-it's own limit
(``maxNesting``, 40 token levels here, reached at twenty lists: each takes
two, the list and its item) silently drops everything after the point
where it is reached; a guide nesting deeper than ``MAX_DEPTH`` is refused
naming the line, so nothing is ever dropped without a word."""
_CONTAINERS = frozenset({
    "bullet_list_open", "bullet_list_close", "ordered_list_open", "ordered_list_close",
    "blockquote_open", "blockquote_close",
})


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # CommonMark, raw HTML recognised (so that it can be refused, not
    # passed on), nesting limited.
    md = MarkdownIt("commonmark", {"html": True, "maxNesting": 40})
    # Every link and image becomes a token, whatever its scheme, so that
    # ``_check_link``/``_check_image`` refuse the bad ones by name instead
    # of markdown-it silently printing them as text.
    md.validateLink = lambda url: True
    return md


class _Context:
    def __init__(self, shown: str, first_line: int, image_files: frozenset[str] | None):
        self.shown = shown
        self.first_line = first_line
        self.image_files = image_files
        self.problems: list[Problem] = []
        self.unsafe: dict[int, list[str]] = {}
        """Invisible characters removed after decoding, by line."""

    def clean(self, text: str, line: int) -> str:
        """``text`` (decoded by markdown-it) without ``UNSAFE_CHARS``."""
        text, found = remove_unsafe(text)
        if found:
            self.unsafe.setdefault(line, []).extend(found)
        return text

    def problem(self, line: int, message: str, hint: str | None = None, where: str | None = None) -> None:
        field = f"mục '{where}'" if where else None
        text = f"{field}: {message}" if field else message
        self.problems.append(Problem(path=self.shown, line=line, message=text, hint=hint))


def parse_body(
    body: str,
    shown: str,
    first_line: int,
    image_files: frozenset[str] | None = None,
    warnings: list[str] | None = None,
) -> tuple[Body, list[Problem]]:
    """Parse a guide body (the text after the front matter, which starts on
    ``first_line`` of the file ``shown``). ``image_files``: the file names
    in the guides' image folder (None: images are not checked against it).
    Returns the tree and the problems found; a warning for each line that
    lost invisible characters is appended to ``warnings``."""
    ctx = _Context(shown, first_line, image_files)
    too_big = _too_big(body, ctx)
    if too_big is not None:
        return Body(Blocks(), (), refused=True), [too_big]
    body, found = remove_unsafe(body, PARSER_UNSAFE)
    if found:  # read_source removes these first; other callers may not
        ctx.unsafe.setdefault(first_line, []).extend(found)
    tokens = _parser().parse(body)
    depth = 0
    for tok in tokens:
        if tok.type in _CONTAINERS:
            depth += tok.nesting
            if depth > MAX_DEPTH:
                ctx.problem(
                    _line(tok, ctx),
                    f"danh sách lồng nhau quá sâu (tối đa {MAX_DEPTH} cấp)",
                    hint="viết các ý sâu hơn thành câu trong ý mẹ, hoặc tách thành danh sách riêng",
                )
                break
    intro: list = []
    sections: list[tuple[str, Run, int, list]] = []
    current = intro
    i = 0
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        line = _line(tok, ctx)
        if tok.type == "heading_open" and tok.tag == "h2":
            heading = _inline(tokens[i + 1], ctx, line, None)
            blocks: list = []
            sections.append((tokens[i + 1].content, heading, line, blocks))
            current = blocks
            i += 3
            continue
        if tok.type == "heading_open" and tok.tag == "h1":
            ctx.problem(line, "không dùng tiêu đề cấp 1 ('# ...') trong bài", hint="tên hướng dẫn đã nằm ở trường 'title'; dùng '## ' cho các mục")
            i = _skip(tokens, i)
            continue
        block, i = _block(tokens, i, ctx, _where(sections))
        if block is not None:
            current.append(block)
    body_tree = Body(
        intro=Blocks(tuple(intro)),
        sections=tuple(Section(heading=h, blocks=Blocks(tuple(b)), line=ln) for _, h, ln, b in sections),
    )
    if warnings is not None:
        warnings.extend(unsafe_warning(f"{shown}:{line}", found) for line, found in sorted(ctx.unsafe.items()))
    return body_tree, ctx.problems


def _too_big(body: str, ctx: _Context) -> Problem | None:
    """A body beyond ``MAX_BODY_LINES`` or ``MAX_MARKUP_CHARS``, refused
    before markdown-it reads it (counting is linear and fast)."""
    lines = body.count("\n") + 1
    if lines > MAX_BODY_LINES:
        return Problem(
            path=ctx.shown,
            line=ctx.first_line + MAX_BODY_LINES,
            message=f"bài hướng dẫn quá dài ({lines} dòng, tối đa {MAX_BODY_LINES})",
            hint="một hướng dẫn chỉ vài trang; tách thành nhiều hướng dẫn",
        )
    marks = sum(body.count(c) for c in _MARKUP_CHARS)
    if marks > MAX_MARKUP_CHARS:
        counted, at = 0, len(body)
        for i, ch in enumerate(body):
            if ch in _MARKUP_CHARS:
                counted += 1
                if counted > MAX_MARKUP_CHARS:
                    at = i
                    break
        return Problem(
            path=ctx.shown,
            line=ctx.first_line + body.count("\n", 0, at),
            message=f"bài có quá nhiều ký tự định dạng ({marks} ký tự '[', '*', '_', '`', '<', '&', '\\', tối đa {MAX_MARKUP_CHARS})",
            hint="một hướng dẫn chỉ cần vài chữ in đậm và vài đường dẫn; xóa các ký tự thừa",
        )
    return None


def _where(sections) -> str | None:
    return sections[-1][1].text if sections else None


def _line(tok: Token, ctx: _Context) -> int:
    return ctx.first_line + (tok.map[0] if tok.map else 0)


def _skip(tokens: list[Token], i: int) -> int:
    """Index after the block starting at tokens[i]."""
    if tokens[i].nesting == 0:
        return i + 1
    depth = 0
    while i < len(tokens):
        depth += tokens[i].nesting
        i += 1
        if depth == 0:
            return i
    return i


def _block(tokens: list[Token], i: int, ctx: _Context, where: str | None, in_list: bool = False):
    """One block from tokens[i]; returns (node or None, next index)."""
    tok = tokens[i]
    line = _line(tok, ctx)
    t = tok.type
    if t == "paragraph_open":
        run = _inline(tokens[i + 1], ctx, line, where)
        return Paragraph(run, line), i + 3
    if t == "heading_open":
        level = int(tok.tag[1])
        if in_list:
            ctx.problem(line, "không đặt tiêu đề bên trong danh sách", where=where)
            return None, _skip(tokens, i)
        return Heading(level, _inline(tokens[i + 1], ctx, line, where), line), i + 3
    if t in ("bullet_list_open", "ordered_list_open"):
        end = _skip(tokens, i)
        items: list[ListItem] = []
        j = i + 1
        while j < end - 1:
            item_tok = tokens[j]  # list_item_open
            item_end = _skip(tokens, j)
            blocks = []
            k = j + 1
            while k < item_end - 1:
                b, k = _block(tokens, k, ctx, where, in_list=True)
                if b is not None:
                    blocks.append(b)
            items.append(ListItem(tuple(blocks), _line(item_tok, ctx)))
            j = item_end
        if t == "ordered_list_open":
            start = int(tok.attrGet("start") or 1)
            return OrderedList(tuple(items), start, line), end
        return BulletList(tuple(items), line), end
    if t in ("fence", "code_block"):
        text = ctx.clean(tok.content, line)
        _check_words(text, ctx, line + (1 if t == "fence" else 0), where)
        return CodeBlock(text, line), i + 1
    if t == "html_block":
        ctx.problem(line, "không dùng mã HTML trong hướng dẫn", hint="viết bằng chữ thường; in đậm dùng **chữ**", where=where)
        return None, i + 1
    if t == "blockquote_open":
        ctx.problem(line, "không dùng khối trích dẫn ('> ...')", hint="viết thành đoạn văn thường", where=where)
        return None, _skip(tokens, i)
    if t == "hr":
        ctx.problem(line, "không dùng đường kẻ ngang ('---', '***')", hint="mỗi mục mới bắt đầu bằng '## '", where=where)
        return None, i + 1
    # Anything else CommonMark produces is covered above; be strict.
    ctx.problem(line, f"cấu trúc không được hỗ trợ ({t})", where=where)
    return None, _skip(tokens, i)


def _inline(tok: Token, ctx: _Context, line: int, where: str | None) -> Run:
    """Inline tokens of one paragraph/heading -> Run. Images are collected
    as ``_Pending`` nodes for the caller (only steps keep them)."""
    first = line
    stack: list[tuple[str, list, str | None]] = [("root", [], None)]
    for child in tok.children or ():
        ct = child.type
        top = stack[-1][1]
        if ct == "text":
            top.append(Text(ctx.clean(child.content, line)))
            line += child.content.count("\n")  # inside a code span or literal text
        elif ct == "softbreak":
            top.append(Text("\n"))
            line += 1
        elif ct == "hardbreak":
            top.append(Break())
            line += 1
        elif ct == "code_inline":
            top.append(Code(ctx.clean(child.content, line)))
        elif ct in ("strong_open", "em_open"):
            stack.append((ct, [], None))
        elif ct == "link_open":
            href = child.attrGet("href") or ""
            url = _check_link(href, ctx, line, where)
            stack.append(("autolink" if child.markup == "autolink" else ct, [], url))
        elif ct in ("strong_close", "em_close", "link_close"):
            kind, children, url = stack.pop()
            parent = stack[-1][1]
            if kind == "strong_open":
                parent.append(Strong(tuple(_merge(tuple(children)))))
            elif kind == "em_open":
                parent.append(Emphasis(tuple(_merge(tuple(children)))))
            elif url is None:
                parent.extend(children)  # refused link: problem already reported
            elif kind == "autolink":
                # Its printed label is exactly its target (percent-escapes
                # of letters decoded, as a browser shows them).
                parent.append(Link((Text(_parser().normalizeLinkText(url)),), url))
            else:
                label = _raw_text(children)
                problem = label_problem(label, url)
                if problem:
                    ctx.problem(line, problem, hint="ghi tên trang bằng chữ, hoặc ghi đúng địa chỉ mà đường dẫn trỏ tới", where=where)
                    parent.extend(children)
                else:
                    parent.append(Link(tuple(_merge(tuple(children))) or (Text(url),), url))
        elif ct == "image":
            image = _check_image(child, ctx, line, where)
            if image is not None:
                top.append(_Pending(image))
        elif ct == "html_inline":
            ctx.problem(line, f"không dùng mã HTML trong hướng dẫn: {child.content[:40]!r}", hint="viết bằng chữ thường; in đậm dùng **chữ**", where=where)
        else:  # pragma: no cover
            top.append(Text(ctx.clean(child.content, line)))
    run = Run(_phones(_merge(tuple(stack[0][1]))))
    _check_words(run.raw, ctx, first, where)
    return run


def _check_words(text: str, ctx: _Context, line: int, where: str | None) -> None:
    """Refuse a word longer than ``MAX_WORD`` (the first one in ``text``,
    which starts on ``line``)."""
    m = long_word(text)
    if m is not None:
        ctx.problem(line + text.count("\n", 0, m.start()), long_word_message(m.group(0)), hint=LONG_WORD_HINT, where=where)


def long_word(text: str, url: bool = False) -> "re.Match | None":
    """The first word of ``text`` longer than ``MAX_WORD``, if any
    (``url``: ``text`` is an address, see ``_LONG_URL_WORD``)."""
    return (_LONG_URL_WORD if url else _LONG_WORD).search(text)


def long_word_message(word: str) -> str:
    return f"có một từ dài {len(word)} ký tự liền nhau (tối đa {MAX_WORD}), bắt đầu bằng {word[:20]!r}"


LONG_WORD_HINT = "thêm dấu cách; một địa chỉ web chỉ được ngắt dòng ở dấu '/' và '-'"


@dataclass(frozen=True)
class _Pending:
    """An image found in inline content, before its block decides about it."""

    image: Image
    children: tuple = ()


def _check_link(href: str, ctx: _Context, line: int, where: str | None) -> str | None:
    problem = link_problem(href)
    if problem:
        ctx.problem(line, problem, hint="chỉ nhận địa chỉ đầy đủ bắt đầu bằng https://, tên miền viết bằng chữ không dấu", where=where)
        return None
    return href


def link_problem(url: str) -> str | None:
    """Why ``url`` cannot be a link, or None: it must match ``HTTPS_URL``
    and pass ``host_problem``; once percent-decoded, it may not hold
    invisible characters."""
    problem = host_problem(url)
    if problem:
        return problem
    if not HTTPS_URL.match(url):
        return f"đường dẫn không được phép: {_short(url)!r}"
    from urllib.parse import unquote

    hidden = UNSAFE_CHARS.findall(unquote(url))
    if hidden:
        return f"đường dẫn {_short(url)!r} chứa ký tự ẩn ({char_codes(hidden)})"
    return None


def host_problem(url: str) -> str | None:
    """Why the host of an https ``url`` misleads, or None. A host must be
    plain ASCII letters, digits, hyphens and dots: markdown-it turns any
    other host (a Cyrillic "о", a zero-width joiner) into an ``xn--`` name
    that looks like the official one in print but leads elsewhere, so
    ``xn--`` labels are refused too."""
    if not url.startswith("https://"):
        return None
    host = re.split(r"[/?#]", url[len("https://"):], maxsplit=1)[0].rsplit(":", 1)[0]
    if (
        UNSAFE_CHARS.search(host)
        or not host.isascii()
        or any(label.lower().startswith("xn--") for label in host.split("."))
    ):
        return f"tên miền của đường dẫn {_short(url)!r} có chữ không phải ASCII hoặc ký tự ẩn: đường dẫn có thể dẫn tới một trang giả"
    return None


def _short(url: str) -> str:
    return url if len(url) <= 60 else url[:57] + "..."


def _host_of(url: str) -> str:
    rest = url.partition("://")[2] if "://" in url else url
    host = re.split(r"[/?#]", rest, maxsplit=1)[0].rsplit("@", 1)[-1].split(":", 1)[0].lower()
    return host[4:] if host.startswith("www.") else host


def _looks_like_address(word: str) -> bool:
    """"dichvucong.gov.vn", "www.x.vn", "https://..." but not "TP.HCM",
    "v.v." or "2.5kg"."""
    word = word.strip(".,;:!?()[]{}\"'“”‘’«»")
    if "://" in word or word.lower().startswith("www."):
        return True
    labels = re.split(r"[/?#:]", word, maxsplit=1)[0].split(".")
    tld = labels[-1]
    return (
        len(labels) >= 2
        and all(labels)
        and tld.isalpha()
        and tld.islower()
        and 2 <= len(tld) <= 24
        and all(label.replace("-", "").isalnum() for label in labels)
    )


def label_problem(label: str, url: str) -> str | None:
    """Why a link's label misleads, or None: a label that reads as an
    address must be plain ASCII (no Cyrillic "о" in "dichvucоng.gov.vn")
    and name the host the link leads to (or a parent of it)."""
    target = _host_of(url)
    for word in label.split():
        if not _looks_like_address(word):
            continue
        word = word.strip(".,;:!?()[]{}\"'“”‘’«»")
        if not word.isascii():
            return f"nhãn đường dẫn {word[:60]!r} trông như một địa chỉ nhưng có chữ không phải ASCII (chữ giống chữ Latinh)"
        shown = _host_of(word)
        if target != shown and not target.endswith("." + shown):
            return f"nhãn đường dẫn ghi {shown!r} nhưng đường dẫn dẫn tới {target!r}"
    return None


def _check_image(tok: Token, ctx: _Context, line: int, where: str | None) -> Image | None:
    src = tok.attrGet("src") or ""
    alt = " ".join(ctx.clean(_raw_text(_inline_children_text(tok)), line).split())
    hint = f"ảnh phải là tệp .png hoặc .jpg trong thư mục hướng dẫn '{IMAGE_DIR}/', viết ![mô tả ảnh]({IMAGE_DIR}/ten-tep.png)"
    from urllib.parse import unquote

    path = unquote(src)
    folder, _, name = path.partition("/")
    if (
        folder != IMAGE_DIR
        or not _SAFE_NAME.match(name)
        or posixpath.normpath(path) != path
        or not name.lower().endswith(IMAGE_TYPES)
    ):
        shown = src if len(src) <= 60 else src[:57] + "..."
        ctx.problem(line, f"ảnh không được phép: {shown!r}", hint=hint, where=where)
        return None
    if not alt:
        ctx.problem(line, f"ảnh '{path}' thiếu mô tả", hint="viết mô tả trong ngoặc vuông: ![Màn hình đăng nhập](" + path + ")", where=where)
        return None
    if ctx.image_files is not None and name not in ctx.image_files:
        ctx.problem(line, f"không tìm thấy tệp ảnh '{path}'", hint=f"đặt tệp vào thư mục '{IMAGE_DIR}/' cạnh các hướng dẫn", where=where)
        return None
    return Image(src=f"{IMAGE_DIR}/{name}", alt=alt, line=line)


def _inline_children_text(tok: Token):
    return tuple(Text(c.content) for c in (tok.children or ()) if c.type in ("text", "code_inline"))


def pop_images(run: Run) -> tuple[Run, tuple[Image, ...]]:
    """Split the images out of a run (top level and nested)."""
    images: list[Image] = []

    def walk(nodes):
        out = []
        for n in nodes:
            if type(n) is _Pending:
                images.append(n.image)
            elif type(n) in (Strong, Emphasis):
                out.append(type(n)(tuple(walk(n.children))))
            elif type(n) is Link:
                out.append(Link(tuple(walk(n.children)), n.url))
            else:
                out.append(n)
        return out

    children = walk(run.children)
    # Trim the spaces an image line leaves behind.
    while children and type(children[-1]) is Text and not children[-1].text.strip():
        children.pop()
    if children and type(children[-1]) is Text:
        children[-1] = Text(children[-1].text.rstrip())
    return Run(_merge(tuple(children))), tuple(images)


def refuse_images(run: Run, ctx_shown: str, where: str | None, problems: list[Problem], line: int) -> Run:
    """Outside steps an image is refused."""
    clean, images = pop_images(run)
    for img in images:
        text = f"mục '{where}': " if where else ""
        problems.append(
            Problem(
                path=ctx_shown,
                line=img.line or line,
                message=text + f"ảnh '{img.src}' chỉ được đặt trong một bước của mục 'Các bước'",
            )
        )
    return clean


# -- reading the standard sections ------------------------------------------


def section_key(heading: str) -> str:
    return unicodedata.normalize("NFC", heading).strip().rstrip(":").strip().casefold()


def steps_of(section: Section, shown: str, problems: list[Problem]) -> list[Step]:
    """The steps of "Các bước": its one ordered list, each item one
    paragraph plus image lines and an optional ``Ngắn:`` line."""
    where = section.heading.text
    lists = [b for b in section.blocks if type(b) is OrderedList]
    others = [b for b in section.blocks if type(b) is not OrderedList]
    if not lists:
        problems.append(Problem(path=shown, line=section.line, message=f"mục '## {where}' không có danh sách đánh số", hint="mỗi bước một dòng bắt đầu bằng '1. ', '2. '..."))
        return []
    if len(lists) > 1:
        problems.append(Problem(path=shown, line=lists[1].line, message=f"mục '## {where}' có {len(lists)} danh sách đánh số, chỉ được có một"))
        return []
    for b in others:
        if type(b) is Paragraph and b.content:
            # Text before or after the list: not a step, and it would be lost
            # on posters and radio: refuse rather than drop it silently.
            problems.append(Problem(path=shown, line=b.line, message=f"mục '## {where}': chỉ được có danh sách các bước, đoạn văn này không thuộc bước nào", hint="đưa đoạn này vào phần giới thiệu (trước '## Các bước') hoặc vào một bước"))
        elif type(b) is not Paragraph:
            problems.append(Problem(path=shown, line=b.line, message=f"mục '## {where}': chỉ được có danh sách các bước"))
    steps = []
    for item in lists[0].items:
        steps.append(_step(item, shown, where, problems))
    return steps


def _step(item: ListItem, shown: str, where: str, problems: list[Problem]) -> Step:
    content = Run()
    short: Run | None = None
    images: list[Image] = []
    paragraphs = 0
    for b in item.blocks:
        if type(b) is not Paragraph:
            problems.append(Problem(path=shown, line=b.line, message=f"mục '## {where}': một bước chỉ là một đoạn văn, không chứa danh sách, tiêu đề hay khối mã", hint="tách thành nhiều bước, hoặc viết liền thành câu"))
            continue
        run, imgs = pop_images(b.content)
        images += imgs
        if not run:
            continue
        raw = run.raw.lstrip()
        if raw.startswith(SHORT_PREFIX):
            short = run.slice(run.raw.index(SHORT_PREFIX) + len(SHORT_PREFIX))
            short = _strip(short)
            if not short:
                problems.append(Problem(path=shown, line=b.line, message=f"mục '## {where}': dòng '{SHORT_PREFIX}' để trống"))
            continue
        # "text\nNgắn: ..." in one paragraph (a soft line break before it)
        at = _short_at(run.raw)
        if at is not None:
            short = _strip(run.slice(at + len(SHORT_PREFIX)))
            run = _strip(run.slice(0, at))
            if not short:
                problems.append(Problem(path=shown, line=b.line, message=f"mục '## {where}': dòng '{SHORT_PREFIX}' để trống"))
        paragraphs += 1
        if paragraphs > 1:
            problems.append(Problem(path=shown, line=b.line, message=f"mục '## {where}': một bước chỉ là một đoạn văn", hint="tách thành bước riêng, hoặc bỏ dòng trống để viết liền"))
            continue
        content = _strip(run)
    if not content:
        problems.append(Problem(path=shown, line=item.line, message="bước để trống"))
    return Step(content=content, images=tuple(images), short=short or None, line=item.line)


def _short_at(raw: str) -> int | None:
    """Where a ``Ngắn:`` line starts inside a paragraph (after a line break)."""
    m = re.search(r"\n[ \t]*" + re.escape(SHORT_PREFIX), raw)
    return None if m is None else m.end() - len(SHORT_PREFIX)


def _strip(run: Run) -> Run:
    raw = run.raw
    a = len(raw) - len(raw.lstrip())
    b = len(raw.rstrip())
    return run.slice(a, b) if (a or b < len(raw)) else run


def items_of(section: Section, shown: str, problems: list[Problem]) -> list[Run]:
    """Items of a bulleted section ("Lưu ý", "Khi gặp khó khăn"): each list
    item one paragraph; a section without a list gives one item per
    paragraph."""
    where = section.heading.text
    out: list[Run] = []
    for b in section.blocks:
        if type(b) is Paragraph:
            out.append(refuse_images(b.content, shown, where, problems, b.line))
        elif type(b) in (BulletList, OrderedList):
            for item in b.items:
                paras = [x for x in item.blocks if type(x) is Paragraph]
                if len(item.blocks) != 1 or len(paras) != 1:
                    problems.append(Problem(path=shown, line=item.line, message=f"mục '## {where}': mỗi ý chỉ là một đoạn văn, không chứa danh sách con hay đoạn thứ hai", hint="tách thành nhiều ý"))
                    continue
                run = refuse_images(paras[0].content, shown, where, problems, item.line)
                if run:
                    out.append(run)
        else:
            problems.append(Problem(path=shown, line=b.line, message=f"mục '## {where}': chỉ gồm các ý dạng '- ...'"))
    return out


def free_blocks(blocks: Blocks, shown: str, where: str | None, problems: list[Problem]) -> Blocks:
    """The introduction or a free section: images refused, the rest kept."""

    def clean(b):
        t = type(b)
        if t is Paragraph:
            return Paragraph(refuse_images(b.content, shown, where, problems, b.line), b.line)
        if t is Heading:
            return Heading(b.level, refuse_images(b.content, shown, where, problems, b.line), b.line)
        if t in (BulletList, OrderedList):
            items = tuple(ListItem(tuple(clean(x) for x in i.blocks), i.line) for i in b.items)
            return OrderedList(items, b.start, b.line) if t is OrderedList else BulletList(items, b.line)
        return b

    return Blocks(tuple(clean(b) for b in blocks))


def parse_inline(md: str, strict: bool = True) -> Run:
    """One line of inline Markdown -> Run (for tools and tests; guides are
    parsed whole by ``parse_body``). Raises ValueError on anything the
    guide format refuses; ``strict=False``: refused links keep their label,
    refused HTML and images are left out."""
    ctx = _Context("<inline>", 1, None)
    tokens = _parser().parse(md)
    runs = [_inline(t, ctx, 1, None) for t in tokens if t.type == "inline"]
    if ctx.problems and strict:
        raise ValueError("; ".join(str(p) for p in ctx.problems))
    out: tuple = ()
    for r in runs:
        out += (Text(" "),) + r.children if out else r.children
    return pop_images(Run(_merge(out)))[0]


def parse_blocks(md: str) -> Blocks:
    """Block Markdown without sections -> Blocks (for tools and tests)."""
    body, problems = parse_body(md, "<blocks>", 1)
    if problems:
        raise ValueError("; ".join(str(p) for p in problems))
    return body.intro
