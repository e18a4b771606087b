"""User-facing errors and warnings.

Team members who edit guides and rosters read Vietnamese, so messages are
Vietnamese; every message names the file, the line where known, and the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file."""

    path: str
    message: str
    line: int | None = None
    field: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        field = f" trường '{self.field}':" if self.field else ""
        text = f"{where}:{field} {self.message}"
        if self.hint:
            text += f" ({self.hint})"
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
