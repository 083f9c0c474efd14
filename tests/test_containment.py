"""Nothing a content file says can make the build write outside output/ or read outside content/."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from sitegen.errors import BuildFailed
from sitegen.routes import is_inside
from tests.sitekit import build_site, page, write_site

ALLOWED = ("site/output/", "site/.sitegen-cache/")


def tree(root: Path) -> set[str]:
    """Every path under root (symlinks not followed), relative."""
    found = set()
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            found.add((Path(folder) / name).relative_to(root).as_posix() + ("/" if name in dirs else ""))
    return found


def build_contained(tmp_path: Path, files: dict[str, str], config: str = "") -> tuple[Path, list[str] | None]:
    """Build a site in tmp_path/site; return its output and the error messages (None when it built).
    Asserts that nothing appeared in tmp_path outside the output folder and the cache."""
    root = write_site(tmp_path / "site", files, config)
    before = tree(tmp_path)
    try:
        build_site(root)
        errors = None
    except BuildFailed as failed:
        errors = [str(e) for e in failed.errors]
    created = {p for p in tree(tmp_path) - before if not p.startswith(ALLOWED) and p not in ("site/output/",
                                                                                              "site/.sitegen-cache/")}
    assert created == set()
    for path in (root / "output").rglob("*"):
        assert path.resolve().is_relative_to((root / "output").resolve())
    return root / "output", errors


def article(**fields: str) -> str:
    lines = {"title": "T", "date": "2020-01-01", **fields}
    return "---\n" + "".join(f"{k}: {v}\n" for k, v in lines.items()) + "---\nText.\n"


@pytest.mark.parametrize("slug, url", [
    ('"../../escape"', "2020/01/escape/"),
    ('"/etc/passwd"', "2020/01/etc-passwd/"),
    ('"..\\\\..\\\\win"', "2020/01/win/"),
    ('"a\\0b"', "2020/01/ab/"),
    ('"a\\x1b[2Jb"', "2020/01/a-2jb/"),
    ('"a/../../b"', "2020/01/a-b/"),
    ('"C:\\\\Windows"', "2020/01/c-windows/"),
])
def test_unsafe_slug_is_made_safe(tmp_path, slug, url):
    out, errors = build_contained(tmp_path, {"a.md": article(slug=slug)})
    assert errors is None
    assert page(out, url + "index.html").h1 == "T"


@pytest.mark.parametrize("slug", ['"."', '".."', '"/"', '"\\0"'])
def test_slug_without_anything_usable_is_refused(tmp_path, slug):
    _, errors = build_contained(tmp_path, {"a.md": article(slug=slug)})
    assert errors and errors[0].startswith("content/a.md:4: cannot make a URL name from")


@pytest.mark.parametrize("pattern", ["/../{slug}/", "/{year}/../../{slug}/", "/a\\\\{slug}/", "/{slug}\\u0000/",
                                     "/x\\u0007/{slug}/"])
def test_unsafe_permalink_pattern_is_refused(tmp_path, pattern):
    _, errors = build_contained(tmp_path, {"a.md": article()}, f'[permalinks]\narticle = "{pattern}"\n')
    assert errors == ["site.toml: 'permalinks.article' must not contain '..', '\\' or control characters"]


def test_absolute_permalink_stays_inside(tmp_path):
    out, errors = build_contained(tmp_path, {"a.md": article()}, '[permalinks]\narticle = "//etc/{slug}/"\n'
                                                                 'tag = "/../../"\n')
    assert errors == ["site.toml: 'permalinks.tag' must not contain '..', '\\' or control characters"]
    out, errors = build_contained(tmp_path / "2", {"a.md": article()}, '[permalinks]\narticle = "//etc/{slug}/"\n')
    assert errors is None and (out / "etc/a/index.html").is_file()


@pytest.mark.parametrize("tags, slugs", [
    ('["../x", "/etc", "a\\\\b", "\\x07bell", "C:\\\\dir"]', {"x", "etc", "a-b", "bell", "c-dir"}),
])
def test_unsafe_tags_are_made_safe(tmp_path, tags, slugs):
    out, errors = build_contained(tmp_path, {"a.md": article(tags=tags)})
    assert errors is None
    assert {p.name for p in (out / "tags").iterdir() if p.is_dir()} == slugs


@pytest.mark.parametrize("tag", ['".."', '"../.."', '"/"', '"\\0."'])
def test_tag_without_letters_is_refused(tmp_path, tag):
    _, errors = build_contained(tmp_path, {"a.md": article(tags=f"[{tag}]")})
    assert errors and errors[0].startswith("content/a.md:4: tag ") and errors[0].endswith(
        "has no letters or digits to make a URL from; rename it")


def test_unsafe_authors_are_made_safe(tmp_path):
    out, errors = build_contained(tmp_path, {"a.md": article(authors='["../../root", "/etc/x", "a\\\\b", ".."]')})
    assert errors is None
    assert {p.name for p in (out / "authors").iterdir()} == {"root", "etc-x", "a-b"}


@pytest.mark.parametrize("alias", ["../../x.html", "/../x", "a\\\\..\\\\b", "http://evil.example/../../x", "//",
                                   "/./../x", ".\\0./x"])
def test_unsafe_alias_is_refused(tmp_path, alias):
    _, errors = build_contained(tmp_path, {"a.md": article(aliases=f'["{alias}"]')})
    assert errors and errors[0].startswith("content/a.md:4: alias ") and errors[0].endswith(
        "is not a safe path inside the site (no '..', '\\' or control characters)")


def test_control_characters_are_dropped_from_aliases(tmp_path):
    out, errors = build_contained(tmp_path, {"a.md": article(aliases='["/x\\0y/", "/e\\x1bf/"]')})
    assert errors is None and (out / "xy/index.html").is_file() and (out / "ef/index.html").is_file()


def test_encoded_dots_in_an_alias_stay_a_literal_name(tmp_path):
    out, errors = build_contained(tmp_path, {"a.md": article(aliases='["/old/..%2f..%2fx"]')})
    assert errors is None and (out / "old/..%2f..%2fx").is_file()


def test_file_names_with_dots_build_inside(tmp_path):
    out, errors = build_contained(tmp_path, {"a..b.md": article(), "x/...md": article(title="Dots"),
                                             "notes/..draft.txt": "hidden", "img/a..b.png": "png"})
    assert errors is None
    assert page(out, "2020/01/a..b/index.html").h1 == "T"
    assert (out / "img/a..b.png").is_file() and not (out / "notes").exists()


@pytest.mark.parametrize("name", ["a\\b.png", "bell\x07.txt", "esc\x1b[2J.txt", "dir\\..\\..\\x.png"])
def test_asset_name_that_cannot_be_an_output_path_is_refused(tmp_path, name):
    _, errors = build_contained(tmp_path, {"a.md": article(), name: "data"})
    visible = name.replace("\x07", "\\x07").replace("\x1b", "\\x1b")
    assert errors == [(f"content/{visible}: the file name holds a backslash or control character, which cannot be "
                      "copied to the site; rename it")]


def test_article_file_names_with_backslashes_or_control_characters_get_safe_urls(tmp_path):
    out, errors = build_contained(tmp_path, {"a\\..\\b.md": article(title="Back"), "c\x1bd.md": article(title="Esc")})
    assert errors is None
    assert page(out, "2020/01/a-b/index.html").h1 == "Back"
    assert page(out, "2020/01/c-d/index.html").h1 == "Esc"


def test_symlinks_leading_outside_content_are_not_followed(tmp_path):
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "story.md").write_text(article(title="Secret"), encoding="utf-8")
    (secret / "passwd.txt").write_text("root:x:0:0", encoding="utf-8")
    root = write_site(tmp_path / "site", {"a.md": article(title="Public")})
    content = root / "content"
    (content / "linked-story.md").symlink_to(secret / "story.md")
    (content / "passwd.txt").symlink_to(secret / "passwd.txt")
    (content / "linked-folder").symlink_to(secret, target_is_directory=True)
    (content / "etc").symlink_to("/etc", target_is_directory=True)
    (content / "inside.md").symlink_to(content / "a.md")
    out, errors = build_contained(tmp_path, {})
    assert errors is None
    built = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert not any("secret" in p or "passwd" in p or p.startswith(("etc/", "linked")) for p in built)
    assert "Secret" not in "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.html"))
    assert page(out, "2020/01/inside/index.html").h1 == "Public"


def test_symlink_loops_do_not_hang(tmp_path):
    root = write_site(tmp_path / "site", {"a.md": article()})
    content = root / "content"
    (content / "loop").symlink_to(content, target_is_directory=True)
    (content / "sub").mkdir()
    (content / "sub/up").symlink_to("..", target_is_directory=True)
    (content / "self.md").symlink_to("self.md")
    (content / "ping.md").symlink_to("pong.md")
    (content / "pong.md").symlink_to("ping.md")
    out, errors = build_contained(tmp_path, {})
    assert errors is None and page(out, "2020/01/a/index.html").h1 == "T"


@pytest.mark.parametrize("path, inside", [
    ("a/b.html", True), ("a/./b", True), ("..", False), ("a/../../b", False), ("/etc/x", False),
    ("a\\b", False), ("a\x00b", False), ("a\nb", False), ("a\x7fb", False), ("", False),
])
def test_is_inside(path, inside):
    assert is_inside(path) is inside
