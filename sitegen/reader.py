"""Find `content/**/*.md` and turn each file into a validated `Article`, or `SiteError`s naming the file."""
from __future__ import annotations

import hashlib
import json
import re
import tomllib
from pathlib import PurePosixPath
from typing import Any, NamedTuple

import frontmatter
import yaml
from frontmatter.default_handlers import BaseHandler, JSONHandler, YAMLHandler

from sitegen.config import SiteConfig
from sitegen.errors import SiteError, toml_line
from sitegen.frontmatter_keys import DATED_NAME, KNOWN_KEYS, File, convert_keys, key_typos
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
)
from sitegen.model import Article, Meta, source_path
from sitegen.shortcodes import lookup
from sitegen.terms import Terms, extract_terms

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters: invisible, not allowed in XML (feeds, sitemaps); dropped from text and values."""
_CONTROL_BYTES = bytes(b for b in range(128) if _CONTROL.match(chr(b)))


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
    path = source_path(article_id)
    text = decode_text(raw, path)
    if isinstance(text, list):
        return text
    meta, body, body_line, key_lines, errors = split_frontmatter(text, path)
    if errors:
        return errors
    return _validate(meta, body, body_line, key_lines, article_id, path, config, source_hash(raw), modified)


def decode_text(raw: bytes, path: str) -> str | list[SiteError]:
    """A file's bytes as text with `\n` line ends and no control characters, or why they are not text."""
    if b"\x00" in raw:
        return [SiteError(path, "contains NUL bytes: this looks like a binary file, not Markdown; "
                                "rename or remove it")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return [SiteError(path, f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8", line)]
    if not text.strip():
        return [SiteError(path, "the file is empty; write an article (frontmatter with a title and date, "
                                "then the text) or delete it")]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # UTF-8 encodes these characters as themselves only, so the bytes tell without a regex scan of the text.
    return _CONTROL.sub("", text) if len(raw.translate(None, _CONTROL_BYTES)) < len(raw) else text


def split_frontmatter(text: str, path: str) -> tuple[dict[str, Any], str, int, dict[str, int], list[SiteError]]:
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
        return {}, "", 1, {}, [SiteError(path, f"{name} frontmatter opened on line 1 is never closed; "
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
        return {}, "", 1, {}, [_yaml_error(exc, path)]
    except tomllib.TOMLDecodeError as exc:
        return {}, "", 1, {}, [SiteError(path, f"invalid TOML frontmatter: {exc}",
                                         toml_line(exc) or fm_text.count("\n") + 1)]
    except json.JSONDecodeError as exc:
        return {}, "", 1, {}, [SiteError(path, f"invalid JSON frontmatter: {exc.msg}", exc.lineno)]
    except (RecursionError, ValueError) as exc:
        problem = "nested too deeply" if isinstance(exc, RecursionError) else str(exc).split(";")[0]
        return {}, "", 1, {}, [SiteError(path, f"invalid {name} frontmatter: {problem}", 1)]
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        return {}, "", 1, {}, [SiteError(path, f"frontmatter must be keys with values (`title: ...`), "
                                         f"not a {type(meta).__name__}", 2)]
    key_lines = _key_lines(fm_text)
    for key, value in meta.items():
        if _count_items(value, MAX_META_ITEMS) > MAX_META_ITEMS:
            return {}, "", 1, {}, [SiteError(path, f"frontmatter value {str(key)[:40]!r} is too large or "
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


def _yaml_error(exc: yaml.YAMLError, path: str) -> SiteError:
    """Point at where the faulty construct began (an unclosed bracket or quote), not where libyaml gave up."""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    found, began = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
    context = getattr(exc, "context", None)
    if began is not None and found is not None and began.line != found.line and context:
        return SiteError(path, f"invalid YAML frontmatter: {problem} ({context} that starts here; "
                                     f"the parser gave up on line {found.line + 1})", began.line + 1)
    mark = found or began
    return SiteError(path, f"invalid YAML frontmatter: {problem}", mark.line + 1 if mark else 1)


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
              path: str, config: SiteConfig, digest: str, modified: float | None) -> Parsed | list[SiteError]:
    """Known keys converted (see `frontmatter_keys`), the body rendered, other keys kept as extra."""
    typos = key_typos(meta, key_lines, path)
    meta, key_lines = normalise(meta, key_lines, article_id, KNOWN_KEYS)
    name = PurePosixPath(article_id)
    stem = name.parent.name if name.stem == "index" and name.parent.name else name.stem  # a Hugo page bundle
    values: dict[str, Any] = {}
    errors = convert_keys(meta, key_lines, File(path, article_id, stem, DATED_NAME.match(stem), config, modified, meta, values))
    if errors:
        return errors

    date, all_day = values["date"]
    liquid: list[tuple[int, str]] = []
    liquid_file = config.liquid or is_jekyll(article_id)
    if liquid_file and uses_liquid(body_src):
        body_src, liquid = render_liquid(body_src, {**meta, "title": values["title"], "date": date,
                                                    "tags": list(values["tags"])}, config, *post_folder(article_id))
    body_src, leftovers = convert_body(body_src, article_id, lambda key: lookup(key, meta, config.params, default=""),
                                       report=not liquid_file)
    warnings = (*typos, *(SiteError(path, leftover_message(x), body_line + x.line - 1) for x in leftovers))
    warnings += tuple(SiteError(path, message, body_line + line) for line, message in liquid)
    rendered = render_body(split_excerpt(body_src, values["excerpt_separator"]), article_id, config.raw_html)
    warnings += tuple(SiteError(path, message, body_line + line) for line, message in rendered.problems)
    body, written = rendered.body, values["summary"]
    listed = Meta(
        title=values["title"], date=date, all_day=all_day, updated=values["updated"], slug=values["slug"],
        permalink=values["permalink"], tags=values["tags"], authors=values["authors"],
        summary=" ".join(written.split()) if written else rendered.summary_text,
        summary_html=body.summary_html if (body.has_more or not written) else "", image=values["image"],
        extra={k: v for k, v in meta.items() if k not in KNOWN_KEYS or (k == "location" and not isinstance(v, str))}, identity=values["id"],
        language=values["language"], location=values["location"], standfirst=" ".join(written.split()) if written else "",
        image_alt=values["image_alt"] or "", image_caption=values["image_caption"] or "",
        image_credit=values["image_credit"] or "",
    )
    related_enabled, related_pins = values["related"]
    article = Article(
        id=article_id, meta=listed, body=body, draft=values["draft"], expires=values["expires"],
        aliases=values["aliases"], related_pins=related_pins, related_enabled=related_enabled,
        body_line=body_line, source_hash=digest, meta_hash=listed.digest(), warnings=warnings,
    )
    terms = extract_terms(listed.title, listed.summary, rendered.text, rendered.words)
    return Parsed(article, rendered.html, terms)
