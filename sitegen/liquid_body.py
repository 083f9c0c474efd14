"""Liquid in article bodies, as Jekyll and Eleventy render it before Markdown, with python-liquid: their
common filters and tags; an unknown tag becomes a shortcode call of that name, an unknown filter leaves
the value as it is. Problems come back with their body lines; the article always builds."""
from __future__ import annotations

import html
import json
import re
from datetime import date, datetime
from io import StringIO
from typing import Any, ClassVar
from urllib.parse import quote

from liquid import Environment
from liquid.ast import BlockNode, Node
from liquid.exceptions import LiquidError
from liquid.parser import get_parser
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_EXPRESSION, TOKEN_ILLEGAL, TOKEN_TAG

from sitegen.config import SiteConfig
from sitegen.slugs import slugify

_ARGUMENT = re.compile(r"""\s*(?:,\s*)?(?:([A-Za-z_][\w-]*)\s*[=:]\s*)?("(?:[^"\\]|\\.)*"|'[^']*'|\[[^\]]*\]|[^\s,]+)""")
"""One argument of a tag: `"text"`, `'text'`, `[a, b]` or a bare word or variable, maybe after `key=` / `key:`."""
_PROBLEMS: list[tuple[int, str]] = []
"""Problems of the body being rendered (one at a time per process)."""


def uses_liquid(text: str) -> bool:
    return "{{" in text or "{%" in text


def render_liquid(body: str, page: dict[str, Any], config: SiteConfig, posts: str = "_posts",
                  suffix: str = ".md") -> tuple[str, list[tuple[int, str]]]:
    """The body rendered as Liquid, and its problems as (0-based body line, message). A body that fails to
    parse or render comes back as it was. `posts` and `suffix` place `{% post_url %}` targets."""
    env = _environment(config)
    _PROBLEMS.clear()
    try:
        text = env.from_string(body).render(page=page, site=site_variables(config), include={},
                                            _post_url=(posts, suffix))
    except LiquidError as exc:
        line = _error_line(body, exc)
        message = str(exc.args[0]) if exc.args else str(exc)
        return body, [*_PROBLEMS, (line, f"Liquid: {message}; the body is shown without Liquid")]
    except (RecursionError, ValueError, TypeError, ArithmeticError) as exc:
        return body, [*_PROBLEMS, (0, f"Liquid: {exc}; the body is shown without Liquid")]
    return text, sorted({(_filter_line(body, line, message), message) for line, message in _PROBLEMS})


def _error_line(body: str, exc: LiquidError) -> int:
    """0-based body line of a Liquid error (a tag's expression is its own source: found in the body)."""
    token = exc.token
    if token is None:
        return 0
    start = 0 if token.source == body else max(body.find(token.source), 0)
    return body.count("\n", 0, start + max(token.start_index, 0))


def _filter_line(body: str, line: int, message: str) -> int:
    """The line of an unknown filter's first use (the filter table does not know where it is used)."""
    name = re.match(r"Liquid filter '([^']*)'", message)
    found = re.search(r"\|\s*" + re.escape(name.group(1)) + r"\b", body) if name else None
    return body.count("\n", 0, found.start()) if found else line


def site_variables(config: SiteConfig) -> dict[str, Any]:
    """Liquid's `site`: a Jekyll `_config.yml`, site.toml's settings and its [params] (which win), with
    `url` and `baseurl` as Jekyll defines them."""
    base = config.base_path.rstrip("/")
    settings = {"title": config.title, "description": config.description, "lang": config.language,
                "timezone": config.timezone}
    return {**config.jekyll, **settings, **config.params, "url": config.origin, "baseurl": base}


_envs: dict[str, Environment] = {}


def _environment(config: SiteConfig) -> Environment:
    env = _envs.get(config.digest())
    if env is None:
        env = _envs[config.digest()] = _make_environment(config)
    return env


class _Filters(dict):
    """The filter table: an unknown filter leaves its value as it is, with a warning."""

    def __missing__(self, name: str) -> Any:
        _PROBLEMS.append((0, f"Liquid filter '{name}' is unknown; the value is shown unfiltered"))
        return lambda value, *_args, **_kwargs: value


