"""One worker pool for every bulk job: the printables of the site and the
team packs, on this machine or on a Dask cluster.

The work is written once, as a module-level function ``fn(context, item)``
returning a small result:

- ``context`` is what every task of a run needs (settings, the parsed
  guides, the output folder): sent to each worker once, never per task.
  Its ``prepare()`` runs once per worker process before the first task
  (fonts, stylesheets); its ``key`` names the run;
- ``item`` is one unit of work (one file to render, one team).

``Workers`` runs it on a standard ``concurrent.futures`` executor, chosen
by the caller, with one loop for all of them (``imap_unordered``):

- ``InlineExecutor``: in this process (one job, or too little work to be
  worth starting processes);
- ``ProcessPoolExecutor``: local worker processes, recycled after about
  ``max_tasks_per_child`` tasks each, so memory stays bounded however long
  the run (WeasyPrint keeps a little memory per layout). camnang replaces
  the whole pool between batches of ``jobs * max_tasks_per_child`` tasks
  rather than passing ``max_tasks_per_child`` to the executor: on Python
  3.11 and 3.12 that option deadlocks once a worker exits with tasks still
  queued (CPython gh-115634, fixed upstream in 2026), which is always
  the case here (``IN_FLIGHT`` tasks are queued per worker);
- Dask (``scheduler="local"``: a ``LocalCluster`` here; or the address of
  an existing scheduler, ``tcp://host:8786``): ``Client.get_executor()``
  with ``retries``; the context is scattered to every worker once
  (``broadcast``), and a worker lost in the middle of a run has its tasks
  run again elsewhere by Dask.

Tasks must be idempotent (write atomically, to a content-addressed place),
since Dask may run a task twice when a worker dies.

Local worker processes die with the build (``_worker_init``): on Linux the
kernel kills a worker when its parent dies (``PR_SET_PDEATHSIG``; with
forkserver that parent is the fork server, which itself exits when the
build does), and a watch thread in every worker ends it as soon as the
build process is gone (a ``pidfd`` on Linux, else a poll), whatever the
start method. Until it is killed, an orphaned worker writes nothing:
``camnang.writer`` asks ``_check_parent`` before every rename into place,
so no cache entry or output appears after the build lock is released
(the kernel releases it when the build dies).
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import select
import signal
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Protocol

log = logging.getLogger("camnang.workers")

IN_FLIGHT = 4
"""Tasks queued per worker thread: enough to keep it busy, few enough that
nothing piles up in memory (the items are streamed)."""
RESTART_TIMEOUT = 120
"""Dask: seconds the nannies have to restart the workers between batches."""
RETRIES = 3
"""Dask: times a task that raised an unexpected error (not a problem in the
data) is tried again. Tasks of a worker that died are re-run by Dask
itself, up to its ``distributed.scheduler.allowed-failures``."""


class Context(Protocol):
    key: str

    def prepare(self) -> None: ...


# -- the worker side ------------------------------------------------------------

_contexts: dict[str, Any] = {}
_lock = threading.RLock()


@dataclass(frozen=True)
class _Ref:
    """Names a context installed in the worker processes by the pool's
    initializer (local executors)."""

    key: str


def _install(context: Context) -> Context:
    with _lock:
        if context.key not in _contexts:
            context.prepare()
            # A long-lived (Dask) worker keeps only the latest runs' contexts.
            while len(_contexts) >= 2:
                _contexts.pop(next(iter(_contexts)))
            _contexts[context.key] = context
        return _contexts[context.key]


PARENT_POLL = 0.25
"""Seconds between checks of the build process where no pidfd exists."""
PR_SET_PDEATHSIG = 1
"""prctl(2) option: the signal the kernel sends when the parent dies."""

_build_pid: int | None = None
"""In a local worker process: the build process it works for."""
_build_fd: int | None = None
"""A pidfd of the build process (Linux 5.3+): readable once it exited."""


def _build_alive() -> bool:
    """Whether the build process this worker works for still runs (True
    outside a worker)."""
    if _build_pid is None:
        return True
    if _build_fd is not None:
        readable, _, _ = select.select([_build_fd], [], [], 0)
        return not readable
    try:
        os.kill(_build_pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return os.getppid() != 1


def _check_parent() -> bool:
    """Asked by ``camnang.writer`` before a file is put into place: False
    (the writer then exits) in an orphaned worker."""
    return _build_alive()


def _watch_build() -> None:
    """Watch thread of a worker: exit the process when the build is gone."""
    while True:
        if _build_fd is not None:
            try:
                select.select([_build_fd], [], [])
            except InterruptedError:
                continue
        else:
            time.sleep(PARENT_POLL)
        if not _build_alive():
            os._exit(1)


def _die_with_parent() -> None:
    """Ask the kernel to kill this process when its parent dies (Linux)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        pass  # the watch thread still ends the worker


