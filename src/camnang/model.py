"""The guide model: parsed once, read by every renderer.

Front matter fields (title, service, summary, prepare, time_needed,
keywords, links, sources) are plain text: never read as Markdown, escaped
wherever they are printed. The body is a document tree (``camnang.markup``):
the introduction and free sections are ``Blocks``, steps are ``Step``s,
tips and troubleshooting items are ``Run``s. Renderers walk the tree
(``markup.to_html``, ``markup.to_text``, ``camnang.spoken``); no renderer
reads Markdown. Everything is NFC-normalised and free of control,
bidirectional and invisible characters (``camnang.text.UNSAFE_CHARS``,
removed after YAML and Markdown decoding).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

from .markup import Blocks, Image, Run, Section, Step

__all__ = [
    "Blocks", "Category", "Change", "Guide", "Image", "Journey", "Library", "Link", "Run", "Section",
    "SkillArea", "Step",
]


SAFETY_WORDS = (
    "otp", "mật khẩu", "mã pin", "passcode", "lừa đảo", "chuyển tiền", "link lạ", "đường link",
    "người lạ", "bất kỳ ai", "không đưa", "không bấm", "không chuyển", "không cho", "giả",
)
"""Words that mark a tip as a safety tip (``key_tip``)."""


def key_tip(tips) -> int | None:
    """Index of the guide's most important tip: the one with most safety
    words as written (the first of equals); None without tips. The poster
    prints it in its black frame, the radio script stresses it."""
    if not tips:
        return None
    scores = [sum(str(t).casefold().count(w) for w in SAFETY_WORDS) for t in tips]
    return scores.index(max(scores))


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Change:
    """One line of a guide's ``changes``: what changed in its content, when."""

    date: _dt.date
    what: str


@dataclass(frozen=True)
class SkillArea:
    """A group of the national basic digital-skills framework
    (``data/skills.yml``)."""

    id: str
    number: str
    name: str


@dataclass(frozen=True)
class Journey:
    """A life event that leads through several guides in order
    (``guides/lo-trinh.yml``)."""

    id: str
    title: str
    summary: str
    slugs: tuple[str, ...]

    @property
    def page_path(self) -> str:
        return f"lo-trinh/{self.id}/"


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    icon: str
    blurb: str = ""



@dataclass(frozen=True)
class Guide:
    slug: str
    title: str
    service: str
    category: str
    summary: str
    prepare: tuple[str, ...]
    intro: Blocks
    steps: tuple[Step, ...]
    sources: tuple[str, ...]
    reviewed: _dt.date
    tips: tuple[Run, ...] = ()
    troubleshooting: tuple[Run, ...] = ()
    links: tuple[Link, ...] = ()
    keywords: tuple[str, ...] = ()
    time_needed: str | None = None
    extra_sections: tuple[Section, ...] = ()
    """Level-2 sections beyond the standard ones, in order."""
    changes: tuple[Change, ...] = ()
    """Newest first."""
    skills: tuple[str, ...] = ()
    """Ids of the skill areas (``SkillArea``) the guide trains."""
    source_path: Path | None = field(default=None, compare=False)
    digest: str = ""
    """SHA-256 of the guide file's normalised text: the cache key of its outputs."""

    @property
    def images(self) -> tuple[Image, ...]:
        """Every image of the guide's steps, in order."""
        return tuple(i for s in self.steps for i in s.images)

    @property
    def edition(self) -> _dt.date:
        """The date its content last changed: its newest ``changes`` line,
        else the day it was checked. Printed on every printable ("Bản ngày")."""
        return max([self.reviewed, *(c.date for c in self.changes)])

    @property
    def page_path(self) -> str:
        """Path of the guide's page on the site, relative to site_url."""
        return f"huong-dan/{self.slug}/"

    def page_url(self, site_url: str | None) -> str | None:
        """Absolute URL of the guide's page, or None without a site_url."""
        if not site_url:
            return None
        return site_url.rstrip("/") + "/" + self.page_path


@dataclass(frozen=True)
class Library:
    """Every guide of a build, with the categories they belong to."""

    guides: tuple[Guide, ...]
    categories: tuple[Category, ...]
    warnings: tuple[str, ...] = ()
    journeys: tuple[Journey, ...] = ()
    skill_areas: tuple[SkillArea, ...] = ()

    def journeys_of(self, slug: str) -> list[tuple[Journey, int]]:
        """The journeys a guide belongs to, with its place (0-based) in each."""
        return [(j, j.slugs.index(slug)) for j in self.journeys if slug in j.slugs]

    def by_skill(self) -> list[tuple[SkillArea, list[Guide]]]:
        """Skill areas in framework order, each with its guides (by title)."""
        return [
            (a, sorted((g for g in self.guides if a.id in g.skills), key=lambda g: g.title))
            for a in self.skill_areas
        ]

    def category(self, category_id: str) -> Category:
        for c in self.categories:
            if c.id == category_id:
                return c
        raise KeyError(category_id)

    def by_category(self) -> list[tuple[Category, list[Guide]]]:
        """Non-empty categories in configured order, guides sorted by title."""
        groups = []
        for c in self.categories:
            members = sorted((g for g in self.guides if g.category == c.id), key=lambda g: g.title)
            if members:
                groups.append((c, members))
        return groups

    def get(self, slug: str) -> Guide:
        for g in self.guides:
            if g.slug == slug:
                return g
        raise KeyError(slug)
