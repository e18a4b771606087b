"""Site renderer: the Markdown page MkDocs builds for each guide, the home
page cards and the navigation grouped by category."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from ..model import Guide, Library
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


def guide_src_uri(guide: Guide) -> str:
    return f"{GUIDES_DIR}/{guide.slug}.md"


@lru_cache(maxsize=1)
def _env() -> Environment:
    # Output is Markdown, not HTML: MkDocs escapes nothing here, and guide
    # text is the authors' Markdown, so autoescape stays off.
    env = Environment(
        loader=PackageLoader("camnang", "templates/site"),
        autoescape=False,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["vi_date"] = vi_date
    env.filters["yaml_str"] = lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return env


def render_guide_page(
    guide: Guide,
    library: Library,
    downloads: tuple[Download, ...] = (),
    printables_href: str = "",
) -> str:
    """The Markdown source of a guide's page at huong-dan/<slug>/."""
    return _env().get_template("guide.md.j2").render(
        g=guide,
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
        nav.append({category.name: [{g.title: guide_src_uri(g)} for g in guides]})
    nav += other_pages
    return nav
