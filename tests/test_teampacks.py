"""Team packs (issue 6) with the real command line, real WeasyPrint PDFs,
text copied out of them and QR codes decoded from 150 dpi rasters.

Most tests share one build of a 5-team roster (hostile names, a team
without a Zalo link) over one fixture guide, to keep the suite fast."""

from __future__ import annotations

import csv
import dataclasses
import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
import zxingcpp
from PIL import Image, ImageChops

import pdfs
from camnang.config import DEFAULT_COURSE_URL, load_categories, load_settings
from camnang.printables.kinds import PrintContext
from camnang.printables.leaflet import LEAFLET
from camnang.printables.poster import POSTER
from camnang.printables import zalocard, zaloteam
from camnang.roster import load_roster
from camnang.validate import load_library
from conftest import ROOT, TEST_SITE_URL, make_project
from test_zalo_cards import zalo_recompressed

pytestmark = pytest.mark.build  # team packs built in a subprocess (left out of `make check`)

SLUG = "thu-nghiem"
PAGE_URL = f"{TEST_SITE_URL}huong-dan/{SLUG}/"
HEADER = ["ma_to", "ten_to", "cap", "xa", "tinh", "to_truong", "dien_thoai", "zalo", "dia_diem"]
# Phone numbers and links are made up for the tests.
TEAMS = [
    ["to-mot", "<b>x</b>", "thon", "Hương Lạc", "Bắc Ninh", "Nguyễn Văn <i>A</i>", "0912345678", "https://zalo.me/g/to-mot", "Nhà văn hóa thôn"],
    ["to-hai", '"; DROP TABLE to; --', "thon", "Hương Lạc", "Bắc Ninh", "", "+84 98 765 4321", "https://zalo.me/g/to-hai", ""],
    ["to-ba", "Tổ công nghệ số cộng đồng thôn Đồng Quan", "thon", "Hương Lạc", "Bắc Ninh", "Trần Thị Bình", "0987654321", "", "Nhà văn hóa thôn, tối thứ Bảy"],
    ["to-bon", "Tổ {{ 7*7 }} </p><script>alert(1)</script>", "thon", "Hương Lạc", "Bắc Ninh", "", "", "https://zalo.me/g/to-bon", ""],
    ["xa-huong-lac", "Tổ công nghệ số cộng đồng xã Hương Lạc", "xa", "Hương Lạc", "Bắc Ninh", "Lê Văn Cường", "0204 3854 123", "https://zalo.me/g/xa-huong-lac", "Bộ phận một cửa, Ủy ban nhân dân xã"],
]
IDS = [t[0] for t in TEAMS]
ZALO = {t[0]: t[7] for t in TEAMS}
NAMES = {t[0]: t[1] for t in TEAMS}
BOOKLET = {"so-tay.pdf", "so-tay-in-gap.pdf"}
POSTERS = "ap-phich.pdf"  # every guide's poster, after a contents page
PRINTS = {f"to-roi-{SLUG}.pdf", POSTERS} | BOOKLET
RADIO = {f"phat-thanh-{SLUG}.txt", "phat-thanh.pdf"}
CARDS = {"the-zalo-to.png", f"the-zalo-{SLUG}.png"}  # the fixture guide makes one card
FILES = PRINTS | RADIO | CARDS


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *rows])
    return path


