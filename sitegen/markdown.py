"""Markdown body → HTML, table of contents, summary and plain text, with one configured MarkdownIt."""
from __future__ import annotations

import posixpath
import re
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.common import normalize_url
from markdown_it.common.utils import escapeHtml as escape_html
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from sitegen.files import ARTICLE_SUFFIXES
from sitegen.model import Body, TocEntry
from sitegen.shortcodes import MARKERS, OPEN, called_names, figure_sources, shortcodes_plugin, strip_calls
from sitegen.slugs import slugify

MORE = re.compile(r"^\s*<!--\s*more\s*-->\s*$", re.IGNORECASE)
LINK_MARK = "sitegen-article:"
"""Prefix of hrefs that point at another article by id; replaced with its URL when pages render."""

_FORMATTER = HtmlFormatter(nowrap=True)
_TAGS = nh3.ALLOWED_TAGS | {
    "figure", "figcaption", "iframe", "video", "audio", "source", "track", "picture", "details", "summary",
    "section", "aside", "cite", "time", "mark", "sup", "sub", "input", "svg", "path",
}
_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir", "role", "aria-label", "aria-hidden", "style", "width", "height"},
    "a": {"href", "name", "target", "rel"},
    "img": {"src", "alt", "srcset", "sizes", "loading"},
    "iframe": {"src", "allow", "allowfullscreen", "frameborder", "loading", "referrerpolicy", "sandbox"},
    "video": {"src", "controls", "poster", "preload", "muted", "loop", "playsinline"},
    "audio": {"src", "controls", "preload"},
    "source": {"src", "type", "srcset", "media"},
    "track": {"src", "kind", "srclang", "label"},
    "time": {"datetime"}, "td": {"align", "colspan", "rowspan"}, "th": {"align", "colspan", "rowspan", "scope"},
    "ol": {"start", "type"}, "li": {"value"}, "input": {"type", "checked", "disabled"},
    "blockquote": {"cite"}, "q": {"cite"}, "svg": {"viewbox", "xmlns"}, "path": {"d"},
}


def _highlight(code: str, lang: str, _attrs: str) -> str:
    lexer = _lexer(lang.strip().split()[0].lower()) if lang.strip() else None
    if lexer is None:
        return ""
    return f'<pre class="highlight"><code class="language-{lang}">{highlight(code, lexer, _FORMATTER)}</code></pre>'


def highlight_block(code: str, lang: str) -> str:
    """`code` as a `<pre>`: highlighted when Pygments knows `lang`, else escaped."""
    lang = lang.strip().split()[0] if lang.strip() else ""
    if _lexer(lang.lower()) is not None and re.fullmatch(r"[\w+#.-]+", lang):
        return _highlight(code, lang, "")
    return f"<pre><code>{escape_html(code)}</code></pre>"


@lru_cache(maxsize=256)
def _lexer(name: str):
    try:
        return get_lexer_by_name(name)
    except ClassNotFound:
        return None


def _heading_slug(text: str) -> str:
    return slugify(text) or "section"


_RULE_MARKERS = {"table": "|", "fence": "`~", "footnote_def": "^", "html_block": "<", "strikethrough": "~",
                 "backticks": "`", "escape": "\\", "shortcode": "{"}
"""Rules that cannot fire on a body without one of their marker characters (a `[^` footnote needs a `^`).
Block rules are tried at every block and inline rules at every special character, so leaving these out saves
~6% of parsing a typical news body, for a memchr per character."""
_MARKERS = frozenset("".join(_RULE_MARKERS.values()))


def _parser_for(source: str, raw_html: bool) -> MarkdownIt:
    """The parser for `source`: without the rules that cannot fire on it, so with the same output."""
    absent = {marker for marker in _MARKERS if marker not in source}
    unused = tuple(rule for rule, markers in _RULE_MARKERS.items() if absent.issuperset(markers))
    return _parser(raw_html, unused)


@lru_cache(maxsize=64)
def _parser(raw_html: bool, unused: tuple[str, ...] = ()) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": raw_html, "xhtmlOut": False, "typographer": True, "highlight": _highlight})
    md.enable(["table", "strikethrough", "replacements", "smartquotes"])
    md.use(footnote_plugin).use(anchors_plugin, min_level=1, max_level=6, slug_func=_heading_slug)
    md.use(shortcodes_plugin)
    md.disable(list(unused))
    md.add_render_rule("footnote_block_open", _footnote_block_open)
    md.core.ruler.at("normalize", _normalize)
    md.normalizeLink = normalize_link
    return md


def _normalize(state: StateCore) -> None:
    """markdown-it's own input normalisation (CR LF and CR to LF, NUL to U+FFFD) with str.replace, which
    passes over a text that has none of them in C, where two regex substitutions rebuilt it."""
    state.src = state.src.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")


