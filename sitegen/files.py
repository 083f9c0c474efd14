"""Listing a site's input folders: relative POSIX paths, sorted; nothing that leads outside the folder."""
from __future__ import annotations

import os
from pathlib import Path

THEME = Path(__file__).parent / "theme"
"""The default theme shipped with the package (templates/ and static/)."""
IGNORED_PREFIXES = (".", "#", "~")
"""Hidden files and editors' lock and backup files (`.#x`, `#x#`, `~x`)."""
IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".swo", ".tmp", ".bak", ".part")
ARTICLE_SUFFIXES = (".md", ".markdown")
"""Files under content/ that are articles; every other file there is copied as it is."""


def list_files(root: Path) -> list[str]:
    """Every regular file under `root`, as sorted relative paths. Symlinks are followed only when they
    resolve inside `root`; hidden and editor temporary files are skipped."""
    if not root.is_dir():
        return []
    base = os.path.realpath(root)
    found: list[str] = []
    todo = [(str(root), "")]
    while todo:
        folder, prefix = todo.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name
                if name.startswith(IGNORED_PREFIXES) or name.endswith(IGNORED_SUFFIXES):
                    continue
                if entry.is_symlink() and not _inside(os.path.realpath(entry.path), base):
                    continue
                try:
                    is_dir, is_file = entry.is_dir(), entry.is_file()
                except OSError:  # a symlink loop (ELOOP) leads nowhere, like a dangling link
                    continue
                if is_dir:
                    if not entry.is_symlink():
                        todo.append((entry.path, f"{prefix}{name}/"))
                elif is_file:
                    found.append(prefix + name)
    return sorted(found)


def _inside(path: str, base: str) -> bool:
    return path == base or path.startswith(base.rstrip(os.sep) + os.sep)
