"""Contract tests of graphdb.explorer on every backend: neighborhoods against a breadth-first
walk computed in Python from the seed documents, limits, filters, and collaboration paths."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import pytest

from conftest import SEEDS
from scholargraph.graphdb import explorer, writes
from scholargraph.graphdb.model import (
    EXPLORABLE_RELS,
    KNOWLEDGE_LABELS,
    KNOWLEDGE_RELS,
    Label,
    Rel,
    paper_id,
)
from scholargraph.graphdb.reads import neighbors
from scholargraph.graphdb.store import Store
from scholargraph.graphdb.writes import EdgeRow, NodeRow
from scholargraph.ingest.seed import seed_rows

WILL = "researcher:will-grathwohl"
FETAYA = "researcher:ethan-fetaya"
BEHRMANN = "researcher:jens-behrmann"


@dataclass(frozen=True)
class SeedGraph:
    """The seed documents as the loader reads them, independent of any database."""

    labels: dict[str, Label]
    names: dict[str, str]
    edges: set[tuple[str, Rel, str, str]]  # (source, type, target, key)

    def authored(self, researcher: str) -> set[str]:
        return {t for s, r, t, _ in self.edges if s == researcher and r is Rel.AUTHORED}

    def out(self, node: str, rel: Rel) -> set[str]:
        return {t for s, r, t, _ in self.edges if s == node and r is rel}

    def coauthors(self, researcher: str) -> set[str]:
        papers = self.authored(researcher)
        return {
            s for s, r, t, _ in self.edges if r is Rel.AUTHORED and t in papers and s != researcher
        }

    def bfs(
        self,
        center: str,
        hops: int,
        labels: Iterable[Label] = KNOWLEDGE_LABELS,
        rels: Iterable[Rel] = KNOWLEDGE_RELS,
    ) -> dict[str, int]:
        allowed, walked = set(labels), set(rels)
        around: dict[str, set[str]] = defaultdict(set)
        for s, r, t, _ in self.edges:
            if r in walked:
                around[s].add(t)
                around[t].add(s)
        distance = {center: 0}
        frontier = [center]
        for d in range(1, hops + 1):
            reached = {
                b
                for a in frontier
                for b in around[a]
                if b not in distance and self.labels[b] in allowed
            }
            distance.update(dict.fromkeys(reached, d))
            frontier = sorted(reached)
        del distance[center]
        return distance

    def order(self, distances: dict[str, int]) -> list[str]:
        return sorted(
            distances, key=lambda i: (distances[i], self.labels[i].value, self.names[i], i)
        )


@pytest.fixture(scope="module")
def seed() -> SeedGraph:
    rows = seed_rows(SEEDS)
    labels = {n.id: n.label for n in rows.nodes}
    names: dict[str, str] = {}
    for n in rows.nodes:
        name = n.props.get("name") or n.props.get("title")
        if name:
            names[n.id] = name
    edges = {(e.src, e.type, e.dst, e.key) for e in rows.edges if e.type in KNOWLEDGE_RELS}
    return SeedGraph(labels, names, edges)


async def _neighborhood(
    store: Store,
    center: str,
    hops: int,
    labels: Sequence[Label] | None = None,
    rels: Sequence[Rel] | None = None,
    limit: int = 200,
) -> explorer.Neighborhood:
    found = await explorer.neighborhood(store, center, hops, labels, rels, limit)
    assert found is not None
    return found


async def test_one_hop_holds_every_paper_talk_and_award(seeded: Store, seed: SeedGraph) -> None:
    found = await _neighborhood(seeded, WILL, 1)
    ids = {n.id for n in found.nodes}
    papers, talks, awards = (seed.out(WILL, rel) for rel in (Rel.AUTHORED, Rel.GAVE, Rel.RECEIVED))
    assert len(papers) == 12 and len(talks) == 4 and len(awards) == 4
    assert papers | talks | awards <= ids
    assert all(n.distance == 1 for n in found.nodes)
    assert WILL not in ids
    assert found.center.id == WILL and found.center.label is Label.RESEARCHER
    assert found.center.name == "Will Grathwohl"


async def test_two_hops_hold_every_coauthor(seeded: Store, seed: SeedGraph) -> None:
    found = await _neighborhood(seeded, WILL, 2)
    by_id = {n.id: n for n in found.nodes}
    coauthors = seed.coauthors(WILL)
    assert {FETAYA, BEHRMANN, "researcher:jorn-henrik-jacobsen"} <= coauthors
    assert coauthors <= by_id.keys()
    # Supervisors are one SUPERVISED_BY away; every other coauthor is two relationships away.
    supervisors = seed.out(WILL, Rel.SUPERVISED_BY)
    assert supervisors == {"researcher:david-duvenaud", "researcher:richard-zemel"}
    for c in coauthors:
        assert by_id[c].distance == (1 if c in supervisors else 2), c
        assert by_id[c].label is Label.RESEARCHER


@pytest.mark.parametrize(
    "center", [WILL, "venue:iclr", "topic:energy-based-models", "institution:mit", FETAYA]
)
@pytest.mark.parametrize("hops", [1, 2, 3, 4])
async def test_nodes_and_distances_match_a_python_walk(
    seeded: Store, seed: SeedGraph, center: str, hops: int
) -> None:
    found = await _neighborhood(seeded, center, hops, limit=explorer.MAX_LIMIT)
    expected = seed.bfs(center, hops)
    assert not found.truncated
    assert {n.id: n.distance for n in found.nodes} == expected
    assert [n.id for n in found.nodes] == seed.order(expected)
    assert all(n.label is seed.labels[n.id] and n.name == seed.names[n.id] for n in found.nodes)


async def test_edges_are_exactly_the_relationships_among_returned_nodes(
    seeded: Store, seed: SeedGraph
) -> None:
    found = await _neighborhood(seeded, WILL, 2)
    returned = {WILL} | {n.id for n in found.nodes}
    expected = {(s, r, t, k) for s, r, t, k in seed.edges if s in returned and t in returned}
    got = [(e.source, e.type, e.target, e.props.get("key", "")) for e in found.edges]
    assert len(got) == len(set(got))
    assert set(got) == expected
    assert all(e.source in returned and e.target in returned for e in found.edges)
    iresnet = paper_id("Invertible Residual Networks")
    (byline,) = [e for e in found.edges if (e.source, e.target) == (WILL, iresnet)]
    assert byline.type is Rel.AUTHORED
    assert byline.props["position"] == 2 and byline.props["equalContribution"] is True


async def test_the_same_request_returns_the_same_page(seeded: Store) -> None:
    first = await _neighborhood(seeded, WILL, 3, limit=40)
    again = await _neighborhood(seeded, WILL, 3, limit=40)
    assert first == again
    orders = [n.order for n in first.nodes]
    assert orders == sorted(orders)
    assert len({n.id for n in first.nodes}) == len(first.nodes)


@pytest.mark.parametrize("limit", [1, 5, 29, 30, 31, 45])
async def test_limit_cuts_inside_and_keeps_a_prefix(
    seeded: Store, seed: SeedGraph, limit: int
) -> None:
    everything = seed.order(seed.bfs(WILL, 2))
    found = await _neighborhood(seeded, WILL, 2, limit=limit)
    assert len(everything) > 45
    assert [n.id for n in found.nodes] == everything[:limit]
    assert found.truncated
    returned = {WILL} | {n.id for n in found.nodes}
    assert all(e.source in returned and e.target in returned for e in found.edges)


async def test_truncated_only_when_something_was_left_out(seeded: Store, seed: SeedGraph) -> None:
    total = len(seed.bfs(WILL, 2))
    exact = await _neighborhood(seeded, WILL, 2, limit=total)
    short = await _neighborhood(seeded, WILL, 2, limit=total - 1)
    assert (len(exact.nodes), exact.truncated) == (total, False)
    assert (len(short.nodes), short.truncated) == (total - 1, True)
    # All of level 1 fits exactly: whether level 2 has anything decides `truncated`.
    level_one = len(seed.bfs(WILL, 1))
    assert (await _neighborhood(seeded, WILL, 2, limit=level_one)).truncated
    assert not (await _neighborhood(seeded, WILL, 1, limit=level_one)).truncated


@pytest.mark.parametrize(
    ("center", "labels", "rels", "hops"),
    [
        (WILL, [Label.PAPER], None, 2),
        (WILL, [Label.PAPER, Label.RESEARCHER], None, 2),
        (WILL, None, [Rel.AUTHORED], 2),
        (WILL, None, [Rel.AUTHORED], 4),
        (WILL, [Label.TOPIC, Label.RESEARCHER], None, 3),
        ("venue:neurips", [Label.VENUE, Label.PAPER], [Rel.PUBLISHED_AT, Rel.PART_OF], 3),
        ("venue:neurips", [Label.VENUE], None, 2),
        ("topic:normalizing-flows", None, [Rel.INTERESTED_IN, Rel.SUPERVISED_BY], 2),
        (paper_id("Invertible Residual Networks"), [Label.RESEARCHER], None, 2),
        # Supervisors are still reached (as coauthors) but their SUPERVISED_BY edge is not walked.
        (WILL, None, [r for r in KNOWLEDGE_RELS if r is not Rel.SUPERVISED_BY], 2),
    ],
)
async def test_filters_restrict_what_is_walked(
    seeded: Store,
    seed: SeedGraph,
    center: str,
    labels: Sequence[Label] | None,
    rels: Sequence[Rel] | None,
    hops: int,
) -> None:
    found = await _neighborhood(seeded, center, hops, labels=labels, rels=rels)
    expected = seed.bfs(center, hops, labels or KNOWLEDGE_LABELS, rels or KNOWLEDGE_RELS)
    assert expected, "the filter should still reach something"
    assert expected != seed.bfs(center, hops), "the filter should leave something out"
    assert {n.id: n.distance for n in found.nodes} == expected
    assert all(labels is None or n.label in labels for n in found.nodes)
    assert all(rels is None or e.type in rels for e in found.edges)
    returned = {center} | expected.keys()
    walked = set(rels or KNOWLEDGE_RELS)
    assert {(e.source, e.type, e.target) for e in found.edges} == {
        (s, r, t) for s, r, t, _ in seed.edges if s in returned and t in returned and r in walked
    }


async def test_empty_filters_walk_nothing(seeded: Store) -> None:
    for found in (
        await _neighborhood(seeded, WILL, 2, labels=[]),
        await _neighborhood(seeded, WILL, 2, rels=[]),
    ):
        assert (found.nodes, found.edges, found.truncated) == ([], [], False)


async def test_endpoint_table_matches_the_seeded_graph(seeded: Store, seed: SeedGraph) -> None:
    # The walk skips relationship types that cannot reach the wanted labels; a relationship
    # joining other labels than the table says would be silently missed.
    for s, rel, t, _ in seed.edges:
        src, dst = explorer.ENDPOINTS[rel]
        assert seed.labels[s] in src and seed.labels[t] in dst, (s, rel, t)
    assert set(explorer.ENDPOINTS) == set(EXPLORABLE_RELS)


async def test_accounts_are_neither_walked_nor_centers(seeded: Store) -> None:
    account = NodeRow("account:ada", Label.ACCOUNT, "test:account", {"name": "ada"})
    follows = EdgeRow(Rel.FOLLOWS, "account:ada", WILL, "test:account")
    await writes.upsert(seeded, [account], [follows])
    assert (await neighbors(seeded, ["account:ada"], Rel.FOLLOWS, "out"))["account:ada"]
    found = await _neighborhood(seeded, WILL, 2, limit=explorer.MAX_LIMIT)
    assert "account:ada" not in {n.id for n in found.nodes}
    assert await explorer.neighborhood(seeded, "account:ada", 1) is None
    assert await explorer.neighborhood(seeded, "researcher:nobody", 1) is None


async def _hub(store: Store, papers: int) -> None:
    """A venue with `papers` papers, one of them by researcher:a."""
    venue = NodeRow("venue:hub", Label.VENUE, "test:hub", {"name": "Hub"})
    author = NodeRow("researcher:a", Label.RESEARCHER, "test:hub", {"name": "A"})
    await writes.upsert(store, [venue, author], [])
    ids = [f"paper:h{i:05d}" for i in range(papers)]
    for chunk in writes.batched(ids, 500):
        rows = [NodeRow(i, Label.PAPER, "test:hub", {"title": f"T{i[-5:]}"}) for i in chunk]
        edges = [EdgeRow(Rel.PUBLISHED_AT, i, "venue:hub", "test:hub") for i in chunk]
        await writes.upsert(store, rows, edges)
    await writes.upsert(store, [], [EdgeRow(Rel.AUTHORED, "researcher:a", ids[0], "test:hub")])


async def test_a_hub_is_cut_to_the_limit(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    await _hub(store, 1_200)
    whole = await _neighborhood(store, "venue:hub", 1, limit=explorer.MAX_LIMIT)
    assert (len(whole.nodes), whole.truncated) == (1_200, False)
    # Below the level scan, a smaller limit is exactly a prefix of a larger one.
    monkeypatch.setattr(explorer, "LEVEL_SCAN", 1_200)
    first = [f"paper:h{i:05d}" for i in range(20)]
    assert [n.id for n in (await _neighborhood(store, "venue:hub", 1, limit=20)).nodes] == first
    # A level reads at most LEVEL_SCAN new neighbors before ranking them: with a small scan the
    # answer is still `limit` distinct, sorted nodes, and it says it was cut.
    monkeypatch.setattr(explorer, "LEVEL_SCAN", 50)
    for center, hops in (("venue:hub", 1), ("researcher:a", 3)):
        found = await _neighborhood(store, center, hops, limit=20)
        assert found.truncated and len(found.nodes) == 20
        assert [n.order for n in found.nodes] == sorted(n.order for n in found.nodes)
        assert len({n.id for n in found.nodes}) == 20
        returned = {center} | {n.id for n in found.nodes}
        assert all(e.source in returned and e.target in returned for e in found.edges)


async def test_collaboration_path_between_coauthors_of_different_papers(
    seeded: Store, seed: SeedGraph
) -> None:
    assert not seed.authored(FETAYA) & seed.authored(BEHRMANN)
    ids = await explorer.collaboration_path(seeded, FETAYA, BEHRMANN, 6)
    assert ids is not None and len(ids) == 5
    assert ids[0] == FETAYA and ids[-1] == BEHRMANN
    assert [seed.labels[i] for i in ids] == [Label.RESEARCHER, Label.PAPER] * 2 + [Label.RESEARCHER]
    for i in (1, 3):
        assert ids[i] in seed.authored(ids[i - 1]) and ids[i] in seed.authored(ids[i + 1])


async def test_collaboration_path_bounds_and_ends(seeded: Store, seed: SeedGraph) -> None:
    assert await explorer.collaboration_path(seeded, FETAYA, BEHRMANN, 1) is None
    ids = await explorer.collaboration_path(seeded, FETAYA, WILL, 1)
    assert ids is not None and len(ids) == 3
    assert ids[1] in seed.authored(FETAYA) & seed.authored(WILL)
    assert await explorer.collaboration_path(seeded, WILL, WILL, 3) == [WILL]
    assert await explorer.collaboration_path(seeded, WILL, "researcher:nobody", 3) is None
    assert await explorer.collaboration_path(seeded, "researcher:nobody", WILL, 3) is None
    with pytest.raises(ValueError, match="max_hops"):
        await explorer.collaboration_path(seeded, WILL, FETAYA, 11)


async def test_collaboration_path_needs_a_chain_of_papers(store: Store) -> None:
    people = [NodeRow(f"researcher:{n}", Label.RESEARCHER, "t", {"name": n}) for n in "abcd"]
    papers = [NodeRow(f"paper:{n}", Label.PAPER, "t", {"title": n}) for n in ("ab", "bc", "cd")]
    edges = [
        EdgeRow(Rel.AUTHORED, f"researcher:{person}", f"paper:{p}", "t")
        for p in ("ab", "bc", "cd")
        for person in p
    ]
    # A shared institution is no collaboration: it must not shorten the path.
    mit = NodeRow("institution:mit", Label.INSTITUTION, "t", {"name": "MIT"})
    edges += [EdgeRow(Rel.AFFILIATED_WITH, f"researcher:{n}", "institution:mit", "t") for n in "ad"]
    await writes.upsert(store, [*people, *papers, mit], edges)
    ids = await explorer.collaboration_path(store, "researcher:a", "researcher:d", 3)
    assert ids == [
        "researcher:a",
        "paper:ab",
        "researcher:b",
        "paper:bc",
        "researcher:c",
        "paper:cd",
        "researcher:d",
    ]
    assert await explorer.collaboration_path(store, "researcher:a", "researcher:d", 2) is None


async def _coauthorships(store: Store, papers: dict[str, str]) -> None:
    """Papers named by their authors' one-letter names, e.g. {"p1": "abc"}."""
    people = sorted(set("".join(papers.values())))
    nodes = [NodeRow(f"researcher:{n}", Label.RESEARCHER, "t", {"name": n}) for n in people]
    nodes += [NodeRow(f"paper:{p}", Label.PAPER, "t", {"title": p}) for p in papers]
    edges = [
        EdgeRow(Rel.AUTHORED, f"researcher:{n}", f"paper:{p}", "t")
        for p, names in papers.items()
        for n in names
    ]
    await writes.upsert(store, nodes, edges)