def cli(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "CAMNANG_SITE_URL": TEST_SITE_URL}
    return subprocess.run(
        [sys.executable, str(ROOT / "build_posters.py"), *args],
        cwd=project, env=env, capture_output=True, text=True, timeout=900,
    )


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The 5-team pack, built once with the command line, with a cache of
    its own (test_rerun_reuses_the_cache_and_writes_nothing needs every
    entry still there; the shared cache keeps only the newest versions of
    each team's files, which other tests here write too)."""
    project = make_project(tmp_path_factory.mktemp("teams"), private_cache=True)
    roster = write_csv(project / "to.csv", TEAMS)
    result = cli(project, "--teams", "to.csv", "--out", "goi", "--jobs", "2")
    assert result.returncode == 0, result.stderr
    return project, roster, project / "goi", result


def team_poster(path: Path, title: str, into: Path) -> Path:
    """One guide's poster out of a team's ``ap-phich.pdf``, taken as a team
    prints it on its own: the pages the file's contents page gives for
    the guide's title (written to ``into``)."""
    with pikepdf.open(path) as pdf:
        contents = pdfs.squash(pdfs.reader(path).pages[0].extract_text())
        wanted = pdfs.squash(" ".join(title.split()))
        at = contents.index(wanted) + len(wanted)
        pages = re.match(r"trang(\d+)(?:-(\d+))?", contents[at:])
        first, last = int(pages[1]), int(pages[2] or pages[1])
        one = pikepdf.new()
        one.pages.extend(pdf.pages[first - 1 : last])
        one.save(into)
    return into


def fixture_poster(out: Path, team: str, tmp: Path) -> Path:
    """The fixture guide's poster in ``team``'s ``ap-phich.pdf``."""
    title = load_library(out.parent / "guides", load_categories()).get(SLUG).title
    return team_poster(out / team / POSTERS, title, tmp / f"{team}-{SLUG}.pdf")


def decoded(path: Path) -> set[str]:
    return {code.text for image in pdfs.raster(path, 150) for code in pdfs.qr_codes(image, 150)}


def test_every_team_gets_its_folder_of_files(built):
    project, _, out, result = built
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == sorted(IDS)
    for team in IDS:
        assert {p.name for p in (out / team).iterdir()} == FILES
    assert f"5 tổ, {5 * len(FILES)} tệp" in result.stdout


@pytest.mark.parametrize("team", IDS)
def test_each_pdf_shows_its_own_team_literally(built, team):
    out = built[2]
    for name in PRINTS:
        text = pdfs.squash(pdfs.text(out / team / name))
        assert pdfs.squash(NAMES[team]) in text, (team, name)
        for other in IDS:
            if other != team:
                assert pdfs.squash(NAMES[other]) not in text
    leaflet = pdfs.squash(pdfs.text(out / team / f"to-roi-{SLUG}.pdf"))
    if team == "to-mot":
        assert pdfs.squash("Tổ trưởng: Nguyễn Văn <i>A</i>") in leaflet
        assert "0912345678" in leaflet  # printed as 0912 345 678
    if team == "to-ba":  # no Zalo link: the phone, large, where the code would be
        assert pdfs.squash("Gọi cho tổ 0987 654 321") in leaflet
    else:
        assert "Gọichotổ" not in leaflet
    if team == "to-bon":
        assert "{{7*7}}" in leaflet and "<script>" in leaflet


@pytest.mark.parametrize("team", IDS)
def test_zalo_qr_decodes_to_the_teams_own_link(built, team):
    out = built[2]
    expected = {PAGE_URL, DEFAULT_COURSE_URL} | ({ZALO[team]} if ZALO[team] else set())
    for name in (f"to-roi-{SLUG}.pdf", POSTERS):
        assert decoded(out / team / name) == expected, (team, name)
        # Each code, the team's Zalo in its stamped strip too, is one
        # picture at 1 bit a pixel, drawn without interpolation (the
        # posters' contents page has none).
        pages = pdfs.pictures(out / team / name)
        for drawn in pages[1:] if name == POSTERS else pages:
            assert sorted(pdfs.picture_text(p) for p in drawn) == sorted(expected), (team, name)
            assert all(p.bits == 1 and not p.interpolate for p in drawn), (team, name)
        # A code drawn on several pages is stored once.
        drawn = [p for page in pages for p in page]
        assert len({p.ref for p in drawn}) == len(expected), (team, name)


def test_same_design_as_generic_printables(built):
    out = built[2]
    for team in ("to-mot", "to-ba"):
        leaflet, poster = out / team / f"to-roi-{SLUG}.pdf", out / team / POSTERS
        for path, size in ((leaflet, pdfs.A4), (poster, pdfs.A3)):  # the contents page too: one paper size
            for width, height in pdfs.page_sizes(path):
                assert width == pytest.approx(size[0], abs=0.01) and height == pytest.approx(size[1], abs=0.01)
        assert len(pdfs.page_sizes(poster)) == 2  # the contents, the fixture guide's poster
        for path in (leaflet, poster):
            fonts = pdfs.fonts(path)
            assert fonts and all(f.embedded for f in fonts)
            assert pdfs.metadata(path)["lang"] == "vi"
            for image in pdfs.raster(path, 100):
                assert not pdfs.ink_near_edges(image, 100, 10)
        assert min(size for size, _ in pdfs.type_sizes(leaflet)) >= 11.9
        # Poster: steps 18 pt or more, the team's addresses under the codes 16 pt.
        assert min(size for size, t in pdfs.type_sizes(poster) if "Bản ngày" not in t) >= 15.9  # the edition is small print
        for image in pdfs.raster(poster, 150):
            assert all(code.width_mm >= 59.5 for code in pdfs.qr_codes(image, 150))


def test_stamped_pages_look_like_a_full_render_of_the_team(built, tmp_path):
    """The shortcut (shared layout + the team's strip stamped on) prints
    what laying out the whole page for the team prints."""
    project, roster, out, _ = built
    settings = dataclasses.replace(load_settings(project / "mkdocs.yml"), site_url=TEST_SITE_URL)
    guide = load_library(settings.guides_dir, settings.categories).guides[0]
    team = load_roster(roster).teams[0]
    for kind in (LEAFLET, POSTER):
        direct = tmp_path / f"{kind.name}.pdf"
        direct.write_bytes(kind.render(guide, PrintContext(settings, team)))
        stamped = out / team.id / kind.output_name(guide)
        if kind is POSTER:  # the guide's pages of the team's posters file
            stamped = team_poster(out / team.id / POSTERS, guide.title, tmp_path / "stamped.pdf")
        a, b = pdfs.raster(direct, 75), pdfs.raster(stamped, 75)
        assert len(a) == len(b)
        for x, y in zip(a, b):
            diff = ImageChops.difference(x.convert("L"), y.convert("L"))
            histogram = diff.histogram()
            assert sum(histogram[64:]) < 0.001 * x.width * x.height, kind.name


def test_a_screen_reader_reads_the_teams_pages_whole_and_the_team_once(built):
    """The team's part is stamped onto shared layouts: it is tagged as
    content where it is first drawn and as a repeat (artifact) after, and
    none of its marked content points into the page's own structure
    (PDF/UA, ISO 14289-1 7.1); every picture has its text."""
    _, _, out, _ = built
    team = sorted(NAMES)[0]
    for name in (f"to-roi-{SLUG}.pdf", POSTERS, "phat-thanh.pdf", "so-tay.pdf"):
        path = out / team / name
        assert pdfs.tagging_problems(path) == [], name
        with pikepdf.open(path) as pdf:
            team_parts = [
                kid for kid in pdf.Root.StructTreeRoot.K[0].K
                if str(kid.get("/S")) == "/P" and isinstance(kid.get("/K"), int)
            ]
        assert len(team_parts) == {"so-tay.pdf": 2, "phat-thanh.pdf": 0}.get(name, 1), name


def test_posters_file_and_index(built):
    out = built[2]
    rows = list(csv.DictReader(io.StringIO((out / "index.csv").read_text(encoding="utf-8-sig"))))
    assert [r["ma_to"] for r in rows] == [t for t in IDS for _ in range(len(FILES))]
    title = load_library(built[0] / "guides", load_categories()).get(SLUG).title
    for team in IDS:
        leaflet_pages = len(pdfs.reader(out / team / f"to-roi-{SLUG}.pdf").pages)
        # The posters file: a contents page saying where each poster is.
        posters = pdfs.reader(out / team / POSTERS)
        contents = pdfs.squash(posters.pages[0].extract_text())
        assert pdfs.squash("Áp phích hướng dẫn kỹ năng số 1 áp phích khổ A3") in contents
        assert contents.endswith(pdfs.squash(f"{title} trang 2")), contents
        assert pdfs.squash(NAMES[team]) not in contents and pdfs.squash(NAMES[team]) in pdfs.squash(posters.pages[1].extract_text())
        listed = {r["tep"]: int(r["so_trang"]) for r in rows if r["ma_to"] == team}
        assert listed == {
            f"{team}/to-roi-{SLUG}.pdf": leaflet_pages,
            f"{team}/{POSTERS}": 2,
            f"{team}/phat-thanh-{SLUG}.txt": 0,
            f"{team}/phat-thanh.pdf": len(pdfs.reader(out / team / "phat-thanh.pdf").pages),
            f"{team}/the-zalo-to.png": 1,
            f"{team}/the-zalo-{SLUG}.png": 1,
            f"{team}/so-tay.pdf": len(pdfs.reader(out / team / "so-tay.pdf").pages),
            f"{team}/so-tay-in-gap.pdf": len(pdfs.reader(out / team / "so-tay-in-gap.pdf").pages),
        }
        assert {r["ten_to"] for r in rows if r["ma_to"] == team} == {NAMES[team]}
        # Titled for the team, in Vietnamese, tagged like every printable.
        with pikepdf.open(out / team / POSTERS) as pdf:
            assert str(pdf.docinfo["/Title"]) == f"Áp phích của {NAMES[team]}"
            assert NAMES[team] in str(pdf.docinfo["/Subject"]) and "hướng dẫn" in str(pdf.docinfo["/Subject"])
            with pdf.open_metadata() as meta:
                assert meta["dc:title"] == f"Áp phích của {NAMES[team]}"
                assert meta.get("pdfuaid:part") == "1"
            assert "/StructTreeRoot" in pdf.Root and str(pdf.Root.Lang) == "vi"
        # The edition of each guide's file, to reprint what changed; none for ap-phich.pdf.
        guide = load_library(built[0] / "guides", load_categories()).get(SLUG)
        editions = {r["tep"]: r["ban_ngay"] for r in rows if r["ma_to"] == team}
        assert editions.pop(f"{team}/{POSTERS}") == editions.pop(f"{team}/phat-thanh.pdf") == ""
        assert editions.pop(f"{team}/the-zalo-to.png") == ""
        assert editions.pop(f"{team}/so-tay.pdf") == editions.pop(f"{team}/so-tay-in-gap.pdf") == ""
        assert set(editions.values()) == {guide.edition.isoformat()}


PX_PER_PT = 96 / 72


def test_team_zalo_card(built, tmp_path):
    """``the-zalo-to.png``: 1080x1350, at most 300 KB, no text under 40 px,
    the team's own words printed as written, its code (read after Zalo's
    half size and JPEG 70) leading to its own group, and the same bytes when
    made again. The guide's card is the generic one, one file for all."""
    project, roster, out, _ = built
    settings = dataclasses.replace(load_settings(project / "mkdocs.yml"), site_url=TEST_SITE_URL)
    teams = {t.id: t for t in load_roster(roster).teams}
    for team in IDS:
        data = (out / team / "the-zalo-to.png").read_bytes()
        assert Image.open(io.BytesIO(data)).size == (1080, 1350)
        assert len(data) <= 300 * 1024
        found = [code.text for code in zxingcpp.read_barcodes(zalo_recompressed(data))]
        assert found == ([ZALO[team]] if ZALO[team] else []), team
    for team in ("to-mot", "to-ba"):
        pdf = tmp_path / f"{team}.pdf"
        pdf.write_bytes(zaloteam.render_pdf(teams[team], settings))
        assert min(size for size, _ in pdfs.type_sizes(pdf)) * PX_PER_PT >= 40 - 0.01
        text = pdfs.squash(pdfs.text(pdf))
        assert pdfs.squash(NAMES[team]) + "sẵnsànggiúpbàcon" in text
        phone = {"to-mot": "0912 345 678", "to-ba": "0987 654 321"}[team]
        assert pdfs.squash(phone) in text
        # Laid out and rasterised again: the same bytes.
        assert zalocard.rasterise(pdf.read_bytes()) == [(out / team / "the-zalo-to.png").read_bytes()]
    assert pdfs.squash("Tổ trưởng: Nguyễn Văn <i>A</i>") in pdfs.squash(pdfs.text(tmp_path / "to-mot.pdf"))
    guide_cards = [out / team / f"the-zalo-{SLUG}.png" for team in IDS]
    assert len({(p.stat().st_dev, p.stat().st_ino) for p in guide_cards}) == 1


def test_rerun_reuses_the_cache_and_writes_nothing(built):
    project, _, out, _ = built
    before = snapshot(out)
    (out / "to-ba" / POSTERS).unlink()
    result = cli(project, "--teams", "to.csv", "--out", "goi", "--jobs", "2")
    assert result.returncode == 0, result.stderr
    assert "0 tệp mới tạo" in result.stdout and "ghi 1 tệp" in result.stdout
    after = snapshot(out)
    assert after.keys() == before.keys()
    changed = {k for k in before if before[k] != after[k]}
    assert changed <= {f"to-ba/{POSTERS}", "index.csv"}
    assert after[f"to-ba/{POSTERS}"][1] == before[f"to-ba/{POSTERS}"][1]


def test_shards_cover_every_team_exactly_once(built):
    project = built[0]
    seen: list[str] = []
    for k in (1, 2, 3):
        result = cli(project, "--teams", "to.csv", "--out", f"phan-{k}", "--shard", f"{k}/3", "--jobs", "1")
        assert result.returncode == 0, result.stderr
        folders = [p.name for p in (project / f"phan-{k}").iterdir() if p.is_dir()]
        seen += folders
        index = (project / f"phan-{k}" / "index.csv").read_text(encoding="utf-8-sig")
        assert {r["ma_to"] for r in csv.DictReader(io.StringIO(index))} == set(folders)
    assert sorted(seen) == sorted(IDS)


def test_xlsx_roster_gives_the_same_packs_as_csv(built):
    import openpyxl

    project, _, out, _ = built
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in TEAMS:
        sheet.append(row)
    book.save(project / "to.xlsx")
    result = cli(project, "--teams", "to.xlsx", "--out", "goi-xlsx", "--jobs", "2")
    assert result.returncode == 0, result.stderr
    a, b = snapshot(out), snapshot(project / "goi-xlsx")
    assert a.keys() == b.keys()
    assert all(a[k][1] == b[k][1] for k in a)


BAD = [
    ("ma_to", 2, [["../x", *TEAMS[0][1:]]]),
    ("ma_to", 2, [["to/mot", *TEAMS[0][1:]]]),
    ("ma_to", 2, [["to mot", *TEAMS[0][1:]]]),
    ("ma_to", 3, [TEAMS[0], TEAMS[0]]),
    ("zalo", 2, [[*TEAMS[0][:7], "https://zalo.me.evil.example/g/x", TEAMS[0][8]]]),
    ("zalo", 2, [[*TEAMS[0][:7], "http://zalo.me/g/x", TEAMS[0][8]]]),
    ("dien_thoai", 3, [TEAMS[1], [*TEAMS[0][:6], "12345", *TEAMS[0][7:]]]),
]


@pytest.mark.parametrize("column,row,rows", BAD, ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(BAD)])
def test_bad_roster_names_row_and_column_and_leaves_dir_as_it_was(built, tmp_path, column, row, rows):
    project, _, out, _ = built
    bad = write_csv(tmp_path / "bad.csv", rows)
    before = snapshot(out)
    result = cli(project, "--teams", str(bad), "--out", "goi", "--jobs", "2")
    assert result.returncode == 1
    assert f"bad.csv:{row}: trường '{column}'" in result.stderr, result.stderr
    assert snapshot(out) == before


