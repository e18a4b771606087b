"""What the bytes of PDFs are made of (issue 27, disk per team): page
content (and how much of it vector QR codes drawn module by module would
be), font programs, ToUnicode maps, pictures, object streams (structure
tree, widths, dictionaries), XMP metadata, and what lies outside the
streams (stream dictionaries, the trailer), in KB a file.

    .venv/bin/python bench/pdfparts.py OUT/to-00001/to-roi-*.pdf
    .venv/bin/python bench/pdfparts.py OUT/to-00001/tron-bo.pdf

The QR share is measured by writing each content stream again without
the paths of 60 or more straight segments and nothing else (how segno's
SVG is drawn; text, rules and pictograms are kept) and comparing the two,
both compressed with zlib level 6.
"""

from __future__ import annotations

import collections
import sys
import zlib
from pathlib import Path

import pikepdf

BUILD = {"m", "l", "c", "v", "y", "h", "re"}
QR_SEGMENTS = 60
PARTS = (
    "file", "content", "font programs", "ToUnicode", "pictures", "object streams", "XMP", "xref",
    "other streams", "outside streams",
)


def without_qr(stream) -> tuple[bytes, bytes, int]:
    """The content of ``stream`` written again, and without its QR paths."""
    operations = pikepdf.parse_content_stream(stream)
    kept, path, found = [], [], 0
    for operands, operator in operations:
        name = str(operator)
        if name in BUILD:
            path.append((operands, operator))
            continue
        if path:
            if len(path) >= QR_SEGMENTS and {str(o) for _, o in path} <= {"m", "l", "h"}:
                found += 1
            else:
                kept.extend(path)
                kept.append((operands, operator))
            path = []
            continue
        kept.append((operands, operator))
    kept.extend(path)
    return pikepdf.unparse_content_stream(operations), pikepdf.unparse_content_stream(kept), found


def parts(path: Path) -> collections.Counter:
    counts: collections.Counter = collections.Counter()
    with pikepdf.open(path) as pdf:
        contents: set = set()

        def forms(resources) -> None:
            for _, xobject in resources.get("/XObject", pikepdf.Dictionary()).items():
                if xobject.get("/Subtype") == "/Form" and xobject.objgen not in contents:
                    contents.add(xobject.objgen)
                    forms(xobject.get("/Resources", pikepdf.Dictionary()))

        for page in pdf.pages:
            streams = page.obj.Contents
            for stream in [streams] if isinstance(streams, pikepdf.Stream) else list(streams):
                contents.add(stream.objgen)
            forms(page.obj.get("/Resources", pikepdf.Dictionary()))
        maps = {
            o.ToUnicode.objgen for o in pdf.objects
            if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Font" and "/ToUnicode" in o
        }
        in_streams = 0
        for obj in pdf.objects:
            if not isinstance(obj, pikepdf.Stream):
                continue
            d = obj.stream_dict
            size = len(obj.read_raw_bytes())
            in_streams += size
            if obj.objgen in contents:
                counts["content"] += size
                full, kept, found = without_qr(obj)
                counts["qr paths"] += found
                counts["content rewritten"] += len(zlib.compress(full, 6))
                counts["content rewritten without QR"] += len(zlib.compress(kept, 6))
            elif d.get("/Subtype") == "/Image":
                counts["pictures"] += size
                counts["picture count"] += 1
            elif "/Length1" in d or "/Length2" in d or d.get("/Subtype") in ("/CIDFontType0C", "/OpenType", "/Type1C"):
                counts["font programs"] += size
            elif obj.objgen in maps:
                counts["ToUnicode"] += size
            elif d.get("/Type") == "/ObjStm":
                counts["object streams"] += size
            elif d.get("/Type") == "/XRef":
                counts["xref"] += size
            elif d.get("/Type") == "/Metadata":
                counts["XMP"] += size
            else:
                counts["other streams"] += size
    counts["file"] = path.stat().st_size
    counts["outside streams"] = counts["file"] - in_streams
    return counts


def main(argv: list[str]) -> None:
    paths = [Path(a) for a in argv]
    if not paths:
        raise SystemExit(__doc__)
    total: collections.Counter = collections.Counter()
    for path in paths:
        total.update(parts(path))
    n = len(paths)
    print(f"{n} file(s), KB a file: " + ", ".join(f"{k} {total[k] / n / 1e3:.2f}" for k in PARTS))
    qr = total["content rewritten"] - total["content rewritten without QR"]
    share = qr / total["content rewritten"] if total["content rewritten"] else 0
    print(
        f"  QR codes as vector paths: {total['qr paths'] / n:.1f} a file, {qr / n / 1e3:.2f} KB a file "
        f"({share:.0%} of the compressed content, {qr / total['file']:.0%} of the file); "
        f"pictures: {total['picture count'] / n:.1f} a file"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
