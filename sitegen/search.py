"""Full-text search: a Pagefind index of the articles in shards under `output/pagefind/<shard>/`.

Which articles make a shard, and what is indexed of each, is `sitegen.shards`: fed from the model, never
from rendered pages, so navigation, related lists and list pages are not searched. A cache file keeps
two digests per shard: one of what the model says of its articles (cheap: the body as its source file's
digest) and one of the documents indexed. Pagefind runs for a shard only when both changed; shards are
indexed in parallel, each in its own Pagefind process; a shard without articles left is removed. Pagefind writes beside the output
first and the result is synced file by file, so a failed run leaves the previous shard whole.

`output/pagefind/` also holds `shards.json` (the shard names, newest first), Pagefind's UI files and
`pagefind.js`, which the UI loads as its Pagefind: it searches every shard and merges the results, by
relevance or (shards being runs of dates) by date. Without a working Pagefind binary the build still
succeeds, with a notice saying why."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sitegen.output import prune_empty, replace_file
from sitegen.routes import SEARCH_FOLDER
from sitegen.shards import document, model_digest, shard_records, to_reindex

if TYPE_CHECKING:
    from sitegen.model import Site
    from sitegen.store import ArticleStore

ENTRY = "pagefind-entry.json"
"""The file Pagefind's scripts load first; its presence means a bundle exists."""
SHARDS = "shards.json"
UI_FILES = ("pagefind-ui.js", "pagefind-ui.css")
ROUTER = Path(__file__).with_name("search_router.js")
"""Served as `pagefind/pagefind.js`: the module Pagefind's UI loads, searching every shard."""


@dataclass(frozen=True, slots=True)
class SearchOutcome:
    """What the search step did."""

    indexed: tuple[str, ...] = ()
    """Shards (re)indexed by Pagefind."""
    removed: tuple[str, ...] = ()
    """Shards removed, their articles gone."""
    notice: str | None = None
    """Why (part of) the index could not be built, for the build's notices."""
    peak_rss_kib: int = 0
    """The largest Pagefind process's peak resident memory."""


@dataclass(frozen=True, slots=True)
class SearchJob:
    """Bringing the index up to date with one build's published articles; the watcher runs it on its own
    thread so that a saved article does not wait for it."""

    output: Path
    enabled: bool
    keys: dict[str, str]
    """Output path → page key of the published pages."""
    state: Path
    """The cache file of shard digests."""
    site: Site | None = None
    store: tuple[Path, str] | None = None
    """The article store's file and stamp, for the bodies."""
    jobs: int = 1

    def run(self) -> SearchOutcome:
        return update_index(self.output, self.enabled, self.keys, self.state, self.site, self.store, self.jobs)


def search_job(output: Path, site: Site, store: ArticleStore, keys: dict[str, str], state: Path,
               jobs: int) -> SearchJob:
    """The job bringing the index under `output` up to date with `site` (its bodies in `store`)."""
    return SearchJob(output, site.config.search, keys, state, site, (store.path, store.stamp), jobs)


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


