"""CPU and memory of a command and of every process below it, however they
end (issue 27, Deliver 4).

``/usr/bin/time`` and ``RUSAGE_CHILDREN`` count a process only once its
parent has waited for it. A team-pack run escapes both: the local pool's
workers are children of multiprocessing's fork server, which nobody waits
for once the build exits (``os._exit``), and a Dask worker is a child of its
nanny. So a command is measured here by a wrapper process that

- makes itself the *child subreaper* of everything below it (Linux
  ``PR_SET_CHILD_SUBREAPER``): a process whose parent dies is re-parented to
  the wrapper, not to init;
- waits (``wait4``) for the command and then for every process re-parented
  to it, until none is left (``ECHILD``): the kernel then adds each one's
  CPU, and that of every process it waited for itself, to the wrapper's
  ``RUSAGE_CHILDREN``;
- samples the RSS of every process below it twice a second (psutil), for
  the peak of each (the kernel's ``ru_maxrss`` of a waited process folds a
  worker into its fork server or nanny).

Run as a script it prints one JSON object on its last line of standard
error (the command's own output passes through)::

    .venv/bin/python bench/descendants.py -- .venv/bin/python build_posters.py --teams to.csv

``measure(command)`` does the same from Python. ``tests/test_bench_counter.py``
checks it against processes that report their own CPU.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field

PR_SET_CHILD_SUBREAPER = 36
MARK = "descendants: "
"""Prefix of the JSON line the wrapper writes on standard error."""


@dataclass
class Usage:
    returncode: int
    cpu_seconds: float
    """User + system CPU of the command and of every process below it."""
    wall_seconds: float
    processes: int
    """Processes waited for by the kernel's count (started below the command)."""
    peaks: dict[str, float] = field(default_factory=dict)
    """Peak RSS in MB of each sampled process, by ``pid role``: ``main``
    (the command), ``worker`` (a leaf process doing work), ``forkserver``,
    ``nanny``, ``scheduler``, ``other``."""

    cpu_by_role: dict[str, float] = field(default_factory=dict)
    """CPU seconds by role, as last sampled (a process's last half second
    may be missed: where the CPU goes, not the total)."""
    system_by_role: dict[str, float] = field(default_factory=dict)
    """Of ``cpu_by_role``, the kernel's share (system CPU seconds)."""
    faults_by_role: dict[str, int] = field(default_factory=dict)
    """Minor page faults by role, as last sampled (``/proc/PID/stat``): a
    process whose allocator hands memory back to the kernel and asks for it
    again faults it in again, page by page."""
    processes_by_role: dict[str, int] = field(default_factory=dict)
    """Processes sampled, by role (worker starts, restarts included)."""

    def peak(self, role: str) -> float:
        """The biggest peak RSS (MB) of the processes of ``role``."""
        return max((mb for key, mb in self.peaks.items() if key.split(" ", 1)[1] == role), default=0.0)


def _role(process, main_pid: int) -> str:
    """What a process below the command is, from its command line and
    whether it has children (heuristic, for the memory figures only)."""
    import psutil

    if process.pid == main_pid:
        return "main"
    try:
        line = " ".join(process.cmdline())
        has_children = bool(process.children())
    except psutil.Error:
        return "other"
    if "resource_tracker" in line:
        return "other"
    try:
        parent = " ".join(process.parent().cmdline())
    except (psutil.Error, AttributeError):
        parent = ""
    if "forkserver" in parent or ("dask" in parent and "worker" in parent):
        return "worker"  # forked by the fork server, spawned by a nanny (it may have helpers of its own)
    if "forkserver" in line and has_children:
        return "forkserver"
    if "scheduler" in line.split("--")[0]:
        return "scheduler"
    if "dask" in line and "worker" in line and has_children:
        return "nanny"
    if not has_children:
        return "worker"
    return "other"


