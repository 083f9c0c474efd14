"""The newsroom pages in Chromium at 1280 and 390 px, light and dark: the front page's lead story and
teasers, the section menu, the article's standfirst, dateline, same-day update time, nested contents and
short link (copied with JavaScript, a plain link without), the German article's language, the search page's
order control, the photos (WebP, sized, upright, captioned), and axe without serious violations. Screenshots
are kept."""
from __future__ import annotations

import pytest

from tests.browser.conftest import open_page
from tests.browser.test_accessibility import violations

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
ARTICLE = "2020/10/council-approves-harbour-expansion/"
GERMAN = "2022/06/staedtepartnerschaft-sao-tome/"
PAIRS = list(zip(WIDTHS, ["light", "dark"]))
"""Each width once and each scheme once: a page's colours do not depend on its width, nor its layout on the scheme."""


def opened(browser, url: str, width: str, scheme: str, **context):
    page = open_page(browser, viewport=WIDTHS[width], color_scheme=scheme, **context)
    page.goto(url)
    return page


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize(("width", "scheme"), PAIRS)
def test_front_page_leads_with_the_newest_story(browser, site, screenshots, width, scheme):
    page = opened(browser, site, width, scheme)
    try:
        lead = page.locator(".lead-story")
        assert lead.count() == 1 and lead.locator("h2").inner_text().startswith("Council adopts climate plan")
        assert lead.locator(".standfirst").is_visible()
        teasers = page.locator(".article-list .teaser")
        assert teasers.count() >= 3
        line = teasers.first.locator(".one-line")
        height, size = line.evaluate("e => [e.getBoundingClientRect().height, parseFloat(getComputedStyle(e).lineHeight)]")
        assert height <= size * (1.1 if width == "desktop" else 2.1)
        menu = page.locator("nav.sections a")
        assert menu.all_inner_texts() == ["Harbour", "City Council", "Schools", "Transport", "Climate"]
        assert no_sideways_scroll(page)
        if width == "desktop":  # title, links and search share one line
            tops = [page.locator(s).bounding_box()["y"] for s in (".site-title", ".site-header nav[aria-label=Main]",
                                                                    ".site-search")]
            assert max(tops) - min(tops) < 24, tops
        page.screenshot(path=screenshots / f"newsroom-front-{width}-{scheme}.png", full_page=True)
        assert violations(page) == [] and page.console.errors == []
    finally:
        page.context.close()


@pytest.mark.parametrize(("width", "scheme"), PAIRS)
def test_article_page_shows_standfirst_dateline_update_time_contents_and_short_link(browser, site, screenshots,
                                                                                     width, scheme):
    page = opened(browser, site + ARTICLE, width, scheme)
    try:
        assert page.locator(".standfirst").inner_text().startswith("Councillors voted 31 to 24")
        assert page.locator(".location").inner_text().upper() == "PORT AMSEL"
        assert page.locator(".updated").inner_text() == "Updated 11:20 BST"
        short = page.locator(".short-link-url")
        assert short.is_visible() and "/s/" in short.get_attribute("href")
        assert page.locator(".copy-link").is_visible()  # JavaScript shows the button
        assert no_sideways_scroll(page)
        page.screenshot(path=screenshots / f"newsroom-article-{width}-{scheme}.png", full_page=True)
        assert violations(page) == [] and page.console.errors == []
    finally:
        page.context.close()


def test_short_link_resolves_to_its_article_and_the_button_copies_it(browser, site):
    page = open_page(browser)
    try:
        page.context.grant_permissions(["clipboard-read", "clipboard-write"])
        page.goto(site + ARTICLE)
        href = page.locator(".short-link-url").get_attribute("href")
        page.locator(".copy-link").click()
        page.locator(".copy-status", has_text="Copied").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == href
        page.goto(site + "s/" + href.partition("/s/")[2])
        page.wait_for_url(f"**/{ARTICLE}")
        assert page.locator("h1").inner_text() == "Council backs Gull Point quay after all-night debate"
    finally:
        page.context.close()


def test_without_javascript_the_short_link_is_a_plain_link(browser, site):
    page = open_page(browser, java_script_enabled=False)
    try:
        page.goto(site + ARTICLE)
        assert page.locator(".short-link-url").is_visible() and not page.locator(".copy-link").is_visible()
    finally:
        page.context.close()


def test_german_article_declares_its_language(browser, site):
    page = open_page(browser)
    try:
        page.goto(site + GERMAN)
        assert page.evaluate("document.documentElement.lang") == "de"
        assert page.locator("meta[property='og:locale']").get_attribute("content") == "de"
    finally:
        page.context.close()


@pytest.mark.parametrize(("width", "scheme"), PAIRS)
def test_search_page_has_the_sites_look_and_newest_first(browser, site, screenshots, width, scheme):
    page = opened(browser, site + "search/?q=harbour&sort=newest", width, scheme)
    try:
        page.locator(".pagefind-ui__result-link").first.wait_for()
        assert page.locator("#search-order").input_value() == "newest"
        body_font = page.evaluate("getComputedStyle(document.body).fontFamily")
        title_font = page.locator(".pagefind-ui__result-title").first.evaluate("e => getComputedStyle(e).fontFamily")
        assert title_font == body_font
        pairs = page.evaluate("""[...document.querySelectorAll('.pagefind-ui__result')].map(r => [
            r.querySelector('.pagefind-ui__result-title').innerText,
            r.querySelector('.pagefind-ui__result-excerpt').innerText])""")
        assert pairs and all(not excerpt.startswith(title) for title, excerpt in pairs), pairs
        assert no_sideways_scroll(page)
        page.screenshot(path=screenshots / f"newsroom-search-{width}-{scheme}.png", full_page=True)
        assert violations(page) == []
    finally:
        page.context.close()


FERRY = "2024/07/hybrid-ferry-skerrin/"
"""An article whose lead image is a local photo."""
SCHOOL = "2023/01/millrace-school-opens/"
"""Its lead photo is stored landscape with an EXIF rotation: readers see it upright, in portrait."""


@pytest.mark.parametrize("width", list(WIDTHS))
def test_photos_load_as_webp_at_their_reserved_size_upright_and_captioned(browser, site, screenshots, width):
    page = opened(browser, site + FERRY, width, "light")
    try:
        lead = page.locator(".lead-image img")
        lead.evaluate("img => img.decode()")
        shown = lead.evaluate("""img => ({src: img.currentSrc, natural: img.naturalWidth, w: img.width,
            ratio: img.width / img.height, declared: img.getAttribute('width') / img.getAttribute('height'),
            priority: img.getAttribute('fetchpriority'), lazy: img.getAttribute('loading')})""")
        assert shown["src"].endswith(".webp") and shown["natural"] >= shown["w"] > 0
        assert abs(shown["ratio"] - shown["declared"]) < 0.01  # the space reserved is the photo's shape
        assert shown["priority"] == "high" and shown["lazy"] is None
        assert page.locator(".lead-image figcaption").inner_text().startswith("The Skerrin Lass on her first")
        assert no_sideways_scroll(page)
        page.screenshot(path=screenshots / f"newsroom-photo-{width}.png", full_page=True)
        page.goto(site + SCHOOL)
        school = page.locator(".lead-image img")
        school.evaluate("img => img.decode()")
        assert school.evaluate("img => img.naturalHeight > img.naturalWidth")
        front = opened(browser, site, width, "light")
        thumbs = front.locator(".teaser .thumb img")
        assert thumbs.count() >= 1 and all(t.get_attribute("loading") == "lazy" for t in thumbs.all())
        front.context.close()
    finally:
        page.context.close()
