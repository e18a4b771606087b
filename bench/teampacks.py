"""Benchmark of team packs (issues 6, 14, 15), in one run, on the bundled
guides, every guide, leaflets + posters + tron-bo.pdf + the team radio
scripts, cold cache:

- bounded memory (issue 15, item 3): peak RSS of the biggest worker of a
  local pool (2 workers) at 100 teams against a bigger roster (``--teams``;
  target at most 1.2x; workers are recycled every ``TEAMS_PER_WORKER``
  teams, so past that point a worker's peak no longer grows with the
  roster);
- disk per team (output + cache, each inode once: a team's files are hard
  links to its cache entries) and per guide;
- the local process pool against a Dask ``LocalCluster`` of 2
  single-threaded workers on the 100-team roster: CPU, time and the ratio
  Dask / pool; scaling from 1 Dask worker to 2;
- the manifest check: the same command again with nothing changed (no team
  is sent to a worker): its time, per team, and against the cold run;
- throughput per core against a bare WeasyPrint loop rendering the same
  final leaflet HTML, and the time projected for a province (1,100 teams,
  target under 10 minutes) and the country (100,000 teams) on 1, 10 and 50
  machines of 2 cores, from the CPU a team costs beyond the fixed start-up.

Each measured run is a process of its own (``--run``); a thread samples
the RSS of every process below it (local workers are children of the
forkserver, Dask workers of their nanny) twice a second, and the peak of
the biggest worker is that run's alone.

    .venv/bin/python bench/teampacks.py                # 100 and 300 teams (~15 min on 2 free cores)
    .venv/bin/python bench/teampacks.py --teams 1000   # 100 and 1,000 teams
    .venv/bin/python bench/teampacks.py --teams 10000  # (or --full) the national-scale check: hours
    .venv/bin/python bench/teampacks.py --memory --teams 1000 # only the two pool runs and the memory figure
    .venv/bin/python bench/teampacks.py --small 4 --teams 8   # does it run
    make bench ARGS="teampacks --teams 10000"
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
QUICK = 300
FULL = 10_000
SMALL = 100
PROVINCE_TEAMS = 1100
NATIONAL_TEAMS = 100_000
MACHINES = (1, 10, 50)
BARE_RUNS = 6


def write_roster(path: Path, count: int) -> None:
    """A synthetic roster: varied names, 30 teams a commune, every third
    team without a Zalo link, every fifth without a phone. Numbers and
    links are made up for the benchmark only (never printed for real)."""
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["ma_to", "ten_to", "cap", "xa", "tinh", "to_truong", "dien_thoai", "zalo", "dia_diem"])
        for i in range(count):
            w.writerow(
                [
                    f"to-{i:05d}",
                    f"Tổ công nghệ số cộng đồng thôn Thử Nghiệm Số {i}",
                    "thon",
                    f"Xã Thử {i // 30}",
                    f"Tỉnh Thử {i // 3000}",
                    f"Người Thử {i}",
                    "" if i % 5 == 0 else f"09{i:08d}",
                    "" if i % 3 == 0 else f"https://zalo.me/g/bench{i:06d}",
                    f"Nhà văn hóa thôn số {i}, tối thứ Bảy",
                ]
            )


class PeakRss:
    """The highest RSS of any process below this one, and their CPU time,
    sampled every ``every`` seconds (a process's last half second of CPU
    may be missed: small against minutes)."""

    def __init__(self, every: float = 0.5):
        import threading

        import psutil

        self.me = psutil.Process()
        self.peak = 0
        self.cpu: dict[int, float] = {}
        """CPU seconds (user + system) last seen of each process below."""
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        import psutil

        while not self._stop.is_set():
            for process in self.me.children(recursive=True):
                try:
                    self.peak = max(self.peak, process.memory_info().rss)
                    times = process.cpu_times()
                    self.cpu[process.pid] = times.user + times.system
                except psutil.Error:
                    pass
            self._stop.wait(self.every)

    def __enter__(self) -> "PeakRss":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def mb(self) -> float:
        return self.peak / 2**20


def run(count: int, jobs: int, scheduler: str | None) -> dict:
    """One cold build of ``count`` teams, then the same again with nothing
    changed (called in a process of its own)."""
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
        cpu_started = time.process_time()
        with PeakRss() as rss:
            result = build_packs(roster.teams, library, settings, tmp / "out", jobs=jobs, scheduler=scheduler)
        seconds = time.perf_counter() - started
        main_cpu = time.process_time() - cpu_started
        if result.problems:
            raise SystemExit(f"errors: {result.problems[:3]}")
        started = time.perf_counter()
        again = build_packs(roster.teams, library, settings, tmp / "out", jobs=jobs)
        rerun = time.perf_counter() - started
        assert again.rendered == 0 and again.written == 0 and again.unchanged == count, again.summary()
        worker_mb = rss.mb
        cpu = sum(rss.cpu.values()) + main_cpu
        if jobs == 1 and scheduler is None:
            worker_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        seen: set[int] = set()

        def disk(folder: Path) -> int:
            """Bytes of the files below ``folder``, each inode once (hard
            links between the output and the cache count once)."""
            total = 0
            for p in folder.rglob("*"):
                st = p.stat()
                if p.is_file() and st.st_ino not in seen:
                    seen.add(st.st_ino)
                    total += st.st_size
            return total

        out_bytes = disk(tmp / "out")
        cache_bytes = disk(tmp / "cache")
        return {
            "teams": count,
            "files": result.files,
            "guides": len(library.guides),
            "seconds": seconds,
            "cpu_seconds": cpu,
            "rerun_seconds": rerun,
            "worker_rss_mb": worker_mb,
            "jobs": jobs,
            "mb_per_team": (out_bytes + cache_bytes) / count / 1e6,
            "out_mb_per_team": out_bytes / count / 1e6,
        }


def measured(count: int, jobs: int, scheduler: str | None = None) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--run", str(count), str(jobs), scheduler or "pool"],
        check=True, capture_output=True, text=True, cwd=ROOT,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def bare_rate() -> float:
    """Documents a second of a bare WeasyPrint loop on one core: the final
    HTML of a team's leaflet of the first guide, fresh state each time."""
    import weasyprint

    from camnang.config import load_settings
    from camnang.printables import fitting, leaflet
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
    fit = leaflet.FITS[fitting.fitted("leaflet", guide, ctx, leaflet.LEAFLET.sources)]
    html = leaflet.html(guide, ctx, fit)
    css = [str(settings.posters_dir / s) for s in leaflet.STYLESHEETS]
    font_css = find_font(settings.print_font).css
    base = str(settings.posters_dir) + "/"

    def once() -> None:
        sheets = [weasyprint.CSS(filename=c) for c in css] + [weasyprint.CSS(string=font_css)]
        weasyprint.HTML(string=html, base_url=base).write_pdf(stylesheets=sheets)

    once()
    started = time.process_time()
    for _ in range(BARE_RUNS):
        once()
    return BARE_RUNS / (time.process_time() - started)


