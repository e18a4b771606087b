"""The guides' pictures: checked by content, bounded, scaled for print.

Images are untrusted input like the guides. Each file of the image folder
(``guides/anh/``) is checked when the guides are loaded (``check``):

- by content, not by name: Pillow must identify it as PNG or JPEG (an SVG,
  which can carry script, or anything else renamed ``.png`` is refused);
- at most ``MAX_PIXELS`` pixels, read from the header before anything is
  decoded (a 21 KB PNG can declare 9000 x 9000 pixels and cost a worker
  727 MB to embed);
- decoded whole: ``Image.verify`` (structure, checksums) then ``load``
  (the pixels), so a damaged or garbage file is an error naming it, not a
  picture silently left off the leaflet.

Printing never needs more than ``PRINT_MAX_SIDE`` pixels on the longest
side: a larger picture is scaled down once (``for_print``) and kept in the
build cache (``<cache_dir>/printables/images/``, with its digest, through
``printables.cache``), so WeasyPrint only ever decodes the small copy.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from pathlib import Path

MAX_PIXELS = 25_000_000
"""Pixels in one image. An A4 page at 300 dpi is 8.7 million (2480 x 3508),
and a picture fills at most a third of a leaflet page: 25 million leaves
room for any honest screenshot or photo (a 12-megapixel phone photo
passes) while bounding what a worker decodes to about 100 MB."""
PRINT_MAX_SIDE = 2000
"""Longest side, in pixels, of a picture as printed: a step picture is at
most about 8 cm wide on a leaflet and 17 cm on a poster, 2000 px is
300 dpi over 17 cm. Larger pictures are scaled down to it for print."""
FORMATS = {"PNG": ("image/png", ".png"), "JPEG": ("image/jpeg", ".jpg")}


def _open(data: bytes):
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        return Image.open(io.BytesIO(data))


def check(data: bytes) -> str | None:
    """Why ``data`` is not a usable picture (Vietnamese), or None."""
    from PIL import Image, UnidentifiedImageError

    try:
        image = _open(data)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own limit (89 million pixels) is above ours.
        return f"ảnh có hơn {Image.MAX_IMAGE_PIXELS // 1_000_000} triệu điểm ảnh, tối đa {MAX_PIXELS // 1_000_000} triệu điểm ảnh"
    except UnidentifiedImageError:
        image = None
    except Exception as e:  # noqa: BLE001 -- Pillow raises many kinds for a bad file
        return f"tệp ảnh hỏng, không đọc được ({type(e).__name__})"
    if image is None:
        if data.lstrip()[:5].lower() in (b"<?xml", b"<svg ", b"<svg>") or b"<svg" in data[:1024].lower():
            return "tệp là ảnh SVG (chỉ nhận ảnh PNG hoặc JPEG)"
        return "nội dung tệp không phải ảnh PNG hoặc JPEG"
    if image.format not in FORMATS:
        return f"tệp là ảnh {image.format}, không phải PNG hoặc JPEG"
    width, height = image.size
    if width * height > MAX_PIXELS:
        return (
            f"ảnh {width}×{height} điểm ảnh ({width * height / 1e6:.0f} triệu), "
            f"tối đa {MAX_PIXELS // 1_000_000} triệu điểm ảnh"
        )
    if width < 1 or height < 1:
        return "ảnh không có điểm ảnh nào"
    try:
        image.verify()
        image = _open(data)
        image.load()
    except Exception as e:  # noqa: BLE001
        return f"tệp ảnh hỏng, không giải mã được ({type(e).__name__})"
    return None


def for_print(data: bytes, cache_dir: Path | None = None) -> tuple[bytes, str]:
    """The picture ``data`` (checked by ``check``) as printing needs it,
    with its media type: as it is when its longest side is at most
    ``PRINT_MAX_SIDE``, else scaled down to it (kept in ``cache_dir``'s
    printables cache when given)."""
    image = _open(data)
    mime, suffix = FORMATS.get(image.format, ("image/png", ".png"))
    if max(image.size) <= PRINT_MAX_SIDE:
        return data, mime
    entry = None
    if cache_dir is not None:
        from .printables.cache import Cache

        cache = Cache(cache_dir)
        key = hashlib.sha256(b"print-image 1\0%d\0" % PRINT_MAX_SIDE + data).hexdigest()
        entry = cache.root / "images" / f"{key[:32]}{suffix}"
        cached = Cache.load(entry)
        if cached is not None:
            return cached, mime
    if image.format == "JPEG":
        image.draft(image.mode, (PRINT_MAX_SIDE, PRINT_MAX_SIDE))  # decode at 1/2, 1/4, 1/8
    image.thumbnail((PRINT_MAX_SIDE, PRINT_MAX_SIDE))
    out = io.BytesIO()
    if suffix == ".jpg":
        image.convert("RGB").save(out, "JPEG", quality=90)
    else:
        image.save(out, "PNG", optimize=False)
    small = out.getvalue()
    if entry is not None:
        try:
            Cache(cache_dir).put(entry, small)
        except Exception:  # noqa: BLE001 -- the cache only saves time
            pass
    return small, mime
