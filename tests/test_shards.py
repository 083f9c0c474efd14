"""Shards: which shard each article is in (deterministic), what the index holds of it, what to reindex."""
from __future__ import annotations

import pytest

from sitegen import shards


def rec(article_id: str, title: str = "T", **fields) -> shards.Record:
    values = {"url": f"/{article_id}/", "standfirst": "", "authors": (), "tags": (), "day": "1 January 2020",
              "date": "2020-01-01T00:00:00Z", "year": "2020", "source_hash": "h"}
    return shards.Record(article_id, title=title, **(values | fields))


@pytest.mark.parametrize(("month", "span", "name"), [(3, 12, "2020"), (3, 6, "2020-01-06"), (7, 6, "2020-07-12"),
                                                     (5, 3, "2020-04-06"), (12, 2, "2020-11-12"), (9, 1, "2020-09")])
def test_shard_name_is_the_year_or_its_run_of_months(month, span, name):
    assert shards.shard_name("2020", month, span) == name


def test_only_shards_whose_records_changed_are_reindexed():
    before = {"2019": [rec("a"), rec("b")], "2020": [rec("c")], "2021": [rec("d")]}
    known = {name: {"model": shards.model_digest(rs)} for name, rs in before.items()}
    edited = before | {"2019": [rec("a"), rec("b", title="New")], "2021": [rec("d", tags=("x",))]}
    assert shards.to_reindex(edited, known, set(before)) == ["2019", "2021"]
    assert shards.to_reindex(before, known, {"2019", "2021"}) == ["2020"]  # its bundle is missing
    assert shards.to_reindex(before | {"2022": [rec("e")]}, known, set(before)) == ["2022"]


def test_document_escapes_text_and_keeps_values_whole():
    r = rec("a", title="<b>Tom & Jerry</b>", tags=("C++", 'say "hi", twice'), day="March 1, 2020")
    doc = shards.document(r, "<p>Body</p>", "en-GB")
    assert '<html lang="en-GB">' in doc and "<h1>&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;</h1>" in doc
    assert 'data-pagefind-meta="title[content]" content="&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;"' in doc
    assert 'data-pagefind-meta="date[content]" content="March 1, 2020"' in doc
    assert 'data-pagefind-filter="tag[content]" content="say &quot;hi&quot;, twice"' in doc
