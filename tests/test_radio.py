"""Radio scripts of every bundled guide and of a fixture guide full of
addresses, abbreviations, numbers, dates and markup: what a reader at the
microphone, or a TTS loudspeaker, gets."""

from __future__ import annotations

import math
import re

import pytest

from camnang.config import DEFAULT_COURSE_URL, load_categories
from camnang.render.radio import build_script, lower_first, vietnamese_syllable
from camnang.roster import load_roster
from camnang.spoken import Lexicon, count_words, duration_words, number_words
from camnang.markup import to_text as plain
from camnang.validate import load_library

from conftest import FIXTURES, ROOT

CATEGORIES = load_categories()
BUNDLED = load_library(ROOT / "guides", CATEGORIES).guides
FIXTURE = load_library(FIXTURES / "guides", CATEGORIES).get("phat-thanh-day-du")
GUIDES = [*BUNDLED, FIXTURE]

LOANWORDS = Lexicon.load().loanwords
"""Foreign words a script says in their spoken form ("passcode" -> "pát cốt")."""

FORBIDDEN = (
    "http", "://", "/", "www", "@", "_", "#", "*", "`", "[", "]", "(", ")", "<", ">",
    '"', "“", "”", "%", "&", "~", "\\", "|", "+", "=", "{", "}", "…",
)


def script_parts(guide, text: str) -> tuple[list[str], str]:
    """The staff notes (PDF header, build log) and the .txt, which is only
    the words to be spoken."""
    return list(build_script(guide, DEFAULT_COURSE_URL).header_lines), text.rstrip("\n")


@pytest.fixture(scope="module", params=GUIDES, ids=lambda g: g.slug)
def guide_and_text(request):
    guide = request.param
    return guide, build_script(guide, DEFAULT_COURSE_URL).text()


NOTES = ("Thời lượng", "Lưu ý", "khung phát thanh", "Bài phát thanh:", "chia làm hai", "tốc độ đọc", "gạch chéo")


def test_txt_holds_only_words_to_be_spoken(guide_and_text):
    """No note for the staff (a loudspeaker system would read it out), no
    path of a web address: it starts with the greeting."""
    guide, text = guide_and_text
    assert text.startswith("Kính thưa bà con!"), guide.slug
    for note in NOTES:
        assert note not in text, (guide.slug, note)
    # An address with a path is read as its site, then where to find it all.
    for p in text.split("\n\n"):
        if "địa chỉ đầy đủ" in p:
            assert "có trên tờ rơi và trong mã kiu a của bài này" in p


def test_time_needed_is_its_own_sentence(guide_and_text):
    guide, text = guide_and_text
    paragraphs = text.split("\n\n")
    timed = [p for p in paragraphs if "mất khoảng" in p]
    if guide.time_needed:
        assert len(timed) == 1 and timed[0].startswith("Làm hết các bước mất khoảng"), guide.slug
        assert "Việc này mất" not in text


def test_nothing_a_reader_or_voice_stumbles_on(guide_and_text):
    guide, text = guide_and_text
    lowered = text.lower()
    for token in FORBIDDEN:
        assert token not in lowered, (guide.slug, token)
    assert not re.search(r"\d", text), guide.slug
    # Abbreviations are expanded or spelled: no run of capitals is left.
    assert not re.search(r"\b[A-ZĐ]{2,}\b", text), re.findall(r"\b[A-ZĐ]{2,}\b", text)
    # Only letters, spaces and plain punctuation.
    assert all(ch.isalpha() or ch.isspace() or ch in ".,:;?!" for ch in text), guide.slug
    assert text.endswith("\n") and "\n\n\n" not in text


