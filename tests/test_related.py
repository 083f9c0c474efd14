"""Tests for sitegen.related: list invariants, determinism, and list quality on small archives."""

import dataclasses
import math
import random
from collections import namedtuple

import numpy as np
import pytest

from sitegen import latent
from sitegen import related as related_module
from sitegen.related import RelatedDoc, RelatedSettings, TermCounts, compute_related, shortlists
from sitegen.terms import Terms, extract_terms

DAY = 86400.0
TOPICS = {
    "space": "rocket orbit satellite astronauts lunar mars spacecraft telescope capsule booster launch",
    "farming": "farmers harvest wheat crops grain livestock fertilizer irrigation tractor barley",
    "courts": "judge trial verdict appeal lawyers prosecutors jury sentence ruling defendant",
    "music": "orchestra concert symphony violin conductor soprano opera pianist choir tenor",
}
FILLER = ["officials", "report", "week", "government", "minister", "city", "region", "country", "talks", "local"]


Doc = tuple[RelatedDoc, Terms]


def doc(doc_id: str, terms: Terms, timestamp: float = 0.0, tags: tuple[str, ...] = (), url: str | None = None) -> Doc:
    return RelatedDoc(id=doc_id, url=url or f"/{doc_id}/", timestamp=timestamp, tags=tags), terms


def rank(docs: list[Doc], settings: RelatedSettings) -> dict[str, tuple[str, ...]]:
    return compute_related([d for d, _ in docs], TermCounts.of([t for _, t in docs]), settings)


def archive(n: int, seed: int = 1, tags: bool = True, every: str | None = None) -> tuple[list[Doc], dict[str, str]]:
    """n random articles on TOPICS (topic words are 30% of the text) and their topics."""
    rng = random.Random(seed)
    docs, topic_of = [], {}
    for i in range(n):
        topic = list(TOPICS)[i % len(TOPICS)]
        words = TOPICS[topic].split()
        body = " ".join(rng.choice(words) if rng.random() < 0.3 else rng.choice(FILLER) for _ in range(80))
        title = " ".join(rng.sample(words, 3))
        doc_tags = {rng.choice(["north", "south", "east", "west", "centre"])} if tags else set()
        if every:
            doc_tags.add(every)
        docs.append(doc(f"a{i:03d}.md", extract_terms(title, "", body), 1.6e9 + rng.randrange(3000) * DAY,
                        tuple(sorted(doc_tags))))
        topic_of[f"a{i:03d}.md"] = topic
    return docs, topic_of


def precision(related: dict[str, tuple[str, ...]], topic_of: dict[str, str]) -> float:
    hits = [topic_of[r] == topic_of[i] for i, rs in related.items() for r in rs]
    return sum(hits) / len(hits)


def test_every_id_present_never_itself_no_duplicates_count_respected():
    docs, _ = archive(60)
    for count in (0, 1, 3, 7):
        related = rank(docs, RelatedSettings(count=count))
        assert related.keys() == {d.id for d, _ in docs}
        for i, rs in related.items():
            assert i not in rs and len(set(rs)) == len(rs) and len(rs) <= count
        assert all(len(rs) == count for rs in related.values())


def test_same_result_for_any_input_order():
    docs, _ = archive(80, tags=True)
    expected = rank(docs, RelatedSettings())
    for seed in range(3):
        shuffled = docs[:]
        random.Random(seed).shuffle(shuffled)
        assert rank(shuffled, RelatedSettings()) == expected


def test_same_result_for_any_numbering_of_terms():
    docs, _ = archive(80, tags=True)
    counts = TermCounts.of([t for _, t in docs])
    # A sample of part of the archive: its statistics and basis must not depend on the numbering either.
    settings = RelatedSettings(sample_size=50)
    expected = compute_related([d for d, _ in docs], counts, settings)
    for seed in range(3):
        renumber = np.random.default_rng(seed).permutation(3 * len(counts.term))  # gaps, as a store's ids have
        renumbered = TermCounts(counts.ptr, renumber[counts.term], counts.count)
        assert compute_related([d for d, _ in docs], renumbered, settings) == expected


