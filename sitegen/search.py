"""Full-text search: index the published output with Pagefind into `output/pagefind/`.

The index is rebuilt only when the published pages changed since it was last built (a digest of the page
keys is kept in the cache) or when it is missing. Pagefind writes beside the output first; the result is
then synced file by file, so a failed run leaves the previous index whole and unchanged files keep their
mtimes. Without a working Pagefind binary the build still succeeds, with a notice saying why."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sitegen.output import prune_empty, replace_file
from sitegen.routes import SEARCH_FOLDER

ENTRY = "pagefind-entry.json"
"""The file Pagefind's scripts load first; its presence means an index exists."""


@dataclass(frozen=True, slots=True)
class SearchOutcome:
    """What the search step did."""

    indexed: bool
    """True when Pagefind ran in this build."""
    notice: str | None = None
    """Why the index could not be built, for the build's notices."""


@dataclass(frozen=True, slots=True)
class SearchJob:
    """Bringing the index up to date with one build's published pages; the watcher runs it on its own thread
    so that a saved article does not wait for a whole-site reindex."""

    output: Path
    enabled: bool
    keys: dict[str, str]
    """Output path → page key of the published pages."""
    stamp: Path
    """The cache file remembering which pages the index was built from."""

    def run(self) -> SearchOutcome:
        return update_index(self.output, self.enabled, self.keys, self.stamp)


def find_binary() -> Path | None:
    """The Pagefind executable: $PAGEFIND_BINARY_PATH, the one bundled with the pagefind package, or on PATH."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        return None
    try:
        return get_executable()
    except OSError:  # the bundled package is installed but its binary is not there
        return None


def update_index(output: Path, enabled: bool, keys: dict[str, str], stamp: Path) -> SearchOutcome:
    """Bring `output/pagefind/` up to date with the published pages `keys` (output path → page key).

    `stamp` is the cache file remembering which pages the index was built from; with search off, the index
    (every file in its folder that is no page of the site) and the stamp are removed."""
    folder = output / SEARCH_FOLDER
    if not enabled:
        pages = {p.removeprefix(SEARCH_FOLDER + "/") for p in keys}
        for rel in sorted(_files(folder) - pages):
            (folder / rel).unlink()
            prune_empty((folder / rel).parent, output)
        stamp.unlink(missing_ok=True)
        return SearchOutcome(False)
    digest = _digest(keys)
    if _indexed(folder, stamp, digest):
        return SearchOutcome(False)
    binary = find_binary()
    if binary is None:
        return SearchOutcome(False, "search skipped: no Pagefind binary found (sitegen depends on the "
                                    "pagefind[extended] package, which bundles it; or set PAGEFIND_BINARY_PATH)")
    staging = output.parent / f".{output.name}.search-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        problem = run_pagefind(binary, output, staging)
        if problem:
            return SearchOutcome(False, f"search skipped: {problem}; the search index was not updated")
        _sync(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest, encoding="utf-8")
    return SearchOutcome(True)


def is_current(output: Path, enabled: bool, keys: dict[str, str], stamp: Path) -> bool:
    """Whether the index (or its absence, with search off) matches the published pages `keys`."""
    if not enabled:
        return not stamp.exists()
    return _indexed(output / SEARCH_FOLDER, stamp, _digest(keys))


def _indexed(folder: Path, stamp: Path, digest: str) -> bool:
    """An index is in `folder` and was built from the pages whose digest is `digest`."""
    return (folder / ENTRY).is_file() and _read(stamp) == digest


def _digest(keys: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(keys, sort_keys=True).encode()).hexdigest()


def run_pagefind(binary: Path, site: Path, bundle: Path) -> str | None:
    """Index the HTML under `site` into the folder `bundle`; None on success, else what went wrong."""
    try:
        done = subprocess.run([str(binary), "--site", str(site), "--output-path", str(bundle), "--quiet"],
                              capture_output=True, text=True, errors="replace", check=False)
    except OSError as exc:
        return f"Pagefind ({binary}) could not run: {exc.strerror or exc}"
    if done.returncode != 0 or not (bundle / ENTRY).is_file():
        said = [line.strip() for line in (done.stderr + done.stdout).splitlines() if line.strip()]
        return f"Pagefind ({binary}) failed with exit code {done.returncode}" + (f": {said[-1]}" if said else "")
    return None


def _sync(new: Path, folder: Path) -> None:
    """Make `folder` hold exactly the files of `new`, replacing only files whose bytes differ."""
    fresh, old = _files(new), _files(folder)
    for rel in sorted(fresh):
        replace_file(folder / rel, new / rel)
    for rel in sorted(old - fresh):
        (folder / rel).unlink()
        prune_empty((folder / rel).parent, folder.parent)


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""
