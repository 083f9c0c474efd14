"""Safe, stable URL names for slugs, tags and authors. Pure."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

MAX_BYTES = 200
"""Longest slug in UTF-8 bytes, well inside file systems' 255-byte names."""
_SYMBOLS = {"&": " and ", "+": " plus ", "#": " sharp ", "@": " at "}
_UNSAFE = re.compile(r"[/\\\x00-\x1f\x7f]")
"""Characters that would make a slug more than one path segment, or unprintable."""
_TRANSLIT = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "þ": "th", "ı": "i",
                           "'": "", "’": "", "ʼ": ""})
"""Letters with an ASCII spelling; apostrophes vanish inside a word (`Mayor’s` → `mayors`, not `mayor-s`)."""


@lru_cache(maxsize=65536)
def slugify(text: str) -> str:
    """Lower-case ASCII words joined by `-`: `São Paulo` → `sao-paulo`, `C++` → `c-plus-plus`, `AT&T` → `at-and-t`.

    Letters without an ASCII form (Cyrillic, CJK, ...) are kept as they are (percent-encoded by browsers);
    characters that are unsafe in a path never survive. Returns "" when nothing usable is left."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_TRANSLIT)
    for symbol, word in _SYMBOLS.items():
        text = text.replace(symbol, word)
    kept: list[str] = []
    base = ""
    for c in unicodedata.normalize("NFKD", text):
        if unicodedata.category(c).startswith("M"):
            # An accent on a Latin letter goes (é → e); marks of other scripts are part of the letter.
            if base and not _is_latin(base):
                kept.append(c)
            continue
        base = c if c.isalnum() else ""
        kept.append(c if base else " ")
    slug = unicodedata.normalize("NFC", "-".join("".join(kept).split()))[:80]
    while len(slug.encode()) > MAX_BYTES:  # 80 letters of a 4-byte script would be too long for a file name
        slug = slug[:-1]
    return slug.strip("-")


@lru_cache(maxsize=4096)
def _is_latin(c: str) -> bool:
    return c.isascii() or unicodedata.name(c, "").startswith("LATIN")


def is_safe_segment(slug: str) -> bool:
    """True for a slug that stays one path segment: no separators, dots-only names or control characters."""
    return bool(slug) and slug not in (".", "..") and not _UNSAFE.search(slug)
