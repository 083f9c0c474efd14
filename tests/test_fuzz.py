"""Fuzzing: arbitrary frontmatter values and Markdown never raise; each file builds or gets `path:line` errors."""
from __future__ import annotations

import json
import tempfile
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.config import SiteConfig
from sitegen.errors import BuildFailed, SiteError
from sitegen.reader import KNOWN_KEYS, Parsed, parse_article
from sitegen.session import BuildOptions, build

FAST = settings(max_examples=200, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SITES = settings(max_examples=20, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

weird_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40) | st.sampled_from([
    "", " ", "..", "../../etc/passwd", "/abs", "a\\b", "</script><script>alert(1)</script>", "javascript:alert(1)",
    "\u202egnp.exe", "\ufeff", "\u0000", "\x1b[2J", "🙂" * 5, "ǅ", "İ", "ß", "\u0301", "  spaced  ", "2021-02-30",
    "2020-10-23T03:55:00+01:00", "23 October 2020", "yes", "null", "~", "{{ 7*7 }}", "%s%n", "\r\n"])
aware = st.datetimes(
                     timezones=st.sampled_from([UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12))]))
edge_dates = st.sampled_from([date(1, 1, 1), datetime(1, 1, 1, 0, 30), datetime(9999, 12, 31, 23, 59), date(9999, 12, 31),
                              datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))), "2020-02-29", "1900-02-29",
                              datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-12)))])
scalars = (weird_text | st.integers(-10**30, 10**30) | st.floats(allow_nan=True, allow_infinity=True) | st.booleans()
           | st.none() | st.dates(min_value=date(1, 1, 1)) | st.datetimes() | aware)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(weird_text, inner, max_size=4),
                      max_leaves=12)
keys = st.sampled_from(sorted(KNOWN_KEYS)) | weird_text
meta = st.dictionaries(keys, values, max_size=8)
markdown_bits = st.sampled_from([
    "# ", "## ", "> ", "- ", "1. ", "* ", "**", "_", "`", "```", "```python\n", "~~~", "[", "]", "(", ")", "![",
    "<", ">", "<div>", "</div>", "<script>", "<!--", "-->", "<!--more-->", "\n", "\n\n", "    ", "|", "| --- |",
    "[^1]", "[^1]: ", "&amp;", "&#0;", "&#x110000;", "\\", "---", "+++", "{", "}", "javascript:alert(1)",
    "[x](other.md)", "[x](../../up.md)", "[x](javascript:alert(1))", "***", "\t", "<a href='x' onclick='y'>",
])
markdown = st.lists(markdown_bits | weird_text, max_size=30).map("".join)


hand_written = st.sampled_from([
    "2021-02-30", "2021-02-30 10:00", "1" + "0" * 5000, "[a, b", "{x: ", "&a [*a]", "*nowhere", "!!python/object:os.system",
    "!!binary xyz", "!!timestamp 2020-99-99", ".nan", "-.inf", "0o999", "|", ">-", "'unclosed", '"\\xZZ"', "@at", "`tick",
    "a: b: c", "- item", "? key", "%TAG", "0001-01-01", "9999-12-31T23:59:59-12:00", "+12345-01-01"]) | weird_text


def frontmatter(fm: dict, form: str, loose: list[str]) -> str:
    if form == "yaml":
        return "---\n" + yaml.safe_dump(fm, allow_unicode=True) + "---\n"
    if form == "json":
        return json.dumps(fm, indent=1, default=str, ensure_ascii=False) + "\n"
    if form == "toml":
        return "+++\n" + "\n".join(f"{k} = {v}" for k, v in zip(fm, loose)) + "\n+++\n"
    return "---\n" + "\n".join(f"{k}: {v}" for k, v in zip(fm, loose)) + "\n---\n"  # written by hand


@st.composite
def article_files(draw) -> bytes:
    fm = draw(meta)
    if draw(st.integers(0, 3)):  # mostly a usable title and date, so that the other values get as far as rendering
        fm["title"] = draw(st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1,
                                   max_size=60).filter(str.strip))
        fm["date"] = draw(edge_dates | aware | st.dates(min_value=date(1, 1, 1)) | st.datetimes())
    form = draw(st.sampled_from(["yaml", "json", "loose", "loose", "toml", "none"]))
    loose = [json.dumps(v, default=str) if k in ("title", "date") else draw(hand_written) for k, v in fm.items()]
    head = "" if form == "none" else frontmatter(fm, form, loose)
    text = head + draw(markdown)
    return text.encode("utf-8", "surrogatepass") if draw(st.booleans()) else text.replace("\n", "\r\n").encode(
        "utf-8", "surrogatepass")


def check(result: Parsed | list[SiteError], article_id: str, raw: bytes) -> None:
    if isinstance(result, Parsed):
        assert result.article.meta.title.strip() and result.article.meta.slug
        return
    assert result, "an empty error list"
    lines = raw.count(b"\n") + 1
    path = f"content/{article_id}"
    for error in result:
        assert isinstance(error, SiteError) and error.path == path and error.message
        assert error.line is None or 1 <= error.line <= lines, error
        assert str(error).startswith(f"{path}:{error.line}: " if error.line else f"{path}: ")


@FAST
@given(article_files())
def test_any_file_parses_or_gets_located_errors(raw):
    check(parse_article(raw, "2020/story.md", SiteConfig()), "2020/story.md", raw)


@FAST
@given(st.binary(max_size=200))
def test_any_bytes_parse_or_get_located_errors(raw):
    check(parse_article(raw, "x.md", SiteConfig()), "x.md", raw)


@SITES
@given(st.lists(article_files(), min_size=1, max_size=3),
       st.sampled_from(["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/New_York", "Asia/Kathmandu"]))
def test_any_site_builds_or_reports_every_bad_file(files, zone):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "site.toml").write_text(f'timezone = "{zone}"\n', encoding="utf-8")
        for n, raw in enumerate(files):
            (root / "content").mkdir(exist_ok=True)
            (root / "content" / f"file-{n}.md").write_bytes(raw)
        try:
            result = build(BuildOptions(source=root, output=root / "output", jobs=1, future=True, drafts=True))
        except BuildFailed as failed:
            assert failed.errors
            for error in failed.errors:
                assert error.path.startswith("content/file-"), error
            assert not (root / "output").exists()
        else:
            assert result.articles == len(files)
            assert (root / "output/index.html").is_file()
        skipped = build(BuildOptions(source=root, output=root / "skipped", jobs=1, future=True, drafts=True,
                                     skip_invalid=True))
        assert (root / "skipped/index.html").is_file() and skipped.articles <= len(files)
