"""sitegen.views: article views, pagers, per-kind contexts, JSON-LD and feed ids as templates see them."""
from __future__ import annotations

import uuid

import pytest

from sitegen.config import SiteConfig
from sitegen.markdown import LINK_MARK
from sitegen.model import Page
from sitegen.reader import Parsed, parse_article
from sitegen.routes import Link, Nav, Pager, plan_pages, with_related
from sitegen.views import Views
from tests import modelkit

BASE = "https://example.org/archive/"

ARTICLES = {
    "2020/a.md": (("title: Alpha\ndate: 2020-10-23T03:55:00+03:00\ntags: [Syria, São Paulo]\n"
                   "author: Ana Petrova\nimage: img/map.png\nsummary: A short summary.\n"
                   "aliases: [/old/alpha.html]"),
                  "See [beta](b.md#x) and [gone](gone.md).\n\n![map](img/map.png)"),
    "2020/b.md": ("title: Beta\ndate: 2020-11-02 09:00\ntags: syria\nupdated: 2020-11-03 10:00",
                  "Beta follows [alpha](a.md).\n\n<!--more-->\n\nThe rest."),
    "2019/c.md": ("title: Gamma\ndate: 2019-03-01\nimage: /img/c.jpg", "Gamma body."),
    "2019/d.md": ("title: Delta\ndate: 2019-07-31 10:00\nimage: https://cdn.example.com/d.jpg",
                  "Delta body."),
    "2018/e.md": ("title: Epsilon\ndate: 2018-01-01 10:00", "Epsilon body."),
}
NEWEST_FIRST = ["2020/b.md", "2020/a.md", "2019/d.md", "2019/c.md", "2018/e.md"]


def parse(article_id: str, frontmatter: str, body: str, config: SiteConfig) -> Parsed:
    result = parse_article(f"---\n{frontmatter}\n---\n{body}\n".encode(), article_id, config)
    assert isinstance(result, Parsed), result
    return result


def views_of(articles: dict[str, tuple[str, str]] = ARTICLES, base_url: str = BASE, per_page: int = 2,
             html: dict[str, str] | None = None, **settings) -> Views:
    """Views of a site of these articles; bodies come from `html` where given, else from parsing."""
    config = SiteConfig(base_url=base_url, per_page=per_page, timezone="Europe/Berlin", **settings)
    parsed = {i: parse(i, fm, body, config) for i, (fm, body) in articles.items()}
    bodies = {i: p.html for i, p in parsed.items()} | (html or {})
    site = modelkit.make_site([p.article for p in parsed.values()], config)
    return Views(site, bodies.__getitem__)


def page_of(views: Views, kind: str, url: str | None = None) -> Page:
    return next(p for p in plan_pages(views.site)[0] if p.kind == kind and (url is None or p.url == url))


def context(views: Views, kind: str, url: str | None = None) -> dict:
    return views.context(page_of(views, kind, url))


def ids(views_list) -> list[str]:
    return [a.id for a in views_list]


# --- URLs --------------------------------------------------------------------------------------------------


def test_url_puts_a_site_relative_path_under_the_base_path_percent_encoded():
    views = views_of()
    assert views.url("") == "/archive/"
    assert views.url("tags/são paulo/") == "/archive/tags/s%C3%A3o%20paulo/"
    assert views.url("100%/a~b.html") == "/archive/100%25/a~b.html"
    assert views.abs_url("feed.xml") == "https://example.org/archive/feed.xml"


@pytest.mark.parametrize(("base_url", "url", "abs_url", "tag_url"), [
    (BASE, "/archive/2020/10/a/", "https://example.org/archive/2020/10/a/", "/archive/tags/sao-paulo/"),
    ("/archive/", "/archive/2020/10/a/", "/archive/2020/10/a/", "/archive/tags/sao-paulo/"),
    ("https://example.org", "/2020/10/a/", "https://example.org/2020/10/a/", "/tags/sao-paulo/"),
    ("/", "/2020/10/a/", "/2020/10/a/", "/tags/sao-paulo/"),
])
def test_article_view_urls_with_and_without_a_base_path(base_url, url, abs_url, tag_url):
    view = views_of(base_url=base_url).article("2020/a.md")
    assert (view.url, view.abs_url) == (url, abs_url)
    assert view.tags == (Link("Syria", tag_url.replace("sao-paulo", "syria")), Link("São Paulo", tag_url))
    assert view.authors == (Link("Ana Petrova", tag_url.replace("tags/sao-paulo", "authors/ana-petrova")),)


