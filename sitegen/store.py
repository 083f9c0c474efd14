"""The persistent article cache: parsed articles by file, their HTML bodies and terms, related lists and the
corpus statistics they were ranked with.

One SQLite file per site. Metadata loads in one query; bodies and terms are fetched only when a page or
the related ranking needs them, so a rebuild of nothing touches neither and memory stays bounded.  Terms
are stored as ids of a vocabulary table, in a table of their own, so that the ranking reads little and
loads every article's terms as one array."""
from __future__ import annotations

import functools
import os
import pickle
import sqlite3
import threading
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

from sitegen.model import Article
from sitegen.terms import Terms

if TYPE_CHECKING:
    import numpy as np

SCHEMA = 6
"""Bumped whenever the tables or the pickled dataclasses change shape."""
_PAIR = 8
"""Bytes per stored (term id, count) pair: two native 32-bit integers."""
_LOOKUP = 500
"""Terms per vocabulary query (SQLite allows 999 parameters in old versions)."""

_IN_SQLITE = threading.RLock()
"""Held by a thread while it uses a store, and by a thread that forks: a process forked while another thread
was inside SQLite would inherit SQLite's mutexes locked and hang at its first query (`watch` indexes search
on a thread while the next build forks its workers)."""
os.register_at_fork(before=_IN_SQLITE.acquire, after_in_parent=_IN_SQLITE.release,
                    after_in_child=_IN_SQLITE.release)


def _in_sqlite(method):
    """The method runs holding `_IN_SQLITE`."""
    @functools.wraps(method)
    def locked(*args, **kwargs):
        with _IN_SQLITE:
            return method(*args, **kwargs)
    return locked


@dataclass(frozen=True, slots=True)
class Cached:
    """What the cache knows of one source file."""

    mtime_ns: int
    size: int
    article: Article


class CacheError(Exception):
    """The cache file is unreadable or from another sitegen; it is discarded and rebuilt."""


