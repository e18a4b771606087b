"""Print templates: Jinja2 files in ``posters/``, autoescaped.

Everything a template prints is escaped unless it is ``Markup`` made here:
guide body nodes (``camnang.markup``: steps, tips, runs) print as their HTML,
escaped by construction (``{{ step }}`` or ``{{ step | md }}``); front
matter fields, team names and other untrusted text print literally
(``| plain`` gives any of them as plain text). A template that does not compile, or that
uses a name it is not given (``StrictUndefined``), stops the build with
``ConfigError`` naming the file and line.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    meta,
)

from markupsafe import Markup

from ..errors import ConfigError, Problem, display_path
from ..markup import to_text
from ..text import vi_date
from .qr import display_address
from .teamstrip import keep_marks


@lru_cache(maxsize=4)
def environment(posters_dir: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(posters_dir),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=True,
    )
    env.filters["md"] = Markup.escape  # a node's __html__, or escaped text
    env.filters["plain"] = to_text
    env.filters["vi_date"] = vi_date
    env.filters["address"] = display_address
    env.filters["keep_last_words"] = keep_last_words
    env.filters["keep_marks"] = keep_marks
    return env


NO_BREAK_SPACE = "\u00a0"
LAST_WORDS_MAX = 24
"""Longest pair of last words (in characters) tied together: a longer
pair would make a line too short before it."""


def keep_last_words(title: str) -> str:
    """A title whose last line never holds one word alone ("Postmart",
    "số"): its last two words joined by a no-break space (when together
    they are short enough to move to the next line as one)."""
    words = title.split(" ")
    if len(words) < 3 or len(words[-2]) + len(words[-1]) + 1 > LAST_WORDS_MAX:
        return title
    return " ".join(words[:-2]) + " " + words[-2] + NO_BREAK_SPACE + words[-1]


def _problem(posters_dir: Path, name: str, error: Exception) -> Problem:
    path = display_path(posters_dir / name)
    line = None
    if isinstance(error, TemplateSyntaxError):
        if error.filename:
            path = display_path(error.filename)
        line = error.lineno
    else:
        # Jinja rewrites tracebacks so that template frames carry the
        # template's file name and line.
        tb = error.__traceback__
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if filename.startswith(str(posters_dir)):
                path, line = display_path(filename), tb.tb_lineno
            tb = tb.tb_next
    if isinstance(error, TemplateNotFound):
        message = f"không tìm thấy mẫu in '{error.name}'"
    else:
        message = f"mẫu in bị lỗi: {getattr(error, 'message', None) or error}"
    return Problem(path=path, line=line, message=message, hint="sửa mẫu trong thư mục posters/ rồi chạy lại")


def render(posters_dir: Path, name: str, **context) -> str:
    """Render template ``name`` of ``posters_dir``; ConfigError on any error."""
    env = environment(str(posters_dir))
    try:
        return env.get_template(name).render(**context)
    except TemplateError as e:
        raise ConfigError(_problem(posters_dir, name, e)) from e


def check(posters_dir: Path, names: tuple[str, ...]) -> None:
    """Before any work starts: every file exists, every template (and what
    it pulls in) compiles."""
    for name in names:
        path = posters_dir / name
        if not path.is_file():
            raise ConfigError(
                Problem(path=display_path(path), message="không tìm thấy tệp của mẫu in", hint="thư mục posters/ có đủ tệp chưa?")
            )
        if name.endswith(".j2"):
            dependencies(posters_dir, name)  # parses each one


def dependencies(posters_dir: Path, name: str) -> list[str]:
    """``name`` and every template it extends, includes or imports,
    recursively (names only written as literals are followed)."""
    env = environment(str(posters_dir))
    seen: list[str] = []
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.append(current)
        path = posters_dir / current
        if not path.is_file():
            continue
        try:
            ast = env.parse(path.read_text(encoding="utf-8"), current, str(path))
        except TemplateSyntaxError as e:
            raise ConfigError(_problem(posters_dir, current, e)) from e
        todo += [ref for ref in meta.find_referenced_templates(ast) if ref]
    return sorted(seen)


def digest(posters_dir: Path, names: tuple[str, ...]) -> str:
    """Content hash of files in ``posters_dir``: templates with everything
    they pull in, stylesheets as they are; a missing file hashes as such."""
    files: set[str] = set()
    for name in names:
        files.update(dependencies(posters_dir, name) if name.endswith(".j2") else [name])
    h = hashlib.sha256()
    for name in sorted(files):
        path = posters_dir / name
        h.update(name.encode("utf-8") + b"\0")
        h.update(path.read_bytes() if path.is_file() else b"<missing>")
        h.update(b"\0")
    return h.hexdigest()
