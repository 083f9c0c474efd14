"""A second build does only what changed, and always ends equal to a clean build."""
from __future__ import annotations

import shutil

import pytest

from sitegen.errors import BuildFailed
from sitegen.files import THEME
from tests.sitekit import build_site, mtimes, snapshot, write_site

KERRY = "content/2020/2020-10-23-kerry-urges.md"


@pytest.fixture
def root(tmp_path):
    root = write_site(tmp_path / "site")
    build_site(root)
    return root


def changed_files(root, edit) -> set[str]:
    before = mtimes(root / "output")
    edit()
    build_site(root)
    after = mtimes(root / "output")
    return {p for p in after if before.get(p) != after[p]} | {p for p in before if p not in after}


def assert_equals_clean_build(root, tmp_path):
    clean = tmp_path / "clean"
    shutil.copytree(root / "content", clean / "content")
    build_site(clean)
    assert snapshot(root / "output") == snapshot(clean / "output")


def test_second_build_renders_and_writes_nothing(root):
    before = mtimes(root / "output")
    result = build_site(root)
    assert (result.written, result.changed, result.removed) == (0, 0, 0)
    assert mtimes(root / "output") == before


def test_body_edit_rewrites_only_the_article_page(root, tmp_path):
    path = root / KERRY

    def edit():
        path.write_text(path.read_text() + "\nA further paragraph on the talks.\n")

    assert changed_files(root, edit) == {"2020/10/kerry-urges/index.html"}
    assert_equals_clean_build(root, tmp_path)


def test_retag_rewrites_old_and_new_tag_pages(root, tmp_path):
    path = root / KERRY

    def edit():
        path.write_text(path.read_text().replace("tags: [airstrikes, Syria, United States, Russia]",
                                                 "tags: [airstrikes, Syria, United States, Diplomacy]"))

    changed = changed_files(root, edit)
    assert {"tags/russia/index.html", "tags/russia/feed.xml", "tags/diplomacy/index.html",
            "tags/index.html"} <= changed
    assert not (root / "output/tags/russia").exists()
    assert "tags/budget/index.html" not in changed
    assert_equals_clean_build(root, tmp_path)


def test_respelling_a_tag_rewrites_the_pages_of_other_articles_that_show_it(root, tmp_path):
    """Aleppo writes "syria" but its link shows the tag page's name, which Kerry's spelling decides."""
    path = root / KERRY
    aleppo = "2020/11/aleppo-corridor/index.html"
    assert 'rel="tag">Syria</a>' in (root / "output" / aleppo).read_text()

    def edit():
        path.write_text(path.read_text().replace("tags: [airstrikes, Syria,", "tags: [airstrikes, syria,"))

    changed = changed_files(root, edit)
    assert {aleppo, "tags/syria/index.html", "tags/syria/feed.xml"} <= changed
    assert 'rel="tag">syria</a>' in (root / "output" / aleppo).read_text()
    assert_equals_clean_build(root, tmp_path)


def test_template_error_leaves_output_byte_identical(root):
    before = snapshot(root / "output")
    (root / "templates").mkdir()
    (root / "templates/article.html").write_text('{% extends "base.html" %}{% block main %}{{ nope.x }}{% endblock %}')
    with pytest.raises(BuildFailed) as failed:
        build_site(root)
    assert str(failed.value.errors[0]).startswith("templates/article.html:1: template error: 'nope' is undefined")
    assert snapshot(root / "output") == before


def test_template_change_rerenders_pages_that_use_it(root):
    """macros.html is imported by list pages, not by feeds: only the former change."""
    (root / "templates").mkdir()
    theme_macros = (THEME / "templates/macros.html").read_text()
    (root / "templates/macros.html").write_text(theme_macros.replace("article-list", "article-list changed"))
    changed = changed_files(root, lambda: None)
    assert "index.html" in changed and "tags/syria/index.html" in changed
    assert "feed.xml" not in changed and "sitemap.xml" not in changed


def test_body_edit_leaves_lists_alone_unless_their_template_shows_length(root, tmp_path):
    path = root / KERRY
    path.write_text(path.read_text() + "\nA further paragraph on the talks.\n")
    result = build_site(root)
    assert "2020/10/kerry-urges/index.html" in result.rendered
    assert not {"index.html", "tags/syria/index.html", "sitemap.xml", "feed.xml"} & set(result.rendered)
    (root / "templates").mkdir()
    (root / "templates/tag.html").write_text("{% for a in articles %}{{ a.title }}: {{ a.word_count }}\n{% endfor %}")
    build_site(root)
    path.write_text(path.read_text() + "\nAnd one more paragraph.\n")
    assert "tags/syria/index.html" in changed_files(root, lambda: None)
    shutil.copytree(root / "templates", tmp_path / "clean" / "templates")
    assert_equals_clean_build(root, tmp_path)


def test_date_change_moves_article_between_archives(root, tmp_path):
    path = root / KERRY
    path.write_text(path.read_text().replace("2020-10-23T03:55:00+00:00", "2021-02-01T10:00:00+00:00"))
    build_site(root)
    out = root / "output"
    assert (out / "2021/02/kerry-urges/index.html").is_file() and not (out / "2020/10/kerry-urges").exists()
    assert_equals_clean_build(root, tmp_path)


def test_new_and_renamed_files(root, tmp_path):
    (root / "content/2020/2020-12-01-new.md").write_text("---\ntitle: New\ndate: 2020-12-01\ntags: [Syria]\n---\nx\n")
    (root / KERRY).rename(root / "content/2020/2020-10-23-kerry-renamed.md")
    build_site(root)
    assert not (root / "output/2020/10/kerry-urges").exists()
    assert_equals_clean_build(root, tmp_path)
