"""Configuration: one place, ``mkdocs.yml``.

The MkDocs plugin options (``plugins: - camnang: ...``) and the top-level
``site_url`` are read into one immutable ``Settings`` object. The options
are declared once here (``OPTIONS``), with no MkDocs import: the plugin
(``camnang.plugin``) turns the table into MkDocs' option schema and hands
back what MkDocs read; ``build_posters.py`` and the other tools read the
same file with ``load_settings``, which understands MkDocs' ``!ENV`` tag
the way MkDocs does (``pyyaml_env_tag``), so both front ends see exactly
the same values, and the core keeps working when MkDocs 1.x goes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from typing import Any

import yaml

from . import icons
from .errors import ConfigError, Problem
from .model import Category, SkillArea

DEFAULT_COURSE_URL = "https://onetouch.mic.gov.vn/pho-cap-ky-nang-so/"
"""The national course "Phổ cập kỹ năng số cộng đồng".

The ministry that ran it merged into the Ministry of Science and Technology
in 2025; check the address (README, "Khóa học quốc gia") and override it with
the plugin option ``course_url`` when it moves.
"""

_PACKAGE_DATA = Path(__file__).parent / "data"

DEFAULT_RADIO_RATE = 200
"""Reading speed assumed for radio scripts, in words per minute (Vietnamese
is written one syllable per word, so this is syllables per minute).

