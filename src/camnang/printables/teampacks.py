"""Team packs: every leaflet and poster, personalised for every team of a
roster, in one run (issue 6).

For each team ``DIR/<ma_to>/`` gets ``to-roi-<slug>.pdf`` of every guide
(one leaflet a file: printed or sent on its own) and ``ap-phich.pdf``, every
guide's A3 poster in one file after a contents page that gives each
poster's pages (one poster printed on its own: Print, Pages); besides the
radio scripts, the handbook and the Zalo cards. ``DIR/index.csv`` lists
the teams, files and pages.

Why the posters are one file and the leaflets are not (issue 27, disk per
team): a PDF embeds its fonts once, so one file of 24 posters takes about
a third of 24 files; the leaflets stay one a file because a team sends a
single guide's leaflet to a resident or a print shop. The file of every
leaflet (``tron-bo.pdf``) that packs once held is gone: it repeated the
leaflets byte for byte in all but fonts, and the handbook (``so-tay.pdf``)
is the team's every-guide copy.

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
   guide's blank (``stamp``: pikepdf/qpdf, no layout), and writes the file.

The blanks are kept in the cache (``team-packs/_blank/``), so recycled and
later workers lay none of them out again; ``ap-phich.pdf``'s blank is one
document of the contents page and all the blank posters, its fonts
embedded once, stamped on every page but the contents.

The result is the same page as ``kind.render(guide, PrintContext(settings,
team))`` (tests compare them), at a fraction of the cost. Every output is
cached by content hash per team (``<cache_dir>/printables/team-packs/``),
so a rerun renders only what changed or failed before; files in ``DIR``
are written atomically, only when their bytes differ, as hard links to
their cache entries (``OutDir.write_linked``: one copy on disk).

Teams are streamed to the worker pool (``camnang.workers``: local
processes, or a Dask cluster with ``scheduler``) a few at a time and each
worker writes its team's files itself, returning only names, pages, sizes
and digests: memory stays flat however long the roster. ``DIR/manifest.jsonl``
(``manifest``) records each team's inputs and outputs, so a rerun sends
only the teams whose inputs changed or whose files are missing; with
``zip_communes`` one ZIP per commune follows (``bundles``).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from ..config import Settings
from ..errors import CamnangError, Problem, display_path
from ..model import Guide, Library
from ..roster import Team, spreadsheet_safe
from ..workers import Workers
from . import bundles, radio, radiocompose, stamp, teambooklet, templates, zalocard, zaloteam
from .cache import Cache
from .keys import cache_key, category_token, output_key
from .compat import page_box
from .kinds import BLANK, Kind, PrintContext
from .registry import all_kinds
from .leaflet import LEAFLET
from .poster import POSTER
from .manifest import Manifest, OutFile, digest, team_inputs
from .outdir import OutDir, sha256
from .pdf import AUTHOR, printer
from .pipeline import check, select
from .registry import PACK_KINDS, RADIO_KINDS
from .teamstrip import strip_for, unreachable

DEFAULT_DIR = Path("goi-to")
"""Where packs go without ``--out``: ``goi-to/`` ("gói tổ"), next to mkdocs.yml."""
STRIP_TEMPLATE = "team-strip.html.j2"
STRIP_CSS = "team-strip.css"
POSTERS_FILE = "ap-phich.pdf"
"""A team's posters, every guide's, in one A3 file after a contents page."""
CONTENTS_TEMPLATE = "poster-contents.html.j2"
CONTENTS_CSS = "poster-contents.css"
CONTENTS_SOURCES = (CONTENTS_TEMPLATE, "print.css", CONTENTS_CSS)
"""What the contents page of ``ap-phich.pdf`` is made from."""
PER_GUIDE_KINDS = (LEAFLET,)
"""The pack's kinds written one file a guide (the rest: ``POSTERS_FILE``)."""
INDEX = "index.csv"
INDEX_COLUMNS = ("ma_to", "ten_to", "tep", "so_trang", "ban_ngay")
"""``ban_ngay``: the edition (``Guide.edition``) of the guide a file is
made from, so a team sorts by it to reprint what changed (empty for files
of every guide, such as ``ap-phich.pdf``)."""
BLANKS_DIR = "_blank"
"""Cache folder of the shared layouts (team ids never start with ``_``)."""
BOOKLET_BLANK = "_so-tay"
"""``warm_up``'s task for the blank handbook (not a guide slug: slugs
have no leading underscore)."""
TEAMS_PER_WORKER = 50
"""Teams a local worker process packs, on average, before it is replaced by
a fresh one (the pool is replaced between batches of ``jobs * 50`` teams:
``camnang.workers``), to bound its memory; a fresh worker reads the shared
layouts back from the cache. Each team also gets its radio PDF (two or
three WeasyPrint layouts a team: its own blocks, the contents page; the
run's shared blocks, ``radiocompose.Galley``, are held once per worker),
and WeasyPrint keeps a little memory per layout: a worker grew about 0.6
to 0.8 MB a team when each script was laid out per team. With
50, a worker's peak over any number of teams is that of a 100-team run of
2 workers (``bench/teampacks.py``); a replacement costs about a second of
a worker's time (fonts, stylesheets, the shared layouts read back)."""


