"""Pure: Site → every output page as data. The only owner of URLs; refuses two pages on one path."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from sitegen.config import Permalinks, SiteConfig
from sitegen.errors import SiteError
from sitegen.model import Article, Group, Page, Site, linked_article, source_path
from sitegen.taxonomy import display_name, group_key, name_order

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_NAME_BYTES = 255
"""The longest file or folder name common file systems accept."""
SITEMAP_LIMIT = 50_000
"""URLs per sitemap file, the protocol's maximum."""
SEARCH_FOLDER = "pagefind"
"""Output folder of the search index, which `sitegen.search` writes after publishing; no page may go there."""


@dataclass(frozen=True, slots=True)
class Link:
    """A named link, with a count where the target is a group. Planned here with a site-relative URL;
    views hand templates the same with the URL under the base path."""

    name: str
    url: str
    count: int = 0


@dataclass(frozen=True, slots=True)
class Pager:
    """Where a list page sits among its siblings."""

    number: int
    pages: int
    prev_url: str | None
    next_url: str | None
    links: tuple[tuple[int | None, str | None], ...]
    """(page number, URL) around the current page; (None, None) marks a gap."""


@dataclass(frozen=True, slots=True)
class Nav:
    """The URLs of the pages every page links to."""

    home: str
    tags: str
    archive: str
    feed: str
    search: str | None
    """None when the site has no search page."""
    menu: tuple[Link, ...] = ()
    """The section menu from site.toml: site-relative URLs, or another site's `http(s)://` URLs as written."""


def nav_urls(config: SiteConfig) -> Nav:
    links = config.permalinks
    menu = tuple(Link(item.name, _group_url(links, "tag", group_key(item.tag)) if item.tag else
                      item.url if "://" in item.url else item.url.lstrip("/")) for item in config.menu)
    return Nav(home="", tags=fill(links.tags), archive=fill(links.archive), feed=fill(links.feed),
               search=fill(links.search) if config.search else None, menu=menu)


def group_link(site: Site, kind: str, name: str) -> Link:
    """An article's link to the list of its tag or author (`kind` "tag" or "author") written `name`, shown
    with the name that list is headed with."""
    groups = site.tags if kind == "tag" else site.authors
    return Link(display_name(groups, name), _group_url(site.config.permalinks, kind, group_key(name)))


def _group_url(links: Permalinks, kind: str, key: str) -> str:
    return fill(links.tag, tag=key) if kind == "tag" else fill(links.author, author=key)


def _year_url(links: Permalinks, key: str) -> str:
    return fill(links.year, year=key)


def _month_url(links: Permalinks, key: str) -> str:
    year, month = key.split("/")
    return fill(links.month, year=year, month=month)


def fill(pattern: str, **fields: str) -> str:
    """A URL pattern with its fields filled, site-relative, without a leading `/`."""
    return pattern.format(**fields).lstrip("/")


def article_url(article: Article, permalinks: Permalinks) -> str:
    if article.meta.permalink:
        return article.meta.permalink
    d = article.meta.date
    return fill(permalinks.article, year=f"{d.year:04d}", month=f"{d.month:02d}", day=f"{d.day:02d}",
                slug=article.meta.slug)


SHORT_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
"""Crockford's base 32 in lower case: no i, l, o or u to misread when a link is typed from paper."""
SHORT_LENGTH = 6
"""Characters of a short code (32**6, about a billion codes); a clash makes the later article's longer."""


def short_identity(article: Article, url: str) -> str:
    """What an article's short link derives from: its frontmatter `id`, else its first URL (the first alias,
    kept when a correction moved the article, else its URL), so that correcting a headline, slug or date
    whose old URL is kept as an alias never changes the link."""
    return article.meta.identity or (f"/{article.aliases[0]}" if article.aliases else f"/{url}")


def short_urls(articles: dict[str, Article], urls: dict[str, str]) -> dict[str, str]:
    """Each article's short URL `s/CODE/`. CODE is a hash of `short_identity`; where two hash alike, the
    article published first (then the lesser identity) keeps the shorter code, so a newer article never
    changes an older one's link."""
    found: dict[str, str] = {}
    taken: set[str] = set()
    identities = {i: short_identity(articles[i], urls[i]) for i in urls}
    for article_id in sorted(urls, key=lambda i: (articles[i].meta.date.timestamp(), identities[i], i)):
        digest = hashlib.sha256(identities[article_id].encode()).digest()
        code = "".join(SHORT_ALPHABET[b % 32] for b in digest)
        length = SHORT_LENGTH
        while code[:length] in taken and length < len(code):
            length += 1
        taken.add(code[:length])
        found[article_id] = f"s/{code[:length]}/"
    return found


