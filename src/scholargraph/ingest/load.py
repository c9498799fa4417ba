"""Loading facts into the store: the seed command and the first-start seeding."""

from __future__ import annotations

from pathlib import Path

from scholargraph.graphdb import stats, writes
from scholargraph.graphdb.store import Store
from scholargraph.ingest.seed import seed_rows


async def is_empty(store: Store) -> bool:
    return not await stats.has_researchers(store)


async def seed(store: Store, seeds_dir: Path) -> dict[str, int]:
    """Load both seed transcriptions in ONE write: all of it lands, or none of it."""
    rows = seed_rows(seeds_dir)  # validates everything before anything is written
    edges = await writes.upsert(store, rows.nodes, rows.edges)
    return {"nodes": len({node.id for node in rows.nodes}), "relationships": edges}


__all__ = ["is_empty", "seed"]
