"""sitegen.markdown: Markdown body → Body (HTML, summary, plain text, toc, links)."""
from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it.common import normalize_url
from markdown_it.rules_core import StateCore
from markdown_it.rules_core.normalize import normalize

from sitegen.markdown import (
    _PLAIN_URL,
    LINK_MARK,
    _normalize,
    _parser,
    _parser_for,
    local_url,
    normalize_link,
    rebase,
    render_body,
)
from sitegen.model import TocEntry


def render(source: str, article_id: str = "2020/story.md", raw_html: bool = True) -> SimpleNamespace:
    """render_body's result flattened: html, text, body (the model's Body) and the Body's fields."""
    rendered = render_body(source, article_id, raw_html)
    body = rendered.body
    return SimpleNamespace(html=rendered.html, text=rendered.text, body=body, summary_html=body.summary_html,
                           summary_text=rendered.summary_text,
                           toc=body.toc, word_count=body.word_count, has_more=body.has_more, links=body.links)


# --- Markdown extensions -----------------------------------------------------------------------------------


def test_table():
    html = render("| a | b |\n|---|--:|\n| 1 | 2 |\n").html
    assert "<table>" in html
    assert "<th>a</th>" in html
    assert "<td>1</td>" in html
    assert re.search(r'<td style="text-align:\s*right;?">2</td>', html)


def test_strikethrough():
    assert "<p><s>gone</s> kept</p>" in render("~~gone~~ kept\n").html


def test_footnotes():
    html = render("Claim.[^1]\n\n[^1]: The source.\n").html
    assert '<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a></sup>' in html
    assert '<section class="footnotes" aria-label="Footnotes">' in html
    assert '<li id="fn1" class="footnote-item"><p>The source. <a href="#fnref1" class="footnote-backref">' in html


def test_footnotes_survive_html_cleaning():
    html = render("Claim.[^1] <span>raw</span>\n\n[^1]: The source.\n").html
    assert 'href="#fn1"' in html and 'id="fn1"' in html


def test_heading_ids_and_toc():
    body = render("## First part\n\nText.\n\n### A detail\n\n## Same\n\n## Same\n\n### `code` and **bold**\n")
    assert '<h2 id="first-part">First part</h2>' in body.html
    assert '<h3 id="a-detail">A detail</h3>' in body.html
    assert '<h2 id="same">Same</h2>' in body.html
    assert '<h2 id="same-1">Same</h2>' in body.html
    assert body.toc == (
        TocEntry(level=2, id="first-part", title="First part"),
        TocEntry(level=3, id="a-detail", title="A detail"),
        TocEntry(level=2, id="same", title="Same"),
        TocEntry(level=2, id="same-1", title="Same"),
        TocEntry(level=3, id="code-and-bold", title="code and bold"),
    )


def test_heading_of_punctuation_gets_a_fallback_id():
    body = render("## ???\n")
    assert body.toc == (TocEntry(level=2, id="section", title="???"),)
    assert '<h2 id="section">???</h2>' in body.html


def test_every_toc_entry_links_to_a_heading_id():
    body = render("# Top\n\n## Part\n\n## Other\n")
    for entry in body.toc:
        assert entry.id, entry
        assert f'id="{entry.id}"' in body.html


def test_fenced_code_is_highlighted_with_pygments():
    html = render("```python\ndef f():\n    return 1\n```\n").html
    assert html.startswith('<pre class="highlight"><code class="language-python">')
    assert '<span class="k">def</span>' in html
    assert '<span class="nf">f</span>' in html


def test_fence_language_is_case_insensitive():
    assert '<pre class="highlight">' in render("```Python\nx = 1\n```\n").html


def test_unknown_fence_language_falls_back_to_escaped_code():
    html = render("```nosuchlang\nx < y && z\n```\n").html
    assert html == '<pre><code class="language-nosuchlang">x &lt; y &amp;&amp; z\n</code></pre>\n'


def test_fence_without_language():
    assert render("```\nplain <b>\n```\n").html == "<pre><code>plain &lt;b&gt;\n</code></pre>\n"


def test_smart_quotes_and_typography():
    html = render("She said \"yes\" -- and 'no'...\n").html
    assert html == "<p>She said “yes” – and ‘no’…</p>\n"


