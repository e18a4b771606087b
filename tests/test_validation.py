"""Every validation error of the guide format: the message names the file,
the line and the field. The messages are checked where the build gets them,
``camnang.validate.load_library`` (milliseconds each); one real `mkdocs build`
shows that a failing build prints that very message, exits non-zero and
leaves the site folder that was already there exactly as it was."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from camnang.config import load_categories
from camnang.errors import GuideError
from camnang.validate import load_library
from conftest import FIXTURES, make_project, run_mkdocs

GOOD = "thu-nghiem.md"
CATEGORIES = load_categories()


def _replace(old: str, new: str):
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return edit


def _drop_line(prefix: str):
    def edit(text: str) -> str:
        lines = text.split("\n")
        kept = [line for line in lines if not line.startswith(prefix)]
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
def test_invalid_guide_is_refused_naming_file_line_and_field(tmp_path: Path, monkeypatch, case, edit, field, line, words):
    message = refusal(tmp_path, monkeypatch, {GOOD: edit(fixture_text())})
    assert f"guides/{GOOD}" in message, message
    if field:
        assert f"trường '{field}'" in message, message
    if line:
        assert f"{GOOD}:{line}:" in message, message
    assert words in message, message


@pytest.mark.build
def test_failing_build_prints_the_message_exits_non_zero_and_keeps_the_old_site(tmp_path: Path, monkeypatch):
    """The one real build of this file: a site is built, a guide is broken,
    the next build fails with the message ``load_library`` gives (checked
    in-process for every case above) and the site stays as it was."""
    project = make_project(tmp_path)
    site = tmp_path / "site"
    assert run_mkdocs(project, site).returncode == 0
    before = _snapshot(site)

    path = project / "guides" / GOOD
    path.write_text(_replace("category: dich-vu-cong", "category: dich-vu-con")(path.read_text(encoding="utf-8")), encoding="utf-8")
    result = run_mkdocs(project, site)

    assert result.returncode != 0
    monkeypatch.chdir(project)  # paths shown relative to where the build runs
    with pytest.raises(GuideError) as caught:
        load_library(project / "guides", CATEGORIES)
    expected = str(caught.value)
    assert f"guides/{GOOD}:4: trường 'category':" in expected, expected
    assert expected in result.stderr, result.stderr
    assert _snapshot(site) == before


def test_file_not_utf8_says_how_to_resave(tmp_path: Path, monkeypatch):
    message = refusal(tmp_path, monkeypatch, {GOOD: fixture_text().encode("utf-16")})
    assert f"guides/{GOOD}" in message and "UTF-8" in message and "Lưu" in message


def test_slug_clash(tmp_path: Path, monkeypatch):
    text = fixture_text()
    clash = text.replace("reviewed: 2026-11-01", "reviewed: 2026-11-01\nslug: thu-nghiem")
    message = refusal(tmp_path, monkeypatch, {GOOD: text, "ban-sao.md": clash})
    assert "trùng" in message and "trường 'slug'" in message
    assert "ban-sao.md" in message or "thu-nghiem.md" in message


def test_slug_that_names_another_guides_zalo_card_is_refused(tmp_path: Path, monkeypatch):
    """``abc-2`` beside ``abc`` (whose second Zalo card is
    ``the-zalo-abc-2.png``), and ``to`` (a team pack's own card is
    ``the-zalo-to.png``): refused, naming the file and the card; a number
    that is no card's (``-1``, ``-02``) is not."""
    text = fixture_text()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    message = refusal(tmp_path / "a", monkeypatch, {GOOD: text, "thu-nghiem-2.md": text})
    assert "guides/thu-nghiem-2.md" in message and "trường 'slug'" in message
    assert "the-zalo-thu-nghiem-2.png" in message and "'thu-nghiem'" in message
    message = refusal(tmp_path / "b", monkeypatch, {"to.md": text})
    assert "guides/to.md" in message and "the-zalo-to.png" in message
    monkeypatch.chdir(tmp_path)
    guides = tmp_path / "c"
    guides.mkdir()
    for name in (GOOD, "thu-nghiem-1.md", "thu-nghiem-02.md", "khac-2.md"):
        (guides / name).write_text(text, encoding="utf-8")
    assert len(load_library(guides, CATEGORIES).guides) == 4


def test_all_problems_reported_at_once(tmp_path: Path, monkeypatch):
    text = fixture_text().replace("summary:", "sumary:").replace("category: dich-vu-cong", "category: khac")
    message = refusal(tmp_path, monkeypatch, {GOOD: text})
    assert "trường 'sumary'" in message and "trường 'category'" in message and "trường 'summary'" in message


def fixture_text() -> str:
    return (FIXTURES / "guides" / GOOD).read_text(encoding="utf-8")


def refusal(tmp_path: Path, monkeypatch, files: dict[str, str | bytes]) -> str:
    """The message with which the build's loader refuses these guide files,
    with paths shown as a build run in ``tmp_path`` shows them."""
    guides = tmp_path / "guides"
    guides.mkdir()
    for name, content in files.items():
        if isinstance(content, bytes):
            (guides / name).write_bytes(content)
        else:
            (guides / name).write_text(content, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(GuideError) as caught:
        load_library(guides, CATEGORIES)
    return str(caught.value)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
