"""Site renderer: the HTML of each guide page, the home page's cards and
the navigation grouped by category.

Everything here is HTML rendered with autoescape from the model: guide
text is never handed to a site engine as Markdown. The MkDocs adapter
(``camnang.plugin``) gives MkDocs a fixed placeholder (``GUIDE_SOURCE``)
as each guide page's source, metadata as data (``page_meta``), and swaps
in the HTML of ``render_guide_page`` after Markdown; docs pages' markers
(``HOME_MARKER``...) are replaced the same way, after Markdown.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import Callable

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from .. import icons
from ..markup import to_html
from ..model import Category, Guide, Journey, Library
from ..text import slugify, vi_date

HOME_MARKER = "<!-- camnang:danh-muc -->"
"""Put this line in a page (docs/index.md) where the guide cards should go."""
COURSE_MARKER = "<!-- camnang:khoa-hoc -->"
"""Put this line in a page where the national course box should go."""
CATEGORY_MARKER = "<!-- camnang:chu-de -->"
"""Put this line in a page where the large category cards should go."""

GUIDE_SOURCE = "<!-- camnang:huong-dan -->\n"
"""The whole Markdown source MkDocs gets for a guide page: no guide text.
Python-Markdown passes the comment through; ``render_guide_page``'s HTML
replaces the page content after it."""

GUIDES_DIR = "huong-dan"
CATEGORIES_DIR = "chu-de"
"""Each category's page: chu-de/<id>/, then chu-de/<id>/trang-2/..."""
CATEGORY_PAGE_GUIDES = 40
"""Guides listed per category page (each with its summary): a page stays
under 60 KB of HTML whatever the number of guides (bench/site.py)."""
HOME_FEATURED = 3
"""Guides shown under each category on the home page, before the link to
the category's page."""
NAV_GUIDES = 12
"""A category with more guides than this has only its page in the
navigation, not every guide: each page of the category would otherwise
carry them all."""
JOURNEYS_DIR = "lo-trinh"
SKILLS_SRC = "ky-nang-so.md"
"""The page listing the guides by skill area of the national framework."""
PRINTABLES_DIR = "in-an"
PAGE_SCRIPT = "assets/javascripts/camnang-page.js"
"""The guide pages' own script (the "Chia sẻ" button)."""
IMAGES_DIR = "anh"
"""Where the site publishes the guides' images: huong-dan/anh/<name>."""


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


@dataclass(frozen=True)
class Heading:
    """A level-2 heading of a guide page, for the page's table of contents."""

    id: str
    title: str
    """Plain text (escape it to print it as HTML)."""


def html_title(title: str) -> str:
    """A guide title as MkDocs' page and navigation title, which Material
    prints into HTML without escaping."""
    return escape(title, quote=True)


def page_meta(item: Guide | Journey) -> dict[str, str]:
    """The page metadata MkDocs and Material read (``page.meta``), as data.
    Material prints these into HTML without escaping: they are escaped here."""
    return {"title": html_title(item.title), "description": escape(item.summary, quote=True)}


SKILLS_TITLE = "Hướng dẫn theo kỹ năng số"
SKILLS_SUMMARY = "Các hướng dẫn xếp theo nhóm kỹ năng của Khung kỹ năng số cơ bản, để tổ chọn bài cho một buổi tập huấn."


def skills_meta() -> dict[str, str]:
    return {"title": html_title(SKILLS_TITLE), "description": escape(SKILLS_SUMMARY, quote=True)}


def guide_src_uri(guide: Guide) -> str:
    return f"{GUIDES_DIR}/{guide.slug}.md"


@dataclass(frozen=True)
class CategoryPage:
    """One page of a category's list of guides."""

    category: Category
    number: int
    """1 for the first page."""
    count: int
    """How many pages the category's list has."""
    guides: tuple[Guide, ...]
    total: int
    """Guides in the category."""

    @property
    def src_uri(self) -> str:
        return category_src_uri(self.category, self.number)

    @property
    def title(self) -> str:
        return self.category.name if self.number == 1 else f"{self.category.name} (trang {self.number})"