def _footnote_block_open(_renderer, _tokens, _idx, _options, _env) -> str:
    """The plugin's footnote section, named: a section without a heading or label is an unnamed region."""
    return '<hr class="footnotes-sep">\n<section class="footnotes" aria-label="Footnotes">\n<ol class="footnotes-list">\n'


_PLAIN_URL = re.compile(r"(?:https?://(?:[A-Za-z0-9-]{1,63}\.){0,3}[A-Za-z0-9-]{1,63}(?![^/?#])|(?!//))"
                        r"[A-Za-z0-9._~/?#=&+-]*")
"""An http(s) URL with an ASCII host of at most four labels, or a relative one (not `//host`), made only of
characters that URL encoding keeps: markdown-it's link normalisation returns it unchanged."""


def normalize_link(url: str) -> str:
    """markdown-it's link normalisation (parse, punycode the host, format, percent-encode), skipped for a
    plain URL, which it would return as it is: that took ~4% of parsing a news body with a few links."""
    return url if _PLAIN_URL.fullmatch(url) else normalize_url.normalizeLink(url)


def markdown_html(text: str) -> str:
    """Markdown as HTML, raw HTML shown as text (Liquid's `markdownify`)."""
    return _parser(False).render(text)


def inline_html(text: str) -> str:
    """One line of Markdown as inline HTML, raw HTML shown as text (for shortcode arguments)."""
    return _parser(False).renderInline(text)


class Rendered(NamedTuple):
    """A rendered body: what the model keeps, the HTML, and the plain text (for counts and ranking)."""

    body: Body
    html: str
    text: str
    words: list[str]
    """The plain text split at whitespace: what the word count counts."""
    summary_text: str
    """Plain text of the summary part."""
    problems: list[tuple[int, str]]
    """Shortcode calls that could not be read: (0-based body line, message)."""


def render_body(source: str, article_id: str, raw_html: bool = True) -> Rendered:
    """Render a Markdown body. `article_id` (its path under content/) resolves relative `.md` links."""
    if any(chr(c) in source for c in MARKERS):
        source = source.translate(MARKERS)  # only calls may make placeholders
    md = _parser_for(source, raw_html)
    env: dict = {"shortcode_source": source, "shortcode_url": lambda url: local_url(url, article_id)}
    tokens = md.parse(source, env)
    more = _find_more(tokens) if "<" in source else None
    has_more = more is not None
    if more is not None:
        start, stop = more
        tokens = tokens[:start] + tokens[stop:]
        summary_tokens = tokens[:start]
    else:
        summary_tokens = _first_paragraph(tokens)
    links = _mark_article_links(tokens, article_id)
    _root_local_urls(tokens, article_id)
    html = md.renderer.render(tokens, md.options, env)
    summary_html = md.renderer.render(summary_tokens, md.options, {}) if summary_tokens else ""
    if raw_html and "<" in source and any(_has_raw_html(t) for t in tokens):
        html, summary_html = _clean(html, article_id), _clean(summary_html, article_id)
    text = _plain_text(tokens)
    words = text.split()
    calls = called_names(html) if OPEN in html else ()
    body = Body(summary_html=strip_calls(summary_html), toc=_toc(tokens), word_count=len(words), has_more=has_more,
                links=links, shortcodes=calls, images=body_images(html))
    problems = [(line, message) for line, message in env.get("shortcode_problems", ())]
    return Rendered(body, html, text, words, " ".join(_plain_text(summary_tokens).split()), problems)


_LOCAL_IMG = re.compile(r'<img\s[^>]*?\bsrc="(/(?!/)[^"]*)"')


def body_images(html: str) -> tuple[str, ...]:
    """Site-root paths of the local images body HTML shows (`<img>` and `figure` calls), each once."""
    if "<img" not in html and OPEN not in html:
        return ()
    found = [m.group(1) for m in _LOCAL_IMG.finditer(html)] + list(figure_sources(html) if OPEN in html else ())
    return tuple(dict.fromkeys(found))


def _find_more(tokens: list[Token]) -> tuple[int, int] | None:
    """Token range of a `<!--more-->` line, as raw HTML or (with raw HTML off) as a paragraph of text."""
    for i, tok in enumerate(tokens):
        if tok.type == "html_block" and MORE.match(tok.content):
            return i, i + 1
        if (tok.type == "paragraph_open" and i + 2 < len(tokens) and tokens[i + 1].type == "inline"
                and MORE.match(tokens[i + 1].content)):
            return i, i + 3
    return None


def _first_paragraph(tokens: list[Token]) -> list[Token]:
    for i, tok in enumerate(tokens):
        if tok.type == "paragraph_open" and tok.level == 0:
            return tokens[i:i + 3]
    return []


class Link(NamedTuple):
    """A link or image in a body."""

    href: str
    line: int
    """1-based line in the body."""
    image: bool