def test_missing_required_column(built):
    project, _, out, _ = built
    header = [h for h in HEADER if h != "tinh"]
    bad = write_csv(project / "thieu-cot.csv", [[v for h, v in zip(HEADER, TEAMS[0]) if h != "tinh"]], header)
    before = snapshot(out)
    result = cli(project, "--teams", bad.name, "--out", "goi")
    assert result.returncode == 1
    assert "thieu-cot.csv:1: trường 'tinh': thiếu cột bắt buộc" in result.stderr
    assert snapshot(out) == before


def test_team_block_too_long_is_refused_and_the_others_written(built):
    project = built[0]
    # Longest the roster accepts: name 120, leader 60, place 160 characters;
    # does not fit the poster's block even at its 16 pt floor.
    long_place = "Nhà văn hóa thôn, " * 10
    rows = [TEAMS[2], [*TEAMS[4][:2], *TEAMS[4][2:8], long_place[:160]]]
    rows[1][1] = ("Tổ công nghệ số cộng đồng " * 5)[:120]
    rows[1][5] = ("Nguyễn Thị Hòa Bình " * 4)[:60]
    write_csv(project / "dai.csv", rows)
    result = cli(project, "--teams", "dai.csv", "--out", "goi-dai", "--jobs", "1")
    assert result.returncode == 1
    assert "dai.csv:3: trường 'dia_diem'" in result.stderr, result.stderr
    assert (project / "goi-dai" / "to-ba" / POSTERS).is_file()
    assert not (project / "goi-dai" / "xa-huong-lac").exists()
    fast = cli(project, "--teams", "dai.csv", "--out", "goi-dai-2", "--jobs", "1", "--fail-fast")
    assert fast.returncode == 1


