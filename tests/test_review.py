"""The review report (camnang.review, ``build_posters.py --review``) on the
real bundled guides plus a fixture guide checked long ago that cites pages
of a merged province and of an abolished district."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from camnang.config import load_settings
from camnang.review import add_months, format_report, load_merged_domains, merged_source_reason, review_library
from camnang.validate import load_library

from conftest import FIXTURES, ROOT, make_project

FIXTURE = FIXTURES / "review" / "nguon-cu-sap-nhap.md"
REAL_GUIDES = sorted((ROOT / "guides").glob("*.md"))


@pytest.fixture(scope="module")
def review_project(tmp_path_factory) -> Path:
    """The repository's configuration with every bundled guide and the fixture."""
    return make_project(tmp_path_factory.mktemp("review"), [*REAL_GUIDES, FIXTURE])


def run_review(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "build_posters.py"), "--config", str(project / "mkdocs.yml"), "--review", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )


def row(report: str, slug: str) -> str:
    return next(line for line in report.splitlines() if line.startswith(slug + " "))


def test_cli_report_lists_every_guide_with_dates_merged_sources_and_radio(review_project):
    result = run_review(review_project)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"{len(REAL_GUIDES) + 1} hướng dẫn" in out
    # the fixture: checked 10/05/2025, due 10/05/2026, long past
    fixture = row(out, "nguon-cu-sap-nhap")
    assert "10/05/2025" in fixture and "10/05/2026" in fixture
    assert "quá hạn xem lại" in fixture and "thay nguồn" in fixture
    assert "https://stc.bacgiang.gov.vn/node/10489" in out
    assert "tỉnh Bắc Giang cũ (đã nhập vào Bắc Ninh từ 1/7/2025)" in out
    assert "Mỹ Đức (Hà Nội)" in out
    assert "https://dichvucong.gov.vn/\n" not in out  # a national source is not listed
    # every real guide: its reviewed date and the date 12 months on
    for path in REAL_GUIDES:
        reviewed = dt.date.fromisoformat(next(t for t in path.read_text(encoding="utf-8").splitlines() if t.startswith("reviewed:")).split(":", 1)[1].strip())
        line = row(out, path.stem)
        assert reviewed.strftime("%d/%m/%Y") in line and add_months(reviewed, 12).strftime("%d/%m/%Y") in line
    # the old guide's stale warning reaches the terminal, and nothing is written
    assert "nguon-cu-sap-nhap.md" in result.stderr
    assert not (review_project / "site").exists()


def test_cli_review_of_some_guides(review_project):
    result = run_review(review_project, "--only", "vneid-kich-hoat")
    assert result.returncode == 0, result.stderr
    assert "1 hướng dẫn" in result.stdout
    assert "nguon-cu-sap-nhap" not in result.stdout


def test_cli_review_refuses_team_packs(review_project):
    result = run_review(review_project, "--teams", str(ROOT / "teams" / "vi-du.csv"))
    assert result.returncode == 2
    assert "--review" in result.stderr


def test_radio_scripts_over_the_slot_are_reported(review_project):
    settings = load_settings(str(review_project / "mkdocs.yml"))
    library = load_library(settings.guides_dir, settings.categories, on_warning=lambda m: None)
    reviews = review_library(library, settings, today=dt.date(2026, 11, 29))
    # Which bundled scripts run over the slot is content, not this test's
    # concern (the build log names them): here the report must agree with
    # the scripts' own reading time.
    assert all(r.over_slot == (r.radio_seconds > 180) for r in reviews)
    short = dataclasses.replace(settings, radio_slot_minutes=2)
    reviews = review_library(library, short, today=dt.date(2026, 11, 29))
    long = [r for r in reviews if r.radio_seconds > 120]
    assert long and all(r.over_slot for r in long)
    report = format_report(reviews)
    for r in long:
        assert "rút gọn bài đọc" in row(report, r.slug)
        assert "dài hơn khung 2:00" in report


def test_due_this_quarter(review_project):
    settings = load_settings(str(review_project / "mkdocs.yml"))
    library = load_library(settings.guides_dir, settings.categories, on_warning=lambda m: None)
    reviewed = library.get("vneid-kich-hoat").reviewed
    due = add_months(reviewed, 12)

    def vneid(today):
        (r,) = review_library(library, settings, today=today, only=["vneid-kich-hoat"])
        return r

    assert vneid(due).next_review == due
    assert not vneid(add_months(due, -3) - dt.timedelta(days=1)).due_this_quarter
    assert vneid(add_months(due, -3)).due_this_quarter
    assert not vneid(add_months(due, -3)).overdue
    assert vneid(due).overdue
    report = format_report(review_library(library, settings, today=add_months(due, -2), only=["vneid-kich-hoat"]))
    assert "xem lại quý này" in row(report, "vneid-kich-hoat")
    assert "quá hạn xem lại" in row(format_report((vneid(due),)), "vneid-kich-hoat")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://dean06.hanam.gov.vn/tailieu/dk_t5.html", "tỉnh Hà Nam cũ"),
        ("https://huyendakto.kontum.gov.vn/x", "tỉnh Kon Tum cũ"),
        ("https://congan.kontum.gov.vn/x", "tỉnh Kon Tum cũ"),
        ("https://www.baria-vungtau.gov.vn/", "tỉnh Bà Rịa - Vũng Tàu cũ"),
        ("https://lethanh.myduc.hanoi.gov.vn/x", "Mỹ Đức"),
        ("https://namhonglinh.hatinh.gov.vn/x", "Hồng Lĩnh"),
        ("https://trungnam.vinhlinh.quangtri.gov.vn/x", "Vĩnh Linh"),
        ("https://xaabc.huyenxyz.thanhhoa.gov.vn/x", "huyện cũ"),
        ("https://thieutoan.thieuhoa.thanhhoa.gov.vn/x", "Thiệu Hóa"),
        ("https://onetouch.mic.gov.vn/", "Bộ Thông tin và Truyền thông"),
        ("https://congan.laichau.gov.vn/x", None),
        ("https://dichvucong.gov.vn/", None),
        ("https://csgt.bocongan.gov.vn/", None),
        ("https://mst.gov.vn/", None),
        ("https://vbpl.vn/backan/Pages/x.aspx", None),
        ("https://hanam.gov.vn.example.com/", None),
        ("https://yenbai.example.org/", None),
    ],
)
def test_merged_source_reason(url, expected):
    reason = merged_source_reason(url, load_merged_domains())
    if expected is None:
        assert reason is None
    else:
        assert reason is not None and expected in reason


def test_every_abolished_province_is_listed_once():
    merged = load_merged_domains()
    assert len(merged.provinces) == 29  # 63 provinces and cities became 34 on 1/7/2025
    assert len(set(merged.provinces) | set(merged.current_provinces)) == len(merged.provinces) + len(merged.current_provinces)
    assert {new for _old, new in merged.provinces.values()} <= {
        "Tuyên Quang", "Lào Cai", "Thái Nguyên", "Phú Thọ", "Bắc Ninh", "Hưng Yên", "Hải Phòng", "Ninh Bình",
        "Quảng Trị", "Đà Nẵng", "Quảng Ngãi", "Gia Lai", "Khánh Hòa", "Đắk Lắk", "Lâm Đồng", "Đồng Nai",
        "Thành phố Hồ Chí Minh", "Tây Ninh", "Đồng Tháp", "Vĩnh Long", "Cần Thơ", "Cà Mau", "An Giang",
    }


def test_add_months():
    assert add_months(dt.date(2026, 11, 29), 12) == dt.date(2027, 11, 29)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)
