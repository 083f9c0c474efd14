"""The no-change shortcut: a build whose inputs all look as they did after the last build into the same
output does nothing, without reading the cache, planning pages or loading the rendering libraries.

"Look the same" means the same (size, mtime, inode) for every file under the input folders, the same
engine, configuration and options, and a clock that publishes the same articles. A file modified shortly
before the recorded build may have changed again within the same mtime tick, so its stat cannot vouch for
it: its bytes' digest is recorded and compared instead."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sitegen.errors import SiteError
from sitegen.files import list_files

RACY_NS = 2_000_000_000
"""A file modified this recently may change again within the same mtime tick: check its bytes."""


@dataclass(frozen=True, slots=True)
class State:
    """What a finished build records for the next one."""

    inputs: str
    """Digest of the build's stamp and options and of every input file's stat."""
    racy: tuple[tuple[str, str], ...]
    """(path, digest of its bytes) of the files modified too shortly before the build to trust their stat."""
    published: tuple[float, float | None]
    """POSIX times: the newest published article's date and the oldest left out as future (None: none).
    Any clock from the first up to (not including) the second publishes the same articles."""
    articles: int
    pages: int
    warnings: tuple[SiteError, ...]

    def to_json(self) -> dict:
        return {"inputs": self.inputs, "racy": [list(r) for r in self.racy], "published": list(self.published), "articles": self.articles,
                "pages": self.pages, "warnings": [[w.path, w.message, w.line] for w in self.warnings]}

    @staticmethod
    def from_json(data: object) -> State | None:
        try:
            low, high = data["published"]
            return State(str(data["inputs"]), tuple((str(p), str(d)) for p, d in data["racy"]),
                         (float(low), None if high is None else float(high)),
                         int(data["articles"]), int(data["pages"]),
                         tuple(SiteError(str(p), str(m), None if n is None else int(n)) for p, m, n in data["warnings"]))
        except (TypeError, KeyError, ValueError):
            return None


Listing = list[tuple[str, int, int]]
"""(relative path, mtime_ns, size) of every file under a folder, sorted by path."""


@dataclass(frozen=True, slots=True)
class Inputs:
    """What the input folders look like now."""

    digest: str
    racy: tuple[tuple[str, str], ...]
    """(path, bytes digest) of files modified within RACY_NS of the build's start (or after it)."""
    listings: dict[Path, Listing] = field(default_factory=dict)
    """Each input folder's files as they were stat'ed, so the build need not walk the folders again."""


def read_inputs(key: str, roots: list[Path], started_ns: int) -> Inputs | None:
    """Digest of `key` and the stat of every file under `roots`; None when a file vanished meanwhile."""
    h = hashlib.sha256(key.encode())
    racy, listings = [], {}
    for root in roots:
        h.update(f"\0root\0{root}".encode())
        listing = listings[root] = []
        for rel in list_files(root):
            path = root / rel
            try:
                st = os.stat(path)
                if st.st_mtime_ns > started_ns - RACY_NS:
                    racy.append((str(path), _bytes_digest(path)))
            except OSError:
                return None
            listing.append((rel, st.st_mtime_ns, st.st_size))
            h.update(f"\0{rel}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}".encode())
    return Inputs(h.hexdigest(), tuple(racy), listings)


def _bytes_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def published_range(published: list[datetime], future: list[datetime]) -> tuple[float, float | None]:
    """The clock range in which exactly the same articles count as published."""
    return (max((d.timestamp() for d in published), default=float("-inf")),
            min((d.timestamp() for d in future), default=None))


def unchanged(state: State | None, inputs: Inputs | None, now: datetime) -> bool:
    """True when the recorded build had these very inputs and `now` publishes the same articles."""
    if state is None or inputs is None or state.inputs != inputs.digest:
        return False
    low, high = state.published
    if now.timestamp() < low or (high is not None and now.timestamp() >= high):
        return False
    try:  # a file racy then: its bytes must be those the build saw
        return all(_bytes_digest(Path(path)) == digest for path, digest in state.racy)
    except OSError:
        return False