def test_every_step_is_in_the_script_in_order(guide_and_text):
    guide, text = guide_and_text
    _, body = script_parts(guide, text)
    paragraphs = body.split("\n\n")
    for i, step in enumerate(guide.steps, 1):
        lead = f"Bước {number_words(i)}: "
        found = [p for p in paragraphs if p.startswith(lead)]
        assert len(found) == 1, (guide.slug, lead)
        spoken = found[0].casefold().split()
        # Every ordinary word the author wrote is said (addresses, numbers
        # and abbreviations are checked by the normalisation tests).
        for word in plain(step).split():
            word = word.strip(".,:;!?()\"“”'")
            if word.isalpha() and word.islower() and word not in LOANWORDS:
                assert word.casefold() in [w.strip(".,:;!?") for w in spoken], (guide.slug, i, word)
    leads = [p.split(":")[0] for p in paragraphs if p.startswith("Bước ")]
    assert leads == [f"Bước {number_words(i)}" for i in range(1, len(guide.steps) + 1)]


def test_reading_time_comes_from_the_scripts_own_word_count(guide_and_text):
    guide, text = guide_and_text
    header, body = script_parts(guide, text)
    words = len(body.split())
    seconds = math.ceil(words * 60 / 200)
    shown = max(10, math.ceil(seconds / 10) * 10)
    assert header[1] == (
        f"Thời lượng đọc: khoảng {duration_words(shown)}, {number_words(words)} chữ, "
        "tính với tốc độ đọc chậm hai trăm chữ một phút."
    )
    over = [line for line in header if line.startswith("Lưu ý: bài dài hơn khung phát thanh ba phút.")]
    assert bool(over) == (seconds > 180), (guide.slug, seconds)


def test_script_has_the_shape_of_a_broadcast(guide_and_text):
    guide, text = guide_and_text
    header, body = script_parts(guide, text)
    paragraphs = body.split("\n\n")
    assert header[0].startswith("Bài phát thanh: ")
    assert paragraphs[0].startswith("Kính thưa bà con!")
    assert "Bài này giúp bà con" not in body
    assert "Bài hôm nay: " in paragraphs[0]
    assert any(p.startswith("Trước khi bắt đầu, bà con cần chuẩn bị") for p in paragraphs)
    assert any(p.startswith("Điều quan trọng nhất bà con cần nhớ: ") for p in paragraphs)
    helps = [p for p in paragraphs if "tổ công nghệ số cộng đồng ở thôn, xã" in p]
    assert helps, guide.slug
    assert any(
        "vào trang oăn tắch chấm mích chấm gốp chấm vê en, tìm khóa Phổ cập kỹ năng số cộng đồng" in p for p in paragraphs
    ), guide.slug
    assert paragraphs[-2].startswith("Xin nhắc lại: ")
    assert paragraphs[-1] == "Cảm ơn bà con đã lắng nghe."
    # Short enough to breathe.
    assert max(len(p.split()) for p in paragraphs) <= 90, guide.slug


def test_fixture_reads_as_expected():
    text = build_script(FIXTURE, DEFAULT_COURSE_URL).text()
    for spoken in (
        "dịch vụ công chấm gốp chấm vê en, địa chỉ đầy đủ có trên tờ rơi và trong mã kiu a của bài này",
        "bấm nút Đăng nhập",
        "nhập mã ô tê pê sáu số gửi qua tin nhắn ét em ét",
        "bấm nút Tìm kiếm rồi nút Nộp trực tuyến",
        "Quyết định số hai nghìn ba trăm bốn mươi lăm của Ngân hàng Nhà nước",
        "ngày mười lăm tháng mười năm hai nghìn không trăm hai mươi sáu, lúc bảy giờ ba mươi phút",
        "một trăm triệu đồng mỗi tháng theo Nghị định số ba trăm sáu mươi tám",
        "gọi tổng đài một chín không không, một hai ba bốn hoặc số không một hai ba, bốn năm sáu, bảy tám chín",
        "khẩn cấp gọi một một ba",
        "bấm sao chín chín chín thăng",
        "to chấm xê en ét a còng e ích a em pê lờ e chấm com",
        "thẻ căn cước công dân gắn chip và thẻ bảo hiểm y tế",
        "điện thoại có bốn gờ hoặc oai phai, pin trên năm mươi phần trăm",
        "lệ phí một triệu năm trăm nghìn đồng, tức một phẩy năm triệu đồng",
        "Làm hết các bước mất khoảng hai mươi phút.",
    ):
        assert spoken in text, spoken
    # The tip with the most safety words is the one stressed, and repeated.
    stressed = "không đưa mã ô tê pê, mã pin, mật khẩu cho bất kỳ ai"
    assert f"Điều quan trọng nhất bà con cần nhớ: {stressed}" in text
    # The fixture is longer than its slot: its closing is the short one.
    assert f"Xin nhắc lại: {stressed}" in text


