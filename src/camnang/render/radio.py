"""Radio renderer: a guide as a script to read on commune radio, or to paste
into a text-to-speech loudspeaker system.

Shape of a script (``build_script``): a greeting in short sentences (who
sends it, a team's phone, "Bài hôm nay: <title>."; the summary is not read:
it is a run-on too long for one breath); what to prepare; the steps
as spoken sentences ("Bước một: ..."); the most important safety tip; where
to get help (the village team, the national course); a closing that
repeats the key message. One paragraph per item keeps paragraphs short
enough to breathe, and gives a TTS voice a pause between them.

Every sentence goes through ``camnang.spoken``, so the text holds words and
plain punctuation only. Its length is counted in words (one Vietnamese word
is one syllable) and turned into a reading time at ``Settings.radio_rate``
words a minute (see ``config.DEFAULT_RADIO_RATE`` for why 200); a script
longer than the slot (``radio_slot``, 3 minutes) carries a warning with a
place to split it in two.

The national course is named by its site's address only ("oăn tắch chấm
mích chấm gốp chấm vê en"), then by the course name to search for: a
listener cannot type a long path heard once on a loudspeaker.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from functools import cached_property

from ..config import DEFAULT_RADIO_RATE, DEFAULT_RADIO_SLOT_MINUTES
from ..model import Guide, key_tip
from ..spoken import Lexicon, Speaker, count_words, duration_words, end_sentence, number_words, tidy
from ..text import fold

TXT_NAME = "phat-thanh-{slug}.txt"
PDF_NAME = "phat-thanh-{slug}.pdf"
WAV_NAME = "phat-thanh-{slug}.wav"

COURSE_NAME = "Phổ cập kỹ năng số cộng đồng"

FALLBACK_SAFETY = (
    "Không đưa mã ô tê pê, mật khẩu cho bất kỳ ai, kể cả người xưng là cán bộ "
    "hay nhân viên ngân hàng."
)
"""Said when a guide has no tips: true of every service in the handbook."""


@dataclass(frozen=True)
class ScriptSection:
    kind: str
    """greeting, prepare, steps, safety, help or closing."""
    paragraphs: tuple[str, ...]
    leads: tuple[str, ...] = ()
    """The lead of each paragraph that has one ("Bước một:"), "" otherwise:
    the printed script sets it in bold."""

    def parts(self) -> tuple[tuple[str, str], ...]:
        """(lead, rest) of each paragraph; the lead is "" when there is none."""
        out = []
        for i, p in enumerate(self.paragraphs):
            lead = self.leads[i] if i < len(self.leads) else ""
            if lead and p.startswith(lead):
                out.append((lead, p[len(lead):]))
            else:
                out.append(("", p))
        return tuple(out)


@dataclass(frozen=True)
class RadioScript:
    slug: str
    title: str
    """The guide's title in spoken form."""
    sections: tuple[ScriptSection, ...]
    rate: int = DEFAULT_RADIO_RATE
    """Words per minute the reading time is computed with."""
    slot_seconds: int = int(DEFAULT_RADIO_SLOT_MINUTES * 60)
    unknown: tuple[str, ...] = field(default=(), compare=False)
    """All-capital words spelled letter by letter (not in the lexicon)."""
    edition: _dt.date | None = None
    """The guide's edition (``Guide.edition``), printed in the PDF's header."""
    written_title: str = ""
    """The guide's title as written ("… VNeID …"): the PDF's title and
    header, so that a search for "VNeID" finds the script."""

    @cached_property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(p for s in self.sections for p in s.paragraphs)

    @cached_property
    def body(self) -> str:
        """What is read aloud: paragraphs separated by a blank line."""
        return "\n\n".join(self.paragraphs)

    @cached_property
    def word_count(self) -> int:
        return count_words(self.body)

    @cached_property
    def seconds(self) -> int:
        """Reading time of the body at ``rate`` words a minute."""
        return math.ceil(self.word_count * 60 / self.rate)

    @property
    def shown_seconds(self) -> int:
        """Reading time as announced: rounded up to ten seconds, so that a
        script announced to fit its slot does."""
        return max(10, math.ceil(self.seconds / 10) * 10)

    @property
    def over_slot(self) -> bool:
        return self.seconds > self.slot_seconds

    def split_after_step(self) -> int | None:
        """The step after which a long script is best cut in two (the two
        halves closest in length), or None when it fits its slot."""
        return self._split_step

    @cached_property
    def _split_step(self) -> int | None:
        if not self.over_slot:
            return None
        total = self.word_count
        running = 0
        best, best_gap = None, total
        for section in self.sections:
            for i, p in enumerate(section.paragraphs):
                running += count_words(p)
                if section.kind == "steps" and i > 0:
                    gap = abs(total - 2 * running)
                    if gap < best_gap:
                        best, best_gap = i, gap
        return best

    @cached_property
    def header_lines(self) -> tuple[str, ...]:
        """Notes for the radio staff: title, reading time, and for a script
        longer than its slot where to split it. Printed in the PDF's header
        (and the long-script warning in the build log), never in the
        ``.txt``: a text-to-speech system would read them out."""
        lines = [
            end_sentence(f"Bài phát thanh: {self.written_title or self.title}"),
            (
                f"Thời lượng đọc: khoảng {duration_words(self.shown_seconds)}, "
                f"{number_words(self.word_count)} chữ, "
                f"tính với tốc độ đọc chậm {number_words(self.rate)} chữ một phút."
            ),
        ]
        if self.over_slot:
            warning = (
                f"Lưu ý: bài dài hơn khung phát thanh {duration_words(self.slot_seconds)}."
            )
            step = self.split_after_step()
            if step:
                warning += f" Có thể chia làm hai lần phát, lần đầu đọc đến hết bước {number_words(step)}."
            lines.append(warning)
        return tuple(lines)

    def text(self) -> str:
        """The ``.txt`` file: only the words to be spoken, paragraphs
        separated by a blank line (what a loudspeaker system reads out)."""
        return self.body + "\n"


