"""Benchmark of the site and its search (issues 12 and 15), in one run.

    .venv/bin/python bench/site.py                 # quick: 100 guides
    .venv/bin/python bench/site.py --guides 1000   # the issue's size (a few minutes)
    CAMNANG_BENCH_GUIDES=1000 make bench           # the same through make

Figures, each with its ratio to the target (<= 1.00 meets it):

- page weight of a guide page on a first visit (HTML, CSS, JS, search
  worker and index), as served (raw) and gzip-compressed (what a web server
  sends), bundled guides; and what the offline service worker stores after
  that visit;
- site build (printables off) with synthetic guides made from the bundled
  ones: time per guide at N against 100 guides (target <= 1.3, when N >
  100), guide page size at N (median, target < 60 KB) and the largest page
  of the site (home, category pages included: target < 60 KB);
- search at N guides in Chromium at a phone's size (390 x 844, touch), the
  site's own (camnang's worker and prebuilt index, camnang.search): time
  from page load until the search can answer (target <= 1 s), one query
  typed into Material's search box until its results show (median, target
  <= 100 ms; the slowest is the first, which loads its index files): the
  first change of the result list that puts results in it (the pages
  found, in their final order, as links; when the files with their
  sections and text are still loading, those follow in a second change,
  timed as "complete"), and
  typing a 4-word query at 60 ms per key: time from the last key to the
  final results (target <= 100 ms, no pile-up); the same for Pagefind over
  the same built site when the ``pagefind`` Python package
  (``pagefind[bin]``) is installed.

Times are the median of ``REPEAT`` tries in one run (the machine is noisy).
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

REPEAT = 5
PAGE_WEIGHT_BUDGET = 150 * 1024
"""A guide page's first visit, gzip-compressed, HTML + CSS + JS + search index."""
TARGETS = {
    "build_per_guide_ratio": 1.3,
    "guide_page_bytes": 60 * 1024,
    "page_bytes": 60 * 1024,
    "searchable_s": 1.0,
    "query_ms": 100.0,
    "typing_ms": 100.0,
}
QUERIES = ["bao hiem", "dang ky tai khoan", "ma qr", "vneid", "tien dien"]
TYPED = "dang ky tai khoan"
COMMUNES = [
    "Tân Phú", "Hòa Bình", "Đông Sơn", "Yên Lạc", "Quảng Điền", "Nghĩa Đàn", "Krông Pắc", "Đức Thọ",
    "Mường Tè", "Bảo Lâm", "Châu Thành", "Vĩnh Tường", "Thạch Hà", "Phù Mỹ", "Ea Kar", "Cát Tiên",
]


def ratio(value: float, target: float) -> str:
    return f"{value / target:5.2f}"


# --------------------------------------------------------------------------
# Synthetic sites
# --------------------------------------------------------------------------


def make_project(tmp: Path, n: int) -> Path:
    """A copy of the site with ``n`` guides made from the bundled ones (each
    retitled for a commune, so titles and index entries differ), printables
    off."""
    project = tmp / f"project-{n}"
    project.mkdir()
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("  - camnang:\n", "  - camnang:\n      printables: false\n", 1)
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    shutil.copytree(ROOT / "docs", project / "docs")
    guides = project / "guides"
    guides.mkdir()
    for folder in (ROOT / "guides").iterdir():  # the steps' pictures (guides/anh/)
        if folder.is_dir():
            shutil.copytree(folder, guides / folder.name)
    sources = sorted((ROOT / "guides").glob("*.md"))
    for i in range(n):
        src = sources[i % len(sources)]
        text = src.read_text(encoding="utf-8")
        place = f"{COMMUNES[i % len(COMMUNES)]} {i // len(COMMUNES) + 1}"
        text = re.sub(r"^title: (.*)$", lambda m: f"title: {m.group(1)} ở xã {place}", text, count=1, flags=re.M)
        (guides / f"{src.stem}-{i:04d}.md").write_text(text, encoding="utf-8")
    return project