def test_slot_warning_and_rate_are_configurable():
    guide = BUNDLED[0]
    long_slot = build_script(guide, DEFAULT_COURSE_URL, slot_minutes=10)
    assert not long_slot.over_slot and len(long_slot.header_lines) == 2
    short = build_script(guide, DEFAULT_COURSE_URL, slot_minutes=1)
    assert short.over_slot
    warning = short.header_lines[2]
    assert warning.startswith("Lưu ý: bài dài hơn khung phát thanh một phút.")
    step = short.split_after_step()
    assert 1 <= step < len(guide.steps)
    assert f"lần đầu đọc đến hết bước {number_words(step)}." in warning
    slow = build_script(guide, DEFAULT_COURSE_URL, rate=100)
    assert slow.seconds == math.ceil(slow.word_count * 60 / 100)
    assert "tốc độ đọc chậm một trăm chữ một phút" in slow.header_lines[1]
    # A slow rate makes the script longer than its slot: its closing and
    # its course sentence take their shorter forms, and no more is cut.
    fast = build_script(guide, DEFAULT_COURSE_URL)
    assert slow.over_slot and 0 < fast.word_count - slow.word_count <= 30
    assert slow.paragraphs[-2].startswith("Xin nhắc lại: ")
    assert slow.paragraphs[:-2] != fast.paragraphs[:-2]
    assert [p for p in slow.paragraphs if p.startswith("Bước ")] == [p for p in fast.paragraphs if p.startswith("Bước ")]


def test_course_site_follows_course_url():
    text = build_script(BUNDLED[0], "https://hoc.example.com/khoa-hoc/").text()
    assert "bà con vào trang hát o xê chấm e ích a em pê lờ e chấm com, tìm khóa Phổ cập kỹ năng số cộng đồng" in text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Mở ứng dụng.", "mở ứng dụng."),
        ("Chụp mặt trước.", "chụp mặt trước."),
        ("Zalo đã cài.", "Zalo đã cài."),
        ("VNeID mức hai.", "VNeID mức hai."),
        ("Android hoặc iPhone.", "Android hoặc iPhone."),
    ],
)
def test_lower_first_keeps_names(text, expected):
    assert lower_first(text) == expected


def test_lower_first_keeps_multiword_names():
    assert lower_first("Bộ Công an cấp.", capitalised={"Bộ"}) == "Bộ Công an cấp."
    assert lower_first("Gõ Phổ cập kỹ năng số.", capitalised={"Phổ"}) == "gõ Phổ cập kỹ năng số."
    assert lower_first("Bưu điện nhận hàng.", names={"Bưu"}) == "Bưu điện nhận hàng."


