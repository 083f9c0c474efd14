"""Corpus statistics of the related ranking, from a content-defined sample of the archive.

Pure and deterministic.  The sample is the articles whose stable hash of id is lowest, `sample_size` at most,
so an edit to any other article changes no statistic: only its own vector, and the lists it can enter or
leave.  From the sample come each term's document frequency (for IDF), the mean length (for BM25), a
latent basis (LSA: a randomized truncated SVD of the sample's weighted term matrix) and cluster centroids
in that latent space (k-means), which bound where an article's neighbours are searched for."""
from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

LATENT_SCALE = 511
"""Latent vectors are rounded to integers in [-511, 511]: products of two summed over at most 64 dimensions
stay below 2**24, so float32 matrix products of them are exact whatever order they are added in."""
MAX_DIMENSIONS = 64
_QUANTUM = 2.0**16
"""Weights are rounded to multiples of 1/_QUANTUM: sums of their products are exact in float64, so a score
never depends on the order a block of work met the terms in (an incremental build equals a clean one)."""
_MIN_COMMON = 32
"""A term or tag is dropped as too common only when more than this many sample articles carry it."""
_POWER_STEPS = 2
_KMEANS_STEPS = 8
_CLUSTER_SIZE = 400
"""Articles per cluster, roughly: the clusters double as the archive does (by powers of two, so that an
edit, which keeps the number of articles, never changes them)."""


def stable_hash(article_id: str) -> int:
    """A 64-bit hash of an id that is the same in every process and on every machine (two checksums in C:
    every build hashes every id)."""
    data = article_id.encode()
    return zlib.crc32(data) << 32 | zlib.adler32(data)


def sample_rows(ids: Sequence[str], size: int) -> np.ndarray:
    """Indices of the `size` ids with the lowest stable hash, in hash order (equal hashes, which two ids
    share with odds of 2**-64, in the order given)."""
    data = list(map(str.encode, ids))
    high = np.fromiter(map(zlib.crc32, data), np.uint64, len(data))
    low = np.fromiter(map(zlib.adler32, data), np.uint64, len(data))
    return np.argsort(high << np.uint64(32) | low, kind="stable")[: max(size, 0)]


def cluster_count(n_articles: int) -> int:
    """Clusters for an archive of this size: a power of two, about _CLUSTER_SIZE articles each."""
    return 1 << max(0, int(math.log2(max(n_articles, 1) / _CLUSTER_SIZE)))


@dataclass(frozen=True, slots=True)
class Statistics:
    """What the sample says about the whole archive."""

    sample: int
    """Articles in the sample."""
    mean_length: float
    """Mean number of term occurrences per sample article (BM25's length normalisation)."""
    terms: np.ndarray
    """Term ids with a sample document frequency, ascending."""
    term_df: np.ndarray
    """Their document frequencies in the sample."""
    tag_df: dict[str, int]
    """Each tag's document frequency in the sample."""
    basis_terms: np.ndarray
    """Term ids with a row in the latent basis, ascending."""
    basis_tags: tuple[str, ...]
    """Tags with a row in the latent basis (after the terms'), sorted."""
    basis: np.ndarray
    """(rows, dimensions) float64, multiples of 1/_QUANTUM: feature weights -> latent coordinates."""
    centroids: np.ndarray
    """(clusters, dimensions) float32 integers: cluster centres in the latent space, unit length x LATENT_SCALE."""

    def idf(self, df: np.ndarray) -> np.ndarray:
        """IDF of these sample document frequencies, from a table built with Python's math (numpy's vector
        log may differ in the last bit with the length of the array)."""
        table = np.array([math.log((self.sample + 1) / (d + 1)) for d in range(self.sample + 1)])
        return table[np.minimum(df, self.sample)]

    def common(self, df: np.ndarray, max_df_ratio: float) -> np.ndarray:
        """Which of these document frequencies mark a term or tag carried by too many articles to link any."""
        return df > max(max_df_ratio * self.sample, _MIN_COMMON)

    def term_frequency(self, term: np.ndarray) -> np.ndarray:
        """The sample document frequency of each of these term ids (0 for terms the sample lacks)."""
        if not len(self.terms):
            return np.zeros(len(term), np.int64)
        at = np.minimum(np.searchsorted(self.terms, term), len(self.terms) - 1)
        return np.where(self.terms[at] == term, self.term_df[at], 0)


@dataclass(frozen=True, slots=True)
class Weighted:
    """Rows of unit-length weights (multiples of 1/_QUANTUM) of words and of tags."""

    ptr: np.ndarray
    term: np.ndarray
    words: np.ndarray
    """Per term entry: BM25 x IDF, each row of unit length (0: too common)."""
    tag_ptr: np.ndarray
    tags: list[str]
    tag_weight: np.ndarray
    """Per tag entry: IDF, each row of unit length (0: too common)."""


def quantize(values: np.ndarray) -> np.ndarray:
    return np.rint(values * _QUANTUM) / _QUANTUM


