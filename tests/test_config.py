"""Settings are read from mkdocs.yml without MkDocs (issue 21): the same
values MkDocs' own loader gives, ``!ENV`` as MkDocs resolves it, and a bad
option named with its field."""

from __future__ import annotations

from pathlib import Path

import pytest
from mkdocs.config import load_config

from camnang.config import load_settings
from camnang.errors import ConfigError
from camnang.plugin import settings_from_mkdocs
from conftest import ROOT


def _write(tmp: Path, text: str) -> Path:
    path = tmp / "mkdocs.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_same_settings_as_mkdocs_reads(monkeypatch):
    for url in (None, "https://camnang.test/"):
        if url:
            monkeypatch.setenv("CAMNANG_SITE_URL", url)
        cfg = load_config(config_file=str(ROOT / "mkdocs.yml"))
        assert load_settings(ROOT / "mkdocs.yml") == settings_from_mkdocs(cfg, cfg.plugins["camnang"].config)
    assert load_settings(ROOT / "mkdocs.yml").site_url == "https://camnang.test/"


@pytest.mark.parametrize(
    "value, env, expected",
    [
        ("!ENV CN_URL", {"CN_URL": "https://a.test"}, "https://a.test/"),
        ("!ENV CN_URL", {}, None),
        ("!ENV [CN_URL, CN_OTHER, 'https://mac-dinh.test/']", {"CN_OTHER": "https://b.test/"}, "https://b.test/"),
        ("!ENV [CN_URL, 'https://mac-dinh.test/']", {}, "https://mac-dinh.test/"),
        ("!ENV [CN_URL]", {}, None),
    ],
)
def test_env_tag_as_mkdocs_resolves_it(tmp_path, monkeypatch, value, env, expected):
    for name in ("CN_URL", "CN_OTHER"):
        monkeypatch.delenv(name, raising=False)
    for name, v in env.items():
        monkeypatch.setenv(name, v)
    (tmp_path / "docs").mkdir()
    path = _write(tmp_path, f"site_name: x\nsite_url: {value}\nplugins:\n  - camnang\n")
    assert load_settings(path).site_url == expected
    cfg = load_config(config_file=str(path))
    assert settings_from_mkdocs(cfg, cfg.plugins["camnang"].config).site_url == expected


def test_python_tags_are_never_run(tmp_path):
    path = _write(
        tmp_path,
        "site_name: x\nmarkdown_extensions:\n  - toc:\n      slugify: !!python/name:os.system\n"
        "x: !!python/object/apply:os.system ['touch " + str(tmp_path / "ran") + "']\n"
        "plugins:\n  camnang:\n    jobs: 1\n",
    )
    assert load_settings(path).jobs == 1
    assert not (tmp_path / "ran").exists()


@pytest.mark.parametrize(
    "options, field",
    [
        ("jobs: nhieu", "plugins.camnang.jobs"),
        ("printables: 1", "plugins.camnang.printables"),
        ("guide_dir: guides", "plugins.camnang.guide_dir"),
        ("radio_rate: true", "plugins.camnang.radio_rate"),
    ],
)
def test_bad_option_is_named(tmp_path, options, field):
    path = _write(tmp_path, f"site_name: x\nplugins:\n  - camnang:\n      {options}\n")
    with pytest.raises(ConfigError) as e:
        load_settings(path)
    assert field in str(e.value) and str(path) in str(e.value)


def test_missing_plugin_is_named(tmp_path):
    with pytest.raises(ConfigError, match="plugins"):
        load_settings(_write(tmp_path, "site_name: x\nplugins:\n  - search\n"))
