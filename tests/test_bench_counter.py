"""The benchmarks' CPU counter (``bench/descendants.py``, issue 27) counts
every process a command leaves behind: forkserver workers the command never
waited for (it leaves through ``os._exit``, as a team-pack run does) and a
detached process still working after the command exited. Each of those
processes reports its own CPU time; the counter must find all of it, where
``RUSAGE_CHILDREN`` (what ``/usr/bin/time`` reads) finds next to none."""

from __future__ import annotations

import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from descendants import measure  # noqa: E402

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_CHILD_SUBREAPER is Linux's")

BURN = 0.3
"""CPU seconds each worker and the detached process spend."""

COMMAND = textwrap.dedent(
    """
    import multiprocessing, os, subprocess, sys, time
    from concurrent.futures import ProcessPoolExecutor
    from pathlib import Path

    OUT = Path(sys.argv[1])
    BURN = float(sys.argv[2])

    def burn(seconds):
        end = time.process_time() + seconds
        while time.process_time() < end:
            pass

    def report(tag):
        (OUT / f"{tag}-{os.getpid()}").write_text(repr(time.process_time()))

    class Context:  # camnang.workers' pool initializer installs it in each worker
        key = "counter-test"

        def prepare(self):
            pass

    def task(_):
        burn(BURN)
        report("worker")
        return os.getpid()

    if __name__ == "__main__":
        if len(sys.argv) > 3:  # the detached process: still burning once the command has exited
            time.sleep(0.2)
            burn(BURN)
            report("detached")
            sys.exit(0)
        subprocess.Popen([sys.executable, __file__, *sys.argv[1:], "detached"], start_new_session=True)
        from camnang.workers import _worker_init  # workers that die with the command, as a build's do

        pool = ProcessPoolExecutor(
            2, mp_context=multiprocessing.get_context("forkserver"), initializer=_worker_init,
            initargs=(Context(), os.getpid()),
        )
        pids = set(pool.map(task, range(2)))
        assert len(pids) >= 1
        report("main")
        os._exit(0)  # as build_posters.py does: nobody waits for the workers
    """
)


def reported(folder: Path) -> dict[str, float]:
    return {p.name: float(p.read_text()) for p in folder.iterdir()}


def test_counter_finds_the_cpu_of_processes_nobody_waited_for(tmp_path):
    script = tmp_path / "command.py"
    script.write_text(COMMAND)
    out = tmp_path / "reports"
    out.mkdir()
    usage, done = measure([sys.executable, str(script), str(out), str(BURN)], timeout=120)
    assert done.returncode == 0 and usage.returncode == 0, done.stderr
    reports = reported(out)
    assert sum(name.startswith("worker-") for name in reports) == 2, reports
    assert any(name.startswith("detached-") for name in reports), "the wrapper returned before the detached process ended"
    truth = sum(reports.values())
    assert truth >= 3 * BURN
    # Everything reported, plus what no process reports (the fork server,
    # interpreter start-up before a fork): a fraction of a second.
    assert truth - 0.02 <= usage.cpu_seconds <= truth + 1.0, (usage.cpu_seconds, reports)
    assert usage.processes >= 4  # the command, the fork server, 2 workers, the detached one

    # What /usr/bin/time would have said: the command alone.
    out2 = tmp_path / "reports-2"
    out2.mkdir()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, str(script), str(out2), str(BURN)], check=True, timeout=120)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    naive = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    assert naive < truth - 2 * BURN, f"RUSAGE_CHILDREN saw {naive:.2f} s of {truth:.2f}"
    print(f"counted {usage.cpu_seconds:.2f} CPU-s, reported {truth:.2f}, RUSAGE_CHILDREN {naive:.2f}")