def test_nav_links_sit_under_the_base_path_and_search_is_none_when_off():
    assert views_of().nav == Nav(home="/archive/", tags="/archive/tags/", archive="/archive/archive/",
                                 feed="/archive/feed.xml", search="/archive/search/")
    assert views_of(base_url="/", search=False).nav == Nav(home="/", tags="/tags/", archive="/archive/",
                                                           feed="/feed.xml", search=None)


def test_a_tag_link_shows_the_name_and_url_of_the_tag_page_whatever_the_spelling():
    """Alpha writes "Syria", Beta "syria": both link to the page headed "Syria", with that name."""
    views = views_of()
    page = context(views, "tag", "tags/syria/")
    for article_id in ("2020/a.md", "2020/b.md"):
        [link] = [t for t in views.article(article_id).tags if t.url.endswith("/syria/")]
        assert link == Link("Syria", page["page_url"]) == Link(page["group"].name, "/archive/tags/syria/")
    assert page["heading"] == "Tagged “Syria”"


def test_page_context_carries_page_url_canonical_and_kind():
    ctx = context(views_of(), "tag", "tags/sao-paulo/")
    assert (ctx["page_url"], ctx["canonical"], ctx["kind"]) == (
        "/archive/tags/sao-paulo/", "https://example.org/archive/tags/sao-paulo/", "tag")
    assert ctx["url"]("x/") == "/archive/x/" and ctx["abs_url"]("x/") == "https://example.org/archive/x/"


# --- ArticleView -------------------------------------------------------------------------------------------


def test_article_view_dates_keep_their_offset_and_day_only_articles_show_the_day():
    views = views_of()
    a, b, c = (views.article(i) for i in ("2020/a.md", "2020/b.md", "2019/c.md"))
    assert (a.date_iso, a.timestamp_iso) == ("2020-10-23T03:55:00+03:00", "2020-10-23T03:55:00+03:00")
    assert (a.date_display, a.day_display) == ("03:55 UTC+03:00 23 October 2020", "23 October 2020")
    assert (b.date_display, b.updated_iso, b.updated_display) == (
        "09:00 CET 2 November 2020", "2020-11-03T10:00:00+01:00", "3 November 2020")
    assert (c.date_iso, c.timestamp_iso, c.date_display) == (
        "2019-03-01", "2019-03-01T00:00:00+01:00", "1 March 2019")
    assert (a.updated, a.updated_iso, a.updated_display) == (None, "", "")


def test_reading_time_rounds_up_and_is_at_least_one_minute():
    words = {"2020/w.md": ("title: W\ndate: 2020-01-01", "one two three four five")}
    assert views_of(words, words_per_minute=2).article("2020/w.md").reading_time == 3
    assert views_of(words, words_per_minute=1000).article("2020/w.md").reading_time == 1
    assert views_of(words).article("2020/w.md").word_count == 5


def test_list_views_are_shared_and_carry_no_body():
    views = views_of()
    assert views.article("2020/a.md") is views.article("2020/a.md")
    assert views.article("2020/a.md").html == ""


def test_summary_links_resolve_to_article_urls_on_list_views():
    assert views_of().article("2020/b.md").summary_html == (
        '<p>Beta follows <a href="/archive/2020/10/a/">alpha</a>.</p>\n')


@pytest.mark.parametrize(("article_id", "image"), [
    ("2020/a.md", "https://example.org/archive/2020/img/map.png"),
    ("2019/c.md", "https://example.org/archive/img/c.jpg"),
    ("2019/d.md", "https://cdn.example.com/d.jpg"),
    ("2018/e.md", None),
])
def test_lead_image_is_an_absolute_url_under_the_base_path(article_id, image):
    assert views_of().article(article_id).image == image


def test_lead_image_without_a_host_is_a_path_under_the_base_path():
    assert views_of(base_url="/archive/").article("2020/a.md").image == "/archive/2020/img/map.png"


