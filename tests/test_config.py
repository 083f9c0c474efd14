"""sitegen.config: site.toml → SiteConfig, with every problem reported as a SiteError naming the key."""
from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sitegen.config import CONFIG_FILE, Permalinks, SiteConfig, load_config
from sitegen.errors import BuildFailed, SiteError


def write(site: Path, text: str) -> Path:
    (site / CONFIG_FILE).write_text(text, encoding="utf-8")
    return site


def errors_of(site: Path, text: str, base_url: str | None = None) -> list[SiteError]:
    write(site, text)
    with pytest.raises(BuildFailed) as info:
        load_config(site, base_url)
    return info.value.errors


def messages_of(site: Path, text: str, base_url: str | None = None) -> list[str]:
    errors = errors_of(site, text, base_url)
    assert all(e.path == CONFIG_FILE for e in errors)
    return [e.message for e in errors]


# --- defaults and a valid file -------------------------------------------------------------------------------


def test_no_site_toml_gives_defaults(tmp_path):
    config = load_config(tmp_path)
    assert config == SiteConfig()
    assert config.title == "Archive"
    assert config.base_url == "/"
    assert config.timezone == "UTC"
    assert config.per_page == 10
    assert config.feed_entries == 20
    assert config.raw_html is True
    assert config.permalinks == Permalinks()
    assert config.params == {}
    assert config.base_path == "/"
    assert config.origin == ""


def test_empty_site_toml_gives_defaults(tmp_path):
    write(tmp_path, "# nothing set\n")
    assert load_config(tmp_path) == SiteConfig()


def test_full_valid_file(tmp_path):
    write(tmp_path, """\
title = "The Courier"
description = "News since 2019"
base_url = "https://example.org/archive/"
language = "en-GB"
timezone = "Europe/London"
per_page = 8
date_format = "%d %B %Y, %H:%M %Z"
day_format = "%d %b %Y"
feed_entries = 15
raw_html = false
words_per_minute = 200

[permalinks]
article = "/{year}/{month}/{day}/{slug}/"
tag = "/topics/{tag}/"
tags = "/topics/"
author = "/people/{author}/"
archive = "/all/"
year = "/{year}/"
month = "/{year}/{month}/"
page = "p/{n}/"
feed = "/atom.xml"
tag_feed = "/topics/{tag}/atom.xml"

[related]
count = 3

[params]
logo = "logo.svg"
social = { mastodon = "@courier@example.org" }
""")
    config = load_config(tmp_path)
    assert config.title == "The Courier"
    assert config.description == "News since 2019"
    assert config.base_url == "https://example.org/archive/"
    assert config.language == "en-GB"
    assert config.timezone == "Europe/London"
    assert config.zone == ZoneInfo("Europe/London")
    assert config.per_page == 8
    assert config.date_format == "%d %B %Y, %H:%M %Z"
    assert config.day_format == "%d %b %Y"
    assert config.feed_entries == 15
    assert config.raw_html is False
    assert config.words_per_minute == 200
    assert config.permalinks == Permalinks(
        article="/{year}/{month}/{day}/{slug}/", tag="/topics/{tag}/", tags="/topics/", author="/people/{author}/",
        archive="/all/", year="/{year}/", month="/{year}/{month}/", page="p/{n}/", feed="/atom.xml",
        tag_feed="/topics/{tag}/atom.xml")
    assert config.related.count == 3
    assert config.params == {"logo": "logo.svg", "social": {"mastodon": "@courier@example.org"}}
    assert config.base_path == "/archive/"
    assert config.origin == "https://example.org"


def test_partial_permalinks_table_keeps_other_defaults(tmp_path):
    write(tmp_path, '[permalinks]\narticle = "/{year}/{slug}/"\n')
    config = load_config(tmp_path)
    assert config.permalinks.article == "/{year}/{slug}/"
    assert config.permalinks.tag == Permalinks().tag
    assert config.permalinks.feed == Permalinks().feed


def test_base_url_argument_overrides_the_file(tmp_path):
    write(tmp_path, 'base_url = "https://example.org/"\n')
    config = load_config(tmp_path, base_url="/preview/")
    assert config.base_url == "/preview/"
    assert config.base_path == "/preview/"
    assert config.origin == ""


# --- unknown keys ------------------------------------------------------------------------------------------


