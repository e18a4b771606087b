#!/usr/bin/env python3
"""Contact sheets of the printables already built: ``make previews``.

Reads the PDFs in ``site/in-an`` (built by ``make build``), and, when a
team folder is given, that team's pack (``build_posters.py --teams``), and
draws one sheet per kind, every page of every file, large enough to read
the steps:

    previews/to-roi.png      leaflets, fronts and backs
    previews/ap-phich.png    posters
    previews/phat-thanh.png  radio scripts, every page
    previews/lo-trinh.png    journey sheets
    previews/the-zalo.png    Zalo cards (PNG pictures, shown as they are)
    previews/so-tay-in-gap.png  the handbook's imposed sides (A4 landscape,
                             two A5 pages each), as they come out of the copier
    previews/<team>-<kind>.png  the same for the team folder
    previews/index.html      the sheets and every fault found

Nothing is rendered again: what the sheet shows is what will be printed.
Each tile is labelled with the file, the page, the step type size (the
size most of the page's text is set in, read from the PDF's text) and the
columns, and is framed in red with the reason when:

- the steps are below the floor (13 pt on leaflets, 24 pt on posters);
- a page is set in two columns, or a poster takes two sheets;
- the last page of a file is nearly empty (less than a third of the text
  of the fullest page);
- (team folder) a sentence of the generic file is missing from the team's;
- (Zalo cards) a picture that is not 1080x1350 px or weighs over 300 KB.

    .venv/bin/python scripts/previews.py                       # site/in-an
    .venv/bin/python scripts/previews.py goi-to/xa-huong-lac   # and a team
    .venv/bin/python scripts/previews.py --in-an /tmp/out --out /tmp/previews
"""

from __future__ import annotations

import argparse
import ctypes
import html
import math
import re
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FONT_DIR = Path("/usr/share/fonts/truetype/noto")

KINDS = {
    # prefix: (sheet title, floor of the step type size in pt or None)
    "to-roi": ("Tờ rơi A4", 13.0),
    "ap-phich": ("Áp phích A3", 24.0),
    "phat-thanh": ("Bài phát thanh", None),
    "lo-trinh": ("Tờ lộ trình", None),
    "the-zalo": ("Ảnh gửi nhóm Zalo", None),
    "so-tay-in-gap": ("Sổ tay, bản in gập: các mặt giấy A4 như ra khỏi máy photo", None),
}
CARD_SIZE = (1080, 1350)
CARD_MAX_KB = 300
TEAM_CARD = "the-zalo-to.png"
NEARLY_EMPTY = 1 / 3
"""A last page with less text than this share of the fullest page's."""
GENERIC_ONLY = ("Cần người giúp?", "Hỏi tổ công nghệ số cộng đồng ở thôn, xã mình.", "Quét để")
"""Text of the generic footer, which a team's own strip replaces."""
RED = (200, 0, 0)


