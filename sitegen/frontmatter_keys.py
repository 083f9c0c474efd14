"""The frontmatter keys sitegen knows, as a table: each key's converter takes the value as written and
returns what the article holds, or raises `Invalid` with what is wrong (reported at the key's line)."""
from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

from sitegen.config import SiteConfig
from sitegen.dates import has_time, parse_date
from sitegen.errors import KeyTypo, SiteError
from sitegen.migrate import FOREIGN_KEYS, is_jekyll, title_from_name
from sitegen.slugs import is_safe_segment, slugify
from sitegen.taxonomy import group_key

DATED_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-(.+)$")
_C0_AND_SPACE = "".join(map(chr, range(33)))
_SCRIPT_URL = re.compile(r"(javascript|vbscript|data):", re.IGNORECASE)
ABSENT = object()
"""The value of a key the frontmatter does not have, where that differs from writing it empty."""


class Invalid(Exception):
    """A value its key cannot take: one message per problem found in it."""

    def __init__(self, *messages: str):
        super().__init__(*messages)
        self.messages = messages


class File(NamedTuple):
    """What converters know besides the value: the file, the site, and the keys converted before."""

    path: str
    """The file, relative to the site folder (as messages name it)."""
    id: str
    """Path under content/."""
    stem: str
    """The name that dates, slugs and (Jekyll) titles the article; a page bundle's folder for `index.md`."""
    dated: re.Match | None
    """The stem as `YYYY-MM-DD-name`, if it is one (`DATED_NAME`)."""
    config: SiteConfig
    modified: float | None
    """The file's mtime: dates an undated Jekyll draft."""
    meta: dict[str, Any]
    """The whole frontmatter, other generators' keys mapped onto sitegen's."""
    values: dict[str, Any]
    """What the keys converted so far hold, by key (the table's order)."""


class Dated(NamedTuple):
    date: datetime
    """Timezone-aware."""
    all_day: bool
    """Written without a time of day."""


def _title(value: Any, name: str, file: File) -> str:
    if value is None and is_jekyll(file.id):
        value = title_from_name(file.dated.group(2) if file.dated else file.stem)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise Invalid("no title: add `title: Your headline` to the frontmatter")
    return " ".join(value.split())


def _date(value: Any, name: str, file: File) -> Dated:
    """From the key, else from a `YYYY-MM-DD-slug.md` file name, else (a Jekyll draft) from its mtime."""
    if value is ABSENT:
        value = file.dated.group(1) if file.dated else None
    if value is None and file.modified is not None and file.meta.get("draft") is True:
        value = datetime.fromtimestamp(file.modified, file.config.zone)
    if value is None:
        raise Invalid("no date: add `date: 2020-10-23 03:55` to the frontmatter, or name the file "
                      "YYYY-MM-DD-slug.md")
    return Dated(_parse_date(value, name, file), not has_time(value))


def _optional_date(value: Any, name: str, file: File) -> datetime | None:
    return None if value is None else _parse_date(value, name, file)


def _parse_date(value: Any, name: str, file: File) -> datetime:
    try:
        return parse_date(value, file.config.zone)
    except (ValueError, TypeError, OverflowError) as exc:
        raise Invalid(f"'{name}': {exc}") from None


def _tags(value: Any, name: str, file: File) -> tuple[str, ...]:
    """Display names, the first spelling of each URL key."""
    tags, problems = _strings(value, name, split=",")
    seen: dict[str, str] = {}
    for tag in tags:
        key = group_key(tag)
        if not key:
            problems.append(f"tag {tag!r} has no letters or digits to make a URL from; rename it")
        seen.setdefault(key, tag)
    return _checked(tuple(seen.values()), problems)


def _names(value: Any, name: str, file: File) -> tuple[str, ...]:
    return _checked(*_strings(value, name, split=None))


