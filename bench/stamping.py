"""Benchmark of stamping team packs (issue 15, item 2), old against new in
one run, on the bundled guides:

- CPU seconds per team (process CPU, not wall: the reference machine is
  shared), once a worker has laid out its blanks: the baseline commit's
  code (pypdf stamping) against the working tree's (pikepdf, ``stamp``);
  target: at least 2x cheaper;
- MB per team on disk, output + cache (the outputs are plain files, so
  each is counted beside its cache entry); target <= 0.7 MB;
- font streams in ``tron-bo.pdf``;
- byte identity: the same teams built again from an empty cache give the
  same bytes.

Each measurement runs in a process of its own with ``PYTHONPATH`` set to
the code measured (the baseline exported with ``git archive``), one worker.

    .venv/bin/python bench/stamping.py                 # 20 teams
    .venv/bin/python bench/stamping.py --teams 60
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "f196572"
"""main before pikepdf stamping was merged (pypdf, one font set per guide in
tron-bo.pdf; the same ``PackContext`` API as the working tree)."""
TEAMS = 20
SITE_URL = os.environ.get("CAMNANG_SITE_URL") or "https://camnang.example.vn/"


def measure(tmp: Path, count: int, only: list[str] | None) -> dict:
    """In this process: one worker, its blanks laid out on a first team,
    then ``count`` teams timed one after the other."""
    sys.path.insert(0, str(ROOT / "bench"))
    import pikepdf
    from teampacks import write_roster

    from camnang.config import load_settings
    from camnang.printables import teampacks
    from camnang.printables.outdir import OutDir
    from camnang.printables.pipeline import select
    from camnang.roster import load_roster
    from camnang.validate import load_library

    settings = dataclasses.replace(load_settings(ROOT / "mkdocs.yml"), site_url=SITE_URL, cache_dir=tmp / "cache")
    library = load_library(settings.guides_dir, settings.categories)
    guides = select(library, only)
    write_roster(tmp / "roster.csv", count + 1)
    teams = load_roster(tmp / "roster.csv").teams
    out = tmp / "out"
    ctx = teampacks.PackContext(settings, guides, OutDir(out), "roster.csv")
    ctx.prepare()
    warm = teampacks._pack(ctx, teams[0])
    assert not warm.problems, warm.problems
    started = time.process_time()
    for team in teams[1:]:
        result = teampacks._pack(ctx, team)
        assert not result.problems, result.problems
    cpu = time.process_time() - started
    timed = {t.id for t in teams[1:]}
    seen: set[tuple[int, int]] = set()
    size = 0
    roots = [out / t for t in timed] + [settings.cache_dir / "printables" / "team-packs" / t for t in timed]
    for root in roots:
        for path in root.rglob("*"):
            st = path.stat()
            if path.is_file() and (st.st_ino, st.st_dev) not in seen:
                seen.add((st.st_ino, st.st_dev))
                size += st.st_size
    digests = {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*.pdf"))
    }
    with pikepdf.open(out / teams[1].id / "tron-bo.pdf") as pdf:
        fonts = sum(
            1 for o in pdf.objects
            if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/FontDescriptor"
            for key in ("/FontFile", "/FontFile2", "/FontFile3") if key in o
        )
    return {
        "cpu_per_team": cpu / count,
        "mb_per_team": size / count / 1e6,
        "tron_bo_fonts": fonts,
        "digests": digests,
        "files": len(digests),
    }


def child(src: Path, count: int, only: list[str] | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="camnang-bench-stamp-") as tmp:
        env = {**os.environ, "PYTHONPATH": str(src), "NO_MKDOCS_2_WARNING": "1"}
        args = [sys.executable, __file__, "--measure", tmp, str(count), ",".join(only or [])]
        out = subprocess.run(args, check=True, capture_output=True, text=True, cwd=ROOT, env=env).stdout
        return json.loads(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--measure"]:
        only = [s for s in argv[3].split(",") if s] or None
        print(json.dumps(measure(Path(argv[1]), int(argv[2]), only)))
        return
    count = int(argv[argv.index("--teams") + 1]) if "--teams" in argv else TEAMS
    print(f"team-pack stamping: {count} teams, one worker, every guide; baseline {BASELINE} against the working tree")
    with tempfile.TemporaryDirectory(prefix="camnang-bench-base-") as base:
        archive = subprocess.run(["git", "archive", BASELINE, "src"], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", base], input=archive, check=True)
        old = child(Path(base) / "src", count, None)
    new = child(ROOT / "src", count, None)
    again = child(ROOT / "src", 3, None)
    ratio = old["cpu_per_team"] / new["cpu_per_team"]
    print(
        f"  CPU per team: {old['cpu_per_team']:.3f} s before, {new['cpu_per_team']:.3f} s now: "
        f"{ratio:.2f}x cheaper (target >= 2: {'ok' if ratio >= 2 else 'MISSED'})"
    )
    print(
        f"  disk per team (output + cache): {old['mb_per_team']:.2f} MB before, {new['mb_per_team']:.2f} MB now "
        f"(target <= 0.7 MB: {'ok' if new['mb_per_team'] <= 0.7 else 'MISSED'}; {new['files'] // (count + 1)} files a team)"
    )
    print(f"  font streams in tron-bo.pdf: {old['tron_bo_fonts']} before, {new['tron_bo_fonts']} now")
    common = sorted(again["digests"].keys() & new["digests"].keys())
    same = bool(common) and all(new["digests"][k] == again["digests"][k] for k in common)
    print(
        f"  a second run from an empty cache gives byte-identical files: {'yes' if same else 'NO (MISSED)'} "
        f"({len(common)} files compared)"
    )


if __name__ == "__main__":
    main()