Vietnamese read aloud at a normal pace runs at about 5.3 syllables a second,
some 315 a minute (Coupé, Oh, Dediu & Pellegrino 2019, "Different languages,
similar encoding efficiency", Science Advances 5: eaaw2594); Vietnamese TV
presenters were measured at 3.7 to 5.5 words a second. Commune loudspeakers
are heard outdoors, through horn echo, by many older listeners who follow
instructions step by step, so scripts are read slowly with a pause between
steps: 200 a minute (3.3 a second), about two thirds of normal reading
speed, pauses included. Time one real broadcast (or your TTS system) and
set ``radio_rate`` to what it does.
"""
DEFAULT_RADIO_SLOT_MINUTES = 3
"""Radio slot length: scripts read in 2 to 3 minute slots; longer ones get
a warning at the top and in the build log."""

DEFAULT_PRINT_FONT = "Noto Sans"
"""Noto Sans (Debian package fonts-noto-core) covers every Vietnamese letter
and tone mark, in regular and bold."""


@dataclass(frozen=True)
class Option:
    """One option of the ``camnang`` plugin in mkdocs.yml."""

    types: tuple[type, ...]
    default: Any
    doc: str = ""

    @property
    def optional(self) -> bool:
        return self.default is None


PRINT_PROFILES = ("office", "offset")
"""Values of ``print_profile`` (see ``camnang.printables.booklet``)."""

OPTIONS: dict[str, Option] = {
    "guides_dir": Option((str,), "guides"),
    "course_url": Option((str,), DEFAULT_COURSE_URL),
    "categories_file": Option((str,), None),
    "cache_dir": Option((str,), ".cache/camnang"),
    "printables": Option((bool,), True, "Render leaflets, posters and radio scripts into the site."),
    "posters_dir": Option((str,), "posters"),
    "print_font": Option(
        (str,),
        DEFAULT_PRINT_FONT,
        "Font family of leaflets, posters and radio PDFs, found through fontconfig; "
        "it must cover Vietnamese or the build stops.",
    ),
    "jobs": Option((int,), 0, "Worker processes for printables; 0 means one per core."),
    "radio_rate": Option((int,), DEFAULT_RADIO_RATE, "Reading speed of radio scripts, words (syllables) per minute."),
    "radio_slot": Option((int, float), DEFAULT_RADIO_SLOT_MINUTES, "Radio slot in minutes; a longer script gets a warning."),
    "radio_abbreviations": Option((str,), None, "Extra YAML file of spoken forms, added to data/abbreviations.yml."),
    "offline": Option(
        (bool,), True, "Service worker and web app manifest: the site works offline after one visit (camnang.offline)."
    ),
    "offline_printables_budget": Option((int,), 3 * 1024 * 1024, "Bytes of printables stored for offline use by the \"Lưu tất cả\" button (others when opened)."),
    "print_profile": Option(
        (str,), "office",
        "office: PDFs for office printers and copiers; offset: the handbook for a print shop "
        "(pure-black K text and rules, 3 mm bleed, crop marks, an output intent).",
    ),
    "feedback_url": Option(
        (str,), None,
        "Where residents and teams report a wrong step (a form or a Zalo group link, https:// only): "
        "adds 'Báo bước sai' to every guide page and leaflet.",
    ),
}
"""The plugin's options: the one declaration both front ends read."""


@dataclass(frozen=True)
class Settings:
    base_dir: Path
    guides_dir: Path
    site_dir: Path
    site_url: str | None
    course_url: str
    categories: tuple[Category, ...]
    cache_dir: Path
    posters_dir: Path
    printables: bool = True
    jobs: int = 0
    config_file: Path | None = None
    extra: dict = field(default_factory=dict, compare=False)
    radio_rate: int = DEFAULT_RADIO_RATE
    radio_slot_minutes: float = DEFAULT_RADIO_SLOT_MINUTES
    radio_abbreviations: Path | None = None
    print_font: str = DEFAULT_PRINT_FONT
    feedback_url: str | None = None
    print_profile: str = "office"

    @property
    def radio_lexicon(self) -> str:
        """Content hash of the spoken-form lists radio scripts use (bundled
        and ``radio_abbreviations``): part of their cache key."""
        from .spoken import Lexicon

        return Lexicon.load(self.radio_abbreviations).digest

    @property
    def worker_count(self) -> int:
        return self.jobs if self.jobs > 0 else (os.cpu_count() or 1)


def load_categories(path: Path | None = None) -> tuple[Category, ...]:
    path = path or _PACKAGE_DATA / "categories.yml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise ConfigError(Problem(path=str(path), message=f"không đọc được danh sách nhóm: {e}")) from e
    cats = []
    for cid, spec in (data or {}).items():
        if not isinstance(spec, dict) or not spec.get("name") or not spec.get("icon"):
            raise ConfigError(Problem(path=str(path), field=str(cid), message="mỗi nhóm cần 'name' và 'icon'"))
        if icons.icon_paths(str(spec["icon"])) is None:
            raise ConfigError(
                Problem(
                    path=str(path),
                    field=f"{cid}.icon",
                    message=f"không có biểu tượng {str(spec['icon'])!r}",
                    hint=f"chọn một tệp trong {icons.ICONS_DIR} (viết 'material/<tên tệp>'), hoặc chép thêm biểu tượng vào đó",
                )
            )
        cats.append(Category(id=str(cid), name=spec["name"], icon=spec["icon"], blurb=spec.get("blurb", "")))
    return tuple(cats)


@dataclass(frozen=True)
class SkillFramework:
    """The national basic digital-skills framework guides are tagged with
    (``data/skills.yml``): its areas and the official text they come from."""

    areas: tuple[SkillArea, ...]
    document: str = ""
    source: str = ""


def load_skill_framework(path: Path | None = None) -> SkillFramework:
    """``data/skills.yml`` (or ``path``): the framework's areas in order."""
    path = path or _PACKAGE_DATA / "skills.yml"
    if not path.exists():
        return SkillFramework(areas=())
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise ConfigError(Problem(path=str(path), message=f"không đọc được khung kỹ năng số: {e}")) from e
    areas = []
    for aid, spec in (data.get("areas") or {}).items():
        if not isinstance(spec, dict) or not spec.get("name") or spec.get("number") is None:
            raise ConfigError(Problem(path=str(path), field=f"areas.{aid}", message="mỗi nhóm kỹ năng cần 'number' và 'name'"))
        areas.append(SkillArea(id=str(aid), number=str(spec["number"]), name=str(spec["name"])))
    source = str(data.get("source") or "")
    if source:
        _check_url(source, "source", str(path))
    return SkillFramework(areas=tuple(areas), document=str(data.get("document") or ""), source=source)


def _check_url(value: str, field_name: str, config_file: str) -> str:
    if not value.startswith("https://"):
        raise ConfigError(
            Problem(path=config_file, field=field_name, message=f"địa chỉ không hợp lệ: {value!r}", hint="phải bắt đầu bằng https://")
        )
    return value


def _is_local_preview(url: str) -> bool:
    from urllib.parse import urlsplit

    return (urlsplit(url).hostname or "") in ("127.0.0.1", "localhost", "::1", "0.0.0.0")


def check_options(values: dict, config_file: str) -> dict[str, Any]:
    """The plugin's options with defaults filled in, each of its declared
    type; an unknown option or a wrong type is an error naming the field."""
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise ConfigError(Problem(path=config_file, field="plugins.camnang", message="các tùy chọn phải là một bảng tên: giá trị"))
    unknown = sorted(set(values) - set(OPTIONS), key=str)
    if unknown:
        raise ConfigError(
            Problem(path=config_file, field=f"plugins.camnang.{unknown[0]}", message="tùy chọn không có trong camnang",
                    hint="các tùy chọn: " + ", ".join(OPTIONS))
        )
    out = {}
    for name, option in OPTIONS.items():
        value = values.get(name, option.default)
        if value is None and option.optional:
            out[name] = None
            continue
        bad_bool = isinstance(value, bool) and bool not in option.types
        if bad_bool or not isinstance(value, option.types):
            wanted = " hoặc ".join({"str": "chữ", "bool": "true/false", "int": "số nguyên", "float": "số"}[t.__name__] for t in option.types)
            raise ConfigError(
                Problem(path=config_file, field=f"plugins.camnang.{name}", message=f"phải là {wanted}, không phải {value!r}")
            )
        out[name] = value
    return out


def make_settings(
    options: dict[str, Any], *, site_url: str | None, site_dir: str | Path, config_file: str | Path
) -> Settings:
    """Settings from the plugin's checked options (``check_options``) and
    the two top-level values camnang reads (``site_url``, ``site_dir``)."""
    config_file = str(config_file)
    base_dir = Path(config_file).resolve().parent

    def resolve(p: str | Path) -> Path:
        path = Path(p)
        return path if path.is_absolute() else base_dir / path

    site_url = site_url or None
    if site_url and _is_local_preview(site_url):
        # `mkdocs serve` sets site_url to its own http://127.0.0.1:port/:
        # a preview, never an address to print in a QR code.
        site_url = None
    if site_url:
        site_url = _check_url(site_url, "site_url", config_file)
        if not site_url.endswith("/"):
            site_url += "/"
    course_url = _check_url(options["course_url"], "course_url", config_file)
    feedback_url = _check_url(options["feedback_url"], "feedback_url", config_file) if options["feedback_url"] else None
    cat_file = resolve(options["categories_file"]) if options["categories_file"] else None
    for name in ("radio_rate", "radio_slot"):
        value = options[name]
        if isinstance(value, bool) or value <= 0:
            raise ConfigError(Problem(path=config_file, field=name, message=f"phải là một số lớn hơn 0, không phải {value!r}"))
    radio_abbreviations = resolve(options["radio_abbreviations"]) if options["radio_abbreviations"] else None
    if radio_abbreviations is not None:
        from .spoken import Lexicon

        Lexicon.load(radio_abbreviations)  # a bad file stops the build before anything is written
    if options["print_profile"] not in PRINT_PROFILES:
        raise ConfigError(
            Problem(path=config_file, field="plugins.camnang.print_profile",
                    message=f"phải là {' hoặc '.join(PRINT_PROFILES)}, không phải {options['print_profile']!r}")
        )
    return Settings(
        base_dir=base_dir,
        guides_dir=resolve(options["guides_dir"]),
        site_dir=resolve(site_dir),
        site_url=site_url,
        course_url=course_url,
        categories=load_categories(cat_file),
        cache_dir=resolve(options["cache_dir"]),
        posters_dir=resolve(options["posters_dir"]),
        printables=options["printables"],
        jobs=options["jobs"],
        config_file=Path(config_file).resolve(),
        radio_rate=options["radio_rate"],
        radio_slot_minutes=options["radio_slot"],
        radio_abbreviations=radio_abbreviations,
        print_font=options["print_font"].strip(),
        feedback_url=feedback_url,
        print_profile=options["print_profile"],
    )


class _ConfigLoader(yaml.SafeLoader):
    """mkdocs.yml as MkDocs reads it, for the values camnang needs:
    ``!ENV`` resolved as MkDocs does; other tags MkDocs or its extensions
    use (``!!python/name:...``, ``!relative``) read as None, never run."""


def _env_tag(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """``!ENV VAR`` or ``!ENV [VAR1, VAR2, default]`` (pyyaml_env_tag's rules:
    the first variable set wins, its value typed as YAML would; otherwise
    the last item of a list of two or more, else None)."""
    default = None
    if isinstance(node, yaml.ScalarNode):
        names = [loader.construct_scalar(node)]
    elif isinstance(node, yaml.SequenceNode):
        children = node.value
        if len(children) > 1:
            default = loader.construct_object(children[-1])
            children = children[:-1]
        names = [loader.construct_scalar(child) for child in children]
    else:
        raise yaml.constructor.ConstructorError(None, None, f"!ENV cần tên biến, không phải {node.id}", node.start_mark)
    for name in names:
        if name in os.environ:
            value = os.environ[name]
            tag = loader.resolve(yaml.ScalarNode, value, (True, False))
            return loader.construct_object(yaml.ScalarNode(tag, value))
    return default


_ConfigLoader.add_constructor("!ENV", _env_tag)
_ConfigLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def _plugin_options(plugins: Any, config_file: str) -> dict | None:
    """The ``camnang`` entry of ``plugins`` (a list or a mapping), or None."""
    if isinstance(plugins, dict):
        return plugins.get("camnang", {}) if "camnang" in plugins else None
    for entry in plugins or ():
        if entry == "camnang":
            return {}
        if isinstance(entry, dict) and "camnang" in entry:
            return entry["camnang"] or {}
    return None


def load_settings(config_file: str | Path = "mkdocs.yml") -> Settings:
    """Settings from mkdocs.yml, for command-line tools, without MkDocs."""
    shown = str(config_file)
    try:
        data = yaml.load(Path(config_file).read_text(encoding="utf-8"), Loader=_ConfigLoader)
    except yaml.YAMLError as e:
        raise ConfigError(Problem(path=shown, message=f"cấu hình không hợp lệ: {e}")) from e
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(Problem(path=shown, message=f"không đọc được tệp cấu hình: {e}")) from e
    if not isinstance(data, dict):
        raise ConfigError(Problem(path=shown, message="cấu hình không hợp lệ: cần một bảng tên: giá trị"))
    if "INHERIT" in data:
        raise ConfigError(Problem(path=shown, field="INHERIT", message="camnang chưa đọc được cấu hình kế thừa (INHERIT)",
                                  hint="viết các tùy chọn của camnang và site_url ngay trong tệp này"))
    options = _plugin_options(data.get("plugins"), shown)
    if options is None:
        raise ConfigError(Problem(path=shown, field="plugins", message="chưa bật plugin 'camnang'"))
    site_url = data.get("site_url")
    if site_url is not None and not isinstance(site_url, str):
        raise ConfigError(Problem(path=shown, field="site_url", message=f"phải là một địa chỉ, không phải {site_url!r}"))
    return make_settings(
        check_options(options, shown), site_url=site_url, site_dir=data.get("site_dir") or "site", config_file=shown
    )