def _slug(value: Any, name: str, file: File) -> str:
    if value is not None and not isinstance(value, (str, int)):
        raise Invalid("'slug' must be text")
    slug = _clean_slug(str(value) if value is not None else file.dated.group(2) if file.dated else file.stem)
    if not slug:
        raise Invalid(f"cannot make a URL name from {value or file.stem!r}; set `slug:` to letters, digits "
                      "and '-'")
    return slug


def _flag(value: Any, name: str, file: File) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"'{name}' must be true or false")
    return value


def _image(value: Any, name: str, file: File) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid("'image' must be a URL or path")
    if _SCRIPT_URL.match(re.sub(r"[\t\n\r]", "", value.lstrip(_C0_AND_SPACE))):
        raise Invalid("'image' must be an http(s) URL or a path, not a javascript:, vbscript: or data: URL")
    return value


def _aliases(value: Any, name: str, file: File) -> tuple[str, ...]:
    aliases, problems = _strings(value, name, split=None)
    paths = tuple(_site_path(alias, "alias", problems) for alias in aliases)
    return _checked(paths, problems)


def _permalink(value: Any, name: str, file: File) -> str:
    """A site-relative path; Jekyll's `:year`, `:month`, `:day`, `:title` and `:slug` are filled in."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid("'permalink' must be a path such as /blog/story/")
    if not value:
        return ""
    problems: list[str] = []
    dated = file.values.get("date")
    filled = _fill_permalink(value, dated.date if dated else None, file.values.get("slug", ""), problems)
    return _checked(_site_path(filled, "permalink", problems), problems)


def _related(value: Any, name: str, file: File) -> tuple[bool, tuple[str, ...]]:
    """(enabled, pins): `related: false` turns the list off; slugs or paths pin articles first in it."""
    if isinstance(value, bool):
        return value, ()
    return True, _checked(*_strings(value, name, split=","))


def _text(value: Any, name: str, file: File) -> str | None:
    if value is not None and not isinstance(value, str):
        raise Invalid(f"'{name}' must be text")
    return value


_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


def _language(value: Any, name: str, file: File) -> str:
    """A BCP 47 tag such as `de` or `pt-BR`; "" (the site's language) when absent."""
    if value is None:
        return ""
    if not isinstance(value, str) or not _LANGUAGE.fullmatch(value.strip()):
        raise Invalid(f"'{name}' must be a language tag such as de, fr-CA or pt-BR, not {value!r}")
    return value.strip()


def _identity(value: Any, name: str, file: File) -> str:
    """The writer's stable name for the article; "" when absent."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).strip():
        raise Invalid("'id' must be text or a number that never changes, such as 2024-0117 or a UUID")
    return " ".join(str(value).split())


def _dateline(value: Any, name: str, file: File) -> str:
    """A place name; any other value (another generator's coordinates) stays in `extra` for templates."""
    return " ".join(value.split()) if isinstance(value, str) else ""


def _separator(value: Any, name: str, file: File) -> str:
    return file.config.excerpt_separator if value is None else _text(value, name, file)


class Key(NamedTuple):
    """One known frontmatter key."""

    name: str
    convert: Callable[[Any, str, File], Any]
    """(value as written, the name it was written under, the file) → what the article holds."""
    default: Any = None
    """The value when the key is absent."""
    also: str | None = None
    """Another name for the key, used when the key itself is absent (`author` for `authors`)."""


KEYS = (
    Key("title", _title),
    Key("date", _date, default=ABSENT),
    Key("updated", _optional_date),
    Key("expires", _optional_date),
    Key("tags", _tags),
    Key("authors", _names, also="author"),
    Key("slug", _slug),
    Key("draft", _flag, default=False),
    Key("image", _image),
    Key("image_alt", _text),
    Key("image_caption", _text),
    Key("image_credit", _text),
    Key("aliases", _aliases),
    Key("permalink", _permalink),
    Key("related", _related, default=True),
    Key("summary", _text),
    Key("excerpt_separator", _separator),
    Key("id", _identity),
    Key("language", _language, also="lang"),
    Key("location", _dateline),
)
KNOWN_KEYS = frozenset(name for key in KEYS for name in (key.name, key.also) if name)


def key_typos(meta: dict[str, Any], key_lines: dict[str, int], path: str) -> list[SiteError]:
    """Unknown keys that are one slip away from a known one (`tittle`, `tag`, `autor`)."""
    known = sorted(KNOWN_KEYS | FOREIGN_KEYS)
    found = []
    for key in map(str, meta):
        if key.lower() in known:
            continue
        close = difflib.get_close_matches(key.lower(), known, n=1, cutoff=0.8)
        if close:
            found.append(KeyTypo(path, f"unknown key '{key}': did you mean '{close[0]}'? (as written it is "
                                         "only passed to templates)", key_lines.get(key, 1)))
    return found


def convert_keys(meta: dict[str, Any], key_lines: dict[str, int], file: File) -> list[SiteError]:
    """Fill `file.values` with every known key's value, in the table's order; the problems found, each
    at its key's line."""
    errors = []
    for key in KEYS:
        name = key.also if key.also and key.name not in meta and key.also in meta else key.name
        try:
            file.values[key.name] = key.convert(meta.get(name, key.default), name, file)
        except Invalid as exc:
            errors += [SiteError(file.path, message, key_lines.get(name, 1)) for message in exc.messages]
    return errors


def _checked(value: Any, problems: list[str]) -> Any:
    """`value`, unless problems were found in it."""
    if problems:
        raise Invalid(*problems)
    return value


def _strings(value: Any, name: str, split: str | None) -> tuple[tuple[str, ...], list[str]]:
    """Non-empty strings from a list or a (comma-separated) string, each once; and what is wrong with the
    rest."""
    if value is None:
        return (), []
    if isinstance(value, str):
        items = value.split(split) if split else [value]
    elif isinstance(value, list):
        items = value
    else:
        return (), [f"'{name}' must be a list or a comma-separated string"]
    result, problems = [], []
    for item in items:
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            item = str(item)
        if not isinstance(item, str):
            problems.append(f"'{name}' entries must be text, not {type(item).__name__}")
            continue
        item = " ".join(item.split())
        if item and item not in result:
            result.append(item)
    return tuple(result), problems


_PLAIN_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]*")


def _clean_slug(value: str) -> str:
    value = value.strip()
    if _PLAIN_SLUG.fullmatch(value) and is_safe_segment(value):
        return value
    return slugify(value)


_PLACEHOLDER = re.compile(r":(year|month|day|title|slug|[a-z_]+)")


def _fill_permalink(value: str, date: datetime | None, slug: str, problems: list[str]) -> str:
    """Jekyll's placeholders filled in; any other is a problem."""
    fields = {"title": slug, "slug": slug}
    if date is not None:
        fields |= {"year": f"{date.year:04d}", "month": f"{date.month:02d}", "day": f"{date.day:02d}"}

    def fill(match: re.Match) -> str:
        if match.group(1) not in fields:
            problems.append(f"permalink {value!r} uses {match.group(0)!r}; only :year, :month, :day, :title "
                            "and :slug are filled in")
        return fields.get(match.group(1), match.group(0))

    return _PLACEHOLDER.sub(fill, value) if "://" not in value else value


def _site_path(value: str, what: str, problems: list[str]) -> str:
    """An old URL (or a permalink) as a site-relative path; anything that could leave the output folder is a
    problem."""
    path = value.split("#")[0].split("?")[0]
    if "://" in path:
        path = "/" + path.split("://", 1)[1].partition("/")[2]
    segments = [s for s in path.split("/") if s]
    if not segments or any(not is_safe_segment(s) for s in segments):
        problems.append(f"{what} {value!r} is not a safe path inside the site (no '..', '\\' or control "
                        "characters)")
        return ""
    return "/".join(segments) + ("/" if path.endswith("/") or "." not in segments[-1] else "")
