"""Shared test helpers: real MkDocs builds of the bundled site and of small
fixture projects."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MKDOCS = [sys.executable, "-m", "mkdocs"]
TEST_SITE_URL = "https://camnang.test/"


def run_mkdocs(project: Path, site_dir: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a real `mkdocs build` in `project`, writing to `site_dir`."""
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    return subprocess.run(
        [*MKDOCS, "build", "--site-dir", str(site_dir)],
        cwd=project,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def make_project(tmp: Path, guides: list[Path] | None = None) -> Path:
    """A copy of the repository's site configuration with its own guides folder."""
    project = tmp / "project"
    project.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", project / "docs")
    if (ROOT / "posters").is_dir():
        shutil.copytree(ROOT / "posters", project / "posters")
    (project / "guides").mkdir()
    for g in guides if guides is not None else [FIXTURES / "guides" / "thu-nghiem.md"]:
        shutil.copy(g, project / "guides" / g.name)
    return project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


@pytest.fixture(scope="session")
def bundled_site(tmp_path_factory) -> Path:
    """The repository's own site, built once per test session with a site_url."""
    site = tmp_path_factory.mktemp("bundled") / "site"
    result = run_mkdocs(ROOT, site, env={"CAMNANG_SITE_URL": TEST_SITE_URL})
    assert result.returncode == 0, result.stderr
    return site
