"""Searching the built example site with Pagefind's UI: from the header box, under a subpath, with filters."""
from __future__ import annotations

import re
from datetime import datetime

from tests.browser.conftest import SUBPATH

DREDGING = "2022/03/gull-point-dredging-begins/"
DREDGING_TITLE = "Dredgers move in at Gull Point as quay work finally begins"


SETTLED = """([query, fewer]) => {
    const said = document.querySelector(".pagefind-ui__message")?.textContent.match(/^(\\d+) results? for (.*)$/);
    if (!said || said[2].trim() !== query || +said[1] >= fewer) return false;
    const shown = document.querySelectorAll(".pagefind-ui__result").length;
    return shown === Math.min(+said[1], 5) && !document.querySelector(".pagefind-ui__loading") && +said[1];
}"""
"""Pagefind's UI shows results 5 at a time, each first as a loading placeholder: wait for the whole first page
of results for `query`, fewer than `fewer` of them; the value is how many results were found."""


def results(page, query: str, fewer: int = 10**9) -> tuple[int, list[tuple[str, str]]]:
    """(number of results, [(title, href) of the results shown]) once the results for `query` have arrived."""
    found = page.wait_for_function(SETTLED, arg=[query, fewer]).json_value()
    links = page.locator(".pagefind-ui__result-inner > .pagefind-ui__result-title > a")  # not sub-results
    return found, [(link.inner_text(), link.get_attribute("href")) for link in links.all()]


def dates(page) -> list[str]:
    return [t.removeprefix("Date: ") for t in page.locator(".pagefind-ui__result-tag").all_inner_texts()]


def test_header_box_finds_an_article_by_a_word_of_its_body_under_a_subpath(page, subpath_site, screenshots):
    assert subpath_site.endswith(SUBPATH)
    page.goto(subpath_site)
    page.get_by_role("searchbox", name="Search the archive").fill("hopper")  # only in the body of one article
    page.get_by_role("searchbox", name="Search the archive").press("Enter")
    assert page.url == subpath_site + "search/?q=hopper"
    assert results(page, "hopper") == (1, [(DREDGING_TITLE, SUBPATH + DREDGING)])
    assert dates(page) == ["21 March 2022"]
    assert page.locator(".pagefind-ui__result-excerpt mark").first.inner_text().casefold() == "hopper"
    assert page.locator(".pagefind-ui__search-input").input_value() == "hopper"
    page.screenshot(path=screenshots / "search.png", full_page=True)
    page.get_by_role("link", name=DREDGING_TITLE).click()
    assert page.url == subpath_site + DREDGING
    assert page.locator("h1").inner_text() == DREDGING_TITLE
    assert page.console.errors == []


def test_search_page_typing_searches(page, site):
    page.goto(site + "search/")
    box = page.locator(".pagefind-ui__search-input")
    box.fill("dredging")
    assert (DREDGING_TITLE, "/" + DREDGING) in results(page, "dredging")[1]
    assert page.console.errors == []


def test_year_filter_narrows_the_results(page, site):
    page.goto(site + "search/?q=harbour")
    everything, _ = results(page, "harbour")
    page.locator(".pagefind-ui__filter-name", has_text="Year").click()
    page.get_by_label(re.compile(r"^2019 \(")).check()
    narrowed, shown = results(page, "harbour", fewer=everything)
    assert narrowed >= 1 and len(shown) == min(narrowed, 5)
    assert dates(page) and all(d.endswith(" 2019") for d in dates(page))


def test_tag_filter_keeps_only_articles_with_the_tag(page, site):
    page.goto(site + "tags/elections/")
    tagged = set(page.locator(".article-list h2 a").all_inner_texts())
    page.goto(site + "search/?q=council")
    everything, _ = results(page, "council")
    page.locator(".pagefind-ui__filter-name", has_text="Tag").click()
    page.get_by_label(re.compile(r"^Elections \(")).check()
    _, shown = results(page, "council", fewer=everything)
    assert shown and {title for title, _ in shown} <= tagged


def shown_days(page) -> list[datetime]:
    return [datetime.strptime(d, "%d %B %Y") for d in dates(page)]


def test_a_query_finds_stories_from_the_oldest_and_the_newest_year(page, site):
    page.goto(site + "search/?q=harbour")
    results(page, "harbour")
    page.locator(".pagefind-ui__filter-name", has_text="Year").click()
    years = page.locator(".pagefind-ui__filter-label").all_inner_texts()
    assert {"2019", "2024"} <= {y.split(" (")[0] for y in years if not y.endswith("(0)")}  # shards at both ends


def test_newest_first_orders_results_across_shards(page, site):
    page.goto(site + "search/?q=harbour&sort=newest")
    assert page.get_by_label("Order").input_value() == "newest"
    found, _ = results(page, "harbour")
    days = shown_days(page)
    assert found > 5 and len(days) == 5 and days == sorted(days, reverse=True) and days[0].year == 2024
    page.get_by_label("Order").select_option("relevance")
    assert "sort=" not in page.url
    assert results(page, "harbour")[0] == found
