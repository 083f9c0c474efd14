"""Site-level tests: build a fixture archive into tmp_path and check the produced files."""
from __future__ import annotations

import pytest

from sitegen.cli import main
from sitegen.errors import BuildFailed
from tests.sitekit import ATOM, SITEMAP, atom, broken_links, build_site, page, snapshot, texts, write_site

ARTICLE = "2020/10/kerry-urges/index.html"


@pytest.fixture
def site(tmp_path):
    root = write_site(tmp_path / "site", config='title = "Wire"\nbase_url = "https://example.org/"\n')
    build_site(root)
    return root / "output"


def test_article_page_carries_headline_timestamp_byline_tags_and_related(site):
    doc = page(site, ARTICLE)
    assert doc.h1 == "Kerry urges Moscow to rein in Damascus"
    assert ("2020-10-23T03:55:00+00:00", "03:55 GMT 23 October 2020") in doc.times
    hrefs = [h for _, h in doc.links]
    assert "/tags/syria/" in hrefs and "/tags/united-states/" in hrefs and "/authors/ana-petrova/" in hrefs
    assert doc.related[0] == "Aleppo humanitarian corridor opens"
    assert doc.meta["og:type"] == "article"
    (data,) = doc.jsonld
    assert data["@type"] == "NewsArticle" and data["headline"] == doc.h1
    assert data["datePublished"] == "2020-10-23T03:55:00+00:00"


def test_article_page_links_older_and_newer_and_shows_reading_time_and_related(site):
    doc = page(site, ARTICLE)
    anchors = {a.get("rel"): (a["href"], text) for tag, a, text in doc.elements if tag == "a" and a.get("rel")}
    assert anchors["prev"] == ("/2019/07/late-night/", "Late-night vote on São Paulo twinning")
    assert anchors["next"] == ("/2020/11/aleppo-corridor/", "Aleppo humanitarian corridor opens")
    assert texts(doc, "span", class_="reading-time") == ["1 min read"]
    assert texts(doc, "span", class_="byline") == ["By Ana Petrova"]
    (heading,) = texts(doc, "h2", id="related-heading")
    assert "Related" in heading
    related = [(a["href"], text) for tag, a, text in doc.elements if tag == "a" and text in doc.related]
    assert ("/2020/11/aleppo-corridor/", "Aleppo humanitarian corridor opens") in related
    assert page(site, "2020/11/aleppo-corridor/index.html").meta.get("og:image") is None


def test_article_dated_by_day_has_an_offset_in_its_metadata(tmp_path):
    root = write_site(tmp_path / "s", {"d.md": "---\ntitle: D\ndate: 2020-01-02\n---\nBody.\n"},
                      config='timezone = "Europe/Berlin"\n')
    build_site(root)
    doc = page(root / "output", "2020/01/d/index.html")
    assert ("2020-01-02", "2 January 2020") in doc.times
    assert doc.jsonld[0]["datePublished"] == doc.meta["article:published_time"] == "2020-01-02T00:00:00+01:00"


def test_lead_image_and_files_beside_an_article_work_under_a_subpath(tmp_path):
    root = write_site(tmp_path / "s", {"2020/lead.md": "---\ntitle: Lead\ndate: 2020-03-04\nimage: img/lead.jpg\n---\n"
                                                     "![the quay](img/lead.jpg) [map](/maps/quay.pdf)\n"},
                      config='base_url = "https://example.org/archive/"\n')
    (root / "content/2020/img").mkdir()
    (root / "content/2020/img/lead.jpg").write_bytes(b"jpg")
    (root / "content/maps").mkdir()
    (root / "content/maps/quay.pdf").write_bytes(b"pdf")
    build_site(root)
    out = root / "output"
    doc = page(out, "2020/03/lead/index.html")
    assert doc.meta["og:image"] == doc.jsonld[0]["image"] == "https://example.org/archive/2020/img/lead.jpg"
    assert ("img", "/archive/2020/img/lead.jpg") in doc.links and ("a", "/archive/maps/quay.pdf") in doc.links
    assert broken_links(out, "https://example.org/archive/") == []


def test_mixed_offsets_file_each_story_in_its_own_month_and_order_by_instant(tmp_path):
    root = write_site(tmp_path / "s", {
        "a.md": "---\ntitle: A\ndate: 2016-07-31T23:30:00+03:00\n---\nA.\n",  # 20:30 UTC, July
        "b.md": "---\ntitle: B\ndate: 2016-08-01T00:30:00+05:00\n---\nB.\n",  # 19:30 UTC on 31 July, August
    })
    build_site(root)
    out = root / "output"
    assert (out / "2016/07/a/index.html").is_file() and (out / "2016/08/b/index.html").is_file()
    assert [h for tag, a, h in page(out, "2016/07/index.html").elements if tag == "h2"] == ["A"]
    assert [h for tag, a, h in page(out, "2016/08/index.html").elements if tag == "h2"] == ["B"]
    assert [h for tag, a, h in page(out, "index.html").elements if tag == "h2"] == ["A", "B"]
    assert ("2016-07-31T23:30:00+03:00", "23:30 UTC+03:00 31 July 2016") in page(out, "2016/07/a/index.html").times


