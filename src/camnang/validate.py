"""Field rules of the guide format, and loading a whole guides folder.

``load_library`` is the one entry point: it reads every ``*.md`` in the
guides folder, checks it against the format (README and the site page
"Dành cho tổ công nghệ số" document it), and returns the immutable model or
raises ``GuideError`` listing every problem found in every file.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import difflib
import re
from pathlib import Path
from typing import Any, Callable

from . import markup
from .errors import GuideError, Problem, display_path
from . import images
from .journeys import load_journeys
from .model import Category, Change, Guide, Library, Link, SkillArea
from .roster import windows_reserved
from .source import SourceFile, read_source

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
URL_RE = markup.HTTPS_URL
SUMMARY_MAX = 200
STEPS = "Các bước"
TIPS = "Lưu ý"
TROUBLE = "Khi gặp khó khăn"
MIN_STEPS, MAX_STEPS = 3, 12
RESERVED_SLUGS = frozenset({
    "index", "anh", "search", "assets", "in-an", "huong-dan", "stylesheets", "javascripts",
    "images", "img", "css", "js", "fonts", "404", "sitemap", "sitemap.xml", "offline", "tim-kiem",
})
"""Slugs that would clash with a site path: huong-dan/index.md would become
the folder's index page (and its printed QR code lead nowhere), anh/ holds
the guides' images; the rest are the site's own folders, kept free so a guide
can never shadow them if guides ever move to the site root."""
STALE_AFTER_DAYS = 365
CHANGE_MAX = 160
"""A ``changes`` line is one line of the guide page and the review report."""
MAX_CHANGES = 30
SLUG_MAX = 80
"""Characters in a slug (ASCII: one byte each). A slug names files and
folders: its longest use is a cache entry's temporary file,
``.phat-thanh-<slug>.<key16>.txt.sha256.<random>.tmp``, 53 bytes around
it, so 80 keeps every name far under the 255-byte limit of a path
component (ext4, NTFS, FAT32 long names), and a team's file
``goi-to\\<team id>\\to-roi-<slug>.pdf`` under Windows' 260-character
MAX_PATH with room for the folder it is unzipped into."""

REQUIRED = ("title", "service", "category", "summary", "prepare", "sources", "reviewed")
OPTIONAL = ("time_needed", "keywords", "links", "slug", "changes", "skills")
FIELDS = REQUIRED + OPTIONAL


class _Checker:
    """Collects problems for one file while converting its fields."""

    def __init__(self, src: SourceFile):
        self.src = src
        self.problems: list[Problem] = []

    def problem(self, field: str | None, message: str, hint: str | None = None, line: int | None = None) -> None:
        if line is None and field is not None:
            line = self.src.meta_lines.get(field) or self.src.meta_lines.get(field.split("[")[0].split(".")[0])
        self.problems.append(Problem(path=self.src.shown, line=line, field=field, message=message, hint=hint))

    # -- typed getters -------------------------------------------------
    def text(self, name: str, required: bool) -> str | None:
        value = self.src.meta.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(name, "thiếu trường bắt buộc hoặc để trống", line=self.src.meta_lines.get(name, 2))
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.problem(name, f"phải là một dòng chữ, không phải {_kind(value)}")
            return None
        return " ".join(value.split())

    def text_list(self, name: str, required: bool) -> tuple[str, ...]:
        value = self.src.meta.get(name)
        if value is None or value == [] or value == "":
            if required:
                self.problem(name, "thiếu trường bắt buộc hoặc danh sách rỗng (cần ít nhất một mục)", line=self.src.meta_lines.get(name, 2))
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.problem(name, f"phải là một danh sách (mỗi mục một dòng bắt đầu bằng '- '), không phải {_kind(value)}")
            return ()
        items = []
        for i, item in enumerate(value, 1):
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                item = str(item)
            if not isinstance(item, str) or not item.strip():
                self.problem(f"{name}[{i}]", "mục phải là một dòng chữ, không để trống")
                continue
            items.append(" ".join(item.split()))
        return tuple(items)

    def url(self, field: str, value: Any) -> str | None:
        hint = "chỉ nhận địa chỉ đầy đủ bắt đầu bằng https://, tên miền viết bằng chữ không dấu"
        if field in self.src.unsafe_fields:
            # Removing them would make the printed address differ from the
            # one typed: refuse instead.
            self.problem(field, f"địa chỉ có ký tự ẩn ({self.src.unsafe_fields[field]})", hint=hint)
            return None
        if not isinstance(value, str) or not URL_RE.match(value.strip()):
            if isinstance(value, str) and (problem := markup.host_problem(value.strip())):
                self.problem(field, problem, hint=hint)
                return None
            shown = value if isinstance(value, str) else _kind(value)
            self.problem(field, f"địa chỉ không hợp lệ: {shown!r}", hint=hint)
            return None
        problem = markup.link_problem(value.strip())
        if problem:
            self.problem(field, problem, hint=hint)
            return None
        if self.words(field, value, url=True):
            return None
        return value.strip()

    def words(self, field: str, value: str | None, url: bool = False) -> str | None:
        """A word of ``value`` longer than ``markup.MAX_WORD``: reported
        (and returned) as a problem of ``field``."""
        m = markup.long_word(value, url=url) if value else None
        if m is None:
            return None
        message = markup.long_word_message(m.group(0))
        self.problem(field, message, hint=markup.LONG_WORD_HINT)
        return message


def _kind(value: Any) -> str:
    return {
        dict: "một nhóm trường",
        list: "một danh sách",
        bool: "giá trị đúng/sai",
        int: "một số",
        float: "một số",
        _dt.date: "một ngày",
    }.get(type(value), type(value).__name__)


def _date(value: Any) -> _dt.date | None:
    """An ISO date written in YAML (read as text by ``source``), or None."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _changes(c: "_Checker", meta: dict, today: _dt.date) -> tuple[Change, ...]:
    """``changes``: a list of {date, what}, one line each, newest first."""
    raw = meta.get("changes")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        c.problem("changes", f"phải là một danh sách các mục {{date, what}}, không phải {_kind(raw)}")
        return ()
    if len(raw) > MAX_CHANGES:
        c.problem("changes", f"có {len(raw)} dòng, tối đa {MAX_CHANGES}", hint="giữ những thay đổi gần đây nhất")
        return ()
    out = []
    for i, item in enumerate(raw, 1):
        field = f"changes[{i}]"
        if not isinstance(item, dict) or set(item) != {"date", "what"}:
            c.problem(field, "mỗi dòng phải có đúng hai trường 'date' (ngày sửa) và 'what' (sửa gì, một dòng)")
            continue
        when = _date(item["date"])
        if when is None:
            c.problem(f"{field}.date", f"ngày không hợp lệ: {item['date']!r}", hint="viết theo dạng năm-tháng-ngày, ví dụ 2026-12-02")
            continue
        if when > today:
            c.problem(f"{field}.date", f"ngày {_fmt_date(when)} nằm trong tương lai")
            continue
        what = item["what"]
        if not isinstance(what, str) or not what.strip():
            c.problem(f"{field}.what", "thiếu nội dung: sửa gì, trong một dòng")
            continue
        what = " ".join(what.split())
        if len(what) > CHANGE_MAX:
            c.problem(f"{field}.what", f"dài {len(what)} ký tự, tối đa {CHANGE_MAX}", hint="viết gọn trong một dòng")
            continue
        out.append(Change(date=when, what=what))
    return tuple(sorted(out, key=lambda ch: ch.date, reverse=True))


