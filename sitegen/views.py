"""What templates see: plain objects built from the Site for one page at render time."""
from __future__ import annotations

import math
import operator
import re
import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote

from sitegen.dates import format_date, iso, utc_iso
from sitegen.markdown import LINK_MARK, local_url, normalize_link, rebase
from sitegen.model import Article, Group, Page, Site, TocEntry, linked_article
from sitegen.pictures import Picture, image_path, picture, with_pictures
from sitegen.routes import Link, Nav, Pager, group_link, nav_urls

_LINK = re.compile(r'(?<=href=")' + re.escape(LINK_MARK) + r'([^"#]*)')
"""An article link as `markdown` marks it: only in an href (the writer's text may mention the marker)."""


@dataclass(slots=True)  # not frozen: its __init__ took ~4 us more, paid by every view and every article page
class ArticleView:
    """An article as templates see it; URLs already carry the site's base path. One view serves every
    page that shows the article, so nothing changes it once built."""

    id: str
    title: str
    url: str
    abs_url: str
    date: datetime
    date_iso: str
    """For `<time datetime>`: the timestamp with its offset, or only the day for articles dated by day."""
    timestamp_iso: str
    """The timestamp with its offset, always (midnight in the site zone for articles dated by day)."""
    date_display: str
    """Timestamp in the site's date_format (day_format when the article has no time)."""
    day_display: str
    """Date in the site's day_format."""
    updated: datetime | None
    updated_iso: str
    updated_display: str
    """The update's time and zone ("11:20 BST") when it falls on the publication day in the site's zone,
    else its date."""
    authors: tuple[Link, ...]
    tags: tuple[Link, ...]
    summary: str
    summary_html: str
    html: str
    """The body; filled only for the article a page is about (lists and related items leave it empty)."""
    toc: tuple[TocEntry, ...]
    word_count: int
    reading_time: int
    image: str | None
    """The lead image's absolute URL (og:image, JSON-LD)."""
    lead_image: Picture | None
    """The lead image resized (`picture.html`), when it is a local image the pipeline could read."""
    extra: dict[str, Any]
    standfirst: str
    """The writer's summary, shown under the headline ("" when the summary opens the body)."""
    language: str
    """BCP 47 tag of the article's language: its own, else the site's."""
    location: str
    """Dateline place, or ""."""


_VIEW_FIELDS = operator.attrgetter(*(f.name for f in fields(ArticleView)))
_HTML = [f.name for f in fields(ArticleView)].index("html")


def _with_body(view: ArticleView, html: str) -> ArticleView:
    """`view` with its body (for the article a page is about): ~1 us, where dataclasses.replace takes ~4."""
    values = list(_VIEW_FIELDS(view))
    values[_HTML] = html
    return ArticleView(*values)


TocNode = tuple[TocEntry, tuple["TocNode", ...]]
"""A heading and the headings under it."""


def nest_toc(entries: tuple[TocEntry, ...]) -> tuple[TocNode, ...]:
    """Headings as a tree: each under the nearest earlier heading of a higher level (h3 under h2); a deeper
    heading with no such parent stays at the top."""
    root: list = []
    stack: list[tuple[int, list]] = [(0, root)]
    for entry in entries:
        while stack[-1][0] >= entry.level:
            stack.pop()
        children: list = []
        stack[-1][1].append((entry, children))
        stack.append((entry.level, children))

    def frozen(nodes: list) -> tuple[TocNode, ...]:
        return tuple((entry, frozen(children)) for entry, children in nodes)

    return frozen(root)


