"""The review report: per guide, what a province's editor re-checks.

One job: from the loaded library and the settings, compute for each guide

- the date it was last checked (``reviewed``) and the date it is due again:
  ``reviewed`` + 12 months, the same age at which the build starts warning
  that a guide is stale (``validate.STALE_AFTER_DAYS``);
- whether it is due within the coming quarter (an editor works through the
  report each quarter, so a guide due before the next report is due now);
- its ``sources`` on web domains of provinces, districts or ministries
  merged or abolished in 2025 (``data/merged_domains.yml``, with the legal
  source of the lists): such a page may be gone, or describe an office that
  no longer exists;
- its radio script's reading time against the slot (``radio_slot``).

``format_report`` writes it as a Vietnamese table for the terminal
(``build_posters.py --review``). Nothing here reads Markdown or fetches a
URL: a source is judged by its host name only.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from .config import Settings
from .model import Change, Guide, Library
from .render import radio

MERGED_DOMAINS_FILE = Path(__file__).parent / "data" / "merged_domains.yml"
REVIEW_MONTHS = 12
"""A guide is due for review 12 months after it was last checked."""
QUARTER_MONTHS = 3
"""The report is read each quarter: due within 3 months means due now."""
MIN_SUFFIX_STEM = 6
"""A host label ending in a district stem counts as that district's only
for stems at least this long (``namhonglinh`` ends in ``honglinh``)."""


@dataclass(frozen=True)
class MergedDomains:
    """Domain stems of administrative units gone since the 2025 mergers."""

    provinces: dict[str, tuple[str, str]]
    """stem -> (old province, province it was merged into)"""
    current_provinces: frozenset[str]
    district_prefixes: tuple[str, ...]
    districts: dict[str, str]
    """stem -> former district (province of the time)"""
    ministries: dict[str, tuple[str, str]]
    """domain -> (old ministry, ministry it was merged into)"""


def load_merged_domains(path: Path | None = None) -> MergedDomains:
    data = yaml.safe_load((path or MERGED_DOMAINS_FILE).read_text(encoding="utf-8")) or {}
    return MergedDomains(
        provinces={str(k): (str(v[0]), str(v[1])) for k, v in (data.get("provinces") or {}).items()},
        current_provinces=frozenset(str(s) for s in data.get("current_provinces") or ()),
        district_prefixes=tuple(str(s) for s in data.get("district_prefixes") or ()),
        districts={str(k): str(v) for k, v in (data.get("districts") or {}).items()},
        ministries={str(k).lower(): (str(v[0]), str(v[1])) for k, v in (data.get("ministries") or {}).items()},
    )


def merged_source_reason(url: str, merged: MergedDomains) -> str | None:
    """Why ``url``'s host belongs to a unit gone since the 2025 mergers
    (Vietnamese, for the report), or None."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    for domain, (old, new) in merged.ministries.items():
        if host == domain or host.endswith("." + domain):
            return f"tên miền của {old} cũ (nay là {new})"
    if not host.endswith(".gov.vn"):
        return None
    labels = host[: -len(".gov.vn")].split(".")
    for label in labels:
        if label in merged.provinces:
            old, new = merged.provinces[label]
            return f"tỉnh {old} cũ (đã nhập vào {new} từ 1/7/2025)"
    for label in labels:
        district = merged.districts.get(label) or next(
            (name for stem, name in merged.districts.items() if len(stem) >= MIN_SUFFIX_STEM and label.endswith(stem)),
            None,
        )
        if district:
            return f"đơn vị cấp huyện cũ: {district} (không còn cấp huyện từ 1/7/2025)"
        if any(label.startswith(p) and len(label) > len(p) for p in merged.district_prefixes) and len(labels) > 1:
            return "trang của một huyện cũ (không còn cấp huyện từ 1/7/2025)"
    # x.y.<province>.gov.vn: a commune's site under a district's
    if len(labels) >= 3 and labels[-1] in merged.current_provinces:
        return "trang của xã, huyện cũ (xã sáp nhập, bỏ cấp huyện từ 1/7/2025)"
    return None


