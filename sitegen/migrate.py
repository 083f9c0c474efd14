"""Archives written for Jekyll, Hugo or Pelican, read as they are: their frontmatter keys mapped onto
sitegen's, Pelican's `Key: value` headers, and template syntax left in bodies found and made inert. Pure."""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from sitegen.errors import SiteError
from sitegen.shortcodes import escaped_call, parse_call

UPDATED_KEYS = ("lastmod", "last_modified_at", "modified")
"""Hugo, Jekyll (jekyll-last-modified-at) and Pelican names for `updated`, in order of preference."""
DATE_KEYS = ("publishdate", "pubdate")
"""Hugo names used for `date` when the file has none."""
EXPIRY_KEYS = ("expirydate", "unpublishdate")
"""Hugo names for `expires`."""
SUMMARY_KEYS = ("excerpt", "description")
"""Jekyll and Hugo names used for `summary` when the file has none."""
FOREIGN_KEYS = frozenset({*UPDATED_KEYS, *DATE_KEYS, *EXPIRY_KEYS, *SUMMARY_KEYS, "categories", "category",
                          "published", "status", "url", "images", "redirect_from", "path", "taxonomies"})
"""Keys of other generators that sitegen maps onto its own fields (they also stay in `extra`)."""
JEKYLL_FOLDERS = ("_posts", "_drafts")
_DATED_PATH = re.compile(r"(?:^|/)(\d{4})/(0[1-9]|1[0-2])(?:/(0[1-9]|[12]\d|3[01]))?(?=/|$)")
"""`2021/08/03` or `2021/08` as folders of a URL or of a file's path."""
_DATED_STEM = re.compile(r"^\d{4}-\d{2}-\d{2}-")
_AUTHOR_LINK = re.compile(r"^\s*\[([^\[\]]+)\]\(\s*<?([^()<>\s]+)>?\s*\)\s*$")

_PELICAN_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):[ \t]*(.*)$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HIGHLIGHT = re.compile(r"^\s*(?:\{%-?\s*highlight\s+([\w+#.-]+)(?:\s[^%]*)?%\}"
                        r"|\{\{[<%]\s*highlight\s+([\w+#.-]+)(?:\s[^>%]*)?[>%]\}\})\s*$")
_END_HIGHLIGHT = re.compile(r"^\s*(?:\{%-?\s*endhighlight\s*-?%\}|\{\{[<%]\s*/\s*highlight\s*[>%]\}\})\s*$")
_PELICAN_LINK = re.compile(r"\{(?:filename|static|attach)\}|\|(?:filename|static|attach)\|")
_RAW = re.compile(r"\{%-?\s*(end)?raw\s*-?%\}")
_SITE_URL = re.compile(r"\{\{-?\s*site\.(?:baseurl|url)\s*-?\}\}")
_URL_FILTER = re.compile(r"""\{\{-?\s*(["'])([^"'{}]*)\1\s*\|\s*(?:relative_url|absolute_url)\s*-?\}\}""")
_HUGO_REF = re.compile(r"""\{\{[<%]\s*(?:rel)?ref\s+["']?([^"'{}\s#<>%]+?)(#[^"'{}\s<>%]*)?["']?\s*[>%]\}\}""")
"""Hugo's `ref`/`relref` to a page (`"post/x.md"`, `"x"`, `x#part`): a link to the article's file."""
_PARAM_IN_LINK = re.compile(r"""(\]\(\s*<?)\{\{[<%]\s*param\s+["']?([\w.-]+)["']?\s*[>%]\}\}""")
_POST_URL = re.compile(r"\{%-?\s*post_url\s+/?([^\s{}%]+?)\s*-?%\}")
_LINK_TAG = re.compile(r"\{%-?\s*link\s+/?([^\s{}%]+\.(?:md|markdown))\s*-?%\}")
_LEFTOVER = re.compile(r"\{\{<[^{}]{0,500}?>\}\}|\{\{%[^{}]{0,500}?%\}\}|\{%[^{}]{0,500}?%\}|\{\{[^{}]{0,500}?\}\}")
"""Bounded and brace-free inside, so a line of a million `{{` is scanned in linear time."""


class Header(NamedTuple):
    """A Pelican-style metadata header."""

    meta: dict[str, Any]
    body: str
    body_line: int
    key_lines: dict[str, int]


