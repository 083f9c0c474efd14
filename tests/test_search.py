"""Search: Pagefind indexes the published articles in shards, reindexes only what changed, stays current, and
never breaks a build."""
from __future__ import annotations

import json
import shutil
import stat
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sitegen import indexer, search, shards
from sitegen.cli import main
from sitegen.config import load_config
from sitegen.errors import BuildFailed
from sitegen.model import Site
from sitegen.reader import parse_article
from sitegen.session import BuildOptions
from sitegen.watch import Watcher
from tests.modelkit import make_site
from tests.sitekit import build_site, mtimes, search_records, snapshot, write_site

KERRY = "content/2020/2020-10-23-kerry-urges.md"
KERRY_PAGE = "2020/10/kerry-urges/index.html"


class Marks(HTMLParser):
    """The page's data-pagefind-* attributes, the search form and the search mount point."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.body: list[str] = []
        self.meta: list[str] = []
        self.filters: list[str] = []
        self.forms: list[dict] = []
        self.inputs: list[dict] = []
        self.mount: dict | None = None
        self._filter_text: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-pagefind-body" in a:
            self.body.append(tag)
        if "data-pagefind-meta" in a:
            self.meta.append(a["data-pagefind-meta"])
        if "data-pagefind-filter" in a:
            value = a["data-pagefind-filter"]
            if ":" in value:
                self.filters.append(value)
            else:
                self._filter_text = [value, ""]
        if tag == "form":
            self.forms.append(a)
        if tag == "input":
            self.inputs.append(a)
        if a.get("id") == "search":
            self.mount = a

    def handle_data(self, data):
        if self._filter_text is not None:
            self._filter_text[1] += data

    def handle_endtag(self, tag):
        if self._filter_text is not None:
            self.filters.append(":".join(self._filter_text))
            self._filter_text = None


def marks(output: Path, rel: str) -> Marks:
    return Marks((output / rel).read_text(encoding="utf-8"))


def indexed(output: Path) -> dict[str, str]:
    """URL → indexed text of every article in the search index, whatever its shard."""
    return {url: data["content"] for shard in search_records(output).values() for url, data in shard.items()}


def shard_list(output: Path) -> list[str]:
    return json.loads((output / "pagefind" / "shards.json").read_text())["shards"]


@pytest.fixture
def runs(monkeypatch):
    """The shards Pagefind indexes, in the order their runs start."""
    calls = []
    real = indexer.write_bundle

    def counted(binary, documents, bundle):
        calls.append(bundle.name)
        return real(binary, documents, bundle)

    monkeypatch.setattr(indexer, "write_bundle", counted)
    return calls


@pytest.fixture
def root(tmp_path):
    root = write_site(tmp_path / "site")
    build_site(root)
    return root


def published_site(root: Path) -> Site:
    """The fixture's model, as a build publishes it (no draft, no future story)."""
    config, content = load_config(root), root / "content"
    parsed = [parse_article(p.read_bytes(), p.relative_to(content).as_posix(), config)
              for p in sorted(content.rglob("*.md"))]
    return make_site([x.article for x in parsed if not x.article.draft and x.article.meta.date.year < 2099], config)


def test_shards_are_years_until_a_year_is_large(root, monkeypatch):
    site = published_site(root)
    assert {name: [r.id for r in rs] for name, rs in shards.shard_records(site).items()} == {
        "2019": ["2019/2019-07-31-late-night.md", "2019/2019-03-01-budget.md"],
        "2020": ["2020/2020-11-02-aleppo-corridor.md", "2020/2020-10-23-kerry-urges.md"]}
    monkeypatch.setattr(shards, "SHARD_LIMIT", 1)  # two articles a year: each year in halves
    assert list(shards.shard_records(site)) == ["2019-01-06", "2019-07-12", "2020-07-12"]


def test_only_articles_are_indexed_with_their_text(root):
    records = search_records(root / "output")
    assert {shard: sorted(pages) for shard, pages in records.items()} == {
        "2019": ["/2019/03/budget/", "/2019/07/late-night/"],
        "2020": ["/2020/10/kerry-urges/", "/2020/11/aleppo-corridor/"]}
    assert shard_list(root / "output") == ["2020", "2019"]
    kerry = records["2020"]["/2020/10/kerry-urges/"]
    assert kerry["content"].startswith("Kerry urges Moscow to rein in Damascus. Ana Petrova. US Secretary of State")
    assert kerry["content"].endswith("airstrikes. Syria. United States. Russia.")
    assert "min read" not in kerry["content"] and "Related" not in kerry["content"]
    assert kerry["meta"] == {"title": "Kerry urges Moscow to rein in Damascus", "date": "23 October 2020"}
    assert kerry["filters"] == {"tag": ["airstrikes", "Syria", "United States", "Russia"], "year": ["2020"]}
    assert kerry["anchors"][0]["id"] == "background"
    aleppo = records["2020"]["/2020/11/aleppo-corridor/"]["content"]
    assert aleppo.startswith("Aleppo humanitarian corridor opens. A corridor opened for civilians leaving Aleppo. "
                             "Ana Petrova, John Miller. Civilians began")  # the standfirst, then the byline