SAMPLE = ("mobile-money", "mo-tai-khoan-ngan-hang", "thanh-toan-qr")
"""Guides with the longest key messages and most steps: where a team's
taller footer strip would first push something out."""
EXAMPLE_ONLY = (*SAMPLE, "vneid-kich-hoat")
"""What `make test` builds for the example roster (``--only``): the
longest guides and a leaflet of two pages. The README's command itself,
every bundled guide (five times the CPU), runs in `make test-slow`."""


@pytest.fixture(
    scope="module",
    params=[pytest.param(EXAMPLE_ONLY, id="sample"), pytest.param((), id="every-guide", marks=pytest.mark.slow)],
)
def example_packs(request, tmp_path_factory):
    """The README's command, run once for this module: every example team,
    in a copy of the repository (its guides, teams/, posters/, mkdocs.yml)
    whose cache is the run's shared one, where the bundled site's fit
    memos already are; for the guides of ``EXAMPLE_ONLY`` (``--only``) or,
    in the slow tier, every bundled guide. The project, the output folder,
    the finished process and the slugs of the guides built."""
    tmp_path = tmp_path_factory.mktemp("example")
    project = make_project(tmp_path, sorted((ROOT / "guides").glob("*.md")))
    shutil.copytree(ROOT / "teams", project / "teams")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "CAMNANG_SITE_URL": TEST_SITE_URL}
    out = tmp_path / "goi-to"
    only = ["--only", *request.param] if request.param else []
    result = subprocess.run(
        [sys.executable, str(ROOT / "build_posters.py"), "--teams", "teams/vi-du.csv", "--out", str(out), *only],
        cwd=project, env=env, capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stderr
    guides = sorted(request.param or (p.stem for p in (ROOT / "guides").glob("*.md")))
    return project, out, result, guides


def test_example_roster_from_the_repository_root(example_packs, tmp_path):
    """The README's command: its guides, every example team; the
    example's made-up Zalo link never becomes a scannable code, and the
    team without phone or Zalo is named in a warning."""
    project, out, result, guides = example_packs
    roster = load_roster(ROOT / "teams" / "vi-du.csv").teams
    teams = [t.id for t in roster]
    for team in teams:
        names = {p.name for p in (out / team).iterdir()}
        cards = {n for n in names if n.startswith("the-zalo-")}
        assert names - cards == {f"to-roi-{g}.pdf" for g in guides} | {
            f"phat-thanh-{g}.txt" for g in guides
        } | {POSTERS, "phat-thanh.pdf", "so-tay.pdf", "so-tay-in-gap.pdf"}
        # The team's card, and every guide's generic cards (1/2, 2/2...).
        assert "the-zalo-to.png" in cards
        assert {zaloteam.guide_of(n, guides) for n in cards - {"the-zalo-to.png"}} == set(guides)
    # The guide cards are the same for every team, stored once: hard links
    # to one file.
    for name in {n.name for n in (out / teams[0]).glob("the-zalo-*.png")} - {"the-zalo-to.png"}:
        stats = [os.stat(out / team / name) for team in teams]
        assert len({(st.st_dev, st.st_ino) for st in stats}) == 1, name
        assert stats[0].st_nlink >= len(teams)
    # No example team's card carries a scannable code (its made-up link):
    # read as Zalo shows it, half size and JPEG 70.
    for team in teams:
        card = zalo_recompressed((out / team / "the-zalo-to.png").read_bytes())
        assert zxingcpp.read_barcodes(card) == [], team
    settings = dataclasses.replace(load_settings(project / "mkdocs.yml"), site_url=TEST_SITE_URL)
    card = tmp_path / "the-zalo-to.pdf"
    card.write_bytes(zaloteam.render_pdf(roster[0], settings))
    frame = pdfs.squash(pdfs.text(card))
    assert "VÍDỤ" in frame and "thaybằnglinkthật" in frame and roster[0].zalo not in frame
    # One radio PDF a team: a contents page naming each guide and the pages
    # of the file its script takes, then each script from a new page,
    # saying what the team's .txt says (its name, in the running text).
    library = load_library(project / "guides", load_categories())
    built = [g for g in library.guides if g.slug in guides]
    assert len(built) == len(guides)
    radio = pdfs.reader(out / teams[0] / "phat-thanh.pdf")
    contents = pdfs.squash(radio.pages[0].extract_text())
    assert pdfs.squash(f"Bài phát thanh của {roster[0].name}") in contents
    page = 2
    for guide in built:
        title = " ".join(guide.title.split())
        at = contents.index(pdfs.squash(title)) + len(pdfs.squash(title))
        pages = re.match(r"trang(\d+)(?:-(\d+))?", contents[at:])
        first, last = int(pages[1]), int(pages[2] or pages[1])
        assert first == page, (guide.slug, contents)
        script = pdfs.squash(radio.pages[page - 1].extract_text())
        assert pdfs.squash("Ghi chú cho người đọc") in script[:40] and pdfs.squash(title) in script, guide.slug
        said = (out / teams[0] / f"phat-thanh-{guide.slug}.txt").read_text(encoding="utf-8").split("\n\n")[0]
        assert pdfs.squash(said) in script, guide.slug
        for later in range(first + 1, last + 1):  # the script's own pages
            assert pdfs.squash("Ghi chú") not in pdfs.squash(radio.pages[later - 1].extract_text())[:40], guide.slug
        page = last + 1
    assert page == len(radio.pages) + 1
    # Every variant is there: Zalo, phone only, neither.
    assert any(t.zalo for t in roster)
    assert any(t.phone and not t.zalo for t in roster)
    assert any(not t.phone and not t.zalo for t in roster)
    for t in roster:
        if not t.phone and not t.zalo:
            assert f"vi-du.csv:{t.row}: tổ '{t.id}' không có số điện thoại" in result.stderr
    zalo = roster[0].zalo
    text = pdfs.squash(pdfs.text(out / teams[0] / POSTERS))
    assert "VÍDỤ" in text and zalo not in text
    # The team's strip is on every page of a leaflet of several pages; no
    # page carries a code to the example's made-up link.
    pages = pdfs.raster(out / teams[0] / "to-roi-vneid-kich-hoat.pdf", 150)
    assert len(pages) >= 2
    for image in pages:
        assert {code.text for code in pdfs.qr_codes(image, 150)} == {
            TEST_SITE_URL + "huong-dan/vneid-kich-hoat/",
            DEFAULT_COURSE_URL,
        }


# -- strips that adapt to the team -------------------------------------------------

LONG_NAME = "Tổ công nghệ số cộng đồng thôn Nghĩa Trung Thượng Nghĩa Hạ Nghĩa Đông Nghĩa Tây"
LONG_PLACE = "Hội trường thôn Nghĩa Trung Thượng, tối thứ Năm và sáng Chủ nhật hằng tuần"
VARIANTS = [
    ["thon-dai", LONG_NAME, "thon", "Nghĩa Trung", "Quảng Ngãi", "Nguyễn Thị Hòa", "0912345678", "https://zalo.me/g/thon-dai", LONG_PLACE],
    ["thon-khong", "Tổ công nghệ số cộng đồng thôn Đông", "thon", "Nghĩa Trung", "Quảng Ngãi", "Trần Văn Nam", "", "", "Nhà văn hóa thôn Đông, tối thứ Bảy"],
    ["thon-goi", "Tổ công nghệ số cộng đồng thôn Tây", "thon", "Nghĩa Trung", "Quảng Ngãi", "", "0987654321", "", "Nhà văn hóa thôn Tây"],
]


@pytest.fixture(scope="module")
def variants(tmp_path_factory):
    """A long-name team, a team with no phone nor Zalo, a phone-only team."""
    project = make_project(tmp_path_factory.mktemp("variants"))
    write_csv(project / "to.csv", VARIANTS)
    result = cli(project, "--teams", "to.csv", "--out", "goi", "--jobs", "2")
    return project / "goi", result


def lines_of(path: Path) -> list[str]:
    return [line.strip() for line in pdfs.text(path).splitlines()]


def test_long_name_team_wraps_and_shrinks_instead_of_being_refused(variants, tmp_path):
    out, result = variants
    assert result.returncode == 0, result.stderr
    for name, floor in ((f"to-roi-{SLUG}.pdf", 10), (POSTERS, 16)):
        path = out / "thon-dai" / name if name != POSTERS else fixture_poster(out, "thon-dai", tmp_path)
        text = pdfs.squash(pdfs.text(path))
        assert pdfs.squash(LONG_NAME) in text and pdfs.squash(LONG_PLACE) in text, name
        sizes = [size for size, t in pdfs.type_sizes(path) if "Nghĩa" in t]
        assert sizes and min(sizes) >= floor - 0.1, (name, sizes)
        assert decoded(path) == {PAGE_URL, DEFAULT_COURSE_URL, "https://zalo.me/g/thon-dai"}
        # The codes carry their addresses, broken only after "/".
        assert "zalo.me/" in text and "thon-dai" in text
        for line in lines_of(path):
            assert not line.endswith("-"), line
    # Its Zalo card too: the name smaller, the code still read after Zalo's
    # recompression.
    card = zalo_recompressed((out / "thon-dai" / "the-zalo-to.png").read_bytes())
    assert [code.text for code in zxingcpp.read_barcodes(card)] == ["https://zalo.me/g/thon-dai"]


def test_team_without_phone_or_zalo_shows_its_place_large_and_is_warned_about(variants, tmp_path):
    out, result = variants
    assert "to.csv:3: tổ 'thon-khong' không có số điện thoại (dien_thoai) và nhóm Zalo (zalo)" in result.stderr
    for name, body in ((f"to-roi-{SLUG}.pdf", 12), (POSTERS, 22)):
        path = out / "thon-khong" / name if name != POSTERS else fixture_poster(out, "thon-khong", tmp_path)
        assert decoded(path) == {PAGE_URL, DEFAULT_COURSE_URL}
        assert pdfs.squash("Gặp tổ tại:") in pdfs.squash(pdfs.text(path))
        place = [size for size, t in pdfs.type_sizes(path) if "Nhà văn" in t or "tối thứ Bảy" in t]
        assert place and min(place) >= body * 1.3, (name, place)


def test_phone_only_team_shows_its_phone_large_and_no_code(variants, tmp_path):
    out, _ = variants
    for name, body in ((f"to-roi-{SLUG}.pdf", 12), (POSTERS, 22)):
        path = out / "thon-goi" / name if name != POSTERS else fixture_poster(out, "thon-goi", tmp_path)
        assert decoded(path) == {PAGE_URL, DEFAULT_COURSE_URL}
        assert pdfs.squash("Gọi cho tổ 0987 654 321") in pdfs.squash(pdfs.text(path))
        # Printed once on each page: in the cell, not again in the block.
        pages = pdfs.reader(path).pages
        assert pdfs.squash(pdfs.text(path)).count("0987654321") == len(pages), name
        phone = [size for size, t in pdfs.type_sizes(path) if "654" in t]
        assert max(phone) >= body * 1.4, (name, phone)


def test_team_radio_script_names_the_team_its_place_and_phone(variants):
    out, _ = variants
    text = (out / "thon-goi" / f"phat-thanh-{SLUG}.txt").read_text(encoding="utf-8")
    assert text.startswith("Kính thưa bà con! Tổ công nghệ số cộng đồng thôn Tây xin gửi")
    phone = "không chín tám bảy, sáu năm bốn, ba hai một"
    # The team and its phone in a sentence of their own near the start, the
    # place where it helps, and the phone again at the end.
    assert f"Cần giúp, bà con gọi Tổ công nghệ số cộng đồng thôn Tây, số {phone}." in text.split("\n\n")[0]
    assert "bà con đến tổ, ở Nhà văn hóa thôn Tây." in text
    assert text.rstrip().split("\n\n")[-2] == f"Số của tổ, xin nhắc lại: {phone}."
    assert "Thời lượng" not in text and "/" not in text
    printed = pdfs.squash(pdfs.text(out / "thon-goi" / "phat-thanh.pdf"))
    assert pdfs.squash(f"Số của tổ, xin nhắc lại: {phone}.") in printed


def test_captions_wrap_by_phrase_never_word_by_word(variants):
    out, _ = variants
    for name in (f"to-roi-{SLUG}.pdf", POSTERS):
        text = pdfs.text(out / "thon-dai" / name)
        last = "Phổ cập kỹ năng số" if name.startswith("to-roi") else "Quét để học kỹ năng số"
        for phrase in ("Quét để vào nhóm Zalo", "Quét để xem hướng dẫn", last):
            assert phrase in text, (name, phrase)  # on one line: not broken inside


# -- nothing the generic printable says is lost in a team's --------------------------

GENERIC_ONLY = ("Cần người giúp?", "Hỏi tổ công nghệ số cộng đồng ở thôn, xã mình.", "Quét để")
"""Text of the generic footer, which a team's own strip replaces."""


def sentences(path: Path) -> list[str]:
    """The sentences of a PDF's text, whitespace normalised."""
    import re

    # The edition date is small print placed out of the flow (its place in
    # the extracted text varies): left out of the sentences.
    # It ends the header's text like a full stop.
    text = " ".join(re.sub(r"\s*Bản ngày \d{2}/\d{2}/\d{4}", ". ", pdfs.text(path)).split())
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s]