def pelican_header(text: str) -> Header | None:
    """`Title: ...` / `Date: ...` lines up to the first blank line (indented lines continue a value), when
    they include a title; None when the file does not start that way."""
    meta: dict[str, Any] = {}
    key_lines: dict[str, int] = {}
    lines = text.split("\n")
    last = None
    end = len(lines)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            end = number
            break
        match = _PELICAN_LINE.match(line)
        if match and not match.group(2).startswith("//"):
            last = match.group(1).lower()
            meta[last], key_lines[last] = match.group(2).strip(), number
        elif last and line[:1] in (" ", "\t"):
            meta[last] = f"{meta[last]} {line.strip()}"
        else:
            return None
    if "title" not in meta:
        return None
    if "authors" in meta:
        meta["authors"] = [a.strip() for a in meta["authors"].split(",")]
    body = "\n".join(lines[end:]).lstrip("\n")
    return Header(meta, body, len(lines) - body.count("\n"), key_lines)


def is_jekyll(article_id: str) -> bool:
    """Files under a `_posts/` or `_drafts/` folder follow Jekyll's conventions (space-separated tags)."""
    return any(part in JEKYLL_FOLDERS for part in PurePosixPath(article_id).parts[:-1])


def normalise(meta: dict[str, Any], key_lines: dict[str, int], article_id: str,
              known: frozenset[str]) -> tuple[dict[str, Any], dict[str, int]]:
    """Frontmatter with other generators' keys mapped onto sitegen's `known` ones (the originals are kept).

    Keys are matched case-insensitively (Hugo's `Title`); a sitegen key that is present always wins."""
    meta, lines = dict(meta), dict(key_lines)
    for key in [k for k in meta if isinstance(k, str)]:
        lower = key.lower()
        if lower != key and lower in known | FOREIGN_KEYS and lower not in meta:
            meta[lower] = meta.pop(key)
            if key in lines:
                lines[lower] = lines.pop(key)

    def fallback(target: str, sources: tuple[str, ...]) -> None:
        for source in sources:
            if target not in meta and meta.get(source) not in (None, ""):
                meta[target] = meta[source]
                if source in lines:
                    lines[target] = lines[source]

    fallback("updated", UPDATED_KEYS)
    fallback("date", DATE_KEYS)
    fallback("expires", EXPIRY_KEYS)
    fallback("summary", SUMMARY_KEYS)
    fallback("aliases", ("redirect_from",))
    if "permalink" not in meta and isinstance(meta.get("url"), str) and "://" not in meta["url"]:
        fallback("permalink", ("url",))
    if "permalink" not in meta and isinstance(meta.get("path"), str) and meta["path"].strip("/"):
        meta["permalink"] = "/" + meta["path"].strip("/") + "/"  # Zola's `path`
        if "path" in lines:
            lines["permalink"] = lines["path"]
    _date_from_paths(meta, lines, article_id)
    _merge_extra(meta, known)
    _merge_taxonomies(meta, lines)
    _merge_tags(meta, lines, is_jekyll(article_id))
    if "draft" not in meta:
        if meta.get("published") is False or str(meta.get("status", "")).lower() in ("draft", "hidden"):
            meta["draft"] = True
            lines["draft"] = lines.get("published", lines.get("status", 1))
        elif "_drafts" in PurePosixPath(article_id).parts[:-1]:
            meta["draft"] = True
    for key in ("author", "authors"):
        if isinstance(meta.get(key), dict) and isinstance(meta[key].get("name"), str):
            meta[key] = meta[key]["name"]
        _author_links(meta, key)
    image = meta.get("image")
    if isinstance(image, dict):
        found = [image[k] for k in ("path", "src", "url", "feature") if isinstance(image.get(k), str)]
        if found:
            meta["image"] = found[0]
    elif image is None and isinstance(meta.get("images"), list) and meta["images"] and isinstance(meta["images"][0], str):
        meta["image"] = meta["images"][0]
        lines["image"] = lines.get("images", 1)
    return meta, lines


def _date_from_paths(meta: dict[str, Any], lines: dict[str, int], article_id: str) -> None:
    """No date: the one in the article's URL (`/2021/08/03/slug/`), else in its folders (`2021/08/slug/index.md`,
    the first day of the month when there is no day), unless the file name carries one (Jekyll's)."""
    if meta.get("date") not in (None, ""):
        return
    path = PurePosixPath(article_id)
    if _DATED_STEM.match(path.stem) or (path.stem == "index" and _DATED_STEM.match(path.parent.name)):
        return
    for key in ("permalink", "url", "path"):
        found = _DATED_PATH.search(meta[key]) if isinstance(meta.get(key), str) else None
        if found:
            meta["date"] = "-".join((found.group(1), found.group(2), found.group(3) or "01"))
            lines["date"] = lines.get(key, lines.get("permalink", 1))
            return
    found = _DATED_PATH.search(str(path.parent))
    if found:
        meta["date"] = "-".join((found.group(1), found.group(2), found.group(3) or "01"))


