"""Helpers for site-level tests: write a fixture archive, build it, read what came out."""
from __future__ import annotations

import gzip
import json
import textwrap
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from sitegen.routes import SEARCH_FOLDER
from sitegen.session import BuildOptions, BuildResult, build

FIXTURE = {
    "2020/2020-10-23-kerry-urges.md": """\
        ---
        title: Kerry urges Moscow to rein in Damascus
        date: 2020-10-23T03:55:00+00:00
        tags: [airstrikes, Syria, United States, Russia]
        author: Ana Petrova
        ---
        US Secretary of State urged Moscow and Damascus to stop attacks on rebels in Syria.

        "The comments seem more than a little hypocritical," the website wrote.

        ## Background

        Talks with Lavrov concerned Syria and revealed disagreements.
        """,
    "2020/2020-11-02-aleppo-corridor.md": """\
        ---
        title: Aleppo humanitarian corridor opens
        date: 2020-11-02 09:00
        tags: syria, Humanitarian
        authors: [Ana Petrova, John Miller]
        summary: A corridor opened for civilians leaving Aleppo.
        ---
        Civilians began leaving eastern Aleppo through a humanitarian corridor on Wednesday.
        """,
    "2019/2019-03-01-budget.md": """\
        +++
        title = "City budget passes after long night"
        date = 2019-03-01T23:30:00+03:00
        tags = ["Budget", "City Council"]
        author = "John Miller"
        +++
        The council passed the budget at dawn.<!-- not a break -->

        <!--more-->

        Details followed in the morning session.
        """,
    "2019/2019-07-31-late-night.md": """\
        ---
        title: "Late-night vote on São Paulo twinning"
        date: 2019-07-31T23:30:00+03:00
        tags: [São Paulo, C++, AT&T]
        author: Leila Haddad
        aliases: [/old/twinning.html]
        ---
        Council members voted on twinning with São Paulo late at night.
        """,
    "2021/2021-01-05-draft.md": """\
        ---
        title: Unfinished story
        date: 2021-01-05
        draft: true
        ---
        Not ready.
        """,
    "2099/2099-01-01-future.md": """\
        ---
        title: Story from the future
        date: 2099-01-01
        ---
        Not yet.
        """,
}


def write_site(root: Path, files: dict[str, str] | None = None, config: str = "") -> Path:
    """A site folder with content files (dedented) and an optional site.toml."""
    for rel, text in (FIXTURE if files is None else files).items():
        path = root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    if config:
        (root / "site.toml").write_text(textwrap.dedent(config), encoding="utf-8")
    return root


def build_site(root: Path, output: Path | None = None, **options) -> BuildResult:
    return build(BuildOptions(source=root, output=output or root / "output", **options))


def site_files(output: Path) -> list[Path]:
    """The files sitegen renders or copies: all but the search index, which Pagefind writes (its filter and
    metadata files differ from run to run, Pagefind#638; tests/test_search.py checks the index)."""
    index = output / SEARCH_FOLDER
    return [p for p in sorted(output.rglob("*")) if p.is_file() and index not in p.parents]


def snapshot(output: Path) -> dict[str, bytes]:
    """Every site file under `output` with its bytes."""
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in site_files(output)}