def pack_kinds() -> tuple[Kind, ...]:
    """The kinds a team pack holds: leaflets and posters."""
    return PACK_KINDS


# -- result -------------------------------------------------------------------

@dataclass(frozen=True)
class TeamResult:
    """What one team's pack came to (small: this is what workers send back)."""

    team_id: str
    name: str
    files: tuple[OutFile, ...] = ()
    """Each file in the team folder: name, pages, size, SHA-256."""
    rendered: int = 0
    written: int = 0
    problems: tuple[Problem, ...] = ()
    unchanged: bool = False
    """Up to date according to the manifest: not sent to a worker."""
    warnings: tuple[str, ...] = ()
    """Bad cache entries found and rendered again (``Cache.usable``)."""


@dataclass
class PackResult:
    teams: list[TeamResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    out_dir: Path | str = DEFAULT_DIR
    seconds: float = 0.0
    skipped: int = 0
    """Teams not started because of ``fail_fast``."""
    zips: int = 0
    zips_written: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    """Each team's row in the roster (for the failed ones in ``report``)."""

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
    def unchanged(self) -> int:
        return sum(t.unchanged for t in self.teams)

    @property
    def failed(self) -> list[TeamResult]:
        return [t for t in self.teams if t.problems]

    def summary(self) -> str:
        seconds = f"{self.seconds:.1f}".replace(".", ",")
        ok = len(self.teams) - len(self.failed)
        text = (
            f"gói tổ: {ok} tổ, {self.files} tệp, {self.rendered} tệp mới tạo, "
            f"{self.files - self.rendered} tệp dùng lại từ bộ nhớ đệm; ghi {self.written} tệp vào "
            f"{display_path(self.out_dir) if isinstance(self.out_dir, Path) else self.out_dir} ({seconds} giây)"
        )
        if self.unchanged:
            text += f"; {self.unchanged} tổ không đổi từ lần trước (không cần làm lại)"
        if self.zips:
            text += f"; {self.zips} tệp ZIP theo xã, ghi {self.zips_written} tệp"
        if self.failed:
            text += f"; {len(self.failed)} tổ bị lỗi"
        if self.skipped:
            text += f"; {self.skipped} tổ chưa làm (--fail-fast)"
        return text


    def report(self) -> str:
        """The closing line of a run, in Vietnamese: teams built, reused
        (up to date by the manifest), failed with their roster rows, the
        bytes of the packs and the time taken."""
        built = sum(1 for t in self.teams if not t.unchanged and not t.problems)
        size = sum(f.size for t in self.teams if not t.problems for f in t.files)
        text = f"Tổng kết: làm mới {built} tổ, dùng lại {self.unchanged} tổ, lỗi {len(self.failed)} tổ"
        if self.failed:
            shown = [f"dòng {self.rows[t.team_id]} ({t.team_id})" if self.rows.get(t.team_id) else t.team_id for t in self.failed]
            text += f" ({', '.join(shown[:FAILED_SHOWN])}{', …' if len(shown) > FAILED_SHOWN else ''})"
        if self.skipped:
            text += f", chưa làm {self.skipped} tổ"
        return f"{text}; {_megabytes(size)}; {_duration(self.seconds)}."


FAILED_SHOWN = 20
"""Failed teams named in ``PackResult.report`` (then "…")."""


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB".replace(".", ",")


def _duration(seconds: float) -> str:
    """``83.2`` -> ``1 phút 23 giây``; under a minute ``4,5 giây``."""
    if seconds < 60:
        return f"{seconds:.1f} giây".replace(".", ",")
    minutes, rest = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    parts = ([f"{hours} giờ"] if hours else []) + [f"{minutes} phút", f"{rest} giây"]
    return " ".join(parts)


Progress = Callable[[int, int, int], None]
"""Called with (teams done, teams in the run, files done) as teams finish."""


# -- the main process -----------------------------------------------------------

def build_packs(
    teams: Sequence[Team],
    library: Library,
    settings: Settings,
    out_dir: Path | str,
    *,
    only: Iterable[str] | None = None,
    jobs: int | None = None,
    scheduler: str | None = None,
    fail_fast: bool = False,
    progress: Progress | None = None,
    warn: Callable[[str], None] = lambda message: None,
    roster: Path | None = None,
    zip_communes: bool = False,
    verify: bool = False,
) -> PackResult:
    """Write the packs of ``teams`` into ``out_dir`` (a folder or an fsspec URL).

    Checks (``--only`` slugs, print font, templates) raise ``CamnangError``
    before anything is written. ``roster``: the file, named in problems.
    ``scheduler``: ``None`` (local worker processes, ``jobs`` of them),
    ``"local"`` (a Dask LocalCluster) or a Dask scheduler's address.
    Teams that ``DIR/manifest.jsonl`` shows up to date are not redone
    (``verify``: every team is sent, and each file compared byte for byte).
    A team whose pack fails does not stop the others (its problems are in
    the result) unless ``fail_fast``: then no new team is started after
    the first failure.
    """
    started = time.perf_counter()
    kinds = pack_kinds()
    guides = select(library, only)
    check(settings, kinds, warn)
    templates.check(settings.posters_dir, (STRIP_TEMPLATE, STRIP_CSS, *CONTENTS_SOURCES, *RADIO_PDF_SOURCES))
    out = OutDir(out_dir)
    unreachable(teams, roster, warn)
    result = PackResult(out_dir=out_dir, rows={team.id: team.row for team in teams})
    shown = display_path(roster) if roster is not None else "danh sách tổ"
    if zip_communes:
        _check_zip_dir(teams, shown)

    common = inputs_digest(settings, guides)
    manifest = Manifest.load(out, common)
    inputs = {team.id: team_inputs(common, team) for team in teams}
    todo = []
    for team in teams:
        if not verify and manifest.up_to_date(team.id, inputs[team.id]):
            result.teams.append(TeamResult(team.id, team.name, tuple(manifest.files(team.id)), unchanged=True))
        else:
            manifest.forget(team.id)
            todo.append(team)
    files_done = result.files
    if progress and result.teams:
        progress(len(result.teams), len(teams), files_done)

    context = PackContext(settings, guides, out, shown)
    stop = lambda: fail_fast and bool(result.problems)  # noqa: E731
    started_pool = False
    zips: list[str] = []
    try:
        with Workers(
            context, jobs=jobs or settings.worker_count, scheduler=scheduler, tasks=len(todo),
            max_tasks_per_child=TEAMS_PER_WORKER,
        ) as pool:
            started_pool = True
            if todo:
                warm_up(pool, context)
            for team, future in pool.imap_unordered(_pack, todo, stop=stop):
                team_result: TeamResult = future.result()
                result.teams.append(team_result)
                result.problems.extend(team_result.problems)
                for message in team_result.warnings:
                    warn(message)
                if not team_result.problems:
                    manifest.record_team(team.id, inputs[team.id], team_result.files)
                files_done += len(team_result.files)
                if progress:
                    progress(len(result.teams), len(teams), files_done)
            result.skipped = len(teams) - len(result.teams)
            order = {team.id: i for i, team in enumerate(teams)}
            result.teams.sort(key=lambda t: order[t.team_id])
            good = [t for t in result.teams if not t.problems]
            editions = {
                kind.output_name(g): g.edition.isoformat() for g in library.guides for kind in all_kinds()
            }
            editions.update(zaloteam.editions(library, (f.name for t in good for f in t.files)))
            write_index(out, good, editions)
            if zip_communes and not result.skipped:
                zips = _zip_communes(pool, teams, good, manifest, result, editions)
    finally:
        if started_pool:  # a cluster that cannot be reached leaves the folder untouched
            manifest.save((team.id for team in teams), zips)
    result.seconds = time.perf_counter() - started
    return result


def inputs_digest(settings: Settings, guides: Sequence[Guide]) -> str:
    """Everything a team's pack is made from, but the team: the code and
    library versions, the templates, the settings, the font, the guides."""
    ctx = PrintContext(settings)
    parts = []
    for kind in pack_kinds():
        parts += [kind.name, templates.digest(settings.posters_dir, (*kind.sources, STRIP_TEMPLATE, STRIP_CSS))]
        parts.append(ctx.token(kind.settings))
    for kind in radio_kinds():
        parts += [kind.name, templates.digest(settings.posters_dir, kind.sources), ctx.token(kind.settings)]
    parts += [POSTERS_FILE, templates.digest(settings.posters_dir, CONTENTS_SOURCES)]
    parts += ["booklet", teambooklet.inputs_token(settings)]
    parts += [RADIO_PDF, templates.digest(settings.posters_dir, RADIO_PDF_SOURCES), ctx.token(radio.SETTINGS)]
    parts += [f"{g.slug}:{g.digest}" for g in guides]
    parts.append(zaloteam.sources(settings))
    return cache_key(ctx, *parts)


def _check_zip_dir(teams: Sequence[Team], roster: str) -> None:
    for team in teams:
        if team.id == bundles.ZIP_DIR:
            raise CamnangError(
                Problem(
                    path=roster, line=team.row or None, field="ma_to",
                    message=f"mã tổ '{team.id}' trùng tên thư mục tệp ZIP theo xã",
                    hint="đổi mã tổ, hoặc chạy không có --zip",
                )
            )


def _zip_communes(
    pool: Workers, teams: Sequence[Team], good: list[TeamResult], manifest: Manifest, result: PackResult,
    editions: dict[str, str] | None = None,
) -> list[str]:
    """One ZIP per commune whose teams all built, as tasks of ``pool``;
    a ZIP whose contents did not change is left as it is."""
    by_id = {t.team_id: t for t in good}
    tasks = []
    paths = []
    for rel, members in bundles.communes(teams).items():
        if any(m.id not in by_id for m in members):
            continue
        paths.append(rel)
        results = [by_id[m.id] for m in members]
        shared = bundles.shared_files(results)
        index = index_csv(results, editions, shared)
        zip_inputs = digest(sha256(index), *(f"{r.team_id}/{f.name}:{f.sha256}" for r in results for f in r.files))
        if manifest.zip_up_to_date(rel, zip_inputs):
            continue
        tasks.append((rel, zip_inputs, index, bundles.members(results, shared)))
    result.zips = len(paths)
    for task, future in pool.imap_unordered(_zip, tasks):
        size, digest_ = future.result()
        manifest.record_zip(task[0], task[1], size, digest_)
        result.zips_written += 1
    return paths


def index_csv(
    results: list[TeamResult], editions: dict[str, str] | None = None, shared: frozenset[str] = frozenset()
) -> bytes:
    """``index.csv``: one line per file of every team built (UTF-8 with
    BOM, so Excel shows the Vietnamese names). Cells that a spreadsheet
    would take for a formula get a leading apostrophe
    (``roster.spreadsheet_safe``); the PDFs print names as written. In a
    commune's ZIP a file every team has the same (``shared``) is listed
    for each team where it is, once in ``_chung/`` (``bundles.SHARED_DIR``)."""
    buffer = io.StringIO()
    _write_index_rows(buffer, results, editions, shared)
    return buffer.getvalue().encode("utf-8")


def write_index(out: OutDir, results: list[TeamResult], editions: dict[str, str] | None = None) -> bool:
    """The country's ``index.csv`` (the bytes of ``index_csv``), written a
    row at a time to a temporary file put in place whole
    (``OutDir.streaming``): a national roster's 3 to 4 million rows are
    never held in memory. True when the file changed."""
    out.clean_temporary("", [INDEX])
    with out.streaming(INDEX) as streamed:
        text = io.TextIOWrapper(streamed.file, encoding="utf-8", newline="", write_through=False)
        _write_index_rows(text, results, editions)
        text.flush()
        text.detach()
    return streamed.written


def _write_index_rows(
    stream, results: list[TeamResult], editions: dict[str, str] | None, shared: frozenset[str] = frozenset()
) -> None:
    stream.write("\ufeff")
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(INDEX_COLUMNS)
    for team in results:
        if team.problems:
            continue
        for f in team.files:
            edition = (editions or {}).get(f.name, "")
            writer.writerow(
                [
                    spreadsheet_safe(str(v))
                    for v in (team.team_id, team.name, bundles.member(team.team_id, f.name, shared), f.pages, edition)
                ]
            )


# -- worker processes -------------------------------------------------------------

@dataclass
class PackContext:
    """What every team's task needs, sent to each worker once (scattered,
    with Dask); ``prepare`` runs once per worker process."""

    settings: Settings
    guides: tuple[Guide, ...]
    out: OutDir
    roster: str = "danh sách tổ"
    key: str = field(default_factory=lambda: uuid.uuid4().hex)
    state: dict = field(default_factory=dict, repr=False, compare=False)

    def __getstate__(self) -> dict:
        return {**self.__dict__, "state": {}}

    def prepare(self) -> None:
        """Fonts and stylesheets once per worker; the shared layouts of
        each guide when first needed (from the cache when there)."""
        printer(self.settings.print_font, PrintContext(self.settings).where)
        self.state.update(
            blanks={},
            pages={},
            sources={
                **{
                    kind.name: templates.digest(self.settings.posters_dir, (*kind.sources, STRIP_TEMPLATE, STRIP_CSS))
                    for kind in pack_kinds()
                },
                POSTERS_FILE: templates.digest(self.settings.posters_dir, CONTENTS_SOURCES),
            },
        )


def warm_up(pool: Workers, ctx: PackContext) -> None:
    """Make the shared layouts once per run, spread over the workers
    before the first team: each guide's blank leaflet and poster (with
    their fitting) and its radio script's starting size, one task a guide,
    then the blank ``ap-phich.pdf``; besides, the blank handbook (all the
    run's guides) and each guide's Zalo cards, which each worker's first
    team made otherwise, all workers of the first wave at once (issue 27:
    30 CPU-s a worker at 24 guides). They land in the cache, where every
    worker (and a recycled one) reads them back instead of laying them out
    again; without this each worker made them all for its first team. A
    task that fails is left to the teams' own tasks, which report it."""
    if ctx.guides:
        for _, future in pool.imap_unordered(_warm, [BOOKLET_BLANK, *(g.slug for g in ctx.guides)]):
            future.exception()
        for _, future in pool.imap_unordered(_warm, [POSTERS_FILE, RADIO_GALLEY]):
            future.exception()


def _warm(ctx: PackContext, item: str) -> None:
    """One task of ``warm_up``: a guide's shared layouts, or ``ap-phich.pdf``'s."""
    if item == POSTERS_FILE:
        _blank_posters(ctx)
        return
    if item == BOOKLET_BLANK:
        teambooklet.shared_blank(ctx)
        return
    if item == RADIO_GALLEY:
        _radio_galley(ctx)
        return
    guide = next(g for g in ctx.guides if g.slug == item)
    for kind in pack_kinds():
        _blank(ctx, kind, guide)
    _radio_start(ctx, guide)
    zalocard.cards_with_bytes(guide, ctx.settings)


def _blank_path(ctx: PackContext, stem: str, key: str) -> Path:
    return Cache(ctx.settings.cache_dir).root / "team-packs" / BLANKS_DIR / f"{stem}.{key[:16]}.pdf"


def _cached_blank(ctx: PackContext, path: Path, make: Callable[[], bytes]) -> tuple[bytes, int]:
    """The blank at ``path`` and its page count: read back from the cache,
    or made by ``make()`` and cached. A damaged cache entry (``Cache.usable``:
    structure and digest) is laid out again."""
    data = Cache.load(path)
    if data is not None:
        try:
            with stamp.open_pdf(data) as pdf:
                pages = len(pdf.pages)
            if pages < 1:
                data = None
        except Exception:  # noqa: BLE001 (a damaged cache entry is laid out again)
            data = None
    if data is None:
        data = make()
        Cache(ctx.settings.cache_dir).put(path, data)
        with stamp.open_pdf(data) as pdf:
            pages = len(pdf.pages)
    return data, pages


def _blank(ctx: PackContext, kind: Kind, guide: Guide) -> bytes:
    """The guide's page(s) in the team layout with the team's cells empty
    (a PDF's bytes), laid out once (kept in the cache, so recycled and
    later workers only read it back)."""
    key = (kind.name, guide.slug)
    blanks = ctx.state["blanks"]
    if key not in blanks:
        blank_ctx = PrintContext(ctx.settings, BLANK)
        name = Path(kind.output_name(guide))
        path = _blank_path(ctx, name.stem, _blank_key(ctx, kind, guide))
        blanks[key], ctx.state["pages"][key] = _cached_blank(
            ctx, path, lambda: stamp.recompress(kind.render(guide, blank_ctx))
        )
    return blanks[key]


def _blank_key(ctx: PackContext, kind: Kind, guide: Guide) -> str:
    return output_key(kind, guide, PrintContext(ctx.settings, BLANK), ctx.state["sources"][kind.name])


def _blank_posters(ctx: PackContext) -> bytes:
    """The contents page and the blank posters of every guide as one
    document (``ap-phich.pdf`` before stamping): each poster laid out again
    from its guide's fitted variant, so that WeasyPrint embeds each font
    once for all the pages. The contents page gives each poster's pages
    of the file."""
    from ..markup import IMAGE_DIR
    from . import fitting, poster

    settings = ctx.settings
    guides = ctx.guides
    for guide in guides:
        _blank(ctx, POSTER, guide)  # fits each guide (and counts its pages)

    def make() -> bytes:
        blank_ctx = PrintContext(settings, BLANK)
        posters = settings.posters_dir
        sheets = [posters / name for name in POSTER.stylesheets]
        pdf_printer = printer(settings.print_font, blank_ctx.where)
        layouts = []
        for guide in guides:
            fit = fitting.fitted_variant(POSTER.name, guide, blank_ctx, POSTER.sources)
            if fit is None:  # blank read from the cache: find the variant again
                POSTER.render(guide, blank_ctx)
                fit = fitting.fitted_variant(POSTER.name, guide, blank_ctx, POSTER.sources)
            html = poster.html(guide, blank_ctx, fit)
            layouts.append(pdf_printer.layout(html, posters, sheets, image_dir=settings.guides_dir / IMAGE_DIR, image_cache=settings.cache_dir))
        counts = [layout.page_count for layout in layouts]
        if counts != [ctx.state["pages"][(POSTER.name, g.slug)] for g in guides]:
            raise RuntimeError(f"{POSTERS_FILE}: the blank posters laid out again have a different page count")
        contents_sheets = [posters / name for name in CONTENTS_SOURCES[1:]]

        def contents(first: int):
            entries, page = [], first
            for guide, count in zip(guides, counts):
                entries.append((" ".join(guide.title.split()), page, page + count - 1))
                page += count
            document = templates.render(posters, CONTENTS_TEMPLATE, entries=entries, author=AUTHOR)
            return pdf_printer.layout(document, posters, contents_sheets)

        layout = contents(2)
        if layout.page_count != 1:  # a long library: the posters start later
            layout = contents(1 + layout.page_count)
        return stamp.combine([layout, *layouts])

    if POSTERS_FILE not in ctx.state["blanks"]:
        key = digest(*(_blank_key(ctx, POSTER, g) for g in guides), ctx.state["sources"][POSTERS_FILE], "pdf/ua-1")
        path = _blank_path(ctx, Path(POSTERS_FILE).stem, key)
        data, pages = _cached_blank(ctx, path, make)
        ctx.state["blanks"][POSTERS_FILE] = data
        ctx.state["pages"][POSTERS_FILE] = pages
    return ctx.state["blanks"][POSTERS_FILE]


def _contents_pages(ctx: PackContext) -> int:
    """Pages of ``ap-phich.pdf``'s contents (not stamped): the file's
    pages less the posters'."""
    _blank_posters(ctx)
    return ctx.state["pages"][POSTERS_FILE] - sum(ctx.state["pages"][(POSTER.name, g.slug)] for g in ctx.guides)


def _page_count(data: bytes) -> int:
    """Pages of a PDF (qpdf reads only the page tree: about a millisecond,
    where pypdf took some 60)."""
    with stamp.open_pdf(data) as pdf:
        return len(pdf.pages)


def _pages(ctx: PackContext, kind: Kind, guide: Guide, data: bytes) -> int:
    """Pages of a guide's file of ``kind``: the same for every team."""
    key = (kind.name, guide.slug)
    if key not in ctx.state["pages"]:
        with stamp.open_pdf(data) as pdf:
            ctx.state["pages"][key] = len(pdf.pages)
    return ctx.state["pages"][key]


def strip_pdf(kind: Kind, team: Team, settings: Settings, roster: str = "danh sách tổ") -> bytes:
    """The team's own part of the footer strip of ``kind``, alone on a page
    (``roster``: the file, named if the team's text does not fit)."""
    ctx = PrintContext(settings, team)
    html = templates.render(
        settings.posters_dir,
        STRIP_TEMPLATE,
        kind=kind.name,
        team=team,
        team_qr=ctx.team_qr(kind.qr_box_mm, kind.qr_error, kind.qr_min_mm),
        strip=strip_for(team, kind.name, settings.print_font),
        author=AUTHOR,
    )
    posters = settings.posters_dir
    sheets = [posters / s for s in (*kind.stylesheets, STRIP_CSS)]
    layout = printer(settings.print_font, ctx.where).layout(html, posters, sheets)
    _check_fits(layout, team, kind, roster)
    return layout.pdf()


def _check_fits(layout, team: Team, kind: Kind, roster: str = "danh sách tổ") -> None:
    """A team block too long for its box would be cut: refuse it, naming
    the row and the column to shorten."""
    from .fitting import bottom

    stack = [page_box(page) for page in layout.document.pages]
    while stack:
        box = stack.pop()
        element = getattr(box, "element", None)
        if element is not None and "team-block" in (element.get("class") or "").split():
            children = [c for c in getattr(box, "children", ()) if hasattr(c, "margin_height")]
            if children and max(bottom(c) for c in children) > box.content_box_y() + box.height + 0.5:
                column = "dia_diem" if team.help_place else "ten_to"
                raise CamnangError(
                    Problem(
                        path=roster,
                        line=team.row or None,
                        field=column,
                        message=f"thông tin của tổ '{team.id}' quá dài, không vừa khung tổ trên {'tờ rơi' if kind is LEAFLET else 'áp phích'}",
                        hint="rút gọn tên tổ, tên tổ trưởng hoặc nơi hỗ trợ",
                    )
                )
            return
        stack.extend(getattr(box, "children", ()))


def radio_kinds() -> tuple[Kind, ...]:
    """The team's own radio scripts, one file per guide:
    ``phat-thanh-<slug>.txt`` naming the team, its place and its phone
    (what loudspeaker systems read). The printed scripts are one PDF per
    team (``RADIO_PDF``), not one per guide."""
    return RADIO_KINDS


RADIO_PDF = radio.TEAM_PDF_NAME
"""``phat-thanh.pdf``: every guide's script for the team, each from a new
page, after a contents page (``radio.render_team_pdf``)."""
RADIO_PDF_SOURCES = radiocompose.SOURCES
RADIO_GALLEY = "radio-galley"
"""The shared blocks of the team radio PDFs (``_radio_galley``)."""
RADIO_REFERENCE = Team(
    id="_radio", name="Tổ công nghệ số cộng đồng thôn Đồng Quan", level="thon", commune="Hương Lạc",
    province="Bắc Ninh", leader="Trần Thị Bình", phone="0987 654 321", help_place="Nhà văn hóa thôn, tối thứ Bảy",
)
"""A typical team (made up): the body size at which its script of each
guide has room to spare is where every team's script of that guide starts
(``_radio_start``)."""


def _radio_start(ctx: "PackContext", guide: Guide) -> int:
    """The size index (``radio.FONT_SIZES``) the guide's script starts at
    in a team's radio PDF: where ``RADIO_REFERENCE``'s script of the guide
    has room to spare (``radio.start_index``). Found once per run (a
    small JSON in the cache, beside the shared layouts: ``warm_up``) and
    read back by every worker; the same inputs
    give the same start, so a team's PDF is the same bytes whichever
    worker makes it."""
    import json

    starts = ctx.state.setdefault("radio_starts", {})
    if guide.slug not in starts:
        ref = PrintContext(ctx.settings, RADIO_REFERENCE)
        key = cache_key(
            ref, "radio-start", f"band:{radio.START_BAND}", templates.digest(ctx.settings.posters_dir, radio.SOURCES),
            ref.token(radio.SETTINGS), guide.digest,
        )
        path = Cache(ctx.settings.cache_dir).root / "team-packs" / BLANKS_DIR / f"radio-{guide.slug}.{key[:16]}.json"
        start = None
        data = Cache.load(path)
        if data is not None:
            try:
                start = int(json.loads(data))
            except (ValueError, TypeError):
                start = None
        if start is None or not 0 <= start < len(radio.FONT_SIZES):
            start = radio.start_index(guide, ref)
            Cache(ctx.settings.cache_dir).put(path, json.dumps(start).encode())
        starts[guide.slug] = start
    return starts[guide.slug]


def _radio_galley(ctx: "PackContext") -> radiocompose.Galley:
    """The blocks every team's radio PDF is composed from, but the team's
    own (``radiocompose``): laid out once per run (in ``warm_up``) and kept
    in the cache beside the blanks, its PDF and its measures read back by
    every worker; the same inputs give the same galley, so a team's PDF is
    the same bytes whichever worker makes it."""
    galley = ctx.state.get(RADIO_GALLEY)
    if galley is None:
        ref = PrintContext(ctx.settings, RADIO_REFERENCE)
        starts = [_radio_start(ctx, g) for g in ctx.guides]
        key = cache_key(
            ref, RADIO_GALLEY, templates.digest(ctx.settings.posters_dir, radiocompose.SOURCES),
            ref.token(radio.SETTINGS), f"starts:{starts}", f"numbered:{radiocompose.MAX_NUMBERED}",
            *(f"{g.slug}:{g.digest}" for g in ctx.guides),
        )
        stem = Cache(ctx.settings.cache_dir).root / "team-packs" / BLANKS_DIR / f"{RADIO_GALLEY}.{key[:16]}"
        pdf, measures = Cache.load(stem.with_suffix(".pdf")), Cache.load(stem.with_suffix(".json"))
        if pdf is not None and measures is not None:
            try:
                galley = radiocompose.load_galley(pdf, measures)
            except (ValueError, KeyError, TypeError):  # a damaged entry is laid out again
                galley = None
        if galley is None:
            pdf, measures = radiocompose.make_galley(ctx.guides, ref, starts)
            Cache(ctx.settings.cache_dir).put(stem.with_suffix(".pdf"), pdf)
            Cache(ctx.settings.cache_dir).put(stem.with_suffix(".json"), measures)
            galley = radiocompose.load_galley(pdf, measures)
        ctx.state[RADIO_GALLEY] = galley
    return galley


def _radio(ctx: "PackContext", key_ctx: PrintContext, cache: Cache, cache_root: Path, files: list, warnings: list) -> int:
    """Add the team's radio scripts to ``files`` (name, pages, cached path,
    bytes): the text of every guide, then the one PDF of them all
    (``radiocompose``: the paragraphs every team says from the run's
    galley, the team's own laid out in one document; a guide's PDF would
    embed the fonts again). Returns how many files were rendered."""
    rendered = 0
    sources = ctx.state.setdefault("radio_sources", {})
    scripts: dict[str, Any] = {}  # made once for the text and the PDF

    def script(guide: Guide):
        if guide.slug not in scripts:
            scripts[guide.slug] = radio.script(guide, key_ctx)
        return scripts[guide.slug]

    for kind in radio_kinds():
        if kind.name not in sources:
            sources[kind.name] = templates.digest(ctx.settings.posters_dir, kind.sources)
        for guide in ctx.guides:
            name = kind.output_name(guide)
            key = output_key(kind, guide, key_ctx, sources[kind.name])
            path = cache_root / f"{Path(name).stem}.{key[:16]}{kind.suffix}"
            data = Cache.load(path, warnings.append, deep=False)
            if data is None:
                data = kind.render(guide, key_ctx, script(guide))
                cache.put(path, data, digest=False)
                rendered += 1
            files.append((name, 0, path, data))
    if RADIO_PDF not in sources:
        sources[RADIO_PDF] = templates.digest(ctx.settings.posters_dir, RADIO_PDF_SOURCES)
    key = cache_key(
        key_ctx, RADIO_PDF, sources[RADIO_PDF], key_ctx.token(radio.SETTINGS),
        *(f"{g.slug}:{g.digest}:{category_token(key_ctx, g)}" for g in ctx.guides),
    )
    path = cache_root / f"{Path(RADIO_PDF).stem}.{key[:16]}.pdf"
    data = Cache.load(path, warnings.append, deep=False)
    if data is None:
        guides = list(ctx.guides)
        scripts, starts = [script(g) for g in guides], [_radio_start(ctx, g) for g in guides]
        try:
            data, pages = radiocompose.compose(key_ctx.team, guides, key_ctx, scripts, starts, _radio_galley(ctx))
        except radiocompose.TooTall:  # a paragraph longer than a page: laid out whole, split by WeasyPrint
            data, pages = radio.render_team_pdf(key_ctx.team, guides, key_ctx, scripts, starts)
        cache.put(path, data, digest=False)
        rendered += 1
    else:
        pages = _page_count(data)
    files.append((RADIO_PDF, pages, path, data))
    return rendered


def posters_metadata(team: Team, guides: int) -> dict[str, str]:
    """Title, subject and keywords of a team's ``ap-phich.pdf`` (in place
    of the contents page's, which the combined blank carries)."""
    return {
        "title": f"Áp phích của {team.name}",
        "subject": f"Áp phích A3 của {guides} bài hướng dẫn kỹ năng số, kèm cách liên hệ {team.name}; trang đầu là mục lục",
        "keywords": ", ".join(v for v in (team.commune, team.province) if v),
    }


def _pack(ctx: PackContext, team: Team) -> TeamResult:
    """Every file of one team's pack: from the cache, or stamped; then
    written into its folder (atomically, only when different). Returns
    names, pages, sizes and digests, never the files."""
    settings = ctx.settings
    cache = Cache(settings.cache_dir)
    cache_root = cache.root / "team-packs" / team.id
    # The cache key holds the team's row, not its position in the roster.
    key_ctx = PrintContext(settings, dataclasses.replace(team, row=0))
    strips: dict[str, bytes] = {}
    files: list[tuple[str, int, Path, bytes]] = []
    rendered = 0
    warnings: list[str] = []

    def strip(kind: Kind) -> bytes:
        if kind.name not in strips:
            strips[kind.name] = strip_pdf(kind, team, settings, ctx.roster)
        return strips[kind.name]

    try:
        for kind in PER_GUIDE_KINDS:
            for guide in ctx.guides:
                name = kind.output_name(guide)
                key = output_key(kind, guide, key_ctx, ctx.state["sources"][kind.name])
                path = cache_root / f"{Path(name).stem}.{key[:16]}.pdf"
                data = Cache.load(path, warnings.append, deep=False)
                if data is None:
                    data = stamp.stamp(_blank(ctx, kind, guide), strip(kind))
                    cache.put(path, data, digest=False)
                    rendered += 1
                files.append((name, _pages(ctx, kind, guide, data), path, data))
        rendered += _radio(ctx, key_ctx, cache, cache_root, files, warnings)
        metadata = posters_metadata(team, len(ctx.guides))
        sources = ctx.state["sources"]
        key = digest(
            *(output_key(POSTER, g, key_ctx, sources[POSTER.name]) for g in ctx.guides), sources[POSTERS_FILE], *metadata.values()
        )
        path = cache_root / f"{Path(POSTERS_FILE).stem}.{key[:16]}.pdf"
        data = Cache.load(path, warnings.append, deep=False)
        if data is None:
            data = stamp.stamp(_blank_posters(ctx), strip(POSTER), metadata=metadata, skip=_contents_pages(ctx))
            cache.put(path, data, digest=False)
            rendered += 1
        _blank_posters(ctx)  # its page count, once per worker
        files.append((POSTERS_FILE, ctx.state["pages"][POSTERS_FILE], path, data))
        # The team's handbook: its layer stamped on the shared blank booklet.
        booklet_files, made = teambooklet.pack_files(ctx, team, cache, cache_root, warnings)
        files += booklet_files
        rendered += made
        rendered += zaloteam.add_to_pack(ctx, team, key_ctx, cache, cache_root, files, warnings)
    except CamnangError as e:
        return TeamResult(team.id, team.name, problems=tuple(e.problems), warnings=tuple(warnings))
    written = 0
    ctx.out.clean_temporary(team.id, [name for name, _, _, _ in files])
    for name, _, path, data in files:
        # The cache entry and the team's file: one copy on disk (a hard link).
        written += ctx.out.write_linked(f"{team.id}/{name}", data, path)
    outputs = tuple(OutFile(name, pages, len(data), sha256(data)) for name, pages, _, data in files)
    return TeamResult(team.id, team.name, outputs, rendered, written, warnings=tuple(warnings))


def _zip(ctx: PackContext, task: tuple) -> tuple[int, str]:
    """One commune's ZIP (a worker task): its size and SHA-256."""
    rel, _, index, team_files = task
    return bundles.build_zip(ctx.out, rel, index, team_files)
