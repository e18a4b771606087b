"""Every benchmark, one after the other (``make bench``).

    .venv/bin/python bench/run.py               # all of them
    .venv/bin/python bench/run.py printables    # only some

A benchmark is a module in this folder with a ``main()`` that prints its
measurements and ratios; add its name to ``BENCHMARKS``.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import time
from pathlib import Path

BENCHMARKS = ["printables", "teampacks", "library", "site", "stamping"]

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(HERE))
    names = argv or BENCHMARKS
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    for name in names:
        started = time.perf_counter()
        # By file: a benchmark may share a standard module's name (site.py).
        spec = importlib.util.spec_from_file_location(f"bench_{name}", HERE / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.main()
        print(f"[{name}: {time.perf_counter() - started:.0f} s]\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