def paged_url(base: str, number: int, permalinks: Permalinks) -> str:
    """URL of page `number` (1-based) of the list at `base`."""
    return base if number == 1 else base + fill(permalinks.page, n=str(number))


def file_path(url: str) -> str:
    """Output file for a URL: pretty URLs (`a/b/`) become `a/b/index.html`."""
    return f"{url}index.html" if url == "" or url.endswith("/") else url


def plan_pages(site: Site) -> tuple[list[Page], list[SiteError]]:
    """Every output file of the site, in a stable order, and the path collisions found."""
    config = site.config
    links = config.permalinks
    pages: list[Page] = []
    pages += article_pages(site)
    pages += _list_pages(site, "home", "", site.order, "")
    feed_ids = _feed_ids(site, site.order)
    pages.append(_with_link_targets(_page(fill(links.feed), "atom.xml", "feed", feed_ids, list_url="", group="",
                                          name=""), site, feed_ids))
    pages.append(_page(fill(links.tags), "tags.html", "tags", (),
                       groups=tuple(Link(g.name, _group_url(links, "tag", g.key), len(g.article_ids))
                                    for g in _by_name(site.tags, site.config.language))))
    for group in site.tags.values():
        base, feed = _group_url(links, "tag", group.key), fill(links.tag_feed, tag=group.key)
        pages += _list_pages(site, "tag", base, group.article_ids, group.key, feed=feed)
        feed_ids = _feed_ids(site, group.article_ids)
        pages.append(_with_link_targets(_page(feed, "atom.xml", "feed", feed_ids, list_url=base, group=group.key,
                                              name=group.name), site, feed_ids))
    for group in site.authors.values():
        pages += _list_pages(site, "author", _group_url(links, "author", group.key), group.article_ids, group.key)
    pages.append(_page(fill(links.archive), "archive.html", "archive", (), years=_archive_tree(site)))
    for group in site.years.values():
        pages += _list_pages(site, "year", _year_url(links, group.key), group.article_ids, group.key,
                             months=_months_of(site, group))
    for group in site.months.values():
        year = site.years[group.key[:4]]
        pages += _list_pages(site, "month", _month_url(links, group.key), group.article_ids, group.key,
                             year=Link(year.name, _year_url(links, year.key)))
    pages += _alias_pages(site)
    pages += [Page(path=file_path(url), url=url, template="short.html", kind="short", params=(("id", article_id),),
                   inputs=frozenset({("meta", article_id)})) for article_id, url in sorted(site.short_urls.items())]
    pages.append(_page("404.html", "404.html", "404", ()))
    if config.search:
        pages.append(_page(fill(links.search), "search.html", "search", ()))
    pages += _sitemap_pages(pages, site)
    pages.append(_page("robots.txt", "robots.txt", "robots", ()))
    pages += [Page(path=out, url=out, template="", kind="asset", params=(("source", src),),
                   inputs=frozenset({("file", src)})) for out, src in sorted(site.assets.items())]
    return pages, find_collisions(pages, site) + _in_search_folder(pages, site)


def _page(url: str, template: str, kind: str, ids: tuple[str, ...], **params) -> Page:
    return Page(path=file_path(url), url=url, template=template, kind=kind,
                params=(("ids", ids), *sorted(params.items())),
                inputs=frozenset(("meta", i) for i in ids))


def article_pages(site: Site) -> Iterator[Page]:
    """The article pages, planned before related lists are ranked: `with_related` adds each one's list."""
    order = site.order
    for index, article_id in enumerate(order):
        article = site.articles[article_id]
        newer = order[index - 1] if index > 0 else None
        older = order[index + 1] if index + 1 < len(order) else None
        targets = tuple(t for link in article.body.links if (t := linked_article(link, site.articles)))
        shown = {i for i in (newer, older) if i} | set(targets)
        url = site.urls[article_id]
        yield Page(path=file_path(url), url=url, template="article.html", kind="article",
                   params=(("id", article_id), ("newer", newer), ("older", older), ("related", ()),
                           ("links", targets), ("short", site.short_urls.get(article_id))),
                   inputs=frozenset({("body", article_id), ("meta", article_id), *(("meta", i) for i in shown)}))


