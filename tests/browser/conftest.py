"""Browser tests: the example site, built once, opened in Debian's Chromium through Playwright.

They are skipped, with one line saying why, where Chromium, Playwright or axe-core is missing (`.ci/run`
installs all three). Playwright never downloads a browser here: it drives /usr/bin/chromium."""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from sitegen.session import BuildOptions, build

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent
CHROMIUM = Path(os.environ.get("SITEGEN_CHROMIUM", "/usr/bin/chromium"))
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SUBPATH = "/archive/"
_screenshots: list[Path] = []


def missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not CHROMIUM.is_file():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "Playwright is not installed (pip install -e '.[test]')"
    if not AXE.is_file():
        return f"axe-core is not installed (npm ci --prefix {HERE.relative_to(REPO)})"
    return None


def pytest_collection_modifyitems(config, items) -> None:
    reason = missing()
    if reason:
        for item in items:
            if HERE in item.path.parents:
                item.add_marker(pytest.mark.skip(reason=reason))


def pytest_terminal_summary(terminalreporter) -> None:
    reason = missing()
    if reason and terminalreporter.stats.get("skipped"):
        terminalreporter.write_line(f"skipped the browser tests: {reason}")
    if _screenshots:
        terminalreporter.write_line(f"browser screenshots: {_screenshots[0]}")


def copy_site(target: Path) -> Path:
    """The repository's example site (content and site.toml; its theme is the package's)."""
    shutil.copytree(REPO / "content", target / "content")
    shutil.copy(REPO / "site.toml", target / "site.toml")
    return target


class StaticHost:
    """A plain static file server on loopback, as a static host would serve the built site."""

    def __init__(self, root: Path, base_path: str = "/"):
        handler = partial(_QuietHandler, directory=str(root))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{base_path}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass


@pytest.fixture(scope="session")
def example(tmp_path_factory) -> Path:
    """The source folder of a copy of the example site."""
    return copy_site(tmp_path_factory.mktemp("example"))


@pytest.fixture(scope="session")
def site(example, tmp_path_factory) -> Iterator[str]:
    """URL of the example site built for `/` and served statically."""
    output = tmp_path_factory.mktemp("root-host") / "site"
    build(BuildOptions(source=example, output=output, base_url="/"))
    host = StaticHost(output)
    yield host.url
    host.stop()


@pytest.fixture(scope="session")
def subpath_site(example, tmp_path_factory) -> Iterator[str]:
    """URL of the example site built for SUBPATH, served from that folder of a host."""
    root = tmp_path_factory.mktemp("subpath-host")
    build(BuildOptions(source=example, output=root / SUBPATH.strip("/"), base_url=SUBPATH))
    host = StaticHost(root, SUBPATH)
    yield host.url
    host.stop()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """One fixed folder, emptied per run, so the latest screenshots are always in the same place."""
    folder = Path(os.environ.get("SITEGEN_SCREENSHOTS", Path(tempfile.gettempdir()) / "sitegen-browser-screenshots"))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    _screenshots.append(folder)
    return folder


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield chromium
        chromium.close()


LOCAL = re.compile(r"^http://127\.0\.0\.1[:/]")


class Console:
    """Console errors and uncaught exceptions of one page; failed loads count only for the site's own files
    (the example articles embed images from other hosts, which the tests never fetch)."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("console", self._message)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _message(self, message) -> None:
        where = message.location.get("url", "")
        if message.type == "error" and (LOCAL.match(where) or not where.startswith("http")):
            self.errors.append(f"{message.text} ({where})")


def open_page(browser, **context):
    """A fresh page (own context) with its console recorded on `page.console`."""
    ctx = browser.new_context(viewport=context.pop("viewport", {"width": 1280, "height": 900}), **context)
    ctx.route(lambda url: not LOCAL.match(url), lambda route: route.abort())  # no network beyond loopback
    page = ctx.new_page()
    page.console = Console(page)
    page.set_default_timeout(15_000)  # a bound for a hung page, not a speed expectation
    return page


@pytest.fixture
def page(browser):
    page = open_page(browser)
    yield page
    page.context.close()


@pytest.fixture
def dark_page(browser):
    page = open_page(browser, color_scheme="dark")
    yield page
    page.context.close()


@pytest.fixture
def phone_page(browser):
    page = open_page(browser, viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True,
                     has_touch=True)
    yield page
    page.context.close()
