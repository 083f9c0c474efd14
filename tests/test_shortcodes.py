"""Shortcode calls: how they are read (Hugo's and Zola's forms), kept out of code, paired, nested and
reported; the built-in templates; pages depending on the templates they call."""
from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.markdown import render_body
from sitegen.shortcodes import OPEN, decode, parse_call, strip_calls
from tests.sitekit import build_site, elements, visible_text, write_site

ARTICLE = "---\ntitle: Story\ndate: 2021-08-03 10:00\nsubtitle: The harbour reopens\n---\n"
"""Frontmatter of the test article: 5 lines, so its body starts on line 6."""


def calls(html: str) -> list[dict]:
    import re

    return [decode(m) for m in re.findall(f"{OPEN}([^\ue001]*)\ue001", html)]


# --- reading calls -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "name", "args", "kwargs"), [
    ('{{< figure src="a.jpg" alt=\'An "x"\' width=800 >}}', "figure", (), {"src": "a.jpg", "alt": 'An "x"',
                                                                         "width": "800"}),
    ('{{< youtube w7Ft2ymGmfc >}}', "youtube", ("w7Ft2ymGmfc",), {}),
    ('{{% param "desk" %}}', "param", ("desk",), {}),
    ('{{< gist spf13 7896402 "img.html" >}}', "gist", ("spf13", "7896402", "img.html"), {}),
    ('{{< a/b-c `raw "x"` open=true />}}', "a/b-c", ('raw "x"',), {"open": True}),
    ('{{ youtube(id="dQw4", autoplay=true, n=3, r=1.5) }}', "youtube", (),
     {"id": "dQw4", "autoplay": True, "n": 3, "r": 1.5}),
    ("{{ gallery(images=['a.jpg', \"b.jpg\"]) }}", "gallery", (), {"images": ["a.jpg", "b.jpg"]}),
])
def test_calls_are_read_with_their_arguments(text, name, args, kwargs):
    call = parse_call(text, 0)
    assert (call.name, call.args, call.kwargs, call.end) == (name, args, kwargs, len(text))


@pytest.mark.parametrize("text", ["{{ page.title }}", "{% include x.html %}", "{{< >}}", '{{< x "open >}}',
                                  "{{ f(x=) }}", "{x}", "{{<x>}"])
def test_other_braces_are_no_calls(text):
    assert parse_call(text, 0) is None


# --- in Markdown -------------------------------------------------------------------------------------------


def test_calls_inside_code_stay_text():
    html = render_body('`{{< figure src="a" >}}`\n\n```\n{{< youtube x >}}\n{{ y(a=1) }}\n```\n\n'
                       '    {{< vimeo 1 >}}\n', "a.md").html
    assert OPEN not in html
    assert "<code>{{&lt; figure src=&quot;a&quot; &gt;}}</code>" in html
    assert "{{&lt; youtube x &gt;}}\n{{ y(a=1) }}" in html and "{{&lt; vimeo 1 &gt;}}" in html


def test_escaped_calls_show_the_call_in_text_and_code():
    html = render_body('Write {{</* figure src="a.jpg" */>}}.\n\n```\n{{%/* note */%}}\n```\n', "a.md").html
    assert OPEN not in html
    assert "Write {{&lt; figure src=“a.jpg” &gt;}}." in html or 'Write {{&lt; figure src="a.jpg" &gt;}}.' in html
    assert "{{% note %}}" in html


def test_pairs_nest_and_hold_markdown():
    src = ("{{% note %}}\nOuter *text*.\n\n{{% note %}}\nInner **text**.\n{{% /note %}}\n{{% /note %}}\n\n"
           "{% quote(by=\"Ana\") %}\nSaid.\n{% end %}\n\nA {{< b >}}bold {{< b >}}x{{< /b >}}{{< /b >}} word.\n")
    html = render_body(src, "a.md").html
    found = calls(html)
    assert [c["name"] for c in found] == ["note", "note", "quote", "b", "b"]
    assert found[0]["inner_raw"].startswith("Outer *text*.") and found[1]["inner_raw"] == "Inner **text**."
    assert [c["line"] for c in found] == [0, 3, 8, 12, 12]
    assert "<em>text</em>" in html and "<strong>text</strong>" in html
    assert "<p>A " in html  # the inline pair stays in its paragraph
    assert strip_calls(html).count(OPEN) == 0


