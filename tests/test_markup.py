"""The parser (camnang.markup): the one place where guide Markdown meets the
model. Each construct of the format policy (README, "Writing a guide") has
a case here: what is kept becomes the right node, what is refused gives a
Problem naming the file, the line and the section."""

from __future__ import annotations

import pytest

from camnang import markup
from camnang.markup import (
    Blocks,
    BulletList,
    Code,
    CodeBlock,
    Emphasis,
    Heading,
    Link,
    OrderedList,
    Paragraph,
    Run,
    Strong,
    Text,
    items_of,
    parse_body,
    parse_inline,
    steps_of,
    to_html,
    to_text,
)

FIRST = 20  # the body starts on this line of the file


def parse(body: str, images=frozenset({"hinh.png"})):
    return parse_body(body, "guides/x.md", FIRST, images)


def steps(body_steps: str, images=frozenset({"hinh.png"})):
    body, problems = parse("## Các bước\n\n" + body_steps, images)
    found = steps_of(body.sections[0], "guides/x.md", problems) if body.sections else []
    return found, problems


def messages(problems) -> list[str]:
    return [str(p) for p in problems]


# -- kept constructs ------------------------------------------------------------


def test_inline_nodes():
    run = parse_inline("Bấm **Đăng *ký***, gõ `*123#` rồi vào [Cổng](https://dichvucong.gov.vn/).")
    assert run.children == (
        Text("Bấm "),
        Strong((Text("Đăng "), Emphasis((Text("ký"),)))),
        Text(", gõ "),
        Code("*123#"),
        Text(" rồi vào "),
        Link((Text("Cổng"),), "https://dichvucong.gov.vn/"),
        Text("."),
    )
    assert run.text == "Bấm Đăng ký, gõ *123# rồi vào Cổng."
    assert str(to_html(run)) == (
        'Bấm <strong>Đăng <em>ký</em></strong>, gõ <code>*123#</code> rồi vào '
        '<a href="https://dichvucong.gov.vn/">Cổng</a>.'
    )


def test_autolink_is_a_link_labelled_with_its_address():
    run = parse_inline("Vào <https://vneid.gov.vn/>.")
    assert run.children[1] == Link((Text("https://vneid.gov.vn/"),), "https://vneid.gov.vn/")
    assert "&lt;" not in str(to_html(run)) and "<https" not in run.text


def test_text_is_escaped_by_construction():
    run = parse_inline(r"Chữ \<img src=x onerror=alert(1)> và &lt;b&gt; và `<script>`")
    html = str(to_html(run))
    assert "<img" not in html and "<script" not in html and "<b>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert run.text == "Chữ <img src=x onerror=alert(1)> và <b> và <script>"
    # Quotes cannot leave an attribute either.
    link = parse_inline('[x](https://a.vn/"onmouseover="alert(1))', strict=False)
    assert 'onmouseover="' not in str(to_html(link))


def test_blocks_of_the_introduction():
    body, problems = parse(
        "Đoạn một\ncòn tiếp.\n\n### Nhỏ\n\n- a\n  - b\n\n2. hai\n3. ba\n\n```\n*123#\n```\n\n## Các bước\n\n1. a\n2. b\n3. c\n"
    )
    assert not problems
    kinds = [type(b) for b in body.intro]
    assert kinds == [Paragraph, Heading, BulletList, OrderedList, CodeBlock]
    assert body.intro.blocks[0].line == FIRST
    assert body.intro.blocks[3].start == 2
    assert body.intro.blocks[4].text == "*123#\n"
    html = str(to_html(body.intro))
    assert "<h3>Nhỏ</h3>" in html and '<ol start="2">' in html and "<pre><code>*123#\n</code></pre>" in html
    assert to_text(body.intro).startswith("Đoạn một còn tiếp.")


def test_sections_and_lines():
    body, problems = parse("Giới thiệu.\n\n## Các bước\n\n1. a\n2. b\n3. c\n\n## Lưu ý:\n\n- x\n\nđoạn\n")
    assert not problems
    assert [s.heading.text for s in body.sections] == ["Các bước", "Lưu ý:"]
    assert [s.line for s in body.sections] == [FIRST + 2, FIRST + 8]
    assert markup.section_key(body.sections[1].heading.text) == markup.section_key("Lưu ý")
    tips = items_of(body.sections[1], "guides/x.md", problems)
    assert [t.text for t in tips] == ["x", "đoạn"]


