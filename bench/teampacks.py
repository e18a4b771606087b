"""Benchmark of team packs (issues 6, 14, 15, 27), in one run, on the
bundled guides, every guide, leaflets + the posters file + the team
radio scripts, cold cache:

- bounded memory (issue 15, item 3): peak RSS of the biggest worker of a
  local pool (2 workers) at 100 teams against a bigger roster (``--teams``;
  target at most 1.2x; workers are recycled every ``TEAMS_PER_WORKER``
  teams, so past that point a worker's peak no longer grows with the
  roster);
- disk per team (output + cache, each inode once: a team's files are hard
  links to its cache entries) and per guide;
- the local process pool against a Dask cluster as in production (issue
  27): ``dask scheduler`` and ``dask worker --nworkers 2 --nthreads 1``
  (README's command: two nannies, each with its worker process of one
  thread), separate processes, on the same roster: CPU per
  team, wall time, peak memory per worker, bytes per team, rerun time;
  targets: Dask at most 1.15x the pool's CPU and 1.5x its worker memory
  (``--compare`` runs only this, 1,000 teams by default);
- the manifest check: the same command again with nothing changed (no team
  is sent to a worker): its time, per team, and against the cold run;
- throughput per core against a bare WeasyPrint loop rendering the same
  final leaflet HTML, and the time projected for a province (1,100 teams,
  target under 10 minutes) and the country (74,000 teams) on 1, 10 and 50
  machines of 2 cores, from the CPU a team costs beyond the fixed start-up.

Each measured run is a process of its own (``--run``), started under
``bench/descendants.py``: it is the child subreaper of everything below it
and waits for every process (forkserver workers, Dask's scheduler, nannies
and workers, whoever left them behind), so the CPU counted is that of every
process of the run (``RUSAGE_CHILDREN`` or ``/usr/bin/time`` alone see
the command's own, 0.97 of 40.1 CPU-s in issue 27);
``tests/test_bench_counter.py`` checks it against processes that report
their own CPU. It also samples the RSS of each process twice a second: the
peak per worker, and CPU by kind of process (where the CPU goes).

Where Dask's extra CPU goes (issue 27). Figures of 2026-12-03 on the
shared 2-core machine (other sessions running, load 3 to 8): the same run
measured 67 and 77 CPU-s on the pool half an hour apart, so pool and Dask
run one after the other differ by +-10% from load alone. The figures that
decided were taken in one run: a cluster whose two workers were started
differently, the same roster spread over both, each team's task timed in
its worker (thread CPU, process CPU, page faults).

- Per team, a Dask worker's task costs what a pool worker's does: 40
  teams x 4 guides, each task timed in its worker (runs one after the
  other, so within the noise above), 1.29 CPU-s in the task thread
  against 1.27 on the pool (+1%); the run with both halves at once (below)
  agrees: Dask workers +8%, about their fixed costs; serialisation and
  scheduling: nothing measurable (a team is 339 bytes, its result 2.4 KB;
  the scheduler 2.1 to 2.5 CPU-s for a 40-team run, its start included).
- Dask's statistical profiler (``distributed.worker.profile``, every
  10 ms): 5 to 20% of a worker's CPU on WeasyPrint's deep stacks (12
  layouts: 6.72 and 5.85 CPU-s with it, 5.63 and 4.63 without). Stopped
  after each worker's first task (``camnang.workers``).
- The worker's event loop: 2.4 to 2.8 CPU-s a worker in a 40-team run, 6%
  of the worker, taking the GIL from the task thread 60 times a second
  (its health check ``distributed.admin.tick`` every 20 ms, the memory
  monitor every 100 ms, the system monitor every 500 ms, heartbeats). Each
  nanny does the same for itself: 1.85 CPU-s each in that run, 15 CPU-s
  for both at 200 teams x 24 guides. ``camnang.workers`` slows the three
  checks to 1, 1 and 5 s in workers and nannies: event loop 1.2 to 1.3
  CPU-s a worker, nannies 0.7 to 0.8 each (their start included).
- ``MALLOC_TRIM_THRESHOLD_=65536``, which the nanny puts in the worker's
  environment (``distributed.nanny.pre-spawn-environ``), also turns off
  glibc's dynamic mmap threshold: every block over 128 KB is mapped and
  unmapped again (a 1 MB block: 257 page faults each time, 0 once undone).
  A worker took 8,900 to 9,000 minor page faults a team (4 guides) against
  4,200 once ``camnang.workers`` set glibc's thresholds back
  (``mallopt``), and 57,900 against 41,500 a team at 24 guides with the
  variable removed from Dask's config (pool: 44,600). In CPU that is
  small: system CPU 2.7 to 3.5 against 2.5 s a worker (40 teams), and in
  one process alternating with and without the variable (10 teams x 4
  guides, twice) 0.87 and 1.03 against 1.02 and 0.87 CPU-s a team, noise.
- Both together, the same run on both workers, in both orders: 1.27 and
  1.29 CPU-s a team (process CPU, event loop included) against 1.29 and
  1.31 as before (-1.7%), page faults halved; the worker's event loop
  halved.
- Worker start: each nanny and the scheduler import ``distributed``; each
  Dask worker imports it (0.45 CPU-s when it registers), then camnang,
  WeasyPrint and pikepdf in its first task (the pool's fork server
  imports them once and forks): 1.5 to 2 CPU-s more than a pool worker,
  at every restart.
- Restarts (both schedulers): workers are replaced every
  ``TEAMS_PER_WORKER`` teams each, the warm-up tasks counted: 225 tasks at
  200 teams of 24 guides are 3 generations of 2 workers on the pool and
  on Dask alike (checked on a cluster: 3 pools, 6 worker processes). A
  restarted worker's first team costs 0.4 to 0.6 CPU-s more than its next
  ones (2 guides, 120 teams: Jinja templates parsed, cffi's C
  declarations, template digests, all per process): small.
- The first wave's first team (both schedulers): 35 CPU-s against about
  5.6 (24 guides, pool, load about 6), 29 to 32 against 4.5 (Dask), 4.2
  against 0.9 at 2 guides, in every worker at once: each made the run's
  blank handbook and the guides' Zalo cards, shared by every team but not
  in ``warm_up``; a cluster of N workers made them N times. Now
  ``warm_up`` tasks (once per run, in the cache): the first team costs 1.0
  and 1.4 CPU-s at 2 guides, the warm-up tasks 15.0 against 11.3 in all,
  so 3 CPU-s a run saved per worker beyond the first at 2 guides, about 30
  at 24.

What is left of Dask's extra is fixed, a run's or a restart's: scheduler,
nannies, client and worker imports, the event loop. Measured with both
halves at once (``--compare --together``: the pool and the cluster run at
the same time, so the same load falls on both; 40 teams x 4 guides, after
the changes): pool 90.5 CPU-s (workers 85.4, fork server 1.5, command
2.3), Dask 103.3 (workers 92.3, scheduler 4.7, command 3.7, nannies 1.3):
1.14x, the workers 1.08x (+6.9 CPU-s: imports and event loops).
``--compare --teams 40 --guides 4`` (one after the other): 1.28x before
(pool 67 CPU-s, Dask 86; Dask workers 76.5, nannies 3.7, scheduler 2.5;
15,000 page faults a team in Dask workers, 9,900 in pool workers), after:
1.16x (pool 77, Dask 89; nannies 1.1, scheduler 2.1) and, with README's
``--nworkers 2``, 1.22x (pool 93, Dask 114; Dask workers 104 against 89,
nannies 1.2, scheduler 4.1; 9,000 page faults a team), then 1.31x (pool
70, Dask 96, with warm_up's change); peak worker RSS 168 MB before, 170
and 171 after. The same pool run measured 67, 77, 93 and 70 CPU-s
within the hour: one run after the other on this machine does not
resolve 15%; run ``--together`` on a shared machine. The
1.26x of 200 teams x 24 guides (Dask workers 727 CPU-s against 596) is
not reproduced as a cost per team: the profiler was already stopped, the
event loop (6%, now 3%) and imports (about 12 CPU-s) explain part, the
rest is within what load does to one run after the other. The 1,000-team
comparison (``--compare``, or ``--compare --together`` if the machine is
shared) decides.

The pool's cost a team at 200 and 1,000 teams (3.00 and 3.70 CPU-s, 24
guides, README): nothing found that grows with the teams done. At 2
guides, 50 and 200 teams alternated twice: 56.7 and 59.0, 172.2 and 176.3
CPU-s (1.13 to 1.18, then 0.86 to 0.88 a team; 0.78 at the margin); the
command's own process 1.4 to 1.9, then 2.1 to 2.5 CPU-s (linear); the
manifest is appended to, cache entries are kept per team, ``index.csv``
is written once at the end. 200 teams of 2 guides are 203 tasks: one run
started a fourth generation of workers (7 processes) for the last 3.

    .venv/bin/python bench/teampacks.py                # 100 and 300 teams (~15 min on 2 free cores)
    .venv/bin/python bench/teampacks.py --teams 1000   # 100 and 1,000 teams
    .venv/bin/python bench/teampacks.py --teams 10000  # (or --full) the national-scale check: hours
    .venv/bin/python bench/teampacks.py --memory --teams 1000 # only the two pool runs and the memory figure
    .venv/bin/python bench/teampacks.py --small 4 --teams 8   # does it run
    .venv/bin/python bench/teampacks.py --compare             # pool against Dask, 1,000 teams (about 1.5 h on 2 free cores)
    .venv/bin/python bench/teampacks.py --compare --teams 20 --guides 2   # the same, quick
    .venv/bin/python bench/teampacks.py --compare --together  # both at once: same load on both (shared machine)
    make bench ARGS="teampacks --teams 10000"
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
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
NATIONAL_TEAMS = 74_000
"""Community digital technology teams in the country in 2025 (over 74,000)."""
MACHINES = (1, 10, 50)
BARE_RUNS = 6
COMPARE = 1000
"""Teams of the local pool / Dask comparison (``--compare``)."""


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


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A Dask cluster as in production (README): ``dask scheduler`` and one
    ``dask worker --nworkers WORKERS --nthreads 1`` (one process holding a
    nanny per worker, each nanny starting its worker process), separate
    processes on loopback ports, stopped (SIGTERM) on exit."""

    def __init__(self, tmp: Path, workers: int = 2):
        self.tmp = tmp
        self.workers = workers
        self.address = f"tcp://127.0.0.1:{free_port()}"
        self.processes: list[subprocess.Popen] = []

    def _start(self, *args: str) -> None:
        dask = Path(sys.executable).parent / "dask"
        log = (self.tmp / f"dask-{len(self.processes)}.log").open("w")
        self.processes.append(
            subprocess.Popen([str(dask), *args], cwd=self.tmp, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
        )

    def __enter__(self) -> "Cluster":
        from distributed import Client

        port = self.address.rsplit(":", 1)[1]
        self._start("scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard", "--no-show")
        self._start(
            "worker", self.address, "--host", "127.0.0.1", "--nworkers", str(self.workers), "--nthreads", "1",
            "--no-dashboard", "--local-directory", str(self.tmp / "workers"),
        )
        with Client(self.address, timeout="60s") as client:
            client.wait_for_workers(self.workers, timeout=120)
        return self

    def __exit__(self, *exc) -> None:
        import signal

        for process in reversed(self.processes):
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for process in reversed(self.processes):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def run(count: int, jobs: int, scheduler: str | None, guides: int | None = None) -> dict:
    """One cold build of ``count`` teams, then the same again with nothing
    changed (called in a process of its own, under ``descendants``, which
    counts the CPU and memory of every process). ``scheduler``:
    ``"cluster"`` starts a cluster of ``jobs`` workers (``Cluster``) first;
    ``guides``: only the first so many bundled guides (quick checks)."""
    import contextlib

    from camnang.config import load_settings
    from camnang.printables.teampacks import build_packs
    from camnang.roster import load_roster
    from camnang.validate import load_library

    with tempfile.TemporaryDirectory(prefix="camnang-bench-teams-") as tmp:
        tmp = Path(tmp)
        settings = dataclasses.replace(load_settings(ROOT / "mkdocs.yml"), site_url=SITE_URL, cache_dir=tmp / "cache")
        library = load_library(settings.guides_dir, settings.categories)
        only = [g.slug for g in library.guides[:guides]] if guides else None
        write_roster(tmp / "roster.csv", count)
        roster = load_roster(tmp / "roster.csv")
        cluster = Cluster(tmp, jobs) if scheduler == "cluster" else contextlib.nullcontext()
        with cluster:
            address = cluster.address if scheduler == "cluster" else scheduler
            started = time.perf_counter()
            result = build_packs(roster.teams, library, settings, tmp / "out", jobs=jobs, scheduler=address, only=only)
            seconds = time.perf_counter() - started
        if result.problems:
            raise SystemExit(f"errors: {result.problems[:3]}")
        started = time.perf_counter()
        again = build_packs(roster.teams, library, settings, tmp / "out", jobs=jobs, only=only)
        rerun = time.perf_counter() - started
        assert again.rendered == 0 and again.written == 0 and again.unchanged == count, again.summary()
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
            "guides": len(only) if only else len(library.guides),
            "seconds": seconds,
            "rerun_seconds": rerun,
            "jobs": jobs,
            "mb_per_team": (out_bytes + cache_bytes) / max(count, 1) / 1e6,
            "out_mb_per_team": out_bytes / max(count, 1) / 1e6,
        }


