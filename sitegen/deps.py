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


def page_keys(pages: list[Page], site: Site, templates: dict[str, str]) -> dict[str, str]:
    """Output path → key. Equal keys mean equal bytes: same template closure, parameters and input digests."""
    digest = input_digests(site)
    known: dict[Input, str] = {}  # an input is shared by many pages: format its part of the key once
    base = f"{engine_digest()}\0{site.config.digest()}\0"
    keys = {}
    for page in pages:
        parts = [base, repr((page.path, page.template, templates.get(page.template, ""), page.kind, page.params))]
        for item in sorted(page.inputs):
            part = known.get(item)
            if part is None:
                part = known[item] = f"\0{item}\0{digest(item)}"
            parts.append(part)
        keys[page.path] = hashlib.sha256("".join(parts).encode()).hexdigest()[:24]
    return keys


def dirty_pages(pages: list[Page], keys: dict[str, str], previous: dict[str, str],
                exists: Callable[[str], bool]) -> list[Page]:
    """Pages that are new, whose key changed, or whose file is missing from the output."""
    return [p for p in pages if previous.get(p.path) != keys[p.path] or not exists(p.path)]
