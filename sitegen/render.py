"""The Jinja environment and Page → bytes. Site templates override the default theme file by file."""
from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Hashable, MutableMapping
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, ClassVar

import jinja2
import jinja2.meta
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.ext import Extension
from jinja2.parser import Parser
from markupsafe import Markup, escape

try:  # markupsafe >= 3.0: the C function under its escape, which returns text rather than Markup
    from markupsafe._speedups import _escape_inner as _escape_text
except ImportError:
    _escape_text = escape

from sitegen.errors import RenderWarning, SiteError
from sitegen.files import THEME
from sitegen.model import Page, source_path
from sitegen.pictures import Picture, image_path
from sitegen.shortcodes import OPEN, PLACEHOLDER, URL_KEYS, decode, lookup
from sitegen.views import Views


def _escape_output(value: Any) -> str:
    """What `{{ value }}` writes under autoescaping: markupsafe's escape without wrapping the text in a new
    Markup, which the page joins as text anyway (~0.25 us on each of a page's ~60 expressions, a sixth of
    rendering a page)."""
    if type(value) is str:
        return _escape_text(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return _escape_text(str(value))


class _CodeGenerator(CodeGenerator):
    """Compiles `{{ ... }}` under autoescaping to `_escape_output` instead of markupsafe's escape."""

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            return super()._output_child_pre(node, frame, finalize)
        self.write("environment.escape_output(")
        if finalize.src is not None:
            self.write(finalize.src)


class _Environment(jinja2.Environment):
    """Jinja's environment with cheaper bookkeeping per render."""

    code_generator_class = _CodeGenerator
    escape_output = staticmethod(_escape_output)

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """A template's globals as a dict, not Jinja's ChainMap over the environment's: every render copies
        them and every import compares their keys, in Python for a ChainMap (~30 us per page). Nothing
        changes the environment's globals after templates load."""
        return {**self.globals, **(d or {})}


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates by name and source, kept for the process: `watch`, `serve` and every build after
    the first in one process compile a template again only when its source changed."""

    _code: ClassVar[dict[tuple[str, str], bytes]] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get((bucket.key, bucket.checksum))
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key, bucket.checksum] = bucket.bytecode_to_string()


def make_environment(site_dir: Path) -> jinja2.Environment:
    """Autoescaping (HTML and XML), strict about undefined names, site templates before the theme's."""
    loader = jinja2.FileSystemLoader([str(site_dir / "templates"), str(THEME / "templates")])
    # cache_size=-1 keeps templates in a dict: the LRU cache locks and reorders on each of a page's ~3 lookups.
    env = _Environment(loader=loader, autoescape=jinja2.select_autoescape(["html", "xml"], default=True),
                       undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                       keep_trailing_newline=True, auto_reload=False, cache_size=-1, extensions=[FragmentCache],
                       bytecode_cache=_CompiledTemplates())
    env.filters["jsonld"] = to_json_script
    env.filters["highlight"] = highlight_code
    env.filters["markdownify"] = markdownify
    return env


def markdownify(text: Any) -> Markup:
    """Inline Markdown (a caption with a link) as HTML; raw HTML in it stays text."""
    from sitegen.markdown import inline_html

    return Markup(inline_html(str(text)))


def highlight_code(code: str, lang: str = "") -> Markup:
    """Code as a highlighted `<pre>` (Pygments), or plain when the language is unknown."""
    from sitegen.markdown import highlight_block

    return Markup(highlight_block(str(code).strip("\n") + "\n", str(lang or "")))


_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True)


def to_json_script(value: object) -> Markup:
    """JSON safe inside `<script>`: `<`, `>` and `&` escaped so a string cannot close the element."""
    text = _JSON.encode(value)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def render_page(page: Page, views: Views, env: jinja2.Environment) -> bytes:
    """The bytes of one output file."""
    if page.kind == "asset":
        return Path(page.param("source")).read_bytes()
    token = _fragments.set(views.fragments)
    _warnings.clear()
    try:
        ctx = views.context(page)
        article = ctx.get("article") if page.kind == "article" else None
        if article is not None and OPEN in article.html:
            article.html = expand_shortcodes(article.html, env, ctx, views, page)
        return env.get_template(page.template).render(ctx).encode("utf-8")
    finally:
        _fragments.reset(token)


_warnings: list[SiteError] = []
"""Shortcodes the last `render_page` showed as text, and why."""


