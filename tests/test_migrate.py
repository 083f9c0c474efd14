"""Archives written for Jekyll, Hugo and Pelican: key mapping, Pelican headers, leftover template syntax,
and whole fixture archives built as they are."""
from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.errors import BuildFailed
from sitegen.migrate import Leftover, convert_body, normalise, pelican_header, split_excerpt
from sitegen.reader import KNOWN_KEYS
from tests.sitekit import build_site, page, write_site


def norm(meta: dict, article_id: str = "2020/x.md") -> dict:
    return normalise(meta, {k: n for n, k in enumerate(meta, start=2)}, article_id, KNOWN_KEYS)[0]


# --- frontmatter mapping -------------------------------------------------------------------------------------


def test_categories_join_tags_and_jekyll_strings_split_on_spaces():
    assert norm({"tags": "a b", "categories": "c d"}, "_posts/2020-01-01-x.md")["tags"] == ["a", "b", "c", "d"]


def test_space_separated_tags_stay_one_tag_outside_jekyll_folders():
    assert norm({"tags": "Climate change"})["tags"] == "Climate change"
    assert norm({"tags": "a, b", "category": "World News"})["tags"] == ["a", " b", "World News"]


def test_hugo_keys_map_case_insensitively_and_sitegen_keys_win():
    meta = norm({"Title": "T", "lastmod": "2021-01-02", "publishDate": "2021-01-01", "expiryDate": "2030-01-01",
                 "url": "/x/", "description": "d"})
    assert (meta["title"], meta["updated"], meta["date"], meta["expires"], meta["permalink"], meta["summary"]) == (
        "T", "2021-01-02", "2021-01-01", "2030-01-01", "/x/", "d")
    assert norm({"updated": "b", "lastmod": "a", "summary": "s", "excerpt": "e"})["updated"] == "b"
    assert "permalink" not in norm({"url": "https://example.org/elsewhere"})


@pytest.mark.parametrize("meta, article_id", [({"published": False}, "x.md"), ({"status": "draft"}, "x.md"),
                                              ({}, "_drafts/x.md")])
def test_drafts(meta, article_id):
    assert norm(meta, article_id)["draft"] is True


def test_redirect_from_and_author_mappings():
    meta = norm({"redirect_from": ["/old/"], "author": {"name": "Ana", "email": "a@example.org"}})
    assert (meta["aliases"], meta["author"]) == (["/old/"], "Ana")


def test_image_from_a_mapping_or_a_list():
    assert norm({"image": {"feature": "a.jpg"}})["image"] == "a.jpg"
    assert norm({"images": ["b.jpg", "c.jpg"]})["image"] == "b.jpg"


# --- Pelican headers ----------------------------------------------------------------------------------------


def test_pelican_header():
    header = pelican_header("Title: Hi\nDate: 2020-01-01\nAuthors: A, B\n  C\n\nBody\n")
    assert header.meta == {"title": "Hi", "date": "2020-01-01", "authors": ["A", "B C"]}
    assert (header.body, header.body_line, header.key_lines["date"]) == ("Body\n", 6, 2)


@pytest.mark.parametrize("text", ["Just text.\n", "Note: no title here\n\nBody", "http://example.org\n\nBody",
                                  "Title: x\nnot a key\n\nBody"])
def test_not_a_pelican_header(text):
    assert pelican_header(text) is None


# --- bodies -------------------------------------------------------------------------------------------------


def test_liquid_and_shortcodes_reported_with_lines_and_made_inert():
    body, leftovers = convert_body("a {{ page.title }}\n`{{ code }}`\n```\n{% include x %}\n```\n{{<gist a>b>}}",
                                   "2020/x.md")
    assert leftovers == [Leftover(1, "{{ page.title }}")]  # the gist call is a shortcode now
    assert body.split("\n")[5] == "{{<gist a>b>}}"


def test_highlight_blocks_become_fences_and_raw_is_kept_quietly():
    body, leftovers = convert_body("{% highlight python %}\nx = {{ 1 }}\n{% endhighlight %}\n"
                                   "{% raw %}{{ kept }}{% endraw %} [a]({{ site.baseurl }}/b.png)", "x.md")
    assert body == "```python\nx = {{ 1 }}\n```\n{{ kept }} [a](/b.png)"
    assert leftovers == []


