"""Filters over sets of papers and their facet counts, counted in the store.

A set of papers is a scope: a researcher's works, a venue's publications, or given paper ids
(search hits). The filter keeps a paper when every given dimension matches: its year (the
earliest appearance anywhere, as Paper.year) within the bounds, one of its appearances of a
given kind, at a given venue, one of its topics given. Facets count the distinct filtered
papers per year, appearance kind, venue and topic in one aggregation: a paper with two
venues counts once under each.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from scholargraph.graphdb.model import ENTITY, Label, Rel
from scholargraph.graphdb.reads import NodeRecord, record
from scholargraph.graphdb.store import Store

Scope = Literal["researcher", "venue", "papers"]
Facet = Literal["year", "kind", "venue", "topic"]
MAX_FILTER_VALUES = 100


@dataclass(frozen=True)
class WorkFilter:
    kinds: tuple[str, ...] | None = None
    year_from: int | None = None
    year_to: int | None = None
    venue_ids: tuple[str, ...] | None = None
    topic_ids: tuple[str, ...] | None = None

    @property
    def empty(self) -> bool:
        return self == WorkFilter()

    def params(self) -> dict[str, Any]:
        def listed(values: tuple[str, ...] | None) -> list[str] | None:
            return None if values is None else sorted(set(values))

        return {
            "kinds": listed(self.kinds),
            "yearFrom": self.year_from,
            "yearTo": self.year_to,
            "venueIds": listed(self.venue_ids),
            "topicIds": listed(self.topic_ids),
        }

    def fingerprint(self) -> str:
        """Short and stable: tells whether a cursor was issued for this same filter."""
        if self.empty:
            return ""
        canonical = json.dumps(self.params(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha1(canonical.encode(), usedforsecurity=False).hexdigest()[:8]


# The id index is on Entity: matching the scope as Researcher or Venue would scan the label
# (FalkorDB's EXPLAIN: "Node By Label Scan"); as Entity it is "Node By Index Scan".
_SCOPES: dict[Scope, str] = {
    "researcher": (
        f"MATCH (s:{ENTITY} {{id: $scope}})-[:{Rel.AUTHORED}]->(p:{Label.PAPER}) "
        f"WHERE s:{Label.RESEARCHER} WITH DISTINCT p "
    ),
    "venue": (
        f"MATCH (s:{ENTITY} {{id: $scope}})<-[:{Rel.PUBLISHED_AT}]-(p:{Label.PAPER}) "
        f"WHERE s:{Label.VENUE} WITH DISTINCT p "
    ),
    "papers": f"UNWIND $ids AS pid MATCH (p:{ENTITY} {{id: pid}}) WHERE p:{Label.PAPER} "
    "WITH DISTINCT p ",
}

# Each paper's dimensions, then the filter; an absent dimension ($x IS NULL) keeps all.
_FILTERED = (
    f"OPTIONAL MATCH (p)-[pub:{Rel.PUBLISHED_AT}]->(v:{Label.VENUE}) "
    "WITH p, min(pub.year) AS year, collect(pub.kind) AS kinds, collect(v.id) AS venues "
    f"OPTIONAL MATCH (p)-[:{Rel.HAS_TOPIC}]->(t:{Label.TOPIC}) "
    "WITH p, year, kinds, venues, collect(t.id) AS topics "
    "WHERE ($yearFrom IS NULL OR year >= $yearFrom) AND ($yearTo IS NULL OR year <= $yearTo) "
    "AND ($kinds IS NULL OR any(k IN kinds WHERE k IN $kinds)) "
    "AND ($venueIds IS NULL OR any(x IN venues WHERE x IN $venueIds)) "
    "AND ($topicIds IS NULL OR any(x IN topics WHERE x IN $topicIds)) "
)

_IDS = {scope: _SCOPES[scope] + _FILTERED + "RETURN p.id AS id" for scope in _SCOPES}

# One row per (facet, value): a Cypher aggregation, so only the counts leave the store.
_FACETS = {
    scope: _SCOPES[scope]
    + _FILTERED
    + "UNWIND [['year', toString(year)]] + [k IN kinds | ['kind', k]] "
    "+ [x IN venues | ['venue', x]] + [x IN topics | ['topic', x]] AS f "
    "WITH p, f WHERE f[1] IS NOT NULL "
    "WITH f[0] AS facet, f[1] AS value, count(DISTINCT p) AS n "
    # The venues and topics themselves, in the same round trip (a year or kind names none).
    f"OPTIONAL MATCH (e:{ENTITY} {{id: value}}) WHERE facet IN ['venue', 'topic'] "
    "RETURN facet, value, n, e.id AS id, labels(e) AS labels, properties(e) AS props"
    for scope in _SCOPES
}


def _params(scope: Scope, key: str | Sequence[str], flt: WorkFilter) -> dict[str, Any]:
    base: dict[str, Any] = {"ids": sorted(set(key))} if scope == "papers" else {"scope": key}
    return {**base, **flt.params()}


async def filtered(
    store: Store, scope: Scope, key: str | Sequence[str], flt: WorkFilter
) -> set[str]:
    """The ids of the scope's papers that pass the filter (one round trip)."""
    rows = await store.read(_IDS[scope], _params(scope, key, flt))
    return {row["id"] for row in rows}


@dataclass(frozen=True)
class Facets:
    years: list[tuple[int, int]]  # (year, papers), by year
    kinds: list[tuple[str, int]]  # most papers first, then by value
    venues: list[tuple[str, int]]
    topics: list[tuple[str, int]]
    nodes: dict[str, NodeRecord]  # the venues and topics named above


async def facets(store: Store, scope: Scope, key: str | Sequence[str], flt: WorkFilter) -> Facets:
    """Counts of the filtered papers per year, kind, venue and topic (one round trip)."""
    counted: dict[str, list[tuple[str, int]]] = defaultdict(list)
    nodes: dict[str, NodeRecord] = {}
    for row in await store.read(_FACETS[scope], _params(scope, key, flt)):
        counted[row["facet"]].append((str(row["value"]), int(row["n"])))
        if row["id"] is not None:
            nodes[row["id"]] = record(row)

    def ranked(facet: Facet) -> list[tuple[str, int]]:
        return sorted(counted[facet], key=lambda vc: (-vc[1], vc[0]))

    years = sorted((int(float(v)), n) for v, n in counted["year"])
    return Facets(years, ranked("kind"), ranked("venue"), ranked("topic"), nodes)


__all__ = ["MAX_FILTER_VALUES", "Facets", "Scope", "WorkFilter", "facets", "filtered"]
