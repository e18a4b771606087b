"""Building printables in a project of its own, with the real command line
(``build_posters.py``) and the real ``mkdocs build``: the cache, the
options, and what happens with a broken template or a missing font."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import pdfs
from camnang.config import DEFAULT_COURSE_URL
from camnang.printables import booklet
from camnang.printables.registry import all_kinds
from conftest import FIXTURES, ROOT, TEST_SITE_URL, make_project, run_mkdocs

pytestmark = pytest.mark.build  # real builds in subprocesses (left out of `make check`)

GUIDES = [FIXTURES / "guides" / "thu-nghiem.md", ROOT / "guides" / "khoa-hoc-ky-nang-so.md"]


def names(slug: str) -> set[str]:
    return {k.filename.format(slug=slug) for k in all_kinds()}


BOOKLET = {booklet.FILENAME, booklet.IMPOSED_FILENAME}
"""The handbook of every guide, written beside each build's printables."""


def cards(out: Path, slug: str) -> set[str]:
    """The Zalo cards of ``slug`` in ``out`` (camnang.printables.zalocard)."""
    found = {p.name for p in out.glob(f"the-zalo-{slug}*.png")}
    series = {n for n in found if re.fullmatch(rf"the-zalo-{re.escape(slug)}(-[0-9]+)?\.png", n)}
    assert f"the-zalo-{slug}.png" in series, found
    return series


