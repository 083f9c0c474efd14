"""Liquid in bodies, as Jekyll and Eleventy render it: filters, tags, includes, unknown tags as shortcode
calls, unknown filters and errors reported with lines while the article still builds."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sitegen.config import SiteConfig
from sitegen.liquid_body import render_liquid
from tests.sitekit import build_site, write_site

CONFIG = SiteConfig(base_url="https://example.org/blog/", params={"repository": "https://github.com/x/y"},
                    jekyll={"repository": "https://old.example", "author": "Jekyll"},
                    includes={"note.html": "<p>{{ include.text }} / {{ page.title }}</p>"})
PAGE = {"title": "My Post", "tags": ["a", "b"], "date": date(2020, 1, 2)}


def liquid(body: str) -> str:
    text, problems = render_liquid(body, PAGE, CONFIG)
    assert problems == []
    return text


@pytest.mark.parametrize(("body", "expected"), [
    ('{{ "/2015/08/07/x/" | url }}', "/2015/08/07/x/"),
    ('{{ "a/b.png" | relative_url }}', "/a/b.png"),
    ('{{ "a/b.png" | absolute_url }}', "https://example.org/blog/a/b.png"),
    ("{{ page.title | slugify }}", "my-post"),
    ('{{ page.date | date: "%Y/%m/%d" }}', "2020/01/02"),
    ("{{ page.date | date_to_string }}", "02 Jan 2020"),
    ("{{ page.date | date_to_long_string }}", "02 January 2020"),
    ('{{ "a < b & c" | xml_escape }}', "a &lt; b &amp; c"),
    ("{{ page.tags | jsonify }}", '["a", "b"]'),
    ('{{ "*hi*" | markdownify }}', "<p><em>hi</em></p>\n"),
    ("{{ page.tags | array_to_sentence_string }}", "a and b"),
    ('{% assign xs = "b,a" | split: "," %}{{ xs | sort | join: "-" }}', "a-b"),
    ("{{ site.repository }} {{ site.author }} {{ site.baseurl }} {{ site.url }}",
     "https://github.com/x/y Jekyll /blog https://example.org"),
])
def test_filters(body, expected):
    assert liquid(body) == expected


def test_where_filter():
    page = {"items": [{"k": "x", "n": 1}, {"k": "y", "n": 2}]}
    text, _ = render_liquid('{% assign found = page.items | where: "k", "y" %}{{ found[0].n }}', page, CONFIG)
    assert text == "2"


def test_tags():
    body = ('{% assign n = 3 %}{% capture c %}n={{ n }}{% endcapture %}{{ c }} {% if n > 2 %}big{% endif %}'
            '{% unless n > 5 %} small{% endunless %} {% for t in page.tags %}[{{ t }}]{% endfor %}'
            '{% comment %}hidden{% endcomment %} {% raw %}{{ kept }}{% endraw %}')
    assert liquid(body) == "n=3 big small [a][b] {{ kept }}"


def test_include_link_post_url_and_highlight():
    body = ('{% include note.html text="Hi" %}\n[a]({% link _posts/2016-07-26-x.md %}) '
            "[b]({% post_url 2010-07-21-name %})\n{% highlight ruby %}\nputs {{ 1 }}\n{% endhighlight %}")
    assert liquid(body) == ("<p>Hi / My Post</p>\n[a](/_posts/2016-07-26-x.md) [b](/_posts/2010-07-21-name.md)\n"
                            "```ruby\nputs 1\n```")


def test_unknown_tags_call_shortcodes_with_their_arguments():
    body = ('{% image "./a.png", "Alt text" %}\n{% youtube abc %}\n{% figure src: page.title, n=2 %}\n'
            "{% callout kind='info' %}Inner *md*{% endcallout %}")
    assert liquid(body) == ('{{< image "./a.png" "Alt text" >}}\n{{< youtube "abc" >}}\n'
                            '{{< figure src="My Post" n="2" >}}\n'
                            '{{< callout kind="info" >}}Inner *md*{{< /callout >}}')


def test_unknown_filter_is_skipped_with_a_warning_and_its_line():
    assert render_liquid('a\nb {{ "x" | smartquote | upcase }}', PAGE, CONFIG) == (
        "a\nb X", [(1, "Liquid filter 'smartquote' is unknown; the value is shown unfiltered")])


@pytest.mark.parametrize(("body", "line", "message"), [
    ("ok\n{% if %}\n", 1, "Liquid: missing expression; the body is shown without Liquid"),
    ("a\n\n{% for x in %}{% endfor %}", 2, ("Liquid: expected a primitive expression, found end of expression; "
                                          "the body is shown without Liquid")),
    ("{% include missing.html %}", 0, ("Liquid: include 'missing.html' not found in _includes/ or "
                                      "templates/includes/; the body is shown without Liquid")),
])
def test_errors_keep_the_body_and_say_where(body, line, message):
    assert render_liquid(body, PAGE, CONFIG) == (body, [(line, message)])


def test_liquid_runs_for_posts_folders_and_with_liquid_true(tmp_path: Path):
    write_site(tmp_path, {"_posts/2020-01-02-a.md": "---\ntitle: A\n---\nA {{ page.title | upcase }}.\n",
                          "b.md": "---\ntitle: B\ndate: 2020-01-03\n---\nB {{ page.title }}.\n"})
    result = build_site(tmp_path)
    assert "A A." in (tmp_path / "output/2020/01/a/index.html").read_text()
    assert "B {{ page.title }}." in (tmp_path / "output/2020/01/b/index.html").read_text()
    assert [str(w) for w in result.warnings] == [("content/b.md:5: Liquid tag '{{ page.title }}' left from another "
                                                 "generator is shown as text; replace it with Markdown or HTML")]
    (tmp_path / "site.toml").write_text("liquid = true\n")
    result = build_site(tmp_path)
    assert "B B." in (tmp_path / "output/2020/01/b/index.html").read_text() and result.warnings == []


def test_a_liquid_error_is_a_warning_with_path_and_line_and_the_article_builds(tmp_path: Path):
    write_site(tmp_path, {"_posts/2020-01-02-a.md": "---\ntitle: A\n---\nFine.\n\n{% for x in %}\n"})
    result = build_site(tmp_path)
    assert [str(w) for w in result.warnings] == [
        ("content/_posts/2020-01-02-a.md:6: Liquid: expected a primitive expression, found end of expression; "
        "the body is shown without Liquid")]
    assert result.articles == 1


def test_includes_come_from_the_site_folders(tmp_path: Path):
    write_site(tmp_path, {"_posts/2020-01-02-a.md": "---\ntitle: A\n---\n{% include a.html %} {% include b.html %}\n"})
    (tmp_path / "_includes").mkdir()
    (tmp_path / "templates/includes").mkdir(parents=True)
    (tmp_path / "_includes/a.html").write_text("from-includes")
    (tmp_path / "templates/includes/a.html").write_text("from-templates")
    (tmp_path / "templates/includes/b.html").write_text("{% if page.title %}b-{{ page.title | upcase }}{% endif %}")
    build_site(tmp_path)
    assert "from-includes b-A" in (tmp_path / "output/2020/01/a/index.html").read_text()


def test_a_body_cannot_loop_without_end():
    body = "{% for i in (1..1000000000) %}x{% endfor %}"
    assert render_liquid(body, PAGE, CONFIG) == (body, [(0, ("Liquid: loop iteration limit reached; the body is "
                                                             "shown without Liquid"))])
