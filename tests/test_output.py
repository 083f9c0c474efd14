"""sitegen.output: staged writes, publishing that touches only what changed, and the build manifest."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from sitegen.errors import SiteError
from sitegen.output import (
    Manifest,
    Staging,
    existing_files,
    folder_times,
    load_manifest,
    present_files,
    save_manifest,
)
from sitegen.shortcut import State

OLD_NS = 1_000_000_000 * 1_000_000_000  # 2001-09-09: clearly not "now"


def stage(output: Path, files: dict[str, bytes]) -> Staging:
    staging = Staging(output)
    for rel, data in files.items():
        staging.write(rel, data)
    return staging


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def age(path: Path) -> int:
    os.utime(path, ns=(OLD_NS, OLD_NS))
    return path.stat().st_mtime_ns


def test_staging_lives_beside_the_output(tmp_path):
    staging = Staging(tmp_path / "public")
    assert staging.root.parent == tmp_path
    assert staging.root.name.startswith(".public.staging-")
    assert staging.root.is_dir()
    staging.discard()
    assert not staging.root.exists()


def test_publish_into_a_fresh_folder_renames_the_staging(tmp_path):
    output = tmp_path / "public"
    staging = stage(output, {"index.html": b"home", "2020/10/a/index.html": b"A"})
    assert staging.publish(["index.html", "2020/10/a/index.html"], set()) == (2, 0)
    assert tree(output) == {"2020/10/a/index.html": b"A", "index.html": b"home"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


def test_publish_into_an_existing_folder_replaces_only_changed_files(tmp_path):
    output = tmp_path / "public"
    stage(output, {"same.html": b"same", "changed.html": b"old", "stale.html": b"x", "gone/deep/old.html": b"o",
                   "kept/other.html": b"k"}).publish(
        ["same.html", "changed.html", "stale.html", "gone/deep/old.html", "kept/other.html"], set())
    same_ns = age(output / "same.html")
    changed_ns = age(output / "changed.html")

    staging = stage(output, {"same.html": b"same", "changed.html": b"new", "added/page.html": b"+"})
    changed, removed = staging.publish(["same.html", "changed.html", "added/page.html"],
                                       {"stale.html", "gone/deep/old.html"})

    assert (changed, removed) == (2, 2)
    assert tree(output) == {"added/page.html": b"+", "changed.html": b"new", "kept/other.html": b"k",
                            "same.html": b"same"}
    assert (output / "same.html").stat().st_mtime_ns == same_ns
    assert (output / "changed.html").stat().st_mtime_ns != changed_ns
    assert not (output / "gone").exists(), "empty folders left by stale files are pruned"
    assert (output / "kept").is_dir()
    assert not staging.root.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


def test_same_size_different_bytes_is_replaced(tmp_path):
    output = tmp_path / "public"
    stage(output, {"a.html": b"aaaa"}).publish(["a.html"], set())
    assert stage(output, {"a.html": b"bbbb"}).publish(["a.html"], set()) == (1, 0)
    assert (output / "a.html").read_bytes() == b"bbbb"


def test_pruning_stops_at_a_folder_that_still_has_files(tmp_path):
    output = tmp_path / "public"
    stage(output, {"tags/a/index.html": b"a", "tags/b/index.html": b"b"}).publish(
        ["tags/a/index.html", "tags/b/index.html"], set())
    assert stage(output, {}).publish([], {"tags/a/index.html"}) == (0, 1)
    assert tree(output) == {"tags/b/index.html": b"b"}
    assert not (output / "tags" / "a").exists()


def test_stale_paths_outside_the_output_are_ignored(tmp_path):
    output = tmp_path / "public"
    (tmp_path / "precious.txt").write_bytes(b"keep")
    stage(output, {"a.html": b"a"}).publish(["a.html"], set())
    assert stage(output, {}).publish([], {"../precious.txt", "missing.html"}) == (0, 0)
    assert (tmp_path / "precious.txt").read_bytes() == b"keep"


def test_a_folder_in_the_way_of_a_file_is_replaced(tmp_path):
    output = tmp_path / "public"
    stage(output, {"thing/index.html": b"dir"}).publish(["thing/index.html"], set())
    assert stage(output, {"thing": b"file"}).publish(["thing"], {"thing/index.html"}) == (1, 1)
    assert tree(output) == {"thing": b"file"}


def test_a_stale_file_in_the_way_of_a_folder_is_replaced(tmp_path):
    output = tmp_path / "public"
    stage(output, {"2020/story": b"old"}).publish(["2020/story"], set())
    staging = stage(output, {"2020/story/index.html": b"new"})
    assert staging.publish(["2020/story/index.html"], {"2020/story"}) == (1, 1)
    assert tree(output) == {"2020/story/index.html": b"new"}


@pytest.mark.parametrize("rel", ["../x", "a/../../x", "/etc/passwd", "a\\..\\x", ""])
def test_write_refuses_paths_outside_the_output(tmp_path, rel):
    staging = Staging(tmp_path / "public")
    with pytest.raises(ValueError) as info:
        staging.write(rel, b"x")
    assert str(info.value) == f"refusing to write outside the output folder: {rel!r}"
    assert not (tmp_path / "x").exists()
    staging.discard()


def test_existing_files(tmp_path):
    output = tmp_path / "public"
    assert existing_files(output) == set()
    (output / "a" / "b").mkdir(parents=True)
    (output / "a" / "b" / "index.html").write_text("x")
    (output / "root.xml").write_text("x")
    assert existing_files(output) == {"a/b/index.html", "root.xml"}


# --- manifest ---------------------------------------------------------------------------------------------


def test_manifest_round_trip(tmp_path):
    path = tmp_path / ".cache" / "manifest.json"
    state = State("digest", (("/site/content/a.md", "ab12"),), (1.5e9, None), 3, 2, (SiteError("content/a.md", "odd", 4), SiteError("x", "y")))
    manifest = Manifest({"index.html": "k1", "a/index.html": "k2"}, state, {"": 12, "a": 34})
    save_manifest(path, "stamp-1", manifest)
    assert load_manifest(path, "stamp-1") == manifest
    assert not path.with_suffix(".tmp").exists()


def test_manifest_with_another_stamp_is_ignored(tmp_path):
    path = tmp_path / "manifest.json"
    save_manifest(path, "stamp-1", Manifest({"index.html": "k1"}))
    assert load_manifest(path, "stamp-2") == Manifest()


@pytest.mark.parametrize("content", ["not json", "[1, 2]", '{"stamp": "s"}', '{"stamp": "s", "pages": [1]}', ""])
def test_broken_manifest_is_ignored(tmp_path, content):
    path = tmp_path / "manifest.json"
    path.write_text(content)
    assert load_manifest(path, "s") == Manifest()


def test_manifest_with_a_broken_state_or_folders_keeps_its_pages(tmp_path):
    path = tmp_path / "manifest.json"
    path.write_text('{"stamp": "s", "pages": {"a": "1"}, "state": {"inputs": "d"}, "folders": {"": "x"}}')
    assert load_manifest(path, "s") == Manifest({"a": "1"})


def test_missing_manifest(tmp_path):
    assert load_manifest(tmp_path / "nope.json", "s") == Manifest()


def test_manifest_file_format(tmp_path):
    path = tmp_path / "m.json"
    save_manifest(path, "s", Manifest({"b": "2", "a": "1"}, None, {"": 5}))
    assert json.loads(path.read_text()) == {"stamp": "s", "pages": {"a": "1", "b": "2"}, "state": None,
                                            "folders": {"": 5}}


# --- which published files are still there ---------------------------------------------------------------

PAGES = {"index.html": "k", "feed.xml": "k", "2020/story/index.html": "k", "2020/index.html": "k"}


def published(tmp_path) -> tuple[Path, Manifest]:
    output = tmp_path / "public"
    for rel in PAGES:
        (output / rel).parent.mkdir(parents=True, exist_ok=True)
        (output / rel).write_text(rel)
    return output, Manifest(PAGES, None, folder_times(output, PAGES, {}, PAGES))


def test_present_files_without_a_record_walks_the_output(tmp_path):
    output, _ = published(tmp_path)
    (output / "extra.txt").write_text("x")
    assert present_files(output, Manifest(PAGES)) == (set(PAGES) | {"extra.txt"}, {})


def test_present_files_finds_what_was_removed_or_replaced(tmp_path):
    output, manifest = published(tmp_path)
    assert present_files(output, manifest) == (set(PAGES), manifest.folders)
    (output / "2020" / "story" / "index.html").unlink()
    (output / "unrelated.txt").write_text("x")
    (output / "feed.xml").unlink()
    (output / "feed.xml").mkdir()
    present, times = present_files(output, manifest)
    assert present == {"index.html", "2020/index.html"}
    assert times["2020/story"] != manifest.folders["2020/story"] and times[""] != manifest.folders[""]
    shutil.rmtree(output / "2020")
    assert present_files(output, manifest)[0] == {"index.html"}


def test_present_files_trusts_a_folder_whose_mtime_is_as_recorded(tmp_path):
    """The mechanism, shown by hiding a removal from it: entries are listed only where the mtime moved."""
    output, manifest = published(tmp_path)
    (output / "2020" / "index.html").unlink()
    os.utime(output / "2020", ns=(manifest.folders["2020"], manifest.folders["2020"]))
    assert "2020/index.html" in present_files(output, manifest)[0]


def test_folder_times_restat_touched_folders_and_their_parents(tmp_path):
    output, manifest = published(tmp_path)
    known = {folder: 1 for folder in manifest.folders}
    assert folder_times(output, PAGES, known, []) == known
    times = folder_times(output, PAGES, known, ["2020/story/index.html"])
    assert times == {"": manifest.folders[""], "2020": manifest.folders["2020"],
                     "2020/story": manifest.folders["2020/story"]}
    assert folder_times(output, ["gone/index.html"], {}, []) == {}