def build(project: Path) -> tuple[float, Path]:
    site = project / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "CAMNANG_SITE_URL": "https://camnang.example.vn/"}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--quiet", "--site-dir", str(site)],
        cwd=project, env=env, capture_output=True, text=True,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"build of {project.name} failed:\n{result.stderr[-3000:]}")
    return seconds, site


def guide_pages(site: Path) -> list[Path]:
    return sorted((site / "huong-dan").glob("*/index.html"))


# --------------------------------------------------------------------------
# Chromium
# --------------------------------------------------------------------------


def launch(p):
    from conftest import CHROMIUM, CHROMIUM_ARGS

    return p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def page_weight(browser, base: str, site: Path, path: str, loaded: set[str] | None = None) -> tuple[dict[str, int], dict[str, int]]:
    """Files a first visit of ``path`` loads (with the search ready), by kind:
    raw bytes and gzip bytes, read from the built site (their paths added
    to ``loaded``)."""
    from conftest import PHONE

    context = browser.new_context(**PHONE, service_workers="block")
    urls: list[str] = []
    context.on("request", lambda r: urls.append(r.url))
    page = context.new_page()
    page.goto(base + path, wait_until="load")
    wait_searchable(page)
    context.close()
    raw: dict[str, int] = {}
    packed: dict[str, int] = {}
    for url in dict.fromkeys(urls):
        rel = url[len(base):].split("?")[0].split("#")[0]
        file = site / (rel + "index.html" if rel.endswith("/") or not rel else rel)
        if not file.is_file():
            continue
        data = file.read_bytes()
        if loaded is not None:
            loaded.add(rel)
        kind = (
            "index" if rel.startswith("search/")
            else "html" if file.suffix == ".html"
            else "css" if file.suffix == ".css"
            else "js" if file.suffix == ".js"
            else "other"
        )
        raw[kind] = raw.get(kind, 0) + len(data)
        packed[kind] = packed.get(kind, 0) + len(gzip.compress(data, 6))
    return raw, packed


SEARCHABLE_JS = """() => {
  const meta = document.querySelector(".md-search-result__meta");
  return meta && !/Initializing|chuẩn bị/i.test(meta.textContent);
}"""


MARK_SEARCHABLE_JS = """document.addEventListener("DOMContentLoaded", () => {
  const meta = document.querySelector(".md-search-result__meta");
  if (!meta) return;
  const check = () => {
    if (window.__searchableAt === undefined && !/Initializing|chuẩn bị/i.test(meta.textContent))
      window.__searchableAt = performance.now();
  };
  new MutationObserver(check).observe(meta, { childList: true, characterData: true, subtree: true });
  check();
});"""


def wait_searchable(page) -> None:
    page.wait_for_function(SEARCHABLE_JS, polling=20, timeout=120_000)


