"""A national run's bookkeeping (issue 27, Deliver 5), in process and on
synthetic files: commune ZIPs and the country's ``index.csv`` are streamed
to disk, never held whole in memory; the run ends with a summary in
Vietnamese."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import textwrap
import zipfile

from camnang.printables import bundles
from camnang.printables.outdir import OutDir

COMMUNE = 100
"""Teams of the commune whose ZIP is measured."""
FILE_BYTES = 300_000
"""Each of a team's two synthetic files (random: PDFs do not compress)."""


def commune_folder(root, teams: int = COMMUNE, size: int = FILE_BYTES) -> list[tuple[str, str]]:
    """Each team's two files; ``bundles.build_zip``'s (name in the ZIP,
    file of the output folder) pairs."""
    members = []
    for i in range(teams):
        folder = root / f"to-{i:03d}"
        folder.mkdir(parents=True)
        for name in ("to-roi-a.pdf", "tron-bo.pdf"):
            (folder / name).write_bytes(os.urandom(size))
            members.append((f"to-{i:03d}/{name}",) * 2)
    return members


MEASURE = textwrap.dedent(
    """
    import json, resource, sys
    from camnang.printables import bundles
    from camnang.printables.outdir import OutDir

    out = OutDir(sys.argv[1])
    members = json.loads(sys.argv[2])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    size, digest = bundles.build_zip(out, "theo-xa/tinh/xa.zip", b"ma_to\\r\\n", members)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps([before, after, size, digest]))
    """
)


