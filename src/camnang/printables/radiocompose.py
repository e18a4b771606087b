"""A team's radio PDF (``phat-thanh.pdf``) composed from laid-out blocks
(issue 27): the pages that laying out every script for the team gives
(``radio.render_team_pdf``, kept as the reference the tests compare with),
for about a third of the CPU.

A script is a column of blocks: its framed header, then paragraphs that
never break across pages (``radio.css``), with the split note between two
steps. Most paragraphs (preparation, steps, safety, the course) say the
same for every team; the header (reading time), the greeting, the help
and the closing name the team, its place or its phone. So:

- the *galley* (``Galley``): every paragraph of every guide's script for a
  typical team (``teampacks.RADIO_REFERENCE``) at the body size a team
  starts at and the next one tried (``radio.FONT_SIZES``), and the page
  numbers, laid out once per run (``posters/radio-blocks.html.j2``) with
  the blocks' measures (``Measure``), and kept in the cache;
- per team, the blocks the galley does not hold (a block is known by what
  its markup is made from: ``Block.key``), laid out in *one* document of
  the same kind, written with the contents page;
- pages are stacked by ``stack`` (the gaps are the blocks' collapsed
  margins as WeasyPrint used them; a block that does not fit goes to the
  next page, the closing stays together), each script's body size chosen
  by the last-page rule of ``radio.layout_sized`` in arithmetic, and
  ``write`` draws each block's content (``cut`` out of the blocks
  document's page: each block is a stacking context, drawn whole) where
  it lands, in the page's own content stream, fonts embedded once
  (``fontmerge``), the structure tree (headings, paragraphs, /Lang vi)
  rebuilt from the blocks' own, their marked content numbered again on
  each page.

Nothing is typeset here: every line is WeasyPrint's, so the words, line
breaks and look are those of the laid-out PDF
(``tests/test_radiocompose.py`` compares every character's position).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..render import radio as radio_text
from . import radio, templates
from .pdf import AUTHOR, printer

TEMPLATE = "radio-blocks.html.j2"
STYLESHEETS = (*radio.STYLESHEETS, "radio-blocks.css")
SOURCES = (TEMPLATE, *STYLESHEETS, *radio.TEAM_SOURCES)
"""What a team's composed radio PDF is made from."""
MAX_NUMBERED = 8
"""The galley holds page numbers "Trang i/N" up to N pages; a longer
script's numbers are laid out with the team's blocks."""
PT = 0.75
"""PDF points in a CSS pixel."""


@dataclass(frozen=True)
class Block:
    key: str
    """What the block's markup is made from (JSON): equal keys, equal blocks."""
    item: dict
    section: int
    """Index of its section in the script (-1: the header)."""
    keep: bool = False
    """Kept on one page with the block before it (the closing section)."""


def _key(item: dict) -> str:
    return json.dumps(item, ensure_ascii=False, sort_keys=True, default=str)


def blocks(script: radio_text.RadioScript, size: float) -> list[Block]:
    """The blocks of ``script`` at body size ``size``, in reading order
    (what ``radio.html.j2`` prints)."""
    out = []
    item = {"type": "header", "size": size, "lines": list(script.header_lines), "edition": script.edition}
    out.append(Block(_key(item), item, -1))
    split = script.split_after_step()
    for n, section in enumerate(script.sections):
        for i, (lead, rest) in enumerate(section.parts()):
            item = {"type": "p", "size": size, "section": section.kind, "first": i == 0, "lead": lead, "text": rest}
            out.append(Block(_key(item), item, n, keep=section.kind == "closing" and i > 0))
            if section.kind == "steps" and split and i == split:
                text = (
                    f"Chỗ chia đôi (không đọc lên): nếu phát làm hai lần, lần đầu dừng ở đây (hết bước {split}); "
                    f"lần sau đọc lại lời chào rồi đọc tiếp từ bước {split + 1}."
                )
                item = {"type": "split", "size": size, "section": section.kind, "first": False, "text": text}
                out.append(Block(_key(item), item, n))
    return out


def number_block(page: int, pages: int) -> Block:
    item = {"type": "number", "text": f"Trang {page}/{pages}"}
    return Block(_key(item), item, -1)


