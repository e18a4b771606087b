"""One font program for two subsets of the same TrueType font.

WeasyPrint embeds a *subset* of each font in a PDF, keeping every glyph at
its index in the original font (HarfBuzz's retain-GIDs subsetting: the
text's character codes are the original glyph indices). A stamped team
file draws text from two such subsets of the same face: the shared
layout's and the team strip's. ``merge`` makes one font program holding
the glyphs of both, at the same indices, so both PDF font dictionaries
(each keeps its own widths and ``ToUnicode``) can point to it, and the
face is embedded once per file instead of twice.

Only plain ``glyf`` TrueType is merged, and only when the two are subsets
of the same font: every glyph present in both must be byte for byte the
same, and the tables that describe the face must match. Anything else
returns ``None`` (the caller keeps both programs: a bigger file, never a
wrong one).

Why raw tables and not fontTools (issue 21 asked for it; fontTools is
installed): a team pack merges a few subsets per guide per team, so this
runs tens of thousands of times in a national run. Measured on two real
WeasyPrint subsets (9.7 and 10.1 KB, 2 shared cores, noisy): this module
merges a pair, parsing both, in 2.5 to 9.5 ms; fontTools alone takes 9 to
55 ms to decompile the ``glyf`` of *one* subset and save it, before any
merging. A hybrid (fontTools for the table directory, head, hhea, maxp,
loca and hmtx, raw bytes for glyphs) was tried: 14 times slower and it
changed the rasterised page (``tests/test_stamp.py``), so it was dropped.
"""

from __future__ import annotations

import struct
from functools import lru_cache
from itertools import accumulate

SAME = (b"OS/2", b"cmap", b"gasp", b"name", b"post", b"GDEF", b"hhea", b"head", b"maxp")
"""Tables the merged font takes from the first subset (``cmap`` and
``GDEF`` only cover its glyphs: a PDF draws by glyph index, and shapes
nothing)."""
KNOWN = {b"glyf", b"loca", b"hmtx", *SAME}


class _Font:
    def __init__(self, data: bytes):
        version, count = struct.unpack_from(">IH", data, 0)
        if version not in (0x00010000, 0x74727565):
            raise ValueError("not TrueType")
        self.tables: dict[bytes, bytes] = {}
        for i in range(count):
            tag, _, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
            if offset + length > len(data):
                raise ValueError("table out of bounds")
            self.tables[tag] = data[offset:offset + length]
        if not {b"glyf", b"loca", b"hmtx", b"head", b"hhea", b"maxp"} <= self.tables.keys():
            raise ValueError("not a glyf font")
        if not self.tables.keys() <= KNOWN:
            raise ValueError("unexpected tables")
        head, hhea, maxp = self.tables[b"head"], self.tables[b"hhea"], self.tables[b"maxp"]
        self.glyphs = struct.unpack_from(">H", maxp, 4)[0]
        long_loca = struct.unpack_from(">h", head, 50)[0] == 1
        loca = self.tables[b"loca"]
        if long_loca:
            offsets = struct.unpack_from(f">{self.glyphs + 1}I", loca, 0)
        else:
            offsets = [2 * o for o in struct.unpack_from(f">{self.glyphs + 1}H", loca, 0)]
        self.offsets = offsets
        metrics = struct.unpack_from(">H", hhea, 34)[0]
        hmtx = self.tables[b"hmtx"]
        pairs = list(struct.iter_unpack(">Hh", hmtx[:4 * metrics]))
        last = pairs[-1][0] if pairs else 0
        lsbs = struct.unpack_from(f">{self.glyphs - metrics}h", hmtx, 4 * metrics)
        self.metrics = pairs + [(last, lsb) for lsb in lsbs]
        glyf = self.tables[b"glyf"]
        self.data = [glyf[offsets[g]:offsets[g + 1]] for g in range(self.glyphs)]
        self.components = {g: _components(d) for g, d in enumerate(self.data) if d[:2] == b"\xff\xff"}
        parts = {index for found in self.components.values() for _, index in found}
        self.roots = {g for g, d in enumerate(self.data) if d and g not in parts}
        """Glyphs that are no other glyph's component: asked for."""
        self.looks = _Looks(self)

    def glyph(self, gid: int) -> bytes:
        return self.data[gid] if gid < self.glyphs else b""


