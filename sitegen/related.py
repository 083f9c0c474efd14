"""Related articles: text (BM25-weighted cosine), tag rarity and a mild recency preference.

Pure and deterministic.  Each article is a sparse vector with a text block and a tag block, both
IDF-weighted and unit-normalised, so that `vector(a) . vector(b) = text_weight * cos_text +
tag_weight * cos_tags`.  Neighbours come from an inverted index over each article's strongest terms
with capped posting lists, so the cost grows linearly with the archive; each row's index hits are
sorted on their own to add them up, and the exact scores of the shortlist come from small dense
blocks.  A second pass expands every vector with its first-pass neighbours (pseudo-relevance
feedback), which pulls each article towards its topic and measurably beats plain TF-IDF on real news
text.  Work is done in blocks of rows, whole numpy operations at a time: no Python loop per article.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from sitegen.config import RelatedSettings
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
    def of(cls, terms: Sequence[Terms]) -> TermCounts:
        """From extract_terms' output, one row per article."""
        vocab: dict[str, int] = {}
        ids = [vocab.setdefault(t, len(vocab)) for row in terms for t, _ in row]
        count = [n for row in terms for _, n in row]
        ptr = np.concatenate(([0], np.cumsum([len(row) for row in terms], dtype=np.int64)))
        return cls(ptr, np.array(ids, np.int64), np.array(count, np.int64))

    def rows(self, order: np.ndarray) -> TermCounts:
        """These rows, in this order."""
        lengths = np.diff(self.ptr)[order]
        at = _ranges(self.ptr[order], lengths)
        return TermCounts(np.concatenate(([0], np.cumsum(lengths))), self.term[at], self.count[at])


_K1, _B = 1.2, 0.75  # BM25 term-frequency saturation and length normalisation
_UNIT = 2.0**32  # fixed-point unit: sums are exact integers, and scores closer than this are ties
_EXPANSION_FLOOR = 0.03
"""An expanded vector keeps only entries of at least this share of its largest: the many faint tags and
words its neighbours bring change no measured precision (NewsArticles, synthetic archives), but they
nearly doubled its length on a tagged archive, and so the cost of every dot product with it."""
_BUDGET = 1 << 16  # array elements per block of rows: blocks stay in cache and reuse freed memory


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


def _sum_top(found: np.ndarray, value: np.ndarray, k: int, exclude: np.ndarray, pad: int) -> np.ndarray:
    """Sum each row's values by the column found with them, and keep the columns of each row's k largest
    positive sums, ties to the lower column: (rows, <= k) with -1 pads, best last.  Skips column
    exclude[row] and column `pad`, which is above all others.

    Each row is sorted on its own (many short sorts run far faster than one long one), as keys of a column
    and a position in the row: 32 bits where they fit, which sort twice as fast as 64."""
    n_rows, width = found.shape
    slot_bits = (width - 1).bit_length()
    kind = np.int32 if (pad << slot_bits) < 2**31 else np.int64
    table = np.sort(found.astype(kind) << slot_bits | np.arange(width, dtype=kind), axis=1)
    col = (table >> slot_bits).ravel()
    value = np.take_along_axis(value, table & ((1 << slot_bits) - 1), 1).ravel()
    edge = np.ones(len(col), bool)
    edge[1:] = col[1:] != col[:-1]
    edge[::width] = True
    first = np.flatnonzero(edge & (col != pad))
    sums = np.add.reduceat(value, first) if len(first) else first
    row, col = first // width, col[first].astype(np.int64)
    sums[col == exclude[row]] = 0
    # One key per sum: the sum (low bits dropped if they do not fit), then the lower column first.
    bits = int(col.max(initial=0)).bit_length()
    drop = max(0, int(sums.max(initial=0)).bit_length() + bits - 62)
    count = np.bincount(row, minlength=n_rows)
    table = np.zeros((n_rows, max(int(count.max(initial=0)), 1)), np.int64)
    at = np.arange(len(row)) - (np.cumsum(count) - count)[row]
    table[row, at] = (sums >> drop) << bits | ((1 << bits) - 1 - col)
    table = np.sort(table, axis=1)[:, -k:]  # sorting is vectorised, and beats a partition here
    return np.where(table >> bits > 0, (1 << bits) - 1 - (table & ((1 << bits) - 1)), -1)


