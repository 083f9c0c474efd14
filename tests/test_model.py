"""The model's own logic: an article's meta digest covers everything other pages show of it."""
from __future__ import annotations

import pickle
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta

import pytest

from sitegen.config import SiteConfig
from sitegen.model import Meta
from sitegen.reader import Parsed, parse_article

META = Meta(title="Harbour plan", date=datetime(2020, 10, 23, 3, 55, tzinfo=UTC), all_day=False,
            updated=datetime(2020, 10, 24, tzinfo=UTC), slug="harbour-plan", permalink="news/harbour/",
            tags=("Port",), authors=("Jane Doe",), summary="The plan.", summary_html="<p>The plan.</p>\n",
            image="/img/harbour.jpg", extra={"weather": "sunny"})


def changed(value: object) -> object:
    """Another value of the same kind; a field of a kind not handled here fails the test below."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, datetime):
        return value + timedelta(seconds=1)
    if isinstance(value, tuple):
        return (*value, "x")
    if isinstance(value, dict):
        return {**value, "x": 1}
    raise TypeError(f"no other value for {value!r}: give META a value of a kind `changed` knows")


@pytest.mark.parametrize("name", [f.name for f in fields(Meta)])
def test_every_field_counts_in_the_digest(name):
    assert META.digest() != replace(META, **{name: changed(getattr(META, name))}).digest(), name


def test_the_digest_sees_the_order_of_extra_keys():
    """Templates that loop over `extra` show its keys in the order written."""
    assert replace(META, extra={"a": 1, "b": 2}).digest() != replace(META, extra={"b": 2, "a": 1}).digest()


def test_the_digest_is_stable_and_survives_the_store():
    assert replace(META).digest() == META.digest()
    assert pickle.loads(pickle.dumps(META)).digest() == META.digest()


def test_a_parsed_article_carries_the_digest_of_its_meta():
    parsed = parse_article(b"---\ntitle: T\ndate: 2020-10-23\ntags: [a]\nnote: x\n---\nBody.\n", "a.md", SiteConfig())
    assert isinstance(parsed, Parsed)
    assert parsed.article.meta_hash == parsed.article.meta.digest()
    assert pickle.loads(pickle.dumps(parsed.article)) == parsed.article
