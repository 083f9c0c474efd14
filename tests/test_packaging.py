"""The wheel carries the whole default theme: every theme file matches a package-data pattern."""
from __future__ import annotations

import os
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_package_data_covers_every_theme_file():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["sitegen"]
    package = ROOT / "sitegen"
    covered = {p for pattern in patterns for p in package.glob(pattern) if p.is_file()}
    theme = {Path(folder) / name for folder, _, names in os.walk(package / "theme", followlinks=True)
             for name in names}  # the theme's folders are links to templates/ and static/
    assert theme, "the theme folder is empty"
    assert theme <= covered, sorted(str(p.relative_to(package)) for p in theme - covered)
