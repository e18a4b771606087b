"""The icons the site and the printables draw are kept in the repository
(issue 21): every category's icon is there, with its licence, and a
categories file naming a missing icon is refused with the file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from camnang import icons
from camnang.config import load_categories
from camnang.errors import ConfigError
from camnang.printables.pictogram import pictogram


def test_every_category_icon_is_in_the_repository():
    for category in load_categories():
        drawn = pictogram(category.icon, 30, category.name)
        assert drawn is not None, category.icon
        assert 'width="30mm"' in drawn and "<path d=" in drawn
        # A tagged PDF's Figure needs its text (PDF/UA): the category's.
        assert f"<title>Biểu tượng: {category.name}</title>" in drawn
    assert "Apache" in (icons.ICONS_DIR / "LICENSE").read_text(encoding="utf-8")


def test_missing_icon_is_refused(tmp_path: Path):
    path = tmp_path / "categories.yml"
    path.write_text("dinh-danh:\n  name: Định danh\n  icon: material/khong-co\n", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_categories(path)
    assert "dinh-danh.icon" in str(e.value) and "material/khong-co" in str(e.value)


def test_icon_file_content_never_reaches_a_page(tmp_path: Path, monkeypatch):
    """Only a viewBox and path data are read: script in a file is dropped."""
    (tmp_path / "xau.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" onload="alert(1)">'
        '<script>alert(2)</script><path d="M0 0h24v24H0z" onclick="alert(3)"/></svg>',
        encoding="utf-8",
    )
    monkeypatch.setattr(icons, "ICONS_DIR", tmp_path)
    icons.icon_paths.cache_clear()
    try:
        drawn = icons.svg("material/xau")
    finally:
        icons.icon_paths.cache_clear()
    assert drawn is not None and "alert" not in drawn and 'd="M0 0h24v24H0z"' in drawn