def find_links(source: str) -> list[Link]:
    """Every link and image of a Markdown body, with its line (for `sitegen check`)."""
    lines = source.split("\n")
    found = []
    for tok in _parser(True).parse(source, {}):
        if tok.type != "inline" or not tok.map:
            continue
        for child in tok.children or ():
            if child.type not in ("link_open", "image"):
                continue
            href = str(child.attrs.get("href" if child.type == "link_open" else "src", ""))
            first, last = tok.map
            line = next((n for n in range(first, last) if unquote(href) in unquote(lines[n])), first)
            found.append(Link(href, line + 1, child.type == "image"))
    return found


_WEB = ("https://", "http://")
"""How most links start: absolute, so neither article links nor relative URLs, known without urlsplit."""


def article_target(href: str, article_id: str) -> str | None:
    """The id of the article a relative link to an `.md` file points at, or None for any other link."""
    if href.startswith(_WEB):
        return None
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.endswith(ARTICLE_SUFFIXES):
        return None
    target = posixpath.normpath(posixpath.join(posixpath.dirname(article_id), unquote(parts.path))).lstrip("/")
    return None if target.startswith("../") else target


def _mark_article_links(tokens: list[Token], article_id: str) -> tuple[str, ...]:
    """Point relative links to `.md` files at a marker carrying the target id; return the target ids."""
    targets: list[str] = []
    for tok in tokens:
        for child in tok.children or ():
            if child.type != "link_open":
                continue
            href = str(child.attrs.get("href", ""))
            target = article_target(href, article_id)
            if target is None:
                continue
            fragment = urlsplit(href).fragment
            child.attrs["href"] = LINK_MARK + quote(target) + (f"#{fragment}" if fragment else "")
            if target not in targets:
                targets.append(target)
    return tuple(targets)


def local_url(url: str, article_id: str) -> str:
    """A relative URL in an article, resolved against the article's folder under content/ (where files next
    to it are copied) as a site-root path: `map.png` in `2020/story.md` → `/2020/map.png`. Others unchanged."""
    if url.startswith(_WEB):
        return url
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
        return url
    path = posixpath.normpath(posixpath.join("/", posixpath.dirname(article_id), parts.path))
    if parts.path.endswith("/") and path != "/":
        path += "/"
    return urlunsplit(("", "", path, parts.query, parts.fragment))


_URL_ATTRIBUTES = {"link_open": "href", "image": "src"}


def _root_local_urls(tokens: list[Token], article_id: str) -> None:
    """Make the relative link and image URLs of Markdown site-root paths, so they work from any page."""
    for tok in tokens:
        for child in tok.children or ():
            key = _URL_ATTRIBUTES.get(child.type)
            if key and isinstance(child.attrs.get(key), str):
                child.attrs[key] = local_url(child.attrs[key], article_id)


_ROOT_URL = re.compile(r'(\s(?:href|src|poster|cite)=")/(?!/)')
_SRCSET = re.compile(r'(\ssrcset=")([^"]*)"')


def rebase(html: str, base_path: str) -> str:
    """Put site-root URLs of body HTML (`/2020/map.png`) under the site's base path (`/archive/`).

    Body HTML is serialised by markdown-it or nh3, so attribute values are always double-quoted and a
    `src="` in text is always escaped."""
    if base_path == "/":
        return html
    html = _ROOT_URL.sub(lambda m: m.group(1) + base_path, html)
    return _SRCSET.sub(lambda m: m.group(1) + ", ".join(
        base_path + c.strip()[1:] if c.strip().startswith("/") and not c.strip().startswith("//") else c.strip()
        for c in m.group(2).split(",")) + '"', html)


def _has_raw_html(tok: Token) -> bool:
    return tok.type == "html_block" or any(c.type == "html_inline" for c in tok.children or ())


def _clean(html: str, article_id: str) -> str:
    """Keep embeds, drop script, event handlers and dangerous URLs from raw HTML; relative URLs become
    site-root paths as in Markdown."""
    def urls(_tag: str, attr: str, value: str) -> str:
        if attr == "srcset":
            return ", ".join(" ".join((local_url(c.split()[0], article_id), *c.split()[1:]))
                             for c in value.split(",") if c.strip())
        return local_url(value, article_id) if attr in ("href", "src", "poster", "cite") else value

    return nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https", "mailto", "tel", LINK_MARK[:-1]},
                     link_rel=None, strip_comments=True, attribute_filter=urls)


def _plain_text(tokens: list[Token]) -> str:
    parts: list[str] = []
    for tok in tokens:
        if tok.type == "inline":
            for child in tok.children or ():
                if child.type in ("text", "code_inline"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append(" ")
            parts.append("\n")
    return "".join(parts)


def _toc(tokens: list[Token]) -> tuple[TocEntry, ...]:
    entries = []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.level == 0:
            title = "".join(c.content for c in tokens[i + 1].children or () if c.type in ("text", "code_inline"))
            entries.append(TocEntry(level=int(tok.tag[1]), id=str(tok.attrs.get("id", "")), title=title))
    return tuple(entries)
