"""CPU of a command and of every process below it, however they end.

``resource.getrusage(RUSAGE_CHILDREN)`` (and ``/usr/bin/time``) count a
process only once its parent has waited for it, and a descendant's CPU
only reaches us through a chain of such waits. A team-pack run breaks the
chain: its pool workers are children of multiprocessing's forkserver, and
the command ends with ``os._exit``, so the forkserver (and the workers'
CPU it collected) is never waited for: ``time`` reported 0.97 CPU-s for a
run whose processes used 40.1 (issue 27).

``counted`` makes this process a *child subreaper* (Linux
``PR_SET_CHILD_SUBREAPER``): every orphan below it is re-parented to it
instead of to init, and it waits for every process below it before
reading ``RUSAGE_CHILDREN``. Nothing is sampled, so nothing is missed:
a process's last instants, or one that lived between two samples.

    .venv/bin/python bench/cpu.py COMMAND ARGS...   # prints the CPU seconds of all of it
"""

from __future__ import annotations

import ctypes
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass

PR_SET_CHILD_SUBREAPER = 36


def _subreaper() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


@dataclass
class Counted:
    returncode: int
    stdout: str
    stderr: str
    cpu: float
    """User + system CPU seconds of the command and of every process below it."""
    seconds: float
    max_rss_mb: float
    """The largest peak RSS of any one of those processes."""


def _children() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def counted(args: list[str], **kwargs) -> Counted:
    """Run ``args`` (``subprocess.Popen`` keywords), wait for it and for
    every process it left behind, and return its output and their CPU.
    Must not run while this process has other children it waits for."""
    _subreaper()
    before, _ = _children()
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
    stdout, stderr = process.communicate()
    while True:  # the orphans re-parented to us: the forkserver, its workers
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
    seconds = time.perf_counter() - started
    after, rss = _children()
    return Counted(process.returncode, stdout, stderr, after - before, seconds, rss)


def main(argv: list[str]) -> int:
    result = counted(argv)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    print(f"cpu {result.cpu:.2f} s, wall {result.seconds:.2f} s, largest peak RSS {result.max_rss_mb:.0f} MB", file=sys.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