def test_links_by_liquid_tag_or_hugo_ref_become_links_to_article_files():
    body, leftovers = convert_body("[a]({% post_url 2010-07-21-name %}) [b]({% link _posts/2011-01-01-b.md %}) "
                                   "[c]({{< ref \"post/c.md#part\" >}}) [d]({{< relref \"d.md\" >}})",
                                   "blog/_posts/2012/2012-01-01-x.md")
    assert body == "[a](/blog/_posts/2010-07-21-name.md) [b](/_posts/2011-01-01-b.md) [c](/post/c.md#part) [d](d.md)"
    assert leftovers == []


def test_excerpt_separator():
    assert split_excerpt("one\n<!--cut-->\ntwo <!--cut-->", "<!--cut-->") == "one\n\n\n<!--more-->\n\n\ntwo <!--cut-->"
    assert split_excerpt("one two", "") == "one two"


# --- whole archives -----------------------------------------------------------------------------------------

JEKYLL = {
    "_posts/2015-03-02-welcome-to-jekyll.markdown": """\
        ---
        layout: post
        title:  "Welcome to Jekyll!"
        date:   2015-03-02 10:00:00 +0100
        categories: jekyll update
        tags: harbour ferries
        ---
        First paragraph.

        {% highlight ruby %}
        puts "Hi"
        {% endhighlight %}

        {% include note.html %}
        """,
    "_posts/2016-01-01-perma.md": """\
        ---
        title: Permalinked
        permalink: /blog/:year/:title.html
        excerpt_separator: <!--cut-->
        ---
        Excerpt part, see [welcome](2015-03-02-welcome-to-jekyll.markdown).
        <!--cut-->
        Rest.
        """,
    "_drafts/unfinished.md": "---\ntitle: Draft post\n---\nText.\n",
}


def test_jekyll_archive(tmp_path: Path):
    result = build_site(write_site(tmp_path, JEKYLL))
    out = tmp_path / "output"
    welcome = page(out, "2015/03/welcome-to-jekyll/index.html")
    assert welcome.h1 == "Welcome to Jekyll!"
    assert [h for t, h in welcome.links if "/tags/" in h and t == "a"][-4:] == [
        "/tags/harbour/", "/tags/ferries/", "/tags/jekyll/", "/tags/update/"]
    assert "code" in (out / "2015/03/welcome-to-jekyll/index.html").read_text()
    perma = page(out, "blog/2016/perma.html")
    assert ("a", "/2015/03/welcome-to-jekyll/") in perma.links
    assert not (out / "2016/01/perma").exists()
    assert not any("unfinished" in str(p) for p in out.rglob("*"))
    assert [(w.path, w.line) for w in result.warnings] == [("content/_posts/2015-03-02-welcome-to-jekyll.markdown", 14)]
    home = (out / "index.html").read_text()
    assert "Excerpt part" in home and "Rest." not in home


def test_jekyll_post_without_title_is_named_from_its_file(tmp_path: Path):
    build_site(write_site(tmp_path, {"_posts/2020-01-02-hello-big_world.md": "---\nlayout: post\n---\nHi.\n"}))
    assert page(tmp_path / "output", "2020/01/hello-big_world/index.html").h1 == "Hello Big World"


def test_a_jekyll_site_without_content_folder_is_explained(tmp_path: Path):
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts/2020-01-01-x.md").write_text("---\ntitle: X\n---\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build_site(tmp_path)
    assert failed.value.errors[0].message.startswith("this looks like a Jekyll site: sitegen reads articles from "
                                                     "content/; move _posts/")
    assert not (tmp_path / "output").exists()


def test_jekyll_drafts_without_a_date_build_with_drafts(tmp_path: Path):
    build_site(write_site(tmp_path, JEKYLL), drafts=True)
    assert page(tmp_path / "output", next((tmp_path / "output").rglob("unfinished/index.html")).relative_to(
        tmp_path / "output").as_posix()).h1 == "Draft post"


@pytest.mark.parametrize("permalink", ["/../../etc/x.html", "/a/%2e%2e\\b/", "/a/\u0000/"])
def test_unsafe_permalink_is_refused(tmp_path: Path, permalink):
    write_site(tmp_path, {"2020-01-01-x.md": f"---\ntitle: X\npermalink: {permalink!r}\n---\nText.\n"})
    with pytest.raises(BuildFailed) as failed:
        build_site(tmp_path)
    assert [(e.line, e.message.split(" ")[0]) for e in failed.value.errors] == [(3, "permalink")]