def unit_rows(ptr: np.ndarray, weight: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """Each row's weights divided by the row's length, times `scale`, rounded: exact whatever the order of
    its entries (lengths are summed from weights rounded to 1/4096, whose squares add up exactly)."""
    coarse = np.rint(weight * 4096.0)
    row = np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))
    norm = np.sqrt(np.bincount(row, coarse * coarse, len(ptr) - 1))
    return quantize(coarse * scale / np.maximum(norm[row], 1e-300))


def weigh(stats: Statistics, ptr: np.ndarray, term: np.ndarray, count: np.ndarray, tags: Sequence[Sequence[str]],
          max_df_ratio: float) -> Weighted:
    """Word weights (BM25 term frequency x IDF) and tag weights (IDF) of these rows, each of unit length."""
    k1, b = 1.2, 0.75
    count = count.astype(float)
    total = np.concatenate(([0.0], np.cumsum(count)))  # integers: exact
    length = np.repeat(total[ptr[1:]] - total[ptr[:-1]], np.diff(ptr))
    tf = count * (k1 + 1) / (count + k1 * (1 - b + b * length / max(stats.mean_length, 1.0)))
    df = stats.term_frequency(term)
    words = unit_rows(ptr, np.where(stats.common(df, max_df_ratio), 0.0, tf * stats.idf(df)))
    names = [t for row in tags for t in row]
    tag_ptr = np.concatenate(([0], np.cumsum([len(row) for row in tags], dtype=np.int64)))
    tag_df = np.array([stats.tag_df.get(t, 0) for t in names], np.int64)
    tag_weight = unit_rows(tag_ptr, np.where(stats.common(tag_df, max_df_ratio), 0.0, stats.idf(tag_df)))
    return Weighted(ptr, term, words, tag_ptr, names, tag_weight)