@lru_cache(maxsize=256)
def _parse(data: bytes) -> _Font:
    """A parsed subset, kept: a worker merges the same shared-layout
    subsets with every team's, and a team's strip subset into every
    guide's file."""
    return _Font(data)


def _identity(font: _Font) -> tuple:
    """What names the face and its version, not the glyph set: head's
    version, revision, units per em and dates; OS/2's weight, width,
    embedding rights, PANOSE, vendor and style bits (subsetting rewrites
    the character ranges and the average width)."""
    head, os2 = font.tables[b"head"], font.tables.get(b"OS/2", b"")
    return head[0:8], head[18:36], os2[0:2], os2[4:10], os2[32:42], os2[58:64]


def _checksum(data: bytes) -> int:
    data += b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(data) // 4}I", data)) & 0xFFFFFFFF


def _components(glyph: bytes) -> list[tuple[int, int]]:
    """(offset of the index, glyph index) of each component of a
    composite glyph; empty for a simple one."""
    if len(glyph) < 10 or struct.unpack_from(">h", glyph, 0)[0] >= 0:
        return []
    found = []
    pos = 10
    while True:
        flags, index = struct.unpack_from(">HH", glyph, pos)
        found.append((pos + 2, index))
        pos += 4 + (4 if flags & 0x1 else 2)
        pos += 2 if flags & 0x8 else 4 if flags & 0x40 else 8 if flags & 0x80 else 0
        if not flags & 0x20:
            return found


class _Looks:
    """What each glyph of a font draws, independent of the indices its
    components happen to have in this subset (compared across subsets)."""

    def __init__(self, font: _Font):
        self.font = font
        self.memo: dict[int, tuple] = {}

    def __call__(self, gid: int, depth: int = 0) -> tuple:
        if gid in self.memo:
            return self.memo[gid]
        if depth > 8:
            raise ValueError("components nested too deep")
        glyph = bytearray(self.font.glyph(gid))
        parts = []
        for offset, index in self.font.components.get(gid, ()):
            struct.pack_into(">H", glyph, offset, 0)
            parts.append(self(index, depth + 1))
        look = (bytes(glyph), self.font.metrics[gid][1] if glyph else 0, tuple(parts))
        self.memo[gid] = look
        return look


