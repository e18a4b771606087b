"""Journeys ("lộ trình"): a life event that leads through several guides
in order, like GOV.UK's step-by-step pages.

Declared in one small file beside the guides, ``guides/lo-trinh.yml``::

    khi-gia-dinh-co-em-be:
      title: Khi gia đình có em bé
      summary: Làm giấy khai sinh, thường trú và thẻ bảo hiểm y tế cho con...
      guides: [khai-sinh-truc-tuyen, can-cuoc-cho-con-vneid]

It is read with the guides' own front matter reader (``source``: no
anchors, tags or duplicate keys; bounded size and depth; unsafe characters
removed after decoding) and checked here: ids are slugs, titles and
summaries plain one-line text, every guide named exists, none twice.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from pathlib import Path

from .errors import Problem, display_path
from .model import Journey
from .source import MAX_FRONT_MATTER_CHARS, FrontMatterError, load_front_matter

FILE_NAME = "lo-trinh.yml"
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+){0,9}$")
MAX_JOURNEYS = 100
MIN_GUIDES, MAX_GUIDES = 2, 12
TITLE_MAX, SUMMARY_MAX = 90, 200
FIELDS = ("title", "summary", "guides")


def load_journeys(guides_dir: Path, slugs: set[str]) -> tuple[tuple[Journey, ...], list[Problem]]:
    """The journeys of ``guides_dir/lo-trinh.yml`` (none if there is no
    such file), and every problem found in it."""
    path = guides_dir / FILE_NAME
    shown = display_path(path)
    if not path.exists() and not path.is_symlink():
        return (), []
    if path.is_symlink() or not path.is_file():
        return (), [Problem(path=shown, message="tệp lộ trình phải là một tệp thật, không phải liên kết (symlink)")]
    data = path.read_bytes()
    if len(data) > MAX_FRONT_MATTER_CHARS:
        return (), [Problem(path=shown, message=f"tệp lộ trình dài {len(data)} byte, tối đa {MAX_FRONT_MATTER_CHARS}")]
    try:
        text = unicodedata.normalize("NFC", data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return (), [Problem(path=shown, message="tệp không phải mã UTF-8", hint="lưu lại tệp với mã hóa UTF-8")]
    try:
        value, lines = load_front_matter(text, first_line=1)
    except FrontMatterError as e:
        return (), [Problem(path=shown, line=e.line, message=e.message, hint=e.hint)]
    problems: list[Problem] = []

    def problem(field: str | None, message: str, hint: str | None = None) -> None:
        line = lines.get(field or "", 1)
        problems.append(Problem(path=shown, line=line, field=field, message=message, hint=hint))

    if value is None:
        return (), []
    if not isinstance(value, dict):
        problem(None, "tệp lộ trình phải là một bảng: tên lộ trình, rồi title, summary, guides")
        return (), problems
    if len(value) > MAX_JOURNEYS:
        problem(None, f"có {len(value)} lộ trình, tối đa {MAX_JOURNEYS}")
        return (), problems
    journeys = []
    for jid, spec in value.items():
        if not ID_RE.match(jid):
            problem(jid, f"tên lộ trình '{jid}' không hợp lệ", "chỉ dùng chữ thường không dấu, số và dấu gạch ngang")
            continue
        if not isinstance(spec, dict):
            problem(jid, "mỗi lộ trình cần các trường title, summary, guides")
            continue
        for key in spec:
            if key not in FIELDS:
                close = difflib.get_close_matches(str(key), FIELDS, n=1)
                problem(f"{jid}.{key}", "trường không được hỗ trợ", f"có phải ý bạn là '{close[0]}'?" if close else "các trường: " + ", ".join(FIELDS))
        texts = {}
        for key, limit in (("title", TITLE_MAX), ("summary", SUMMARY_MAX)):
            v = spec.get(key)
            if not isinstance(v, str) or not v.strip():
                problem(f"{jid}.{key}" if key in spec else jid, f"thiếu trường '{key}' (một dòng chữ)")
                continue
            v = " ".join(v.split())
            if len(v) > limit:
                problem(f"{jid}.{key}", f"dài {len(v)} ký tự, tối đa {limit}")
            texts[key] = v
        guides = spec.get("guides")
        if not isinstance(guides, list) or not all(isinstance(g, str) for g in guides):
            problem(f"{jid}.guides" if "guides" in spec else jid, "trường 'guides' phải là danh sách tên các hướng dẫn, theo thứ tự")
            continue
        if not MIN_GUIDES <= len(guides) <= MAX_GUIDES:
            problem(f"{jid}.guides", f"có {len(guides)} hướng dẫn, cần từ {MIN_GUIDES} đến {MAX_GUIDES}")
        for i, slug in enumerate(guides, 1):
            field = f"{jid}.guides[{i}]"
            if slug not in slugs:
                close = difflib.get_close_matches(slug, sorted(slugs), n=1)
                problem(field, f"không có hướng dẫn '{slug}'", f"có phải ý bạn là '{close[0]}'?" if close else "viết tên tệp hướng dẫn, không có đuôi .md")
            elif guides.index(slug) != i - 1:
                problem(field, f"hướng dẫn '{slug}' có hai lần trong lộ trình")
        if len(texts) == 2:
            journeys.append(Journey(id=jid, title=texts["title"], summary=texts["summary"], slugs=tuple(guides)))
    return (tuple(journeys) if not problems else ()), problems
