"""One ZIP per commune (``--zip``): what a district sends each commune over
Zalo or email.

``DIR/theo-xa/<tinh>/<xa>.zip`` holds the folder of every team of that
commune (``<ma_to>/to-roi-....pdf`` ...) and the commune's own
``index.csv``; folder and file names are the province's and commune's
names without diacritics (``theo-xa/bac-ninh/huong-lac.zip``), which every
phone and every unzip tool handles.

ZIPs are deterministic: entries in a fixed order, dated 1980-01-01, the
same permissions, so the same packs give the same bytes on every machine.
A file that every team of the commune has with the same bytes (the
guides' Zalo cards, ``the-zalo-<slug>.png``: 2.65 MB of a team's 4.55
at 24 guides) is stored once, in ``_chung/`` ("shared"; team ids never
start with ``_``), and the commune's ``index.csv`` lists it for each team
at that path: a commune of 22 teams takes 44.6 MB instead of 100.

PDFs are stored as they are (their streams are already compressed;
deflating them again costs CPU for a few per cent), ``index.csv`` is
deflated. Each ZIP is a task of the same worker pool, reading the teams'
files from the output folder, so a national run builds its 3,300 ZIPs on
the cluster, not on the client.
"""

from __future__ import annotations

import re
import zipfile
from collections import defaultdict
from typing import Sequence

from ..text import fold
from .outdir import OutDir

ZIP_DIR = "theo-xa"
"""Folder of the commune ZIPs in the team-pack folder ("by commune")."""
SHARED_DIR = "_chung"
"""Folder of a commune ZIP holding the files every team has the same."""
EPOCH = (1980, 1, 1, 0, 0, 0)


def slug(name: str) -> str:
    """``Hương Lạc`` -> ``huong-lac``. A name that folds to one Windows
    reserves (the commune ``Côn`` -> ``con``: ``con.zip`` cannot be made
    on Windows) gets ``-1``."""
    from ..roster import windows_reserved

    text = re.sub(r"[^a-z0-9]+", "-", fold(name).lower()).strip("-")
    if windows_reserved(text):
        text += "-1"
    return text or "khong-ten"


def communes(teams: Sequence) -> dict[str, list]:
    """The teams of each commune, by ZIP path (``theo-xa/<tinh>/<xa>.zip``),
    in roster order. Two communes whose names fold to the same path get
    ``-2``, ``-3`` (in order of first appearance)."""
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for team in teams:
        groups[(team.province, team.commune)].append(team)
    paths: dict[str, list] = {}
    for (province, commune), members in groups.items():
        base = f"{ZIP_DIR}/{slug(province)}/{slug(commune)}"
        rel, n = f"{base}.zip", 1
        while rel in paths:
            n += 1
            rel = f"{base}-{n}.zip"
        paths[rel] = members
    return paths


def shared_files(results: Sequence) -> frozenset[str]:
    """Names of the files that every team of ``results`` (two or more)
    has with the same bytes (``TeamResult.files``' SHA-256)."""
    if len(results) < 2:
        return frozenset()
    common = {f.name: f.sha256 for f in results[0].files}
    for team in results[1:]:
        common = {f.name: f.sha256 for f in team.files if common.get(f.name) == f.sha256}
    return frozenset(common)


def member(team_id: str, name: str, shared: frozenset[str]) -> str:
    """Where a team's file ``name`` is in its commune's ZIP."""
    return f"{SHARED_DIR}/{name}" if name in shared else f"{team_id}/{name}"


def members(results: Sequence, shared: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """The ZIP's files after ``index.csv``, as (name in the ZIP, file of
    the output folder): the shared files once (the first team's copy),
    then each team's own files, in roster order."""
    first = [(member("", f.name, shared), f"{results[0].team_id}/{f.name}") for f in results[0].files if f.name in shared]
    own = [(f"{t.team_id}/{f.name}",) * 2 for t in results for f in t.files if f.name not in shared]
    return tuple(first + own)


def _info(name: str, compress: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=EPOCH)
    info.compress_type = compress
    info.create_system = 3
    info.external_attr = 0o100644 << 16
    return info


def build_zip(out: OutDir, rel: str, index: bytes, files: Sequence[tuple[str, str]]) -> tuple[int, str]:
    """Write the ZIP ``rel`` of ``out``: ``index.csv`` then ``files``
    (``members``: each its name in the ZIP and the file of ``out`` it is
    read from); return its size and SHA-256. Streamed: the
    ZIP goes to a temporary file one member at a time (``OutDir.streaming``),
    so memory holds one team file, never the ZIP (a commune of 100 teams
    is some 70 MB)."""
    folder, _, name = rel.rpartition("/")
    out.clean_temporary(folder, [name])
    with out.streaming(rel) as streamed:
        with zipfile.ZipFile(streamed.file, "w") as z:
            z.writestr(_info("index.csv", zipfile.ZIP_DEFLATED), index)
            for name, source in files:
                data = out.read(source)
                if data is None:
                    raise FileNotFoundError(out.path(source))
                z.writestr(_info(name, zipfile.ZIP_STORED), data)
                del data
    return streamed.size, streamed.sha256
