"""`sitegen serve`'s parts together: the watcher rebuilds an edited article and the open page reloads itself."""
from __future__ import annotations

import pytest

from sitegen.serve import EVENTS, PreviewServer
from sitegen.session import BuildOptions
from sitegen.watch import Watcher
from tests.browser.conftest import copy_site

ARTICLE = "content/2022/2022-03-21-gull-point-dredging-begins.md"
PAGE = "2022/03/gull-point-dredging-begins/"
WAIT = 20_000  # ms: a bound for a hung watcher or page, not a speed expectation


@pytest.fixture
def preview(tmp_path):
    source = copy_site(tmp_path / "site")
    output = tmp_path / "output"
    server = PreviewServer(output, "/", "127.0.0.1", port=0)
    watcher = Watcher(BuildOptions(source=source, output=output, base_url="/", jobs=1), report=lambda line: None,
                      on_built=lambda result: server.reload(), on_failed=server.show_error)
    watcher.start()  # the first build is done when this returns
    server.start()
    yield source, server
    watcher.stop()
    server.stop()


def test_saved_article_reloads_the_open_page(page, preview):
    source, server = preview
    with page.expect_response(lambda r: r.url.endswith(EVENTS)):  # the page is subscribed once this answers
        page.goto(server.url + PAGE)
    assert "fresh dredging text" not in page.locator(".article .body").inner_text()
    page.evaluate("window.beforeReload = true")
    path = source / ARTICLE
    with page.expect_navigation(timeout=WAIT):
        path.write_text(path.read_text(encoding="utf-8") + "\nThis is fresh dredging text.\n", encoding="utf-8")
    assert page.evaluate("window.beforeReload") is None
    assert "This is fresh dredging text." in page.locator(".article .body").inner_text()
    assert page.console.errors == []


def test_failed_build_shows_its_error_on_the_open_page(page, preview):
    source, server = preview
    with page.expect_response(lambda r: r.url.endswith(EVENTS)):
        page.goto(server.url + PAGE)
    path = source / ARTICLE
    good = path.read_text(encoding="utf-8")
    path.write_text("---\ntitle: [unclosed\n---\nBroken.\n", encoding="utf-8")
    error = page.locator("#sitegen-error")
    error.wait_for(timeout=WAIT)
    assert "2022/2022-03-21-gull-point-dredging-begins.md" in error.inner_text()
    with page.expect_navigation(timeout=WAIT):  # the next good save recovers: the page reloads, error gone
        path.write_text(good + "\nRecovered after the error.\n", encoding="utf-8")
    assert "Recovered after the error." in page.locator(".article .body").inner_text()
    assert page.locator("#sitegen-error").count() == 0
