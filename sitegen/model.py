"""The content model: frozen dataclasses only, no I/O. Collections hold ids, not objects."""
from __future__ import annotations

import hashlib
import operator
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from sitegen.config import SiteConfig
from sitegen.errors import SiteError

Input = tuple[str, str]
"""A page input: ("meta", article id), ("body", article id) or ("file", absolute path of a copied file)."""


def source_path(article_id: str) -> str:
    """An article's file relative to the site folder, as messages name it."""
    return f"content/{article_id}"


def _by_constructor(self: Any) -> tuple:
    """Pickle as the constructor's arguments: loads far faster than dataclasses' per-field __setstate__
    (the article cache unpickles every article on every build that has something to do)."""
    return type(self), tuple(getattr(self, name) for name in self.__slots__)


@dataclass(frozen=True, slots=True)
class TocEntry:
    """One heading of an article body."""

    level: int
    """Heading level, 2 for `##`."""
    id: str
    """The heading's anchor id."""
    title: str
    """The heading's plain text."""

    __reduce__ = _by_constructor


@dataclass(frozen=True, slots=True)
class Body:
    """What the model keeps of a rendered body; the HTML itself lives in the article store."""

    summary_html: str
    """HTML before `<!--more-->`, else the first paragraph."""
    toc: tuple[TocEntry, ...]
    """Headings, in order."""
    word_count: int
    """Words in the plain text."""
    has_more: bool
    """Whether the writer set a `<!--more-->` break."""
    links: tuple[str, ...]
    """Ids of articles this body links to by relative `.md` path."""
    shortcodes: tuple[str, ...] = ()
    """Names of the shortcodes the body calls (its page depends on their templates)."""
    images: tuple[str, ...] = ()
    """Site-root paths (`/2020/map.png`) of the local images the body shows, by Markdown or a `figure`."""

    __reduce__ = _by_constructor


@dataclass(frozen=True, slots=True)
class Meta:
    """What pages other than its own show of an article: lists, feeds, the sitemap, alias pages and the
    links to it from its neighbours and the articles that rank it related. Its URL derives from it too.

    `digest` covers every field, so anything added here counts for incremental builds by construction;
    what the body alone shows (length, headings) stays in `Body`."""

    title: str
    """Headline as written."""
    date: datetime
    """Publication time, timezone-aware, in the offset it was written with."""
    all_day: bool
    """The date was written without a time of day."""
    updated: datetime | None
    """Last significant update, timezone-aware."""
    slug: str
    """URL-safe name: frontmatter `slug`, else the file name without a leading date."""
    permalink: str
    """The writer's own URL for the page (frontmatter `permalink`, Hugo `url`), site-relative; "" for the
    pattern."""
    tags: tuple[str, ...]
    """Tag display names, one per tag key, in the order written."""
    authors: tuple[str, ...]
    """Bylines, in order."""
    summary: str
    """Plain-text summary for descriptions and feeds."""
    summary_html: str
    """HTML summary for lists."""
    image: str | None
    """Lead image URL or path, if any."""
    extra: dict[str, Any]
    """Frontmatter keys sitegen does not know, passed to templates untouched."""
    identity: str = ""
    """Frontmatter `id`: the writer's stable name for the article, which its short link derives from."""
    language: str = ""
    """BCP 47 tag of the article's language (frontmatter `language`/`lang`); "" for the site's."""
    location: str = ""
    """Dateline place (frontmatter `location`), or ""."""
    standfirst: str = ""
    """The summary the writer gave in frontmatter, shown under the headline; "" when the summary is the
    body's own opening (shown there already)."""
    image_alt: str = ""
    """The lead image's alternative text (frontmatter `image_alt`)."""
    image_caption: str = ""
    """The lead image's caption (`image_caption`)."""
    image_credit: str = ""
    """Who made the lead image (`image_credit`)."""

    __reduce__ = _by_constructor

    def digest(self) -> str:
        """Changes whenever any field changes (a dict's key order included: templates see it)."""
        return hashlib.sha256(repr(_META_VALUES(self)).encode()).hexdigest()[:20]


_META_VALUES = operator.attrgetter(*(f.name for f in fields(Meta)))
"""Every field of a Meta, in order (one C call: parsing computes a digest per article)."""


