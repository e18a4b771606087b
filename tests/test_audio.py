"""The optional audio preview: a real espeak-ng Vietnamese voice."""

from __future__ import annotations

import wave

import pytest

from camnang.audio import espeak_path, write_wav
from camnang.config import DEFAULT_COURSE_URL, load_categories
from camnang.render.radio import build_script
from camnang.validate import load_library

from conftest import FIXTURES

pytestmark = pytest.mark.skipif(espeak_path() is None, reason="espeak-ng is not installed")


def test_wav_speaks_the_script_at_about_the_configured_pace(tmp_path):
    guide = load_library(FIXTURES / "guides", load_categories()).get("thu-nghiem")
    script = build_script(guide, DEFAULT_COURSE_URL)
    out = write_wav(script, tmp_path / f"phat-thanh-{guide.slug}.wav")
    with wave.open(str(out)) as w:
        seconds = w.getnframes() / w.getframerate()
        assert w.getnchannels() == 1
    # A synthetic voice keeps roughly to the words-per-minute it is given.
    assert 0.4 * script.seconds < seconds < 2.5 * script.seconds, (seconds, script.seconds)
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left
