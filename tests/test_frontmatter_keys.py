"""The table of known frontmatter keys (messages for each key are pinned in test_reader.py)."""
from __future__ import annotations

from sitegen.config import SiteConfig
from sitegen.frontmatter_keys import DATED_NAME, KEYS, KNOWN_KEYS, File, convert_keys


def convert(meta: dict, key_lines: dict[str, int] | None = None) -> tuple[dict, list]:
    values: dict = {}
    stem = "2020-10-23-story"
    file = File(f"content/{stem}.md", f"{stem}.md", stem, DATED_NAME.match(stem), SiteConfig(), None, meta, values)
    return values, convert_keys(meta, key_lines or {}, file)


def test_the_known_keys():
    assert KNOWN_KEYS == {"title", "date", "updated", "expires", "tags", "author", "authors", "slug", "draft", "image",
                          "image_alt", "image_caption", "image_credit",
                          "aliases", "permalink", "related", "summary", "excerpt_separator", "id", "language", "lang",
                          "location"}


def test_every_key_may_be_left_out():
    values, errors = convert({"title": "T"})
    assert errors == []
    assert list(values) == [key.name for key in KEYS]
    assert (values["date"].all_day, values["slug"], values["draft"], values["related"]) == (True, "story", False,
                                                                                            (True, ()))


def test_a_problem_is_reported_under_the_name_written_and_at_its_line():
    _, errors = convert({"title": "T", "author": 5}, {"title": 2, "author": 3})
    assert [(e.path, e.line, e.message) for e in errors] == [
        ("content/2020-10-23-story.md", 3, "'author' must be a list or a comma-separated string")]


def test_every_problem_of_a_value_is_reported():
    _, errors = convert({"title": "T", "tags": ["ok", 1.5, None, {}, "!!"]}, {"tags": 4})
    assert [e.message for e in errors] == ["'tags' entries must be text, not NoneType",
                                           "'tags' entries must be text, not dict",
                                           "tag '!!' has no letters or digits to make a URL from; rename it"]
