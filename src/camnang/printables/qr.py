"""QR codes sized in millimetres of the printed symbol: a bitmap of one
pixel per module for the PDFs, an inline SVG for the Zalo cards.

In a PDF (``QrCode.img``) a code is a 1-bit picture, quiet zone
included, drawn without interpolation (``image-rendering: pixelated`` in
print.css: ``/Interpolate false``), so every module prints as a sharp
square at any printer resolution, and a code that appears several times
in one file (the course on every leaflet of ``tron-bo.pdf``) is stored
once. Drawn as vector paths (segno's SVG), the codes were about half of
every leaflet's and poster's compressed page content (issue 27). The
picture is not a file: its ``src`` is a ``camnang-qr:`` address that
carries the modules themselves (``image_url``), which the print fetcher
(``pdf.safe_fetcher``) turns into a PNG with ``png_of``; nothing is read
or fetched, and the address a guide or roster gives is never part of it
(only the modules segno made of it). The Zalo cards, rasterised to PNG
at their own scale, keep the vector ``QrCode.svg``.

Rules (issue 3, "QR codes"):

- a quiet zone of 4 modules, drawn white, so a code still scans when the
  paper around it is shaded or written on;
- error correction at least M on leaflets and Q on posters (segno raises
  it further when that costs no extra modules: free robustness for
  photocopies and creased paper);
- a code is placed in a box of fixed printed width, quiet zone included,
  with a floor on the width of the symbol itself (30 mm leaflets, 60 mm
  posters).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache

import segno
from markupsafe import Markup

QUIET_ZONE = 4
SCHEME = "camnang-qr:"
"""Address of a code's picture: ``camnang-qr:<pixels a side>/<hex>``,
the rows of pixels (quiet zone included) as bits, 1 for a light module,
each row padded to whole bytes (``png_of``)."""
MAX_PIXELS = 177 + 2 * QUIET_ZONE
"""Widest code: version 40 and its quiet zone."""
_IMAGE_URL = re.compile(r"camnang-qr:(\d{2,3})/([0-9a-f]+)")


@dataclass(frozen=True)
class QrCode:
    url: str
    version: str
    """segno's designator, e.g. "4-M": version and error level."""
    modules: int
    """Width of the symbol in modules, without the quiet zone."""
    symbol_mm: float
    svg: Markup
    """An ``<svg>`` element with its printed size in mm (Zalo cards)."""
    src: str = ""
    """Its picture, one pixel per module (``image_url``)."""

    @property
    def width_mm(self) -> float:
        """Printed width including the quiet zone."""
        return self.symbol_mm * (self.modules + 2 * QUIET_ZONE) / self.modules

    @property
    def img(self) -> Markup:
        """An ``<img>`` of the code at its printed size, for the PDFs."""
        return Markup(
            '<img class="qr-img" src="{}" alt="Mã QR" style="width: {:.3f}mm; height: {:.3f}mm">'
        ).format(self.src, self.width_mm, self.width_mm)


@lru_cache(maxsize=256)
def qr_code(url: str, width_mm: float, error: str = "m", min_symbol_mm: float = 0.0) -> QrCode:
    """The QR code of ``url``, printed ``width_mm`` wide with its quiet zone.

    The symbol is then ``width_mm * modules / (modules + 8)`` wide, but
    never less than ``min_symbol_mm`` (the code grows past ``width_mm``
    instead): a fixed box keeps the layout around it the same whatever the
    length of the address.

    Only absolute ``https://`` addresses are encoded: a phone cannot open a
    relative or local path, so asking for one is a programming error.
    """
    if not url.startswith("https://"):
        raise ValueError(f"QR codes encode https:// addresses only, not {url!r}")
    qr = segno.make(url, error=error, micro=False)
    modules = qr.symbol_size(border=0)[0]
    symbol_mm = max(min_symbol_mm, width_mm * modules / (modules + 2 * QUIET_ZONE))
    width = symbol_mm * (modules + 2 * QUIET_ZONE) / modules
    body = qr.svg_inline(
        border=QUIET_ZONE,
        dark="#000",
        light="#fff",
        omitsize=True,
        svgclass=None,
        lineclass=None,
    )
    assert body.startswith("<svg ")
    # Printed size in mm; crisp edges so rasterisers do not blur module borders.
    body = body.replace(
        "<svg ",
        f'<svg width="{width:.3f}mm" height="{width:.3f}mm" shape-rendering="crispEdges" ',
        1,
    )
    return QrCode(
        url=url, version=qr.designator, modules=modules, symbol_mm=symbol_mm, svg=Markup(body), src=image_url(qr),
    )


