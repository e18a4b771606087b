"""The manifest of a team-pack folder: what each team's files were made
from and what they are, so that a rerun (after a crash, on another day, on
another machine) renders only what changed, is missing or is damaged.

``DIR/manifest.jsonl``, one JSON object a line, in roster order::

    {"camnang_manifest": 1, "inputs": "<digest of everything but the teams>"}
    {"team": "to-mot", "inputs": "<digest>", "files": [["to-roi-x.pdf", 2, 80431, "<sha256>"], ...]}
    {"zip": "theo-xa/bac-ninh/huong-lac.zip", "inputs": "<digest>", "size": 123, "sha256": "<sha256>"}

A team's ``inputs`` digest covers the guides, the templates and stylesheets,
the settings, the print font, the camnang code and library versions (the
same things as the cache keys, see ``cache``) and the team's row **without
its position**: inserting a row in the roster changes no other team.
``files``: name, pages, size and SHA-256 of each output.

While a run goes, the client appends each finished team to
``DIR/.manifest-journal.jsonl`` (a crash loses at most the last line); at the
end the two are merged into ``manifest.jsonl`` (written only if it changed,
so two runs with the same inputs leave the same bytes) and the journal is
removed. A team is up to date when its inputs digest matches and each of
its files is there with the recorded size; ``--verify`` also rereads every
file (workers compare it with what they would write).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from typing import Iterable, NamedTuple

from .outdir import OutDir

MANIFEST = "manifest.jsonl"
JOURNAL = ".manifest-journal.jsonl"
VERSION = 1


class OutFile(NamedTuple):
    """One file of a team's pack, as the manifest records it."""

    name: str
    pages: int
    size: int
    sha256: str


def digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8") + b"\0")
    return h.hexdigest()


def team_row(team) -> str:
    """The team's row without its position in the roster."""
    values = dataclasses.asdict(team)
    values.pop("row", None)
    return json.dumps(values, sort_keys=True, ensure_ascii=False)


def team_inputs(common: str, team) -> str:
    return digest(common, team_row(team))


class Manifest:
    def __init__(self, out: OutDir, inputs: str):
        self.out = out
        self.inputs = inputs
        self.teams: dict[str, dict] = {}
        self.zips: dict[str, dict] = {}
        self._journal = None

    @classmethod
    def load(cls, out: OutDir, inputs: str) -> "Manifest":
        """The manifest of ``out`` (and the journal a crashed run left);
        unreadable lines are ignored (their teams are simply redone)."""
        manifest = cls(out, inputs)
        for name in (MANIFEST, JOURNAL):
            data = out.read(name)
            if not data:
                continue
            for line in data.decode("utf-8", "replace").splitlines():
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(entry, dict):
                    continue
                if isinstance(entry.get("team"), str):
                    manifest.teams[entry["team"]] = entry
                elif isinstance(entry.get("zip"), str):
                    manifest.zips[entry["zip"]] = entry
        return manifest

    # -- questions --

    def files(self, team_id: str) -> list[OutFile] | None:
        entry = self.teams.get(team_id)
        try:
            return [OutFile(*f) for f in entry["files"]] if entry else None
        except (TypeError, KeyError):
            return None

    def up_to_date(self, team_id: str, inputs: str) -> bool:
        """Same inputs as when recorded, every file there with its size."""
        entry = self.teams.get(team_id)
        files = self.files(team_id)
        if not entry or entry.get("inputs") != inputs or not files:
            return False
        sizes = self.out.sizes(team_id)
        return all(sizes.get(f.name) == f.size for f in files)

    def zip_up_to_date(self, rel: str, inputs: str) -> bool:
        entry = self.zips.get(rel)
        return bool(entry) and entry.get("inputs") == inputs and self.out.size(rel) == entry.get("size")

    # -- recording --

    def record_team(self, team_id: str, inputs: str, files: Iterable[OutFile]) -> None:
        entry = {"team": team_id, "inputs": inputs, "files": [list(f) for f in files]}
        self.teams[team_id] = entry
        self._append(entry)

    def record_zip(self, rel: str, inputs: str, size: int, sha256: str) -> None:
        entry = {"zip": rel, "inputs": inputs, "size": size, "sha256": sha256}
        self.zips[rel] = entry
        self._append(entry)

    def forget(self, team_id: str) -> None:
        self.teams.pop(team_id, None)

    def _append(self, entry: dict) -> None:
        if self.out.local is None:
            return  # object stores cannot append: the final manifest is written at the end
        if self._journal is None:
            self.out.local.mkdir(parents=True, exist_ok=True)
            # Opened, never followed: a link planted at the journal's place
            # is refused (ELOOP), never appended through.
            fd = os.open(self.out.local / JOURNAL, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
            self._journal = os.fdopen(fd, "a", encoding="utf-8")
        self._journal.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
        self._journal.flush()

    def save(self, team_order: Iterable[str], zip_order: Iterable[str] = ()) -> bool:
        """Write ``manifest.jsonl`` with the teams (and zips) of this run, in
        their order; remove the journal. True when the file changed."""
        lines = [json.dumps({"camnang_manifest": VERSION, "inputs": self.inputs}, sort_keys=True)]
        for team_id in team_order:
            if team_id in self.teams:
                lines.append(json.dumps(self.teams[team_id], ensure_ascii=False, sort_keys=True))
        for rel in zip_order:
            if rel in self.zips:
                lines.append(json.dumps(self.zips[rel], ensure_ascii=False, sort_keys=True))
        changed = self.out.write_if_changed(MANIFEST, ("\n".join(lines) + "\n").encode("utf-8"))
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        self.out.remove(JOURNAL)
        return changed
