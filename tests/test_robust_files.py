"""File-system failures and damaged caches, with real processes on real
file systems: a full tmpfs, a read-only mount, a file where a folder is
expected, a folder another user owns; cache entries cut short or replaced
by garbage, for printables and team packs."""

from __future__ import annotations

import contextlib
import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest

from camnang.printables.cache import verify
from conftest import ROOT, TEST_SITE_URL, make_project

pytestmark = pytest.mark.build  # real builds in subprocesses (left out of `make check`)

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "CAMNANG_SITE_URL": TEST_SITE_URL}
POSTERS = [sys.executable, str(ROOT / "build_posters.py")]
SITEBUILD = [sys.executable, "-m", "camnang.sitebuild"]


def run(project: Path, *args: str, cmd=POSTERS, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*cmd, *args], cwd=project, env=ENV, capture_output=True, text=True, timeout=600, **kw)


@contextlib.contextmanager
def tmpfs(folder: Path, size: str, read_only: bool = False):
    """A real tmpfs of ``size`` at ``folder`` (root only; skips otherwise)."""
    folder.mkdir(parents=True, exist_ok=True)
    options = f"size={size}" + (",ro" if read_only else "")
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def assert_one_line_error(result: subprocess.CompletedProcess, *needles: str) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Lỗi:")]
    assert len(errors) == 1, result.stderr
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


def assert_no_partial_files(folder: Path) -> None:
    """Every file is whole: no temporary files, nothing empty, every PDF
    and text file passes the cache's own check (pypdf opens the PDFs)."""
    for path in folder.rglob("*"):
        if path.is_file():
            assert not path.name.endswith(".tmp"), path
            assert path.stat().st_size > 0, path
            assert verify(path) is None, (path, verify(path))


@pytest.fixture
def project(tmp_path) -> Path:
    """Its cache in the project (.cache/camnang), empty: these tests damage
    it, fill its disk or look into it."""
    return make_project(tmp_path, private_cache=True)


# -- file-system errors ---------------------------------------------------------------

def test_full_disk_printables(project, tmp_path):
    with tmpfs(tmp_path / "usb", "24k") as usb:
        result = run(project, "--out", str(usb / "in-an"))
        line = assert_one_line_error(result, "ổ đĩa đã đầy", str(usb / "in-an"), "xóa bớt tệp")
        assert "không có tệp nào bị ghi dở" in result.stderr.lower()
        assert_no_partial_files(usb)
        assert any(usb.rglob("*.pdf")), "the first file fitted and should be whole"
    print(line)


def test_full_disk_cache_during_site_build(project, tmp_path):
    (project / "site").mkdir()
    (project / "site" / "index.html").write_text("trang cũ")
    config = project / "mkdocs.yml"
    cache = tmp_path / "cache"
    config.write_text(config.read_text(encoding="utf-8").replace("  - camnang:\n", f"  - camnang:\n      cache_dir: {cache}\n"), encoding="utf-8")
    with tmpfs(cache, "20k"):
        result = run(project, cmd=SITEBUILD)
        assert_one_line_error(result, "ổ đĩa đã đầy", "cache")
        assert "site/ vẫn là bản trước" in result.stderr
        assert_no_partial_files(cache)
    assert (project / "site" / "index.html").read_text() == "trang cũ"
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".site")) == []