def site_search(browser, base: str) -> dict[str, float]:
    """The site's search: Material's search dialog, camnang's worker."""
    from conftest import PHONE

    searchable, queries, completes, typing = [], [], [], []
    for _ in range(REPEAT):
        context = browser.new_context(**PHONE, service_workers="block")
        context.add_init_script(MARK_SEARCHABLE_JS)
        page = context.new_page()
        page.goto(base, wait_until="load")
        page.wait_for_function("() => window.__searchableAt !== undefined", polling=50, timeout=120_000)
        searchable.append(page.evaluate(
            "() => Math.max(0, window.__searchableAt - performance.getEntriesByType('navigation')[0].loadEventStart)"
        ) / 1000)
        page.click("header label[for=__search]")
        page.evaluate(
            """() => {
              const list = document.querySelector(".md-search-result__list");
              window.__changes = [];
              window.__shown = [];  /* changes after which the list holds results */
              new MutationObserver(() => {
                const now = performance.now();
                window.__changes.push(now);
                if (list.querySelector("li a.md-search-result__link")) window.__shown.push(now);
              }).observe(list, { childList: true, subtree: true });
            }"""
        )
        for query in QUERIES:
            first, complete = page.evaluate(
                """async (q) => {
                  const box = document.querySelector("input.md-search__input");
                  box.value = ""; box.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
                  await new Promise(r => setTimeout(r, 300));
                  window.__changes = []; window.__shown = [];
                  const t0 = performance.now();
                  box.value = q; box.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
                  while (!window.__shown.length) await new Promise(r => setTimeout(r, 2));
                  /* complete: no further change for 0.5 s */
                  let seen = window.__changes.length;
                  for (;;) {
                    await new Promise(r => setTimeout(r, 500));
                    if (window.__changes.length === seen) break;
                    seen = window.__changes.length;
                  }
                  return [window.__shown[0] - t0, window.__changes[window.__changes.length - 1] - t0];
                }""",
                query,
            )
            queries.append(first)
            completes.append(complete)
        typing.append(
            page.evaluate(
                """async (text) => {
                  const box = document.querySelector("input.md-search__input");
                  box.value = ""; box.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
                  await new Promise(r => setTimeout(r, 300));
                  window.__changes = [];
                  for (let i = 1; i <= text.length; i++) {
                    box.value = text.slice(0, i);
                    box.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
                    await new Promise(r => setTimeout(r, 60));
                  }
                  const last = performance.now() - 60;
                  let seen = window.__changes.length;
                  /* settled: no change for 1.5 s */
                  for (;;) {
                    await new Promise(r => setTimeout(r, 1500));
                    if (window.__changes.length === seen) break;
                    seen = window.__changes.length;
                  }
                  const changes = window.__changes;
                  return changes.length ? Math.max(0, changes[changes.length - 1] - last) : 0;
                }""",
                TYPED,
            )
        )
        context.close()
    return {
        "searchable_s": statistics.median(searchable),
        "query_ms": statistics.median(queries),
        "query_max_ms": max(queries),
        "complete_ms": statistics.median(completes),
        "complete_max_ms": max(completes),
        "typing_ms": statistics.median(typing),
    }


PAGEFIND_PAGE = """<!doctype html><html lang="vi"><meta charset="utf-8"><title>pagefind</title>
<body><script type="module">
const t0 = performance.now();
const pagefind = await import("./pagefind/pagefind.js");
await pagefind.options({ excerptLength: 30 });
await pagefind.init();
window.__pagefind = pagefind;
window.__ready = performance.now() - t0;
</script></body></html>"""


def pagefind_available() -> bool:
    try:
        import pagefind  # noqa: F401
    except ImportError:
        return False
    return True


def pagefind_index(site: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(site), "--output-subdir", "pagefind", "--force-language", "vi"],
        capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"pagefind failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    (site / "pagefind-bench.html").write_text(PAGEFIND_PAGE, encoding="utf-8")
    return time.perf_counter() - started


def pagefind_search(browser, base: str) -> dict[str, float]:
    """Pagefind over the same pages: ready = module + wasm + metadata loaded;
    a query = search() plus the data of the first 10 results (what a result
    list shows); typing = one search per key (Pagefind's debouncedSearch
    drops stale ones), time from the last key to the last results."""
    from conftest import PHONE

    searchable, queries, typing, found = [], [], [], {}
    for _ in range(REPEAT):
        context = browser.new_context(**PHONE, service_workers="block")
        page = context.new_page()
        page.goto(base + "pagefind-bench.html", wait_until="load")
        page.wait_for_function("() => window.__ready !== undefined", polling=20, timeout=60_000)
        searchable.append(page.evaluate("() => window.__ready") / 1000)
        for query in QUERIES:
            ms, titles = page.evaluate(
                """async (q) => {
                  const t0 = performance.now();
                  const search = await window.__pagefind.search(q);
                  const data = await Promise.all(search.results.slice(0, 10).map(r => r.data()));
                  return [performance.now() - t0, data.map(d => d.meta.title)];
                }""",
                query,
            )
            queries.append(ms)
            found[query] = titles[:3]
        typing.append(
            page.evaluate(
                """async (text) => {
                  let lastDone = 0;
                  const pending = [];
                  for (let i = 1; i <= text.length; i++) {
                    pending.push(window.__pagefind.debouncedSearch(text.slice(0, i), {}, 50).then(async s => {
                      if (s) { await Promise.all(s.results.slice(0, 10).map(r => r.data())); lastDone = performance.now(); }
                    }));
                    await new Promise(r => setTimeout(r, 60));
                  }
                  const last = performance.now() - 60;
                  await Promise.all(pending);
                  return Math.max(0, lastDone - last);
                }""",
                TYPED,
            )
        )
        context.close()
    return {
        "searchable_s": statistics.median(searchable),
        "query_ms": statistics.median(queries),
        "query_max_ms": max(queries),
        "typing_ms": statistics.median(typing),
        "found": found,
    }