def test_a_base_url_without_host_gives_feed_ids_as_urns_and_a_notice(tmp_path):
    result = build_site(write_site(tmp_path / "s", config='base_url = "/news/"\n'))
    feed = atom(tmp_path / "s/output", "feed.xml")
    ids = [feed.findtext(f"{ATOM}id"), *(e.findtext(f"{ATOM}id") for e in feed.findall(f"{ATOM}entry"))]
    assert all(i.startswith("urn:uuid:") for i in ids) and len(set(ids)) == len(ids) == 5
    assert feed.find(f"{ATOM}entry/{ATOM}link").get("href") == "/news/2020/11/aleppo-corridor/"
    assert any("base_url '/news/' has no host" in n for n in result.notices)


def test_every_page_has_title_description_and_canonical(site):
    for html in site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        if "http-equiv" in text:
            continue
        doc = page(site, html.relative_to(site).as_posix())
        assert doc.meta.get("description"), html
        assert any(tag == "link" for tag, _ in doc.links)
        assert "<title>" in text and 'rel="canonical" href="https://example.org/' in text, html


def test_tags_merge_case_and_get_safe_urls(site):
    assert (site / "tags/syria/index.html").is_file()
    assert page(site, "tags/syria/index.html").h1 == "Tagged “Syria”"
    for slug in ("sao-paulo", "c-plus-plus", "at-and-t"):
        assert (site / f"tags/{slug}/index.html").is_file()
    index = page(site, "tags/index.html")
    assert ("a", "/tags/syria/") in index.links


def test_archives_file_a_story_under_its_own_offset(site):
    # 2019-07-31T23:30+03:00 is 20:30 UTC on the 31st: July, whatever the site zone.
    assert "Late-night vote on São Paulo twinning" in (site / "2019/07/index.html").read_text(encoding="utf-8")
    assert (site / "2019/07/late-night/index.html").is_file()
    archive = page(site, "archive/index.html")
    assert ("a", "/2019/07/") in archive.links and ("a", "/2019/") in archive.links


def test_drafts_and_future_articles_are_left_out_unless_asked(tmp_path, site):
    assert not list(site.rglob("*unfinished*")) and not (site / "2099").exists()
    root = write_site(tmp_path / "all")
    build_site(root, drafts=True, future=True)
    assert (root / "output/2021/01/draft/index.html").is_file()
    assert (root / "output/2099/01/future/index.html").is_file()


def test_alias_redirects_to_the_article(site):
    doc = page(site, "old/twinning.html")
    assert doc.meta["refresh"] == "0; url=/2019/07/late-night/"


def test_feeds_are_atom_with_absolute_ids(site):
    feed = atom(site, "feed.xml")
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert next(e.findtext(f"{ATOM}title") for e in entries) == "Aleppo humanitarian corridor opens"
    assert all(e.findtext(f"{ATOM}id").startswith("https://example.org/") for e in entries)
    tag_feed = atom(site, "tags/syria/feed.xml")
    assert len(tag_feed.findall(f"{ATOM}entry")) == 2


def test_sitemap_lists_only_existing_pages(site):
    urls = [u.findtext(f"{SITEMAP}loc") for u in atom(site, "sitemap.xml").findall(f"{SITEMAP}url")]
    assert "https://example.org/2020/10/kerry-urges/" in urls
    for url in urls:
        rel = url.removeprefix("https://example.org/")
        assert (site / rel / "index.html").is_file() or (site / rel).is_file(), url
    assert "Sitemap: https://example.org/sitemap.xml" in (site / "robots.txt").read_text()


def test_no_broken_internal_links(site):
    assert broken_links(site, "https://example.org/") == []


def test_subpath_base_url_prefixes_every_link(tmp_path):
    root = write_site(tmp_path / "s", config='base_url = "https://example.org/archive/"\nper_page = 1\n')
    build_site(root)
    out = root / "output"
    assert broken_links(out, "https://example.org/archive/") == []
    assert ("a", "/archive/page/2/") in page(out, "index.html").links
    assert atom(out, "feed.xml").findtext(f"{ATOM}id") == "https://example.org/archive/feed.xml"


def test_pagination_links_every_page(tmp_path):
    root = write_site(tmp_path / "s", config="per_page = 1\n")
    build_site(root)
    out = root / "output"
    assert (out / "page/4/index.html").is_file() and not (out / "page/5").exists()
    second = page(out, "page/2/index.html")
    assert ("a", "/") in second.links and ("a", "/page/3/") in second.links


def test_same_input_gives_byte_identical_output(tmp_path):
    a = write_site(tmp_path / "a")
    b = write_site(tmp_path / "b")
    build_site(a)
    build_site(b)
    assert snapshot(a / "output") == snapshot(b / "output")


