"""Radio scripts as the real builds write them: the bundled site
(``bundled_site``), a project of its own with radio options in mkdocs.yml,
and ``build_posters.py`` with and without ``--audio``."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import unicodedata
import wave
from pathlib import Path

import pypdf
import pytest

from camnang.config import load_settings
from camnang.printables.radio import RADIO_PDF, RADIO_TEXT
from camnang.render.radio import script_for
from camnang.validate import load_library

from conftest import FIXTURES, ROOT, TEST_SITE_URL, make_project, run_mkdocs

pytestmark = pytest.mark.build  # real builds in subprocesses (left out of `make check`)

SETTINGS = load_settings(ROOT / "mkdocs.yml")
GUIDES = load_library(ROOT / "guides", SETTINGS.categories).guides
A4 = (595.28, 841.89)
FIXTURE_GUIDES = [FIXTURES / "guides" / "phat-thanh-day-du.md", FIXTURES / "guides" / "thu-nghiem.md"]


def squash(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def pdf_text(path: Path) -> str:
    return " ".join(page.extract_text() for page in pypdf.PdfReader(str(path)).pages)


def pdf_fonts(path: Path) -> dict[str, bool]:
    """Font name -> whether the font program is embedded, on every page."""
    found = {}
    for page in pypdf.PdfReader(str(path)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            found[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


def set_plugin_option(project: Path, line: str) -> None:
    config = project / "mkdocs.yml"
    text, n = re.subn(r"^(  - camnang:\n)", rf"\1      {line}\n", config.read_text(encoding="utf-8"), flags=re.M)
    assert n == 1
    config.write_text(text, encoding="utf-8")


def cli(project: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "CAMNANG_SITE_URL": TEST_SITE_URL, **(env or {})}
    return subprocess.run(
        [sys.executable, str(ROOT / "build_posters.py"), *args],
        cwd=project, env=full_env, capture_output=True, text=True, timeout=600,
    )


# -- the bundled site ----------------------------------------------------------

@pytest.mark.parametrize("guide", GUIDES, ids=lambda g: g.slug)
def test_site_has_the_script_pair_of_every_guide(bundled_site, guide):
    txt = bundled_site / "in-an" / RADIO_TEXT.output_name(guide)
    pdf = bundled_site / "in-an" / RADIO_PDF.output_name(guide)
    text = txt.read_bytes().decode("utf-8")  # UTF-8, or this raises
    assert unicodedata.is_normalized("NFC", text)
    assert text == script_for(guide, SETTINGS).text()
    # A4, every page.
    reader = pypdf.PdfReader(str(pdf))
    for page in reader.pages:
        assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == A4
    # Fonts embedded: the print shop or the commune office need not have them.
    fonts = pdf_fonts(pdf)
    assert fonts and all(fonts.values()), fonts
    # The PDF says what the .txt says, after the staff notes in its header,
    # on numbered pages.
    script = script_for(guide, SETTINGS)
    printed = squash(pdf_text(pdf))
    body = re.sub(r"Trang \d+/\d+", "", pdf_text(pdf))
    body = re.sub(r"Chỗ chia đôi \(không đọc lên\):.*?bước \d+\.", "", body, flags=re.S)
    assert squash(text) in squash(body)
    for note in script.header_lines:
        assert squash(note) in printed
    assert squash(f"Trang 1/{len(reader.pages)}") in printed
    assert reader.metadata.title == script.header_lines[0] == f"Bài phát thanh: {guide.title}."


@pytest.mark.parametrize("guide", GUIDES, ids=lambda g: g.slug)
def test_pdf_is_titled_as_written_and_its_pages_balanced(guide):
    """The PDF's title and header are the written title (a search for
    "VNeID" finds the script; the spoken "vê en e i đê" stays in the text
    read aloud), and no last page holds under a third of a page."""
    from io import BytesIO

    from camnang.printables.kinds import PrintContext
    from camnang.printables.radio import FONT_SIZES, LAST_PAGE_MIN, last_page_fill, layout_pdf

    layout, size = layout_pdf(guide, PrintContext(SETTINGS))
    reader = pypdf.PdfReader(BytesIO(layout.pdf()))
    assert reader.metadata.title == f"Bài phát thanh: {guide.title}."
    first = squash(reader.pages[0].extract_text())
    assert squash(guide.title) in first
    if "VNeID" in guide.title:
        assert "VNeID" in first and "vê en e i đê" in first
    assert len(reader.pages) == len(layout.document.pages) <= 3
    assert last_page_fill(layout) >= LAST_PAGE_MIN, (guide.slug, size, len(reader.pages))
    assert min(FONT_SIZES) <= size <= max(FONT_SIZES) and size >= 17


def test_team_scripts_start_where_they_fit_and_are_laid_out_once():
    """A team pack lays out each guide's script at the size where the
    reference team's has room to spare (``start_index``): teams whose
    name, place and phone take more or fewer lines than the reference's
    (a longer name and place; no phone) meet the last-page rule at that
    size, in one layout. Starting where the reference's script only just
    met it (a last page 99% full) cost these teams a second layout."""
    import dataclasses

    from camnang.printables.kinds import PrintContext
    from camnang.printables.radio import FONT_SIZES, LAST_PAGE_MIN, last_page_fill, layout_sized, start_index
    from camnang.printables.teampacks import RADIO_REFERENCE

    longer = dataclasses.replace(
        RADIO_REFERENCE, id="to-1", name="Tổ công nghệ số cộng đồng thôn Thử Nghiệm Số 1", phone="09 0000 0001",
        help_place="Nhà văn hóa thôn số 1, tối thứ Bảy",
    )
    no_phone = dataclasses.replace(longer, id="to-5", name="Tổ công nghệ số cộng đồng thôn Thử Nghiệm Số 5", phone=None)
    for slug in ("ban-hang-voso-postmart", "phong-chong-lua-dao"):
        guide = next(g for g in GUIDES if g.slug == slug)
        start = start_index(guide, PrintContext(SETTINGS, RADIO_REFERENCE))
        for team in (longer, no_phone):
            layout, index = layout_sized(guide, PrintContext(SETTINGS, team), start=start)
            assert (slug, team.id, index) == (slug, team.id, start), FONT_SIZES[index]
            assert last_page_fill(layout) >= LAST_PAGE_MIN, (slug, team.id)


def test_guide_pages_link_both_scripts(bundled_site):
    for guide in GUIDES:
        page = bundled_site / "huong-dan" / guide.slug / "index.html"
        source = page.read_text(encoding="utf-8")
        box = re.search(r'<h2 id="in-an">In ấn</h2>(.*?)</div>', source, re.S)
        assert box, guide.slug
        links = dict(
            (label, href)
            for href, label in re.findall(r'<a href="([^"]+)"><span class="twemoji">.*?</span>([^<]+?) <span', box.group(1))
        )
        for kind in (RADIO_PDF, RADIO_TEXT):
            href = links[html.escape(kind.label, quote=False)]
            target = (page.parent / html.unescape(href)).resolve()
            assert target == (bundled_site / "in-an" / kind.output_name(guide)).resolve()
            assert target.is_file()


# -- options in mkdocs.yml -------------------------------------------------------

def test_rate_slot_and_local_words_come_from_mkdocs_yml(tmp_path):
    project = make_project(tmp_path, FIXTURE_GUIDES)
    (project / "tu-viet-tat.yml").write_text("abbreviations:\n  DVC: dịch vụ công trực tuyến\n", encoding="utf-8")
    set_plugin_option(project, "radio_rate: 150")
    set_plugin_option(project, "radio_slot: 2")
    set_plugin_option(project, "radio_abbreviations: tu-viet-tat.yml")
    site = tmp_path / "site"
    result = run_mkdocs(project, site)
    assert result.returncode == 0, result.stderr
    text = pdf_text(site / "in-an" / "phat-thanh-thu-nghiem.pdf")
    assert squash("tính với tốc độ đọc chậm một trăm năm mươi chữ một phút") in squash(text)
    full = pdf_text(site / "in-an" / "phat-thanh-phat-thanh-day-du.pdf")
    assert squash("Lưu ý: bài dài hơn khung phát thanh hai phút.") in squash(full)
    assert squash("Chỗ chia đôi (không đọc lên)") in squash(full)
    full = (site / "in-an" / "phat-thanh-phat-thanh-day-du.txt").read_text(encoding="utf-8")
    assert "Lưu ý" not in full and "khung phát thanh" not in full
    assert "trên Cổng dịch vụ công trực tuyến bằng tài khoản" in full
    # The build log says which scripts run over their slot.
    assert "phat-thanh-phat-thanh-day-du.txt: đọc mất khoảng" in result.stderr
    # Editing the local words file re-renders the scripts (it is in the cache key).
    (project / "tu-viet-tat.yml").write_text("abbreviations:\n  DVC: đê vê xê\n", encoding="utf-8")
    result = run_mkdocs(project, site)
    assert result.returncode == 0, result.stderr
    full = (site / "in-an" / "phat-thanh-phat-thanh-day-du.txt").read_text(encoding="utf-8")
    assert "trên Cổng đê vê xê bằng tài khoản" in full


def test_bad_local_words_file_stops_the_build_and_keeps_the_site(tmp_path):
    project = make_project(tmp_path, FIXTURE_GUIDES[1:])
    site = tmp_path / "site"
    assert run_mkdocs(project, site).returncode == 0
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    (project / "tu-viet-tat.yml").write_text("abbreviations:\n  HTX: hợp tác xã\n  NAPAS: Na pát 247\n", encoding="utf-8")
    set_plugin_option(project, "radio_abbreviations: tu-viet-tat.yml")
    result = run_mkdocs(project, site)
    assert result.returncode != 0
    assert "tu-viet-tat.yml:3" in result.stderr and "abbreviations.NAPAS" in result.stderr
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before


def test_bad_rate_is_refused(tmp_path):
    project = make_project(tmp_path, FIXTURE_GUIDES[1:])
    set_plugin_option(project, "radio_rate: 0")
    result = run_mkdocs(project, tmp_path / "site")
    assert result.returncode != 0 and "radio_rate" in result.stderr and "lớn hơn 0" in result.stderr


# -- build_posters.py ----------------------------------------------------------------

def test_build_posters_writes_scripts_and_audio_only_on_request(tmp_path):
    project = make_project(tmp_path, FIXTURE_GUIDES)
    out = project / "in-an"
    result = cli(project, "--out", str(out), "--only", "thu-nghiem")
    assert result.returncode == 0, result.stderr
    assert {"phat-thanh-thu-nghiem.txt", "phat-thanh-thu-nghiem.pdf"} <= {p.name for p in out.iterdir()}
    assert not list(out.glob("*.wav"))
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    result = cli(project, "--out", str(out), "--only", "thu-nghiem", "--audio")
    assert result.returncode == 0, result.stderr
    assert [p.name for p in out.glob("*.wav")] == ["phat-thanh-thu-nghiem.wav"]
    with wave.open(str(out / "phat-thanh-thu-nghiem.wav")) as w:
        assert w.getnframes() / w.getframerate() > 20  # the whole script, not a stub


def test_audio_without_espeak_is_a_notice_not_a_failure(tmp_path):
    project = make_project(tmp_path, FIXTURE_GUIDES[1:])
    out = project / "in-an"
    # A PATH with the tools a build needs (fontconfig) but no espeak-ng.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink(shutil.which("fc-list"), bin_dir / "fc-list")
    result = cli(project, "--out", str(out), "--audio", env={"PATH": str(bin_dir)})
    assert result.returncode == 0, result.stderr
    assert "bỏ qua bản đọc thử (--audio): máy chưa cài espeak-ng" in result.stderr
    assert (out / "phat-thanh-thu-nghiem.txt").is_file() and not list(out.glob("*.wav"))
