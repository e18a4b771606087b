"""The example picture of thanh-toan-qr (guides/anh/quet-ma-qr.png, drawn by
guides/anh/ve-anh-mau.py) prints its labels at 9 pt or more on the leaflet
and stays a black-on-white drawing that survives a photocopy.

In-process, no build (a few tens of milliseconds): the label sizes come
from the script, which draws the picture again here and must give the
committed PNG; the printed width comes from the print CSS
(``.step-image``: max-height and max-width) and the leaflet's page margins.
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from pathlib import Path

from PIL import Image, ImageChops

from camnang.printables import leaflet

ROOT = Path(__file__).resolve().parent.parent
PICTURE = ROOT / "guides" / "anh" / "quet-ma-qr.png"
SCRIPT = ROOT / "guides" / "anh" / "ve-anh-mau.py"
POSTERS = ROOT / "posters"
MIN_PT = 9
MM_PER_PT = 25.4 / 72


def load_script():
    spec = importlib.util.spec_from_file_location("ve_anh_mau", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rules(css: str) -> list[tuple[str, str]]:
    """(selector, declarations) of the innermost blocks of ``css``."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    return re.findall(r"([^{}]+)\{([^{}]*)\}", css)


def printed_width_mm(width_px: int, height_px: int) -> float:
    """The widest a step picture of this size can print on a leaflet, in
    its tightest variant: the smallest ``.step-image`` max-height of any
    print stylesheet, and never wider than the text column (A4 less the
    leaflet's side margins and the step number, 2 em at the largest type)
    nor than any max-width in mm."""
    heights, widths = [], []
    for path in sorted(POSTERS.glob("*.css")):
        for selector, body in rules(path.read_text(encoding="utf-8")):
            if ".step-image" not in selector:
                continue
            heights += [float(v) for v in re.findall(r"(?<![-\w])(?:max-)?height:\s*([\d.]+)mm", body)]
            for value in re.findall(r"(?<![-\w])(?:max-)?width:\s*([^;]+)", body):
                value = value.strip()
                if value.endswith("mm"):
                    widths.append(float(value[:-2]))
                else:
                    assert value == "100%", f"{path.name}: .step-image width {value}: teach this test about it"
    assert heights, ".step-image has no max-height in mm in posters/*.css"
    page = re.search(r"@page\s*\{[^{}]*?margin:\s*[\d.]+mm\s+([\d.]+)mm\s+[\d.]+mm\s+([\d.]+)mm", (POSTERS / "leaflet.css").read_text(encoding="utf-8"))
    right, left = (float(v) for v in page.groups())
    column = 210 - left - right - 2 * max(fit.size for fit in leaflet.FITS) * MM_PER_PT
    return min([column, *widths, min(heights) * width_px / height_px])


def test_example_picture_labels_print_at_9_pt_or_more():
    """Fails when a label is drawn smaller, the picture made taller for its
    width, the print CSS lets it print smaller (a lower max-height), or the
    PNG no longer is what the script draws (replaced, or the script edited
    without drawing it again)."""
    script = load_script()
    committed = Image.open(PICTURE)
    assert committed.size == (script.W, script.H)

    # The PNG is the script's drawing, to within antialiasing (moving the
    # labels by one pixel changes 1.3 % of the pixels, drawing them 2 %
    # smaller 2.5 %).
    drawn = script.draw()
    changed = ImageChops.difference(committed.convert("L"), drawn).point(lambda v: 255 if v > 64 else 0).histogram()[255]
    assert changed / (script.W * script.H) < 0.01, "quet-ma-qr.png is not what ve-anh-mau.py draws: run .venv/bin/python guides/anh/ve-anh-mau.py"

    width_mm = printed_width_mm(*committed.size)
    sizes = {label.text: label.size / committed.width * width_mm / MM_PER_PT for label in script.LABELS}
    assert len(sizes) >= 4, "the picture says where the phone and the sign are, and how far apart"
    small = {text: round(pt, 2) for text, pt in sizes.items() if pt < MIN_PT}
    assert not small, f"labels printed below {MIN_PT} pt at {width_mm:.0f} mm wide: {small}"
    for text in sizes:
        assert unicodedata.is_normalized("NFC", text), text

    # Black on white: only antialiased edges are grey (a grey fill or a
    # grey line would fade or speckle on a photocopy).
    grey = sum(committed.convert("L").histogram()[31:225])
    assert grey / (script.W * script.H) < 0.02
