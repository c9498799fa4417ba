"""The store-wide write generation: a counter every write through a Store bumps.

Caches of answers (response_cache.py) are valid for one generation only: an answer computed
while the generation read G is served again only while the store still reads G, so a write by
any process (another worker, `scholargraph import` beside a live server) is never followed by a
stale answer. The bump comes right after the write and before the write is acknowledged to its
caller, so whoever learns of a write also finds the generation moved.

FalkorDB: a plain redis key beside the graph, INCR'd. Neo4j: one node, outside the graph (no
Entity label), SET in the write's own transaction. Neither is counted as a query round trip.
"""

from __future__ import annotations

from typing import Any

from scholargraph.graphdb.model import WRITE_GENERATION

# A wipe (MATCH (n) DETACH DELETE n) deletes the node too; a fresh random epoch keeps the
# count that restarts from 1 from ever equalling a generation read before the wipe.
NEO4J_BUMP = (
    f"MERGE (g:{WRITE_GENERATION} {{id: 'writes'}}) "
    "ON CREATE SET g.epoch = randomUUID(), g.value = 0 "
    "SET g.value = g.value + 1"
)
NEO4J_READ = (
    f"MATCH (g:{WRITE_GENERATION} {{id: 'writes'}}) "
    "RETURN g.epoch + ':' + toString(g.value) AS value"
)


def falkor_key(graph: str) -> str:
    return f"scholargraph:{graph}:generation"


async def current(store: Any) -> str | None:
    """The store's write generation now, compared for equality only; None for a store that
    keeps none (test doubles), which nothing may be cached against."""
    read = getattr(store, "generation", None)
    return str(await read()) if read is not None else None


__all__ = ["NEO4J_BUMP", "NEO4J_READ", "current", "falkor_key"]
