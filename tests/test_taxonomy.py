"""sitegen.taxonomy: ordering and grouping of articles (tags, authors, years, months)."""
from __future__ import annotations

import pytest

from sitegen.config import SiteConfig
from sitegen.model import Article, Group
from sitegen.reader import parse_article
from sitegen.taxonomy import (
    authors_of,
    display_name,
    group_by,
    group_key,
    months_of,
    newest_first,
    tags_of,
    years_of,
)

CONFIG = SiteConfig(timezone="Europe/London")


def article(article_id: str, date: str, tags: str = "[]", authors: str = "[]") -> Article:
    text = f"---\ntitle: {article_id}\ndate: {date}\ntags: {tags}\nauthors: {authors}\n---\nBody of {article_id}.\n"
    result = parse_article(text.encode(), article_id, CONFIG)
    assert not isinstance(result, list), result
    return result.article


def index(*articles: Article) -> tuple[dict[str, Article], tuple[str, ...]]:
    by_id = {a.id: a for a in articles}
    return by_id, newest_first(articles)


def test_newest_first():
    a = article("a.md", "2020-01-01 10:00")
    b = article("b.md", "2021-01-01 10:00")
    c = article("c.md", "2020-06-01 10:00")
    assert newest_first([a, b, c]) == ("b.md", "c.md", "a.md")


def test_newest_first_compares_instants_not_wall_clocks():
    early = article("early.md", "2020-10-23T10:00:00+03:00")  # 07:00 UTC
    late = article("late.md", "2020-10-23T08:00:00+00:00")    # 08:00 UTC
    assert newest_first([early, late]) == ("late.md", "early.md")


def test_newest_first_ties_broken_by_id_whatever_the_input_order():
    x = article("x.md", "2020-10-23T10:00:00+01:00")
    a = article("a.md", "2020-10-23T09:00:00Z")  # the same instant
    m = article("m.md", "2020-10-23 10:00")      # London, BST: the same instant again
    older = article("0-older.md", "2020-10-22 10:00")
    expected = ("a.md", "m.md", "x.md", "0-older.md")
    assert newest_first([x, a, m, older]) == expected
    assert newest_first([older, m, a, x]) == expected
    assert newest_first([m, older, x, a]) == expected


def test_tag_groups_merge_spellings_and_pick_the_most_used_name():
    articles, order = index(
        article("a.md", "2020-10-04", "[Syria, Aid]"),
        article("b.md", "2020-10-03", "[syria]"),
        article("c.md", "2020-10-02", "[Syria]"),
        article("d.md", "2020-10-01", "[SYRIA, aid]"),
    )
    tags = tags_of(articles, order)
    assert tags == {
        "aid": Group(key="aid", name="Aid", article_ids=("a.md", "d.md")),
        "syria": Group(key="syria", name="Syria", article_ids=("a.md", "b.md", "c.md", "d.md")),
    }


def test_group_name_ties_are_alphabetical():
    articles, order = index(article("a.md", "2020-10-02", "[syria]"), article("b.md", "2020-10-01", "[Syria]"))
    assert tags_of(articles, order)["syria"].name == "Syria"


def test_group_key_and_display_name():
    articles, order = index(article("a.md", "2020-10-02", "[São Paulo]"), article("b.md", "2020-10-01", "[são paulo]"))
    tags = tags_of(articles, order)
    assert group_key("SÃO PAULO") == group_key("Sao Paulo") == "sao-paulo"
    assert display_name(tags, "são paulo") == display_name(tags, "Sao Paulo") == "São Paulo"
    assert display_name(tags, "Unknown Tag") == "Unknown Tag"


def test_group_keys_are_slugs_and_members_newest_first():
    articles, order = index(
        article("old.md", "2019-01-01", "['C++', São Paulo]"),
        article("new.md", "2021-01-01", "[c++]"),
    )
    tags = tags_of(articles, order)
    assert list(tags) == ["c-plus-plus", "sao-paulo"]
    assert tags["c-plus-plus"].article_ids == ("new.md", "old.md")
    assert tags["c-plus-plus"].name in ("C++", "c++")
    assert tags["sao-paulo"] == Group("sao-paulo", "São Paulo", ("old.md",))


def test_authors():
    articles, order = index(
        article("a.md", "2020-10-02", authors="[Jane Doe, John Roe]"),
        article("b.md", "2020-10-01", authors="[jane doe]"),
    )
    authors = authors_of(articles, order)
    assert list(authors) == ["jane-doe", "john-roe"]
    assert authors["jane-doe"].article_ids == ("a.md", "b.md")
    assert authors["jane-doe"].name == "Jane Doe"


def test_group_by_lists_an_article_once_per_group():
    articles, order = index(article("a.md", "2020-10-02", "[x]"))
    groups = group_by(articles, order, lambda a: ["One", "one", "ONE"])
    assert groups["one"].article_ids == ("a.md",)


def test_month_archive_uses_the_dates_own_offset():
    articles, order = index(article("a.md", "2016-07-31T23:30:00+03:00"))
    months = months_of(articles, order)
    assert months == {"2016/07": Group(key="2016/07", name="July 2016", article_ids=("a.md",))}
    assert years_of(articles, order) == {"2016": Group(key="2016", name="2016", article_ids=("a.md",))}


def test_year_archive_uses_the_dates_own_offset():
    articles, order = index(article("a.md", "2016-12-31T23:30:00-05:00"))  # 2017 in UTC
    assert list(years_of(articles, order)) == ["2016"]
    assert list(months_of(articles, order)) == ["2016/12"]


def test_archives_are_newest_first():
    articles, order = index(
        article("a.md", "2019-02-01"), article("b.md", "2020-11-01"), article("c.md", "2020-02-01"),
        article("d.md", "2020-11-15"),
    )
    months = months_of(articles, order)
    assert list(months) == ["2020/11", "2020/02", "2019/02"]
    assert months["2020/11"] == Group("2020/11", "November 2020", ("d.md", "b.md"))
    years = years_of(articles, order)
    assert list(years) == ["2020", "2019"]
    assert years["2020"].article_ids == ("d.md", "b.md", "c.md")


@pytest.mark.parametrize("fn", [tags_of, authors_of, years_of, months_of])
def test_empty_site(fn):
    assert fn({}, ()) == {}


def test_names_sort_by_collation_not_code_point():
    from sitegen.taxonomy import name_order
    names = ["Städtepartnerschaft", "zoning", "São Tomé", "Sao Paulo", "apple", "Éclair"]
    for language in ("en-GB", "de", ""):
        assert sorted(names, key=lambda n: name_order(n, language)) == [
            "apple", "Éclair", "Sao Paulo", "São Tomé", "Städtepartnerschaft", "zoning"]


def test_names_sort_as_their_language_expects():
    from sitegen.taxonomy import name_order
    names = ["Zürich", "Oslo", "Ørsta", "Ödeshög"]
    assert sorted(names, key=lambda n: name_order(n, "en")) == ["Ödeshög", "Ørsta", "Oslo", "Zürich"]
    assert sorted(names, key=lambda n: name_order(n, "sv")) == ["Oslo", "Zürich", "Ödeshög", "Ørsta"]
