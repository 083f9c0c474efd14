"""Find `content/**/*.md` and turn each file into a validated `Article`, or `SiteError`s naming the file."""
from __future__ import annotations

import hashlib
import json
import re
import tomllib
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any, NamedTuple

import frontmatter
import yaml
from frontmatter.default_handlers import BaseHandler, JSONHandler, YAMLHandler

from sitegen.config import SiteConfig
from sitegen.dates import has_time, parse_date
from sitegen.errors import SiteError
from sitegen.liquid_body import render_liquid, uses_liquid
from sitegen.markdown import render_body
from sitegen.migrate import (
    convert_body,
    is_jekyll,
    leftover_message,
    normalise,
    pelican_header,
    post_folder,
    split_excerpt,
    title_from_name,
)
from sitegen.model import Article
from sitegen.shortcodes import lookup
from sitegen.slugs import is_safe_segment, slugify
from sitegen.terms import Terms, extract_terms

KNOWN_KEYS = frozenset({"title", "date", "updated", "tags", "author", "authors", "summary", "slug", "draft",
                        "image", "aliases", "related", "permalink", "expires", "excerpt_separator"})
DATED_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-(.+)$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters: invisible, not allowed in XML (feeds, sitemaps); dropped from text and values."""
_CONTROL_BYTES = bytes(b for b in range(128) if _CONTROL.match(chr(b)))
_C0_AND_SPACE = "".join(map(chr, range(33)))
_SCRIPT_URL = re.compile(r"(javascript|vbscript|data):", re.IGNORECASE)


class TOMLHandler(BaseHandler):
    """`+++` frontmatter read with the standard library's tomllib (python-frontmatter's needs `toml`)."""

    FM_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"

    def load(self, fm: str, **kwargs: object) -> Any:
        return tomllib.loads(fm)


class _YAMLLoader(yaml.CSafeLoader):
    """libyaml's safe loader, reporting values Python cannot hold (2021-02-30, a 5,000-digit number) at their
    line instead of raising a bare ValueError."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:
            problem = f"cannot use {str(node.value)[:40]!r}: {str(exc).split(';')[0]}; correct it"
            raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark) from None


_HANDLERS = [YAMLHandler(), TOMLHandler(), JSONHandler()]
_FORMAT_NAMES = {YAMLHandler: "YAML", TOMLHandler: "TOML", JSONHandler: "JSON"}
MAX_META_ITEMS = 10_000
"""Values one frontmatter key may hold, nested ones included: YAML anchors can expand a few lines into
billions (and a value can contain itself)."""


class Parsed(NamedTuple):
    """A parsed article with the heavy parts the model does not hold."""

    article: Article
    html: str
    terms: Terms


def source_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:20]


def parse_article(raw: bytes, article_id: str, config: SiteConfig, modified: float | None = None) -> Parsed | list[SiteError]:
    """Parse one file's bytes (pure). Every problem found is returned, each with its line where known.

    `modified` (the file's mtime) dates a Jekyll draft that has no date, as Jekyll does."""
    text = decode_text(raw, article_id)
    if isinstance(text, list):
        return text
    meta, body, body_line, key_lines, errors = split_frontmatter(text, article_id)
    if errors:
        return errors
    return _validate(meta, body, body_line, key_lines, article_id, config, source_hash(raw), modified)


