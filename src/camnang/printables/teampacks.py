"""Team packs: every leaflet and poster, personalised for every team of a
roster, in one run (issue 6).

For each team ``DIR/<ma_to>/`` gets ``to-roi-<slug>.pdf`` and
``ap-phich-<slug>.pdf`` of every guide and ``tron-bo.pdf`` (all its
leaflets, one print job); ``DIR/index.csv`` lists the teams, files and
pages.

Render work is proportional to what differs. A team's copy of a guide
differs from any other team's only in the team's part of the footer strip
(``posters/team-block.html.j2`` and its Zalo QR code), which has a fixed
size in the page margin. So each worker process:

1. lays out each guide once per kind with a *blank* team (the team
   layout of the page: taller strip, three QR cells, the team's cells
   empty), through the kind's own ``render`` (same fitting, fonts, QR
   rules as every printable);
2. lays out, per team, only its strip: ``posters/team-strip.html.j2``, a
   page of the kind's size with the kind's stylesheets holding nothing
   but the team block and Zalo code, which therefore land exactly where
   the blank left room for them (one small layout per team per paper
   size, whatever the number of guides);
3. stamps that strip, as one PDF form XObject, onto every page of each
   guide's blank (``stamp``: qpdf, no layout), and links the file into
   the team's folder.

The blanks are kept in the cache too (``team-packs/_blank/``), so a later
run lays none of them out; ``tron-bo.pdf``'s blank is one document of all
the blank leaflets, its fonts embedded once.

The result is the same page as ``kind.render(guide, PrintContext(settings,
team))`` (tests compare them), at a fraction of the cost. Every output is
cached by content hash per team (``<cache_dir>/printables/team-packs/``),
so a rerun renders only what changed or failed before; files in ``DIR``
are written atomically, only when their bytes differ.

Teams are streamed to the worker pool a few at a time and each worker
writes its team's files itself: memory stays flat however long the roster.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from ..config import Settings
from ..errors import CamnangError, Problem, display_path
from ..model import Guide, Library
from ..roster import Team
from . import stamp, templates
from .cache import Cache, output_key, write_atomic
from .kinds import Kind, PrintContext
from .leaflet import LEAFLET
from .pdf import AUTHOR, printer
from .pipeline import _mp_context, check, select

DEFAULT_DIR = Path("goi-to")
"""Where packs go without ``--out``: ``goi-to/`` ("gói tổ"), next to mkdocs.yml."""
STRIP_TEMPLATE = "team-strip.html.j2"
STRIP_CSS = "team-strip.css"
ALL_IN_ONE = "tron-bo.pdf"
INDEX = "index.csv"
INDEX_COLUMNS = ("ma_to", "ten_to", "tep", "so_trang")
BLANK = Team(id="", name="", level="xa", commune="", province="")
"""The team of the shared layout: its block and QR cell are left empty."""
IN_FLIGHT = 4
"""Teams queued per worker: enough to keep it busy, few enough that
nothing piles up in memory."""


def pack_kinds() -> tuple[Kind, ...]:
    """The kinds a team pack holds: leaflets and posters."""
    from .poster import POSTER

    return (LEAFLET, POSTER)


# -- result -------------------------------------------------------------------

@dataclass(frozen=True)
class TeamResult:
    """What one team's pack came to."""

    team_id: str
    name: str
    files: tuple[tuple[str, int], ...] = ()
    """(file name in the team folder, pages)."""
    rendered: int = 0
    written: int = 0
    problems: tuple[Problem, ...] = ()


