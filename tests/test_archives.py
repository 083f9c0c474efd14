"""Small archives written for other generators, in their own syntax (tests/archives/<generator>/), built as
they are with --skip-invalid: every post published or named, no template code shown outside code, the
built-in shortcodes rendered as real elements."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.sitekit import build_site, elements, visible_text

ARCHIVES = Path(__file__).parent / "archives"


def built(tmp_path: Path, name: str):
    root = tmp_path / name
    shutil.copytree(ARCHIVES / name, root)
    result = build_site(root, skip_invalid=True)
    pages = {}
    for path in sorted((root / "output").rglob("index.html")):
        text = path.read_text()
        if '"NewsArticle"' in text:
            pages[path.parent.relative_to(root / "output").as_posix()] = text
    return root, result, pages


def posts(root: Path) -> list[Path]:
    return [p for p in (root / "content").rglob("*") if p.suffix in (".md", ".markdown") and p.name != "_index.md"]


@pytest.mark.parametrize("name", sorted(p.name for p in ARCHIVES.iterdir()))
def test_archive_comes_across_whole(tmp_path: Path, name: str):
    root, result, pages = built(tmp_path, name)
    assert len(pages) == len(posts(root)), [str(w) for w in result.warnings]
    for url, html in pages.items():
        body = html.split('<div class="body">')[1].split("</article>")[0]
        shown = visible_text(body)
        assert "{{" not in shown and "{%" not in shown, (url, re.findall(r"[{][{%].{0,40}", shown))


def test_zola_paths_taxonomies_extra_and_author_links(tmp_path: Path):
    _, result, pages = built(tmp_path, "zola")
    assert set(pages) == {"2021/08/03/Rust-1.54.0", "2021-12-12-Daily-Challenge", "inside-rust/2020/03/13/compiler-team"}
    release = pages["2021/08/03/Rust-1.54.0"]
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', release, re.DOTALL).group(1))
    assert data["datePublished"].startswith("2021-08-03")  # from `path`
    assert "iframe" in [t for t, _ in elements(release)]
    assert '<blockquote class="quote"><p>Memory safety <em>without</em> garbage collection.</p>' in release
    daily = pages["2021-12-12-Daily-Challenge"]
    assert {"/tags/algorithm/", "/tags/dailychallenge/", "/tags/archive/"} <= {a.get("href") for t, a in elements(daily)
                                                                              if t == "a"}
    compiler = pages["inside-rust/2020/03/13/compiler-team"]
    assert "/authors/niko-matsakis/" in compiler and "[Niko" not in compiler
    assert "<strong>3</strong>" in compiler and "<code>{{ page.title }}</code>" in compiler
    assert [str(w) for w in result.warnings] == [
        "content/blog/_index.md: a Hugo section page (_index.md) is not an article; skipped"]


def test_hugo_docsy_bundles_params_refs_and_folder_dates(tmp_path: Path):
    _, result, pages = built(tmp_path, "hugo")
    assert set(pages) == {"2023/03/release-1.4", "2022/05/harbour-bundle", "2021/08/ferry-strike"}
    release = pages["2023/03/release-1.4"]
    assert '<a href="https://github.com/example/project/releases">GitHub</a>' in release
    assert '<a href="/2022/05/harbour-bundle/">migration step</a>' in release  # ref to a page bundle
    assert "{{&lt; figure src=&quot;elephant.jpg&quot;" in release  # the escaped call, shown in code
    bundle = pages["2022/05/harbour-bundle"]
    tags = [t for t, _ in elements(bundle)]
    assert {"figure", "iframe", "blockquote", "details"} <= set(tags)
    assert 'src="/2022/harbour-bundle/featured-harbour.png"' not in bundle
    assert 'src="/en/blog/2022/harbour-bundle/featured-harbour.png"' in bundle
    assert "12 days" in pages["2021/08/ferry-strike"]
    assert [str(w) for w in result.warnings] == [
        "content/en/blog/_index.md: a Hugo section page (_index.md) is not an article; skipped",
        ("content/en/blog/2022/harbour-bundle/featured-harbour.png: image not resized: not a JPEG, PNG or WebP "
         "image Pillow can read; replace the file; pages show it as it is")]  # the fixture's image is 3 bytes


def test_jekyll_release_posts(tmp_path: Path):
    _, result, pages = built(tmp_path, "jekyll")
    assert set(pages) == {"2023/01/jekyll-4-3-2-released", "2022/10/jekyll-4-3-1-released", "2016/03/help-wanted"}
    latest = pages["2023/01/jekyll-4-3-2-released"]
    assert '"datePublished": "2023-01-29T18:30:22-08:00"' in latest  # Jekyll's lenient date
    assert '<a href="https://github.com/jekyll/jekyll/issues">GitHub</a>' in latest  # _config.yml's repository
    body = latest.split('<div class="body">')[1].split("</article>")[0]
    assert body.count('<a href="/2022/10/jekyll-4-3-1-released/">') == 2  # {% link %} and {% post_url %}
    assert '<span class="version-badge"' in body  # an include from _includes/
    assert '<span class="nv">page</span><span class="p">.</span><span class="nv">title</span>' in body  # {% raw %}
    assert "iframe" in [t for t, _ in elements(pages["2022/10/jekyll-4-3-1-released"])]
    assert "March 10, 2016" in pages["2016/03/help-wanted"]
    assert result.warnings == []


def test_eleventy_archive_with_liquid_true_and_site_shortcodes(tmp_path: Path):
    _, result, pages = built(tmp_path, "eleventy")
    assert set(pages) == {"2015/08/07/college-scorecard", "2015/05/21/tockingtime"}
    scorecard = pages["2015/08/07/college-scorecard"]
    assert '<figure class="width-full"><img src="/assets/blog/college-scorecard/scorecard.jpg"' in scorecard
    assert '<a href="/2015/05/21/tockingtime/">Tock time</a>' in scorecard and "(at GSA)" in scorecard
    assert "/authors/joe-doe/" in scorecard
    tock = pages["2015/05/21/tockingtime"]
    assert '<img src="/assets/tock.png" alt="A screenshot of Tock"' in tock
    assert '<figure class="shortcode-pullquote">' in tock and "Sum: 5" in tock
    assert [str(w) for w in result.warnings] == [
        ("content/posts/2015/2015-05-21-tockingtime.md:15: Liquid filter 'smartquote' is unknown; the value is "
        "shown unfiltered"),
        ("content/posts/2015/2015-05-21-tockingtime.md: alias '2015/05/21/TockingTime/' is this article's own URL "
        "(but for case); dropped it"),
    ]