def test_steps_with_image_and_short_form():
    found, problems = steps(
        "1. Mở ứng dụng **VNeID**, chờ.\n   Ngắn: Mở **VNeID**.\n   ![Màn hình chính](anh/hinh.png)\n2. Hai\n3. Ba\n"
    )
    assert not problems, messages(problems)
    first = found[0]
    assert first.content == parse_inline("Mở ứng dụng **VNeID**, chờ.")
    assert first.short == parse_inline("Mở **VNeID**.")
    assert [(i.src, i.alt) for i in first.images] == [("anh/hinh.png", "Màn hình chính")]
    assert first.line == FIRST + 2
    assert found[1].short is None and found[1].images == ()


def test_image_in_its_own_paragraph_of_a_step():
    found, problems = steps("1. Mở.\n\n   ![Hình](anh/hinh.png)\n2. Hai\n3. Ba\n")
    assert not problems, messages(problems)
    assert found[0].text == "Mở." and len(found[0].images) == 1


def test_run_slicing_keeps_formatting():
    run = parse_inline("Bấm **Đăng ký ngay** rồi [xem](https://a.vn/).")
    assert run.slice(0, 8) == Run((Text("Bấm "), Strong((Text("Đăng"),))))
    assert run.without([(3, 16)]).text == "Bấm rồi xem."
    assert (run.slice(0, 3) + "…").text == "Bấm…"


def test_jinja_prints_nodes_as_html_and_strings_escaped():
    from jinja2 import Environment

    env = Environment(autoescape=True)
    run = parse_inline("**<b>**", strict=False)
    out = env.from_string("{{ run }}|{{ text }}").render(run=run, text="<b>")
    assert out == "<strong></strong>|&lt;b&gt;"  # raw HTML left out (refused when strict)


# -- refused constructs ---------------------------------------------------------


@pytest.mark.parametrize(
    "body, line, fragment",
    [
        ("Xem [x](javascript:alert(1)).\n", FIRST, "đường dẫn không được phép: 'javascript:alert(1)'"),
        ("Xem [x](data:text/html,abc).\n", FIRST, "đường dẫn không được phép: 'data:text/html,abc'"),
        ("Xem [x](http://a.vn/).\n", FIRST, "đường dẫn không được phép"),
        ("Xem [x](mailto:a@b.vn).\n", FIRST, "đường dẫn không được phép"),
        ("Xem [x](/trang).\n", FIRST, "đường dẫn không được phép"),
        ("Xem <http://a.vn/>.\n", FIRST, "đường dẫn không được phép"),
        ("\n<div onclick=x>\nA\n</div>\n", FIRST + 1, "không dùng mã HTML"),
        ("A <b>đậm</b>.\n", FIRST, "không dùng mã HTML trong hướng dẫn: '<b>'"),
        ("A <!-- ghi chú -->.\n", FIRST, "không dùng mã HTML"),
        ("# Lớn\n", FIRST, "không dùng tiêu đề cấp 1"),
        ("> trích\n", FIRST, "khối trích dẫn"),
        ("A\n\n***\n", FIRST + 2, "đường kẻ ngang"),
        ("- ## tiêu đề trong danh sách\n", FIRST, "không đặt tiêu đề bên trong danh sách"),
    ],
)
def test_refused_in_the_introduction(body, line, fragment):
    _, problems = parse(body + "\n## Các bước\n\n1. a\n2. b\n3. c\n")
    assert problems, body
    assert problems[0].line == line and problems[0].path == "guides/x.md"
    assert fragment in problems[0].message, messages(problems)


@pytest.mark.parametrize(
    "image, fragment",
    [
        ("![x](http://127.0.0.1/a.png)", "ảnh không được phép: 'http://127.0.0.1/a.png'"),
        ("![x](https://a.vn/a.png)", "ảnh không được phép"),
        ("![x](file:///etc/passwd)", "ảnh không được phép: 'file:///etc/passwd'"),
        ("![x](data:image/png;base64,AAAA)", "ảnh không được phép"),
        ("![x](anh/../../etc/passwd.png)", "ảnh không được phép"),
        ("![x](anh/so-do.svg)", "ảnh không được phép"),
        ("![x](hinh.png)", "ảnh không được phép"),
        ("![](anh/hinh.png)", "ảnh 'anh/hinh.png' thiếu mô tả"),
        ("![x](anh/khong-co.png)", "không tìm thấy tệp ảnh 'anh/khong-co.png'"),
    ],
)
def test_refused_images(image, fragment):
    found, problems = steps(f"1. Mở.\n   {image}\n2. Hai\n3. Ba\n")
    assert [p.line for p in problems] == [FIRST + 3]  # the image's own line
    assert "mục 'Các bước'" in problems[0].message
    assert fragment in problems[0].message, messages(problems)


