"""Draws quet-ma-qr.png, the example picture of guides/thanh-toan-qr.md
(step 3): a phone held in front of a QR sign, at a hand's distance, steady.

A pictogram made for camnang (not a copy of any app's screen), in black
and grey on white so that it survives a black-and-white photocopy. The QR
sign is a drawing, not a code: its modules are not decodable.

    .venv/bin/python guides/anh/ve-anh-mau.py
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

W, H = 1200, 560
FONT = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"
BOLD = "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"
BLACK, GREY, LIGHT, WHITE = 0, 110, 215, 255


def qr_pictogram(d: ImageDraw.ImageDraw, x: int, y: int, size: int) -> None:
    cell = size // 21
    d.rectangle([x - 12, y - 12, x + size + 12, y + size + 12], outline=BLACK, width=6, fill=WHITE)
    for fx, fy in ((0, 0), (14, 0), (0, 14)):
        d.rectangle([x + fx * cell, y + fy * cell, x + (fx + 7) * cell - 1, y + (fy + 7) * cell - 1], fill=BLACK)
        d.rectangle([x + (fx + 1) * cell, y + (fy + 1) * cell, x + (fx + 6) * cell - 1, y + (fy + 6) * cell - 1], fill=WHITE)
        d.rectangle([x + (fx + 2) * cell, y + (fy + 2) * cell, x + (fx + 5) * cell - 1, y + (fy + 5) * cell - 1], fill=BLACK)
    # A regular pattern, clearly a drawing (no data, no error correction).
    for i in range(8, 21):
        for j in range(8, 21):
            if (i * 3 + j * 5) % 7 in (0, 2, 3):
                d.rectangle([x + i * cell, y + j * cell, x + (i + 1) * cell - 1, y + (j + 1) * cell - 1], fill=BLACK)
    for i in range(8, 13):
        for j in range(0, 8):
            if (i + j) % 2 == 0:
                d.rectangle([x + i * cell, y + j * cell, x + (i + 1) * cell - 1, y + (j + 1) * cell - 1], fill=BLACK)
                d.rectangle([x + j * cell, y + i * cell, x + (j + 1) * cell - 1, y + (i + 1) * cell - 1], fill=BLACK)


def main() -> None:
    img = Image.new("L", (W, H), WHITE)
    d = ImageDraw.Draw(img)
    text = ImageFont.truetype(FONT, 34)
    bold = ImageFont.truetype(BOLD, 38)

    # The phone, seen from the side of the person holding it.
    px, py, pw, ph = 90, 70, 250, 420
    d.rounded_rectangle([px, py, px + pw, py + ph], radius=34, outline=BLACK, width=8, fill=WHITE)
    d.rounded_rectangle([px + 22, py + 50, px + pw - 22, py + ph - 60], radius=10, fill=LIGHT)
    d.ellipse([px + pw // 2 - 16, py + ph - 46, px + pw // 2 + 16, py + ph - 14], outline=BLACK, width=5)
    # Viewfinder corners on the screen.
    cx, cy, s = px + pw // 2, py + ph // 2 - 5, 70
    for sx in (-1, 1):
        for sy in (-1, 1):
            x0, y0 = cx + sx * s, cy + sy * s
            d.line([x0, y0, x0 - sx * 34, y0], fill=BLACK, width=8)
            d.line([x0, y0, x0, y0 - sy * 34], fill=BLACK, width=8)

    # The QR sign on the shop's counter.
    qx, qy, qs = 830, 120, 273
    qr_pictogram(d, qx, qy, qs)
    d.text((qx + qs // 2, qy + qs + 40), "Tấm mã QR", font=bold, fill=BLACK, anchor="mt")

    # Line of sight and the distance between them.
    d.line([px + pw + 20, cy, qx - 40, cy], fill=GREY, width=5)
    for x in range(px + pw + 20, qx - 40, 36):
        d.line([x, cy, x + 18, cy], fill=WHITE, width=7)
    ay = 470
    d.line([px + pw + 30, ay, qx - 40, ay], fill=BLACK, width=5)
    for x0, sign in ((px + pw + 30, 1), (qx - 40, -1)):
        d.polygon([(x0, ay), (x0 + sign * 26, ay - 14), (x0 + sign * 26, ay + 14)], fill=BLACK)
    d.text(((px + pw + qx) // 2 - 5, ay - 16), "khoảng một gang tay", font=text, fill=BLACK, anchor="mb")
    d.text(((px + pw + qx) // 2 - 5, 110), "Giữ yên tay", font=bold, fill=BLACK, anchor="mb")
    d.text(((px + pw + qx) // 2 - 5, 160), "chờ điện thoại đọc xong", font=text, fill=BLACK, anchor="mb")

    out = Path(__file__).with_name("quet-ma-qr.png")
    img.save(out, optimize=True)
    print(out, out.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