def test_full_disk_site_keeps_previous_site(tmp_path):
    """site_dir on a tmpfs big enough for one site, not two: the new build
    fills it; the previous site stays whole."""
    outer = tmp_path / "disk"
    with tmpfs(outer, "12m"):  # a site with its .gz/.br copies is about 4 MB
        project = make_project(outer, private_cache=True)
        # Built once (cache warm), the site and the cache must fit...
        first = run(project, cmd=SITEBUILD)
        assert first.returncode == 0, first.stderr
        before = {p.relative_to(project / "site"): p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}
        used = sum(len(b) for b in before.values())
        # ...but not a second copy of the site next to it.
        filler = project / "filler"
        free = shutil.disk_usage(outer).free
        filler.write_bytes(b"\0" * max(0, free - used // 2))
        result = run(project, cmd=SITEBUILD)
        assert_one_line_error(result, "ổ đĩa đã đầy", "site")
        assert ".venv" not in result.stderr and ".site-build" not in result.stderr
        after = {p.relative_to(project / "site"): p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}
        assert after == before
        assert not list(project.glob(".site-build-*"))
        filler.unlink()
        again = run(project, cmd=SITEBUILD)
        assert again.returncode == 0, again.stderr


def test_read_only_output_folder(project, tmp_path):
    with tmpfs(tmp_path / "ro", "1m", read_only=True) as ro:
        result = run(project, "--out", str(ro / "in-an"))
        assert_one_line_error(result, "chỉ cho đọc", str(ro / "in-an"), "--out")
        roster = project / "to.csv"
        roster.write_text("ma_to,ten_to,cap,xa,tinh\nto-mot,Tổ một,thon,Hương Lạc,Bắc Ninh\n", encoding="utf-8")
        packs = run(project, "--teams", str(roster), "--out", str(ro / "goi-to"))
        assert_one_line_error(packs, "chỉ cho đọc")


def test_read_only_project_folder(tmp_path):
    """A checkout on a read-only mount: the build says where and why."""
    disk = tmp_path / "ro-project"
    with tmpfs(disk, "20m"):
        project = make_project(disk, private_cache=True)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        result = run(project, cmd=SITEBUILD)
        assert_one_line_error(result, "chỉ cho đọc")


def test_file_where_a_folder_is_expected(project, tmp_path):
    blocker = tmp_path / "usb"
    blocker.write_text("một tệp, không phải thư mục")
    result = run(project, "--out", str(blocker / "in-an"))
    assert_one_line_error(result, f"{blocker}: không ghi được: đây là một tệp, nhưng cần một thư mục")
    assert blocker.read_text() == "một tệp, không phải thư mục"
    # The cache folder too.
    shutil.rmtree(project / ".cache")
    (project / ".cache").write_text("x")
    result = run(project, cmd=SITEBUILD)
    assert_one_line_error(result, ".cache: không ghi được: đây là một tệp")


def test_permission_denied(project, tmp_path):
    """A folder the build may not write (mode 555), for a user without
    root's override of file permissions (setpriv drops it for root)."""
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv (util-linux) is not installed")
    caps = "-dac_override,-dac_read_search"
    locked = tmp_path / "chung"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        probe = subprocess.run([setpriv, f"--bounding-set={caps}", f"--inh-caps={caps}", "touch", str(locked / "x")], capture_output=True)
        if probe.returncode == 0 or not os.access(sys.executable, os.X_OK):
            pytest.skip("cannot drop the permission override here")
        result = run(project, "--out", str(locked / "in-an"), cmd=[setpriv, f"--bounding-set={caps}", f"--inh-caps={caps}", *POSTERS])
        assert_one_line_error(result, "không có quyền ghi", str(locked), "chmod")
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


# -- damaged cache entries ---------------------------------------------------------------

def cache_entries(project: Path) -> dict[str, Path]:
    root = project / ".cache" / "camnang" / "printables"
    return {p.parent.name: p for p in root.glob("*/*") if p.is_file() and p.suffix != ".sha256"}


def test_cache_entry_without_digest_is_rendered_again(project):
    """An entry whose digest file is missing (an older cache, or a digest
    deleted by someone who changed the entry) is never reused: rendered
    again, with a warning."""
    assert run(project, "--out", "in-an").returncode == 0
    entries = cache_entries(project)
    for entry in entries.values():
        entry.with_name(entry.name + ".sha256").unlink()
    again = run(project, "--out", "in-an")
    assert again.returncode == 0, again.stderr
    warnings = [line for line in again.stderr.splitlines() if "bộ nhớ đệm bị hỏng" in line]
    assert len(warnings) == len(entries) and all(".sha256" in w for w in warnings), again.stderr
    assert f"{len(entries)} tệp mới tạo" in again.stdout
    assert all(e.with_name(e.name + ".sha256").is_file() for e in cache_entries(project).values())


def test_damaged_printable_cache_entries_are_rendered_again(project):
    first = run(project, "--out", "in-an")
    assert first.returncode == 0, first.stderr
    good = {p.name: p.read_bytes() for p in (project / "in-an").iterdir()}
    entries = cache_entries(project)
    leaflet, poster, text, radio = entries["leaflet"], entries["poster"], entries["radio-text"], entries["radio-pdf"]
    leaflet.write_bytes(leaflet.read_bytes()[: leaflet.stat().st_size // 2])  # cut short
    poster.write_bytes(b"<html>garbage</html>")  # not a PDF
    text.write_bytes(b"")  # empty
    data = radio.read_bytes()  # header and %%EOF kept, body garbled
    radio.write_bytes(data[:20] + b"\0" * (len(data) - 40) + data[-20:])
    shutil.rmtree(project / "in-an")
    again = run(project, "--out", "in-an")
    assert again.returncode == 0, again.stderr
    warnings = [line for line in again.stderr.splitlines() if "bộ nhớ đệm bị hỏng" in line]
    assert len(warnings) == 4, again.stderr
    assert any("cắt cụt" in w for w in warnings) and any("không phải tệp PDF" in w for w in warnings)
    assert any("tệp rỗng" in w for w in warnings) and any("nội dung khác với lúc ghi" in w for w in warnings)
    assert "4 tệp mới tạo" in again.stdout
    assert {p.name: p.read_bytes() for p in (project / "in-an").iterdir()} == good
    assert_no_partial_files(project / ".cache")


def test_damaged_cache_entry_never_reaches_the_site(project):
    first = run(project, cmd=SITEBUILD)
    assert first.returncode == 0, first.stderr
    leaflet = cache_entries(project)["leaflet"]
    good = leaflet.read_bytes()
    leaflet.write_bytes(good[:1024])
    again = run(project, cmd=SITEBUILD)
    assert again.returncode == 0, again.stderr
    assert "bộ nhớ đệm bị hỏng" in again.stderr and "1 cảnh báo" in again.stderr
    assert (project / "site" / "in-an" / "to-roi-thu-nghiem.pdf").read_bytes() == good


ROSTER = (
    "ma_to,ten_to,cap,xa,tinh,dien_thoai\n"
    'to-mot,"=HYPERLINK(""http://vi-du.invalid"",""bấm"")",thon,Hương Lạc,Bắc Ninh,0912345678\n'
    "to-hai,+Tổ hai,thon,Hương Lạc,Bắc Ninh,\n"
    "to-ba,@Tổ ba,thon,Hương Lạc,Bắc Ninh,\n"
)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_damaged_team_pack_cache_and_csv_injection(project, jobs):
    roster = project / "to.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    first = run(project, "--teams", "to.csv", "--only", "thu-nghiem", "--jobs", jobs)
    assert first.returncode == 0, first.stderr
    out = project / "goi-to"
    good = {p.relative_to(out): p.read_bytes() for p in out.rglob("*.pdf")}
    # index.csv: formula-looking names neutralised (OWASP), the PDFs print them as written.
    with (out / "index.csv").open(encoding="utf-8-sig", newline="") as f:
        names = {row["ma_to"]: row["ten_to"] for row in csv.DictReader(f)}
    assert names["to-mot"] == "'=HYPERLINK(\"http://vi-du.invalid\",\"bấm\")"
    assert names["to-hai"] == "'+Tổ hai" and names["to-ba"] == "'@Tổ ba"
    text = pypdf.PdfReader(out / "to-mot" / "to-roi-thu-nghiem.pdf").pages[0].extract_text()
    assert '=HYPERLINK("http://vi-du.invalid","bấm")' in text.replace("\n", "")
    assert "'=HYPERLINK" not in text
    # Damage the team cache: cut short, garbage, empty.
    cache = project / ".cache" / "camnang" / "printables" / "team-packs"
    # Each team's own entries (the shared blank layouts live in _blank/):
    # leaflet, posters file (ap-phich.pdf), the team's radio script PDF and
    # its handbook (so-tay.pdf, so-tay-in-gap.pdf).
    entries = sorted(p for p in cache.rglob("*.pdf") if "_blank" not in p.parts)
    assert len(entries) == 15
    entries[0].write_bytes(entries[0].read_bytes()[:500])
    entries[4].write_bytes(b"garbage")
    entries[8].write_bytes(b"")
    for f in out.rglob("*.pdf"):
        f.unlink()
    again = run(project, "--teams", "to.csv", "--only", "thu-nghiem", "--jobs", jobs)
    assert again.returncode == 0, again.stderr
    assert "Traceback" not in again.stderr and "PdfStreamError" not in again.stderr
    assert sum("bộ nhớ đệm bị hỏng" in line for line in again.stderr.splitlines()) == 3, again.stderr
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*.pdf")} == good
    assert_no_partial_files(cache)


def test_full_disk_team_pack_cache_is_one_line(project, tmp_path):
    """Every team fails the same way on a full cache disk: one line, not
    one per team."""
    roster = project / "to.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    config = project / "mkdocs.yml"
    cache = tmp_path / "cache"
    config.write_text(config.read_text(encoding="utf-8").replace("  - camnang:\n", f"  - camnang:\n      cache_dir: {cache}\n"), encoding="utf-8")
    with tmpfs(cache, "20k"):
        result = run(project, "--teams", "to.csv", "--only", "thu-nghiem", "--jobs", "2")
        assert_one_line_error(result, "ổ đĩa đã đầy")
        assert_no_partial_files(cache)
    assert_no_partial_files(project / "goi-to") if (project / "goi-to").exists() else None
