"""sitegen.assemble: articles become the Site model; its related lists are reused while their inputs hold."""
from __future__ import annotations

from dataclasses import replace

import pytest

import sitegen.related
from sitegen.assemble import assemble, related_lists
from sitegen.config import Permalinks, RelatedSettings, SiteConfig
from sitegen.errors import SiteError
from sitegen.model import Article, Site
from sitegen.reader import parse_article
from sitegen.store import ArticleStore, dump_article

CONFIG = SiteConfig()
STRIKE, CREWS = "2020/harbour-strike.md", "2020/ferry-crews.md"
ASH, CLOUD = "2019/volcano-ash.md", "2019/ash-cloud.md"
STORIES = {
    STRIKE: ("Harbour strike halts ferries", "2020-10-23 10:00", "[Harbour, Ferries]", "author: Ana Petrova",
             "The harbour strike halted every ferry crossing as ferry crews walked out at the harbour."),
    CREWS: ("Ferry crews return", "2020-10-22 10:00", "[harbour]", "authors: [Ana Petrova, John Miller]",
            "Ferry crews returned to the harbour after the strike; ferry crossings resume."),
    ASH: ("Volcano ash closes airport", "2019-05-01 10:00", "[Volcano]", "author: John Miller",
          "Volcano ash closed the airport as the ash cloud drifted over the island volcano."),
    CLOUD: ("Ash cloud drifts south", "2019-05-02 10:00", "[volcano]", "author: John Miller",
            "The volcano ash cloud drifted south and flights waited for the ash to clear."),
}


def article(article_id: str, extra: str = "", body: str | None = None, config: SiteConfig = CONFIG
            ) -> Article:
    title, date, tags, byline, text = STORIES[article_id]
    raw = f"---\ntitle: {title}\ndate: {date}\ntags: {tags}\n{byline}\n{extra}---\n{body or text}\n"
    result = parse_article(raw.encode(), article_id, config)
    assert not isinstance(result, list), result
    return result.article


def stored(store: ArticleStore, *articles: Article) -> dict[str, Article]:
    """These articles, put in the store as read_sources would (terms from their stories' unchanged text)."""
    rows = []
    for a in articles:
        title, date, tags, byline, text = STORIES[a.id]
        raw = f"---\ntitle: {title}\ndate: {date}\ntags: {tags}\n{byline}\n---\n{text}\n"
        parsed = parse_article(raw.encode(), a.id, CONFIG)
        rows.append((a.id, 1, 2, dump_article(a), parsed.html, parsed.terms))
    store.put(rows)
    return {a.id: a for a in articles}


def site_of(store: ArticleStore, *articles: Article, config: SiteConfig = CONFIG) -> Site:
    site, _ = assemble(config, stored(store, *articles), {})
    return site


def all_four(extra: dict[str, str] | None = None) -> list[Article]:
    return [article(i, (extra or {}).get(i, "")) for i in STORIES]


def assembled(store: ArticleStore, extra: dict[str, str]) -> tuple[Site, list[SiteError]]:
    """All four stories, `extra` frontmatter lines added to some, stored and assembled."""
    return assemble(CONFIG, stored(store, *all_four(extra)), {})


@pytest.fixture
def store(tmp_path):
    store = ArticleStore(tmp_path / "cache" / "articles.sqlite", "stamp")
    store.open()
    yield store
    store.close()


@pytest.fixture
def computed(monkeypatch) -> list[int]:
    """One entry per run of the ranking."""
    runs: list[int] = []
    original = sitegen.related.compute_related

    def counting(docs, terms, settings, memo=None):
        runs.append(len(docs))
        return original(docs, terms, settings, memo)

    monkeypatch.setattr(sitegen.related, "compute_related", counting)
    return runs


def test_order_is_newest_first_and_urls_follow_the_permalink_pattern():
    config = SiteConfig(permalinks=Permalinks(article="/stories/{year}/{day}-{slug}/"))
    articles = {i: article(i, config=config) for i in STORIES}
    site, warnings = assemble(config, articles, {"style.css": "static/style.css"})
    assert site.order == (STRIKE, CREWS, CLOUD, ASH) and warnings == []
    assert site.urls == {STRIKE: "stories/2020/23-harbour-strike/", CREWS: "stories/2020/22-ferry-crews/",
                         CLOUD: "stories/2019/02-ash-cloud/", ASH: "stories/2019/01-volcano-ash/"}
    assert site.articles is articles and site.related == {}
    assert site.assets == {"style.css": "static/style.css"}


def test_a_frontmatter_permalink_overrides_the_pattern():
    moved = article(STRIKE, "permalink: /special/strike/\n")
    site, _ = assemble(CONFIG, {STRIKE: moved, ASH: article(ASH)}, {})
    assert site.urls == {STRIKE: "special/strike/", ASH: "2019/05/volcano-ash/"}


def test_tag_author_year_and_month_groups_are_filled_newest_first():
    site, _ = assemble(CONFIG, {i: article(i) for i in STORIES}, {})
    groups = {kind: {k: (g.name, g.article_ids) for k, g in getattr(site, kind).items()}
              for kind in ("tags", "authors", "years", "months")}
    assert groups == {
        "tags": {"ferries": ("Ferries", (STRIKE,)), "harbour": ("Harbour", (STRIKE, CREWS)),
                 "volcano": ("Volcano", (CLOUD, ASH))},
        "authors": {"ana-petrova": ("Ana Petrova", (STRIKE, CREWS)),
                    "john-miller": ("John Miller", (CREWS, CLOUD, ASH))},
        "years": {"2020": ("2020", (STRIKE, CREWS)), "2019": ("2019", (CLOUD, ASH))},
        "months": {"2020/10": ("October 2020", (STRIKE, CREWS)), "2019/05": ("May 2019", (CLOUD, ASH))},
    }
    assert list(site.years) == ["2020", "2019"]


