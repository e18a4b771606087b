"""Shared test helpers: real MkDocs builds of the bundled site and of small
fixture projects."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
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
        # Step pictures live beside the guides (guides/anh/).
        if (g.parent / "anh").is_dir() and not (project / "guides" / "anh").exists():
            shutil.copytree(g.parent / "anh", project / "guides" / "anh")
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


# --------------------------------------------------------------------------
# Browser tests: one Chromium and one served bundled site per session
# --------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(directory: Path):
    """Serve a folder on 127.0.0.1 (a secure context: service workers run)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_url(bundled_site: Path):
    with serve(bundled_site) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail("Chromium is missing: run `make test` (it installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
