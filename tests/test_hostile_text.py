"""Hostile text, checked in-process (issue 20, cases 2, 5, 6, 7, 9, 10, 16).

Invisible and bidirectional characters written as YAML escapes, HTML
entities or roster cells; look-alike link hosts; words too long to lay out;
nesting that would make the parser drop the rest of a guide; inputs that
made a regex or the parser superlinear. Each test names the file and line a
user would be shown, and bounds the time where cost was the attack.
"""

from __future__ import annotations

import datetime as _dt
import time
from pathlib import Path

import pytest

from camnang import markup
from camnang.config import load_categories
from camnang.errors import GuideError
from camnang.roster import RosterError, load_roster, spreadsheet_safe
from camnang.spoken import Speaker
from camnang.validate import load_library

from conftest import FIXTURES

TODAY = _dt.date(2026, 11, 29)
BASE = (FIXTURES / "guides" / "thu-nghiem.md").read_text(encoding="utf-8")
# Lines of BASE: title 2, summary 5, links[1].url 13, sources[1] 15, intro 19,
# first step 23, tip 30.


def load(tmp_path: Path, text: str, warnings: list | None = None):
    folder = tmp_path / "guides"
    folder.mkdir(exist_ok=True)
    (folder / "thu-nghiem.md").write_text(text, encoding="utf-8")
    return load_library(folder, load_categories(), today=TODAY, on_warning=(warnings.append if warnings is not None else None))


