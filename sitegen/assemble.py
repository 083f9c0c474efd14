"""Articles → the Site model: order, URLs and taxonomy groups; then its related lists (reused while their
inputs hold), which are computed separately so that list pages can render meanwhile."""
from __future__ import annotations

import hashlib
from array import array
from collections.abc import Sequence
from dataclasses import replace

from sitegen.config import SiteConfig
from sitegen.errors import SiteError
from sitegen.model import Article, Site, linked_article, source_path
from sitegen.routes import article_url, file_path, short_urls
from sitegen.store import ArticleStore
from sitegen.taxonomy import authors_of, group_key, months_of, newest_first, tags_of, years_of


def assemble(config: SiteConfig, articles: dict[str, Article], assets: dict[str, str]) -> tuple[Site, list[SiteError]]:
    """The model with empty related lists (see `related_lists`), and warnings about references (pins, links)
    that lead nowhere."""
    order = newest_first(articles.values())
    urls = {i: article_url(articles[i], config.permalinks) for i in order}
    articles, warnings = _without_own_aliases(articles, urls)
    warnings += _resolve_pins(articles, order)[1]
    warnings += [SiteError(source_path(i), f"link to {link!r} points to no published article", articles[i].body_line)
                 for i in order for link in articles[i].body.links if linked_article(link, articles) is None]
    site = Site(config=config, articles=articles, order=order, urls=urls, tags=tags_of(articles, order),
                authors=authors_of(articles, order), years=years_of(articles, order),
                months=months_of(articles, order), related={}, assets=assets, short_urls=short_urls(articles, urls))
    return site, warnings


def _without_own_aliases(articles: dict[str, Article], urls: dict[str, str]) -> tuple[dict[str, Article], list[SiteError]]:
    """Aliases naming their own article's URL (also only by case: `redirect_from: /2015/05/21/TockingTime/`
    on `/2015/05/21/tockingtime/`) dropped with a warning: the page itself is there, so the alias would clash."""
    warnings, changed = [], {}
    for i, url in urls.items():
        article = articles[i]
        own = file_path(url).casefold()
        kept = tuple(a for a in article.aliases if file_path(a).casefold() != own)
        if len(kept) < len(article.aliases):
            changed[i] = replace(article, aliases=kept)
            warnings += [SiteError(source_path(i), f"alias {a!r} is this article's own URL"
                                   f"{'' if file_path(a) == file_path(url) else ' (but for case)'}; dropped it")
                         for a in article.aliases if a not in kept]
    return ({**articles, **changed} if changed else articles), warnings


def related_lists(site: Site, store: ArticleStore) -> dict[str, tuple[str, ...]]:
    """Every article's related ids, best first."""
    pins = _resolve_pins(site.articles, site.order)[0]
    return _related(site.config, site.articles, site.order, site.urls, pins, store)


def _resolve_pins(articles: dict[str, Article], order: tuple[str, ...]) -> tuple[dict[str, tuple[str, ...]], list[SiteError]]:
    """Frontmatter `related: [...]` entries (slugs or paths under content/) → article ids."""
    by_slug: dict[str, str] = {}
    for i in reversed(order):
        by_slug[articles[i].meta.slug] = i
    pins, warnings = {}, []
    for i in order:
        found: list[str] = []
        for pin in articles[i].related_pins:
            target = pin if pin in articles else by_slug.get(pin.removesuffix(".md").rsplit("/", 1)[-1])
            if target is None:
                warnings.append(SiteError(source_path(i), f"related article {pin!r} not found; use a slug or a "
                                          "path under content/"))
            elif target == i:
                warnings.append(SiteError(source_path(i), f"related article {pin!r} is this article itself; "
                                          "remove it from `related`"))
            elif target not in found:
                found.append(target)
        pins[i] = tuple(found)
    return pins, warnings


def _related(config: SiteConfig, articles: dict[str, Article], order: tuple[str, ...], urls: dict[str, str],
             pins: dict[str, tuple[str, ...]], store: ArticleStore) -> dict[str, tuple[str, ...]]:
    """Related lists, from the store when no input of the ranking changed since they were computed."""
    keys = {t: group_key(t) for t in {t for i in order for t in articles[i].meta.tags}}  # once per tag: they repeat
    chosen = [articles[i] for i in order]
    columns = (order, [urls[i] for i in order], [a.meta.date.timestamp() for a in chosen],
               [tuple(sorted({keys[t] for t in a.meta.tags})) for a in chosen], [pins[i] for i in order],
               [a.related_enabled for a in chosen])
    key = _ranking_key(config, columns, [a.source_hash for a in chosen])
    lists = store.related(key)
    if lists is None:
        from sitegen.related import (  # numpy: only where the ranking runs
            RelatedDoc,
            TermCounts,
            compute_related,
        )

        docs = [RelatedDoc(*fields) for fields in zip(*columns)]
        lists = compute_related(docs, TermCounts(*store.terms(order)), config.related, store.statistics())
        store.save_related(key, lists)
    return lists


def _ranking_key(config: SiteConfig, columns: tuple[Sequence, ...], hashes: list[str]) -> str:
    """A digest of the ranking's inputs: settings, RelatedDoc fields (as columns) and source hashes (terms)."""
    ids, urls, stamps, tags, pins, enabled = columns
    h = hashlib.sha256(repr(config.related).encode())
    # Ids, URLs and hashes hold no NUL, so joining them is unambiguous: far faster than a repr per article.
    for strings in (ids, urls, hashes):
        h.update("\0".join(strings).encode() + b"\1")
    h.update(repr((tags, pins)).encode())
    h.update(bytes(enabled) + array("d", stamps).tobytes())
    return h.hexdigest()
