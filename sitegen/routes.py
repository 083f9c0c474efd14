"""Pure: Site → every output page as data. The only owner of URLs; refuses two pages on one path."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from sitegen.config import Permalinks
from sitegen.errors import SiteError
from sitegen.model import Article, Group, Page, Site, linked_article

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_NAME_BYTES = 255
"""The longest file or folder name common file systems accept."""
SITEMAP_LIMIT = 50_000
"""URLs per sitemap file, the protocol's maximum."""
SEARCH_FOLDER = "pagefind"
"""Output folder of the search index, which `sitegen.search` writes after publishing; no page may go there."""


def fill(pattern: str, **fields: str) -> str:
    """A URL pattern with its fields filled, site-relative, without a leading `/`."""
    return pattern.format(**fields).lstrip("/")


def article_url(article: Article, permalinks: Permalinks) -> str:
    if article.permalink:
        return article.permalink
    d = article.date
    return fill(permalinks.article, year=f"{d.year:04d}", month=f"{d.month:02d}", day=f"{d.day:02d}",
                slug=article.slug)


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
                       groups=tuple((g.key, g.name, len(g.article_ids)) for g in _by_name(site.tags))))
    for group in site.tags.values():
        base = fill(links.tag, tag=group.key)
        pages += _list_pages(site, "tag", base, group.article_ids, group.key)
        feed_ids = _feed_ids(site, group.article_ids)
        pages.append(_with_link_targets(_page(fill(links.tag_feed, tag=group.key), "atom.xml", "feed", feed_ids,
                                              list_url=base, group=group.key, name=group.name), site, feed_ids))
    for group in site.authors.values():
        pages += _list_pages(site, "author", fill(links.author, author=group.key), group.article_ids, group.key)
    pages.append(_page(fill(links.archive), "archive.html", "archive", (), years=_archive_tree(site)))
    for group in site.years.values():
        months = tuple((m.key, m.name, len(m.article_ids)) for m in site.months.values()
                       if m.key.startswith(group.key + "/"))
        pages += _list_pages(site, "year", fill(links.year, year=group.key), group.article_ids, group.key,
                             months=months)
    for group in site.months.values():
        year, month = group.key.split("/")
        pages += _list_pages(site, "month", fill(links.month, year=year, month=month), group.article_ids, group.key)
    pages += _alias_pages(site)
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
                           ("links", targets)),
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
    for number in range(1, total + 1):
        chunk = ids[(number - 1) * per_page: number * per_page]
        page = _page(paged_url(base, number, site.config.permalinks), "index.html" if kind == "home" else f"{kind}.html",
                     kind, chunk, number=number, pages=total, base=base, group=group, name=name, count=len(ids), **extra)
        yield _with_link_targets(page, site, chunk)


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


def _by_name(groups: dict[str, Group]) -> list[Group]:
    return sorted(groups.values(), key=lambda g: (g.name.casefold(), g.key))


def _archive_tree(site: Site) -> tuple:
    """((year, count, ((month key, month name, count), ...)), ...), newest year first."""
    tree = []
    for year in site.years.values():
        months = tuple((m.key, m.name, len(m.article_ids)) for m in site.months.values()
                       if m.key.startswith(year.key + "/"))
        tree.append((year.key, len(year.article_ids), months))
    return tuple(tree)


def _alias_pages(site: Site) -> Iterator[Page]:
    for article_id in site.order:
        for alias in site.articles[article_id].aliases:
            yield Page(path=file_path(alias), url=alias, template="alias.html", kind="alias",
                       params=(("id", article_id),), inputs=frozenset({("meta", article_id)}))


def _sitemap_pages(pages: list[Page], site: Site) -> list[Page]:
    """One sitemap, or an index of several when the site has more URLs than one sitemap may hold."""
    entries = tuple((p.url, p.param("id")) for p in pages
                    if p.path.endswith(".html") and p.kind not in ("alias", "404", "search"))
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


def unplaceable_articles(pages: list[Page]) -> set[str]:
    """Ids of articles to leave out so that every path can be written and no two pages share one: those
    with a bad path, and of each clashing pair the article named first in the error (the later one)."""
    ids = {p.param("id") for p in pages if p.kind in ("article", "alias") and _path_problem(p.path)}
    for page, other in _clashes(pages):
        for p in (page, other):
            if p.kind in ("article", "alias") and p.param("id"):
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
    if page.kind in ("article", "alias") and article_id:
        return f"content/{article_id}" + (" (alias)" if page.kind == "alias" else "")
    if page.kind == "asset":
        return str(page.param("source"))
    return f"the {page.kind} page"


def is_inside(path: str) -> bool:
    """True for a relative output path that cannot leave the output folder and holds no backslash or
    control character."""
    if not path.strip("/.") or path[0] == "/" or "\\" in path or "/../" in f"/{path}/":
        return False
    return path.isprintable() or not _CONTROL.search(path)
