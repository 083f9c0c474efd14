"""Articles → the Site model: order, URLs and taxonomy groups; then its related lists (reused while their
inputs hold), which are computed separately so that list pages can render meanwhile."""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from sitegen.config import SiteConfig
from sitegen.errors import SiteError
from sitegen.model import Article, Site
from sitegen.related import RelatedDoc, TermCounts, compute_related
from sitegen.routes import article_url
from sitegen.slugs import slugify
from sitegen.store import ArticleStore
from sitegen.taxonomy import authors_of, months_of, newest_first, tags_of, years_of


def assemble(config: SiteConfig, articles: dict[str, Article], assets: dict[str, str]) -> tuple[Site, list[SiteError]]:
    """The model with empty related lists (see `related_lists`), and warnings about references (pins, links)
    that lead nowhere."""
    order = newest_first(articles.values())
    urls = {i: article_url(articles[i], config.permalinks) for i in order}
    warnings = _resolve_pins(articles, order)[1]
    warnings += [SiteError(f"content/{i}", f"link to {link!r} points to no published article", articles[i].body_line)
                 for i in order for link in articles[i].body.links if link not in articles]
    site = Site(config=config, articles=articles, order=order, urls=urls, tags=tags_of(articles, order),
                authors=authors_of(articles, order), years=years_of(articles, order),
                months=months_of(articles, order), related={}, assets=assets)
    return site, warnings


def related_lists(site: Site, store: ArticleStore) -> dict[str, tuple[str, ...]]:
    """Every article's related ids, best first."""
    pins = _resolve_pins(site.articles, site.order)[0]
    return _related(site.config, site.articles, site.order, site.urls, pins, store)


def _resolve_pins(articles: dict[str, Article], order: tuple[str, ...]) -> tuple[dict[str, tuple[str, ...]], list[SiteError]]:
    """Frontmatter `related: [...]` entries (slugs or paths under content/) → article ids."""
    by_slug: dict[str, str] = {}
    for i in reversed(order):
        by_slug[articles[i].slug] = i
    pins, warnings = {}, []
    for i in order:
        found: list[str] = []
        for pin in articles[i].related_pins:
            target = pin if pin in articles else by_slug.get(pin.removesuffix(".md").rsplit("/", 1)[-1])
            if target is None or target == i:
                warnings.append(SiteError(f"content/{i}", f"related article {pin!r} not found; use a slug or a "
                                          "path under content/"))
            elif target not in found:
                found.append(target)
        pins[i] = tuple(found)
    return pins, warnings


def _related(config: SiteConfig, articles: dict[str, Article], order: tuple[str, ...], urls: dict[str, str],
             pins: dict[str, tuple[str, ...]], store: ArticleStore) -> dict[str, tuple[str, ...]]:
    """Related lists, from the store when no input of the ranking changed since they were computed."""
    slugs = {t: slugify(t) for t in {t for i in order for t in articles[i].tags}}  # once per tag: they repeat
    tags = {i: tuple(sorted({slugs[t] for t in articles[i].tags})) for i in order}
    h = hashlib.sha256(repr(config.related).encode())
    for i in order:
        a = articles[i]
        h.update(repr((i, a.source_hash, urls[i], a.date.timestamp(), tags[i], pins[i], a.related_enabled)).encode())
    key = h.hexdigest()
    lists = store.related(key)
    if lists is None:
        lists = rank_related(config, articles, order, urls, pins, tags, store.terms)
        store.save_related(key, lists)
    return lists


def rank_related(config: SiteConfig, articles: dict[str, Article], order: tuple[str, ...], urls: dict[str, str],
                 pins: dict[str, tuple[str, ...]], tags: dict[str, tuple[str, ...]],
                 terms: Callable[[Sequence[str]], tuple]) -> dict[str, tuple[str, ...]]:
    """Related lists of the articles in `order`; `terms(ids)` gives their rows of term counts (see
    ArticleStore.terms)."""
    docs = [RelatedDoc(id=i, url=urls[i], timestamp=articles[i].date.timestamp(), tags=tags[i], pinned=pins[i],
                       enabled=articles[i].related_enabled) for i in order]
    return compute_related(docs, TermCounts(*terms(order)), config.related)
