"""Hostile files around the build (issue 20): symbolic links planted in
the cache and at the lock, huge or fake images, XLSX rosters that cost
minutes to read, over-long names, escape codes in messages, orphan
workers. Each test fails on the code before issue 20."""

from __future__ import annotations

import os
import signal
import stat
from pathlib import Path

import pytest

from camnang.errors import CamnangError
from camnang.lock import BuildLock, LOCK_NAME


# -- the build lock (item 4) ------------------------------------------------------

def test_lock_refuses_a_symlink_and_leaves_its_target_alone(tmp_path):
    victim = tmp_path / "bao-cao.txt"
    victim.write_text("dữ liệu quan trọng\n")
    project = tmp_path / "du-an"
    project.mkdir()
    (project / LOCK_NAME).symlink_to(victim)
    with pytest.raises(CamnangError) as caught:
        BuildLock(project).acquire()
    assert "liên kết tượng trưng (symlink)" in str(caught.value)
    assert LOCK_NAME in str(caught.value)
    assert victim.read_text() == "dữ liệu quan trọng\n"


def test_lock_never_truncates_a_hard_linked_file(tmp_path):
    victim = tmp_path / "bao-cao.txt"
    victim.write_text("dữ liệu quan trọng\n")
    project = tmp_path / "du-an"
    project.mkdir()
    os.link(victim, project / LOCK_NAME)
    with BuildLock(project):
        pass
    assert victim.read_text() == "dữ liệu quan trọng\n"


def test_lock_of_a_read_only_project_is_in_a_private_folder(tmp_path, monkeypatch):
    """No predictable /tmp/camnang-<hash>.lock: a symlink planted there
    by another user is never written through."""
    project = tmp_path / "chi-doc"
    project.mkdir()
    project.chmod(0o555)
    if os.access(project, os.W_OK):
        project.chmod(0o755)
        pytest.skip("running as root: a read-only folder is still writable")
    shared = tmp_path / "tmp"
    shared.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(shared))
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    import hashlib

    victim = tmp_path / "bao-cao.txt"
    victim.write_text("dữ liệu quan trọng\n")
    digest = hashlib.sha256(os.fsencode(os.path.realpath(project / LOCK_NAME))).hexdigest()[:16]
    (shared / f"camnang-{digest}.lock").symlink_to(victim)
    try:
        with BuildLock(project):
            private = shared / f"camnang-{os.geteuid()}"
            st = os.lstat(private)
            assert stat.S_ISDIR(st.st_mode) and not st.st_mode & 0o077
            assert (private / f"camnang-{digest}.lock").is_file()
    finally:
        project.chmod(0o755)
    assert victim.read_text() == "dữ liệu quan trọng\n"


def test_private_lock_folder_planted_by_another_user_is_not_used(tmp_path, monkeypatch):
    from camnang.lock import private_dir

    shared = tmp_path / "tmp"
    shared.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(shared))
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    planted = shared / f"camnang-{os.geteuid()}"
    elsewhere = tmp_path / "cua-nguoi-khac"
    elsewhere.mkdir(mode=0o700)
    planted.symlink_to(elsewhere)
    with pytest.raises(OSError):
        private_dir()
    planted.unlink()
    planted.mkdir(mode=0o777)
    planted.chmod(0o777)
    with pytest.raises(OSError):
        private_dir()
    planted.rmdir()
    assert private_dir() == planted
    assert stat.S_IMODE(os.lstat(planted).st_mode) == 0o700


# -- cache entries (item 3) -------------------------------------------------------

def radio_build(tmp_path, name="out"):
    """Radio text scripts of the small fixture project, in process."""
    import dataclasses

    from camnang.config import load_settings
    from camnang.printables import pipeline
    from camnang.printables.radio import RADIO_TEXT
    from camnang.validate import load_library
    from conftest import TEST_SITE_URL, make_project

    project = tmp_path / "project"
    if not project.exists():
        make_project(tmp_path)
    settings = dataclasses.replace(
        load_settings(project / "mkdocs.yml"), site_url=TEST_SITE_URL, cache_dir=tmp_path / "cache"
    )
    library = load_library(settings.guides_dir, settings.categories)
    warnings: list[str] = []
    out = tmp_path / name
    result = pipeline.build(library, settings, kinds=(RADIO_TEXT,), jobs=1, out_dir=out, warn=warnings.append)
    return result, out, warnings, settings