def _padded(counts: np.ndarray, keys: np.ndarray, pad: int) -> np.ndarray:
    """Rows holding `counts` keys in turn, as a padded table."""
    width = max(int(counts.max(initial=0)), 1)
    table = np.full(len(counts) * width, pad)
    at = np.arange(len(keys)) + np.repeat(np.arange(len(counts)) * width - np.cumsum(counts) + counts, counts)
    table[at] = keys
    return table.reshape(len(counts), width)


def _reduce(rows: _Rows, sources: np.ndarray, coef: np.ndarray, k: int, floor: float, part_of: np.ndarray,
            scale: np.ndarray) -> _Rows:
    """Row i becomes the k largest entries of sum_j coef[i, j] * rows[sources[i, j]] (-1: none), ties to
    the lower column, less those below `floor` times its largest, with its parts normalised (see
    _normalise).  A block of rows adds up its entries in a dense table over the columns it uses, in _UNIT
    units so that the sums are exact: far faster than sorting the entries."""
    ptr, col, val = rows
    length = np.diff(ptr)
    n, n_cols = len(sources), int(col.max(initial=0)) + 1
    src_len = np.where(sources >= 0, length[sources], 0)
    cost = src_len.sum(1)
    used_by, pos = np.zeros(n_cols, bool), np.zeros(n_cols, np.int64)
    # At most 4 * _BUDGET cells: a block's columns are all columns, or at most its entries.
    max_rows = 4 * _BUDGET // n_cols
    if max_rows * max(cost.mean(), 1.0) < n_cols:
        max_rows = int((4 * _BUDGET / max(cost.mean(), 1.0)) ** 0.5)
    new_len, pieces = np.zeros(n, np.int64), []
    for block in _blocks(cost, max(max_rows, 1)):
        lens = src_len[block].ravel()
        ent = _ranges(ptr[sources[block].ravel()], lens)
        used = _number_columns(col[ent], used_by, pos, 0)
        cell = np.repeat(np.arange(len(block)) * len(used), cost[block]) + pos[col[ent]]
        value = np.rint(val[ent] * np.repeat(coef[block].ravel(), lens) * _UNIT)
        dense = np.bincount(cell, value, len(block) * len(used)).reshape(len(block), len(used))
        dense[dense < np.ceil(floor * dense.max(1, initial=0))[:, None]] = 0
        dense = dense.ravel()
        at = np.flatnonzero(dense)
        found = np.concatenate(([0], np.cumsum(np.bincount(at // len(used), minlength=len(block)))))
        b_rows = _strongest((found, used[at % len(used)], dense[at] / _UNIT), k)
        b_ptr, b_col, b_val = _normalise(b_rows, part_of, scale)
        new_len[block] = np.diff(b_ptr)
        pieces.append((block, b_col, b_val))
    ptr = np.concatenate(([0], np.cumsum(new_len)))
    col, val = np.empty(ptr[-1], np.int64), np.empty(ptr[-1])
    for block, c, v in pieces:
        at = _ranges(ptr[block], new_len[block])
        col[at], val[at] = c, v
    return ptr, col, val


def _number_columns(cols: np.ndarray, mark: np.ndarray, pos: np.ndarray, first: int) -> np.ndarray:
    """The distinct columns in `cols`, ascending, numbered from `first` in `pos`: a block's own dense
    layout. `mark` (one flag per column) is all False before and after."""
    mark[cols] = True
    used = np.flatnonzero(mark)
    mark[used] = False
    pos[used] = np.arange(first, first + len(used))
    return used


def _normalise(rows: _Rows, part_of: np.ndarray, scale: np.ndarray) -> _Rows:
    """Scale each row's text and tag parts to lengths `scale[0]` and `scale[1]`."""
    ptr, col, val = rows
    part = _row_ids(ptr) * 2 + part_of[col]
    norm = np.sqrt(np.bincount(part, val * val, 2 * (len(ptr) - 1)))
    return ptr, col, val * scale[part_of[col]] / np.maximum(norm[part], 1e-300)


def _columns(term: np.ndarray) -> tuple[np.ndarray, int]:
    """Each term id's column, numbered by first appearance (not by the caller's numbering); how many."""
    first = np.full(int(term.max(initial=0)) + 1, len(term))
    first[term[::-1]] = np.arange(len(term))[::-1]  # the last write wins: each term's first entry
    used = np.flatnonzero(first < len(term))
    number = np.zeros(len(first), np.int64)
    number[used[np.argsort(first[used])]] = np.arange(len(used))
    return number, len(used)


def _vectors(docs: Sequence[RelatedDoc], terms: TermCounts, s: RelatedSettings
             ) -> tuple[_Rows, np.ndarray, np.ndarray]:
    """Per doc, a BM25 x IDF text part and an IDF tag part; each column's part; the parts' lengths.

    Global statistics first, then the vectors block by block: whole-archive temporaries would cost more
    in fresh memory than in arithmetic."""
    n = len(docs)
    number, n_vocab = _columns(terms.term)
    tag_of = {t: i for i, t in enumerate(dict.fromkeys(t for d in docs for t in d.tags), n_vocab)}
    tags = np.fromiter((tag_of[t] for d in docs for t in d.tags), np.int64)
    n_tags = np.fromiter(map(len, (d.tags for d in docs)), np.int64, n)
    tag_ptr = np.concatenate(([0], np.cumsum(n_tags)))
    part_of = np.zeros(n_vocab + len(tag_of), np.int64)
    part_of[n_vocab:] = 1
    df = np.bincount(tags, minlength=len(part_of))
    per_term = np.bincount(terms.term)
    df[number[per_term > 0]] = per_term[per_term > 0]
    idf = np.log(n / np.maximum(df, 1))
    # A term of one article links nothing; one of every article has no weight.
    linking = (df > 1) & (df <= max(s.max_df_ratio * n, s.max_postings))
    total = np.concatenate(([0], np.cumsum(terms.count)))
    doc_length = (total[terms.ptr[1:]] - total[terms.ptr[:-1]]).astype(float)
    relative_to = max(doc_length.mean(), 1.0)
    weights = np.array([s.text_weight, s.tag_weight], float)
    scale = np.sqrt(weights / max(weights.max(), 1e-300))  # entries and products stay within [0, 1]
    step = max(1, 4 * _BUDGET * n // max(len(terms.term) + len(tags), 1))
    pieces = []
    for r0 in range(0, n, step):
        r1 = min(r0 + step, n)
        a, b = terms.ptr[r0], terms.ptr[r1]
        n_words = np.diff(terms.ptr[r0 : r1 + 1])
        count = terms.count[a:b].astype(float)
        relative = np.repeat(doc_length[r0:r1] / relative_to, n_words)
        ptr = np.concatenate(([0], np.cumsum(n_words + n_tags[r0:r1])))
        word_at = np.arange(b - a) + np.repeat(tag_ptr[r0:r1] - tag_ptr[r0], n_words)
        tag_at = np.arange(tag_ptr[r1] - tag_ptr[r0]) + np.repeat(np.cumsum(n_words), n_tags[r0:r1])
        col = np.empty(ptr[-1], np.int64)
        col[word_at] = number[terms.term[a:b]]
        col[tag_at] = tags[tag_ptr[r0] : tag_ptr[r1]]
        tf = np.ones(ptr[-1])
        tf[word_at] = count * (_K1 + 1) / (count + _K1 * (1 - _B + _B * relative))
        ptr, col, val = _normalise((ptr, col, tf * idf[col]), part_of, scale)
        useful = linking[col] & (val > 0)
        ptr = np.concatenate(([0], np.cumsum(np.bincount(_row_ids(ptr)[useful], minlength=r1 - r0))))
        pieces.append(_strongest((ptr, col[useful], val[useful]), s.max_terms))
    ptrs, cols, vals = zip(*pieces)
    lengths = np.concatenate([np.diff(ptr) for ptr in ptrs])
    rows = np.concatenate(([0], np.cumsum(lengths))), np.concatenate(cols), np.concatenate(vals)
    return rows, part_of, scale


def _strongest(rows: _Rows, k: int) -> _Rows:
    """Each row's k largest entries, ties to the lower column."""
    ptr, col, val = rows
    length = np.diff(ptr)
    long = np.flatnonzero(length > k)
    if not len(long):
        return rows
    ent = _ranges(ptr[long], length[long])
    bits = int(col.max()).bit_length()
    key = np.rint(val[ent] * _UNIT).astype(np.int64) << bits | ((1 << bits) - 1 - col[ent])
    table = _padded(length[long], key, -1)
    kth = np.partition(table, table.shape[1] - k, axis=1)[:, table.shape[1] - k]
    keep = np.ones(len(col), bool)
    keep[ent] = key >= np.repeat(kth, length[long])
    return np.concatenate(([0], np.cumsum(np.minimum(length, k)))), col[keep], val[keep]


def _candidates(rows: _Rows, n_cols: int, cap: int, k: int) -> np.ndarray:
    """Per row, k other rows with the largest dot products over an inverted index that keeps each
    column's `cap` highest values: cheap, and biased towards rare shared columns, so only a shortlist."""
    ptr, col, val = rows
    n, row = len(ptr) - 1, _row_ids(ptr)
    fixed = np.rint(val * 2.0**16).astype(np.int64)  # products of two are in _UNIT units
    # Posting lists as rows of a table: each column's `cap` highest entries, ties to the lower row; one
    # more row, empty, pads the queries.
    by_col = np.lexsort((row, -val, col))
    df = np.bincount(col, minlength=n_cols)
    rank = np.arange(len(col)) - np.repeat(np.cumsum(df) - df, df)
    by_col, rank = by_col[rank < cap], rank[rank < cap]
    width = max(min(cap, int(df.max(initial=0))), 1)
    post_row, post_value = np.full((n_cols + 1, width), n), np.zeros((n_cols + 1, width), np.int64)
    post_row[col[by_col], rank] = row[by_col]
    post_value[col[by_col], rank] = fixed[by_col]
    length = np.diff(ptr)
    pool = np.full((n, k), -1)
    for block in _blocks(length * width, n):
        lens = length[block]
        ent = _ranges(ptr[block], lens)
        at = np.repeat(np.arange(len(block)), lens), ent - np.repeat(ptr[block], lens)
        query = np.full((len(block), max(int(lens.max()), 1)), n_cols)
        query[at] = col[ent]
        weight = np.zeros(query.shape, np.int64)
        weight[at] = fixed[ent]
        value = post_value[query] * weight[:, :, None]
        top = _sum_top(post_row[query].reshape(len(block), -1), value.reshape(len(block), -1), k, block, n)
        pool[block, : top.shape[1]] = top
    return pool


def _dots(rows: _Rows, pool: np.ndarray) -> np.ndarray:
    """Exact dot products rows[i] . rows[pool[i, j]], 0 where pool is -1."""
    ptr, col, val = rows
    length = np.diff(ptr)
    pair_len = np.where(pool >= 0, length[pool], 0)
    out = np.zeros(pool.shape)
    seen, pos = np.zeros(col.max(initial=0) + 1, bool), np.zeros(col.max(initial=0) + 1, np.int64)
    max_rows = max(1, int((4 * _BUDGET / max(length.mean(), 1.0)) ** 0.5))  # bounds the dense block
    for block in _blocks(pair_len.sum(1) + length, max_rows):
        ent = _ranges(ptr[block], length[block])
        terms = _number_columns(col[ent], seen, pos, 1)  # 0 stands for every term the block's rows lack
        width = len(terms) + 1
        dense = np.zeros(len(block) * width)
        dense[np.repeat(np.arange(len(block)) * width, length[block]) + pos[col[ent]]] = val[ent]
        local, j = np.nonzero(pool[block] >= 0)
        other = pool[block[local], j]
        lens = length[other]  # at least 1: every candidate shares a column
        other_ent = _ranges(ptr[other], lens)
        products = dense[np.repeat(local * width, lens) + pos[col[other_ent]]] * val[other_ent]
        out[block[local], j] = np.add.reduceat(products, np.cumsum(lens) - lens) if len(lens) else 0.0
        pos[terms] = 0
    return out


def _expand(rows: _Rows, pool: np.ndarray, sims: np.ndarray, part_of: np.ndarray, scale: np.ndarray,
            s: RelatedSettings) -> _Rows:
    """Each vector plus expansion_weight x the similarity-weighted mean of its nearest neighbours."""
    n = len(pool)
    near, weight = pool[:, : s.expansion_neighbours], sims[:, : s.expansion_neighbours]  # best first
    weight = np.where(near >= 0, weight, 0.0)
    total = weight.sum(1, keepdims=True)
    mix = s.expansion_weight * weight / np.where(total > 0, total, 1.0)
    coef = np.concatenate((np.ones((n, 1)), mix), 1) / (1 + s.expansion_weight)  # keeps values <= 1
    sources = np.concatenate((np.arange(n)[:, None], near), 1)
    return _reduce(rows, sources, coef, s.max_terms, _EXPANSION_FLOOR, part_of, scale)


def _order(pool: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's candidates by decreasing score, ties to the lower index; -1 for none."""
    n = len(pool)
    key = np.rint(scores * _UNIT).astype(np.int64) * n + (n - 1 - pool)
    key[(pool < 0) | (scores <= 0)] = -1
    key = np.take_along_axis(key, np.argsort(-key, axis=1), 1)
    return np.where(key >= 0, n - 1 - key % n, -1), np.where(key >= 0, (key // n) / _UNIT, 0.0)


def compute_related(docs: Sequence[RelatedDoc], terms: TermCounts, settings: RelatedSettings
                    ) -> dict[str, tuple[str, ...]]:
    """For every doc id: up to settings.count related ids, best first (pins first, never itself, no
    duplicates).  Row r of `terms` holds the terms of docs[r]."""
    if len({d.id for d in docs}) != len(docs):
        raise ValueError("compute_related: duplicate article ids")
    if len(terms.ptr) != len(docs) + 1:
        raise ValueError("compute_related: one row of terms per doc")
    # Canonical order, newest first then by URL: results do not depend on the input order, and the
    # lower index wins every tie.
    order = sorted(range(len(docs)), key=lambda r: (-docs[r].timestamp, docs[r].url, docs[r].id))
    docs, terms = [docs[r] for r in order], terms.rows(np.array(order, np.int64))
    k = max(settings.count, 0)
    want = 2 * k + max((len(d.pinned) for d in docs), default=0)  # room for pins and recency re-ranking
    expand = settings.expansion_neighbours > 0 and settings.expansion_weight > 0
    ranked = np.full((len(docs), 0), -1)
    if len(docs) > 1 and k:
        rows, part_of, scale = _vectors(docs, terms, settings)
        keep = max(want, settings.expansion_neighbours * expand)
        # The index only estimates scores, so it shortlists twice what is kept, scored exactly.
        pool = _candidates(rows, len(part_of), settings.max_postings, 2 * keep)
        pool, sims = (a[:, :keep] for a in _order(pool, _dots(rows, pool)))
        if expand:  # re-scoring the kept ones works as well as a second pass over the whole index
            sims = _dots(_expand(rows, pool, sims, part_of, scale, settings), pool)
        times = np.array([d.timestamp for d in docs])
        days = np.abs(times[:, None] - times[pool]) / 86400.0
        boost = 1 + settings.recency_weight * 0.5 ** (days / max(settings.recency_half_life_days, 1e-9))
        ranked = _order(pool, sims * boost)[0]
    return _lists(docs, ranked, k)


def _lists(docs: Sequence[RelatedDoc], ranked: np.ndarray, k: int) -> dict[str, tuple[str, ...]]:
    """Each doc's pins, then its best candidates (indices into docs, best first, -1: none); k ids at most."""
    ids = [d.id for d in docs]
    names = np.array([*ids, None], object)  # -1 picks None
    related = {i: tuple(filter(None, best)) for i, best in zip(ids, names[ranked[:, :k]].tolist())}
    for r, d in enumerate(docs):
        if d.pinned or not d.enabled:
            chosen = dict.fromkeys(p for p in (*d.pinned, *filter(None, names[ranked[r]])) if p != d.id)
            related[d.id] = tuple(chosen)[:k] if d.enabled else ()
    return related
