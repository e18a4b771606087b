"""Hostile files around the build (issue 20): symbolic links planted in
the cache and at the lock, huge or fake images, XLSX rosters that cost
minutes to read, over-long names, escape codes in messages, orphan
workers. Each test fails on the code before issue 20."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from camnang.errors import CamnangError
from camnang.lock import BuildLock, LOCK_NAME


# -- the build lock (item 4) ------------------------------------------------------

def test_lock_refuses_a_symlink_and_leaves_its_target_alone(tmp_path):
    victim = tmp_path / "bao-cao.txt"
    victim.write_text("dữ liệu quan trọng\n")
    project = tmp_path / "du-an"
    project.mkdir()
    (project / LOCK_NAME).symlink_to(victim)
    with pytest.raises(CamnangError) as caught:
        BuildLock(project).acquire()
    assert "liên kết tượng trưng (symlink)" in str(caught.value)
    assert LOCK_NAME in str(caught.value)
    assert victim.read_text() == "dữ liệu quan trọng\n"


def test_lock_never_truncates_a_hard_linked_file(tmp_path):
    victim = tmp_path / "bao-cao.txt"
    victim.write_text("dữ liệu quan trọng\n")
    project = tmp_path / "du-an"
    project.mkdir()
    os.link(victim, project / LOCK_NAME)
    with BuildLock(project):
        pass
    assert victim.read_text() == "dữ liệu quan trọng\n"


def test_lock_of_a_read_only_project_is_in_a_private_folder(tmp_path, monkeypatch):
    """No predictable /tmp/camnang-<hash>.lock: a symlink planted there
    by another user is never written through."""
    project = tmp_path / "chi-doc"
    project.mkdir()
    project.chmod(0o555)
    if os.access(project, os.W_OK):
        project.chmod(0o755)
        pytest.skip("running as root: a read-only folder is still writable")
    shared = tmp_path / "tmp"
    shared.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(shared))
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    import hashlib

    victim = tmp_path / "bao-cao.txt"
    victim.write_text("dữ liệu quan trọng\n")
    digest = hashlib.sha256(os.fsencode(os.path.realpath(project / LOCK_NAME))).hexdigest()[:16]
    (shared / f"camnang-{digest}.lock").symlink_to(victim)
    try:
        with BuildLock(project):
            private = shared / f"camnang-{os.geteuid()}"
            st = os.lstat(private)
            assert stat.S_ISDIR(st.st_mode) and not st.st_mode & 0o077
            assert (private / f"camnang-{digest}.lock").is_file()
    finally:
        project.chmod(0o755)
    assert victim.read_text() == "dữ liệu quan trọng\n"


def test_private_lock_folder_planted_by_another_user_is_not_used(tmp_path, monkeypatch):
    from camnang.lock import private_dir

    shared = tmp_path / "tmp"
    shared.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(shared))
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    planted = shared / f"camnang-{os.geteuid()}"
    elsewhere = tmp_path / "cua-nguoi-khac"
    elsewhere.mkdir(mode=0o700)
    planted.symlink_to(elsewhere)
    with pytest.raises(OSError):
        private_dir()
    planted.unlink()
    planted.mkdir(mode=0o777)
    planted.chmod(0o777)
    with pytest.raises(OSError):
        private_dir()
    planted.rmdir()
    assert private_dir() == planted
    assert stat.S_IMODE(os.lstat(planted).st_mode) == 0o700
