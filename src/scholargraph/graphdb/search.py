"""Full-text search over names, aliases, titles and abstracts, ranked the same on every engine.

The engine's index finds candidates; the ranking is ours (`rank`), computed from the folded
terms the candidates carry, so FalkorDB and Neo4j order the same hits the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scholargraph import text
from scholargraph.graphdb.dialects import SEARCHABLE
from scholargraph.graphdb.model import Label
from scholargraph.graphdb.store import Store

MAX_QUERY_CHARS = 500
MAX_TOKENS = 16
MAX_TOKEN_CHARS = 64
CANDIDATES_PER_LABEL = 500

# Labels whose every search term is a name (aliases count as much as the name itself).
_NAMED = frozenset({Label.RESEARCHER, Label.VENUE, Label.INSTITUTION, Label.TOPIC, Label.AWARD})


class SearchInputError(ValueError):
    pass


@dataclass(frozen=True)
class Hit:
    id: str
    label: Label
    score: float
    matched: str  # the term that ranked it, for display


def search_tokens(query: str) -> list[str]:
    if len(query) > MAX_QUERY_CHARS:
        raise SearchInputError(
            f"the search string is {len(query)} characters long; at most {MAX_QUERY_CHARS}"
        )
    # Folding keeps only [a-z0-9] words: no quote, bracket or operator reaches the engine.
    found = [t[:MAX_TOKEN_CHARS] for t in text.tokens(query)]
    return list(dict.fromkeys(found))[:MAX_TOKENS]


def _term_score(tokens: Sequence[str], term: str) -> float:
    words = term.split()
    score = 0.0
    for token in tokens:
        if token in words:
            score += 2.0
        elif any(word.startswith(token) for word in words):
            score += 1.0
    return score


def rank(label: Label, tokens: Sequence[str], terms: Sequence[str]) -> tuple[float, str]:
    """A hit's score: token matches in its names (or title) weigh 3x those in other text."""
    if not terms:
        return 0.0, ""
    primary = list(terms) if label in _NAMED else [terms[0]]
    rest = [] if label in _NAMED else list(terms[1:])
    phrase = " ".join(tokens)
    best_primary = max(primary, key=lambda t: (_term_score(tokens, t), -len(t)))
    score = 3 * _term_score(tokens, best_primary)
    if best_primary == phrase:
        score += 10.0
    elif best_primary.startswith(phrase):
        score += 4.0
    if rest:
        score += max(_term_score(tokens, t) for t in rest)
    return score, best_primary


async def search(store: Store, query: str, labels: Sequence[Label] | None = None) -> list[Hit]:
    """All ranked hits (at most CANDIDATES_PER_LABEL per label), best first."""
    tokens = search_tokens(query)
    if not tokens:
        return []
    expression = store.dialect.fulltext_expression(tokens)
    hits: list[Hit] = []
    for label in labels or SEARCHABLE:
        if label not in SEARCHABLE:
            continue
        rows = await store.read(
            store.dialect.fulltext[label], {"query": expression, "limit": CANDIDATES_PER_LABEL}
        )
        for row in rows:
            score, matched = rank(label, tokens, row["terms"] or [])
            hits.append(Hit(row["id"], label, score, matched))
    order = {label: i for i, label in enumerate(SEARCHABLE)}
    hits.sort(key=lambda h: (-h.score, order[h.label], h.matched, h.id))
    return hits


__all__ = ["MAX_QUERY_CHARS", "Hit", "SearchInputError", "rank", "search", "search_tokens"]
