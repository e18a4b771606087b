"""The ``camnang`` MkDocs plugin: a thin front end over the library.

Events used (MkDocs 1.6):
- on_startup / on_shutdown: ``mkdocs build`` and ``gh-deploy`` hold the
  project's build lock (camnang.lock) from on_config to the end, so two
  builds never write at once (``make build`` holds it already, through
  camnang.sitebuild, and builds into a folder swapped in whole);
- on_config: load and validate every guide before MkDocs touches site_dir,
  so a bad guide fails the build and leaves the previous site as it was;
  set the navigation (grouped by category) unless mkdocs.yml has one.
- on_pre_build: render the printables (leaflets, posters, ...) through the
  content-hash cache (camnang.printables.pipeline), still before MkDocs
  empties site_dir, so a broken template or font leaves the site as it was
  (printables: false in mkdocs.yml skips them);
- on_serve: watch the guides and posters/ folders too;
- on_files: add the printables at in-an/<name> (MkDocs copies them from the
  cache and checks the links to them) and one generated page per guide at
  huong-dan/<slug>/, whose "In ấn" box links its printables, one page per
  category at chu-de/<id>/ (40 guides a page), and the images of the
  guides' steps at huong-dan/anh/<name>.
- on_page_markdown / on_page_content: a guide page's Markdown source is a
  fixed placeholder (``site.GUIDE_SOURCE``): no guide text ever reaches
  Python-Markdown (a second interpreter, with attr_list and md_in_html).
  on_page_markdown sets the page's metadata as data; on_page_content puts
  in the HTML rendered from the document tree, and its table of contents.
  The markers of docs pages (guide cards, course box) are replaced after
  Markdown too.
- search (camnang.search): on_config, on_files, on_post_page and
  on_post_build give Material's search dialog camnang's own worker and
  prebuilt index (Vietnamese typed without diacritics, fast at 1,000 guides).
- offline (camnang.offline): on_config, on_files, on_post_page and a last
  on_post_build write the service worker and the web app manifest.
- on_post_page: pages are written without indentation (camnang.compact).
- on_post_build, last (camnang.compress): .gz and .br copies beside every
  text file, for servers that send them ready (README, "Hosting").
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.toc import get_toc
from mkdocs.utils import get_relative_url

from . import compress, markup, offline, search
from .compact import compact
from .config import OPTIONS, Settings, check_options, load_skill_framework, make_settings
from .errors import CamnangError
from .lock import BuildLock
from .model import Journey, Library
from .printables import booklet, journeysheet, pipeline, zalocard
from .printables import poster as poster_printables
from .printables import radio as radio_printables
from .render import site
from .validate import load_library
from .writer import error_for, one_line, read_regular

log = logging.getLogger("mkdocs.plugins.camnang")

TEAM_PAGE = "to-cong-nghe-so.md"
TEAM_TITLE = "Dành cho tổ công nghệ số"
"""The page for the teams, offered by search when it finds nothing or little."""


def _option(option):
    """MkDocs' schema entry for one of camnang's declared options."""
    kind = c.Type(option.types if len(option.types) > 1 else option.types[0], default=option.default)
    return c.Optional(c.Type(option.types[0])) if option.optional else kind


CamnangConfig = type("CamnangConfig", (base.Config,), {name: _option(o) for name, o in OPTIONS.items()})
"""The plugin's options for MkDocs, made from ``camnang.config.OPTIONS``."""


def settings_from_mkdocs(config, plugin_config) -> Settings:
    """Settings from what MkDocs read (the adapter's only job here)."""
    config_file = config.config_file_path or "mkdocs.yml"
    return make_settings(
        check_options(dict(plugin_config), config_file),
        site_url=config.site_url,
        site_dir=config.site_dir,
        config_file=config_file,
    )