def image_url(qr: segno.QRCode) -> str:
    """The ``camnang-qr:`` address of ``qr``'s picture (``SCHEME``)."""
    rows = list(qr.matrix_iter(scale=1, border=QUIET_ZONE))
    data = bytearray()
    for row in rows:
        bits = [0 if dark else 1 for dark in row] + [0] * (-len(row) % 8)
        data.extend(int("".join(map(str, bits[i:i + 8])), 2) for i in range(0, len(bits), 8))
    return f"{SCHEME}{len(rows)}/{data.hex()}"


@lru_cache(maxsize=64)
def png_of(url: str) -> bytes | None:
    """The PNG of a ``camnang-qr:`` address (``image_url``): one pixel a
    module, black and white; None for anything else, which the fetcher
    refuses. Greyscale, not 1-bit: WeasyPrint turns a 1-bit PNG into RGB,
    and keeps a grey one as it is (one byte a pixel, compressed)."""
    from PIL import Image

    match = _IMAGE_URL.fullmatch(url)
    if match is None:
        return None
    size = int(match.group(1))
    if not 21 + 2 * QUIET_ZONE <= size <= MAX_PIXELS or len(match.group(2)) != 2 * size * ((size + 7) // 8):
        return None
    image = Image.frombytes("1", (size, size), bytes.fromhex(match.group(2))).convert("L")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def one_bit_images(pdf) -> int:
    """Store every black-and-white greyscale picture of ``pdf`` (a pikepdf
    document: the QR codes, ``png_of``) at 1 bit a pixel instead of 8, as
    ``/BitsPerComponent 1``: the same pixels, about half the bytes, and a
    stream dictionary without predictor parameters. Pictures with any grey,
    a mask or a decode array are left alone. Returns how many were
    rewritten (``stamp`` and ``booklet`` call it on every file they save)."""
    import zlib

    import pikepdf
    from PIL import Image

    done = 0
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream):
            continue
        d = obj.stream_dict
        if (
            d.get("/Subtype") != "/Image" or d.get("/ColorSpace") != "/DeviceGray"
            or d.get("/BitsPerComponent") != 8 or "/SMask" in d or "/Mask" in d or "/Decode" in d
            or d.get("/Filter") != "/FlateDecode" or d.get("/ImageMask", False)
        ):
            continue
        width, height = int(d.Width), int(d.Height)
        if width > MAX_PIXELS or height > MAX_PIXELS:
            continue
        try:
            pixels = obj.read_bytes()
        except pikepdf.PdfError:
            continue
        if len(pixels) != width * height or pixels.translate(None, b"\x00\xff"):
            continue
        packed = Image.frombytes("L", (width, height), pixels).point(lambda v: 255 if v else 0, "1").tobytes()
        obj.write(zlib.compress(packed, 9), filter=pikepdf.Name.FlateDecode)
        obj.BitsPerComponent = 1
        done += 1
    return done


LONG_SEGMENT = 18
"""A host or path segment longer than this may also break after a "."."""


def display_address(url: str) -> Markup:
    """An address as printed under its QR code, for a reader to type.

    Short form: no scheme, no "www.", no final slash. It breaks only after
    a "/" (or after a "." inside a part longer than ``LONG_SEGMENT``, and
    after a "-" inside a piece still longer than that; the hyphen ends the
    line, never starts one): each piece between break points is one unbreakable
    span (``.nw``, ``white-space: nowrap`` in print.css), the break points
    ``<wbr>``. Nothing is added or removed inside the address, so the text
    copied out of the PDF is the address itself.
    """
    text = url
    for prefix in ("https://", "http://"):
        if text.startswith(prefix):
            text = text[len(prefix):]
    if text.startswith("www."):
        text = text[4:]
    text = text.rstrip("/")
    pieces: list[str] = []
    for part in re.split(r"(?<=/)", text):
        for piece in re.split(r"(?<=\.)", part) if len(part) > LONG_SEGMENT else [part]:
            if len(piece) > LONG_SEGMENT:
                # Still too long for a caption (a slug of many words): it
                # may break after a hyphen, which stays at the end of the
                # line, so what is typed is still the address.
                pieces.extend(p for p in re.split(r"(?<=-)", piece) if p)
            elif piece:
                pieces.append(piece)
    return Markup("<wbr>").join(Markup('<span class="nw">{}</span>').format(p) for p in pieces)