@dataclass
class Measure:
    """A block as laid out (CSS px, y downwards from its page's top)."""

    page: int
    top: float
    height: float
    content: float
    """From the top of its border box to the bottom of its last line."""
    margin_top: float
    margin_bottom: float
    after_section: float
    """Bottom margin of its section."""
    page_height: float
    """Height of the page it is on (PDF points)."""


@dataclass
class Sheet:
    """A laid-out blocks document: its measures by key; the A4 page's
    geometry (CSS px): where the text starts and ends, and the height
    ``radio.last_page_fill`` divides by."""

    measures: dict[str, Measure]
    top: float
    bottom: float
    area: float
    layout: Any = None


def lay_out(items: list[dict], settings, where: str) -> Sheet:
    """``items`` laid out (``radio-blocks.html.j2``: paragraphs one under
    the other on tall pages, each a stacking context of its own, so that
    ``cut`` finds it whole in the page's content; page numbers on A4 pages
    of their own), and measured."""
    from .compat import page_box
    from .fitting import body_box, bottom

    posters = settings.posters_dir
    html = templates.render(posters, TEMPLATE, items=items, author=AUTHOR)
    layout = printer(settings.print_font, where).layout(html, posters, [posters / n for n in STYLESHEETS])
    found: dict[str, tuple] = {}
    top = end = area = 0.0
    for n, page in enumerate(layout.document.pages):
        box = page_box(page)
        if page.height < 2 * page.width:  # an A4 page: a page number's
            top, area = body_box(page).content_box_y(), box.height
            end = box.content_box_y() + box.height
        for index, block, section in _find(box):
            found[index] = (n, page.height * PT, block, section)
    measures = {}
    for n, item in enumerate(items):
        if str(n) not in found:
            raise RuntimeError(f"radio blocks: block {n} not laid out")
        page, height, block, section = found[str(n)]
        y = block.border_box_y()
        measures[_key(item)] = Measure(
            page, y, block.border_height(), bottom(block) - y, block.margin_top, block.margin_bottom,
            section.margin_bottom if section is not None else 0.0, height,
        )
    return Sheet(measures, top, end, area, layout)


def _find(root):
    """(index, box, section box) of every block on a page."""
    out = []
    stack = [(root, None)]
    while stack:
        box, section = stack.pop()
        element = getattr(box, "element", None)
        if element is not None and getattr(box, "element_tag", None) == "section":
            section = box
        if element is not None and element.get("data-block") is not None and hasattr(box, "border_box_y"):
            out.append((element.get("data-block"), box, section))
            continue
        stack.extend((c, section) for c in getattr(box, "children", ()))
    return out


@dataclass
class Placed:
    key: str
    y: float
    """Where its border box's top lands (CSS px from the page's top)."""


def stack(items: list[Block], measures: dict[str, Measure], top: float, end: float) -> tuple[list[list[Placed]], float]:
    """``items`` stacked on pages: each block after the one before it by
    their collapsed margins, on the next page when it would cross ``end``
    (blocks kept together, ``Block.keep``, move as one). Returns the pages
    and where the last block's text ends."""
    pages: list[list[tuple[Block, float]]] = [[]]

    def below(page: list[tuple[Block, float]], block: Block) -> float:
        if not page:
            return top
        before, y = page[-1]
        pm, m = measures[before.key], measures[block.key]
        gap = max(pm.margin_bottom, m.margin_top)
        if before.section != block.section:
            gap = max(gap, pm.after_section)
        return y + pm.height + gap

    for block in items:
        y = below(pages[-1], block)
        if y + measures[block.key].height > end and pages[-1]:
            group: list[Block] = []
            if block.keep:
                start = max((i for i, (b, _) in enumerate(pages[-1]) if not b.keep), default=0)
                if start > 0:
                    group = [b for b, _ in pages[-1][start:]]
                    del pages[-1][start:]
            pages.append([])
            for b in group:
                pages[-1].append((b, below(pages[-1], b)))
            y = below(pages[-1], block)
        pages[-1].append((block, y))
    last, y = pages[-1][-1]
    return [[Placed(b.key, y) for b, y in page] for page in pages], y + measures[last.key].content


