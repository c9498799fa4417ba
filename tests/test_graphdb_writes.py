"""Contract tests of batch upserts: idempotent, atomic, provenance kept, on every backend."""

from __future__ import annotations

import pytest

from scholargraph.graphdb import writes
from scholargraph.graphdb.model import Label, Rel
from scholargraph.graphdb.reads import neighbors, nodes_by_ids
from scholargraph.graphdb.stats import graph_counts
from scholargraph.graphdb.store import Store
from scholargraph.graphdb.writes import EdgeRow, NodeRow


def _people() -> list[NodeRow]:
    return [
        NodeRow(
            "researcher:ada",
            Label.RESEARCHER,
            "test:a",
            {"name": "Ada"},
            {"aliases": ["A. Lovelace"]},
        ),
        NodeRow("paper:p1", Label.PAPER, "test:a", {"title": "Notes"}),
    ]


async def test_upsert_twice_changes_nothing(store: Store) -> None:
    edge = EdgeRow(Rel.AUTHORED, "researcher:ada", "paper:p1", "test:a", props={"position": 1})
    await writes.upsert(store, _people(), [edge])
    first = await graph_counts(store)
    await writes.upsert(store, _people(), [edge])
    assert await graph_counts(store) == first
    assert first.labels[Label.RESEARCHER] == 1
    assert first.relationships == {"AUTHORED": 1}


async def test_sources_and_aliases_accumulate(store: Store) -> None:
    await writes.upsert(store, _people(), [])
    again = NodeRow(
        "researcher:ada", Label.RESEARCHER, "test:b", {"name": "Ada"}, {"aliases": ["Ada King"]}
    )
    await writes.upsert(store, [again], [])
    ada = (await nodes_by_ids(store, ["researcher:ada"]))["researcher:ada"]
    assert ada.label is Label.RESEARCHER
    assert ada.get("sources") == ["test:a", "test:b"]
    assert sorted(ada.get("aliases")) == ["A. Lovelace", "Ada King"]


async def test_relationship_properties_and_provenance(store: Store) -> None:
    edge = EdgeRow(
        Rel.AUTHORED,
        "researcher:ada",
        "paper:p1",
        "test:a",
        props={"position": 2, "equalContribution": True},
    )
    await writes.upsert(store, _people(), [edge])
    found = await neighbors(store, ["researcher:ada"], Rel.AUTHORED, "out")
    (rel,) = found["researcher:ada"]
    assert rel.other == "paper:p1"
    assert rel.props["position"] == 2
    assert rel.props["equalContribution"] is True
    assert rel.props["sources"] == ["test:a"]


async def test_unknown_endpoint_writes_nothing(store: Store) -> None:
    bad = EdgeRow(Rel.AUTHORED, "researcher:ada", "paper:nope", "test:a")
    with pytest.raises(writes.MissingEndpoints, match="paper:nope"):
        await writes.upsert(store, _people(), [bad])
    counts = await graph_counts(store)
    assert counts.nodes == 0
    assert counts.edges == 0


async def test_failed_batch_leaves_graph_as_before(store: Store) -> None:
    await writes.upsert(store, _people(), [])
    before = await graph_counts(store)
    # A map is not a storable property value on either engine: the query fails mid-batch.
    poisoned = [
        NodeRow("researcher:bob", Label.RESEARCHER, "test:c", {"name": "Bob"}),
        NodeRow("researcher:eve", Label.RESEARCHER, "test:c", {"name": {"first": "Eve"}}),
    ]
    with pytest.raises(Exception, match=r"(?i)propert|map|type"):
        await writes.upsert(store, poisoned, [])
    assert await graph_counts(store) == before
    assert "researcher:bob" not in await nodes_by_ids(store, ["researcher:bob"])


def test_ids_outside_the_model_are_refused() -> None:
    with pytest.raises(ValueError, match="not a valid id"):
        writes.node_params([NodeRow("robert'); DROP", Label.RESEARCHER, "test:a")])


async def test_repeats_in_one_batch_keep_every_fact(store: Store) -> None:
    # FalkorDB loses a SET on an entity MERGEd twice in one query; the writer must fold repeats.
    bare = EdgeRow(Rel.AUTHORED, "researcher:ada", "paper:p1", "test:a")
    full = EdgeRow(Rel.AUTHORED, "researcher:ada", "paper:p1", "test:b", props={"position": 1})
    again = NodeRow("paper:p1", Label.PAPER, "test:b", {"abstract": "On engines."})
    await writes.upsert(store, [*_people(), again], [bare, full])
    (rel,) = (await neighbors(store, ["researcher:ada"], Rel.AUTHORED, "out"))["researcher:ada"]
    assert rel.props["position"] == 1
    assert rel.props["sources"] == ["test:a", "test:b"]
    paper = (await nodes_by_ids(store, ["paper:p1"]))["paper:p1"]
    assert paper.get("title") == "Notes"
    assert paper.get("abstract") == "On engines."
    assert paper.get("sources") == ["test:a", "test:b"]
