"""axe-core on the theme's main kinds of page, light and dark: no serious or critical violations."""
from __future__ import annotations

import pytest

from tests.browser.conftest import AXE, open_page

PAGES = {"front": "", "article": "2022/05/markdown-feature-tour/", "tag": "tags/harbour/",
         "search": "search/?q=harbour"}


def violations(page) -> list[str]:
    """Serious and critical axe-core violations, one line each with the elements concerned."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)")
    return [f"{v['id']} ({v['impact']}): {v['help']} — " + ", ".join(str(n["target"]) for n in v["nodes"][:5])
            for v in found if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize(("kind", "scheme"), [(kind, "light") for kind in PAGES] +
                         [("article", "dark"), ("search", "dark")])  # lists share the article's dark colours
def test_no_serious_accessibility_violations(browser, site, kind, scheme):
    page = open_page(browser, color_scheme=scheme)
    try:
        page.goto(site + PAGES[kind])
        if kind == "search":
            page.locator(".pagefind-ui__result-link").first.wait_for()
            page.locator(".pagefind-ui__filter-name", has_text="Year").click()  # the filters, open, are checked too
        assert violations(page) == []
    finally:
        page.context.close()