def test_team_pack_script_names_the_team_and_its_phone():
    from camnang.roster import Team

    team = Team(
        id="thon-dong", name="Tổ công nghệ số cộng đồng thôn Đông", level="thon", commune="Xã An Bình",
        province="Tỉnh Mẫu", phone="0123 456 789", help_place="Nhà văn hóa thôn Đông",
    )
    text = build_script(FIXTURE, DEFAULT_COURSE_URL, team=team).text()
    assert text.startswith("Kính thưa bà con! Tổ công nghệ số cộng đồng thôn Đông xin gửi tới bà con")
    paragraphs = text.rstrip("\n").split("\n\n")
    opening = re.split(r"(?<=[.!?])\s+", paragraphs[0])
    # The team and its phone in a sentence of their own, near the start ...
    assert "Cần giúp, bà con gọi Tổ công nghệ số cộng đồng thôn Đông, số không một hai ba, bốn năm sáu, bảy tám chín." in opening[:4]
    assert "Nếu gặp khó khăn, bà con đến tổ, ở Nhà văn hóa thôn Đông. Tổ sẽ ngồi cùng bà con làm từng bước." in text
    # ... and the phone again at the end, in its digit groups.
    assert paragraphs[-2] == "Số của tổ, xin nhắc lại: không một hai ba, bốn năm sáu, bảy tám chín."
    assert paragraphs[-1] == "Cảm ơn bà con đã lắng nghe."
    assert not re.search(r"\d", text)


@pytest.mark.parametrize("guide", [g for g in GUIDES if len(g.tips) > 1], ids=lambda g: g.slug)
def test_radio_stresses_the_tip_the_poster_frames(guide):
    """One safety-word list and one picker (``model.key_tip``): the radio
    script stresses the spoken form of the poster's key message."""
    from camnang.printables.poster import key_message
    from camnang.spoken import Speaker

    def norm(text: str) -> str:
        # The script says "ứng dụng này" after the app's first mention and
        # keeps one colon a sentence: compare the words.
        text = re.sub(r"ứng dụng (vê en e i đê|vê ét ét i đê)", "ứng dụng này", text.casefold())
        return " ".join(re.sub(r"[:,.!]", " ", text).split())

    stressed = norm(next(s for s in build_script(guide, DEFAULT_COURSE_URL).sections if s.kind == "safety").paragraphs[0])
    key = key_message(guide)
    spoken = norm(Speaker(None, paths=False).speak(key))
    others = [norm(Speaker(None, paths=False).speak(t)) for t in guide.tips if t is not key]
    assert spoken in stressed
    assert not any(o in stressed for o in others if o not in spoken)


EXAMPLE_TEAMS = load_roster(ROOT / "teams" / "vi-du.csv").teams


@pytest.mark.parametrize("team", EXAMPLE_TEAMS, ids=lambda t: t.id)
def test_example_team_scripts_read_well(team):
    """The example roster: "ví dụ" is said once, in a sentence of its own,
    never inside a name ("…Hương Lạc, ví dụ xin gửi…"); the opening's
    sentences are short and a phone is said near the start and at the end."""
    for guide in BUNDLED:
        script = build_script(guide, DEFAULT_COURSE_URL, team=team)
        text = script.text()
        sentences = [s for p in text.split("\n\n") for s in re.split(r"(?<=[.!?])\s+", p)]
        generic = build_script(guide, DEFAULT_COURSE_URL).text()
        with_example = [s for s in sentences if "ví dụ" in s and s not in generic]
        assert with_example == ["Tên và số của tổ chỉ là ví dụ."], (guide.slug, with_example)
        opening = re.split(r"(?<=[.!?])\s+", script.sections[0].paragraphs[0])
        assert max(count_words(s) for s in opening) <= 30, (team.id, guide.slug, opening)
        if team.phone:
            phone = "không chín một hai, ba bốn năm, sáu bảy tám"
            assert phone in " ".join(opening), (team.id, guide.slug)
            assert text.rstrip().split("\n\n")[-2] == f"Số của tổ, xin nhắc lại: {phone}.", (team.id, guide.slug)
        # A team's script says more (name, place, phone twice), yet stays
        # close to the slot: at most ten seconds over it.
        assert script.seconds <= script.slot_seconds + 10, (team.id, guide.slug, script.seconds)


