"""`sitegen check`: lint an archive without building it — likely typos in frontmatter keys, missing or
suspicious dates, links to article files that do not exist, missing images, shortcodes, Liquid tags and
filters nothing defines. Imports no template engine: shortcode templates are found by file name."""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

from sitegen.config import SiteConfig, load_config
from sitegen.errors import BuildFailed, KeyTypo, SiteError
from sitegen.files import ARTICLE_SUFFIXES, THEME, list_files
from sitegen.frontmatter_keys import DATED_NAME, KNOWN_KEYS, key_typos
from sitegen.markdown import article_target, find_links
from sitegen.migrate import convert_body, is_jekyll, misplaced_posts, normalise
from sitegen.model import Article, source_path
from sitegen.new import BODY_PLACEHOLDER
from sitegen.reader import Parsed, decode_text, parse_article, split_frontmatter
from sitegen.shortcodes import OPEN, PLACEHOLDER, decode

FAR_FUTURE_YEARS = 10
"""A date this many years ahead is more likely a typo than a scheduled article."""


@dataclass(slots=True)
class Report:
    """What a check found."""

    errors: list[SiteError] = field(default_factory=list)
    """What breaks the build or the site: unreadable files, likely key typos, dead article links, missing images."""
    warnings: list[SiteError] = field(default_factory=list)
    """What looks wrong but builds: odd dates, template tags left from another generator."""
    files: int = 0
    """Article files checked."""


@dataclass(frozen=True, slots=True)
class Inputs:
    """The site's files, as `check_article` needs them."""

    config: SiteConfig
    articles: frozenset[str]
    """Article files under content/."""
    files: frozenset[str]
    """Every other file that ends up in the output: content/ and static/ files, the theme's static files."""
    shortcodes: frozenset[str] = frozenset()
    """Names of the shortcodes templates define (the site's `templates/shortcodes/` and the theme's)."""


class Use(NamedTuple):
    """A shortcode, Liquid tag or Liquid filter that nothing defines, where an article uses it."""

    kind: str
    name: str
    article_id: str
    line: int


def check_site(source: Path, now: datetime) -> Report:
    """Lint every article of the site at `source`; nothing is written."""
    report = Report()
    misplaced = misplaced_posts(source)
    if misplaced:
        report.errors.append(misplaced)
        return report
    try:
        config = load_config(source)
    except BuildFailed as failed:
        report.errors += failed.errors
        return report
    content = source / "content"
    if not content.is_dir():
        report.errors.append(SiteError(str(content), "no content/ folder: nothing to check"))
        return report
    listed = list_files(content)
    ids = [i for i in listed if i.endswith(ARTICLE_SUFFIXES) and PurePosixPath(i).stem != "_index"]
    shortcodes = frozenset(name.removesuffix(".html") for folder in (source / "templates", THEME / "templates")
                           for name in list_files(folder / "shortcodes") if name.endswith(".html"))
    inputs = Inputs(config, frozenset(ids), frozenset(
        [*listed, *list_files(source / "static"), *list_files(THEME / "static")]), shortcodes)
    uses: list[Use] = []
    for article_id in ids:
        path = content / article_id
        try:
            raw, modified = path.read_bytes(), path.stat().st_mtime
        except OSError as exc:
            report.errors.append(SiteError(source_path(article_id), f"cannot read the file: {exc.strerror}"))
            continue
        errors, warnings = check_article(raw, article_id, inputs, now, modified, uses)
        report.errors += errors
        report.warnings += warnings
    report.files = len(ids)
    report.warnings += undefined_summary(uses)
    for found in (report.errors, report.warnings):
        found.sort(key=lambda e: (e.path, e.line or 0, e.message))
    return report


def check_article(raw: bytes, article_id: str, inputs: Inputs, now: datetime, modified: float | None = None,
                  uses: list[Use] | None = None) -> tuple[list[SiteError], list[SiteError]]:
    """Errors and warnings for one file (pure); `modified` as for `parse_article`. Shortcodes, Liquid tags
    and filters the file uses that nothing defines are added to `uses`."""
    parsed = parse_article(raw, article_id, inputs.config, modified)
    errors = [] if isinstance(parsed, Parsed) else list(parsed)
    path = source_path(article_id)
    text = decode_text(raw, path)
    if isinstance(text, list):
        return errors, []
    meta, body, body_line, key_lines, problems = split_frontmatter(text, path)
    if problems:
        return errors, []
    warnings: list[SiteError] = []
    if isinstance(parsed, Parsed):  # the build warns about key typos too; check calls them errors
        errors += [w for w in parsed.article.warnings if isinstance(w, KeyTypo)]
        warnings += [w for w in parsed.article.warnings if not isinstance(w, KeyTypo)]
        errors += missing_shortcode_images(parsed, inputs)
        if uses is not None:
            liquid = inputs.config.liquid or is_jekyll(article_id)
            uses += undefined_uses(parsed, body if liquid else "", inputs.shortcodes)
        warnings += date_warnings(parsed.article, normalise(meta, key_lines, article_id, KNOWN_KEYS)[1], now)
        warnings += missing_alt_text(parsed.article, meta, key_lines)
        if BODY_PLACEHOLDER in body:
            warnings.append(SiteError(path, "the body is still the placeholder `sitegen new` wrote; write the story",
                                      body_line + body[:body.index(BODY_PLACEHOLDER)].count("\n")))
    else:
        errors += key_typos(meta, key_lines, path)
    errors += dead_links(convert_body(body, article_id)[0], body_line, article_id, inputs)
    return errors, warnings