def _skills(c: "_Checker", areas: dict[str, SkillArea] | None) -> tuple[str, ...]:
    """``skills``: ids of the framework's areas (``data/skills.yml``)."""
    ids = c.text_list("skills", False)
    if areas is None:
        return ids
    for i, sid in enumerate(ids, 1):
        if sid not in areas:
            close = difflib.get_close_matches(sid, list(areas), n=1, cutoff=0.6)
            hint = f"có phải ý bạn là '{close[0]}'?" if close else "chọn trong: " + ", ".join(areas)
            c.problem(f"skills[{i}]", f"không có nhóm kỹ năng '{sid}'", hint=hint)
    return ids


def _fmt_date(d: _dt.date) -> str:
    return d.strftime("%d/%m/%Y")


def check_guide(
    src: SourceFile,
    categories: dict[str, Category],
    today: _dt.date,
    image_files: frozenset[str] | None = None,
    skill_areas: dict[str, SkillArea] | None = None,
) -> tuple[Guide | None, list[Problem], list[str]]:
    """One guide's fields and body; ``image_files``: names in the guides'
    image folder, ``skill_areas``: the framework's areas by id (None: not
    checked)."""
    c = _Checker(src)
    warnings: list[str] = list(src.warnings)
    meta = src.meta

    for key in meta:
        if key not in FIELDS:
            close = difflib.get_close_matches(str(key), FIELDS, n=1, cutoff=0.6)
            hint = f"có phải ý bạn là '{close[0]}'?" if close else "các trường được dùng: " + ", ".join(FIELDS)
            c.problem(str(key), "trường không được hỗ trợ", hint=hint, line=src.meta_lines.get(str(key)))

    title = c.text("title", True)
    service = c.text("service", True)
    category = c.text("category", True)
    if category is not None and category not in categories:
        close = difflib.get_close_matches(category, list(categories), n=1, cutoff=0.6)
        hint = f"có phải ý bạn là '{close[0]}'?" if close else "chọn một trong: " + ", ".join(categories)
        c.problem("category", f"nhóm '{category}' không có", hint=hint)
    summary = c.text("summary", True)
    if summary is not None and len(summary) > SUMMARY_MAX:
        c.problem("summary", f"dài {len(summary)} ký tự, tối đa {SUMMARY_MAX}", hint="viết gọn trong một câu")
    prepare = c.text_list("prepare", True)
    time_needed = c.text("time_needed", False)
    keywords = c.text_list("keywords", False)
    for name, value in (("title", title), ("service", service), ("summary", summary), ("time_needed", time_needed)):
        c.words(name, value)
    for name, values in (("prepare", prepare), ("keywords", keywords)):
        for i, v in enumerate(values, 1):
            c.words(f"{name}[{i}]", v)
    for name, values in (("service", (service,)), ("keywords", keywords)):
        for i, v in enumerate(values, 1):
            if v and ("<" in v or ">" in v):
                field = name if name == "service" else f"keywords[{i}]"
                c.problem(field, "không dùng dấu '<' hoặc '>' trong từ khóa tìm kiếm", hint="chỉ viết chữ và số")

    sources: list[str] = []
    raw_sources = meta.get("sources")
    if raw_sources is None or raw_sources in ([], ""):
        c.problem("sources", "thiếu trường bắt buộc: cần ít nhất một địa chỉ nguồn chính thức (https://)", line=src.meta_lines.get("sources", 2))
    elif not isinstance(raw_sources, list):
        c.problem("sources", f"phải là một danh sách địa chỉ, không phải {_kind(raw_sources)}")
    else:
        for i, item in enumerate(raw_sources, 1):
            u = c.url(f"sources[{i}]", item)
            if u:
                sources.append(u)

    links: list[Link] = []
    raw_links = meta.get("links")
    if raw_links is not None:
        if not isinstance(raw_links, list):
            c.problem("links", f"phải là một danh sách các mục {{label, url}}, không phải {_kind(raw_links)}")
        else:
            for i, item in enumerate(raw_links, 1):
                if not isinstance(item, dict) or set(item) != {"label", "url"}:
                    c.problem(f"links[{i}]", "mỗi mục phải có đúng hai trường 'label' và 'url'")
                    continue
                label = item["label"]
                if not isinstance(label, str) or not label.strip():
                    c.problem(f"links[{i}].label", "tên đường dẫn để trống")
                    continue
                u = c.url(f"links[{i}].url", item["url"])
                label = " ".join(label.split())
                if u and not c.words(f"links[{i}].label", label):
                    problem = markup.label_problem(label, u)
                    if problem:
                        c.problem(f"links[{i}].label", problem, hint="ghi tên trang bằng chữ, hoặc ghi đúng địa chỉ mà đường dẫn trỏ tới")
                    else:
                        links.append(Link(label=label, url=u))

    changes = _changes(c, meta, today)
    skills = _skills(c, skill_areas)

    reviewed = meta.get("reviewed")
    if reviewed is None or reviewed == "":
        c.problem("reviewed", "thiếu trường bắt buộc: ngày kiểm tra lại nội dung (dạng 2026-11-29)", line=src.meta_lines.get("reviewed", 2))
        reviewed = None
    elif isinstance(reviewed, _dt.datetime):
        reviewed = reviewed.date()
    elif isinstance(reviewed, str):
        try:
            reviewed = _dt.date.fromisoformat(reviewed.strip())
        except ValueError:
            c.problem("reviewed", f"ngày không hợp lệ: {reviewed!r}", hint="viết theo dạng năm-tháng-ngày, ví dụ 2026-11-29")
            reviewed = None
    elif not isinstance(reviewed, _dt.date):
        c.problem("reviewed", f"ngày không hợp lệ: {reviewed!r}", hint="viết theo dạng năm-tháng-ngày, ví dụ 2026-11-29")
        reviewed = None
    if isinstance(reviewed, _dt.date):
        if reviewed > today:
            c.problem("reviewed", f"ngày {_fmt_date(reviewed)} nằm trong tương lai")
        elif (today - reviewed).days > STALE_AFTER_DAYS:
            warnings.append(
                f"{src.shown}:{src.meta_lines.get('reviewed', 2)}: trường 'reviewed': nội dung kiểm tra lần cuối ngày "
                f"{_fmt_date(reviewed)}, đã quá 12 tháng: hãy đối chiếu lại với nguồn chính thức"
            )

    slug = src.path.stem
    if "slug" in meta:
        given = c.text("slug", False)
        if given is not None:
            slug = given
    if len(slug) > SLUG_MAX:
        field = "slug" if "slug" in meta else None
        c.problem(field, f"tên định danh dài {len(slug)} ký tự, tối đa {SLUG_MAX} ('{slug[:40]}…')", hint="rút gọn tên, ví dụ 'vneid-kich-hoat'", line=src.meta_lines.get("slug", 1))
    elif windows_reserved(slug):
        field = "slug" if "slug" in meta else None
        c.problem(
            field,
            f"tên định danh '{slug}' trùng một tên Windows dành riêng (CON, PRN, AUX, NUL, COM1–9, LPT1–9): không tạo được tệp tên này trên Windows",
            hint=f"thêm chữ vào tên, ví dụ '{slug}-dich-vu'",
            line=src.meta_lines.get("slug", 1),
        )
    elif not SLUG_RE.match(slug):
        field = "slug" if "slug" in meta else None
        c.problem(field, f"tên định danh '{slug}' không hợp lệ", hint="chỉ dùng chữ thường không dấu, số và dấu gạch ngang, ví dụ 'vneid-kich-hoat'", line=src.meta_lines.get("slug", 1))

    if slug in RESERVED_SLUGS:
        field = "slug" if "slug" in meta else None
        c.problem(field, f"tên định danh '{slug}' trùng với một đường dẫn của trang web", hint="đặt tên khác, ví dụ theo tên dịch vụ: 'vneid-kich-hoat'", line=src.meta_lines.get("slug", 1))

    body, found = markup.parse_body(src.body, src.shown, src.body_line, image_files, warnings)
    c.problems += found
    if body.refused:
        return None, c.problems, warnings
    by_key: dict[str, markup.Section] = {}
    for section in body.sections:
        key = markup.section_key(section.heading.text)
        if key in by_key and key in {markup.section_key(k) for k in (STEPS, TIPS, TROUBLE)}:
            c.problem(None, f"mục '## {section.heading.text}' xuất hiện hai lần", line=section.line)
        by_key.setdefault(key, section)
    steps: tuple[markup.Step, ...] = ()
    section = by_key.get(markup.section_key(STEPS))
    if section is None:
        c.problem(None, f"thiếu mục '## {STEPS}'", hint="thêm một dòng '## Các bước' rồi liệt kê các bước dạng 1. 2. 3.", line=src.body_line)
    else:
        steps = tuple(markup.steps_of(section, src.shown, c.problems))
        if steps and not MIN_STEPS <= len(steps) <= MAX_STEPS:
            c.problem(None, f"mục '## {STEPS}' có {len(steps)} bước, cần từ {MIN_STEPS} đến {MAX_STEPS} bước", line=section.line)
    tips_section = by_key.get(markup.section_key(TIPS))
    trouble_section = by_key.get(markup.section_key(TROUBLE))
    tips = tuple(markup.items_of(tips_section, src.shown, c.problems)) if tips_section else ()
    trouble = tuple(markup.items_of(trouble_section, src.shown, c.problems)) if trouble_section else ()
    standard = {id(x) for x in (section, tips_section, trouble_section) if x is not None}
    extra = tuple(
        markup.Section(
            markup.refuse_images(s.heading, src.shown, s.heading.text, c.problems, s.line),
            markup.free_blocks(s.blocks, src.shown, s.heading.text, c.problems),
            s.line,
        )
        for s in body.sections
        if id(s) not in standard
    )
    intro = markup.free_blocks(body.intro, src.shown, None, c.problems)

    if c.problems:
        return None, c.problems, warnings
    assert title and service and category and summary and isinstance(reviewed, _dt.date)
    guide = Guide(
        slug=slug,
        title=title,
        service=service,
        category=category,
        summary=summary,
        prepare=prepare,
        intro=intro,
        steps=steps,
        tips=tips,
        troubleshooting=trouble,
        links=tuple(links),
        sources=tuple(sources),
        reviewed=reviewed,
        keywords=keywords,
        time_needed=time_needed,
        extra_sections=extra,
        changes=changes,
        skills=skills,
        source_path=src.path,
        digest=src.digest,
    )
    return guide, [], warnings


