"""sitegen.routes: the Site → every output page, and refusal of two pages on one path."""
from __future__ import annotations

from dataclasses import replace

import pytest

from sitegen.config import Permalinks, SiteConfig
from sitegen.model import Article, Site
from sitegen.reader import parse_article
from sitegen.routes import (
    Link,
    Nav,
    Pager,
    article_url,
    file_path,
    find_collisions,
    group_link,
    is_inside,
    nav_urls,
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
        *(f"{small_site.short_urls[i]}index.html" for i in ("a.md", "b.md", "c.md", "d.md")),
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
    assert first.param("count") == 4
    assert first.param("pager") == Pager(1, 2, None, "page/2/", ((1, ""), (2, "page/2/")))
    assert second.param("pager") == Pager(2, 2, "", None, ((1, ""), (2, "page/2/")))
    assert first.inputs == frozenset({("meta", "a.md"), ("meta", "b.md")})


def test_tag_pages_and_feeds(small_site):
    pages = {p.path: p for p in plan_pages(small_site)[0]}
    assert pages["tags/syria/index.html"].param("ids") == ("a.md", "b.md")
    assert pages["tags/syria/page/2/index.html"].param("ids") == ("c.md",)
    assert pages["tags/syria/page/2/index.html"].param("pager").prev_url == "tags/syria/"
    assert pages["tags/syria/index.html"].param("feed") == pages["tags/syria/feed.xml"].url == "tags/syria/feed.xml"
    assert pages["tags/syria/feed.xml"].param("ids") == ("a.md", "b.md", "c.md")
    assert pages["tags/syria/feed.xml"].param("list_url") == "tags/syria/"
    assert pages["tags/index.html"].param("groups") == (Link("Aid", "tags/aid/", 1), Link("SYRIA", "tags/syria/", 3))


def test_feed_is_limited_to_feed_entries(small_site):
    site = replace(small_site, config=replace(CONFIG, feed_entries=3))
    pages = {p.path: p for p in plan_pages(site)[0]}
    assert pages["feed.xml"].param("ids") == ("a.md", "b.md", "c.md")


def test_archive_tree(small_site):
    pages = {p.path: p for p in plan_pages(small_site)[0]}
    assert pages["archive/index.html"].param("years") == (
        (Link("2020", "2020/", 3), (Link("October 2020", "2020/10/", 2), Link("September 2020", "2020/09/", 1))),
        (Link("2019", "2019/", 1), (Link("January 2019", "2019/01/", 1),)),
    )


def test_year_pages_link_their_months_and_month_pages_their_year(small_site):
    pages = {p.path: p for p in plan_pages(small_site)[0]}
    months = (Link("October 2020", "2020/10/", 2), Link("September 2020", "2020/09/", 1))
    assert pages["2020/index.html"].param("months") == pages["2020/page/2/index.html"].param("months") == months
    assert pages["2020/09/index.html"].param("year") == Link("2020", "2020/")


def test_pager_shows_two_pages_either_side_the_ends_and_gaps():
    site = make_site([article(f"{n}.md", f"date: 2020-01-{n:02d} 10:00") for n in range(1, 19)])  # 9 pages of 2
    pager = next(p for p in plan_pages(site)[0] if p.url == "page/5/").param("pager")
    assert pager == Pager(5, 9, "page/4/", "page/6/", (
        (1, ""), (None, None), (3, "page/3/"), (4, "page/4/"), (5, "page/5/"), (6, "page/6/"), (7, "page/7/"),
        (None, None), (9, "page/9/")))


def test_custom_permalinks_reach_every_planned_link():
    config = SiteConfig(permalinks=Permalinks(tag="/topics/{tag}/", tags="/topics/", tag_feed="/topics/{tag}.xml",
                                              year="/y{year}/", month="/y{year}/m{month}/", page="p/{n}/",
                                              archive="/all/", search="/find/"), per_page=1)
    site = make_site([article("a.md", "date: 2020-10-23\ntags: [X]", config=config),
                      article("b.md", "date: 2020-10-22\ntags: [x]", config=config)], config=config)
    pages = {p.path: p for p in plan_pages(site)[0]}
    assert pages["topics/x/index.html"].param("pager").next_url == "topics/x/p/2/"
    assert pages["topics/x/index.html"].param("feed") == "topics/x.xml"
    assert pages["topics/index.html"].param("groups") == (Link("X", "topics/x/", 2),)
    assert pages["y2020/index.html"].param("months") == (Link("October 2020", "y2020/m10/", 2),)
    assert pages["y2020/m10/index.html"].param("year") == Link("2020", "y2020/")
    assert nav_urls(config) == Nav(home="", tags="topics/", archive="all/", feed="feed.xml", search="find/")
    assert group_link(site, "tag", "x") == Link("X", "topics/x/")


@pytest.mark.parametrize(("written", "shown"), [("syria", "SYRIA"), ("Syria", "SYRIA"), ("SYRIA", "SYRIA")])
def test_group_link_shows_the_name_the_tag_page_is_headed_with(small_site, written, shown):
    link = group_link(small_site, "tag", written)
    page = next(p for p in plan_pages(small_site)[0] if p.kind == "tag" and p.url == link.url)
    assert link == Link(shown, "tags/syria/") and page.param("name") == shown
    assert group_link(small_site, "author", "jane doe") == Link("Jane Doe", "authors/jane-doe/")


def test_group_link_of_a_name_no_group_has_yet_keeps_the_name():
    """The watcher renders an edited article from the model before the edit, which may lack its new tag."""
    assert group_link(make_site([]), "tag", "São Paulo") == Link("São Paulo", "tags/sao-paulo/")


def test_nav_urls_leave_search_out_when_it_is_off():
    assert nav_urls(CONFIG) == Nav(home="", tags="tags/", archive="archive/", feed="feed.xml", search="search/")
    assert nav_urls(replace(CONFIG, search=False)).search is None


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


# --- short links -------------------------------------------------------------------------------------------


def test_short_link_survives_headline_slug_and_date_corrections_kept_as_an_alias():
    from sitegen.routes import short_urls
    first = article("a.md", "date: 2020-01-02\nslug: mayor-plan")
    corrected = article("a.md", "date: 2020-01-03\nslug: mayors-plan\naliases: [/2020/01/mayor-plan/]")
    urls = {"a.md": "2020/01/mayor-plan/"}
    assert short_urls({"a.md": first}, urls) == short_urls({"a.md": corrected}, {"a.md": "2020/01/mayors-plan/"})


def test_short_link_comes_from_the_frontmatter_id_when_there_is_one():
    from sitegen.routes import short_urls
    one = short_urls({"a.md": article("a.md", "date: 2020-01-02\nid: 7f3c")}, {"a.md": "2020/01/a/"})
    moved = short_urls({"b.md": article("b.md", "date: 2021-05-06\nid: 7f3c")}, {"b.md": "2021/05/other/"})
    assert one["a.md"] == moved["b.md"] and len(one["a.md"]) == len("s/") + 6 + 1


def test_short_link_clash_leaves_the_older_articles_code_and_lengthens_the_newer(monkeypatch):
    from sitegen import routes
    monkeypatch.setattr(routes, "SHORT_LENGTH", 1)
    articles = {f"{n}.md": article(f"{n}.md", f"date: 2020-01-{n + 1:02d}") for n in range(28)}
    urls = {i: f"2020/{i}/" for i in articles}
    codes = routes.short_urls(articles, urls)
    assert len(set(codes.values())) == len(codes)
    fewer = routes.short_urls({i: a for i, a in articles.items() if i != "27.md"},
                              {i: u for i, u in urls.items() if i != "27.md"})
    assert all(codes[i] == code for i, code in fewer.items())
    assert codes == routes.short_urls(dict(reversed(articles.items())), urls)


def test_short_link_pages_redirect_and_stay_out_of_the_sitemap(small_site):
    pages, errors = plan_pages(small_site)
    short = [p for p in pages if p.kind == "short"]
    assert not errors and len(short) == len(small_site.articles)
    assert all(p.path.startswith("s/") and p.template == "short.html" for p in short)
    sitemap = next(p for p in pages if p.kind == "sitemap")
    assert not any(url.startswith("s/") for url, _ in sitemap.param("entries"))
    article_page = next(p for p in pages if p.kind == "article")
    assert article_page.param("short") == small_site.short_urls[article_page.param("id")]
