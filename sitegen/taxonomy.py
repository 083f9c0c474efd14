"""Pure: articles → the groups that list them (tags, authors, years, months), newest first."""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import cache

from sitegen.dates import format_date
from sitegen.model import Article, Group
from sitegen.slugs import slugify


def newest_first(articles: Iterable[Article]) -> tuple[str, ...]:
    """Article ids by date, newest first; equal times by id, so the order never depends on input order."""
    ordered = sorted(articles, key=lambda a: a.id)
    ordered.sort(key=lambda a: a.meta.date.timestamp(), reverse=True)
    return tuple(a.id for a in ordered)


def group_key(name: str) -> str:
    """The key of the tag or author group that `name` belongs to, also its URL name: `São Paulo` and
    `são paulo` share `sao-paulo`. Every such key is made here."""
    return slugify(name)


def name_order(name: str, language: str) -> bytes:
    """Sort key for names as a reader of `language` (a BCP 47 tag) expects them: ICU's collation for that
    locale (`São Tomé` before `Städtepartnerschaft`, case and accents deciding only ties), not code points."""
    return _collator(language).getSortKey(name)


@cache
def _collator(language: str):  # loaded only by builds that list names
    import icu

    return icu.Collator.createInstance(icu.Locale.forLanguageTag(language or "und"))


def display_name(groups: dict[str, Group], name: str) -> str:
    """How a tag or author written `name` is shown: as its group's page is headed (the spelling the group
    was given), or as written when no group has it (a model that predates the article)."""
    group = groups.get(group_key(name))
    return group.name if group else name


def group_by(articles: dict[str, Article], order: tuple[str, ...],
             names: Callable[[Article], Iterable[str]]) -> dict[str, Group]:
    """Groups keyed by slug. A group's display name is its most used spelling (ties: alphabetical)."""
    members: dict[str, list[str]] = defaultdict(list)
    spellings: dict[str, Counter] = defaultdict(Counter)
    for article_id in order:
        for name in names(articles[article_id]):
            key = group_key(name)
            if key and (not members[key] or members[key][-1] != article_id):
                members[key].append(article_id)
                spellings[key][name] += 1
    return {
        key: Group(key=key, name=min(spellings[key].items(), key=lambda kv: (-kv[1], kv[0]))[0],
                   article_ids=tuple(ids))
        for key, ids in sorted(members.items())
    }


def tags_of(articles: dict[str, Article], order: tuple[str, ...]) -> dict[str, Group]:
    return group_by(articles, order, lambda a: a.meta.tags)


def authors_of(articles: dict[str, Article], order: tuple[str, ...]) -> dict[str, Group]:
    return group_by(articles, order, lambda a: a.meta.authors)


def years_of(articles: dict[str, Article], order: tuple[str, ...]) -> dict[str, Group]:
    """Year archives, by the year of each article's date in its own UTC offset."""
    return _by_period(articles, order, lambda d: f"{d.year:04d}", lambda d: f"{d.year:04d}")


def months_of(articles: dict[str, Article], order: tuple[str, ...]) -> dict[str, Group]:
    """Month archives keyed `YYYY/MM`: a story dated 2016-07-31T23:30+03:00 is in July 2016."""
    return _by_period(articles, order, lambda d: f"{d.year:04d}/{d.month:02d}", lambda d: format_date(d, "%B %Y"))


def _by_period(articles: dict[str, Article], order: tuple[str, ...], key_of: Callable[[datetime], str],
               name_of: Callable[[datetime], str]) -> dict[str, Group]:
    """Groups of the articles whose dates share a key; each named from its first member's date."""
    members: dict[str, list[str]] = defaultdict(list)
    for article_id in order:
        members[key_of(articles[article_id].meta.date)].append(article_id)
    return {key: Group(key=key, name=name_of(articles[ids[0]].meta.date), article_ids=tuple(ids))
            for key, ids in sorted(members.items(), reverse=True)}
