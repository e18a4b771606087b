"""Hostile guides (tests/fixtures/hostile/), loaded as the build loads them.

refused/: each file is one attack or forbidden construct from issue 9; the
loader must refuse it with a message naming the file, the line and the
field or section. escaped/: a guide full of markup in places where it must
print as text; it must load, with its invisible characters removed and a
warning. The real builds, PDFs and browser are in test_hostile_build.py.
"""

from __future__ import annotations

import datetime as _dt
import os
import shutil
import time
from pathlib import Path

import pytest

from camnang.config import load_categories
from camnang.errors import GuideError
from camnang.validate import load_library

from conftest import FIXTURES, ROOT

HOSTILE = FIXTURES / "hostile"
TODAY = _dt.date(2026, 11, 29)
IMAGE = ROOT / "guides" / "anh" / "quet-ma-qr.png"

# file -> (line, words the message must contain)
REFUSED = {
    "lien-ket-javascript.md": (18, ["mục 'Các bước'", "đường dẫn không được phép: \"javascript:alert('js-link')\""]),
    "lien-ket-data.md": (22, ["mục 'Lưu ý'", "đường dẫn không được phép: \"data:text/html,%3Cscript%3Ealert('data-link')%3C/script%3E\""]),
    "lien-ket-http.md": (14, ["đường dẫn không được phép: 'http://127.0.0.1:9/cu'"]),
    "anh-tu-xa.md": (17, ["ảnh không được phép: 'http://127.0.0.1:9/anh.png'"]),
    "anh-tep-may.md": (17, ["ảnh không được phép: 'file:///etc/passwd'"]),
    "anh-svg.md": (17, ["ảnh không được phép: 'anh/so-do.svg'"]),
    "anh-khong-mo-ta.md": (17, ["ảnh 'anh/quet-ma-qr.png' thiếu mô tả"]),
    "anh-ngoai-buoc.md": (14, ["ảnh 'anh/quet-ma-qr.png' chỉ được đặt trong một bước"]),
    "html-khoi.md": (14, ["không dùng mã HTML trong hướng dẫn"]),
    "html-dong.md": (16, ["không dùng mã HTML trong hướng dẫn: '<b onmouseover=\"alert(\\'html-inline\\')\">'"]),
    "buoc-long-danh-sach.md": (17, ["một bước chỉ là một đoạn văn, không chứa danh sách"]),
    "buoc-co-khoi-ma.md": (18, ["không chứa danh sách, tiêu đề hay khối mã"]),
    "tieu-de-cap-1.md": (14, ["không dùng tiêu đề cấp 1"]),
    "trich-dan.md": (14, ["không dùng khối trích dẫn"]),
    "bom-yaml.md": (3, ["không dùng neo và tham chiếu YAML"]),
    "yaml-tu-tham-chieu.md": (8, ["không dùng neo và tham chiếu YAML"]),
    "yaml-the-python.md": (12, ["không dùng thẻ YAML 'tag:yaml.org,2002:python/object/apply:os.system'"]),
    "slug-index.md": (12, ["trường 'slug'", "tên định danh 'index' trùng với một đường dẫn của trang web"]),
    "slug-anh.md": (12, ["trường 'slug'", "tên định danh 'anh' trùng với một đường dẫn của trang web"]),
    "duong-dan-tiem-ma.md": (14, ["trường 'links[1].url'", "địa chỉ không hợp lệ"]),
    "tu-khoa-html.md": (8, ["trường 'keywords[1]'", "không dùng dấu '<' hoặc '>'"]),
}


def guides_folder(tmp_path: Path, *files: Path, image: bool = True, host: str = "127.0.0.1:9") -> Path:
    """A guides folder with copies of ``files`` ({HOST} in them becomes
    ``host``: the build tests point it at a server counting requests)."""
    folder = tmp_path / "guides"
    folder.mkdir()
    for f in files:
        (folder / f.name).write_text(f.read_text(encoding="utf-8").replace("{HOST}", host), encoding="utf-8")
    if image:
        (folder / "anh").mkdir()
        shutil.copy(IMAGE, folder / "anh" / IMAGE.name)
    return folder


def load(folder: Path, warnings: list | None = None):
    return load_library(folder, load_categories(), today=TODAY, on_warning=(warnings.append if warnings is not None else None))


def test_corpus_is_complete():
    assert sorted(p.name for p in (HOSTILE / "refused").glob("*.md")) == sorted(REFUSED)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused(tmp_path, name):
    folder = guides_folder(tmp_path, HOSTILE / "refused" / name)
    started = time.monotonic()
    with pytest.raises(GuideError) as info:
        load(folder)
    assert time.monotonic() - started < 5  # no runaway (the YAML bomb)
    line, words = REFUSED[name]
    problems = info.value.problems
    first = problems[0]
    assert first.path.endswith(f"guides/{name}") and first.line == line, [str(p) for p in problems]
    for w in words:
        assert w in str(first), str(first)