def decode_text(raw: bytes, article_id: str) -> str | list[SiteError]:
    """A file's bytes as text with `\n` line ends and no control characters, or why they are not text."""
    if b"\x00" in raw:
        return [SiteError(article_id, "contains NUL bytes: this looks like a binary file, not Markdown; "
                                      "rename or remove it")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return [SiteError(article_id, f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8", line)]
    if not text.strip():
        return [SiteError(article_id, "the file is empty; write an article (frontmatter with a title and date, "
                                      "then the text) or delete it")]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # UTF-8 encodes these characters as themselves only, so the bytes tell without a regex scan of the text.
    return _CONTROL.sub("", text) if len(raw.translate(None, _CONTROL_BYTES)) < len(raw) else text


def split_frontmatter(text: str, article_id: str) -> tuple[dict[str, Any], str, int, dict[str, int], list[SiteError]]:
    """Separate frontmatter (or a Pelican header) from body: (meta, body, body line, line of each key, errors).

    python-frontmatter finds and splits the block; loading is ours, for speed (libyaml) and for messages
    that name the file and line instead of `<unicode string>`."""
    handler = frontmatter.detect_format(text, _HANDLERS)
    if handler is None:
        header = pelican_header(text)
        return (*header, []) if header else ({}, text, 1, {}, [])
    name = _FORMAT_NAMES[type(handler)]
    opening = handler.FM_BOUNDARY.match(text)
    if handler.FM_BOUNDARY.search(text, opening.end()) is None:  # no closing line (found with no full scan)
        return {}, "", 1, {}, [SiteError(article_id, f"{name} frontmatter opened on line 1 is never closed; "
                                         f"add the closing '{text.split(chr(10), 1)[0].strip()[:3]}' line "
                                         f"after the last key", 1)]
    fm_text, body = handler.split(text)
    body = body.lstrip("\n")
    body_line = text[: len(text) - len(body)].count("\n") + 1
    try:
        if isinstance(handler, YAMLHandler):
            meta = yaml.load(fm_text, Loader=_YAMLLoader)
        else:
            meta = handler.load(fm_text)
    except yaml.YAMLError as exc:
        return {}, "", 1, {}, [_yaml_error(exc, article_id)]
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"at line (\d+)", str(exc))
        return {}, "", 1, {}, [SiteError(article_id, f"invalid TOML frontmatter: {exc}",
                                         int(line.group(1)) if line else fm_text.count("\n") + 1)]
    except json.JSONDecodeError as exc:
        return {}, "", 1, {}, [SiteError(article_id, f"invalid JSON frontmatter: {exc.msg}", exc.lineno)]
    except (RecursionError, ValueError) as exc:
        problem = "nested too deeply" if isinstance(exc, RecursionError) else str(exc).split(";")[0]
        return {}, "", 1, {}, [SiteError(article_id, f"invalid {name} frontmatter: {problem}", 1)]
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        return {}, "", 1, {}, [SiteError(article_id, f"frontmatter must be keys with values (`title: ...`), "
                                         f"not a {type(meta).__name__}", 2)]
    key_lines = _key_lines(fm_text)
    for key, value in meta.items():
        if _count_items(value, MAX_META_ITEMS) > MAX_META_ITEMS:
            return {}, "", 1, {}, [SiteError(article_id, f"frontmatter value {str(key)[:40]!r} is too large or "
                                             "contains itself (YAML anchors?); simplify it", key_lines.get(key, 1))]
    return _without_controls(meta), body, body_line, key_lines, []


def _without_controls(value: Any) -> Any:
    """`value` with control characters (written as escapes such as "\\x01") removed from every string in it."""
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    if isinstance(value, dict):
        return {_without_controls(k): _without_controls(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_controls(v) for v in value]
    return value


def _count_items(value: Any, limit: int) -> int:
    """How many values `value` holds, nested ones included, counting no further than just past `limit`."""
    count, todo = 0, [value]
    while todo and count <= limit:
        item = todo.pop()
        count += 1
        if isinstance(item, dict):
            todo += item.values()
        elif isinstance(item, (list, tuple, set)):
            todo += item
    return count


def _yaml_error(exc: yaml.YAMLError, article_id: str) -> SiteError:
    """Point at where the faulty construct began (an unclosed bracket or quote), not where libyaml gave up."""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    found, began = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
    context = getattr(exc, "context", None)
    if began is not None and found is not None and began.line != found.line and context:
        return SiteError(article_id, f"invalid YAML frontmatter: {problem} ({context} that starts here; "
                                     f"the parser gave up on line {found.line + 1})", began.line + 1)
    mark = found or began
    return SiteError(article_id, f"invalid YAML frontmatter: {problem}", mark.line + 1 if mark else 1)


_KEY_LINE = re.compile(r'^"?([A-Za-z_][\w-]*)"?\s*[:=]')


def _key_lines(fm_text: str) -> dict[str, int]:
    """File line of each top-level frontmatter key (the block's first line is the file's first)."""
    lines = {}
    for number, line in enumerate(fm_text.split("\n"), start=1):
        match = _KEY_LINE.match(line)
        if match:
            lines.setdefault(match.group(1), number)
    return lines


def _validate(meta: dict[str, Any], body_src: str, body_line: int, key_lines: dict[str, int], article_id: str,
              config: SiteConfig, digest: str, modified: float | None) -> Parsed | list[SiteError]:
    errors: list[SiteError] = []
    zone = config.zone
    meta, key_lines = normalise(meta, key_lines, article_id, KNOWN_KEYS)
    path = PurePosixPath(article_id)
    stem = path.parent.name if path.stem == "index" and path.parent.name else path.stem  # a Hugo page bundle
    dated = DATED_NAME.match(stem)

    def err(key: str, message: str) -> None:
        errors.append(SiteError(article_id, message, key_lines.get(key, 1)))

    title = meta.get("title")
    if title is None and is_jekyll(article_id):
        title = title_from_name(dated.group(2) if dated else stem)
    if isinstance(title, (int, float)) and not isinstance(title, bool):
        title = str(title)
    if not isinstance(title, str) or not title.strip():
        err("title", "no title: add `title: Your headline` to the frontmatter")
        title = ""
    title = " ".join(title.split())

    date = None
    raw_date = meta.get("date", dated.group(1) if dated else None)
    if raw_date is None and modified is not None and meta.get("draft") is True:
        raw_date = datetime.fromtimestamp(modified, zone)
    if raw_date is None:
        err("date", "no date: add `date: 2020-10-23 03:55` to the frontmatter, or name the file YYYY-MM-DD-slug.md")
    else:
        try:
            date = parse_date(raw_date, zone)
        except (ValueError, TypeError, OverflowError) as exc:
            err("date", f"'date': {exc}")
    updated, expires = (_optional_date(meta, key, zone, err) for key in ("updated", "expires"))

    tags = _string_list(meta.get("tags"), "tags", err, split=",")
    seen: dict[str, str] = {}
    for tag in tags:
        key = slugify(tag)
        if not key:
            err("tags", f"tag {tag!r} has no letters or digits to make a URL from; rename it")
        seen.setdefault(key, tag)
    authors = _string_list(meta.get("authors", meta.get("author")), "authors" if "authors" in meta else "author", err,
                           split=None)

    slug_value = meta.get("slug")
    if slug_value is not None and not isinstance(slug_value, (str, int)):
        err("slug", "'slug' must be text")
        slug_value = None
    slug = _clean_slug(str(slug_value)) if slug_value is not None else _clean_slug(dated.group(2) if dated else stem)
    if not slug:
        err("slug", f"cannot make a URL name from {slug_value or stem!r}; set `slug:` to letters, digits and '-'")

    draft = meta.get("draft", False)
    if not isinstance(draft, bool):
        err("draft", "'draft' must be true or false")
        draft = False
    image = meta.get("image")
    if image is not None and not isinstance(image, str):
        err("image", "'image' must be a URL or path")
        image = None
    elif image is not None and _SCRIPT_URL.match(re.sub(r"[\t\n\r]", "", image.lstrip(_C0_AND_SPACE))):
        err("image", "'image' must be an http(s) URL or a path, not a javascript:, vbscript: or data: URL")
        image = None
    aliases = tuple(_alias(a, err) for a in _string_list(meta.get("aliases"), "aliases", err, split=None))
    permalink = meta.get("permalink")
    if permalink is not None and not isinstance(permalink, str):
        err("permalink", "'permalink' must be a path such as /blog/story/")
    elif permalink is not None:
        permalink = _alias(_fill_permalink(permalink, date, slug, err), err, "permalink") if permalink else ""
    related = meta.get("related", True)
    pins: tuple[str, ...] = ()
    if isinstance(related, bool):
        enabled = related
    else:
        enabled = True
        pins = tuple(_string_list(related, "related", err, split=","))
    summary_value = meta.get("summary")
    if summary_value is not None and not isinstance(summary_value, str):
        err("summary", "'summary' must be text")
        summary_value = None
    separator = config.excerpt_separator if meta.get("excerpt_separator") is None else meta["excerpt_separator"]
    if not isinstance(separator, str):
        err("excerpt_separator", "'excerpt_separator' must be text")
    if errors:
        return errors

    liquid: list[tuple[int, str]] = []
    liquid_file = config.liquid or is_jekyll(article_id)
    if liquid_file and uses_liquid(body_src):
        body_src, liquid = render_liquid(body_src, {**meta, "title": title, "date": date, "tags": list(tags)}, config,
                                         *post_folder(article_id))
    body_src, leftovers = convert_body(body_src, article_id, lambda key: lookup(key, meta, config.params, default=""),
                                       report=not liquid_file)
    warnings = tuple(SiteError(article_id, leftover_message(x), body_line + x.line - 1) for x in leftovers)
    warnings += tuple(SiteError(article_id, message, body_line + line) for line, message in liquid)
    rendered = render_body(split_excerpt(body_src, separator), article_id, config.raw_html)
    body, html = rendered.body, rendered.html
    warnings += tuple(SiteError(article_id, message, body_line + line) for line, message in rendered.problems)
    summary = " ".join(summary_value.split()) if summary_value else rendered.summary_text
    summary_html = body.summary_html if (body.has_more or not summary_value) else ""
    extra = {k: v for k, v in meta.items() if k not in KNOWN_KEYS}
    tag_names = tuple(seen.values())
    meta_hash = hashlib.sha256(repr((title, date, has_time(raw_date), updated, slug, tag_names, authors, summary, summary_html, draft,
                                     image, sorted(extra.items(), key=str), permalink,
                                     expires)).encode()).hexdigest()[:20]
    article = Article(
        id=article_id, title=title, date=date, all_day=not has_time(raw_date), updated=updated, slug=slug, tags=tag_names, authors=authors,
        summary=summary, summary_html=summary_html, body=body, draft=draft, image=image, aliases=aliases,
        related_pins=pins, related_enabled=enabled, extra=extra, body_line=body_line,
        source_hash=digest, meta_hash=meta_hash, permalink=permalink or "", expires=expires, warnings=warnings,
    )
    return Parsed(article, html, extract_terms(title, summary, rendered.text, rendered.words))


def _string_list(value: Any, key: str, err, split: str | None) -> tuple[str, ...]:
    """A list of non-empty strings from a list or a (comma-separated) string."""
    if value is None:
        return ()
    if isinstance(value, str):
        items = value.split(split) if split else [value]
    elif isinstance(value, list):
        items = value
    else:
        err(key, f"'{key}' must be a list or a comma-separated string")
        return ()
    result = []
    for item in items:
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            item = str(item)
        if not isinstance(item, str):
            err(key, f"'{key}' entries must be text, not {type(item).__name__}")
            continue
        item = " ".join(item.split())
        if item and item not in result:
            result.append(item)
    return tuple(result)


_PLAIN_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]*")


def _clean_slug(value: str) -> str:
    value = value.strip()
    if _PLAIN_SLUG.fullmatch(value) and is_safe_segment(value):
        return value
    return slugify(value)


def _optional_date(meta: dict[str, Any], key: str, zone, err) -> datetime | None:
    if meta.get(key) is None:
        return None
    try:
        return parse_date(meta[key], zone)
    except (ValueError, TypeError, OverflowError) as exc:
        err(key, f"'{key}': {exc}")
        return None


_PLACEHOLDER = re.compile(r":(year|month|day|title|slug|[a-z_]+)")


def _fill_permalink(value: str, date: datetime | None, slug: str, err) -> str:
    """Jekyll's `:year`, `:month`, `:day`, `:title` and `:slug` filled in; other placeholders are refused."""
    fields = {"title": slug, "slug": slug}
    if date is not None:
        fields |= {"year": f"{date.year:04d}", "month": f"{date.month:02d}", "day": f"{date.day:02d}"}

    def fill(match: re.Match) -> str:
        if match.group(1) not in fields:
            err("permalink", f"permalink {value!r} uses {match.group(0)!r}; only :year, :month, :day, :title and "
                             ":slug are filled in")
        return fields.get(match.group(1), match.group(0))

    return _PLACEHOLDER.sub(fill, value) if "://" not in value else value


def _alias(value: str, err, key: str = "aliases") -> str:
    """An old URL (or a permalink) as a site-relative path; anything that could leave the output folder is refused."""
    path = value.split("#")[0].split("?")[0]
    if "://" in path:
        path = "/" + path.split("://", 1)[1].partition("/")[2]
    segments = [s for s in path.split("/") if s]
    if not segments or any(not is_safe_segment(s) for s in segments):
        err(key, f"{'alias' if key == 'aliases' else key} {value!r} is not a safe path inside the site "
                 "(no '..', '\\' or control characters)")
        return ""
    return "/".join(segments) + ("/" if path.endswith("/") or "." not in segments[-1] else "")