def guide_files(guides_dir: Path) -> list[Path]:
    """The guide files of a folder: ``*.md`` (any case of the extension),
    not hidden, not starting with '_'."""
    return sorted(
        p
        for p in guides_dir.iterdir()
        if p.suffix.lower() == ".md" and not p.name.startswith((".", "_")) and (p.is_file() or p.is_symlink())
    )


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except (ValueError, OSError, RuntimeError):
        return False


def image_files(guides_dir: Path) -> tuple[frozenset[str], list[Problem]]:
    """Names of the usable images in the guides' image folder (``anh/``):
    regular files with a safe name and a raster extension, not links leading
    out of the folder, not too big, PNG or JPEG by content, decoded whole
    (``images.check``)."""
    folder = guides_dir / markup.IMAGE_DIR
    names: set[str] = set()
    problems: list[Problem] = []
    if not folder.is_dir() or not _inside(folder, guides_dir):
        return frozenset(), problems
    for p in sorted(folder.iterdir()):
        if not p.name.lower().endswith(markup.IMAGE_TYPES):
            continue
        if not _inside(p, folder) or not p.is_file():
            problems.append(Problem(path=display_path(p), message="tệp ảnh là liên kết ra ngoài thư mục ảnh", hint="chép tệp ảnh thật vào thư mục"))
            continue
        if p.stat().st_size > markup.IMAGE_MAX_BYTES:
            problems.append(Problem(path=display_path(p), message=f"tệp ảnh quá lớn (tối đa {markup.IMAGE_MAX_BYTES // (1024 * 1024)} MB)", hint="thu nhỏ ảnh, ví dụ rộng 800 điểm ảnh"))
            continue
        # By content, bounded, decoded whole (camnang.images): an SVG or
        # garbage named .png, or a 400-megapixel PNG, is an error here.
        try:
            problem = images.check(p.read_bytes())
        except OSError as e:
            problem = f"không đọc được tệp ảnh: {e.strerror or e}"
        if problem is not None:
            problems.append(Problem(path=display_path(p), message=problem, hint="lưu lại ảnh dạng PNG hoặc JPEG, rộng khoảng 800 đến 2000 điểm ảnh"))
            continue
        names.add(p.name)
    return frozenset(names), problems