def cli(project: Path, *args: str, site_url: str | None = TEST_SITE_URL) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "CAMNANG_SITE_URL": site_url or ""}
    return subprocess.run(
        [sys.executable, str(ROOT / "build_posters.py"), *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def snapshot(*folders: Path) -> dict[Path, tuple[int, bytes]]:
    """Every file under the folders, with its modification time and bytes."""
    return {
        p: (p.stat().st_mtime_ns, p.read_bytes())
        for folder in folders
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def set_plugin_option(project: Path, line: str) -> None:
    """Add an option line under `- camnang:` in the project's mkdocs.yml."""
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    text, n = re.subn(r"^(  - camnang:\n)", rf"\1      {line}\n", text, flags=re.M)
    assert n == 1
    config.write_text(text, encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path, GUIDES)


@pytest.fixture
def private_project(tmp_path: Path) -> Path:
    """With an empty cache of its own: for tests that count what is rendered."""
    return make_project(tmp_path, GUIDES, private_cache=True)


def test_only_one_guide_on_its_own(private_project):
    project = private_project
    out = project / "in-an"
    result = cli(project, "--only", "thu-nghiem", "--out", str(out), "--jobs", "1")
    assert result.returncode == 0, result.stderr
    assert {p.name for p in out.iterdir()} == names("thu-nghiem")
    assert f"{len(names('thu-nghiem'))} tệp mới tạo" in result.stdout
    leaflet = out / "to-roi-thu-nghiem.pdf"
    assert len(pdfs.page_sizes(leaflet)) == 1
    (page,) = pdfs.raster(leaflet, 150)
    assert {c.text for c in pdfs.qr_codes(page, 150)} == {TEST_SITE_URL + "huong-dan/thu-nghiem/", DEFAULT_COURSE_URL}


def test_unknown_slug_is_refused(project):
    result = cli(project, "--only", "khong-co", "--out", str(project / "in-an"))
    assert result.returncode != 0
    assert "không có hướng dẫn 'khong-co'" in result.stderr
    assert not (project / "in-an").exists()


def test_cache_second_build_writes_nothing_and_a_changed_guide_only_its_files(private_project):
    project = private_project
    out = project / "site" / "in-an"  # the default --out: site_dir/in-an
    cache = project / ".cache" / "camnang"
    first = cli(project)
    assert first.returncode == 0, first.stderr
    produced = names("thu-nghiem") | names("khoa-hoc-ky-nang-so")
    produced |= cards(out, "thu-nghiem") | cards(out, "khoa-hoc-ky-nang-so")
    produced |= {"so-tay.pdf", "so-tay-in-gap.pdf"}  # the handbook of both guides
    assert {p.name for p in out.iterdir()} == produced
    before = snapshot(out, cache)

    second = cli(project, "--jobs", "2")
    assert second.returncode == 0, second.stderr
    assert f"0 tệp mới tạo, {len(produced - cards(out, 'thu-nghiem') - cards(out, 'khoa-hoc-ky-nang-so')) - 2} tệp dùng lại" in second.stdout
    assert "ghi 0 tệp" in second.stdout
    assert snapshot(out, cache) == before

    guide = project / "guides" / "thu-nghiem.md"
    guide.write_text(
        guide.read_text(encoding="utf-8").replace("3. Nhập mã xác thực gửi về điện thoại.", "3. Nhập mã xác thực gửi qua tin nhắn."),
        encoding="utf-8",
    )
    third = cli(project)
    assert third.returncode == 0, third.stderr
    assert f"{len(names('thu-nghiem'))} tệp mới tạo" in third.stdout
    after = snapshot(out)
    changed = {p.name for p in after if after[p] != before.get(p)}
    assert changed == names("thu-nghiem") | cards(out, "thu-nghiem") | BOOKLET
    for name in ("to-roi-thu-nghiem.pdf", "ap-phich-thu-nghiem.pdf"):
        assert "gửi qua tin nhắn" in pdfs.text(out / name)


def test_removed_guide_loses_its_printables(project):
    out = project / "out"
    assert cli(project, "--out", str(out)).returncode == 0
    (project / "guides" / "khoa-hoc-ky-nang-so.md").unlink()
    result = cli(project, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert {p.name for p in out.iterdir()} == names("thu-nghiem") | cards(out, "thu-nghiem") | BOOKLET


@pytest.mark.parametrize(
    "template, broken, where",
    [
        ("leaflet.html.j2", "{% if g.title %}\n<p>không đóng if</p>\n", "leaflet.html.j2:"),
        ("poster.html.j2", "{{ g.khong_co_truong }}\n", "poster.html.j2:"),
    ],
    ids=["syntax", "undefined"],
)
def test_broken_template_stops_with_its_name_and_keeps_old_files(project, template, broken, where):
    out = project / "site" / "in-an"
    assert cli(project).returncode == 0
    before = snapshot(out)
    path = project / "posters" / template
    path.write_text(path.read_text(encoding="utf-8").replace("{% block body %}\n", "{% block body %}\n" + broken, 1), encoding="utf-8")

    result = cli(project)
    assert result.returncode != 0
    assert where in result.stderr and "mẫu in" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(out) == before

    # The site build stops too, before MkDocs empties the site folder.
    site_before = snapshot(project / "site")
    built = run_mkdocs(project, project / "site", env={"CAMNANG_SITE_URL": TEST_SITE_URL})
    assert built.returncode != 0
    assert where in built.stderr
    assert snapshot(project / "site") == site_before


def _family_without_vietnamese() -> str | None:
    def families(pattern: str) -> set[str]:
        found = subprocess.run(["fc-list", "--format", "%{family[0]}\n", pattern], capture_output=True, text=True).stdout
        return set(found.split("\n")) - {""}

    candidates = sorted(f for f in families(":") - families(":lang=vi") if re.fullmatch(r"[A-Za-z0-9 ]+", f))
    return candidates[0] if candidates else None


@pytest.mark.parametrize("family, message", [("Phông Không Có", "không tìm thấy phông chữ"), (None, "không có đủ chữ tiếng Việt")])
def test_unusable_font_stops_with_a_clear_error(project, family, message):
    family = family or _family_without_vietnamese()
    if family is None:
        pytest.skip("no font without Vietnamese installed")
    out = project / "site" / "in-an"
    assert cli(project).returncode == 0
    before = snapshot(out)
    set_plugin_option(project, f"print_font: {family}")
    result = cli(project)
    assert result.returncode != 0
    assert message in result.stderr and f"'{family}'" in result.stderr and "print_font" in result.stderr
    assert snapshot(out) == before


def test_without_site_url_only_the_course_is_encoded(project):
    out = project / "out"
    result = cli(project, "--only", "thu-nghiem", "--out", str(out), site_url=None)
    assert result.returncode == 0, result.stderr
    assert "Cảnh báo: chưa đặt site_url" in result.stderr
    for name in ("to-roi-thu-nghiem.pdf", "ap-phich-thu-nghiem.pdf"):
        for page in pdfs.raster(out / name, 150):
            assert {c.text for c in pdfs.qr_codes(page, 150)} == {DEFAULT_COURSE_URL}
        assert "huong-dan" not in pdfs.text(out / name)


def test_site_links_printables_and_can_do_without(project):
    site = project / "site"
    result = run_mkdocs(project, site, env={"CAMNANG_SITE_URL": TEST_SITE_URL})
    assert result.returncode == 0, result.stderr
    printed = site / "in-an"
    cards_of = cards(printed, "thu-nghiem") | cards(printed, "khoa-hoc-ky-nang-so")
    assert {p.name for p in printed.iterdir() if p.suffix not in (".gz", ".br")} == names("thu-nghiem") | names("khoa-hoc-ky-nang-so") | cards_of | BOOKLET
    page = (site / "huong-dan" / "thu-nghiem" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../in-an/to-roi-thu-nghiem.pdf"' in page and 'href="../../in-an/ap-phich-thu-nghiem.pdf"' in page

    set_plugin_option(project, "printables: false")
    shutil.rmtree(site)
    result = run_mkdocs(project, site, env={"CAMNANG_SITE_URL": TEST_SITE_URL})
    assert result.returncode == 0, result.stderr
    assert not (site / "in-an").exists()
    assert "In ấn" not in (site / "huong-dan" / "thu-nghiem" / "index.html").read_text(encoding="utf-8")


def test_guide_too_long_for_a_leaflet_is_named(tmp_path):
    text = (FIXTURES / "printables" / "rat-dai.md").read_text(encoding="utf-8")
    tips = "\n".join(f"- Lưu ý số {i}: " + "đọc kỹ từng dòng trên màn hình trước khi bấm, " * 6 for i in range(40))
    text = text.replace("## Khi gặp khó khăn", tips + "\n\n## Khi gặp khó khăn")
    guides = tmp_path / "src"
    guides.mkdir()
    (guides / "qua-dai.md").write_text(text, encoding="utf-8")
    project = make_project(tmp_path, [guides / "qua-dai.md"])
    result = cli(project, "--only", "qua-dai")
    assert result.returncode != 0
    assert "qua-dai.md" in result.stderr and "tờ rơi cần hơn ba trang" in result.stderr


def test_guide_too_long_for_one_poster_is_published_on_two_sheets(tmp_path):
    """A guide of twelve long steps does not stop the build: every file of
    every guide is written, its poster on two sheets, with a warning that
    names the steps to shorten; ``--strict`` makes that an error (exit 1),
    the files written all the same."""
    project = make_project(tmp_path, [FIXTURES / "guides" / "thu-nghiem.md", FIXTURES / "printables" / "rat-dai.md"])
    out = tmp_path / "in-an"
    result = cli(project, "--out", str(out), "--jobs", "1")
    assert result.returncode == 0, result.stderr
    expected = names("thu-nghiem") | names("rat-dai") | cards(out, "thu-nghiem") | cards(out, "rat-dai") | BOOKLET
    assert {p.name for p in out.iterdir()} == expected
    assert len(pdfs.page_sizes(out / "ap-phich-rat-dai.pdf")) == 2
    (warning,) = [line for line in result.stderr.splitlines() if "ap-phich-rat-dai.pdf" in line]
    assert warning.startswith("Cảnh báo: ") and "2 tờ A3" in warning and "thêm dòng 'Ngắn:' cho bước" in warning
    assert "ap-phich-thu-nghiem.pdf" not in result.stderr

    strict = cli(project, "--out", str(out), "--jobs", "1", "--strict")
    assert strict.returncode == 1
    assert "Lỗi: ap-phich-rat-dai.pdf" in strict.stderr
    assert len(pdfs.page_sizes(out / "ap-phich-rat-dai.pdf")) == 2