def test_code_is_not_made_smart():
    assert "<code>&quot;x&quot;</code>" in render('Use `"x"` here.\n').html


# --- summary ----------------------------------------------------------------------------------------------


def test_more_marker_sets_summary():
    body = render("First para.\n\nSecond para.\n\n<!--more-->\n\nRest here.\n")
    assert body.has_more is True
    assert body.summary_html == "<p>First para.</p>\n<p>Second para.</p>\n"
    assert body.html == "<p>First para.</p>\n<p>Second para.</p>\n<p>Rest here.</p>\n"
    assert "more" not in body.html


@pytest.mark.parametrize("marker", ["<!--more-->", "<!-- more -->", "<!--MORE-->"])
def test_more_marker_spellings(marker):
    body = render(f"Intro.\n\n{marker}\n\nRest.\n")
    assert body.has_more is True
    assert body.summary_html == "<p>Intro.</p>\n"


def test_more_marker_with_raw_html_off():
    body = render("First para.\n\n<!--more-->\n\nRest here.\n", raw_html=False)
    assert body.has_more is True
    assert body.summary_html == "<p>First para.</p>\n"
    assert body.html == "<p>First para.</p>\n<p>Rest here.</p>\n"
    assert "more" not in body.html


def test_more_marker_directly_after_a_paragraph_line():
    body = render("Intro\n<!--more-->\nRest\n")
    assert body.has_more is True
    assert body.summary_html == "<p>Intro</p>\n"


def test_first_paragraph_is_the_summary_without_marker():
    body = render("## Heading\n\n- a list item\n\nThe first paragraph.\n\nThe second.\n")
    assert body.has_more is False
    assert body.summary_html == "<p>The first paragraph.</p>\n"


def test_no_paragraph_no_summary():
    assert render("## Only a heading\n").summary_html == ""
    assert render("").summary_html == ""


def test_summary_text_is_plain():
    body = render("A *short* intro to [the topic](https://example.org) here\n\nMore.\n")
    assert body.summary_text == "A short intro to the topic here"


def test_summary_text_of_more_part():
    body = render("One.\n\nTwo.\n\n<!--more-->\n\nThree.\n")
    assert body.summary_text == "One. Two."


def test_summary_text_does_not_split_words_at_inline_tags():
    body = render("An [intro](https://example.org). Un*believ*able.\n")
    assert body.summary_text == "An intro. Unbelievable."


def test_summary_text_unescapes_entities():
    body = render("Tom & Jerry say 1 < 2.\n")
    assert body.summary_text == "Tom & Jerry say 1 < 2."


# --- text and word count -------------------------------------------------------------------------------------


def test_word_count_and_text():
    body = render("## Title here\n\nOne two *three* `four`.\nFive\n\n<!--more-->\n\n- six\n- seven\n")
    assert body.word_count == 9
    assert body.text.split() == ["Title", "here", "One", "two", "three", "four.", "Five", "six", "seven"]


def test_word_count_ignores_markup_and_urls():
    body = render("[link text](https://example.org/a/very/long/url) ![alt words](x.png)\n")
    assert body.word_count == 2
    assert "https" not in body.text


# --- safety -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw_html", [True, False])
@pytest.mark.parametrize("href", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "vbscript:x", "data:text/html,x"])
def test_markdown_link_with_dangerous_scheme_is_not_a_link(href, raw_html):
    html = render(f"[x]({href})\n", raw_html=raw_html).html
    assert "<a" not in html
    assert 'href="' not in html


@pytest.mark.parametrize("href", ["javascript:alert(2)", "JAVASCRIPT:alert(2)", "jav&#x09;ascript:alert(2)",
                                  " javascript:alert(2)"])
def test_raw_anchor_with_javascript_href_loses_it(href):
    html = render(f'Text <a href="{href}">y</a>\n').html
    assert "javascript" not in html.lower()
    assert "alert" not in html
    assert "<a>y</a>" in html


