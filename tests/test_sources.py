"""sitegen.sources: content files become articles, parsed once and then reused from the store."""
from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from sitegen import sources
from sitegen.config import SiteConfig
from sitegen.reader import source_hash
from sitegen.shortcut import RACY_NS, read_inputs
from sitegen.store import ArticleStore
from tests.sitekit import FIXTURE, write_site

OLD_NS = 1_000_000_000 * 1_000_000_000  # 2001-09-09: far older than any read
KERRY = "2020/2020-10-23-kerry-urges.md"
BUDGET = "2019/2019-03-01-budget.md"
BROKEN = "---\ntitle: [unclosed\ndate: 2021-01-01\n---\nBody.\n"


def story(title: str, date: str = "2021-01-01", extra: str = "") -> str:
    return f"---\ntitle: {title}\ndate: {date}\n{extra}---\nA story about {title.lower()}.\n"


def put(content: Path, rel: str, text: str, mtime_ns: int = OLD_NS) -> Path:
    path = content / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(mtime_ns, mtime_ns))
    return path


def aged(root: Path) -> Path:
    """The site's content/ with every file dated far back, as files are between real builds."""
    content = root / "content"
    for path in content.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(OLD_NS, OLD_NS))
    return content


def read(content: Path, store: ArticleStore, jobs: int = 1, **kwargs) -> sources.Sources:
    return sources.read_sources(content, SiteConfig(), store, jobs, **kwargs)


def clock_at(monkeypatch: pytest.MonkeyPatch, now_ns: int) -> None:
    monkeypatch.setattr(sources, "time", SimpleNamespace(time_ns=lambda: now_ns))


