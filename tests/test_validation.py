"""Every validation error of the guide format, through a real `mkdocs build`:
the message names the file, the line and the field, the build exits non-zero,
and the site folder that was already there is left exactly as it was."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import make_project, run_mkdocs

GOOD = "thu-nghiem.md"


def _replace(old: str, new: str):
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return edit


def _drop_line(prefix: str):
    def edit(text: str) -> str:
        lines = text.split("\n")
        kept = [l for l in lines if not l.startswith(prefix)]
        assert len(kept) < len(lines), prefix
        return "\n".join(kept)

    return edit


# (case id, edit of the fixture guide, field named in the message, 1-based line or None, words in the message)
CASES = [
    ("broken-yaml", _replace("service: Dịch vụ thử nghiệm", "service: [Dịch vụ"), None, None, "YAML"),
    ("missing-title", _drop_line("title:"), "title", None, "thiếu trường bắt buộc"),
    ("empty-summary", _replace("summary: Hướng dẫn mẫu dùng trong kiểm thử, có đủ các phần của một hướng dẫn.", "summary: ''"), "summary", 5, "để trống"),
    ("empty-prepare", _replace("prepare:\n  - Điện thoại thông minh\n  - Thẻ căn cước gắn chip", "prepare: []"), "prepare", 6, "ít nhất một"),
    ("missing-sources", _replace("sources:\n  - https://dichvucong.gov.vn/\nreviewed", "reviewed"), "sources", None, "thiếu trường bắt buộc"),
    ("missing-reviewed", _drop_line("reviewed:"), "reviewed", None, "thiếu trường bắt buộc"),
    ("unknown-field-typo", _replace("summary:", "sumary:"), "sumary", 5, "summary"),
    ("wrong-type", _replace("prepare:\n  - Điện thoại thông minh\n  - Thẻ căn cước gắn chip", "prepare:\n  a: b"), "prepare", 6, "danh sách"),
    ("bad-category", _replace("category: dich-vu-cong", "category: dich-vu-con"), "category", 4, "dich-vu-cong"),
    ("bad-date", _replace("reviewed: 2026-11-01", "reviewed: 2026-13-45"), "reviewed", 16, "ngày không hợp lệ"),
    ("non-https-source", _replace("  - https://dichvucong.gov.vn/\nreviewed", "  - http://dichvucong.gov.vn/\nreviewed"), "sources[1]", 15, "https://"),
    ("non-https-link", _replace("    url: https://dichvucong.gov.vn/", "    url: http://dichvucong.gov.vn/"), "links[1].url", 13, "https://"),
    ("summary-too-long", _replace("summary: Hướng dẫn mẫu", "summary: " + "Rất dài " * 30 + "Hướng dẫn mẫu"), "summary", 5, "tối đa 200"),
    ("no-steps-section", _replace("## Các bước", "## Những việc cần làm"), None, None, "Các bước"),
    ("no-ordered-list", lambda t: re.sub(r"^\d\. ", "- ", t, flags=re.M), None, 21, "danh sách đánh số"),
    ("too-few-steps", lambda t: re.sub(r"^[34]\. .*\n", "", t, flags=re.M), None, 21, "cần từ 3 đến 12"),
    ("bad-slug", _replace("reviewed: 2026-11-01", "reviewed: 2026-11-01\nslug: Hướng Dẫn"), "slug", 17, "không hợp lệ"),
]


@pytest.mark.parametrize("case, edit, field, line, words", CASES, ids=[c[0] for c in CASES])
def test_invalid_guide_fails_and_keeps_old_site(tmp_path: Path, case, edit, field, line, words):
    project = make_project(tmp_path)
    site = tmp_path / "site"
    assert run_mkdocs(project, site).returncode == 0
    before = _snapshot(site)

    path = project / "guides" / GOOD
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    result = run_mkdocs(project, site)

    assert result.returncode != 0
    message = result.stderr
    assert f"guides/{GOOD}" in message, message
    if field:
        assert f"trường '{field}'" in message, message
    if line:
        assert f"{GOOD}:{line}:" in message, message
    assert words in message, message
    assert _snapshot(site) == before


def test_file_not_utf8_says_how_to_resave(tmp_path: Path):
    project = make_project(tmp_path)
    site = tmp_path / "site"
    assert run_mkdocs(project, site).returncode == 0
    before = _snapshot(site)
    path = project / "guides" / GOOD
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode("utf-16"))
    result = run_mkdocs(project, site)
    assert result.returncode != 0
    assert f"guides/{GOOD}" in result.stderr and "UTF-8" in result.stderr and "Lưu" in result.stderr
    assert _snapshot(site) == before


def test_slug_clash(tmp_path: Path):
    project = make_project(tmp_path)
    site = tmp_path / "site"
    assert run_mkdocs(project, site).returncode == 0
    before = _snapshot(site)
    text = (project / "guides" / GOOD).read_text(encoding="utf-8")
    (project / "guides" / "ban-sao.md").write_text(text.replace("reviewed: 2026-11-01", "reviewed: 2026-11-01\nslug: thu-nghiem"), encoding="utf-8")
    result = run_mkdocs(project, site)
    assert result.returncode != 0
    assert "trùng" in result.stderr and "trường 'slug'" in result.stderr
    assert "ban-sao.md" in result.stderr or "thu-nghiem.md" in result.stderr
    assert _snapshot(site) == before


def test_all_problems_reported_at_once(tmp_path: Path):
    project = make_project(tmp_path)
    path = project / "guides" / GOOD
    text = path.read_text(encoding="utf-8").replace("summary:", "sumary:").replace("category: dich-vu-cong", "category: khac")
    path.write_text(text, encoding="utf-8")
    result = run_mkdocs(project, tmp_path / "site")
    assert result.returncode != 0
    assert "trường 'sumary'" in result.stderr and "trường 'category'" in result.stderr and "trường 'summary'" in result.stderr


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