def take_warnings() -> list[SiteError]:
    """The last page's shortcode warnings (once)."""
    found = list(_warnings)
    _warnings.clear()
    return found


def expand_shortcodes(html: str, env: jinja2.Environment, ctx: dict[str, Any], views: Views, page: Page) -> str:
    """Body HTML with each shortcode placeholder replaced by its template's output, innermost first; a call
    without a template, or whose template fails, shows as the text written, with a warning."""
    article_id = page.param("id")
    model = views.site.articles[article_id]

    def param(key: str) -> Any:
        """A frontmatter value of the article (`a.b` reaches into tables), else one of site.params."""
        value = lookup(key, model.meta.extra, ctx["site"].params)
        if value is None:
            return getattr(ctx["article"], str(key), "") if str(key) in _VIEW_FIELDS else ""
        return value

    def expand(match: re.Match) -> str:
        data, inner = decode(match.group(1)), match.group(2)
        name, line = data["name"], model.body_line + data["line"]
        kwargs = {k: _base_url(v, views) if k in URL_KEYS else v for k, v in data["kwargs"].items()}
        values = {**kwargs, "args": data["args"], "kwargs": kwargs, "name": name,
                  "inner": Markup(inner.strip("\n")), "inner_raw": data["inner_raw"] or "",
                  "article": ctx["article"], "site": ctx["site"], "page_url": ctx["page_url"], "url": ctx["url"],
                  "param": param, "resized": partial(_resized, views, data["kwargs"].get("src"), article_id)}
        try:
            return env.get_template(f"shortcodes/{name}.html").render(values).strip("\n")
        except jinja2.TemplateNotFound as exc:
            problem = (f"unknown shortcode {name!r}: add templates/shortcodes/{name}.html" if exc.name ==
                       f"shortcodes/{name}.html" else f"shortcode {name!r}: template {exc.name!r} not found")
        except (jinja2.TemplateError, TypeError, ValueError, LookupError, AttributeError, ArithmeticError) as exc:
            problem = f"shortcode {name!r} failed in templates/shortcodes/{name}.html: {exc}"
        _warnings.append(RenderWarning(source_path(article_id), f"{problem}; the call is shown as text", line))
        opening, closing = data["source"]
        return f"{escape(opening)}{inner}{escape(closing)}"

    count = 1
    while count:
        html, count = PLACEHOLDER.subn(expand, html)
    return html


def _resized(views: Views, src: Any, article_id: str, alt: str = "") -> Picture | None:
    """A shortcode's `src` as the image phase resized it (`figure`), with `alt`; None for a remote or
    unreadable image."""
    return views.picture(image_path(src, article_id), str(alt)) if isinstance(src, str) else None


_VIEW_FIELDS = frozenset({"title", "summary", "date_display", "updated_display", "word_count", "reading_time"})
"""Article fields `param` may show (Hugo's `.Params.title` and the like)."""