# -- building --------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+")


_SYLLABLE = re.compile(r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?$")
_SENTENCE_START = re.compile(r"(?:^|[.?!:]\s+)([^\W\d_]+)")


def _names(texts: list[str]) -> tuple[set[str], set[str]]:
    """Words a guide writes with a capital inside a sentence, and among them
    those it never writes in lower case: names such as "Bưu" of "Bưu
    điện"."""
    capital, lower = set(), set()
    for text in texts:
        starts = {m.start(1) for m in _SENTENCE_START.finditer(text)}
        for m in _WORD.finditer(text):
            w = m.group(0)
            if w.islower():
                lower.add(w)
            elif m.start() not in starts:
                capital.add(w)
    return capital, {w for w in capital if w.lower() not in lower}


def vietnamese_syllable(word: str) -> bool:
    """Whether a word is spelled as one Vietnamese syllable ("chấm",
    "dét", "con"), not as a foreign word ("example", "Store")."""
    return bool(_SYLLABLE.match(fold(word)))


def lower_first(text: str, names: set[str] = frozenset(), capitalised: set[str] = frozenset()) -> str:
    """Lower-case the first letter of a phrase moved after a colon when its
    first word is a common Vietnamese word ("Mở ứng dụng" -> "mở ứng
    dụng"). Kept: a foreign or mixed-case word ("Zalo", "Android", "VNeID"),
    a word in ``names``, a word of a multi-word name ("Bộ Công an": the
    next word has a capital and this one is in ``capitalised``)."""
    words = list(_WORD.finditer(text))
    if not words or words[0].start() != 0:
        return text
    w = words[0].group(0)
    if w[1:] != w[1:].lower() or w in names or not _SYLLABLE.match(fold(w)):
        return text
    if (
        w in capitalised
        and len(words) > 1
        and words[1].group(0)[0].isupper()
        and not text[words[0].end() : words[1].start()].strip()
    ):
        return text
    return text[0].lower() + text[1:]


def _course_site(course_url: str, speaker: Speaker) -> str:
    host = urlsplit(course_url).hostname or course_url
    return speaker.address(host)


def _safety_tip(guide: Guide, spoken_tips: list[str]) -> str:
    """The tip the script stresses, spoken: the guide's key tip
    (``model.key_tip``, the one the poster frames)."""
    index = key_tip(guide.tips)
    return FALLBACK_SAFETY if index is None else spoken_tips[index]


def _first_sentence(text: str) -> str:
    m = re.match(r"(.+?[.?!])(?:\s|$)", text)
    return m.group(1) if m else end_sentence(text)


_SPOKEN: dict = {}
"""``_spoken_guide``'s results in this process, by guide and lexicon: a
team pack makes every guide's script for each team, and only the team's
sentences differ."""


def _spoken_guide(guide: Guide, lexicon: Lexicon | None) -> tuple[Speaker, tuple]:
    """A new speaker for the rest of a script (its ``unknown`` words those
    of the guide's parts) and the guide's parts in spoken form: title,
    preparation, steps, tips, time needed, and the capitalised words and
    names (``_names``). The parts depend only on the guide and the
    lexicon, so they are spoken once per process (a guide without a digest: every
    time)."""
    key = (guide.slug, guide.digest, lexicon.digest if lexicon is not None else None, id(lexicon))
    made = _SPOKEN.get(key) if guide.digest else None
    speaker = Speaker(lexicon, paths=False)
    if made is None:
        say = speaker.speak
        title = say(guide.title)
        summary = say(guide.summary)
        prepare = tuple(say(p) for p in guide.prepare)
        steps = tuple(say(s) for s in guide.steps)
        tips = tuple(say(t) for t in guide.tips)
        time_needed = say(guide.time_needed) if guide.time_needed else ""
        capitalised, names = _names([title, summary, *prepare, *steps, *tips, *(say(t) for t in guide.troubleshooting)])
        if len(_SPOKEN) >= 256:
            _SPOKEN.clear()
        made = (frozenset(speaker.unknown), (title, prepare, steps, tips, time_needed, capitalised, names))
        if guide.digest:
            _SPOKEN[key] = made
        return speaker, made[1]
    speaker.unknown = set(made[0])
    return speaker, made[1]


def build_script(
    guide: Guide,
    course_url: str,
    *,
    rate: int = DEFAULT_RADIO_RATE,
    slot_minutes: float = DEFAULT_RADIO_SLOT_MINUTES,
    lexicon: Lexicon | None = None,
    team=None,
) -> RadioScript:
    """The radio script of one guide. ``team`` (a ``camnang.roster.Team``,
    for team packs) names the team and its phone where to get help."""
    speaker, (title, prepare, steps, tips, time_needed, capitalised, names) = _spoken_guide(guide, lexicon)

    def lf(text: str) -> str:
        return lower_first(text, names, capitalised)

    team_name = _team_name(team, speaker) if team is not None else ""
    phone = speaker.speak(team.phone, sentence=False) if team is not None and getattr(team, "phone", None) else ""
    opening = [
        "Kính thưa bà con!",
        f"{team_name or 'Tổ công nghệ số cộng đồng'} xin gửi tới bà con bài hướng dẫn này.",
    ]
    if phone:
        opening.append(_phone_sentence(team_name, phone))
    if team is not None and _is_example(team):
        opening.append(EXAMPLE_SENTENCE)
    # The summary is not read: the title says what the guide is for, and a
    # summary is a run-on of 30 to 50 syllables, too long for one breath.
    opening.append(f"Bài hôm nay: {end_sentence(title)}")
    greeting = ScriptSection("greeting", (" ".join(opening),))

    count = len(prepare)
    if count == 1:
        prep = [f"Trước khi bắt đầu, bà con cần chuẩn bị: {end_sentence(lf(prepare[0]))}"]
    else:
        prep = [f"Trước khi bắt đầu, bà con cần chuẩn bị {number_words(count)} thứ."]
        prep += [f"{_ordinal_is(i)}, {end_sentence(lf(p))}" for i, p in enumerate(prepare, 1)]
    if time_needed:
        # Its own sentence, after the list: said after the last item, it
        # would sound like that item takes the time.
        prep.append(f"Làm hết các bước mất khoảng {lf(time_needed).rstrip('.')}.")
    prepare_section = ScriptSection("prepare", tuple(prep))

    step_paras = [f"Bây giờ, bà con làm theo {number_words(len(steps))} bước sau."]
    leads = [""] + [f"Bước {number_words(i)}:" for i in range(1, len(steps) + 1)]
    step_paras += [f"{lead} {end_sentence(lf(s))}" for lead, s in zip(leads[1:], steps)]
    steps_section = ScriptSection("steps", tuple(step_paras), tuple(leads))

    tip = _safety_tip(guide, tips)
    safety = ScriptSection("safety", (f"Điều quan trọng nhất bà con cần nhớ: {end_sentence(lf(tip))}",))

    help_section = ScriptSection(
        "help",
        (
            _team_help(team, speaker, team_name),
            f"Muốn học thêm, bà con vào trang "
            f"{_course_site(course_url, speaker)}, tìm khóa {COURSE_NAME}, học miễn phí ngay trên điện thoại.",
        ),
    )

    closing = ScriptSection(
        "closing",
        (
            f"Xin nhắc lại: để {end_sentence(lf(title)).rstrip('.')}, bà con làm theo "
            f"{number_words(len(steps))} bước vừa nghe. Và luôn nhớ: {lf(_first_sentence(tip))}",
            *([f"Số của tổ, xin nhắc lại: {phone}."] if phone else []),
            "Cảm ơn bà con đã lắng nghe.",
        ),
    )

    # Shorter forms, used one after the other while the script is longer
    # than its slot (a team's script says the team's name, place and phone
    # too): the closing without the title, the course without its last words.
    shorter = [
        ("closing", 0, f"Xin nhắc lại: {lf(_first_sentence(tip))}"),
        ("help", 1, f"Muốn học thêm, bà con vào trang {_course_site(course_url, speaker)}, tìm khóa {COURSE_NAME}."),
    ]
    while True:
        script = _finish(
            guide, title, (greeting, prepare_section, steps_section, safety, help_section, closing),
            rate, slot_minutes, speaker,
        )
        if not script.over_slot or not shorter:
            return script
        kind, index, text = shorter.pop(0)
        if kind == "closing":
            closing = _replace(closing, index, text)
        else:
            help_section = _replace(help_section, index, text)


def _replace(section: ScriptSection, index: int, text: str) -> ScriptSection:
    paragraphs = list(section.paragraphs)
    paragraphs[index] = text
    return ScriptSection(section.kind, tuple(paragraphs), section.leads)


def _finish(guide, title, sections, rate, slot_minutes, speaker) -> RadioScript:
    sections = _shorten_service(sections, title)
    sections = tuple(ScriptSection(s.kind, tuple(one_colon(tidy(p)) for p in s.paragraphs), s.leads) for s in sections)
    return RadioScript(
        slug=guide.slug,
        title=title,
        written_title=" ".join(guide.title.split()),
        sections=sections,
        rate=rate,
        slot_seconds=int(round(slot_minutes * 60)),
        unknown=tuple(sorted(speaker.unknown)),
        edition=guide.edition,
    )


def _team_help(team, speaker: Speaker, team_name: str = "") -> str:
    if team is None:
        return (
            "Nếu gặp khó khăn, bà con đến tổ công nghệ số cộng đồng ở thôn, xã mình. "
            "Tổ sẽ ngồi cùng bà con làm từng bước."
        )
    # The team was named in the opening: here it is "tổ".
    text = "Nếu gặp khó khăn, bà con đến tổ"
    if getattr(team, "help_place", None):
        text += f", ở {speaker.speak(_without_example(team.help_place), sentence=False)}"
    return text + ". Tổ sẽ ngồi cùng bà con làm từng bước."


EXAMPLE_SENTENCE = "Tên và số của tổ chỉ là ví dụ."
"""Said once for an example team (``teams/vi-du.csv``)."""

OPENING_MAX_SYLLABLES = 30
"""The longest sentence of a script's opening: what a reader says in one
breath at a slow pace."""

_EXAMPLE = re.compile(r"\s*\((?:[^()]*\s)?ví dụ(?:\s[^()]*)?\)", re.IGNORECASE)
"""The mark of an example roster entry ("Tổ … Hương Lạc (ví dụ)",
``teams/vi-du.csv``), which is said once in a sentence of its own, never
in the middle of a name."""


def _without_example(text: str) -> str:
    return " ".join(_EXAMPLE.sub("", text).split())


def _is_example(team) -> bool:
    return any(
        _EXAMPLE.search(getattr(team, f, None) or "") for f in ("name", "help_place", "leader")
    )


def _team_name(team, speaker: Speaker) -> str:
    return speaker.speak(_without_example(team.name))


def _phone_sentence(team_name: str, phone: str) -> str:
    """The team and its phone, in a sentence of their own; when the team's
    name is long, the team is "tổ", named in the sentence before."""
    full = f"Cần giúp, bà con gọi {team_name}, số {phone}."
    if count_words(full) <= OPENING_MAX_SYLLABLES:
        return full
    return f"Cần giúp, bà con gọi tổ theo số {phone}."


def one_colon(paragraph: str) -> str:
    """At most one colon a sentence: "Bước năm: đọc chip: đặt thẻ" ->
    "Bước năm: đọc chip, đặt thẻ". Two colons in one sentence make a
    reader stop twice without knowing why."""
    out = []
    for sentence in re.split(r"(?<=[.?!])\s+", paragraph):
        first = sentence.find(":")
        if first >= 0:
            sentence = sentence[: first + 1] + sentence[first + 1 :].replace(":", ",")
        out.append(sentence)
    return " ".join(out)


SERVICES = {"vê en e i đê": "ứng dụng này", "vê ét ét i đê": "ứng dụng này"}
"""Spelled service names, said in full at first and then as "ứng dụng
này", so that a script does not repeat "vê en e i đê" a dozen times."""

_KEEP_AFTER = ("tài khoản", "mật khẩu", "pát cốt", "tìm", "trang", "gõ")
"""Words after which the full name stays: it is what the listener types
or searches for, or the name of an account."""


def _shorten_service(sections: tuple[ScriptSection, ...], title: str) -> tuple[ScriptSection, ...]:
    """After its first full mention in the body (preparation onwards), the
    guide's own spelled service name becomes "ứng dụng này" where that
    reads right: "ứng dụng vê en e i đê" -> "ứng dụng này", "trên vê en e
    i đê" -> "trên ứng dụng này", "định danh điện tử vê en e i đê mức
    hai" -> "định danh điện tử mức hai". Kept: an address ("vê en e i đê
    chấm gốp"), "vê en e i đê mức hai" after any other word, and the name
    after the words of ``_KEEP_AFTER``. The greeting and closing keep the
    full name. Only when the guide's title names the service and the
    script names no other one: "ứng dụng này" must not be ambiguous."""
    low_title = title.casefold()
    present = [name for name in SERVICES if any(name in p.casefold() for s in sections for p in s.paragraphs)]
    if len(present) != 1 or present[0] not in low_title:
        return sections
    name = present[0]
    said = False
    pattern = re.compile(r"(?i)(?<!\w)" + re.escape(name) + r"(?!\w)")
    out = []
    for section in sections:
        if section.kind in ("greeting", "closing"):
            out.append(section)
            continue
        paragraphs = []
        for p in section.paragraphs:
            def repl(m: re.Match) -> str:
                nonlocal said
                if not said:
                    said = True
                    return m.group(0)
                before = p[: m.start()].rstrip().casefold()
                after = p[m.end():].lstrip().casefold()
                if after.startswith(("chấm", "mức")) and not before.endswith("điện tử"):
                    return m.group(0)
                if before.endswith(_KEEP_AFTER):
                    return m.group(0)
                if before.endswith("ứng dụng"):
                    return "này"
                if before.endswith("điện tử"):
                    return ""
                return SERVICES[name]
            paragraphs.append(" ".join(pattern.sub(repl, p).split()))
        out.append(ScriptSection(section.kind, tuple(paragraphs), section.leads))
    return tuple(out)


def _ordinal_is(i: int) -> str:
    """"Một là", "Hai là": how a spoken list counts its items."""
    return f"{number_words(i).capitalize()} là"


def script_for(guide: Guide, settings, team=None) -> RadioScript:
    """The script of a guide with a build's Settings."""
    return build_script(
        guide,
        settings.course_url,
        rate=settings.radio_rate,
        slot_minutes=settings.radio_slot_minutes,
        lexicon=Lexicon.load(settings.radio_abbreviations),
        team=team,
    )
