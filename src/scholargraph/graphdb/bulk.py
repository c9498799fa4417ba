"""Bulk creation for synthetic graphs (benchmarks): plain CREATE in large batches.

Unlike `writes.upsert`, nothing here merges, checks endpoints or keeps sources: it is only for
filling a fresh, empty graph fast. Ids must be new and every edge's endpoints must exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scholargraph.graphdb.model import ENTITY, Label, Rel
from scholargraph.graphdb.store import Store
from scholargraph.graphdb.writes import batched

BULK_BATCH = 5_000


def _create_nodes(label: Label) -> str:
    return f"UNWIND $rows AS row CREATE (n:{ENTITY}:{Label(label)}) SET n = row"


def _create_edges(rel: Rel) -> str:
    return (
        f"UNWIND $rows AS e MATCH (a:{ENTITY} {{id: e.src}}), (b:{ENTITY} {{id: e.dst}}) "
        f"CREATE (a)-[r:{Rel(rel)}]->(b) SET r = e.props"
    )


async def create_nodes(
    store: Store, label: Label, rows: Iterable[Mapping[str, Any]], batch: int = BULK_BATCH
) -> int:
    """Create one node per row (its properties, `id` included); returns how many."""
    query = _create_nodes(label)
    count = 0
    for chunk in batched(rows, batch):
        await store.write(query, {"rows": [dict(row) for row in chunk]})
        count += len(chunk)
    return count


async def create_edges(
    store: Store,
    rel: Rel,
    rows: Iterable[tuple[str, str, Mapping[str, Any]]],
    batch: int = BULK_BATCH,
) -> int:
    """Create one `rel` relationship per (source id, target id, properties); returns how many."""
    query = _create_edges(rel)
    count = 0
    for chunk in batched(rows, batch):
        params = [{"src": s, "dst": d, "props": dict(p)} for s, d, p in chunk]
        await store.write(query, {"rows": params})
        count += len(chunk)
    return count


__all__ = ["BULK_BATCH", "create_edges", "create_nodes"]