def test_team_printables_keep_every_sentence_of_the_generic_ones(example_packs, bundled_site, tmp_path):
    """Built as the README says, for the example roster: a team's leaflet
    and poster contain every sentence of the generic one the site offers
    (the key message, every step, every tip section), apart from the
    generic footer the team's strip replaces. (Radio scripts are rewritten
    for the team by design: their opening and closing name the team.)"""
    _project, packs, result, _ = example_packs
    generic = bundled_site / "in-an"
    assert "Ngắn:" not in result.stderr  # every poster reads across a room
    teams = [t.id for t in load_roster(ROOT / "teams" / "vi-du.csv").teams]
    library = load_library(ROOT / "guides", load_categories())
    missing = {}
    for slug in SAMPLE:
        for name in (f"to-roi-{slug}.pdf", f"ap-phich-{slug}.pdf"):
            wanted = [s for s in sentences(generic / name) if not any(s.startswith(g) for g in GENERIC_ONLY)]
            assert len(wanted) > 5, name
            for team in teams:
                path = packs / team / name
                if name.startswith("ap-phich-"):  # the guide's pages of the team's posters file
                    path = team_poster(packs / team / POSTERS, library.get(slug).title, tmp_path / f"{team}-{name}")
                # The roster's "(ví dụ)" marks are never broken across lines.
                assert not any(line.rstrip().endswith("(ví") for line in pdfs.text(path).splitlines()), f"{team}/{name}"
                text = pdfs.squash(" ".join(sentences(path)))
                lost = [s for s in wanted if pdfs.squash(s) not in text]
                if lost:
                    missing[f"{team}/{name}"] = lost
    assert not missing, {k: [s[:80] for s in v] for k, v in missing.items()}


