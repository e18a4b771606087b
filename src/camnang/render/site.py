"""Site renderer: the Markdown page MkDocs builds for each guide, the home
page cards and the navigation grouped by category."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from html import escape

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from ..model import Guide, Library
from ..markup import to_html
from ..text import vi_date

HOME_MARKER = "<!-- camnang:danh-muc -->"
"""Put this line in a page (docs/index.md) where the guide cards should go."""
COURSE_MARKER = "<!-- camnang:khoa-hoc -->"
"""Put this line in a page where the national course box should go."""
CATEGORY_MARKER = "<!-- camnang:chu-de -->"
"""Put this line in a page where the large category cards should go."""

GUIDES_DIR = "huong-dan"


@dataclass(frozen=True)
class Download:
    """A file offered in a guide page's "In ấn" box."""

    label: str
    filename: str
    size: int

    @property
    def size_text(self) -> str:
        if self.size < 1024 * 1024:
            return f"{max(1, round(self.size / 1024))} KB"
        return f"{self.size / (1024 * 1024):.1f} MB".replace(".", ",")


_INERT = {c: f"&#{ord(c)};" for c in r"""!"#&'()*+-:<=>[\]^_`{|}~"""}


def markdown_text(value: str) -> Markup:
    """Plain text to put inline in Markdown (never at a line start): every
    ASCII mark that Markdown, its extensions (emoji ``:name:``, attribute
    lists ``{...}``) or HTML give a meaning becomes a numeric HTML entity,
    which Python-Markdown passes on untouched and the browser shows as the
    mark. Commas, full stops and the like stay, so search splits words at
    them as usual. No link, emphasis, icon or tag can come out of it."""
    return Markup(str(value).translate(str.maketrans(_INERT)))


def html_title(title: str) -> str:
    """A guide title for MkDocs' page and navigation title, which Material
    prints into HTML without escaping."""
    return escape(title, quote=True)


IMAGES_DIR = "anh"
"""Where the site publishes the guides' images: huong-dan/anh/<name>."""


def guide_src_uri(guide: Guide) -> str:
    return f"{GUIDES_DIR}/{guide.slug}.md"


@lru_cache(maxsize=1)
def _env() -> Environment:
    # Output is Markdown for MkDocs, so autoescape stays off: every guide
    # value goes through ``text`` (front matter: plain text, Markdown- and
    # HTML-inert), ``e`` (inside HTML) or ``html`` (tree nodes).
    env = Environment(
        loader=PackageLoader("camnang", "templates/site"),
        autoescape=False,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["vi_date"] = vi_date
    env.filters["yaml_str"] = lambda s: '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'
    env.filters["text"] = markdown_text
    env.filters["html"] = to_html
    return env


def render_guide_page(
    guide: Guide,
    library: Library,
    downloads: tuple[Download, ...] = (),
    printables_href: str = "",
    image_base: str = "../",
) -> str:
    """The Markdown source of a guide's page at huong-dan/<slug>/.
    ``image_base``: URL of the huong-dan/ folder from the page (images are
    published at huong-dan/anh/<name>, their ``src`` is anh/<name>)."""
    return _env().get_template("guide.md.j2").render(
        g=guide,
        image_base=image_base,
        category=library.category(guide.category),
        downloads=downloads,
        printables_href=printables_href,
    )


def render_home_cards(library: Library) -> str:
    """Markdown for the home page: guides grouped by category, as cards."""
    return _env().get_template("home_cards.md.j2").render(groups=library.by_category())


def render_course_box(course_url: str) -> str:
    """Markdown for the prominent link to the national digital-skills course."""
    return _env().get_template("course_box.md.j2").render(course_url=course_url)


def fill_markers(markdown: str, library: Library, course_url: str) -> str:
    """Replace the camnang markers a docs page contains."""
    if HOME_MARKER in markdown:
        markdown = markdown.replace(HOME_MARKER, render_home_cards(library))
    if CATEGORY_MARKER in markdown:
        markdown = markdown.replace(
            CATEGORY_MARKER, _env().get_template("category_cards.md.j2").render(groups=library.by_category())
        )
    if COURSE_MARKER in markdown:
        markdown = markdown.replace(COURSE_MARKER, render_course_box(course_url))
    return markdown


def build_nav(library: Library, other_pages: list[str]) -> list:
    """Navigation: home, one section per category, then the other pages."""
    nav: list = [{"Trang chủ": "index.md"}]
    for category, guides in library.by_category():
        nav.append({category.name: [{html_title(g.title): guide_src_uri(g)} for g in guides]})
    nav += other_pages
    return nav


def image_src_uri(name: str) -> str:
    """Where an image of the guides' image folder is published."""
    return f"{GUIDES_DIR}/{IMAGES_DIR}/{name}"
