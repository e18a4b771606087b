"""The print font: a family fontconfig finds and that covers Vietnamese.

WeasyPrint asks fontconfig (through Pango) for the family the print CSS
names, and quietly substitutes another one, glyph by glyph, when it is
missing or lacks a letter. A leaflet whose tone marks come from a second
font, or turn into boxes, is worse than no leaflet, so the family is
checked before anything is rendered: fontconfig must know it and report
that it covers the Vietnamese orthography (``:lang=vi``). Otherwise the
build stops with ``ConfigError``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import ConfigError, Problem

FAMILY_RE = re.compile(r"^[^\W_][\w .+-]{0,63}$")
"""Family names this module accepts: letters, digits, spaces and . _ + -
(every real family name; nothing that could break out of a CSS string)."""

INSTALL_HINT = "cài gói fonts-noto-core rồi chạy lại; lệnh make build tự cài khi chạy bằng quyền root"


@dataclass(frozen=True)
class PrintFont:
    family: str
    files: tuple[Path, ...]
    """Font files of the family that cover Vietnamese (regular, bold...)."""

    @property
    def css(self) -> str:
        """The rule that sets the family for a whole document."""
        return f'html {{ font-family: "{self.family}"; }}'


def _fc_list(pattern: str) -> list[str]:
    result = subprocess.run(
        ["fc-list", "--format", "%{file}\\n", pattern],
        capture_output=True,
        text=True,
        check=False,
    )
    return sorted({line.strip() for line in result.stdout.splitlines() if line.strip()})


def _escape(family: str) -> str:
    """A family name inside a fontconfig pattern (``-`` and ``:`` are syntax)."""
    return re.sub(r"([-:,\\])", r"\\\1", family)


@lru_cache(maxsize=8)
def find_font(family: str, where: str = "mkdocs.yml") -> PrintFont:
    """The Vietnamese-capable faces of ``family``, or ``ConfigError``.

    ``where`` names the place the family was configured, for the message.
    """
    def fail(message: str, hint: str | None = None):
        return ConfigError(Problem(path=where, field="print_font", message=message, hint=hint))

    if not FAMILY_RE.match(family or ""):
        raise fail(f"tên phông chữ không hợp lệ: {family!r}", "ví dụ: Noto Sans")
    if shutil.which("fc-list") is None:
        raise fail("không tìm thấy lệnh fc-list (fontconfig) để tìm phông chữ", "cài gói fontconfig và fonts-noto-core")
    escaped = _escape(family)
    covering = _fc_list(f":family={escaped}:lang=vi")
    if covering:
        return PrintFont(family=family, files=tuple(Path(f) for f in covering))
    if _fc_list(f":family={escaped}"):
        raise fail(
            f"phông chữ '{family}' không có đủ chữ tiếng Việt có dấu",
            "chọn phông có tiếng Việt, ví dụ Noto Sans",
        )
    raise fail(f"không tìm thấy phông chữ '{family}' trên máy", INSTALL_HINT)
