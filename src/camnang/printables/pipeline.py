"""Building every printable of a library: check, render what the cache
lacks in worker processes, then (for the command line) copy into place.

``build()`` is the entry point of the MkDocs plugin and ``build_posters.py``.
It runs these steps, which team packs (issue 6) compose themselves, with a
``plan`` per team and one ``render`` for all:

1. ``check``: before any work, the print font covers Vietnamese and every
   template compiles (``ConfigError`` otherwise; ``select`` refuses unknown
   ``--only`` slugs the same way);
2. ``plan``: each output's content-hash key and place in the cache
   (``cache``); outputs already there are reused as they are;
3. ``render``: the others, in parallel worker processes when there are
   several (``camnang.workers``; each worker prepares fonts, stylesheets
   and QR codes once, see ``pdf``), each written atomically into the cache. Errors of every
   output are collected and raised together; nothing is copied then;
4. ``copy_out``: with ``out_dir``, copy each output there, atomically, only
   when its bytes differ from the file already there (a rebuild with
   nothing changed writes nothing); a full build also removes outputs of
   guides that no longer exist.

The plugin passes no ``out_dir``: it hands the cached files to MkDocs,
which copies them into ``site/in-an/``.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from ..config import Settings
from ..errors import CamnangError, ConfigError, Problem, display_path
from ..model import Guide, Library
from ..render.site import Download
from ..workers import Workers
from . import templates
from ..writer import read_bytes, remove, write_if_changed
from .cache import Cache
from .fonts import find_font
from .keys import output_key
from .kinds import Kind, PrintContext
from .registry import all_kinds, kind_named

log = logging.getLogger("mkdocs.plugins.camnang")

PRINTABLES_DIR = "in-an"
"""Folder of the printables in the site: ``site/in-an/``."""

POOL_MIN_TASKS = 3
"""Fewer renders than this are done in the calling process: starting
workers would cost more than it saves."""

NO_SITE_URL = (
    "chưa đặt site_url (biến môi trường CAMNANG_SITE_URL): tờ rơi và áp phích "
    "không có mã QR dẫn tới trang hướng dẫn. Đặt CAMNANG_SITE_URL=https://... rồi chạy lại."
)


@dataclass(frozen=True)
class Job:
    """One output to have in the cache: a kind and a guide."""

    kind: Kind
    guide: Guide
    path: Path
    """Where the output is in the cache (named by its content hash)."""

    @property
    def name(self) -> str:
        return self.kind.output_name(self.guide)


@dataclass(frozen=True)
class Output:
    """One printable of one guide, as it is in the cache."""

    kind: Kind
    slug: str
    name: str
    """File name in the printables folder, e.g. ``to-roi-vneid-kich-hoat.pdf``."""
    path: Path
    """The file in the cache."""
    size: int
    rendered: bool
    """Rendered by this build (False: reused from the cache)."""

    def download(self) -> Download:
        return Download(label=self.kind.label, filename=self.name, size=self.size)


@dataclass
class BuildResult:
    outputs: list[Output]
    seconds: float
    written: list[Path] = field(default_factory=list)
    """Files written into ``out_dir`` (none for the plugin)."""
    removed: list[Path] = field(default_factory=list)
    """Outputs of guides that no longer exist, removed from ``out_dir``."""
    out_dir: Path | None = None

    @property
    def rendered(self) -> int:
        return sum(o.rendered for o in self.outputs)

    @property
    def reused(self) -> int:
        return len(self.outputs) - self.rendered

    def for_guide(self, slug: str) -> list[Output]:
        return [o for o in self.outputs if o.slug == slug]

    def downloads(self, slug: str) -> tuple[Download, ...]:
        """The "In ấn" box of a guide's page."""
        return tuple(o.download() for o in self.for_guide(slug))

    def summary(self) -> str:
        """One line for the build log (Vietnamese)."""
        seconds = f"{self.seconds:.1f}".replace(".", ",")
        text = (
            f"in ấn: {len(self.outputs)} tệp, {self.rendered} tệp mới tạo, "
            f"{self.reused} tệp dùng lại từ bộ nhớ đệm"
        )
        if self.out_dir is not None:
            text += f"; ghi {len(self.written)} tệp vào {display_path(self.out_dir)}"
            if self.removed:
                text += f", xóa {len(self.removed)} tệp cũ"
        return f"{text} ({seconds} giây)"


Progress = Callable[[int, int], None]
"""Called with (renders done, renders to do) as renders finish."""


def build(
    library: Library,
    settings: Settings,
    *,
    only: Iterable[str] | None = None,
    kinds: Iterable[Kind] | None = None,
    jobs: int | None = None,
    out_dir: Path | None = None,
    progress: Progress | None = None,
    warn: Callable[[str], None] = log.warning,
) -> BuildResult:
    """Every printable of every guide (or of the ``only`` slugs).

    ``jobs``: worker processes (default ``settings.worker_count``).
    Raises ``CamnangError`` before writing anything into ``out_dir`` if a
    check or any render fails. Team packs (``teampacks``) lay each guide
    out once and stamp each team's strip on it.
    """
    started = time.perf_counter()
    kinds = tuple(kinds) if kinds is not None else all_kinds()
    guides = select(library, only)
    check(settings, kinds, warn)
    planned = plan(guides, settings, kinds, warn=warn)
    rendered = render(planned, settings, jobs or settings.worker_count, progress)
    result = BuildResult(outputs=outputs(planned, rendered), seconds=0.0, out_dir=out_dir)
    if out_dir is not None:
        result.written = copy_out(result.outputs, out_dir)
        if only is None:
            result.removed = _remove_stale(result.outputs, kinds, out_dir)
    result.seconds = time.perf_counter() - started
    return result


