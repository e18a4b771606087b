"""Configuration: one place, ``mkdocs.yml``.

The MkDocs plugin options (``plugins: - camnang: ...``) and the top-level
``site_url`` are read into one immutable ``Settings`` object. The plugin
gets them from MkDocs; ``build_posters.py`` loads the same file with MkDocs'
own loader, so both front ends see exactly the same values.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from mkdocs.config import base
from mkdocs.config import config_options as c

from . import icons
from .errors import ConfigError, Problem
from .model import Category

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


class CamnangConfig(base.Config):
    """Options of the ``camnang`` MkDocs plugin."""

    guides_dir = c.Type(str, default="guides")
    course_url = c.Type(str, default=DEFAULT_COURSE_URL)
    categories_file = c.Optional(c.Type(str))
    cache_dir = c.Type(str, default=".cache/camnang")
    printables = c.Type(bool, default=True)
    """Render leaflets, posters and radio scripts into the site."""
    posters_dir = c.Type(str, default="posters")
    print_font = c.Type(str, default=DEFAULT_PRINT_FONT)
    """Font family of leaflets, posters and radio PDFs, found through
    fontconfig; it must cover Vietnamese or the build stops."""
    jobs = c.Type(int, default=0)
    """Worker processes for printables; 0 means one per core."""
    radio_rate = c.Type(int, default=DEFAULT_RADIO_RATE)
    """Reading speed of radio scripts, words (syllables) per minute."""
    radio_slot = c.Type((int, float), default=DEFAULT_RADIO_SLOT_MINUTES)
    """Radio slot in minutes; a longer script gets a warning."""
    radio_abbreviations = c.Optional(c.Type(str))
    """Extra YAML file of spoken forms, added to data/abbreviations.yml."""
    offline = c.Type(bool, default=True)
    """Service worker and web app manifest: the site works offline after one
    visit (camnang.offline)."""
    offline_printables_budget = c.Type(int, default=3 * 1024 * 1024)
    """Bytes of printables stored for offline use on the first visit."""


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


def _check_url(value: str, field_name: str, config_file: str) -> str:
    if not value.startswith("https://"):
        raise ConfigError(
            Problem(path=config_file, field=field_name, message=f"địa chỉ không hợp lệ: {value!r}", hint="phải bắt đầu bằng https://")
        )
    return value


def _is_local_preview(url: str) -> bool:
    from urllib.parse import urlsplit

    return (urlsplit(url).hostname or "") in ("127.0.0.1", "localhost", "::1", "0.0.0.0")


def settings_from_mkdocs(mkdocs_config, plugin_config: CamnangConfig) -> Settings:
    """Build Settings from a loaded MkDocs config and this plugin's options."""
    config_file = mkdocs_config.config_file_path or "mkdocs.yml"
    base_dir = Path(config_file).resolve().parent

    def resolve(p: str) -> Path:
        path = Path(p)
        return path if path.is_absolute() else base_dir / path

    site_url = mkdocs_config.site_url or None
    if site_url and _is_local_preview(site_url):
        # `mkdocs serve` sets site_url to its own http://127.0.0.1:port/:
        # a preview, never an address to print in a QR code.
        site_url = None
    if site_url:
        site_url = _check_url(site_url, "site_url", config_file)
        if not site_url.endswith("/"):
            site_url += "/"
    course_url = _check_url(plugin_config.course_url, "course_url", config_file)
    cat_file = resolve(plugin_config.categories_file) if plugin_config.categories_file else None
    for name in ("radio_rate", "radio_slot"):
        value = getattr(plugin_config, name)
        if isinstance(value, bool) or value <= 0:
            raise ConfigError(Problem(path=config_file, field=name, message=f"phải là một số lớn hơn 0, không phải {value!r}"))
    radio_abbreviations = resolve(plugin_config.radio_abbreviations) if plugin_config.radio_abbreviations else None
    if radio_abbreviations is not None:
        from .spoken import Lexicon

        Lexicon.load(radio_abbreviations)  # a bad file stops the build before anything is written
    return Settings(
        base_dir=base_dir,
        guides_dir=resolve(plugin_config.guides_dir),
        site_dir=Path(mkdocs_config.site_dir),
        site_url=site_url,
        course_url=course_url,
        categories=load_categories(cat_file),
        cache_dir=resolve(plugin_config.cache_dir),
        posters_dir=resolve(plugin_config.posters_dir),
        printables=plugin_config.printables,
        jobs=plugin_config.jobs,
        config_file=Path(config_file),
        radio_rate=plugin_config.radio_rate,
        radio_slot_minutes=plugin_config.radio_slot,
        radio_abbreviations=radio_abbreviations,
        print_font=plugin_config.print_font.strip(),
    )


def load_settings(config_file: str | Path = "mkdocs.yml") -> Settings:
    """Load Settings the way ``mkdocs build`` would, for command-line tools."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import ConfigurationError

    try:
        cfg = load_config(config_file=str(config_file))
    except ConfigurationError as e:
        raise ConfigError(Problem(path=str(config_file), message=f"cấu hình không hợp lệ: {e}")) from e
    except OSError as e:
        raise ConfigError(Problem(path=str(config_file), message=f"không đọc được tệp cấu hình: {e}")) from e
    plugin = cfg.plugins.get("camnang")
    if plugin is None:
        raise ConfigError(Problem(path=str(config_file), field="plugins", message="chưa bật plugin 'camnang'"))
    return settings_from_mkdocs(cfg, plugin.config)