@dataclass
class Page:
    file: str
    number: int
    pages: int
    image: object
    size: float | None
    """Step type size: the size most of the page's text is set in (pt)."""
    columns: int
    chars: int
    faults: list[str] = field(default_factory=list)
    note: str | None = None
    """Second label line in place of the type size (pictures)."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="previews.py",
        description="Trang tổng quan các bản in đã tạo: mỗi loại một ảnh PNG, mọi trang, đánh dấu đỏ chỗ lỗi.",
    )
    parser.add_argument("team", nargs="?", type=Path, help="thư mục của một tổ (build_posters.py --teams)")
    parser.add_argument("--in-an", type=Path, default=ROOT / "site" / "in-an", help="thư mục bản in chung (mặc định: site/in-an)")
    parser.add_argument("--out", type=Path, default=ROOT / "previews", help="thư mục ghi ảnh (mặc định: previews)")
    parser.add_argument("--tile", type=int, default=640, help="chiều rộng mỗi ô, điểm ảnh (mặc định 640, tối thiểu 600)")
    parser.add_argument("--columns", type=int, default=4, help="số ô mỗi hàng (mặc định 4)")
    return parser.parse_args(argv)


def _font(size: int, bold: bool = False):
    from PIL import ImageFont

    name = "NotoSans-Bold.ttf" if bold else "NotoSans-Regular.ttf"
    try:
        return ImageFont.truetype(str(FONT_DIR / name), size)
    except OSError:
        return ImageFont.load_default()


def _text_facts(textpage) -> tuple[float | None, int, int]:
    """(step type size in pt, columns, characters) of one page."""
    import pypdfium2.raw as pdfium_c

    matrix = pdfium_c.FS_MATRIX()
    chars = []
    left, right = ctypes.c_double(), ctypes.c_double()
    bottom, top = ctypes.c_double(), ctypes.c_double()
    origin_x, origin_y = ctypes.c_double(), ctypes.c_double()
    for i in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(textpage.raw, i)
        if code <= 32 or chr(code).isspace():
            continue
        pdfium_c.FPDFText_GetMatrix(textpage.raw, i, ctypes.byref(matrix))
        size = pdfium_c.FPDFText_GetFontSize(textpage.raw, i) * math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
        pdfium_c.FPDFText_GetCharBox(textpage.raw, i, ctypes.byref(left), ctypes.byref(right), ctypes.byref(bottom), ctypes.byref(top))
        pdfium_c.FPDFText_GetCharOrigin(textpage.raw, i, ctypes.byref(origin_x), ctypes.byref(origin_y))
        chars.append((round(size, 1), left.value, right.value, round(origin_y.value)))
    if not chars:
        return None, 0, 0
    body = Counter(c[0] for c in chars).most_common(1)[0][0]
    return body, _columns([(a, b, y) for size, a, b, y in chars if abs(size - body) < 0.3]), len(chars)


def _columns(boxes: list[tuple[float, float, int]]) -> int:
    """1 or 2: whether the text (character boxes and baselines at the step
    size) has a gutter in the middle. Text in one column crosses the middle
    on nearly every long line (a space falls there now and then); two
    columns leave it blank on line after line, with text on both sides,
    even under a paragraph that spans the page."""
    if len(boxes) < 150:
        return 1
    lo, hi = min(a for a, _, _ in boxes), max(b for _, b, _ in boxes)
    middle = (lo + hi) / 2
    lines: dict[int, list[tuple[float, float]]] = {}
    for a, b, y in boxes:
        lines.setdefault(y, []).append((a, b))
    left = right = 0
    for y in sorted(lines, reverse=True):  # top to bottom
        line = lines[y]
        if any(a - 2 <= middle <= b + 2 for a, b in line):
            left = right = 0  # text over the middle: no gutter here
            continue
        # (A column starts at the text's left edge: captions of the QR
        # row sit in cells, away from it.)
        left += min(a for a, _ in line) < lo + (hi - lo) * 0.1
        right += any(a > middle for a, _ in line)
        if left >= 4 and right >= 4:
            return 2
    return 1



def _sentences(text: str) -> list[str]:
    """Sentences of a page's text, line breaks kept inside them."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.strip()) > 3]


