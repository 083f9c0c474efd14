"""What one related ranking leaves for the next (kept in the article store by the statistics' key): per
article, its latent vector, clusters, shortlist and list, so that a ranking with the same statistics ranks
again only the rows an edit can change."""
from __future__ import annotations

import operator
from collections.abc import Sequence
from itertools import repeat
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sitegen.related import RelatedDoc, TermCounts

_ID = operator.attrgetter("id")
_META = operator.attrgetter("tags", "timestamp", "url", "pinned", "enabled")  # what a list depends on besides words


class RankingState:
    """One ranking's results by article id, left in the memo for the next: with the same statistics, the
    rows whose article and candidates are unchanged keep their shortlist and list (all exact)."""

    def __init__(self, ids: list[str], digests: np.ndarray, meta: list[tuple]):
        self.ids, self.digests, self.meta = ids, digests, meta
        self.vectors = self.probes = self.pool = self.floor = self.fresh = np.zeros(0)
        """Per row: latent vector, nearest clusters, shortlist, similarity of its last candidate."""
        self.lost = np.zeros(0, bool)
        self.lists: dict[str, tuple[str, ...]] = {}

    @classmethod
    def of(cls, docs: Sequence[RelatedDoc], terms: TermCounts) -> RankingState:
        """The ids, term digests and other list inputs of these docs, results still to be filled in."""
        # A digest per row of terms, from 64-bit mixes of (term, count, position) added up: vectorised.
        at = np.arange(len(terms.term)) - np.repeat(terms.ptr[:-1], np.diff(terms.ptr))
        mix = (terms.term.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
               ^ terms.count.astype(np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F)) * (at.astype(np.uint64) * 2 + 1)
        mix ^= mix >> np.uint64(29)
        total = np.concatenate((np.zeros(1, np.uint64), np.cumsum(mix, dtype=np.uint64)))
        digests = total[terms.ptr[1:]] - total[terms.ptr[:-1]] + np.diff(terms.ptr).astype(np.uint64)
        return cls(list(map(_ID, docs)), digests, list(map(_META, docs)))

    def update(self, before: RankingState, limit: int) -> bool:
        """Take over `before`'s results for the unchanged rows, if few changed: which rows are fresh (new or
        changed) and which kept rows lost a candidate (it changed or went)."""
        index = dict(zip(before.ids, range(len(before.ids))))
        old = np.fromiter(map(index.get, self.ids, repeat(-1)), np.int64, len(self.ids))
        same = np.fromiter(map(operator.eq, map(before.meta.__getitem__, old.tolist()), self.meta), bool,
                           len(self.ids)) & (old >= 0)
        same &= before.digests[old] == self.digests
        if (~same).sum() + len(before.ids) - same.sum() > limit:
            return False
        new_of = np.full(len(before.ids) + 1, -2)  # -2: changed or gone; index -1 (none) stays -1
        new_of[-1] = -1
        new_of[old[same]] = np.flatnonzero(same)
        n, kept = len(self.ids), old[same]
        self.fresh = ~same
        self.vectors = np.zeros((n, before.vectors.shape[1]), np.float32)
        self.vectors[same] = before.vectors[kept]
        self.probes = np.zeros((n, before.probes.shape[1]), np.int64)
        self.probes[same] = before.probes[kept]
        self.pool = np.full((n, before.pool.shape[1]), -1)
        self.pool[same] = new_of[before.pool[kept]]
        self.floor = np.zeros(n, np.int64)
        self.floor[same] = before.floor[kept]
        self.lost = (self.pool == -2).any(1)
        self.lists = dict(before.lists)
        for gone in set(before.ids).difference(self.ids):
            del self.lists[gone]
        return True

    def reach(self, fresh: np.ndarray) -> np.ndarray:
        """The rows to rank again: the fresh, those that lost a candidate, and those a fresh row now enters
        (it is in a cluster they search and beats their last candidate, or they have room)."""
        todo = self.fresh | self.lost
        n = len(self.ids)
        for r in fresh.tolist():
            seekers = np.flatnonzero((self.probes == self.probes[r, 0]).any(1) & ~todo)
            sims = (self.vectors[seekers] @ self.vectors[r]).astype(np.int64)
            last = self.pool[seekers, -1]
            floor = np.where(last >= 0, self.floor[seekers], -(1 << 40))
            todo[seekers[(sims > floor) | ((sims == floor) & (r < np.where(last >= 0, last, n)))]] = True
        return np.flatnonzero(todo)

    def __getstate__(self) -> dict:
        """Small integers where they fit: the state is read and written on every ranking."""
        return dict(self.__dict__, fresh=None, lost=None, vectors=self.vectors.astype(np.int16),
                    probes=self.probes.astype(np.int16), pool=self.pool.astype(np.int32),
                    floor=self.floor.astype(np.int32))

    def __setstate__(self, values: dict) -> None:
        self.__dict__.update(values, vectors=values["vectors"].astype(np.float32),
                             probes=values["probes"].astype(np.int64), pool=values["pool"].astype(np.int64),
                             floor=values["floor"].astype(np.int64))
