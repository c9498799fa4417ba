"""Identity: name compatibility (pure) and merge/split of researchers on every backend."""

from __future__ import annotations

from typing import Any

import pytest

from scholargraph import text
from scholargraph.graphdb import events, writes
from scholargraph.graphdb.events import Kind
from scholargraph.graphdb.identity import (
    IdentityError,
    InvalidMerge,
    SplitConflict,
    UnknownMerge,
    UnknownResearcher,
    load_snapshot,
    merge_researchers,
    split_researcher,
)
from scholargraph.graphdb.model import Label, Rel
from scholargraph.graphdb.reads import nodes_by_ids
from scholargraph.graphdb.stats import graph_counts
from scholargraph.graphdb.store import Store
from scholargraph.graphdb.writes import EdgeRow, NodeRow
from scholargraph.ingest.identity import names_compatible
from scholargraph.ingest.resolver import NameStats, Resolver, Slot, aliases_agree


def compatible(a: str, b: str) -> bool:
    return names_compatible(text.name_key(a), text.name_key(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Ricky T. Q. Chen", "Ricky Chen"),
        ("Jorn-Henrik Jacobsen", "Jörn-Henrik Jacobsen"),
        ("Joern-Henrik Jacobsen", "Jörn-Henrik Jacobsen"),
        ("Will Sussman Grathwohl", "Will Grathwohl"),
        ("W. Grathwohl", "Will Grathwohl"),
        ("Kuanchieh Wang", "Kuan-Chieh Wang"),
        ("Chris J. Maddison", "Chris Maddison"),
        ("RICKY T Q CHEN", "ricky tian qi chen"),
    ],
)
def test_spellings_of_one_name_are_compatible(a: str, b: str) -> None:
    assert compatible(a, b)
    assert compatible(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Jackson Wang", "Kuan-Chieh Wang"),  # a nickname needs the position rule
        ("Geoff Roeder", "Geoffrey Hinton"),
        ("John A. Smith", "John B. Smith"),
        ("Tian Qi Chen", "Ricky T. Q. Chen"),
        ("Madonna", "Madonna Ciccone"),
        ("", ""),
    ],
)
def test_different_names_are_not(a: str, b: str) -> None:
    assert not compatible(a, b)


# --- merge and split on the graph -------------------------------------------------------------

SRC = "test:identity"


async def _graph(store: Store) -> None:
    """Ada (two papers, an affiliation, a supervisor) and her duplicate 'A. Lovelace' (one shared
    paper, one of her own, supervised by Ada), plus Babbage."""
    people = [
        NodeRow(
            "researcher:ada",
            Label.RESEARCHER,
            SRC,
            {"name": "Ada Lovelace", "nameKey": "ada lovelace"},
            {"nameKeys": ["ada lovelace"], "searchTerms": ["ada lovelace"]},
        ),
        NodeRow(
            "researcher:a-lovelace",
            Label.RESEARCHER,
            "test:other",
            {"name": "A. Lovelace", "nameKey": "a lovelace", "bio": "Countess."},
            {
                "nameKeys": ["a lovelace"],
                "externalIds": ["orcid:1"],
                "aliases": ["Augusta Ada King"],
                "searchTerms": ["a lovelace"],
            },
        ),
        NodeRow("researcher:babbage", Label.RESEARCHER, SRC, {"name": "Charles Babbage"}),
        NodeRow("paper:notes", Label.PAPER, SRC, {"title": "Notes"}),
        NodeRow("paper:sketch", Label.PAPER, SRC, {"title": "Sketch"}),
        NodeRow("paper:letters", Label.PAPER, SRC, {"title": "Letters"}),
        NodeRow("institution:london", Label.INSTITUTION, SRC, {"name": "London"}),
    ]
    edges = [
        EdgeRow(Rel.AUTHORED, "researcher:ada", "paper:notes", SRC, props={"position": 1}),
        EdgeRow(Rel.AUTHORED, "researcher:ada", "paper:sketch", SRC, props={"position": 1}),
        EdgeRow(Rel.AUTHORED, "researcher:babbage", "paper:notes", SRC, props={"position": 2}),
        EdgeRow(
            Rel.AUTHORED,
            "researcher:a-lovelace",
            "paper:notes",
            "test:other",
            props={"position": 1, "asWritten": "A. Lovelace"},
        ),
        EdgeRow(
            Rel.AUTHORED,
            "researcher:a-lovelace",
            "paper:letters",
            "test:other",
            props={"position": 1},
        ),
        EdgeRow(
            Rel.AFFILIATED_WITH,
            "researcher:a-lovelace",
            "institution:london",
            "test:other",
            key="1843",
            props={"since": 1843},
        ),
        EdgeRow(Rel.SUPERVISED_BY, "researcher:a-lovelace", "researcher:ada", "test:other"),
        EdgeRow(Rel.SUPERVISED_BY, "researcher:babbage", "researcher:a-lovelace", SRC),
    ]
    await writes.upsert(store, people, edges)