class _Environment(Environment):
    """An error raised deep in an expression carries no position: it takes its tag's (the parser has it).
    A body cannot loop or write without end (`{% for i in (1..1000000000) %}`)."""

    loop_iteration_limit = 100_000
    output_stream_limit = 5_000_000

    def error(self, exc: Any, msg: str | None = None, token: Any = None) -> None:
        if isinstance(exc, LiquidError) and token is not None and (exc.token is None or exc.token.start_index < 0):
            exc.token = token
        super().error(exc, msg, token)


def _make_environment(config: SiteConfig) -> Environment:
    env = _Environment()
    env.filters = _Filters(env.filters)
    base, origin = config.base_path, config.origin

    def relative_url(value: Any) -> str:
        text = str(value)
        return text if "://" in text or text.startswith("//") else "/" + text.lstrip("/")

    def absolute_url(value: Any) -> str:
        text = str(value)
        return text if "://" in text else origin + base + text.lstrip("/")

    filters = {
        "relative_url": relative_url, "url": relative_url, "absolute_url": absolute_url,
        "slugify": lambda value, *_: slugify(str(value)), "xml_escape": lambda v: html.escape(str(v)),
        "cgi_escape": lambda v: quote(str(v), safe=""), "uri_escape": lambda v: quote(str(v), safe="/:?#&=+,;@"),
        "jsonify": lambda v: json.dumps(v, ensure_ascii=False, default=str),
        "markdownify": _markdownify, "smartify": str, "normalize_whitespace": lambda v: " ".join(str(v).split()),
        "number_of_words": lambda v, *_: len(str(v).split()),
        "array_to_sentence_string": _sentence,
        "date_to_string": lambda v, *_: _date(v, "%d %b %Y"), "date_to_long_string": lambda v, *_: _date(v, "%d %B %Y"),
        "date_to_xmlschema": lambda v: _date(v, None), "date_to_rfc822": lambda v: _date(v, "%a, %d %b %Y %H:%M:%S %z"),
    }
    for name, function in filters.items():
        env.add_filter(name, function)
    for tag in (_IncludeTag, _HighlightTag, _LinkTag, _PostUrlTag, _ShortcodeTag):
        env.add_tag(tag)
    env.includes = config.includes  # type: ignore[attr-defined]
    return env


def _markdownify(value: Any) -> str:
    from sitegen.markdown import markdown_html

    return markdown_html(str(value))


def _sentence(value: Any, connector: str = "and") -> str:
    items = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    if len(items) < 3:
        return f" {connector} ".join(items)
    return f"{', '.join(items[:-1])}, {connector} {items[-1]}"


def _date(value: Any, pattern: str | None) -> str:
    if isinstance(value, str):
        from sitegen.dates import parse_date

        try:
            value = parse_date(value, None)  # type: ignore[arg-type]
        except (ValueError, TypeError):
            return value
    if not isinstance(value, (date, datetime)):
        return str(value)
    return value.isoformat() if pattern is None else value.strftime(pattern)


def _expression(stream: TokenStream) -> str:
    """The tag's expression text (empty when it has none), the stream left on it."""
    if stream.peek.kind == TOKEN_EXPRESSION:
        next(stream)
        return stream.current.value
    return ""


def _arguments(text: str, context: Any) -> tuple[list[Any], dict[str, Any]]:
    """A tag's arguments: quoted text as it is, bare words as the variables they name (else as words)."""
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for found in _ARGUMENT.finditer(text):
        key, raw = found.groups()
        value: Any
        if raw[0] in "\"'":
            value = json.loads(raw) if raw[0] == '"' else raw[1:-1]
        elif raw[0] == "[" or raw[0].isdigit() or raw in ("true", "false"):
            value = raw
        else:
            value = _lookup(raw, context)
        if key:
            kwargs[key] = value
        else:
            args.append(value)
    return args, kwargs


def _lookup(path: str, context: Any) -> Any:
    value: Any = context.resolve(path.split(".")[0], default=None)
    for part in path.split(".")[1:]:
        value = value.get(part) if isinstance(value, dict) else None
    return path if value is None else value


