"""Staged output: render into a sibling folder, then publish so a failed build never leaves output/ broken."""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sitegen.routes import SEARCH_FOLDER, is_inside
from sitegen.shortcut import State


class Staging:
    """A folder beside the output that receives rendered files before they are published."""

    def __init__(self, output: Path):
        self.output = output
        self.root = output.parent / f".{output.name}.staging-{os.getpid()}"
        if output.parent.is_dir():
            with os.scandir(output.parent) as entries:
                for left in entries:  # staging folders of killed builds (this build holds the lock)
                    if left.name.startswith(f".{output.name}.staging-"):
                        shutil.rmtree(left.path, ignore_errors=True)
        self.root.mkdir(parents=True)
        self._folders = {str(self.root)}

    def write(self, rel: str, data: bytes) -> None:
        """Write one file (with strings and file descriptors: pathlib cost a quarter of a small page's write)."""
        if not is_inside(rel):
            raise ValueError(f"refusing to write outside the output folder: {rel!r}")
        target = os.path.join(self.root, rel)
        folder = os.path.dirname(target)
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)

    def publish(self, written: list[str], stale: set[str]) -> tuple[int, int]:
        """Move staged files into place (a fresh output is renamed whole); return (changed, removed).

        A file whose bytes did not change is left alone, so its mtime stays."""
        if not self.output.exists():
            self.root.rename(self.output)
            return len(written), 0
        removed = 0
        for rel in sorted(stale):  # first: a stale file may stand where a new folder goes
            target = self.output / rel
            if is_inside(rel) and target.is_file():
                target.unlink()
                removed += 1
                prune_empty(target.parent, self.output)
        changed = 0
        for rel in written:
            target = self.output / rel
            if target.is_dir():
                shutil.rmtree(target)
            changed += replace_file(target, self.root / rel)
        self.discard()
        return changed, removed

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def replace_file(target: Path, new: bytes | Path) -> bool:
    """Put `new` (bytes, or a file beside the output to move) at `target` by rename, unless `target` already
    holds the same bytes; return whether it changed. An unchanged file keeps its mtime."""
    try:
        if isinstance(new, Path):
            if target.stat().st_size == new.stat().st_size and target.read_bytes() == new.read_bytes():
                return False
        elif target.read_bytes() == new:
            return False
    except OSError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    if not isinstance(new, Path):
        staged, new = new, target.with_name(f".{target.name}.{os.getpid()}.tmp")
        new.write_bytes(staged)
    os.replace(new, target)
    return True


def prune_empty(folder: Path, stop: Path) -> None:
    """Remove `folder` and then each parent while empty, up to `stop` (which is kept)."""
    while folder != stop and folder.is_relative_to(stop):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def existing_files(output: Path) -> set[str]:
    """Every file under the output folder, relative and POSIX style, except the search index (sitegen.search
    keeps it; it is no page, so never stale)."""
    found: set[str] = set()
    todo = [(str(output), "")]
    while todo:
        folder, prefix = todo.pop()
        try:
            entries = os.scandir(folder)
        except (FileNotFoundError, NotADirectoryError):
            continue
        with entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if not prefix and entry.name == SEARCH_FOLDER:
                        continue
                    todo.append((entry.path, f"{prefix}{entry.name}/"))
                else:
                    found.add(prefix + entry.name)
    return found


@dataclass(frozen=True, slots=True)
class Manifest:
    """What a build published into an output folder, for the next build into it."""

    pages: dict[str, str] = field(default_factory=dict)
    """Output path → page key."""
    state: State | None = None
    """The inputs the build saw (for the no-change shortcut)."""
    folders: dict[str, int] = field(default_factory=dict)
    """mtime_ns of every folder holding a page ("" is the output folder itself) when the build ended."""


def load_manifest(path: Path, stamp: str) -> Manifest:
    """The previous build's manifest for this output; empty when absent, broken or foreign."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Manifest()
    if not isinstance(data, dict) or data.get("stamp") != stamp or not isinstance(data.get("pages"), dict):
        return Manifest()
    folders = data.get("folders")
    valid = isinstance(folders, dict) and all(isinstance(t, int) for t in folders.values())
    return Manifest(data["pages"], State.from_json(data.get("state")), folders if valid else {})


def save_manifest(path: Path, stamp: str, manifest: Manifest) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".tmp")
    data = {"stamp": stamp, "pages": manifest.pages, "state": manifest.state.to_json() if manifest.state else None,
            "folders": manifest.folders}
    temp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
    os.replace(temp, path)


def present_files(output: Path, manifest: Manifest) -> tuple[set[str], dict[str, int]]:
    """The manifest's pages that are in the output folder now, and the mtime of each of their folders.

    Adding or removing a folder entry changes the folder's mtime, so a folder whose mtime is as recorded
    still holds the pages recorded in it; only the others are listed. Without a record (a first build, an
    older manifest) the whole folder is walked."""
    if not manifest.folders:
        return existing_files(output), {}
    by_folder: dict[str, list[str]] = {}
    for rel in manifest.pages:
        by_folder.setdefault(_folder(rel), []).append(rel)
    present: set[str] = set()
    times = {}
    for folder, pages in by_folder.items():
        path = os.path.join(output, folder)
        try:
            mtime = os.stat(path).st_mtime_ns
            if mtime == manifest.folders.get(folder):
                present.update(pages)
            else:
                with os.scandir(path) as entries:
                    names = {e.name for e in entries if not e.is_dir(follow_symlinks=False)}
                present.update(rel for rel in pages if rel.rpartition("/")[2] in names)
        except OSError:  # the folder is gone, or a file now stands in its place
            continue
        times[folder] = mtime
    return present, times


def folder_times(output: Path, pages: Iterable[str], known: dict[str, int], touched: Iterable[str]) -> dict[str, int]:
    """mtime_ns of the folder of every page in `pages`: from `known` unless a path in `touched` (written or
    removed by this build) lies in the folder or below it, which changes its mtime."""
    changed = set()
    for rel in touched:
        folder = _folder(rel)
        while folder not in changed:
            changed.add(folder)
            folder = _folder(folder)
    times = {}
    for folder in {_folder(rel) for rel in pages}:
        if folder in known and folder not in changed:
            times[folder] = known[folder]
        else:
            try:
                times[folder] = os.stat(os.path.join(output, folder)).st_mtime_ns
            except OSError:
                pass
    return times


def _folder(rel: str) -> str:
    return rel.rpartition("/")[0]