def _line(label: str, r: dict) -> str:
    return (
        f"  {label:<24} {r['teams']:6d} teams, {r['files']} files in {r['seconds']:.1f} s "
        f"({r['files'] / r['seconds']:.1f} files/s); CPU {r['cpu_seconds']:.0f} s "
        f"({r['cpu_seconds'] / r['teams'] * 1e3:.0f} ms a team); peak RSS per worker {r['worker_rss_mb']:.0f} MB"
    )


def _ok(good: bool) -> str:
    return "ok" if good else "MISSED"


def main(argv: list[str] | None = None) -> list[tuple[str, str, str, bool]] | None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--run"]:
        scheduler = None if argv[3] == "pool" else argv[3]
        print(json.dumps(run(int(argv[1]), int(argv[2]), scheduler)))
        return
    global SMALL
    count = FULL if "--full" in argv else QUICK
    if "--teams" in argv:
        count = int(argv[argv.index("--teams") + 1])
    if "--small" in argv:  # the reference roster (a smoke run: --small 4 --teams 8)
        SMALL = int(argv[argv.index("--small") + 1])
    if count <= SMALL:
        raise SystemExit(f"--teams must be more than the {SMALL}-team reference roster")
    from camnang.printables.teampacks import TEAMS_PER_WORKER

    print(
        f"team packs: {SMALL} and {count} synthetic teams, every guide, leaflets + posters + tron-bo.pdf + radio scripts, "
        f"cold cache; workers recycled every {TEAMS_PER_WORKER} teams. CPU = every process of the run, user + system: "
        f"on a busy machine, compare CPU, not wall time"
    )
    small = measured(SMALL, 2)
    print(_line("local pool, 2 workers", small))
    pool = measured(count, 2)
    print(_line("local pool, 2 workers", pool))
    growth = pool["worker_rss_mb"] / small["worker_rss_mb"]
    print(
        f"  peak RSS per worker: {small['worker_rss_mb']:.0f} MB at {SMALL} teams, {pool['worker_rss_mb']:.0f} MB at "
        f"{count}: {growth:.2f}x (target <= 1.20: {_ok(growth <= 1.2)})"
    )
    headline = [(f"peak RSS per worker, {count} vs {SMALL} teams", f"{growth:.2f}x", "<= 1.20x", growth <= 1.2)]
    if "--memory" in argv:
        return headline
    print(
        f"  disk: {pool['mb_per_team']:.2f} MB a team (output + cache, hard links counted once), of which output "
        f"{pool['out_mb_per_team']:.2f} MB; {pool['mb_per_team'] / pool['guides'] * 1e3:.0f} KB a team per guide "
        f"({pool['guides']} guides)"
    )
    rerun = pool["rerun_seconds"]
    print(
        f"  no-change rerun (manifest check, no team sent): {rerun:.2f} s for {count} teams, "
        f"{rerun / count * 1e3:.2f} ms a team, {rerun / pool['seconds']:.1%} of the cold run"
    )
    dask2 = measured(SMALL, 2, "local")
    print(_line("LocalCluster, 2 workers", dask2))
    dask1 = measured(SMALL, 1, "local")
    print(_line("LocalCluster, 1 worker", dask1))
    cpu_ratio = dask2["cpu_seconds"] / small["cpu_seconds"]
    wall_ratio = dask2["seconds"] / small["seconds"]
    print(
        f"  LocalCluster / local pool (2 workers, {SMALL} teams): {cpu_ratio:.2f}x the CPU, {wall_ratio:.2f}x the time "
        f"(target <= 1.10: {_ok(cpu_ratio <= 1.10)})"
    )
    scaling = dask1["seconds"] / dask2["seconds"]
    cpu_efficiency = dask1["cpu_seconds"] / dask2["cpu_seconds"]
    print(
        f"  scaling 1 -> 2 workers: {scaling:.2f}x faster (ideal 2.00 on 2 free cores); "
        f"CPU per team with 2 workers {1 / cpu_efficiency:.2f}x that with 1"
    )

    # Projections in CPU: the marginal CPU of a team (the big run minus
    # the small one, so start-up and the shared layouts are not counted
    # per team), spread over 2 cores a machine, all busy: tasks are
    # independent, the scheduler's own cost (~1 ms a task) and the shared
    # folder's bandwidth (printed) are what can stop this from scaling.
    per_team = (pool["cpu_seconds"] - small["cpu_seconds"]) / (count - SMALL)
    fixed = max(0.0, small["cpu_seconds"] - SMALL * per_team) / 2
    print(f"  CPU per team: {per_team * 1e3:.0f} ms; start-up per run: {fixed:.0f} s on 2 cores")
    province = fixed + per_team * PROVINCE_TEAMS / 2
    print(
        f"  projected for a province ({PROVINCE_TEAMS} teams x {pool['guides']} guides) on 1 machine of 2 free cores: "
        f"{province / 60:.1f} min (target < 10 min: {_ok(province < 600)})"
    )
    for machines in MACHINES:
        national = fixed + NATIONAL_TEAMS * per_team / (2 * machines)
        print(
            f"  projected national run ({NATIONAL_TEAMS:,} teams) on {machines:2d} machine(s) of 2 cores: "
            f"{national / 3600:.2f} h ({NATIONAL_TEAMS * pool['mb_per_team'] / 1e3:.0f} GB of output + cache, "
            f"{NATIONAL_TEAMS * pool['out_mb_per_team'] / national:.0f} MB/s into the shared folder)"
        )
    bare = bare_rate()
    ours = pool["files"] / pool["cpu_seconds"]
    print(
        f"  throughput per CPU second: team packs {ours:.1f} files, bare WeasyPrint loop {bare:.1f} docs "
        f"(same leaflet HTML, CPU time of one process): ratio {ours / bare:.2f} (target >= 0.75: {_ok(ours / bare >= 0.75)})"
    )
    return headline


if __name__ == "__main__":
    main()
