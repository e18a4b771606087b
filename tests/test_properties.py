"""Property-based tests (Hypothesis) over the three readers of untrusted
text: the guide body parser, the front-matter reader and the roster reader.

Whatever the input, each gives a result or a clean error (``Problem``,
``FrontMatterError``, ``RosterError``) within a time bound; the HTML
rendered from a guide carries no ``<`` but the tags the renderer writes,
and no text that comes out holds an invisible or bidirectional character.
The examples are random but reproducible (``derandomize``), and bounded so
that the whole file runs in a few seconds.
"""

from __future__ import annotations

import re
import time

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from camnang import markup
from camnang.roster import RosterError, check_zalo, load_roster
from camnang.source import FrontMatterError, load_front_matter
from camnang.spoken import Speaker
from camnang.text import UNSAFE_CHARS, remove_unsafe

BOUNDED = settings(
    max_examples=150,
    deadline=1000,  # ms per example
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

HOSTILE_CHARS = (
    "\x00\x01\x1b\x7f\x85\u00ad\u061c\u200b\u200d\u200e\u2028\u202e\u2060\u2066\u2069\ufeff\ufffe"
)
MARKDOWN_BITS = [
    "[", "]", "(", ")", "![", "](", "<", ">", "*", "**", "_", "`", "```", "\\", "&", "&#x202E;", "&lt;",
    "#", "## ", "- ", "1. ", "> ", "    ", "\n", "\n\n", " ", "  \n", ":", "/", "{", "}", "=", '"', "'",
    "https://", "javascript:", "dichvucong.gov.vn", "anh/quet-ma-qr.png", "<script>", "<img src=x onerror=alert(1)>",
    "{: onclick=alert(1) }", "Ngắn:", "Đăng ký", "xn--", "%E2%80%AE", "a" * 45,
]
markdown_text = st.lists(
    st.one_of(st.sampled_from(MARKDOWN_BITS), st.text(alphabet=HOSTILE_CHARS, min_size=1, max_size=2), st.text(max_size=5)),
    max_size=60,
).map("".join)

# The tags ``markup.to_html`` writes; after removing them no '<' may remain.
_OWN_TAGS = re.compile(
    r'</?(?:p|strong|em|code|br|pre|ul|li|h[3-6])>|<ol(?: start="-?\d+")?>|</ol>|<a href="[^"<>]*">|</a>|<img src="[^"<>]*" alt="[^"<>]*">'
)


def _html_of(body: markup.Body) -> str:
    parts = [markup.to_html(body.intro)]
    for section in body.sections:
        parts += [markup.to_html(section.heading), markup.to_html(section.blocks)]
    return "".join(parts)


@BOUNDED
@given(markdown_text)
def test_any_body_gives_a_tree_or_problems_and_safe_html(text):
    started = time.process_time()
    body, problems = markup.parse_body(text, "x.md", 1, frozenset({"quet-ma-qr.png"}))
    assert all(p.path == "x.md" and p.line is not None and p.line >= 1 for p in problems)
    html = _html_of(body)
    assert "<" not in _OWN_TAGS.sub("", html), html
    assert UNSAFE_CHARS.search(html) is None, ascii(html)
    for href in re.findall(r'href="([^"]*)"', html):
        assert href.startswith("https://") and "xn--" not in href.lower()
    assert time.process_time() - started < 1


front_matter_text = st.lists(
    st.one_of(
        st.sampled_from(
            ["title: ", "links:\n", "  - ", "label: ", "url: ", '"', "'", "\\u202E", "\\x01", "\\0", "\\e", "\\uFEFF",
             "&a ", "*a", "!!python/object:os.system ", "[", "]", "{", "}", ": ", "\n", "  ", "- ", "? ", "|", ">", "#", "---\n"]
        ),
        st.text(alphabet=HOSTILE_CHARS, min_size=1, max_size=2),
        st.text(max_size=6),
    ),
    max_size=40,
).map("".join)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


@BOUNDED
@given(front_matter_text)
def test_any_front_matter_gives_a_value_or_a_clean_error(text):
    text = remove_unsafe(text, re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]"))[0]  # as read_source does
    try:
        value, lines = load_front_matter(text)
    except FrontMatterError as e:
        assert e.message and (e.line is None or e.line >= 2)
        return
    for s in _strings(value):
        assert UNSAFE_CHARS.search(s) is None, ascii(s)
    assert all(line >= 2 for line in lines.values())


@BOUNDED
@given(st.dictionaries(st.sampled_from(["title", "summary", "service"]), st.text(max_size=30), max_size=3))
def test_yaml_escapes_never_smuggle_unsafe_characters(fields):
    """Any text, written by a YAML emitter (which escapes what it must:
    ``"\\x01"``, ``"\\u202E"``...), reads back as itself minus the unsafe
    characters, and a removal is always reported."""
    reported = []
    value, _ = load_front_matter(yaml.safe_dump(fields, allow_unicode=True), on_unsafe=lambda *a: reported.append(a))
    value = value or {}
    for key, text in fields.items():
        expected, removed = remove_unsafe(text)
        assert value[key] == expected
        assert bool(removed) == any(path == key for _, path, _ in reported)


roster_cell = st.one_of(
    st.sampled_from(["to-a", "Tổ A", "thon", "xa", "0912345678", "https://zalo.me/g/abc", "=1+1", "＝1", "", '"', ",", ";", "\n"]),
    st.text(alphabet=HOSTILE_CHARS + "ab-=,;\"'\n", max_size=6),
    st.text(max_size=8),
)


@settings(BOUNDED, max_examples=60)
@given(st.lists(st.lists(roster_cell, min_size=1, max_size=9), min_size=1, max_size=6))
def test_any_roster_gives_teams_or_a_clean_error(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("roster")
    lines = ["ma_to,ten_to,cap,xa,tinh,to_truong,dien_thoai,zalo,dia_diem"]
    for row in rows:
        lines.append(",".join('"' + c.replace('"', '""') + '"' for c in row))
    path = folder / "to.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        roster = load_roster(path)
    except RosterError as e:
        assert e.problems and all(p.path.endswith("to.csv") for p in e.problems)
        return
    for team in roster.teams:
        for text in (team.id, team.name, team.commune, team.province, team.leader, team.phone, team.zalo, team.help_place):
            assert text is None or UNSAFE_CHARS.search(text) is None, ascii(text)
        assert team.zalo is None or check_zalo(team.zalo)


@settings(BOUNDED, max_examples=60)
@given(st.lists(st.sampled_from(["a", "-", ".", "@", "1", "*", "#", " ", ",", "/", "+84", "0", "h", ":", "~", "AB", "gov.vn", "www."]), max_size=400).map("".join))
def test_speaking_any_text_is_fast(text):
    started = time.process_time()
    Speaker().speak(text * 20)
    assert time.process_time() - started < 1