def test_lead_image_url_is_percent_encoded_like_every_other_url():
    views = views_of({"2020/p.md": ("title: P\ndate: 2020-01-01\nimage: img/São Paulo.jpg", "Text.")})
    assert views.article("2020/p.md").image == views.abs_url("2020/img/São Paulo.jpg") == (
        "https://example.org/archive/2020/img/S%C3%A3o%20Paulo.jpg")


# --- Pager -------------------------------------------------------------------------------------------------


HOME_LINKS = ((1, "/archive/"), (2, "/archive/page/2/"), (3, "/archive/page/3/"))


@pytest.mark.parametrize(("url", "pager", "shown"), [
    ("", Pager(1, 3, None, "/archive/page/2/", HOME_LINKS), ["2020/b.md", "2020/a.md"]),
    ("page/2/", Pager(2, 3, "/archive/", "/archive/page/3/", HOME_LINKS), ["2019/d.md", "2019/c.md"]),
    ("page/3/", Pager(3, 3, "/archive/page/2/", None, HOME_LINKS), ["2018/e.md"]),
])
def test_home_pager_on_first_middle_and_last_page(url, pager, shown):
    ctx = context(views_of(), "home", url)
    assert ctx["pager"] == pager
    assert ids(ctx["articles"]) == shown
    assert (ctx["count"], ctx["heading"], ctx["group"]) == (5, "Latest articles", None)


def test_pager_of_a_tag_list_pages_under_the_tag_url():
    views = views_of(per_page=1)
    assert context(views, "tag", "tags/syria/page/2/")["pager"] == Pager(
        2, 2, "/archive/tags/syria/", None, ((1, "/archive/tags/syria/"), (2, "/archive/tags/syria/page/2/")))


def numbered(count: int) -> dict[str, tuple[str, str]]:
    return {f"2020/s{n}.md": (f"title: S{n}\ndate: 2020-01-{n:02d} 10:00", "Text.")
            for n in range(1, count + 1)}


@pytest.mark.parametrize(("number", "shown"), [
    (1, [1, 2, 3, None, 9]),
    (5, [1, None, 3, 4, 5, 6, 7, None, 9]),
    (8, [1, None, 6, 7, 8, 9]),
    (9, [1, None, 7, 8, 9]),
])
def test_pager_links_show_two_pages_either_side_the_ends_and_gaps(number, shown):
    views = views_of(numbered(9), per_page=1)
    pager = context(views, "home", "" if number == 1 else f"page/{number}/")["pager"]
    assert [n for n, _ in pager.links] == shown
    assert all(url == (None if n is None else "/archive/" + ("" if n == 1 else f"page/{n}/"))
               for n, url in pager.links)


# --- article pages -----------------------------------------------------------------------------------------


def test_article_page_shows_the_body_with_article_links_resolved():
    article = context(views_of(), "article", "2020/10/a/")["article"]
    assert article.html == ('<p>See <a href="/archive/2020/11/b/#x">beta</a> and '
                            '<a href="/archive/404.html">gone</a>.</p>\n'
                            '<p><img src="/archive/2020/img/map.png" alt="map"></p>\n')
    assert article.title == "Alpha" and article.url == "/archive/2020/10/a/"


def test_article_body_comes_from_the_store_function():
    store = {"2020/a.md": f'<p><a href="{LINK_MARK}2019/c.md">c</a> '
                          f'<a href="{LINK_MARK}2019/zz.md#t">z</a></p>'}
    views = views_of(html=store)
    assert context(views, "article", "2020/10/a/")["article"].html == (
        '<p><a href="/archive/2019/03/c/">c</a> <a href="/archive/404.html#t">z</a></p>')
    assert views.body("2020/a.md") == views.body("2020/a.md")


def test_links_to_articles_are_resolved_without_a_base_path():
    article = context(views_of(base_url="/"), "article", "2020/10/a/")["article"]
    assert '<a href="/2020/11/b/#x">' in article.html and '<a href="/404.html">' in article.html


@pytest.mark.parametrize(("url", "newer", "older"), [
    ("2020/11/b/", None, "2020/a.md"),
    ("2020/10/a/", "2020/b.md", "2019/d.md"),
    ("2018/01/e/", "2019/c.md", None),
])
def test_article_page_neighbours_are_the_newer_and_older_articles(url, newer, older):
    ctx = context(views_of(), "article", url)
    assert (ctx["newer"] and ctx["newer"].id, ctx["older"] and ctx["older"].id) == (newer, older)
    assert ctx["newer"] is None or ctx["newer"].html == ""


