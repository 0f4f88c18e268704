"""A results folder orgsim writes into (``--out``): it replaces and deletes only what
it wrote itself, listed in the folder's manifest; it refuses a folder that holds
another study or files of the same names it did not write; it cleans up what a killed
write left behind (sim.files.atomic) when it starts.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from .spec import ExperimentError
from ..files.atomic import clean_leftovers, write_atomic

MANIFEST = ".orgsim-manifest.json"
OWN_FOLDERS = ("runs", "figures", "failures")  # folders orgsim makes and fills itself


class Folder:
    """The manifest of one results folder: what it holds (``kind``, ``name``) and the
    files orgsim wrote there."""

    def __init__(self, out: Path, kind: str, name: str):
        self.out, self.kind, self.name = Path(out), kind, name
        self.files: set[str] = set()
        self.known = False  # a manifest was there
        path = self.out / MANIFEST
        if path.is_file():
            try:
                doc = json.loads(path.read_text())
                self.files = set(doc["files"])
                self.held = (str(doc["kind"]), str(doc["name"]))
            except (ValueError, KeyError, TypeError, OSError):
                raise ExperimentError(f"--out {self.out}: {MANIFEST} is damaged; orgsim cannot tell "
                                      "which files it wrote there: use another folder") from None
            self.known = True

    def open(self, tables: tuple[str, ...], resume: bool, has_runs: bool) -> None:
        """Check the folder can take this study's files, then clean leftovers. Refused
        in one line: another study's folder, files of these names orgsim did not write,
        results without ``resume``."""
        if self.known and self.held != (self.kind, self.name):
            raise ExperimentError(f"--out {self.out} holds another {self.held[0]} ({self.held[1]!r}); "
                                  f"use another folder for {self.kind} {self.name!r}")
        foreign = [n for n in (*tables, *OWN_FOLDERS) if (self.out / n).exists() and n not in self.files]
        if foreign:
            raise ExperimentError(f"--out {self.out} already has {foreign[0]}, which orgsim did not "
                                  "write there (no manifest lists it); use another folder")
        if has_runs and not resume:
            raise ExperimentError(f"--out {self.out} already holds results; use --resume to continue, "
                                  "or another folder")
        for folder in (self.out, *(self.out / n for n in OWN_FOLDERS)):
            clean_leftovers(folder)

    def claim(self, *names: str) -> None:
        """Record that orgsim writes these entries (before writing them, so a kill in
        between never leaves a file of ours unlisted)."""
        new = set(names) - self.files
        if new or not self.known:
            self.files |= new
            self._write()

    def _write(self) -> None:
        doc = {"kind": self.kind, "name": self.name, "files": sorted(self.files),
               "note": "files orgsim wrote in this folder; it replaces or deletes no others"}
        write_atomic(self.out / MANIFEST, json.dumps(doc, indent=1) + "\n")
        self.known, self.held = True, (self.kind, self.name)

    def owns(self, name: str) -> bool:
        return name in self.files

    def forget(self, name: str) -> None:
        """Delete an entry orgsim wrote and take it off the manifest."""
        if name not in self.files:
            raise ValueError(f"{name} was not written by orgsim")
        path = self.out / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
        self.files.discard(name)
        self._write()