@dataclass
class PackResult:
    teams: list[TeamResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    out_dir: Path = DEFAULT_DIR
    seconds: float = 0.0
    skipped: int = 0
    """Teams not started because of ``fail_fast``."""

    @property
    def files(self) -> int:
        return sum(len(t.files) for t in self.teams)

    @property
    def rendered(self) -> int:
        return sum(t.rendered for t in self.teams)

    @property
    def written(self) -> int:
        return sum(t.written for t in self.teams)

    @property
    def failed(self) -> list[TeamResult]:
        return [t for t in self.teams if t.problems]

    def summary(self) -> str:
        seconds = f"{self.seconds:.1f}".replace(".", ",")
        ok = len(self.teams) - len(self.failed)
        text = (
            f"gói tổ: {ok} tổ, {self.files} tệp, {self.rendered} tệp mới tạo, "
            f"{self.files - self.rendered} tệp dùng lại từ bộ nhớ đệm; ghi {self.written} tệp vào "
            f"{display_path(self.out_dir)} ({seconds} giây)"
        )
        if self.failed:
            text += f"; {len(self.failed)} tổ bị lỗi"
        if self.skipped:
            text += f"; {self.skipped} tổ chưa làm (--fail-fast)"
        return text


Progress = Callable[[int, int, int], None]
"""Called with (teams done, teams in the run, files done) as teams finish."""


# -- the main process -----------------------------------------------------------

def build_packs(
    teams: Sequence[Team],
    library: Library,
    settings: Settings,
    out_dir: Path,
    *,
    only: Iterable[str] | None = None,
    jobs: int | None = None,
    fail_fast: bool = False,
    progress: Progress | None = None,
    warn: Callable[[str], None] = lambda message: None,
    roster: Path | None = None,
) -> PackResult:
    """Write the packs of ``teams`` into ``out_dir``.

    Checks (``--only`` slugs, print font, templates) raise ``CamnangError``
    before anything is written. ``roster``: the file, named in problems.
    A team whose pack fails does not stop the
    others (its problems are in the result) unless ``fail_fast``: then no
    new team is started after the first failure.
    """
    started = time.perf_counter()
    kinds = pack_kinds()
    guides = select(library, only)
    check(settings, kinds, warn)
    templates.check(settings.posters_dir, (STRIP_TEMPLATE, STRIP_CSS))
    result = PackResult(out_dir=out_dir)
    shown = display_path(roster) if roster is not None else "danh sách tổ"
    workers = max(1, min(jobs or settings.worker_count, len(teams), os.cpu_count() or 1))
    files_done = 0

    def finished(team_result: TeamResult) -> None:
        nonlocal files_done
        result.teams.append(team_result)
        result.problems.extend(team_result.problems)
        files_done += len(team_result.files)
        if progress:
            progress(len(result.teams), len(teams), files_done)

    if workers == 1:
        _init_worker(settings, guides, out_dir, shown)
        for i, team in enumerate(teams):
            finished(_pack(team))
            if fail_fast and result.problems:
                result.skipped = len(teams) - i - 1
                break
    else:
        queue = iter(teams)
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=_mp_context(),
            initializer=_init_worker,
            initargs=(settings, guides, out_dir, shown),
        ) as pool:
            pending = set()
            stop = False
            while True:
                while not stop and len(pending) < workers * IN_FLIGHT:
                    team = next(queue, None)
                    if team is None:
                        break
                    pending.add(pool.submit(_pack, team))
                if not pending:
                    break
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    finished(future.result())
                if fail_fast and result.problems and not stop:
                    stop = True
                    for future in pending:
                        future.cancel()
                    pending = {f for f in pending if not f.cancelled()}
            result.skipped = len(teams) - len(result.teams)

    order = {team.id: i for i, team in enumerate(teams)}
    result.teams.sort(key=lambda t: order[t.team_id])
    write_index(result.teams, out_dir)
    result.seconds = time.perf_counter() - started
    return result