async def test_collaboration_path_takes_the_shorter_of_two_chains(store: Store) -> None:
    # a-b-c-d-e-f is five coauthorships long; a-x-y-f is three. A prolific researcher h on
    # the long side makes the two ends' searches grow unevenly.
    papers = {"ab": "ab", "bc": "bc", "cd": "cd", "de": "de", "ef": "ef"}
    papers |= {"ax": "ax", "xy": "xy", "yf": "yf"}
    papers |= {f"h{i}": "bh" + "ijklmnopq"[i] for i in range(9)}
    await _coauthorships(store, papers)
    ids = await explorer.collaboration_path(store, "researcher:a", "researcher:f", 6)
    assert ids == [
        "researcher:a",
        "paper:ax",
        "researcher:x",
        "paper:xy",
        "researcher:y",
        "paper:yf",
        "researcher:f",
    ]
    back = await explorer.collaboration_path(store, "researcher:f", "researcher:a", 6)
    assert back == ids[::-1]
    assert await explorer.collaboration_path(store, "researcher:a", "researcher:f", 2) is None
    via_hub = await explorer.collaboration_path(store, "researcher:q", "researcher:e", 6)
    assert via_hub is not None and len(via_hub) == 2 * 4 + 1  # q-b-c-d-e
    assert await explorer.collaboration_path(store, "researcher:a", "paper:ab", 6) is None