def measured(count: int, jobs: int, scheduler: str | None = None, guides: int | None = None) -> dict:
    """``run`` in a process of its own under ``descendants.measure``: CPU of
    every process of the run (user + system, each waited for, workers of
    the fork server and Dask's nannies included), peak RSS of the biggest
    worker (sampled twice a second)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from descendants import measure

    command = [sys.executable, __file__, "--run", str(count), str(jobs), scheduler or "pool", str(guides or 0)]
    usage, done = measure(command, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"the {scheduler or 'pool'} run failed: {done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result.update(
        cpu_seconds=usage.cpu_seconds,
        worker_rss_mb=usage.peak("worker") if jobs > 1 or scheduler else usage.peak("main"),
        processes=usage.processes,
        peaks=usage.peaks,
        cpu_by_role=usage.cpu_by_role,
        system_by_role=usage.system_by_role,
        faults_by_role=usage.faults_by_role,
        processes_by_role=usage.processes_by_role,
    )
    return result


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


def comparison(pool: dict, dask: dict) -> list[tuple[str, str, str, bool]]:
    """The Dask cluster against the local pool on the same roster: CPU per
    team, wall, peak memory per worker, bytes per team, rerun time."""
    teams = pool["teams"]
    cpu = dask["cpu_seconds"] / pool["cpu_seconds"]
    memory = dask["worker_rss_mb"] / pool["worker_rss_mb"]
    for label, r in (("local pool", pool), ("Dask cluster", dask)):
        print(
            f"  {label:<13} CPU {r['cpu_seconds'] / teams:.2f} s a team, wall {r['seconds']:.0f} s, peak RSS per worker "
            f"{r['worker_rss_mb']:.0f} MB, {r['mb_per_team']:.2f} MB a team, rerun {r['rerun_seconds']:.2f} s"
        )
        roles = ", ".join(f"{role} {seconds:.1f}" for role, seconds in sorted(r["cpu_by_role"].items(), key=lambda x: -x[1]))
        print(f"    CPU-s by process (sampled): {roles}")
        worker = r["cpu_by_role"].get("worker", 0.0)
        print(
            f"    workers ({r['processes_by_role'].get('worker', 0)} processes): {worker:.1f} CPU-s, of which system "
            f"{r['system_by_role'].get('worker', 0.0):.1f}; {r['faults_by_role'].get('worker', 0) / teams:,.0f} minor page faults a team"
        )
    print(
        f"  Dask / local pool at {teams} teams: {cpu:.2f}x the CPU (target <= 1.15: {_ok(cpu <= 1.15)}), "
        f"{memory:.2f}x the worker memory (target <= 1.50: {_ok(memory <= 1.5)}), {dask['seconds'] / pool['seconds']:.2f}x the time"
    )
    # The national run from these measured figures (start-up included in
    # the CPU a team; each machine's own start-up comes on top).
    for label, r in (("local pool", pool), ("Dask cluster", dask)):
        per_team = r["cpu_seconds"] / teams
        hours = ", ".join(
            f"{machines} machine(s) {NATIONAL_TEAMS * per_team / (2 * machines) / 3600:.2f} h" for machines in MACHINES
        )
        print(
            f"  national run ({NATIONAL_TEAMS:,} teams) on {label}, machines of 2 cores, from {per_team:.2f} CPU-s a team: "
            f"{hours}; {NATIONAL_TEAMS * r['mb_per_team'] / 1e3:.0f} GB of output + cache"
        )
    return [
        (f"Dask / local pool, CPU per team ({teams} teams)", f"{cpu:.2f}x", "<= 1.15x", cpu <= 1.15),
        (f"Dask / local pool, peak worker memory ({teams} teams)", f"{memory:.2f}x", "<= 1.50x", memory <= 1.5),
    ]


def _ok(good: bool) -> str:
    return "ok" if good else "MISSED"


def main(argv: list[str] | None = None) -> list[tuple[str, str, str, bool]] | None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--run"]:
        scheduler = None if argv[3] == "pool" else argv[3]
        print(json.dumps(run(int(argv[1]), int(argv[2]), scheduler, int(argv[4]) or None)))
        return
    global SMALL
    count = FULL if "--full" in argv else QUICK
    guides = int(argv[argv.index("--guides") + 1]) if "--guides" in argv else None
    if "--compare" in argv:  # only the local pool against the Dask cluster
        count = int(argv[argv.index("--teams") + 1]) if "--teams" in argv else COMPARE
        print(
            f"team packs, local pool against a Dask cluster ('dask scheduler' + 'dask worker --nworkers 2', separate processes), "
            f"{count} synthetic teams, {'the first %d guides' % guides if guides else 'every guide'}, cold cache; "
            f"CPU = every process of the run (bench/descendants.py)"
        )
        if "--together" in argv:  # both at once: the same load on both (wall times then shared)
            import threading

            runs: dict[str, dict] = {}
            threads = [
                threading.Thread(target=lambda: runs.update(pool=measured(count, 2, guides=guides))),
                threading.Thread(target=lambda: runs.update(dask=measured(count, 2, "cluster", guides=guides))),
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            if runs.keys() != {"pool", "dask"}:
                raise SystemExit("one of the two runs failed")
            pool, dask = runs["pool"], runs["dask"]
            print(_line("local pool, 2 workers", pool))
            print(_line("Dask cluster, 2 workers", dask))
            return comparison(pool, dask)
        pool = measured(count, 2, guides=guides)
        print(_line("local pool, 2 workers", pool))
        dask = measured(count, 2, "cluster", guides=guides)
        print(_line("Dask cluster, 2 workers", dask))
        return comparison(pool, dask)
    if "--teams" in argv:
        count = int(argv[argv.index("--teams") + 1])
    if "--small" in argv:  # the reference roster (a smoke run: --small 4 --teams 8)
        SMALL = int(argv[argv.index("--small") + 1])
    if count <= SMALL:
        raise SystemExit(f"--teams must be more than the {SMALL}-team reference roster")
    from camnang.printables.teampacks import TEAMS_PER_WORKER

    print(
        f"team packs: {SMALL} and {count} synthetic teams, every guide, leaflets + posters + radio scripts, "
        f"cold cache; workers recycled every {TEAMS_PER_WORKER} teams. CPU = every process of the run, user + system: "
        f"on a busy machine, compare CPU, not wall time"
    )
    small = measured(SMALL, 2, guides=guides)
    print(_line("local pool, 2 workers", small))
    pool = measured(count, 2, guides=guides)
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
    dask = measured(count, 2, "cluster", guides=guides)
    print(_line("Dask cluster, 2 workers", dask))
    headline += comparison(pool, dask)

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
