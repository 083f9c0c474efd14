"""Problems found in a site, reported as `path:line: message` and collected rather than raised one by one."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_VISIBLE = {c: f"\\x{c:02x}" for c in (*range(32), 127) if c != 10}
"""Control characters in file names or values are shown, never sent to the terminal (escape sequences)."""


@dataclass(frozen=True, slots=True)
class SiteError:
    """One problem in one input file."""

    path: str
    """The file, relative to the site folder where possible."""
    message: str
    """What is wrong and, where it helps, what to do."""
    line: int | None = None
    """1-based line in the file, when known."""

    def __str__(self) -> str:
        return self.labelled("")

    def labelled(self, label: str) -> str:
        """`path:line: label: message`, the one form `build`, `watch` and `check` print problems in."""
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {label + ': ' if label else ''}{self.message}".translate(_VISIBLE)


@dataclass(frozen=True, slots=True)
class RenderWarning(SiteError):
    """A problem met while rendering a page that did not stop it (a shortcode shown as text)."""


@dataclass(frozen=True, slots=True)
class KeyTypo(SiteError):
    """An unknown frontmatter key one slip away from a known one: a warning in builds, an error in `check`."""


def left_out(errors: list[SiteError]) -> list[SiteError]:
    """Errors that kept an article out of a build that went on without it (`--skip-invalid`), saying so."""
    return [SiteError(e.path, f"{e.message} (left out of the site)", e.line) for e in errors]


class BuildFailed(Exception):
    """Raised by the pipeline when errors stop the build; carries all of them."""

    def __init__(self, errors: list[SiteError]):
        super().__init__("\n".join(map(str, errors)))
        self.errors = errors


def display_path(path: Path, root: Path) -> str:
    """`path` relative to `root` when inside it, else as given."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def toml_line(exc: Exception) -> int | None:
    """The line of a tomllib error, which (3.11) puts it only in its message: '... (at line 3, column 7)'."""
    match = re.search(r"at line (\d+)", str(exc))
    return int(match.group(1)) if match else None
