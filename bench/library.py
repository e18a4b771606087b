"""Whole-library benchmark, this code against a baseline commit, in one run.

Issue 9 moved every guide through one Markdown parser and a document tree;
the library must be no slower than before. This runs the same work with
both versions of ``src/camnang`` and ``posters/`` (the baseline is taken
from git: ``CAMNANG_BENCH_BASE``, default the parent of the commit that
added ``camnang/markup.py``) on
the baseline's guides (both versions read them):

- load: read, parse and validate every guide (``load_library``);
- site: every guide page's Markdown, the home cards, the navigation;
- radio: every radio script;
- printables: every leaflet and poster rendered in one process (template,
  QR codes, fitting, PDF), variant known (as rebuilds and team packs do).

Each version runs in its own process, alternately (``ROUNDS`` times), and
the best time of each is kept: the machine is noisy. Ratios after/before
below 1.00 are faster.

    .venv/bin/python bench/library.py
    CAMNANG_BENCH_QUICK=1 .venv/bin/python bench/library.py   # without printables
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import tempfile
import io
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 2
PHASES = ("load", "site", "radio", "printables")

WORKER = r"""
import dataclasses, json, sys, time
from pathlib import Path
root, guides = Path(sys.argv[1]), Path(sys.argv[2])
import camnang
assert Path(camnang.__file__).resolve().is_relative_to((root / "src").resolve()), camnang.__file__
from camnang.config import load_settings
from camnang.validate import load_library
from camnang.render import site, radio
from camnang.printables import leaflet, poster
from camnang.printables.kinds import PrintContext
settings = dataclasses.replace(
    load_settings(root / "mkdocs.yml"), guides_dir=guides, site_url="https://camnang.example.vn/",
    cache_dir=Path(sys.argv[3]),
)
out = {}
t = time.perf_counter()
for _ in range(20):
    library = load_library(settings.guides_dir, settings.categories)
out["load"] = (time.perf_counter() - t) / 20
t = time.perf_counter()
for _ in range(20):
    for g in library.guides:
        site.render_guide_page(g, library)
    site.render_home_cards(library, lambda g: f"huong-dan/{g.slug}/")
    site.build_nav(library, [])
out["site"] = (time.perf_counter() - t) / 20
t = time.perf_counter()
for _ in range(5):
    for g in library.guides:
        radio.build_script(g, settings.course_url)
out["radio"] = (time.perf_counter() - t) / 5
if sys.argv[4] == "quick":
    out["printables"] = 0.0
    out["guides"] = len(library.guides)
    print(json.dumps(out))
    raise SystemExit
ctx = PrintContext(settings)
for g in library.guides:  # warm up: fonts, stylesheets, each guide's variant
    leaflet.render(g, ctx); poster.render(g, ctx)
t = time.perf_counter()
for g in library.guides:
    leaflet.render(g, ctx); poster.render(g, ctx)
out["printables"] = time.perf_counter() - t
out["guides"] = len(library.guides)
print(json.dumps(out))
"""


def extract(rev: str, into: Path) -> None:
    data = subprocess.run(
        ["git", "archive", rev, "src", "posters", "guides", "docs", "mkdocs.yml"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter="data")


QUICK = os.environ.get("CAMNANG_BENCH_QUICK") == "1"
"""Skip the printables phase (WeasyPrint dominates it and it takes minutes on a busy machine)."""


def run(root: Path, guides: Path, cache: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(root / "src"), "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-c", WORKER, str(root), str(guides), str(cache), "quick" if QUICK else "full"],
        env=env, cwd=root, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"benchmark worker failed in {root}:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    base = os.environ.get("CAMNANG_BENCH_BASE")
    if not base:
        # The code before the parser: the parent of the commit that added it.
        found = subprocess.run(
            ["git", "log", "--diff-filter=A", "--format=%H", "--", "src/camnang/markup.py"],
            cwd=ROOT, capture_output=True, text=True,
        )
        added = found.stdout.split()
        base = (added[-1] + "^") if added else "HEAD~1"
    base = subprocess.run(["git", "rev-parse", base], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="camnang-bench-lib-") as tmp:
        tmp = Path(tmp)
        before_root, after_root = tmp / "before", tmp / "after"
        extract(base, before_root)
        after_root.mkdir()
        for name in ("src", "posters", "docs", "mkdocs.yml"):
            (after_root / name).symlink_to(ROOT / name)
        guides = before_root / "guides"
        best: dict[str, dict[str, float]] = {"before": {}, "after": {}}
        for i in range(ROUNDS):
            for label, root in (("before", before_root), ("after", after_root)):
                got = run(root, guides, tmp / f"cache-{label}-{i}")
                for phase in PHASES:
                    best[label][phase] = min(best[label].get(phase, float("inf")), got[phase])
                count = got["guides"]
                print(f"  round {i + 1} {label}: " + ", ".join(f"{p} {got[p] * 1000:.0f} ms" for p in PHASES), flush=True)
        print(f"library: {count} guides, baseline {base[:10]}, best of {ROUNDS} alternating runs per version")
        print(f"  {'phase':11} {'before':>9} {'after':>9}  ratio after/before")
        for phase in PHASES:
            b, a = best["before"][phase], best["after"][phase]
            if b:
                print(f"  {phase:11} {b * 1000:8.1f}ms {a * 1000:8.1f}ms  {a / b:5.2f}")
        total_b = sum(best["before"].values())
        total_a = sum(best["after"].values())
        print(f"  {'whole':11} {total_b * 1000:8.1f}ms {total_a * 1000:8.1f}ms  {total_a / total_b:5.2f} (target <= 1.00)")


if __name__ == "__main__":
    main()