def refused(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(GuideError) as info:
        load(tmp_path, text)
    return [str(p) for p in info.value.problems]


def visible(text: str) -> bool:
    from camnang.text import UNSAFE_CHARS

    return UNSAFE_CHARS.search(text) is None


# -- case 5: invisible characters after decoding -----------------------------------


@pytest.mark.parametrize("escape", ["\\u202E", "\\x01", "\\0", "\\e", "\\uFFFE", "\\uFEFF", "\\u2066", "\\u061C", "\\u00AD"])
def test_yaml_escapes_of_unsafe_characters_are_removed_with_a_warning(tmp_path, escape):
    text = BASE.replace(
        "title: Đăng ký tài khoản thử nghiệm", f'title: "Đăng ký {escape}tài khoản thử nghiệm"'
    ).replace("summary: Hướng dẫn mẫu", f'summary: "Gọi {escape}0987654321." \n# Hướng dẫn mẫu')
    warnings: list[str] = []
    guide = load(tmp_path, text, warnings).guides[0]
    assert guide.title == "Đăng ký tài khoản thử nghiệm"
    assert guide.summary == "Gọi 0987654321."
    assert any("thu-nghiem.md:2: trường 'title': đã bỏ 1 ký tự điều khiển ẩn" in w for w in warnings), warnings
    assert any("thu-nghiem.md:5: trường 'summary': đã bỏ 1 ký tự điều khiển ẩn" in w for w in warnings), warnings


def test_html_entities_of_unsafe_characters_are_removed_from_the_body(tmp_path):
    text = BASE.replace(
        "3. Nhập mã xác thực gửi về điện thoại.",
        "3. Gọi &#x202E;0987654321&#x202C; hoặc &#8296;1900 1234&#8297;, mã `&#x202E;` &#xFEFF;xong.",
    )
    warnings: list[str] = []
    guide = load(tmp_path, text, warnings).guides[0]
    step = guide.steps[2].text
    assert step == "Gọi 0987654321 hoặc 1900 1234, mã &#x202E; xong."  # code spans are literal
    assert visible(step)
    assert [w for w in warnings if ":25:" in w] == [
        w for w in warnings if "thu-nghiem.md:25: đã bỏ 5 ký tự điều khiển ẩn (U+202C, U+202E, U+2068, U+2069, U+FEFF)" in w
    ] != []


def test_raw_unsafe_characters_are_removed_before_parsing(tmp_path):
    text = BASE.replace("Lời giới thiệu", "Lời\x00 giới\u2028thiệu\u200b")
    warnings: list[str] = []
    guide = load(tmp_path, text, warnings).guides[0]
    assert guide.intro.text == "Lời giới thiệu của hướng dẫn mẫu."
    assert len(warnings) == 2 and all("thu-nghiem.md:19:" in w for w in warnings), warnings


# -- case 16: rosters ------------------------------------------------------------------

HEADER = "ma_to,ten_to,cap,xa,tinh,to_truong,dien_thoai,zalo,dia_diem"


def roster(tmp_path: Path, row: str) -> Path:
    path = tmp_path / "to.csv"
    path.write_text(HEADER + "\n" + row + "\n", encoding="utf-8")
    return path


def test_roster_zalo_link_with_a_hidden_character_is_refused(tmp_path):
    path = roster(tmp_path, "to-a,Tổ A,thon,Hương Lạc,Bắc Ninh,,,https://zalo.me/g/ab\ufeffcd,")
    with pytest.raises(RosterError) as info:
        load_roster(path)
    assert str(info.value).endswith(
        "to.csv:2: trường 'zalo': đường dẫn Zalo có ký tự ẩn (U+FEFF) (gõ lại đường dẫn, không chép từ nơi khác)"
    )


def test_roster_cells_lose_the_same_characters_as_guides(tmp_path):
    path = roster(tmp_path, "to-a,Tổ\u061c A\u2066,thon,Hương\u00ad Lạc,Bắc Ninh,Nguyễn\u200b Hòa,0912\u202e345678,,")
    result = load_roster(path)
    team = result.teams[0]
    assert (team.name, team.commune, team.leader, team.phone) == ("Tổ A", "Hương Lạc", "Nguyễn Hòa", "0912 345 678")
    assert any("to.csv:2: cột 'ten_to' (ô B2): đã bỏ 2 ký tự điều khiển ẩn (U+061C, U+2066)" in w for w in result.warnings)
    assert len(result.warnings) == 4


@pytest.mark.parametrize("cell", ["＝HYPERLINK(\"x\")", "＋1+1", "－1+1", "＠SUM(A1)", "\ufeff=1+1", "\u2060=1+1", "\ufeff\u2060+1", "\u200b@A1"])
def test_formula_neutralising_sees_through_full_width_and_invisible_starts(cell):
    assert spreadsheet_safe(cell) == "'" + cell


# -- case 6: links show where they go ------------------------------------------------


@pytest.mark.parametrize(
    "link",
    [
        "<https://dichvuc\u200dong.gov.vn/>",
        "[Cổng](https://dichvuc\u200dong.gov.vn/)",
        "[Cổng](https://dichvucоng.gov.vn/)",  # Cyrillic о
        "<https://xn--dichvucong-ys6e.gov.vn/>",
        "[Cổng](https://dichvucong.gov.vn/&#x202E;abc)",
    ],
)
def test_look_alike_or_hidden_link_targets_are_refused(tmp_path, link):
    problems = refused(tmp_path, BASE.replace("Không đưa mã xác thực cho bất kỳ ai.", f"Xem {link}."))
    assert len(problems) == 1 and "thu-nghiem.md:30: mục 'Lưu ý':" in problems[0], problems
    assert "tên miền" in problems[0] or "ký tự ẩn" in problems[0]


@pytest.mark.parametrize(
    "label, url, words",
    [
        ("dichvucоng.gov.vn", "https://dichvucong.gov.vn/", "không phải ASCII"),  # Cyrillic о in the label
        ("dichvucong.gov.vn", "https://dichvucong.gov.vn.example.com/", "nhãn đường dẫn ghi 'dichvucong.gov.vn' nhưng đường dẫn dẫn tới 'dichvucong.gov.vn.example.com'"),
        ("Trang https://vneid.gov.vn", "https://example.com/", "nhãn đường dẫn ghi 'vneid.gov.vn' nhưng đường dẫn dẫn tới 'example.com'"),
    ],
)
def test_a_label_that_reads_as_another_address_is_refused(tmp_path, label, url, words):
    problems = refused(tmp_path, BASE.replace("Không đưa mã xác thực cho bất kỳ ai.", f"Xem [{label}]({url})."))
    assert len(problems) == 1 and "thu-nghiem.md:30:" in problems[0] and words in problems[0], problems
    # the same in the front matter
    problems = refused(tmp_path, BASE.replace("label: Cổng Dịch vụ công quốc gia", f'label: "{label}"').replace("url: https://dichvucong.gov.vn/", f"url: {url}"))
    assert len(problems) == 1 and "thu-nghiem.md:12: trường 'links[1].label'" in problems[0] and words in problems[0], problems


def test_honest_labels_pass():
    for label, url in [
        ("Cổng Dịch vụ công quốc gia", "https://dichvucong.gov.vn/"),
        ("dichvucong.gov.vn", "https://dichvucong.gov.vn/p/home"),
        ("www.dichvucong.gov.vn", "https://thutuc.dichvucong.gov.vn/"),
        ("TP.HCM, v.v.", "https://tphcm.gov.vn/"),
    ]:
        assert markup.label_problem(label, url) is None, label


@pytest.mark.parametrize(
    "field, value, line",
    [
        ("url", '"https://dichvuc\\u200dong.gov.vn/"', 13),
        ("url", "https://dichvucоng.gov.vn/", 13),
        ("url", "https://xn--dichvucong-ys6e.gov.vn/", 13),
    ],
)
def test_look_alike_front_matter_links_are_refused(tmp_path, field, value, line):
    problems = refused(tmp_path, BASE.replace("    url: https://dichvucong.gov.vn/", f"    url: {value}"))
    assert len(problems) == 1 and f"thu-nghiem.md:{line}: trường 'links[1].url'" in problems[0], problems
    problems = refused(tmp_path, BASE.replace("  - https://dichvucong.gov.vn/\nreviewed", f"  - {value}\nreviewed"))
    assert len(problems) == 1 and "thu-nghiem.md:15: trường 'sources[1]'" in problems[0], problems


def test_an_autolink_prints_exactly_its_target():
    body, problems = markup.parse_body("Xem <https://dichvucong.gov.vn/%C4%91%C4%83ng-k%C3%BD>.\n", "x.md", 1)
    assert problems == []
    link = body.intro.blocks[0].content.children[1]
    assert link.url == "https://dichvucong.gov.vn/%C4%91%C4%83ng-k%C3%BD"
    assert markup.to_text(link) == "https://dichvucong.gov.vn/đăng-ký"
    assert str(markup.to_html(link)) == '<a href="https://dichvucong.gov.vn/%C4%91%C4%83ng-k%C3%BD">https://dichvucong.gov.vn/đăng-ký</a>'


# -- case 2: long words --------------------------------------------------------------


def test_a_step_made_of_one_long_word_is_refused_at_once(tmp_path):
    word = "Ab" * 1000
    started = time.process_time()
    problems = refused(tmp_path, BASE.replace("Nhập mã xác thực gửi về điện thoại.", f"Nhập {word} rồi bấm gửi."))
    assert time.process_time() - started < 1
    assert problems == [
        "thu-nghiem.md:25: mục 'Các bước': có một từ dài 2000 ký tự liền nhau (tối đa 40), bắt đầu bằng 'AbAbAbAbAbAbAbAbAbAb'"
        " (thêm dấu cách; một địa chỉ web chỉ được ngắt dòng ở dấu '/' và '-')"
    ] or problems[0].endswith(problems[0].split("guides/")[-1]) and "guides/thu-nghiem.md:25: mục 'Các bước': có một từ dài 2000" in problems[0], problems


def test_long_words_are_refused_in_the_front_matter_but_addresses_break_at_slashes(tmp_path):
    problems = refused(tmp_path, BASE.replace("summary: Hướng dẫn mẫu", "summary: " + "x" * 41 + " Hướng dẫn mẫu"))
    assert len(problems) == 1 and "thu-nghiem.md:5: trường 'summary': có một từ dài 41 ký tự" in problems[0], problems
    long_url = "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001612"
    guide = load(tmp_path, BASE.replace("Không đưa mã xác thực cho bất kỳ ai.", f"Xem <{long_url}>.")).guides[0]
    assert long_url in guide.tips[0].text


# -- case 7: linear regexes in the radio text -------------------------------------------


@pytest.mark.parametrize("unit", ["a-", "a.", "*1", "1-2-", "+84", "a@a."])
def test_speaking_240_kb_of_a_repeated_pattern_is_fast(unit):
    """Linear: four times the text costs about four times the time (a
    backtracking regex would cost sixteen times or more), and 240 KB stays
    within seconds. CPU time, so the test does not depend on the load."""

    def cost(size: int) -> float:
        text = unit * (size // len(unit))
        started = time.process_time()
        Speaker().speak(text)
        return time.process_time() - started

    small, large = cost(60_000), cost(240_000)
    assert large < 6 * small + 0.3, (small, large)
    assert large < 5


def test_linear_patterns_still_read_addresses_and_codes():
    sp = Speaker()
    assert "a còng" in sp.speak("Gửi thư tới -to.cns@xa.gov.vn.")
    assert sp.speak("Bấm *123# rồi gọi.").startswith("Bấm sao một hai ba thăng")
    assert "sao" not in sp.speak("Ghi chú *1*2 cho rõ.")


# -- cases 9 and 10: nesting and parser cost -----------------------------------------------


def test_deep_nesting_is_refused_not_dropped(tmp_path):
    nested = "".join("  " * i + f"- mức {i + 1}\n" for i in range(10))
    problems = refused(tmp_path, BASE.replace("Lời giới thiệu của hướng dẫn mẫu.\n", "Lời giới thiệu.\n\n" + nested))
    assert len(problems) == 1 and "thu-nghiem.md:26: danh sách lồng nhau quá sâu (tối đa 5 cấp)" in problems[0], problems
    # five levels are fine, and every later section is kept
    nested = "".join("  " * i + f"- mức {i + 1}\n" for i in range(5))
    guide = load(tmp_path, BASE.replace("Lời giới thiệu của hướng dẫn mẫu.\n", "Lời giới thiệu.\n\n" + nested)).guides[0]
    assert [t.text for t in guide.tips] == ["Không đưa mã xác thực cho bất kỳ ai."]
    assert len(guide.steps) == 4


@pytest.mark.parametrize("unit", ["![", "[", "*a", "- a\n", "> - ", "[a](", "`a"])
def test_parsing_256_kb_of_anything_takes_under_a_second(unit):
    body = unit * (256 * 1024 // len(unit.encode()))
    started = time.process_time()
    tree, problems = markup.parse_body(body, "x.md", 1)
    assert time.process_time() - started < 1
    assert problems, "such a body is refused, with a reason"


def test_a_guide_too_dense_to_parse_gets_one_clear_error(tmp_path):
    started = time.process_time()
    problems = refused(tmp_path, BASE.replace("Lời giới thiệu của hướng dẫn mẫu.", "![" * 120_000))
    assert time.process_time() - started < 1
    assert len(problems) == 1 and "thu-nghiem.md:19: bài có quá nhiều ký tự định dạng (1200" in problems[0] and "tối đa 5000" in problems[0], problems
