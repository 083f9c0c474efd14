"""The bundled example archive (content/, site.toml), built at the root and under a subpath, checked as
issue 2 checks a site: links, HTML (Nu HTML Checker), Atom feeds, sitemap, robots.txt and page metadata."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import feedparser
import pytest

from tests.sitekit import ATOM, SITEMAP, Html, atom, broken_links, build_site, page_url

REPO = Path(__file__).resolve().parent.parent
ROOT_URL = "https://courier.example.org/"
SUB_URL = "https://example.org/archive/"
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
W3C_DATE = re.compile(r"\d{4}(-\d\d(-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d))?)?)?")
VNU_JAR = REPO / ".vnu/node_modules/vnu-jar/build/dist/vnu.jar"
"""Where .ci/run installs the Nu HTML Checker; `VNU_JAR` in the environment names another."""


def _build(factory: pytest.TempPathFactory, base_url: str) -> tuple[Path, str]:
    """The example site built into a temporary folder: (output, base URL)."""
    source = factory.mktemp("example")
    shutil.copytree(REPO / "content", source / "content")
    shutil.copy(REPO / "site.toml", source / "site.toml")
    build_site(source, source / "output", base_url=base_url, use_cache=False)
    return source / "output", base_url


@pytest.fixture(scope="module")
def root_site(tmp_path_factory) -> tuple[Path, str]:
    return _build(tmp_path_factory, ROOT_URL)


@pytest.fixture(scope="module")
def sub_site(tmp_path_factory) -> tuple[Path, str]:
    return _build(tmp_path_factory, SUB_URL)


@pytest.fixture(params=["root_site", "sub_site"])
def built(request) -> tuple[Path, str]:
    return request.getfixturevalue(request.param)


def html_pages(output: Path) -> dict[str, Html]:
    return {p.relative_to(output).as_posix(): Html(p.read_text(encoding="utf-8")) for p in output.rglob("*.html")}


def test_no_broken_internal_links(built):
    output, base_url = built
    assert broken_links(output, base_url) == []


def test_every_page_has_title_description_canonical_and_opengraph(built):
    output, base_url = built
    for rel, doc in html_pages(output).items():
        if doc.meta.get("refresh"):
            assert doc.title and doc.rels["canonical"].startswith(base_url), rel  # an alias: redirect only
            continue
        canonical = page_url(rel, base_url)
        assert doc.title and doc.title == doc.meta["og:title"], rel
        assert doc.meta["description"] and doc.meta["description"] == doc.meta["og:description"], rel
        assert doc.rels["canonical"] == canonical == doc.meta["og:url"], rel
        assert doc.meta["og:type"] == ("article" if doc.jsonld else "website"), rel


def test_articles_carry_news_article_json_ld(built):
    output, base_url = built
    articles = {rel: doc for rel, doc in html_pages(output).items() if doc.meta.get("og:type") == "article"}
    assert len(articles) == 25
    for rel, doc in articles.items():
        (data,) = doc.jsonld
        assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle", rel
        assert data["headline"] == doc.h1 and doc.title.startswith(doc.h1), rel
        assert data["url"] == data["mainEntityOfPage"] == page_url(rel, base_url), rel
        assert RFC3339.fullmatch(data["datePublished"]) and RFC3339.fullmatch(data["dateModified"]), rel
        assert datetime.fromisoformat(data["dateModified"]) >= datetime.fromisoformat(data["datePublished"]), rel
        assert data["author"] and all(a["@type"] == "Person" and a["name"] for a in data["author"]), rel
        assert doc.meta["article:published_time"] == data["datePublished"], rel
        assert doc.meta.get("og:image") == data.get("image"), rel
    tour = articles["2022/05/markdown-feature-tour/index.html"]
    assert tour.meta["og:image"] == base_url + "2022/gull-point-dusk.svg"


def test_feeds_are_valid_atom(built):
    output, base_url = built
    feeds = sorted(output.rglob("*.xml"))
    feeds = [f for f in feeds if not f.name.startswith("sitemap")]
    assert output / "feed.xml" in feeds and len(feeds) > 10
    for path in feeds:
        rel = path.relative_to(output).as_posix()
        feed = atom(output, rel)
        assert feed.tag == f"{ATOM}feed", rel
        assert feed.findtext(f"{ATOM}id") == base_url + rel, rel
        assert feed.findtext(f"{ATOM}title"), rel
        assert RFC3339.fullmatch(feed.findtext(f"{ATOM}updated")), rel
        links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
        assert links["self"] == base_url + rel and links["alternate"].startswith(base_url), rel
        entries = feed.findall(f"{ATOM}entry")
        assert entries, rel
        ids = [e.findtext(f"{ATOM}id") for e in entries]
        assert len(set(ids)) == len(ids), rel
        for entry in entries:
            assert entry.findtext(f"{ATOM}title"), rel
            assert RFC3339.fullmatch(entry.findtext(f"{ATOM}updated")), rel
            assert RFC3339.fullmatch(entry.findtext(f"{ATOM}published")), rel
            # RFC 4287 4.1.1: every entry needs an author when the feed has none.
            assert feed.find(f"{ATOM}author") is not None or entry.findtext(f"{ATOM}author/{ATOM}name"), rel
            (alternate,) = [link for link in entry.findall(f"{ATOM}link") if link.get("rel") == "alternate"]
            assert alternate.get("href") == entry.findtext(f"{ATOM}id"), rel
            target = alternate.get("href").removeprefix(base_url)
            assert (output / target / "index.html").is_file(), alternate.get("href")


def test_feeds_parse_with_feedparser(built):
    output, base_url = built
    for path in [output / "feed.xml", *sorted(output.glob("tags/*/feed.xml"))]:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo and parsed.version == "atom10", (path, parsed.get("bozo_exception"))
        assert parsed.feed.id.startswith(base_url) and parsed.feed.updated_parsed
        for entry in parsed.entries:
            assert entry.id.startswith(base_url) and entry.title and entry.link == entry.id
            assert entry.updated_parsed and entry.published_parsed and entry.author


def test_sitemap_lists_every_page_and_robots_points_at_it(built):
    output, base_url = built
    root = atom(output, "sitemap.xml")
    assert root.tag == f"{SITEMAP}urlset"
    urls = root.findall(f"{SITEMAP}url")
    locs = [u.findtext(f"{SITEMAP}loc") for u in urls]
    assert len(set(locs)) == len(locs)
    for url in urls:
        lastmod = url.findtext(f"{SITEMAP}lastmod")
        assert lastmod is None or W3C_DATE.fullmatch(lastmod), lastmod
    pages = {page_url(rel, base_url) for rel, doc in html_pages(output).items()
             if "noindex" not in doc.meta.get("robots", "")}  # 404, alias redirects, search
    assert set(locs) == pages
    robots = (output / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert f"Sitemap: {base_url}sitemap.xml" in robots


def _vnu() -> list[str] | None:
    """The command that runs the Nu HTML Checker, or None when Java or the checker is missing."""
    jar = Path(os.environ.get("VNU_JAR") or VNU_JAR)
    if shutil.which("java") and jar.is_file():
        return ["java", "-jar", str(jar)]
    return [shutil.which("vnu")] if shutil.which("vnu") else None


VNU_PAGES = {
    "front": "index.html", "front page 2": "page/2/index.html", "article": "2022/05/markdown-feature-tour/index.html",
    "article, non-ASCII": "2022/06/staedtepartnerschaft-sao-tome/index.html", "tag": "tags/harbour/index.html",
    "tag index": "tags/index.html", "author": "authors/maren-holt/index.html", "year": "2021/index.html",
    "month": "2021/05/index.html", "archive index": "archive/index.html", "404": "404.html",
}


def test_html_passes_the_nu_html_checker(root_site, sub_site, tmp_path):
    command = _vnu()
    if command is None:
        pytest.skip("Nu HTML Checker not installed (java and .vnu/ from .ci/run, or VNU_JAR, or vnu on PATH)")
    files = []
    for (output, _), build in ((root_site, "root"), (sub_site, "subpath")):
        alias = next(rel for rel, doc in html_pages(output).items() if doc.meta.get("refresh"))
        for name, rel in {**VNU_PAGES, "alias redirect": alias}.items():
            files.append(tmp_path / (re.sub(r"\W+", "-", f"{build} {name}") + ".html"))
            shutil.copy(output / rel, files[-1])
    run = subprocess.run([*command, "--format", "json", "--errors-only", *map(str, files)],
                         check=False, capture_output=True, text=True, timeout=120)
    messages = json.loads(run.stderr)["messages"]
    assert [f"{m['url'].rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m['message']}" for m in messages] == []