def _worker_init(context: Context, build_pid: int) -> None:
    """Initializer of local worker processes: die with the build (see the
    module), then install the run's context."""
    global _build_pid, _build_fd
    _die_with_parent()
    _build_pid = build_pid
    try:
        _build_fd = os.pidfd_open(build_pid)
    except (AttributeError, OSError):
        _build_fd = None
    if not _build_alive():  # the build died before we got here
        os._exit(1)
    threading.Thread(target=_watch_build, name="camnang-watch-build", daemon=True).start()
    from . import writer

    writer.before_write = _check_parent
    _install(context)


def _call(fn: Callable[[Any, Any], Any], context: Any, item: Any) -> Any:
    """Runs in a worker: ``fn(context, item)``. ``context`` is a ``_Ref``
    (local pools) or, with Dask, the scattered context itself. One task at
    a time per process: the per-process state (parsed PDFs, fonts) is not
    shared between threads, and the work holds the GIL anyway."""
    with _lock:
        if isinstance(context, _Ref):
            return fn(_contexts[context.key], item)
        ctx = _install(context)
        try:
            return fn(ctx, item)
        finally:
            _dask_task_done()


_dask_tasks = 0
"""Tasks this Dask worker process has run (``_dask_task_done``)."""


def _dask_task_done() -> None:
    """In a Dask worker, after its first task: ``_tune_dask_worker``."""
    global _dask_tasks
    try:
        from distributed import get_worker

        worker = get_worker()
    except (ImportError, ValueError):
        return
    _dask_tasks += 1
    if _dask_tasks == 1:
        _tune_dask_worker(worker)


def _tune_dask_worker(worker) -> None:
    """What a Dask worker does beyond a local pool worker, and camnang's
    tasks do not need (issue 27; measured in ``bench/teampacks.py``):

    - Dask's statistical profiler samples the task thread's stack every
      10 ms (``distributed.worker.profile``): 5 to 20% of a worker's CPU on
      WeasyPrint's deep stacks. Stopped;
    - the event loop wakes 50 times a second to check its own health
      (``distributed.admin.tick``), 10 times for the memory monitor, twice
      for the system monitor, each time taking the GIL from the task
      thread: 6% of the worker's CPU. Slowed down (``QUIET_INTERVALS``);
      heartbeats are left alone;
    - the nanny starts the worker with ``MALLOC_TRIM_THRESHOLD_=65536``
      (``distributed.nanny.pre-spawn-environ``), which also turns off
      glibc's dynamic mmap threshold: every block over 128 KB is mapped
      and unmapped again, twice the page faults of a pool worker. glibc's
      thresholds are set back to its own dynamic ceiling (``_restore_malloc``).

    Done in the worker's process, so it holds however the workers were
    started (``dask worker``, ``dask ssh``, Helm, ``LocalCluster``)."""
    _restore_malloc()
    worker.loop.add_callback(_quiet_worker, worker)


QUIET_INTERVALS = {"tick": 1000, "memory_monitor": 1000, "monitor": 5000}
"""Periodic callbacks of a Dask worker or nanny slowed down (milliseconds;
Dask's defaults: 20, 100 and 500): event-loop health checks, memory and
system monitors. A worker's memory limit is then checked once a second."""


def _quiet_worker(worker) -> None:
    """On the worker's event loop: stop Dask's statistical profiler, slow
    down the checks and monitors."""
    for name in ("profile", "profile-cycle"):
        callback = worker.periodic_callbacks.pop(name, None)
        if callback is not None:
            callback.stop()
    _quiet_server(worker)


def _quiet_server(dask_worker) -> None:
    """Slow down the event-loop health checks and monitors of a Dask
    worker, or of a nanny (``Client.run(..., nanny=True)`` runs it on the
    nanny's event loop)."""
    for name, ms in QUIET_INTERVALS.items():
        callback = dask_worker.periodic_callbacks.get(name)
        if callback is not None:
            callback.callback_time = max(callback.callback_time, ms)


M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
"""mallopt(3) parameters (glibc's malloc.h)."""
MMAP_THRESHOLD = 32 * 2**20
"""glibc's ceiling for its dynamic mmap threshold on 64-bit systems (the
trim threshold follows at twice that), which a long-running pool worker
reaches after its first big free."""


