"""The bundled site built by ProperDocs, a maintained fork of MkDocs 1.x,
is the site MkDocs 1.6.1 builds (README, "Khi MkDocs và Material ngừng").

`make setup` installs the fork in .venv-fork, a venv of its own where MkDocs
itself is uninstalled, so the fork is the only engine there. Both builds run
with printables off: the printables do not depend on the engine, and the
test stays fast (about 10 s for the two builds).
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from camnang.render.site import GUIDE_SOURCE

from conftest import ROOT, TEST_SITE_URL, run_mkdocs

pytestmark = pytest.mark.build  # two real site builds, one with the fork's own venv

FORK_VENV = ROOT / ".venv-fork"
FORK = FORK_VENV / "bin" / "properdocs"
# The version `make setup` installs (pyproject.toml's `fork` extra, pinned).
FORK_VERSION = re.search(r"^properdocs==(\S+)$", (ROOT / "constraints.txt").read_text(encoding="utf-8"), re.M).group(1)

# What may differ between the two builds, and nothing else:
# the engine's name in <meta name="generator">, the service worker's cache
# version (a digest of the pages, so of that meta tag), and the sitemap's
# build date (if the builds straddle midnight).
GENERATOR = re.compile(r'<meta name="generator" content="[^"]*">')
SW_VERSION = re.compile(r'var VERSION = "[0-9a-f]+";')
LASTMOD = re.compile(r"<lastmod>[^<]*</lastmod>")
REVISIONS = re.compile(r"[0-9a-f]{6,}|\d+")
ARTICLE = re.compile(r"<article\b.*?</article>", re.S)


def _project(tmp: Path) -> Path:
    """A copy of the repository's site with `printables: false` for camnang."""
    project = tmp / "project"
    project.mkdir()
    for name in ("docs", "guides", "posters", "teams"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, project / name)
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    plugin = "\n  - camnang:\n"
    assert text.count(plugin) == 1, "mkdocs.yml: camnang plugin entry not found"
    text = text.replace(plugin, plugin + "      printables: false\n")
    (project / "mkdocs.yml").write_text(text, encoding="utf-8")
    return project


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def _normalise(name: str, data: bytes) -> bytes:
    if name.endswith(".gz"):
        name, data = name[:-3], gzip.decompress(data)
    if name.endswith(".br"):
        import brotli

        name, data = name[:-3], brotli.decompress(data)
    if name.endswith(".html"):
        return GENERATOR.sub("", data.decode("utf-8")).encode("utf-8")
    if name in ("sw.js", "sw-files.json", "assets/javascripts/camnang-offline.js"):
        # The worker lists each file's revision and size, and the page script
        # the size of "Lưu tất cả": the pages' generator tags change both.
        return REVISIONS.sub("#", SW_VERSION.sub("", data.decode("utf-8"))).encode("utf-8")
    if name == "sitemap.xml":
        return LASTMOD.sub("", data.decode("utf-8")).encode("utf-8")
    return data


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> tuple[Path, Path]:
    """(MkDocs site, ProperDocs site) of the same project copy."""
    assert FORK.is_file(), f"{FORK} is missing: run `make setup` (it installs the fork in {FORK_VENV.name})"
    tmp = tmp_path_factory.mktemp("forks")
    project = _project(tmp)
    env = {"CAMNANG_SITE_URL": TEST_SITE_URL}

    stock = tmp / "site-mkdocs"
    result = run_mkdocs(project, stock, env=env)
    assert result.returncode == 0, result.stderr

    fork = tmp / "site-fork"
    result = subprocess.run(
        [str(FORK), "build", "--strict", "-f", "mkdocs.yml", "--site-dir", str(fork)],
        cwd=project,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return stock, fork


def test_fork_venv_has_no_mkdocs():
    """The fork stands alone: MkDocs cannot be what builds the fork's site."""
    python = FORK_VENV / "bin" / "python"
    probe = subprocess.run(
        [str(python), "-c", "import importlib.util as u; print(u.find_spec('mkdocs'), u.find_spec('properdocs') is not None)"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.split() == ["None", "True"]


def test_fork_builds_the_same_pages(builds):
    stock, fork = builds
    stock_files, fork_files = _files(stock), _files(fork)
    assert sorted(fork_files) == sorted(stock_files)

    pages = [name for name in stock_files if name.endswith(".html")]
    guides = [name for name in pages if name.startswith("huong-dan/")]
    assert len(guides) == len(list((ROOT / "guides").glob("*.md")))

    # Each engine signs its own pages: the fork really built the second site.
    for name in pages:
        assert 'content="mkdocs-1.6.1, mkdocs-material-' in stock_files[name].decode(), name
        assert f'content="mkdocs-ProperDocs {FORK_VERSION}, mkdocs-material-' in fork_files[name].decode(), name

    # The article of every page, guides included, is the same and is camnang's
    # rendering, not the placeholder MkDocs is given.
    for name in pages:
        stock_articles = ARTICLE.findall(stock_files[name].decode("utf-8"))
        fork_articles = ARTICLE.findall(fork_files[name].decode("utf-8"))
        assert fork_articles == stock_articles, name
        assert stock_articles, name
    for name in guides:
        article = ARTICLE.search(stock_files[name].decode("utf-8")).group(0)
        assert GUIDE_SOURCE.strip() not in article, name
        assert "<ol" in article, name

    # Everything else too (navigation, search index, offline worker, manifest),
    # but for the generator's name and what is derived from it.
    different = [name for name in stock_files if _normalise(name, stock_files[name]) != _normalise(name, fork_files[name])]
    assert different == []
