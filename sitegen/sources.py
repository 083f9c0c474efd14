"""Content files → articles: reuse what the store already parsed, parse the rest on every core."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sitegen.config import SiteConfig
from sitegen.errors import SiteError
from sitegen.files import ARTICLE_SUFFIXES, list_files
from sitegen.model import Article, source_path
from sitegen.progress import Progress
from sitegen.reader import Parsed, parse_article, source_hash
from sitegen.shortcut import RACY_NS, Listing
from sitegen.store import ArticleStore, dump_article, load_article
from sitegen.terms import Terms
from sitegen.workers import map_chunks, split

PARSE_CHUNK = 200


@dataclass(frozen=True, slots=True)
class Sources:
    """The outcome of reading content/."""

    articles: dict[str, Article]
    """Every valid article by id, sorted by id."""
    errors: list[SiteError]
    warnings: list[SiteError]
    """Problems that did not stop an article, and files skipped on purpose."""
    parsed: int
    """Files parsed this time (the rest came from the store)."""


def read_sources(content: Path, config: SiteConfig, store: ArticleStore, jobs: int,
                 progress: Progress | None = None, listing: Listing | None = None) -> Sources:
    """Read every `content/**/*.md`, parsing only files whose bytes the store has not seen. `listing` is
    the folder's files as just stat'ed (by the no-change check); without it the folder is walked here."""
    cached = store.index()
    now = time.time_ns()
    articles: dict[str, Article] = {}
    todo: list[tuple[str, int, int]] = []
    touched: list[tuple[str, int, int]] = []
    errors: list[SiteError] = []
    warnings: list[SiteError] = []
    if listing is None:
        listing, errors = _articles_in(content)
    for article_id, mtime_ns, size in listing:
        if not article_id.endswith(ARTICLE_SUFFIXES):
            continue
        if PurePosixPath(article_id).stem == "_index":
            warnings.append(SiteError(source_path(article_id), "a Hugo section page (_index.md) is not an article; "
                                      "skipped"))
            continue
        known = cached.get(article_id)
        if known and (known.mtime_ns, known.size) == (mtime_ns, size) and now - mtime_ns > RACY_NS:
            articles[article_id] = known.article
            continue
        try:  # an undated draft is dated by its mtime: for a draft, the same bytes need the same mtime too
            if known and (not known.article.draft or known.mtime_ns == mtime_ns) and \
                    known.article.source_hash == source_hash((content / article_id).read_bytes()):
                articles[article_id] = known.article
                touched.append((article_id, mtime_ns, _stored_size(size, mtime_ns, now)))
                continue
        except OSError as exc:
            errors.append(SiteError(source_path(article_id), _cannot_read(exc)))
            continue
        todo.append((article_id, mtime_ns, size))

    def parse_chunk(chunk: list[tuple[str, int, int]]) -> list[tuple[bytes, str, Terms] | list[SiteError]]:
        """Workers read the files themselves (bodies never travel through the parent) and hand back each
        article as the store keeps it, with its HTML and terms."""
        results: list[tuple[bytes, str, Terms] | list[SiteError]] = []
        for article_id, mtime_ns, _ in chunk:
            try:
                raw = (content / article_id).read_bytes()
            except OSError as exc:
                results.append([SiteError(source_path(article_id), _cannot_read(exc))])
                continue
            parsed = parse_article(raw, article_id, config, mtime_ns / 1e9)
            results.append((dump_article(parsed.article), parsed.html, parsed.terms)
                           if isinstance(parsed, Parsed) else parsed)
        return results

    done = 0
    for chunk, results in zip(split(todo, PARSE_CHUNK), map_chunks(parse_chunk, todo, jobs, PARSE_CHUNK)):
        rows = []
        for (article_id, mtime_ns, size), parsed in zip(chunk, results):
            if isinstance(parsed, tuple):
                articles[article_id] = load_article(parsed[0])
                rows.append((article_id, mtime_ns, _stored_size(size, mtime_ns, now), *parsed))
            else:
                errors += parsed
        store.put(rows)  # chunk by chunk: bodies and terms of the whole archive are never in memory at once
        done += len(chunk)
        if progress:
            progress("parse", done, len(todo))
    store.touch(touched)
    store.delete(set(cached) - set(articles))
    warnings += [w for a in articles.values() for w in a.warnings]
    return Sources(articles=dict(sorted(articles.items())), errors=sorted(errors, key=_error_order),
                   warnings=sorted(warnings, key=_error_order), parsed=len(todo))


def _stored_size(size: int, mtime_ns: int, now: int) -> int:
    """The size to store for a file read at `now`: -1, which no file matches, when the file may still change
    without its mtime moving, so that the next read compares its bytes (Git smudges racily clean entries so)."""
    return size if now - mtime_ns > RACY_NS else -1


def _articles_in(content: Path) -> tuple[Listing, list[SiteError]]:
    """(id, mtime_ns, size) of every article file, and the files that cannot be stat'ed."""
    found: Listing = []
    errors = []
    for rel in list_files(content):
        if rel.endswith(ARTICLE_SUFFIXES):
            try:
                st = (content / rel).stat()
                found.append((rel, st.st_mtime_ns, st.st_size))
            except OSError as exc:
                errors.append(SiteError(source_path(rel), _cannot_read(exc)))
    return found, errors


def _cannot_read(exc: OSError) -> str:
    return f"cannot read the file: {exc.strerror}"


def _error_order(error: SiteError) -> tuple:
    return error.path, error.line or 0, error.message


