"""The session's preview: a saved article's page written from the last build, under the build's rules."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import sitegen.watch
from sitegen.errors import BuildFailed
from sitegen.session import BuildOptions, BuildSession
from tests.sitekit import snapshot, write_site

KERRY = "content/2020/2020-10-23-kerry-urges.md"
PAGE = "2020/10/kerry-urges/index.html"


@pytest.fixture
def session(tmp_path):
    root = write_site(tmp_path / "site")
    session = BuildSession(BuildOptions(source=root, output=root / "output", jobs=1))
    session.build()
    return session


def edit(session: BuildSession, old: str, new: str) -> Path:
    path = session.source / KERRY
    path.write_text(path.read_text().replace(old, new, 1))
    return path


def test_a_saved_article_is_written_before_the_build(session):
    path = edit(session, "Moscow to rein", "Moscow again to rein")
    assert session.preview([path]) == 1
    assert "Moscow again to rein" in (session.output / PAGE).read_text()


def test_the_preview_equals_what_the_build_then_writes_for_a_body_edit(session):
    path = edit(session, "Moscow to rein", "Moscow again to rein")
    session.preview([path])
    previewed = (session.output / PAGE).read_bytes()
    session.build()
    assert (session.output / PAGE).read_bytes() == previewed


@pytest.mark.parametrize("old, new", [
    ("title:", "draft: true\ntitle:"),  # now a draft: the build removes its page
    ("title:", "expires: 2001-01-01\ntitle:"),  # expired
    ("title:", "slug: another-name\ntitle:"),  # another URL
    ("title:", "title: [broken"),  # invalid
])
def test_an_article_the_build_would_not_publish_there_is_not_previewed(session, old, new):
    before = snapshot(session.output)
    assert session.preview([edit(session, old, new)]) == 0
    assert snapshot(session.output) == before


def test_only_articles_of_the_last_build_are_previewed(tmp_path, session):
    new = session.source / "content/2020/2020-11-01-new.md"
    new.write_text("---\ntitle: New\ndate: 2020-11-01\n---\nText.\n")
    template = session.source / "templates/base.html"
    assert session.preview([new, template, tmp_path / "elsewhere.md"]) == 0


def test_nothing_is_previewed_before_a_first_build(tmp_path):
    root = write_site(tmp_path / "site")
    session = BuildSession(BuildOptions(source=root, output=root / "output", jobs=1))
    assert session.preview([root / KERRY]) == 0


def test_the_watcher_imports_no_build_internals():
    tree = ast.parse(Path(sitegen.watch.__file__).read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    internals = {f"sitegen.{name}" for name in ("reader", "routes", "render", "views", "output", "search")}
    assert not imported & internals


def test_a_previewed_page_is_rendered_again_by_the_next_build_even_with_its_key_unchanged(session):
    """A preview may land after a build's own copy (it runs during builds): the next build must not trust it."""
    clean = snapshot(session.output)
    path = session.source / KERRY
    original = path.read_bytes()
    edit(session, "Moscow to rein", "Moscow again to rein")
    assert session.preview([path]) == 1
    path.write_bytes(original)  # saved back before the build: the page's key is as the manifest records it
    result = session.build()
    assert PAGE in result.rendered
    assert snapshot(session.output) == clean


def test_a_failed_build_keeps_the_previewed_pages_to_render(session):
    clean = snapshot(session.output)
    path = session.source / KERRY
    original = path.read_bytes()
    edit(session, "Moscow to rein", "Moscow again to rein")
    session.preview([path])
    path.write_bytes(original)
    template = session.source / "templates" / "broken.html"
    template.parent.mkdir(exist_ok=True)
    template.write_text("{% if %}")
    with pytest.raises(BuildFailed):
        session.build()
    template.unlink()
    session.build()
    assert snapshot(session.output) == clean