@pytest.mark.parametrize("rel", [KERRY_PAGE, "index.html", "tags/syria/index.html", "2020/index.html",
                                 "search/index.html", "404.html"])
def test_pages_carry_no_search_markup_as_the_index_is_built_from_the_model(root, rel):
    assert marks(root / "output", rel).body == []


def test_search_page_and_header_box_work_under_a_subpath(tmp_path):
    root = write_site(tmp_path / "site", config='base_url = "https://example.org/archive/"\n')
    build_site(root)
    output = root / "output"
    header = marks(output, KERRY_PAGE)
    assert header.forms == [{"class": "site-search", "role": "search", "action": "/archive/search/", "method": "get"}]
    assert [i["name"] for i in header.inputs] == ["q"]
    found = marks(output, "search/index.html")
    assert found.forms == []  # the page's own search box replaces the header's
    assert (found.mount["data-bundle"], found.mount["data-base"]) == ("/archive/pagefind/", "/archive/")
    assert (output / "pagefind" / "pagefind-ui.js").is_file()
    assert "/archive/search/" not in (output / "sitemap.xml").read_text()


def test_unchanged_site_does_not_reindex(root, runs):
    assert build_site(root).search is None  # the no-change shortcut
    assert build_site(root, shortcut=False).search == search.SearchOutcome()
    assert runs == []


def test_edit_reindexes_only_its_shard_and_matches_a_clean_build(root, runs, tmp_path):
    before = mtimes(root / "output" / "pagefind" / "2019")
    path = root / KERRY
    path.write_text(path.read_text() + "\nThe envoy mentioned quinoa exports.\n")
    result = build_site(root)
    assert runs == ["2020"] and result.search.indexed == ("2020",)
    assert "quinoa" in indexed(root / "output")["/2020/10/kerry-urges/"]
    assert {p.name for p in (root / "output" / "pagefind").iterdir()} == {
        "2019", "2020", "shards.json", "pagefind.js", "pagefind-ui.js", "pagefind-ui.css"}
    assert mtimes(root / "output" / "pagefind" / "2019") == before
    clean = tmp_path / "clean"
    shutil.copytree(root / "content", clean / "content")
    build_site(clean)
    assert search_records(root / "output") == search_records(clean / "output")
    assert shard_list(root / "output") == shard_list(clean / "output")


def test_change_that_readers_cannot_search_runs_no_pagefind(root, runs):
    path = root / KERRY
    path.write_text(path.read_text().replace("author: Ana Petrova", "author: Ana Petrova\nimage: lead.jpg"))
    assert build_site(root).search.indexed == () and runs == []


def test_retitle_across_years_reindexes_both_shards(root, runs):
    path = root / KERRY
    path.write_text(path.read_text().replace("date: 2020-10-23T03:55:00+00:00", "date: 2019-10-23T03:55:00+00:00"))
    build_site(root)
    assert sorted(runs) == ["2019", "2020"]
    assert sorted(search_records(root / "output")["2019"]) == [
        "/2019/03/budget/", "/2019/07/late-night/", "/2019/10/kerry-urges/"]


def test_shard_whose_articles_are_gone_is_removed(root, runs, tmp_path):
    shutil.rmtree(root / "content" / "2019")
    result = build_site(root)
    assert result.search.removed == ("2019",) and runs == []
    assert not (root / "output" / "pagefind" / "2019").exists()
    assert shard_list(root / "output") == ["2020"]
    assert list(search_records(root / "output")) == ["2020"]


def test_a_large_year_is_split_the_same_way_incrementally_and_clean(root, runs, tmp_path, monkeypatch):
    monkeypatch.setattr(shards, "SHARD_LIMIT", 1)
    build_site(root, shortcut=False)  # (a new limit is new code: the engine's digest would change)
    assert sorted(runs) == ["2019-01-06", "2019-07-12", "2020-07-12"]
    assert shard_list(root / "output") == ["2020-07-12", "2019-07-12", "2019-01-06"]
    clean = tmp_path / "clean"
    shutil.copytree(root / "content", clean / "content")
    build_site(clean)
    assert search_records(root / "output") == search_records(clean / "output")


