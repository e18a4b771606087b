"""Draws quet-ma-qr.png, the example picture of guides/thanh-toan-qr.md
(step 3): a phone held in front of a QR sign, at a hand's distance, steady.

A pictogram made for camnang (not a copy of any app's screen), in black
on white only, with thick strokes and no grey fill, so that it survives a
black-and-white photocopy. The QR sign is a drawing, not a code: its
modules are not decodable.

The labels are sized for the leaflet, where the picture is printed at
most 38 mm high (``.step-image`` in posters/print.css and
posters/leaflet.css, the tightest variant): a label of ``size`` pixels
prints at size / H * 38 mm, so 46 px is 3.6 mm, 10.3 pt
(tests/test_example_picture.py checks every label against 9 pt). The
picture is wide (W / H = 2.5) so its labels can be large: it prints
about 95 mm wide, half the leaflet's text column.

    .venv/bin/python guides/anh/ve-anh-mau.py

The output is deterministic (same Pillow and fonts, same bytes).
"""

from pathlib import Path
from typing import NamedTuple

from PIL import Image, ImageDraw, ImageFont

W, H = 1200, 480
FONT = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"
BOLD = "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"
BLACK, WHITE = 0, 255
OUT = Path(__file__).with_name("quet-ma-qr.png")

# The phone (left), its viewfinder centre on the line of sight, the QR
# sign (right) centred on the same line.
PX, PY, PW, PH = 40, 22, 210, 380
SIGHT_Y = PY + PH // 2 - 5
QS = 21 * 11
QX, QY = 1040 - QS // 2, SIGHT_Y - QS // 2
GAP_L, GAP_R = PX + PW + 30, QX - 42
MID = (GAP_L + GAP_R) // 2
ARROW_Y = 448


class Label(NamedTuple):
    text: str
    size: int
    """Font size in pixels of the picture (the em, as Pillow takes it)."""
    bold: bool
    xy: tuple[int, int]
    anchor: str


LABELS = (
    Label("Giữ yên tay,", 50, True, (MID, 70), "ms"),
    Label("chờ điện thoại đọc xong", 46, False, (MID, 130), "ms"),
    Label("Tấm mã QR", 50, True, (QX + QS // 2, QY + QS + 70), "ms"),
    Label("khoảng một gang tay", 46, False, (MID, ARROW_Y - 26), "ms"),
)


def qr_pictogram(d: ImageDraw.ImageDraw, x: int, y: int, size: int, frame: bool = True) -> None:
    cell = size // 21
    if frame:
        d.rectangle([x - 12, y - 12, x + size + 12, y + size + 12], outline=BLACK, width=8, fill=WHITE)

    def module(i: int, j: int) -> None:
        d.rectangle([x + i * cell, y + j * cell, x + (i + 1) * cell - 1, y + (j + 1) * cell - 1], fill=BLACK)

    for fx, fy in ((0, 0), (14, 0), (0, 14)):
        d.rectangle([x + fx * cell, y + fy * cell, x + (fx + 7) * cell - 1, y + (fy + 7) * cell - 1], fill=BLACK)
        d.rectangle([x + (fx + 1) * cell, y + (fy + 1) * cell, x + (fx + 6) * cell - 1, y + (fy + 6) * cell - 1], fill=WHITE)
        d.rectangle([x + (fx + 2) * cell, y + (fy + 2) * cell, x + (fx + 5) * cell - 1, y + (fy + 5) * cell - 1], fill=BLACK)
    # A regular pattern, clearly a drawing (no data, no error correction).
    for i in range(8, 21):
        for j in range(8, 21):
            if (i * 3 + j * 5) % 7 in (0, 2, 3):
                module(i, j)
    for i in range(8, 13):
        for j in range(0, 8):
            if (i + j) % 2 == 0:
                module(i, j)
                module(j, i)


def draw() -> Image.Image:
    img = Image.new("L", (W, H), WHITE)
    d = ImageDraw.Draw(img)

    # The phone, seen from the side of the person holding it: a white
    # screen framed in black, the QR sign small in its viewfinder.
    d.rounded_rectangle([PX, PY, PX + PW, PY + PH], radius=32, outline=BLACK, width=9, fill=WHITE)
    d.rectangle([PX + 22, PY + 46, PX + PW - 22, PY + PH - 58], outline=BLACK, width=5)
    d.ellipse([PX + PW // 2 - 16, PY + PH - 46, PX + PW // 2 + 16, PY + PH - 14], outline=BLACK, width=6)
    cx, s = PX + PW // 2, 72
    qr_pictogram(d, cx - 52, SIGHT_Y - 52, 105, frame=False)
    for sx in (-1, 1):
        for sy in (-1, 1):
            x0, y0 = cx + sx * s, SIGHT_Y + sy * s
            d.line([x0, y0, x0 - sx * 30, y0], fill=BLACK, width=8)
            d.line([x0, y0, x0, y0 - sy * 30], fill=BLACK, width=8)

    # The QR sign on the shop's counter.
    qr_pictogram(d, QX, QY, QS)

    # Line of sight: thick black dashes (a grey line fades on a photocopy).
    for x in range(GAP_L, GAP_R - 20, 44):
        d.line([x, SIGHT_Y, min(x + 26, GAP_R), SIGHT_Y], fill=BLACK, width=7)
    # The distance between them, a double arrow.
    d.line([GAP_L + 10, ARROW_Y, GAP_R - 10, ARROW_Y], fill=BLACK, width=7)
    for x0, sign in ((GAP_L, 1), (GAP_R, -1)):
        d.polygon([(x0, ARROW_Y), (x0 + sign * 30, ARROW_Y - 17), (x0 + sign * 30, ARROW_Y + 17)], fill=BLACK)

    for label in LABELS:
        font = ImageFont.truetype(BOLD if label.bold else FONT, label.size)
        d.text(label.xy, label.text, font=font, fill=BLACK, anchor=label.anchor)
    return img


def main() -> None:
    draw().save(OUT, optimize=True)
    print(OUT, OUT.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
