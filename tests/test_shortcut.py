"""sitegen.shortcut: the digest of input stats, the clock range, and the decision."""
from __future__ import annotations

import os
from datetime import UTC, datetime

from sitegen.shortcut import Inputs, State, published_range, read_inputs, unchanged

OLD_NS = 1_000_000_000 * 1_000_000_000
NOW_NS = 2_000_000_000 * 1_000_000_000


def write(path, text: str, mtime_ns: int = OLD_NS) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.utime(path, ns=(mtime_ns, mtime_ns))


def digest(key: str, roots: list) -> str:
    inputs = read_inputs(key, roots, NOW_NS)
    assert inputs is not None and inputs.racy == ()
    return inputs.digest


def test_digest_follows_names_sizes_and_mtimes(tmp_path):
    write(tmp_path / "a/x.md", "one")
    first = digest("k", [tmp_path / "a", tmp_path / "missing"])
    assert first == digest("k", [tmp_path / "a", tmp_path / "missing"])
    assert first != digest("other key", [tmp_path / "a"])
    write(tmp_path / "a/x.md", "two", OLD_NS + 1)
    second = digest("k", [tmp_path / "a", tmp_path / "missing"])
    assert second != first
    write(tmp_path / "a/sub/y.md", "new")
    assert digest("k", [tmp_path / "a", tmp_path / "missing"]) != second


def test_files_too_recent_to_trust_their_stat_are_listed_with_their_bytes_digest(tmp_path):
    write(tmp_path / "old.md", "old")
    write(tmp_path / "x.md", "one", NOW_NS - 1_000_000_000)
    inputs = read_inputs("k", [tmp_path], NOW_NS)
    assert inputs is not None and [p for p, _ in inputs.racy] == [str(tmp_path / "x.md")]
    assert read_inputs("k", [tmp_path], NOW_NS + 1_000_000_000).racy == ()


def test_a_racy_file_must_still_hold_the_bytes_the_build_saw(tmp_path):
    path = tmp_path / "x.md"
    write(path, "one", NOW_NS)
    inputs = read_inputs("k", [tmp_path], NOW_NS)
    state = State(inputs.digest, inputs.racy, (0.0, None), 1, 1, ())
    at = datetime.fromtimestamp(10, UTC)
    assert unchanged(state, inputs, at)
    write(path, "two", NOW_NS)  # same size, same mtime: only the bytes tell
    assert read_inputs("k", [tmp_path], NOW_NS).digest == inputs.digest
    assert not unchanged(state, inputs, at)
    path.unlink()
    assert not unchanged(state, inputs, at)


def test_published_range():
    day = [datetime(2020, 1, d, tzinfo=UTC) for d in (1, 2, 3)]
    assert published_range(day[:2], day[2:]) == (day[1].timestamp(), day[2].timestamp())
    assert published_range([], []) == (float("-inf"), None)


def test_unchanged_needs_the_same_digest_and_a_clock_in_range():
    state = State("d", (), (100.0, 200.0), 1, 2, ())
    same, other = Inputs("d", ()), Inputs("e", ())
    at = lambda t: datetime.fromtimestamp(t, UTC)
    assert unchanged(state, same, at(100)) and unchanged(state, same, at(199))
    assert not unchanged(state, same, at(99)) and not unchanged(state, same, at(200))
    assert not unchanged(state, other, at(150)) and not unchanged(state, None, at(150))
    assert not unchanged(None, same, at(150))
    assert unchanged(State("d", (), (float("-inf"), None), 1, 2, ()), same, at(0))
