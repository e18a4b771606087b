"""Team rosters: the spreadsheet of a province's teams, read and checked.

A roster is a ``.csv`` (UTF-8 with or without BOM, comma or semicolon, as
Excel writes it; an old Windows-1258 file is detected and converted) or an
``.xlsx`` (the first visible sheet; hidden sheets before it are named in a
warning). Roster text is untrusted: it is only ever placed in autoescaped
templates, ids are restricted to ``[a-z0-9-]+`` and may not be a name
Windows reserves (``con``, ``nul``, ``com1``...) because they become folder
names, and every problem names the row and the column.

Reading is bounded, so a crafted file is refused in a moment: at most
``MAX_ROWS`` rows, ``MAX_COLUMNS`` columns and ``MAX_CELL`` characters a
cell. An .xlsx is inspected before openpyxl opens it (``_xlsx_guard``, well
under a second): its zip parts must unpack to at most ``MAX_XLSX_UNPACKED``
bytes, its sheets declare, number and hold at most ``MAX_ROWS`` rows and
``MAX_CELLS`` cells, and its shared strings are no more than its cells
use; then it is streamed (openpyxl ``read_only``), its declared dimension
not trusted. A formula cell
whose result the file does not store is reported with its cell, not read
as empty. CSV written for spreadsheets goes through ``spreadsheet_safe``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .errors import CamnangError, Problem, display_path
from .text import UNSAFE_CHARS, char_codes, fold, remove_unsafe, unsafe_warning

REQUIRED = ("ma_to", "ten_to", "cap", "xa", "tinh")
OPTIONAL = ("to_truong", "dien_thoai", "zalo", "dia_diem")
LEVELS = {"xa": "xã", "thon": "thôn"}
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_LEN = {"ma_to": 64, "ten_to": 120, "xa": 60, "tinh": 60, "to_truong": 60, "dia_diem": 160, "zalo": 200}
"""Characters in a cell, checked with the cell named (row and column).
``ma_to`` names a folder (``goi-to/<ma_to>/``, and the cache's
``team-packs/<ma_to>/``): 64 ASCII characters keep a team's file
``<ma_to>/to-roi-<slug>.<key16>.pdf`` (slug at most 80) a short path, and
under Windows' 260-character MAX_PATH once unzipped. ``xa`` and ``tinh``
name the commune ZIP ``theo-xa/<tinh>/<xa>.zip`` (folded to ASCII): 60
characters are more than the longest commune or province name (about
30), and at most 180 UTF-8 bytes, under the 255-byte limit of a file name."""


class RosterError(CamnangError):
    """The roster cannot be used as it is."""


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    level: str
    """"xa" (commune team) or "thon" (village team)."""
    commune: str
    province: str
    leader: str | None = None
    phone: str | None = None
    """Display form, e.g. "0912 345 678"."""
    zalo: str | None = None
    help_place: str | None = None
    row: int = 0

    @property
    def level_name(self) -> str:
        return LEVELS[self.level]

    def in_shard(self, k: int, n: int) -> bool:
        """Whether this team belongs to shard k (1-based) of n.

        The hash of the id alone decides, so any machine computes the same
        split with no coordination, whatever order the roster is in.
        """
        return shard_of(self.id, n) == k


WINDOWS_RESERVED = re.compile(r"(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)", re.IGNORECASE)


def windows_reserved(name: str) -> bool:
    """Whether Windows refuses ``name`` as a file or folder name: a
    reserved device name, in any case, with or without an extension
    (``nul``, ``COM1``, ``aux.txt``, ``Con .pdf``)."""
    stem = name.split(".", 1)[0].rstrip(" ")
    return WINDOWS_RESERVED.fullmatch(stem) is not None


FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
"""What a spreadsheet may take for the start of a formula (OWASP, CSV
injection), the full-width forms included (LibreOffice and Excel with an
East Asian input method read ``＝`` as ``=``)."""


def spreadsheet_safe(value: str) -> str:
    """A cell for a CSV meant to be opened in Excel or LibreOffice: text
    that could be read as a formula (``=HYPERLINK(...)``, ``+1+1``,
    ``@SUM(...)``) gets a leading apostrophe, so it shows as text (OWASP
    "CSV Injection"). Only for CSV cells: PDFs print names as written."""
    visible = UNSAFE_CHARS.sub("", value)  # a leading U+FEFF or U+2060 hides nothing
    return "'" + value if value.startswith(FORMULA_START) or visible.startswith(FORMULA_START) else value


def shard_of(team_id: str, n: int) -> int:
    digest = hashlib.sha256(team_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % n + 1


def parse_shard(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise RosterError(
            Problem(path="--shard", message=f"giá trị {text!r} không hợp lệ", hint="viết dạng K/N với 1 ≤ K ≤ N, ví dụ 2/8")
        )
    return int(m.group(1)), int(m.group(2))


# -- phones ---------------------------------------------------------------

def normalise_phone(raw: str) -> str | None:
    """A Vietnamese phone number in display form, or None if unparseable.

    Mobile: 10 digits from 0 (03x, 05x, 07x, 08x, 09x) -> "0912 345 678";
    +84 / 84 prefixes become 0; a 9-digit number (Excel dropped the leading
    zero) gets it back. Landline: 11 digits from 02 -> "0204 3854 123".
    Service numbers 1800/1900 -> "1900 1234" or "1900 123 456".
    """
    text = raw.strip()
    if re.search(r"[^\d\s().+\-]", text):
        return None
    digits = re.sub(r"\D", "", text)
    if text.startswith("+") and not digits.startswith("84"):
        return None
    if digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if len(digits) == 9 and digits[0] in "35789":
        digits = "0" + digits
    if len(digits) == 10 and digits[:2] in ("03", "05", "07", "08", "09"):
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    if len(digits) == 11 and digits.startswith("02"):
        return f"{digits[:4]} {digits[4:8]} {digits[8:]}"
    if digits[:4] in ("1800", "1900") and len(digits) in (8, 10):
        rest = digits[4:]
        return f"{digits[:4]} {rest}" if len(rest) == 4 else f"{digits[:4]} {rest[:3]} {rest[3:]}"
    return None


def check_zalo(url: str) -> bool:
    parts = urlsplit(url)
    return (
        parts.scheme == "https"
        and parts.netloc == "zalo.me"
        and len(parts.path.strip("/")) > 0
        and not re.search(r"\s", url)
    )


# -- reading --------------------------------------------------------------

def _vietnamese_letters() -> frozenset[str]:
    marks = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
    letters = set("đĐ")
    for base in ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"):
        for m in marks:
            c = unicodedata.normalize("NFC", base + m)
            letters |= {c, c.upper()}
    return frozenset(letters)


_VI_LETTERS = _vietnamese_letters()
_OK_SYMBOLS = set("–—‘’“”…°•·«»")


def _plausible_vietnamese(text: str) -> bool:
    return all(ch.isascii() or ch in _VI_LETTERS or ch in _OK_SYMBOLS for ch in text)


def decode_csv(data: bytes, shown: str) -> tuple[str, str | None]:
    """Text of a CSV file, and a warning when it was not UTF-8."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as e:
        bad_line = data[: e.start].count(b"\n") + 1
    try:
        text = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        text = None
    if text is not None and _plausible_vietnamese(text) and any(ch in _VI_LETTERS for ch in text):
        return text, (
            f"{shown}: tệp lưu bằng bảng mã cũ Windows-1258 (tiếng Việt), đã tự chuyển sang Unicode; "
            "nên lưu lại bằng Excel: Tệp > Lưu thành > CSV UTF-8"
        )
    raise RosterError(
        Problem(
            path=shown,
            line=bad_line,
            message="tệp không phải mã UTF-8 và không đọc được bằng bảng mã tiếng Việt Windows-1258",
            hint='trong Excel chọn Tệp > Lưu thành, kiểu tệp "CSV UTF-8 (phân cách bằng dấu phẩy)", rồi chạy lại',
        )
    )