def category_src_uri(category: Category, number: int = 1) -> str:
    base = f"{CATEGORIES_DIR}/{category.id}"
    return f"{base}/index.md" if number == 1 else f"{base}/trang-{number}.md"


def category_pages(library: Library) -> list[CategoryPage]:
    """The pages of every non-empty category, CATEGORY_PAGE_GUIDES guides each."""
    out = []
    for category, guides in library.by_category():
        count = -(-len(guides) // CATEGORY_PAGE_GUIDES)
        for n in range(count):
            chunk = tuple(guides[n * CATEGORY_PAGE_GUIDES : (n + 1) * CATEGORY_PAGE_GUIDES])
            out.append(CategoryPage(category, n + 1, count, chunk, len(guides)))
    return out


def category_meta(page: CategoryPage) -> dict:
    """Page metadata of a category page. Left out of search: its guides are
    found on their own pages."""
    blurb = page.category.blurb or f"Các hướng dẫn về {page.category.name}."
    return {
        "title": html_title(page.title),
        "description": escape(blurb, quote=True),
        "search": {"exclude": True},
    }


def render_category_page(page: CategoryPage, href: Href | None = None) -> str:
    """The HTML content of a category page: its guides with their summaries,
    and links to the category's other pages."""
    href = href or directory_href(page.src_uri)
    return _env().get_template("category.html.j2").render(
        p=page,
        guides=[(g, href(guide_src_uri(g))) for g in page.guides],
        pages=[(n, href(category_src_uri(page.category, n))) for n in range(1, page.count + 1)],
        home=href("index.md"),
    )


def journey_src_uri(journey: Journey) -> str:
    return f"{JOURNEYS_DIR}/{journey.id}.md"


Href = Callable[[str], str]
"""A page's links to the others: source path (``huong-dan/x.md``, or a
folder such as ``in-an/``) -> URL relative to the page. The site engine's
adapter gives it; ``directory_href`` is the one for directory URLs."""


def directory_href(page_src: str) -> Href:
    """``Href`` for a page at ``page_src`` with directory URLs
    (``a/b.md`` is published at ``a/b/``, ``index.md`` at the root)."""
    import posixpath

    def url_of(src: str) -> str:
        if not src.endswith(".md"):
            return src
        stem = src[: -len(".md")]
        if stem == "index" or stem.endswith("/index"):
            return stem[: -len("index")]
        return stem + "/"

    here = url_of(page_src)

    def href(src: str) -> str:
        rel = posixpath.relpath(url_of(src) or ".", here or ".")
        return rel + "/" if (url_of(src).endswith("/") or not url_of(src)) and not rel.endswith("/") else rel

    return href


def image_src_uri(name: str) -> str:
    """Where an image of the guides' image folder is published."""
    return f"{GUIDES_DIR}/{IMAGES_DIR}/{name}"


def icon(name: str) -> Markup:
    """An icon inline in text, drawn like Material's own (``twemoji``)."""
    drawn = icons.svg(name)
    return Markup(f'<span class="twemoji">{drawn}</span>') if drawn else Markup("")


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("camnang", "templates/site"),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["vi_date"] = vi_date
    env.filters["html"] = lambda node: to_html(node, tel=True)  # phone numbers as tel: links
    env.globals["icon"] = icon
    return env


def _unique(ids: list[str]) -> list[str]:
    """Heading ids, made unique the way Python-Markdown's toc does (``_1``)."""
    seen: set[str] = set()
    out = []
    for i in ids:
        base, n, cand = i or "muc", 0, i or "muc"
        while cand in seen:
            n += 1
            cand = f"{base}_{n}"
        seen.add(cand)
        out.append(cand)
    return out


def _headings(guide: Guide, downloads: bool) -> dict[str, Heading]:
    """The page's level-2 headings in order, by their place in the template."""
    titles: list[tuple[str, str]] = [("prepare", "Cần chuẩn bị"), ("steps", "Các bước")]
    if guide.tips:
        titles.append(("tips", "Lưu ý"))
    if guide.troubleshooting:
        titles.append(("troubleshooting", "Khi gặp khó khăn"))
    titles += [(f"extra{i}", s.heading.text) for i, s in enumerate(guide.extra_sections)]
    if guide.changes:
        titles.append(("changes", "Những lần sửa"))
    if downloads:
        titles.append(("downloads", "In ấn"))
    if guide.links:
        titles.append(("links", "Đường dẫn chính thức"))
    titles.append(("sources", "Nguồn tham khảo"))
    ids = _unique([slugify(t) for _, t in titles])
    return {key: Heading(id=i, title=t) for i, (key, t) in zip(ids, titles)}


def guide_headings(guide: Guide, downloads: bool) -> list[Heading]:
    """The level-2 headings of ``render_guide_page``'s HTML, in order."""
    return list(_headings(guide, downloads).values())


def render_guide_page(
    guide: Guide,
    library: Library,
    downloads: tuple[Download, ...] = (),
    href: Href | None = None,
    feedback_url: str | None = None,
) -> str:
    """The HTML content of a guide's page at huong-dan/<slug>/. ``href``:
    the page's links to others (default: directory URLs); ``feedback_url``:
    where to report a wrong step (``Settings.feedback_url``)."""
    href = href or directory_href(guide_src_uri(guide))
    headings = _headings(guide, bool(downloads))
    journeys = [
        {
            "journey": j,
            "href": href(journey_src_uri(j)),
            "step": i + 1,
            "steps": len(j.slugs),
            "previous": _guide_link(library, j.slugs[i - 1], href) if i > 0 else None,
            "next": _guide_link(library, j.slugs[i + 1], href) if i + 1 < len(j.slugs) else None,
        }
        for j, i in library.journeys_of(guide.slug)
    ]
    areas = {a.id: a for a in library.skill_areas}
    return _env().get_template("guide.html.j2").render(
        g=guide,
        ids={key: h.id for key, h in headings.items()},
        image_base=href(f"{GUIDES_DIR}/"),
        category=library.category(guide.category),
        downloads=downloads,
        printables_href=href(f"{PRINTABLES_DIR}/"),
        journeys=journeys,
        skills=[(areas[s], href(SKILLS_SRC) + "#" + s) for s in guide.skills if s in areas],
        feedback_url=feedback_url,
    )


def _guide_link(library: Library, slug: str, href: Href) -> dict:
    g = library.get(slug)
    return {"title": g.title, "href": href(guide_src_uri(g))}


def render_journey_page(
    journey: Journey, library: Library, href: Href | None = None, sheet: Download | None = None
) -> str:
    """The HTML content of a journey's page at lo-trinh/<id>/; ``sheet``:
    its one-page A4 overview, when printables are built."""
    href = href or directory_href(journey_src_uri(journey))
    steps = [library.get(slug) for slug in journey.slugs]
    return _env().get_template("journey.html.j2").render(
        j=journey,
        steps=[(g, href(guide_src_uri(g))) for g in steps],
        printables_href=href(f"{PRINTABLES_DIR}/"),
        sheet=sheet,
    )


def render_skills_page(library: Library, document: str, source: str, href: Href | None = None) -> str:
    """The HTML content of the page listing guides by skill area."""
    href = href or directory_href(SKILLS_SRC)
    return _env().get_template("skills.html.j2").render(
        title=SKILLS_TITLE,
        summary=SKILLS_SUMMARY,
        groups=[(a, [(g, href(guide_src_uri(g))) for g in guides]) for a, guides in library.by_skill()],
        document=document,
        source=source,
    )


def page_script() -> str:
    """The guide pages' script (``PAGE_SCRIPT``)."""
    return _env().loader.get_source(_env(), "camnang-page.js")[0]


def featured(library: Library, guides: list[Guide]) -> list[Guide]:
    """The HOME_FEATURED guides of a category shown on the home page: those
    that start a journey first (a first step many need), then by title."""
    starts = {j.slugs[0] for j in library.journeys if j.slugs}
    in_journeys = {s for j in library.journeys for s in j.slugs}
    order = sorted(guides, key=lambda g: (g.slug not in starts, g.slug not in in_journeys))
    return order[:HOME_FEATURED]


def render_home_cards(
    library: Library, href: Callable[[Guide], str], category_href: Callable[[Category], str] | None = None
) -> str:
    """HTML for the home page: each category with a few of its guides as
    cards and a link to its page (the home page stays small at any number
    of guides). ``href(guide)``, ``category_href(category)``: URLs from the
    page the cards are on."""
    category_href = category_href or (lambda c: f"{CATEGORIES_DIR}/{c.id}/")
    groups = [(c, guides, featured(library, guides), category_href(c)) for c, guides in library.by_category()]
    return _env().get_template("home_cards.html.j2").render(groups=groups, href=href)


def render_category_cards(library: Library) -> str:
    """HTML for the large category cards leading to the home page's groups."""
    return _env().get_template("category_cards.html.j2").render(groups=library.by_category())


def render_course_box(course_url: str) -> str:
    """HTML for the prominent link to the national digital-skills course."""
    return _env().get_template("course_box.html.j2").render(course_url=course_url)


def fill_markers(
    html: str,
    library: Library,
    course_url: str,
    href: Callable[[Guide], str],
    category_href: Callable[[Category], str] | None = None,
) -> str:
    """Replace the camnang markers a docs page's HTML contains (after
    Markdown: the markers are HTML comments that Markdown passes on)."""
    if HOME_MARKER in html:
        html = html.replace(HOME_MARKER, render_home_cards(library, href, category_href))
    if CATEGORY_MARKER in html:
        html = html.replace(CATEGORY_MARKER, render_category_cards(library))
    if COURSE_MARKER in html:
        html = html.replace(COURSE_MARKER, render_course_box(course_url))
    return html


BOOKLET_MARKER = "<!-- camnang:so-tay -->"
"""Where a docs page lists the handbook's files (the team page)."""


def render_booklet_links(downloads: list[Download], href: str) -> str:
    """The handbook's files as links with their sizes (``href``: the
    printables folder, relative to the page); nothing without them
    (printables off)."""
    from markupsafe import Markup

    if not downloads:
        return ""
    items = "".join(
        Markup('<li><a href="{}{}">{} <span class="camnang-downloads__size">({})</span></a></li>').format(
            href, d.filename, d.label, d.size_text
        )
        for d in downloads
    )
    return str(Markup('<div class="camnang-downloads" data-search-exclude><ul>{}</ul></div>').format(Markup(items)))


def build_nav(library: Library, other_pages: list[str]) -> list:
    """Navigation: home, one section per category, the journeys and the
    skills page, then the other pages."""
    nav: list = [{"Trang chủ": "index.md"}]
    for category, guides in library.by_category():
        # The category's page first ("Tất cả (N)"), then its guides, unless
        # there are too many to carry on every page (NAV_GUIDES).
        items: list = [{f"Tất cả hướng dẫn ({len(guides)})": category_src_uri(category)}]
        if len(guides) <= NAV_GUIDES:
            items += [{html_title(g.title): guide_src_uri(g)} for g in guides]
        nav.append({category.name: items})
    if library.journeys:
        nav.append({"Lộ trình": [{html_title(j.title): journey_src_uri(j)} for j in library.journeys]})
    if library.skill_areas:
        nav.append({html_title(SKILLS_TITLE): SKILLS_SRC})
    nav += other_pages
    return nav
