"""Per-request DataLoaders: every relationship hop of a query is one batched store round trip."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from strawberry.dataloader import DataLoader

from scholargraph.graphdb import citations, identity, reads
from scholargraph.graphdb.model import PREFIX, Label, Rel
from scholargraph.graphdb.store import Store

K = TypeVar("K")
V = TypeVar("V")


def _by_key(
    fetch: Callable[[Sequence[str]], Awaitable[dict[str, V]]], default: Callable[[], V]
) -> Callable[[list[str]], Awaitable[list[V]]]:
    async def load(keys: list[str]) -> list[V]:
        found = await fetch(keys)
        return [found.get(key, default()) for key in keys]

    return load


class Loaders:
    """Created once per request in the context getter; never shared between requests."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.node: DataLoader[str, reads.NodeRecord | None] = DataLoader(self._load_nodes)
        self.works: DataLoader[str, list[reads.WorkRef]] = DataLoader(
            _by_key(lambda ids: reads.works(store, ids), list)
        )
        self.collaborators: DataLoader[str, list[reads.CollaboratorRef]] = DataLoader(
            _by_key(lambda ids: reads.collaborators(store, ids), list)
        )
        self.references: DataLoader[str, list[citations.CitationRef]] = DataLoader(
            _by_key(lambda ids: citations.citations(store, ids, "out"), list)
        )
        self.cited_by: DataLoader[str, list[citations.CitationRef]] = DataLoader(
            _by_key(lambda ids: citations.citations(store, ids, "in"), list)
        )
        self._edges: dict[tuple[Rel, reads.Direction], DataLoader[str, list[reads.EdgeRecord]]]
        self._edges = {}
        self._degrees: dict[tuple[Rel, reads.Direction], DataLoader[str, int]] = {}

    async def _load_nodes(self, ids: list[str]) -> list[reads.NodeRecord | None]:
        found = await reads.nodes_by_ids(self.store, ids)
        # A researcher merged away answers as the record it was merged into (links never
        # break); one more read, only for ids not found directly.
        gone = [i for i in ids if i not in found and i.startswith(f"{PREFIX[Label.RESEARCHER]}:")]
        for old, row in (await identity.redirects(self.store, gone)).items():
            found[old] = reads.record({**row, "id": row["into"]})
        return [found.get(i) for i in ids]

    def edges(
        self, rel: Rel, direction: reads.Direction
    ) -> DataLoader[str, list[reads.EdgeRecord]]:
        loader = self._edges.get((rel, direction))
        if loader is None:
            store = self.store
            loader = DataLoader(
                _by_key(lambda ids: reads.neighbors(store, ids, rel, direction), list)
            )
            self._edges[(rel, direction)] = loader
        return loader

    def degree(self, rel: Rel, direction: reads.Direction) -> DataLoader[str, int]:
        loader = self._degrees.get((rel, direction))
        if loader is None:
            store = self.store
            loader = DataLoader(_by_key(lambda ids: reads.degrees(store, ids, rel, direction), int))
            self._degrees[(rel, direction)] = loader
        return loader

    async def nodes(self, ids: Sequence[str]) -> list[reads.NodeRecord]:
        found = await self.node.load_many(list(ids))
        return [record for record in found if record is not None]


__all__ = ["Loaders"]
