"""`site.toml` → a frozen, validated `SiteConfig`. Every key has a default."""
from __future__ import annotations

import difflib
import hashlib
import re
import string
import tomllib
import typing
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sitegen.errors import BuildFailed, SiteError, toml_line


@dataclass(frozen=True, slots=True)
class RelatedSettings:
    """The [related] table of site.toml; every field has a default."""

    count: int = 5
    """Number of related articles per page (pins included)."""
    text_weight: float = 1.0
    """Weight of the text cosine: text is the only signal every article has."""
    tag_weight: float = 0.5
    """Weight of the IDF-weighted tag cosine: tags are curated but few, so a perfect tag match counts
    half a perfect text match."""
    recency_weight: float = 0.1
    """A same-day article scores up to 10% higher: enough to order near-equals, never to promote an
    unrelated story."""
    recency_half_life_days: float = 90.0
    """Date distance at which the recency boost halves."""
    latent_weight: float = 0.6
    """Share of the text score that comes from latent topics (LSA) rather than shared words: on real news
    it lifts precision@5 by 1-5 points over words alone (README, BENCHMARKS.md)."""
    latent_dimensions: int = 48
    """Latent topics (at most 64): 24-64 measure alike on real news; fewer blur sections together."""
    sample_size: int = 2000
    """Articles whose statistics (IDF, mean length, latent basis, clusters) stand for the archive's: those
    with the lowest stable hash of id.  An edit outside them re-ranks only the lists it can enter or leave."""
    max_df_ratio: float = 0.5
    """Terms and tags carried by more than this share of sample articles (and by more than 32) are
    dropped, as Hugo does: they link everything, at the most cost, while IDF leaves them almost no weight."""


@dataclass(frozen=True, slots=True)
class ImageSettings:
    """The [images] table of site.toml: how local images are resized and encoded."""

    widths: list[int] = field(default_factory=lambda: [480, 800, 1200, 1600])
    """Widths in pixels each image is resized to (never above its own width)."""
    quality: int = 80
    """JPEG and WebP quality, 1-100."""


@dataclass(frozen=True, slots=True)
class Permalinks:
    """URL patterns, site-relative; `{name}` fields are filled per page. Each must end in `/` or a file name."""

    article: str = "/{year}/{month}/{slug}/"
    """Article pages; fields: year, month, day, slug."""
    tag: str = "/tags/{tag}/"
    """Tag pages; field: tag."""
    tags: str = "/tags/"
    """The tag index."""
    author: str = "/authors/{author}/"
    """Author pages; field: author."""
    archive: str = "/archive/"
    """The archive index."""
    year: str = "/{year}/"
    """Year archives; field: year."""
    month: str = "/{year}/{month}/"
    """Month archives; fields: year, month."""
    page: str = "page/{n}/"
    """Appended to a list's URL for its page n >= 2."""
    feed: str = "/feed.xml"
    """The site's Atom feed."""
    tag_feed: str = "/tags/{tag}/feed.xml"
    """A tag's Atom feed; field: tag."""
    search: str = "/search/"
    """The search page (when `search` is on)."""


