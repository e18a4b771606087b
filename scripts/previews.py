#!/usr/bin/env python3
"""One contact sheet of every printable: ``make previews``.

Renders the first page of every printable (leaflet, poster and radio
script of every guide), then of one team's pack (its leaflet and poster of
every guide) and, last row, the leaflet and poster of the first guide for
every team of the example roster (each variant of the team strip: Zalo,
phone only, neither), into one PNG, so a reviewer sees everything at a
glance and opens the PDFs only where something looks wrong.

    .venv/bin/python scripts/previews.py                     # previews/contact-sheet.png
    .venv/bin/python scripts/previews.py --only vneid-kich-hoat thanh-toan-qr
    .venv/bin/python scripts/previews.py --roster teams/vi-du.csv --team xa-huong-lac --out /tmp/sheet.png

The PDFs are built with the same library calls as ``build_posters.py``
(through the shared cache, so a second run is quick) into ``previews/pdf/``
next to the sheet. Without ``CAMNANG_SITE_URL`` the preview uses a
placeholder site address (``https://camnang.example/``, a reserved name
that leads nowhere) so that the page QR code shows in its place; the
sheet's caption says so.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER_SITE = "https://camnang.example/"
FONT_DIR = Path("/usr/share/fonts/truetype/noto")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="previews.py", description="Trang tổng quan: trang đầu của mọi bản in trong một ảnh PNG.")
    parser.add_argument("--config", default=str(ROOT / "mkdocs.yml"))
    parser.add_argument("--out", type=Path, default=ROOT / "previews" / "contact-sheet.png")
    parser.add_argument("--only", nargs="+", metavar="SLUG", help="only these guides")
    parser.add_argument("--roster", type=Path, default=ROOT / "teams" / "vi-du.csv")
    parser.add_argument("--team", help="id of the team whose whole pack is shown (default: the roster's first)")
    parser.add_argument("--tile", type=int, default=300, help="tile width in pixels (default 300)")
    parser.add_argument("--jobs", type=int, default=None)
    return parser.parse_args(argv)


def _font(size: int, bold: bool = False):
    from PIL import ImageFont

    name = "NotoSans-Bold.ttf" if bold else "NotoSans-Regular.ttf"
    try:
        return ImageFont.truetype(str(FONT_DIR / name), size)
    except OSError:
        return ImageFont.load_default()


def first_page(pdf: Path, width: int):
    """Page 1 of ``pdf`` as a PIL image ``width`` pixels wide, and its page count."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        page = doc[0]
        points = page.get_width()
        image = page.render(scale=width / points).to_pil().convert("RGB")
        return image, len(doc)
    finally:
        doc.close()


def text_tile(width: int, height: int, lines: list[str]):
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    y = 10
    for line in lines:
        draw.text((10, y), line, fill="black", font=_font(13))
        y += 18
    return image