def fill(pages: list[list[Placed]], text_end: float, top: float, area: float) -> float:
    """``radio.last_page_fill`` in arithmetic."""
    if len(pages) <= 1:
        return 1.0
    return (text_end - top) / area


@dataclass
class Galley:
    """The shared blocks of a run: their PDF and measures (``lay_out``)."""

    pdf: bytes
    sheet: Sheet
    opened: Any = field(default=None, repr=False)
    """This process's copy of ``pdf`` (pikepdf), once a team needed it."""
    blocks: dict = field(default_factory=dict, repr=False)
    """Key -> (content, marked content): ``cut``."""
    resources: Any = field(default=None, repr=False)


def galley_items(guides, ctx, starts: list[int]) -> list[dict]:
    """What the galley holds: each guide's script for ``ctx``'s team (the
    reference) at the size a team starts at and the next one tried, but
    its header; the page numbers up to ``MAX_NUMBERED`` pages."""
    seen: set[str] = set()
    items = []
    order = len(radio.FONT_SIZES)
    for guide, start in zip(guides, starts):
        script = radio.script(guide, ctx)
        for index in (start, (start + 1) % order):
            for block in blocks(script, radio.FONT_SIZES[index])[1:]:
                if block.key not in seen:
                    seen.add(block.key)
                    items.append(block.item)
    for pages in range(1, MAX_NUMBERED + 1):
        for page in range(1, pages + 1):
            items.append(number_block(page, pages).item)
    return items


def make_galley(guides, ctx, starts: list[int]) -> tuple[bytes, bytes]:
    """The galley's PDF and its measures (JSON), to cache."""
    sheet = lay_out(galley_items(guides, ctx, starts), ctx.settings, ctx.where)
    data = sheet.layout.document.write_pdf(pdf_variant="pdf/ua-1")
    return data, _dump(sheet)


def _dump(sheet: Sheet) -> bytes:
    return json.dumps({
        "top": sheet.top, "bottom": sheet.bottom, "area": sheet.area,
        "measures": {k: list(vars(m).values()) for k, m in sheet.measures.items()},
    }, ensure_ascii=False, sort_keys=True).encode()


def load_galley(pdf: bytes, measures: bytes) -> Galley:
    data = json.loads(measures)
    sheet = Sheet({k: Measure(*v) for k, v in data["measures"].items()}, data["top"], data["bottom"], data["area"])
    return Galley(pdf, sheet)


class TooTall(Exception):
    """A paragraph taller than a page: stacking whole paragraphs cannot
    place it (WeasyPrint would split it across pages); the caller lays the
    team's PDF out instead (``radio.render_team_pdf``)."""


