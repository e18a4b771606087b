"""Benchmark of the printables (issues 3 and 15), in one run, on the
bundled guides (every leaflet A4 and poster A3), all in this process, one
after the other, CPU time (``time.process_time``):

1. camnang **fully cold**: empty cache, no fit memo; ``pipeline.build``
   in one process (template, QR codes, fitting, PDF, cache, output
   folder). Prints the layouts per document the fitting needed;
2. **bare WeasyPrint** per document: the same final HTML (the variant
   camnang chose) through ``HTML(string).write_pdf(stylesheets=...)``, a
   new font configuration and freshly parsed CSS each time, as a naive
   script does (measured after step 3);
3. camnang with the **fit memo present but the outputs removed** (a fresh
   build, a CI run, a team-pack worker): the ratio to bare WeasyPrint,
   target at most 1.25 (issue 15, item 1), and its outputs byte-identical
   to those of step 1;
4. a rebuild with nothing changed, and one with one guide changed (only
   its documents re-fitted), file sizes against the limits.

Ratios compare figures measured side by side in this run (the machine is
noisy). Run it with ``make bench`` or ``.venv/bin/python bench/printables.py``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE_URL = os.environ.get("CAMNANG_SITE_URL") or "https://camnang.example.vn/"
TARGET = 1.25
"""Camnang's CPU per document at most this many times bare WeasyPrint's."""
LAYOUTS_BEFORE = 2.47
"""Layouts per document of a fully cold fit before the fit memo and the
first guesses (79 for the 32 bundled documents, measured on the same guides)."""


class LayoutCounter:
    """Counts WeasyPrint layouts made by camnang's printer."""

    def __init__(self):
        from camnang.printables import pdf

        self.pdf, self.original, self.count = pdf, pdf.Printer.layout, 0

    def __enter__(self):
        original = self.original

        def counting(printer, *args, **kwargs):
            self.count += 1
            return original(printer, *args, **kwargs)

        self.pdf.Printer.layout = counting
        return self

    def __exit__(self, *exc):
        self.pdf.Printer.layout = self.original


def cpu(fn) -> tuple[float, object]:
    started = time.process_time()
    result = fn()
    return time.process_time() - started, result


