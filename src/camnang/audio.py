"""Optional audio preview of a radio script, spoken by espeak-ng.

espeak-ng's Vietnamese voice (``vi``) is robotic but free and offline; the
preview lets a team hear the pace and catch a word the spoken-form rules
got wrong before the script goes to the commune's TTS loudspeakers. Only
the script is spoken (not the header lines for the reader), at the
configured reading rate. Not part of the default build:
``build_posters.py --audio``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from .errors import CamnangError, Problem, display_path
from .render.radio import RadioScript
from .writer import replacing

ESPEAK = "espeak-ng"
VOICE = "vi"

def espeak_path() -> str | None:
    """The espeak-ng executable, or None when it is not installed."""
    return shutil.which(ESPEAK)

def write_wav(script: RadioScript, path: Path, espeak: str | None = None) -> Path:
    """Speak ``script`` into a WAV file at ``path`` (written to a temporary
    file in the same folder, then moved into place)."""
    espeak = espeak or espeak_path()
    if espeak is None:
        raise CamnangError(Problem(path=display_path(path), message="không có espeak-ng để đọc thử bài phát thanh", hint="cài gói Debian espeak-ng"))
    path.parent.mkdir(parents=True, exist_ok=True)
    # espeak-ng counts words per minute; one Vietnamese word is a syllable.
    speed = str(min(450, max(80, script.rate)))
    with replacing(path) as tmp:
        result = subprocess.run(
            [espeak, "-v", VOICE, "-s", speed, "-w", tmp, "--stdin"],
            input=script.body.encode("utf-8"),
            capture_output=True,
            timeout=300,
        )
        if result.returncode != 0 or os.path.getsize(tmp) == 0:
            message = result.stderr.decode("utf-8", "replace").strip() or f"mã lỗi {result.returncode}"
            raise CamnangError(Problem(path=display_path(path), message=f"espeak-ng không đọc được bài: {message}"))
    return path
