"""Reading a guide file: bytes -> NFC text -> front matter mapping + body.

Only reading and splitting happens here; field rules live in ``validate``.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from .errors import Problem, display_path
from .text import PARSER_UNSAFE, char_codes, remove_unsafe, unsafe_warning


@dataclass(frozen=True)
class SourceFile:
    path: Path
    shown: str
    """The path as shown in messages."""
    text: str
    """NFC-normalised text of the whole file."""
    meta: dict[str, Any]
    meta_lines: dict[str, int]
    """1-based line of each front matter field, by path ("links[1].url")."""
    body: str
    body_line: int
    """1-based line where the body starts."""
    digest: str
    warnings: tuple[str, ...] = ()
    """Text hygiene warnings (removed invisible characters)."""
    unsafe_fields: dict[str, str] = field(default_factory=dict)
    """Front matter fields that had invisible characters removed, with
    their codes ("U+200D"): an address among them is refused."""


def decode_utf8(data: bytes, shown: str) -> str | Problem:
    """Decode UTF-8 (a BOM is allowed) or explain how to re-save the file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        return Problem(
            path=shown,
            line=line,
            message="tệp không phải mã UTF-8",
            hint="mở tệp bằng Notepad hoặc VS Code, chọn Lưu thành (Save As) với mã hóa UTF-8 rồi lưu lại",
        )
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


MAX_FILE_BYTES = 256 * 1024
"""A guide is a few kilobytes; anything this big is a mistake or an attack."""
MAX_FRONT_MATTER_CHARS = 32 * 1024
MAX_DEPTH = 4
"""Front matter nests at most: mapping > list (links) > mapping > value."""

try:  # libyaml when present (fast); the pure-Python parser otherwise
    _YamlLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _YamlLoader = yaml.SafeLoader

def clean_text(text: str, shown: str) -> tuple[str, list[str], dict[int, list[str]]]:
    """Remove ``PARSER_UNSAFE``: the text, one warning per line that had
    any, and what was removed from each such line (1-based)."""
    if not PARSER_UNSAFE.search(text):
        return text, [], {}
    warnings = []
    changed: dict[int, list[str]] = {}
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if PARSER_UNSAFE.search(line):
            cleaned, found = remove_unsafe(line, PARSER_UNSAFE)
            warnings.append(unsafe_warning(f"{shown}:{i + 1}", found))
            lines[i] = cleaned
            changed[i + 1] = found
    return "\n".join(lines), warnings, changed


_SAFE = yaml.SafeLoader("")  # resolver and constructor for plain scalars


def _scalar(event) -> Any:
    """The value of a scalar event: plain scalars resolve like safe YAML
    (numbers, true/false, null) except dates, which stay text (``validate``
    parses them and names the field of a bad one); quoted ones are text."""
    value = event.value
    if not event.implicit[0]:
        return value
    tag = _SAFE.resolve(yaml.ScalarNode, value, (True, False))
    node = yaml.ScalarNode(tag, value)
    if tag.endswith(":null"):
        return None
    if tag.endswith(":bool"):
        return _SAFE.construct_yaml_bool(node)
    if tag.endswith(":int"):
        return _SAFE.construct_yaml_int(node)
    if tag.endswith(":float"):
        return _SAFE.construct_yaml_float(node)
    return value


class FrontMatterError(Exception):
    def __init__(self, line: int | None, message: str, hint: str | None = None):
        super().__init__(message)
        self.line, self.message, self.hint = line, message, hint