def test_a_call_alone_on_its_line_is_a_block_not_a_paragraph():
    html = render_body('Intro.\n\n{{< figure src="a.jpg" >}}\n\n{{< pullquote >}}Quoted.{{< /pullquote >}}\n',
                       "2020/a.md").html
    assert "<p>\ue000" not in html
    assert calls(html)[0]["kwargs"] == {"src": "/2020/a.jpg"}  # beside the article, as a site-root path


def test_unclosed_and_stray_calls_are_reported_with_lines_and_shown_as_text():
    rendered = render_body("Para {{< b >}} open.\n\nLater {{< /b >}} here.\n\n{{< /x >}}\n\n{% end %}\n", "a.md")
    assert rendered.problems == [
        (0, "shortcode 'b' is not closed in the same paragraph; shown as text"),
        (2, "shortcode closing 'b' has no opening call; shown as text"),
        (4, "shortcode closing 'x' has no opening call; shown as text"),
        (6, "shortcode {% end %} has no opening call; shown as text"),
    ]
    assert OPEN not in rendered.html and "{{&lt; b &gt;}}" in rendered.html


def test_script_urls_in_arguments_are_dropped_with_a_warning():
    rendered = render_body('{{< figure src="javascript:alert(1)" link=" JavaScript:x" >}}\n'
                           '{{< x "java\tscript:y" >}}\n', "a.md")
    assert calls(rendered.html)[0]["kwargs"] == {"src": "", "link": ""}
    assert calls(rendered.html)[1]["args"] == [""]
    assert "javascript:" in rendered.problems[0][1] and rendered.problems[0][0] == 0


def test_placeholder_characters_written_in_a_body_are_removed():
    html = render_body("\ue000eyJ9\ue001<script>x</script>\ue002 text", "a.md").html
    assert OPEN not in html and "\ue002" not in html


def test_summaries_show_no_calls():
    rendered = render_body("Lead {{< b >}}bold{{< /b >}} and {{< youtube x >}}.\n\nMore.\n", "a.md")
    assert rendered.body.summary_html == "<p>Lead bold and .</p>\n"
    assert rendered.body.shortcodes == ("b", "youtube")


# --- built-ins, on a site ------------------------------------------------------------------------------------

BUILTINS = {
    "figure": (('{{< figure src="map.png" alt="The map" caption="A [map](https://example.org/m)" credit="AP" '
               'link="https://example.org" width="800" height="600" >}}'),
               ["figure", "img", "figcaption"], ['alt="The map"', 'src="/2021/map.png"', 'width="800"',
                                                 '<a href="https://example.org/m">map</a>', "AP"]),
    "youtube": ('{{< youtube id="w7Ft2ymGmfc" title="The launch" >}}', ["iframe"],
                ['src="https://www.youtube-nocookie.com/embed/w7Ft2ymGmfc"', 'title="The launch"',
                 'loading="lazy"', 'href="https://www.youtube.com/watch?v=w7Ft2ymGmfc"']),
    "vimeo": ("{{< vimeo 146022717 >}}", ["iframe"], ['src="https://player.vimeo.com/video/146022717?dnt=1"',
                                                     'title="Vimeo video"', 'href="https://vimeo.com/146022717"']),
    "x": ('{{< x user="SanDiegoZoo" id="1453110110599868418" >}}', ["blockquote"],
          ['href="https://x.com/SanDiegoZoo/status/1453110110599868418"']),
    "tweet": ('{{< tweet user="SanDiegoZoo" id="1453110110599868418" >}}', ["blockquote"],
              ['href="https://x.com/SanDiegoZoo/status/1453110110599868418"']),
    "instagram": ("{{< instagram BWNjjyYFxVx >}}", ["blockquote"], ['href="https://www.instagram.com/p/BWNjjyYFxVx/"']),
    "gist": ('{{< gist spf13 7896402 "img.html" >}}', ["a"], ['href="https://gist.github.com/spf13/7896402#file-img-html"']),
    "pullquote": ('{{< pullquote author="The mayor" >}}We will *rebuild*.{{< /pullquote >}}', ["figure", "blockquote"],
                  ["<em>rebuild</em>", "The mayor"]),
    "note": ('{{% note title="Correction" %}}\nAn earlier version **erred**.\n{{% /note %}}', ["aside"],
             ['aria-label="Correction"', "<strong>erred</strong>"]),
    "alert": ('{{% alert title="Warning" color="warning" %}}\nMind the gap.\n{{% /alert %}}', ["aside"],
              ["shortcode-note-warning", "Mind the gap."]),
    "details": ('{{< details summary="Methodology" >}}\nWe asked *500* people.\n{{< /details >}}',
                ["details", "summary"], ["<summary>Methodology</summary>", "<em>500</em>"]),
    "highlight": ('{{< highlight python >}}\nprint("hi")\n{{< /highlight >}}', ["pre"], ['<span class="nb">print</span>']),
    "param": ('Subtitle: {{< param "subtitle" >}}; desk: {{% param desk %}}.', [],
              ["Subtitle: The harbour reopens; desk: Metro."]),
    "comment": ("Before.{{< comment >}}editor's note{{< /comment >}}", [], ["Before."]),
}