def test_progress_bar_shows_the_time_since_the_run_started(capsys):
    """The team bar appears when the first team is done: its clock still
    counts from the start of the run ("4/4 tổ [00:09]" after 699 s was wrong)."""
    spec = importlib.util.spec_from_file_location("build_posters_cli", ROOT / "build_posters.py")
    cli_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli_module)
    progress, update = cli_module.team_progress()
    progress.started -= 699  # the run began 699 s ago
    update(4, 4, 36)
    progress.close()
    err = capsys.readouterr().err
    assert "4/4 tổ [11:39<" in err or "4/4 tổ [11:40<" in err, err


def test_warm_up_makes_the_shared_handbook_and_cards_before_any_team(built, tmp_path):
    # Issue 27: the run's blank handbook and the guide's Zalo cards are made
    # once per run, before the first team, like the other shared layouts;
    # otherwise every worker's first team made them, all at the same time.
    from camnang.printables import booklet, teampacks
    from camnang.printables.outdir import OutDir
    from camnang.workers import Workers

    project = built[0]
    settings = dataclasses.replace(
        load_settings(project / "mkdocs.yml"), site_url=TEST_SITE_URL, cache_dir=tmp_path / "cache"
    )
    library = load_library(settings.guides_dir, settings.categories)
    ctx = teampacks.PackContext(settings, tuple(library.guides), OutDir(tmp_path / "goi"))
    with Workers(ctx, jobs=1) as pool:
        teampacks.warm_up(pool, ctx)
    blank = booklet.key(teampacks.Library(guides=ctx.guides, categories=settings.categories), settings, "blank")[:24]
    assert (settings.cache_dir / "booklet" / f"so-tay-blank.{blank}.pdf").is_file()
    assert [p.name for p in (settings.cache_dir / "zalo-cards").glob(f"{SLUG}.*.png")], "no Zalo card made"
    assert not (tmp_path / "goi").exists()  # no team built
