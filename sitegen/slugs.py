"""Safe, stable URL names for slugs, tags and authors. Pure."""
from __future__ import annotations

import re
import unicodedata

_SYMBOLS = {"&": " and ", "+": " plus ", "#": " sharp ", "@": " at "}
_TRANSLIT = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "þ": "th", "ı": "i"})


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by `-`: `São Paulo` → `sao-paulo`, `C++` → `c-plus-plus`, `AT&T` → `at-and-t`.

    Letters without an ASCII form (Cyrillic, CJK, ...) are kept as they are (percent-encoded by browsers);
    characters that are unsafe in a path never survive. Returns "" when nothing usable is left."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_TRANSLIT)
    for symbol, word in _SYMBOLS.items():
        text = text.replace(symbol, word)
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = re.findall(r"[^\W_]+", kept)
    return unicodedata.normalize("NFC", "-".join(words))[:80].strip("-")


def is_safe_segment(slug: str) -> bool:
    """True for a slug that stays one path segment: no separators, dots-only names or control characters."""
    return bool(slug) and slug not in (".", "..") and not re.search(r"[/\\\x00-\x1f\x7f]", slug)