def test_bad_files_are_all_reported_and_output_untouched(tmp_path):
    root = write_site(tmp_path / "s")
    build_site(root)
    before = snapshot(root / "output")
    write_site(root, {"bad1.md": "---\ntitle: [unclosed\n---\nx\n", "bad2.md": "---\ntitle: ok\ndate: soon\n---\n"})
    with pytest.raises(BuildFailed) as failed:
        build_site(root)
    messages = [str(e) for e in failed.value.errors]
    assert any(m.startswith("content/bad1.md:2: invalid YAML frontmatter") for m in messages), messages
    assert any(m.startswith("content/bad2.md:3: 'date': cannot read the date 'soon'") for m in messages), messages
    assert snapshot(root / "output") == before


def test_skip_invalid_builds_the_rest(tmp_path, capsys):
    root = write_site(tmp_path / "s")
    write_site(root, {"bad.md": "no frontmatter at all\n"})
    assert main(["build", "--source", str(root)]) == 1
    assert "content/bad.md:1: no title" in capsys.readouterr().err
    assert main(["build", "--source", str(root), "--skip-invalid"]) == 0
    captured = capsys.readouterr()
    assert "content/bad.md:1: warning: no title" in captured.err
    assert (root / "output" / ARTICLE).is_file()


def test_two_articles_on_one_url_name_both_files(tmp_path):
    root = write_site(tmp_path / "s", {
        "a/2020-10-01-same.md": "---\ntitle: A\ndate: 2020-10-01\n---\nx\n",
        "b/2020-10-02-same.md": "---\ntitle: B\ndate: 2020-10-02\n---\ny\n",
    })
    with pytest.raises(BuildFailed) as failed:
        build_site(root)
    (error,) = failed.value.errors
    assert "content/a/2020-10-01-same.md" in str(error) and "content/b/2020-10-02-same.md" in str(error)


def test_deleted_article_disappears(tmp_path):
    root = write_site(tmp_path / "s")
    build_site(root)
    (root / "content/2019/2019-07-31-late-night.md").unlink()
    build_site(root)
    out = root / "output"
    assert not (out / "2019/07/late-night").exists() and not (out / "old/twinning.html").exists()
    assert not (out / "tags/sao-paulo").exists()


def test_site_templates_override_the_theme_file_by_file(tmp_path):
    root = write_site(tmp_path / "s")
    (root / "templates").mkdir()
    (root / "templates/404.html").write_text('{% extends "base.html" %}{% block main %}<h1>Lost</h1>{% endblock %}')
    build_site(root)
    assert page(root / "output", "404.html").h1 == "Lost"
    assert page(root / "output", ARTICLE).h1 == "Kerry urges Moscow to rein in Damascus"


def test_hostile_title_cannot_inject_script(tmp_path):
    root = write_site(tmp_path / "s", {"x.md": '---\ntitle: "</script><script>alert(1)</script>"\n'
                                               'date: 2020-01-01\ntags: ["<b>x</b>"]\n---\nBody.\n'})
    build_site(root)
    text = (root / "output/2020/01/x/index.html").read_text()
    assert "<script>alert(1)" not in text
    assert page(root / "output", "2020/01/x/index.html").jsonld[0]["headline"] == "</script><script>alert(1)</script>"


def test_relative_md_links_resolve_to_article_urls(tmp_path):
    root = write_site(tmp_path / "s", {
        "a.md": "---\ntitle: A\ndate: 2020-01-01\n---\nSee [B](sub/b.md#part).\n",
        "sub/b.md": "---\ntitle: B\ndate: 2020-02-01\n---\nBody.\n",
    })
    build_site(root)
    assert ("a", "/2020/02/b/#part") in page(root / "output", "2020/01/a/index.html").links


def test_static_files_and_article_images_are_copied(tmp_path):
    root = write_site(tmp_path / "s")
    (root / "static").mkdir()
    (root / "static/favicon.ico").write_bytes(b"icon")
    (root / "content/2020/map.png").write_bytes(b"png")
    build_site(root)
    assert (root / "output/favicon.ico").read_bytes() == b"icon"
    assert (root / "output/2020/map.png").read_bytes() == b"png"
    assert (root / "output/css/site.css").is_file()


def test_every_article_has_one_news_article_json_ld(site):
    for html in site.glob("20*/*/*/index.html"):
        assert [block["@type"] for block in page(site, html.relative_to(site).as_posix()).jsonld] == ["NewsArticle"]


def test_a_subpath_base_url_gives_a_notice_about_robots_txt(tmp_path):
    result = build_site(write_site(tmp_path / "s", config='base_url = "https://example.org/news/"\n'))
    assert any("robots.txt" in n and "/news/robots.txt" in n for n in result.notices), result.notices
    result = build_site(write_site(tmp_path / "t", config='base_url = "https://example.org/"\n'))
    assert not any("robots.txt" in n for n in result.notices)