def radio_entry(settings) -> Path:
    (entry,) = (settings.cache_dir / "printables" / "radio-text").glob("*.txt")
    return entry


@pytest.mark.parametrize("digest", ["deleted", "kept"])
def test_symlinked_cache_entry_is_discarded_never_published(tmp_path, digest):
    """The attack of issue 20: a cache entry replaced by a symbolic link to
    a local file (with or without its digest) is not published."""
    result, out, warnings, settings = radio_build(tmp_path)
    assert result.rendered == 1 and warnings == []
    entry = radio_entry(settings)
    secret = tmp_path / "bi-mat.txt"
    secret.write_text("BI-MAT-WIFI-12345678\n")
    entry.unlink()
    entry.symlink_to(secret)
    sidecar = entry.with_name(entry.name + ".sha256")
    if digest == "deleted":
        sidecar.unlink()
    else:  # a digest that matches the planted file
        import hashlib

        sidecar.write_text(hashlib.sha256(secret.read_bytes()).hexdigest() + "\n")
    result, out, warnings, settings = radio_build(tmp_path, "out2")
    (published,) = out.glob("*.txt")
    assert "BI-MAT-WIFI" not in published.read_text()
    assert result.rendered == 1
    assert len(warnings) == 1 and "liên kết tượng trưng (symlink)" in warnings[0], warnings
    assert not radio_entry(settings).is_symlink()
    assert secret.read_text() == "BI-MAT-WIFI-12345678\n"


def test_cache_entry_without_its_digest_is_rendered_again(tmp_path):
    result, out, warnings, settings = radio_build(tmp_path)
    entry = radio_entry(settings)
    entry.write_text("Bài phát thanh giả, do người khác ghi vào bộ nhớ đệm.\n")
    entry.with_name(entry.name + ".sha256").unlink()
    result, out, warnings, settings = radio_build(tmp_path, "out2")
    (published,) = out.glob("*.txt")
    assert "giả" not in published.read_text()
    assert result.rendered == 1
    assert len(warnings) == 1 and ".sha256" in warnings[0], warnings


def test_fifo_or_folder_in_the_cache_is_discarded(tmp_path):
    """A FIFO where an entry should be would hang a plain open(); a folder
    would raise. Both are removed with a warning and the entry re-rendered."""
    result, out, warnings, settings = radio_build(tmp_path)
    entry = radio_entry(settings)
    entry.unlink()
    os.mkfifo(entry)
    result, out, warnings, settings = radio_build(tmp_path, "out2")
    assert result.rendered == 1 and len(warnings) == 1 and "không phải tệp thường" in warnings[0]
    entry = radio_entry(settings)
    entry.unlink()
    entry.mkdir()
    result, out, warnings, settings = radio_build(tmp_path, "out3")
    assert result.rendered == 1 and len(warnings) == 1 and "không phải tệp thường" in warnings[0]
    assert radio_entry(settings).is_file()


def test_hard_link_from_the_cache_never_copies_a_symlink(tmp_path):
    """Team packs hard-link their files to cache entries: a symbolic link
    in the cache is never linked into (or followed from) the team's folder."""
    from camnang.printables.outdir import OutDir

    secret = tmp_path / "bi-mat.pdf"
    secret.write_bytes(b"%PDF-1.7 secret %%EOF")
    entry = tmp_path / "cache" / "to-roi.0123456789abcdef.pdf"
    entry.parent.mkdir()
    entry.symlink_to(secret)
    out = OutDir(tmp_path / "goi-to")
    data = b"%PDF-1.7 real %%EOF"
    assert out.write_linked("to-01/to-roi.pdf", data, entry) is True
    written = tmp_path / "goi-to" / "to-01" / "to-roi.pdf"
    assert not written.is_symlink() and written.read_bytes() == data
    assert secret.read_bytes() == b"%PDF-1.7 secret %%EOF"


# -- terminal-safe messages (item 13) -----------------------------------------------

GUIDE = Path(__file__).parent / "fixtures" / "guides" / "thu-nghiem.md"