class Views:
    """Builds template contexts from what `routes` planned, with every URL under the base path; caches
    article views (state, hence a class)."""

    def __init__(self, site: Site, html: Callable[[str], str]):
        self.site = site
        self.html = html
        self.config = site.config
        self._articles: dict[str, ArticleView] = {}
        self.fragments: dict[Hashable, str] = {}
        """Template fragments rendered for these views (`{% cache %}` in render.py)."""
        self._group_links: dict[tuple[str, str], Link] = {}
        self._urls: dict[str, str] = {}
        self._base_path, self._origin, self._zone = self.config.base_path, self.config.origin, self.config.zone
        nav = nav_urls(self.config)
        self.nav = Nav(home=self.url(nav.home), tags=self.url(nav.tags), archive=self.url(nav.archive),
                       feed=self.url(nav.feed), search=None if nav.search is None else self.url(nav.search),
                       menu=tuple(link if "://" in link.url else self._link(link) for link in nav.menu))

    def url(self, rel: str) -> str:
        """Site-relative URL → path under the base URL, percent-encoded."""
        url = self._urls.get(rel)
        if url is None:  # pages repeat the same few URLs (theme files, pager links): quote each once
            url = self._urls[rel] = self._base_path + quote(rel, safe="/~-._")
        return url

    def abs_url(self, rel: str) -> str:
        return self._origin + self.url(rel)

    def _link(self, link: Link) -> Link:
        """A planned link with its URL under the base path."""
        return Link(link.name, self.url(link.url), link.count)

    def article(self, article_id: str) -> ArticleView:
        view = self._articles.get(article_id)
        if view is None:
            view = self._articles[article_id] = self._article_view(self.site.articles[article_id])
        return view

    def _article_view(self, a: Article) -> ArticleView:
        config, m = self.config, a.meta
        url = self.url(self.site.urls[a.id])
        timestamp = iso(m.date)
        day = format_date(m.date, config.day_format)
        return ArticleView(
            id=a.id, title=m.title, url=url, abs_url=self._origin + url, date=m.date,
            date_iso=m.date.date().isoformat() if m.all_day else timestamp, timestamp_iso=timestamp,
            date_display=format_date(m.date, config.day_format if m.all_day else config.date_format, self._zone),
            day_display=day, updated=m.updated, updated_iso=iso(m.updated) if m.updated else "",
            updated_display=self._updated_display(m.date, m.updated) if m.updated else "",
            authors=tuple(self._group_link("author", n) for n in m.authors),
            tags=tuple(self._group_link("tag", n) for n in m.tags),
            summary=m.summary, summary_html=self._body_html(a, m.summary_html), html="", toc=a.body.toc,
            word_count=a.body.word_count, reading_time=max(1, math.ceil(a.body.word_count / config.words_per_minute)),
            image=self._image_url(a), lead_image=self._lead_image(a), extra=m.extra, standfirst=m.standfirst,
            language=m.language or config.language, location=m.location,
        )

    def _updated_display(self, date: datetime, updated: datetime) -> str:
        local = updated.astimezone(self._zone)
        if local.date() == date.astimezone(self._zone).date():
            return format_date(local, self.config.time_format, self._zone)
        return format_date(local, self.config.day_format)

    def body(self, article_id: str) -> str:
        """The article's HTML body with links to other articles pointing at their URLs and its local
        images resized."""
        return self._body_html(self.site.articles[article_id], self.html(article_id))

    def _body_html(self, a: Article, html: str) -> str:
        html = self._resolve_links(html)
        if not a.body.images or not self.site.images:
            return html
        shown = {p for p in (image_path(u, a.id) for u in a.body.images) if p}  # what the page's key covers
        base = self._base_path

        def find(src: str) -> Picture | None:
            path = unquote(src[len(base):]) if src.startswith(base) else None
            return self.picture(path) if path in shown else None

        return with_pictures(html, find)

    def picture(self, path: str | None, alt: str = "", caption: str = "", credit: str = "") -> Picture | None:
        """The resized image at output path `path`, if the image phase made one."""
        info = self.site.images.get(path) if path else None
        return picture(info, self.url, alt, caption, credit) if info else None

    def _lead_image(self, a: Article) -> Picture | None:
        m = a.meta
        return self.picture(image_path(m.image, a.id), m.image_alt, m.image_caption, m.image_credit)

    def _resolve_links(self, html: str) -> str:
        """Body HTML with article links at their URLs and site-root URLs under the base path."""
        return rebase(_LINK.sub(self._link_target, html) if LINK_MARK in html else html, self._base_path)

    def _link_target(self, match: re.Match) -> str:
        target = linked_article(unquote(match.group(1)), self.site.urls)
        return "/" + quote(self.site.urls[target], safe="/~-._") if target else "/404.html"

    def _image_url(self, a: Article) -> str | None:
        """The lead image as an absolute URL (a relative one is beside the article's file)."""
        if a.meta.image is None:
            return None
        url = normalize_link(local_url(a.meta.image, a.id))  # percent-encoded as a link in the body would be
        if url.startswith("/") and not url.startswith("//"):
            return self._origin + self._base_path + url[1:]
        return url

    def _group_link(self, kind: str, name: str) -> Link:
        """The link to a tag's or author's list; shared by every article naming it."""
        link = self._group_links.get((kind, name))
        if link is None:
            link = self._group_links[kind, name] = self._link(group_link(self.site, kind, name))
        return link

    def context(self, page: Page) -> dict[str, Any]:
        """Everything the page's template needs."""
        page_url = self.url(page.url)
        ctx: dict[str, Any] = {"site": self.config, "nav": self.nav, "url": self.url, "abs_url": self.abs_url,
                               "page_url": page_url, "canonical": self._origin + page_url, "kind": page.kind}
        params = dict(page.params)
        ctx["articles"] = [self.article(i) for i in params.get("ids", ())]
        builder = getattr(self, f"_ctx_{page.kind.replace('-', '_')}", None)
        if builder is not None:
            builder(params, ctx)
        return ctx

    def _ctx_article(self, params: dict[str, Any], ctx: dict[str, Any]) -> None:
        ctx["article"] = _with_body(self.article(params["id"]), self.body(params["id"]))
        ctx["newer"] = self.article(params["newer"]) if params["newer"] else None
        ctx["older"] = self.article(params["older"]) if params["older"] else None
        ctx["related"] = [self.article(i) for i in params["related"]]
        ctx["structured_data"] = self._news_article(ctx["article"])
        ctx["short_url"] = self.abs_url(params["short"]) if params.get("short") else None
        ctx["toc"] = nest_toc(ctx["article"].toc)

    def _news_article(self, a: ArticleView) -> dict[str, Any]:
        """schema.org NewsArticle for the article's JSON-LD."""
        data: dict[str, Any] = {
            "@context": "https://schema.org", "@type": "NewsArticle", "headline": a.title, "url": a.abs_url,
            "mainEntityOfPage": a.abs_url, "datePublished": a.timestamp_iso,
            "dateModified": a.updated_iso or a.timestamp_iso,
            "author": [{"@type": "Person", "name": p.name, "url": self._origin + p.url} for p in a.authors],
            "keywords": [t.name for t in a.tags], "wordCount": a.word_count, "inLanguage": a.language,
            "publisher": {"@type": "Organization", "name": self.config.title},
        }
        if a.summary:
            data["description"] = a.summary
        if a.image:
            data["image"] = a.image
        return data

    def _list(self, params: dict[str, Any], ctx: dict[str, Any], groups: dict[str, Group] | None, label: str) -> None:
        group = groups[params["group"]] if groups is not None else None
        ctx["group"] = group
        ctx["heading"] = label.format(name=params["name"]) if group else label
        ctx["count"] = params["count"]
        ctx["pager"] = self._pager(params["pager"])
        if "feed" in params:
            ctx["feed_url"] = self.url(params["feed"])

    def _ctx_home(self, params: dict[str, Any], ctx: dict[str, Any]) -> None:
        self._list(params, ctx, None, "Latest articles")

    def _ctx_tag(self, params: dict[str, Any], ctx: dict[str, Any]) -> None:
        self._list(params, ctx, self.site.tags, "Tagged “{name}”")

    def _ctx_author(self, params: dict[str, Any], ctx: dict[str, Any]) -> None:
        self._list(params, ctx, self.site.authors, "Articles by {name}")

    def _ctx_year(self, params: dict[str, Any], ctx: dict[str, Any]) -> None:
        self._list(params, ctx, self.site.years, "Articles from {name}")
        ctx["months"] = [self._link(month) for month in params["months"]]

    def _ctx_month(self, params: dict[str, Any], ctx: dict[str, Any]) -> None:
        self._list(params, ctx, self.site.months, "Articles from {name}")
        ctx["year_link"] = self._link(params["year"])

    def _ctx_tags(self, params: dict[str, Any], ctx: dict[str, Any]) -> None:
        ctx["tags"] = [self._link(tag) for tag in params["groups"]]

    def _ctx_archive(self, params: dict[str, Any], ctx: dict[str, Any]) -> None:
        ctx["years"] = [(self._link(year), [self._link(m) for m in months]) for year, months in params["years"]]

    def _ctx_feed(self, params: dict[str, Any], ctx: dict[str, Any]) -> None:
        group = self.site.tags.get(params["group"])
        ctx["feed_title"] = f"{self.config.title}: {group.name}" if group else self.config.title
        ctx["alternate"] = self.abs_url(params["list_url"])
        ids = params["ids"]
        newest = max((self.site.articles[i].meta.updated or self.site.articles[i].meta.date for i in ids), default=None)
        ctx["updated"] = utc_iso(newest) if newest else "1970-01-01T00:00:00Z"
        ctx["utc_iso"] = utc_iso
        ctx["atom_id"] = self._atom_id

    def _atom_id(self, url: str) -> str:
        """The Atom id of a URL: the URL when it is absolute, else (RFC 4287 wants an absolute IRI) a URN
        made from its path."""
        return url if self._origin else f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url)}"

    def _ctx_sitemap(self, params: dict[str, Any], ctx: dict[str, Any]) -> None:
        entries = []
        for rel, article_id in params["entries"]:
            a = self.site.articles.get(article_id) if article_id else None
            entries.append((self.abs_url(rel), utc_iso(a.meta.updated or a.meta.date) if a else None))
        ctx["entries"] = entries

    def _ctx_sitemap_index(self, params: dict[str, Any], ctx: dict[str, Any]) -> None:
        ctx["parts"] = [self.abs_url(rel) for rel in params["parts"]]

    def _ctx_alias(self, params: dict[str, Any], ctx: dict[str, Any]) -> None:
        ctx["article"] = self.article(params["id"])

    _ctx_short = _ctx_alias

    def _pager(self, pager: Pager) -> Pager:
        def url(rel: str | None) -> str | None:
            return None if rel is None else self.url(rel)

        return Pager(number=pager.number, pages=pager.pages, prev_url=url(pager.prev_url),
                     next_url=url(pager.next_url), links=tuple((n, url(rel)) for n, rel in pager.links))