def write_index(results: list[TeamResult], out_dir: Path) -> None:
    """``index.csv``: one line per file of every team built (UTF-8 with
    BOM, so Excel shows the Vietnamese names), written atomically."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(INDEX_COLUMNS)
    for team in results:
        if team.problems:
            continue
        for name, pages in team.files:
            writer.writerow((team.team_id, team.name, f"{team.team_id}/{name}", pages))
    write_atomic(out_dir / INDEX, ("\ufeff" + buffer.getvalue()).encode("utf-8"))


# -- worker processes -------------------------------------------------------------

_worker: dict = {}


def _init_worker(settings: Settings, guides: tuple[Guide, ...], out_dir: Path, roster: str = "danh sách tổ") -> None:
    """Worker start: settings, guides, fonts and stylesheets once; the
    blanks of each guide are laid out when first needed."""
    _worker.clear()
    _worker.update(settings=settings, guides=guides, out_dir=out_dir, roster=roster, pages={})
    _worker["blanks"] = stamp.BlankStore(Cache(settings.cache_dir).root / "team-packs" / "_blank")
    printer(settings.print_font, PrintContext(settings).where)
    _worker["sources"] = {
        kind.name: templates.digest(settings.posters_dir, (*kind.sources, STRIP_TEMPLATE, STRIP_CSS)) for kind in pack_kinds()
    }


def _blank_key(kind: Kind, guide: Guide) -> str:
    return output_key(kind, guide, PrintContext(_worker["settings"], BLANK), _worker["sources"][kind.name])


def _blank(kind: Kind, guide: Guide) -> bytes:
    """The guide's page(s) in the team layout with the team's cells empty
    (a PDF), laid out once (then cached)."""
    key = (kind.name, guide.slug)
    data = _worker["blanks"].get(
        f"{kind.name}-{guide.slug}",
        _blank_key(kind, guide),
        lambda: stamp.recompress(kind.render(guide, PrintContext(_worker["settings"], BLANK))),
    )
    if key not in _worker["pages"]:
        _worker["pages"][key] = len(stamp.open_pdf(data).pages)
    return data


def _blank_all(guides: Sequence[Guide]) -> bytes:
    """The blank leaflets of ``guides`` as one document (``tron-bo.pdf``
    before stamping): laid out again from the fitted variant, so that
    WeasyPrint embeds each font once for all the pages."""
    from . import fitting, leaflet
    from ..markup import IMAGE_DIR

    settings: Settings = _worker["settings"]

    def make() -> bytes:
        ctx = PrintContext(settings, BLANK)
        posters = settings.posters_dir
        sheets = [posters / name for name in leaflet.STYLESHEETS]
        pdf_printer = printer(settings.print_font, ctx.where)
        layouts = []
        for guide in guides:
            index = fitting.fitted(LEAFLET.name, guide, ctx, LEAFLET.sources)
            if index is None:  # blank taken from the cache: find the variant again
                LEAFLET.render(guide, ctx)
                index = fitting.fitted(LEAFLET.name, guide, ctx, LEAFLET.sources)
            html = leaflet.html(guide, ctx, leaflet.FITS[index])
            layouts.append(pdf_printer.layout(html, posters, sheets, image_dir=settings.guides_dir / IMAGE_DIR))
        expected = sum(_worker["pages"][(LEAFLET.name, g.slug)] for g in guides)
        if sum(layout.page_count for layout in layouts) != expected:
            raise RuntimeError("tron-bo.pdf: the blank leaflets laid out again have a different page count")
        return stamp.combine(layouts)

    for guide in guides:
        _blank(LEAFLET, guide)
    key = _digest(*(_blank_key(LEAFLET, g) for g in guides))
    return _worker["blanks"].get("tron-bo", key, make)


def _pages(kind: Kind, guide: Guide, cached: Path) -> int:
    """Pages of a guide's file of ``kind``: the same for every team."""
    key = (kind.name, guide.slug)
    if key not in _worker["pages"]:
        _worker["pages"][key] = stamp.page_count(cached)
    return _worker["pages"][key]