def _squash(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\u00ad", "").replace("\ufffe", "")
    return "".join(text.split())


def read_pdf(path: Path, kind: str, tile: int) -> tuple[list[Page], str]:
    """Every page of ``path`` as a tile with its facts, and the file's text."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    pages: list[Page] = []
    texts = []
    try:
        count = len(doc)
        for index in range(count):
            page = doc[index]
            image = page.render(scale=tile / page.get_width()).to_pil().convert("RGB")
            textpage = page.get_textpage()
            size, columns, chars = _text_facts(textpage)
            texts.append(textpage.get_text_range())
            pages.append(Page(path.name, index + 1, count, image, size, columns, chars))
    finally:
        doc.close()
    _, floor = KINDS[kind]
    # A team's ap-phich.pdf holds every guide's poster after a contents
    # page: the contents is not a poster, and many pages are not a poster
    # on many sheets.
    combined = path.stem == kind == "ap-phich"
    for page in pages[1:] if combined else pages:
        if floor is not None and page.size is not None and page.size < floor - 0.05:
            page.faults.append(f"chữ {_pt(page.size)} pt < {_pt(floor)} pt")
        if page.columns == 2 and kind != "so-tay-in-gap":  # two A5 pages a side, by design
            page.faults.append("hai cột")
    if kind == "ap-phich" and len(pages) > 1 and not combined:
        for page in pages:
            page.faults.append(f"áp phích {len(pages)} tờ")
    if len(pages) > 1 and not combined:
        fullest = max(p.chars for p in pages[:-1])
        if pages[-1].chars < fullest * NEARLY_EMPTY:
            pages[-1].faults.append(f"trang cuối gần trống ({pages[-1].chars} / {fullest} ký tự)")
    return pages, "\n".join(texts)


def missing_sentences(generic: str, team: str) -> list[str]:
    """Sentences of the generic file's text that the team's file lacks
    (the generic footer aside, which the team's strip replaces)."""
    have = _squash(team)
    lost = []
    for sentence in _sentences(generic):
        if _squash(sentence) in have:
            continue
        # The footer (QR captions and addresses, which a team's strip sets
        # differently) has no full stops: a "sentence" may run from the
        # last line before it into it. Only what comes before it counts.
        cut = min((sentence.find(g) for g in GENERIC_ONLY if g in sentence), default=-1)
        if cut >= 0 and _squash(sentence[:cut]) in have:
            continue
        lost.append(" ".join(sentence.split()))
    return lost


def _pt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")


def label(page: Page) -> list[str]:
    if page.note:
        return [f"{page.file}  ·  trang {page.number}/{page.pages}", page.note]
    size = f"chữ bước {_pt(page.size)} pt" if page.size else "không có chữ"
    return [f"{page.file}  ·  trang {page.number}/{page.pages}", f"{size}  ·  {page.columns} cột" if page.size else size]


def _fit(draw, text: str, font, width: int) -> str:
    """``text`` cut with "…" to ``width`` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def sheet(title: str, pages: list[Page], tile: int, columns: int, out: Path) -> None:
    from PIL import Image, ImageDraw

    head_h, pad = 64, 12
    fault_font, label_font, title_font = _font(17, bold=True), _font(18), _font(30, bold=True)
    cells = []
    for page in pages:
        faults = page.faults
        extra = 24 * len(faults)
        cells.append((page, head_h + extra + page.image.height))
    per_row = max(1, min(columns, len(cells)))
    rows = [cells[i:i + per_row] for i in range(0, len(cells), per_row)]
    row_h = [max(h for _, h in row) for row in rows]
    width = per_row * (tile + pad) + pad
    height = 60 + sum(h + pad for h in row_h) + pad
    canvas = Image.new("RGB", (width, height), (235, 235, 235))
    draw = ImageDraw.Draw(canvas)
    bad = sum(1 for p in pages if p.faults)
    draw.text((pad, 12), f"{title}: {len(pages)} trang, {bad} trang có lỗi", fill=RED if bad else "black", font=title_font)
    y = 60
    for row, h in zip(rows, row_h):
        x = pad
        for page, _ in row:
            colour = RED if any(f.startswith(("chữ ", "hai cột", "cỡ ảnh", "ảnh ")) for f in page.faults) else "black"
            draw.rectangle((x, y, x + tile - 1, y + h - 1), fill="white")
            lines = label(page)
            draw.text((x + 8, y + 6), lines[0], fill="black", font=label_font)
            draw.text((x + 8, y + 32), lines[1], fill=colour, font=label_font)
            ty = y + head_h
            for fault in page.faults:
                draw.text((x + 8, ty - 4), _fit(draw, "LỖI: " + fault, fault_font, tile - 16), fill=RED, font=fault_font)
                ty += 24
            canvas.paste(page.image, (x, ty))
            if page.faults:
                draw.rectangle((x, y, x + tile - 1, y + h - 1), outline=RED, width=6)
            x += tile + pad
        y += h + pad
    out.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(out, optimize=False, compress_level=3)


def kind_of(path: Path) -> str | None:
    for prefix in KINDS:
        if (path.name.startswith(prefix + "-") or path.stem == prefix) and path.suffix == ".pdf":
            return prefix
    return None


def card_order(names: set[str]):
    """Sort key of Zalo cards: the team's card first, then each guide's
    series in order (``the-zalo-abc.png``, ``-2``, ``-3``; by name alone
    ``-2`` would come before the first)."""

    def key(name: str) -> tuple[str, int]:
        if name == TEAM_CARD:
            return ("", 0)
        match = re.fullmatch(r"the-zalo-(.+)-([0-9]+)\.png", name)
        if match and f"the-zalo-{match.group(1)}.png" in names:
            return (match.group(1), int(match.group(2)))
        return (name[len("the-zalo-"):-len(".png")], 1)

    return key


def read_cards(folder: Path, tile: int) -> list[Page]:
    """Every Zalo card of ``folder`` as a tile (the picture itself, scaled
    to the tile), flagged when its size or weight is wrong."""
    from PIL import Image

    paths = {p.name: p for p in folder.glob("the-zalo-*.png")}
    pages = []
    for name in sorted(paths, key=card_order(set(paths))):
        path = paths[name]
        kb = path.stat().st_size / 1024
        with Image.open(path) as picture:
            size = picture.size
            image = picture.convert("RGB").resize((tile, round(tile * size[1] / size[0])))
        page = Page(name, 1, 1, image, None, 1, 0, note=f"ảnh {size[0]}×{size[1]} px  ·  {kb:.0f} KB")
        if size != CARD_SIZE:
            page.faults.append(f"cỡ ảnh {size[0]}×{size[1]}, cần {CARD_SIZE[0]}×{CARD_SIZE[1]}")
        if kb > CARD_MAX_KB:
            page.faults.append(f"ảnh {kb:.0f} KB > {CARD_MAX_KB} KB")
        pages.append(page)
    return pages


def collect(folder: Path, tile: int, generic: dict[str, str] | None = None) -> tuple[dict[str, list[Page]], dict[str, str]]:
    """Tiles of every PDF in ``folder`` by kind, and each file's text.
    With ``generic`` (file name: text of the generic file), flag team files
    that lack a generic sentence."""
    by_kind: dict[str, list[Page]] = {}
    texts: dict[str, str] = {}
    for path in sorted(folder.glob("*.pdf")):
        kind = kind_of(path)
        if kind is None:
            continue
        pages, text = read_pdf(path, kind, tile)
        texts[path.name] = text
        # Radio scripts are rewritten for the team by design (their opening
        # and closing name the team): only leaflets and posters must keep
        # every generic sentence.
        if generic is not None and path.name in generic and kind in ("to-roi", "ap-phich"):
            lost = missing_sentences(generic[path.name], text)
            if lost:
                shown = lost[0] if len(lost[0]) <= 60 else lost[0][:57] + "…"
                pages[0].faults.append(f"thiếu {len(lost)} câu của bản chung: «{shown}»")
        by_kind.setdefault(kind, []).extend(pages)
    cards = read_cards(folder, tile)
    if cards:
        by_kind["the-zalo"] = cards
    return by_kind, texts


def write_index(out: Path, sheets: list[tuple[str, str, list[Page]]]) -> Path:
    parts = ["<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>Trang tổng quan bản in</title>",
             "<h1>Trang tổng quan bản in</h1>"]
    for name, title, pages in sheets:
        bad = [p for p in pages if p.faults]
        parts.append(f"<h2>{html.escape(title)}: {len(pages)} trang, {len(bad)} trang có lỗi</h2>")
        if bad:
            parts.append("<ul>")
            for p in bad:
                parts.append(f"<li>{html.escape(p.file)}, trang {p.number}: {html.escape('; '.join(p.faults))}</li>")
            parts.append("</ul>")
        parts.append(f"<p><a href=\"{html.escape(name)}\"><img src=\"{html.escape(name)}\" width=\"100%\" alt=\"{html.escape(title)}\"></a></p>")
    index = out / "index.html"
    index.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return index


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    tile = max(600, args.tile)
    if not args.in_an.is_dir():
        print(f"previews: không có thư mục {args.in_an}: hãy chạy 'make build' trước", file=sys.stderr)
        return 2
    if args.team is not None and not args.team.is_dir():
        print(f"previews: không có thư mục tổ {args.team}", file=sys.stderr)
        return 2
    sheets: list[tuple[str, str, list[Page]]] = []
    generic_pages, generic_text = collect(args.in_an, tile)
    folders = [("", generic_pages)]
    if args.team is not None:
        team_pages, _ = collect(args.team, tile, generic_text)
        folders.append((args.team.name + "-", team_pages))
    for prefix, by_kind in folders:
        for kind, (title, _) in KINDS.items():
            pages = by_kind.get(kind)
            if not pages:
                continue
            name = f"{prefix}{kind}.png"
            shown = f"{title} ({prefix[:-1]})" if prefix else title
            sheet(shown, pages, tile, args.columns, args.out / name)
            sheets.append((name, shown, pages))
    if not sheets:
        print(f"previews: không có bản in nào trong {args.in_an}", file=sys.stderr)
        return 2
    index = write_index(args.out, sheets)
    faults = 0
    for _, _, pages in sheets:
        for p in pages:
            if p.faults:
                faults += 1
                print(f"{p.file} trang {p.number}: {'; '.join(p.faults)}")
    print(f"previews: {len(sheets)} ảnh, {sum(len(p) for _, _, p in sheets)} trang, {faults} trang có lỗi: {index} ({time.monotonic() - started:.0f} giây)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