def _base_url(value: Any, views: Views) -> Any:
    """A site-root URL argument (`/2020/map.png`) under the site's base path."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith("//"):
        return views.url(value[1:]) if "%" not in value else views.config.base_path + value[1:]
    return value


_fragments: ContextVar[dict[Hashable, str] | None] = ContextVar("fragments", default=None)
"""The fragment store of the views the current page is rendered from."""
_fragment_ids = itertools.count()


class FragmentCache(Extension):
    """`{% cache key %}...{% endcache %}`: the body is rendered once per key for pages rendered from the
    same views (one build's model) and repeated after that, so it must show only what the key decides
    (e.g. `{% cache a.id %}` around an article's list item). Outside `render_page` it always renders."""

    tags: ClassVar[set[str]] = {"cache"}

    def __init__(self, environment: jinja2.Environment):
        super().__init__(environment)
        self.current = _CurrentFragments()
        # Storing a fragment is a filter on the captured body: templates call filters directly, while a
        # method call goes through Context.call (~3 us more per miss).
        environment.filters["_cache_keep"] = _keep

    def parse(self, parser: Parser) -> list[nodes.Node]:
        lineno = next(parser.stream).lineno
        # Each compiled tag gets its own id, so a site's template overriding the theme's never shares its entries.
        key = nodes.Tuple([nodes.Const(next(_fragment_ids)), parser.parse_expression()], "load", lineno=lineno)
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        # Statements rather than a call block: a hit costs a lookup, not a macro object and two calls.
        key_name, text = parser.free_identifier(lineno), parser.free_identifier(lineno)
        keep = nodes.Filter(None, "_cache_keep", [key_name], [], None, None, lineno=lineno)
        return [
            nodes.Assign(key_name, key, lineno=lineno),
            nodes.Assign(text, nodes.Getitem(self.attr("current"), key_name, "load"), lineno=lineno),
            nodes.If(nodes.Not(text), [nodes.AssignBlock(text, keep, body, lineno=lineno)], [], [], lineno=lineno),
            nodes.Output([text], lineno=lineno),
        ]


class _CurrentFragments:
    """What compiled `{% cache %}` tags index: the current page's fragment store, None for a miss."""

    def __getitem__(self, key: tuple[int, Hashable]) -> str | None:
        store = _fragments.get()
        try:
            return store.get(key) if store is not None else None
        except TypeError:
            raise jinja2.TemplateRuntimeError(f"cache key {key[1]!r} cannot be hashed; use e.g. an id") from None


def _keep(text: str, key: tuple[int, Hashable]) -> str:
    """A fragment just rendered, kept in the current page's store."""
    store = _fragments.get()
    if store is not None:
        store[key] = text
    return text


@dataclass(frozen=True)
class TemplateGraph:
    """Each template's source, and the templates each one's output may come from (its closure: itself and
    everything it extends, includes or imports)."""

    sources: dict[str, str]
    closures: dict[str, frozenset[str]]


def template_digests(graph: TemplateGraph) -> dict[str, str]:
    """Digest of each template's closure."""
    sources = graph.sources
    every = "".join(hashlib.sha256(sources[n].encode()).hexdigest() for n in sorted(sources))
    digests = {}
    for name, members in graph.closures.items():
        text = every if members == frozenset(sources) else "".join(sources[n] for n in sorted(members))
        digests[name] = hashlib.sha256(text.encode()).hexdigest()[:20]
    return digests


def templates_mentioning(graph: TemplateGraph, words: tuple[str, ...]) -> frozenset[str]:
    """Templates whose closure's source contains any of `words` (a conservative test of what they show)."""
    hits = {n for n, text in graph.sources.items() if any(w in text for w in words)}
    return frozenset(name for name, members in graph.closures.items() if members & hits)


def template_graph(env: jinja2.Environment) -> TemplateGraph:
    """Read every template the environment can load; a syntax error or a missing template raises
    TemplateSyntaxError."""
    loaded = {name: env.loader.get_source(env, name) for name in sorted(env.list_templates())}
    loaded = {name: found for name, found in loaded.items() if not _liquid_include(env, name, found[0])}
    names = list(loaded)
    sources = {name: source for name, (source, _, _) in loaded.items()}
    direct = {name: _referenced(sources[name]) for name in names}
    for name, refs in direct.items():
        for ref in sorted(refs or ()):
            if ref not in sources:
                line = next((n for n, text in enumerate(sources[name].splitlines(), 1) if ref in text), None)
                raise jinja2.TemplateSyntaxError(f"template '{ref}' does not exist", line or 1, name, loaded[name][1])

    def closure(name: str) -> frozenset[str]:
        seen, todo = {name}, [name]
        while todo:
            refs = direct.get(todo.pop(), frozenset())
            if refs is None:
                return frozenset(names)
            todo += [r for r in refs if r not in seen]
            seen |= refs
        return frozenset(seen)

    return TemplateGraph(sources, {name: closure(name) for name in names})


def _liquid_include(env: jinja2.Environment, name: str, source: str) -> bool:
    """A file of `templates/includes/` that Jinja cannot read: a Liquid include (see liquid_body), no template."""
    if not name.startswith("includes/"):
        return False
    try:
        env.parse(source)
    except jinja2.TemplateSyntaxError:
        return True
    return False


@lru_cache(maxsize=1)
def _parser() -> jinja2.Environment:
    """One environment to parse sources with: making one per source would cost more than the parse."""
    return make_environment(THEME)


@lru_cache(maxsize=1024)
def _referenced(source: str) -> frozenset[str] | None:
    """Templates a source names; None when one is chosen at run time (then it may depend on any). Every
    environment `make_environment` makes parses alike, so a source's answer is kept for the process."""
    refs = list(jinja2.meta.find_referenced_templates(_parser().parse(source)))
    return None if any(r is None for r in refs) else frozenset(refs)