def test_term_counts_rows_reorder_and_keep_counts():
    counts = TermCounts.of([(("a", 1), ("b", 2)), (), (("b", 5),)])
    picked = counts.rows(np.array([2, 0, 1]))
    assert picked.ptr.tolist() == [0, 1, 3, 3]
    assert picked.term.tolist() == [1, 0, 1] and picked.count.tolist() == [5, 1, 2]


def test_pins_come_first_in_order_without_self_or_duplicates():
    docs, _ = archive(40)
    first = dataclasses.replace(docs[0][0], pinned=("a007.md", docs[0][0].id, "a003.md", "a007.md"))
    related = rank([(first, docs[0][1]), *docs[1:]], RelatedSettings(count=4))
    assert related[first.id][:2] == ("a007.md", "a003.md")
    assert len(related[first.id]) == 4 and len(set(related[first.id])) == 4
    assert rank([(first, docs[0][1]), *docs[1:]], RelatedSettings(count=1))[first.id] == ("a007.md",)


def test_disabled_article_gets_no_list_but_may_be_listed():
    docs, _ = archive(8)
    off = dataclasses.replace(docs[0][0], enabled=False, pinned=("a001.md",))
    related = rank([(off, docs[0][1]), *docs[1:]], RelatedSettings(count=7))
    assert related[off.id] == ()
    assert any(off.id in rs for rs in related.values())


def test_small_and_degenerate_archives():
    assert rank([], RelatedSettings()) == {}
    docs, _ = archive(2)
    assert rank(docs[:1], RelatedSettings()) == {docs[0][0].id: ()}
    assert rank([doc("x.md", ()), *docs], RelatedSettings())["x.md"] == ()
    with pytest.raises(ValueError):
        rank([docs[0], docs[0]], RelatedSettings())
    with pytest.raises(ValueError):
        compute_related([docs[0][0]], TermCounts.of([]), RelatedSettings())


def test_archive_without_tags_gets_on_topic_lists():
    docs, topic_of = archive(200, tags=False)
    assert precision(rank(docs, RelatedSettings()), topic_of) == 1.0


def test_tag_carried_by_every_article_changes_nothing():
    docs, topic_of = archive(120, tags=False, every="news")
    plain, _ = archive(120, tags=False)
    related = rank(docs, RelatedSettings(tag_weight=5.0))
    assert related == rank(plain, RelatedSettings(tag_weight=5.0))
    assert precision(related, topic_of) == 1.0


def test_rare_shared_tag_counts_when_text_is_silent():
    terms = extract_terms("", "", "weather")
    docs = [doc(f"{i}.md", terms, tags=(t, "common")) for i, t in enumerate(["eclipse", "eclipse", "comet", "comet",
                                                                             "aurora", "aurora"])]
    related = rank(docs, RelatedSettings(count=1))
    assert related == {"0.md": ("1.md",), "1.md": ("0.md",), "2.md": ("3.md",), "3.md": ("2.md",),
                       "4.md": ("5.md",), "5.md": ("4.md",)}


def test_ties_go_to_the_newer_article_then_the_lower_url():
    terms = extract_terms("Harbour ferry strike", "", "ferry harbour strike")
    docs = [doc("q.md", terms, 50 * DAY, url="/q/"), doc("old.md", terms, 10 * DAY, url="/a-old/"),
            doc("new-b.md", terms, 20 * DAY, url="/b/"), doc("new-a.md", terms, 20 * DAY, url="/a/"), *UNRELATED]
    related = rank(docs, RelatedSettings(count=3, recency_weight=0.0))
    assert related["q.md"] == ("new-a.md", "new-b.md", "old.md")


def test_recency_orders_equally_similar_articles_by_closeness_in_time():
    terms = extract_terms("Harbour ferry strike", "", "ferry harbour strike")
    docs = [doc(f"{d}.md", terms, d * DAY) for d in (100, 10, 90, 300)]
    assert rank([*docs, *UNRELATED], RelatedSettings(count=3))["100.md"] == ("90.md", "10.md", "300.md")


