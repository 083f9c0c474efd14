"""sitegen.routes: the Site → every output page, and refusal of two pages on one path."""
from __future__ import annotations

from dataclasses import replace

import pytest

from sitegen.config import Permalinks, SiteConfig
from sitegen.model import Article, Site
from sitegen.reader import parse_article
from sitegen.routes import (
    article_url,
    file_path,
    find_collisions,
    is_inside,
    paged_url,
    plan_pages,
    with_related,
)
from tests import modelkit

CONFIG = SiteConfig(per_page=2)


def article(article_id: str, frontmatter: str, body: str = "Body.", config: SiteConfig = CONFIG) -> Article:
    result = parse_article(f"---\ntitle: {article_id}\n{frontmatter}\n---\n{body}\n".encode(), article_id, config)
    assert not isinstance(result, list), result
    return result.article


def make_site(articles: list[Article], config: SiteConfig = CONFIG, assets: dict[str, str] | None = None) -> Site:
    return modelkit.make_site(articles, config, assets)


# --- URL helpers -------------------------------------------------------------------------------------------


def test_article_url_from_default_permalink():
    a = article("x.md", "date: 2020-03-07 10:00\nslug: my-story")
    assert article_url(a, Permalinks()) == "2020/03/my-story/"


def test_article_url_from_custom_permalink():
    a = article("x.md", "date: 2020-03-07 10:00\nslug: my-story")
    assert article_url(a, Permalinks(article="/{year}/{month}/{day}/{slug}.html")) == "2020/03/07/my-story.html"
    assert article_url(a, Permalinks(article="/news/{slug}/")) == "news/my-story/"


def test_article_url_uses_the_dates_own_offset():
    a = article("x.md", "date: 2016-07-31T23:30:00+03:00\nslug: s")
    assert article_url(a, Permalinks()) == "2016/07/s/"


@pytest.mark.parametrize(("base", "number", "url"), [
    ("", 1, ""),
    ("", 2, "page/2/"),
    ("tags/syria/", 1, "tags/syria/"),
    ("tags/syria/", 3, "tags/syria/page/3/"),
])
def test_paged_url(base, number, url):
    assert paged_url(base, number, Permalinks()) == url


def test_paged_url_with_custom_pattern():
    assert paged_url("2020/", 2, Permalinks(page="/p{n}/")) == "2020/p2/"


@pytest.mark.parametrize(("url", "path"), [
    ("", "index.html"),
    ("2020/10/slug/", "2020/10/slug/index.html"),
    ("feed.xml", "feed.xml"),
    ("2020/10/slug.html", "2020/10/slug.html"),
])
def test_file_path(url, path):
    assert file_path(url) == path


@pytest.mark.parametrize(("path", "inside"), [
    ("index.html", True), ("a/b/index.html", True), ("../x", False), ("a/../../x", False), ("/etc/x", False),
    ("a\\b", False), ("", False), (".", False),
])
def test_is_inside(path, inside):
    assert is_inside(path) is inside


# --- plan_pages -------------------------------------------------------------------------------------------


@pytest.fixture
def small_site() -> Site:
    return make_site([
        article("a.md", "date: 2020-10-23 10:00\ntags: [Syria, Aid]\nauthor: Jane Doe\naliases: [/old/a, /old-b.html]"),
        article("b.md", "date: 2020-10-22 10:00\ntags: [syria]"),
        article("c.md", "date: 2020-09-01 10:00\ntags: [SYRIA]"),
        article("d.md", "date: 2019-01-01 10:00"),
    ])


def test_plan_pages_paths(small_site):
    pages, errors = plan_pages(small_site)
    assert errors == []
    assert [p.path for p in pages] == [
        "2020/10/a/index.html", "2020/10/b/index.html", "2020/09/c/index.html", "2019/01/d/index.html",
        "index.html", "page/2/index.html", "feed.xml",
        "tags/index.html",
        "tags/aid/index.html", "tags/aid/feed.xml",
        "tags/syria/index.html", "tags/syria/page/2/index.html", "tags/syria/feed.xml",
        "authors/jane-doe/index.html",
        "archive/index.html",
        "2020/index.html", "2020/page/2/index.html", "2019/index.html",
        "2020/10/index.html", "2020/09/index.html", "2019/01/index.html",
        "old/a/index.html", "old-b.html",
        "404.html", "search/index.html", "sitemap.xml", "robots.txt",
    ]


