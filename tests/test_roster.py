"""Reading team rosters as Excel and people really write them."""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from camnang.roster import RosterError, load_roster, normalise_phone, parse_shard

ROOT = Path(__file__).resolve().parent.parent
HEADER = "ma_to,ten_to,cap,xa,tinh,to_truong,dien_thoai,zalo,dia_diem"
ROW = "thon-dong-quan,Tổ công nghệ số cộng đồng thôn Đồng Quan,thon,Hương Lạc,Bắc Ninh,Nguyễn Thị Hòa,0912345678,https://zalo.me/g/abc123,Nhà văn hoá thôn"


def write(tmp_path: Path, text: str, name: str = "to.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def to_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: precomposed base letters, tones as combining marks."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        tones = [m for m in marks if m in "\u0300\u0301\u0303\u0309\u0323"]
        others = "".join(m for m in marks if m not in tones)
        out += unicodedata.normalize("NFC", base + others).encode("cp1258")
        out += "".join(tones).encode("cp1258")
    return bytes(out)


def errors_of(path: Path) -> str:
    with pytest.raises(RosterError) as e:
        load_roster(path)
    return str(e.value)


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("0912345678", "0912 345 678"),
        ("0912.345.678", "0912 345 678"),
        ("+84 912 345 678", "0912 345 678"),
        ("84912345678", "0912 345 678"),
        ("912345678", "0912 345 678"),  # Excel dropped the leading zero
        ("(0204) 3854 123", "0204 3854 123"),
        ("1900 1234", "1900 1234"),
        ("1800-123-456", "1800 123 456"),
    ],
)
def test_phone_display(raw, shown):
    assert normalise_phone(raw) == shown


@pytest.mark.parametrize("raw", ["12345", "0112345678", "09123456789", "gọi tổ trưởng", "+1 202 555 0100", "0912 345 67a"])
def test_unparseable_phone(raw):
    assert normalise_phone(raw) is None


def test_example_roster_loads():
    roster = load_roster(ROOT / "teams" / "vi-du.csv")
    assert roster.teams[0].id == "xa-huong-lac" and roster.teams[0].level == "xa"
    assert all("ví dụ" in t.name for t in roster.teams)
    assert len(roster.teams) >= 3


def test_bom_semicolon_and_any_column_order(tmp_path):
    cols = HEADER.split(",")
    values = ROW.split(",")
    order = list(reversed(range(len(cols))))
    text = ";".join(cols[i] for i in order) + ";ghi_chu\n" + ";".join(values[i] for i in order) + ";bỏ qua\n"
    roster = load_roster(write(tmp_path, text, encoding="utf-8-sig"))
    team = roster.teams[0]
    assert (team.id, team.name, team.phone, team.zalo) == (
        "thon-dong-quan",
        "Tổ công nghệ số cộng đồng thôn Đồng Quan",
        "0912 345 678",
        "https://zalo.me/g/abc123",
    )


def test_vietnamese_headers_accepted(tmp_path):
    header = "Mã tổ,Tên tổ,Cấp,Xã,Tỉnh,Tổ trưởng,Điện thoại,Zalo,Địa điểm"
    team = load_roster(write(tmp_path, header + "\n" + ROW + "\n")).teams[0]
    assert team.leader == "Nguyễn Thị Hòa" and team.help_place == "Nhà văn hoá thôn"


def test_hostile_text_kept_literally(tmp_path):
    row = ROW.replace("Tổ công nghệ số cộng đồng thôn Đồng Quan", '"<b>x</b>""; DROP TABLE to;--"')
    team = load_roster(write(tmp_path, HEADER + "\n" + row + "\n")).teams[0]
    assert team.name == '<b>x</b>"; DROP TABLE to;--'


@pytest.mark.parametrize("bad_id", ["../etc", "thon/a", "thon dong", "Thon-A", ""])
def test_bad_team_id_rejected(tmp_path, bad_id):
    message = errors_of(write(tmp_path, HEADER + "\n" + ROW.replace("thon-dong-quan", bad_id, 1) + "\n"))
    assert "to.csv:2:" in message and "'ma_to'" in message


