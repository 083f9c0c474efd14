"""sitegen.store: terms go in as strings and come back as vocabulary ids that mean the same terms."""
from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from sitegen.config import SiteConfig
from sitegen.reader import parse_article
from sitegen.store import ArticleStore, dump_article
from sitegen.terms import Terms


def parsed(article_id: str, body: str) -> tuple[str, int, int, bytes, str, Terms]:
    text = f"---\ntitle: {article_id}\ndate: 2024-05-01\n---\n{body}\n"
    result = parse_article(text.encode(), article_id, SiteConfig())
    assert not isinstance(result, list), result
    return article_id, 1, 2, dump_article(result.article), result.html, result.terms


def test_articles_round_trip(tmp_path: Path):
    store = ArticleStore(tmp_path / "a.sqlite", "stamp")
    store.open()
    store.put([parsed("a.md", "Harbour ferry strike.")])
    text = "---\ntitle: a.md\ndate: 2024-05-01\n---\nHarbour ferry strike.\n"
    article = parse_article(text.encode(), "a.md", SiteConfig()).article
    assert store.index()["a.md"].article == article and (store.index()["a.md"].mtime_ns, store.index()["a.md"].size) == (1, 2)
    assert store.html("a.md") == "<p>Harbour ferry strike.</p>\n"


def stored_terms(store: ArticleStore, ids: list[str]) -> list[Terms]:
    """What `terms` returns, with the ids turned back into words."""
    words = dict(store.conn.execute("SELECT id, term FROM vocabulary"))
    ptr, term, count = store.terms(ids)
    return [tuple((words[int(t)], int(n)) for t, n in zip(term[a:b], count[a:b])) for a, b in itertools.pairwise(ptr)]


def test_terms_round_trip_in_the_order_asked(tmp_path: Path):
    store = ArticleStore(tmp_path / "a.sqlite", "stamp")
    store.open()
    rows = [parsed("a.md", "Harbour ferry strike, ferry again."), parsed("b.md", "Volcano ash over the harbour."),
            parsed("empty.md", "")]
    store.put(rows)
    assert stored_terms(store, ["b.md", "empty.md", "a.md"]) == [rows[1][5], rows[2][5], rows[0][5]]
    assert dict(rows[0][5])["ferry"] == 6 and rows[2][5] == (("empty", 3),)  # the title counts three times


def test_vocabulary_persists_across_stores_and_edits(tmp_path: Path):
    first = ArticleStore(tmp_path / "a.sqlite", "stamp")
    first.open()
    first.put([parsed("a.md", "Harbour ferry strike.")])
    first.close()
    second = ArticleStore(tmp_path / "a.sqlite", "stamp")
    assert second.open() is None
    second.put([parsed("b.md", "Ferry timetable."), parsed("a.md", "Harbour ferry strike ends.")])
    ptr, term, _ = second.terms(["a.md", "b.md"])
    words = dict(second.conn.execute("SELECT term, id FROM vocabulary"))
    assert len(words) == len(set(words.values())) == 5  # harbour, ferry, strike, timetable, ends
    assert words["ferry"] in term[: ptr[1]] and words["ferry"] in term[ptr[1] :]
    assert np.diff(ptr).tolist() == [4, 2]


def test_deleted_articles_lose_their_terms(tmp_path: Path):
    store = ArticleStore(tmp_path / "a.sqlite", "stamp")
    store.open()
    store.put([parsed("a.md", "Harbour ferry strike."), parsed("b.md", "Ferry timetable.")])
    store.delete(["a.md"])
    assert store.conn.execute("SELECT id FROM terms").fetchall() == [("b.md",)]
    with pytest.raises(KeyError):
        store.terms(["a.md"])


def test_a_fork_waits_while_another_thread_is_inside_the_store(tmp_path: Path, monkeypatch):
    """A child forked mid-query would inherit SQLite's mutexes locked; the fork waits for the query instead."""
    import os
    import threading

    import sitegen.store

    store = ArticleStore(tmp_path / "a.sqlite", "stamp")
    store.open()
    store.put([parsed("a.md", "Harbour ferry strike.")])
    inside, leave, forked = threading.Event(), threading.Event(), threading.Event()

    def slow_query(self, article_id):
        inside.set()
        leave.wait(10)
        return "<p>…</p>"

    monkeypatch.setattr(ArticleStore, "html", sitegen.store._in_sqlite(slow_query))
    reader = threading.Thread(target=store.html, args=("a.md",))
    reader.start()
    inside.wait(10)

    def fork():
        pid = os.fork()
        if pid == 0:
            os._exit(list(ArticleStore(tmp_path / "a.sqlite", "stamp").index()) != ["a.md"])
        forked.set()
        forked.status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])

    forker = threading.Thread(target=fork)
    forker.start()
    assert not forked.wait(0.3)  # the query is still running: no fork yet
    leave.set()
    reader.join(10), forker.join(10)
    assert forked.is_set() and forked.status == 0