def _with_image_digest(guide: Guide, folder: Path) -> Guide:
    """The guide's digest (its outputs' cache key) covers its images too."""
    h = hashlib.sha256(guide.digest.encode("ascii"))
    for image in guide.images:
        h.update(b"\0" + image.name.encode("utf-8") + b"\0")
        h.update(hashlib.sha256((folder / image.name).read_bytes()).digest())
    return dataclasses.replace(guide, digest=h.hexdigest())


CARD_NUMBER = re.compile(r"(.+)-([2-9]|[1-9][0-9]+)")
TEAM_CARD_SLUG = "to"
"""A team pack's own Zalo card is ``the-zalo-to.png``."""


def card_name_clashes(seen: dict[str, str], lines: dict[str, int]) -> list[Problem]:
    """Slugs whose Zalo card would have the name of another card
    (``printables.zalocard``: ``the-zalo-<slug>.png``, then
    ``the-zalo-<slug>-2.png``... for a series): ``abc-2`` beside ``abc``
    (whose second card is ``the-zalo-abc-2.png``), and ``to`` (a team
    pack's card is ``the-zalo-to.png``). Refused whatever the number of
    cards, so that a guide growing longer never makes a clash."""
    problems = []
    for slug, shown in seen.items():
        match = CARD_NUMBER.fullmatch(slug)
        if slug == TEAM_CARD_SLUG:
            clash = f"trùng tên ảnh Zalo của tổ trong gói tổ (the-zalo-{slug}.png)"
            hint = "đặt tên khác, ví dụ theo tên dịch vụ: 'vneid-kich-hoat'"
        elif match and match.group(1) in seen:
            clash = (
                f"trùng tên ảnh Zalo thứ {match.group(2)} của hướng dẫn '{match.group(1)}' "
                f"({seen[match.group(1)]}): cả hai đều là the-zalo-{slug}.png"
            )
            hint = f"đổi tên tệp hoặc trường 'slug', thêm chữ thay vì số ở cuối, ví dụ '{match.group(1)}-moi'"
        else:
            continue
        problems.append(
            Problem(
                path=shown, line=lines.get(slug, 1), field="slug",
                message=f"tên định danh '{slug}' {clash}", hint=hint,
            )
        )
    return problems