@dataclass(frozen=True, slots=True)
class Article:
    """One article, parsed and validated."""

    id: str
    """Path under `content/`, POSIX style: the article's stable identity."""
    meta: Meta
    """What other pages show of it."""
    body: Body
    """The rendered body."""
    draft: bool
    """Drafts are left out unless the build asks for them."""
    expires: datetime | None
    """After this moment the article is left out (Hugo `expiryDate`)."""
    aliases: tuple[str, ...]
    """Old URLs that must redirect to this article."""
    related_pins: tuple[str, ...]
    """Slugs or ids the writer pinned first in the related list (frontmatter `related: [...]`)."""
    related_enabled: bool
    """False when frontmatter says `related: false`."""
    body_line: int
    """Line in the file where the body starts (for messages about the body)."""
    source_hash: str
    """Digest of the file's bytes (its body, terms and everything else derive from them)."""
    meta_hash: str
    """`meta.digest()`, computed once when parsed: the digest of the page input ("meta", id)."""
    warnings: tuple[SiteError, ...] = ()
    """Problems that did not stop the article, e.g. template tags left from another generator."""

    __reduce__ = _by_constructor


def linked_article(target: str, articles: Mapping[str, Any]) -> str | None:
    """The article a body's link names: `x.md`, else (a Hugo `ref` to a page bundle, written without its
    file) `x/index.md`; None when there is none."""
    if target in articles:
        return target
    stem, dot, _suffix = target.rpartition(".")
    bundle = f"{stem}/index.md" if dot else ""
    return bundle if bundle in articles else None


@dataclass(frozen=True, slots=True)
class Group:
    """A set of articles under one name: a tag, an author, a year or a month."""

    key: str
    """URL-safe key (tag slug, author slug, `2020`, `2020/10`)."""
    name: str
    """Display name."""
    article_ids: tuple[str, ...]
    """Members, newest first."""


@dataclass(frozen=True, slots=True)
class Site:
    """Everything a build knows before rendering."""

    config: SiteConfig
    articles: dict[str, Article]
    """Published articles by id."""
    order: tuple[str, ...]
    """Article ids, newest first (ties by URL)."""
    urls: dict[str, str]
    """Site-relative URL of each article (`2020/10/slug/`)."""
    tags: dict[str, Group]
    authors: dict[str, Group]
    years: dict[str, Group]
    months: dict[str, Group]
    related: dict[str, tuple[str, ...]]
    """Related article ids, best first."""
    assets: dict[str, str] = field(default_factory=dict)
    """Output path → source path (relative to the site folder) of static files and article images."""
    short_urls: dict[str, str] = field(default_factory=dict)
    """Site-relative short URL of each article (`s/CODE/`), planned by `routes.short_urls`."""
    images: dict[str, ImageInfo] = field(default_factory=dict)
    """Output path of a local image (`2020/map.png`) → its resized variants."""


@dataclass(frozen=True, slots=True)
class Variant:
    """One resized copy of an image."""

    width: int
    height: int
    path: str
    """Output path in the original format, `img/<digest>-<width>.jpg`."""
    webp: str
    """Output path of the WebP copy."""


@dataclass(frozen=True, slots=True)
class ImageInfo:
    """A local image as the image phase published it."""

    digest: str
    """Of the file's bytes and the image settings: equal digests, equal variants."""
    variants: tuple[Variant, ...]
    """Narrowest first; the last is the fallback `src`."""


@dataclass(frozen=True, slots=True)
class Page:
    """One output file, planned as data: where it goes, how it is made and what it depends on."""

    path: str
    """Output path relative to the output folder, e.g. `2020/10/slug/index.html`."""
    url: str
    """Site-relative URL, e.g. `2020/10/slug/` (empty for the front page)."""
    template: str
    """Template name."""
    kind: str
    """What the page is: article, home, tag, author, year, month, tags, archive, feed, ..."""
    params: tuple[tuple[str, Any], ...]
    """Small, hashable parameters the view needs (ids, page numbers)."""
    inputs: frozenset[Input]
    """What the page's bytes depend on, besides its template closure."""

    def param(self, name: str, default: Any = None) -> Any:
        return dict(self.params).get(name, default)
