"""sitegen.deps: a page's key changes exactly when something its bytes depend on changes."""
from __future__ import annotations

import os
from dataclasses import replace

import pytest

from sitegen.config import SiteConfig
from sitegen.deps import PageKeys, dirty_pages, engine_digest, input_digests
from sitegen.model import Article, Page, Site
from sitegen.reader import parse_article
from sitegen.routes import plan_pages
from tests import modelkit

CONFIG = SiteConfig(per_page=2)


def article(article_id: str, frontmatter: str, body: str = "First paragraph.\n\nSecond paragraph here.",
            config: SiteConfig = CONFIG) -> Article:
    result = parse_article(f"---\ntitle: {article_id}\n{frontmatter}\n---\n{body}\n".encode(), article_id, config)
    assert not isinstance(result, list), result
    return result.article


def retitled(article_id: str, frontmatter: str) -> Article:
    """The same article under another title."""
    text = f"---\ntitle: New title\n{frontmatter}\n---\nFirst paragraph.\n\nSecond paragraph here.\n"
    result = parse_article(text.encode(), article_id, CONFIG)
    assert not isinstance(result, list), result
    return result.article


def make_site(articles: list[Article], config: SiteConfig = CONFIG, assets: dict[str, str] | None = None) -> Site:
    return modelkit.make_site(articles, config, assets)


def keys_of(site: Site, templates: dict[str, str] | None = None) -> dict[str, str]:
    return PageKeys(site, templates or {})(plan_pages(site)[0])


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


A = "date: 2020-10-23 10:00\ntags: [x]"
B = "date: 2020-10-22 10:00\ntags: [x]"
C = "date: 2019-05-01 10:00\ntags: [y]"


@pytest.fixture
def base() -> dict[str, str]:
    return keys_of(make_site([article("a.md", A), article("b.md", B), article("c.md", C)]))


def test_keys_are_deterministic(base):
    assert keys_of(make_site([article("a.md", A), article("b.md", B), article("c.md", C)])) == base
    assert keys_of(make_site([article("c.md", C), article("b.md", B), article("a.md", A)])) == base


def test_body_only_change_rebuilds_only_that_article(base):
    after = keys_of(make_site([article("a.md", A), article("b.md", B, body="First paragraph.\n\nSecond paragraph there."),
                               article("c.md", C)]))
    assert changed(base, after) == {"2020/10/b/index.html"}


def test_title_change_rebuilds_every_page_showing_it(base):
    after = keys_of(make_site([article("a.md", A), retitled("b.md", B), article("c.md", C)]))
    short = {p for p in changed(base, after) if p.startswith("s/")}  # its short link's page shows the title
    assert len(short) == 1
    assert changed(base, after) - short == {
        "2020/10/b/index.html", "2020/10/a/index.html",  # itself and its newer neighbour
        "2019/05/c/index.html",                          # its older neighbour
        "index.html", "feed.xml", "tags/x/index.html", "tags/x/feed.xml", "2020/index.html",
        "2020/10/index.html", "sitemap.xml",
    }


def test_unrelated_pages_keep_their_keys(base):
    after = keys_of(make_site([article("a.md", A), retitled("b.md", B), article("c.md", C)]))
    for path in ("tags/index.html", "tags/y/index.html", "tags/y/feed.xml", "archive/index.html", "2019/index.html",
                 "2019/05/index.html", "404.html", "robots.txt"):
        assert base[path] == after[path], path


def test_param_change_changes_the_key(base):
    site = make_site([article("a.md", A), article("b.md", B), article("c.md", C)])
    pages = plan_pages(site)[0]
    home = next(p for p in pages if p.path == "index.html")
    moved = replace(home, params=tuple((k, 99 if k == "count" else v) for k, v in home.params))
    assert PageKeys(site, {})([moved])["index.html"] != base["index.html"]
    assert PageKeys(site, {})([home])["index.html"] == base["index.html"]


def test_a_related_list_keys_its_ids_and_their_metadata():
    articles = [article("a.md", A), article("b.md", B), article("c.md", C)]
    site = make_site(articles)
    page = next(p for p in plan_pages(site)[0] if p.kind == "article" and p.param("id") == "a.md")
    draft = PageKeys(site, {})([page])[page.path]

    def related_key(site: Site, related: tuple[str, ...]) -> str:
        return PageKeys(site, {}).with_related(page, draft, related)

    listed = related_key(site, ("c.md",))
    assert related_key(site, ("c.md",)) == listed
    assert len({listed, related_key(site, ()), related_key(site, ("b.md",)), related_key(site, ("b.md", "c.md")),
                related_key(site, ("c.md", "b.md"))}) == 5
    assert related_key(make_site([*articles[:2], retitled("c.md", C)]), ("c.md",)) != listed
    assert related_key(make_site([articles[0], retitled("b.md", B), articles[2]]), ("c.md",)) == listed


def test_new_article_changes_list_params(base):
    after = keys_of(make_site([article("a.md", A), article("b.md", B), article("c.md", C),
                               article("d.md", "date: 2018-01-01 10:00\ntags: [y]")]))
    assert {"tags/y/index.html", "tags/index.html", "archive/index.html", "2019/05/c/index.html",
            "index.html", "page/2/index.html", "sitemap.xml"} <= changed(base, after)
    assert "2020/10/a/index.html" not in changed(base, after)