class CamnangPlugin(BasePlugin[CamnangConfig]):
    settings: Settings
    library: Library
    printables: pipeline.BuildResult | None = None
    command: str | None = None
    lock: BuildLock | None = None

    def on_startup(self, *, command, dirty) -> None:
        self.command = command

    def on_shutdown(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def _lock(self, config) -> None:
        """``mkdocs build`` and ``gh-deploy`` write site_dir: one at a time
        per project folder (camnang.lock). ``serve`` builds into a
        temporary folder of its own."""
        if self.command not in ("build", "gh-deploy") or self.lock is not None:
            return
        project = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        self.lock = BuildLock(project).acquire()

    def on_config(self, config):
        self.pages: dict = {}
        self._help = None
        try:
            self._lock(config)
            self.settings = settings_from_mkdocs(config, self.config)
            self.library = load_library(
                self.settings.guides_dir,
                self.settings.categories,
                on_warning=log.warning,
            )
        except CamnangError as e:
            raise PluginError(str(e)) from e
        self.skills = load_skill_framework()
        # Pages camnang makes: MkDocs gets site.GUIDE_SOURCE as their
        # Markdown, on_page_content their HTML.
        self.pages = {site.guide_src_uri(g): g for g in self.library.guides}
        self.pages.update({site.journey_src_uri(j): j for j in self.library.journeys})
        self.pages.update({cp.src_uri: cp for cp in site.category_pages(self.library)})
        if self.library.skill_areas:
            self.pages[site.SKILLS_SRC] = site.SKILLS_SRC
        if config.nav is None:
            docs_dir = Path(config.docs_dir)
            others = sorted(
                p.relative_to(docs_dir).as_posix()
                for p in docs_dir.glob("*.md")
                if p.name != "index.md"
            )
            config.nav = site.build_nav(self.library, others)
        search.add_page_script(config)
        if site.PAGE_SCRIPT not in [str(s) for s in config.extra_javascript]:
            config.extra_javascript.append(site.PAGE_SCRIPT)
        if self.config.offline:
            offline.add_page_script(config)
        return config

    def on_pre_build(self, config) -> None:
        self.printables = None
        self.journey_sheets: list = []
        self.zalo_cards: dict = {}
        if not self.settings.printables:
            return
        try:
            self.printables = pipeline.build(self.library, self.settings, warn=log.warning)
        except CamnangError as e:
            raise PluginError(one_line(e)) from e
        except OSError as e:  # the cache folder: full, read-only...
            raise PluginError(str(error_for(e))) from e
        try:
            self.journey_sheets = journeysheet.build(self.library, self.settings)
            # The handbook and its imposed form, published beside the sheets.
            self.journey_sheets += booklet.build(self.library, self.settings)
            self.zalo_cards = zalocard.by_guide(self.library, self.settings)
        except CamnangError as e:
            raise PluginError(one_line(e)) from e
        log.info("camnang: %s", self.printables.summary())
        for line in radio_printables.notes(self.library, self.settings):
            log.info("camnang: %s", line)
        # Steps too long for a poster at 24 pt: the author can act (a "Ngắn:" line).
        for line in poster_printables.notes(self.library, self.settings):
            log.warning("camnang: %s", line)

    def on_serve(self, server, config, builder):
        """``mkdocs serve`` rebuilds when a guide or a print template changes."""
        for folder in (self.settings.guides_dir, self.settings.posters_dir):
            if folder.is_dir():
                server.watch(str(folder))
        return server

    def on_files(self, files: Files, config) -> Files:
        # The printables' bytes, read from the cache opened, never followed
        # (MkDocs would copy a path through a symbolic link planted after
        # the pipeline checked it).
        try:
            for output in self.printables.outputs if self.printables else ():
                files.append(
                    File.generated(config, f"{pipeline.PRINTABLES_DIR}/{output.name}", content=read_regular(output.path))
                )
            self.sheet_sizes = {}
            for name, path in self.journey_sheets:
                data = read_regular(path)
                self.sheet_sizes[name] = len(data)
                files.append(File.generated(config, f"{pipeline.PRINTABLES_DIR}/{name}", content=data))
            # Zalo cards: (name, size) by guide, for the "In ấn" box.
            self.card_sizes: dict[str, list[tuple[str, int]]] = {}
            for slug, pairs in self.zalo_cards.items():
                for name, path in pairs:
                    data = read_regular(path)
                    self.card_sizes.setdefault(slug, []).append((name, len(data)))
                    files.append(File.generated(config, f"{pipeline.PRINTABLES_DIR}/{name}", content=data))
        except OSError as e:
            raise PluginError(str(error_for(e))) from e
        for src_uri in self.pages:
            files.append(File.generated(config, src_uri, content=site.GUIDE_SOURCE))
        files.append(File.generated(config, site.PAGE_SCRIPT, content=site.page_script()))
        # The steps' images, checked by the loader (camnang.validate.image_files).
        for name in sorted({image.name for guide in self.library.guides for image in guide.images}):
            files.append(
                File.generated(
                    config,
                    site.image_src_uri(name),
                    abs_src_path=str(self.settings.guides_dir / markup.IMAGE_DIR / name),
                )
            )
        try:
            search.install_assets(files, config)
        except CamnangError as e:
            raise PluginError(str(e)) from e
        if self.config.offline:
            offline.install_assets(files, config)
        return files

    def _ours(self, page):
        """The guide, journey or page camnang makes for this page, or None."""
        return self.pages.get(page.file.src_uri) if page.file.generated_by else None

    def on_page_markdown(self, markdown: str, page, config, files) -> str:
        item = self._ours(page)
        if item is None:
            return markdown
        if item == site.SKILLS_SRC:
            page.meta = site.skills_meta()
        elif isinstance(item, site.CategoryPage):
            page.meta = site.category_meta(item)
        else:
            page.meta = site.page_meta(item)
            cards = getattr(self, "card_sizes", {}).get(getattr(item, "slug", None))
            if cards and not isinstance(item, Journey):
                # The link preview (og:image, docs/overrides/main.html): the first card.
                page.meta["og_image"] = f"{pipeline.PRINTABLES_DIR}/{cards[0][0]}"
        return site.GUIDE_SOURCE

    def on_page_content(self, html: str, page, config, files) -> str:
        def href(src: str) -> str:
            target = File(src, "", "", config.use_directory_urls).url if src.endswith(".md") else src
            return get_relative_url(target, page.url)

        item = self._ours(page)
        if item is None:
            html = site.fill_markers(
                html,
                self.library,
                self.settings.course_url,
                lambda g: href(site.guide_src_uri(g)),
                lambda c: href(site.category_src_uri(c)),
            )
            if site.BOOKLET_MARKER in html:
                sizes = getattr(self, "sheet_sizes", {})
                files = [
                    site.Download(label, name, sizes[name])
                    for label, name in ((booklet.LABEL, booklet.FILENAME), (booklet.IMPOSED_LABEL, booklet.IMPOSED_FILENAME))
                    if name in sizes
                ]
                html = html.replace(site.BOOKLET_MARKER, site.render_booklet_links(files, href(pipeline.PRINTABLES_DIR + "/")))
            return html
        if item == site.SKILLS_SRC:
            return site.render_skills_page(self.library, self.skills.document, self.skills.source, href)
        if isinstance(item, site.CategoryPage):
            return site.render_category_page(item, href)
        if isinstance(item, Journey):
            name = journeysheet.output_name(item)
            size = getattr(self, "sheet_sizes", {}).get(name)
            sheet = site.Download(journeysheet.LABEL, name, size) if size else None
            return site.render_journey_page(item, self.library, href, sheet=sheet)
        downloads = self.printables.downloads(item.slug) if self.printables else ()
        cards = getattr(self, "card_sizes", {}).get(item.slug, [])
        downloads += tuple(
            site.Download(zalocard.label(n, len(cards)), name, size) for n, (name, size) in enumerate(cards, 1)
        )
        page.toc = get_toc(
            [
                {"level": 2, "id": h.id, "name": site.html_title(h.title), "children": []}
                for h in site.guide_headings(item, bool(downloads))
            ]
        )
        return site.render_guide_page(
            item, self.library, downloads=downloads, href=href, feedback_url=self.settings.feedback_url
        )

    @event_priority(-50)  # after Material's search plugin wrote its index
    def _post_build_search(self, config) -> None:
        def url_of(guide):
            return File(site.guide_src_uri(guide), config.docs_dir, config.site_dir, config.use_directory_urls).url

        search.write_index(config.site_dir, search.guide_fields(self.library, url_of))

    def _search_help(self, config):
        """The categories' pages and the team page, for the help the search
        dialog shows when it finds nothing or little (search.add_help)."""
        if getattr(self, "_help", None) is None:
            def url(src: str) -> str:
                return File(src, "", "", config.use_directory_urls).url

            topics = [
                search.HelpLink(c.name, url(site.category_src_uri(c)), len(guides))
                for c, guides in self.library.by_category()
            ]
            team = None
            if (Path(config.docs_dir) / TEAM_PAGE).is_file():
                team = search.HelpLink(TEAM_TITLE, url(TEAM_PAGE))
            self._help = (topics, team)
        return self._help

    def on_post_page(self, output: str, page, config) -> str:
        try:
            output = search.use_worker(output, page, config)
            output = search.add_help(output, page, config, *self._search_help(config))
        except CamnangError as e:
            raise PluginError(str(e)) from e
        if self.config.offline:
            output = offline.link_manifest(output, page)
        return compact(output)

    @event_priority(-100)  # last: the service worker lists every file written
    def _post_build_offline(self, config) -> None:
        if self.config.offline:
            pre = offline.write_service_worker(config.site_dir, config, self.config.offline_printables_budget)
            log.info(
                "camnang: offline: first visit stores the page and a %.0f KB shell; "
                "\"Lưu tất cả\" stores %d files, %.1f MB (printables %.1f MB, %d left to open online)",
                pre.shell / 1e3, len(pre.urls) - pre.printables_left, pre.total / 1e6,
                pre.printables / 1e6, pre.printables_left,
            )

    @event_priority(-200)  # after sw.js: every text file gets .gz (and .br) copies
    def _post_build_compress(self, config) -> None:
        done = compress.compress_site(config.site_dir)
        log.info(
            "camnang: compressed copies of %d text files: %.1f MB -> %.1f MB gzip%s",
            done.files, done.raw / 1e6, done.gzip / 1e6,
            "" if done.brotli is None else f", {done.brotli / 1e6:.1f} MB brotli",
        )

    on_post_build = CombinedEvent(_post_build_search, _post_build_offline, _post_build_compress)
