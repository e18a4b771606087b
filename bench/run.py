"""Every benchmark, one after the other (``make bench``).

    .venv/bin/python bench/run.py                    # all of them, quick sizes
    .venv/bin/python bench/run.py printables site    # only some
    .venv/bin/python bench/run.py --full             # 1,000 guides, 10,000 teams
    .venv/bin/python bench/run.py site --guides 1000
    .venv/bin/python bench/run.py teampacks --teams 10000
    .venv/bin/python bench/run.py teampacks --compare --together   # pool vs Dask, 1,000 teams

    make bench                                       # quick
    make bench ARGS="--full"                         # the sizes of issue 15

A benchmark is a module in this folder with a ``main()`` that prints its
measurements and each ratio to its target; add its name to ``BENCHMARKS``.
Size options are passed to the benchmarks that take them (``--guides`` to
``site``, ``--teams`` to ``teampacks``); a ``main(argv)`` gets them as a
list of arguments. A ``main`` may return its headline figures as
``(figure, measured, target, met)`` tuples: they are repeated in one table
at the end, so the figures of issue 15 can be read in one place.
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import sys
import time
from pathlib import Path

BENCHMARKS = ["printables", "teampacks", "library", "site", "stamping"]
FULL_GUIDES = 1000
FULL_TEAMS = 10000

HERE = Path(__file__).resolve().parent


def options_for(name: str, args: argparse.Namespace) -> list[str]:
    guides = args.guides or (FULL_GUIDES if args.full else None)
    teams = args.teams or (FULL_TEAMS if args.full else None)
    if name == "site" and guides:
        return ["--guides", str(guides)]
    if name == "teampacks":
        return (
            (["--teams", str(teams)] if teams else []) + (["--memory"] if args.memory else [])
            + (["--compare"] if args.compare else []) + (["--together"] if args.together else [])
        )
    return []


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="camnang benchmarks (issue 15 figures, each with its target)")
    parser.add_argument("names", nargs="*", metavar="name", help=f"benchmarks to run (default: all of {', '.join(BENCHMARKS)})")
    parser.add_argument("--full", action="store_true", help=f"the sizes of issue 15: {FULL_GUIDES:,} guides, {FULL_TEAMS:,} teams")
    parser.add_argument("--guides", type=int, help="synthetic guides for the site and search benchmark")
    parser.add_argument("--teams", type=int, help="synthetic teams for the team-pack benchmark")
    parser.add_argument("--memory", action="store_true", help="team packs: only the two pool runs and worker memory")
    parser.add_argument(
        "--compare", action="store_true",
        help="team packs: only the local pool against a 2-worker Dask cluster (1,000 teams unless --teams)",
    )
    parser.add_argument("--together", action="store_true", help="with --compare: both at once, under the same load")
    args = parser.parse_args(argv)
    names = args.names or BENCHMARKS
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    sys.path.insert(0, str(HERE))
    summary: list[tuple[str, str, str, str, bool]] = []
    for name in names:
        started = time.perf_counter()
        # By file: a benchmark may share a standard module's name (site.py).
        spec = importlib.util.spec_from_file_location(f"bench_{name}", HERE / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if inspect.signature(module.main).parameters:
            figures = module.main(options_for(name, args))
        else:
            figures = module.main()
        summary += [(name, *figure) for figure in figures or ()]
        print(f"[{name}: {time.perf_counter() - started:.0f} s]\n", flush=True)
    if summary:
        print_summary(summary)
    return 0


def print_summary(rows: list[tuple[str, str, str, str, bool]]) -> None:
    headers = ("bench", "figure", "measured", "target", "")
    # met: True, False, or None for a figure printed for information (no target).
    table = [headers] + [(b, f, m, t, "info" if met is None else "ok" if met else "MISSED") for b, f, m, t, met in rows]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(headers))]
    print("Summary (each figure measured in this run):")
    for row in table:
        print("  " + "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())
    targeted = [met for *_, met in rows if met is not None]
    print(f"  {sum(targeted)} of {len(targeted)} figures meet their target")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