def test_unknown_key_suggests_the_close_one(tmp_path):
    assert errors_of(tmp_path, 'titel = "x"\n') == [
        SiteError(CONFIG_FILE, "unknown key 'titel'; did you mean 'title'?")]


def test_unknown_key_without_a_close_match_lists_known_keys(tmp_path):
    assert messages_of(tmp_path, "xyzzy = 1\n") == [
        ("unknown key 'xyzzy'; known keys: base_url, date_format, day_format, description, excerpt_separator, "
        "feed_entries, images, language, liquid, menu, params, per_page, permalinks, raw_html, related, search, "
        "time_format, timezone, title, words_per_minute")]


def test_unknown_key_in_permalinks_table(tmp_path):
    assert messages_of(tmp_path, '[permalinks]\narticel = "/{slug}/"\n') == [
        "unknown key 'permalinks.articel'; did you mean 'permalinks.article'?"]


def test_unknown_key_in_related_table(tmp_path):
    assert messages_of(tmp_path, "[related]\ncont = 3\n") == [
        "unknown key 'related.cont'; did you mean 'related.count'?"]


def test_unknown_key_in_related_table_without_close_match(tmp_path):
    [message] = messages_of(tmp_path, "[related]\nzzz = 3\n")
    assert message.startswith("unknown key 'related.zzz'; known keys: ")
    assert "count" in message.split("known keys: ")[1].split(", ")


def test_every_problem_is_reported_at_once(tmp_path):
    assert messages_of(tmp_path, 'titel = "x"\nper_page = "ten"\ntimezone = "Mars/Base"\n') == [
        "unknown key 'titel'; did you mean 'title'?",
        "'per_page' must be an integer, not a string",
        "'timezone' 'Mars/Base' is not an IANA zone such as 'Europe/London'",
    ]


# --- wrong types -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "message"), [
    ('per_page = "ten"\n', "'per_page' must be an integer, not a string"),
    ("per_page = true\n", "'per_page' must be an integer, not true or false"),
    ("per_page = 2.5\n", "'per_page' must be an integer, not a number"),
    ("title = 3\n", "'title' must be a string, not an integer"),
    ('raw_html = "yes"\n', "'raw_html' must be true or false, not a string"),
    ("params = [1, 2]\n", "'params' must be a table, not a list"),
    ('permalinks = "/{slug}/"\n', "'permalinks' must be a table ([permalinks])"),
    ("[permalinks]\narticle = 3\n", "'permalinks.article' must be a string, not an integer"),
    ('[related]\ncount = "five"\n', "'related.count' must be an integer, not a string"),
])
def test_wrong_type_names_the_key(tmp_path, text, message):
    assert messages_of(tmp_path, text) == [message]


def test_integer_is_accepted_where_a_number_is_expected(tmp_path):
    write(tmp_path, "[related]\ntag_weight = 1\n")
    weight = load_config(tmp_path).related.tag_weight
    assert weight == 1.0 and isinstance(weight, float)


def test_bool_is_not_a_number(tmp_path):
    assert messages_of(tmp_path, "[related]\ntag_weight = true\n") == [
        "'related.tag_weight' must be a number, not true or false"]


# --- value checks ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ["Mars/Base", "", "../../etc/passwd", "BST"])
def test_bad_timezone(tmp_path, zone):
    assert messages_of(tmp_path, f'timezone = "{zone}"\n') == [
        f"'timezone' {zone!r} is not an IANA zone such as 'Europe/London'"]


@pytest.mark.parametrize("key", ["per_page", "feed_entries", "words_per_minute"])
def test_counts_must_be_positive(tmp_path, key):
    assert messages_of(tmp_path, f"{key} = 0\n") == [f"'{key}' must be at least 1"]


def test_related_count_must_not_be_negative(tmp_path):
    assert messages_of(tmp_path, "[related]\ncount = -1\n") == ["'related.count' must not be negative"]


@pytest.mark.parametrize("base_url", ["https://example.org/archive", "https://example.org", "/archive"])
def test_base_url_needs_a_trailing_slash(tmp_path, base_url):
    assert messages_of(tmp_path, f'base_url = "{base_url}"\n') == [
        f"'base_url' must end with '/': {base_url}/"]


def test_base_url_argument_is_checked_too(tmp_path):
    with pytest.raises(BuildFailed) as info:
        load_config(tmp_path, base_url="/preview")
    assert [e.message for e in info.value.errors] == ["'base_url' must end with '/': /preview/"]


