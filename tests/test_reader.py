"""sitegen.reader: file bytes → Article, or SiteErrors naming the file and the line."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from sitegen.config import SiteConfig
from sitegen.errors import SiteError
from sitegen.model import Article
from sitegen.reader import Parsed, decode_text, parse_article

LONDON = ZoneInfo("Europe/London")
CONFIG = SiteConfig(timezone="Europe/London")
DATED = "2020/2020-10-23-my-story.md"
UNDATED = "notes/plain-name.md"


def parsed(text: str | bytes, article_id: str = DATED, config: SiteConfig = CONFIG) -> Parsed:
    result = parse_article(text.encode() if isinstance(text, str) else text, article_id, config)
    assert isinstance(result, Parsed), result
    assert isinstance(result.article, Article)
    return result


def parse(text: str | bytes, article_id: str = DATED, config: SiteConfig = CONFIG) -> Article:
    return parsed(text, article_id, config).article


def fail(text: str | bytes, article_id: str = DATED, config: SiteConfig = CONFIG) -> list[SiteError]:
    result = parse_article(text.encode() if isinstance(text, str) else text, article_id, config)
    assert isinstance(result, list), result
    assert all(e.path == f"content/{article_id}" for e in result)
    return result


def one_error(text: str | bytes, article_id: str = DATED) -> tuple[int | None, str]:
    [error] = fail(text, article_id)
    return error.line, error.message


# --- frontmatter formats -------------------------------------------------------------------------------------


def test_yaml_frontmatter():
    result = parsed("---\ntitle: Harbour  plan\ndate: 2020-10-23 03:55\ntags: [Port, Council]\nauthor: Jane Doe\n"
                    "image: /img/harbour.jpg\nupdated: 2020-10-24T09:00:00+01:00\n---\nThe harbour plan.\n")
    article = result.article
    assert article.id == DATED
    assert article.meta.title == "Harbour plan"
    assert article.meta.date == datetime(2020, 10, 23, 3, 55, tzinfo=LONDON)
    assert article.meta.date.utcoffset() == timedelta(hours=1)
    assert article.meta.all_day is False
    assert article.meta.updated == datetime(2020, 10, 24, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    assert article.meta.tags == ("Port", "Council")
    assert article.meta.authors == ("Jane Doe",)
    assert article.meta.image == "/img/harbour.jpg"
    assert article.draft is False
    assert article.meta.slug == "my-story"
    assert article.meta.summary == "The harbour plan."
    assert result.html == "<p>The harbour plan.</p>\n"
    assert dict(result.terms)["harbour"] >= 2
    assert article.meta.extra == {}
    assert article.related_enabled is True and article.related_pins == ()


def test_toml_frontmatter():
    result = parsed('+++\ntitle = "Hello"\ndate = 2020-10-23T03:55:00+03:00\ntags = ["a", "b"]\ndraft = true\n'
                    '+++\nBody.\n')
    article = result.article
    assert article.meta.title == "Hello"
    assert article.meta.date == datetime(2020, 10, 23, 3, 55, tzinfo=timezone(timedelta(hours=3)))
    assert article.meta.tags == ("a", "b")
    assert article.draft is True
    assert result.html == "<p>Body.</p>\n"


def test_toml_local_date():
    article = parse('+++\ntitle = "Hello"\ndate = 2020-10-23\n+++\nBody.\n')
    assert article.meta.date == datetime(2020, 10, 23, tzinfo=LONDON)
    assert article.meta.all_day is True


def test_json_frontmatter():
    result = parsed('{\n"title": "Hello",\n"date": "2020-10-23",\n"tags": "x, y"\n}\nBody.\n')
    article = result.article
    assert article.meta.title == "Hello"
    assert article.meta.date == datetime(2020, 10, 23, tzinfo=LONDON)
    assert article.meta.all_day is True
    assert article.meta.tags == ("x", "y")
    assert result.html == "<p>Body.</p>\n"


def test_no_frontmatter_needs_a_title():
    assert one_error("Just a body.\n") == (1, "no title: add `title: Your headline` to the frontmatter")


def test_empty_frontmatter():
    assert one_error("---\n---\nBody\n") == (1, "no title: add `title: Your headline` to the frontmatter")


# --- tags and authors ------------------------------------------------------------------------------------------


def test_tags_list_deduplicated_case_insensitively_keeping_first_spelling():
    article = parse("---\ntitle: T\ntags: [Syria, syria, Aid, SYRIA, aid]\n---\n")
    assert article.meta.tags == ("Syria", "Aid")


def test_tags_comma_string():
    article = parse("---\ntitle: T\ntags: Syria, syria , Aid,  Middle   East ,\n---\n")
    assert article.meta.tags == ("Syria", "Aid", "Middle East")


def test_tags_that_slug_alike_are_one_tag():
    assert parse("---\ntitle: T\ntags: [São Paulo, sao paulo]\n---\n").meta.tags == ("São Paulo",)


def test_numeric_tags_become_text():
    assert parse("---\ntitle: T\ntags: [2020, 1.5]\n---\n").meta.tags == ("2020", "1.5")


def test_tag_without_letters_is_refused():
    assert one_error("---\ntitle: T\ntags: [ok, '!!!']\n---\n") == (
        3, "tag '!!!' has no letters or digits to make a URL from; rename it")


def test_tags_of_wrong_type():
    assert one_error("---\ntitle: T\ntags: {a: 1}\n---\n") == (
        3, "'tags' must be a list or a comma-separated string")


def test_tag_entry_of_wrong_type():
    assert one_error("---\ntitle: T\ntags: [a, [b]]\n---\n") == (3, "'tags' entries must be text, not list")


def test_author_is_one_byline_even_with_commas():
    assert parse("---\ntitle: T\nauthor: Jane Doe, Jr.\n---\n").meta.authors == ("Jane Doe, Jr.",)


def test_authors_list():
    assert parse("---\ntitle: T\nauthors: [Jane Doe, John Roe, Jane Doe]\n---\n").meta.authors == ("Jane Doe", "John Roe")


def test_authors_wins_over_author():
    assert parse("---\ntitle: T\nauthor: Ann\nauthors: [Bob, Cy]\n---\n").meta.authors == ("Bob", "Cy")


def test_bad_authors_names_the_key_used():
    assert one_error("---\ntitle: T\nauthors: 12\n---\n") == (
        3, "'authors' must be a list or a comma-separated string")
    assert one_error("---\ntitle: T\nauthor: {email: x}\n---\n") == (
        3, "'author' must be a list or a comma-separated string")


# --- slug and date from the file name -----------------------------------------------------------------------


def test_slug_from_file_name_without_date_prefix():
    assert parse("---\ntitle: T\n---\n", "2020/2020-10-23-my-story.md").meta.slug == "my-story"


def test_slug_from_plain_file_name():
    assert parse("---\ntitle: T\ndate: 2020-10-23\n---\n", "notes/Plain Name.md").meta.slug == "plain-name"


@pytest.mark.parametrize(("value", "slug"), [
    ("custom-slug", "custom-slug"),
    ("Custom Slug!", "custom-slug"),
    ("Story.v2", "Story.v2"),
    ("'../../etc'", "etc"),
    ("2021", "2021"),
    ("São Paulo", "sao-paulo"),
])
def test_slug_from_frontmatter(value, slug):
    assert parse(f"---\ntitle: T\nslug: {value}\n---\n").meta.slug == slug


def test_unusable_slug_is_refused():
    assert one_error("---\ntitle: T\nslug: '!!!'\n---\n") == (
        3, "cannot make a URL name from '!!!'; set `slug:` to letters, digits and '-'")


def test_date_from_file_name_when_missing():
    article = parse("---\ntitle: T\n---\nBody\n", "2020/2020-10-23-my-story.md")
    assert article.meta.date == datetime(2020, 10, 23, tzinfo=LONDON)
    assert article.meta.all_day is True


def test_frontmatter_date_wins_over_file_name():
    article = parse("---\ntitle: T\ndate: 2021-01-02 10:00\n---\n", "2020/2020-10-23-my-story.md")
    assert article.meta.date == datetime(2021, 1, 2, 10, 0, tzinfo=LONDON)
    assert article.meta.slug == "my-story"


def test_no_date_anywhere():
    assert one_error("---\ntitle: T\n---\n", UNDATED) == (
        1, "no date: add `date: 2020-10-23 03:55` to the frontmatter, or name the file YYYY-MM-DD-slug.md")


def test_bad_date_names_its_line():
    assert one_error("---\ntitle: T\nauthor: A\ndate: garbage\n---\n") == (
        4, ("'date': cannot read the date 'garbage'; write it as 2020-10-23, 2020-10-23 03:55 or "
           "2020-10-23T03:55:00+01:00"))


def test_date_of_wrong_kind_names_its_line():
    assert one_error("---\ntitle: T\ndate: [2020]\n---\n") == (
        3, "'date': expected a date such as 2020-10-23 or 2020-10-23T03:55:00+01:00, got [2020]")


def test_bad_updated_names_its_line():
    line, message = one_error("---\ntitle: T\nupdated: soon\n---\n")
    assert line == 3
    assert message.startswith("'updated': cannot read the date 'soon'")


def test_yaml_timestamp_without_offset_takes_the_site_zone():
    article = parse("---\ntitle: T\ndate: 2020-10-23 03:55:00\n---\n")
    assert article.meta.date == datetime(2020, 10, 23, 3, 55, tzinfo=LONDON)
    assert article.meta.all_day is False


def test_yaml_timestamp_with_offset_keeps_it():
    article = parse("---\ntitle: T\ndate: 2020-10-23T03:55:00+03:00\n---\n")
    assert article.meta.date.utcoffset() == timedelta(hours=3)
    assert (article.meta.date.hour, article.meta.date.minute) == (3, 55)


def test_yaml_date_is_all_day():
    article = parse("---\ntitle: T\ndate: 2020-10-23\n---\n", UNDATED)
    assert article.meta.date == datetime(2020, 10, 23, tzinfo=LONDON)
    assert article.meta.all_day is True


# --- encodings and line endings ---------------------------------------------------------------------------


def test_bom_and_crlf():
    result = parsed("\ufeff---\r\ntitle: Hello\r\ndate: 2020-10-23\r\n---\r\nBody\r\nline two.\r\n".encode("utf-8"))
    article = result.article
    assert article.meta.title == "Hello"
    assert article.meta.date == datetime(2020, 10, 23, tzinfo=LONDON)
    assert result.html == "<p>Body\nline two.</p>\n"


def test_old_mac_line_endings():
    article = parse("---\rtitle: Hello\r---\rBody\r")
    assert article.meta.title == "Hello"


def test_control_characters_are_dropped_and_tabs_kept():
    result = parsed("---\ntitle: Bell\x07 and escape\x1b\ndate: 2020-10-23\n---\nA\x01B\x7f\tC\x0c\n")
    assert result.article.meta.title == "Bell and escape"
    assert result.html == "<p>AB\tC</p>\n"


def test_decode_text_without_control_characters_keeps_the_text():
    text = "Caf\u00e9 \u201cquoted\u201d\ttab\n\u6771\u4eac \u0085 \u200b\n"
    assert decode_text(text.encode(), "a.md") == text
    assert decode_text(("\x1f" + text + "\x08").encode(), "a.md") == text


def test_not_utf8_names_the_line():
    assert one_error(b"---\ntitle: Hello\ndate: 2020-10-23\n---\nline\ncaf\xe9\n") == (
        6, "not UTF-8 text (byte 0xe9); save the file as UTF-8")


def test_nul_bytes_mean_binary():
    assert one_error(b"---\ntitle: Hello\n---\nab\x00c\n") == (
        None, "contains NUL bytes: this looks like a binary file, not Markdown; rename or remove it")


def test_binary_bytes_that_are_not_utf8_still_read_as_binary():
    assert one_error(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")[1].startswith("contains NUL bytes")


def test_utf16_file_is_reported():
    [error] = fail("---\ntitle: Hello\n---\nBody\n".encode("utf-16"))
    assert "UTF-8" in error.message or "NUL" in error.message


# --- broken frontmatter -----------------------------------------------------------------------------------


def test_unclosed_yaml_frontmatter():
    assert one_error("---\ntitle: Hello\ndate: 2020-10-23\nBody\n") == (
        1, "YAML frontmatter opened on line 1 is never closed; add the closing '---' line after the last key")


def test_unclosed_toml_frontmatter():
    assert one_error('+++\ntitle = "Hello"\nBody\n') == (
        1, "TOML frontmatter opened on line 1 is never closed; add the closing '+++' line after the last key")


def test_frontmatter_that_is_a_list():
    assert one_error("---\n- a\n- b\n---\nBody\n") == (
        2, "frontmatter must be keys with values (`title: ...`), not a list")


def test_frontmatter_that_is_a_string():
    _line, message = one_error("---\njust words\n---\nBody\n")
    assert message == "frontmatter must be keys with values (`title: ...`), not a str"


def test_invalid_yaml_names_the_file_line():
    assert one_error("---\ntitle: Hello\ndate: 2020-10-23\nfoo: bar: baz\n---\nBody\n") == (
        4, "invalid YAML frontmatter: mapping values are not allowed in this context")


def test_unclosed_yaml_flow_list_names_the_line_where_it_starts():
    assert one_error("---\ntitle: Hello\ntags: [a, b\nauthor: x\n---\nBody\n") == (
        3, ("invalid YAML frontmatter: did not find expected ',' or ']' (while parsing a flow sequence that "
           "starts here; the parser gave up on line 4)"))


def test_invalid_yaml_after_blank_lines_and_bom():
    assert one_error("\ufeff---\r\ntitle: Hello\r\n\r\n\r\nkey: [unclosed\r\n---\r\nBody\r\n")[0] == 5


def test_invalid_toml_frontmatter_message():
    _line, message = one_error('+++\ntitle = "Hello"\ndate = 2020-10-23\nbad = \n+++\nBody.\n')
    assert message.startswith("invalid TOML frontmatter: Invalid value")


def test_invalid_toml_frontmatter_names_the_file_line():
    line, _ = one_error('+++\ntitle = "Hello"\ndate = 2020-10-23\nbad = \n+++\nBody.\n')
    assert line == 4


def test_invalid_json_frontmatter_names_the_file_line():
    assert one_error('{\n"title": "Hello",\n"date": "2020-10-23",\n}\nBody.\n') == (
        4, "invalid JSON frontmatter: Expecting property name enclosed in double quotes")


# --- validation of keys -------------------------------------------------------------------------------------


def test_missing_title_key_is_line_1():
    assert one_error("---\ndate: 2020-10-23\n---\nBody\n") == (
        1, "no title: add `title: Your headline` to the frontmatter")


def test_empty_title_names_its_line():
    assert one_error("---\nauthor: x\ndate: 2020-10-23\ntitle:\n---\nBody\n") == (
        4, "no title: add `title: Your headline` to the frontmatter")


def test_numeric_title_is_text():
    assert parse("---\ntitle: 1984\n---\n").meta.title == "1984"


def test_bad_draft_names_its_line():
    assert one_error("---\ntitle: Hi\ndate: 2020-10-23\ndraft: maybe\n---\nBody\n") == (
        4, "'draft' must be true or false")


def test_bad_draft_in_toml_names_its_line():
    assert one_error('+++\ntitle = "Hi"\ndraft = "no"\n+++\nBody\n') == (3, "'draft' must be true or false")


def test_bad_draft_in_json_names_its_line():
    assert one_error('{\n"title": "Hi",\n"draft": "no"\n}\nBody\n') == (3, "'draft' must be true or false")


def test_every_problem_is_reported_together():
    errors = fail("---\ndraft: maybe\nimage: 3\nsummary: [x]\n---\nBody\n", UNDATED)
    assert [(e.line, e.message) for e in errors] == [
        (1, "no title: add `title: Your headline` to the frontmatter"),
        (1, "no date: add `date: 2020-10-23 03:55` to the frontmatter, or name the file YYYY-MM-DD-slug.md"),
        (2, "'draft' must be true or false"),
        (3, "'image' must be a URL or path"),
        (4, "'summary' must be text"),
    ]


def test_aliases_are_normalised():
    article = parse("---\ntitle: Hi\naliases: [/old/path, 'https://old.example.org/a/b.html?x=1#top', /x/, "
                    "old/story]\n---\n")
    assert article.aliases == ("old/path/", "a/b.html", "x/", "old/story/")


def test_single_alias_string():
    assert parse("---\ntitle: Hi\naliases: /old/one\n---\n").aliases == ("old/one/",)


@pytest.mark.parametrize("alias", ["../../etc/passwd", "/a/../b", "/", "a\\\\b", "/./x"])
def test_unsafe_alias_is_refused(alias):
    line, message = one_error(f"---\ntitle: Hi\naliases: [\"{alias}\"]\n---\n")
    assert line == 3
    shown = alias.replace("\\\\", "\\")
    assert message == (f"alias {shown!r} is not a safe path inside the site (no '..', '\\' or control characters)")


def test_unknown_keys_land_in_extra():
    article = parse("---\ntitle: Hi\nweather: sunny\nnested: {a: 1}\nlocation: [1, 2]\n---\n")
    assert article.meta.extra == {"weather": "sunny", "nested": {"a": 1}, "location": [1, 2]}


def test_related_false():
    article = parse("---\ntitle: Hi\nrelated: false\n---\n")
    assert article.related_enabled is False
    assert article.related_pins == ()
    assert "related" not in article.meta.extra


def test_related_list_pins():
    article = parse("---\ntitle: Hi\nrelated: [a, 2019/b.md, a]\n---\n")
    assert article.related_enabled is True
    assert article.related_pins == ("a", "2019/b.md")


def test_related_comma_string_pins():
    assert parse("---\ntitle: Hi\nrelated: a, b\n---\n").related_pins == ("a", "b")


# --- summary and hashes -------------------------------------------------------------------------------------


def test_summary_key_overrides_the_body():
    article = parse("---\ntitle: Hi\nsummary: Custom   summary\n---\nFirst para.\n\nSecond.\n")
    assert article.meta.summary == "Custom summary"
    assert article.meta.summary_html == ""


def test_summary_key_with_more_marker_keeps_the_html_summary():
    article = parse("---\ntitle: Hi\nsummary: Custom\n---\nFirst.\n\n<!--more-->\n\nRest.\n")
    assert article.meta.summary == "Custom"
    assert article.meta.summary_html == "<p>First.</p>\n"


def test_summary_from_first_paragraph():
    article = parse("---\ntitle: Hi\n---\nFirst *para*.\n\nSecond.\n")
    assert article.meta.summary_html == "<p>First <em>para</em>.</p>\n"


def test_raw_html_setting_is_used():
    result = parsed("---\ntitle: Hi\n---\n<b>bold</b>\n", config=SiteConfig(raw_html=False))
    assert "&lt;b&gt;" in result.html


def test_hashes():
    base = "---\ntitle: Hi\n---\nFirst para.\n\nSecond para here.\n"
    a = parse(base)
    b = parse(base.replace("here", "there"))
    c = parse(base.replace("Hi", "Hello"))
    assert a.source_hash != b.source_hash
    assert a.meta_hash == b.meta_hash, "a change below the summary that keeps the word count is not list-visible"
    assert a.meta_hash != c.meta_hash
    assert parse(base).meta_hash == a.meta_hash and parse(base).source_hash == a.source_hash


@pytest.mark.parametrize(("text", "line"), [
    ("---\ntitle: Hi\ndate: 2020-10-23\n---\nBody starts here.\n", 5),
    ("---\ntitle: Hi\n---\n\n\nBody starts here.\n", 6),
    ('+++\ntitle = "Hi"\n+++\nBody starts here.\n', 4),
])
def test_body_line(text, line):
    assert parse(text).body_line == line
