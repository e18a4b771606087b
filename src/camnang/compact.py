"""Page HTML without its indentation.

Material's templates indent every line; on a guide page most of the bytes
of the navigation are spaces (at 1,000 guides: 122 KB -> 78 KB for the page).
Residents pay for data by the megabyte, and the offline store holds every
page, so each page is written without the spaces that start or end a line
and without blank lines. Rendering is unchanged: outside ``<pre>``,
``<textarea>``, ``<script>`` and ``<style>`` (left exactly as they are), a run
of white space between words shows as one space whatever it contains, and
a line break is kept wherever there was one.
"""

from __future__ import annotations

import re

_KEEP = re.compile(r"<(pre|textarea|script|style)\b.*?</\1\s*>", re.S | re.I)
_AROUND_BREAK = re.compile(r"[ \t]*\n[ \t\n]*")


def _squeeze(text: str) -> str:
    return _AROUND_BREAK.sub("\n", text)


def compact(html: str) -> str:
    out = []
    last = 0
    for m in _KEEP.finditer(html):
        out.append(_squeeze(html[last : m.start()]))
        out.append(m.group(0))
        last = m.end()
    out.append(_squeeze(html[last:]))
    return "".join(out)
