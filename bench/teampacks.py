"""Benchmark of team packs (issue 6), in one run, on the bundled guides:

- synthetic rosters of 100 and 1,000 teams (``--full``: also 1,100), every
  guide, leaflets, posters and tron-bo.pdf, cold cache, 2 workers (all
  cores): total time, files a second, and the time projected for 1,100
  teams (target: under 10 minutes on the 2-core reference machine);
- throughput per core against a bare WeasyPrint loop rendering the same
  final leaflet HTML (a team's leaflet, ``HTML(string).write_pdf()``),
  one file = one document: the ratio, target at least 0.75;
- peak memory (RSS) of the busiest worker for each roster size: target
  under 500 MB and flat as the roster grows.

Each roster size runs in its own process (``--run N``), so the workers'
peak RSS (``RUSAGE_CHILDREN``) is that run's alone.

    .venv/bin/python bench/teampacks.py            # 100 and 1,000 teams (a few minutes)
    .venv/bin/python bench/teampacks.py --full     # also the full 1,100
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE_URL = os.environ.get("CAMNANG_SITE_URL") or "https://camnang.example.vn/"
SIZES = (100, 1000)
PROVINCE_TEAMS = 1100
BARE_RUNS = 6


def write_roster(path: Path, count: int) -> None:
    """A synthetic roster: varied names, every third team without a Zalo
    link, every fifth without a phone. Numbers and links are made up for
    the benchmark only (never printed for real)."""
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["ma_to", "ten_to", "cap", "xa", "tinh", "to_truong", "dien_thoai", "zalo", "dia_diem"])
        for i in range(count):
            w.writerow(
                [
                    f"to-{i:05d}",
                    f"Tổ công nghệ số cộng đồng thôn Thử Nghiệm Số {i}",
                    "thon",
                    f"Xã Thử {i // 17}",
                    "Tỉnh Thử",
                    f"Người Thử {i}",
                    "" if i % 5 == 0 else f"09{i:08d}",
                    "" if i % 3 == 0 else f"https://zalo.me/g/bench{i:06d}",
                    f"Nhà văn hóa thôn số {i}, tối thứ Bảy",
                ]
            )


def run(count: int, jobs: int) -> dict:
    """One cold build of ``count`` teams (called in a process of its own)."""
    from camnang.config import load_settings
    from camnang.printables.teampacks import build_packs
    from camnang.roster import load_roster
    from camnang.validate import load_library

    with tempfile.TemporaryDirectory(prefix="camnang-bench-teams-") as tmp:
        tmp = Path(tmp)
        settings = dataclasses.replace(load_settings(ROOT / "mkdocs.yml"), site_url=SITE_URL, cache_dir=tmp / "cache")
        library = load_library(settings.guides_dir, settings.categories)
        write_roster(tmp / "roster.csv", count)
        roster = load_roster(tmp / "roster.csv")
        started = time.perf_counter()
        result = build_packs(roster.teams, library, settings, tmp / "out", jobs=jobs)
        seconds = time.perf_counter() - started
        if result.problems:
            raise SystemExit(f"errors: {result.problems[:3]}")
        workers_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        if jobs == 1:
            workers_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return {
            "teams": count,
            "files": result.files,
            "guides": len(library.guides),
            "seconds": seconds,
            "worker_rss_mb": workers_kb / 1024,
            "jobs": jobs,
        }


def bare_rate() -> float:
    """Documents a second of a bare WeasyPrint loop on one core: the final
    HTML of a team's leaflet of the first guide, fresh state each time."""
    import weasyprint

    from camnang.config import load_settings
    from camnang.printables import leaflet
    from camnang.printables.fonts import find_font
    from camnang.printables.kinds import PrintContext
    from camnang.roster import Team
    from camnang.validate import load_library

    settings = dataclasses.replace(load_settings(ROOT / "mkdocs.yml"), site_url=SITE_URL)
    library = load_library(settings.guides_dir, settings.categories)
    team = Team(
        id="to-00001", name="Tổ công nghệ số cộng đồng thôn Thử Nghiệm Số 1", level="thon", commune="Xã Thử",
        province="Tỉnh Thử", leader="Người Thử 1", phone="0900 000 001", zalo="https://zalo.me/g/bench000001",
        help_place="Nhà văn hóa thôn số 1, tối thứ Bảy",
    )
    ctx = PrintContext(settings, team)
    guide = library.guides[0]
    leaflet.render(guide, ctx)  # finds the fit variant
    from camnang.printables import fitting

    fit = leaflet.FITS[fitting.fitted("leaflet", guide, ctx, leaflet.LEAFLET.sources)]
    html = leaflet.html(guide, ctx, fit)
    css = [str(settings.posters_dir / s) for s in leaflet.STYLESHEETS]
    font_css = find_font(settings.print_font).css
    base = str(settings.posters_dir) + "/"

    def once() -> None:
        sheets = [weasyprint.CSS(filename=c) for c in css] + [weasyprint.CSS(string=font_css)]
        weasyprint.HTML(string=html, base_url=base).write_pdf(stylesheets=sheets)

    once()
    started = time.perf_counter()
    for _ in range(BARE_RUNS):
        once()
    return BARE_RUNS / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--run"]:
        print(json.dumps(run(int(argv[1]), int(argv[2]))))
        return
    sizes = SIZES + ((PROVINCE_TEAMS,) if "--full" in argv else ())
    jobs = os.cpu_count() or 1
    print(f"team packs: {jobs} workers, cold cache, every guide, leaflets + posters + tron-bo.pdf")
    results = []
    for count in sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--run", str(count), str(jobs)],
            check=True, capture_output=True, text=True, cwd=ROOT,
        ).stdout
        r = json.loads(out.strip().splitlines()[-1])
        results.append(r)
        print(
            f"  {count:5d} teams: {r['files']} files in {r['seconds']:.1f} s "
            f"({r['files'] / r['seconds']:.1f} files/s), peak RSS per worker {r['worker_rss_mb']:.0f} MB"
        )
    last = results[-1]
    per_team = last["seconds"] / last["teams"]
    projected = per_team * PROVINCE_TEAMS
    print(
        f"  projected for {PROVINCE_TEAMS} teams x {last['guides']} guides: {projected / 60:.1f} min "
        f"(target < 10 min: {'ok' if projected < 600 else 'MISSED'})"
    )
    rss = [r["worker_rss_mb"] for r in results]
    print(
        f"  peak RSS per worker: {' / '.join(f'{m:.0f} MB' for m in rss)} for "
        f"{' / '.join(str(r['teams']) for r in results)} teams; growth {rss[-1] / rss[0]:.2f}x "
        f"(target < 500 MB, flat: {'ok' if max(rss) < 500 and rss[-1] / rss[0] < 1.25 else 'MISSED'})"
    )
    bare = bare_rate()
    ours = last["files"] / last["seconds"] / last["jobs"]
    print(
        f"  throughput per core: team packs {ours:.1f} files/s, bare WeasyPrint loop {bare:.1f} docs/s "
        f"(same leaflet HTML): ratio {ours / bare:.2f} (target >= 0.75: {'ok' if ours / bare >= 0.75 else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