def main() -> list[tuple[str, str, str, bool]]:
    import weasyprint

    from camnang.config import load_settings
    from camnang.model import Library
    from camnang.printables import fitmemo, fitting, pipeline
    from camnang.printables.fonts import find_font
    from camnang.printables.kinds import PrintContext
    from camnang.printables.leaflet import LEAFLET
    from camnang.printables.poster import POSTER
    from camnang.printables import leaflet, poster
    from camnang.validate import load_library

    modules = {LEAFLET.name: leaflet, POSTER.name: poster}
    kinds = (LEAFLET, POSTER)
    quiet = lambda message: None  # noqa: E731

    with tempfile.TemporaryDirectory(prefix="camnang-bench-") as tmp:
        tmp = Path(tmp)
        settings = dataclasses.replace(load_settings(ROOT / "mkdocs.yml"), site_url=SITE_URL, cache_dir=tmp / "cache")
        library = load_library(settings.guides_dir, settings.categories)
        guides = library.guides
        docs = [(kind, guide) for kind in kinds for guide in guides]
        ctx = PrintContext(settings)
        print(
            f"printables: {len(guides)} guides, {len(docs)} documents (leaflets A4, posters A3), "
            f"one process, CPU seconds, site_url {SITE_URL}"
        )

        def build(kind, out: Path) -> tuple[float, int, object]:
            """CPU seconds and layouts of one build of ``kind``'s documents
            in this process, as a new process would run it (only the memo
            on disk known)."""
            fitting._memo.clear()
            with LayoutCounter() as counter:
                seconds, result = cpu(
                    lambda: pipeline.build(library, settings, kinds=(kind,), jobs=1, out_dir=out, warn=quiet)
                )
            return seconds, counter.count, result

        def outputs(out: Path) -> dict[str, bytes]:
            return {p.name: p.read_bytes() for p in sorted(out.glob("*.pdf"))}

        # Warm-up (imports, font configuration, QR encoder), not measured.
        leaflet.html(guides[0], ctx, leaflet.FITS[0])
        fitting.printer(settings.print_font, ctx.where)

        # 1. Fully cold: no cache, no memo.
        cold = {kind.name: build(kind, tmp / "out-cold") for kind in kinds}
        cold_files = outputs(tmp / "out-cold")

        # 2. Bare WeasyPrint on the final HTML of each document.
        font_css = weasyprint.CSS(string=find_font(settings.print_font).css)
        htmls = []
        for kind, guide in docs:
            module = modules[kind.name]
            fit = fitting.fitted_variant(kind.name, guide, ctx, kind.sources)
            sheets = [settings.posters_dir / name for name in module.STYLESHEETS]
            htmls.append((kind.name, module.html(guide, ctx, fit), sheets))

        def bare() -> dict[str, float]:
            per_kind: dict[str, float] = {}
            for name, html, sheets in htmls:
                seconds, _ = cpu(
                    lambda: weasyprint.HTML(string=html, base_url=str(settings.posters_dir) + "/").write_pdf(
                        stylesheets=[weasyprint.CSS(filename=str(s)) for s in sheets] + [font_css]
                    )
                )
                per_kind[name] = per_kind.get(name, 0.0) + seconds
            return per_kind

        # 3. Memo present, outputs removed (fresh build, CI, team-pack worker).
        for kind in kinds:
            shutil.rmtree(settings.cache_dir / "printables" / kind.name, ignore_errors=True)
        memos = sum(1 for _ in (settings.cache_dir / "printables" / fitmemo.MEMO_DIR).rglob("*.json"))
        memo = {kind.name: build(kind, tmp / "out-memo") for kind in kinds}
        memo_files = outputs(tmp / "out-memo")
        bare_cpu = bare()

        n = len(guides)
        print("  bare WeasyPrint per document: " + ", ".join(f"{name} {bare_cpu[name] / n:.2f} s" for name in bare_cpu))
        for label, runs in (("fully cold (no cache, no memo)", cold), (f"memo present ({memos} entries), outputs removed", memo)):
            print(f"  camnang {label}:")
            for name in [*bare_cpu, None]:
                names = [name] if name else list(bare_cpu)
                seconds = sum(runs[k][0] for k in names)
                layouts = sum(runs[k][1] for k in names)
                ratio = seconds / sum(bare_cpu[k] for k in names)
                docs_n = n * len(names)
                verdict = f"target <= {TARGET}: {'ok' if ratio <= TARGET else 'OVER'}" if runs is memo else "no target"
                print(
                    f"    {name or 'all':8} {seconds / docs_n:5.2f} s per document, "
                    f"{layouts / docs_n:4.2f} layouts per document, ratio to bare {ratio:4.2f} ({verdict})"
                )
        same = memo_files == cold_files and len(cold_files) == len(docs)
        digest = hashlib.sha256(b"".join(name.encode() + b"\0" + data for name, data in cold_files.items())).hexdigest()
        print(
            f"  outputs with memo byte-identical to fully cold: {'yes' if same else 'NO'} "
            f"({len(cold_files)} files, sha256 of all {digest[:16]})"
        )

        # 4. Rebuilds.
        out = tmp / "out-memo"
        fitting._memo.clear()
        seconds, again = cpu(lambda: pipeline.build(library, settings, kinds=kinds, jobs=1, out_dir=out, warn=quiet))
        print(f"  no-change rebuild  {seconds:6.2f} s  ({again.rendered} rendered, {len(again.written)} written)")
        changed = dataclasses.replace(guides[0], digest=guides[0].digest + "-changed")
        one = Library(guides=(changed, *guides[1:]), categories=library.categories)
        fitting._memo.clear()
        with LayoutCounter() as counter:
            seconds, touched = cpu(lambda: pipeline.build(one, settings, kinds=kinds, jobs=1, out_dir=out, warn=quiet))
        print(
            f"  one guide changed  {seconds:6.2f} s  ({touched.rendered} rendered: {guides[0].slug}, "
            f"{counter.count} layouts; the other guides' memos still used)"
        )

        all_cold_layouts = sum(runs[1] for runs in cold.values()) / len(docs)
        all_memo_ratio = sum(runs[0] for runs in memo.values()) / sum(bare_cpu.values())
        all_cold_ratio = sum(runs[0] for runs in cold.values()) / sum(bare_cpu.values())

        for kind, limit in (("to-roi-", 60), ("ap-phich-", 100)):
            sizes = sorted(len(data) for name, data in cold_files.items() if name.startswith(kind))
            print(
                f"  size {kind}*.pdf  max {sizes[-1] / 1024:5.1f} KB, mean {statistics.mean(sizes) / 1024:5.1f} KB "
                f"(limit {limit} KB) {'ok' if sizes[-1] <= limit * 1024 else 'OVER'}"
            )

    # Headline figures for bench/run.py's closing table.
    return [
        ("printables with fit memo, no outputs: CPU vs bare WeasyPrint", f"{all_memo_ratio:.2f}x", f"<= {TARGET}x", all_memo_ratio <= TARGET),
        # For information: a first build ever. Since posters take the first
        # variant that really fits (no one-column variant skipped on a
        # pessimistic guess), it lays out more than the older fitting's
        # LAYOUTS_BEFORE, which printed 6 of 16 posters smaller than needed;
        # every later build reads the memo (1.0 layout a document, above).
        ("printables fully cold (no memo): layouts per document", f"{all_cold_layouts:.2f} ({all_cold_ratio:.2f}x bare)",
         f"none (was {LAYOUTS_BEFORE}, less exact)", None),
        ("printables: outputs with memo identical to without", "yes" if same else "no", "yes", same),
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()