def compose(team, guides, ctx, scripts, starts: list[int], galley: Galley) -> tuple[bytes, int]:
    """The team's radio PDF and its page count (``radio.render_team_pdf``'s
    pages, composed). Raises ``TooTall`` for a paragraph taller than the
    page's text area (a guide's step of several hundred words)."""
    order = len(radio.FONT_SIZES)
    sheets: list[Sheet] = []
    own: dict[str, tuple[int, Measure]] = {}  # key -> (sheet index, measure)

    def measure(key: str) -> Measure:
        if key in galley.sheet.measures:
            return galley.sheet.measures[key]
        return own[key][1]

    def add(items: list[dict]) -> None:
        fresh, seen = [], set()
        for item in items:
            key = _key(item)
            if key not in galley.sheet.measures and key not in own and key not in seen:
                seen.add(key)
                fresh.append(item)
        if fresh:
            sheet = lay_out(fresh, ctx.settings, ctx.where)
            sheets.append(sheet)
            for key, m in sheet.measures.items():
                own[key] = (len(sheets) - 1, m)

    top, end, area = galley.sheet.top, galley.sheet.bottom, galley.sheet.area
    tried = [0] * len(guides)
    chosen: list[tuple[list[Block], list[list[Placed]]] | None] = [None] * len(guides)
    best: list[tuple[float, list[Block], list[list[Placed]]] | None] = [None] * len(guides)
    while any(c is None for c in chosen):
        pending = [n for n, c in enumerate(chosen) if c is None]
        columns = {n: blocks(scripts[n], radio.FONT_SIZES[(starts[n] + tried[n]) % order]) for n in pending}
        add([b.item for n in pending for b in columns[n]])
        if any(measure(b.key).height > end - top for n in pending for b in columns[n]):
            raise TooTall(team)
        for n in pending:
            column = columns[n]
            pages, text_end = stack(column, {b.key: measure(b.key) for b in column}, top, end)
            share = fill(pages, text_end, top, area)
            if share >= radio.LAST_PAGE_MIN:
                chosen[n] = (column, pages)
                continue
            if best[n] is None or share > best[n][0]:
                best[n] = (share, column, pages)
            tried[n] += 1
            if tried[n] == order:
                chosen[n] = best[n][1:]
    numbers = [number_block(p, len(pages)) for _, pages in chosen for p in range(1, len(pages) + 1)]
    add([b.item for b in numbers])
    entries = []
    page = 2
    for made, (_, pages) in zip(scripts, chosen):
        entries.append((made.written_title or made.title, page, page + len(pages) - 1))
        page += len(pages)
    contents = radio.contents_layout(team, ctx, entries)
    if contents.page_count != 1:
        entries = [(t, a + contents.page_count - 1, b + contents.page_count - 1) for t, a, b in entries]
        contents = radio.contents_layout(team, ctx, entries)
    return write(contents, chosen, scripts, sheets, own, galley), page - 2 + contents.page_count


# -- writing ------------------------------------------------------------------

GROUPS = ("/Part", "/Sect", "/NonStruct", "/Div", "/Art")
"""Structure elements that group blocks: one per script (per section)
in the composed file, not one per block."""


def _number_tree(tree) -> dict[int, Any]:
    out = {}
    stack = [tree]
    while stack:
        node = stack.pop()
        nums = node.get("/Nums")
        if nums is not None:
            for i in range(0, len(nums), 2):
                out[int(nums[i])] = nums[i + 1]
        stack.extend(node.get("/Kids", ()))
    return out


def page_tags(pdf) -> list[list[tuple[int, tuple]]]:
    """For each page of a tagged WeasyPrint PDF, its marked-content ids and
    each one's chain of structure elements below the document's: (type,
    object id) from the top down."""
    tree = _number_tree(pdf.Root.StructTreeRoot.ParentTree)
    chains: dict[tuple, tuple] = {}

    def chain(elem) -> tuple:
        og = elem.objgen
        if og not in chains:
            parent = elem.get("/P")
            if parent is None or parent.get("/Type") != "/StructElem" or parent.get("/S") == "/Document":
                chains[og] = ((str(elem.S), og),)
            else:
                chains[og] = chain(parent) + ((str(elem.S), og),)
        return chains[og]

    out = []
    for page in pdf.pages:
        index = page.obj.get("/StructParents")
        found = []
        if index is not None and int(index) in tree:
            for mcid, elem in enumerate(tree[int(index)]):
                if elem is not None and hasattr(elem, "get") and elem.get("/S") is not None:
                    found.append((mcid, chain(elem)))
        out.append(found)
    return out


NAMED = {"Tf": 0, "gs": 0, "Do": 0, "sh": 0, "cs": 0, "CS": 0}
"""Operators naming a resource, and which operand does."""
_MCID = re.compile(rb"/MCID (\d+)")


def _renamed(ops, prefix: str) -> list:
    """``ops`` with every resource name prefixed (``resources``): the
    galley's and the team's resources live side by side in the file."""
    import pikepdf

    out = []
    for operands, operator in ops:
        name = str(operator)
        if name in NAMED or name in ("scn", "SCN") and operands and isinstance(operands[-1], pikepdf.Name):
            at = NAMED.get(name, len(operands) - 1)
            operands = list(operands)
            operands[at] = pikepdf.Name("/" + prefix + str(operands[at])[1:])
            out.append(pikepdf.ContentStreamInstruction(operands, operator))
        else:
            out.append(pikepdf.ContentStreamInstruction(operands, operator))
    return out