@dataclass(frozen=True, slots=True)
class MenuItem:
    """One entry of the section menu (`[[menu]]` in site.toml)."""

    name: str
    """The label shown."""
    url: str = ""
    """A path in the site (`/tags/harbour/`, put under the base path) or an `http(s)://` URL."""
    tag: str = ""
    """Instead of `url`: the tag whose list page the entry opens."""


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """The site's settings, from `site.toml`."""

    title: str = "Archive"
    """Site name, shown in the header and in every page title."""
    description: str = ""
    """Default meta description."""
    base_url: str = "/"
    """Where the site lives: `https://example.org/archive/`, `/archive/` or `/`."""
    language: str = "en"
    """BCP 47 language tag for `<html lang>` and feeds."""
    timezone: str = "UTC"
    """IANA zone for dates written without an offset."""
    per_page: int = 10
    """Articles per list page."""
    date_format: str = "%H:%M %Z %-d %B %Y"
    """strftime pattern for article timestamps; `%Z` shows the zone (BST, GMT, UTC+03:00), `%-d` the day
    without a leading zero."""
    time_format: str = "%H:%M %Z"
    """strftime pattern for an update made on the day of publication ("Updated 11:20 BST")."""
    day_format: str = "%-d %B %Y"
    """strftime pattern for dates without a time: short listings and articles dated by day only."""
    feed_entries: int = 20
    """Entries per Atom feed."""
    raw_html: bool = True
    """Let raw HTML in Markdown through (embeds); `javascript:` URLs never pass."""
    words_per_minute: int = 230
    """Reading speed for reading-time estimates."""
    search: bool = True
    """Index the built site with Pagefind and give the theme a search page and a search box."""
    excerpt_separator: str = ""
    """Marks the end of the summary in every body, besides `<!--more-->` (Jekyll's `excerpt_separator`)."""
    permalinks: Permalinks = field(default_factory=Permalinks)
    """URL patterns."""
    related: RelatedSettings = field(default_factory=RelatedSettings)
    """Related-article ranking."""
    menu: tuple[MenuItem, ...] = ()
    """The section menu under the header, in order (`[[menu]]` tables with `name` and `url` or `tag`)."""
    images: ImageSettings = field(default_factory=ImageSettings)
    """Image resizing."""
    params: dict[str, Any] = field(default_factory=dict)
    """Free-form values for templates (`site.params`), shortcodes' `param` and Liquid's `site`."""
    liquid: bool = False
    """Render every article as Liquid before Markdown (an Eleventy archive); files under `_posts/` and
    `_drafts/` always are."""
    jekyll: dict[str, Any] = field(default_factory=dict)
    """A Jekyll `_config.yml` found in the site folder (Liquid's `site`); not a site.toml key."""
    includes: dict[str, str] = field(default_factory=dict)
    """Liquid includes by name: the site's `_includes/`, then `templates/includes/`; not a site.toml key."""

    @property
    def base_path(self) -> str:
        """The URL path the site is served under, with leading and trailing `/`."""
        path = self.base_url.split("://", 1)[1].partition("/")[2] if "://" in self.base_url else self.base_url
        path = path.strip("/")
        return f"/{path}/" if path else "/"

    @property
    def origin(self) -> str:
        """`https://host` when base_url is absolute, else empty."""
        if "://" not in self.base_url:
            return ""
        scheme, rest = self.base_url.split("://", 1)
        return f"{scheme}://{rest.partition('/')[0]}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def digest(self) -> str:
        """Changes whenever any setting changes."""
        return hashlib.sha256(repr(self).encode()).hexdigest()[:16]


CONFIG_FILE = "site.toml"
_PATTERN_FIELDS = {"article": {"year", "month", "day", "slug"}, "tag": {"tag"}, "tags": set(), "author": {"author"},
                   "archive": set(), "year": {"year"}, "month": {"year", "month"}, "page": {"n"}, "feed": set(),
                   "tag_feed": {"tag"}, "search": set()}
_PAGINATED = ("tag", "author", "year", "month", "page")


def load_config(site_dir: Path, base_url: str | None = None) -> SiteConfig:
    """Read `site.toml` from `site_dir` (absent → defaults); raise BuildFailed listing every bad key."""
    path = site_dir / CONFIG_FILE
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise BuildFailed([SiteError(CONFIG_FILE, f"not valid TOML: {exc}", toml_line(exc))]) from None
    errors: list[SiteError] = []
    config = _build(SiteConfig, data, "", errors)
    config = replace(config, jekyll=_jekyll_config(site_dir, errors), includes=_liquid_includes(site_dir))
    if base_url is not None:
        config = replace(config, base_url=base_url)
    errors += _check(config)
    if errors:
        raise BuildFailed(errors)
    return config


_FROM_FILES = ("jekyll", "includes")
"""SiteConfig fields read from files of the site folder, not from site.toml."""


def _jekyll_config(site_dir: Path, errors: list[SiteError]) -> dict[str, Any]:
    """A Jekyll `_config.yml` in the site folder, for Liquid's `site`."""
    path = site_dir / "_config.yml"
    if not path.is_file():
        return {}
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, ValueError) as exc:
        errors.append(SiteError("_config.yml", f"not valid YAML: {str(exc).splitlines()[0]}; fix or remove it"))
        return {}
    return data if isinstance(data, dict) else {}


def _liquid_includes(site_dir: Path) -> dict[str, str]:
    """Liquid include files by name (`_includes/` over `templates/includes/`)."""
    found: dict[str, str] = {}
    for folder in (site_dir / "templates" / "includes", site_dir / "_includes"):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    try:
                        found[path.relative_to(folder).as_posix()] = path.read_text(encoding="utf-8")
                    except (OSError, UnicodeDecodeError):
                        continue
    return found