def select(library: Library, only: Iterable[str] | None) -> tuple[Guide, ...]:
    """The guides of ``library`` named in ``only`` (all without it)."""
    if only is None:
        return library.guides
    wanted = list(dict.fromkeys(only))
    known = {g.slug for g in library.guides}
    unknown = [s for s in wanted if s not in known]
    if unknown:
        raise ConfigError(
            [
                Problem(path="--only", message=f"không có hướng dẫn '{s}'", hint="có: " + ", ".join(sorted(known)))
                for s in unknown
            ]
        )
    return tuple(g for g in library.guides if g.slug in wanted)


def check(settings: Settings, kinds: tuple[Kind, ...], warn: Callable[[str], None] = log.warning) -> None:
    """Before any work: the print font covers Vietnamese, every template
    compiles (``ConfigError`` otherwise); a warning without a site_url."""
    find_font(settings.print_font, PrintContext(settings).where)
    templates.check(settings.posters_dir, tuple(dict.fromkeys(s for k in kinds for s in k.sources)))
    if not settings.site_url:
        warn(NO_SITE_URL)


def plan(
    guides: Iterable[Guide],
    settings: Settings,
    kinds: tuple[Kind, ...],
    warn: Callable[[str], None] = log.warning,
) -> list[Job]:
    """The jobs of ``guides`` x ``kinds``, with their place in the cache.
    A cache entry that fails its check (``Cache.usable``) is deleted with a
    warning, so ``render`` makes it again."""
    ctx = PrintContext(settings)
    cache = Cache(settings.cache_dir)
    jobs = []
    for kind in kinds:
        sources = templates.digest(settings.posters_dir, kind.sources)
        for guide in guides:
            path = cache.path(kind, kind.output_name(guide), output_key(kind, guide, ctx, sources))
            Cache.usable(path, warn)
            jobs.append(Job(kind, guide, path))
    return jobs


def outputs(jobs: list[Job], rendered: set[Path]) -> list[Output]:
    return [
        Output(job.kind, job.guide.slug, job.name, job.path, job.path.stat().st_size, job.path in rendered)
        for job in jobs
    ]


# -- rendering ----------------------------------------------------------------

MAX_RENDERS_PER_WORKER = 100
"""Renders a worker process makes, on average, before it is replaced by a
fresh one (the pool is replaced between batches: ``camnang.workers``):
WeasyPrint keeps a little memory per layout (see ``bench/teampacks.py``,
worker memory)."""


@dataclass
class RenderContext:
    """What every render of a build needs: sent to each worker once."""

    settings: Settings
    guides: dict[str, Guide]
    key: str = field(default_factory=lambda: uuid.uuid4().hex)

    def prepare(self) -> None:
        """Fonts and stylesheets once per worker process."""
        from .pdf import printer

        printer(self.settings.print_font, PrintContext(self.settings).where)


def _render_one(ctx: RenderContext, task: tuple[str, str, Path]) -> int:
    kind_name, slug, path = task
    data = kind_named(kind_name).render(ctx.guides[slug], PrintContext(ctx.settings))
    Cache(ctx.settings.cache_dir).put(path, data)
    return len(data)


def render(jobs: list[Job], settings: Settings, workers: int, progress: Progress | None = None) -> set[Path]:
    """Render the jobs the cache lacks, in up to ``workers`` processes;
    return their cache paths. Problems of every failed job are raised
    together, as one ``CamnangError``, after the others finished."""
    todo = [(job.kind.name, job.guide.slug, job.path) for job in jobs if not job.path.is_file()]
    todo = list({task[2]: task for task in todo}.values())
    if not todo:
        return set()
    needed = {task[1] for task in todo}
    context = RenderContext(settings, {job.guide.slug: job.guide for job in jobs if job.guide.slug in needed})
    problems: list[Problem] = []
    done = 0
    with Workers(
        context, jobs=workers, tasks=len(todo), min_pool_tasks=POOL_MIN_TASKS,
        max_tasks_per_child=MAX_RENDERS_PER_WORKER,
    ) as pool:
        for _, future in pool.imap_unordered(_render_one, todo):
            try:
                future.result()
            except CamnangError as e:
                problems.extend(p for p in e.problems if p not in problems)
            done += 1
            if progress:
                progress(done, len(todo))
    if problems:
        raise CamnangError(problems)
    return {task[2] for task in todo}


# -- the output folder -----------------------------------------------------------

def copy_out(outputs: list[Output], out_dir: Path) -> list[Path]:
    """Copy each output to ``out_dir``/its name, atomically, unless the file
    there already has the same bytes; return the files written."""
    written = []
    for output in outputs:
        target = out_dir / output.name
        if write_if_changed(target, read_bytes(output.path)):
            written.append(target)
    return written


def _remove_stale(outputs: list[Output], kinds: tuple[Kind, ...], out_dir: Path) -> list[Path]:
    """Files named like a kind's output whose guide is gone."""
    current = {o.name for o in outputs}
    removed = []
    for kind in kinds:
        prefix, _, suffix = kind.filename.partition("{slug}")
        pattern = re.compile(re.escape(prefix) + r"[a-z0-9]+(?:-[a-z0-9]+)*" + re.escape(suffix) + r"\Z")
        for path in sorted(out_dir.glob(f"{prefix}*{suffix}")):
            if pattern.match(path.name) and path.name not in current:
                remove(path)
                removed.append(path)
    return removed
