"""`sitegen check`: typos in keys, odd dates, dead article links and missing images, each with path:line."""
from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sitegen.check import check_site
from sitegen.cli import main
from tests.sitekit import write_site

NOW = datetime(2024, 6, 1, tzinfo=UTC)


def found(tmp_path: Path, files: dict[str, str], config: str = "") -> tuple[list[str], list[str]]:
    report = check_site(write_site(tmp_path, files, config), NOW)
    return [str(e) for e in report.errors], [str(w) for w in report.warnings]


def test_clean_archive_has_nothing_to_say(tmp_path: Path):
    assert found(tmp_path, {"2020/2020-01-02-a.md": "---\ntitle: A\ntags: [x]\n---\nSee [b](b.md).\n",
                            "2020/b.md": "---\ntitle: B\ndate: 2020-01-03\n---\nText.\n"}) == ([], [])


def test_key_typos_are_errors_on_their_line(tmp_path: Path):
    errors, _ = found(tmp_path, {"2020-01-02-a.md": "---\ntittle: A\ntag: x\nautor: Ana\nlayout: post\n---\nText.\n"})
    assert errors == [
        "content/2020-01-02-a.md:1: no title: add `title: Your headline` to the frontmatter",
        ("content/2020-01-02-a.md:2: unknown key 'tittle': did you mean 'title'? (as written it is only passed to "
        "templates)"),
        "content/2020-01-02-a.md:3: unknown key 'tag': did you mean 'tags'? (as written it is only passed to templates)",
        ("content/2020-01-02-a.md:4: unknown key 'autor': did you mean 'author'? (as written it is only passed to "
        "templates)"),
    ]


def test_other_generators_keys_are_not_typos(tmp_path: Path):
    assert found(tmp_path, {"a.md": "---\ntitle: A\ndate: 2020-01-01\nlastmod: 2020-02-01\ncategory: x\n"
                                    "Summary: s\n---\nText.\n"}) == ([], [])


def test_missing_and_suspicious_dates(tmp_path: Path):
    errors, warnings = found(tmp_path, {
        "none.md": "---\ntitle: A\n---\nText.\n",
        "old.md": "---\ntitle: A\ndate: 1850-01-01\n---\nText.\n",
        "far.md": "---\ntitle: A\ndate: 2240-01-01\n---\nText.\n",
        "soon.md": "---\ntitle: A\ndate: 2024-07-01\n---\nText.\n",
        "back.md": "---\ntitle: A\n\ndate: 2024-01-02\nupdated: 2024-01-01\n---\nText.\n",
        "2020-01-01-named.md": "---\ntitle: A\ndate: 2021-03-04\n---\nText.\n",
    })
    assert errors == [("content/none.md:1: no date: add `date: 2020-10-23 03:55` to the frontmatter, or name the "
                      "file YYYY-MM-DD-slug.md")]
    assert warnings == [
        "content/2020-01-01-named.md:3: date 2021-03-04 differs from the file name's 2020-01-01",
        "content/back.md:5: updated (2024-01-01T00:00:00+00:00) before it was published (2024-01-02T00:00:00+00:00)",
        "content/far.md:3: dated 2240, far in the future: a typo?",
        "content/old.md:3: dated 1850, before 1900: a typo?",
        ("content/soon.md:3: dated in the future (2024-07-01T00:00:00+00:00): builds leave it out until then "
        "(or use --future)"),
    ]


def test_dead_article_links_and_missing_images(tmp_path: Path):
    write_site(tmp_path, {
        "2020/2020-01-02-a.md": """\
            ---
            title: A
            ---
            First [ok](b.md) and [gone](../2019/gone.md#x).

            ![here](pic.png) ![static](/img/logo.png) ![missing](nothere.png)
            ![remote](https://example.org/x.png) ![under base](/archive/img/logo.png)
            """,
        "2020/b.md": "---\ntitle: B\ndate: 2020-01-03\n---\n![up](../shared.jpg)\n",
    }, config='base_url = "/archive/"\n')
    (tmp_path / "content/2020/pic.png").write_bytes(b"P")
    (tmp_path / "static/img").mkdir(parents=True)
    (tmp_path / "static/img/logo.png").write_bytes(b"P")
    report = check_site(tmp_path, NOW)
    assert [str(e) for e in report.errors] == [
        ("content/2020/2020-01-02-a.md:4: link to '../2019/gone.md#x' points to no article ('2019/gone.md' does not "
        "exist under content/)"),
        "content/2020/2020-01-02-a.md:6: image 'nothere.png' not found in content/ or static/",
        "content/2020/b.md:5: image '../shared.jpg' not found in content/ or static/",
    ]
    assert not (tmp_path / "output").exists()


def test_leftover_template_tags_are_warnings(tmp_path: Path):
    _, warnings = found(tmp_path, {"_posts/2020-01-02-a.md": "---\ntitle: A\n---\n\nText {% include x.html %}\n"})
    assert warnings == [("content/_posts/2020-01-02-a.md:5: Liquid tag '{% include x.html %}' left from another "
                        "generator is shown as text; replace it with Markdown or HTML")]


def test_command_exit_codes_and_summary(tmp_path: Path, capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))
    write_site(tmp_path, {"a.md": "---\ntitle: A\ndate: 2025-01-01\n---\nText.\n"})
    assert main(["check", "--source", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        ("content/a.md:3: warning: dated in the future (2025-01-01T00:00:00+00:00): builds leave it out until then "
        "(or use --future)"),
        "checked 1 articles: 0 error(s), 1 warning(s)"]
    (tmp_path / "content/b.md").write_text("---\ntitle: B\ndate: 2020-01-01\ntag: x\n---\n", encoding="utf-8")
    assert main(["check", "--source", str(tmp_path)]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        "content/b.md:4: error: unknown key 'tag': did you mean 'tags'? (as written it is only passed to templates)")


def test_a_folder_without_content_is_an_error(tmp_path: Path):
    report = check_site(tmp_path, NOW)
    assert [e.message for e in report.errors] == ["no content/ folder: nothing to check"]


def test_checking_loads_no_template_engine():
    """`sitegen check` needs no Jinja: nothing it imports may pull in the renderer."""
    code = "import sys, sitegen.check; print(sorted(m for m in sys.modules if m.split('.')[0] == 'jinja2'))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
