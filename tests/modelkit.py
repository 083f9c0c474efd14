"""Helpers for unit tests that need a model: a Site assembled from articles, as the pipeline would."""
from __future__ import annotations

from sitegen.config import SiteConfig
from sitegen.model import Article, Site
from sitegen.routes import article_url, short_urls
from sitegen.taxonomy import authors_of, months_of, newest_first, tags_of, years_of


def make_site(articles: list[Article], config: SiteConfig, assets: dict[str, str] | None = None) -> Site:
    """A Site of these articles: order, URLs and groups filled in, no related lists."""
    by_id = {a.id: a for a in articles}
    order = newest_first(articles)
    urls = {i: article_url(by_id[i], config.permalinks) for i in order}
    return Site(config=config, articles=by_id, order=order, urls=urls, short_urls=short_urls(by_id, urls),
                tags=tags_of(by_id, order), authors=authors_of(by_id, order), years=years_of(by_id, order),
                months=months_of(by_id, order), related={}, assets=assets or {})