def resources(pdf, pages, prefix: str) -> dict[str, dict]:
    """The resources of ``pages`` of a WeasyPrint PDF, each name prefixed
    (``_renamed``): category -> name -> object."""
    out: dict[str, dict] = {}
    for n in pages:
        for category, entries in pdf.pages[n].obj.get("/Resources", {}).items():
            for name, value in entries.items():
                name = "/" + prefix + name[1:]
                known = out.setdefault(category, {}).get(name)
                if known is not None and known.objgen != value.objgen:
                    raise RuntimeError(f"radio blocks: resource {name} names two objects")
                out[category][name] = value
    return out


def cut(pdf, number: int, keys: list[str], tags: list, prefix: str) -> dict[str, tuple]:
    """The blocks ``keys`` (in the order they are drawn: top to bottom) of
    page ``number`` of a blocks PDF (``lay_out``), each as content drawing
    only that block, resources renamed (``_renamed``), with its marked
    content (``page_tags``): key -> (bytes, tags). Each block is a stacking
    context, drawn whole in a ``q ... Q`` of its own; its content is the
    transformations it is drawn under, then that piece of the page's."""
    import pikepdf

    page = pdf.pages[number]
    ops = pikepdf.parse_content_stream(page)
    if len(keys) == 1 and json.loads(keys[0])["type"] == "number":
        return {keys[0]: (pikepdf.unparse_content_stream(_renamed(ops, prefix)), tags)}
    # The q ... Q groups of the content: [start, end, children, marked].
    root: list = [-1, len(ops), [], False]
    stack = [root]
    for i, (_, operator) in enumerate(ops):
        name = str(operator)
        if name == "q":
            group = [i, None, [], False]
            stack[-1][2].append(group)
            stack.append(group)
        elif name == "Q":
            stack.pop()[1] = i
        elif name == "BDC":
            for group in stack:
                group[3] = True
    path = [root]
    while True:
        marked = [g for g in path[-1][2] if g[3]]
        if len(marked) == len(keys) and (len(keys) > 1 or len(path) > 1):
            break
        if len(marked) != 1:
            raise RuntimeError(f"radio blocks: {len(marked)} pieces of content for {len(keys)} blocks")
        path.append(marked[0])
    prefix_ops = []
    for level, child in zip(path, path[1:] + [marked[0]]):
        for i in range(level[0] + 1, child[0]):
            operands, operator = ops[i]
            if str(operator) == "cm":
                prefix_ops.append(ops[i])
            elif str(operator) not in ("q", "Q") and not any(g[0] <= i <= g[1] for g in level[2]):
                raise RuntimeError(f"radio blocks: unexpected {operator} around the blocks")
        if level is not path[-1]:
            prefix_ops.append(pikepdf.ContentStreamInstruction([], pikepdf.Operator("q")))
    closing = [pikepdf.ContentStreamInstruction([], pikepdf.Operator("Q"))] * (len(path) - 1)
    by_mcid = dict(tags)
    out = {}
    for key, group in zip(keys, marked):
        piece = ops[group[0]:group[1] + 1]
        mcids = [
            int(operands[1].MCID) for operands, operator in piece
            if str(operator) == "BDC" and len(operands) > 1 and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]
        ]
        data = pikepdf.unparse_content_stream(prefix_ops + _renamed(piece, prefix) + closing)
        out[key] = (data, [(m, by_mcid[m]) for m in mcids if m in by_mcid])
    return out


def _cut_all(pdf, measures: dict[str, Measure], tags: list, prefix: str, offset: int = 0, only: set[int] | None = None) -> dict[str, tuple]:
    """``cut`` on every page of a blocks PDF (``only``: these pages),
    pages of the blocks document starting at page ``offset`` of ``pdf``."""
    pages: dict[int, list[tuple[float, str]]] = {}
    for key, m in measures.items():
        pages.setdefault(m.page, []).append((m.top, key))
    out = {}
    for number, found in sorted(pages.items()):
        if only is None or number + offset in only:
            out.update(cut(pdf, number + offset, [key for _, key in sorted(found)], tags[number + offset], prefix))
    return out


