"""HTML to PDF with WeasyPrint, preparing the costly parts once per process.

A ``Printer`` owns one ``FontConfiguration`` and every stylesheet it has
parsed (keyed by file content, so an edited CSS file is picked up by a
long-running ``mkdocs serve`` and an unchanged one is never parsed twice).
Worker processes of the pipeline each get one through ``printer()``; the
layout of many documents then costs only the layout.

Nothing a document names is fetched except the guides' images: the
``SafeFetcher`` serves ``file:`` URLs of files inside the image folder it
is given (``Printer.layout(..., image_dir=)``) and the QR codes' pictures,
made from the modules their ``camnang-qr:`` address carries
(``qr.png_of``: nothing is read), and refuses everything else (http,
https, other files, data:), so a guide or a template can never make the
build reach the network or embed a local file. Links in the PDF are the
HTML's ``<a href>``: the parser only lets ``https://`` through.

PDF metadata comes from the HTML: ``<title>``, ``<meta name="author">``
(``AUTHOR``) and ``<html lang="vi">``; the templates in ``posters/`` set
them, and the tests read them back.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from ..errors import ConfigError, Problem, display_path
from ..images import for_print
from . import qr
from .fonts import PrintFont, find_font

AUTHOR = "Tổ công nghệ số cộng đồng"
"""Author of every printable, in its PDF metadata."""

IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def allowed_file(url: str, image_dir: Path | None) -> Path | None:
    """The file ``url`` names if it is an image inside ``image_dir``."""
    from urllib.parse import unquote, urlsplit

    if image_dir is None or not url.lower().startswith("file:"):
        return None
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost") or parts.query or parts.fragment:
        return None
    try:
        path = Path(unquote(parts.path)).resolve()
        folder = image_dir.resolve()
        path.relative_to(folder)
    except (ValueError, OSError, RuntimeError):
        return None
    if path.suffix.lower() not in IMAGE_TYPES or not path.is_file():
        return None
    return path


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SafeFetcher(URLFetcher):
        """Serves the images of one folder, refuses every other URL."""

        def __init__(self, image_dir: Path | None, image_cache: Path | None = None):
            super().__init__(allowed_protocols=("file",), allow_redirects=False)
            self.image_dir = image_dir
            self.image_cache = image_cache

        def fetch(self, url, headers=None):
            if url.startswith(qr.SCHEME):
                data = qr.png_of(url)
                if data is None:
                    raise ValueError(f"camnang: refused to fetch {url[:100]!r}")
                return URLFetcherResponse(url, data, {"Content-Type": "image/png"})
            path = allowed_file(url, self.image_dir)
            if path is None:
                raise ValueError(f"camnang: refused to fetch {url[:100]!r}")
            data, mime = for_print(path.read_bytes(), self.image_cache)
            # Not a file: URL, so that WeasyPrint embeds these bytes (the
            # checked, scaled copy) instead of reading the file again when
            # it writes the PDF (``RasterImage``'s lazy local image).
            return URLFetcherResponse(f"camnang-image:{path.name}", data, {"Content-Type": mime})

    return SafeFetcher


def safe_fetcher(image_dir: Path | None, image_cache: Path | None = None):
    """A WeasyPrint URL fetcher for ``image_dir`` (None: refuses all).
    Pictures larger than print needs are served scaled down
    (``images.for_print``, kept in the build cache ``image_cache``)."""
    try:
        return _fetcher_class()(image_dir, image_cache)
    except ImportError:  # WeasyPrint < 68: a fetcher is a function
        def fetch(url: str, timeout: int = 10, ssl_context=None) -> dict:
            if url.startswith(qr.SCHEME) and (data := qr.png_of(url)) is not None:
                return {"string": data, "mime_type": "image/png", "redirected_url": url}
            path = allowed_file(url, image_dir)
            if path is None:
                raise ValueError(f"camnang: refused to fetch {url[:100]!r}")
            data, mime = for_print(path.read_bytes(), image_cache)
            return {"string": data, "mime_type": mime, "redirected_url": path.as_uri()}

        return fetch


@dataclass(frozen=True)
class Layout:
    """A laid-out document: its pages can be counted before writing the PDF."""

    document: object  # weasyprint.document.Document

    @property
    def page_count(self) -> int:
        return len(self.document.pages)

    def pdf(self) -> bytes:
        # Tagged for screen readers (PDF/UA-1: structure tree, /Lang from
        # <html lang="vi">, title shown): +17% size, no measurable time.
        return self.document.write_pdf(pdf_variant="pdf/ua-1")


class Printer:
    """WeasyPrint with one font configuration and pre-parsed stylesheets."""

    def __init__(self, font: PrintFont):
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.font = font
        self.font_config = FontConfiguration()
        self._font_css = CSS(string=font.css, font_config=self.font_config, url_fetcher=safe_fetcher(None))
        self._sheets: dict[tuple[str, str], object] = {}

    def stylesheet(self, path: Path):
        """The parsed stylesheet of ``path`` (parsed once per content)."""
        from weasyprint import CSS

        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigError(Problem(path=display_path(path), message=f"không đọc được tệp CSS: {e}")) from e
        key = (str(path), hashlib.sha256(text.encode("utf-8")).hexdigest())
        sheet = self._sheets.get(key)
        if sheet is None:
            for old in [k for k in self._sheets if k[0] == key[0]]:
                del self._sheets[old]
            sheet = CSS(string=text, base_url=str(path), font_config=self.font_config, url_fetcher=safe_fetcher(None))
            self._sheets[key] = sheet
        return sheet

    def layout(
        self, html: str, base_url: Path, stylesheets: Sequence[Path] = (), image_dir: Path | None = None,
        image_cache: Path | None = None,
    ) -> Layout:
        """Lay out ``html``; ``stylesheets`` are applied in order, then the
        print font (which therefore wins over any family the CSS names).
        Only images inside ``image_dir`` are read (``safe_fetcher``; those
        larger than print needs scaled down, kept in ``image_cache``)."""
        from weasyprint import HTML

        sheets = [self.stylesheet(p) for p in stylesheets] + [self._font_css]
        fetcher = safe_fetcher(image_dir, image_cache)
        document = HTML(string=html, base_url=str(base_url) + "/", url_fetcher=fetcher).render(
            stylesheets=sheets, font_config=self.font_config
        )
        return Layout(document)


@lru_cache(maxsize=4)
def printer(font_family: str, where: str = "mkdocs.yml") -> Printer:
    """This process's printer for ``font_family`` (checked first: see fonts)."""
    return Printer(find_font(font_family, where))
