"""Pure: which local image a URL names, and the `<picture>` an image's variants make (no Pillow here)."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from html import escape, unescape
from urllib.parse import unquote, urlsplit

from sitegen.model import Article, ImageInfo

BODY_SIZES = "(min-width: 44rem) 40rem, calc(100vw - 2rem)"
"""Body images fill the text column (the theme's `--measure`, less its padding)."""


@dataclass(frozen=True, slots=True)
class Picture:
    """A resized image as templates see it; URLs under the base path."""

    src: str
    """Fallback URL: the widest variant in the original format."""
    srcset: str
    """Every variant in the original format, `url 480w, ...`."""
    webp_srcset: str
    width: int
    """Of the fallback."""
    height: int
    alt: str = ""
    caption: str = ""
    credit: str = ""


def image_path(url: str | None, article_id: str) -> str | None:
    """The output path (`2020/map.png`) a local image URL of an article names: a relative one is beside the
    article's file; None for a remote URL or none."""
    if not url or url.startswith(("http://", "https://", "//")) or ":" in url.split("/", 1)[0]:
        return None
    path = urlsplit(url).path
    if not path.startswith("/"):
        path = "/".join([*article_id.split("/")[:-1], path])
    parts: list[str] = []
    for part in unquote(path).split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts) or None


def article_images(article: Article) -> list[str]:
    """Output paths of the local images an article shows: its lead image, then its body's."""
    lead = image_path(article.meta.image, article.id)
    return ([lead] if lead else []) + [p for p in (image_path(u, article.id) for u in article.body.images) if p]


def picture(info: ImageInfo, url: Callable[[str], str], alt: str = "", caption: str = "", credit: str = ""
            ) -> Picture:
    """The view of `info`, its URLs made by `url` (output path → URL under the base path)."""
    fallback = info.variants[-1]
    return Picture(url(fallback.path), ", ".join(f"{url(v.path)} {v.width}w" for v in info.variants),
                   ", ".join(f"{url(v.webp)} {v.width}w" for v in info.variants), fallback.width, fallback.height,
                   alt, caption, credit)


def picture_html(p: Picture, sizes: str, lead: bool = False, attributes: str = "") -> str:
    """The markup `picture.html`'s macro makes, for body HTML; `attributes` (already escaped, with a
    leading space) are kept on the `<img>`."""
    loading = ' fetchpriority="high" decoding="async"' if lead else ' loading="lazy" decoding="async"'
    return (f'<picture><source type="image/webp" srcset="{escape(p.webp_srcset)}" sizes="{escape(sizes)}">'
            f'<img src="{escape(p.src)}" srcset="{escape(p.srcset)}" sizes="{escape(sizes)}" width="{p.width}" '
            f'height="{p.height}" alt="{escape(p.alt)}"{attributes}{loading}></picture>')


_IMG = re.compile(r"<img\s[^>]*>")
_ATTRIBUTE = re.compile(r'\s([a-zA-Z][\w:-]*)(?:="([^"]*)")?')
_REPLACED = frozenset({"src", "srcset", "sizes", "width", "height", "loading", "decoding", "fetchpriority", "alt"})


def with_pictures(html: str, find: Callable[[str], Picture | None]) -> str:
    """Body HTML (markdown-it or nh3 output: attributes double-quoted) with each `<img>` for whose `src`
    `find` has a picture as that `<picture>`; an `<img>` with its own `srcset` stays as it is."""
    if "<img" not in html:
        return html

    def one(match: re.Match) -> str:
        attrs = {name: value for name, value in _ATTRIBUTE.findall(match.group(0)[4:].rstrip("/>"))}
        p = find(unescape(attrs.get("src", "")))
        if p is None or "srcset" in attrs:
            return match.group(0)
        kept = "".join(f' {n}="{v}"' for n, v in attrs.items() if n not in _REPLACED)
        return picture_html(replace(p, alt=unescape(attrs.get("alt", ""))), BODY_SIZES, attributes=kept)

    return _IMG.sub(one, html)