def sheet(rows: list[tuple[str, list[tuple[str, Path]]]], tile: int, caption: str, out: Path) -> tuple[int, int]:
    """Lay the rows of (label, [(file label, pdf)]) out as one PNG."""
    from PIL import Image, ImageDraw

    height = round(tile * 297 / 210)  # A4 and A3: the same proportions
    label_h, row_head, gap = 36, 34, 14
    columns = max(len(files) for _, files in rows)
    width = gap + columns * (tile + gap)
    total = 60 + sum(row_head + height + label_h + gap for _ in rows)
    canvas = Image.new("RGB", (width, total), (224, 224, 224))
    draw = ImageDraw.Draw(canvas)
    draw.text((gap, 14), caption, fill="black", font=_font(20, bold=True))
    y = 60
    for title, files in rows:
        draw.text((gap, y + 4), title, fill="black", font=_font(18, bold=True))
        y += row_head
        for i, (name, pdf) in enumerate(files):
            x = gap + i * (tile + gap)
            if pdf.suffix == ".pdf":
                image, pages = first_page(pdf, tile)
            else:
                text = pdf.read_text(encoding="utf-8").splitlines()
                image, pages = text_tile(tile, height, [line[:42] for line in text[:40]]), 0
            image = image.crop((0, 0, tile, min(image.height, height)))
            canvas.paste(image, (x, y))
            draw.rectangle((x - 1, y - 1, x + tile, y + image.height), outline=(90, 90, 90))
            note = f"{name}" + (f"  ({pages} tr.)" if pages else "")
            draw.text((x, y + height + 4), note[:48], fill="black", font=_font(13))
        y += height + label_h + gap
    out.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(out, optimize=True)
    return canvas.size


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    site_url = os.environ.get("CAMNANG_SITE_URL", "")
    placeholder = not site_url
    if placeholder:
        os.environ["CAMNANG_SITE_URL"] = PLACEHOLDER_SITE
    sys.path.insert(0, str(ROOT / "src"))
    from camnang.config import load_settings
    from camnang.errors import CamnangError
    from camnang.printables.pipeline import build
    from camnang.printables.teampacks import build_packs
    from camnang.roster import load_roster
    from camnang.validate import load_library
    from camnang.printables.leaflet import LEAFLET
    from camnang.printables.poster import POSTER
    from camnang.printables.radio import RADIO_PDF

    started = time.perf_counter()
    pdf_dir = args.out.parent / "pdf"
    warnings: list[str] = []
    try:
        settings = load_settings(args.config)
        library = load_library(settings.guides_dir, settings.categories, on_warning=warnings.append)
        guides = [g for g in library.guides if args.only is None or g.slug in args.only]
        roster = load_roster(args.roster)
        team = next((t for t in roster.teams if t.id == args.team), None) if args.team else roster.teams[0]
        if team is None:
            print(f"previews: no team '{args.team}' in {args.roster}", file=sys.stderr)
            return 2
        build(library, settings, only=args.only, jobs=args.jobs, out_dir=pdf_dir / "in-an", warn=warnings.append)
        packs = build_packs([team], library, settings, pdf_dir / "goi-to", only=args.only, jobs=args.jobs, warn=warnings.append, roster=args.roster)
        others = [t for t in roster.teams if t.id != team.id]
        first = guides[0].slug
        more = build_packs(others, library, settings, pdf_dir / "goi-to", only=[first], jobs=args.jobs, warn=warnings.append, roster=args.roster)
    except CamnangError as e:
        print(f"Lỗi: {e}", file=sys.stderr)
        return 1
    for problem in [*packs.problems, *more.problems]:
        warnings.append(str(problem))

    generic = pdf_dir / "in-an"
    rows = [
        (kind.label, [(g.slug, generic / kind.output_name(g)) for g in guides])
        for kind in (LEAFLET, POSTER, RADIO_PDF)
    ]
    folder = pdf_dir / "goi-to" / team.id
    for label, kind in (("tờ rơi", LEAFLET), ("áp phích", POSTER), ("phát thanh", RADIO_PDF)):
        files = [(g.slug, folder / kind.output_name(g)) for g in guides]
        files = [(n, p) for n, p in files if p.is_file()]
        if files:
            rows.append((f"Gói tổ {team.id}: {label}", files))
    variants = []
    for t in roster.teams:
        for kind in (LEAFLET, POSTER):
            path = pdf_dir / "goi-to" / t.id / kind.filename.format(slug=first)
            if path.is_file():
                variants.append((f"{t.id} · {kind.prefix.rstrip('-')}", path))
    if variants:
        rows.append((f"Mọi tổ của {args.roster.name}: {first}", variants))

    caption = f"camnang: trang đầu của mọi bản in ({len(guides)} hướng dẫn)"
    if placeholder:
        caption += f"; địa chỉ trang thử {PLACEHOLDER_SITE} (đặt CAMNANG_SITE_URL để dùng địa chỉ thật)"
    size = sheet(rows, args.tile, caption, args.out)
    for message in warnings:
        print(f"Cảnh báo: {message}", file=sys.stderr)
    print(f"previews: {args.out} ({size[0]}×{size[1]} px, {time.perf_counter() - started:.0f} s); PDFs in {pdf_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
