"""The fit memo (``camnang.printables.fitmemo``): a fresh build, another
process or a team-pack worker lays each document out once, with exactly
the bytes a build without memo makes; any change of guide, CSS or setting
refits only the documents it concerns; a memo that lies or is damaged is
caught and refitted, silently. Real WeasyPrint layouts throughout."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from camnang.config import load_settings
from camnang.printables import fitmemo, fitting, pipeline
from camnang.printables.kinds import PrintContext
from camnang.printables.leaflet import LEAFLET
from camnang.printables.poster import POSTER
from camnang.validate import load_library
from conftest import FIXTURES, ROOT, TEST_SITE_URL, make_project

pytestmark = pytest.mark.build  # cold printables builds, many real layouts (left out of `make check`)

KINDS = (LEAFLET, POSTER)
GUIDES = [FIXTURES / "guides" / "thu-nghiem.md", ROOT / "guides" / "vneid-kich-hoat.md"]
"""A one-page leaflet, and a guide on both sides of the sheet."""


class Layouts:
    """Counts real WeasyPrint layouts per (kind, guide title)."""

    def __init__(self):
        from camnang.printables import pdf

        self.pdf, self.original, self.counts = pdf, pdf.Printer.layout, Counter()

    def __enter__(self):
        def counting(printer, html, *args, **kwargs):
            kind = "leaflet" if 'class="leaflet' in html else "poster"
            title = re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()
            self.counts[kind, title] += 1
            return self.original(printer, html, *args, **kwargs)

        self.pdf.Printer.layout = counting
        return self

    def __exit__(self, *exc):
        self.pdf.Printer.layout = self.original


def project_settings(project: Path, cache: Path, **changes):
    settings = load_settings(project / "mkdocs.yml")
    return dataclasses.replace(settings, site_url=TEST_SITE_URL, cache_dir=cache, **changes)


def build(settings, out: Path, warnings: list | None = None) -> dict[str, bytes]:
    """A build of the leaflets and posters as a new process runs it (only
    the memo on disk known), with the outputs it makes."""
    fitting._memo.clear()
    library = load_library(settings.guides_dir, settings.categories)
    pipeline.build(library, settings, kinds=KINDS, jobs=1, out_dir=out, warn=(warnings or []).append)
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.pdf"))}


def remove_outputs(settings) -> None:
    for kind in KINDS:
        shutil.rmtree(settings.cache_dir / "printables" / kind.name, ignore_errors=True)


def memo_entries(settings) -> dict[tuple[str, str], str]:
    """(folder, guide slug) -> memo file name (named by its key)."""
    root = settings.cache_dir / "printables" / fitmemo.MEMO_DIR
    entries = {}
    for path in sorted(root.rglob("*.json"), key=lambda p: p.stat().st_mtime_ns):
        entries[path.parent.name, path.name.split(".")[0]] = path.name
    return entries


@pytest.fixture
def cold(tmp_path):
    """A project with two guides, built once without cache or memo."""
    project = make_project(tmp_path, GUIDES)
    settings = project_settings(project, tmp_path / "cache")
    with Layouts() as layouts:
        outputs = build(settings, tmp_path / "out-cold")
    assert len(outputs) == 4 and sum(layouts.counts.values()) >= 4
    return project, settings, outputs


def test_a_new_process_lays_each_document_out_once_with_the_same_bytes(cold, tmp_path):
    project, settings, outputs = cold
    remove_outputs(settings)
    script = f"""
import dataclasses, json, sys
sys.path.insert(0, {str(ROOT / 'tests')!r})
from pathlib import Path
from test_fitting_memo import Layouts, build, project_settings
settings = project_settings(Path({str(project)!r}), Path({str(settings.cache_dir)!r}))
with Layouts() as layouts:
    build(settings, Path({str(tmp_path / 'out-memo')!r}))