def test_commune_zip_of_100_teams_is_streamed_not_held_in_memory(tmp_path):
    import json

    members = commune_folder(tmp_path)
    run = subprocess.run(
        [sys.executable, "-c", MEASURE, str(tmp_path), json.dumps(members)], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    before, after, size, digest = json.loads(run.stdout)
    zip_path = tmp_path / "theo-xa" / "tinh" / "xa.zip"
    assert size == zip_path.stat().st_size > COMMUNE * 2 * FILE_BYTES
    assert digest == hashlib.sha256(zip_path.read_bytes()).hexdigest()
    growth_mb = (after - before) / 1024
    print(f"ZIP of {COMMUNE} teams: {size / 1e6:.0f} MB on disk, peak RSS grew {growth_mb:.1f} MB")
    # Held whole, the ZIP alone would add its 60 MB (twice, with getvalue()).
    assert growth_mb < 12, f"peak RSS grew {growth_mb:.1f} MB for a {size / 1e6:.0f} MB ZIP"
    with zipfile.ZipFile(zip_path) as z:
        assert z.testzip() is None
        assert len(z.namelist()) == 1 + 2 * COMMUNE
        assert z.read("to-042/tron-bo.pdf") == (tmp_path / "to-042" / "tron-bo.pdf").read_bytes()
    assert not list(zip_path.parent.glob(".*.tmp"))


def test_streamed_zip_has_the_bytes_of_the_zip_made_in_memory_and_is_left_alone_when_unchanged(tmp_path):
    members = commune_folder(tmp_path, teams=3, size=5000)
    out = OutDir(tmp_path)
    size, digest = bundles.build_zip(out, "theo-xa/t/x.zip", b"index", members)
    # What build_zip wrote before it streamed (the ZIPs of earlier runs).
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(bundles._info("index.csv", zipfile.ZIP_DEFLATED), b"index")
        for name, _ in members:
            z.writestr(bundles._info(name, zipfile.ZIP_STORED), (tmp_path / name).read_bytes())
    path = tmp_path / "theo-xa" / "t" / "x.zip"
    assert path.read_bytes() == buffer.getvalue()
    assert (size, digest) == (len(buffer.getvalue()), hashlib.sha256(buffer.getvalue()).hexdigest())
    stamp = path.stat().st_mtime_ns
    os.utime(path, ns=(stamp - 10**9, stamp - 10**9))
    assert bundles.build_zip(out, "theo-xa/t/x.zip", b"index", members) == (size, digest)
    assert path.stat().st_mtime_ns == stamp - 10**9, "an unchanged ZIP was written again"


def results(count: int):
    from camnang.printables.manifest import OutFile
    from camnang.printables.teampacks import TeamResult

    return [
        TeamResult(f"to-{i:04d}", f"=Tổ thôn Thử {i}" if i == 1 else f"Tổ thôn Thử {i}",
                   (OutFile("to-roi-a.pdf", 2, 1000, "x"), OutFile("tron-bo.pdf", 1, 10, "y")))
        for i in range(count)
    ]


def test_commune_zip_stores_what_every_team_has_the_same_once(tmp_path):
    """The guides' Zalo cards are the same file for every team: a
    commune's ZIP holds them once, in ``_chung/``, where its index.csv
    points each team; a team's own files stay in its folder."""
    from camnang.printables.manifest import OutFile
    from camnang.printables.teampacks import TeamResult, index_csv

    card = os.urandom(FILE_BYTES)
    teams = []
    for i in range(22):  # a commune's average
        folder = tmp_path / f"to-{i:02d}"
        folder.mkdir()
        own = os.urandom(FILE_BYTES // 3)
        (folder / "to-roi-a.pdf").write_bytes(own)
        (folder / "the-zalo-a.png").write_bytes(card)
        teams.append(TeamResult(folder.name, f"Tổ {i}", (
            OutFile("to-roi-a.pdf", 2, len(own), hashlib.sha256(own).hexdigest()),
            OutFile("the-zalo-a.png", 1, len(card), hashlib.sha256(card).hexdigest()),
        )))
    shared = bundles.shared_files(teams)
    assert shared == {"the-zalo-a.png"}
    assert bundles.shared_files(teams[:1]) == set()  # a commune of one team: as it is
    index = index_csv(teams, None, shared)
    size, _ = bundles.build_zip(OutDir(tmp_path), "theo-xa/t/x.zip", index, bundles.members(teams, shared))
    with zipfile.ZipFile(tmp_path / "theo-xa" / "t" / "x.zip") as z:
        names = z.namelist()
        assert names[:2] == ["index.csv", "_chung/the-zalo-a.png"]
        assert names[2:] == [f"to-{i:02d}/to-roi-a.pdf" for i in range(22)]
        assert z.read("_chung/the-zalo-a.png") == card
        rows = z.read("index.csv").decode("utf-8-sig").splitlines()[1:]
        assert rows[:2] == ["to-00,Tổ 0,to-00/to-roi-a.pdf,2,", "to-00,Tổ 0,_chung/the-zalo-a.png,1,"]
    # 22 copies of the card would be 6.6 MB more.
    assert size < 22 * FILE_BYTES // 3 + 2 * FILE_BYTES
    # A team whose card differs: nothing is shared, every team keeps its own.
    (tmp_path / "to-05" / "the-zalo-a.png").write_bytes(b"other")
    teams[5] = TeamResult("to-05", "Tổ 5", (teams[5].files[0], OutFile("the-zalo-a.png", 1, 5, "other")))
    assert bundles.shared_files(teams) == set()


def test_country_index_is_streamed_with_the_bytes_of_index_csv(tmp_path):
    from camnang.printables.teampacks import INDEX, index_csv, write_index

    teams = results(2000)
    editions = {"to-roi-a.pdf": "2026-11-01"}
    out = OutDir(tmp_path)
    assert write_index(out, teams, editions) is True
    data = (tmp_path / INDEX).read_bytes()
    assert data == index_csv(teams, editions)
    assert data.startswith("\ufeffma_to,".encode()) and data.count(b"\r\n") == 1 + 2 * len(teams)
    assert "'=Tổ thôn Thử 1".encode() in data  # spreadsheet formulas defused, as before
    assert write_index(out, teams, editions) is False  # unchanged: left alone
    assert not list(tmp_path.glob(".*.tmp"))
    # Through fsspec (as to s3://): the same bytes, left alone when unchanged.
    url = OutDir(f"file://{tmp_path}/url")
    assert write_index(url, teams, editions) is True and write_index(url, teams, editions) is False
    assert (tmp_path / "url" / INDEX).read_bytes() == data


def test_run_ends_with_a_summary_in_vietnamese():
    from camnang.errors import Problem
    from camnang.printables.teampacks import PackResult, TeamResult

    built = results(3)
    reused = [TeamResult("to-9000", "Tổ cũ", built[0].files, unchanged=True)]
    failed = [TeamResult("to-bad", "Tổ lỗi", problems=(Problem(path="to.csv", message="quá dài"),))]
    result = PackResult(teams=[*built, *reused, *failed], seconds=83.2, rows={"to-bad": 7, "to-0000": 2})
    assert result.report() == (
        "Tổng kết: làm mới 3 tổ, dùng lại 1 tổ, lỗi 1 tổ (dòng 7 (to-bad)); 0,0 MB; 1 phút 23 giây."
    )
    many = PackResult(teams=[TeamResult(f"to-{i}", "x", problems=(Problem(path="t", message="m"),)) for i in range(25)],
                      rows={f"to-{i}": i + 2 for i in range(25)}, seconds=4.5)
    assert many.report().endswith("dòng 21 (to-19), …); 0,0 MB; 4,5 giây.")