UNRELATED = [doc(f"t{i}.md", extract_terms("Tennis final", "", "tennis final racket")) for i in range(3)]


MULTILINGUAL = {  # per topic: two stories each in English, Spanish and German, linked by names
    "football": [
        "Real Madrid beat Barcelona as the striker scored twice; the stadium cheered the Champions League win",
        "Barcelona coach praises striker after Champions League goal against Real Madrid in a full stadium",
        "El Real Madrid ganó al Barcelona: el delantero marcó dos goles en el estadio en la Champions League",
        "El entrenador del Barcelona elogia al delantero tras el gol al Real Madrid en la Champions League",
        "Bayern München schlägt Real Madrid in der Champions League, der Stürmer schießt zwei Tore im Stadion",
        "Der Trainer von Bayern München lobt den Stürmer nach dem Tor gegen Barcelona in der Champions League",
    ],
    "volcano": [
        "Etna erupts again: lava flows and ash close Catania airport as the Sicily volcano rumbles",
        "Ash from the Etna eruption grounds flights at Catania airport while lava reaches the volcano slopes",
        "El Etna entra en erupción: la lava y la ceniza del volcán cierran el aeropuerto de Catania en Sicilia",
        "La ceniza de la erupción del volcán Etna obliga a cerrar el aeropuerto de Catania; la lava avanza",
        "Der Vulkan Ätna auf Sizilien bricht aus, Lava und Asche legen den Flughafen Catania lahm",
        "Asche vom Ausbruch des Vulkans Ätna: Flughafen Catania auf Sizilien geschlossen, Lava fließt",
    ],
    "election": [
        "Portugal votes: Costa's coalition wins most seats in parliament as turnout rises",
        "Votes counted in Portugal's parliament election; Costa begins coalition talks after his victory",
        "Portugal vota: la coalición de Costa gana la mayoría de escaños en el parlamento y sube la participación",
        "Recuento de votos en Portugal: Costa negocia una coalición en el parlamento tras su victoria",
        "Portugal wählt: Die Koalition von Costa erhält die meisten Sitze im Parlament, die Wahlbeteiligung steigt",
        "Nach der Wahl in Portugal verhandelt Costa über eine Koalition im Parlament",
    ],
}


def test_multilingual_lists_stay_on_topic():
    docs, topic_of = [], {}
    for topic, texts in MULTILINGUAL.items():
        for i, text in enumerate(texts):
            doc_id = f"{topic}-{i}.md"
            title, _, body = text.partition(":")
            docs.append(doc(doc_id, extract_terms(title, "", body or title), i * DAY))
            topic_of[doc_id] = topic
    related = rank(docs, RelatedSettings(count=3))
    assert all(len(rs) == 3 for rs in related.values())
    assert precision(related, topic_of) == 1.0


UNSPACED_AND_OTHER_SCRIPTS = {  # per topic: two stories each in Chinese, Japanese, Korean and Russian
    "typhoon": [
        "台风登陆广东，暴雨导致航班取消，沿海地区发布红色预警", "强台风逼近广东沿海，机场航班大面积取消，暴雨预警升级",
        "台風が九州に上陸、大雨で航空便が欠航し沿岸に警報", "大型の台風が接近、九州の空港で欠航相次ぐ、大雨警報",
        "태풍이 남해안에 상륙, 폭우로 항공편 결항", "태풍 북상에 항공편 결항 잇따라, 남해안 폭우 경보",
        "Тайфун обрушился на побережье, ливни и отмена рейсов в аэропорту",
        "Тайфун приближается: аэропорт отменил рейсы, ливни на побережье",
    ],
    "markets": [
        "股市大涨，上证指数创新高，投资者信心回升", "上证指数收盘上涨，股市成交额放大，投资者情绪好转",
        "株式市場が急伸、日経平均株価が最高値を更新、投資家の買い", "日経平均株価が続伸、株式市場に投資家の資金が流入",
        "주식 시장 급등, 코스피 지수 사상 최고치", "코스피 지수 상승, 주식 시장에 투자자 몰려",
        "Фондовый рынок вырос, индекс акций обновил рекорд, инвесторы покупают",
        "Индекс акций растёт, инвесторы вкладывают деньги в рынок",
    ],
}


