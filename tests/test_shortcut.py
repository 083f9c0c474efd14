"""sitegen.shortcut: the digest of input stats, the clock range, and the decision."""
from __future__ import annotations

import os
from datetime import UTC, datetime

from sitegen.shortcut import State, input_digest, published_range, unchanged

OLD_NS = 1_000_000_000 * 1_000_000_000
NOW_NS = 2_000_000_000 * 1_000_000_000


def write(path, text: str, mtime_ns: int = OLD_NS) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.utime(path, ns=(mtime_ns, mtime_ns))


def test_digest_follows_names_sizes_and_mtimes(tmp_path):
    write(tmp_path / "a/x.md", "one")
    first = input_digest("k", [tmp_path / "a", tmp_path / "missing"], NOW_NS)
    assert first == input_digest("k", [tmp_path / "a", tmp_path / "missing"], NOW_NS)
    assert first != input_digest("other key", [tmp_path / "a"], NOW_NS)
    write(tmp_path / "a/x.md", "two", OLD_NS + 1)
    second = input_digest("k", [tmp_path / "a", tmp_path / "missing"], NOW_NS)
    assert second != first
    write(tmp_path / "a/sub/y.md", "new")
    assert input_digest("k", [tmp_path / "a", tmp_path / "missing"], NOW_NS) != second


def test_a_file_too_recent_to_trust_gives_no_digest(tmp_path):
    write(tmp_path / "x.md", "one", NOW_NS - 1_000_000_000)
    assert input_digest("k", [tmp_path], NOW_NS) is None
    assert input_digest("k", [tmp_path], NOW_NS + 1_000_000_000) is not None


def test_published_range():
    day = [datetime(2020, 1, d, tzinfo=UTC) for d in (1, 2, 3)]
    assert published_range(day[:2], day[2:]) == (day[1].timestamp(), day[2].timestamp())
    assert published_range([], []) == (float("-inf"), None)


def test_unchanged_needs_the_same_digest_and_a_clock_in_range():
    state = State("d", (100.0, 200.0), 1, 2, ())
    at = lambda t: datetime.fromtimestamp(t, UTC)
    assert unchanged(state, "d", at(100)) and unchanged(state, "d", at(199))
    assert not unchanged(state, "d", at(99)) and not unchanged(state, "d", at(200))
    assert not unchanged(state, "e", at(150)) and not unchanged(state, None, at(150))
    assert not unchanged(None, "d", at(150))
    assert unchanged(State("d", (float("-inf"), None), 1, 2, ()), "d", at(0))