def merge(first: bytes, first_used: set[int], second: bytes, second_used: set[int]) -> bytes | None:
    """A font program with the glyphs of both subsets, or ``None`` when
    they are not subsets of the same TrueType font, or when the glyphs
    their text draws (``*_used``: the character codes of the PDF font,
    which are glyph indices) cannot all keep their indices.

    Every glyph drawn keeps its index (as does any glyph that is no other
    glyph's component: it was asked for); the components they are built
    of (accents, which each subset numbers after its own last glyph) are
    shared where the two subsets have the same one, and numbered after
    the last glyph drawn."""
    try:
        fonts = (_parse(first), _parse(second))
        a, b = fonts
        for tag in (b"name", b"gasp", b"post"):
            if a.tables.get(tag) != b.tables.get(tag):
                return None
        if _identity(a) != _identity(b):
            return None
        looks = (a.looks, b.looks)
        fixed: list[set[int]] = []
        for font, used in zip(fonts, (first_used, second_used)):
            if any(g >= font.glyphs for g in used):
                return None
            fixed.append(font.roots | used)
        end = max(max(f, default=-1) for f in fixed) + 1
        glyphs = [b""] * end
        metrics = [(0, 0)] * end
        owner: dict[int, tuple] = {}
        """Merged index -> the look of the glyph placed there."""
        known: dict[tuple, int] = {}
        placed: list[dict[int, int]] = [{}, {}]

        def put(which: int, gid: int, at: int | None) -> int:
            """The merged index of glyph ``gid`` of font ``which``: ``at``
            (its own index), or where the same glyph already is, or a new
            index at the end."""
            font, look = fonts[which], looks[which](gid)
            if gid in placed[which] and at is None:
                return placed[which][gid]
            if at is not None and at in owner:
                if owner[at] != look:
                    raise ValueError("two glyphs at one index")
                placed[which][gid] = at
                return at
            if at is None and look in known:
                placed[which][gid] = known[look]
                return known[look]
            glyph = font.glyph(gid)
            if gid in font.components:
                glyph = bytearray(glyph)
                for offset, index in font.components[gid]:
                    struct.pack_into(">H", glyph, offset, put(which, index, None))
            if at is None:
                at = len(glyphs)
                glyphs.append(b"")
                metrics.append((0, 0))
            glyphs[at] = bytes(glyph)
            metrics[at] = font.metrics[gid]
            owner[at] = look
            known.setdefault(look, at)
            placed[which][gid] = at
            return at

        for which, font in enumerate(fonts):
            for gid in sorted(fixed[which]):
                if font.glyph(gid):
                    put(which, gid, gid)
                elif not metrics[gid][0]:
                    metrics[gid] = font.metrics[gid]  # a space: its advance
    except (ValueError, struct.error, IndexError):
        return None
    count = len(glyphs)
    if count > 0xFFFF:
        return None
    padded = [g + b"\0" * (-len(g) % 4) for g in glyphs]
    glyf = b"".join(padded)
    offsets = [0, *accumulate(len(g) for g in padded)]
    tables = dict(a.tables)
    tables[b"glyf"] = bytes(glyf)
    tables[b"loca"] = struct.pack(f">{count + 1}I", *offsets)
    tables[b"hmtx"] = struct.pack(">" + "Hh" * count, *(v for pair in metrics for v in pair))
    # maxp: the glyph count, and each maximum of the two.
    maxp_a, maxp_b = a.tables[b"maxp"], b.tables[b"maxp"]
    fields = (min(len(maxp_a), len(maxp_b)) - 6) // 2
    maxima = [max(x, y) for x, y in zip(struct.unpack_from(f">{fields}H", maxp_a, 6), struct.unpack_from(f">{fields}H", maxp_b, 6))]
    tables[b"maxp"] = maxp_a[:4] + struct.pack(">H", count) + struct.pack(f">{fields}H", *maxima) + maxp_a[6 + 2 * fields:]
    hhea = bytearray(a.tables[b"hhea"])
    struct.pack_into(">H", hhea, 10, max(advance for advance, _ in metrics))
    struct.pack_into(">H", hhea, 34, count)
    tables[b"hhea"] = bytes(hhea)
    head = bytearray(a.tables[b"head"])
    box_a = struct.unpack_from(">4h", a.tables[b"head"], 36)
    box_b = struct.unpack_from(">4h", b.tables[b"head"], 36)
    struct.pack_into(">4h", head, 36, min(box_a[0], box_b[0]), min(box_a[1], box_b[1]), max(box_a[2], box_b[2]), max(box_a[3], box_b[3]))
    struct.pack_into(">h", head, 50, 1)  # long loca offsets
    struct.pack_into(">I", head, 8, 0)
    tables[b"head"] = bytes(head)
    data = _assemble(tables)
    # checkSumAdjustment (OpenType, head): 0xB1B0AFBA minus the font's sum.
    head_offset = _table_offset(data, b"head")
    adjustment = (0xB1B0AFBA - _checksum(data)) & 0xFFFFFFFF
    return data[:head_offset + 8] + struct.pack(">I", adjustment) + data[head_offset + 12:]


def _assemble(tables: dict[bytes, bytes]) -> bytes:
    tags = sorted(tables)
    count = len(tags)
    power = 1 << (count.bit_length() - 1)
    header = struct.pack(">IHHHH", 0x00010000, count, power * 16, power.bit_length() - 1, count * 16 - power * 16)
    offset = 12 + 16 * count
    directory = b""
    body = b""
    for tag in tags:
        data = tables[tag]
        directory += struct.pack(">4sIII", tag, _checksum(data), offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    return header + directory + body


def _table_offset(data: bytes, wanted: bytes) -> int:
    count = struct.unpack_from(">H", data, 4)[0]
    for i in range(count):
        tag, _, offset, _ = struct.unpack_from(">4sIII", data, 12 + 16 * i)
        if tag == wanted:
            return offset
    raise ValueError(wanted)
