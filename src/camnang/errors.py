"""User-facing errors and warnings.

Team members who edit guides and rosters read Vietnamese, so messages are
Vietnamese; every message names the file, the line where known, and the field.

Messages echo what the user wrote (a category, a slug, a field name, a
roster cell), and guides and rosters are untrusted: every message is made
terminal-safe in one place (``terminal_safe``, applied by ``Problem`` and
by a filter on camnang's loggers), so an escape sequence in a value (ESC:
clear the screen, fake colours, write the clipboard through OSC 52) or a
bidi control is printed as its code (``\\x1b``, ``\\u202e``), never sent raw.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from pathlib import Path

_UNSAFE = frozenset(("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))
"""Unicode categories shown escaped: control (C0, DEL, C1), format (bidi
controls, zero-width characters, U+FEFF...), surrogates, private use,
unassigned, line and paragraph separators."""


def _escape(c: str) -> str:
    n = ord(c)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}"


def terminal_safe(text: object) -> str:
    """``text`` with every control, format or separator character shown
    as its escape (ESC as ``\\x1b``, RLO as ``\\u202e``): nothing in it can
    drive the terminal or reorder what is shown."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(_escape(c) if unicodedata.category(c) in _UNSAFE else c for c in text)


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file."""

    path: str
    message: str
    line: int | None = None
    field: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        path = terminal_safe(self.path)
        where = path if self.line is None else f"{path}:{self.line}"
        field = f" trường '{terminal_safe(self.field)}':" if self.field else ""
        text = f"{where}:{field} {terminal_safe(self.message)}"
        if self.hint:
            text += f" ({terminal_safe(self.hint)})"
        return text


class CamnangError(Exception):
    """Raised for bad input; carries one or more problems."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(path="camnang", message=problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(str(self))

    def __reduce__(self):
        # Keep the problems when the error crosses from a worker process.
        return (self.__class__, (self.problems,))

    def __str__(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        lines = [f"Có {len(self.problems)} lỗi:"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class GuideError(CamnangError):
    """A guide file is invalid."""


class ConfigError(CamnangError):
    """The configuration (mkdocs.yml, templates, fonts) is unusable."""


def display_path(path: Path | str) -> str:
    """Path as the user typed it: relative to the working directory if possible."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


class TerminalSafeFilter(logging.Filter):
    """Makes every record of the logger it is attached to terminal-safe
    (warnings echo guide and roster values too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 -- a broken record is logging's to report
            return True
        safe = terminal_safe(message)
        if safe != message:
            record.msg, record.args = safe, None
        return True


_FILTER = TerminalSafeFilter()
for _name in ("mkdocs.plugins.camnang", "mkdocs.plugins.camnang.search", "camnang", "camnang.workers"):
    if _FILTER not in logging.getLogger(_name).filters:
        logging.getLogger(_name).addFilter(_FILTER)