_FILTER = re.compile(r"Liquid filter '([^']*)' is unknown")


def undefined_uses(parsed: Parsed, liquid_body: str, defined: frozenset[str]) -> list[Use]:
    """Shortcodes (and Liquid tags, which call shortcodes) without a template, and unknown Liquid filters.
    `liquid_body` is the body as written when the file is Liquid, else empty."""
    article = parsed.article
    found = []
    for match in PLACEHOLDER.finditer(parsed.html) if OPEN in parsed.html else ():
        data = decode(match.group(1))
        if data["name"] not in defined:
            tag = re.search(r"\{%-?\s*" + re.escape(data["name"]) + r"\b", liquid_body) if liquid_body else None
            found.append(Use("Liquid tag" if tag else "shortcode", data["name"], article.id,
                             article.body_line + data["line"]))
    for warning in article.warnings:
        filter_name = _FILTER.match(warning.message)
        if filter_name:
            found.append(Use("Liquid filter", filter_name.group(1), article.id, warning.line or 1))
    return found


def missing_shortcode_images(parsed: Parsed, inputs: Inputs) -> list[SiteError]:
    """A shortcode's `src` (a `figure`'s image) found neither beside the article nor in content/ or static/."""
    found = []
    for match in PLACEHOLDER.finditer(parsed.html) if OPEN in parsed.html else ():
        data = decode(match.group(1))
        src = data["kwargs"].get("src")
        if isinstance(src, str) and src and not _image_exists(src, parsed.article.id, inputs):
            found.append(SiteError(source_path(parsed.article.id), f"image {src!r} of shortcode {data['name']!r} not found in "
                                                      "content/ or static/", parsed.article.body_line + data["line"]))
    return found


def missing_alt_text(article: Article, meta: dict[str, Any], key_lines: dict[str, int]) -> list[SiteError]:
    """A lead image without `image_alt`: readers who cannot see it learn nothing of it."""
    alt = meta.get("image_alt")
    if article.meta.image is None or (isinstance(alt, str) and alt.strip()):
        return []
    return [SiteError(source_path(article.id), "the lead image has no alt text: add `image_alt:` describing what it "
                                                "shows", key_lines.get("image", 1))]


def undefined_summary(uses: list[Use]) -> list[SiteError]:
    """One warning per undefined name: how many files use it, where first, and what would define it."""
    by_name: dict[tuple[str, str], list[Use]] = {}
    for use in sorted(uses, key=lambda u: (u.article_id, u.line)):
        by_name.setdefault((use.kind, use.name), []).append(use)
    found = []
    for (kind, name), where in sorted(by_name.items()):
        files = len({u.article_id for u in where})
        used = f"unknown {kind} '{name}' used in {files} file{'s' if files > 1 else ''}"
        if kind == "Liquid filter":
            hint = "its values are shown unfiltered; no template defines a filter, so rewrite it in the text"
        else:
            hint = f"shown as text until templates/shortcodes/{name}.html defines it"
        found.append(SiteError(source_path(where[0].article_id), f"{used}: {hint}", where[0].line))
    return found


def date_warnings(article: Article, key_lines: dict[str, int], now: datetime) -> list[SiteError]:
    """Dates that are probably wrong: in the future, before 1900, far ahead, updated before published, or far
    from the date in the file name."""
    found = []
    date, updated, line = article.meta.date, article.meta.updated, key_lines.get("date", 1)

    def warn(message: str, where: int = line) -> None:
        found.append(SiteError(source_path(article.id), message, where))

    if date.year < 1900:
        warn(f"dated {date.year}, before 1900: a typo?")
    elif date.year > now.year + FAR_FUTURE_YEARS:
        warn(f"dated {date.year}, far in the future: a typo?")
    elif date > now:
        warn(f"dated in the future ({date.isoformat()}): builds leave it out until then (or use --future)")
    if updated is not None and updated < date:
        warn(f"updated ({updated.isoformat()}) before it was published ({date.isoformat()})",
             key_lines.get("updated", 1))
    path = PurePosixPath(article.id)
    dated = DATED_NAME.match(path.parent.name if path.stem == "index" else path.stem)
    if dated and "date" in key_lines:
        named = datetime.fromisoformat(dated.group(1)).date()
        if abs(date.date() - named) > timedelta(days=1):
            warn(f"date {date.date().isoformat()} differs from the file name's {named.isoformat()}")
    return found


def dead_links(body: str, body_line: int, article_id: str, inputs: Inputs) -> list[SiteError]:
    """Relative links to article files that do not exist, and images found neither beside the article nor in
    the site's content/ or static/ folders."""
    found, path = [], source_path(article_id)
    for link in find_links(body):
        line = body_line + link.line - 1
        if link.image:
            if not _image_exists(link.href, article_id, inputs):
                found.append(SiteError(path, f"image {link.href!r} not found in content/ or static/", line))
            continue
        target = article_target(link.href, article_id)
        if target is not None and target not in inputs.articles:
            found.append(SiteError(path, f"link to {link.href!r} points to no article ({target!r} does not "
                                         "exist under content/)", line))
    return found


def _image_exists(href: str, article_id: str, inputs: Inputs) -> bool:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path:
        return True
    path = unquote(parts.path)
    if path.startswith("/"):
        base = inputs.config.base_path
        return (path[len(base):] if path.startswith(base) else path.lstrip("/")) in inputs.files
    beside = posixpath.normpath(posixpath.join(posixpath.dirname(article_id), path))
    return beside in inputs.files or path in inputs.files