def test_unknown_permalink_placeholder_is_refused(tmp_path: Path):
    write_site(tmp_path, {"2020-01-01-x.md": "---\ntitle: X\npermalink: /:categories/:title/\n---\nText.\n"})
    with pytest.raises(BuildFailed) as failed:
        build_site(tmp_path)
    assert "':categories'" in failed.value.errors[0].message


HUGO = {
    "post/_index.md": "---\ntitle: Posts\n---\n",
    "post/harbour-bundle/index.md": """\
        +++
        Title = "Harbour bundle"
        date = 2021-05-01T10:00:00+02:00
        lastmod = 2021-06-01
        tags = ["harbour"]
        categories = ["news"]
        aliases = ["/old/harbour/"]
        +++
        See ![map](map.png) and {{< youtube abc >}}.
        """,
    "post/expired.md": "---\ntitle: Gone\ndate: 2020-01-01\nexpiryDate: 2020-02-01\n---\nOld.\n",
    "post/later.md": "---\ntitle: Later\npublishDate: 2020-03-01\ndraft: false\n---\nText.\n",
}


def test_hugo_archive(tmp_path: Path):
    write_site(tmp_path, HUGO)
    (tmp_path / "content/post/harbour-bundle/map.png").write_bytes(b"PNG")
    result = build_site(tmp_path)
    out = tmp_path / "output"
    bundle = page(out, "2021/05/harbour-bundle/index.html")
    assert ("img", "/post/harbour-bundle/map.png") in bundle.links
    assert (out / "post/harbour-bundle/map.png").read_bytes() == b"PNG"
    assert {"/tags/harbour/", "/tags/news/"} <= {h for _, h in bundle.links}
    assert ("2021-06-01T00:00:00+00:00", ) == tuple(d for d, _ in bundle.times if d.startswith("2021-06"))
    assert (out / "old/harbour/index.html").is_file()
    assert (out / "2020/03/later/index.html").is_file()
    assert not (out / "2020/01/expired").exists()
    assert [(w.path, w.line) for w in result.warnings] == [("content/post/_index.md", None),
                                                           ("content/post/harbour-bundle/map.png", None)]  # 3 bytes
    assert 'src="https://www.youtube-nocookie.com/embed/abc"' in (out / "2021/05/harbour-bundle/index.html").read_text()


def test_pelican_archive(tmp_path: Path):
    write_site(tmp_path, {"pel/pelican-post.md": """\
        Title: My super title
        Date: 2010-12-03 10:20
        Modified: 2010-12-05 19:30
        Category: Python
        Tags: pelican, publishing
        Slug: my-super-post
        Authors: Alexis Metaireau, Conan Doyle
        Summary: Short version for index and feeds

        This is the content of my super blog post.
        """})
    build_site(tmp_path)
    out = tmp_path / "output"
    post = page(out, "2010/12/my-super-post/index.html")
    assert post.h1 == "My super title"
    assert post.meta["description"] == "Short version for index and feeds"
    assert {"/tags/python/", "/tags/pelican/", "/tags/publishing/", "/authors/alexis-metaireau/",
            "/authors/conan-doyle/"} <= {h for _, h in post.links}


def test_permalink_must_be_text(tmp_path: Path):
    write_site(tmp_path, {"2020-01-01-x.md": "---\ntitle: X\npermalink: [a, b]\n---\nText.\n"})
    with pytest.raises(BuildFailed) as failed:
        build_site(tmp_path)
    assert [str(e) for e in failed.value.errors] == [
        "content/2020-01-01-x.md:3: 'permalink' must be a path such as /blog/story/"]


def test_a_long_line_of_unclosed_braces_still_finds_the_tag():
    _, leftovers = convert_body("{{" * 200_000 + " {{ x }}", "x.md")
    assert leftovers == [Leftover(1, "{{ x }}")]


def test_raw_markers_inside_highlight_blocks_go():
    body, _ = convert_body("{% highlight liquid %}\n{% raw %}\n{{ x }}\n{% endraw %}\n{% endhighlight %}", "x.md")
    assert body == "```liquid\n{{ x }}\n```"


