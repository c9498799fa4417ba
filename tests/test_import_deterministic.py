"""An import gives one graph, whatever the file order, the batch size, or an interruption.

A kill -9 during the write phase leaves whole batches (each batch is one atomic query), which is
what a batch that fails inside the database leaves too; so the interrupted run is simulated by a
store whose n-th batch fails, and the re-run must end with exactly the graph of one clean import
(every node and relationship, every property; only a MergeRecord's time may differ)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import PAPERLISTS, SEEDS
from scholargraph.graphdb.store import Store, StoreError
from scholargraph.ingest import load
from scholargraph.ingest.importer import import_paperlists
from test_import import FIXTURES, PoisonedStore

# Two real lists when they are here (ICLR 2018 holds the swapped e-mails and many namesakes),
# else the small fixtures.
REAL = [PAPERLISTS / "iclr2018.json", PAPERLISTS / "icml2020.json"]
FILES = REAL if all(p.exists() for p in REAL) else sorted((FIXTURES / "paperlists").glob("*.json"))
_VOLATILE = {"at"}

# Entities only: the change feed's events (docs/subscriptions.md) follow batch boundaries.
_NODES = "MATCH (n:Entity) RETURN n.id AS id, labels(n) AS labels, properties(n) AS props"
_EDGES = (
    "MATCH (a)-[r]->(b) RETURN a.id AS src, type(r) AS type, b.id AS dst, properties(r) AS props"
)


def _canon(props: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in props.items() if k not in _VOLATILE}, sort_keys=True)


async def _dump(store: Store) -> tuple[list[str], list[str]]:
    nodes = sorted(
        f"{row['id']} {sorted(row['labels'])} {_canon(row['props'])}"
        for row in await store.read(_NODES)
    )
    edges = sorted(
        f"{row['src']} {row['type']} {row['dst']} {_canon(row['props'])}"
        for row in await store.read(_EDGES)
    )
    return nodes, edges


async def _fresh(store: Store) -> None:
    await store.write("MATCH (n) DETACH DELETE n")
    await load.seed(store, SEEDS)


async def test_interrupted_reordered_rebatched_import_gives_the_clean_graph(store: Store) -> None:
    await _fresh(store)
    await import_paperlists(store, FILES)
    clean = await _dump(store)

    await _fresh(store)
    poisoned = PoisonedStore(store, fail_at=3)
    with pytest.raises(StoreError, match="run the same import again"):
        await import_paperlists(poisoned, FILES[::-1], batch_records=200)  # type: ignore[arg-type]
    partial = await _dump(store)
    assert len(partial[0]) < len(clean[0])  # it did stop half-way
    await import_paperlists(store, FILES, batch_records=700)
    nodes, edges = await _dump(store)
    assert len(nodes) == len(clean[0])
    assert [n for n in nodes if n not in set(clean[0])][:3] == []
    assert [e for e in edges if e not in set(clean[1])][:3] == []
    assert (nodes, edges) == clean


def test_the_files_are_named() -> None:
    assert all(isinstance(p, Path) and p.exists() for p in FILES)
