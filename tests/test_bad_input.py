"""Messy and broken content files: each gets one clear `path:line` message (no traceback), a failed build
leaves the previous output/ as it was, and --skip-invalid builds everything else."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from sitegen.cli import main
from sitegen.errors import BuildFailed
from tests.sitekit import build_site, page, snapshot, write_site

GOOD = {"2020/2020-10-23-good.md": "---\ntitle: Good story\ndate: 2020-10-23\n---\nFine text.\n"}
GOOD_PAGE = "2020/10/good/index.html"


def article(title: str = "T", date: str = "2020-01-01", body: str = "Text.\n", **extra: str) -> str:
    lines = [f"title: {title}", f"date: {date}", *(f"{k}: {v}" for k, v in extra.items())]
    return "---\n" + "\n".join(lines) + "\n---\n" + body


@pytest.fixture
def good_site(tmp_path) -> tuple[Path, dict[str, bytes]]:
    """A site built once; the snapshot of its output."""
    root = write_site(tmp_path / "site", GOOD)
    build_site(root)
    return root, snapshot(root / "output")


def add(root: Path, rel: str, data: bytes | str) -> Path:
    path = root / "content" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def cli_errors(root: Path, capsys, *extra: str) -> tuple[int, list[str]]:
    """Exit code and the `error:` lines of a CLI build."""
    code = main(["build", "--source", str(root), "--quiet", *extra])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, [line.removeprefix("error: ") for line in err.splitlines() if line.startswith("error: ")]


def assert_refused_then_skipped(root: Path, before: dict[str, bytes], capsys, expected: list[str]) -> None:
    """The build exits 1 with exactly `expected`, output/ unchanged; --skip-invalid builds the good article
    and names the broken one as left out."""
    code, errors = cli_errors(root, capsys)
    assert (code, errors) == (1, expected)
    assert snapshot(root / "output") == before
    assert main(["build", "--source", str(root), "--quiet", "--skip-invalid"]) == 0
    warnings = [line.replace(": warning: ", ": ", 1) for line in capsys.readouterr().err.splitlines()
                if ": warning: " in line]
    assert warnings == [f"{e} (left out of the site)" for e in expected]
    assert page(root / "output", GOOD_PAGE).h1 == "Good story"


BROKEN = {
    "not UTF-8": (b"---\ntitle: Caf\xe9\ndate: 2020-01-01\n---\nx\n",
                  "2: not UTF-8 text (byte 0xe9); save the file as UTF-8"),
    "binary named .md": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01",
                         ": contains NUL bytes: this looks like a binary file, not Markdown; rename or remove it"),
    "unclosed frontmatter": ("---\ntitle: T\ndate: 2020-01-01\nText.\n",
                             ("1: YAML frontmatter opened on line 1 is never closed; add the closing '---' line "
                             "after the last key")),
    "invalid YAML": ("---\ntitle: T\ndate: 2020-01-01\ntags: [a, b\nauthor: X\n---\nx\n",
                     ("4: invalid YAML frontmatter: did not find expected ',' or ']' (while parsing a flow sequence "
                     "that starts here; the parser gave up on line 5)")),
    "invalid TOML": ('+++\ntitle = "T"\ndate = 2020-01-01\ntags = ["a" "b"]\n+++\nx\n',
                     "4: invalid TOML frontmatter: Unclosed array (at line 4, column 13)"),
    "TOML cut short": ('+++\ntitle = "T"\ntags = [\n+++\nx\n',
                       "4: invalid TOML frontmatter: Invalid value (at end of document)"),
    "invalid JSON": ('{\n"title": "T",\n"date": "2020-01-01",\n}\nx\n',
                     "4: invalid JSON frontmatter: Expecting property name enclosed in double quotes"),
    "frontmatter is a list": ("---\n- title\n- date\n---\nx\n",
                              "2: frontmatter must be keys with values (`title: ...`), not a list"),
    "frontmatter is text": ("---\njust a sentence\n---\nx\n",
                            "2: frontmatter must be keys with values (`title: ...`), not a str"),
    "impossible YAML date": (article(date="2021-02-30"),
                             ("3: invalid YAML frontmatter: cannot use '2021-02-30': day is out of range for month; "
                             "correct it")),
    "impossible quoted date": (article(date="'2021-02-30 10:00'"),
                               ("3: 'date': cannot read the date '2021-02-30 10:00'; write it as 2020-10-23, "
                               "2020-10-23 03:55 or 2020-10-23T03:55:00+01:00")),
    "impossible TOML date": ('+++\ntitle = "T"\ndate = 2021-02-30\n+++\nx\n',
                             "3: invalid TOML frontmatter: Invalid date or datetime (at line 3, column 8)"),
    "empty file": ("", (": the file is empty; write an article (frontmatter with a title and date, then the text) "
                       "or delete it")),
    "only blank lines": ("\n  \r\n\n", (": the file is empty; write an article (frontmatter with a title and date, "
                                       "then the text) or delete it")),
    "missing title": ("---\ndate: 2020-01-01\nauthor: X\n---\nx\n",
                      "1: no title: add `title: Your headline` to the frontmatter"),
    "blank title": ("---\ndate: 2020-01-01\ntitle: '  '\n---\nx\n",
                    "3: no title: add `title: Your headline` to the frontmatter"),
    "huge number": (article(count="1" + "0" * 5000),
                    ("4: invalid YAML frontmatter: cannot use '1000000000000000000000000000000000000000': Exceeds "
                    "the limit (4300 digits) for integer string conversion: value has 5001 digits; correct it")),
    "YAML anchor bomb": ("---\ntitle: T\ndate: 2020-01-01\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
                         + "".join(f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcdefgh", "bcdefghi"))
                         + "---\nx\n",
                         "7: frontmatter value 'd' is too large or contains itself (YAML anchors?); simplify it"),
    "YAML value containing itself": ("---\ntitle: T\ndate: 2020-01-01\nloop: &l [1, *l]\n---\nx\n",
                                     ("4: frontmatter value 'loop' is too large or contains itself (YAML anchors?); "
                                     "simplify it")),
    "TOML nested too deeply": ('+++\ntitle = "T"\ndate = 2020-01-01\nx = ' + "[" * 5000 + "]" * 5000 + "\n+++\nx\n",
                               "1: invalid TOML frontmatter: nested too deeply"),
    "JSON nested too deeply": ('{\n"title": "T", "date": "2020-01-01", "x": ' + "[" * 100_000 + "]" * 100_000
                               + "\n}\nx\n", "1: invalid JSON frontmatter: nested too deeply"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_broken_file_gets_one_message_and_nothing_else_breaks(good_site, capsys, case):
    root, before = good_site
    data, message = BROKEN[case]
    add(root, "2021/broken.md", data)
    assert_refused_then_skipped(root, before, capsys, [f"content/2021/broken.md:{message.lstrip(':')}"
                                                       if message[0].isdigit() else
                                                       f"content/2021/broken.md{message}"])


def test_unreadable_file(good_site, capsys):
    if os.geteuid() == 0:
        pytest.skip("root reads files whatever their mode")
    root, before = good_site
    path = add(root, "locked.md", article())
    path.chmod(0)
    try:
        assert_refused_then_skipped(root, before, capsys, ["content/locked.md: cannot read the file: Permission denied"])
    finally:
        path.chmod(0o644)


def test_file_that_fails_to_read(good_site, capsys, monkeypatch):
    """The same path as a chmod 000 file, for runs as root (which may read anything)."""
    root, before = good_site
    add(root, "locked.md", article())
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "locked.md":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    assert_refused_then_skipped(root, before, capsys, ["content/locked.md: cannot read the file: Permission denied"])


def test_two_files_on_one_url(good_site, capsys):
    root, before = good_site
    add(root, "elsewhere/2020-10-23-good.md", article(title="Copy", date="2020-10-23"))
    assert_refused_then_skipped(root, before, capsys, [
        ("content/elsewhere/2020-10-23-good.md: output '2020/10/good/index.html' is also produced by "
        "content/2020/2020-10-23-good.md; give one of them another slug, alias or file name")])


def test_urls_differing_only_in_case(good_site, capsys):
    root, before = good_site
    add(root, "other.md", article(title="Shouting", date="2020-10-23", slug="GOOD"))
    assert_refused_then_skipped(root, before, capsys, [
        ("content/other.md: output '2020/10/GOOD/index.html' is also produced by content/2020/2020-10-23-good.md "
        "as '2020/10/good/index.html' (differs only in case); give one of them another slug, alias or file name")])


def test_alias_on_an_article_url(good_site, capsys):
    root, before = good_site
    add(root, "other.md", article(title="Other", aliases="[/2020/10/good/]"))
    assert_refused_then_skipped(root, before, capsys, [
        ("content/other.md (alias): output '2020/10/good/index.html' is also produced by "
        "content/2020/2020-10-23-good.md; give one of them another slug, alias or file name")])


def test_url_that_needs_a_folder_where_another_page_is_a_file(good_site, capsys):
    root, before = good_site
    add(root, "other.md", article(title="Other", slug="index.html", aliases="[/feed.xml/old/]"))
    assert_refused_then_skipped(root, before, capsys, [
        ("content/other.md: output '2020/01/index.html/index.html' needs a folder where the month page writes the "
        "file '2020/01/index.html'; give one of them another slug, alias or file name"),
        ("content/other.md (alias): output 'feed.xml/old/index.html' needs a folder where the feed page writes the "
        "file 'feed.xml'; give one of them another slug, alias or file name")])


def test_url_names_too_long_for_file_systems(good_site, capsys):
    root, before = good_site
    add(root, "long.md", article(title="Long", slug="a" * 256, aliases=f"[/old/{'é' * 128}.html]"))
    assert_refused_then_skipped(root, before, capsys, [
        (f"content/long.md: output path '2020/01/{'a' * 52}...' has a name longer than 255 bytes, which file "
        "systems refuse; shorten the slug, alias or pattern"),
        (f"content/long.md (alias): output path 'old/{'é' * 56}...' has a name longer than 255 bytes, which file "
        "systems refuse; shorten the slug, alias or pattern")])


def test_byte_order_mark_builds(tmp_path):
    root = write_site(tmp_path, {})
    add(root, "bom.md", "\ufeff---\ntitle: With BOM\ndate: 2020-01-01\ntags: [a]\n---\nText.\n")
    build_site(root)
    assert page(root / "output", "2020/01/bom/index.html").h1 == "With BOM"


def test_crlf_line_endings_build_frontmatter_included(tmp_path):
    root = write_site(tmp_path, {})
    add(root, "crlf.md", "---\r\ntitle: Windows\r\ndate: 2020-01-01 10:00\r\ntags: [one, two]\r\n---\r\n"
                         "First paragraph\r\nstill first.\r\n\r\n## Heading\r\n")
    add(root, "toml.md", '+++\r\ntitle = "Toml"\r\ndate = 2020-01-02\r\n+++\r\nBody.\r\n')
    add(root, "cr.md", "---\rtitle: Old Mac\rdate: 2020-01-03\r---\rBody.\r")
    build_site(root)
    out = root / "output"
    doc = page(out, "2020/01/crlf/index.html")
    assert doc.h1 == "Windows" and ("2020-01-01T10:00:00+00:00", "10:00 GMT 1 January 2020") in doc.times
    assert ("a", "/tags/two/") in doc.links
    assert "\r" not in (out / "2020/01/crlf/index.html").read_text(encoding="utf-8")
    assert page(out, "2020/01/toml/index.html").h1 == "Toml"
    assert page(out, "2020/01/cr/index.html").h1 == "Old Mac"


def test_five_megabyte_article_builds(tmp_path):
    paragraph = "Lorem ipsum *dolor* sit amet, [consectetur](https://example.org/) adipiscing elit. " * 12
    body = "\n\n".join([paragraph] * 5100)
    assert len(body) > 5_000_000
    root = write_site(tmp_path, {})
    add(root, "big.md", article(title="Big", body=body))
    result = build_site(root)
    assert result.articles == 1
    html = (root / "output/2020/01/big/index.html").read_text(encoding="utf-8")
    assert html.count("<em>dolor</em>") == 61_200


NESTED = {
    "blockquotes": ">" * 10_000 + " deep\n",
    "brackets": "[" * 10_000 + "x" + "]" * 10_000 + "\n",
    "link openers": "[a](" * 10_000 + "\n",
    "images in links": "[![" * 5_000 + "\n",
    "emphasis": "*" * 10_000 + "x" + "*" * 10_000 + "\n",
    "emphasis runs": "*a " * 10_000 + "\n",
    "list items": "- " * 10_000 + "x\n",
    "indented lists": "".join("  " * i + "- x\n" for i in range(1_000)),
    "parentheses in a link": "[x](" + "(" * 10_000 + ")\n",
    "raw HTML": "<div>" * 10_000 + "\n",
    "backticks": "`" * 10_000 + "\n",
}


@pytest.mark.parametrize("case", NESTED)
def test_pathologically_nested_markdown_builds(tmp_path, case):
    root = write_site(tmp_path, {})
    add(root, "deep.md", article(title="Deep", body=NESTED[case]))
    build_site(root)
    assert page(root / "output", "2020/01/deep/index.html").h1 == "Deep"


def test_file_names_with_spaces_and_non_ascii_characters(tmp_path):
    root = write_site(tmp_path, {})
    add(root, "with space.md", article(title="Spaced"))
    add(root, "café crème.md", article(title="Accented"))
    add(root, "日本語.md", article(title="Japanese"))
    add(root, "2020-02-02-news of the day.md", "---\ntitle: Dated\n---\nx\n")
    add(root, "photos/my photo é.jpg", b"\xff\xd8jpeg")
    build_site(root)
    out = root / "output"
    assert page(out, "2020/01/with-space/index.html").h1 == "Spaced"
    assert page(out, "2020/01/cafe-creme/index.html").h1 == "Accented"
    assert page(out, "2020/01/日本語/index.html").h1 == "Japanese"
    assert page(out, "2020/02/news-of-the-day/index.html").h1 == "Dated"
    assert (out / "photos/my photo é.jpg").read_bytes() == b"\xff\xd8jpeg"


def test_every_error_of_every_file_is_reported_at_once(tmp_path):
    root = write_site(tmp_path, {})
    add(root, "a.md", "")
    add(root, "b.md", "---\ndate: 2020-02-30\n---\n")
    add(root, "c.md", "---\ntitle: [unclosed\n---\n")
    with pytest.raises(BuildFailed) as failed:
        build_site(root)
    assert [(e.path, e.line) for e in failed.value.errors] == [("content/a.md", None), ("content/b.md", 2),
                                                               ("content/c.md", 2)]