def test_watch_rebuild_after_the_edited_page_was_written_first_reindexes(tmp_path):
    root = write_site(tmp_path / "site")
    watcher = Watcher(BuildOptions(source=root, output=root / "output", jobs=1), report=lambda line: None)
    watcher.rebuild(set())
    path = root / KERRY
    path.write_text(path.read_text() + "\nThe envoy mentioned quinoa exports.\n")
    assert watcher.rebuild({path}).changed == 0  # the page was already on disk, yet the index follows it
    watcher.indexer.wait()
    watcher.stop()
    assert "quinoa" in indexed(root / "output")["/2020/10/kerry-urges/"]


def test_missing_shard_is_rebuilt(root, runs):
    shutil.rmtree(root / "output" / "pagefind" / "2019")
    build_site(root)
    assert runs == ["2019"] and (root / "output" / "pagefind" / "2019" / "pagefind-entry.json").is_file()


def test_index_from_before_shards_is_replaced(root):
    (root / "output" / "pagefind" / "fragment").mkdir()
    (root / "output" / "pagefind" / "pagefind-entry.json").write_text("{}")
    build_site(root, shortcut=False)
    assert not (root / "output" / "pagefind" / "fragment").exists()
    assert not (root / "output" / "pagefind" / "pagefind-entry.json").exists()


def test_build_without_manifest_keeps_the_index(root, runs):
    before = snapshot(root / "output" / "pagefind")
    result = build_site(root, use_cache=False)  # every present file not planned counts as stale
    assert result.removed == 0
    assert snapshot(root / "output" / "pagefind") == before


def test_search_off_has_no_index_page_or_box(root):
    (root / "site.toml").write_text("search = false\n")
    build_site(root)
    output = root / "output"
    assert not (output / "pagefind").exists() and not (output / "search").exists()
    assert marks(output, KERRY_PAGE).forms == []


def test_search_off_removes_the_index_but_not_pages_placed_there(root):
    (root / "site.toml").write_text("search = false\n")
    (root / "content" / "pagefind").mkdir()
    (root / "content" / "pagefind" / "notes.txt").write_text("mine")
    build_site(root)
    assert sorted(p.name for p in (root / "output" / "pagefind").rglob("*")) == ["notes.txt"]


def test_missing_binary_skips_search_with_a_notice(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(search, "find_binary", lambda: None)
    root = write_site(tmp_path / "site")
    assert main(["--source", str(root), "--quiet"]) == 0
    assert ("notice: search skipped: no Pagefind binary found (sitegen depends on the pagefind[extended] "
            "package, which bundles it; or set PAGEFIND_BINARY_PATH)\n") in capsys.readouterr().err
    assert (root / "output" / "index.html").is_file() and not (root / "output" / "pagefind").exists()


def test_binary_that_cannot_run_skips_search_and_keeps_the_old_index(root, tmp_path, monkeypatch, runs):
    before = snapshot(root / "output" / "pagefind")
    broken = tmp_path / "pagefind"
    broken.write_text("not a program")
    broken.chmod(0o644)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(broken))
    path = root / KERRY
    path.write_text(path.read_text() + "\nMore.\n")
    result = build_site(root)
    assert result.notices[-1] == (f"search: shard(s) 2019, 2020 of the search index not updated: Pagefind "
                                  f"({broken}) could not run: Permission denied")
    assert snapshot(root / "output" / "pagefind") == before
    monkeypatch.delenv("PAGEFIND_BINARY_PATH")
    build_site(root)  # the next build with a working binary catches up (another binary: every shard)
    assert sorted(runs) == ["2019", "2019", "2020", "2020"]
    assert "More." in indexed(root / "output")["/2020/10/kerry-urges/"]


def test_failing_binary_says_what_it_printed(root, tmp_path, monkeypatch):
    failing = tmp_path / "pagefind"
    failing.write_text("#!/bin/sh\necho 'Error: out of cheese' >&2\nexit 3\n")
    failing.chmod(failing.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(failing))
    shutil.rmtree(root / "output" / "pagefind")
    result = build_site(root)
    assert result.notices[-1] == (f"search: shard(s) 2019, 2020 of the search index not updated: Pagefind "
                                  f"({failing}) failed with exit code 3: Error: out of cheese")


def test_content_in_the_index_folder_is_refused(tmp_path):
    root = write_site(tmp_path / "site")
    (root / "content" / "pagefind").mkdir()
    (root / "content" / "pagefind" / "notes.txt").write_text("x")
    with pytest.raises(BuildFailed) as failed:
        build_site(root)
    assert [str(e) for e in failed.value.errors] == [
        (f"{root / 'content' / 'pagefind' / 'notes.txt'}: output 'pagefind/notes.txt' is in 'pagefind/', which "
        "holds the search index; move it, or set search = false in site.toml")]