def test_template_digest_changes_only_its_pages(base):
    after = keys_of(make_site([article("a.md", A), article("b.md", B), article("c.md", C)]), {"tag.html": "v2"})
    assert changed(base, after) == {"tags/x/index.html", "tags/y/index.html"}


def test_config_change_changes_every_key(base):
    config = replace(CONFIG, title="Another title")
    after = keys_of(make_site([article("a.md", A, config=config), article("b.md", B, config=config),
                               article("c.md", C, config=config)], config))
    assert changed(base, after) == set(base)


def test_file_input_digest_follows_mtime_and_size(tmp_path):
    source = tmp_path / "site.css"
    source.write_text("body{}")
    site = make_site([], assets={"css/site.css": str(source)})
    before = keys_of(site)["css/site.css"]
    assert keys_of(site)["css/site.css"] == before
    os.utime(source, ns=(10**18, 10**18))
    after = keys_of(site)["css/site.css"]
    assert after != before
    source.unlink()
    assert keys_of(site)["css/site.css"] != after


def test_input_digests():
    a = article("a.md", A)
    digest = input_digests(make_site([a]))
    assert digest(("meta", "a.md")) == f"{a.meta_hash}\0x\0"
    assert digest(("body", "a.md")) == a.source_hash
    assert digest(("meta", "gone.md")) == ""
    assert digest(("file", "/no/such/file")) == ""
    with pytest.raises(ValueError, match="unknown page input"):
        digest(("nonsense", "x"))


def test_engine_digest_is_stable():
    assert engine_digest() == engine_digest()
    assert len(engine_digest()) == 16


def test_list_page_key_follows_the_group_display_name():
    config = replace(CONFIG, per_page=1)
    a = article("a.md", "date: 2020-10-23 10:00\ntags: [Syria]", config=config)
    b = article("b.md", "date: 2020-10-22 10:00\ntags: [syria]", config=config)
    before_site = make_site([a, b, article("c.md", "date: 2020-10-21 10:00\ntags: [Syria]", config=config)], config)
    after_site = make_site([a, b, article("c.md", "date: 2020-10-21 10:00\ntags: [syria]", config=config)], config)
    assert before_site.tags["syria"].name == "Syria" and after_site.tags["syria"].name == "syria"
    before, after = keys_of(before_site), keys_of(after_site)
    assert before["tags/syria/page/2/index.html"] != after["tags/syria/page/2/index.html"]


def test_article_page_key_follows_the_names_its_tags_are_shown_with():
    """b's tag link shows the group's name, which c's spelling decides: b's page changes though b did not."""
    a = article("a.md", "date: 2020-10-23 10:00\ntags: [Syria]")
    b = article("b.md", "date: 2020-10-22 10:00\ntags: [syria]")
    before = keys_of(make_site([a, b, article("c.md", "date: 2020-10-21 10:00\ntags: [Syria]")]))
    after = keys_of(make_site([a, b, article("c.md", "date: 2020-10-21 10:00\ntags: [syria]")]))
    assert before["2020/10/b/index.html"] != after["2020/10/b/index.html"]
    assert before["2020/10/a/index.html"] != after["2020/10/a/index.html"]


def test_year_page_key_follows_its_month_list():
    config = replace(CONFIG, per_page=1)
    b = article("b.md", "date: 2020-09-01 10:00", config=config)
    before = keys_of(make_site([article("a.md", "date: 2020-10-23 10:00", config=config), b], config))
    after = keys_of(make_site([article("a.md", "date: 2020-11-23 10:00", config=config), b], config))
    assert before["2020/page/2/index.html"] != after["2020/page/2/index.html"]


# --- dirty_pages ------------------------------------------------------------------------------------------


def _pages(*paths: str) -> list[Page]:
    return [Page(path=p, url=p, template="t.html", kind="x", params=(), inputs=frozenset()) for p in paths]


def test_dirty_pages():
    pages = _pages("same.html", "changed.html", "new.html", "missing.html")
    keys = {"same.html": "k1", "changed.html": "k2", "new.html": "k3", "missing.html": "k4"}
    previous = {"same.html": "k1", "changed.html": "old", "missing.html": "k4", "removed.html": "k5"}
    on_disk = {"same.html", "changed.html"}
    assert [p.path for p in dirty_pages(pages, keys, previous, on_disk.__contains__)] == [
        "changed.html", "new.html", "missing.html"]


def test_dirty_pages_without_previous_build_is_everything():
    pages = _pages("a.html", "b.html")
    assert dirty_pages(pages, {"a.html": "1", "b.html": "2"}, {}, lambda _: True) == pages


def test_nothing_dirty_when_nothing_changed():
    pages = _pages("a.html", "b.html")
    keys = {"a.html": "1", "b.html": "2"}
    assert dirty_pages(pages, keys, dict(keys), lambda _: True) == []


def test_a_length_change_counts_only_for_pages_whose_template_shows_length():
    longer = "First paragraph.\n\nSecond paragraph here, now with several more words."
    sites = [make_site([article("a.md", A, body), article("b.md", B), article("c.md", C)])
             for body in ("First paragraph.\n\nSecond paragraph here.", longer)]
    pages = plan_pages(sites[0])[0]
    plain = [PageKeys(site, {})(pages) for site in sites]
    assert changed(*plain) == {"2020/10/a/index.html"}  # meta digests leave the length out
    showing = [PageKeys(site, {}, frozenset({"tag.html"}))(pages) for site in sites]
    assert changed(*showing) == {"2020/10/a/index.html", "tags/x/index.html"}
