"""Reading a guide file: bytes -> NFC text -> front matter mapping + body.

Only reading and splitting happens here; field rules live in ``validate``.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem, display_path


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


class _FrontMatterLoader(yaml.SafeLoader):
    """Safe YAML, but dates stay text: ``validate`` parses them and can say
    which field holds a bad one (PyYAML would crash on 2026-13-45)."""


_FrontMatterLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


def nfc(value: Any) -> Any:
    """NFC-normalise every string inside a YAML value."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [nfc(v) for v in value]
    if isinstance(value, dict):
        return {nfc(k): nfc(v) for k, v in value.items()}
    return value


def _record_lines(node: yaml.Node, prefix: str, out: dict[str, int]) -> None:
    """Map field paths ("title", "sources[1]", "links[2].url") to 1-based
    file lines; the front matter starts on the file's second line."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            path = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
            out[path] = key_node.start_mark.line + 2
            _record_lines(value_node, path, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value, 1):
            path = f"{prefix}[{i}]"
            out[path] = item.start_mark.line + 2
            _record_lines(item, path, out)


def read_source(path: Path) -> SourceFile | Problem:
    shown = display_path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        return Problem(path=shown, message=f"không đọc được tệp: {e.strerror}")
    text = decode_utf8(data, shown)
    if isinstance(text, Problem):
        return text
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
    try:
        node = yaml.compose(front, Loader=_FrontMatterLoader)
        meta = yaml.load(front, Loader=_FrontMatterLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        line = mark.line + 2 if mark is not None else None
        problem = getattr(e, "problem", None) or str(e)
        return Problem(
            path=shown,
            line=line,
            message=f"lỗi cú pháp YAML: {problem}",
            hint="kiểm tra dấu hai chấm, thụt lề và dấu ngoặc kép",
        )
    if meta is None:
        meta, node = {}, None
    if not isinstance(meta, dict):
        return Problem(path=shown, line=2, message="phần khai báo phải là các cặp 'trường: giá trị'")
    meta_lines: dict[str, int] = {}
    if node is not None:
        _record_lines(node, "", meta_lines)
    return SourceFile(
        path=path,
        shown=shown,
        text=text,
        meta=nfc(meta),
        meta_lines=meta_lines,
        body="\n".join(lines[end + 1 :]),
        body_line=end + 2,
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
