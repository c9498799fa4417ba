"""Name and title normalization shared by ids, search and identity resolution."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata

from unidecode import unidecode

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SPACE = re.compile(r"\s+")

# German-style transliterations fold to the bare vowel so that "Jörn", "Joern" and "Jorn" meet.
_TRANSLIT = {"ae": "a", "oe": "o", "ue": "u"}
_TRANSLIT_RE = re.compile(r"(?<=[bcdfghjklmnpqrstvwxz])(ae|oe|ue)")


def clean(text: str) -> str:
    """Decode HTML entities (repeatedly: sources double-escape) and collapse white space."""
    previous = None
    while previous != text:
        previous, text = text, html.unescape(text)
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def fold(text: str) -> str:
    """Lower-case ASCII with diacritics removed and punctuation turned into single spaces."""
    if text.isascii() and "&" not in text:
        # The same result without clean() and unidecode(), which change no such text (no
        # entity to decode; NFC and transliteration keep ASCII; spaces are non-alphanumeric):
        # a third of the time, and suggestions fold every candidate's name and aliases.
        return _NON_ALNUM.sub(" ", text.lower()).strip()
    return _NON_ALNUM.sub(" ", unidecode(clean(text)).lower()).strip()


def tokens(text: str) -> list[str]:
    return fold(text).split()


def slug(text: str, max_length: int = 80) -> str:
    folded = fold(text).replace(" ", "-")[:max_length].strip("-")
    if folded:
        return folded
    # Nothing survives folding ("!!!", emoji): a digest of the text keeps distinct ones apart.
    return "x-" + hashlib.sha1(clean(text).encode(), usedforsecurity=False).hexdigest()[:12]


def name_key(name: str) -> str:
    """Key for comparing person names: folded, transliterations collapsed, hyphens as spaces."""
    folded = fold(name)
    # Most names hold none of the pairs: three substring tests cost far less than the regex,
    # and suggestions and identity resolution fold thousands of names a request or import.
    if "ae" not in folded and "oe" not in folded and "ue" not in folded:
        return folded
    return _TRANSLIT_RE.sub(_translit, folded)


def _translit(match: re.Match[str]) -> str:
    return _TRANSLIT[match.group(1)]


def title_key(title: str) -> str:
    # A title of only punctuation, symbols or emoji folds to nothing; keyed by its cleaned text
    # instead, so that "!!!" and "???" stay two papers. Folded keys hold only [a-z0-9 ], so
    # such a key never equals a folded one.
    return fold(title) or clean(title)


def title_hash(title: str, length: int = 16) -> str:
    return hashlib.sha1(title_key(title).encode(), usedforsecurity=False).hexdigest()[:length]


__all__ = ["clean", "fold", "name_key", "slug", "title_hash", "title_key", "tokens"]