async def test_a_path_search_too_wide_is_refused(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The level walk runs on every engine here, also where the dialect has its own routine.
    monkeypatch.setattr(store, "dialect", replace(store.dialect, shortest_path=""))
    await _coauthorships(store, {"ab": "ab", "ax": "ax", "xy": "xy", "yf": "yf", "ef": "ef"})
    monkeypatch.setattr(explorer, "MAX_PATH_FRONTIER", 1)
    # a reaches {b, x} and f reaches {e, y} without meeting: the next step would expand two.
    with pytest.raises(explorer.PathSearchTooWide, match="2 coauthorships or fewer"):
        await explorer.collaboration_path(store, "researcher:a", "researcher:f", 6)
    assert await explorer.collaboration_path(store, "researcher:a", "researcher:y", 6) == [
        "researcher:a",
        "paper:ax",
        "researcher:x",
        "paper:xy",
        "researcher:y",
    ]


async def test_no_collaboration_path_between_components(store: Store) -> None:
    await _coauthorships(store, {"ab": "ab", "bc": "bc", "xy": "xy"})
    assert await explorer.collaboration_path(store, "researcher:a", "researcher:y", 10) is None
    ids = await explorer.collaboration_path(store, "researcher:c", "researcher:a", 10)
    assert ids == ["researcher:c", "paper:bc", "researcher:b", "paper:ab", "researcher:a"]


@pytest.mark.parametrize(("hops", "limit"), [(0, 10), (5, 10), (2, 0), (2, 2_001)])
async def test_out_of_range_arguments_are_refused(seeded: Store, hops: int, limit: int) -> None:
    with pytest.raises(ValueError, match="between"):
        await explorer.neighborhood(seeded, WILL, hops, limit=limit)


def _first_shortest_chain(seed: SeedGraph, start: str, end: str) -> list[str] | None:
    """The first shortest researcher-paper chain by its ids in order, by brute force."""
    papers = {r: seed.authored(r) for r in seed.labels if seed.labels[r] is Label.RESEARCHER}
    chains = [[start]]
    seen = {start}
    while chains:
        done = sorted(c for c in chains if c[-1] == end)
        if done:
            return done[0]
        longer = [
            [*c, p, r]
            for c in chains
            for p in papers[c[-1]]
            for r in papers
            if p in papers[r] and r not in seen
        ]
        seen |= {c[-1] for c in longer}
        chains = longer
    return None


async def test_both_path_routines_give_the_first_shortest_chain(
    seeded: Store, seed: SeedGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    researchers = sorted(r for r, label in seed.labels.items() if label is Label.RESEARCHER)
    pairs = [(a, b) for a in researchers[::3] for b in researchers[1::4] if a != b]
    expected = {pair: _first_shortest_chain(seed, *pair) for pair in pairs}
    assert sum(1 for chain in expected.values() if chain and len(chain) >= 5) >= 5
    engine = {pair: await explorer.collaboration_path(seeded, *pair, 10) for pair in pairs}
    monkeypatch.setattr(seeded, "dialect", replace(seeded.dialect, shortest_path=""))
    walk = {pair: await explorer.collaboration_path(seeded, *pair, 10) for pair in pairs}
    assert engine == expected
    assert walk == expected
