"""Pure: which shard of the search index each article is in, and what the index holds of it.

Articles go into shards by year; a year of more than SHARD_LIMIT articles is split into equal runs of
months (halves, thirds, quarters, ... months). The rule depends only on the published articles, so an
incremental build makes the same shards as a clean one. A record is what the model says of an article
(headline, standfirst, byline, tags, date, URL; the body stands as its source file's digest), and a
document is the HTML Pagefind indexes for it."""
from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from sitegen.dates import format_date, utc_iso
from sitegen.taxonomy import display_name

if TYPE_CHECKING:
    from sitegen.model import Article, Site


SHARD_LIMIT = 2500
"""Articles per shard before a year is split. An edit reindexes one shard, and Pagefind's time and memory
grow a little faster than its input: about 2 CPU seconds and 140 MB per 1,000 articles of the bench
archive (2,000 articles: 3.7 s, 280 MB; 5,000: 15 s, 625 MB)."""
SPLITS = (1, 2, 3, 4, 6, 12)
"""Into how many runs of months a year may be split."""
@dataclass(frozen=True, slots=True)
class Record:
    """What the index holds of one article; its body is read from the store when its shard is indexed."""

    id: str
    url: str
    """Site-root URL, percent-encoded (the search page adds the base path)."""
    title: str
    standfirst: str
    """The writer's summary; empty when the summary is the body's first part, which is indexed anyway."""
    authors: tuple[str, ...]
    tags: tuple[str, ...]
    date: str
    """UTC timestamp: the sort key."""
    day: str
    """The date as the site shows it."""
    year: str
    source_hash: str
    """Stands for the body in the cheap digest: the body derives from the source file."""
    language: str = ""
    """The article's own language ("" for the site's): Pagefind indexes each language apart."""


def shard_records(site: Site) -> dict[str, list[Record]]:
    """Shard name → its articles' records, newest first; shard names sort oldest to newest."""
    month_of = {i: key for key, group in site.months.items() for i in group.article_ids}
    shards: dict[str, list[Record]] = {}
    for year, group in site.years.items():
        span = 12 // next((n for n in SPLITS if len(group.article_ids) <= n * SHARD_LIMIT), 12)
        for article_id in group.article_ids:
            month = int(month_of[article_id][5:])
            shards.setdefault(shard_name(year, month, span), []).append(record(site, article_id))
    return dict(sorted(shards.items()))


def shard_name(year: str, month: int, span: int) -> str:
    """`2020` for a whole year, `2020-07-12` for a run of months, `2020-07` for one month."""
    if span == 12:
        return year
    first = (month - 1) // span * span + 1
    return f"{year}-{first:02d}" + (f"-{first + span - 1:02d}" if span > 1 else "")


def record(site: Site, article_id: str) -> Record:
    a: Article = site.articles[article_id]
    m = a.meta
    return Record(a.id, "/" + quote(site.urls[a.id], safe="/~-._"), m.title, "" if m.summary_html else m.summary,
                  tuple(display_name(site.authors, n) for n in m.authors),
                  tuple(display_name(site.tags, t) for t in m.tags), utc_iso(m.date),
                  format_date(m.date, site.config.day_format), f"{m.date.year:04d}", a.source_hash, m.language)


def document(r: Record, body: str, language: str) -> str:
    """The HTML Pagefind indexes for one article: everything in it is searched; metadata, the sort key
    and filters sit in attributes, where commas and colons in values cannot split them."""
    e = html.escape
    head = [f'<meta data-pagefind-meta="date[content]" content="{e(r.day)}">',
            f'<meta data-pagefind-sort="date[content]" content="{r.date}">',
            f'<meta data-pagefind-filter="year[content]" content="{r.year}">',
            f'<meta data-pagefind-meta="title[content]" content="{e(r.title)}">',
            *(f'<meta data-pagefind-filter="tag[content]" content="{e(t)}">' for t in r.tags)]
    # The headline is searched with a heading's weight; the search page drops it from excerpts.
    parts = [f"<h1>{e(r.title)}</h1>",
             f"<p>{e(r.standfirst)}</p>" if r.standfirst else "",
             f"<p>{e(', '.join(r.authors))}</p>" if r.authors else "", body,
             f"<ul>{''.join(f'<li>{e(t)}</li>' for t in r.tags)}</ul>" if r.tags else ""]
    return (f'<!doctype html><html lang="{e(r.language or language)}"><head><meta charset="utf-8">{"".join(head)}</head>'
            f'<body><article data-pagefind-body>{"".join(parts)}</article></body></html>')


def model_digest(records: list[Record]) -> str:
    """Digest of what the model says of a shard's articles (the body by its source's digest)."""
    fields = [[r.id, r.url, r.title, r.standfirst, r.authors, r.tags, r.date, r.day, r.year, r.source_hash,
               r.language]
              for r in records]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()


def to_reindex(records: dict[str, list[Record]], known: dict[str, dict[str, str]],
               present: set[str]) -> list[str]:
    """The shards whose model digest differs from the one `known` (shard → digests) or whose bundle is not
    `present`."""
    return [name for name, rs in records.items()
            if name not in present or known.get(name, {}).get("model") != model_digest(rs)]