def test_a_link_to_no_published_article_is_a_warning_at_the_body_line():
    linking = article(STRIKE, body="See [the crews](ferry-crews.md) and [the draft](draft.md).")
    _, warnings = assemble(CONFIG, {STRIKE: linking, CREWS: article(CREWS)}, {})
    message = "link to '2020/draft.md' points to no published article"
    assert warnings == [SiteError(f"content/{STRIKE}", message, linking.body_line)]
    assert linking.body.links == (CREWS, "2020/draft.md")


def test_pins_by_slug_and_by_path_come_first(store):
    site, warnings = assembled(store, {STRIKE: f"related: [ash-cloud, {ASH}]\n"})
    lists = related_lists(site, store)
    assert warnings == [] and lists[STRIKE][:3] == (CLOUD, ASH, CREWS)
    assert lists[CREWS][0] == STRIKE and lists[ASH][0] == CLOUD


def test_a_pin_naming_no_article_is_a_warning_naming_the_file(store):
    site, warnings = assembled(store, {CREWS: "related: [no-such-story]\n"})
    message = "related article 'no-such-story' not found; use a slug or a path under content/"
    assert warnings == [SiteError(f"content/{CREWS}", message)]
    assert related_lists(site, store)[CREWS][0] == STRIKE


def test_a_pin_to_itself_is_dropped_with_a_warning(store):
    site, warnings = assembled(store, {STRIKE: "related: [harbour-strike, volcano-ash]\n"})
    assert [(w.path, w.message) for w in warnings] == [
        (f"content/{STRIKE}", "related article 'harbour-strike' is this article itself; remove it from `related`")]
    lists = related_lists(site, store)
    assert lists[STRIKE][0] == ASH and STRIKE not in lists[STRIKE]


def test_the_same_article_pinned_twice_is_listed_once(store):
    site, warnings = assembled(store, {CREWS: f"related: [volcano-ash, {ASH}]\n"})
    lists = related_lists(site, store)
    assert warnings == [] and lists[CREWS][0] == ASH and lists[CREWS].count(ASH) == 1


def test_a_slug_shared_by_two_articles_pins_the_newest(store):
    site, warnings = assembled(store, {CLOUD: "slug: ferry-crews\n", ASH: "related: [ferry-crews]\n"})
    assert warnings == [] and related_lists(site, store)[ASH][0] == CREWS


def test_related_false_empties_its_list_but_it_is_still_listed_by_others(store):
    site, _ = assembled(store, {CREWS: "related: false\n"})
    assert site.articles[CREWS].related_enabled is False
    lists = related_lists(site, store)
    assert lists[CREWS] == () and lists[STRIKE][0] == CREWS


def test_related_lists_are_reused_while_their_inputs_hold(store, computed, monkeypatch):
    site = site_of(store, *all_four())
    first = related_lists(site, store)
    assert computed == [4] and set(first) == set(STORIES) and first[STRIKE][0] == CREWS

    def refuse(*_):
        raise AssertionError("ranked again")

    monkeypatch.setattr(sitegen.related, "compute_related", refuse)
    assert related_lists(site, store) == first
    assert related_lists(site_of(store, *all_four()), store) == first
    assert related_lists(replace(site, config=replace(CONFIG, title="Other")), store) == first


CHANGES = {
    "tags": lambda a: replace(a, meta=replace(a.meta, tags=("Volcano",))),
    "source hash": lambda a: replace(a, source_hash="0" * 20),
    "date": lambda a: replace(a, meta=replace(a.meta, date=a.meta.date.replace(year=2018))),
    "pins": lambda a: replace(a, related_pins=("volcano-ash",)),
    "related false": lambda a: replace(a, related_enabled=False),
    "url": lambda a: replace(a, meta=replace(a.meta, slug="crews-back")),
}


@pytest.mark.parametrize("change", CHANGES)
def test_changing_a_ranking_input_of_one_article_ranks_again(store, computed, change):
    articles = all_four()
    related_lists(site_of(store, *articles), store)
    changed = [CHANGES[change](a) if a.id == CREWS else a for a in articles]
    again = related_lists(site_of(store, *changed), store)
    assert computed == [4, 4] and set(again) == set(STORIES)


def test_changing_the_related_settings_ranks_again(store, computed):
    config = replace(CONFIG, related=RelatedSettings(count=1))
    related_lists(site_of(store, *all_four()), store)
    lists = related_lists(site_of(store, *all_four(), config=config), store)
    assert computed == [4, 4] and all(len(ids) == 1 for ids in lists.values())


def test_related_lists_survive_reopening_the_store(tmp_path, store, computed):
    site = site_of(store, *all_four())
    first = related_lists(site, store)
    store.close()
    reopened = ArticleStore(tmp_path / "cache" / "articles.sqlite", "stamp")
    assert reopened.open() is None
    assert related_lists(site, reopened) == first and computed == [4]
    reopened.close()