print(json.dumps(sorted(layouts.counts.values())))
"""
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout.strip().splitlines()[-1]) == [1, 1, 1, 1]
    again = {p.name: p.read_bytes() for p in sorted((tmp_path / "out-memo").glob("*.pdf"))}
    assert again == outputs


def test_a_change_refits_only_the_documents_it_concerns(cold, tmp_path):
    project, settings, outputs = cold
    before = memo_entries(settings)
    assert set(before) == {(k.name, s) for k in KINDS for s in ("thu-nghiem", "vneid-kich-hoat")}

    def rebuild(settings, name):
        remove_outputs(settings)
        with Layouts() as layouts:
            result = build(settings, tmp_path / name)
        after = memo_entries(settings)
        refitted = {key for key in after if after[key] != before.get(key)}
        return result, layouts, refitted

    # A guide's text: its leaflet and poster only; the other guide's are laid out once.
    guide = project / "guides" / "thu-nghiem.md"
    guide.write_text(guide.read_text(encoding="utf-8").replace("1. ", "1. Trước hết, ", 1), encoding="utf-8")
    result, layouts, refitted = rebuild(settings, "out-guide")
    assert refitted == {("leaflet", "thu-nghiem"), ("poster", "thu-nghiem")}
    vneid = load_library(settings.guides_dir, settings.categories).get("vneid-kich-hoat")
    assert layouts.counts["leaflet", vneid.title] == layouts.counts["poster", vneid.title] == 1
    assert result["to-roi-vneid-kich-hoat.pdf"] == outputs["to-roi-vneid-kich-hoat.pdf"]
    assert result["to-roi-thu-nghiem.pdf"] != outputs["to-roi-thu-nghiem.pdf"]
    before = memo_entries(settings)

    # The leaflet's CSS: leaflets only.
    css = project / "posters" / "leaflet.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.steps li { margin-bottom: 0.3em; }\n", encoding="utf-8")
    _, layouts, refitted = rebuild(settings, "out-css")
    assert refitted == {("leaflet", "thu-nghiem"), ("leaflet", "vneid-kich-hoat")}
    assert all(n == 1 for (kind, _), n in layouts.counts.items() if kind == "poster")
    before = memo_entries(settings)

    # A category's name (printed on the page): that category's guides only.
    category = load_library(settings.guides_dir, settings.categories).get("vneid-kich-hoat").category
    renamed = project_settings(
        project, settings.cache_dir,
        categories=tuple(dataclasses.replace(c, name=c.name + " mới") if c.id == category else c for c in settings.categories),
    )
    _, _, refitted = rebuild(renamed, "out-category")
    assert refitted == {("leaflet", "vneid-kich-hoat"), ("poster", "vneid-kich-hoat")}
    before = memo_entries(renamed)

    # A setting every page prints (site_url, in the QR codes): every document.
    moved = dataclasses.replace(renamed, site_url="https://camnang.test/moi/")
    _, _, refitted = rebuild(moved, "out-url")
    assert refitted == set(before)
    before = memo_entries(moved)

    # A setting leaflets and posters do not read (the radio speaking rate): nothing refitted.
    _, layouts, refitted = rebuild(dataclasses.replace(moved, radio_rate=moved.radio_rate + 10), "out-radio")
    assert refitted == set() and sorted(layouts.counts.values()) == [1, 1, 1, 1]


def lie(settings, kind: str, slug: str, index: int, fits, height: float | None = None) -> Path:
    """Rewrite a memo entry to name another variant, with a matching digest."""
    (path,) = (settings.cache_dir / "printables" / fitmemo.MEMO_DIR / kind).glob(f"{slug}.*.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    fit = fits[index]
    doc["index"] = index
    doc["fit"] = {**doc["fit"], "name": fit.name, "size": fit.size, "max_pages": fit.max_pages,
                  "drop": sorted(fit.drop), "shorten": dict(fit.shorten), "fixed": sorted(fit.fixed),
                  "options": dict(fit.options)}
    if height is not None:
        doc["height"] = height
    data = json.dumps(doc).encode()
    path.write_bytes(data)
    path.with_name(path.name + ".sha256").write_text(hashlib.sha256(data).hexdigest() + "\n")
    return path


def test_a_memo_that_lies_or_is_damaged_is_refitted_silently(cold, tmp_path):
    from camnang.printables import leaflet, poster

    project, settings, outputs = cold
    library = load_library(settings.guides_dir, settings.categories)
    vneid, short = library.get("vneid-kich-hoat"), library.get("thu-nghiem")
    ctx = PrintContext(settings)
    best = fitting.fitted("leaflet", vneid, ctx, LEAFLET.sources)
    assert leaflet.FITS[best].max_pages == 2

    # A variant that no longer fits: one page for a two-page guide.
    lie(settings, "leaflet", "vneid-kich-hoat", 0, leaflet.FITS)
    # A variant that fits but is not the best, with the height it had.
    lie(settings, "poster", "thu-nghiem", len(poster.FITS) - 1, poster.FITS)
    # A variant that fits, smaller than the best, claiming the best's height.
    worse = lie(settings, "leaflet", "thu-nghiem", 1, leaflet.FITS)
    # A damaged file: cut short, its digest no longer matches.
    (damaged,) = (settings.cache_dir / "printables" / fitmemo.MEMO_DIR / "poster").glob("vneid-kich-hoat.*.json")
    damaged.write_bytes(damaged.read_bytes()[:20])

    remove_outputs(settings)
    warnings: list[str] = []
    assert build(settings, tmp_path / "out-lies", warnings) == outputs
    assert warnings == []
    fitting._memo.clear()
    assert fitting.fitted("leaflet", vneid, ctx, LEAFLET.sources) == best
    assert fitting.fitted("leaflet", short, ctx, LEAFLET.sources) == 0
    assert fitting.fitted("poster", short, ctx, POSTER.sources) == 0
    assert fitting.fitted("poster", vneid, ctx, POSTER.sources) is not None
    assert json.loads(worse.read_text())["index"] == 0

    # Garbage with a matching digest is no memo either.
    garbage = b"\x00not json"
    damaged = next((settings.cache_dir / "printables" / fitmemo.MEMO_DIR / "poster").glob("vneid-kich-hoat.*.json"))
    damaged.write_bytes(garbage)
    damaged.with_name(damaged.name + ".sha256").write_text(hashlib.sha256(garbage).hexdigest())
    remove_outputs(settings)
    assert build(settings, tmp_path / "out-garbage", warnings) == outputs and warnings == []


def test_team_layouts_take_their_variant_from_the_memo(cold):
    """A team-pack worker lays out each guide's blank team layout once when
    another process fitted it before; the first fit starts from the
    generic layout's variant."""
    from camnang.printables.kinds import BLANK

    project, settings, _ = cold
    library = load_library(settings.guides_dir, settings.categories)
    blank = PrintContext(settings, BLANK)
    fitting._memo.clear()
    first = {kind.name: kind.render(library.get("vneid-kich-hoat"), blank) for kind in KINDS}
    fitting._memo.clear()
    with Layouts() as layouts:
        again = {kind.name: kind.render(library.get("vneid-kich-hoat"), blank) for kind in KINDS}
    assert again == first
    assert sorted(layouts.counts.values()) == [1, 1]
    for kind in KINDS:
        assert fitting.fitted_variant(kind.name, library.get("vneid-kich-hoat"), blank, kind.sources) is not None