def _minor_faults(pid: int) -> int:
    """Minor page faults of a process so far (field 10 of /proc/PID/stat)."""
    with open(f"/proc/{pid}/stat", "rb") as f:
        return int(f.read().rsplit(b")", 1)[1].split()[7])


def _sample(main_pid: int, peaks: dict[str, float], cpu: dict[int, tuple[str, float, float, int]], stop: threading.Event, every: float) -> None:
    import psutil

    me = psutil.Process()
    roles: dict[int, str] = {}
    while not stop.is_set():
        for process in me.children(recursive=True):
            try:
                rss = process.memory_info().rss / 2**20
                times = process.cpu_times()
                faults = _minor_faults(process.pid)
                # A role once seen is kept: a worker that has not forked yet
                # and a fork server look alike for a moment.
                role = roles.get(process.pid)
                if role in (None, "worker", "other"):
                    seen = _role(process, main_pid)
                    # A worker whose nanny or fork server exited first is
                    # re-parented to this wrapper: still a worker.
                    if not (role == "worker" and seen == "other"):
                        role = roles[process.pid] = seen
            except (psutil.Error, OSError):
                continue
            cpu[process.pid] = (role, times.user + times.system, times.system, faults)
            key = f"{process.pid} {role}"
            for old in [k for k in peaks if k.startswith(f"{process.pid} ") and k != key]:
                peaks[key] = max(peaks.pop(old), peaks.get(key, 0.0))
            peaks[key] = max(peaks.get(key, 0.0), rss)
        stop.wait(every)


def wrap(command: list[str], every: float = 0.5) -> Usage:
    """Run ``command`` as a child of this process, made subreaper, and wait
    for every process below it (call in a process of its own: this one
    becomes the reaper of everything its children leave behind)."""
    if not sys.platform.startswith("linux"):
        raise SystemExit("descendants.py needs Linux (PR_SET_CHILD_SUBREAPER)")
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    main = subprocess.Popen(command)
    peaks: dict[str, float] = {}
    sampled: dict[int, tuple[str, float, float, int]] = {}
    stop = threading.Event()
    sampler = threading.Thread(target=_sample, args=(main.pid, peaks, sampled, stop, every), daemon=True)
    sampler.start()
    returncode = None
    waited = 0
    while True:
        try:
            pid, status, _ = os.wait4(-1, 0)
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        waited += 1
        if pid == main.pid:
            returncode = os.waitstatus_to_exitcode(status)
            main.returncode = returncode  # Popen must not wait for it again
    wall = time.perf_counter() - started
    stop.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    by_role: dict[str, float] = {}
    system: dict[str, float] = {}
    faults: dict[str, int] = {}
    count: dict[str, int] = {}
    for role, seconds, kernel, minflt in sampled.values():
        by_role[role] = by_role.get(role, 0.0) + seconds
        system[role] = system.get(role, 0.0) + kernel
        faults[role] = faults.get(role, 0) + minflt
        count[role] = count.get(role, 0) + 1
    return Usage(returncode if returncode is not None else -1, cpu, wall, waited, peaks, by_role, system, faults, count)


def measure(command: list[str], **popen) -> tuple[Usage, subprocess.CompletedProcess]:
    """Run ``command`` under the wrapper (a process of its own); its usage
    and the completed process (standard output captured as text)."""
    done = subprocess.run(
        [sys.executable, __file__, "--", *command], capture_output=True, text=True, **popen
    )
    lines = [line for line in done.stderr.splitlines() if line.startswith(MARK)]
    if not lines:
        raise RuntimeError(f"the wrapper reported nothing: {done.stderr[-2000:]}")
    usage = Usage(**json.loads(lines[-1][len(MARK):]))
    done.stderr = "\n".join(line for line in done.stderr.splitlines() if not line.startswith(MARK))
    return usage, done


def main(argv: list[str]) -> int:
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        print("usage: descendants.py -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    usage = wrap(argv[argv.index("--") + 1 :])
    print(MARK + json.dumps(asdict(usage)), file=sys.stderr, flush=True)
    return 0 if usage.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