def test_article_page_lists_its_related_articles_in_order():
    views = views_of()
    page = with_related(page_of(views, "article", "2020/10/a/"), ("2019/c.md", "2018/e.md"))
    ctx = views.context(page)
    assert ids(ctx["related"]) == ["2019/c.md", "2018/e.md"]
    assert ctx["related"][0].url == "/archive/2019/03/c/"
    assert context(views, "article", "2020/10/a/")["related"] == []


def test_json_ld_of_an_article_is_a_news_article_with_absolute_urls():
    data = context(views_of(), "article", "2020/10/a/")["structured_data"]
    assert data == {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": "Alpha",
        "url": "https://example.org/archive/2020/10/a/",
        "mainEntityOfPage": "https://example.org/archive/2020/10/a/",
        "datePublished": "2020-10-23T03:55:00+03:00", "dateModified": "2020-10-23T03:55:00+03:00",
        "author": [{"@type": "Person", "name": "Ana Petrova",
                    "url": "https://example.org/archive/authors/ana-petrova/"}],
        "keywords": ["Syria", "São Paulo"], "wordCount": 4, "inLanguage": "en",
        "publisher": {"@type": "Organization", "name": "Archive"},
        "description": "A short summary.", "image": "https://example.org/archive/2020/img/map.png",
    }


def test_json_ld_modified_date_is_the_update_and_optional_fields_are_left_out():
    views = views_of(language="fr", title="Le Journal")
    beta = context(views, "article", "2020/11/b/")["structured_data"]
    assert (beta["datePublished"], beta["dateModified"]) == (
        "2020-11-02T09:00:00+01:00", "2020-11-03T10:00:00+01:00")
    assert (beta["author"], beta["keywords"], beta["inLanguage"]) == ([], ["Syria"], "fr")
    assert beta["publisher"] == {"@type": "Organization", "name": "Le Journal"}
    assert "image" not in beta
    gamma = context(views, "article", "2019/03/c/")["structured_data"]
    assert gamma["datePublished"] == gamma["dateModified"] == "2019-03-01T00:00:00+01:00"


def test_alias_page_shows_its_article():
    ctx = context(views_of(), "alias")
    assert (ctx["page_url"], ctx["article"].id, ctx["article"].url) == (
        "/archive/old/alpha.html", "2020/a.md", "/archive/2020/10/a/")


def test_text_that_mentions_the_link_marker_is_left_alone():
    store = {"2020/a.md": f'<p>Hrefs start with <code>{LINK_MARK}</code>.</p>\n'
                          '<p><a href="https://x.org/">x</a></p>'}
    article = context(views_of(html=store), "article", "2020/10/a/")["article"]
    assert article.html == store["2020/a.md"]


# --- list pages --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "url", "heading", "group", "shown"), [
    ("tag", "tags/sao-paulo/", "Tagged “São Paulo”", "São Paulo", ["2020/a.md"]),
    ("tag", "tags/syria/", "Tagged “Syria”", "Syria", ["2020/b.md", "2020/a.md"]),
    ("author", "authors/ana-petrova/", "Articles by Ana Petrova", "Ana Petrova", ["2020/a.md"]),
    ("year", "2019/", "Articles from 2019", "2019", ["2019/d.md", "2019/c.md"]),
    ("month", "2020/11/", "Articles from November 2020", "November 2020", ["2020/b.md"]),
])
def test_group_list_context(kind, url, heading, group, shown):
    ctx = context(views_of(), kind, url)
    assert (ctx["heading"], ctx["group"].name, ctx["count"]) == (heading, group, len(shown))
    assert ids(ctx["articles"]) == shown
    assert ctx["pager"] == Pager(1, 1, None, None, ((1, "/archive/" + url),))
    assert ctx.get("feed_url") == (f"/archive/{url}feed.xml" if kind == "tag" else None)


def test_year_list_links_its_months_and_month_list_links_its_year():
    views = views_of()
    assert context(views, "year", "2019/")["months"] == [
        Link("July 2019", "/archive/2019/07/", 1), Link("March 2019", "/archive/2019/03/", 1)]
    assert context(views, "month", "2020/10/")["year_link"] == Link("2020", "/archive/2020/")