def print_search(label: str, figures: dict) -> None:
    print(
        f"  {label:22} searchable {figures['searchable_s']:5.2f} s (ratio {ratio(figures['searchable_s'], TARGETS['searchable_s'])}), "
        f"query {figures['query_ms']:6.1f} ms (ratio {ratio(figures['query_ms'], TARGETS['query_ms'])}; slowest {figures['query_max_ms']:.0f} ms), "
        f"typing {figures['typing_ms']:6.1f} ms after the last key (ratio {ratio(figures['typing_ms'], TARGETS['typing_ms'])})"
    )
    if "complete_ms" in figures:
        print(
            f"  {'':22} query complete with sections and text {figures['complete_ms']:6.1f} ms "
            f"(slowest {figures['complete_max_ms']:.0f} ms)"
        )


# --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guides", type=int, default=int(os.environ.get("CAMNANG_BENCH_GUIDES", "100")))
    parser.add_argument("--no-pagefind", action="store_true")
    parser.add_argument("--search-only", action="store_true", help="skip the bundled site and the 100-guide build")
    parser.add_argument("--sizes-only", action="store_true", help="with --search-only: page sizes at N guides, no search")
    args = parser.parse_args(argv if argv is not None else [])
    n = max(args.guides, 20)

    from playwright.sync_api import sync_playwright

    from camnang import offline, search
    from conftest import serve

    figures: list[tuple[str, str, str, bool]] = []
    """Headline figures for bench/run.py's closing table: (figure, measured,
    target, met)."""
    with tempfile.TemporaryDirectory(prefix="camnang-bench-site-") as tmp:
        tmp = Path(tmp)
        if not args.search_only:
            # Bundled guides: page weight and what the offline worker stores.
            bundled_seconds, bundled = build_bundled(tmp)
            with sync_playwright() as p, serve(bundled) as base:
                browser = launch(p)
                guide = guide_pages(bundled)[0].parent.relative_to(bundled).as_posix() + "/"
                loaded: set[str] = set()
                raw, packed = page_weight(browser, base, bundled, guide, loaded)
                browser.close()
            pre = offline.precache(bundled, offline.DEFAULT_PRINTABLES_BUDGET)
            total_raw, total_packed = sum(raw.values()), sum(packed.values())
            print(f"site: bundled guides built in {bundled_seconds:.1f} s (printables included)")
            print(
                f"  guide page, first visit: {total_raw / 1024:.0f} KB raw, {total_packed / 1024:.0f} KB gzip "
                f"(ratio {ratio(total_packed, PAGE_WEIGHT_BUDGET)} to {PAGE_WEIGHT_BUDGET // 1024} KB gzip); "
                + ", ".join(f"{k} {raw[k] / 1024:.0f}/{packed[k] / 1024:.0f}" for k in sorted(raw))
                + " KB raw/gzip"
            )
            figures.append((
                "guide page first visit (gzip)", f"{total_packed / 1024:.0f} KB",
                f"<= {PAGE_WEIGHT_BUDGET // 1024} KB", total_packed <= PAGE_WEIGHT_BUDGET,
            ))
            # The worker's install downloads the shell files the page did not load.
            extra = [e.url for e in pre.entries if e.kind == "s" and e.url not in loaded]
            extra_raw = sum((bundled / u).stat().st_size for u in extra)
            extra_packed = sum(len(gzip.compress((bundled / u).read_bytes(), 6)) for u in extra)
            core = (bundled / offline.SEARCH_CORE).read_bytes()
            index_dir = bundled / search.INDEX_DIR
            print(
                f"  offline first visit (page + shell files it did not load: {', '.join(extra)}): "
                f"{(total_raw + extra_raw) / 1024:.0f} KB raw, {(total_packed + extra_packed) / 1024:.0f} KB gzip, "
                f"{(total_packed + extra_packed) / total_packed:.2f}x the page alone (target <= 1.5x); "
                f"search core words {len(core) / 1024:.0f} KB raw, {len(gzip.compress(core, 6)) / 1024:.0f} KB gzip; "
                f"full word files {sum(f.stat().st_size for f in index_dir.glob('t-*.json') if f.name != 't-core.json') / 1024:.0f} KB raw"
            )
            figures.append((
                "offline first visit / page alone (gzip)", f"{(total_packed + extra_packed) / total_packed:.2f}x",
                "<= 1.5x", total_packed + extra_packed <= 1.5 * total_packed,
            ))
            print(
                f"  offline: that visit stores the page and a {pre.shell / 1e3:.0f} KB shell; "
                f"\"Lưu tất cả\" stores {len(pre.urls) - pre.printables_left} files, {pre.total / 1e6:.2f} MB "
                f"(printables {pre.printables / 1e6:.2f} MB within the {offline.DEFAULT_PRINTABLES_BUDGET / 1e6:.1f} MB budget, "
                f"{pre.printables_left} left to open online)"
            )

        # Synthetic guides: build scaling, page size, search.
        big_s, big = build(make_project(tmp, n))
        print(f"site build, printables off: {n} guides {big_s:.1f} s")
        if n > 100 and not args.search_only:
            small_s, _small = build(make_project(tmp, 100))
            per_small, per_big = small_s / 100, big_s / n
            print(
                f"  time per guide {per_big * 1000:.0f} ms at {n} vs {per_small * 1000:.0f} ms at 100 ({small_s:.1f} s): "
                f"{per_big / per_small:.2f}x (ratio {ratio(per_big / per_small, TARGETS['build_per_guide_ratio'])})"
            )
            figures.append((
                f"site build time per guide, {n} vs 100", f"{per_big / per_small:.2f}x",
                f"<= {TARGETS['build_per_guide_ratio']}x", per_big / per_small <= TARGETS["build_per_guide_ratio"],
            ))
        pages = guide_pages(big)
        page_bytes = statistics.median(p.stat().st_size for p in pages)
        figures.append((
            f"guide page at {n} guides", f"{page_bytes / 1024:.0f} KB",
            f"< {TARGETS['guide_page_bytes'] // 1024} KB", page_bytes < TARGETS["guide_page_bytes"],
        ))
        index_dir = big / search.INDEX_DIR
        index_files = [f for f in index_dir.iterdir() if f.is_file()]
        terms = [f.stat().st_size for f in index_files if f.name.startswith("t-")]
        print(
            f"  guide page at {n} guides: {page_bytes / 1024:.0f} KB (ratio {ratio(page_bytes, TARGETS['guide_page_bytes'])}); "
            f"search index {sum(f.stat().st_size for f in index_files) / 1e6:.1f} MB in {len(index_files)} files "
            f"(read at start: pages.json {(index_dir / 'pages.json').stat().st_size / 1e3:.0f} KB; "
            f"words by first letter, largest {max(terms) / 1e6:.2f} MB)"
        )

        html_pages = sorted(big.rglob("*.html"), key=lambda f: f.stat().st_size)
        largest = html_pages[-1]
        print(
            f"  largest page at {n} guides: {largest.stat().st_size / 1024:.0f} KB "
            f"({largest.relative_to(big).as_posix()}; ratio {ratio(largest.stat().st_size, TARGETS['page_bytes'])}), "
            f"of {len(html_pages)} pages; largest category page "
            f"{max((f.stat().st_size for f in html_pages if f.relative_to(big).parts[0] == 'chu-de'), default=0) / 1024:.0f} KB"
        )
        figures.append((
            f"largest page at {n} guides", f"{largest.stat().st_size / 1024:.0f} KB",
            f"< {TARGETS['page_bytes'] // 1024} KB", largest.stat().st_size < TARGETS["page_bytes"],
        ))
        home_bytes = (big / "index.html").stat().st_size
        big_pre = offline.precache(big, offline.DEFAULT_PRINTABLES_BUDGET)
        sw_bytes = (big / offline.SERVICE_WORKER).read_bytes()
        list_bytes = (big / offline.FILE_LIST).read_bytes()
        core = (big / offline.SEARCH_CORE).read_bytes()
        print(
            f"  home page at {n} guides: {home_bytes / 1024:.0f} KB; offline store at {n} guides "
            f"(printables off, \"Lưu tất cả\"): {len(big_pre.urls)} files, {big_pre.total / 1e6:.1f} MB, "
            f"shell {big_pre.shell / 1e3:.0f} KB (search core words {len(core) / 1e3:.0f} KB raw, "
            f"{len(gzip.compress(core, 6)) / 1e3:.0f} KB gzip); sw.js {len(sw_bytes) / 1e3:.1f} KB raw, "
            f"{len(gzip.compress(sw_bytes, 6)) / 1e3:.1f} KB gzip; its list of every file ({offline.FILE_LIST}, "
            f"read for \"Lưu tất cả\" and updates only) {len(list_bytes) / 1e3:.0f} KB raw, "
            f"{len(gzip.compress(list_bytes, 6)) / 1e3:.0f} KB gzip"
        )
        figures.append((f"sw.js at {n} guides", f"{len(sw_bytes) / 1e3:.1f} KB", "< 20 KB", len(sw_bytes) < 20_000))

        if args.sizes_only:
            return figures
        print(f"search at {n} guides, Chromium 390x844 touch, median of {REPEAT}:")
        with sync_playwright() as p, serve(big) as base:
            browser = launch(p)
            ours = site_search(browser, base)
            print_search("camnang worker", ours)
            figures += [
                (f"search at {n} guides: searchable after load", f"{ours['searchable_s']:.2f} s",
                 f"<= {TARGETS['searchable_s']:.0f} s", ours["searchable_s"] <= TARGETS["searchable_s"]),
                (f"search at {n} guides: one query (median)", f"{ours['query_ms']:.0f} ms",
                 f"<= {TARGETS['query_ms']:.0f} ms", ours["query_ms"] <= TARGETS["query_ms"]),
                (f"search at {n} guides: last key -> final results", f"{ours['typing_ms']:.0f} ms",
                 f"<= {TARGETS['typing_ms']:.0f} ms", ours["typing_ms"] <= TARGETS["typing_ms"]),
            ]
            if args.no_pagefind:
                pass
            elif not pagefind_available():
                print("  Pagefind: not installed (pip install 'pagefind[bin]') — skipped")
            else:
                seconds = pagefind_index(big)
                size = sum(f.stat().st_size for f in (big / "pagefind").rglob("*") if f.is_file())
                theirs = pagefind_search(browser, base)
                print(f"  Pagefind index: {seconds:.1f} s to build, {size / 1e6:.1f} MB in {sum(1 for _ in (big / 'pagefind').rglob('*'))} files")
                print_search("Pagefind", theirs)
                for query, titles in theirs["found"].items():
                    print(f"    pagefind {query!r}: {titles}")
            browser.close()
    return figures


def build_bundled(tmp: Path) -> tuple[float, Path]:
    project = tmp / "bundled"
    project.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", project / "docs")
    shutil.copytree(ROOT / "guides", project / "guides")
    if (ROOT / "posters").is_dir():
        shutil.copytree(ROOT / "posters", project / "posters")
    # Share the repository's printables cache: the figures are about the site.
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("  - camnang:\n", f"  - camnang:\n      cache_dir: {ROOT / '.cache' / 'camnang'}\n", 1)
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    return build(project)


if __name__ == "__main__":
    main(sys.argv[1:])