def _restore_malloc() -> None:
    """Undo the nanny's ``MALLOC_TRIM_THRESHOLD_`` in this process (glibc)."""
    if "MALLOC_TRIM_THRESHOLD_" not in os.environ or not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        libc.mallopt(M_TRIM_THRESHOLD, 2 * MMAP_THRESHOLD)
    except (OSError, AttributeError):
        pass


# -- executors -----------------------------------------------------------------

class InlineExecutor(Executor):
    """Runs each task at once, in this process: the same code path as the
    pools, for one job or small amounts of work."""

    def submit(self, fn, /, *args, **kwargs):
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as e:  # noqa: BLE001 (handed to the caller)
            future.set_exception(e)
        return future


def mp_context(recycle: bool = False):
    """fork when it is safe (no other threads: ``mkdocs build``, the
    command line) and processes are not recycled; otherwise forkserver
    (``mkdocs serve`` runs a server thread; a pool recycled later in a run
    would fork a parent that has grown since: its workers would start with
    the parent's memory), with camnang and WeasyPrint imported once in the
    server, so every new worker starts warm and small. spawn where neither
    exists."""
    methods = multiprocessing.get_all_start_methods()
    if not recycle and "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["camnang.printables.pdf", "camnang.printables.teampacks", "weasyprint", "pikepdf"])
        return ctx
    return multiprocessing.get_context("spawn")


