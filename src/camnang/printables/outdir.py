"""Where team packs are written: a local folder, or any fsspec URL.

Every worker writes its own teams' files here, so on a cluster it must be a
place every worker reaches: a shared folder (NFS, SMB) mounted at the same
path, or object storage through its fsspec backend (``s3://bucket/goi-to``
with ``s3fs`` installed, ``gcs://...`` with ``gcsfs``; ``file:///...`` is
the local disk through fsspec).

Local folders get atomic writes (temporary file, then rename) and are only
written when the bytes differ. An object store's put is atomic by itself;
there too, a file with the same size and bytes is left alone.

``write_linked`` writes a file that is also a cache entry as a *hard link*
to that entry, so the folder and the cache hold one copy on disk, not two
(team packs: the outputs are most of the disk a team costs). Where a link
cannot be made (object stores, the cache on another disk, a file system
without hard links) the bytes are written as usual.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from ..writer import (
    CHUNK, NotRegularFile, Streamed, link_atomic, read_regular, same_stream, streaming, write_atomic, write_if_changed,
)


def is_url(location: str | Path) -> bool:
    return "://" in str(location)


class OutDir:
    """A folder of outputs, named by a local path or an fsspec URL.
    Picklable: it travels to Dask workers with the run's context."""

    def __init__(self, location: str | Path):
        self.location = str(location)
        if is_url(location):
            import fsspec

            self.fs, self.root = fsspec.core.url_to_fs(self.location)
            self.local = None
        else:
            # Absolute: Dask workers do not share the client's working folder.
            self.local = Path(location).absolute()
            self.fs, self.root = None, str(self.local)

    def __str__(self) -> str:
        return self.location

    def __repr__(self) -> str:
        return f"OutDir({self.location!r})"

    def path(self, rel: str) -> str:
        return f"{self.root.rstrip('/')}/{rel}"

    def read(self, rel: str) -> bytes | None:
        try:
            if self.local is not None:
                return read_regular(self.local / rel)
            return self.fs.cat_file(self.path(rel))
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, NotRegularFile):
            return None

    def write(self, rel: str, data: bytes) -> None:
        if self.local is not None:
            write_atomic(self.local / rel, data)
        else:
            self.fs.makedirs(self.path(rel).rsplit("/", 1)[0], exist_ok=True)
            self.fs.pipe_file(self.path(rel), data)

    def write_if_changed(self, rel: str, data: bytes) -> bool:
        """Write unless the file already holds exactly ``data``; True when written."""
        if self.local is not None:
            return write_if_changed(self.local / rel, data)
        try:
            same = self.fs.size(self.path(rel)) == len(data) and self.fs.cat_file(self.path(rel)) == data
        except FileNotFoundError:
            same = False
        if not same:
            self.write(rel, data)
        return not same

    def write_linked(self, rel: str, data: bytes, entry: Path) -> bool:
        """``write_if_changed``, for ``data`` that the cache holds at
        ``entry``: a local file is made a hard link to the entry (one copy
        on disk for both). A file already holding ``data`` is left alone
        (same time stamp) and the entry becomes a link to it instead.
        True when the folder's file was written."""
        if self.local is None:
            return self.write_if_changed(rel, data)
        target = self.local / rel
        if _same(target, data):
            link_atomic(target, entry)
            return False
        if not link_atomic(entry, target):
            write_atomic(target, data)
        return True

    @contextmanager
    def streaming(self, rel: str) -> Iterator[Streamed]:
        """A seekable temporary file to write ``rel`` into piece by piece
        (a commune's ZIP, the country's ``index.csv``: never held whole in
        memory), put in place whole when the block ends without error,
        unless the folder's file already holds the same bytes
        (``writer.streaming``; ``clean_temporary`` removes a temporary
        file a killed writer left). Object stores: an anonymous local
        temporary file, uploaded when different. ``Streamed``: ``size``,
        ``sha256`` and ``written`` once the block ended."""
        if self.local is not None:
            with streaming(self.local / rel) as streamed:
                yield streamed
            return
        with tempfile.TemporaryFile() as f:
            streamed = Streamed()
            streamed.file = f
            yield streamed
            streamed.finish()
            path = self.path(rel)
            try:
                if self.fs.size(path) == streamed.size:
                    with self.fs.open(path, "rb") as theirs:
                        if same_stream(f, theirs):
                            return
            except FileNotFoundError:
                pass
            self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
            f.seek(0)
            with self.fs.open(path, "wb") as out:
                shutil.copyfileobj(f, out, CHUNK)
            streamed.written = True

    def sizes(self, folder: str) -> dict[str, int]:
        """Size of each file directly in ``folder`` (empty if there is none)."""
        if self.local is not None:
            try:
                with os.scandir(self.local / folder) as entries:
                    return {e.name: e.stat().st_size for e in entries if e.is_file(follow_symlinks=False)}
            except (FileNotFoundError, NotADirectoryError):
                return {}
        try:
            listing = self.fs.ls(self.path(folder), detail=True)
        except FileNotFoundError:
            return {}
        return {item["name"].rstrip("/").rsplit("/", 1)[-1]: item["size"] for item in listing if item["type"] == "file"}

    def clean_temporary(self, folder: str, names: Iterable[str]) -> None:
        """Remove the temporary files (``.<name>.<random>.tmp``) of
        ``names`` in ``folder`` that a writer killed in the middle of an
        atomic write left. Only the caller's own files: another task may be
        writing its own next to them."""
        if self.local is None:
            return
        prefixes = tuple(f".{name}." for name in names)
        try:
            with os.scandir(self.local / folder) as entries:
                stale = [e.path for e in entries if e.name.startswith(prefixes) and e.name.endswith(".tmp")]
        except (FileNotFoundError, NotADirectoryError):
            return
        for path in stale:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass

    def size(self, rel: str) -> int | None:
        folder, _, name = rel.rpartition("/")
        return self.sizes(folder).get(name)

    def remove(self, rel: str) -> None:
        if self.local is not None:
            (self.local / rel).unlink(missing_ok=True)
        else:
            try:
                self.fs.rm_file(self.path(rel))
            except FileNotFoundError:
                pass


def _same(path: Path, data: bytes) -> bool:
    """Whether ``path`` is a regular file (not followed if a link) holding ``data``."""
    try:
        return os.lstat(path).st_size == len(data) and read_regular(path) == data
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError, NotRegularFile):
        return False


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
