#!/usr/bin/env python3
"""Where a test run's time went, per file and pytest-xdist worker, from the
log that ``CAMNANG_TEST_TIMELINE=FILE make test`` writes (tests/conftest.py):
worker, first start and last stop (seconds from the run's first test) and
the time its tests took, in order of start.

    CAMNANG_TEST_TIMELINE=/tmp/t.tsv make test && scripts/test-timeline.py /tmp/t.tsv
"""

import sys


def main(path: str) -> None:
    rows = [line.rstrip("\n").split("\t") for line in open(path, encoding="utf-8") if line.strip()]
    origin = min(float(r[2]) for r in rows)
    files: dict[tuple[str, str], list[float]] = {}
    for worker, _phase, start, stop, nodeid in rows:
        span = files.setdefault((worker, nodeid.split("::")[0]), [float(start), float(stop), 0.0])
        span[0], span[1] = min(span[0], float(start)), max(span[1], float(stop))
        span[2] += float(stop) - float(start)
    for (worker, name), (start, stop, spent) in sorted(files.items(), key=lambda item: item[1][0]):
        print(f"{worker:6} {start - origin:7.1f} {stop - origin:7.1f} {spent:7.1f}  {name}")


if __name__ == "__main__":
    main(sys.argv[1])
