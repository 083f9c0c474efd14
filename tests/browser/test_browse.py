"""A reader browsing the built example site: front page, tag, author and archive navigation, pagination,
phone width and dark mode."""
from __future__ import annotations

import re

import pytest

FEATURE_TOUR = "2022/05/markdown-feature-tour/"
"""The article with tables, code and footnotes: the widest content of the example site."""


def test_front_page_renders_without_console_errors(page, site, screenshots):
    page.goto(site)
    assert page.locator("h1").inner_text() == "Latest articles"
    assert page.locator(".lead-story").count() == 1  # per_page in site.toml: the lead story and seven more
    assert page.locator(".article-list > li").count() == 7
    assert page.locator("link[rel=stylesheet]").count() >= 1
    assert page.evaluate("getComputedStyle(document.body).fontFamily") != ""
    page.screenshot(path=screenshots / "front.png", full_page=True)
    assert page.console.errors == []


def test_article_page_renders(page, site, screenshots):
    page.goto(site + FEATURE_TOUR)
    assert page.locator("h1").inner_text().startswith("How we write the news")
    assert page.locator(".article .body table").count() >= 1
    page.screenshot(path=screenshots / "article.png", full_page=True)
    assert page.console.errors == []


def test_tag_navigation_reaches_an_article(page, site):
    page.goto(site)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Tags").click()
    assert page.locator("h1").inner_text() == "Tags"
    page.locator(".tag-index a", has_text=re.compile(r"^Elections")).click()
    assert page.locator("h1").inner_text() == "Tagged “Elections”"
    first = page.locator(".article-list h2 a").first
    title = first.inner_text()
    first.click()
    assert page.locator("h1").inner_text() == title
    assert "Elections" in page.locator(".article footer .tags").inner_text()


def test_author_navigation_reaches_an_article(page, site):
    page.goto(site + FEATURE_TOUR)
    author = page.locator(".article .byline a").first
    name = author.inner_text()
    author.click()
    assert page.locator("h1").inner_text() == f"Articles by {name}"
    links = page.locator(".article-list h2 a")
    title = links.last.inner_text()
    links.last.click()
    assert page.locator("h1").inner_text() == title
    assert name in page.locator(".article .byline").inner_text()


def test_archive_navigation_reaches_an_article(page, site):
    page.goto(site)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Archive").click()
    page.get_by_role("link", name="2021", exact=True).click()
    assert page.locator("h1").inner_text() == "Articles from 2021"
    page.locator(".months a", has_text="May").click()
    assert page.locator("h1").inner_text() == "Articles from May 2021"
    page.locator(".article-list h2 a").first.click()
    assert page.locator(".article time").first.get_attribute("datetime").startswith("2021-05-")


def test_pagination_walks_the_front_page(page, site):
    page.goto(site)
    first_titles = page.locator(".article-list h2 a").all_inner_texts()
    page.get_by_role("link", name="Older →").click()
    assert page.url == site + "page/2/"
    assert page.locator(".pagination [aria-current=page]").inner_text() == "2"
    second_titles = page.locator(".article-list h2 a").all_inner_texts()
    assert second_titles and not set(second_titles) & set(first_titles)
    pages = page.locator(".pagination a:not([rel])").all_inner_texts()
    page.get_by_role("link", name=pages[-1], exact=True).click()
    assert page.locator(".count").inner_text() == f"25 articles · page {pages[-1]} of {pages[-1]}"
    assert page.get_by_role("link", name="Older →").count() == 0
    page.get_by_role("link", name="← Newer").click()
    assert page.locator(".pagination [aria-current=page]").inner_text() == str(int(pages[-1]) - 1)


@pytest.mark.parametrize("path", ["", FEATURE_TOUR, "tags/", "search/?q=harbour"])
def test_phone_width_has_no_horizontal_scroll(phone_page, site, path):
    phone_page.goto(site + path)
    if path.startswith("search/"):
        phone_page.locator(".pagefind-ui__result").first.wait_for()
    widths = phone_page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths == [375, 375]


def luminance(css_color: str) -> float:
    """Relative luminance (0 black … 1 white) of an `rgb(...)` colour."""
    r, g, b = (int(v) / 255 for v in re.findall(r"\d+(?:\.\d+)?", css_color)[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


@pytest.mark.parametrize("path", ["", FEATURE_TOUR, "search/?q=harbour"])
def test_dark_mode_is_dark_and_readable(dark_page, site, path, screenshots):
    dark_page.goto(site + path)
    if path.startswith("search/"):
        dark_page.locator(".pagefind-ui__result").first.wait_for()
        dark_page.screenshot(path=screenshots / "search-dark.png")
    style = "e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]"
    background, text = dark_page.locator("body").evaluate(style)
    assert luminance(background) < 0.05 and luminance(text) > 0.6
    for selector in (".site-search input", ".pagefind-ui__search-input", "pre"):
        for element in dark_page.locator(selector).all():
            background, text = element.evaluate(style)
            assert luminance(background) < 0.05 and luminance(text) > 0.6, selector
    assert dark_page.console.errors == []