def load_library(
    guides_dir: Path,
    categories: tuple[Category, ...],
    today: _dt.date | None = None,
    on_warning: Callable[[str], None] | None = None,
    skill_areas: tuple[SkillArea, ...] | None = None,
) -> Library:
    """Load and validate every guide and the journeys file; raise
    GuideError listing all problems. ``skill_areas``: the framework guides
    are tagged with (default: the bundled ``data/skills.yml``)."""
    today = today or _dt.date.today()
    if skill_areas is None:
        from .config import load_skill_framework

        skill_areas = load_skill_framework().areas
    areas_by_id = {a.id: a for a in skill_areas}
    by_id = {c.id: c for c in categories}
    problems: list[Problem] = []
    warnings: list[str] = []
    guides: list[Guide] = []
    if not guides_dir.is_dir():
        raise GuideError(Problem(path=str(guides_dir), message="không tìm thấy thư mục hướng dẫn"))
    files = guide_files(guides_dir)
    images, found = image_files(guides_dir)
    problems += found
    if not files:
        raise GuideError(Problem(path=str(guides_dir), message="thư mục không có hướng dẫn nào (tệp .md)"))
    seen: dict[str, str] = {}
    lines: dict[str, int] = {}
    for path in files:
        if not _inside(path, guides_dir) or not path.is_file():
            problems.append(
                Problem(path=display_path(path), message="tệp hướng dẫn là liên kết (symlink) dẫn ra ngoài thư mục hướng dẫn", hint="chép nội dung vào một tệp thật trong thư mục")
            )
            continue
        if path.suffix != ".md":
            warnings.append(f"{display_path(path)}: đuôi tệp '{path.suffix}' được đọc như '.md'; nên đổi thành chữ thường '.md'")
        src = read_source(path)
        if isinstance(src, Problem):
            problems.append(src)
            continue
        guide, found, warned = check_guide(src, by_id, today, images, areas_by_id)
        problems += found
        warnings += warned
        if guide is None:
            continue
        if guide.slug in seen:
            problems.append(
                Problem(
                    path=src.shown,
                    line=src.meta_lines.get("slug", 1),
                    field="slug",
                    message=f"tên định danh '{guide.slug}' trùng với {seen[guide.slug]}",
                    hint="đổi tên tệp hoặc trường 'slug' để mỗi hướng dẫn có một địa chỉ riêng",
                )
            )
            continue
        seen[guide.slug] = src.shown
        lines[guide.slug] = src.meta_lines.get("slug", 1)
        if guide.images:
            guide = _with_image_digest(guide, guides_dir / markup.IMAGE_DIR)
        guides.append(guide)
    problems += card_name_clashes(seen, lines)
    journeys, found = load_journeys(guides_dir, set(seen))
    problems += found
    if problems:
        raise GuideError(problems)
    if on_warning:
        for w in warnings:
            on_warning(w)
    return Library(
        guides=tuple(guides),
        categories=categories,
        warnings=tuple(warnings),
        journeys=journeys,
        skill_areas=tuple(skill_areas),
    )