def test_hugo_highlight_and_pelican_links_figure_left_to_its_shortcode():
    body, leftovers = convert_body('{{< highlight go "linenos=table" >}}\nx := 1\n{{< / highlight >}}\n'
                                   '{{< figure src="map.png" caption="A [big] map" >}} {{<figure alt=x>}}\n'
                                   "[a]({filename}/2010/other.md) ![b]({static}/images/x.png) [c](|filename|x.md)",
                                   "a/b.md")
    assert body.split("\n") == ["```go", "x := 1", "```",
                                '{{< figure src="map.png" caption="A [big] map" >}} {{<figure alt=x>}}',
                                "[a](/2010/other.md) ![b](/images/x.png) [c](x.md)"]
    assert leftovers == []  # figure calls are shortcodes, rendered with the theme's figure template


def test_keys_that_are_not_text_are_left_alone():
    assert norm({1: "x", None: "y", False: "z", "Title": "T"}) == {1: "x", None: "y", False: "z", "title": "T"}


# --- dates and URLs as each generator writes them -----------------------------------------------------------


def test_zola_path_is_the_permalink_and_dates_the_article():
    meta = norm({"title": "x", "path": "2021/08/03/Rust-1.54.0"}, "blog/rust.md")
    assert (meta["permalink"], meta["date"]) == ("/2021/08/03/Rust-1.54.0/", "2021-08-03")


def test_dates_from_urls_and_folders_unless_written():
    assert norm({"permalink": "/2015/05/21/tockingtime/"}, "posts/t.md")["date"] == "2015-05-21"
    assert norm({"url": "/news/2019/11/story/"}, "posts/t.md")["date"] == "2019-11-01"
    assert norm({}, "2021/08/03/slug.md")["date"] == "2021-08-03"
    assert norm({}, "blog/2021/08/slug/index.md")["date"] == "2021-08-01"
    assert "date" not in norm({}, "2021/08/2020-01-02-slug.md")  # the file name's date wins, as in Jekyll
    assert norm({"date": "2020-01-01"}, "2021/08/03/slug.md")["date"] == "2020-01-01"
    assert "date" not in norm({}, "2021/13/slug.md")


def test_taxonomies_become_tags_and_authors():
    meta = norm({"tags": ["a"], "taxonomies": {"tags": ["b"], "categories": ["c"], "authors": ["Ana"]}})
    assert (meta["tags"], meta["authors"]) == (["a", "b", "c"], ["Ana"])


def test_extra_table_joins_extra_keys():
    meta = norm({"title": "t", "subtitle": "own", "extra": {"release": True, "subtitle": "inner", "image": "x.png"}})
    assert meta["release"] is True and meta["subtitle"] == "own"
    assert meta["extra"] == {"subtitle": "inner", "image": "x.png"} and "image" not in meta


def test_markdown_links_in_author_keep_the_name_and_the_url():
    meta = norm({"authors": ["[Niko Matsakis](https://github.com/nikomatsakis)", "Ana"]})
    assert meta["authors"] == ["Niko Matsakis", "Ana"]
    assert meta["author_links"] == {"Niko Matsakis": "https://github.com/nikomatsakis"}


def test_an_alias_equal_to_its_own_url_but_for_case_is_dropped_and_the_article_kept(tmp_path: Path):
    write_site(tmp_path, {"2015-05-21-tockingtime.md": """\
        ---
        title: TockingTime
        permalink: /2015/05/21/tockingtime/
        redirect_from: /2015/05/21/TockingTime/
        ---
        Text.
        """})
    result = build_site(tmp_path)
    assert result.articles == 1
    assert [str(w) for w in result.warnings] == [("content/2015-05-21-tockingtime.md: alias '2015/05/21/TockingTime/' "
                                                 "is this article's own URL (but for case); dropped it")]


def test_left_out_articles_are_named_with_why(tmp_path: Path):
    write_site(tmp_path, {"a.md": "---\ntitle: A\ndate: 2020-01-01\n---\nA.\n", "b.md": "---\ntitle: B\n---\nB.\n",
                          "c.md": "---\ntitle: C\ndate: 2020-01-02\nslug: a\npermalink: /a/\n---\nC.\n",
                          "d.md": "---\ntitle: D\ndate: 2020-01-03\npermalink: /a/\n---\nD.\n"})
    result = build_site(tmp_path, skip_invalid=True)
    assert result.articles == 2
    messages = [str(w) for w in result.warnings]
    assert messages[0] == ("content/b.md:1: no date: add `date: 2020-10-23 03:55` to the frontmatter, or name the "
                           "file YYYY-MM-DD-slug.md (left out of the site)")
    assert all(m.endswith("(left out of the site)") for m in messages)
    assert any(m.startswith(("content/c.md", "content/d.md")) for m in messages[1:])