def test_lists_stay_on_topic_and_in_language_in_unspaced_and_other_scripts():
    docs, topic_of = [], {}
    for topic, texts in UNSPACED_AND_OTHER_SCRIPTS.items():
        for i, text in enumerate(texts):
            doc_id = f"{topic}-{i}.md"
            docs.append(doc(doc_id, extract_terms(text[:12], "", text), i * DAY))
            topic_of[doc_id] = topic
    related = rank(docs, RelatedSettings(count=1))
    assert all(len(rs) == 1 for rs in related.values())
    assert {i: rs[0] for i, rs in related.items()} == {f"{t}-{i}.md": f"{t}-{i ^ 1}.md"
                                                       for t in UNSPACED_AND_OTHER_SCRIPTS for i in range(8)}


def reference_scores(pairs: list[Doc], s: RelatedSettings) -> np.ndarray:
    """Brute-force word + tag cosine with the module's documented weighting (whole archive as the sample)."""
    Ref = namedtuple("Ref", "id tags terms")
    docs = [Ref(d.id, d.tags, t) for d, t in pairs]
    vocab = sorted({t for d in docs for t, _ in d.terms} | {"#" + t for d in docs for t in d.tags})
    at = {t: i for i, t in enumerate(vocab)}
    tf = np.zeros((len(docs), len(vocab)))
    mean = np.mean([sum(c for _, c in e.terms) for e in docs])
    for r, d in enumerate(docs):
        length = sum(c for _, c in d.terms)
        for t, c in d.terms:
            tf[r, at[t]] = c * 2.2 / (c + 1.2 * (0.25 + 0.75 * length / mean))
        for t in d.tags:
            tf[r, at["#" + t]] = 1.0
    df = (tf > 0).sum(0)
    w = tf * np.log((len(docs) + 1) / (df + 1))
    w[:, df > max(s.max_df_ratio * len(docs), 32)] = 0
    is_tag = np.array([t.startswith("#") for t in vocab])
    for part, weight in ((~is_tag, s.text_weight * (1 - s.latent_weight)), (is_tag, s.tag_weight)):
        norm = np.linalg.norm(w[:, part], axis=1, keepdims=True)
        w[:, part] *= math.sqrt(weight) / np.where(norm > 0, norm, 1)
    sims = w @ w.T
    np.fill_diagonal(sims, 0)
    return sims


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_word_and_tag_scores_match_brute_force(seed):
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(60)]
    docs = []
    for i in range(70):
        tags = tuple(rng.sample("abcdefgh", rng.randint(0, 2)))
        docs.append(doc(f"{i}.md", tuple(sorted((w, rng.randint(1, 4)) for w in rng.sample(words, rng.randint(1, 25)))),
                        tags=tags))
    words_only = RelatedSettings(count=6, recency_weight=0.0, latent_weight=0.0)
    sims = reference_scores(docs, words_only)
    index = {d.id: r for r, (d, _) in enumerate(docs)}
    related = rank(docs, words_only)
    agree = []
    for i, listed in related.items():
        scores = [sims[index[i], index[j]] for j in listed]
        # Each list is ordered by the exact score (the latent space only shortlists) ...
        assert scores == sorted(scores, reverse=True) and min(scores) > 0
        best = set(np.argsort(-sims[index[i]], kind="stable")[:6].tolist())
        agree.append(len(best & {index[j] for j in listed}) / 6)
    # ... and holds most of the brute-force best.
    assert np.mean(agree) > 0.8


def test_lists_stay_on_topic_with_noisy_tags():
    docs, topic_of = archive(400, tags=True)
    assert precision(rank(docs, RelatedSettings()), topic_of) == 1.0


def edited(docs: list[Doc], at: int, text: str) -> list[Doc]:
    return [*docs[:at], (docs[at][0], extract_terms(text, "", text)), *docs[at + 1 :]]


