"""sitegen.files: listing input folders safely."""
from __future__ import annotations

from sitegen.files import list_files


def test_lists_files_sorted_and_relative(tmp_path):
    (tmp_path / "2020" / "10").mkdir(parents=True)
    (tmp_path / "2020" / "10" / "a.md").write_text("x")
    (tmp_path / "b.md").write_text("x")
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "folder.md").mkdir()
    assert list_files(tmp_path) == ["2020/10/a.md", "b.md", "notes.txt"]


def test_skips_hidden_and_editor_files(tmp_path):
    for name in ("a.md", ".a.md.swp", ".#a.md", "#a.md#", "a.md~", "x.tmp", ".hidden"):
        (tmp_path / name).write_text("x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config.md").write_text("x")
    assert list_files(tmp_path) == ["a.md"]


def test_symlinks_leading_outside_are_not_followed(tmp_path):
    content, outside = tmp_path / "content", tmp_path / "outside"
    content.mkdir()
    outside.mkdir()
    (outside / "secret.md").write_text("x")
    (content / "a.md").write_text("x")
    (content / "leak.md").symlink_to(outside / "secret.md")
    (content / "leakdir").symlink_to(outside, target_is_directory=True)
    (content / "inner.md").symlink_to(content / "a.md")
    assert list_files(content) == ["a.md", "inner.md"]


def test_missing_folder_is_empty(tmp_path):
    assert list_files(tmp_path / "nope") == []