@pytest.mark.parametrize("name", sorted(BUILTINS))
def test_builtin_shortcode(tmp_path: Path, name: str):
    call, tags, snippets = BUILTINS[name]
    write_site(tmp_path, {"2021/story.md": ARTICLE + call + "\n"},
               'title = "News"\nbase_url = "https://example.org/"\n[params]\ndesk = "Metro"\n')
    result = build_site(tmp_path)
    html = (tmp_path / "output/2021/08/story/index.html").read_text()
    body = html.split('<div class="body">')[1].split("</article>")[0]
    assert result.warnings == []
    assert "{{" not in visible_text(body) and "{%" not in visible_text(body)
    assert set(tags) <= {tag for tag, _ in elements(body)}
    for snippet in snippets:
        assert snippet in body
    if name == "comment":
        assert "editor" not in body


def test_unknown_shortcode_and_template_error_warn_with_lines_and_show_the_call(tmp_path: Path):
    write_site(tmp_path, {"2021/story.md": ARTICLE + "Text.\n\n{{< chart data=\"a.csv\" >}}\n\n{{< boom >}}\n"})
    (tmp_path / "templates/shortcodes").mkdir(parents=True)
    (tmp_path / "templates/shortcodes/boom.html").write_text("{{ missing.value }}")
    result = build_site(tmp_path)
    assert [str(w) for w in result.warnings] == [
        ("content/2021/story.md:8: unknown shortcode 'chart': add templates/shortcodes/chart.html; the call is "
        "shown as text"),
        ("content/2021/story.md:10: shortcode 'boom' failed in templates/shortcodes/boom.html: 'missing' is "
        "undefined; the call is shown as text"),
    ]
    html = (tmp_path / "output/2021/08/story/index.html").read_text()
    assert "{{&lt; chart data=&#34;a.csv&#34; &gt;}}" in html and "{{&lt; boom &gt;}}" in html


def test_site_templates_override_the_theme_and_see_the_contract(tmp_path: Path):
    write_site(tmp_path, {"2021/story.md": ARTICLE + '{{< figure "x.jpg" cap="C" >}}\n\n'
                          '{{% media/card kind="box" %}}\nInner *md*\n{{% /media/card %}}\n'},
               'title = "News"\n[params]\ndesk = "Metro"\n')
    folder = tmp_path / "templates/shortcodes"
    (folder / "media").mkdir(parents=True)
    (folder / "figure.html").write_text("<figure data-src=\"{{ args[0] }}\" data-cap=\"{{ cap }}\"></figure>")
    (folder / "media/card.html").write_text(
        '<div class="{{ kwargs.kind }}" data-title="{{ article.title }}" data-desk="{{ site.params.desk }}" '
        'data-url="{{ page_url }}" data-raw="{{ inner_raw }}">{{ inner }}</div>')
    build_site(tmp_path)
    html = (tmp_path / "output/2021/08/story/index.html").read_text()
    assert '<figure data-src="x.jpg" data-cap="C"></figure>' in html
    assert ('<div class="box" data-title="Story" data-desk="Metro" data-url="/2021/08/story/" '
            'data-raw="Inner *md*"><p>Inner <em>md</em></p></div>') in html


def test_a_page_is_rendered_again_when_a_template_it_calls_changes(tmp_path: Path):
    write_site(tmp_path, {"2021/story.md": ARTICLE + "{{< box >}}\n", "2021/other.md": ARTICLE + "Plain.\n"})
    build_site(tmp_path)
    assert "{{&lt; box &gt;}}" in (tmp_path / "output/2021/08/story/index.html").read_text()
    (tmp_path / "templates/shortcodes").mkdir(parents=True)
    (tmp_path / "templates/shortcodes/box.html").write_text("<b>boxed</b>")
    result = build_site(tmp_path)
    assert result.rendered == ("2021/08/story/index.html",)
    assert "<b>boxed</b>" in (tmp_path / "output/2021/08/story/index.html").read_text()
