"""Shared test helpers: real MkDocs builds of the bundled site and of small
fixture projects.

Every test project (``make_project``) and the bundled site keep their
printables in one cache for the whole run (``shared_cache``): the cache is
content-addressed (``camnang.printables.keys.output_key``, the fit memo's
``fitmemo.key``: the guide's text and pictures, templates, settings, fonts
and camnang's code, never a folder's path), so a project reuses exactly the
PDFs and layouts another project with the same inputs made, and the bundled
site build warms it. Tests of the cache itself get a cache of their own
(``make_project(..., private_cache=True)``)."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MKDOCS = [sys.executable, "-m", "mkdocs"]
TEST_SITE_URL = "https://camnang.test/"

_shared_cache: Path | None = None
_own_cache = False


_RUN_DIR = "CAMNANG_TEST_RUN_DIR"
"""A folder of this run shared by pytest-xdist's workers (set by the process
that starts them, which removes it at the end): the bundled site is built
there once, by whichever worker needs it first."""
_run_dir: Path | None = None
_own_run_dir = False


def pytest_configure(config):
    """One cache folder for the run: a new temporary folder, removed at the
    end, or the folder named by CAMNANG_TEST_CACHE (kept, to reuse it in the
    next run). Under pytest-xdist (``make test`` runs two workers) the
    controller makes both folders and its workers inherit them through the
    environment, so every worker shares one cache and one bundled site."""
    global _shared_cache, _own_cache, _run_dir, _own_run_dir
    named = os.environ.get("CAMNANG_TEST_CACHE")
    if named:
        _shared_cache = Path(named).resolve()
        _shared_cache.mkdir(parents=True, exist_ok=True)
    else:
        _shared_cache = Path(tempfile.mkdtemp(prefix="camnang-test-cache-"))
        _own_cache = True
        os.environ["CAMNANG_TEST_CACHE"] = str(_shared_cache)
    run = os.environ.get(_RUN_DIR)
    if run:
        _run_dir = Path(run)
    else:
        _run_dir = Path(tempfile.mkdtemp(prefix="camnang-test-run-"))
        _own_run_dir = True
        os.environ[_RUN_DIR] = str(_run_dir)


def pytest_unconfigure(config):
    if _own_cache and _shared_cache is not None:
        shutil.rmtree(_shared_cache, ignore_errors=True)
        os.environ.pop("CAMNANG_TEST_CACHE", None)
    if _own_run_dir and _run_dir is not None:
        shutil.rmtree(_run_dir, ignore_errors=True)
        os.environ.pop(_RUN_DIR, None)


BROWSER_FIXTURES = {"browser"}
BUILD_FIXTURES = {"bundled_site"}


def pytest_collection_modifyitems(config, items):
    """Tiers (Makefile): a test that uses Chromium is marked ``browser``, one
    that needs the bundled site built is marked ``build``, whichever of
    the fixtures brings them in; modules that run builds in subprocesses
    mark themselves (``pytestmark``)."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        if names & BUILD_FIXTURES:
            item.add_marker(pytest.mark.build)


def shared_cache() -> Path:
    """The cache folder every test project of this run shares."""
    assert _shared_cache is not None, "shared_cache() is set up by pytest (tests/conftest.py)"
    return _shared_cache


def use_cache(project: Path, folder: Path) -> None:
    """Point the project's mkdocs.yml at the cache ``folder``."""
    config = project / "mkdocs.yml"
    line = f"      cache_dir: {json.dumps(str(folder))}\n"
    text, n = re.subn(r"^  - camnang:\n", lambda m: m.group(0) + line, config.read_text(encoding="utf-8"), flags=re.M)
    assert n == 1, "mkdocs.yml has no '  - camnang:' plugin entry"
    config.write_text(text, encoding="utf-8")


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


def make_project(tmp: Path, guides: list[Path] | None = None, *, private_cache: bool = False) -> Path:
    """A copy of the repository's site configuration with its own guides
    folder. Its printables cache is the run's shared one, or with
    ``private_cache`` its own (the default ``.cache/camnang`` in the project,
    empty): for tests that look into, damage or time the cache."""
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
    if not private_cache:
        use_cache(project, shared_cache())
    return project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


@pytest.fixture(scope="session")
def bundled_site() -> Path:
    """The repository's own site (its mkdocs.yml, docs, posters and every
    guide, copied), built once per test run with a site_url, into the
    shared cache: its printables and fit memos are there for every test.
    Tests only read it. Under pytest-xdist the first worker that needs it
    builds it (holding a lock on the run folder) and the others wait and
    read the same folder."""
    import fcntl

    assert _run_dir is not None
    tmp = _run_dir / "bundled"
    site = tmp / "site"
    done = tmp / "built"
    with (_run_dir / "bundled.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(tmp, ignore_errors=True)  # a failed attempt of another worker
            tmp.mkdir()
            project = make_project(tmp, sorted((ROOT / "guides").glob("*.md")))
            shutil.copy(ROOT / "guides" / "lo-trinh.yml", project / "guides" / "lo-trinh.yml")  # the journeys
            result = run_mkdocs(project, site, env={"CAMNANG_SITE_URL": TEST_SITE_URL})
            assert result.returncode == 0, result.stderr
            done.touch()
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


# --------------------------------------------------------------------------
# Where a run's time goes: CAMNANG_TEST_TIMELINE=FILE appends one line per
# test phase (worker, phase, start, stop, test); scripts/test-timeline.py
# sums it per file and worker.
# --------------------------------------------------------------------------

_TIMELINE = os.environ.get("CAMNANG_TEST_TIMELINE")


def pytest_runtest_logreport(report):
    # Under pytest-xdist the controller sees each worker's reports again
    # (``report.node``): only the worker that ran the test logs it.
    if _TIMELINE and not hasattr(report, "node"):
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        with open(_TIMELINE, "a", encoding="utf-8") as f:
            f.write(f"{worker}\t{report.when}\t{report.start:.2f}\t{report.stop:.2f}\t{report.nodeid}\n")
