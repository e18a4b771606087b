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
   guide's blank (pypdf, no layout), and writes the file.

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
from . import templates
from .cache import Cache, output_key, write_atomic, write_if_changed
from .kinds import Kind, PrintContext
from .leaflet import LEAFLET
from .pdf import AUTHOR, printer
from .pipeline import _mp_context, check, select
from .teamstrip import strip_for, unreachable

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
    unreachable(teams, roster, warn)
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
    _worker.update(settings=settings, guides=guides, out_dir=out_dir, roster=roster, blanks={}, pages={})
    printer(settings.print_font, PrintContext(settings).where)
    _worker["sources"] = {
        kind.name: templates.digest(settings.posters_dir, (*kind.sources, STRIP_TEMPLATE, STRIP_CSS)) for kind in pack_kinds()
    }


def _blank(kind: Kind, guide: Guide):
    """The guide's page(s) in the team layout with the team's cells empty,
    laid out once per worker (as a parsed PDF)."""
    import pypdf

    key = (kind.name, guide.slug)
    blanks = _worker["blanks"]
    if key not in blanks:
        data = kind.render(guide, PrintContext(_worker["settings"], BLANK))
        blanks[key] = pypdf.PdfReader(io.BytesIO(data))
        _worker["pages"][key] = len(blanks[key].pages)
    return blanks[key]


def _pages(kind: Kind, guide: Guide, cached: Path) -> int:
    """Pages of a guide's file of ``kind``: the same for every team."""
    key = (kind.name, guide.slug)
    if key not in _worker["pages"]:
        import pypdf

        _worker["pages"][key] = len(pypdf.PdfReader(cached).pages)
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
        strip=strip_for(team, kind.name, settings.print_font),
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


def _form(writer, strip_page):
    """The strip page as a form XObject of ``writer`` (one per document,
    drawn on every page)."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, FloatObject, NameObject

    form = DecodedStreamObject()
    form.set_data(strip_page.get_contents().get_data())
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = ArrayObject([FloatObject(v) for v in strip_page.mediabox])
    resources = strip_page.get("/Resources")
    if resources is not None:
        form[NameObject("/Resources")] = resources.get_object().clone(writer)
    return writer._add_object(form)


def _stamp(writer, page, form_ref) -> None:
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else DictionaryObject()
    page[NameObject("/Resources")] = resources
    xobjects = resources.get("/XObject")
    xobjects = xobjects.get_object() if xobjects is not None else DictionaryObject()
    resources[NameObject("/XObject")] = xobjects
    xobjects[NameObject("/CamnangTeam")] = form_ref
    draw = DecodedStreamObject()
    draw.set_data(b"q /CamnangTeam Do Q\n")
    before = DecodedStreamObject()
    before.set_data(b"q\n")
    after = DecodedStreamObject()
    after.set_data(b"\nQ\n")
    contents = page.get("/Contents")
    contents = contents.get_object() if contents is not None else ArrayObject()
    parts = list(contents) if isinstance(contents, ArrayObject) else [page.raw_get("/Contents")]
    page[NameObject("/Contents")] = ArrayObject(
        [writer._add_object(before), *parts, writer._add_object(after), writer._add_object(draw)]
    )


def stamped(blanks: list, strip_page) -> bytes:
    """The pages of ``blanks`` (parsed PDFs) in one document, the strip
    drawn on each; metadata and language of the first."""
    import pypdf

    writer = pypdf.PdfWriter(clone_from=blanks[0])
    for other in blanks[1:]:
        writer.append(other)
    form = _form(writer, strip_page)
    for page in writer.pages:
        _stamp(writer, page, form)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8") + b"\0")
    return h.hexdigest()


def radio_kinds() -> tuple[Kind, ...]:
    """The team's own radio scripts: ``phat-thanh-<slug>.txt`` and ``.pdf``
    naming the team, its place and its phone (rendered per team: a script
    is cheap, and every sentence about the team is in it)."""
    from .radio import RADIO_PDF, RADIO_TEXT

    return (RADIO_TEXT, RADIO_PDF)


def _radio(team: Team, ctx: PrintContext, guides, cache_root: Path, files: list) -> int:
    """Add the team's radio scripts of ``guides`` to ``files`` (name,
    pages, cached path); returns how many were rendered."""
    import pypdf

    rendered = 0
    sources = _worker.setdefault("radio_sources", {})
    for kind in radio_kinds():
        if kind.name not in sources:
            sources[kind.name] = templates.digest(_worker["settings"].posters_dir, kind.sources)
        for guide in guides:
            name = kind.output_name(guide)
            key = output_key(kind, guide, ctx, sources[kind.name])
            path = cache_root / f"{Path(name).stem}.{key[:16]}{kind.suffix}"
            if not path.is_file():
                Cache(_worker["settings"].cache_dir).put(path, kind.render(guide, ctx))
                rendered += 1
            pages = len(pypdf.PdfReader(path).pages) if kind.suffix == ".pdf" else 0
            files.append((name, pages, path))
    return rendered


def _pack(team: Team) -> TeamResult:
    """Every file of one team's pack: from the cache, or stamped; then
    written into its folder (atomically, only when different)."""
    import pypdf

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
                        data = strip_pdf(kind, team, settings)
                        strips[kind.name] = pypdf.PdfReader(io.BytesIO(data)).pages[0]
                    Cache(settings.cache_dir).put(path, stamped([_blank(kind, guide)], strips[kind.name]))
                    rendered += 1
                files.append((name, _pages(kind, guide, path), path))
        rendered += _radio(team, ctx, guides, cache_root, files)
        leaflets = [f for f in files if f[0].startswith("to-roi-")]
        key = _digest(*(p.name for _, _, p in leaflets))
        path = cache_root / f"tron-bo.{key[:16]}.pdf"
        if not path.is_file():
            if "leaflet" not in strips:
                strips["leaflet"] = pypdf.PdfReader(io.BytesIO(strip_pdf(LEAFLET, team, settings))).pages[0]
            blanks = [_blank(LEAFLET, g) for g in guides]
            Cache(settings.cache_dir).put(path, stamped(blanks, strips["leaflet"]))
            rendered += 1
        files.append((ALL_IN_ONE, sum(pages for _, pages, _ in leaflets), path))
    except CamnangError as e:
        return TeamResult(team.id, team.name, problems=tuple(e.problems))
    written = 0
    folder = _worker["out_dir"] / team.id
    for name, _, path in files:
        written += write_if_changed(folder / name, path.read_bytes())
    return TeamResult(team.id, team.name, tuple((n, p) for n, p, _ in files), rendered, written)