# Everything but the audit trail, which a split keeps on purpose.
_DUMP = (
    f"MATCH (a)-[r]->(b) WHERE type(r) <> '{Rel.MERGED_INTO}' "
    "RETURN a.id AS src, type(r) AS type, b.id AS dst, properties(r) AS props"
)
_PROPS = "MATCH (n) WHERE n.id IN $ids RETURN n.id AS id, properties(n) AS props"


async def _dump(store: Store) -> tuple[list[tuple[str, str, str, str]], dict[str, Any]]:
    edges = sorted(
        (row["src"], row["type"], row["dst"], repr(sorted(row["props"].items())))
        for row in await store.read(_DUMP)
    )
    ids = ["researcher:ada", "researcher:a-lovelace", "researcher:babbage"]
    nodes = {row["id"]: row["props"] for row in await store.read(_PROPS, {"ids": ids})}
    return edges, nodes


async def test_merge_moves_everything_and_split_restores_it_exactly(store: Store) -> None:
    await _graph(store)
    before = await _dump(store)
    counts = await graph_counts(store)
    seq = await events.head(store)

    result = await merge_researchers(
        store, ["researcher:a-lovelace"], "researcher:ada", actor="tester", reason="same person"
    )
    assert result.merged == ("researcher:a-lovelace",)
    assert result.moved == 4  # notes (absorbed), letters, affiliation, Babbage's supervision
    assert result.dropped == 1  # her supervision by Ada would be a loop
    # Both records changed as a whole, recorded by the merge's own query.
    merged = {
        (e.kind, e.researcher_id, e.subject_id) for e in await events.events_after(store, seq)
    }
    assert merged == {
        (Kind.MERGED, "researcher:ada", result.merge_id),
        (Kind.MERGED, "researcher:a-lovelace", result.merge_id),
    }
    after = await nodes_by_ids(store, ["researcher:ada", "researcher:a-lovelace"])
    assert "researcher:a-lovelace" not in after
    ada = after["researcher:ada"]
    assert ada.get("name") == "Ada Lovelace"
    assert ada.get("aliases") == ["A. Lovelace", "Augusta Ada King"]
    assert ada.get("externalIds") == ["orcid:1"]
    assert ada.get("bio") == "Countess."  # filled where Ada had nothing
    assert ada.get("sources") == [SRC, "test:other"]
    edges, _ = await _dump(store)
    mine = {(s, t, d) for s, t, d, _ in edges if "researcher:ada" in (s, d)}
    assert mine == {
        ("researcher:ada", "AUTHORED", "paper:notes"),
        ("researcher:ada", "AUTHORED", "paper:sketch"),
        ("researcher:ada", "AUTHORED", "paper:letters"),
        ("researcher:ada", "AFFILIATED_WITH", "institution:london"),
        ("researcher:babbage", "SUPERVISED_BY", "researcher:ada"),
    }
    notes = next(p for s, t, d, p in edges if (s, d) == ("researcher:ada", "paper:notes"))
    assert "test:other" in notes  # the absorbed authorship's provenance is kept
    record = (await nodes_by_ids(store, [result.merge_id]))[result.merge_id]
    assert record.label is Label.MERGE
    assert record.get("actor") == "tester"
    assert record.get("status") == "merged"

    split = await split_researcher(store, result.merge_id, actor="tester", reason="not her")
    assert split.restored == ("researcher:a-lovelace",)
    assert split.skipped == ()
    after_split = await events.events_after(store, seq + 2)
    assert {(e.kind, e.researcher_id, e.subject_id) for e in after_split} == {
        (Kind.SPLIT, "researcher:ada", result.merge_id),
        (Kind.SPLIT, "researcher:a-lovelace", result.merge_id),
    }
    restored = await _dump(store)
    assert restored == before
    again = await graph_counts(store)
    # Only the audit trail remains: the record and its MERGED_INTO.
    assert again.labels.get(Label.MERGE) == 1
    assert again.nodes == counts.nodes + 1
    assert again.edges == counts.edges + 1
    record = (await nodes_by_ids(store, [result.merge_id]))[result.merge_id]
    assert record.get("status") == "split"
    snapshot = await load_snapshot(store)
    assert frozenset(("researcher:ada", "researcher:a-lovelace")) in snapshot.apart
    with pytest.raises(SplitConflict, match="already split"):
        await split_researcher(store, result.merge_id, actor="tester")