def load_front_matter(
    front: str,
    first_line: int = 2,
    on_unsafe: Callable[[int, str, list[str]], None] | None = None,
) -> tuple[Any, dict[str, int]]:
    """Front matter YAML -> (value, line of each field path).

    One pass over libyaml's events, no recursion: anchors, aliases, tags
    and duplicate keys are refused (``FrontMatterError``), nesting is
    limited to ``MAX_DEPTH``, and the value is built here from the events,
    so no YAML feature can make it grow beyond the text. Every text value
    and key, once decoded (escapes such as ``"\\u202E"`` and ``"\\x01"``
    included), loses its ``text.UNSAFE_CHARS``; ``on_unsafe(line, field
    path, removed characters)`` is told of each."""
    lines: dict[str, int] = {}
    # Each open container: [value, path, pending key or None, key line]
    stack: list[list] = []
    root: Any = None
    seen_root = False

    def line_of(event) -> int:
        return event.start_mark.line + first_line

    def clean(value: Any, event, path: str) -> Any:
        if isinstance(value, str):
            value, found = remove_unsafe(value)
            if found and on_unsafe is not None:
                on_unsafe(line_of(event), path, found)
        return value

    def add(value: Any, event) -> None:
        nonlocal root, seen_root
        if not stack:
            root, seen_root = clean(value, event, ""), True
            return
        top = stack[-1]
        container = top[0]
        if isinstance(container, list):
            path = f"{top[1]}[{len(container) + 1}]"
            container.append(clean(value, event, path))
            lines[path] = line_of(event)
            return path
        if top[2] is None:  # a key
            if isinstance(value, str):
                value, found = remove_unsafe(value)
                if found and on_unsafe is not None:
                    on_unsafe(line_of(event), f"{top[1]}.{value}" if top[1] else value, found)
            if not isinstance(value, str):
                if isinstance(value, (int, float, bool)) or value is None:
                    value = "" if value is None else str(value)
                else:
                    raise FrontMatterError(line_of(event), "tên trường phải là chữ")
            if value in container:
                raise FrontMatterError(line_of(event), f"trường '{value}' được khai báo hai lần")
            top[2] = value
            path = f"{top[1]}.{value}" if top[1] else value
            lines[path] = line_of(event)
            return None
        key = top[2]
        path = f"{top[1]}.{key}" if top[1] else key
        container[key] = clean(value, event, path)
        top[2] = None
        return path

    try:
        for event in yaml.parse(front, Loader=_YamlLoader):
            kind = type(event)
            if kind in (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent):
                continue
            if kind is yaml.DocumentStartEvent:
                if seen_root:
                    raise FrontMatterError(line_of(event), "phần khai báo chỉ được có một tài liệu YAML")
                continue
            if kind is yaml.AliasEvent or getattr(event, "anchor", None) is not None:
                raise FrontMatterError(
                    line_of(event),
                    "không dùng neo và tham chiếu YAML ('&' và '*')",
                    "viết đầy đủ giá trị ở từng trường",
                )
            tag = getattr(event, "tag", None)
            if tag is not None and not (kind is yaml.ScalarEvent and event.implicit[0]) and tag != "!":
                raise FrontMatterError(line_of(event), f"không dùng thẻ YAML {tag!r}", "bỏ phần bắt đầu bằng '!'")
            if kind is yaml.ScalarEvent:
                add(_scalar(event), event)
            elif kind in (yaml.SequenceStartEvent, yaml.MappingStartEvent):
                if len(stack) >= MAX_DEPTH:
                    raise FrontMatterError(line_of(event), "phần khai báo lồng nhau quá sâu")
                value: Any = [] if kind is yaml.SequenceStartEvent else {}
                path = add(value, event)
                stack.append([value, path or "", None, line_of(event)])
            elif kind in (yaml.SequenceEndEvent, yaml.MappingEndEvent):
                stack.pop()
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        line = mark.line + first_line if mark is not None else None
        problem = getattr(e, "problem", None) or str(e)
        raise FrontMatterError(line, f"lỗi cú pháp YAML: {problem}", "kiểm tra dấu hai chấm, thụt lề và dấu ngoặc kép") from None
    return root, lines


def read_source(path: Path) -> SourceFile | Problem:
    shown = display_path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return Problem(path=shown, message=f"tệp quá lớn ({size // 1024} KB, tối đa {MAX_FILE_BYTES // 1024} KB)", hint="một hướng dẫn chỉ vài trang chữ")
        data = path.read_bytes()
    except OSError as e:
        return Problem(path=shown, message=f"không đọc được tệp: {e.strerror}")
    text = decode_utf8(data, shown)
    if isinstance(text, Problem):
        return text
    text, warnings, raw_lines = clean_text(text, shown)
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return Problem(
            path=shown,
            line=1,
            message="thiếu phần khai báo (front matter) ở đầu tệp",
            hint="dòng đầu tiên phải là '---', sau đó là các trường, rồi một dòng '---'",
        )
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        return Problem(
            path=shown, line=1, message="phần khai báo (front matter) không có dòng '---' đóng lại"
        )
    front = "\n".join(lines[1:end])
    if len(front) > MAX_FRONT_MATTER_CHARS:
        return Problem(path=shown, line=2, message=f"phần khai báo quá dài ({len(front)} ký tự, tối đa {MAX_FRONT_MATTER_CHARS})")
    unsafe_fields: dict[str, str] = {}

    def on_unsafe(line: int, path: str, found: list[str]) -> None:
        warnings.append(unsafe_warning(f"{shown}:{line}: trường '{path}'", found))
        unsafe_fields[path] = char_codes(found)

    try:
        meta, meta_lines = load_front_matter(front, on_unsafe=on_unsafe)
    except FrontMatterError as e:
        return Problem(path=shown, line=e.line, message=e.message, hint=e.hint)
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        return Problem(path=shown, line=2, message="phần khai báo phải là các cặp 'trường: giá trị'")
    return SourceFile(
        path=path,
        shown=shown,
        text=text,
        meta=meta,
        meta_lines=meta_lines,
        body="\n".join(lines[end + 1 :]),
        body_line=end + 2,
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        warnings=tuple(warnings),
        unsafe_fields=unsafe_fields
        | {path: char_codes(raw_lines[line]) for path, line in meta_lines.items() if line in raw_lines and path not in unsafe_fields},
    )