def add_months(day: _dt.date, months: int) -> _dt.date:
    """``day`` plus ``months`` calendar months (29/2 + 12 months = 28/2)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class GuideReview:
    slug: str
    title: str
    reviewed: _dt.date
    next_review: _dt.date
    merged_sources: tuple[tuple[str, str], ...]
    """(url, reason) of each source on a domain gone since the mergers"""
    radio_seconds: int
    slot_seconds: int
    today: _dt.date
    changes: tuple[Change, ...] = ()
    journeys: tuple[str, ...] = ()
    """Titles of the journeys the guide is a step of."""
    skills: tuple[str, ...] = ()
    """Names of the skill areas it is tagged with."""

    @property
    def overdue(self) -> bool:
        return self.next_review <= self.today

    @property
    def due_this_quarter(self) -> bool:
        return self.next_review <= add_months(self.today, QUARTER_MONTHS)

    @property
    def over_slot(self) -> bool:
        return self.radio_seconds > self.slot_seconds

    @property
    def needs_attention(self) -> bool:
        return self.due_this_quarter or bool(self.merged_sources) or self.over_slot


def review_guide(
    guide: Guide,
    settings: Settings,
    *,
    today: _dt.date,
    merged: MergedDomains,
    months: int = REVIEW_MONTHS,
    library: Library | None = None,
) -> GuideReview:
    script = radio.script_for(guide, settings)
    areas = {a.id: a.name for a in library.skill_areas} if library else {}
    merged_sources = tuple(
        (url, reason) for url in guide.sources if (reason := merged_source_reason(url, merged)) is not None
    )
    return GuideReview(
        slug=guide.slug,
        title=guide.title,
        reviewed=guide.reviewed,
        next_review=add_months(guide.reviewed, months),
        merged_sources=merged_sources,
        radio_seconds=script.seconds,
        slot_seconds=script.slot_seconds,
        today=today,
        changes=guide.changes,
        journeys=tuple(j.title for j, _ in library.journeys_of(guide.slug)) if library else (),
        skills=tuple(areas[s] for s in guide.skills if s in areas),
    )


def review_library(
    library: Library,
    settings: Settings,
    *,
    today: _dt.date | None = None,
    merged: MergedDomains | None = None,
    only: list[str] | None = None,
) -> tuple[GuideReview, ...]:
    """One review per guide, the soonest due first."""
    today = today or _dt.date.today()
    merged = merged or load_merged_domains()
    reviews = [
        review_guide(g, settings, today=today, merged=merged, library=library)
        for g in library.guides
        if only is None or g.slug in only
    ]
    return tuple(sorted(reviews, key=lambda r: (r.next_review, r.slug)))


def _date(d: _dt.date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def _clock(seconds: int) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


def _width(text: str) -> int:
    """Columns ``text`` takes on a terminal: combining marks take none."""
    return sum(0 if unicodedata.combining(c) else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


RECENT_DAYS = 92
"""Changes this recent are listed in the report (about a quarter)."""


def format_report(
    reviews: tuple[GuideReview, ...], today: _dt.date | None = None, library: Library | None = None
) -> str:
    """The report as plain text: a table, then the details of each guide
    that needs attention, the recent changes, the journeys and the skill
    areas (with ``library``), then a one-line summary."""
    today = today or (reviews[0].today if reviews else _dt.date.today())
    head = ("Hướng dẫn", "Kiểm tra", "Hạn xem lại", "Nguồn cũ", "Phát thanh", "Việc cần làm")
    rows = []
    for r in reviews:
        todo = []
        if r.overdue:
            todo.append("quá hạn xem lại")
        elif r.due_this_quarter:
            todo.append("xem lại quý này")
        if r.merged_sources:
            todo.append("thay nguồn")
        if r.over_slot:
            todo.append("rút gọn bài đọc")
        rows.append(
            (
                r.slug,
                _date(r.reviewed),
                _date(r.next_review),
                str(len(r.merged_sources)) if r.merged_sources else "-",
                _clock(r.radio_seconds) + (" (dài)" if r.over_slot else ""),
                ", ".join(todo) or "-",
            )
        )
    widths = [max(_width(x) for x in col) for col in zip(head, *rows)]
    lines = [
        f"Báo cáo rà soát nội dung ngày {_date(today)}: {len(reviews)} hướng dẫn",
        f"(hạn xem lại: {REVIEW_MONTHS} tháng sau ngày kiểm tra; phát thanh: thời lượng đọc, khung "
        f"{_clock(reviews[0].slot_seconds) if reviews else '-'})",
        "",
        "  ".join(_pad(h, w) for h, w in zip(head, widths)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(_pad(c, w) for c, w in zip(row, widths)).rstrip() for row in rows]
    details = [r for r in reviews if r.merged_sources or r.over_slot]
    if details:
        lines += ["", "Chi tiết:"]
        for r in details:
            lines.append(f"- {r.slug} ({r.title})")
            for url, reason in r.merged_sources:
                lines.append(f"    nguồn trên tên miền cũ: {url}")
                lines.append(f"      {reason}; thay bằng trang của cơ quan trung ương nếu có")
            if r.over_slot:
                lines.append(
                    f"    bài phát thanh đọc mất {_clock(r.radio_seconds)}, dài hơn khung {_clock(r.slot_seconds)}: "
                    "rút gọn các bước hoặc chia hai lần phát"
                )
    recent = [(c, r) for r in reviews for c in r.changes if (today - c.date).days <= RECENT_DAYS]
    if recent:
        lines += ["", f"Sửa trong {RECENT_DAYS} ngày qua (in lại bản in của các hướng dẫn này):"]
        for c, r in sorted(recent, key=lambda x: (x[0].date, x[1].slug), reverse=True):
            lines.append(f"- {_date(c.date)} {r.slug}: {c.what}")
    if library is not None and library.journeys:
        lines += ["", "Lộ trình:"]
        for j in library.journeys:
            lines.append(f"- {j.title}: " + " → ".join(j.slugs))
    if library is not None and library.skill_areas:
        lines += ["", "Nhóm kỹ năng số:"]
        for area, guides in library.by_skill():
            lines.append(f"- {area.number}. {area.name}: {len(guides)} hướng dẫn")
        untagged = [r.slug for r in reviews if not r.skills]
        if untagged:
            lines.append(f"  chưa gắn nhóm kỹ năng: {', '.join(untagged)}")
    due = sum(r.due_this_quarter for r in reviews)
    merged_count = sum(bool(r.merged_sources) for r in reviews)
    long_count = sum(r.over_slot for r in reviews)
    lines += [
        "",
        f"Tổng: {due} hướng dẫn đến hạn xem lại trong quý này, {merged_count} có nguồn trên tên miền cũ, "
        f"{long_count} bài phát thanh dài hơn khung.",
    ]
    return "\n".join(lines) + "\n"
