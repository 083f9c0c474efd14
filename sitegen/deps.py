"""Which pages must be rendered: a page's key digests everything its bytes depend on."""
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

from sitegen import __version__
from sitegen.model import Article, Group, Input, Page, Site
from sitegen.pictures import article_images
from sitegen.taxonomy import display_name

_MASK = (1 << 128) - 1
"""Page keys add up their inputs' 128-bit numbers modulo 2**128."""


@cache
def engine_digest() -> str:
    """Changes with sitegen's version and with any change to its code, so stale pages never survive an upgrade."""
    h = hashlib.sha256(__version__.encode())
    for path in sorted([*Path(__file__).parent.glob("*.py"), *Path(__file__).parent.glob("*.js")]):
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def input_digests(site: Site) -> Callable[[Input], str]:
    """Digest of one page input; an input that no longer exists digests to ''.

    An article's meta covers the names its tags and authors are shown with, which are their groups' names:
    another article can change those; its meta and body cover its images' variants."""
    articles, images = site.articles, site.images

    def image_digests(a: Article) -> list[str]:
        """Its images' variants, which lists (lead image, summary) and its page show."""
        return [images[p].digest if p in images else "" for p in article_images(a)] if images else []

    tag_name, author_name = _DisplayNames(site.tags).__getitem__, _DisplayNames(site.authors).__getitem__

    def digest(item: Input) -> str:
        kind, name = item
        if kind == "meta":
            if name not in articles:
                return ""
            a = articles[name]
            return "\0".join([a.meta_hash, *map(tag_name, a.meta.tags), "", *map(author_name, a.meta.authors),
                              *image_digests(a)])
        if kind == "body":
            return "\0".join([articles[name].source_hash, *image_digests(articles[name])]) if name in articles else ""
        if kind == "file":
            try:
                st = os.stat(name)
            except OSError:
                return ""
            return f"{st.st_mtime_ns}:{st.st_size}"
        raise ValueError(f"unknown page input {item!r}")

    return digest


class _DisplayNames(dict[str, str]):
    """Spelling → the name a tag or author written so is shown with; each spelling looked up once, as
    the same few repeat across thousands of articles."""

    def __init__(self, groups: dict[str, Group]):
        super().__init__()
        self._groups = groups

    def __missing__(self, name: str) -> str:
        shown = self[name] = display_name(self._groups, name)
        return shown


class PageKeys:
    """Output path → key. Equal keys mean equal bytes: same template closure, parameters and input digests.

    An article's length (word count, reading time) is not in its meta digest, so a body edit does not
    touch lists; it counts for the pages whose template is in `showing_length`.

    Each distinct input is digested once into a number; a page adds up its inputs' numbers, which does not
    depend on their order (a page's inputs are a set) and costs one addition per input."""

    def __init__(self, site: Site, templates: dict[str, str], showing_length: frozenset[str] = frozenset()):
        self._digest = input_digests(site)
        self._articles = site.articles
        self._templates, self._showing_length = templates, showing_length
        self._known: tuple[dict[Input, int], dict[Input, int]] = ({}, {})  # without and with the article's length
        self._base = f"{engine_digest()}\0{site.config.digest()}\0"

    def __call__(self, pages: list[Page]) -> dict[str, str]:
        keys = {}
        for page in pages:
            total = self._total(page.inputs, page.template in self._showing_length)
            head = repr((page.path, page.template, self._templates.get(page.template, ""), page.kind, page.params,
                         self._shortcodes(page)))
            keys[page.path] = hashlib.sha256(f"{self._base}{head}\0{total:x}".encode()).hexdigest()[:24]
        return keys

    def _shortcodes(self, page: Page) -> tuple[str, ...]:
        """Digests of the shortcode templates an article page's body calls ('' for one that does not exist)."""
        if page.kind != "article":
            return ()
        article = self._articles.get(page.param("id"))
        names = article.body.shortcodes if article is not None else ()
        return tuple(self._templates.get(f"shortcodes/{name}.html", "") for name in names)

    def with_related(self, page: Page, key: str, related: tuple[str, ...]) -> str:
        """The key of `with_related(page, related)`, from `page`'s key: a few additions instead of the whole
        page's, so it costs little once the lists are ranked."""
        total = self._total([("meta", i) for i in related], page.template in self._showing_length)
        return hashlib.sha256(f"{key}\0{related!r}\0{total:x}".encode()).hexdigest()[:24]

    def _total(self, items: Iterable[Input], length: bool) -> int:
        """The sum of the inputs' numbers, modulo 2**128."""
        numbers, total = self._known[length], 0
        for item in items:
            number = numbers.get(item)
            if number is None:
                kind, name = item
                articles = self._articles
                extra = f":{articles[name].body.word_count}" if length and kind == "meta" and name in articles else ""
                part = f"{kind}\0{name}\0{self._digest(item)}{extra}".encode()
                number = numbers[item] = int.from_bytes(hashlib.sha256(part).digest()[:16])
            total += number
        return total & _MASK


def dirty_pages(pages: list[Page], keys: dict[str, str], previous: dict[str, str],
                exists: Callable[[str], bool]) -> list[Page]:
    """Pages that are new, whose key changed, or whose file is missing from the output."""
    return [p for p in pages if previous.get(p.path) != keys[p.path] or not exists(p.path)]