class CountingMemo(dict):
    """A memo for compute_related that counts the statistics it was given."""

    puts = 0

    def put(self, key, value):
        self.puts += "/" not in key  # statistics, not ranking results
        self[key] = value


def test_an_edit_outside_the_sample_reranks_only_the_lists_it_can_enter_or_leave():
    docs, topic_of = archive(600, tags=True)
    settings = RelatedSettings(sample_size=100)
    sample = {docs[r][0].id for r in latent.sample_rows([d.id for d, _ in docs], 100)}
    memo, vocab = CountingMemo(), {}
    counts = TermCounts.of([t for _, t in docs], vocab)
    before = compute_related([d for d, _ in docs], counts, settings, memo)
    near_before = shortlists([d for d, _ in docs], counts, settings, memo)
    assert memo.puts == 1 and precision(before, topic_of) == 1.0
    for at in [r for r, (d, _) in enumerate(docs) if d.id not in sample][:5]:
        moved = edited(docs, at, TOPICS["music"] + " " + TOPICS["music"])  # now about music
        counts = TermCounts.of([t for _, t in moved], vocab)
        after = compute_related([d for d, _ in moved], counts, settings, memo)
        near_after = shortlists([d for d, _ in moved], counts, settings, memo)
        x = docs[at][0].id
        changed = {i for i in before if before[i] != after[i]}
        could = {x} | {i for i in before if x in near_before[i] or x in near_after[i]}
        assert changed <= could and len(could) < len(docs) // 4
    assert memo.puts == 1  # the statistics were not computed again


def test_an_edit_inside_the_sample_computes_the_statistics_again():
    docs, _ = archive(300)
    settings = RelatedSettings(sample_size=100)
    at = int(latent.sample_rows([d.id for d, _ in docs], 100)[0])
    memo = CountingMemo()
    for version in (docs, edited(docs, at, TOPICS["music"])):
        compute_related([d for d, _ in version], TermCounts.of([t for _, t in version]), settings, memo)
    assert memo.puts == 2


def test_sample_is_the_lowest_stable_hashes_whatever_the_order():
    ids = [f"{i}.md" for i in range(50)]
    picked, backwards = {ids[r] for r in latent.sample_rows(ids, 10)}, ids[::-1]
    assert picked == {backwards[r] for r in latent.sample_rows(backwards, 10)} and len(picked) == 10
    assert max(map(latent.stable_hash, picked)) < min(latent.stable_hash(i) for i in set(ids) - picked)


@pytest.mark.parametrize("seed", [1, 2])
def test_ranking_again_from_the_last_results_equals_ranking_from_scratch(seed, monkeypatch):
    ranked = []
    rank_rows = related_module._rank
    monkeypatch.setattr(related_module, "_rank", lambda *a: ranked.append(len(a[5])) or rank_rows(*a))
    rng = random.Random(seed)
    docs, _ = archive(300, seed=seed)
    settings, memo, vocab = RelatedSettings(sample_size=60), CountingMemo(), {}
    for step in range(12):
        at = rng.randrange(len(docs))
        kind = rng.choice(["words", "words", "date", "tags", "delete", "create"])
        if kind == "words":
            docs = edited(docs, at, " ".join(rng.sample(TOPICS[rng.choice(list(TOPICS))].split(), 4)))
        elif kind == "date":
            docs[at] = (dataclasses.replace(docs[at][0], timestamp=1.6e9 + rng.randrange(3000) * DAY), docs[at][1])
        elif kind == "tags":
            docs[at] = (dataclasses.replace(docs[at][0], tags=(rng.choice(["north", "comet"]),)), docs[at][1])
        elif kind == "delete":
            docs = docs[:at] + docs[at + 1 :]
        else:
            docs = [*docs, doc(f"new{step}.md", extract_terms("", "", TOPICS["courts"]), 1.6e9)]
        counts = TermCounts.of([t for _, t in docs], vocab)
        again = compute_related([d for d, _ in docs], counts, settings, memo)
        assert again == compute_related([d for d, _ in docs], counts, settings), (step, kind)
    assert sum(n < 100 for n in ranked[::2]) >= 6  # most edits ranked few rows again (every other: from scratch)