def test_duplicate_ids(tmp_path):
    message = errors_of(write(tmp_path, HEADER + "\n" + ROW + "\n" + ROW + "\n"))
    assert "to.csv:3:" in message and "'ma_to'" in message and "dòng 2" in message


def test_missing_required_column(tmp_path):
    header = HEADER.replace("tinh,", "")
    row = ROW.replace("Bắc Ninh,", "")
    message = errors_of(write(tmp_path, header + "\n" + row + "\n"))
    assert "to.csv:1:" in message and "'tinh'" in message and "thiếu cột" in message


@pytest.mark.parametrize(
    "link",
    ["http://zalo.me/g/abc", "https://zalo.me.evil.vn/g/abc", "https://example.com/zalo.me/g", "https://zalo.me/", "javascript:alert(1)"],
)
def test_non_zalo_links_rejected(tmp_path, link):
    message = errors_of(write(tmp_path, HEADER + "\n" + ROW.replace("https://zalo.me/g/abc123", link) + "\n"))
    assert "to.csv:2:" in message and "'zalo'" in message


def test_unparseable_phone_names_row_and_column(tmp_path):
    rows = HEADER + "\n" + ROW + "\n" + ROW.replace("thon-dong-quan", "thon-b").replace("0912345678", "12 34") + "\n"
    message = errors_of(write(tmp_path, rows))
    assert "to.csv:3:" in message and "'dien_thoai'" in message


def test_every_problem_reported(tmp_path):
    rows = HEADER + "\n" + ROW.replace("thon,", "huyen,") + "\n" + ROW.replace("thon-dong-quan", "b").replace("Hương Lạc", "") + "\n"
    message = errors_of(write(tmp_path, rows))
    assert "to.csv:2:" in message and "'cap'" in message and "to.csv:3:" in message and "'xa'" in message


def test_cp1258_file_is_decoded_correctly(tmp_path):
    text = HEADER + "\n" + ROW + "\n"
    path = tmp_path / "to.csv"
    path.write_bytes(to_cp1258(text))
    roster = load_roster(path)
    assert roster.teams[0].name == "Tổ công nghệ số cộng đồng thôn Đồng Quan"
    assert roster.teams[0].leader == "Nguyễn Thị Hòa"
    assert roster.warnings and "CSV UTF-8" in roster.warnings[0]


def test_other_legacy_encoding_refused_not_garbled(tmp_path):
    path = tmp_path / "to.csv"
    # UTF-16 and a legacy font encoding that is not cp1258 must not be guessed.
    path.write_bytes((HEADER + "\n" + ROW + "\n").encode("utf-16"))
    message = errors_of(path)
    assert "CSV UTF-8" in message
    path.write_bytes(HEADER.encode() + b"\n" + ROW.encode("utf-8")[:20] + bytes(range(0x80, 0xA0)) + b",thon,x,y\n")
    assert "CSV UTF-8" in errors_of(path)


def test_xlsx_gives_same_teams_as_csv(tmp_path):
    import openpyxl

    csv_path = write(tmp_path, HEADER + "\n" + ROW + "\n" + ROW.replace("thon-dong-quan", "xa-a").replace(",thon,", ",xa,") + "\n")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    for line in csv_path.read_text(encoding="utf-8").splitlines()[1:]:
        cells = line.split(",")
        cells[6] = int(cells[6])  # Excel stores the phone as a number and drops the 0
        sheet.append(cells)
    xlsx_path = tmp_path / "to.xlsx"
    book.save(xlsx_path)
    a = [t.__dict__ for t in load_roster(csv_path).teams]
    b = [t.__dict__ for t in load_roster(xlsx_path).teams]
    assert a == b


def test_shards_cover_every_team_exactly_once(tmp_path):
    rows = [HEADER] + [ROW.replace("thon-dong-quan", f"thon-{i}") for i in range(200)]
    roster = load_roster(write(tmp_path, "\n".join(rows) + "\n"))
    for n in (1, 3, 7):
        shards = [roster.shard(k, n) for k in range(1, n + 1)]
        ids = [t.id for s in shards for t in s]
        assert sorted(ids) == sorted(t.id for t in roster.teams)
        if n > 1:
            assert all(shards), "every shard gets some teams out of 200"


@pytest.mark.parametrize("bad", ["0/3", "4/3", "a/b", "3", ""])
def test_bad_shard_spec(bad):
    with pytest.raises(RosterError):
        parse_shard(bad)