def test_escaped_guide_loads_with_hygiene_warnings(tmp_path):
    folder = guides_folder(tmp_path, HOSTILE / "escaped" / "doc-hai.md")
    warnings: list[str] = []
    library = load(folder, warnings)
    guide = library.guides[0]
    assert guide.title.startswith("<img src=x onerror=alert('title')>Tiêu đề **đậm**")  # plain text, as typed
    assert guide.steps[0].text == "Gọi số 0987654321 của tổ, hoặc 1900 1234."
    assert [w.split(": ", 1)[0].rsplit(":", 1)[1] for w in warnings] == ["29"]
    assert "U+202E" in warnings[0] and "U+2066" in warnings[0] and "U+2069" in warnings[0]
    assert guide.steps[3].short.text == "Bấm Xong."
    assert [i.src for i in guide.images] == ["anh/quet-ma-qr.png"]
    for text in (guide.title, guide.summary, *guide.prepare, *(s.text for s in guide.steps)):
        assert not any(0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 for c in text)


def test_control_characters_are_removed_with_a_warning(tmp_path):
    text = (ROOT / "tests" / "fixtures" / "guides" / "thu-nghiem.md").read_text(encoding="utf-8")
    text = text.replace("Lời giới thiệu", "Lời\x07 giới\x1b thiệu\x85")
    folder = tmp_path / "guides"
    folder.mkdir()
    (folder / "thu-nghiem.md").write_text(text, encoding="utf-8")
    warnings: list[str] = []
    library = load(folder, warnings)
    assert library.guides[0].intro.text == "Lời giới thiệu của hướng dẫn mẫu."
    assert len(warnings) == 1 and warnings[0].startswith(str(folder / "thu-nghiem.md").split("/")[-2] + "/") or ":19:" in warnings[0]
    assert "U+0007, U+001B, U+0085" in warnings[0]


def test_symlink_out_of_the_guides_folder_is_refused(tmp_path):
    folder = guides_folder(tmp_path, FIXTURES / "guides" / "thu-nghiem.md")
    secret = tmp_path / "bi-mat.md"
    shutil.copy(FIXTURES / "guides" / "thu-nghiem.md", secret)
    os.symlink(secret, folder / "lien-ket.md")
    with pytest.raises(GuideError, match="lien-ket.md: tệp hướng dẫn là liên kết"):
        load(folder)


def test_symlinked_image_out_of_the_image_folder_is_refused(tmp_path):
    folder = guides_folder(tmp_path, FIXTURES / "guides" / "thu-nghiem.md", image=False)
    (folder / "anh").mkdir()
    os.symlink("/etc/hostname" if Path("/etc/hostname").exists() else "/etc/passwd", folder / "anh" / "hinh.png")
    with pytest.raises(GuideError, match="tệp ảnh là liên kết ra ngoài thư mục ảnh"):
        load(folder)


def test_upper_case_extension_is_read_with_a_warning(tmp_path):
    folder = tmp_path / "guides"
    folder.mkdir()
    shutil.copy(FIXTURES / "guides" / "thu-nghiem.md", folder / "Thu-Nghiem.MD")
    (folder / "Thu-Nghiem.MD").write_text(
        (folder / "Thu-Nghiem.MD").read_text(encoding="utf-8").replace("reviewed:", "slug: thu-nghiem\nreviewed:"),
        encoding="utf-8",
    )
    warnings: list[str] = []
    library = load(folder, warnings)
    assert [g.slug for g in library.guides] == ["thu-nghiem"]
    assert any("Thu-Nghiem.MD" in w and "'.MD'" in w for w in warnings), warnings


def test_huge_file_is_refused_before_reading(tmp_path):
    folder = tmp_path / "guides"
    folder.mkdir()
    text = (FIXTURES / "guides" / "thu-nghiem.md").read_text(encoding="utf-8")
    (folder / "to.md").write_text(text + "\n" + "chữ " * 100_000, encoding="utf-8")
    with pytest.raises(GuideError, match="tệp quá lớn"):
        load(folder)


def test_deeply_nested_front_matter_is_refused(tmp_path):
    folder = tmp_path / "guides"
    folder.mkdir()
    text = (FIXTURES / "guides" / "thu-nghiem.md").read_text(encoding="utf-8")
    (folder / "sau.md").write_text(text.replace("keywords: [thử nghiệm, mẫu]", "keywords: [[[[[x]]]]]"), encoding="utf-8")
    with pytest.raises(GuideError, match="sau.md:10: phần khai báo lồng nhau quá sâu"):
        load(folder)
    # libyaml stops far deeper nesting itself, before any Python recursion.
    (folder / "sau.md").write_text(text.replace("keywords: [thử nghiệm, mẫu]", "keywords: " + "[" * 10000 + "]" * 10000), encoding="utf-8")
    with pytest.raises(GuideError, match="sau.md:10: lỗi cú pháp YAML"):
        load(folder)


def test_image_changes_invalidate_the_guide_digest(tmp_path):
    folder = guides_folder(tmp_path, HOSTILE / "escaped" / "doc-hai.md")
    before = load(folder).guides[0].digest
    (folder / "anh" / IMAGE.name).write_bytes(IMAGE.read_bytes() + b"\0")
    assert load(folder).guides[0].digest != before