class ArticleStore:
    """SQLite-backed store; one connection per process (workers forked from the builder reopen it)."""

    def __init__(self, path: Path, stamp: str):
        self.path = path
        self.stamp = stamp
        self._conn: sqlite3.Connection | None = None
        self._pid = -1
        self._term_ids: dict[str, int] = {}
        """The vocabulary ids this process has looked up or added."""

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():
            self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._pid = os.getpid()
        return self._conn

    @_in_sqlite
    def open(self) -> str | None:
        """Prepare the tables; returns a notice when an unusable cache was discarded."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        notice = None
        try:
            row = self._check()
        except sqlite3.DatabaseError as exc:
            row, notice = None, f"cache {self.path} was unreadable ({exc}); rebuilt it"
        if row != (SCHEMA, self.stamp):
            if row is not None and notice is None:
                notice = None if row[0] == SCHEMA else f"cache {self.path} was from another sitegen; rebuilt it"
            self.close()
            discard(self.path)
            self._term_ids = {}
            self._create()
        return notice

    def _check(self) -> tuple[int, str] | None:
        tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "info" not in tables:
            return None
        return self.conn.execute("SELECT schema, stamp FROM info").fetchone()

    def _create(self) -> None:
        c = self.conn
        c.execute("CREATE TABLE info (schema INTEGER, stamp TEXT)")
        c.execute("INSERT INTO info VALUES (?, ?)", (SCHEMA, self.stamp))
        c.execute("CREATE TABLE articles (id TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER, meta BLOB, "
                  "html TEXT)")
        c.execute("CREATE TABLE terms (id TEXT PRIMARY KEY, pairs BLOB)")
        c.execute("CREATE TABLE related (key TEXT PRIMARY KEY, lists BLOB)")
        c.execute("CREATE TABLE statistics (key TEXT PRIMARY KEY, value BLOB)")
        c.execute("CREATE TABLE vocabulary (id INTEGER PRIMARY KEY, term TEXT UNIQUE NOT NULL)")

    @_in_sqlite
    def index(self) -> dict[str, Cached]:
        """Every cached article by id, without bodies or terms."""
        try:
            rows = self.conn.execute("SELECT id, mtime_ns, size, meta FROM articles").fetchall()
            return {i: Cached(m, s, load_article(meta)) for i, m, s, meta in rows}
        except (sqlite3.DatabaseError, pickle.UnpicklingError, AttributeError, TypeError) as exc:
            raise CacheError(str(exc)) from exc

    @_in_sqlite
    def put(self, rows: Sequence[tuple[str, int, int, bytes, str, Terms]]) -> None:
        """Store freshly parsed articles: (id, mtime_ns, size, `dump_article(article)`, html, terms)."""
        with self.conn:
            self.conn.execute("BEGIN")  # one transaction: the vocabulary never lacks a stored term's id
            self.conn.executemany("INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?)",
                                  ((i, m, s, meta, html) for i, m, s, meta, html, _ in rows))
            ids = self._ids_of(dict.fromkeys(term for row in rows for term, _ in row[5]))
            self.conn.executemany("INSERT OR REPLACE INTO terms VALUES (?, ?)",
                                  ((row[0], _pack(row[5], ids)) for row in rows))

    def _ids_of(self, terms: Iterable[str]) -> dict[str, int]:
        """The vocabulary, with ids for these terms (new ones are added)."""
        missing = [t for t in terms if t not in self._term_ids]
        self.conn.executemany("INSERT OR IGNORE INTO vocabulary (term) VALUES (?)", ((t,) for t in missing))
        for start in range(0, len(missing), _LOOKUP):
            part = missing[start : start + _LOOKUP]
            self._term_ids.update(self.conn.execute(
                f"SELECT term, id FROM vocabulary WHERE term IN ({', '.join('?' * len(part))})", part))
        return self._term_ids

    @_in_sqlite
    def touch(self, rows: Iterable[tuple[str, int, int]]) -> None:
        """Record a new mtime/size for files whose bytes did not change."""
        with self.conn:
            self.conn.executemany("UPDATE articles SET mtime_ns = ?, size = ? WHERE id = ?",
                                  ((m, s, i) for i, m, s in rows))

    @_in_sqlite
    def delete(self, ids: Iterable[str]) -> None:
        with self.conn:
            self.conn.executemany("DELETE FROM articles WHERE id = ?", ((i,) for i in ids))
            self.conn.executemany("DELETE FROM terms WHERE id = ?", ((i,) for i in ids))

    @_in_sqlite
    def html(self, article_id: str) -> str:
        row = self.conn.execute("SELECT html FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            raise KeyError(article_id)
        return row[0]

    @_in_sqlite
    def terms(self, ids: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The terms of these articles, in this order, as rows of a sparse matrix: row r holds the
        vocabulary ids term[ptr[r]:ptr[r + 1]] with their counts; (ptr, term, count)."""
        import numpy as np  # only the ranking calls this: a build that reuses its lists loads no numpy

        blobs = dict(self.conn.execute("SELECT id, pairs FROM terms"))
        packed = [blobs[i] for i in ids]
        pairs = np.frombuffer(b"".join(packed), np.uint32).reshape(-1, 2)
        lengths = np.fromiter(map(len, packed), np.int64, len(packed)) // _PAIR
        return np.concatenate(([0], np.cumsum(lengths))), pairs[:, 0], pairs[:, 1]

    @_in_sqlite
    def related(self, key: str) -> dict[str, tuple[str, ...]] | None:
        row = self.conn.execute("SELECT lists FROM related WHERE key = ?", (key,)).fetchone()
        return pickle.loads(row[0]) if row else None

    @_in_sqlite
    def save_related(self, key: str, lists: dict[str, tuple[str, ...]]) -> None:
        with self.conn:
            self.conn.execute("DELETE FROM related")
            self.conn.execute("INSERT INTO related VALUES (?, ?)", (key, pickle.dumps(lists, protocol=5)))

    def statistics(self) -> StatisticsMemo:
        """The related ranking's corpus statistics, by the digest of their sample."""
        return StatisticsMemo(self)

    @_in_sqlite
    def close(self) -> None:
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()
        self._conn = None


class StatisticsMemo:
    """The last corpus statistics of the related ranking and its last results (sitegen.related.Memo): an
    edit outside the sample finds them here and re-ranks only the lists it can enter or leave."""

    def __init__(self, store: ArticleStore):
        self._store = store

    @_in_sqlite
    def get(self, key: str) -> object | None:
        row = self._store.conn.execute("SELECT value FROM statistics WHERE key = ?", (key,)).fetchone()
        return pickle.loads(row[0]) if row else None

    @_in_sqlite
    def put(self, key: str, value: object) -> None:
        """Keep this value only: new statistics replace every value, a new ranking state the last one."""
        with self._store.conn:
            self._store.conn.execute("DELETE FROM statistics WHERE ? = 0 OR instr(key, '/') > 0", ("/" in key,))
            self._store.conn.execute("INSERT INTO statistics VALUES (?, ?)", (key, pickle.dumps(value, protocol=5)))


def discard(path: Path) -> None:
    """Delete a store's files (the database and SQLite's journal files beside it)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def dump_article(article: Article) -> bytes:
    """An article as the store keeps it (workers that parse do this, so the builder need not)."""
    return pickle.dumps(article, protocol=5)


def load_article(data: bytes) -> Article:
    return pickle.loads(data)


def _pack(terms: Terms, ids: dict[str, int]) -> bytes:
    """The (term id, count) pairs of `ArticleStore.terms`."""
    return array("I", chain.from_iterable((ids[t], n) for t, n in terms)).tobytes()