def test_opening_is_short_sentences(guide_and_text):
    """The opening: each sentence is said in one breath (30 syllables at
    most), and it is not "Bài này giúp bà con: <summary>"."""
    guide, _ = guide_and_text
    script = build_script(guide, DEFAULT_COURSE_URL)
    opening = re.split(r"(?<=[.!?])\s+", script.sections[0].paragraphs[0])
    assert opening[0] == "Kính thưa bà con!"
    assert max(count_words(s) for s in opening) <= 30, (guide.slug, opening)
    if guide in BUNDLED:
        assert not script.over_slot, (guide.slug, script.seconds)


def test_no_sentence_has_two_colons(guide_and_text):
    guide, text = guide_and_text
    assert "::" not in text
    for p in text.split("\n\n"):
        for sentence in re.split(r"(?<=[.!?])\s+", p):
            assert sentence.count(":") <= 1, (guide.slug, sentence)


def test_service_name_is_not_repeated_a_dozen_times(guide_and_text):
    """After its first full mention, the guide's app is "ứng dụng này"; its
    address and the words to search for keep the full name."""
    guide, text = guide_and_text
    assert text.count("vê en e i đê") <= 6, (guide.slug, text.count("vê en e i đê"))
    if guide.slug == "vneid-kich-hoat":
        assert "tìm và cài vê en e i đê" in text
        assert "trang vê en e i đê chấm gốp chấm vê en" in text
        assert "mở ứng dụng này" in text


SPOKEN_FORMS = {
    w.casefold()
    for table in (LOANWORDS, Lexicon.load().abbreviations, Lexicon.load().domains)
    for value in table.values()
    for w in value.split()
}


def test_no_english_spelling_is_left(guide_and_text):
    """Every word of a script is spelled as a Vietnamese syllable, or is a
    word of a spoken form from the lexicon ("Da lô", "oăn tắch"): no
    "App Store", "passcode" or "OneTouch" that a voice reads as English."""
    guide, text = guide_and_text
    foreign = sorted(
        {
            w
            for w in re.findall(r"[^\W\d_]+", text)
            if not vietnamese_syllable(w) and w.casefold() not in SPOKEN_FORMS
        }
    )
    assert not foreign, (guide.slug, foreign)
    for written in ("App Store", "passcode", "OneTouch", "Zalo", "VNeID", "OTP", "Internet"):
        assert written.casefold() not in text.casefold(), (guide.slug, written)


def test_team_scripts_are_the_same_with_the_guide_spoken_once():
    """A team pack makes every guide's script for each team; the guide's
    spoken parts are made once per process (``_spoken_guide``). Each
    team's script is what a fresh build gives, and an abbreviation spelled
    out in one team's name is that team's unknown word only."""
    import dataclasses

    from camnang.render import radio
    from camnang.roster import Team

    plain_team = Team(
        id="a", name="Tổ công nghệ số cộng đồng thôn Đông", level="thon", commune="Xã An Bình", province="Tỉnh Mẫu",
        phone="0123 456 789", help_place="Nhà văn hóa thôn Đông",
    )
    odd_team = dataclasses.replace(plain_team, id="b", name="Tổ QXZW thôn Tây", phone=None)

    guide = next(g for g in BUNDLED if g.slug == "dang-ky-tam-tru-vneid")  # spells "CT" out

    def made(team):
        s = build_script(guide, DEFAULT_COURSE_URL, team=team)
        return s.text(), s.header_lines, s.unknown

    fresh = {}
    for team in (plain_team, odd_team):
        radio._SPOKEN.clear()
        fresh[team.id] = made(team)
    radio._SPOKEN.clear()
    assert [made(t) for t in (plain_team, odd_team, plain_team)] == [fresh["a"], fresh["b"], fresh["a"]]
    assert fresh["a"][2] == ("CT",) and fresh["b"][2] == ("CT", "QXZW")
