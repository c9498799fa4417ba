"""Whole-graph counts, per label and per relationship type."""

from __future__ import annotations

from dataclasses import dataclass

from scholargraph.graphdb.model import ENTITY, Label
from scholargraph.graphdb.store import Store

_LABELS = f"MATCH (n:{ENTITY}) UNWIND labels(n) AS label RETURN label, count(*) AS count"
_TYPES = "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS count"


@dataclass(frozen=True)
class GraphCounts:
    labels: dict[str, int]
    relationships: dict[str, int]

    @property
    def nodes(self) -> int:
        return self.labels.get(ENTITY, 0)

    @property
    def edges(self) -> int:
        return sum(self.relationships.values())


async def graph_counts(store: Store) -> GraphCounts:
    labels = {row["label"]: int(row["count"]) for row in await store.read(_LABELS)}
    types = {row["type"]: int(row["count"]) for row in await store.read(_TYPES)}
    return GraphCounts(dict(sorted(labels.items())), dict(sorted(types.items())))


_ANY_RESEARCHER = f"MATCH (n:{Label.RESEARCHER}) RETURN n.id AS id LIMIT 1"


async def has_researchers(store: Store) -> bool:
    return bool(await store.read(_ANY_RESEARCHER))


__all__ = ["GraphCounts", "graph_counts", "has_researchers"]