def test_tag_index_lists_every_tag_by_name_with_counts():
    assert context(views_of(), "tags")["tags"] == [
        Link("São Paulo", "/archive/tags/sao-paulo/", 1), Link("Syria", "/archive/tags/syria/", 2)]


def test_archive_lists_years_newest_first_with_their_months():
    assert context(views_of(), "archive")["years"] == [
        (Link("2020", "/archive/2020/", 2), [Link("November 2020", "/archive/2020/11/", 1),
                                             Link("October 2020", "/archive/2020/10/", 1)]),
        (Link("2019", "/archive/2019/", 2), [Link("July 2019", "/archive/2019/07/", 1),
                                             Link("March 2019", "/archive/2019/03/", 1)]),
        (Link("2018", "/archive/2018/", 1), [Link("January 2018", "/archive/2018/01/", 1)]),
    ]


def test_pages_without_a_builder_get_only_the_common_context():
    ctx = context(views_of(), "404")
    assert ctx["articles"] == [] and ctx["page_url"] == "/archive/404.html"
    assert not {"pager", "article", "heading"} & ctx.keys()


# --- feeds and sitemaps ------------------------------------------------------------------------------------


def test_site_feed_context():
    ctx = context(views_of(), "feed", "feed.xml")
    assert (ctx["feed_title"], ctx["alternate"], ctx["canonical"]) == (
        "Archive", "https://example.org/archive/", "https://example.org/archive/feed.xml")
    assert ids(ctx["articles"]) == NEWEST_FIRST
    assert ctx["updated"] == "2020-11-03T09:00:00Z"
    assert ctx["utc_iso"](ctx["articles"][1].date) == "2020-10-23T00:55:00Z"


def test_tag_feed_context_names_the_tag_and_links_its_list():
    ctx = context(views_of(), "feed", "tags/syria/feed.xml")
    assert ctx["feed_title"] == "Archive: Syria"
    assert ctx["alternate"] == "https://example.org/archive/tags/syria/"
    assert ids(ctx["articles"]) == ["2020/b.md", "2020/a.md"]


def test_feed_keeps_the_newest_entries_and_an_empty_feed_has_the_epoch_as_updated():
    shown = context(views_of(feed_entries=2), "feed", "feed.xml")["articles"]
    assert ids(shown) == ["2020/b.md", "2020/a.md"]
    assert context(views_of({}), "feed", "feed.xml")["updated"] == "1970-01-01T00:00:00Z"


def test_atom_ids_are_the_urls_when_the_base_url_has_a_host():
    ctx = context(views_of(), "feed", "feed.xml")
    assert ctx["atom_id"](ctx["canonical"]) == "https://example.org/archive/feed.xml"
    assert ctx["atom_id"](ctx["articles"][0].abs_url) == "https://example.org/archive/2020/11/b/"


def test_atom_ids_are_name_based_urns_without_a_host():
    ctx = context(views_of(base_url="/archive/"), "feed", "feed.xml")
    assert ctx["canonical"] == "/archive/feed.xml"
    feed_id = ctx["atom_id"](ctx["canonical"])
    assert feed_id == f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, '/archive/feed.xml')}"
    again = context(views_of(base_url="/archive/"), "feed", "feed.xml")["atom_id"]
    assert again("/archive/feed.xml") == feed_id
    assert ctx["atom_id"](ctx["articles"][0].abs_url) != feed_id


def test_sitemap_entries_are_absolute_with_article_dates_in_utc():
    entries = context(views_of(), "sitemap")["entries"]
    assert entries[:2] == [("https://example.org/archive/2020/11/b/", "2020-11-03T09:00:00Z"),
                           ("https://example.org/archive/2020/10/a/", "2020-10-23T00:55:00Z")]
    assert ("https://example.org/archive/tags/syria/", None) in entries


def test_sitemap_index_lists_its_parts_as_absolute_urls():
    index = Page("sitemap.xml", "sitemap.xml", "sitemap_index.xml", "sitemap-index",
                 (("parts", ("sitemap-1.xml", "sitemap-2.xml")),), frozenset())
    assert views_of().context(index)["parts"] == ["https://example.org/archive/sitemap-1.xml",
                                                  "https://example.org/archive/sitemap-2.xml"]