def test_plan_pages_templates_and_kinds(small_site):
    pages = {p.path: p for p in plan_pages(small_site)[0]}
    expected = {
        "2020/10/a/index.html": ("article.html", "article"), "index.html": ("index.html", "home"),
        "page/2/index.html": ("index.html", "home"), "feed.xml": ("atom.xml", "feed"),
        "tags/index.html": ("tags.html", "tags"), "tags/syria/index.html": ("tag.html", "tag"),
        "tags/syria/feed.xml": ("atom.xml", "feed"), "authors/jane-doe/index.html": ("author.html", "author"),
        "archive/index.html": ("archive.html", "archive"), "2020/index.html": ("year.html", "year"),
        "2020/10/index.html": ("month.html", "month"), "old/a/index.html": ("alias.html", "alias"),
        "404.html": ("404.html", "404"), "search/index.html": ("search.html", "search"),
        "sitemap.xml": ("sitemap.xml", "sitemap"),
        "robots.txt": ("robots.txt", "robots"),
    }
    assert {path: (pages[path].template, pages[path].kind) for path in expected} == expected


def test_front_page_pagination(small_site):
    pages = {p.path: p for p in plan_pages(small_site)[0]}
    first, second = pages["index.html"], pages["page/2/index.html"]
    assert first.url == "" and second.url == "page/2/"
    assert first.param("ids") == ("a.md", "b.md")
    assert second.param("ids") == ("c.md", "d.md")
    assert (first.param("number"), first.param("pages"), first.param("count")) == (1, 2, 4)
    assert (second.param("number"), second.param("pages"), second.param("base")) == (2, 2, "")
    assert first.inputs == frozenset({("meta", "a.md"), ("meta", "b.md")})


def test_tag_pages_and_feeds(small_site):
    pages = {p.path: p for p in plan_pages(small_site)[0]}
    assert pages["tags/syria/index.html"].param("ids") == ("a.md", "b.md")
    assert pages["tags/syria/page/2/index.html"].param("ids") == ("c.md",)
    assert pages["tags/syria/page/2/index.html"].param("base") == "tags/syria/"
    assert pages["tags/syria/feed.xml"].param("ids") == ("a.md", "b.md", "c.md")
    assert pages["tags/syria/feed.xml"].param("list_url") == "tags/syria/"
    assert pages["tags/index.html"].param("groups") == (("aid", "Aid", 1), ("syria", "SYRIA", 3))


def test_feed_is_limited_to_feed_entries(small_site):
    site = replace(small_site, config=replace(CONFIG, feed_entries=3))
    pages = {p.path: p for p in plan_pages(site)[0]}
    assert pages["feed.xml"].param("ids") == ("a.md", "b.md", "c.md")


def test_archive_tree(small_site):
    pages = {p.path: p for p in plan_pages(small_site)[0]}
    assert pages["archive/index.html"].param("years") == (
        ("2020", 3, (("2020/10", "October 2020", 2), ("2020/09", "September 2020", 1))),
        ("2019", 1, (("2019/01", "January 2019", 1),)),
    )


def test_article_page_params_and_inputs(small_site):
    pages = {p.path: p for p in plan_pages(small_site)[0]}
    b = pages["2020/10/b/index.html"]
    assert (b.param("id"), b.param("newer"), b.param("older")) == ("b.md", "a.md", "c.md")
    assert b.inputs == frozenset({("body", "b.md"), ("meta", "b.md"), ("meta", "a.md"), ("meta", "c.md")})
    first = pages["2020/10/a/index.html"]
    assert first.param("newer") is None and first.param("older") == "b.md"


def test_with_related_adds_the_list_to_params_and_inputs(small_site):
    b = next(p for p in plan_pages(small_site)[0] if p.path == "2020/10/b/index.html")
    assert b.param("related") == ()
    ranked = with_related(b, ("c.md", "d.md"))
    assert ranked.param("related") == ("c.md", "d.md")
    assert [name for name, _ in ranked.params] == [name for name, _ in b.params]
    assert ranked.inputs == b.inputs | {("meta", "d.md")}
    assert (ranked.path, ranked.template) == (b.path, b.template)


def test_alias_pages_point_at_their_article(small_site):
    pages = {p.path: p for p in plan_pages(small_site)[0]}
    assert pages["old/a/index.html"].param("id") == "a.md"
    assert pages["old-b.html"].url == "old-b.html"