def _merge_extra(meta: dict[str, Any], known: frozenset[str]) -> None:
    """Zola's `[extra]` table: its keys join the article's own `extra` (a key written outside it wins; one
    sitegen knows, such as `image`, stays inside so that it changes nothing else)."""
    extra = meta.get("extra")
    if isinstance(extra, dict):
        kept = {k: v for k, v in extra.items() if k in known or k in meta}
        if kept:
            meta["extra"] = kept
        else:
            del meta["extra"]
        for key, value in extra.items():
            if key not in kept:
                meta[key] = value


def _merge_taxonomies(meta: dict[str, Any], lines: dict[str, int]) -> None:
    """Zola's `[taxonomies]` and Hugo's `taxonomies`: authors become authors, every other list joins tags."""
    taxonomies = meta.get("taxonomies")
    if not isinstance(taxonomies, dict):
        return
    for name, values in taxonomies.items():
        values = values if isinstance(values, list) else [values]
        if str(name).lower() in ("author", "authors"):
            meta.setdefault("authors", values)
            continue
        key = "tags" if "tags" not in meta or isinstance(meta["tags"], list) else None
        if key is None:
            continue  # a wrong type: the reader reports it
        meta["tags"] = [*meta.get("tags", []), *values]
        lines.setdefault("tags", lines.get("taxonomies", 1))


def _author_links(meta: dict[str, Any], key: str) -> None:
    """`author: "[Name](https://…)"` → the name, the URL kept in `author_links` (name → URL)."""
    value = meta.get(key)
    items = value if isinstance(value, list) else [value]
    if not any(isinstance(v, str) and "](" in v for v in items):
        return
    names, links = [], dict(meta.get("author_links") or {})
    for item in items:
        match = _AUTHOR_LINK.match(item) if isinstance(item, str) else None
        if match:
            names.append(match.group(1).strip())
            links[match.group(1).strip()] = match.group(2)
        else:
            names.append(item)
    meta[key] = names if isinstance(value, list) else names[0]
    meta["author_links"] = links


def _merge_tags(meta: dict[str, Any], lines: dict[str, int], jekyll: bool) -> None:
    """`categories` and `category` join `tags`; Jekyll's `tags: a b` is split on spaces."""
    tags = meta.get("tags")
    if isinstance(tags, str) and jekyll and "," not in tags:
        meta["tags"] = tags = tags.split()
    extra: list[Any] = []
    for key in ("categories", "category"):
        value = meta.get(key)
        if isinstance(value, str):
            value = value.split(",") if "," in value else value.split() if jekyll and key == "categories" else [value]
        if value is not None:
            extra += value if isinstance(value, list) else [value]
            lines.setdefault("tags", lines.get(key, 1))
    if not extra:
        return
    if isinstance(tags, str):
        tags = tags.split(",")
    elif tags is None:
        tags = []
    elif not isinstance(tags, list):
        return  # a wrong type: the reader reports it
    meta["tags"] = tags + extra


class Leftover(NamedTuple):
    """Template syntax of another generator found in a body."""

    line: int
    """1-based line in the body."""
    text: str


