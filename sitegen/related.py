"""Related articles: latent topics (LSA), words (BM25-weighted cosine), rare shared tags and a mild recency
preference.

Pure and deterministic.  Corpus statistics (IDF, mean length, the latent basis, clusters) come from a
content-defined sample (sitegen.latent), so each article's vectors depend only on its own content and that
sample.  An article's candidates are the articles of the clusters nearest to it in the latent space, of
which the `4 x count` most similar there are scored exactly:

    score = text_weight x ((1 - latent_weight) x cos_words + latent_weight x cos_latent)
            + tag_weight x cos_tags,   times 1 + recency_weight x 0.5 ** (days apart / half-life)

Every weight is rounded so that each sum is exact: a score depends on the two articles alone, never on which
other articles were computed alongside, so a list changes only when its article, or an article it holds or
could hold, changes.  Work is done in blocks of rows, whole numpy operations at a time.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from sitegen import latent
from sitegen.config import RelatedSettings
from sitegen.related_state import RankingState
from sitegen.terms import Terms

_Rows = tuple[np.ndarray, np.ndarray, np.ndarray]  # CSR: row pointers, column ids, values


@dataclass(frozen=True, slots=True)
class RelatedDoc:
    """One article as the related-articles stage sees it."""

    id: str
    """Stable article id (path under content/)."""
    url: str
    """Article URL, used for deterministic tie-breaks."""
    timestamp: float
    """Article date as POSIX seconds."""
    tags: tuple[str, ...]
    """Normalised tag keys."""
    pinned: tuple[str, ...] = ()
    """Ids chosen by the writer: listed first, in order."""
    enabled: bool = True
    """False gives this article an empty list (it may still appear in others' lists)."""


@dataclass(frozen=True, slots=True)
class TermCounts:
    """The terms of many articles as rows of a sparse matrix: row r holds the term ids
    term[ptr[r]:ptr[r + 1]] with their counts.  Any numbering of the terms gives the same lists."""

    ptr: np.ndarray
    term: np.ndarray
    count: np.ndarray

    @classmethod
    def of(cls, terms: Sequence[Terms], vocab: dict[str, int] | None = None) -> TermCounts:
        """From extract_terms' output, one row per article; new terms are numbered in `vocab` (keeping one
        across calls numbers terms as a store does: the statistics of an unchanged sample are reused)."""
        vocab = {} if vocab is None else vocab
        ids = [vocab.setdefault(t, len(vocab)) for row in terms for t, _ in row]
        count = [n for row in terms for _, n in row]
        ptr = np.concatenate(([0], np.cumsum([len(row) for row in terms], dtype=np.int64)))
        return cls(ptr, np.array(ids, np.int32), np.array(count, np.int32))  # as a store's: 32 bits

    def rows(self, order: np.ndarray) -> TermCounts:
        """These rows, in this order."""
        lengths = np.diff(self.ptr)[order]
        at = _ranges(self.ptr[order], lengths)
        return TermCounts(np.concatenate(([0], np.cumsum(lengths))), self.term[at], self.count[at])


_ID, _TIME, _URL, _PINNED = (operator.attrgetter(name) for name in ("id", "timestamp", "url", "pinned"))
_UNIT = 2.0**32  # fixed-point unit of scores: those closer than this are ties
_BUDGET = 1 << 16  # array elements per block of rows: blocks stay in cache and reuse freed memory
_PROBES = 3
"""Clusters searched per article: its own and the two next nearest (a topic near a border has two homes)."""
_SHORTLIST = 4
"""Candidates scored exactly per list place: the latent similarity only shortlists."""


class Memo(Protocol):
    """Where corpus statistics and the last ranking's results are kept by the digest of their inputs (the
    article store)."""

    def get(self, key: str) -> object | None: ...

    def put(self, key: str, value: object) -> None: ...


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenation of arange(s, s + n) for each (s, n)."""
    ends = np.cumsum(lengths)
    return np.repeat(starts - ends + lengths, lengths) + np.arange(ends[-1] if len(ends) else 0)


def _row_ids(ptr: np.ndarray) -> np.ndarray:
    return np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))


def _blocks(cost: np.ndarray, max_rows: int) -> Iterator[np.ndarray]:
    """All rows, by increasing cost (similar rows pad little), in blocks within the element budget."""
    order = np.argsort(cost, kind="stable")
    ends = np.cumsum(cost[order])
    start = 0
    while start < len(order):
        stop = int(np.searchsorted(ends, ends[start] - cost[order[start]] + _BUDGET, "right"))
        stop = min(max(stop, start + 1), start + max_rows)
        yield order[start:stop]
        start = stop


def _number_columns(cols: np.ndarray, mark: np.ndarray, pos: np.ndarray, first: int) -> np.ndarray:
    """The distinct columns in `cols`, ascending, numbered from `first` in `pos`: a block's own dense
    layout. `mark` (one flag per column) is all False before and after."""
    mark[cols] = True
    used = np.flatnonzero(mark)
    mark[used] = False
    pos[used] = np.arange(first, first + len(used))
    return used


def _dots(rows: _Rows, pool: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Exact dot products rows[query[i]] . rows[pool[i, j]], 0 where pool is -1."""
    ptr, col, val = rows
    length = np.diff(ptr)
    pair_len = np.where(pool >= 0, length[pool], 0)
    out = np.zeros(pool.shape)
    seen, pos = np.zeros(col.max(initial=0) + 1, bool), np.zeros(col.max(initial=0) + 1, np.int64)
    max_rows = max(1, int((4 * _BUDGET / max(length.mean(), 1.0)) ** 0.5))  # bounds the dense block
    for block in _blocks(pair_len.sum(1) + length[query], max_rows):
        mine = query[block]
        ent = _ranges(ptr[mine], length[mine])
        terms = _number_columns(col[ent], seen, pos, 1)  # 0 stands for every term the block's rows lack
        width = len(terms) + 1
        dense = np.zeros(len(block) * width)
        dense[np.repeat(np.arange(len(block)) * width, length[mine]) + pos[col[ent]]] = val[ent]
        local, j = np.nonzero(pool[block] >= 0)
        other = pool[block[local], j]
        lens = length[other]
        other_ent = _ranges(ptr[other], lens)
        products = dense[np.repeat(local * width, lens) + pos[col[other_ent]]] * val[other_ent]
        some = lens > 0  # a candidate from the latent space may have no word or tag left
        if some.any():
            out[block[local[some]], j[some]] = np.add.reduceat(products, (np.cumsum(lens) - lens)[some])
        pos[terms] = 0
    return out


def _order(pool: np.ndarray, scores: np.ndarray, n: int) -> np.ndarray:
    """Each row's candidates (indices below n) by decreasing score, ties to the lower index; -1 for none."""
    key = np.rint(scores * _UNIT).astype(np.int64) * n + (n - 1 - pool)
    key[(pool < 0) | (scores <= 0)] = -1
    key = np.take_along_axis(key, np.argsort(-key, axis=1), 1)
    return np.where(key >= 0, n - 1 - key % n, -1)


def _lists(docs: Sequence[RelatedDoc], names: np.ndarray, ranked: np.ndarray, k: int
           ) -> dict[str, tuple[str, ...]]:
    """Each doc's pins, then its best candidates (`ranked`: indices into `names`, best first, -1: none); k ids
    at most."""
    ids = [d.id for d in docs]
    related = dict(zip(ids, map(tuple, names[ranked[:, :k]].tolist())))
    for r in np.flatnonzero((ranked[:, :k] < 0).any(1)).tolist():
        related[ids[r]] = tuple(filter(None, related[ids[r]]))
    for d, best in ((d, ranked[r]) for r, d in enumerate(docs) if d.pinned or not d.enabled):
        chosen = dict.fromkeys(p for p in (*d.pinned, *filter(None, names[best])) if p != d.id)
        related[d.id] = tuple(chosen)[:k] if d.enabled else ()
    return related


def _shares(s: RelatedSettings) -> tuple[float, float, float]:
    """The score's parts as shares of the larger of text_weight and tag_weight: words, latent, tags."""
    most = max(s.text_weight, s.tag_weight, 1e-300)
    return s.text_weight * (1 - s.latent_weight) / most, s.text_weight * s.latent_weight / most, s.tag_weight / most


def _statistics(docs: Sequence[RelatedDoc], terms: TermCounts, s: RelatedSettings, memo: Memo | None
                ) -> tuple[latent.Statistics, str]:
    """The sample's statistics, from the memo when its inputs are those it was computed from; their key."""
    rows = latent.sample_rows(list(map(_ID, docs)), s.sample_size)
    sample = terms.rows(rows)
    tags = [docs[r].tags for r in rows]
    shares = _shares(s)
    h = hashlib.sha256(repr((s.latent_dimensions, s.max_df_ratio, s.sample_size, shares, tags)).encode())
    h.update(latent.cluster_count(len(docs)).to_bytes(8, "big"))
    for part in (np.diff(sample.ptr), sample.term, sample.count):
        h.update(np.ascontiguousarray(part, np.int64).tobytes())
    key = h.hexdigest()
    stats = memo.get(key) if memo is not None else None
    if stats is None:
        stats = latent.sample_statistics(sample.ptr, sample.term, sample.count, tags, len(docs),
                                         s.latent_dimensions, s.max_df_ratio, (shares[0] + shares[1], shares[2]))
        if memo is not None:
            memo.put(key, stats)
    return stats, key


def _rows(docs: Sequence[RelatedDoc], terms: TermCounts, stats: latent.Statistics, s: RelatedSettings
          ) -> tuple[_Rows, latent.Weighted]:
    """Per doc, a sparse vector of words and tags: their dot product is the score's word and tag part."""
    words_share, _, tags_share = _shares(s)
    weighted = latent.weigh(stats, terms.ptr, terms.term, terms.count, [d.tags for d in docs], s.max_df_ratio)
    # Tags get columns after every term's, numbered in any order: sums of rounded weights are exact.
    tag_of: dict[str, int] = {}
    base = int(terms.term.max(initial=0)) + 1
    tag_col = np.fromiter((tag_of.setdefault(t, base + len(tag_of)) for t in weighted.tags), np.int64,
                          len(weighted.tags))
    n_words, n_tags = np.diff(terms.ptr), np.diff(weighted.tag_ptr)
    ptr = np.concatenate(([0], np.cumsum(n_words + n_tags)))
    word_at = np.arange(len(terms.term)) + np.repeat(weighted.tag_ptr[:-1], n_words)
    tag_at = np.arange(len(tag_col)) + np.repeat(terms.ptr[1:], n_tags)
    col, val = np.empty(ptr[-1], np.int32), np.empty(ptr[-1], np.float32)  # exact: multiples of 2**-16 up to 1
    col[word_at], val[word_at] = terms.term, latent.quantize(weighted.words * np.sqrt(words_share))
    col[tag_at], val[tag_at] = tag_col, latent.quantize(weighted.tag_weight * np.sqrt(tags_share))
    useful = val > 0
    ptr = np.concatenate(([0], np.cumsum(np.bincount(_row_ids(ptr)[useful], minlength=len(docs)))))
    return (ptr, col[useful], val[useful]), weighted


def _latent(stats: latent.Statistics, weighted: latent.Weighted, s: RelatedSettings) -> np.ndarray:
    """Latent vectors of words and tags (integers, unit length latent.LATENT_SCALE)."""
    words_share, latent_share, tags_share = _shares(s)
    return latent.project(stats, weighted, (words_share + latent_share, tags_share))


def _clusters(vectors: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Each row's _PROBES nearest clusters, nearest first (ties to the lower cluster): its home first."""
    n_clusters = len(centroids)
    near = (vectors @ centroids.T).astype(np.int64)  # exact: integers
    return np.argsort(-(near * n_clusters + np.arange(n_clusters)[::-1]), 1)[:, : min(_PROBES, n_clusters)]


def _shortlist(vectors: np.ndarray, probes: np.ndarray, keep: int, rows: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """For these rows, the `keep` other rows most similar in the latent space (ties to the lower index; -1:
    none) among the rows of its nearest clusters (`probes`); and those similarities (integer dot products)."""
    n, width = len(vectors), probes.shape[1]
    # Keys (similarity + 2**24) x n + (n - 1 - row) are exact in float64 (below 2**45 + 2**20): the larger
    # key is the more similar row, then the lower one.
    table = np.full((len(rows), width, keep), -1.0)
    home = np.argsort(probes[:, 0], kind="stable")
    home_start = np.searchsorted(probes[home, 0], np.arange(probes.max(initial=0) + 2))
    wanted = probes[rows].ravel()
    by_cluster = np.argsort(wanted, kind="stable")
    starts = np.searchsorted(wanted[by_cluster], np.arange(probes.max(initial=0) + 2))
    for c in np.unique(wanted).tolist():
        members = home[home_start[c] : home_start[c + 1]]
        if not len(members):
            continue
        seekers = by_cluster[starts[c] : starts[c + 1]]  # positions in (rows, width)
        tie = (n - 1 - members).astype(np.float64)
        step = max(1, (1 << 21) // len(members))
        for begin in range(0, len(seekers), step):
            at = seekers[begin : begin + step]
            q = rows[at // width]
            key = (vectors[q] @ vectors[members].T).astype(np.float64)  # exact: integers below 2**24
            key += 1 << 24
            key *= n
            key += tie
            mine = np.searchsorted(members, q)  # a row never lists itself
            own = np.flatnonzero(members[np.minimum(mine, len(members) - 1)] == q)
            key[own, mine[own]] = -1.0
            top = min(keep, len(members))
            if top < len(members):
                key = np.partition(key, len(members) - top, 1)[:, len(members) - top :]
            table[at // width, at % width, :top] = key
    table = -np.sort(-table.reshape(len(rows), width * keep), 1)[:, :keep]
    found = table >= 0
    key = np.where(found, table, 0).astype(np.int64)
    return np.where(found, n - 1 - key % n, -1), np.where(found, key // n - (1 << 24), 0)


def _recency(mine: np.ndarray, times: np.ndarray, pool: np.ndarray, s: RelatedSettings) -> np.ndarray:
    """Each candidate's boost for closeness in time, by whole days, from a table built with Python's math."""
    days = np.rint(np.abs(mine[:, None] - times[np.maximum(pool, 0)]) / 86400.0).astype(np.int64)
    half_life = max(s.recency_half_life_days, 1e-9)
    last = int(min(days.max(initial=0), 64 * half_life))  # beyond: 1 + weight x 2**-64, i.e. 1
    table = np.array([1 + s.recency_weight * 0.5 ** (d / half_life) for d in range(last + 1)] + [1.0])
    return table[np.minimum(days, last + 1)]


def compute_related(docs: Sequence[RelatedDoc], terms: TermCounts, settings: RelatedSettings,
                    memo: Memo | None = None) -> dict[str, tuple[str, ...]]:
    """For every doc id: up to settings.count related ids, best first (pins first, never itself, no
    duplicates).  Row r of `terms` holds the terms of docs[r]; `memo` keeps corpus statistics between calls."""
    docs, state = _scored(docs, terms, settings, memo)
    return dict(state.lists) if state else {d.id: () for d in docs}


def shortlists(docs: Sequence[RelatedDoc], terms: TermCounts, settings: RelatedSettings,
               memo: Memo | None = None) -> dict[str, tuple[str, ...]]:
    """For every doc id: the ids its list is chosen from (the nearest in the latent space, nearest first).
    A list can change only when its own article, or an article that enters or leaves these, changes."""
    docs, state = _scored(docs, terms, settings, memo)
    if state is None:
        return {d.id: () for d in docs}
    ids = np.array([*(d.id for d in docs), None], object)  # -1 picks None
    return {d.id: tuple(filter(None, row)) for d, row in zip(docs, ids[state.pool].tolist())}


def _scored(docs: Sequence[RelatedDoc], terms: TermCounts, settings: RelatedSettings, memo: Memo | None
            ) -> tuple[list[RelatedDoc], RankingState | None]:
    """The docs in canonical order and the ranking's results (None: no lists to make)."""
    if len(set(map(_ID, docs))) != len(docs):
        raise ValueError("compute_related: duplicate article ids")
    if len(terms.ptr) != len(docs) + 1:
        raise ValueError("compute_related: one row of terms per doc")
    # Canonical order, newest first then by URL: results do not depend on the input order, and the
    # lower index wins every tie (between two articles, whichever others there are).
    keys = list(zip(map(operator.neg, map(_TIME, docs)), map(_URL, docs), map(_ID, docs)))
    order = sorted(range(len(docs)), key=keys.__getitem__)
    docs, terms = [docs[r] for r in order], terms.rows(np.array(order, np.int64))
    n, k = len(docs), max(settings.count, 0)
    keep = _SHORTLIST * k + max(map(len, map(_PINNED, docs)), default=0)
    if n < 2 or not k:
        return docs, None
    stats, key = _statistics(docs, terms, settings, memo)
    state_key = f"{key}/lists/{hashlib.sha256(repr((settings, keep)).encode()).hexdigest()}"
    before = memo.get(state_key) if memo is not None else None
    state = RankingState.of(docs, terms)
    rows = None
    if before is None or not state.update(before, n // 8):
        rows, weighted = _rows(docs, terms, stats, settings)
        state.vectors = _latent(stats, weighted, settings)
        state.probes = _clusters(state.vectors, stats.centroids)
        todo = np.arange(n)
        state.pool, state.floor, state.lists = np.full((n, keep), -1), np.zeros(n, np.int64), {}
    else:
        fresh = np.flatnonzero(state.fresh)
        weighted = _rows([docs[r] for r in fresh], terms.rows(fresh), stats, settings)[1]
        state.vectors[fresh] = _latent(stats, weighted, settings)
        state.probes[fresh] = _clusters(state.vectors[fresh], stats.centroids)
        todo = state.reach(fresh)
    if len(todo):
        scores = _rank(docs, terms, stats, settings, state, todo, rows)
        names = np.array([*map(_ID, docs), None], object)  # -1 picks None
        state.lists.update(_lists([docs[r] for r in todo], names, _order(state.pool[todo], scores, n), k))
    if memo is not None:
        memo.put(state_key, state)
    return docs, state


def _rank(docs: Sequence[RelatedDoc], terms: TermCounts, stats: latent.Statistics, settings: RelatedSettings,
          state: RankingState, todo: np.ndarray, rows: _Rows | None) -> np.ndarray:
    """Shortlist these rows of the state and return their candidates' scores (`rows`: every doc's word and
    tag vector, if at hand)."""
    pool, agree = _shortlist(state.vectors, state.probes, state.pool.shape[1], todo)
    if rows is None:  # the word and tag vectors of the rows to score and of their candidates only
        needed = np.unique(np.concatenate((todo, pool[pool >= 0])))
        rows = _rows([docs[r] for r in needed], terms.rows(needed), stats, settings)[0]
    else:
        needed = np.arange(len(docs))
    local = np.where(pool >= 0, np.searchsorted(needed, pool), -1)
    scale = _shares(settings)[1] / latent.LATENT_SCALE**2
    scores = np.where(pool >= 0, _dots(rows, local, np.searchsorted(needed, todo)) + scale * agree, 0.0)
    times = np.fromiter(map(_TIME, docs), float, len(docs))
    state.pool[todo], state.floor[todo] = pool, agree[:, -1]
    return scores * _recency(times[todo], times, pool, settings)
