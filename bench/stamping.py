"""Benchmark of stamping team packs (issue 15, item 2), main's method
against the working tree's in one run, on the bundled guides:

- CPU seconds per team (process CPU, not wall: the reference machine is
  shared), once a worker has laid out its blanks: the baseline commit's
  code (pypdf stamping) against the working tree's (pikepdf, ``stamp``);
  target: at least 2x cheaper. Split into the printables the issue
  measured (leaflets, posters, tron-bo.pdf: strip layouts + stamping) and
  the team's radio scripts (added later: one WeasyPrint layout per guide
  per team, the same work in both);
- MB per team on disk, output + the team's cache entries, each inode
  counted once (the working tree hard-links the team's files to its cache
  entries); target <= 0.7 MB, set at 11 guides, so also per guide; with a
  breakdown per kind of file;
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
BASELINE = "a4a93f2"
"""main before pikepdf stamping was merged: pypdf stamping, one font set per
guide in tron-bo.pdf, a full copy of every output in the cache, the team
radio scripts; the same ``PackContext`` API as the working tree."""
TARGET_MB = 0.7
TARGET_GUIDES = 11
"""The disk target was set when the bundle had 11 guides."""
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
    spent = {"radio": 0.0, "strips": 0.0}

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            begun = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.process_time() - begun
        return wrapper

    teampacks._radio = timed("radio", teampacks._radio)
    teampacks.strip_pdf = timed("strips", teampacks.strip_pdf)
    started = time.process_time()
    for team in teams[1:]:
        result = teampacks._pack(ctx, team)
        assert not result.problems, result.problems
    cpu = time.process_time() - started
    timed_ids = [t.id for t in teams[1:]]
    seen: set[tuple[int, int]] = set()
    kinds: dict[str, int] = {}
    cache_only = 0
    for team_id in timed_ids:
        for root, is_out in ((out / team_id, True), (settings.cache_dir / "printables" / "team-packs" / team_id, False)):
            for path in sorted(root.rglob("*")):
                st = path.stat()
                if not path.is_file() or (st.st_ino, st.st_dev) in seen:
                    continue
                seen.add((st.st_ino, st.st_dev))
                if is_out:
                    kind = path.name.split("-")[0] if path.name != "tron-bo.pdf" else "tron-bo"
                    kind = {"to": "leaflets", "ap": "posters", "phat": "radio " + path.suffix[1:]}.get(kind, kind)
                    kinds[kind] = kinds.get(kind, 0) + st.st_size
                else:
                    cache_only += st.st_size
    size = sum(kinds.values()) + cache_only
    digests = {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*.pdf"))
    }

    def font_files(path: Path) -> int:
        """Font programs embedded (distinct streams: two font dictionaries
        may share one)."""
        with pikepdf.open(path) as pdf:
            return len({
                o.get(key).objgen for o in pdf.objects
                if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/FontDescriptor"
                for key in ("/FontFile", "/FontFile2", "/FontFile3") if key in o
            })

    return {
        "cpu_per_team": cpu / count,
        "radio_per_team": spent["radio"] / count,
        "strips_per_team": spent["strips"] / count,
        "mb_per_team": size / count / 1e6,
        "kinds_kb_per_team": {k: v / count / 1e3 for k, v in sorted(kinds.items())},
        "cache_kb_per_team": cache_only / count / 1e3,
        "guides": len(guides),
        "tron_bo_fonts": font_files(out / teams[1].id / "tron-bo.pdf"),
        "leaflet_fonts": font_files(out / teams[1].id / f"to-roi-{guides[0].slug}.pdf"),
        "digests": digests,
        "files": len(digests),
    }


def child(src: Path, count: int, only: list[str] | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="camnang-bench-stamp-") as tmp:
        env = {**os.environ, "PYTHONPATH": str(src), "NO_MKDOCS_2_WARNING": "1"}
        args = [sys.executable, __file__, "--measure", tmp, str(count), ",".join(only or [])]
        out = subprocess.run(args, check=True, capture_output=True, text=True, cwd=ROOT, env=env).stdout
        return json.loads(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> list[tuple[str, str, str, bool]] | None:
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
        f"  CPU per team, whole pack: {old['cpu_per_team']:.3f} s before, {new['cpu_per_team']:.3f} s now: "
        f"{ratio:.2f}x cheaper (target >= 2: {'ok' if ratio >= 2 else 'MISSED'})"
    )
    printables = [r["cpu_per_team"] - r["radio_per_team"] for r in (old, new)]
    stamping = [r["cpu_per_team"] - r["radio_per_team"] - r["strips_per_team"] for r in (old, new)]
    ratio = printables[0] / printables[1]
    print(
        f"    leaflets + posters + tron-bo.pdf (what the issue measured): {printables[0]:.3f} s before, "
        f"{printables[1]:.3f} s now: {ratio:.2f}x cheaper (target >= 2: {'ok' if ratio >= 2 else 'MISSED'}); "
        f"of which stamping {stamping[0]:.3f} s -> {stamping[1]:.3f} s ({stamping[0] / stamping[1]:.2f}x), "
        f"strip layouts {old['strips_per_team']:.3f} s -> {new['strips_per_team']:.3f} s"
    )
    print(
        f"    the team's radio scripts (one layout per guide, added after the issue): "
        f"{old['radio_per_team']:.3f} s before, {new['radio_per_team']:.3f} s now "
        f"({old['radio_per_team'] / new['radio_per_team']:.2f}x)"
    )
    guides = new["guides"]
    per_guide = TARGET_MB / TARGET_GUIDES
    print(
        f"  disk per team (output + cache): {old['mb_per_team']:.2f} MB before, {new['mb_per_team']:.2f} MB now "
        f"(target <= {TARGET_MB} MB: {'ok' if new['mb_per_team'] <= TARGET_MB else 'MISSED'}, "
        f"{new['mb_per_team'] / TARGET_MB:.2f}x the target; {new['files'] // (count + 1)} PDFs a team)"
    )
    print(
        f"    per guide: {old['mb_per_team'] / guides * 1e3:.0f} KB before, {new['mb_per_team'] / guides * 1e3:.0f} KB now "
        f"({guides} guides; target {per_guide * 1e3:.0f} KB = {TARGET_MB} MB / {TARGET_GUIDES} guides: "
        f"{'ok' if new['mb_per_team'] / guides <= per_guide else 'MISSED'}, {new['mb_per_team'] / guides / per_guide:.2f}x)"
    )
    printed = {k: v for k, v in new["kinds_kb_per_team"].items() if not k.startswith("radio")}
    print(
        f"    without the team radio scripts (the files the target was set for): {sum(printed.values()) / 1e3:.2f} MB now, "
        f"{sum(printed.values()) / guides:.0f} KB per guide ({sum(printed.values()) / guides / (per_guide * 1e3):.2f}x the per-guide target)"
    )
    for label, r in (("before", old), ("now", new)):
        parts = ", ".join(f"{k} {v:.0f}" for k, v in r["kinds_kb_per_team"].items())
        print(f"    KB per team {label}: {parts}; cache beyond the outputs {r['cache_kb_per_team']:.0f}")
    print(
        f"  font programs: tron-bo.pdf {old['tron_bo_fonts']} before, {new['tron_bo_fonts']} now; "
        f"a team leaflet {old['leaflet_fonts']} before, {new['leaflet_fonts']} now"
    )
    common = sorted(again["digests"].keys() & new["digests"].keys())
    same = bool(common) and all(new["digests"][k] == again["digests"][k] for k in common)
    print(
        f"  a second run from an empty cache gives byte-identical files: {'yes' if same else 'NO (MISSED)'} "
        f"({len(common)} files compared)"
    )
    whole = old["cpu_per_team"] / new["cpu_per_team"]
    return [
        ("team pack CPU, printables (leaflets, posters, tron-bo)", f"{ratio:.2f}x cheaper", ">= 2x", ratio >= 2),
        ("team pack CPU, whole pack with team radio scripts", f"{whole:.2f}x cheaper", ">= 2x", whole >= 2),
        ("team pack disk (output + cache)", f"{new['mb_per_team']:.2f} MB/team", f"<= {TARGET_MB} MB", new["mb_per_team"] <= TARGET_MB),
        ("team pack files identical across runs", "yes" if same else "no", "yes", same),
    ]


if __name__ == "__main__":
    main()