def test_image_outside_a_step_is_refused():
    body, problems = parse("Xem ![Hình](anh/hinh.png).\n\n## Các bước\n\n1. a\n2. b\n3. c\n")
    markup.free_blocks(body.intro, "guides/x.md", None, problems)
    assert ["chỉ được đặt trong một bước" in p.message for p in problems] == [True]


@pytest.mark.parametrize(
    "step_body, fragment",
    [
        ("1. Mở:\n   - A\n   - B\n", "một bước chỉ là một đoạn văn, không chứa danh sách"),
        ("1. Gõ:\n\n   ```\n   *123#\n   ```\n", "không chứa danh sách, tiêu đề hay khối mã"),
        ("1. Mở.\n\n   Đoạn thứ hai.\n", "một bước chỉ là một đoạn văn"),
        ("1. Mở.\n   > trích\n", "khối trích dẫn"),
        ("1. Mở.\n   Ngắn:\n", "dòng 'Ngắn:' để trống"),
    ],
)
def test_block_content_inside_a_step_is_refused(step_body, fragment):
    _, problems = steps(step_body + "2. Hai\n3. Ba\n")
    assert problems and all(p.path == "guides/x.md" and p.line >= FIRST + 2 for p in problems)
    assert any(fragment in p.message for p in problems), messages(problems)


def test_text_beside_the_steps_list_is_refused():
    _, problems = steps("Trước danh sách.\n\n1. a\n2. b\n3. c\n")
    assert problems[0].line == FIRST + 2 and "không thuộc bước nào" in problems[0].message


def test_nested_list_in_a_tip_is_refused():
    body, problems = parse("## Lưu ý\n\n- Ý một\n  - ý con\n- Ý hai\n")
    tips = items_of(body.sections[0], "guides/x.md", problems)
    assert [t.text for t in tips] == ["Ý hai"]
    assert problems[0].line == FIRST + 2 and "mỗi ý chỉ là một đoạn văn" in problems[0].message


def test_deep_nesting_does_not_recurse_without_bound():
    # markdown-it's maxNesting stops runaway nesting; the parse stays quick.
    body, _ = parse("> " * 5000 + "x\n\n" + "[" * 20000 + "\n\n" + "*" * 20000 + "\n")
    assert isinstance(body.intro, Blocks)


def test_everything_else_is_literal_text():
    run = parse_inline("| a | b |  ~~gạch~~ [^1] :smile: {: .x }")
    assert run.children == (Text("| a | b |  ~~gạch~~ [^1] :smile: {: .x }"),)


def test_strict_inline_raises():
    with pytest.raises(ValueError, match="đường dẫn không được phép"):
        parse_inline("[x](javascript:1)")


@pytest.mark.parametrize(
    "text, found, dial",
    [
        ("Gọi 0987 654 321 để hỏi.", "0987 654 321", "0987654321"),
        ("Số máy bàn 024 3823 4567.", "024 3823 4567", "02438234567"),
        ("Tổng đài 1900 1234, miễn phí 18001091.", "1900 1234", "19001234"),
        ("Khi nguy hiểm, gọi 113 ngay.", "113", "113"),
        ("Số +84 987 654 321 của tổ.", "+84 987 654 321", "+84987654321"),
    ],
)
def test_phone_numbers_become_call_links_on_the_site_only(text, found, dial):
    run = parse_inline(text)
    site = str(to_html(run, tel=True))
    assert f'<a class="camnang-tel" href="tel:{dial}">{found}</a>' in site
    assert "tel:" not in str(to_html(run))  # paper: printed as written
    assert to_text(run) == text


@pytest.mark.parametrize("text", ["Năm 2026 có 100.000 đồng.", "Mã 0123456789012345.", "Lệ phí 1.900.000 đồng.", "Ngày 15/12/2025.", "Gọi `0987 654 321`."])
def test_numbers_that_are_not_phones_stay_text(text):
    assert "tel:" not in str(to_html(parse_inline(text), tel=True))