async def test_split_by_researcher_id_and_newest_first(store: Store) -> None:
    await _graph(store)
    before = await _dump(store)
    first = await merge_researchers(
        store, ["researcher:a-lovelace"], "researcher:ada", actor="t", reason="r"
    )
    second = await merge_researchers(
        store, ["researcher:babbage"], "researcher:ada", actor="t", reason="r"
    )
    with pytest.raises(SplitConflict, match=second.merge_id):
        await split_researcher(store, first.merge_id, actor="t")
    # A merged-away id names the merge that absorbed it; a target names its latest merge.
    assert (await split_researcher(store, "researcher:ada", actor="t")).merge_id == second.merge_id
    assert (
        await split_researcher(store, "researcher:a-lovelace", actor="t")
    ).merge_id == first.merge_id
    assert await _dump(store) == before
    with pytest.raises(UnknownMerge):
        await split_researcher(store, "researcher:ada", actor="t")


@pytest.mark.parametrize(
    ("ids", "into", "error", "message"),
    [
        (["researcher:nobody"], "researcher:ada", UnknownResearcher, "researcher:nobody"),
        (["researcher:ada"], "researcher:ada", InvalidMerge, "into itself"),
        ([], "researcher:ada", InvalidMerge, "nothing to merge"),
        (["paper:notes"], "researcher:ada", InvalidMerge, "not a researcher id"),
        (["robert'); DROP"], "researcher:ada", InvalidMerge, "not a valid id"),
        (["researcher:ada"], "researcher:gone", UnknownResearcher, "researcher:gone"),
    ],
)
async def test_bad_merges_are_refused_and_change_nothing(
    store: Store, ids: list[str], into: str, error: type[IdentityError], message: str
) -> None:
    await _graph(store)
    before = await _dump(store)
    seq = await events.head(store)
    with pytest.raises(error, match=message):
        await merge_researchers(store, ids, into, actor="t", reason="r")
    assert isinstance(error("x"), ValueError)
    assert await _dump(store) == before
    assert await events.head(store) == seq


async def test_unknown_splits_are_refused(store: Store) -> None:
    await _graph(store)
    with pytest.raises(UnknownMerge, match="no merge record"):
        await split_researcher(store, "merge:nope", actor="t")
    with pytest.raises(UnknownMerge, match="neither"):
        await split_researcher(store, "paper:notes", actor="t")
    with pytest.raises(UnknownMerge, match="not a valid id"):
        await split_researcher(store, "nonsense", actor="t")


def test_a_middle_name_or_nickname_is_no_extra_namesake() -> None:
    """Rarity counts (first, last) pairs: "Xuechen (Chen) Li" is one more spelling of Xuechen
    Li, not a second person bearing the given name (docs/identity.md)."""
    filler = [f"given{i} surname{i % 400}" for i in range(3000)]
    alone = NameStats([*filler, "xuchen li", "xuchen you"])
    spelt_twice = NameStats([*filler, "xuchen li", "xuchen chen li", "xuchen you"])
    assert spelt_twice.first["xuchen"] == alone.first["xuchen"] == 2
    assert spelt_twice.prior("xuchen li") == alone.prior("xuchen li")
    # A second person with the given name does count.
    assert NameStats([*filler, "xuchen li", "xuchen you", "xuchen wang"]).prior(
        "xuchen li"
    ) < alone.prior("xuchen li")


def _slots(bylines: dict[str, list[str]]) -> list[Slot]:
    return [
        Slot(f"{paper}#{n}", paper, frozenset({text.name_key(name)}))
        for paper, names in sorted(bylines.items())
        for n, name in enumerate(names, 1)
    ]


def _together(slots: list[Slot], a: str, b: str) -> bool:
    result = Resolver(slots, {}).run()
    cluster = {i: n for n, members in enumerate(result.clusters) for i in members}
    return cluster[[s.key for s in slots].index(a)] == cluster[[s.key for s in slots].index(b)]


def test_a_given_name_behind_middle_initials_needs_two_shared_coauthors() -> None:
    assert aliases_agree({"tian qi chen"}, {"ricky t q chen"})
    assert not aliases_agree({"tian qi chen"}, {"ricky t chen"})
    assert not aliases_agree({"tian qi chen"}, {"ricky t q wang"})
    two = _slots(
        {
            "p1": ["Ricky T. Q. Chen", "David Duvenaud", "Jens Behrmann"],
            "p2": ["Tian Qi Chen", "David Duvenaud", "Jens Behrmann"],
        }
    )
    assert _together(two, "p1#1", "p2#1")
    one = _slots(
        {
            "p1": ["Ricky T. Q. Chen", "David Duvenaud", "Jens Behrmann"],
            "p2": ["Tian Qi Chen", "David Duvenaud", "Yulia Rubanova"],
        }
    )
    assert not _together(one, "p1#1", "p2#1")
