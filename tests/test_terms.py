"""Tests for sitegen.terms: tokenising and term counts."""

import pickle

from hypothesis import given
from hypothesis import strategies as st

from sitegen import terms as terms_module
from sitegen.terms import extract_terms


def test_extract_terms_casefolds_drops_stop_words_and_short_tokens_and_weights_the_title():
    terms = dict(extract_terms("Volcano erupts", "The volcano", "Ash and lava: the volcano's 2024 eruption, G20 on hold."))
    assert terms == {"volcano": 3 + 2 + 1, "erupts": 3, "ash": 1, "lava": 1, "eruption": 1, "g20": 1, "hold": 1}


def test_extract_terms_is_sorted_hashable_and_picklable():
    terms = extract_terms("Zebra alpha", "", "mango mango kiwi")
    assert [t for t, _ in terms] == sorted(t for t, _ in terms)
    assert pickle.loads(pickle.dumps(terms)) == terms and hash(terms) == hash(extract_terms("Zebra alpha", "", "mango mango kiwi"))


def test_extract_terms_handles_accents_german_spanish_and_cjk():
    terms = dict(extract_terms("STRASSE Straße", "", "El niño está en la ciudad; ÉLECTION présidentielle 東京都知事選挙"))
    assert terms["strasse"] == 6  # casefold maps ß to ss, so both spellings meet
    assert {"niño", "ciudad", "élection", "présidentielle"} <= terms.keys()
    assert not {"está", "the", "el", "en", "la"} & terms.keys()  # stop words and short tokens
    assert {"東京", "京都", "都知", "選挙"} <= terms.keys()  # unspaced scripts give character bigrams
    assert extract_terms("Cafe\u0301", "", "") == extract_terms("Café", "", "")  # NFKC: one spelling


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_word_runs_without_only_digits_are_exactly_the_words_with_a_letter(text):
    runs = [w for w in terms_module._RUN.findall(text) if not w.isdecimal()]
    assert runs == terms_module._WORD.findall(text)
