"""The seed loader on every store: loading the seed twice gives identical counts."""

from __future__ import annotations

from conftest import SEEDS
from scholargraph.graphdb.model import Label
from scholargraph.graphdb.stats import graph_counts
from scholargraph.graphdb.store import Store
from scholargraph.ingest import load


async def test_the_seed_loaded_twice_gives_identical_counts(store: Store) -> None:
    await load.seed(store, SEEDS)
    once = await graph_counts(store)
    assert once.labels[Label.RESEARCHER] == 24 and once.labels[Label.PAPER] == 12
    await load.seed(store, SEEDS)
    assert await graph_counts(store) == once
    assert not await load.is_empty(store)
