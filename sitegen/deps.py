"""Which pages must be rendered: a page's key digests everything its bytes depend on."""
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path

from sitegen import __version__
from sitegen.model import Input, Page, Site


@cache
def engine_digest() -> str:
    """Changes with sitegen's version and with any change to its code, so stale pages never survive an upgrade."""
    h = hashlib.sha256(__version__.encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def input_digests(site: Site) -> Callable[[Input], str]:
    """Digest of one page input; an input that no longer exists digests to ''."""
    articles = site.articles

    def digest(item: Input) -> str:
        kind, name = item
        if kind == "meta":
            return articles[name].meta_hash if name in articles else ""
        if kind == "body":
            return articles[name].source_hash if name in articles else ""
        if kind == "file":
            try:
                st = os.stat(name)
            except OSError:
                return ""
            return f"{st.st_mtime_ns}:{st.st_size}"
        raise ValueError(f"unknown page input {item!r}")

    return digest


def page_keys(pages: list[Page], site: Site, templates: dict[str, str],
              showing_length: frozenset[str] = frozenset()) -> dict[str, str]:
    """Output path → key. Equal keys mean equal bytes: same template closure, parameters and input digests.

    An article's length (word count, reading time) is not in its meta digest, so a body edit does not
    touch lists; it counts for the pages whose template is in `showing_length`."""
    digest = input_digests(site)
    articles = site.articles
    known: dict[tuple[Input, bool], str] = {}  # an input is shared by many pages: format its part once
    base = f"{engine_digest()}\0{site.config.digest()}\0"
    keys = {}
    for page in pages:
        parts = [base, repr((page.path, page.template, templates.get(page.template, ""), page.kind, page.params))]
        length = page.template in showing_length
        for item in sorted(page.inputs):
            part = known.get((item, length))
            if part is None:
                kind, name = item
                extra = f":{articles[name].body.word_count}" if length and kind == "meta" and name in articles else ""
                part = known[item, length] = f"\0{item}\0{digest(item)}{extra}"
            parts.append(part)
        keys[page.path] = hashlib.sha256("".join(parts).encode()).hexdigest()[:24]
    return keys


def dirty_pages(pages: list[Page], keys: dict[str, str], previous: dict[str, str],
                exists: Callable[[str], bool]) -> list[Page]:
    """Pages that are new, whose key changed, or whose file is missing from the output."""
    return [p for p in pages if previous.get(p.path) != keys[p.path] or not exists(p.path)]
