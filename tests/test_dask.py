"""Team packs on a real Dask cluster (issue 14): a scheduler and two workers
started with Dask's own command-line tools on loopback ports, the real
``build_posters.py`` sending a few hundred synthetic teams to it, one
worker killed in the middle of the run. Plus resume (manifest) and the
commune ZIPs, on the local pool.

One fixture guide keeps the CPU cost low; every process started here is
stopped at the end of its fixture, whatever happens."""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import zxingcpp

from conftest import TEST_SITE_URL, make_project
from test_zalo_cards import zalo_recompressed

pytestmark = pytest.mark.build  # a Dask cluster and team packs built in subprocesses (left out of `make check`)

DASK = Path(sys.executable).parent / "dask"
HEADER = ["ma_to", "ten_to", "cap", "xa", "tinh", "to_truong", "dien_thoai", "zalo", "dia_diem"]
TEAMS = 40
FILES = 8
"""Files of a team's pack of the one fixture guide."""
COMMUNES = [("Bắc Ninh", "Hương Lạc"), ("Bắc Ninh", "Đồng Việt"), ("Lào Cai", "Sa Pa"), ("Lào Cai", "Bát Xát")]


def roster_rows(count: int, start: int = 0) -> list[list[str]]:
    """Synthetic teams (made-up phones and links, for tests only)."""
    rows = []
    for i in range(start, start + count):
        province, commune = COMMUNES[i % len(COMMUNES)]
        rows.append([
            f"to-{i:04d}", f"Tổ công nghệ số cộng đồng thôn Thử {i}", "thon", commune, province,
            f"Người Thử {i}", "" if i % 5 == 0 else f"09{i:08d}",
            "" if i % 3 == 0 else f"https://zalo.me/g/thu{i:05d}", f"Nhà văn hóa thôn {i}",
        ])
    return rows


