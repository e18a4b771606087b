"""`make build` (python -m camnang.sitebuild) with real processes: one
build at a time, site/ whole at every instant a build is SIGKILLed, the
warnings a user must see, and a failed build leaving site/ as it was."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from camnang.sitebuild import BUILD_PREFIX, clean_leftovers, exchange, swap_in
from conftest import TEST_SITE_URL, make_project

pytestmark = pytest.mark.build  # real builds in subprocesses, killed (left out of `make check`)

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "CAMNANG_SITE_URL": TEST_SITE_URL}
BUILD = [sys.executable, "-m", "camnang.sitebuild"]


def start(project: Path, *args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [*BUILD, *args],
        cwd=project,
        env=env or ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: SIGKILL takes its workers too
    )


def build(project: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*BUILD, *args], cwd=project, env=env or ENV, capture_output=True, text=True, timeout=600)


def snapshot(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def incomplete(site: Path, reference: dict[str, bytes]) -> str | None:
    """Why ``site`` is not the whole reference site (None when it is)."""
    if not site.is_dir():
        return "site/ is missing"
    try:
        files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
        missing = sorted(set(reference) - files)
        if missing:
            return f"{len(missing)} files missing, e.g. {missing[:3]}"
        for name, data in reference.items():
            if (site / name).read_bytes() != data:
                return f"{name} differs from the reference build"
    except FileNotFoundError as e:  # the folder was swapped while we read it: read again
        return incomplete(site, reference) if site.is_dir() else f"site/ vanished: {e}"
    extra = sorted(files - set(reference))
    if extra:
        return f"unexpected files {extra[:3]}"
    return None


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A fixture project built once (cache warm); its site as reference.
    Its cache is its own (builds are killed while writing it, and it is
    removed for cold builds)."""
    project = make_project(tmp_path_factory.mktemp("robust"), private_cache=True)
    result = build(project)
    assert result.returncode == 0, result.stderr
    return project, snapshot(project / "site")


def test_build_output_shows_warnings_and_a_summary(tmp_path):
    project = make_project(tmp_path)
    guide = project / "guides" / "thu-nghiem.md"
    guide.write_text(guide.read_text(encoding="utf-8").replace("reviewed: 20", "reviewed: 19", 1), encoding="utf-8")
    env = {**ENV, "CAMNANG_SITE_URL": ""}
    result = build(project, env=env)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    # camnang's warnings reach the user: old review, no site_url.
    assert "Cảnh báo: " in out and "site_url" in out
    assert "12 tháng" in out or "reviewed" in out
    # No MkDocs INFO noise.
    for noise in ("Cleaning site directory", "Building documentation", "Documentation built in"):
        assert noise not in out
    lines = out.strip().splitlines()
    summary = next(line for line in lines if line.startswith("camnang: đã dựng xong"))
    files = len([p for p in (project / "site").rglob("*") if p.is_file()])
    assert f"{files} tệp" in summary and "tệp in ấn" in summary
    warnings = sum(1 for line in lines if line.startswith("Cảnh báo"))
    assert warnings >= 2 and f"{warnings} cảnh báo" in summary
    # The missing site_url is a box at the very end, naming what to do.
    box = "\n".join(lines[lines.index(summary) + 1 :])
    assert box.startswith("╔") and box.endswith("╝")
    assert "CHÚ Ý TRƯỚC KHI IN" in box and "CAMNANG_SITE_URL=https://" in box


def test_second_build_waits_for_the_first(built):
    project, reference = built
    first = start(project)
    time.sleep(0.3)
    second = start(project)
    out1, _ = first.communicate(timeout=600)
    out2, _ = second.communicate(timeout=600)
    assert first.returncode == 0 and second.returncode == 0, out1 + out2
    assert "Đang có một lần dựng khác" in out2, out2
    assert incomplete(project / "site", reference) is None


def test_lock_held_by_another_process(built):
    """A process holding the lock (here: another Python, as a long team
    pack run would): `make build` waits, --no-wait stops, plain `mkdocs
    build` and build_posters.py wait too."""
    project, reference = built
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom camnang.lock import BuildLock\n"
         "with BuildLock(sys.argv[1]):\n    print('held', flush=True); time.sleep(600)\n", str(project)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        nowait = build(project, "--no-wait")
        assert nowait.returncode == 1
        assert "Đang có một lần dựng khác chạy trong thư mục này" in nowait.stderr
        assert f"tiến trình {holder.pid}" in nowait.stderr
        waiting = [
            start(project),
            subprocess.Popen([sys.executable, "-m", "mkdocs", "build"], cwd=project, env=ENV,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True),
            subprocess.Popen([sys.executable, str(Path(__file__).parent.parent / "build_posters.py"), "--out", "in-an"],
                             cwd=project, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True),
        ]
        time.sleep(8)
        assert all(p.poll() is None for p in waiting), "a build did not wait for the lock"
        assert not (project / "in-an").exists()
    finally:
        holder.kill()
        holder.wait()
    outs = [p.communicate(timeout=600)[0] for p in waiting]
    for p, out in zip(waiting, outs):
        assert p.returncode == 0, out
        assert "Đang có một lần dựng khác" in out, out
    assert (project / "in-an" / "to-roi-thu-nghiem.pdf").is_file()
    assert incomplete(project / "site", reference) is None


