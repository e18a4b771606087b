"""Pages are written without indentation (camnang.compact), and nothing a
reader sees changes."""

from __future__ import annotations

import re

from camnang.compact import compact


def test_indentation_and_blank_lines_go():
    html = "<ul>\n    <li>a</li>\n\n    <li>b  c</li>  \n</ul>\n"
    assert compact(html) == "<ul>\n<li>a</li>\n<li>b  c</li>\n</ul>\n"


def test_preformatted_script_and_style_stay_exactly():
    kept = [
        "<pre><code>x\n    y\n\n  z</code></pre>",
        "<PRE class='a'>\n  1\n</PRE >",
        "<textarea>\n  typed\n</textarea>",
        "<script>\n  var t = `\n    x`;\n</script>",
        "<style>\n  a { color: red }\n</style>",
    ]
    html = "\n    ".join(["<div>", *kept, "</div>"])
    out = compact(html)
    for block in kept:
        assert block in out


def test_bundled_pages_are_compact_and_keep_their_text(bundled_site):
    page = (bundled_site / "huong-dan").glob("*/index.html").__next__()
    html = page.read_text(encoding="utf-8")
    outside = re.sub(r"<(pre|textarea|script|style)\b.*?</\1\s*>", "", html, flags=re.S | re.I)
    assert not re.search(r"\n[ \t]", outside)
    assert compact(html) == html
