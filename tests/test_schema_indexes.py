"""The schema set-up (`graphdb.connect.ensure_schema`) on each backend: the range indexes that
the identity snapshot's keyset paging (`WHERE n.id > $after ORDER BY n.id` per label) reads
through exist, next to the unique id index on Entity."""

from __future__ import annotations

from scholargraph.graphdb.connect import ensure_schema
from scholargraph.graphdb.dialects import ID_PAGED
from scholargraph.graphdb.model import ENTITY
from scholargraph.graphdb.store import Store

# Listing indexes is administration, not a domain read: each engine has its own procedure.
_LIST = {
    "falkordb": "CALL db.indexes() YIELD label, properties RETURN label, properties",
    "neo4j": (
        "SHOW INDEXES YIELD labelsOrTypes, properties, entityType WHERE entityType = 'NODE' "
        "RETURN labelsOrTypes[0] AS label, properties"
    ),
}


async def _indexed(store: Store) -> set[tuple[str, str]]:
    rows = await store.read(_LIST[store.dialect.name])
    return {(row["label"], prop) for row in rows for prop in row["properties"] or []}


async def test_every_label_paged_by_id_has_an_id_index(store: Store) -> None:
    indexed = await _indexed(store)
    assert (ENTITY, "id") in indexed
    missing = [str(label) for label in ID_PAGED if (str(label), "id") not in indexed]
    assert missing == []


async def test_schema_set_up_twice_adds_nothing(store: Store) -> None:
    before = await _indexed(store)
    await ensure_schema(store)
    assert await _indexed(store) == before
