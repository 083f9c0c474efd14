"""Pure: an article's words as term counts, the text side of related-article ranking (no numpy here, so
reading sources does not load it)."""
from __future__ import annotations

import re
import sys
import unicodedata
from collections import Counter

Terms = tuple[tuple[str, int], ...]

# Words of three letters or more (shorter tokens are dropped anyway) that say nothing about a topic in
# English, Spanish, German, French, Italian, Portuguese or Dutch, except those that do in another (war,
# die, era, ...).  They matter in small archives; in large ones IDF sees to them too.
_STOP_WORDS_TEXT = """
the and for that with was this are have has had not but from his her its their they them been were will
would could should which who whom what when where why how all any both each few more most other some such
than too very can just also into over after before about between under again further then once here there
these those our out own same said says one two new year years time first last many much may might must
being did does doing done during while because until against above below off down upon per via yet nor
whether within without among you your she him hers itself himself herself themselves ourselves myself now
even still well back way get got make made like told
que los las del por con una para como más pero sus les este esta estos estas ese esa eso entre cuando muy
sobre también fue han hay ser está están eran desde todo todos toda todas nos otro otra otros
otras puede hasta donde quien quienes porque año años dos tras durante según sido tiene tienen había hace
así ante cual aunque mismo misma mientras uno unos unas ella ellos ellas
der das den des und ist nicht sich mit auf für von ein eine einer eines einem einen auch als wie bei
aus nach bis über unter durch gegen ohne wird werden wurde wurden haben hatte sind waren sein seine
ihre ihr ihm ihn ihnen noch nur schon wenn dass oder aber doch denn weil zum zur vom beim sie wir uns
mehr sehr kann können muss soll sollen diese dieser dieses diesem jahr jahre zwei vor zwischen
une dans pour par sur pas plus qui est sont ont été avec ses leur leurs aux cette ces mais comme tout
tous elles ils nous vous lui sans après avant aussi deux fait être avoir dont même très selon depuis
della delle degli dei che non sono anche più dal dalla alla alle agli nel nella nei questo questa quello
quella stato stata essere hanno sua suo loro tra fra dopo prima molto
dos das não pelo pela seu seus suas quando muito isso esse essa depois ainda
het een van dat niet zijn met voor ook door maar naar aan bij werd wordt worden heeft hebben tot als nog
zou dan wat dit deze over uit
"""
_STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
_RUN = re.compile(r"[^\W_]+")  # letters and digits (str.isalnum); "5g" counts, years and amounts do not
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_FIELD_REPEAT = (3, 2)  # title, summary (body 1): the writer's own summary of what the story is about
_MIN_LENGTH = 3


def _unspaced_tokens(run: str) -> list[str]:
    """Chinese and Japanese are unspaced: their character bigrams, and the other words of the run."""
    tokens = []
    for cjk in _CJK.findall(run):
        tokens += (cjk[i : i + 2] for i in range(len(cjk) - 1))
    tokens += (w for w in _CJK.sub(" ", run).split() if len(w) >= _MIN_LENGTH)
    return tokens


def extract_terms(title: str, summary: str, body_text: str, body_words: list[str] | None = None) -> Terms:
    """Term counts of one article, title and summary counted several times; sorted by term.

    Terms are casefolded words of three letters or more that are neither stop words nor numbers, and character
    bigrams for Chinese and Japanese. `body_words` is `body_text.split()`, where the caller has it already."""
    # A run of letters and digits never spans whitespace, and casefolding never adds or removes any, so the
    # chunks between spaces are counted in C first: the slower work is done once per distinct chunk, and
    # only for chunks this process has not met before.
    if body_words is None or not unicodedata.is_normalized("NFKC", body_text):  # else NFKC would not change it
        body_words = unicodedata.normalize("NFKC", body_text).split()
    chunks = Counter(body_words)
    for text, repeat in zip((title, summary), _FIELD_REPEAT):
        for chunk in unicodedata.normalize("NFKC", text).split():
            chunks[chunk] += repeat
    counts: dict[str, int] = {}
    for chunk, n in chunks.items():
        found = _TERMS_OF_CHUNK.get(chunk)
        if found is None:
            if len(_TERMS_OF_CHUNK) >= _MEMO_SIZE:
                _TERMS_OF_CHUNK.clear()
            found = _TERMS_OF_CHUNK[chunk] = _chunk_terms(chunk)
        for term in found:
            counts[term] = counts.get(term, 0) + n
    return tuple(sorted(zip(map(sys.intern, counts), counts.values())))


_TERMS_OF_CHUNK: dict[str, tuple[str, ...]] = {}
"""The terms of each chunk this process has seen: most words of an article were in earlier ones."""
_MEMO_SIZE = 1 << 18


def _chunk_terms(chunk: str) -> tuple[str, ...]:
    """The terms in one whitespace-free chunk of NFKC text."""
    folded = chunk.casefold()
    terms: list[str] = []
    for run in (folded,) if folded.isalnum() else _RUN.findall(folded):
        if run.isascii() or not _CJK.search(run):
            if len(run) >= _MIN_LENGTH and run not in _STOP_WORDS and not run.isdecimal():
                terms.append(run)
        else:
            terms += _unspaced_tokens(run)
    return tuple(terms)