# -- spreadsheet safety (issue 10) -------------------------------------------------

def xlsx(tmp_path: Path, rows: list[list], name: str = "to.xlsx", hidden_first: list[list] | None = None) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    if hidden_first is not None:
        sheet.title = "Cũ"
        for row in hidden_first:
            sheet.append(row)
        sheet.sheet_state = "hidden"
        sheet = book.create_sheet("Danh sách")
        book.active = 1
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def patch_sheet(path: Path, edit) -> None:
    """Rewrite the first worksheet's XML of an .xlsx (a crafted file)."""
    import zipfile

    parts = {}
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            parts[info.filename] = z.read(info)
    name = "xl/worksheets/sheet1.xml"
    parts[name] = edit(parts[name].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for filename, data in parts.items():
            z.writestr(filename, data)


def load_bounded(path: Path) -> subprocess.CompletedProcess:
    """load_roster in a child process limited to 1 GiB of memory and 60 s."""
    code = (
        "import resource, sys, time\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        "from camnang.roster import load_roster, RosterError\n"
        "t = time.perf_counter()\n"
        "try:\n"
        "    r = load_roster(sys.argv[1]); print('teams', len(r.teams))\n"
        "except RosterError as e:\n"
        "    print('refused', e)\n"
        "print('seconds', round(time.perf_counter() - t, 2))\n"
    )
    return subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60)