def test_permalink_with_unknown_field(tmp_path):
    [message] = messages_of(tmp_path, '[permalinks]\narticle = "/{year}/{bogus}/{slug}/"\n')
    assert message.startswith("'permalinks.article' uses ")
    assert "bogus" in message
    assert message.endswith("; allowed fields: {day}, {month}, {slug}, {year}")


def test_permalink_unknown_field_message_names_only_the_unknown_field(tmp_path):
    [message] = messages_of(tmp_path, '[permalinks]\narticle = "/{year}/{bogus}/{slug}/"\n')
    head = message.split(";")[0]
    assert "bogus" in head
    assert "slug" not in head and "year" not in head


def test_permalink_field_of_another_pattern_is_refused(tmp_path):
    assert messages_of(tmp_path, '[permalinks]\ntag = "/tags/{slug}/"\n') == [
        "'permalinks.tag' uses unknown {slug}; allowed fields: {tag}"]


def test_permalink_without_fields_allows_none(tmp_path):
    assert messages_of(tmp_path, '[permalinks]\nfeed = "/{year}.xml"\n') == [
        "'permalinks.feed' uses unknown {year}; allowed fields: none"]


def test_permalink_with_unbalanced_brace(tmp_path):
    assert messages_of(tmp_path, '[permalinks]\narticle = "/{year}/{slug"\n') == [
        "'permalinks.article': expected '}' before end of string"]


@pytest.mark.parametrize("pattern", ["/../{slug}/", "/{year}/..", "/a\\\\{slug}/", "/{slug}\\u0000/",
                                     "/x\\u001b/{slug}/"])
def test_permalink_cannot_leave_the_output(tmp_path, pattern):
    assert messages_of(tmp_path, f'[permalinks]\narticle = "{pattern}"\n') == [
        "'permalinks.article' must not contain '..', '\\' or control characters"]


# --- base_path / origin --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("base_url", "base_path", "origin"), [
    ("https://example.org/archive/", "/archive/", "https://example.org"),
    ("/archive/", "/archive/", ""),
    ("/", "/", ""),
    ("https://example.org/", "/", "https://example.org"),
    ("http://localhost:8000/a/b/", "/a/b/", "http://localhost:8000"),
])
def test_base_path_and_origin(base_url, base_path, origin):
    config = SiteConfig(base_url=base_url)
    assert config.base_path == base_path
    assert config.origin == origin


def test_base_path_and_origin_from_file(tmp_path):
    write(tmp_path, 'base_url = "https://example.org/archive/"\n')
    config = load_config(tmp_path)
    assert (config.base_path, config.origin) == ("/archive/", "https://example.org")


# --- invalid TOML ------------------------------------------------------------------------------------------


BAD_TOML = 'title = "a"\nper_page = 3\nbad line here\n'


def test_invalid_toml_is_reported_with_its_position(tmp_path):
    [error] = errors_of(tmp_path, BAD_TOML)
    assert error.path == CONFIG_FILE
    assert error.message.startswith("not valid TOML: ")
    assert "line 3" in error.message


def test_invalid_toml_error_carries_the_line(tmp_path):
    [error] = errors_of(tmp_path, BAD_TOML)
    assert error.line == 3
    assert str(error).startswith("site.toml:3: not valid TOML")


def test_site_toml_that_is_not_utf8(tmp_path):
    (tmp_path / CONFIG_FILE).write_bytes(b'title = "caf\xe9"\n')
    [error] = errors_of_existing(tmp_path)
    assert error.message.startswith("not valid TOML: ")


def errors_of_existing(site: Path) -> list[SiteError]:
    with pytest.raises(BuildFailed) as info:
        load_config(site)
    return info.value.errors


# --- digest ------------------------------------------------------------------------------------------------


def test_digest_follows_every_setting():
    assert SiteConfig().digest() == SiteConfig().digest()
    assert SiteConfig(title="x").digest() != SiteConfig().digest()
    assert SiteConfig(permalinks=Permalinks(article="/{slug}/")).digest() != SiteConfig().digest()
    assert SiteConfig(params={"a": 1}).digest() != SiteConfig(params={"a": 2}).digest()


def test_a_paginated_list_permalink_must_be_a_folder(tmp_path):
    assert messages_of(tmp_path, '[permalinks]\ntag = "/tags/{tag}.html"\n') == [
        "'permalinks.tag' must end with '/': its later pages go below it (page/2/)"]