def strip_pdf(kind: Kind, team: Team, settings: Settings) -> bytes:
    """The team's own part of the footer strip of ``kind``, alone on a page."""
    module = __import__(f"camnang.printables.{kind.name}", fromlist=["QR_BOX_MM"])
    ctx = PrintContext(settings, team)
    error = "m" if kind is LEAFLET else "q"
    html = templates.render(
        settings.posters_dir,
        STRIP_TEMPLATE,
        kind=kind.name,
        team=team,
        team_qr=ctx.team_qr(module.QR_BOX_MM, error, module.QR_MIN_MM),
        author=AUTHOR,
    )
    posters = settings.posters_dir
    sheets = [posters / s for s in (*module.STYLESHEETS, STRIP_CSS)]
    layout = printer(settings.print_font, ctx.where).layout(html, posters, sheets)
    _check_fits(layout, team, kind)
    return layout.pdf()


def _check_fits(layout, team: Team, kind: Kind) -> None:
    """A team block too long for its box would be cut: refuse it, naming
    the row and the column to shorten."""
    from .fitting import _bottom

    stack = [page._page_box for page in layout.document.pages]
    while stack:
        box = stack.pop()
        element = getattr(box, "element", None)
        if element is not None and "team-block" in (element.get("class") or "").split():
            children = [c for c in getattr(box, "children", ()) if hasattr(c, "margin_height")]
            if children and max(_bottom(c) for c in children) > box.content_box_y() + box.height + 0.5:
                column = "dia_diem" if team.help_place else "ten_to"
                raise CamnangError(
                    Problem(
                        path=_worker.get("roster", "danh sách tổ"),
                        line=team.row or None,
                        field=column,
                        message=f"thông tin của tổ '{team.id}' quá dài, không vừa khung tổ trên {'tờ rơi' if kind is LEAFLET else 'áp phích'}",
                        hint="rút gọn tên tổ, tên tổ trưởng hoặc nơi hỗ trợ",
                    )
                )
            return
        stack.extend(getattr(box, "children", ()))


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8") + b"\0")
    return h.hexdigest()


def _pack(team: Team) -> TeamResult:
    """Every file of one team's pack: from the cache, or stamped; then
    linked into its folder (atomically, only when different)."""
    settings: Settings = _worker["settings"]
    guides: tuple[Guide, ...] = _worker["guides"]
    cache_root = Cache(settings.cache_dir).root / "team-packs" / team.id
    ctx = PrintContext(settings, team)
    strips: dict[str, object] = {}
    files: list[tuple[str, int, Path]] = []
    rendered = 0
    try:
        for kind in pack_kinds():
            for guide in guides:
                name = kind.output_name(guide)
                key = output_key(kind, guide, ctx, _worker["sources"][kind.name])
                path = cache_root / f"{Path(name).stem}.{key[:16]}.pdf"
                if not path.is_file():
                    if kind.name not in strips:
                        strips[kind.name] = strip_pdf(kind, team, settings)
                    Cache(settings.cache_dir).put(path, stamp.stamp(_blank(kind, guide), strips[kind.name]))
                    rendered += 1
                files.append((name, _pages(kind, guide, path), path))
        leaflets = [f for f in files if f[0].startswith("to-roi-")]
        key = _digest(*(p.name for _, _, p in leaflets))
        path = cache_root / f"tron-bo.{key[:16]}.pdf"
        if not path.is_file():
            if "leaflet" not in strips:
                strips["leaflet"] = strip_pdf(LEAFLET, team, settings)
            Cache(settings.cache_dir).put(path, stamp.stamp(_blank_all(guides), strips["leaflet"]))
            rendered += 1
        files.append((ALL_IN_ONE, sum(pages for _, pages, _ in leaflets), path))
    except CamnangError as e:
        return TeamResult(team.id, team.name, problems=tuple(e.problems))
    written = 0
    folder = _worker["out_dir"] / team.id
    for name, _, path in files:
        written += stamp.publish(path, folder / name)
    return TeamResult(team.id, team.name, tuple((n, p) for n, p, _ in files), rendered, written)
