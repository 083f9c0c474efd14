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
    _, warnings = found(tmp_path, {"a.md": "---\ntitle: A\ndate: 2020-01-02\n---\n\nText {% include x.html %}\n"})
    assert warnings == [("content/a.md:6: Liquid tag '{% include x.html %}' left from another "
                        "generator is shown as text; replace it with Markdown or HTML")]


def test_a_missing_liquid_include_is_a_warning_with_its_line(tmp_path: Path):
    _, warnings = found(tmp_path, {"_posts/2020-01-02-a.md": "---\ntitle: A\n---\n\nText {% include x.html %}\n"})
    assert warnings == [("content/_posts/2020-01-02-a.md:5: Liquid: include 'x.html' not found in _includes/ or "
                        "templates/includes/; the body is shown without Liquid")]


def test_undefined_shortcodes_liquid_tags_and_filters_are_listed_once_each(tmp_path: Path):
    files = {
        "a.md": "---\ntitle: A\ndate: 2020-01-02\n---\n{{< figure src=\"x.png\" >}}\n\n{{< chart >}}\n",
        "b.md": "---\ntitle: B\ndate: 2020-01-03\n---\nText.\n\n{{% chart %}}x{{% /chart %}} {{ map(zoom=3) }}\n",
        "_posts/2020-01-04-c.md": "---\ntitle: C\n---\n{% image \"a.jpg\", \"alt\" %} {{ 'x' | smartquote }}\n",
        "_posts/2020-01-05-d.md": "---\ntitle: D\n---\n\n{{ 'y' | smartquote }} {% box %}\n",
    }
    write_site(tmp_path, files)
    (tmp_path / "templates/shortcodes").mkdir(parents=True)
    (tmp_path / "templates/shortcodes/box.html").write_text("<b>box</b>")
    warnings = [str(w) for w in check_site(tmp_path, NOW).warnings if "used in" in w.message]
    assert warnings == [
        ("content/_posts/2020-01-04-c.md:4: unknown Liquid filter 'smartquote' used in 2 files: its values are shown "
        "unfiltered; no template defines a filter, so rewrite it in the text"),
        ("content/_posts/2020-01-04-c.md:4: unknown Liquid tag 'image' used in 1 file: shown as text until "
        "templates/shortcodes/image.html defines it"),
        ("content/a.md:7: unknown shortcode 'chart' used in 2 files: shown as text until "
        "templates/shortcodes/chart.html defines it"),
        ("content/b.md:7: unknown shortcode 'map' used in 1 file: shown as text until templates/shortcodes/map.html "
        "defines it"),
    ]


def test_check_imports_no_template_engine():
    import subprocess
    import sys

    code = "import sys, sitegen.check; print('jinja2' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


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


def test_shortcode_images_are_checked_like_markdown_images(tmp_path: Path):
    errors, _ = found(tmp_path, {"2020/a.md": "---\ntitle: A\ndate: 2020-01-02\n---\nText.\n\n"
                                              '{{< figure src="map.png" >}}\n{{< figure src="/logo.png" >}}\n'
                                              '{{< figure src="https://example.org/x.png" >}}\n'})
    (tmp_path / "static").mkdir()
    (tmp_path / "static/logo.png").write_bytes(b"PNG")
    assert errors == [("content/2020/a.md:7: image '/2020/map.png' of shortcode 'figure' not found in content/ or "
                      "static/"), ("content/2020/a.md:8: image '/logo.png' of shortcode 'figure' not found in "
                      "content/ or static/")]
    (tmp_path / "content/2020/map.png").write_bytes(b"PNG")
    assert [str(e) for e in check_site(tmp_path, NOW).errors] == []


def test_a_lead_image_without_alt_text_is_a_warning(tmp_path: Path):
    errors, warnings = found(tmp_path, {
        "2020/2020-01-02-a.md": "---\ntitle: A\nimage: https://example.org/a.jpg\n---\nText.\n",
        "2020/2020-01-03-b.md": "---\ntitle: B\nimage: https://example.org/b.jpg\nimage_alt: Ships at the quay\n---\nText.\n"})
    assert errors == []
    assert warnings == [("content/2020/2020-01-02-a.md:3: the lead image has no alt text: add `image_alt:` describing "
                        "what it shows")]