def test_declared_dimension_of_a_whole_sheet_is_refused_quickly(tmp_path):
    """A 5 KB .xlsx declaring A1:XFD1048576 used to grow past 8 GB; since
    issue 20 it is refused before openpyxl reads it."""
    path = xlsx(tmp_path, [HEADER.split(","), ROW.split(",")])
    patch_sheet(path, lambda xml: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1048576"', xml))
    assert 'ref="A1:XFD1048576"' in zipfile_text(path)
    result = load_bounded(path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "refused" in result.stdout and "'A1:XFD1048576', hơn 200.000 dòng" in result.stdout
    assert float(result.stdout.split("seconds")[1]) < 1


def test_row_numbered_past_excel_is_refused_quickly(tmp_path):
    path = xlsx(tmp_path, [HEADER.split(","), ROW.split(",")])
    far = '<row r="99999999"><c r="XFD99999999" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    patch_sheet(path, lambda xml: xml.replace("</sheetData>", far))
    result = load_bounded(path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "refused" in result.stdout and "số dòng tối đa của Excel" in result.stdout
    assert float(result.stdout.split("seconds")[1]) < 20


def test_wide_rows_read_only_the_first_columns(tmp_path):
    path = xlsx(tmp_path, [HEADER.split(","), ROW.split(",")])
    wide = "".join(f'<c r="{col}2" t="inlineStr"><is><t>x</t></is></c>' for col in ("ZZ", "XFD"))
    patch_sheet(path, lambda xml: re.sub(r"(<row r=\"2\"[^>]*>.*?)</row>", lambda m: m.group(1) + wide + "</row>", xml, flags=re.S))
    result = load_bounded(path)
    assert "teams 1" in result.stdout, result.stdout + result.stderr[-2000:]


def test_too_many_rows_refused(tmp_path, monkeypatch):
    from camnang import roster

    monkeypatch.setattr(roster, "MAX_ROWS", 3)
    rows = [HEADER] + [ROW.replace("thon-dong-quan", f"thon-{i}") for i in range(5)]
    message = errors_of(write(tmp_path, "\n".join(rows) + "\n"))
    assert "hơn 3 dòng" in message and "chia danh sách" in message
    xrows = [r.split(",") for r in rows]
    assert "hơn 3 dòng" in errors_of(xlsx(tmp_path, xrows))


def test_huge_cell_refused_with_its_address(tmp_path):
    row = ROW.split(",")
    row[8] = "x" * 5000
    message = errors_of(xlsx(tmp_path, [HEADER.split(","), row]))
    assert "ô I2 dài 5.000 ký tự" in message and "to.xlsx:2" in message


def test_zip_that_unpacks_too_big_refused(tmp_path, monkeypatch):
    from camnang import roster

    monkeypatch.setattr(roster, "MAX_XLSX_UNPACKED", 1000)
    message = errors_of(xlsx(tmp_path, [HEADER.split(","), ROW.split(",")]))
    assert "giải nén ra" in message


def test_hidden_first_sheet_is_skipped_and_named(tmp_path):
    old = ROW.replace("thon-dong-quan", "to-cu").split(",")
    path = xlsx(tmp_path, [HEADER.split(","), ROW.split(",")], hidden_first=[HEADER.split(","), old])
    roster = load_roster(path)
    assert [t.id for t in roster.teams] == ["thon-dong-quan"]
    assert any("bỏ qua trang ẩn 'Cũ'" in w and "'Danh sách'" in w for w in roster.warnings), roster.warnings


def test_all_sheets_hidden_refused(tmp_path):
    path = xlsx(tmp_path, [HEADER.split(","), ROW.split(",")])
    patch_workbook = path.with_suffix(".tmp")
    import zipfile

    with zipfile.ZipFile(path) as z, zipfile.ZipFile(patch_workbook, "w") as out:
        for info in z.infolist():
            data = z.read(info)
            if info.filename == "xl/workbook.xml":
                data = data.replace(b'state="visible" r:id', b'state="hidden" r:id')
            out.writestr(info, data)
    patch_workbook.replace(path)
    message = errors_of(path)
    assert "mọi trang tính đều đang ẩn" in message and "'Sheet'" in message


def test_formula_without_saved_result_is_named(tmp_path):
    """openpyxl (like some web exports) saves formulas without their result."""
    row = ROW.split(",")
    row[1] = '=CONCATENATE("Tổ ", E2)'
    message = errors_of(xlsx(tmp_path, [HEADER.split(","), row]))
    assert "to.xlsx:2: trường 'ten_to': ô B2 là công thức" in message
    assert "không lưu kết quả" in message


def test_formula_with_saved_result_is_read(tmp_path):
    path = xlsx(tmp_path, [HEADER.split(","), ROW.split(",")])
    # What Excel writes: the formula and its cached value.
    patch_sheet(
        path,
        lambda xml: re.sub(
            r'<c r="B2"[^>]*>.*?</c>',
            '<c r="B2" t="str"><f>CONCATENATE("Tổ ","Đông")</f><v>Tổ Đông</v></c>',
            xml,
            flags=re.S,
        ),
    )
    assert load_roster(path).teams[0].name == "Tổ Đông"


@pytest.mark.parametrize("team_id", ["con", "prn", "aux", "nul", "com1", "com9", "lpt1", "lpt9", "CON", "Nul", "com0"])
def test_windows_reserved_ids_refused(tmp_path, team_id):
    message = errors_of(write(tmp_path, HEADER + "\n" + ROW.replace("thon-dong-quan", team_id) + "\n"))
    assert "to.csv:2: trường 'ma_to'" in message
    assert "Windows" in message or "không hợp lệ" in message
    if team_id.islower():
        assert "Windows" in message


def test_windows_reserved_names():
    from camnang.roster import windows_reserved

    for name in ("con", "CON", "nul.txt", "Aux.tar.gz", "com1", "LPT9.pdf", "con .pdf", "com¹"):
        assert windows_reserved(name), name
    for name in ("console", "com10", "con-1", "to-con", "lpt", "nul-thon", "auxiliary"):
        assert not windows_reserved(name), name


def test_spreadsheet_safe_cells():
    from camnang.roster import spreadsheet_safe

    for cell in ('=HYPERLINK("http://x","bấm")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"):
        assert spreadsheet_safe(cell) == "'" + cell
    for cell in ("Tổ công nghệ số", "to-mot/to-roi-x.pdf", "2", "a=b"):
        assert spreadsheet_safe(cell) == cell


def zipfile_text(path: Path) -> str:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return z.read("xl/worksheets/sheet1.xml").decode("utf-8")


def test_rows_past_a_too_small_declared_dimension_are_read(tmp_path):
    rows = [HEADER.split(",")] + [ROW.replace("thon-dong-quan", f"thon-{i}").split(",") for i in range(4)]
    path = xlsx(tmp_path, rows)
    patch_sheet(path, lambda xml: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:I2"', xml))
    assert len(load_roster(path).teams) == 4