def update_index(output: Path, enabled: bool, keys: dict[str, str], state: Path, site: Site | None = None,
                 store: tuple[Path, str] | None = None, jobs: int = 1) -> SearchOutcome:
    """Bring `output/pagefind/` up to date with the articles of `site` (their bodies in the store at
    `store`: its file and stamp), recording shard digests in the cache file `state`; `jobs` shards are
    indexed at a time. With search off, remove the index (every file in its folder that is no page of the
    site, `keys` being the published pages) and `state`."""
    folder = output / SEARCH_FOLDER
    if not enabled or site is None or store is None:
        pages = {p.removeprefix(SEARCH_FOLDER + "/") for p in keys}
        for rel in sorted(_files(folder) - pages):
            (folder / rel).unlink()
            prune_empty((folder / rel).parent, output)
        state.unlink(missing_ok=True)
        return SearchOutcome()
    binary = find_binary()
    if binary is None:
        return SearchOutcome(notice="search skipped: no Pagefind binary found (sitegen depends on the "
                                    "pagefind[extended] package, which bundles it; or set PAGEFIND_BINARY_PATH)")
    known = _load(state)
    if known.get("pagefind") != _identity(binary):
        known = {}  # another Pagefind writes other files: every shard again
    digests: dict[str, dict[str, str]] = known.get("shards", {})
    if known.get("stamp") != store[1]:  # another sitegen or configuration: documents may differ
        digests = {name: {"documents": d.get("documents", "")} for name, d in digests.items()}
    shards = shard_records(site)
    present = {name for name in shards if (folder / name / ENTRY).is_file()}
    todo = to_reindex(shards, digests, present)
    indexed, problems, peak = [], [], 0
    staging = output.parent / f".{output.name}.search-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        tasks = [(name, shards[name], digests.get(name, {}).get("documents") if name in present else None, binary,
                  staging, store, site.config.language) for name in todo]
        with ThreadPoolExecutor(max(1, min(jobs, len(tasks)))) as pool:
            for name, (problem, documents, ran, rss) in zip(todo, pool.map(_index_shard, tasks)):
                peak = max(peak, rss)
                if problem:
                    problems.append((name, problem))
                    continue
                if ran:
                    _sync(staging / name, folder / name)
                    indexed.append(name)
                    present.add(name)
                digests[name] = {"model": model_digest(shards[name]), "documents": documents}
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    listed = [name for name in shards if name in present]
    removed = tuple(name for name in sorted(digests) if name not in shards)
    for path in _entries(folder):  # gone shards, and files of an index made before shards
        if path.name not in shards and path.name not in (SHARDS, "pagefind.js", *UI_FILES):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    _write_shared(folder, listed)
    _save(state, {"pagefind": _identity(binary), "stamp": store[1], "pages": "" if problems else _digest(keys),
                  "shards": {name: d for name, d in digests.items() if name in shards}})
    notice = None
    if problems:
        names = ", ".join(name for name, _ in problems)
        notice = f"search: shard(s) {names} of the search index not updated: {problems[0][1]}"
    return SearchOutcome(tuple(indexed), removed, notice, peak)


def _identity(binary: Path) -> str:
    """Which Pagefind indexes: its path, size and modification time."""
    try:
        st = binary.stat()
    except OSError:
        return str(binary)
    return f"{binary}:{st.st_size}:{st.st_mtime_ns}"


def _index_shard(task: tuple) -> tuple[str | None, str, bool, int]:
    """Index one shard into `staging/<name>` unless its documents are those last indexed:
    (problem, documents' digest, whether Pagefind ran, its peak RSS in KiB)."""
    from sitegen.indexer import write_bundle
    from sitegen.store import ArticleStore

    name, records, last_documents, binary, staging, (store_path, stamp), language = task
    store = ArticleStore(store_path, stamp)
    try:
        docs = [(r.url, document(r, store.html(r.id), language)) for r in records]
    except (KeyError, OSError) as exc:
        return f"the article store lacks a body ({exc})", "", False, 0
    finally:
        store.close()
    h = hashlib.sha256()
    for url, doc in docs:
        h.update(f"{len(url)}:{url}{len(doc)}:".encode() + doc.encode())
    digest = h.hexdigest()
    if digest == last_documents:
        return None, digest, False, 0
    done = write_bundle(binary, docs, staging / name)
    return done.problem, digest, True, done.peak_rss_kib


def _write_shared(folder: Path, shards: list[str]) -> None:
    """The files every shard shares: the shard list (newest first), the router module and Pagefind's UI
    (from the newest shard)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {SHARDS: json.dumps({"shards": shards[::-1]}).encode(), "pagefind.js": ROUTER.read_bytes()}
    if shards:
        files |= {name: (folder / shards[-1] / name).read_bytes() for name in UI_FILES}
    for name, data in files.items():
        replace_file(folder / name, data)


def is_current(output: Path, enabled: bool, keys: dict[str, str], state: Path) -> bool:
    """Whether the index (or its absence, with search off) matches the published pages `keys`."""
    if not enabled:
        return not state.exists()
    known = _load(state)
    folder = output / SEARCH_FOLDER
    return known.get("pages") == _digest(keys) and (folder / SHARDS).is_file() and \
        all((folder / name / ENTRY).is_file() for name in known.get("shards", {}))


def _digest(keys: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(keys, sort_keys=True).encode()).hexdigest()


def _load(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _save(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_file(path, json.dumps(data, sort_keys=True, indent=0).encode())


def _sync(new: Path, folder: Path) -> None:
    """Make `folder` hold exactly the files of `new`, replacing only files whose bytes differ."""
    fresh, old = _files(new), _files(folder)
    for rel in sorted(fresh):
        replace_file(folder / rel, new / rel)
    for rel in sorted(old - fresh):
        (folder / rel).unlink()
        prune_empty((folder / rel).parent, folder)


def _entries(folder: Path) -> Iterator[Path]:
    return folder.iterdir() if folder.is_dir() else iter(())


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