MAX_ROWS = 200_000
"""Rows read from a roster. A national roster is some 74,000 teams (one
per commune and village team; the country has about 10,000 communes and
80,000 villages): 200,000 leaves room for a header, notes and blank rows.
A longer file, a row numbered past it or a sheet declaring more rows
(``<dimension ref>``) is refused before it is read, to be split."""
MAX_CELLS = 2_000_000
"""Cells (``<c>`` elements) in all the sheets of an .xlsx: 74,000 teams of
the 9 roster columns are 666,000 cells, three times that is the limit.
openpyxl costs some 20 µs a cell and 60 µs a shared string: the limit
bounds a read to under a minute whatever the file."""
SHARED_STRINGS_SLACK = 1_000
"""Shared strings an .xlsx may hold beyond its cells: Excel and LibreOffice
keep only the strings cells use, so a file with many more strings than
cells (5 million strings in 208 KB took 219 CPU-s) is crafted."""
MAX_XML_TAG = 65_536
"""Bytes of one XML tag in a sheet (a real tag is under a hundred): a
longer one is refused rather than scanned."""
EXCEL_ROWS = 1_048_576
"""The last row of an Excel sheet: a row numbered past it is refused (the
reader would otherwise fill the gap with empty rows without end)."""
MAX_COLUMNS = 64
"""Columns read; anything to the right is ignored."""
MAX_CELL = 2_000
"""Characters in one cell."""
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_XLSX_UNPACKED = 100 * 1024 * 1024
"""An .xlsx is a zip: the sum of its parts' (enforced) unpacked sizes."""