def hostile_guide(tmp_path: Path, old: str, new: str, name: str = "thu-nghiem.md") -> Path:
    folder = tmp_path / "guides"
    folder.mkdir(exist_ok=True)
    text = GUIDE.read_text(encoding="utf-8")
    assert old in text
    (folder / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def assert_terminal_safe(text: str) -> None:
    import unicodedata

    bad = [c for c in text if unicodedata.category(c) in ("Cc", "Cf") and c != "\n"]
    assert not bad, (bad, text)


def test_escape_codes_in_a_category_are_shown_escaped(tmp_path):
    """ESC sequences (clear the screen, OSC 52 clipboard write) written as
    YAML escapes in the category: the message shows them as \\x1b."""
    folder = hostile_guide(tmp_path, "category: dich-vu-cong", 'category: "\\e[2J\\e]52;c;ZXZpbA==\\a\\e[32mxanh"')
    from camnang.config import load_settings
    from camnang.validate import load_library
    from conftest import ROOT

    settings = load_settings(ROOT / "mkdocs.yml")
    with pytest.raises(CamnangError) as caught:
        load_library(folder, settings.categories)
    message = str(caught.value)
    assert_terminal_safe(message)
    # Shown escaped here, or removed when the guide is read (issue 20, item 5):
    # either way no raw ESC or BEL reaches the terminal.
    assert "trường 'category'" in message


def test_problem_and_log_records_escape_every_echoed_value():
    import logging

    from camnang.errors import Problem, terminal_safe

    problem = Problem(
        path="guides/\x1b[31mdo.md", line=4, field="ten\x1b]52;c;ZXZpbA==\x07",
        message="tên định danh '\u202econ\x9b' không hợp lệ", hint="xóa \x1b[2J",
    )
    text = str(problem)
    assert_terminal_safe(text)
    assert "\\x1b[31m" in text and "\\x07" in text and "\\u202e" in text and "\\x9b" in text
    assert "tên định danh" in text and "không hợp lệ" in text  # Vietnamese untouched
    assert terminal_safe("Lưu ý: điện thoại") == "Lưu ý: điện thoại"

    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    logger = logging.getLogger("mkdocs.plugins.camnang")
    handler = Keep()
    logger.addHandler(handler)
    try:
        logger.warning("tổ '%s': ô trống", "\x1b[2Jto-1")
    finally:
        logger.removeHandler(handler)
    assert records == ["tổ '\\x1b[2Jto-1': ô trống"]


# -- over-long names and Windows device names (item 14) ------------------------------

def guide_problems(folder: Path) -> str:
    from camnang.config import load_settings
    from camnang.validate import load_library
    from conftest import ROOT

    settings = load_settings(ROOT / "mkdocs.yml")
    with pytest.raises(CamnangError) as caught:
        load_library(folder, settings.categories)
    return str(caught.value)


def test_over_long_slug_is_refused_at_validation(tmp_path):
    long = "a" * 300
    folder = hostile_guide(tmp_path, "reviewed:", f"slug: {long}\nreviewed:")
    message = guide_problems(folder)
    assert "thu-nghiem.md:" in message and "trường 'slug'" in message
    assert "dài 300 ký tự, tối đa 80" in message


@pytest.mark.parametrize("device", ["con", "nul", "aux", "prn", "com1", "lpt9"])
def test_windows_device_name_is_refused_as_slug(tmp_path, device):
    folder = hostile_guide(tmp_path, "reviewed:", f"slug: {device}\nreviewed:")
    message = guide_problems(folder)
    assert "trường 'slug'" in message and "tên Windows dành riêng" in message


def test_windows_device_name_as_file_name_is_refused(tmp_path):
    folder = hostile_guide(tmp_path, "reviewed:", "reviewed:", name="con.md")
    message = guide_problems(folder)
    assert "con.md:" in message and "tên Windows dành riêng" in message


ROSTER_HEADER = "ma_to,ten_to,cap,xa,tinh"


@pytest.mark.parametrize(
    "cells, cell, limit",
    [
        (("t" * 300, "Tổ một", "xa", "Hương Lạc", "Bắc Ninh"), "A3", 64),
        (("to-2", "Tổ hai", "xa", "Xã " + "rất dài " * 40, "Bắc Ninh"), "D3", 60),
        (("to-2", "Tổ hai", "xa", "Hương Lạc", "Tỉnh " + "Bắc Ninh " * 40), "E3", 60),
    ],
)
def test_over_long_roster_names_are_refused_with_row_and_column(tmp_path, cells, cell, limit):
    """A 300-character team id used to pass the check and abort the run
    later with "path too long", naming no row, after writing 3 teams."""
    from camnang.roster import RosterError, load_roster

    path = tmp_path / "to.csv"
    path.write_text(f"{ROSTER_HEADER}\nto-1,Tổ một,xa,Hương Lạc,Bắc Ninh\n{','.join(cells)}\n", encoding="utf-8")
    with pytest.raises(RosterError) as caught:
        load_roster(path)
    message = str(caught.value)
    assert "to.csv:3:" in message and f"ô {cell} dài" in message and f"tối đa {limit}" in message


# -- XLSX rosters refused before they are read (item 8) -------------------------------

XLSX_HEADER = ["ma_to", "ten_to", "cap", "xa", "tinh"]
XLSX_ROW = ["thon-dong-quan", "Tổ thôn Đồng Quan", "thon", "Hương Lạc", "Bắc Ninh"]


def crafted_xlsx(tmp_path: Path, sheet=None, strings: bytes | None = None, name: str = "to.xlsx") -> Path:
    """A real roster saved by openpyxl, then one part rewritten: the
    sheet's XML (``sheet(xml) -> xml``) or the shared strings (streamed)."""
    import zipfile

    import openpyxl

    book = openpyxl.Workbook()
    for row in (XLSX_HEADER, XLSX_ROW):
        book.active.append(row)
    base = tmp_path / "base.xlsx"
    book.save(base)
    path = tmp_path / name
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml" and sheet is not None:
                data = sheet(data.decode("utf-8")).encode("utf-8")
            if strings is not None and info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType='
                                    b'"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            if strings is not None and info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/'
                                    b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
            out.writestr(info, data)
        if strings is not None:
            with out.open("xl/sharedStrings.xml", "w") as part:
                ns = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
                part.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<sst ' + ns + strings + b">")
                chunk = b"<si><t>a</t></si>" * 100_000
                for _ in range(50):  # 5 million strings
                    part.write(chunk)
                part.write(b"</sst>")
    return path


def load_timed(path: Path):
    import time

    from camnang.roster import RosterError, load_roster

    started = time.process_time()
    try:
        load_roster(path)
        outcome = None
    except RosterError as e:
        outcome = str(e)
    return outcome, time.process_time() - started


def test_one_cell_at_the_last_excel_row_is_refused_in_a_second(tmp_path):
    """1.7 KB, one cell at row 1,048,576: took 10.7 s to read."""
    far = '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    path = crafted_xlsx(tmp_path, sheet=lambda xml: xml.replace("</sheetData>", far))
    assert path.stat().st_size < 8000
    message, seconds = load_timed(path)
    assert message is not None and "to.xlsx" in message and "hơn 200.000 dòng" in message, message
    assert seconds < 1


@pytest.mark.parametrize("row", ["1e6", "999999.0", " 300000 "])
def test_row_numbers_openpyxl_reads_as_numbers_are_checked_too(tmp_path, row):
    far = f'<row r="{row}"><c t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    message, seconds = load_timed(crafted_xlsx(tmp_path, sheet=lambda xml: xml.replace("</sheetData>", far)))
    assert message is not None and "hơn 200.000 dòng" in message, message
    assert seconds < 1


@pytest.mark.parametrize("declared", [b' count="5000000" uniqueCount="5000000"', b' count="2" uniqueCount="1"', b""])
def test_five_million_shared_strings_are_refused_in_a_second(tmp_path, declared):
    """208 KB holding 5 million shared strings took 219 CPU-s and 529 MB;
    the declaration is read first, and a lying one is caught by counting."""
    path = crafted_xlsx(tmp_path, strings=declared)
    assert path.stat().st_size < 1_000_000
    message, seconds = load_timed(path)
    assert message is not None and "chuỗi văn bản dùng chung, nhiều hơn số ô" in message, message
    assert seconds < 1


def test_real_rosters_still_load(tmp_path):
    from camnang.roster import load_roster

    path = crafted_xlsx(tmp_path)
    assert [t.id for t in load_roster(path).teams] == ["thon-dong-quan"]


# -- images (item 12) -------------------------------------------------------------------

PICTURE_STEP = "2. Nhập số điện thoại rồi bấm **Tiếp tục**.\n   ![Màn hình nhập số điện thoại](anh/hinh.png)"


def picture_guides(tmp_path: Path, data: bytes, name: str = "hinh.png") -> Path:
    folder = hostile_guide(tmp_path, "2. Nhập số điện thoại rồi bấm **Tiếp tục**.", PICTURE_STEP)
    (folder / "anh").mkdir(exist_ok=True)
    (folder / "anh" / name).write_bytes(data)
    return folder


def png(width: int, height: int, colour=(200, 30, 30), mode: str = "RGB") -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new(mode, (width, height), colour if mode == "RGB" else 1).save(out, "PNG")
    return out.getvalue()


def test_huge_png_is_refused_naming_the_file(tmp_path):
    """21 KB, 9000 x 9000 pixels: pushed a worker to 727 MB."""
    data = png(9000, 9000, mode="1")  # one bit a pixel: made in a moment
    assert len(data) < 100_000
    message = guide_problems(picture_guides(tmp_path, data))
    assert "hinh.png" in message and "9000×9000 điểm ảnh" in message and "tối đa 25 triệu" in message, message


def test_400_megapixel_png_is_refused_not_left_off(tmp_path):
    """A PNG header declaring 20000 x 20000 pixels (its data never decoded)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0)) + chunk(b"IEND", b"")
    message = guide_problems(picture_guides(tmp_path, data))
    assert "hinh.png" in message and "tối đa 25 triệu điểm ảnh" in message, message


@pytest.mark.parametrize(
    "data, words",
    [
        (b"\x89PNG\r\n\x1a\n" + b"garbage" * 100, "tệp ảnh hỏng"),
        (b"this is not a picture at all" * 10, "không phải ảnh PNG hoặc JPEG"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG"),
        (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
    ],
    ids=["damaged-png", "garbage", "svg", "svg-xml"],
)
def test_fake_or_damaged_png_is_an_error(tmp_path, data, words):
    message = guide_problems(picture_guides(tmp_path, data))
    assert "hinh.png" in message and words in message, message


def test_gif_named_png_is_refused_by_content(tmp_path):
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    message = guide_problems(picture_guides(tmp_path, out.getvalue()))
    assert "hinh.png" in message and "ảnh GIF, không phải PNG hoặc JPEG" in message, message


def test_truncated_png_pixels_are_an_error(tmp_path):
    data = png(300, 300, (10, 200, 10))
    message = guide_problems(picture_guides(tmp_path, data[: len(data) - 40]))
    assert "hinh.png" in message and "tệp ảnh hỏng" in message, message


def test_large_picture_is_scaled_down_for_print(tmp_path):
    """A 4000 x 3000 picture (12 MP, allowed) reaches WeasyPrint at most
    2000 px wide: the PDF embeds the small copy, kept in the cache."""
    import dataclasses

    import pypdf

    from camnang.config import load_settings
    from camnang.printables import pipeline
    from camnang.printables.leaflet import LEAFLET
    from camnang.validate import load_library
    from conftest import ROOT, TEST_SITE_URL

    import io

    from PIL import Image

    big = io.BytesIO()
    Image.linear_gradient("L").resize((4000, 3000)).convert("RGB").save(big, "JPEG", quality=80)
    folder = picture_guides(tmp_path, big.getvalue(), name="hinh.png")
    settings = dataclasses.replace(
        load_settings(ROOT / "mkdocs.yml"), guides_dir=folder, site_url=TEST_SITE_URL, cache_dir=tmp_path / "cache"
    )
    library = load_library(folder, settings.categories)
    pipeline.build(library, settings, kinds=(LEAFLET,), jobs=1, out_dir=tmp_path / "out")
    (leaflet,) = (tmp_path / "out").glob("*.pdf")
    sizes = [
        (image.image.width, image.image.height)
        for page in pypdf.PdfReader(leaflet).pages
        for image in page.images
    ]
    assert sizes and max(max(s) for s in sizes) <= 2000, sizes
    assert (2000, 1500) in sizes, sizes
    assert list((tmp_path / "cache" / "printables" / "images").glob("*.jpg"))


# -- workers die with the build (item 11) -------------------------------------------------

BUILD_SCRIPT = '''
import os, sys, time
from pathlib import Path
from camnang.lock import BuildLock
from camnang.workers import Workers
from camnang.writer import write_atomic


class Run:
    key = "kill-test"

    def prepare(self):
        pass


def task(ctx, i):
    out = Path(sys.argv[1]) / "cache"
    for part in range(20):  # a long render, written in pieces
        time.sleep(0.1)
        write_atomic(out / f"entry-{i}-{part}.txt", b"x")
    return os.getpid()


if __name__ == "__main__":
    out = Path(sys.argv[1])
    with BuildLock(out):
        recycle = 50 if sys.argv[2] == "forkserver" else None
        with Workers(Run(), jobs=2, max_tasks_per_child=recycle, tasks=40) as pool:
            for _, future in pool.imap_unordered(task, range(40)):
                print("done", future.result(), flush=True)
'''


def descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs /proc (Linux)")
@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_kill_9_of_a_build_leaves_no_worker_and_no_late_write(tmp_path, method):
    """kill -9 of a build: its workers used to keep writing cache entries
    for 6-15 s after the lock was free, then stay idle at ~105 MB each."""
    import subprocess
    import sys
    import time

    script = tmp_path / "build.py"
    script.write_text(BUILD_SCRIPT)
    (tmp_path / "cache").mkdir()
    build = subprocess.Popen([sys.executable, str(script), str(tmp_path), method], stdout=subprocess.PIPE, text=True)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while not list((tmp_path / "cache").glob("entry-*")) and time.monotonic() < deadline:
            time.sleep(0.05)
        workers |= {pid for pid in descendants(build.pid) if running(pid)}
        assert workers, "no worker process started"
        os.kill(build.pid, signal.SIGKILL)
        build.wait()
        killed = time.time()
        # The lock is free at once (the kernel releases it) ...
        deadline = time.monotonic() + 5
        while True:
            try:
                BuildLock(tmp_path, wait=False).acquire().release()
                break
            except CamnangError:
                assert time.monotonic() < deadline, "the lock stayed held by orphaned workers"
                time.sleep(0.05)
        free = time.time()
        # ... and within two seconds no worker is left.
        deadline = time.monotonic() + 10  # a loaded 2-core CI machine: the kernel and the watch thread need a moment
        while any(running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        survivors = [pid for pid in workers if running(pid)]
        assert not survivors, f"workers still running {time.time() - killed:.1f} s after kill -9: {survivors}"
        time.sleep(1)
        late = [p.name for p in (tmp_path / "cache").iterdir() if p.stat().st_mtime > free + 0.05]
        assert not late, f"written after the lock was released: {late}"
    finally:
        if build.poll() is None:
            build.kill()
            build.wait()
        for pid in workers:  # the ones this test started, if they survived
            if running(pid):
                os.kill(pid, signal.SIGKILL)


def test_dangling_symlink_among_old_versions_does_not_stop_the_build(tmp_path):
    """Pruning old versions of an entry sorts its siblings by age: a
    dangling link planted among them is not followed (it used to raise)."""
    result, out, warnings, settings = radio_build(tmp_path)
    entry = radio_entry(settings)
    planted = entry.with_name(entry.name.split(".")[0] + ".0000000000000000.txt")
    planted.symlink_to(tmp_path / "khong-co")
    entry.unlink()
    result, out, warnings, settings = radio_build(tmp_path, "out2")
    assert result.rendered == 1


def test_team_pack_journal_is_never_appended_through_a_link(tmp_path):
    from camnang.printables.manifest import JOURNAL, Manifest
    from camnang.printables.outdir import OutDir

    victim = tmp_path / "bashrc"
    victim.write_text("# dữ liệu của người dùng\n")
    out = tmp_path / "goi-to"
    out.mkdir()
    (out / JOURNAL).symlink_to(victim)
    manifest = Manifest.load(OutDir(out), "inputs")
    with pytest.raises(OSError):
        manifest.record_zip("theo-xa/a.zip", "inputs", 1, "0" * 64)
    assert victim.read_text() == "# dữ liệu của người dùng\n"


def test_make_build_console_escapes_any_logger(tmp_path):
    """``make build`` shows every logger's warnings (MkDocs', the theme's):
    an escape code in one is shown escaped too."""
    import io
    import logging

    from camnang.sitebuild import Console

    stream = io.StringIO()
    console = Console(stream)
    logging.getLogger("mkdocs.structure.pages").addHandler(console)
    try:
        logging.getLogger("mkdocs.structure.pages").warning("Doc file '%s' contains a link", "x\x1b]52;c;ZXZpbA==\x07.md")
    finally:
        logging.getLogger("mkdocs.structure.pages").removeHandler(console)
    assert stream.getvalue() == "Cảnh báo (mkdocs): Doc file 'x\\x1b]52;c;ZXZpbA==\\x07.md' contains a link\n"


def test_commune_zip_never_gets_a_windows_device_name():
    """A commune or province whose name folds to ``con``, ``nul``... (the
    commune Côn) gets a ZIP path Windows can create."""
    from types import SimpleNamespace

    from camnang.printables.bundles import communes
    from camnang.roster import windows_reserved

    teams = [SimpleNamespace(province="Aux", commune="Côn"), SimpleNamespace(province="Bắc Ninh", commune="Nul")]
    paths = list(communes(teams))
    assert paths == ["theo-xa/aux-1/con-1.zip", "theo-xa/bac-ninh/nul-1.zip"]
    assert not any(windows_reserved(part) for path in paths for part in path.split("/"))


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs /proc (Linux)")
def test_kill_9_of_build_posters_leaves_no_worker(tmp_path):
    """The real command: build_posters.py with two worker processes
    (forkserver, recycled pool), killed in the middle of its renders."""
    import subprocess
    import sys
    import time

    from conftest import ROOT, make_project

    project = make_project(tmp_path, private_cache=True)  # renders to do: a pool to kill
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "CAMNANG_SITE_URL": "https://camnang.test/"}
    build = subprocess.Popen(
        [sys.executable, str(ROOT / "build_posters.py"), "--out", "in-an", "--jobs", "2"],
        cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while len(workers) < 3 and time.monotonic() < deadline and build.poll() is None:
            workers |= {pid for pid in descendants(build.pid) if running(pid)}
            time.sleep(0.05)
        assert len(workers) >= 3, f"the pool did not start: {workers}"  # fork server and two workers
        time.sleep(0.5)  # in the middle of the renders
        os.kill(build.pid, signal.SIGKILL)
        build.wait()
        deadline = time.monotonic() + 5
        while True:
            try:
                BuildLock(project, wait=False).acquire().release()
                break
            except CamnangError:
                assert time.monotonic() < deadline, "the lock stayed held"
                time.sleep(0.05)
        free = time.time()
        deadline = time.monotonic() + 10  # a loaded 2-core CI machine: the kernel and the watch thread need a moment
        while any(running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in workers if running(pid)], "workers survived kill -9 of the build"
        time.sleep(1)
        cache = project / ".cache"
        late = [str(p) for p in cache.rglob("*") if p.is_file() and p.stat().st_mtime > free + 0.05] if cache.exists() else []
        assert not late, f"written after the lock was released: {late}"
    finally:
        if build.poll() is None:
            build.kill()
            build.wait()
        for pid in workers:
            if running(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize(
    "row",
    [
        '<row x=">" r="1048576">',  # a ">" inside another attribute's value
        '<row x=" r=\'1\'" r="1048576">',  # a fake r inside another attribute's value
        "<row r='1048576' spans='1:1'>",
    ],
)
def test_row_number_hidden_in_attribute_values_is_still_read(tmp_path, row):
    far = f'{row}<c t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    message, seconds = load_timed(crafted_xlsx(tmp_path, sheet=lambda xml: xml.replace("</sheetData>", far)))
    assert message is not None and "hơn 200.000 dòng" in message, message
    assert seconds < 1


def test_shared_strings_and_sheets_are_found_wherever_the_workbook_puts_them(tmp_path):
    """The workbook names its parts' places: 5 million shared strings moved
    to xl/other.xml (and the relationship pointing there) are still counted."""
    import zipfile

    path = crafted_xlsx(tmp_path, strings=b"")
    moved = tmp_path / "moved.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(moved, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            name = info.filename
            if name == "xl/sharedStrings.xml":
                name = "xl/other.xml"
            data = data.replace(b"sharedStrings.xml", b"other.xml")
            out.writestr(name, data)
    message, seconds = load_timed(moved)
    assert message is not None and "chuỗi văn bản dùng chung" in message, message
    assert seconds < 1