def with_related(page: Page, related: tuple[str, ...]) -> Page:
    """An article page from `article_pages` with its related list."""
    params = tuple((name, related if name == "related" else value) for name, value in page.params)
    return replace(page, params=params, inputs=page.inputs | {("meta", i) for i in related})


def _list_pages(site: Site, kind: str, base: str, ids: tuple[str, ...], group: str, **extra) -> Iterator[Page]:
    """A list split into pages; each page's params carry everything it shows besides its articles."""
    per_page = site.config.per_page
    total = max(1, -(-len(ids) // per_page))
    name = _group_name(site, kind, group)
    urls = [paged_url(base, number, site.config.permalinks) for number in range(1, total + 1)]
    for number, url in enumerate(urls, start=1):
        chunk = ids[(number - 1) * per_page: number * per_page]
        page = _page(url, "index.html" if kind == "home" else f"{kind}.html", kind, chunk,
                     pager=_pager(number, urls), group=group, name=name, count=len(ids), **extra)
        yield _with_link_targets(page, site, chunk)


def _pager(number: int, urls: list[str]) -> Pager:
    """Page `number` of a list whose pages are at `urls`: two pages either side, the ends, and gaps."""
    pages = len(urls)
    shown = sorted({1, pages, *range(max(1, number - 2), min(pages, number + 2) + 1)})
    links: list[tuple[int | None, str | None]] = []
    for n in shown:
        if links and links[-1][0] is not None and n - links[-1][0] > 1:
            links.append((None, None))
        links.append((n, urls[n - 1]))
    return Pager(number=number, pages=pages, prev_url=urls[number - 2] if number > 1 else None,
                 next_url=urls[number] if number < pages else None, links=tuple(links))


def _group_name(site: Site, kind: str, key: str) -> str:
    groups = {"tag": site.tags, "author": site.authors, "year": site.years, "month": site.months}.get(kind)
    return groups[key].name if groups else ""


def _with_link_targets(page: Page, site: Site, ids: tuple[str, ...]) -> Page:
    """Summaries may link to other articles by path: the page then shows those articles' URLs too."""
    targets = {("meta", t) for i in ids for link in site.articles[i].body.links
               if (t := linked_article(link, site.articles))}
    return replace(page, inputs=page.inputs | targets) if targets else page


def _feed_ids(site: Site, ids: tuple[str, ...]) -> tuple[str, ...]:
    return ids[: site.config.feed_entries]


def _by_name(groups: dict[str, Group], language: str) -> list[Group]:
    return sorted(groups.values(), key=lambda g: (name_order(g.name, language), g.key))


def _archive_tree(site: Site) -> tuple[tuple[Link, tuple[Link, ...]], ...]:
    """(year, its months), newest first."""
    links = site.config.permalinks
    return tuple((Link(year.name, _year_url(links, year.key), len(year.article_ids)), _months_of(site, year))
                 for year in site.years.values())


def _months_of(site: Site, year: Group) -> tuple[Link, ...]:
    """The months of a year, newest first."""
    links = site.config.permalinks
    return tuple(Link(m.name, _month_url(links, m.key), len(m.article_ids)) for m in site.months.values()
                 if m.key.startswith(year.key + "/"))


def _alias_pages(site: Site) -> Iterator[Page]:
    for article_id in site.order:
        for alias in site.articles[article_id].aliases:
            yield Page(path=file_path(alias), url=alias, template="alias.html", kind="alias",
                       params=(("id", article_id),), inputs=frozenset({("meta", article_id)}))


def _sitemap_pages(pages: list[Page], site: Site) -> list[Page]:
    """One sitemap, or an index of several when the site has more URLs than one sitemap may hold."""
    entries = tuple((p.url, p.param("id")) for p in pages
                    if p.path.endswith(".html") and p.kind not in ("alias", "short", "404", "search"))
    chunks = [entries[i: i + SITEMAP_LIMIT] for i in range(0, len(entries), SITEMAP_LIMIT)] or [()]
    def part(path: str, chunk: tuple) -> Page:
        return Page(path, path, "sitemap.xml", "sitemap", (("entries", chunk),),
                    frozenset(("meta", i) for _, i in chunk if i))

    if len(chunks) == 1:
        return [part("sitemap.xml", chunks[0])]
    parts = [part(f"sitemap-{n}.xml", chunk) for n, chunk in enumerate(chunks, start=1)]
    index = Page("sitemap.xml", "sitemap.xml", "sitemap_index.xml", "sitemap-index",
                 (("parts", tuple(p.url for p in parts)),), frozenset())
    return [index, *parts]


def find_collisions(pages: list[Page], site: Site) -> list[SiteError]:
    """Two pages on one path, or on paths equal but for case (which clash on case-insensitive hosts), and
    paths that cannot be written safely."""
    errors = [SiteError(_origin(page, site), problem) for page in pages if (problem := _path_problem(page.path))]
    for page, other in _clashes(pages):
        if other.path.casefold() == page.path.casefold():
            clash = f"output '{page.path}' is also produced by {_origin(other, site)}" + (
                "" if other.path == page.path else f" as '{other.path}' (differs only in case)")
        else:
            clash = f"output '{page.path}' needs a folder where {_origin(other, site)} writes the file '{other.path}'"
        errors.append(SiteError(_origin(page, site), clash + "; give one of them another slug, alias or file name"))
    return errors


def _in_search_folder(pages: list[Page], site: Site) -> list[SiteError]:
    """Pages that the search index would overwrite."""
    if not site.config.search:
        return []
    prefix = SEARCH_FOLDER + "/"
    return [SiteError(_origin(p, site), f"output '{p.path}' is in '{prefix}', which holds the search index; "
                      "move it, or set search = false in site.toml") for p in pages if p.path.casefold().startswith(prefix)]


_ARTICLE_KINDS = ("article", "alias", "short")
"""Pages an article asks for: dropping the article drops them."""


def unplaceable_articles(pages: list[Page]) -> set[str]:
    """Ids of articles to leave out so that every path can be written and no two pages share one: those
    with a bad path, and of each clashing pair the article named first in the error (the later one)."""
    ids = {p.param("id") for p in pages if p.kind in _ARTICLE_KINDS and _path_problem(p.path)}
    for page, other in _clashes(pages):
        for p in (page, other):
            if p.kind in _ARTICLE_KINDS and p.param("id"):
                ids.add(p.param("id"))
                break
    return ids


def _path_problem(path: str) -> str | None:
    if not is_inside(path):
        return (f"output path {path!r} would leave the output folder or holds control characters; rename the file "
                "or change the pattern")
    if len(path) > MAX_NAME_BYTES // 4 and any(len(name.encode()) > MAX_NAME_BYTES for name in path.split("/")):
        return (f"output path '{path[:60]}...' has a name longer than {MAX_NAME_BYTES} bytes, which file systems "
                "refuse; shorten the slug, alias or pattern")
    return None


def _clashes(pages: list[Page]) -> Iterator[tuple[Page, Page]]:
    """(page, the earlier page on the same path up to case) for every clash, then (page, the page whose file
    stands where the page needs a folder: `feed.xml` for `feed.xml/x/index.html`)."""
    seen: dict[str, Page] = {}
    keys = [page.path.casefold() for page in pages]
    for page, key in zip(pages, keys):
        if key in seen:
            yield page, seen[key]
        else:
            seen[key] = page
    for page, key in zip(pages, keys):
        end = key.find("/")
        while end != -1:
            if key[:end] in seen:
                yield page, seen[key[:end]]
                break
            end = key.find("/", end + 1)


def _origin(page: Page, site: Site) -> str:
    """The file that asked for a page: the article for article and alias pages, else what the page is."""
    article_id = page.param("id")
    if page.kind in _ARTICLE_KINDS and article_id:
        return source_path(article_id) + {"alias": " (alias)", "short": " (short link)"}.get(page.kind, "")
    if page.kind == "asset":
        return str(page.param("source"))
    return f"the {page.kind} page"


def is_inside(path: str) -> bool:
    """True for a relative output path that cannot leave the output folder and holds no backslash or
    control character."""
    if not path.strip("/.") or path[0] == "/" or "\\" in path or "/../" in f"/{path}/":
        return False
    return path.isprintable() or not _CONTROL.search(path)