def search_records(output: Path) -> dict[str, dict[str, dict]]:
    """Shard → URL → what Pagefind holds of the page (text, metadata, filters, headings), from its fragment
    files; those are the same from run to run, where the index's other files are not (Pagefind#638)."""
    shards: dict[str, dict[str, dict]] = {}
    for fragment in sorted((output / SEARCH_FOLDER).glob("*/fragment/*.pf_fragment")):
        data = json.loads(gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd"))
        shards.setdefault(fragment.parent.parent.name, {})[data.pop("url")] = data
    return shards


def mtimes(output: Path) -> dict[str, int]:
    return {p.relative_to(output).as_posix(): p.stat().st_mtime_ns for p in site_files(output)}


class Html(HTMLParser):
    """A parsed page: links, the first h1, headings, JSON-LD blocks and the texts of elements by tag."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.h1: str | None = None
        self.meta: dict[str, str] = {}
        self.jsonld: list[object] = []
        self.times: list[tuple[str, str]] = []
        self.related: list[str] = []
        self.title: str | None = None
        self.rels: dict[str, str] = {}
        """href of each `<link rel>` (the last one for a repeated rel)."""
        self.ids: set[str] = set()
        self.elements: list[tuple[str, dict, str]] = []
        """(tag, attributes, text) of every closed element, in closing order."""
        self.urls: list[str] = []
        """Every URL the page points at: href, src, srcset, poster, URL-valued meta tags, refresh, JSON-LD."""
        self._stack: list[tuple[str, dict]] = []
        self._text: list[str] = []
        self._in_related = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("href", "src"):
            if key in a:
                self.links.append((tag, a[key]))
        self.urls += [a[k] for k in ("href", "src", "poster") if a.get(k) is not None]
        self.urls += [c.split()[0] for c in (a.get("srcset") or "").split(",") if c.strip()]
        for key in ("id", "name") if tag == "a" else ("id",):
            if a.get(key):
                self.ids.add(a[key])
        if tag == "link" and a.get("rel"):
            self.rels[a["rel"]] = a.get("href", "")
        if tag == "meta":
            key = a.get("property") or a.get("name") or a.get("http-equiv", "")
            self.meta[key] = content = a.get("content", "")
            if key in ("og:url", "og:image", "twitter:image"):
                self.urls.append(content)
            elif key.lower() == "refresh":
                self.urls.append(content.partition("url=")[2])
        if tag == "section" and "related" in (a.get("class") or ""):
            self._in_related = True
        if tag not in ("meta", "link", "img", "br", "hr", "input"):
            self._stack.append((tag, a))
            self._text.append("")

    def handle_endtag(self, tag):
        if not self._stack or self._stack[-1][0] != tag:
            return
        _, attrs = self._stack.pop()
        text = self._text.pop()
        self.elements.append((tag, attrs, " ".join(text.split())))
        if self._text:
            self._text[-1] += text
        if tag == "title" and self.title is None:
            self.title = text.strip()
        if tag == "h1" and self.h1 is None:
            self.h1 = text.strip()
        if tag == "script" and attrs.get("type") == "application/ld+json":
            self.jsonld.append(json.loads(text))
            self.urls += _json_urls(self.jsonld[-1])
        if tag == "time":
            self.times.append((attrs.get("datetime", ""), text.strip()))
        if tag == "a" and self._in_related:
            self.related.append(text.strip())
        if tag == "section":
            self._in_related = False

    def handle_data(self, data):
        if self._text:
            self._text[-1] += data


def texts(doc: Html, tag: str, **attrs: str) -> list[str]:
    """Texts of the elements with this tag whose attributes include these values (class: one of the classes)."""
    def matches(a: dict) -> bool:
        return all(v in (a.get("class") or "").split() if k == "class_" else a.get(k) == v for k, v in attrs.items())
    return [text for t, a, text in doc.elements if t == tag and matches(a)]


def page(output: Path, rel: str) -> Html:
    return Html((output / rel).read_text(encoding="utf-8"))


def atom(output: Path, rel: str) -> ET.Element:
    return ET.parse(output / rel).getroot()


ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _json_urls(data: object) -> list[str]:
    """Values of `url`, `image` and `mainEntityOfPage` anywhere in a JSON-LD block."""
    if isinstance(data, list):
        return [u for item in data for u in _json_urls(item)]
    if not isinstance(data, dict):
        return []
    found = [v for k, v in data.items() if k in ("url", "image", "mainEntityOfPage") and isinstance(v, str)]
    return found + [u for v in data.values() if isinstance(v, (dict, list)) for u in _json_urls(v)]


def page_url(rel: str, base_url: str) -> str:
    """The URL an output file is served at: `a/index.html` → `BASE/a/`."""
    return base_url + (rel[: -len("index.html")] if rel == "index.html" or rel.endswith("/index.html") else rel)


def broken_links(output: Path, base_url: str) -> list[str]:
    """Every URL in every HTML page that resolves under `base_url` to no output file (`dir/` means
    `dir/index.html`) or to a missing `#id`, and every host-less URL that leaves `base_url`.

    404.html is resolved as if served at a deep missing path, as hosts serve it for any URL. A path-only
    `base_url` (`/archive/`) stands for any host.
    """
    if not urlsplit(base_url).netloc:
        base_url = "https://site.invalid" + base_url
    base = urlsplit(base_url)
    pages = {p.relative_to(output).as_posix(): Html(p.read_text(encoding="utf-8")) for p in output.rglob("*.html")}
    broken = []
    for rel, doc in sorted(pages.items()):
        here = base_url + "no/such/page/" if rel == "404.html" else page_url(rel, base_url)
        for link in doc.urls:
            target = urlsplit(urljoin(page_url(rel, base_url) if link.startswith("#") else here, link.strip()))
            if target.scheme not in ("http", "https") or target.netloc != base.netloc:
                continue
            if not target.path.startswith(base.path):
                if not urlsplit(link).netloc:  # with a host, it is another site on the same host
                    broken.append(f"{rel} → {link} (outside {base.path})")
                continue
            path = unquote(target.path[len(base.path):])
            file = path + "index.html" if path == "" or path.endswith("/") else path
            if not (output / file).is_file():
                broken.append(f"{rel} → {link}")
            elif target.fragment and file.endswith(".html") and unquote(target.fragment) not in pages[file].ids:
                broken.append(f"{rel} → {link} (no id {target.fragment!r})")
    return broken


class _Visible(HTMLParser):
    """Text a reader sees outside code, and the elements of a page."""

    HIDDEN = frozenset({"code", "pre", "script", "style", "template"})

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.depth += tag in self.HIDDEN

    def handle_endtag(self, tag):
        self.depth -= tag in self.HIDDEN and self.depth > 0

    def handle_data(self, data):
        if not self.depth:
            self.text.append(data)


def visible_text(html: str) -> str:
    """The page's text outside code, pre, script and style."""
    return "".join(_Visible(html).text)


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """Every start tag of the page with its attributes, in order."""
    return _Visible(html).tags
