"""Site-level: what a newsroom's article page shows (standfirst, dateline, same-day update time, nested
contents, short link, the article's own language) and its short link page."""
from __future__ import annotations

import pytest

from sitegen.model import TocEntry
from sitegen.views import nest_toc
from tests.sitekit import build_site, page, texts, write_site

STORY = """\
---
title: Harbour plan approved
date: 2020-10-23T08:05:00+01:00
updated: 2020-10-23T11:20:00+01:00
summary: Councillors back a two-stage expansion of the container quay.
location: Port Amsel
id: courier-2020-0117
---
The vote came after a long debate.

## The vote

Details.

### Who voted for

Names.

### Who voted against

Names.

## What comes next

More.
"""
OTHER = """\
---
title: Hafenplan genehmigt
date: 2020-10-20T09:00:00+02:00
updated: 2020-10-22T10:00:00+02:00
lang: de-DE
---
Der Rat stimmte zu.
"""


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    root = write_site(tmp_path_factory.mktemp("newsroom") / "s", {"2020/story.md": STORY, "2020/other.md": OTHER},
                      config='base_url = "https://example.org/"\ntimezone = "Europe/London"\nsearch = false\n')
    build_site(root)
    return root / "output"


def test_standfirst_dateline_and_same_day_update_time(out):
    doc = page(out, "2020/10/story/index.html")
    assert texts(doc, "p", class_="standfirst") == ["Councillors back a two-stage expansion of the container quay."]
    assert texts(doc, "span", class_="location") == ["Port Amsel"]
    assert ("2020-10-23T11:20:00+01:00", "11:20 BST") in doc.times
    assert texts(doc, "span", class_="updated") == ["Updated 11:20 BST"]


def test_update_on_another_day_shows_its_date_and_no_standfirst_without_a_written_summary(out):
    doc = page(out, "2020/10/other/index.html")
    assert texts(doc, "span", class_="updated") == ["Updated 22 October 2020"]
    assert texts(doc, "p", class_="standfirst") == []


def test_table_of_contents_is_nested(out):
    text = (out / "2020/10/story/index.html").read_text(encoding="utf-8")
    toc = text[text.index('<nav class="toc"'):text.index("</nav>", text.index('<nav class="toc"'))]
    assert toc.count("<ol>") == 2
    start = toc.index("<ol>", toc.index("<ol>") + 1)
    inner = toc[start:toc.index("</ol>", start)]
    assert "#who-voted-for" in inner and "#who-voted-against" in inner and "#what-comes-next" not in inner


def test_nest_toc_puts_each_heading_under_the_nearest_higher_one():
    a, b, c, d = (TocEntry(2, "a", "A"), TocEntry(3, "b", "B"), TocEntry(4, "c", "C"), TocEntry(2, "d", "D"))
    assert nest_toc((a, b, c, d)) == ((a, ((b, ((c, ()),)),)), (d, ()))
    assert nest_toc((b, a)) == ((b, ()), (a, ()))


def test_article_language_reaches_html_lang_og_locale_and_json_ld(out):
    doc = page(out, "2020/10/other/index.html")
    html = (out / "2020/10/other/index.html").read_text(encoding="utf-8")
    assert '<html lang="de-DE">' in html
    assert doc.meta["og:locale"] == "de_DE" and doc.jsonld[0]["inLanguage"] == "de-DE"
    assert '<html lang="en">' in (out / "2020/10/story/index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in (out / "index.html").read_text(encoding="utf-8")


def test_short_link_is_shown_with_a_copy_button_and_redirects_to_the_article(out):
    doc = page(out, "2020/10/story/index.html")
    short = doc.rels["shortlink"]
    assert short.startswith("https://example.org/s/") and ("a", short) in doc.links
    button = [a for tag, a, _ in doc.elements if tag == "button" and "copy-link" in a.get("class", "")]
    assert button and button[0]["data-copy"] == short and "hidden" in button[0]
    assert "js/share.js" in (out / "2020/10/story/index.html").read_text(encoding="utf-8")
    redirect = page(out, short.removeprefix("https://example.org/") + "index.html")
    assert redirect.meta["robots"] == "noindex" and redirect.meta["refresh"] == "0; url=/2020/10/story/"
    assert "/s/" not in (out / "sitemap.xml").read_text(encoding="utf-8")


def test_short_link_follows_the_id_when_the_article_moves(tmp_path):
    root = write_site(tmp_path / "s", {"2020/story.md": STORY}, config="search = false\n")
    build_site(root)
    before = page(root / "output", "2020/10/story/index.html").rels["shortlink"]
    (root / "content/2020/story.md").write_text(STORY.replace("title: Harbour plan approved",
                                                              "title: Harbour plan approved\nslug: harbour-plan"))
    build_site(root)
    assert page(root / "output", "2020/10/harbour-plan/index.html").rels["shortlink"] == before


MENU = '''base_url = "https://example.org/news/"
search = false
[[menu]]
name = "Syria"
tag = "syria"
[[menu]]
name = "About"
url = "/about/"
[[menu]]
name = "Wire"
url = "https://wire.example.com/"
'''


def test_front_page_leads_with_the_newest_story_then_a_list_with_one_line_standfirsts(tmp_path):
    root = write_site(tmp_path / "s", config=MENU)
    build_site(root)
    doc = page(root / "output", "index.html")
    lead = [a for tag, a, _ in doc.elements if tag == "article" and a.get("class") == "lead-story"]
    assert len(lead) == 1
    headings = [text for tag, a, text in doc.elements if tag == "h2"]
    assert headings[0] == "Aleppo humanitarian corridor opens" and "Aleppo humanitarian corridor opens" not in headings[1:]
    assert texts(doc, "p", class_="standfirst")[0] == "A corridor opened for civilians leaving Aleppo."
    assert len(texts(doc, "p", class_="one-line")) == len(headings) - 1 >= 1


def test_section_menu_links_are_planned_under_the_base_path(tmp_path):
    root = write_site(tmp_path / "s", config=MENU)
    build_site(root)
    for rel in ("index.html", "2020/10/kerry-urges/index.html", "tags/index.html"):
        html = (root / "output" / rel).read_text(encoding="utf-8")
        menu = html[html.index('<nav class="sections"'):]
        menu = menu[:menu.index("</nav>")]
        assert ('href="/news/tags/syria/">Syria<' in menu and 'href="/news/about/">About<' in menu
                and 'href="https://wire.example.com/">Wire<' in menu), rel


@pytest.mark.parametrize(("toml", "message"), [
    ('[[menu]]\nname = "X"\n', 'menu entry 1 needs a name and either url = "/path/" or tag = "Tag name"'),
    ('[[menu]]\nname = "X"\nurl = "javascript:alert(1)"\n', "menu entry 1: url 'javascript:alert(1)' must be a path"),
    ('[[menu]]\nname = "X"\nlink = "/a/"\n', "unknown key 'menu[1].link'"),
    ('menu = "Harbour"\n', "'menu' must be tables"),
])
def test_bad_menu_entries_are_config_errors(tmp_path, toml, message):
    from sitegen.config import load_config
    from sitegen.errors import BuildFailed
    (tmp_path / "site.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        load_config(tmp_path)
    assert message in str(failed.value)


def test_search_page_offers_newest_first_as_well_as_relevance(tmp_path):
    root = write_site(tmp_path / "s", {"2020/story.md": STORY})
    build_site(root)
    doc = page(root / "output", "search/index.html")
    assert [a.get("value") for tag, a, _ in doc.elements if tag == "option"] == ["relevance", "newest"]
    assert texts(doc, "option") == ["Best match first", "Newest first"]
