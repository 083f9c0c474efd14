"""sitegen.session: serial, parallel and cached builds give the same bytes; the no-change shortcut."""
from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime

import pytest

from sitegen import phases, session, sources
from tests.sitekit import FIXTURE, build_site, snapshot, write_site

OLD_NS = 1_000_000_000 * 1_000_000_000  # 2001-09-09: far older than any build
FUTURE = "2099/2099-01-01-future.md"
MANY = {f"2021/2021-03-{n % 28 + 1:02d}-story-{n}.md": f"""\
    ---
    title: Story {n} on the {['harbour', 'council', 'ferry'][n % 3]}
    date: 2021-03-{n % 28 + 1:02d}T{n % 24:02d}:00:00+0{n % 3}:00
    tags: [{['port', 'politics', 'transport'][n % 3]}, town]
    ---
    Story {n}: the {['harbour', 'council', 'ferry'][n % 3]} met again and talked about [earlier](story-{n - 1}.md).
    """ for n in range(1, 40)}


def age(root) -> None:
    """Date every file of the site far back, as files are between real builds."""
    for folder, _, names in os.walk(root):
        for name in names:
            os.utime(os.path.join(folder, name), ns=(OLD_NS, OLD_NS))


def test_serial_parallel_and_cached_builds_are_byte_identical(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "PARSE_CHUNK", 4)  # small chunks: the fixture then really goes to workers
    monkeypatch.setattr(phases, "RENDER_CHUNK", 9)
    root = write_site(tmp_path / "site", {**FIXTURE, **MANY})
    serial = build_site(root, tmp_path / "serial", jobs=1, use_cache=False)
    parallel = build_site(root, tmp_path / "parallel", jobs=2, use_cache=False)
    build_site(root, tmp_path / "filling", jobs=2)
    cached = build_site(root, tmp_path / "cached", jobs=2)
    assert (serial.parsed, parallel.parsed, cached.parsed) == (len(FIXTURE) + len(MANY),) * 2 + (0,)
    assert serial.pages > 100
    expected = snapshot(tmp_path / "serial")
    assert snapshot(tmp_path / "parallel") == expected
    assert snapshot(tmp_path / "cached") == expected


@pytest.fixture
def aged(tmp_path):
    root = write_site(tmp_path / "site", config='title = "Aged"\n')
    age(root)
    build_site(root)
    return root


def test_a_build_with_nothing_changed_takes_the_shortcut(aged):
    before = snapshot(aged / "output")
    result = build_site(aged)
    assert result.shortcut and (result.written, result.changed, result.parsed) == (0, 0, 0)
    assert result.articles == len(FIXTURE) - 2 and result.pages == len(before)  # no draft, no future story
    assert snapshot(aged / "output") == before


def test_an_edited_file_with_an_old_mtime_is_still_seen(aged):
    path = aged / "content" / "2020" / "2020-10-23-kerry-urges.md"
    path.write_text(path.read_text().replace("Moscow to rein", "Moscow again to rein"))
    os.utime(path, ns=(OLD_NS + 1, OLD_NS + 1))
    result = build_site(aged)
    assert not result.shortcut and result.parsed == 1
    assert "Moscow again" in (aged / "output/2020/10/kerry-urges/index.html").read_text()


def test_a_deleted_output_file_is_written_again(aged):
    target = aged / "output/2020/10/kerry-urges/index.html"
    data = target.read_bytes()
    target.unlink()
    result = build_site(aged)
    assert not result.shortcut and result.written == 1 and target.read_bytes() == data


def test_a_deleted_output_folder_is_written_again(aged):
    before = snapshot(aged / "output")
    shutil.rmtree(aged / "output/tags")
    (aged / "output/index.html").unlink()
    assert build_site(aged).shortcut is False
    assert snapshot(aged / "output") == before
    assert build_site(aged).shortcut


def test_a_changed_option_or_setting_is_not_the_same_build(aged):
    assert build_site(aged, drafts=True).shortcut is False
    assert build_site(aged, drafts=True).shortcut
    (aged / "site.toml").write_text('title = "Renamed"\n')
    assert build_site(aged, drafts=True).shortcut is False


def test_the_clock_reaching_a_future_article_publishes_it(aged):
    now = datetime(2098, 12, 31, tzinfo=UTC)
    build_site(aged, now=now)
    assert build_site(aged, now=now).shortcut
    result = build_site(aged, now=datetime(2099, 1, 2, tzinfo=UTC))
    assert not result.shortcut and result.articles == len(FIXTURE) - 1  # all but the draft


def test_a_recently_modified_file_is_checked_by_its_bytes(aged):
    path = aged / "content" / "2020" / "2020-10-23-kerry-urges.md"
    path.touch()
    assert build_site(aged).shortcut is False
    assert build_site(aged).shortcut
    st = path.stat()
    path.write_text(path.read_text().replace("Moscow to rein", "Moscow ta rein"))  # same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert build_site(aged).shortcut is False
    assert "Moscow ta rein" in (aged / "output/2020/10/kerry-urges/index.html").read_text()


def test_the_shortcut_repeats_the_warnings(tmp_path):
    root = write_site(tmp_path / "site", {**FIXTURE, "2020/2020-12-01-pinned.md": """\
        ---
        title: Pinned
        date: 2020-12-01
        related: [no-such-story]
        ---
        Text.
        """})
    age(root)
    first = build_site(root)
    second = build_site(root)
    assert second.shortcut and second.warnings == first.warnings and len(first.warnings) == 1


def corrupt_the_middle(path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 3: 2 * len(data) // 3] = b"\x5a" * (2 * len(data) // 3 - len(data) // 3)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", ["garbage", "middle", "empty"])
def test_a_damaged_cache_is_discarded_with_a_notice_and_the_site_is_built_as_new(tmp_path, damage):
    root = write_site(tmp_path / "site", {**FIXTURE, **MANY})
    build_site(root)
    expected = snapshot(root / "output")
    cache = root / session.CACHE_DIR / "articles.sqlite"
    for leftover in cache.parent.glob("articles.sqlite-*"):  # the WAL, whose pages would mend the file
        leftover.unlink()
    if damage == "garbage":
        cache.write_bytes(b"not a database, just bytes " * 100)
    elif damage == "middle":
        corrupt_the_middle(cache)
    else:
        cache.write_bytes(b"")
    for page in (root / "output").rglob("*.html"):
        page.unlink()
    result = build_site(root)
    assert result.parsed == len(FIXTURE) + len(MANY)
    assert snapshot(root / "output") == expected
    if damage != "empty":
        assert any(str(cache) in n and "rebuilt it" in n for n in result.notices), result.notices
    assert build_site(root, shortcut=False).parsed == 0  # the rebuilt cache is trusted again


def test_a_cache_from_another_sitegen_is_discarded(tmp_path, monkeypatch):
    root = write_site(tmp_path / "site")
    build_site(root)
    monkeypatch.setattr(session, "engine_digest", lambda: "another-version")
    result = build_site(root)
    assert result.parsed == len(FIXTURE) and result.written == result.pages