def test_sitemap_lists_html_pages_but_not_aliases_or_404(small_site):
    pages = {p.path: p for p in plan_pages(small_site)[0]}
    entries = dict(pages["sitemap.xml"].param("entries"))
    assert entries["2020/10/a/"] == "a.md"
    assert entries[""] is None and entries["tags/syria/page/2/"] is None
    assert "old/a/" not in entries and "old-b.html" not in entries and "404.html" not in entries
    assert "feed.xml" not in entries


def test_empty_site_still_has_the_fixed_pages():
    pages, errors = plan_pages(make_site([]))
    assert errors == []
    assert [p.path for p in pages] == ["index.html", "feed.xml", "tags/index.html", "archive/index.html",
                                       "404.html", "search/index.html", "sitemap.xml", "robots.txt"]


def test_custom_permalinks_are_used():
    config = SiteConfig(permalinks=Permalinks(tag="/topics/{tag}/", tags="/topics/", feed="/atom.xml",
                                              tag_feed="/topics/{tag}.xml", page="p/{n}/"), per_page=1)
    site = make_site([article("a.md", "date: 2020-10-23\ntags: [x]", config=config),
                      article("b.md", "date: 2020-10-22\ntags: [x]", config=config)], config=config)
    paths = {p.path for p in plan_pages(site)[0]}
    assert {"topics/index.html", "topics/x/index.html", "topics/x/p/2/index.html", "topics/x.xml", "atom.xml",
            "p/2/index.html"} <= paths


def test_assets_are_planned(small_site):
    site = replace(small_site, assets={"css/site.css": "/theme/static/css/site.css"})
    [asset] = [p for p in plan_pages(site)[0] if p.kind == "asset"]
    assert (asset.path, asset.param("source")) == ("css/site.css", "/theme/static/css/site.css")
    assert asset.inputs == frozenset({("file", "/theme/static/css/site.css")})


def test_plan_is_stable(small_site):
    assert plan_pages(small_site) == plan_pages(small_site)


# --- collisions -------------------------------------------------------------------------------------------


def test_two_articles_on_one_url():
    site = make_site([article("one/x.md", "date: 2020-10-23 10:00"), article("two/x.md", "date: 2020-10-02 10:00")])
    _pages, errors = plan_pages(site)
    assert [str(e) for e in errors] == [
        ("content/two/x.md: output '2020/10/x/index.html' is also produced by content/one/x.md; "
        "give one of them another slug, alias or file name")]


def test_paths_differing_only_in_case():
    site = make_site([article("one/story.md", "date: 2020-10-23 10:00\nslug: Story"),
                      article("two/x.md", "date: 2020-10-02 10:00\nslug: story")])
    errors = plan_pages(site)[1]
    assert [str(e) for e in errors] == [
        ("content/two/x.md: output '2020/10/story/index.html' is also produced by content/one/story.md as "
        "'2020/10/Story/index.html' (differs only in case); give one of them another slug, alias or file name")]


def test_alias_on_another_articles_url():
    site = make_site([article("a.md", "date: 2020-10-23 10:00\naliases: [/2020/10/b/]"),
                      article("b.md", "date: 2020-10-02 10:00")])
    errors = plan_pages(site)[1]
    assert [str(e) for e in errors] == [
        ("content/a.md (alias): output '2020/10/b/index.html' is also produced by content/b.md; "
        "give one of them another slug, alias or file name")]


def test_alias_on_a_generated_page():
    site = make_site([article("a.md", "date: 2020-10-23 10:00\naliases: [/tags/]")])
    errors = plan_pages(site)[1]
    assert [str(e) for e in errors] == [
        ("content/a.md (alias): output 'tags/index.html' is also produced by the tags page; "
        "give one of them another slug, alias or file name")]


def test_asset_colliding_with_a_page(small_site):
    site = replace(small_site, assets={"robots.txt": "static/robots.txt"})
    errors = plan_pages(site)[1]
    assert [str(e) for e in errors] == [
        ("static/robots.txt: output 'robots.txt' is also produced by the robots page; "
        "give one of them another slug, alias or file name")]


def test_find_collisions_reports_each_extra_page(small_site):
    pages = plan_pages(small_site)[0]
    doubled = pages + [pages[0], pages[0]]
    assert len(find_collisions(doubled, small_site)) == 2
