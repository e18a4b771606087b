"""``make previews`` (scripts/previews.py): contact sheets of the PDFs
already built, every page, labelled, faults framed in red."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

import pdfs
from conftest import ROOT, TEST_SITE_URL, make_project

pytestmark = pytest.mark.build  # two guides built in a subprocess (left out of `make check`)

GUIDES = ("vneid-kich-hoat", "thanh-toan-qr")


def load_previews():
    spec = importlib.util.spec_from_file_location("previews", ROOT / "scripts" / "previews.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["previews"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


previews = load_previews()


def weasy_pdf(path: Path, body: str, size: str, css: str) -> Path:
    from weasyprint import HTML

    html = f"<html lang='vi'><style>@page {{ size: {size}; margin: 15mm }} {css}</style><body>{body}</body></html>"
    HTML(string=html).write_pdf(path)
    return path


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """Two bundled guides built with build_posters.py, plus broken files:
    a leaflet in two columns of 9 pt, a poster on two sheets, a poster
    whose steps fall to two columns, and a team
    folder whose leaflet lost the generic text."""
    tmp = tmp_path_factory.mktemp("previews")
    project = make_project(tmp, [ROOT / "guides" / f"{slug}.md" for slug in GUIDES])
    in_an = tmp / "in-an"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "CAMNANG_SITE_URL": TEST_SITE_URL}
    result = subprocess.run(
        [sys.executable, str(ROOT / "build_posters.py"), "--out", str(in_an), "--jobs", "2"],  # every guide: Zalo cards too
        cwd=project, env=env, capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stderr
    words = " ".join(f"Bước {i}: bấm vào nút này rồi chờ một chút cho đến khi hiện ra." for i in range(120))
    weasy_pdf(in_an / "to-roi-hong.pdf", f"<p>{words}</p>", "A4", "body { font-size: 9pt; columns: 2 }")
    few = " ".join(f"Bước {i}: bấm vào nút này rồi chờ một chút cho đến khi hiện ra." for i in range(30))
    weasy_pdf(in_an / "ap-phich-hai-to.pdf", f"<p>{few}</p>", "A3", "body { font-size: 30pt }")
    intro = "<p>" + " ".join(["Đây là một đoạn mở đầu dài, đặt trên cả chiều rộng của trang."] * 6) + "</p>"
    steps = "".join(f"<p>Bước {i}: bấm vào nút này rồi chờ cho đến khi hiện ra màn hình mới.</p>" for i in range(12))
    weasy_pdf(in_an / "ap-phich-hai-cot.pdf", f"{intro}<div style='columns: 2'>{steps}</div>", "A3", "body { font-size: 26pt }")
    team = tmp / "goi-to" / "to-mot"
    team.mkdir(parents=True)
    shutil.copy(in_an / f"to-roi-{GUIDES[0]}.pdf", team / f"to-roi-{GUIDES[0]}.pdf")  # the same: nothing lost
    shutil.copy(in_an / f"ap-phich-{GUIDES[1]}.pdf", team / f"to-roi-{GUIDES[1]}.pdf")  # the leaflet's sentences lost
    # The team's Zalo card, and a guide card of the wrong size.
    shutil.copy(in_an / f"the-zalo-{GUIDES[0]}.png", team / "the-zalo-to.png")
    Image.new("L", (800, 800), 255).save(team / f"the-zalo-{GUIDES[1]}.png")
    return in_an, team


@pytest.fixture(scope="module")
def made(folders, tmp_path_factory):
    in_an, team = folders
    out = tmp_path_factory.mktemp("sheets")
    started = time.monotonic()
    assert previews.main(["--in-an", str(in_an), "--out", str(out), str(team)]) == 0
    return out, time.monotonic() - started


def faults(out: Path) -> str:
    return (out / "index.html").read_text(encoding="utf-8")


def test_one_sheet_per_kind_every_page_readable_tiles(folders, made):
    in_an, _ = folders
    out, seconds = made
    assert seconds < 60  # nothing rendered again
    for kind in ("to-roi", "ap-phich", "phat-thanh", "to-mot-to-roi"):
        assert (out / f"{kind}.png").is_file(), kind
    index = faults(out)
    # Every page of every file: leaflet backs and every page of the radio scripts.
    leaflet = in_an / f"to-roi-{GUIDES[0]}.pdf"
    radio = in_an / f"phat-thanh-{GUIDES[1]}.pdf"
    by_kind, _ = previews.collect(in_an, 600)
    shown = {(p.file, p.number) for pages in by_kind.values() for p in pages}
    for path in (leaflet, radio):
        count = len(pdfs.reader(path).pages)
        assert {(path.name, n) for n in range(1, count + 1)} <= shown
    assert all(p.image.width >= 600 for pages in by_kind.values() for p in pages)
    with Image.open(out / "to-roi.png") as sheet:
        assert sheet.width >= 2 * 600
    assert "Tờ rơi A4" in index and "Áp phích A3" in index and "Bài phát thanh" in index


def test_zalo_cards_are_on_their_own_sheet_in_series_order(folders, made):
    """The guide cards of site/in-an and, with a team folder, the team's
    card first: the pictures themselves, each series in order (card 1,
    then -2: by name alone -2 would come first), a wrong size flagged."""
    in_an, team = folders
    out, _ = made
    cards = previews.read_cards(in_an, 600)  # what collect() puts on the sheet
    names = [p.file for p in cards]
    assert sorted(names) == sorted(p.name for p in in_an.glob("the-zalo-*.png"))
    for slug in GUIDES:
        series = [n for n in names if n.startswith(f"the-zalo-{slug}")]
        assert series[0] == f"the-zalo-{slug}.png"
        assert series[1:] == [f"the-zalo-{slug}-{n}.png" for n in range(2, len(series) + 1)]
    assert all(p.image.size == (600, 750) and not p.faults and "1080×1350" in previews.label(p)[1] for p in cards)
    index = faults(out)
    assert "Ảnh gửi nhóm Zalo" in index and (out / "the-zalo.png").is_file() and (out / "to-mot-the-zalo.png").is_file()
    assert [p.file for p in previews.read_cards(team, 600)] == ["the-zalo-to.png", f"the-zalo-{GUIDES[1]}.png"]
    assert f"the-zalo-{GUIDES[1]}.png, trang 1: cỡ ảnh 800×800, cần 1080×1350" in index


def test_tiles_are_labelled_with_file_page_size_and_columns(folders):
    in_an, _ = folders
    by_kind, _ = previews.collect(in_an, 600)
    page = next(p for p in by_kind["ap-phich"] if p.file == f"ap-phich-{GUIDES[0]}.pdf")
    # The size most of the text is set in, as pypdf reads it.
    chars = Counter()
    for size, text in pdfs.type_sizes(in_an / page.file):
        chars[round(size, 1)] += len(text.strip())
    assert abs(page.size - chars.most_common(1)[0][0]) < 0.2, (page.size, chars.most_common(3))
    label = " ".join(previews.label(page))
    assert page.file in label and "trang 1/1" in label and "pt" in label and "1 cột" in label


def test_faults_are_flagged_in_red(made):
    out, _ = made
    index = faults(out)
    assert "to-roi-hong.pdf, trang 1: chữ 9 pt &lt; 13 pt; hai cột" in index
    assert "ap-phich-hai-to.pdf, trang 1: áp phích 2 tờ" in index
    assert "ap-phich-hai-to.pdf, trang 2: áp phích 2 tờ" in index
    assert "ap-phich-hai-cot.pdf, trang 1: hai cột" in index  # steps in two columns under a full-width paragraph
    assert "to-roi-hong.pdf, trang 2: chữ 9 pt &lt; 13 pt; hai cột; trang cuối gần trống" in index
    assert f"to-roi-{GUIDES[1]}.pdf, trang 1: thiếu" in index  # in the team's sheet
    assert f"to-roi-{GUIDES[0]}.pdf, trang 1: thiếu" not in index
    # The genuine leaflets and posters are not flagged for size or columns.
    for line in index.splitlines():
        if any(f"{kind}-{slug}.pdf" in line for kind in ("to-roi", "ap-phich") for slug in GUIDES):
            assert "chữ" not in line and "hai cột" not in line, line
    # The broken tile is framed in red on the sheet.
    with Image.open(out / "to-roi.png") as sheet:
        rgb = sheet.convert("RGB")
        data = rgb.resize((rgb.width // 4, rgb.height // 4)).tobytes()
        red = sum(1 for i in range(0, len(data), 3) if data[i] > 180 and data[i + 1] < 40 and data[i + 2] < 40)
        assert red > 200
    with Image.open(out / "phat-thanh.png") as sheet:
        assert sheet.height > 0