def _features(stats: Statistics, w: Weighted, shares: tuple[float, float]
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows' entries that have a basis row: (row, basis row, weight x sqrt(share)), by row."""
    n = len(w.ptr) - 1
    at = np.searchsorted(stats.basis_terms, w.term)
    at = np.minimum(at, max(len(stats.basis_terms) - 1, 0))
    known = stats.basis_terms[at] == w.term if len(stats.basis_terms) else np.zeros(len(w.term), bool)
    tag_row = {t: len(stats.basis_terms) + i for i, t in enumerate(stats.basis_tags)}
    tag_at = np.array([tag_row.get(t, -1) for t in w.tags], np.int64)
    row = np.concatenate((np.repeat(np.arange(n), np.diff(w.ptr))[known],
                          np.repeat(np.arange(n), np.diff(w.tag_ptr))[tag_at >= 0]))
    at = np.concatenate((at[known], tag_at[tag_at >= 0]))
    weight = np.concatenate((quantize(w.words[known] * math.sqrt(shares[0])),
                             quantize(w.tag_weight[tag_at >= 0] * math.sqrt(shares[1]))))
    by_row = np.argsort(row, kind="stable")
    return row[by_row], at[by_row], weight[by_row]


def project(stats: Statistics, w: Weighted, shares: tuple[float, float]) -> np.ndarray:
    """Latent vectors of these rows (words and tags weighted by `shares`), rounded to integers of unit length
    LATENT_SCALE (0 for a row without a feature of the basis).  Sums of products of two multiples of
    1/_QUANTUM are exact in float64."""
    n, dims = len(w.ptr) - 1, stats.basis.shape[1]
    row, at, weight = _features(stats, w, shares)
    step = 1 << 15
    latent = np.zeros((n, dims))
    for start in range(0, len(row), step):
        part = slice(start, start + step)
        r = row[part]
        first = np.flatnonzero(np.diff(r, prepend=-1))
        latent[r[first]] += np.add.reduceat(weight[part, None] * stats.basis[at[part]], first)
    fine = np.rint(latent * 2.0**20)  # squares of these add up exactly
    norm = np.sqrt((fine * fine).sum(1, keepdims=True))
    return np.rint(fine * LATENT_SCALE / np.maximum(norm, 1e-300)).astype(np.float32)


def sample_statistics(ptr: np.ndarray, term: np.ndarray, count: np.ndarray, tags: Sequence[Sequence[str]],
                      n_articles: int, dimensions: int, max_df_ratio: float, shares: tuple[float, float]
                      ) -> Statistics:
    """Statistics of a sample given as rows of term counts (in hash order) with their tags, for an archive of
    `n_articles` articles; the latent space spans words and tags weighted by `shares`."""
    m = len(ptr) - 1
    terms, term_df = np.unique(term, return_counts=True)
    tag_df: dict[str, int] = {}
    for row in tags:
        for t in set(row):
            tag_df[t] = tag_df.get(t, 0) + 1
    mean_length = float(count.sum()) / max(m, 1)
    bare = Statistics(m, mean_length, terms, term_df, tag_df, terms[:0], (), np.zeros((0, 0)),
                      np.zeros((0, 0), np.float32))
    # The basis covers the words and tags that link sample articles: shared, and not too common.
    basis_terms = terms[(term_df >= 2) & ~bare.common(term_df, max_df_ratio)]
    basis_tags = tuple(sorted(t for t, df in tag_df.items() if df >= 2 and not bare.common(np.array(df),
                                                                                             max_df_ratio)))
    n_rows = len(basis_terms) + len(basis_tags)
    dims = max(1, min(dimensions, MAX_DIMENSIONS, m - 1, n_rows))
    stats = Statistics(m, mean_length, terms, term_df, tag_df, basis_terms, basis_tags, np.zeros((n_rows, dims)),
                       bare.centroids)
    weighted = weigh(stats, ptr, term, count, tags, max_df_ratio)
    row, at, weight = _features(stats, weighted, shares)
    # The matrix's columns are numbered by first appearance in the sample (rows in hash order, features in each
    # row's own order), not by the caller's term ids: every sum then runs in the same order for any numbering.
    first = np.full(n_rows, len(at))
    first[at[::-1]] = np.arange(len(at))[::-1]
    rank = np.empty(n_rows, np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(n_rows)
    basis = quantize(_top_right_vectors(m, row, rank[at], weight, n_rows, dims)[rank])
    stats = Statistics(m, mean_length, terms, term_df, tag_df, basis_terms, basis_tags, basis, bare.centroids)
    return Statistics(m, mean_length, terms, term_df, tag_df, basis_terms, basis_tags, basis,
                      _centroids(project(stats, weighted, shares), cluster_count(n_articles)))


def _top_right_vectors(n: int, row: np.ndarray, column: np.ndarray, value: np.ndarray, n_cols: int, dims: int
                       ) -> np.ndarray:
    """(n_cols, dims): the leading right singular vectors of the sparse n x n_cols matrix with these entries
    (by row), by a randomized range finder with power steps (Halko et al.)."""
    if not n_cols or not len(row):
        return np.zeros((n_cols, dims))
    value = value.astype(np.float32)
    by_col = np.argsort(column, kind="stable")

    def times(dense: np.ndarray) -> np.ndarray:  # X @ dense
        first = np.flatnonzero(np.diff(row, prepend=-1))
        out = np.zeros((n, dense.shape[1]), np.float32)
        out[row[first]] = np.add.reduceat(value[:, None] * dense[column], first)
        return out

    def times_t(dense: np.ndarray) -> np.ndarray:  # X.T @ dense
        c = column[by_col]
        first = np.flatnonzero(np.diff(c, prepend=-1))
        out = np.zeros((n_cols, dense.shape[1]), np.float32)
        out[c[first]] = np.add.reduceat(value[by_col, None] * dense[row[by_col]], first)
        return out

    width = min(dims + 8, n_cols, n)
    # The probe's rows are the sample's (in hash order), so the same archive gets the same basis.
    probe = np.random.default_rng(0).standard_normal((n, width)).astype(np.float32)
    q = _orthonormal(times(times_t(probe)))  # (rows, width): the range of X, on the short side
    for _ in range(_POWER_STEPS):
        q = _orthonormal(times(times_t(q)))
    small = times_t(q).astype(np.float64)  # X.T @ q = (q.T @ X).T: (n_cols, width)
    # The right singular vectors of q.T @ X are small @ u / s, for the eigenvectors u of small.T @ small.
    eigenvalues, u = np.linalg.eigh(small.T @ small)
    top = np.argsort(eigenvalues)[::-1][:dims]
    basis = small @ (u[:, top] / np.sqrt(np.maximum(eigenvalues[top], 1e-300)))
    # One sign per vector, so that the basis does not depend on the probe's: its largest entry positive.
    sign = np.sign(basis[np.argmax(np.abs(basis), 0), np.arange(basis.shape[1])])
    return basis * np.where(sign == 0, 1, sign)


def _orthonormal(y: np.ndarray) -> np.ndarray:
    """An orthonormal basis of y's columns (by the eigenvectors of the small Gram matrix: LAPACK's QR of a
    tall matrix is slow when the machine is busy)."""
    y = y.astype(np.float64)
    eigenvalues, u = np.linalg.eigh(y.T @ y)
    strong = eigenvalues > eigenvalues.max(initial=0) * 1e-12
    return (y @ (u[:, strong] / np.sqrt(eigenvalues[strong]))).astype(np.float32)


def _centroids(latent: np.ndarray, k: int) -> np.ndarray:
    """k cluster centres of these latent vectors (spherical k-means from the first k), rounded like them."""
    k = max(1, min(k, len(latent)))
    if not len(latent):
        return np.zeros((1, MAX_DIMENSIONS if latent.shape[1] == 0 else latent.shape[1]), np.float32)
    centres = latent[:k].copy()
    for _ in range(_KMEANS_STEPS):
        nearest = np.argmax(latent @ centres.T, 1)
        sums = (np.arange(k)[:, None] == nearest).astype(np.float64) @ latent  # exact: sums of integers
        norm = np.linalg.norm(sums, axis=1, keepdims=True)
        centres = np.where(norm > 0, np.rint(sums * LATENT_SCALE / np.maximum(norm, 1e-300)), centres)
        centres = centres.astype(np.float32)
    return centres