def write(contents, chosen, scripts, sheets: list[Sheet], own, galley: Galley) -> bytes:
    """The composed PDF: the contents page, then each script's pages, every
    block's content drawn where it lands (``Placed``), tagged: the
    structure tree rebuilt from the blocks' (``page_tags``), their marked
    content numbered again on each page."""
    import pikepdf

    from . import stamp

    Name, Dictionary, Array = pikepdf.Name, pikepdf.Dictionary, pikepdf.Array
    # The team's own blocks and the contents page, written as one document
    # (fonts subset once), then cut into blocks.
    pages = list(contents.document.pages)
    offsets = []
    for sheet in sheets:
        offsets.append(len(pages))
        pages += sheet.layout.document.pages
    pdf = stamp.open_pdf(contents.document.copy(pages).write_pdf(pdf_variant="pdf/ua-1"))
    tags = page_tags(pdf)
    contents_pages = len(contents.document.pages)
    whole = [
        (pikepdf.unparse_content_stream(_renamed(pikepdf.parse_content_stream(pdf.pages[n]), "T")), tags[n])
        for n in range(contents_pages)
    ]
    used = {p.key for _, placed in chosen for page in placed for p in page} | {
        number_block(n, len(placed)).key for _, placed in chosen for n in range(1, len(placed) + 1)
    }
    mine: dict[str, tuple] = {}
    wanted_pages = set(range(contents_pages))
    for s, (sheet, offset) in enumerate(zip(sheets, offsets)):
        wanted = {sheet.measures[k].page + offset for k in used if k in sheet.measures and own[k][0] == s}
        if wanted:
            mine.update(_cut_all(pdf, sheet.measures, tags, "T", offset, wanted))
            wanted_pages |= wanted
    mediabox = pdf.pages[0].mediabox
    a4 = float(mediabox[3])
    if galley.opened is None:
        galley.opened = stamp.open_pdf(galley.pdf)
        galley.blocks = _cut_all(galley.opened, galley.sheet.measures, page_tags(galley.opened), "G")
        found = resources(galley.opened, range(len(galley.opened.pages)), "G")
        galley.resources = galley.opened.make_indirect(Dictionary({
            category: Dictionary(entries) for category, entries in found.items()
        }))
    merged = resources(pdf, sorted(wanted_pages), "T")
    for category, entries in pdf.copy_foreign(galley.resources).items():
        for name, value in entries.items():
            merged.setdefault(category, {})[name] = value
    shared = pdf.make_indirect(Dictionary({category: Dictionary(entries) for category, entries in merged.items()}))

    def block(key: str):
        if key in galley.sheet.measures:
            return (*galley.blocks[key], galley.sheet.measures[key])
        return (*mine[key], own[key][1])

    out_pages = []  # (content, tags, dy, scope)
    for n in range(contents_pages):
        out_pages.append([(*whole[n], 0.0, (-1 - n,))])
    starts = []
    for s, (column, placed_pages) in enumerate(chosen):
        starts.append(len(out_pages))
        sections = {b.key: b.section for b in column}
        for p, page in enumerate(placed_pages):
            drawn = []
            for placed in page:
                data, t, m = block(placed.key)
                drawn.append((data, t, (m.page_height - a4) / PT + placed.y - m.top, (s, sections[placed.key])))
            data, t, _ = block(number_block(p + 1, len(placed_pages)).key)
            drawn.append((data, t, 0.0, (s, -2)))
            out_pages.append(drawn)
    for _ in range(len(pdf.pages)):
        del pdf.pages[-1]

    root = pdf.Root.StructTreeRoot
    document = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=root))
    kids: dict[tuple, list] = {document.objgen: []}
    elems = [document]
    grouping_elems: set[tuple[int, int]] = set()
    nums = []
    made: dict[tuple, Any] = {}
    for number, drawn in enumerate(out_pages):
        page = pdf.make_indirect(Dictionary(Type=Name.Page, MediaBox=mediabox, Resources=shared, StructParents=number))
        content = []
        marks: list = []
        for i, (data, t, dy, scope) in enumerate(drawn):
            renumber: dict[int, int] = {}
            for mcid, chain in t:
                parent = document
                grouping = True
                for depth, (kind, og) in enumerate(chain):
                    if kind == "/Span" and depth == len(chain) - 1:
                        break  # a line of its element: the element holds it
                    grouping = grouping and kind in GROUPS
                    if grouping:
                        key = ("g", scope[0], kind, depth) if depth == 0 else ("g", scope, kind, depth)
                    else:
                        key = ("e", number, i, og)
                    elem = made.get(key)
                    if elem is None:
                        elem = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name(kind), P=parent, Pg=page))
                        kids[parent.objgen].append(elem)
                        kids[elem.objgen] = []
                        elems.append(elem)
                        made[key] = elem
                        if grouping:
                            grouping_elems.add(elem.objgen)
                    parent = elem
                renumber[mcid] = len(marks)
                marks.append(parent)
                if parent.objgen in grouping_elems:  # may hold content of several pages
                    kids[parent.objgen].append(Dictionary(Type=Name.MCR, Pg=page, MCID=renumber[mcid]))
                else:
                    kids[parent.objgen].append(renumber[mcid])
            if renumber:
                data = _MCID.sub(lambda m: b"/MCID %d" % renumber[int(m[1])], data)
            shift = f"q 1 0 0 1 0 {-dy * PT:.4f} cm\n".encode() if dy else b"q\n"
            content += [shift, data, b"\nQ\n"]
        nums += [number, Array(marks)]
        page.Contents = pdf.make_stream(b"".join(content))
        pdf.pages.append(pikepdf.Page(page))
    for elem in elems:
        elem.K = Array(kids[elem.objgen])
    root.K = Array([document])
    root.ParentTree = pdf.make_indirect(Dictionary(Nums=Array(nums)))
    root.ParentTreeNextKey = len(out_pages)
    if "/IDTree" in root:
        del root["/IDTree"]
    _outline(pdf, [pdf.pages[0]] + [pdf.pages[n] for n in starts], [None] + list(scripts))
    _share_fonts(pdf, list(shared.get("/Font", Dictionary()).values()))
    return stamp.save(pdf)