Rows = list[tuple[int, list[str]]]
"""(row number in the file, 1-based; its cells)."""


def _column_letter(index: int) -> str:
    """0 -> A, 27 -> AB."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _too_many_rows(shown: str, line: int | None = None) -> RosterError:
    if line is not None and line > EXCEL_ROWS:
        return RosterError(
            Problem(
                path=shown,
                message=f"trang tính có dòng đánh số quá {_num(EXCEL_ROWS)}, số dòng tối đa của Excel: tệp hỏng hoặc bị sửa bằng công cụ khác",
                hint="mở tệp bằng Excel hoặc LibreOffice, chép danh sách sang một tệp mới rồi chạy lại",
            )
        )
    return RosterError(
        Problem(
            path=shown,
            line=line,
            message=f"tệp có hơn {MAX_ROWS:,} dòng".replace(",", "."),
            hint="chia danh sách thành nhiều tệp, ví dụ mỗi tỉnh một tệp, rồi chạy từng tệp",
        )
    )


def _check_cell(value: str, number: int, column: int, shown: str) -> None:
    if len(value) > MAX_CELL:
        raise RosterError(
            Problem(
                path=shown,
                line=number,
                field=f"cột {_column_letter(column)}",
                message=f"ô {_column_letter(column)}{number} dài {len(value):,} ký tự, tối đa {MAX_CELL:,}".replace(",", "."),
                hint="rút gọn nội dung ô này",
            )
        )


def _check_size(path: Path, shown: str) -> None:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise RosterError(
            Problem(
                path=shown,
                message=f"tệp nặng {size / 1048576:.0f} MB, quá {MAX_FILE_BYTES // 1048576} MB cho một danh sách tổ",
                hint="chia danh sách thành nhiều tệp, hoặc xóa các trang tính, hình ảnh không cần",
            )
        )


def _csv_rows(path: Path, shown: str) -> tuple[Rows, str | None]:
    _check_size(path, shown)
    text, warning = decode_csv(path.read_bytes(), shown)
    sample = text[:4096]
    first = sample.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: Rows = []
    try:
        for row in reader:
            if len(rows) >= MAX_ROWS:
                raise _too_many_rows(shown, reader.line_num)
            row = row[:MAX_COLUMNS]
            for column, value in enumerate(row):
                _check_cell(value, reader.line_num, column, shown)
            rows.append((reader.line_num, row))
    except csv.Error as e:
        raise RosterError(Problem(path=shown, line=reader.line_num, message=f"tệp CSV hỏng: {e}")) from e
    return rows, warning


def _xlsx_guard(path: Path, shown: str) -> None:
    """Before openpyxl, in well under a second (zipfile streams each part
    and stops at its declared size, so the declaration cannot lie): the
    parts unpack to at most ``MAX_XLSX_UNPACKED`` bytes; the sheets declare
    (``<dimension ref>``) and number (``<row r>``) at most ``MAX_ROWS``
    rows and hold at most ``MAX_CELLS`` cells; the shared strings, as
    declared (``<sst count uniqueCount>``, read with a streaming parse) and
    as counted, are no more than the cells use."""
    import zipfile

    _check_size(path, shown)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            unpacked = sum(info.file_size for info in infos)
            if unpacked > MAX_XLSX_UNPACKED:
                raise RosterError(
                    Problem(
                        path=shown,
                        message=f"tệp Excel giải nén ra {unpacked / 1048576:.0f} MB, quá {MAX_XLSX_UNPACKED // 1048576} MB cho một danh sách tổ",
                        hint="chỉ giữ trang tính danh sách tổ, lưu lại rồi chạy lại",
                    )
                )
            # Parts are known by their root element, not their name: the
            # workbook may place its sheets and strings anywhere.
            roots = {info.filename: _root(archive, info) for info in infos}
            cells = 0
            for info in infos:
                if roots[info.filename] == "worksheet":
                    with archive.open(info) as part:
                        cells += _scan_sheet(part, shown, MAX_CELLS - cells)
            for info in infos:
                if roots[info.filename] == "sst":
                    with archive.open(info) as part:
                        _scan_shared_strings(part, shown, min(MAX_CELLS, cells + SHARED_STRINGS_SLACK))
    except RosterError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as e:
        raise RosterError(
            Problem(path=shown, message=f"không mở được tệp Excel: {e}", hint="mở tệp bằng Excel, lưu lại dạng .xlsx rồi chạy lại")
        ) from e


_XLSX_HINT = "mở tệp bằng Excel hoặc LibreOffice, chép danh sách tổ sang một tệp mới rồi chạy lại"
_ATTRS = rb"""((?:[^>"']|"[^"]*"|'[^']*')*)"""
"""A tag's attributes, quoted values taken whole (a ``>`` or ``r="..."``
inside a value is part of the value). Linear: the three branches start
with different characters."""
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row(?=[\s/>])" + _ATTRS)
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension(?=[\s/>])" + _ATTRS)
_ATTR = re.compile(rb"""([^\s=/>"']+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF_ROW = re.compile(rb"[A-Za-z]{1,3}\$?(\d+)\s*$")


def _attr(attrs: bytes, name: bytes) -> bytes | None:
    """The value of the attribute ``name`` (no prefix, as openpyxl reads
    it) among a tag's ``attrs``, attributes read in order."""
    for match in _ATTR.finditer(attrs):
        if match.group(1) == name:
            return match.group(2) if match.group(2) is not None else match.group(3)
    return None


def _root(archive, info) -> str | None:
    """The local name of the root element of the zip member ``info`` (a
    streaming parse that stops at it), None when it is not XML."""
    import xml.etree.ElementTree as ET

    try:
        with archive.open(info) as part:
            _, element = next(ET.iterparse(part, events=("start",)))
    except Exception:  # noqa: BLE001 -- not XML (a picture...), or damaged: not a sheet
        return None
    return element.tag.rsplit("}", 1)[-1]


def _num(n: int) -> str:
    """200.000, as Vietnamese writes numbers."""
    return f"{n:,}".replace(",", ".")


def _row_number(raw: bytes) -> float:
    """A row number as openpyxl reads it (``1048576``, ``1e6`` and
    ``1048576.0`` too); a value it cannot read is left to it (0)."""
    try:
        value = float(raw.strip()) if len(raw) <= 64 else float("inf")
    except ValueError:
        return 0
    return value if value == value else float("inf")


def _tags(part, shown: str):
    """Pieces of the XML ``part`` (a binary stream) that hold only whole
    tags: each piece ends just before a ``<`` (which XML forbids inside a
    tag or text), the rest waits for the next chunk."""
    tail = b""
    while chunk := part.read(1 << 20):
        buf = tail + chunk
        cut = buf.rfind(b"<")
        if cut <= 0:
            cut = len(buf) if cut < 0 else 0
        yield buf[:cut]
        tail = buf[cut:]
        if len(tail) > MAX_XML_TAG:
            raise RosterError(Problem(path=shown, message="tệp Excel có một thẻ XML dài bất thường: tệp hỏng hoặc bị sửa bằng công cụ khác", hint=_XLSX_HINT))
    yield tail


def _scan_sheet(part, shown: str, cells_left: int) -> int:
    """The cells of one sheet's XML; ``RosterError`` when it declares or
    numbers rows past ``MAX_ROWS``, has more rows than that, or more than
    ``cells_left`` cells."""
    rows = cells = 0
    for piece in _tags(part, shown):
        for match in _DIMENSION.finditer(piece):
            ref = _attr(match.group(1), b"ref") or b""
            last = _REF_ROW.search(ref)
            if last is not None and _row_number(last.group(1)) > MAX_ROWS:
                raise RosterError(
                    Problem(
                        path=shown,
                        message=f"trang tính khai báo vùng dữ liệu {ref[:40].decode('ascii', 'replace')!r}, hơn {_num(MAX_ROWS)} dòng",
                        hint=_XLSX_HINT,
                    )
                )
        for match in _ROW_TAG.finditer(piece):
            rows += 1
            number = _attr(match.group(1), b"r")
            line = _row_number(number) if number is not None else rows
            if rows > MAX_ROWS or line > EXCEL_ROWS:
                raise _too_many_rows(shown, int(min(line, EXCEL_ROWS + 1)))
            if line > MAX_ROWS:
                raise RosterError(
                    Problem(
                        path=shown,
                        line=int(line),
                        message=f"trang tính có dòng đánh số {_num(int(line))}, hơn {_num(MAX_ROWS)} dòng của một danh sách tổ "
                        "(có thể có một ô ở rất xa bên dưới danh sách)",
                        hint="xóa các dòng thừa bên dưới danh sách, hoặc " + _XLSX_HINT,
                    )
                )
        cells += len(_CELL_TAG.findall(piece))
        if cells > cells_left:
            raise RosterError(
                Problem(path=shown, message=f"tệp Excel có hơn {_num(MAX_CELLS)} ô", hint="chỉ giữ trang tính danh sách tổ với các cột cần thiết, lưu lại rồi chạy lại")
            )
    return cells


def _scan_shared_strings(part, shown: str, limit: int) -> None:
    """Refuse a shared-string table declaring (``count``, ``uniqueCount``
    of its root, read by a streaming parse that stops there) or holding
    more than ``limit`` strings."""
    import xml.etree.ElementTree as ET

    def refuse(count: int) -> RosterError:
        return RosterError(
            Problem(
                path=shown,
                message=f"tệp Excel có {_num(count)} chuỗi văn bản dùng chung, nhiều hơn số ô của nó (tối đa {_num(limit)}): tệp hỏng hoặc bị tạo bằng công cụ khác",
                hint=_XLSX_HINT,
            )
        )

    try:
        _, root = next(ET.iterparse(part, events=("start",)))
    except (ET.ParseError, StopIteration) as e:
        raise RosterError(Problem(path=shown, message=f"tệp Excel hỏng (bảng chuỗi dùng chung): {e}", hint=_XLSX_HINT)) from e
    for name in ("uniqueCount", "count"):
        declared = root.get(name)
        if declared is not None and declared.strip().isdigit():
            count = int(declared) if len(declared.strip()) <= 12 else 10**12
            if count > limit:
                raise refuse(count)
    part.seek(0)
    strings = 0
    si = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
    for piece in _tags(part, shown):
        strings += len(si.findall(piece))
        if strings > limit:
            raise refuse(strings)


def _xlsx_sheet(book, shown: str):
    """The first visible sheet; a warning naming hidden sheets before it."""
    sheets = list(book.worksheets)
    visible = [ws for ws in sheets if ws.sheet_state == "visible"]
    if not visible:
        names = ", ".join(f"'{ws.title}'" for ws in sheets)
        raise RosterError(
            Problem(path=shown, message=f"mọi trang tính đều đang ẩn ({names})", hint="trong Excel chọn Bỏ ẩn (Unhide) trang danh sách tổ, lưu lại rồi chạy lại")
        )
    sheet = visible[0]
    skipped = [ws.title for ws in sheets[: sheets.index(sheet)]]
    warning = None
    if skipped:
        warning = (
            f"{shown}: đọc trang tính '{sheet.title}' (trang đầu tiên đang hiện), bỏ qua trang ẩn "
            + ", ".join(f"'{t}'" for t in skipped)
        )
    return sheet, warning


def _xlsx_rows(path: Path, shown: str) -> tuple[Rows, str | None, dict[tuple[int, int], str]]:
    """Rows of the first visible sheet (streamed, bounded: the sheet's
    declared dimension is ignored), a warning, and the cells holding a
    formula whose result the file does not store: {(row, column): formula}."""
    import openpyxl

    _xlsx_guard(path, shown)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a damaged file
        raise RosterError(Problem(path=shown, message=f"không mở được tệp Excel: {e}")) from e
    try:
        sheet, warning = _xlsx_sheet(book, shown)
        rows: Rows = []
        empty: set[tuple[int, int]] = set()
        sheet.reset_dimensions()  # the declared A1:XFD1048576 (or a too small one) is not trusted
        blank = (None,) * MAX_COLUMNS
        for number, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
            if row == blank or not any(v is not None for v in row):
                if number > EXCEL_ROWS:  # rows numbered past Excel's last: a crafted file
                    raise _too_many_rows(shown, number)
                continue
            if len(rows) >= MAX_ROWS or number > EXCEL_ROWS:
                raise _too_many_rows(shown, number)
            cells = []
            for column, value in enumerate(row):
                if value is None:
                    empty.add((number, column))
                    cells.append("")
                    continue
                text = _cell_text(value)
                _check_cell(text, number, column, shown)
                cells.append(text)
            rows.append((number, cells))
        title = sheet.title
    except RosterError:
        raise
    except Exception as e:
        raise RosterError(Problem(path=shown, message=f"không đọc được tệp Excel: {e}")) from e
    finally:
        book.close()
    return rows, warning, _uncached_formulas(path, title, empty) if empty else {}


def _uncached_formulas(path: Path, title: str, empty: set[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """Formulas in cells that read as empty: the file was written by a
    program that does not store formula results (openpyxl, some web
    exports), so the value is unknown, not empty."""
    import openpyxl

    found: dict[tuple[int, int], str] = {}
    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        last = max(r for r, _ in empty)
        sheet = book[title]
        sheet.reset_dimensions()
        for number, row in enumerate(sheet.iter_rows(max_row=last, max_col=MAX_COLUMNS, values_only=True), start=1):
            for column, value in enumerate(row):
                if (number, column) not in empty:
                    continue
                formula = getattr(value, "text", value)  # ArrayFormula has .text
                if isinstance(formula, str) and formula.startswith("="):
                    found[(number, column)] = formula[:80]
    finally:
        book.close()
    return found


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _header_key(name: str) -> str:
    """'Mã tổ', 'ma_to', ' MA TO ' all name the column ma_to."""
    return "_".join(re.findall(r"[a-z0-9]+", fold(name)))


def _clean(value: str) -> tuple[str, list[str]]:
    """A cell's text: NFC, ``text.UNSAFE_CHARS`` removed, white space
    collapsed; and the characters removed."""
    value, found = remove_unsafe(unicodedata.normalize("NFC", value))
    return " ".join(value.split()), found


@dataclass(frozen=True)
class Roster:
    path: Path
    teams: tuple[Team, ...]
    warnings: tuple[str, ...] = ()

    def shard(self, k: int, n: int) -> tuple[Team, ...]:
        return tuple(t for t in self.teams if t.in_shard(k, n))


def load_roster(path: Path | str) -> Roster:
    """Read and check a roster; RosterError lists every problem found."""
    path = Path(path)
    shown = display_path(path)
    if not path.is_file():
        raise RosterError(Problem(path=shown, message="không tìm thấy tệp danh sách tổ"))
    suffix = path.suffix.lower()
    warnings: list[str] = []
    formulas: dict[tuple[int, int], str] = {}
    try:
        if suffix == ".csv":
            rows, warning = _csv_rows(path, shown)
        elif suffix == ".xlsx":
            rows, warning, formulas = _xlsx_rows(path, shown)
        else:
            raise RosterError(Problem(path=shown, message=f"không đọc được tệp '{path.suffix}'", hint="dùng tệp .csv (UTF-8) hoặc .xlsx"))
    except OSError as e:
        raise RosterError(Problem(path=shown, message=f"không đọc được tệp: {e.strerror or e}")) from e
    if warning:
        warnings.append(warning)

    while rows and not any(c.strip() for c in rows[0][1]):
        rows.pop(0)
    if not rows:
        raise RosterError(Problem(path=shown, message="tệp trống, không có dòng tiêu đề"))
    header_line, header_cells = rows[0]
    header = [_header_key(c) for c in header_cells]
    columns: dict[str, int] = {}
    problems: list[Problem] = []
    for i, key in enumerate(header):
        if key in REQUIRED + OPTIONAL:
            if key in columns:
                problems.append(Problem(path=shown, line=header_line, field=key, message="cột bị lặp lại"))
            columns[key] = i
    for key in REQUIRED:
        if key not in columns:
            problems.append(Problem(path=shown, line=header_line, field=key, message="thiếu cột bắt buộc", hint="dòng đầu tiên phải có các cột: " + ", ".join(REQUIRED)))
    if problems:
        raise RosterError(problems)

    teams: list[Team] = []
    seen: dict[str, int] = {}
    for number, row in rows[1:]:
        if not any(c.strip() for c in row) and not any((number, i) in formulas for i in columns.values()):
            continue
        values: dict[str, str] = {}
        hidden: dict[str, list[str]] = {}
        for k, i in columns.items():
            values[k], found = _clean(row[i]) if i < len(row) else ("", [])
            if found:
                hidden[k] = found

        def bad(field: str, message: str, hint: str | None = None) -> None:
            problems.append(Problem(path=shown, line=number, field=field, message=message, hint=hint))

        for key, found in hidden.items():
            if key != "zalo":
                warnings.append(unsafe_warning(f"{shown}:{number}: cột '{key}' (ô {_column_letter(columns[key])}{number})", found))

        ok = True
        for key, i in columns.items():
            if (number, i) in formulas:
                bad(
                    key,
                    f"ô {_column_letter(i)}{number} là công thức {formulas[(number, i)]!r} nhưng tệp không lưu kết quả của nó",
                    "mở tệp bằng Excel hoặc LibreOffice rồi lưu lại (để tệp lưu kết quả), hoặc thay công thức bằng giá trị",
                )
                ok = False
        if not ok:
            continue
        for key in REQUIRED:
            if not values[key]:
                bad(key, "để trống")
                ok = False
        too_long = set()
        for key, limit in MAX_LEN.items():
            if len(values.get(key, "")) > limit:
                bad(key, f"ô {_column_letter(columns[key])}{number} dài {len(values[key])} ký tự, tối đa {limit}")
                too_long.add(key)
                ok = False
        team_id = values["ma_to"]
        if "ma_to" in too_long:
            pass
        elif team_id and windows_reserved(team_id):
            bad(
                "ma_to",
                f"mã tổ {team_id!r} trùng một tên Windows dành riêng (CON, PRN, AUX, NUL, COM1–9, LPT1–9): "
                "không tạo được thư mục tên này trên Windows",
                "thêm chữ vào mã, ví dụ 'to-" + team_id.lower() + "'",
            )
            ok = False
        elif team_id and not ID_RE.match(team_id):
            bad("ma_to", f"mã tổ {team_id!r} không hợp lệ", "chỉ dùng chữ thường không dấu, số và dấu gạch ngang, ví dụ 'thon-dong-quan'")
            ok = False
        elif team_id in seen:
            bad("ma_to", f"mã tổ '{team_id}' trùng với dòng {seen[team_id]}")
            ok = False
        elif team_id:
            seen[team_id] = number
        level = _header_key(values["cap"])
        if values["cap"] and level not in LEVELS:
            bad("cap", f"cấp {values['cap']!r} không hợp lệ", "ghi 'xa' cho tổ cấp xã hoặc 'thon' cho tổ ở thôn")
            ok = False
        phone = None
        if values.get("dien_thoai"):
            phone = normalise_phone(values["dien_thoai"])
            if phone is None:
                bad("dien_thoai", f"số điện thoại {values['dien_thoai']!r} không đúng dạng", "ví dụ 0912 345 678 hoặc +84 912 345 678")
                ok = False
        zalo = values.get("zalo") or None
        if "zalo" in hidden:
            # The QR code must carry exactly what is printed: refuse rather
            # than guess which address was meant.
            bad("zalo", f"đường dẫn Zalo có ký tự ẩn ({char_codes(hidden['zalo'])})", "gõ lại đường dẫn, không chép từ nơi khác")
            ok = False
        elif zalo and not check_zalo(zalo):
            bad("zalo", f"đường dẫn {zalo!r} không phải nhóm Zalo", "chỉ nhận đường dẫn bắt đầu bằng https://zalo.me/")
            ok = False
        if ok:
            teams.append(
                Team(
                    id=team_id,
                    name=values["ten_to"],
                    level=level,
                    commune=values["xa"],
                    province=values["tinh"],
                    leader=values.get("to_truong") or None,
                    phone=phone,
                    zalo=zalo,
                    help_place=values.get("dia_diem") or None,
                    row=number,
                )
            )
    if problems:
        raise RosterError(problems)
    if not teams:
        raise RosterError(Problem(path=shown, message="danh sách không có tổ nào"))
    return Roster(path=path, teams=tuple(teams), warnings=tuple(warnings))