def _quoted(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value) if isinstance(value, (list, dict)) else str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class _Text(Node):
    """A node rendering a function of the context."""

    def __init__(self, token: Any, render: Any, block: BlockNode | None = None):
        super().__init__(token)
        self.blank = False
        self.function, self.block = render, block

    def render_to_output(self, context: Any, buffer: Any) -> int:
        inner = ""
        if self.block is not None:
            out = StringIO()
            self.block.render(context, out)
            inner = out.getvalue()
        return buffer.write(self.function(context, inner))


class _ShortcodeTag(Tag):
    """Any tag Liquid does not know (the parser's fallback): a call of the shortcode of that name, paired
    when an `end<name>` tag follows (Eleventy's paired shortcodes)."""

    name = TOKEN_ILLEGAL
    block = False

    def parse(self, stream: TokenStream) -> Node:
        token = stream.expect(TOKEN_TAG)
        name, text = token.value, _expression(stream)
        if name.startswith("end") or not re.fullmatch(r"[A-Za-z_][\w-]*", name):
            raise LiquidError(f"unexpected tag '{name}'", token=token)
        end = "end" + name
        paired = any(t.kind == TOKEN_TAG and t.value == end for t in stream.tokens[stream.pos:])
        block = None
        if paired:
            next(stream)
            block = get_parser(self.env).parse_block(stream, (end,))
            stream.expect(TOKEN_TAG, end)

        def call(context: Any, inner: str) -> str:
            args, kwargs = _arguments(text, context)
            words = " ".join([name, *map(_quoted, args), *(f"{k}={_quoted(v)}" for k, v in kwargs.items())])
            return f"{{{{< {words} >}}}}{inner}{{{{< /{name} >}}}}" if paired else f"{{{{< {words} >}}}}"

        return _Text(token, call, block)


class _IncludeTag(Tag):
    """Jekyll's `{% include file.html key="value" %}` (the file sees `include.key`), from the site's
    `_includes/`, then `templates/includes/`."""

    name = "include"
    block = False

    def parse(self, stream: TokenStream) -> Node:
        token = stream.expect(TOKEN_TAG)
        text = _expression(stream).strip()
        file, _, rest = text.partition(" ")
        file = file.strip("\"'")
        env = self.env

        def include(context: Any, _inner: str) -> str:
            source = env.includes.get(file)  # type: ignore[attr-defined]
            if source is None:
                raise LiquidError(f"include '{file}' not found in _includes/ or templates/includes/", token=token)
            kwargs = _arguments(rest, context)[1]
            out = StringIO()
            env.from_string(source).render_with_context(context, out, partial=True, include=kwargs)
            return out.getvalue()

        return _Text(token, include)


class _HighlightTag(Tag):
    """`{% highlight lang %}…{% endhighlight %}` as a fenced code block (highlighted by Markdown)."""

    name = "highlight"
    end: ClassVar[str] = "endhighlight"  # type: ignore[misc]

    def parse(self, stream: TokenStream) -> Node:
        token = stream.expect(TOKEN_TAG)
        lang = (_expression(stream).split() or [""])[0]
        next(stream)
        block = get_parser(self.env).parse_block(stream, (self.end,))
        stream.expect(TOKEN_TAG, self.end)

        def fence(_context: Any, inner: str) -> str:
            ticks = "`" * max(3, max((len(m) for m in re.findall("`+", inner)), default=0) + 1)
            return f"{ticks}{lang}\n{inner.strip(chr(10))}\n{ticks}"

        return _Text(token, fence, block)


class _LinkTag(Tag):
    """`{% link _posts/2016-07-26-name.md %}`: a link to the article's file (resolved to its URL)."""

    name = "link"
    block = False

    def parse(self, stream: TokenStream) -> Node:
        token = stream.expect(TOKEN_TAG)
        path = _expression(stream).strip()
        return _Text(token, lambda _context, _inner: "/" + path.lstrip("/"))


class _PostUrlTag(Tag):
    """`{% post_url 2010-07-21-name %}`: a link to that post's file under `_posts/`."""

    name = "post_url"
    block = False

    def parse(self, stream: TokenStream) -> Node:
        token = stream.expect(TOKEN_TAG)
        name = _expression(stream).strip().lstrip("/")

        def url(context: Any, _inner: str) -> str:
            posts, suffix = context.resolve("_post_url", default=("_posts", ".md"))
            return f"/{posts}/{name}{suffix}"

        return _Text(token, url)