def _outline(pdf, pages, scripts) -> None:
    """Bookmarks: the contents page and each script (as WeasyPrint makes
    them from the headings)."""
    import pikepdf

    old = pdf.Root.get("/Outlines")
    first_title = str(old.First.Title) if old is not None and "/First" in old else "Bài phát thanh"
    outlines = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Outlines))
    items = []
    for page, made in zip(pages, scripts):
        title = first_title if made is None else made.header_lines[0]
        items.append(pdf.make_indirect(pikepdf.Dictionary(
            Title=pikepdf.String(title), Parent=outlines, Dest=pikepdf.Array([page.obj, pikepdf.Name.Fit]),
        )))
    for a, b in zip(items, items[1:]):
        a.Next = b
        b.Prev = a
    outlines.First, outlines.Last, outlines.Count = items[0], items[-1], len(items)
    pdf.Root.Outlines = outlines


def _share_fonts(pdf, fonts) -> int:
    """Each face embedded once: the galley's subset and the team's merged
    (``fontmerge``), as ``stamp.share_fonts`` does for stamped files."""
    from . import fontmerge
    from .stamp import font_program

    faces: dict[str, dict] = {}
    for font in fonts:
        program = font_program(font)
        if program is not None:
            name = str(font.get("/BaseFont")).split("+")[-1]
            faces.setdefault(name, {}).setdefault(program[0].objgen, program)
    shared = 0
    for programs in faces.values():
        if len(programs) != 2:
            continue
        (a, used_a), (b, used_b) = [programs[k] for k in sorted(programs)]
        merged = fontmerge.merge(a.FontFile2.read_bytes(), used_a, b.FontFile2.read_bytes(), used_b)
        if merged is None:
            continue
        stream = pdf.make_stream(merged)
        stream.Length1 = len(merged)
        a.FontFile2 = stream
        b.FontFile2 = stream
        shared += 1
    return shared
