"""The benchmarks' CPU counter (``bench/cpu.py``, issue 27): it counts
every process below the command, including pool workers forked by
multiprocessing's forkserver of a command that leaves through
``os._exit``, which ``RUSAGE_CHILDREN`` and ``/usr/bin/time`` miss."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT

BURN = """
import multiprocessing as mp, os, sys, time
def burn(seconds):
    begun = time.process_time()
    while time.process_time() - begun < seconds:
        pass
    return seconds
if __name__ == "__main__":
    pool = mp.get_context("forkserver").Pool(2)
    print(sum(pool.map(burn, [0.25, 0.25])), flush=True)
    os._exit(0)  # as the team-pack command does: the forkserver is never waited for
"""


def test_counter_counts_forkserver_workers_of_a_command_that_exits_with_os_exit(tmp_path):
    script = tmp_path / "burn.py"
    script.write_text(BURN)
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "cpu.py"), sys.executable, str(script)],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0.5"
    cpu = float(re.search(r"cpu ([0-9.]+) s", result.stderr).group(1))
    # Both workers' burn, and the processes' own start (``time`` shows
    # about 0.07 s of this command: the forkserver is never waited for).
    assert cpu >= 0.5, result.stderr
