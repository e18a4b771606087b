"""What to reprint (issue 24): only the printables whose guide changed."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

from camnang.config import load_categories
from camnang.reprint import files_of, since
from camnang.validate import load_library
from conftest import FIXTURES, ROOT, make_project

GUIDE = FIXTURES / "guides" / "thu-nghiem.md"


def _run(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "build_posters.py"), *args],
        cwd=project, capture_output=True, text=True, timeout=600,
        env={**os.environ, "CAMNANG_SITE_URL": "https://camnang.test/"},
    )


def test_since_lists_guides_changed_after_the_date(tmp_path):
    folder = tmp_path / "guides"
    folder.mkdir()
    text = GUIDE.read_text(encoding="utf-8")
    (folder / "cu.md").write_text(text, encoding="utf-8")
    (folder / "moi.md").write_text(
        text.replace("reviewed: 2026-11-01\n", "reviewed: 2026-11-01\nchanges:\n  - date: 2026-11-25\n    what: Thêm bước kiểm tra.\n"),
        encoding="utf-8",
    )
    library = load_library(folder, load_categories(), today=dt.date(2026, 12, 1))
    found = since(library, dt.date(2026, 11, 10))
    assert [r.guide.slug for r in found] == ["moi"]
    assert found[0].files == files_of(library.get("moi")) and "to-roi-moi.pdf" in found[0].files
    assert [c.what for c in found[0].changes] == ["Thêm bước kiểm tra."]
    assert since(library, dt.date(2026, 10, 1)) and not since(library, dt.date(2026, 11, 25))


def test_reprint_against_names_exactly_the_edited_guides_files(tmp_path):
    """Two guides built, the folder kept as 'last time', one guide edited,
    built again: the list is that guide's printables and nothing else."""
    guides = []
    for slug in ("mot", "hai"):
        path = tmp_path / f"{slug}.md"
        path.write_text(GUIDE.read_text(encoding="utf-8"), encoding="utf-8")
        guides.append(path)
    project = make_project(tmp_path, guides)
    out = project / "ban-in"
    assert _run(project, "--out", str(out)).returncode == 0
    last_time = tmp_path / "lan-truoc"
    shutil.copytree(out, last_time)

    same = _run(project, "--out", str(out), "--reprint-against", str(last_time))
    assert same.returncode == 0 and "không cần in lại" in same.stdout, same.stdout + same.stderr

    edited = project / "guides" / "hai.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Nhập mã xác thực", "Nhập mã xác thực 6 số"), encoding="utf-8")
    assert _run(project, "--out", str(out)).returncode == 0
    result = _run(project, "--out", str(out), "--reprint-against", str(last_time))
    assert result.returncode == 0, result.stderr
    listed = sorted(line[2:] for line in result.stdout.splitlines() if line.startswith("- "))
    library = load_library(project / "guides", load_categories())
    assert listed == sorted(files_of(library.get("hai")))


def test_every_printable_carries_its_edition_date(tmp_path):
    """"Bản ngày" on the leaflet, the poster and the radio PDF: the newest
    ``changes`` date, so a team can tell which version is on the wall."""
    import dataclasses

    import pdfs
    from camnang.config import load_settings
    from camnang.printables.kinds import PrintContext
    from camnang.printables.registry import all_kinds

    folder = tmp_path / "guides"
    folder.mkdir()
    (folder / "moi.md").write_text(
        GUIDE.read_text(encoding="utf-8").replace(
            "reviewed: 2026-11-01\n", "reviewed: 2026-11-01\nchanges:\n  - date: 2026-11-25\n    what: Thêm bước kiểm tra.\n"
        ),
        encoding="utf-8",
    )
    guide = load_library(folder, load_categories(), today=dt.date(2026, 12, 1)).get("moi")
    settings = dataclasses.replace(load_settings(ROOT / "mkdocs.yml"), site_url="https://camnang.test/")
    kinds = [k for k in all_kinds() if k.suffix == ".pdf"]
    assert len(kinds) >= 3
    for kind in kinds:
        path = tmp_path / kind.output_name(guide)
        path.write_bytes(kind.render(guide, PrintContext(settings)))
        text = pdfs.squash("".join(page.extract_text() for page in pdfs.reader(path).pages))
        assert pdfs.squash("Bản ngày 25/11/2026") in text, kind.name
