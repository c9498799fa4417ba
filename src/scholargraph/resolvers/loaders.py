"""Per-request DataLoaders: every relationship hop of a query is one batched store round trip."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

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


Hop = tuple[Rel, reads.Direction]
_MISSING: Any = object()


def _ready(loader: DataLoader[str, V], key: str, otherwise: Any) -> Any:
    future = loader.cache_map.get(key)
    if future is None or not future.done() or future.cancelled() or future.exception():
        return otherwise
    return future.result()


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
        self._linked: dict[Hop, DataLoader[str, list[tuple[reads.EdgeRecord, reads.NodeRecord]]]]
        self._linked = {}

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

    def linked(
        self, rel: Rel, direction: reads.Direction
    ) -> DataLoader[str, list[tuple[reads.EdgeRecord, reads.NodeRecord]]]:
        """Edges and the nodes at their far ends in one store call per batch (reads.linked);
        what it loads also answers `edges` and `node` for the same keys."""
        loader = self._linked.get((rel, direction))
        if loader is None:
            loader = DataLoader(lambda ids: self._load_linked(ids, rel, direction))
            self._linked[(rel, direction)] = loader
        return loader

    async def _load_linked(
        self, ids: list[str], rel: Rel, direction: reads.Direction
    ) -> list[list[tuple[reads.EdgeRecord, reads.NodeRecord]]]:
        edges, far = await reads.linked(self.store, ids, rel, direction)
        self.node.prime_many(far)
        self.edges(rel, direction).prime_many({i: edges.get(i, []) for i in ids})
        return [[(e, far[e.other]) for e in edges.get(i, []) if e.other in far] for i in ids]

    async def prefetch(self, ids: Sequence[str], hops: Sequence[Hop]) -> None:
        """Load these hops of these nodes, far ends included, one store call per hop, so that
        the fields reading them (`known_edges`, `known_linked`) answer without awaiting: a
        page of works then completes without a coroutine per paper and field."""
        await asyncio.gather(*(self.linked(*hop).load_many(ids) for hop in hops))

    def clear(self) -> None:
        """Drop everything loaded, once the request is answered. The loaders refer to this
        object through their load functions, a cycle that reference counting cannot free:
        without this, all the rows a request loaded (a 512-work profile: ~20,000 objects)
        outlived it until a collector pass, which then had them all to scan."""
        loaders: list[DataLoader[Any, Any]] = [
            self.node,
            self.works,
            self.collaborators,
            self.references,
            self.cited_by,
            *self._edges.values(),
            *self._degrees.values(),
            *self._linked.values(),
        ]
        for loader in loaders:
            loader.clear_all()
            loader.batch = None
        self._edges.clear()
        self._degrees.clear()
        self._linked.clear()

    def known_edges(
        self, rel: Rel, direction: reads.Direction, origin: str
    ) -> list[reads.EdgeRecord] | None:
        """`edges(rel, direction).load(origin)` if it is already loaded, else None."""
        loader = self._edges.get((rel, direction))
        return None if loader is None else _ready(loader, origin, None)

    def known_linked(
        self, origin: str, rel: Rel, direction: reads.Direction
    ) -> list[tuple[reads.EdgeRecord, reads.NodeRecord]] | None:
        """What resolvers.profile.linked would give, if every part is already loaded, else
        None."""
        edges = self.known_edges(rel, direction, origin)
        if edges is None:
            return None
        found = []
        for edge in edges:
            node = _ready(self.node, edge.other, _MISSING)
            if node is _MISSING:
                return None
            if node is not None:
                found.append((edge, node))
        return found


__all__ = ["Hop", "Loaders"]
