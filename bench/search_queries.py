"""The search query set (tests/fixtures/search-queries.yml) on the bundled
guides, in Chromium: camnang's worker against Pagefind with its default
settings and with tuned weights, when the ``pagefind`` package
(``pagefind[bin]``) is installed (give its Python with ``--pagefind-python``
to use one from another environment).

    .venv/bin/python bench/search_queries.py [--pagefind-python PATH]

Pagefind, tuned: guide pages only (``data-pagefind-body``), the title and
a line with the service and keywords weighted 10 (``data-pagefind-weight``).
Prints, for each engine, how many queries list their guide first and in
the first three, and how many queries with no guide get a guide anyway
(camnang: shown as a weak answer, with help)."""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

PAGEFIND_PAGE = """<!doctype html><html lang="vi"><meta charset="utf-8"><title>pagefind</title>
<body><script type="module">
window.__pagefind = await import("./pagefind/pagefind.js");
await window.__pagefind.init();
window.__ready = true;
</script></body></html>"""

PAGEFIND_JS = """async (qs) => {
  const out = {};
  for (const q of qs) {
    const s = await window.__pagefind.search(q);
    const d = await Promise.all(s.results.slice(0, 3).map((r) => r.data()));
    out[q] = { pages: d.map((x) => x.url.replace(/^\\//, "").replace(/index\\.html$/, "")), weak: false };
  }
  return out;
}"""


def build(tmp: Path) -> Path:
    project = tmp / "bundled"
    project.mkdir()
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("  - camnang:\n", "  - camnang:\n      printables: false\n      offline: false\n", 1)
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    shutil.copytree(ROOT / "docs", project / "docs")
    shutil.copytree(ROOT / "guides", project / "guides")
    site = project / "site"
    env = {"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--quiet", "--site-dir", str(site)],
        cwd=project, env=env, capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise SystemExit(result.stderr[-3000:])
    return site


def pagefind_copy(site: Path, out: Path, python: str, library, tuned: bool) -> Path:
    shutil.copytree(site, out)
    if tuned:
        for g in library.guides:
            page = out / "huong-dan" / g.slug / "index.html"
            text = page.read_text(encoding="utf-8")
            names = html.escape(g.service + ". " + ", ".join(g.keywords))
            text = text.replace('<article class="md-content__inner md-typeset"', '<article class="md-content__inner md-typeset" data-pagefind-body', 1)
            text = re.sub(r"<h1([ >])", r'<h1 data-pagefind-weight="10"\1', text, count=1)
            text = text.replace("</h1>", f'</h1><p data-pagefind-weight="10">{names}</p>', 1)
            page.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [python, "-m", "pagefind", "--site", str(out), "--output-subdir", "pagefind", "--force-language", "vi"],
        capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise SystemExit(result.stdout[-2000:] + result.stderr[-2000:])
    (out / "pagefind-bench.html").write_text(PAGEFIND_PAGE, encoding="utf-8")
    return out


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pagefind-python", default=sys.executable)
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from camnang.config import load_categories
    from camnang.validate import load_library
    from conftest import CHROMIUM, CHROMIUM_ARGS, serve
    from test_search_browser import WORKER_JS

    queries = yaml.safe_load((ROOT / "tests" / "fixtures" / "search-queries.yml").read_text(encoding="utf-8"))
    first, none = queries["first"], queries["none"]
    library = load_library(ROOT / "guides", load_categories())
    has_pagefind = subprocess.run([args.pagefind_python, "-c", "import pagefind"], capture_output=True).returncode == 0
    with tempfile.TemporaryDirectory(prefix="camnang-bench-queries-") as tmp, sync_playwright() as p:
        tmp = Path(tmp)
        site = build(tmp)
        runs = [("camnang worker", site, "", WORKER_JS)]
        if has_pagefind:
            runs += [
                ("Pagefind, default", pagefind_copy(site, tmp / "pf", args.pagefind_python, library, False), "pagefind-bench.html", PAGEFIND_JS),
                ("Pagefind, tuned weights", pagefind_copy(site, tmp / "pf-tuned", args.pagefind_python, library, True), "pagefind-bench.html", PAGEFIND_JS),
            ]
        else:
            print("Pagefind: not installed (pip install 'pagefind[bin]', or --pagefind-python) — skipped")
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for label, folder, path, script in runs:
            with serve(folder) as base:
                page = browser.new_page()
                page.goto(base + path, wait_until="load")
                if path:
                    page.wait_for_function("() => window.__ready", timeout=60_000)
                found = page.evaluate(script, [*first, *none])
                page.close()
            right = [q for q, slug in first.items() if found[q]["pages"][:1] == [f"huong-dan/{slug}/"]]
            top3 = [q for q, slug in first.items() if f"huong-dan/{slug}/" in found[q]["pages"]]
            confident = [q for q in none if found[q]["pages"] and not found[q]["weak"]]
            print(
                f"{label}: right guide first {len(right)}/{len(first)} ({100 * len(right) / len(first):.0f}%), "
                f"in the first three {len(top3)}; queries with no guide answered as if right: {len(confident)}/{len(none)}"
            )
            missed = [q for q in first if q not in right]
            if missed:
                print(f"  not first: {', '.join(missed)}")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1:])
