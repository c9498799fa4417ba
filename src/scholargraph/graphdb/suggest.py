"""Suggestions for a search box: names, aliases and titles that start with what was typed.

The full-text index behind search finds candidates by word prefix (one round trip for every
kind asked); the ranking is ours, the same on every engine: the whole name first (exactly,
then as a prefix), then names with a word starting with each typed word, then the most
connected node (a researcher's works, a venue's papers), then the id.
Folding is `text.name_key` on both sides, so "Joern", "jorn", "JÖRN" and "Jörn" meet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

from scholargraph import text
from scholargraph.graphdb.dialects import (
    SEARCHABLE,
    SUGGEST_CALL,
    SUGGEST_EXPRESSION,
    SUGGEST_WEIGHT,
)
from scholargraph.graphdb.model import Label
from scholargraph.graphdb.store import Store

MAX_PREFIX_CHARS = 200
MAX_TOKENS = 8
MAX_FIRST = 50
# Candidates the index hands over per kind before our ranking; a prefix matching more (one
# or two letters) is ranked among the first this many the engine returns.
CANDIDATES_PER_LABEL = 50


class SuggestInputError(ValueError):
    pass


class Match(IntEnum):
    """How a suggestion matched, best first."""

    EXACT = 0  # the whole name (or an alias, or the title) is what was typed
    PREFIX = 1  # the whole name starts with what was typed
    WORDS = 2  # each typed word starts a word of the name


@dataclass(frozen=True)
class Suggestion:
    id: str
    label: Label
    name: str  # the name, or the title of a paper or talk
    matched: str  # the spelling that matched: the name or one of its aliases
    match: Match
    weight: int  # relationships of the node: its works, papers, members


def _spellings(token: str) -> list[str]:
    # "joern" as typed, and "jorn" as name_key collapses it: the index holds either.
    return list(dict.fromkeys([token, text.name_key(token)]))


def prefix_tokens(prefix: str) -> list[str]:
    if len(prefix) > MAX_PREFIX_CHARS:
        raise SuggestInputError(
            f"`prefix` is {len(prefix)} characters long; at most {MAX_PREFIX_CHARS}"
        )
    # Folding keeps only [a-z0-9] words: no operator of either engine's syntax survives.
    return text.tokens(prefix)[:MAX_TOKENS]


def _query(store: Store, labels: Sequence[Label]) -> str:
    call = SUGGEST_CALL[store.dialect.name]
    weight = SUGGEST_WEIGHT[store.dialect.name]
    parts = [
        call.format(label=label, lower=label.lower()) + " WITH node LIMIT $candidates "
        f"RETURN node.id AS id, '{label}' AS label, coalesce(node.name, node.title) AS name, "
        f"node.aliases AS aliases, {weight} AS weight"
        for label in labels
    ]
    return " UNION ALL ".join(parts)


def _words_match(typed: Sequence[str], key: str) -> bool:
    words = key.split()
    return all(any(w.startswith(t) for w in words) for t in typed)


def _best(typed: Sequence[str], spellings: Sequence[str]) -> tuple[Match, str] | None:
    phrase = " ".join(typed)
    best: tuple[Match, str] | None = None
    for spelling in spellings:
        key = text.name_key(spelling)
        if key == phrase:
            found = Match.EXACT
        elif key.startswith(phrase):
            found = Match.PREFIX
        elif _words_match(typed, key):
            found = Match.WORDS
        else:
            continue
        if best is None or found < best[0]:
            best = (found, spelling)
    return best


async def suggest(
    store: Store, prefix: str, labels: Sequence[Label] | None, first: int
) -> list[Suggestion]:
    """At most `first` suggestions, best first; [] when nothing foldable was typed."""
    tokens = prefix_tokens(prefix)
    chosen = [label for label in (SEARCHABLE if labels is None else labels) if label in SEARCHABLE]
    if not tokens or not chosen or first <= 0:
        return []
    typed = [text.name_key(t) for t in tokens]
    expression = SUGGEST_EXPRESSION[store.dialect.name]([_spellings(t) for t in tokens])
    rows = await store.read(
        _query(store, chosen), {"query": expression, "candidates": CANDIDATES_PER_LABEL}
    )
    found: list[Suggestion] = []
    for row in rows:
        name = row["name"] or ""
        best = _best(typed, [name, *(row["aliases"] or [])])
        if best is not None:
            label = Label(row["label"])
            found.append(Suggestion(row["id"], label, name, best[1], best[0], int(row["weight"])))
    found.sort(key=lambda s: (s.match, -s.weight, s.id))
    return found[:first]


__all__ = [
    "CANDIDATES_PER_LABEL",
    "MAX_FIRST",
    "MAX_PREFIX_CHARS",
    "Match",
    "SuggestInputError",
    "Suggestion",
    "prefix_tokens",
    "suggest",
]
