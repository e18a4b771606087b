"""Spoken-form normalisation, rule by rule, with the Vietnamese a reader or
a TTS voice should say."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from num2words import num2words

from camnang.errors import ConfigError
from camnang.markup import parse_blocks, parse_inline
from camnang.spoken import (
    Lexicon,
    Speaker,
    count_words,
    date_words,
    digit_words,
    duration_words,
    number_words,
    spell,
)


@pytest.fixture(scope="module")
def sp() -> Speaker:
    return Speaker()


def say(sp: Speaker, text: str) -> str:
    """Speak a line written as guide Markdown (parsed like a guide's step)."""
    return sp.speak(parse_inline(text, strict=False))


# -- numbers -----------------------------------------------------------------

@pytest.mark.parametrize(
    "n, words",
    [
        (0, "không"),
        (5, "năm"),
        (10, "mười"),
        (11, "mười một"),
        (15, "mười lăm"),
        (21, "hai mươi mốt"),
        (24, "hai mươi bốn"),
        (25, "hai mươi lăm"),
        (55, "năm mươi lăm"),
        (101, "một trăm lẻ một"),
        (105, "một trăm lẻ năm"),
        (110, "một trăm mười"),
        (1001, "một nghìn không trăm lẻ một"),
        (1010, "một nghìn không trăm mười"),
        (2024, "hai nghìn không trăm hai mươi bốn"),
        (2026, "hai nghìn không trăm hai mươi sáu"),
        (2345, "hai nghìn ba trăm bốn mươi lăm"),
        (10_000, "mười nghìn"),
        (100_000, "một trăm nghìn"),
        (1_050_000, "một triệu không trăm năm mươi nghìn"),
        (1_000_500, "một triệu không nghìn năm trăm"),
        (1_500_000, "một triệu năm trăm nghìn"),
        (20_000_000, "hai mươi triệu"),
        (2_000_000_000, "hai tỷ"),
        (1_200_000_000, "một tỷ hai trăm triệu"),
    ],
)
def test_number_words(n, words):
    assert number_words(n) == words


def test_num2words_is_wrong_above_a_thousand_and_is_wrapped():
    # The reason number_words exists: num2words drops the zero hundreds.
    assert num2words(2026, lang="vi") == "hai nghìn lẻ hai mươi sáu"
    assert number_words(2026) == "hai nghìn không trăm hai mươi sáu"
    # Below a thousand it is right and used as is: "mốt", "lăm", "lẻ", "mười".
    for n in (1, 10, 15, 21, 31, 45, 101, 115, 999):
        assert number_words(n) == num2words(n, lang="vi")


def test_digits_spelling_and_durations():
    assert digit_words("0912") == "không chín một hai"
    assert spell("NFC") == "en ép xê"
    assert spell("VNPT") == "vê en pê tê"
    assert duration_words(160) == "hai phút bốn mươi giây"
    assert duration_words(180) == "ba phút"
    assert duration_words(50) == "năm mươi giây"
    assert date_words(1, 4, 2025) == "ngày mùng một tháng tư năm hai nghìn không trăm hai mươi lăm"


@pytest.mark.parametrize(
    "text, spoken",
    [
        ("Mất khoảng 20 phút.", "Mất khoảng hai mươi phút."),
        ("Hạn mức 10 triệu đồng.", "Hạn mức mười triệu đồng."),
        ("Nộp 100.000đ.", "Nộp một trăm nghìn đồng."),
        ("Phí 1.500.000 VND.", "Phí một triệu năm trăm nghìn đồng."),
        ("Lãi 1,5%.", "Lãi một phẩy năm phần trăm."),
        ("Pin trên 50%.", "Pin trên năm mươi phần trăm."),
        ("Tối đa 100 triệu đồng/tháng.", "Tối đa một trăm triệu đồng mỗi tháng."),
        ("Chờ 2-3 ngày.", "Chờ hai đến ba ngày."),
        ("Làm như bước 6 là xong.", "Làm như bước sáu là xong."),
        ("Họp vào thứ 4, tháng 4.", "Họp vào thứ tư, tháng tư."),
        ("Giải thứ 1.", "Giải thứ nhất."),
        ("Dịch vụ 24/7.", "Dịch vụ hai mươi bốn trên bảy."),
        ("Nặng 5kg, dung lượng 10GB.", "Nặng năm ki lô gam, dung lượng mười gi ga bai."),
        ("Mẫu CT01 trên giấy A4.", "Mẫu xê tê không một trên giấy A bốn."),
    ],
)
def test_numbers_as_words(sp, text, spoken):
    assert say(sp, text) == spoken


@pytest.mark.parametrize(
    "text, spoken",
    [
        ("Hạn chót 15/10/2026.", "Hạn chót ngày mười lăm tháng mười năm hai nghìn không trăm hai mươi sáu."),
        ("Áp dụng từ ngày 1/7/2024.", "Áp dụng từ ngày mùng một tháng bảy năm hai nghìn không trăm hai mươi bốn."),
        ("Áp dụng từ 1/7.", "Áp dụng từ ngày mùng một tháng bảy."),
        ("Họp ngày 2/9.", "Họp ngày mùng hai tháng chín."),
        ("Cập nhật 2026-11-29.", "Cập nhật ngày hai mươi chín tháng mười một năm hai nghìn không trăm hai mươi sáu."),
        ("Từ tháng 7/2025.", "Từ tháng bảy năm hai nghìn không trăm hai mươi lăm."),
        ("Mở cửa 7h30 đến 17:00.", "Mở cửa bảy giờ ba mươi phút đến mười bảy giờ."),
        ("Trước 8h sáng.", "Trước tám giờ sáng."),
    ],
)
def test_dates_and_times(sp, text, spoken):
    assert say(sp, text) == spoken


@pytest.mark.parametrize(
    "text, spoken",
    [
        ("Gọi số 0123 456 789.", "Gọi số không một hai ba, bốn năm sáu, bảy tám chín."),
        ("Gọi số 0123.456.789.", "Gọi số không một hai ba, bốn năm sáu, bảy tám chín."),
        ("Gọi 0123456789.", "Gọi không một hai ba bốn năm sáu bảy tám chín."),
        ("Tổng đài 1900 1234.", "Tổng đài một chín không không, một hai ba bốn."),
        ("Khẩn cấp gọi 113.", "Khẩn cấp gọi một một ba."),
        ("Nhập mã 482913.", "Nhập mã bốn tám hai chín một ba."),
        ("Bấm *999# rồi gọi.", "Bấm sao chín chín chín thăng rồi gọi."),
        ("Mã hồ sơ `G22.99-260101-0001`.", "Mã hồ sơ giê hai hai chấm chín chín gạch ngang hai sáu không một không một gạch ngang không không không một."),
    ],
)
def test_phones_and_codes_digit_by_digit(sp, text, spoken):
    assert say(sp, text) == spoken


# -- addresses ---------------------------------------------------------------

@pytest.mark.parametrize(
    "text, spoken",
    [
        ("Vào dichvucong.gov.vn.", "Vào dịch vụ công chấm gốp chấm vê en."),
        ("Vào https://dichvucong.gov.vn/ ngay.", "Vào dịch vụ công chấm gốp chấm vê en ngay."),
        ("Vào https://www.dichvucong.gov.vn.", "Vào dịch vụ công chấm gốp chấm vê en."),
        ("Mở trang **voso.vn**.", "Mở trang vỏ sò chấm vê en."),
        ("Tra ở tinnhiemmang.vn/website-lua-dao.", "Tra ở tín nhiệm mạng chấm vê en gạch chéo website gạch ngang lua gạch ngang dao."),
        ("Trang https://example.com/huong_dan?x=1#top.", "Trang e ích a em pê lờ e chấm com gạch chéo huong gạch dưới dan."),
        ("Đuôi **gov.vn** là của Nhà nước.", "Đuôi gốp chấm vê en là của Nhà nước."),
        ("Vào vnpt.com.vn.", "Vào vê en pê tê chấm com chấm vê en."),
        ("Gửi thư tới to.cns@example.com.", "Gửi thư tới to chấm xê en ét a còng e ích a em pê lờ e chấm com."),
        ("Xem [Cổng Dịch vụ công](https://dichvucong.gov.vn/).", "Xem Cổng Dịch vụ công."),
        ("Xem <https://vneid.gov.vn/>.", "Xem vê en e i đê chấm gốp chấm vê en."),
        ("Gõ binhdanhocvuso.gov.vn.", "Gõ bình dân học vụ số chấm gốp chấm vê en."),
        ("Vào csgt.bocongan.gov.vn.", "Vào xê ét giê tê chấm bộ công an chấm gốp chấm vê en."),
        # A part the lexicon does not know is spelled with the Vietnamese
        # letter names, not read as one English-looking word.
        ("Vào abcxyz.vn.", "Vào a bê xê ích i dét chấm vê en."),
    ],
)
def test_addresses_are_spoken(sp, text, spoken):
    assert say(sp, text) == spoken


def test_every_site_named_in_a_guide_is_read_as_words(sp):
    """Each site a bundled guide names is read as Vietnamese words or
    letter names: no part is left as a run of letters that a voice reads
    as an English word, and no "chữ gov"."""
    from camnang.render.radio import vietnamese_syllable
    from conftest import ROOT

    hosts = set()
    for md in (ROOT / "guides").glob("*.md"):
        hosts |= {h.lower() for h in re.findall(r"(?i)\b(?:[a-z0-9-]+\.)+(?:vn|com|net|org|me)\b", md.read_text("utf-8"))}
    assert "binhdanhocvuso.gov.vn" in hosts
    for host in sorted(hosts):
        said = sp.address(host)
        assert "chữ gov" not in said
        for word in said.split():
            assert vietnamese_syllable(word), (host, word, said)
        assert "binhdanhocvuso" not in said and "onetouch" not in said.lower(), said


def test_address_rule_directly(sp):
    assert sp.address("https://onetouch.mic.gov.vn/pho-cap-ky-nang-so/") == (
        "oăn tắch chấm mích chấm gốp chấm vê en gạch chéo pho gạch ngang cap gạch ngang ky gạch ngang nang gạch ngang so"
    )


# -- abbreviations -----------------------------------------------------------

@pytest.mark.parametrize(
    "text, spoken",
    [
        ("Ra UBND xã.", "Ra Ủy ban nhân dân xã."),
        ("Mang CCCD và thẻ BHYT.", "Mang căn cước công dân và thẻ bảo hiểm y tế."),
        ("Tra sổ BHXH.", "Tra sổ bảo hiểm xã hội."),
        ("Không đưa mã OTP.", "Không đưa mã ô tê pê."),
        ("Quét mã QR.", "Quét mã kiu a."),
        ("Kết nối CSDL về TTHC.", "Kết nối cơ sở dữ liệu về thủ tục hành chính."),
        ("Tải từ CH Play.", "Tải từ xê hát pờ lây."),
        ("Chuyển qua NAPAS 247.", "Chuyển qua Na pát hai bốn bảy."),
        ("Bật NFC, nhập mã PIN.", "Bật en ép xê, nhập mã pin."),
    ],
)
def test_abbreviations_expanded(sp, text, spoken):
    assert say(sp, text) == spoken


def test_unknown_capitals_spelled_and_reported():
    sp = Speaker()
    assert sp.speak("Hỏi XYZ.") == "Hỏi ích i dét."
    assert sp.unknown == {"XYZ"}


def test_abbreviations_match_whole_words_and_exact_case(sp):
    assert "Ủy ban" not in say(sp, "Mã UBNDX lạ.")
    assert say(sp, "ubnd") == "Ubnd"


@pytest.mark.parametrize(
    "text, spoken",
    [
        ("Theo Nghị định 368/2025/NĐ-CP.", "Theo Nghị định số ba trăm sáu mươi tám năm hai nghìn không trăm hai mươi lăm của Chính phủ."),
        (
            "Theo Quyết định 2345/QĐ-NHNN của Ngân hàng Nhà nước.",
            "Theo Quyết định số hai nghìn ba trăm bốn mươi lăm của Ngân hàng Nhà nước.",
        ),
        ("Xem 2345/QĐ-NHNN.", "Xem quyết định số hai nghìn ba trăm bốn mươi lăm của Ngân hàng Nhà nước."),
    ],
)
def test_legal_documents(sp, text, spoken):
    assert say(sp, text) == spoken


# -- markup and symbols ------------------------------------------------------

@pytest.mark.parametrize(
    "text, spoken",
    [
        ("Bấm **Đăng ký**.", "Bấm nút Đăng ký."),
        ("Bấm **Đồng ý** rồi **Xác nhận**.", "Bấm nút Đồng ý rồi nút Xác nhận."),
        ('Bấm "Tìm kiếm" để tìm.', "Bấm nút Tìm kiếm để tìm."),
        ("Bấm nút **Tham gia nhóm**.", "Bấm nút Tham gia nhóm."),
        ("Chọn **Nạp tiền**.", "Chọn mục Nạp tiền."),
        ("Mở **Zalo**, đọc *kỹ* và __cẩn thận__.", "Mở Da lô, đọc kỹ và cẩn thận."),
        ('Gõ "Phổ cập kỹ năng số" vào ô.', "Gõ Phổ cập kỹ năng số vào ô."),
        ("Mở **CH Play** (Android) hoặc **App Store** (iPhone).", "Mở xê hát pờ lây, an đờ roi, hoặc áp xờ to, ai phôn."),
        ("Ký tự đặc biệt như @ hoặc #.", "Ký tự đặc biệt như a còng hoặc dấu thăng."),
        ("Tiền điện & nước.", "Tiền điện và nước."),
        ("Dùng Android/iPhone.", "Dùng an đờ roi hoặc ai phôn."),
        ("Chờ ~ 24h…", "Chờ khoảng hai mươi bốn giờ."),
        ("Bấm `Cài đặt`.", "Bấm Cài đặt."),
    ],
)
def test_markup_and_symbols(sp, text, spoken):
    assert say(sp, text) == spoken


def test_block_markdown_becomes_sentences(sp):
    md = "### Cần nhớ\n\n- Không bấm **link lạ**\n- Gọi 113\n\nĐoạn cuối *nghiêng*"
    assert sp.paragraphs(parse_blocks(md)) == [
        "Cần nhớ.",
        "Không bấm nút linh lạ. Gọi một một ba.",
        "Đoạn cuối nghiêng.",
    ]


FORBIDDEN = ("http", "://", "/", "www", "@", "_", "#", "*", "`", "[", "]", "(", ")", "<", ">", '"', "“", "”", "%", "&", "~")


def test_nothing_a_voice_stumbles_on(sp):
    messy = (
        "## Bước **1**: vào <https://www.dichvucong.gov.vn/p/home/dvc-trang-chu.html?lang=vi#top> "
        "hoặc [trang](http://example.com/a_b), gửi `mã_01` tới a.b@example.com #hashtag 50% & ~3 ngày "
        "(UBND) – “Đăng ký” *nghiêng* __đậm__ \\*sao\\* 12/12/2026 0123 456 789 ABC."
    )
    out = say(sp, messy)
    for token in FORBIDDEN:
        assert token not in out.lower(), (token, out)
    assert not any(ch.isdigit() for ch in out), out
    assert all(ch.isalpha() or ch.isspace() or ch in ".,:;?!" for ch in out), out


def test_word_count_counts_syllables():
    assert count_words("Bước một: mở ứng dụng.") == 5


# -- the lexicon -------------------------------------------------------------

def test_users_extend_and_override_the_lexicon(tmp_path):
    extra = tmp_path / "tu-viet-tat.yml"
    extra.write_text(
        "abbreviations:\n  MTTQX: Mặt trận xã\n  QR: quy rờ\ndomains:\n  xaanbinh: xã An Bình\n",
        encoding="utf-8",
    )
    sp = Speaker(Lexicon.load(extra))
    assert sp.speak("Hỏi MTTQX, quét mã QR, vào xaanbinh.gov.vn.") == (
        "Hỏi Mặt trận xã, quét mã quy rờ, vào xã An Bình chấm gốp chấm vê en."
    )
    # The bundled entries are still there.
    assert sp.speak("UBND") == "Ủy ban nhân dân"
    assert Lexicon.load(extra).digest != Lexicon.load().digest


def test_bad_lexicon_file_names_file_line_and_field(tmp_path):
    extra = tmp_path / "tu-viet-tat.yml"
    extra.write_text("abbreviations:\n  HTX: hợp tác xã\n  NAPAS: Na pát 247\nvoices:\n  a: b\n", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        Lexicon.load(extra)
    message = str(e.value)
    assert "tu-viet-tat.yml:3" in message and "abbreviations.NAPAS" in message and "chữ số" in message
    assert "tu-viet-tat.yml:4" in message and "voices" in message


def test_missing_lexicon_file(tmp_path):
    with pytest.raises(ConfigError) as e:
        Lexicon.load(tmp_path / "khong-co.yml")
    assert "khong-co.yml" in str(e.value)


def test_domain_ending_with_its_dot_is_read_not_split():
    """".gov.vn" alone is the ending of an address, not the end of a sentence."""
    from camnang.spoken import Speaker

    said = Speaker().speak("Địa chỉ phải kết thúc bằng .gov.vn mới là trang thật.")
    assert said == "Địa chỉ phải kết thúc bằng chấm gốp chấm vê en mới là trang thật."
    assert Speaker().speak("Cài VNeTraffic từ CH Play.") == "Cài vê en e tra phích từ xê hát pờ lây."


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_espeak_reads_no_spoken_form_as_english():
    """espeak-ng's Vietnamese voice switches to English for a word it takes
    for English ("(en)" in its phonemes): "binhdanhocvuso", "App Store",
    "plây" were. No spoken form of the lexicon may do that."""
    lexicon = Lexicon.load()
    values = sorted({*lexicon.loanwords.values(), *lexicon.abbreviations.values(), *lexicon.domains.values()})
    english = []
    for value in values:
        phonemes = subprocess.run(
            ["espeak-ng", "-v", "vi", "-q", "-x", value], capture_output=True, text=True, timeout=30
        ).stdout
        if "(en)" in phonemes:
            english.append(value)
    assert not english
    # The check itself sees English when it is there.
    assert "(en)" in subprocess.run(
        ["espeak-ng", "-v", "vi", "-q", "-x", "binhdanhocvuso"], capture_output=True, text=True, timeout=30
    ).stdout