def test_raw_script_is_removed_and_embeds_are_kept():
    html = render('<script>alert(1)</script>\n\n'
                  '<iframe src="https://www.youtube.com/embed/x" allowfullscreen></iframe>\n\n'
                  '<figure><img src="a.jpg" alt="A"><figcaption>Cap</figcaption></figure>\n').html
    assert "<script" not in html and "alert" not in html
    assert '<iframe src="https://www.youtube.com/embed/x" allowfullscreen=""></iframe>' in html
    assert '<figure><img src="/2020/a.jpg" alt="A"><figcaption>Cap</figcaption></figure>' in html


def test_event_handlers_and_script_urls_in_raw_html_are_dropped():
    html = render('<img src="x.png" onerror="alert(1)">\n\n<iframe src="javascript:alert(1)"></iframe>\n\n'
                  'Para <a href="https://ok.org" onclick="x()">ok</a>\n').html
    assert "onerror" not in html and "onclick" not in html and "javascript" not in html
    assert '<img src="/2020/x.png">' in html
    assert '<a href="https://ok.org">ok</a>' in html


def test_raw_html_in_summary_is_cleaned_too():
    body = render('Intro <a href="javascript:alert(1)" onclick="x()">y</a><script>bad()</script>\n\n<!--more-->\n\nRest\n')
    assert "javascript" not in body.summary_html
    assert "onclick" not in body.summary_html
    assert "<script" not in body.summary_html


def test_raw_html_off_escapes_html():
    body = render('<b onclick="x()">hi</b> <script>alert(1)</script>\n\n<div>block</div>\n', raw_html=False)
    assert "<b" not in body.html and "<script" not in body.html and "<div" not in body.html
    assert "&lt;b onclick=" in body.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body.html
    assert "&lt;div&gt;block&lt;/div&gt;" in body.html


# --- links to other articles ---------------------------------------------------------------------------------


def test_relative_md_link_becomes_a_marker():
    body = render("See [other](../2019/old.md#sec) and [same](next.md).\n", article_id="2020/story.md")
    assert f'<a href="{LINK_MARK}2019/old.md#sec">other</a>' in body.html
    assert f'<a href="{LINK_MARK}2020/next.md">same</a>' in body.html
    assert body.links == ("2019/old.md", "2020/next.md")


def test_marker_survives_html_cleaning():
    body = render("<span>raw</span> [other](other.md)\n", article_id="story.md")
    assert f'href="{LINK_MARK}other.md"' in body.html
    assert body.links == ("other.md",)


def test_links_are_listed_once_in_order():
    body = render("[a](b.md) [c](a.md) [again](b.md)\n", article_id="x.md")
    assert body.links == ("b.md", "a.md")


def test_links_with_encoded_names_are_decoded():
    body = render("[a](my%20story.md)\n", article_id="2020/x.md")
    assert body.links == ("2020/my story.md",)
    assert f'href="{LINK_MARK}2020/my%20story.md"' in body.html


@pytest.mark.parametrize("href", ["https://example.org/a.md", "../../../etc.md", "page.html", "#anchor",
                                  "mailto:a@example.org"])
def test_other_links_are_left_alone(href):
    body = render(f"[x]({href})\n", article_id="2020/x.md")
    assert body.links == ()
    assert LINK_MARK not in body.html


# --- local URLs and the base path ----------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "expected"), [
    ("map.png", "/2020/map.png"), ("./docs/a b.pdf?x=1#p", "/2020/docs/a b.pdf?x=1#p"), ("../img/", "/img/"),
    ("../../../up.png", "/up.png"), ("/abs/x.png", "/abs/x.png"), ("//cdn.example/x.png", "//cdn.example/x.png"),
    ("https://e.org/x.png", "https://e.org/x.png"), ("#top", "#top"), ("mailto:a@e.org", "mailto:a@e.org"),
])
def test_local_urls_resolve_against_the_article_folder(url, expected):
    assert local_url(url, "2020/story.md") == expected


def test_relative_links_and_images_become_site_root_paths():
    body = render("![map](map.png) [pdf](docs/a.pdf) [top](#top) [out](https://e.org/x)\n\n<!--more-->\n\nRest\n")
    for html in (body.html, body.summary_html):
        assert '<img src="/2020/map.png" alt="map">' in html and 'href="/2020/docs/a.pdf"' in html
        assert 'href="#top"' in html and 'href="https://e.org/x"' in html


