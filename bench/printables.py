"""Benchmark of the printables (issue 3), in one run, on the bundled guides:

- cold build of every printable (empty cache, worker processes), then the
  rebuild with nothing changed, then the rebuild after one guide changed;
- per document, in one process: camnang's render (template, QR codes,
  fitting the page, PDF) against a bare WeasyPrint render of the same final
  HTML (``HTML(string).write_pdf(stylesheets=...)``, a new font
  configuration and freshly parsed CSS each time, as a naive script does):
  the overhead ratio, target at most 1.25. Printed twice: the first render
  of a guide (variant not known yet, so fitting may lay out more than one
  variant) and a render with the variant known (what team packs and
  rebuilds of the same guide do);
- file sizes against the limits (leaflet 60 KB, poster 100 KB).

Times are the best of ``REPEAT`` runs (the machine is noisy). Run it with
``make bench`` or ``.venv/bin/python bench/printables.py``.
"""

from __future__ import annotations

import dataclasses
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEAT = 3
SITE_URL = os.environ.get("CAMNANG_SITE_URL") or "https://camnang.example.vn/"


def best(fn, repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    import weasyprint

    from camnang.config import load_settings
    from camnang.model import Library
    from camnang.printables import fitting, leaflet, pdf, pipeline, poster
    from camnang.printables.fonts import find_font
    from camnang.printables.kinds import PrintContext
    from camnang.validate import load_library

    with tempfile.TemporaryDirectory(prefix="camnang-bench-") as tmp:
        tmp = Path(tmp)
        settings = dataclasses.replace(
            load_settings(ROOT / "mkdocs.yml"), site_url=SITE_URL, cache_dir=tmp / "cache"
        )
        library = load_library(settings.guides_dir, settings.categories)
        guides = library.guides
        out = tmp / "out"
        print(f"printables: {len(guides)} guides, {settings.worker_count} workers, site_url {SITE_URL}")

        cold = pipeline.build(library, settings, out_dir=out, warn=lambda m: None)
        print(f"  cold build        {cold.seconds:6.2f} s  ({cold.rendered} files rendered, {len(cold.written)} written)")
        again = pipeline.build(library, settings, out_dir=out, warn=lambda m: None)
        print(f"  no-change rebuild {again.seconds:6.2f} s  ({again.rendered} rendered, {len(again.written)} written)")
        changed = dataclasses.replace(guides[0], digest=guides[0].digest + "-changed")
        one = Library(guides=(changed, *guides[1:]), categories=library.categories)
        touched = pipeline.build(one, settings, out_dir=out, warn=lambda m: None)
        print(f"  one guide changed {touched.seconds:6.2f} s  ({touched.rendered} rendered: {guides[0].slug})")

        # Per document, in this process, warmed up like a worker.
        ctx = PrintContext(settings)
        font_css = weasyprint.CSS(string=find_font(settings.print_font).css)
        kinds = ((leaflet.LEAFLET, leaflet, lambda g: leaflet.FITS), (poster.POSTER, poster, poster.fits))
        leaflet.render(guides[0], ctx)
        rows = []
        for kind, module, fits_of in kinds:
            sheets = [settings.posters_dir / name for name in module.STYLESHEETS]
            for guide in guides:
                layouts = 0
                original = pdf.Printer.layout

                def counting(self, *args, **kwargs):
                    nonlocal layouts
                    layouts += 1
                    return original(self, *args, **kwargs)

                def first_render():
                    fitting._memo.clear()
                    kind.render(guide, ctx)

                pdf.Printer.layout = counting
                first = best(first_render)
                pdf.Printer.layout = original
                layouts //= REPEAT
                known = best(lambda: kind.render(guide, ctx))
                html = module.html(guide, ctx, fits_of(guide)[fitting.fitted(kind.name, guide, ctx, kind.sources)])

                def bare():
                    weasyprint.HTML(string=html, base_url=str(settings.posters_dir) + "/").write_pdf(
                        stylesheets=[weasyprint.CSS(filename=str(s)) for s in sheets] + [font_css]
                    )

                rows.append((kind.name, guide.slug, first, known, best(bare), layouts))

        print("  per document (s): first render / variant known / bare WeasyPrint, layouts")
        for name, slug, first, known, bare_t, layouts in rows:
            print(f"    {name:8} {slug:28} {first:5.2f} {known:5.2f} {bare_t:5.2f}  {layouts}")
        for name in ("leaflet", "poster", None):
            sel = [r for r in rows if name is None or r[0] == name]
            label = name or "all"
            first_ratio = sum(r[2] for r in sel) / sum(r[4] for r in sel)
            known_ratio = sum(r[3] for r in sel) / sum(r[4] for r in sel)
            mean_layouts = statistics.mean(r[5] for r in sel)
            print(
                f"  overhead ratio {label:8} variant known {known_ratio:4.2f} (target <= 1.25), "
                f"first render {first_ratio:4.2f} ({mean_layouts:.2f} layouts per document)"
            )

        for kind, limit in (("to-roi-", 60), ("ap-phich-", 100)):
            sizes = sorted(p.stat().st_size for p in out.glob(f"{kind}*.pdf"))
            print(
                f"  size {kind}*.pdf  max {sizes[-1] / 1024:5.1f} KB, mean {statistics.mean(sizes) / 1024:5.1f} KB "
                f"(limit {limit} KB) {'ok' if sizes[-1] <= limit * 1024 else 'OVER'}"
            )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()