@pytest.mark.parametrize(
    "randoms, ends",
    [
        pytest.param(3, (0.9, 0.99, 1.03), id="sample"),
        pytest.param(10, (0.85, 0.9, 0.95, 0.99, 1.03), id="all", marks=pytest.mark.slow),
    ],
)
def test_site_is_whole_whenever_a_build_is_killed(built, randoms, ends):
    """SIGKILL builds at many instants (random, over the whole length of a
    build, with the cache warm and cold) while a watcher reads site/ all
    the time: it is always the complete reference site; then a normal
    build works and leaves no temporary folder. `make test` kills 6 builds
    (one with a cold cache, three near the swap), `make test-slow` 15."""
    project, reference = built
    site = project / "site"
    timing = time.perf_counter()
    assert build(project).returncode == 0
    length = time.perf_counter() - timing

    seen: list[str] = []
    checks = 0
    stop = threading.Event()

    def watch() -> None:
        nonlocal checks
        while not stop.is_set():
            problem = incomplete(site, reference)
            checks += 1
            if problem:
                seen.append(problem)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    rng = random.Random(10)
    kills = 0
    delays = [rng.uniform(0.05, length * 1.1) for _ in range(randoms)]
    # Near the end of a build too, where the new site is swapped in.
    delays += [length * f for f in ends]
    try:
        for i, delay in enumerate(delays):
            if i % 5 == 3:  # a cold cache: killed while rendering or writing the cache
                subprocess.run(["rm", "-rf", str(project / ".cache")], check=True)
            proc = start(project)
            time.sleep(delay)
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                kills += 1
            proc.communicate(timeout=600)
            problem = incomplete(site, reference)
            assert problem is None, f"after a kill at {delay:.2f} s: {problem}"
    finally:
        stop.set()
        watcher.join()
    assert not seen, seen[:5]
    assert kills >= len(delays) // 2, f"only {kills} of {len(delays)} builds were killed"
    assert checks > 100
    result = build(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert incomplete(site, reference) is None
    assert not list(project.glob(BUILD_PREFIX + "*"))
    print(f"{kills} builds killed, site/ checked {checks} times, build length {length:.1f} s")


@pytest.mark.parametrize("point", ["cleaned", "built", "before-exchange", "exchanged", "swapped"])
def test_killed_at_each_step_of_the_swap(built, point):
    """SIGKILL at each named instant of a build (sitebuild.checkpoint):
    site/ is the whole site, and the next build works and cleans up."""
    project, reference = built
    result = build(project, env={**ENV, "CAMNANG_KILL_AT": point})
    assert result.returncode == -signal.SIGKILL, result.stdout + result.stderr
    assert incomplete(project / "site", reference) is None
    if point in ("built", "before-exchange", "exchanged"):
        assert list(project.glob(BUILD_PREFIX + "*")), "the killed build's folder should be left for the next one"
    again = build(project)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "RENAME_EXCHANGE" not in again.stderr  # the atomic exchange, not the two-rename fallback
    assert incomplete(project / "site", reference) is None
    assert not list(project.glob(BUILD_PREFIX + "*"))


def test_failed_build_leaves_site_as_it_was(built):
    project, reference = built
    bad = project / "guides" / "hong.md"
    bad.write_text("---\ntitle: thiếu mọi trường khác\n---\n", encoding="utf-8")
    try:
        result = build(project)
    finally:
        bad.unlink()
    assert result.returncode == 1
    assert "hong.md" in result.stderr and "site/ vẫn là bản trước" in result.stderr
    assert "Traceback" not in result.stderr
    assert incomplete(project / "site", reference) is None
    assert not list(project.glob(BUILD_PREFIX + "*"))


def test_site_that_is_a_file_is_refused(tmp_path):
    project = make_project(tmp_path)
    (project / "site").write_text("not a folder")
    result = build(project)
    assert result.returncode == 1
    assert "site: không ghi được: đây là một tệp, nhưng cần một thư mục" in result.stderr
    assert (project / "site").read_text() == "not a folder"


def test_exchange_swaps_two_folders_in_one_step(tmp_path):
    old, new = tmp_path / "site", tmp_path / f"{BUILD_PREFIX}1"
    old.mkdir()
    (old / "a").write_text("old")
    new.mkdir()
    (new / "a").write_text("new")
    exchange(new, old)
    assert (old / "a").read_text() == "new" and (new / "a").read_text() == "old"
    # Killed right after the exchange: the next build removes the old copy.
    clean_leftovers(tmp_path)
    assert not new.exists() and (old / "a").read_text() == "new"
    # First build: no site yet.
    first = tmp_path / f"{BUILD_PREFIX}2"
    first.mkdir()
    swap_in(first, tmp_path / "other")
    assert (tmp_path / "other").is_dir() and not first.exists()