class Workers:
    """Where a run's tasks execute; use as a context manager.

    ``jobs``: local worker processes (1: in this process). ``scheduler``:
    ``None`` (local pool), ``"local"`` (a Dask LocalCluster of ``jobs``
    single-threaded workers) or a Dask scheduler address. ``tasks``: how
    many tasks the run has, when known (small runs stay in process).
    """

    def __init__(
        self,
        context: Context,
        *,
        jobs: int = 1,
        scheduler: str | None = None,
        max_tasks_per_child: int | None = None,
        tasks: int | None = None,
        min_pool_tasks: int = 1,
    ):
        self.context = context
        # Nothing to do (a rerun with nothing changed): no cluster to start.
        self.scheduler = scheduler if tasks != 0 else None
        self.jobs = max(1, min(jobs, os.cpu_count() or 1) if self.scheduler is None else jobs)
        if tasks is not None and self.scheduler is None:
            self.jobs = max(1, min(self.jobs, tasks))
            if tasks < min_pool_tasks:
                self.jobs = 1
        self.max_tasks_per_child = max_tasks_per_child
        self.executor: Executor | None = None
        self._submitted = 0
        """Tasks given to the current executor."""
        self.pools_started = 1
        """Local pools this run has used (1 + replacements)."""
        self._ref: Any = None
        self._client = None
        self._cluster = None
        self._nannies = False
        self._threads_checked = 0.0
        self._threads = self.jobs

    # -- lifecycle --

    def __enter__(self) -> "Workers":
        if self.scheduler is not None:
            self._start_dask()
        elif self.jobs == 1:
            _install(self.context)
            self.executor, self._ref = InlineExecutor(), _Ref(self.context.key)
        else:
            self._start_pool()
            self._ref = _Ref(self.context.key)
        return self

    def _start_pool(self) -> None:
        """A fresh pool of local worker processes; with recycling, it takes
        ``jobs * max_tasks_per_child`` tasks, then ``_restart`` replaces it."""
        self.executor = ProcessPoolExecutor(
            max_workers=self.jobs,
            mp_context=mp_context(recycle=self.max_tasks_per_child is not None),
            initializer=_worker_init,
            initargs=(self.context, os.getpid()),
        )
        self._submitted = 0

    def _restart(self) -> None:
        """Replace the pool by a fresh one (called with no task pending):
        its processes exit, and the memory they grew with them. With Dask,
        the workers are restarted by their nannies and the context is
        scattered to them again."""
        if self._client is not None:
            workers = list(self._client.scheduler_info()["workers"])
            # A busy machine takes a while to start a Python process that
            # imports distributed, camnang and WeasyPrint: Dask's 30 s is short.
            self._client.restart_workers(workers, timeout=RESTART_TIMEOUT, raise_for_error=False)
            self._ref = self._client.scatter(self.context, broadcast=True, hash=False)
            log.debug("Dask workers restarted after %d tasks", self._submitted)
            self._submitted = 0
            self.pools_started += 1
            return
        assert isinstance(self.executor, ProcessPoolExecutor)
        self.executor.shutdown(wait=True)
        self.pools_started += 1
        log.debug("worker pool replaced after %d tasks", self._submitted)
        self._start_pool()

    @property
    def _recycle_due(self) -> bool:
        """Whether the local pool, or a Dask cluster whose workers all have
        a nanny, has had its batch (``max_tasks_per_child`` tasks per
        worker thread; never in process)."""
        if self.max_tasks_per_child is None:
            return False
        if isinstance(self.executor, ProcessPoolExecutor):
            return self._submitted >= self.jobs * self.max_tasks_per_child
        if self._client is not None and self._nannies:
            return self._submitted >= self.threads * self.max_tasks_per_child
        return False

    def _start_dask(self) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as e:  # the optional extra (pyproject: dask)
            from .errors import ConfigError, Problem

            raise ConfigError(
                Problem(path="--scheduler", message="chạy trên cụm Dask cần gói dask[distributed]",
                        hint="cài bằng: .venv/bin/pip install -e '.[dask]' (make setup đã cài sẵn)")
            ) from e

        if self.scheduler == "local":
            self._cluster = LocalCluster(
                n_workers=self.jobs, threads_per_worker=1, processes=True, dashboard_address=None
            )
            self._client = Client(self._cluster)
        else:
            try:
                # Dask's own connect timeout (distributed.comm.timeouts.connect,
                # 30 s by default; DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT).
                self._client = Client(self.scheduler)
            except (OSError, ValueError, TypeError) as e:
                from .errors import CamnangError, Problem

                raise CamnangError(
                    Problem(
                        path="--scheduler",
                        message=f"không kết nối được bộ lập lịch Dask {self.scheduler}: {e}",
                        hint="kiểm tra địa chỉ (tcp://MÁY:8786) và rằng lệnh 'dask scheduler' đang chạy",
                    )
                ) from e
        self._ref = self._client.scatter(self.context, broadcast=True, hash=False)
        self.executor = self._client.get_executor(retries=RETRIES, pure=False)
        # Workers with a nanny are restarted between batches, as the local
        # pool is replaced (WeasyPrint keeps a little memory per layout);
        # without one (dask worker --no-nanny) a restart would lose them.
        workers = self._client.scheduler_info()["workers"].values()
        self._nannies = bool(workers) and all(w.get("nanny") for w in workers)
        if self._nannies:  # each nanny also checks its loop 50 times a second
            self._client.run(_quiet_server, nanny=True, on_error="ignore")

    def __exit__(self, *exc) -> None:
        if isinstance(self.executor, ProcessPoolExecutor):
            # On an error, queued tasks are dropped; running ones finish.
            self.executor.shutdown(wait=True, cancel_futures=exc[0] is not None)
        elif self.executor is not None:
            self.executor.shutdown(wait=exc[0] is None)
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    # -- work --

    @property
    def threads(self) -> int:
        """Tasks that can run at once (with Dask: the cluster's threads
        now, as workers come and go)."""
        if self._client is not None and time.monotonic() - self._threads_checked > 2.0:
            self._threads = max(1, sum(self._client.nthreads().values()))
            self._threads_checked = time.monotonic()
        return self._threads

    def submit(self, fn: Callable[[Any, Any], Any], item: Any) -> Future:
        assert self.executor is not None, "use Workers as a context manager"
        self._submitted += 1
        return self.executor.submit(_call, fn, self._ref, item)

    def imap_unordered(
        self, fn: Callable[[Any, Any], Any], items: Iterable[Any], *, stop: Callable[[], bool] = lambda: False
    ) -> Iterator[tuple[Any, Future]]:
        """``(item, finished future)`` for each item, as tasks finish. Items
        are streamed: at most ``IN_FLIGHT`` per worker thread are queued.
        Once ``stop()`` is true, no new item is started and the queued ones
        are cancelled (those already running finish and are yielded).
        A local pool due for recycling takes no new item: once its tasks
        are done, a fresh pool takes the next ones."""
        queue = iter(items)
        pending: dict[Future, Any] = {}
        stopped = exhausted = False
        while True:
            # In process, a task runs when submitted: one at a time.
            limit = 1 if isinstance(self.executor, InlineExecutor) else self.threads * IN_FLIGHT
            while not stopped and not exhausted and len(pending) < limit and not self._recycle_due:
                item = next(queue, _END)
                if item is _END:
                    exhausted = True
                    break
                pending[self.submit(fn, item)] = item
            if not pending:
                if stopped or exhausted:
                    return
                self._restart()
                continue
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield pending.pop(future), future
            if not stopped and stop():
                stopped = True
                for future in list(pending):
                    if future.cancel():
                        del pending[future]


_END = object()
