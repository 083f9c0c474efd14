"""Watch mode: debounced rebuilds that survive errors, with the edited article written first."""
from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

from sitegen.session import BuildOptions
from sitegen.watch import Watcher
from tests.sitekit import build_site, snapshot, write_site

KERRY = "content/2020/2020-10-23-kerry-urges.md"
PAGE = "2020/10/kerry-urges/index.html"
WAIT = 20  # seconds: a bound for a hung watcher, not a speed expectation


class Recorder:
    """Collects what the watcher reports and lets a test wait for the next build or failure."""

    def __init__(self):
        self.lines: list[str] = []
        self.failures: list[str] = []
        self.event = threading.Event()

    def built(self, result):
        self.event.set()

    def failed(self, text):
        self.failures.append(text)
        self.event.set()

    def wait(self):
        assert self.event.wait(WAIT), "the watcher did not rebuild"
        self.event.clear()


@pytest.fixture
def watched(tmp_path):
    root = write_site(tmp_path / "site")
    recorder = Recorder()
    watcher = Watcher(BuildOptions(source=root, output=root / "output", jobs=1), report=recorder.lines.append,
                      on_built=recorder.built, on_failed=recorder.failed)
    watcher.start()
    recorder.wait()
    yield root, watcher, recorder
    watcher.stop()


def test_an_edit_rebuilds_and_ends_equal_to_a_clean_build(watched, tmp_path):
    root, _, recorder = watched
    path = root / KERRY
    path.write_text(path.read_text() + "\nA paragraph written in watch mode.\n")
    recorder.wait()
    assert "A paragraph written in watch mode." in (root / "output" / PAGE).read_text()
    clean = tmp_path / "clean"
    shutil.copytree(root / "content", clean / "content")
    build_site(clean)
    assert snapshot(root / "output") == snapshot(clean / "output")
    assert any(line.startswith("content/2020/2020-10-23-kerry-urges.md: ") for line in recorder.lines)


def test_a_broken_file_keeps_the_last_good_site_and_the_next_save_recovers(watched):
    root, _, recorder = watched
    before = snapshot(root / "output")
    path = root / KERRY
    good = path.read_text()
    path.write_text(good.replace("title: Kerry urges Moscow to rein in Damascus", "title: [unclosed"))
    recorder.wait()
    assert recorder.failures and recorder.failures[-1].startswith("content/2020/2020-10-23-kerry-urges.md:2: ")
    assert snapshot(root / "output") == before
    path.write_text(good.replace("Kerry urges", "Kerry presses"))
    recorder.wait()
    assert "Kerry presses" in (root / "output" / PAGE).read_text()


def test_the_edited_article_page_is_written_before_the_full_build(tmp_path):
    root = write_site(tmp_path / "site")
    lines: list[str] = []
    watcher = Watcher(BuildOptions(source=root, output=root / "output", jobs=1), report=lines.append)
    watcher.rebuild(set())
    path = root / KERRY
    path.write_text(path.read_text() + "\nMore.\n")
    before = len(lines)
    watcher.rebuild({path.resolve()})
    watcher.stop()  # the search thread may report after the rebuild's line
    assert any("(edited page on disk in" in line for line in lines[before:])


def test_only_site_inputs_are_relevant(tmp_path):
    root = write_site(tmp_path / "site")
    watcher = Watcher(BuildOptions(source=root, output=root / "output"))
    site = root.resolve()
    assert watcher.relevant(site / KERRY)
    assert watcher.relevant(site / "templates/base.html")
    assert watcher.relevant(site / "site.toml")
    for ignored in ("output/index.html", ".sitegen-cache/articles.sqlite", "content/.story.md.swp",
                    "content/story.md~", "content/#story.md#", "README.md", ".output.staging-1/x.html"):
        assert not watcher.relevant(site / ignored), ignored
    assert not watcher.relevant(Path("/elsewhere/content/x.md"))
    watcher.stop()


def test_a_save_during_a_build_is_on_disk_before_that_build_ends(watched, tmp_path):
    root, watcher, recorder = watched
    entered, release = threading.Event(), threading.Event()
    build = watcher.session.build

    def held_build():
        entered.set()
        assert release.wait(WAIT)
        return build()

    watcher.session.build = held_build
    other = root / "content/2019/2019-03-01-budget.md"
    other.write_text(other.read_text() + "\nAnother paragraph.\n")
    assert entered.wait(WAIT), "no build started"
    path = root / KERRY
    path.write_text(path.read_text().replace("Moscow to rein", "Moscow again to rein"))
    page, deadline = root / "output" / PAGE, time.monotonic() + WAIT
    while "Moscow again to rein" not in page.read_text() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert "Moscow again to rein" in page.read_text() and not release.is_set()
    release.set()
    recorder.wait()  # the held build
    recorder.wait()  # the one the save left pending
    clean = tmp_path / "clean"
    shutil.copytree(root / "content", clean / "content")
    build_site(clean)
    assert snapshot(root / "output") == snapshot(clean / "output")
    assert any(line.endswith("during a build") for line in recorder.lines)