def convert_body(body: str, article_id: str, param: Callable[[str], Any] | None = None,
                 report: bool = True) -> tuple[str, list[Leftover]]:
    """Jekyll's `{% highlight %}` blocks become fenced code, `{% raw %}` markers and `{{ site.baseurl }}` go,
    links written with `{% post_url %}`, `{% link %}` or Hugo's `ref`/`relref` become links to the article's
    file, a Hugo `param` call as a link's URL becomes `param(name)` (Markdown could not see the link otherwise);
    any other Liquid tag outside code is reported (unless not `report`: what Liquid left is meant as text)
    and kept as literal text (never run).

    Lines keep their numbers, except `{% raw %}` lines inside code, which go (Jekyll runs Liquid in code too)."""
    if "{" not in body and "|" not in body:
        return body, []
    posts, suffix = post_folder(article_id)
    rewrites = ((_HUGO_REF, _ref_target),
             (_POST_URL, lambda m: f"/{posts}/{m.group(1)}{suffix}"), (_LINK_TAG, lambda m: "/" + m.group(1)),
             (_PELICAN_LINK, lambda m: ""),
             (_PARAM_IN_LINK, lambda m: m.group(1) + str(param(m.group(2)) if param else m.group(0))))
    out: list[str] = []
    leftovers: list[Leftover] = []
    fence = None
    raw = False
    for number, line in enumerate(body.split("\n"), start=1):
        if fence:
            if _RAW.fullmatch(line.strip()):
                continue
            line = _RAW.sub("", line)
            if _END_HIGHLIGHT.match(line) and fence == "highlight":
                line, fence = "```", None
            elif fence != "highlight" and line.strip().startswith(fence):
                fence = None
            out.append(line)
            continue
        opening = _FENCE.match(line)
        highlight = _HIGHLIGHT.match(line) if "{" in line else None
        if opening or highlight:
            fence = opening.group(1) if opening else "highlight"
            out.append(line if opening else f"```{highlight.group(1) or highlight.group(2)}")
            continue
        if "{" not in line and "|" not in line:
            out.append(line)
            continue
        parts = []
        for index, piece in enumerate(re.split(r"(`+.+?`+)", line)):
            if index % 2:
                parts.append(piece)
                continue
            piece = _URL_FILTER.sub(r"\2", _SITE_URL.sub("", piece))
            for pattern, target in rewrites:
                piece = pattern.sub(target, piece)
            for position, segment in enumerate(_RAW.split(piece)):
                if position % 2:
                    raw = segment is None
                    continue
                if not raw and report:
                    leftovers += [Leftover(number, m.group(0)) for m in _LEFTOVER.finditer(segment)
                                  if not is_call(m.group(0))]
                parts.append(_LEFTOVER.sub(_inert, segment))
        out.append("".join(parts))
    return "\n".join(out), leftovers


def _ref_target(match: re.Match) -> str:
    """A `ref` target as a link to an article file: `post/x` and `post/x.md` both mean `/post/x.md`."""
    target = match.group(1)
    if not target.endswith((".md", ".markdown")):
        target = target.rstrip("/") + ".md"
    return (target if "/" not in target else "/" + target.lstrip("/")) + (match.group(2) or "")


def post_folder(article_id: str) -> tuple[str, str]:
    """Where `{% post_url name %}` looks, and the suffix it assumes: the article's own `_posts/` folder and
    suffix (post_url does not say; archives mostly use one)."""
    path = PurePosixPath(article_id)
    parts_of = path.parts[:-1]
    return ("/".join(parts_of[: parts_of.index("_posts") + 1]) if "_posts" in parts_of else "_posts"), path.suffix


def is_call(text: str) -> bool:
    """Whether `text` is a whole shortcode call (Hugo's or Zola's form), which Markdown turns into one."""
    call = parse_call(text, 0)
    return (call is not None and call.end == len(text)) or escaped_call(text, 0) is not None


def _inert(match: re.Match) -> str:
    """Template syntax that is no call, shown as text: a `<` and `>` escaped, so Markdown cannot take
    `{{<figure src=x>}}` for an HTML tag."""
    if is_call(match.group(0)):
        return match.group(0)
    return match.group(0).replace("<", "\\<").replace(">", "\\>")


def leftover_message(leftover: Leftover) -> str:
    kind = "Hugo shortcode" if leftover.text.startswith(("{{<", "{{%")) else "Liquid tag"
    snippet = leftover.text if len(leftover.text) <= 60 else leftover.text[:57] + "..."
    return f"{kind} {snippet!r} left from another generator is shown as text; replace it with Markdown or HTML"


def title_from_name(slug: str) -> str:
    """Jekyll's title for a post without one: its slug's words, capitalised."""
    return " ".join(word[:1].upper() + word[1:] for word in slug.replace("_", "-").split("-") if word)


def misplaced_posts(source: Path) -> SiteError | None:
    """A Jekyll site given as it is (`_posts/` but no `content/`): say where its files go instead of building
    an empty site."""
    if (source / "content").is_dir() or not (source / "_posts").is_dir():
        return None
    return SiteError(str(source / "_posts"), "this looks like a Jekyll site: sitegen reads articles from content/; "
                     "move _posts/ (and _drafts/) into content/ and assets/ into static/, then build again")


def split_excerpt(body: str, separator: str) -> str:
    """The body with Jekyll's `excerpt_separator` (its first occurrence) turned into a `<!--more-->` break."""
    if not separator.strip() or separator not in body:
        return body
    return body.replace(separator, "\n\n<!--more-->\n\n", 1)
