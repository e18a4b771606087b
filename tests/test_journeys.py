"""Journeys, changes and skill areas (issue 24): declared in small validated
files and fields, shown on the site; every error names the file, line and
field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from camnang.config import load_categories
from camnang.errors import GuideError
from camnang.model import SkillArea
from camnang.render import site
from camnang.validate import load_library
from conftest import FIXTURES, ROOT

CATEGORIES = load_categories()
GUIDE = (FIXTURES / "guides" / "thu-nghiem.md").read_text(encoding="utf-8")
TODAY = dt.date(2026, 12, 3)


def _folder(tmp: Path, journeys: str | None = None, **guides: str) -> Path:
    folder = tmp / "guides"
    folder.mkdir()
    for slug, extra in (guides or {"mot": "", "hai": "", "ba": ""}).items():
        (folder / f"{slug}.md").write_text(GUIDE.replace("reviewed: 2026-11-01\n", "reviewed: 2026-11-01\n" + extra), encoding="utf-8")
    if journeys is not None:
        (folder / "lo-trinh.yml").write_text(journeys, encoding="utf-8")
    return folder


def _problems(folder: Path, **kw) -> str:
    with pytest.raises(GuideError) as e:
        load_library(folder, CATEGORIES, today=TODAY, **kw)
    return str(e.value)


def test_bundled_journeys_are_the_three_asked_for():
    library = load_library(ROOT / "guides", CATEGORIES)
    titles = [j.title for j in library.journeys]
    assert titles[:3] == [
        "Khi gia đình có em bé",
        "Khi chuyển đến nơi ở mới",
        "Người cao tuổi nhận lương hưu, trợ cấp qua tài khoản",
    ]
    baby = library.journeys[0].slugs
    assert baby.index("khai-sinh-truc-tuyen") < baby.index("can-cuoc-cho-con-vneid")


def test_journey_naming_a_missing_guide_is_refused(tmp_path):
    folder = _folder(tmp_path, "a:\n  title: Lộ trình A\n  summary: Một câu.\n  guides: [mot, hia]\n")
    message = _problems(folder)
    assert "lo-trinh.yml:4" in message and "a.guides[2]" in message and "'hia'" in message and "'hai'" in message


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a:\n  title: A\n  summary: B\n  guides: [mot, mot]\n", "hai lần"),
        ("a:\n  title: A\n  summary: B\n  guides: [mot]\n", "cần từ 2"),
        ("A b:\n  title: A\n  summary: B\n  guides: [mot, hai]\n", "không hợp lệ"),
        ("a:\n  title: A\n  summary: B\n  guide: [mot, hai]\n", "có phải ý bạn là 'guides'"),
        ("a: &x\n  title: A\n  summary: B\n  guides: [mot, hai]\nb: *x\n", "neo"),
        ("a:\n  title: !!python/object:os.system A\n  summary: B\n  guides: [mot, hai]\n", "lo-trinh.yml"),
    ],
)
def test_bad_journeys_file_is_refused(tmp_path, text, expected):
    assert expected in _problems(_folder(tmp_path, text))


def test_journeys_file_as_symlink_is_refused(tmp_path):
    folder = _folder(tmp_path)
    outside = tmp_path / "ngoai.yml"
    outside.write_text("a:\n  title: A\n  summary: B\n  guides: [mot, hai]\n", encoding="utf-8")
    (folder / "lo-trinh.yml").symlink_to(outside)
    assert "symlink" in _problems(folder)


def test_guide_page_shows_its_journeys_with_previous_and_next(tmp_path):
    folder = _folder(tmp_path, "a:\n  title: Khi có <việc>\n  summary: Một câu.\n  guides: [mot, hai, ba]\n")
    library = load_library(folder, CATEGORIES, today=TODAY)
    page = site.render_guide_page(library.get("hai"), library)
    assert 'Thuộc lộ trình <a href="../../lo-trinh/a/">Khi có &lt;việc&gt;</a>: bước 2 trên 3' in page
    assert 'Bước trước: <a href="../mot/">' in page and 'Bước sau: <a href="../ba/">' in page
    first = site.render_guide_page(library.get("mot"), library)
    assert "Bước trước" not in first and "Bước sau" in first
    journey = site.render_journey_page(library.journeys[0], library)
    assert [journey.index(f'href="../../huong-dan/{s}/"') for s in ("mot", "hai", "ba")] == sorted(
        journey.index(f'href="../../huong-dan/{s}/"') for s in ("mot", "hai", "ba")
    )
    assert site.build_nav(library, [])[-1] == {"Lộ trình": [{"Khi có &lt;việc&gt;": "lo-trinh/a.md"}]}


def test_changes_are_shown_newest_first_and_set_the_edition(tmp_path):
    folder = _folder(
        tmp_path,
        mot="changes:\n  - date: 2026-11-20\n    what: Sửa bước 2.\n  - date: 2026-12-02\n    what: Thêm <lưu ý>.\n",
    )
    guide = load_library(folder, CATEGORIES, today=TODAY).get("mot")
    assert [c.date.day for c in guide.changes] == [2, 20]
    assert guide.edition == dt.date(2026, 12, 2)
    page = site.render_guide_page(guide, load_library(folder, CATEGORIES, today=TODAY))
    assert page.index("02/12/2026</time>: Thêm &lt;lưu ý&gt;.") < page.index("20/11/2026</time>: Sửa bước 2.")


@pytest.mark.parametrize(
    "extra, expected",
    [
        ("changes:\n  - date: 2027-01-01\n    what: x\n", "changes[1].date"),
        ("changes:\n  - date: hom qua\n    what: x\n", "ngày không hợp lệ"),
        ("changes:\n  - date: 2026-11-02\n", "changes[1]"),
        ("changes:\n  - date: 2026-11-02\n    what: '" + "x" * 200 + "'\n", "tối đa 160"),
        ("changes: sửa nhiều\n", "phải là một danh sách"),
        ("skills: [an-toan-so]\n", "skills[1]"),
    ],
)
def test_bad_changes_or_skills_are_named(tmp_path, extra, expected):
    folder = _folder(tmp_path, mot=extra)
    areas = (SkillArea(id="an-toan", number="4", name="An toàn"),)
    message = _problems(folder, skill_areas=areas)
    assert "mot.md:" in message and expected in message


def test_skills_page_lists_guides_by_area(tmp_path):
    folder = _folder(tmp_path, mot="skills: [an-toan]\n", hai="skills: [an-toan, thiet-bi]\n", ba="")
    areas = (SkillArea(id="thiet-bi", number="0", name="Sử dụng thiết bị"), SkillArea(id="an-toan", number="4", name="An toàn"))
    library = load_library(folder, CATEGORIES, today=TODAY, skill_areas=areas)
    page = site.render_skills_page(library, "Quyết định 757/QĐ-BKHCN", "https://example.gov.vn/qd")
    assert page.index('id="thiet-bi"') < page.index('id="an-toan"')
    section = page[page.index('id="an-toan"') :]
    assert section.count("<li>") == 2
    guide_page = site.render_guide_page(library.get("hai"), library)
    assert 'href="../../ky-nang-so/#an-toan">An toàn</a>' in guide_page


def test_review_report_shows_journeys_skills_and_recent_changes(tmp_path):
    from camnang.config import load_settings
    from camnang.review import format_report, review_library

    folder = _folder(
        tmp_path,
        "a:\n  title: Khi có em bé\n  summary: Một câu.\n  guides: [mot, hai]\n",
        mot="changes:\n  - date: 2026-11-20\n    what: Sửa bước 2.\n  - date: 2026-01-02\n    what: Cũ lắm.\n",
        hai="skills: [an-toan]\n",
    )
    areas = (SkillArea(id="an-toan", number="4", name="An toàn"),)
    library = load_library(folder, CATEGORIES, today=TODAY, skill_areas=areas)
    report = format_report(review_library(library, load_settings(ROOT / "mkdocs.yml"), today=TODAY), library=library)
    assert "20/11/2026 mot: Sửa bước 2." in report and "Cũ lắm" not in report
    assert "Khi có em bé: mot → hai" in report
    assert "4. An toàn: 1 hướng dẫn" in report and "chưa gắn nhóm kỹ năng: mot" in report


def test_each_journey_prints_on_one_a4_page_with_codes_in_order(bundled_site):
    """The bundled site's in-an/lo-trinh-<id>.pdf: one A4 page whose codes
    lead to the journey's guides in order, then the course; linked from the
    journey's page."""
    import pdfs
    import zxingcpp
    from camnang.config import DEFAULT_COURSE_URL
    from conftest import TEST_SITE_URL

    library = load_library(ROOT / "guides", CATEGORIES)
    assert len(library.journeys) >= 3
    for journey in library.journeys:
        path = bundled_site / "in-an" / f"lo-trinh-{journey.id}.pdf"
        (width, height), = pdfs.page_sizes(path)
        assert abs(width - 595) <= 1 and abs(height - 842) <= 1
        (image,) = pdfs.raster(path, 150)
        found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        urls = [r.text for r in sorted(found, key=lambda r: r.position.top_left.y)]
        assert urls == [*(f"{TEST_SITE_URL}huong-dan/{s}/" for s in journey.slugs), DEFAULT_COURSE_URL]
        assert "Bản ngày" in pdfs.text(path)
        page = (bundled_site / "lo-trinh" / journey.id / "index.html").read_text(encoding="utf-8")
        assert f'href="../../in-an/lo-trinh-{journey.id}.pdf"' in page