def test_relative_urls_in_raw_html_become_site_root_paths():
    html = render('<video src="clip.mp4" poster="p.jpg"></video>\n\n'
                  '<img src="a.jpg" srcset="a.jpg 1x, /b.jpg 2x, https://e.org/c.jpg 3x" alt="">\n').html
    assert '<video src="/2020/clip.mp4" poster="/2020/p.jpg"></video>' in html
    assert 'srcset="/2020/a.jpg 1x, /b.jpg 2x, https://e.org/c.jpg 3x"' in html


def test_rebase_puts_site_root_urls_under_the_base_path():
    html = ('<a href="/2020/x/">x</a> <img src="/a.png" srcset="/a.png 1x, //cdn.e/b.png 2x" alt=""> '
            '<a href="//cdn.e/y">y</a> <a href="#f">f</a> <code>href="/no"</code>')
    assert rebase(html, "/") == html
    assert rebase(html, "/archive/") == (
        '<a href="/archive/2020/x/">x</a> <img src="/archive/a.png" srcset="/archive/a.png 1x, //cdn.e/b.png 2x" '
        'alt=""> <a href="//cdn.e/y">y</a> <a href="#f">f</a> <code>href="/no"</code>')



@given(st.text(alphabet="\r\n\0a\u2028", max_size=30))
def test_input_normalisation_is_markdown_its_own(text):
    ours, theirs = StateCore(text, None, {}), StateCore(text, None, {})
    _normalize(ours)
    normalize(theirs)
    assert ours.src == theirs.src


def test_line_ends_and_nul_are_normalised():
    assert render("a\r\nb\rc\0d\n").html == "<p>a\nb\nc\ufffdd</p>\n"


markdown_bits = st.sampled_from([
    "# ", "> ", "- ", "1. ", "**", "_", "`", "```", "```python\n", "~~~", "~~", "~", "[", "]", "]:", "(", ")",
    "![", "<", ">", "<div>", "</div>", "<!--more-->", "\n", "\n\n", "    ", "|", "| --- |", "---", "[^1]",
    "[^1]: ", "^[", "&amp;", "\\", "\\\n", "[x]: /u", "[x]", "a", "b c", "\t",
    "| a |\n| --- |\n", "a | b\n--|--\n", "~~a~~", "\n<div>\n"])


@given(st.lists(markdown_bits, max_size=40).map("".join), st.booleans())
def test_leaving_out_rules_without_their_markers_changes_nothing(source, raw_html):
    assert _parser_for(source, raw_html).render(source) == _parser(raw_html).render(source)


def test_a_body_without_markers_is_parsed_without_their_rules():
    active = _parser_for("Plain *text* with a [link](x).\n", True).block.ruler.get_active_rules()
    assert "table" not in active and "html_block" not in active and "paragraph" in active


url_parts = st.sampled_from([
    "https://", "http://", "HTTP://", "ftp://", "mailto:", "javascript:", "//", "/", "", "example.org",
    "EXAMPLE.org", "a", "a" * 63, "a" * 64, "xn--bcher-kva", "bücher", ".", "..", "-", ":", ":80", "@",
    "user@", "?", "#", "=", "&", "+", "~", "_", "%", "%2F", "%zz", " ", "'", "(", ")", "[", "]", "é",
    "\u3002", ";", ",", "!", "*", "\\"])


@given(st.lists(url_parts, max_size=12).map("".join))
def test_link_normalisation_is_markdown_its_own(url):
    assert normalize_link(url) == normalize_url.normalizeLink(url)


def test_plain_urls_skip_link_normalisation():
    longest_host = "https://" + ".".join(["a" * 63] * 4)  # 255 characters, the most a host may have
    for url in ("https://example.org/2020/story?id=7&page=2#top", "http://www.example.co.uk", "map.png",
                "../2019/2019-01-02-story.md#part", "/files/report.pdf", "#notes", longest_host + "/x"):
        assert _PLAIN_URL.fullmatch(url) and normalize_url.normalizeLink(url) == url, url
    for url in ("//example.org/x", "https://bücher.example/", "https://a.b.c.d.example/",
                "mailto:a@example.org", "https://example.org/a%20b", "https://example.org:8080/"):
        assert not _PLAIN_URL.fullmatch(url), url