def write_roster(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    return path


def cli(project: Path, *args: str, **popen) -> subprocess.CompletedProcess | subprocess.Popen:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "CAMNANG_SITE_URL": TEST_SITE_URL}
    command = [sys.executable, str(Path(__file__).resolve().parent.parent / "build_posters.py"), *args]
    if popen:
        return subprocess.Popen(command, cwd=project, env=env, text=True, **popen)
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=900)


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(process: subprocess.Popen) -> None:
    """SIGTERM the process's group, then SIGKILL if it lingers."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=15)


class Cluster:
    """``dask scheduler`` and ``dask worker`` processes on loopback."""

    def __init__(self, tmp: Path):
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.tmp = tmp
        self.processes: list[subprocess.Popen] = []
        self.workers: list[subprocess.Popen] = []

    def _start(self, *args: str, log: str) -> subprocess.Popen:
        process = subprocess.Popen(
            [str(DASK), *args], cwd=self.tmp, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=(self.tmp / log).open("w"),
        )
        self.processes.append(process)
        return process

    def start(self, workers: int) -> None:
        self._start("scheduler", "--host", "127.0.0.1", "--port", str(self.port), "--no-dashboard", "--no-show", log="scheduler.log")
        for i in range(workers):
            self.workers.append(
                self._start(
                    "worker", self.address, "--host", "127.0.0.1", "--nthreads", "1", "--no-nanny",
                    "--no-dashboard", "--name", f"w{i}", "--local-directory", str(self.tmp / f"w{i}"),
                    log=f"worker-{i}.log",
                )
            )
        self.wait_for(workers)

    def wait_for(self, workers: int, timeout: float = 90) -> None:
        from distributed import Client

        with Client(self.address, timeout="60s") as client:
            client.wait_for_workers(workers, timeout=timeout)

    def close(self) -> None:
        for process in reversed(self.processes):
            stop(process)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cluster")
    cluster = Cluster(tmp)
    try:
        cluster.start(2)
        yield cluster
    finally:
        cluster.close()


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    """The reference: the same roster on the local process pool, in a
    project (and cache) of its own."""
    project = make_project(tmp_path_factory.mktemp("local"), private_cache=True)
    write_roster(project / "to.csv", roster_rows(TEAMS))
    result = cli(project, "--teams", "to.csv", "--out", "goi", "--jobs", "2", "--zip")
    assert result.returncode == 0, result.stderr
    return project / "goi"


def test_cluster_run_survives_a_killed_worker_and_matches_the_local_pool(cluster, local_run, tmp_path):
    project = make_project(tmp_path, private_cache=True)  # rendered from scratch: a worker dies in the middle
    write_roster(project / "to.csv", roster_rows(TEAMS))
    out = project / "goi"
    run = cli(
        project, "--teams", "to.csv", "--out", "goi", "--scheduler", cluster.address, "--zip",
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 600
        # Kill a worker once a fifth of the teams are done (no earlier: the
        # point is a worker dying with tasks in hand, in the middle).
        while time.monotonic() < deadline and run.poll() is None:
            done = sum(1 for p in out.glob("to-*/ap-phich.pdf")) if out.is_dir() else 0
            if done >= TEAMS // 5:
                break
            time.sleep(0.2)
        assert run.poll() is None, "the run ended before a worker could be killed"
        victim = cluster.workers[0]
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait(timeout=30)
        stdout, stderr = run.communicate(timeout=900)
    finally:
        stop(run)
    assert run.returncode == 0, stderr
    # Leaflet, posters file, radio .txt and .pdf, the team's Zalo card and
    # the guide's (one card for this guide), the handbook (two files).
    assert f"{TEAMS} tổ, {TEAMS * FILES} tệp" in stdout
    assert done < TEAMS, "the worker was killed after the end"
    # Nothing lost, nothing corrupt, nothing left over: the same bytes as
    # the local pool, file for file (PDFs, index.csv, manifest, ZIPs).
    ours, reference = files(out), files(local_run)
    assert sorted(ours) == sorted(reference)
    assert [k for k in ours if ours[k] != reference[k]] == []
    # The Zalo cards came through the cluster too: each team's own code
    # (none without a link), and the guide's card one file for every team
    # although two workers made it at the same time.
    for i in (1, 2, 3):
        card = zalo_recompressed((out / f"to-{i:04d}" / "the-zalo-to.png").read_bytes())
        found = [code.text for code in zxingcpp.read_barcodes(card)]
        assert found == ([] if i % 3 == 0 else [f"https://zalo.me/g/thu{i:05d}"]), i
    inodes = {os.stat(p).st_ino for p in out.glob("to-*/the-zalo-thu-nghiem.png")}
    assert len(inodes) == 1

    # A rerun on what is left of the cluster renders and writes nothing.
    again = cli(project, "--teams", "to.csv", "--out", "goi", "--scheduler", cluster.address, "--zip")
    assert again.returncode == 0, again.stderr
    assert "0 tệp mới tạo" in again.stdout and "ghi 0 tệp" in again.stdout, again.stdout
    assert f"{TEAMS} tổ không đổi" in again.stdout, again.stdout
    assert files(out) == ours


def test_rerun_renders_only_changed_and_missing_teams(local_run, tmp_path):
    """The manifest: an inserted row re-renders nothing else; a changed
    team, a deleted file and a truncated file are redone, nothing else."""
    project = local_run.parent
    out = tmp_path / "goi"
    shutil.copytree(local_run, out)
    rows = roster_rows(TEAMS)
    rows.insert(0, roster_rows(1, start=9000)[0])  # every later row moves down one
    rows[10][1] = "Tổ công nghệ số cộng đồng thôn Mới Đổi Tên"
    write_roster(project / "to-2.csv", rows)
    (out / "to-0020" / "ap-phich.pdf").unlink()
    damaged = out / "to-0030" / "to-roi-thu-nghiem.pdf"
    damaged.write_bytes(damaged.read_bytes()[:1000])
    untouched = {k: v for k, v in files(out).items() if k.startswith("to-001")}
    assert len(untouched) == 10 * FILES
    result = cli(project, "--teams", "to-2.csv", "--out", str(out), "--jobs", "2")
    assert result.returncode == 0, result.stderr
    # Sent to a worker: the new team, the renamed one, the two damaged.
    assert f"{TEAMS + 1 - 4} tổ không đổi" in result.stdout, result.stdout
    assert "ghi 17 tệp vào" in result.stdout, result.stdout  # 8 new, 7 renamed (the guide's card is the same), 1 missing, 1 damaged
    after = files(out)
    assert damaged.read_bytes() == (local_run / "to-0030" / "to-roi-thu-nghiem.pdf").read_bytes()
    assert after["to-0020/ap-phich.pdf"] == (local_run / "to-0020" / "ap-phich.pdf").read_bytes()
    assert {k: after[k] for k in untouched} == untouched
    assert "to-9000/ap-phich.pdf" in after
    # The cache keys do not hold the row number either: checking every
    # team again, file by file, renders nothing though every row moved.
    verify = cli(project, "--teams", "to-2.csv", "--out", str(out), "--jobs", "2", "--verify")
    assert verify.returncode == 0, verify.stderr
    assert "0 tệp mới tạo" in verify.stdout and "ghi 0 tệp" in verify.stdout, verify.stdout


def test_one_zip_per_commune_holds_exactly_its_teams(local_run):
    rows = roster_rows(TEAMS)
    national = list(csv.DictReader(io.StringIO((local_run / "index.csv").read_text(encoding="utf-8-sig"))))
    assert len(national) == TEAMS * FILES
    zips = sorted(p.relative_to(local_run).as_posix() for p in local_run.rglob("*.zip"))
    assert zips == [
        "theo-xa/bac-ninh/dong-viet.zip", "theo-xa/bac-ninh/huong-lac.zip",
        "theo-xa/lao-cai/bat-xat.zip", "theo-xa/lao-cai/sa-pa.zip",
    ]
    for rel in zips:
        commune = {"huong-lac": "Hương Lạc", "dong-viet": "Đồng Việt", "sa-pa": "Sa Pa", "bat-xat": "Bát Xát"}[Path(rel).stem]
        teams = sorted(r[0] for r in rows if r[3] == commune)
        with zipfile.ZipFile(local_run / rel) as z:
            assert z.testzip() is None
            names = z.namelist()
            assert names[0] == "index.csv"
            assert sorted({n.split("/")[0] for n in names[1:]}) == ["_chung", *teams]
            for team in teams:
                for name in ("to-roi-thu-nghiem.pdf", "ap-phich.pdf", "the-zalo-to.png"):
                    assert z.read(f"{team}/{name}") == (local_run / team / name).read_bytes()
            # The guide's Zalo card, the same for every team, is stored
            # once; the commune's index lists it for each team there.
            assert [n for n in names if n.startswith("_chung/")] == ["_chung/the-zalo-thu-nghiem.png"]
            assert not any(n.endswith("/the-zalo-thu-nghiem.png") for n in names if not n.startswith("_chung/"))
            index = list(csv.DictReader(io.StringIO(z.read("index.csv").decode("utf-8-sig"))))
            assert sorted({r["ma_to"] for r in index}) == teams
            assert {r["tep"] for r in index} == set(names[1:])
            for row in index:
                team_file = local_run / row["ma_to"] / row["tep"].split("/")[1]
                assert z.getinfo(row["tep"]).file_size == team_file.stat().st_size
            moved = {"_chung/the-zalo-thu-nghiem.png": "{}/the-zalo-thu-nghiem.png"}
            assert [{**r, "tep": moved.get(r["tep"], r["tep"]).format(r["ma_to"])} for r in index] == [
                r for r in national if r["ma_to"] in teams
            ]
            assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_output_to_an_fsspec_url(local_run, tmp_path):
    """``--out`` as a URL (here ``file://``, through fsspec, as ``s3://``
    would go): the same files, and a rerun finds them up to date."""
    project = local_run.parent
    write_roster(project / "to-4.csv", roster_rows(4))
    url = f"file://{tmp_path}/goi-url"
    result = cli(project, "--teams", "to-4.csv", "--out", url, "--jobs", "2")
    assert result.returncode == 0, result.stderr
    out = tmp_path / "goi-url"
    for team in ("to-0000", "to-0003"):
        for name in ("to-roi-thu-nghiem.pdf", "ap-phich.pdf"):
            assert (out / team / name).read_bytes() == (local_run / team / name).read_bytes()
    assert (out / "manifest.jsonl").is_file() and not (out / ".manifest-journal.jsonl").exists()
    again = cli(project, "--teams", "to-4.csv", "--out", url, "--jobs", "2")
    assert again.returncode == 0, again.stderr
    assert "4 tổ không đổi" in again.stdout and "ghi 0 tệp" in again.stdout, again.stdout


def test_unreachable_scheduler_is_one_clear_line(local_run, monkeypatch):
    # Dask's connect timeout (30 s by default), shortened for the test.
    monkeypatch.setenv("DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT", "3s")
    project = local_run.parent
    write_roster(project / "to-4.csv", roster_rows(4))
    result = cli(project, "--teams", "to-4.csv", "--out", "goi-x", "--scheduler", f"tcp://127.0.0.1:{free_port()}")
    assert result.returncode == 1
    assert "--scheduler: không kết nối được bộ lập lịch Dask" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def recorded_teams_hold_their_files(out: Path) -> int:
    """Every team the manifest or its journal records, whose file is there
    with the recorded size (what a rerun trusts), holds exactly the
    recorded bytes; the number of teams recorded."""
    import hashlib
    import json

    recorded = {}
    for name in ("manifest.jsonl", ".manifest-journal.jsonl"):
        path = out / name
        for line in (path.read_text(encoding="utf-8").splitlines() if path.exists() else ()):
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # a line cut by the kill: its team is simply redone
            if isinstance(entry, dict) and "team" in entry:
                recorded[entry["team"]] = entry
    for team, entry in recorded.items():
        for name, _pages, size, digest in entry["files"]:
            path = out / team / name
            if path.is_file() and path.stat().st_size == size:
                assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, f"{team}/{name} is not what the manifest says"
    return len(recorded)


def killed_runs_resume(cluster, local_run, tmp_path, kills: int, seed: int) -> None:
    """SIGKILL ``build_posters.py --scheduler ... --zip`` at ``kills`` random
    instants (the client: the cluster lives on, as it would); after each,
    the manifest never vouches for a wrong file; a last run completes and
    its teams, index.csv and ZIPs are those of the uninterrupted local run."""
    import random

    rng = random.Random(seed)
    teams = KILL_TEAMS
    project = make_project(tmp_path, private_cache=True)
    write_roster(project / "to.csv", roster_rows(teams))
    out = project / "goi"
    killed = 0
    for _ in range(kills):
        run = cli(project, "--teams", "to.csv", "--out", "goi", "--scheduler", cluster.address, "--zip",
                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            # Somewhere between connecting to the cluster and the last ZIP.
            time.sleep(rng.uniform(1.0, 8.0))
            if run.poll() is None:
                os.killpg(run.pid, signal.SIGKILL)
                killed += 1
            run.communicate(timeout=600)
        finally:
            stop(run)
        recorded_teams_hold_their_files(out)
    assert killed >= 1, "every run ended before its kill"
    final = cli(project, "--teams", "to.csv", "--out", "goi", "--scheduler", cluster.address, "--zip")
    assert final.returncode == 0, final.stderr
    assert f"{teams} tổ, {teams * FILES} tệp" in final.stdout, final.stdout
    assert "Tổng kết:" in final.stdout and "lỗi 0 tổ" in final.stdout, final.stdout
    assert recorded_teams_hold_their_files(out) == teams
    assert not (out / ".manifest-journal.jsonl").exists()
    ours = files(out)
    assert not [k for k in ours if k.rsplit("/", 1)[-1].startswith(".")], "temporary files left behind"
    reference = files(local_run)
    for key, data in ours.items():
        if key.startswith("to-"):
            assert data == reference[key], key
    national = (local_run / "index.csv").read_text(encoding="utf-8-sig").splitlines()
    wanted = {f"to-{i:04d}" for i in range(teams)}
    assert (out / "index.csv").read_text(encoding="utf-8-sig").splitlines() == [
        line for line in national if line.split(",", 1)[0] in wanted or line.startswith("ma_to,")
    ]
    for rel in (p for p in ours if p.endswith(".zip")):
        with zipfile.ZipFile(out / rel) as z:
            assert z.testzip() is None
            shared = [n for n in z.namelist() if n.startswith("_chung/")]
            assert shared == ["_chung/the-zalo-thu-nghiem.png"]
            for name in z.namelist()[1:]:
                # A shared file is every team's: the first team's, say.
                key = name.replace("_chung/", "to-0000/") if name in shared else name
                assert z.read(name) == reference[key], name


KILL_TEAMS = 20


def test_manifest_survives_sigkill_of_a_cluster_run(cluster, local_run, tmp_path):
    killed_runs_resume(cluster, local_run, tmp_path, kills=2, seed=27)


@pytest.mark.slow
def test_manifest_survives_many_sigkills_of_a_cluster_run(cluster, local_run, tmp_path):
    killed_runs_resume(cluster, local_run, tmp_path, kills=10, seed=2027)
