"""Tests for sitegen.terms: tokenising and term counts."""

import pickle
import re
import unicodedata
from collections import Counter

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


def _reference_tokens(text: str) -> list[str]:
    """The tokeniser's definition, written plainly: runs of letters and digits with a letter in them."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    tokens = []
    for word in re.findall(r"[^\W_]*[^\W\d_][^\W_]*", folded):
        if terms_module._CJK.search(word):
            for run in terms_module._CJK.findall(word):
                tokens += (run[i : i + 2] for i in range(len(run) - 1))
            tokens += (w for w in terms_module._CJK.sub(" ", word).split() if len(w) >= 3)
        elif len(word) >= 3 and word not in terms_module._STOP_WORDS:
            tokens.append(word)
    return tokens


pieces = st.sampled_from(["the", "Straße", "2024", "g20", "東京都", "カタカナ・語", "a_b", "x", "Cafe\u0301",
                          "\u00a8", "ﬁne", "said,", "“quoted”", "it’s", "12ab", "٣٤٥", "İstanbul", " ", "\n",
                          "\u00a0", "\u3000", "-", ".", "…"])
any_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=8)
some_text = st.lists(pieces | any_text, max_size=40).map("".join)


@given(some_text, some_text, some_text)
def test_term_counts_are_the_reference_tokens_counted_with_the_field_weights(title, summary, body):
    expected = Counter()
    for text, repeat in ((title, 3), (summary, 2), (body, 1)):
        for token in _reference_tokens(text):
            expected[token] += repeat
    assert extract_terms(title, summary, body) == tuple(sorted(expected.items()))


@given(some_text)
def test_body_words_given_by_the_caller_change_nothing(body):
    assert extract_terms("Title", "Summary", body, body.split()) == extract_terms("Title", "Summary", body)


def test_what_counting_chunks_first_relies_on_holds_for_every_code_point():
    """Whitespace is never a letter or digit, casefolding neither makes nor removes whitespace, and no character
    of an unspaced script is a digit."""
    characters = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    assert not [c for c in characters if c.isspace() and c.isalnum()]
    assert not [c for c in characters if any(f.isspace() != c.isspace() for f in c.casefold())]
    assert not [c for c in characters if terms_module._CJK.match(c) and c.isdecimal()]


def test_the_chunk_memo_changes_nothing_when_full_or_warm(monkeypatch):
    body = "Straße g20 東京都 said, “quoted” it’s the 2024 ﬁne Straße said, Café"
    monkeypatch.setattr(terms_module, "_TERMS_OF_CHUNK", {})
    cold = extract_terms("Title words", "A summary", body)
    assert extract_terms("Title words", "A summary", body) == cold
    monkeypatch.setattr(terms_module, "_MEMO_SIZE", 3)
    monkeypatch.setattr(terms_module, "_TERMS_OF_CHUNK", {})
    assert extract_terms("Title words", "A summary", body) == cold
    assert len(terms_module._TERMS_OF_CHUNK) <= 3
