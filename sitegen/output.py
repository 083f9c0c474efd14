"""Staged output: render into a sibling folder, then publish so a failed build never leaves output/ broken."""
from __future__ import annotations

import json
import os
import shutil
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
        self._folders: set[Path] = {self.root}

    def write(self, rel: str, data: bytes) -> None:
        if not is_inside(rel):
            raise ValueError(f"refusing to write outside the output folder: {rel!r}")
        target = self.root / rel
        if target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        target.write_bytes(data)

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
                _prune_empty(target.parent, self.output)
        changed = 0
        for rel in written:
            staged, target = self.root / rel, self.output / rel
            if target.is_file() and _same_bytes(staged, target):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_dir():
                shutil.rmtree(target)
            os.replace(staged, target)
            changed += 1
        self.discard()
        return changed, removed

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def replace_file(path: Path, data: bytes) -> bool:
    """Write through a temporary file and rename, unless the file already holds these bytes."""
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_bytes(data)
    os.replace(temp, path)
    return True


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


def _same_bytes(a: Path, b: Path) -> bool:
    if a.stat().st_size != b.stat().st_size:
        return False
    return a.read_bytes() == b.read_bytes()


def _prune_empty(folder: Path, stop: Path) -> None:
    while folder != stop and folder.is_relative_to(stop):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def load_manifest(path: Path, stamp: str) -> tuple[dict[str, str], State | None]:
    """Output path → page key from the previous build into the same output, and that build's state;
    empty when absent or foreign."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, None
    if not isinstance(data, dict) or data.get("stamp") != stamp or not isinstance(data.get("pages"), dict):
        return {}, None
    return data["pages"], State.from_json(data.get("state"))


def save_manifest(path: Path, stamp: str, keys: dict[str, str], state: State | None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".tmp")
    data = {"stamp": stamp, "pages": keys, "state": state.to_json() if state else None}
    temp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
    os.replace(temp, path)