def hashed_files(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The bytes of every file read_sources hashes from now on."""
    seen: list[bytes] = []

    def spy(raw: bytes) -> str:
        seen.append(raw)
        return source_hash(raw)

    monkeypatch.setattr(sources, "source_hash", spy)
    return seen


@pytest.fixture
def open_store(tmp_path):
    opened: list[ArticleStore] = []

    def make(name: str = "articles") -> ArticleStore:
        store = ArticleStore(tmp_path / "cache" / f"{name}.sqlite", "stamp")
        store.open()
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store) -> ArticleStore:
    return open_store()


@pytest.fixture
def content(tmp_path) -> Path:
    return aged(write_site(tmp_path / "site"))


def test_first_read_parses_and_stores_every_article(content, store):
    result = read(content, store)
    assert result.parsed == len(FIXTURE) and (result.errors, result.warnings) == ([], [])
    assert list(result.articles) == sorted(FIXTURE)
    index = store.index()
    assert {i: c.article for i, c in index.items()} == result.articles
    size = (content / KERRY).stat().st_size
    assert (index[KERRY].mtime_ns, index[KERRY].size) == (OLD_NS, size)
    assert store.html(KERRY).startswith("<p>US Secretary of State")


def test_second_read_of_an_unchanged_folder_parses_nothing(content, store):
    first = read(content, store)
    second = read(content, store)
    assert second.parsed == 0 and second.articles == first.articles
    assert (second.errors, second.warnings) == ([], [])


def test_an_edited_file_is_parsed_again_and_only_it(content, store):
    first = read(content, store)
    put(content, KERRY, story("Kerry urges again", "2020-10-23"), OLD_NS + 1)
    second = read(content, store)
    assert second.parsed == 1 and second.articles[KERRY].meta.title == "Kerry urges again"
    assert {i: a for i, a in second.articles.items() if i != KERRY} == \
        {i: a for i, a in first.articles.items() if i != KERRY}
    assert store.index()[KERRY].article.meta.title == "Kerry urges again"


def test_a_touched_file_is_not_parsed_but_its_new_stat_is_stored(content, store, monkeypatch):
    first = read(content, store)
    os.utime(content / KERRY, ns=(OLD_NS + 5, OLD_NS + 5))
    hashed = hashed_files(monkeypatch)
    second = read(content, store)
    assert second.parsed == 0 and second.articles == first.articles
    assert hashed == [(content / KERRY).read_bytes()]
    assert store.index()[KERRY].mtime_ns == OLD_NS + 5
    assert read(content, store).parsed == 0 and len(hashed) == 1


@pytest.mark.parametrize(("age", "checked"), [(0, True), (RACY_NS, True), (RACY_NS + 1, False)])
def test_only_a_file_modified_within_racy_ns_of_now_is_hashed(tmp_path, store, monkeypatch, age, checked):
    content = tmp_path / "content"
    put(content, "a.md", story("Harbour"), OLD_NS)
    read(content, store)
    clock_at(monkeypatch, OLD_NS + age)
    hashed = hashed_files(monkeypatch)
    assert read(content, store).parsed == 0
    assert hashed == ([(content / "a.md").read_bytes()] if checked else [])


def test_a_racy_file_rewritten_with_the_same_stat_is_parsed_again(tmp_path, store, monkeypatch):
    content = tmp_path / "content"
    clock_at(monkeypatch, OLD_NS + 1_000_000)
    put(content, "a.md", story("Harbour"), OLD_NS)
    read(content, store)
    put(content, "a.md", story("Volcano"), OLD_NS)
    clock_at(monkeypatch, OLD_NS + 2_000_000)
    result = read(content, store)
    assert result.parsed == 1 and result.articles["a.md"].meta.title == "Volcano"


def test_a_file_rewritten_in_its_racy_tick_is_seen_after_the_window(tmp_path, store, monkeypatch):
    content = tmp_path / "content"
    put(content, "a.md", story("Harbour"), OLD_NS)
    clock_at(monkeypatch, OLD_NS + 1_000_000)
    read(content, store)
    put(content, "a.md", story("Volcano"), OLD_NS)
    clock_at(monkeypatch, OLD_NS + 10 * RACY_NS)
    assert read(content, store).articles["a.md"].meta.title == "Volcano"


def test_a_touched_undated_draft_is_dated_by_its_new_mtime(tmp_path, store, open_store):
    content = tmp_path / "content"
    put(content, "draft.md", "---\ntitle: Unfinished\ndraft: true\n---\nNot ready.\n", OLD_NS)
    assert read(content, store).articles["draft.md"].meta.date == datetime.fromtimestamp(OLD_NS / 1e9, UTC)
    os.utime(content / "draft.md", ns=(2 * OLD_NS, 2 * OLD_NS))
    fresh = read(content, open_store("fresh"))
    assert fresh.articles["draft.md"].meta.date == datetime.fromtimestamp(2 * OLD_NS / 1e9, UTC)
    assert read(content, store).articles["draft.md"].meta.date == fresh.articles["draft.md"].meta.date


def test_a_deleted_file_leaves_the_result_and_the_store(content, store):
    read(content, store)
    (content / KERRY).unlink()
    result = read(content, store)
    assert KERRY not in result.articles and len(result.articles) == len(FIXTURE) - 1
    assert KERRY not in store.index() and result.parsed == 0
    with pytest.raises(KeyError):
        store.html(KERRY)


def test_bad_frontmatter_is_an_error_naming_file_and_line_and_the_rest_is_read(content, store):
    put(content, "2021/broken.md", BROKEN)
    result = read(content, store)
    assert [(e.path, e.line) for e in result.errors] == [("content/2021/broken.md", 2)]
    assert result.errors[0].message.startswith("invalid YAML frontmatter")
    assert list(result.articles) == sorted(FIXTURE) and set(store.index()) == set(FIXTURE)


def test_an_article_that_turns_invalid_leaves_the_store(content, store):
    read(content, store)
    put(content, BUDGET, BROKEN, OLD_NS + 1)
    result = read(content, store)
    assert [e.path for e in result.errors] == [f"content/{BUDGET}"]
    assert BUDGET not in result.articles and BUDGET not in store.index()


def test_hugo_section_pages_are_skipped_with_a_warning_and_other_files_ignored(content, store):
    put(content, "2020/_index.md", "---\ntitle: 2020\n---\n")
    put(content, "2020/photo.jpg", "not an image")
    put(content, "notes.txt", story("Notes"))
    put(content, "2020/long.markdown", story("Long form"))
    result = read(content, store)
    assert [(w.path, w.line) for w in result.warnings] == [("content/2020/_index.md", None)]
    assert "_index.md" in result.warnings[0].message and "skipped" in result.warnings[0].message
    assert set(result.articles) == set(FIXTURE) | {"2020/long.markdown"}
    assert result.parsed == len(FIXTURE) + 1 and set(store.index()) == set(result.articles)


def test_article_warnings_are_reported_under_content(tmp_path, store):
    content = tmp_path / "content"
    put(content, "2021/liquid.md", story("Liquid") + "\n{% include x.html %}\n")
    result = read(content, store)
    assert [(w.path, w.line) for w in result.warnings] == [("content/2021/liquid.md", 7)]
    assert "Liquid tag" in result.warnings[0].message and "2021/liquid.md" in result.articles


def test_a_file_that_vanished_after_listing_is_an_error(content, store):
    read(content, store)
    listing = [("2020/gone.md", OLD_NS, 10), (KERRY, OLD_NS + 1, 10)]
    (content / KERRY).unlink()
    result = read(content, store, listing=listing)
    assert [(e.path, e.line) for e in result.errors] == [(f"content/{KERRY}", None),
                                                         ("content/2020/gone.md", None)]
    assert all(e.message == "cannot read the file: No such file or directory" for e in result.errors)
    assert result.articles == {} and store.index() == {}


def test_parallel_reads_give_the_same_articles_as_a_serial_one(content, open_store, monkeypatch):
    monkeypatch.setattr(sources, "PARSE_CHUNK", 2)
    for n in range(5):
        put(content, f"2022/story-{n}.md", story(f"Story {n}", f"2022-01-0{n + 1}"))
    put(content, "2022/broken.md", BROKEN)
    serial_store, parallel_store = open_store("serial"), open_store("parallel")
    calls: list[tuple[str, int, int]] = []
    serial = read(content, serial_store)
    parallel = read(content, parallel_store, jobs=2, progress=lambda *call: calls.append(call))
    total = len(FIXTURE) + 6
    assert parallel.parsed == serial.parsed == total and len(parallel.articles) == total - 1
    assert parallel.articles == serial.articles
    assert (parallel.errors, parallel.warnings) == (serial.errors, serial.warnings)
    assert [e.path for e in parallel.errors] == ["content/2022/broken.md"]
    assert calls == [("parse", n, total) for n in (2, 4, 6, 8, 10, 12)]
    assert parallel_store.index() == serial_store.index()
    assert all(parallel_store.html(i) == serial_store.html(i) for i in parallel.articles)


def test_a_given_listing_gives_the_same_result_as_walking_the_folder(content, open_store):
    put(content, "2020/_index.md", "---\ntitle: 2020\n---\n")
    put(content, "2020/photo.jpg", "not an image")
    put(content, "2021/broken.md", BROKEN)
    listing = read_inputs("key", [content], time.time_ns()).listings[content]
    assert ("2020/photo.jpg", OLD_NS, 12) in listing
    walked = read(content, open_store("walked"))
    given = read(content, open_store("given"), listing=listing)
    assert given == walked and given.parsed == len(FIXTURE) + 1
    assert [e.path for e in given.errors] == ["content/2021/broken.md"]