def _build(cls: type, data: dict[str, Any], prefix: str, errors: list[SiteError]) -> Any:
    """Instantiate dataclass `cls` from a TOML table, recording unknown keys and wrong types."""
    hints = typing.get_type_hints(cls)
    known = {f.name for f in fields(cls)} - set(_FROM_FILES)
    values: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=1)
            hint = f"; did you mean '{prefix}{close[0]}'?" if close else f"; known keys: {', '.join(sorted(known))}"
            errors.append(SiteError(CONFIG_FILE, f"unknown key '{name}'{hint}"))
            continue
        expected = hints[key]
        if key == "menu" and cls is SiteConfig:
            values[key] = _menu(value, errors)
            continue
        if isinstance(expected, type) and hasattr(expected, "__dataclass_fields__"):
            if not isinstance(value, dict):
                errors.append(SiteError(CONFIG_FILE, f"'{name}' must be a table ([{name}])"))
                continue
            values[key] = _build(expected, value, f"{name}.", errors)
            continue
        base = typing.get_origin(expected) or expected
        ok = isinstance(value, base) and not (base in (int, float) and isinstance(value, bool))
        if base is float and isinstance(value, int) and not isinstance(value, bool):
            value, ok = float(value), True
        if not ok:
            errors.append(SiteError(CONFIG_FILE, f"'{name}' must be {_type_name(base)}, not {_type_name(type(value))}"))
            continue
        values[key] = value
    return cls(**values)


def _menu(value: Any, errors: list[SiteError]) -> tuple[MenuItem, ...]:
    """`[[menu]]` tables as items; each one needs a name and exactly one of url and tag."""
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        errors.append(SiteError(CONFIG_FILE, "'menu' must be tables: [[menu]] with name = \"...\" and url = \"/path/\""))
        return ()
    items = []
    for number, table in enumerate(value, start=1):
        before = len(errors)
        item = _build(MenuItem, table, f"menu[{number}].", errors)
        if len(errors) > before:
            continue
        if not item.name.strip() or bool(item.url) == bool(item.tag):
            errors.append(SiteError(CONFIG_FILE, f"menu entry {number} needs a name and either url = \"/path/\" or "
                                                 "tag = \"Tag name\""))
        elif item.url and not re.match(r"(https?://|/)", item.url) or re.search(r"[\\\x00-\x1f\x7f]", item.url):
            errors.append(SiteError(CONFIG_FILE, f"menu entry {number}: url {item.url!r} must be a path in the site "
                                                 "starting with '/' or an http(s):// URL"))
        else:
            items.append(item)
    return tuple(items)


def _type_name(t: type) -> str:
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false", dict: "a table",
            list: "a list"}.get(t, t.__name__)


def _check(config: SiteConfig) -> list[SiteError]:
    """Value checks that types alone do not catch."""
    errors = []
    try:
        ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        errors.append(SiteError(CONFIG_FILE, f"'timezone' {config.timezone!r} is not an IANA zone such as 'Europe/London'"))
    for key in ("per_page", "feed_entries", "words_per_minute"):
        if getattr(config, key) < 1:
            errors.append(SiteError(CONFIG_FILE, f"'{key}' must be at least 1"))
    if config.related.count < 0:
        errors.append(SiteError(CONFIG_FILE, "'related.count' must not be negative"))
    widths = config.images.widths
    if not widths or not all(isinstance(w, int) and not isinstance(w, bool) and 16 <= w <= 8192 for w in widths):
        errors.append(SiteError(CONFIG_FILE, "'images.widths' must be a list of whole pixel widths from 16 to 8192, "
                                "e.g. [480, 800, 1200, 1600]"))
    if not 1 <= config.images.quality <= 100:
        errors.append(SiteError(CONFIG_FILE, "'images.quality' must be from 1 to 100"))
    if not config.base_url.endswith("/"):
        errors.append(SiteError(CONFIG_FILE, f"'base_url' must end with '/': {config.base_url}/"))
    for f in fields(Permalinks):
        pattern = getattr(config.permalinks, f.name)
        if ".." in pattern.split("/") or re.search(r"[\\\x00-\x1f\x7f]", pattern):
            errors.append(SiteError(CONFIG_FILE, f"'permalinks.{f.name}' must not contain '..', '\\' or "
                                    "control characters"))
        try:
            used = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
        except ValueError as exc:
            errors.append(SiteError(CONFIG_FILE, f"'permalinks.{f.name}': {exc}"))
            continue
        unknown = used - _PATTERN_FIELDS[f.name]
        if unknown:
            allowed = ", ".join(f"{{{n}}}" for n in sorted(_PATTERN_FIELDS[f.name])) or "none"
            errors.append(SiteError(CONFIG_FILE, f"'permalinks.{f.name}' uses unknown "
                                    f"{', '.join(f'{{{n}}}' for n in sorted(unknown))}; allowed fields: {allowed}"))
        if f.name in _PAGINATED and not pattern.endswith("/"):
            errors.append(SiteError(CONFIG_FILE, f"'permalinks.{f.name}' must end with '/': its later pages "
                                    "go below it (page/2/)"))
    return errors

