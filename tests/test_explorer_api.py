"""The explorer through HTTP on the seeded graph: neighborhoods, collaboration paths, bad input."""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

import httpx
import pytest

from conftest import SEEDS, gql
from scholargraph.graphdb import explorer
from scholargraph.graphdb.model import Rel, paper_id
from scholargraph.graphdb.store import Store
from scholargraph.ingest.seed import seed_rows

WILL = "researcher:will-grathwohl"
FETAYA = "researcher:ethan-fetaya"
BEHRMANN = "researcher:jens-behrmann"
JACOBSEN = "researcher:jorn-henrik-jacobsen"

NEIGHBORHOOD = """
query($id: ID!, $hops: Int!, $labels: [EntityType!], $rels: [RelationType!], $limit: Int!) {
  neighborhood(id: $id, hops: $hops, labels: $labels, relationships: $rels, limit: $limit) {
    center { id __typename }
    hops
    truncated
    nodes { id label name distance node { __typename id } }
    edges { source target type properties }
  }
}
"""

PATH = """
query($from: ID!, $to: ID!, $maxHops: Int!) {
  collaborationPath(from: $from, to: $to, maxHops: $maxHops) {
    distance
    nodes { __typename id }
    researchers { id name }
    papers { id title }
  }
}
"""


def _seed_out(origin: str, rel: Rel) -> set[str]:
    return {e.dst for e in seed_rows(SEEDS).edges if e.src == origin and e.type is rel}


def _coauthors(researcher: str) -> set[str]:
    edges = seed_rows(SEEDS).edges
    papers = _seed_out(researcher, Rel.AUTHORED)
    return {e.src for e in edges if e.type is Rel.AUTHORED and e.dst in papers} - {researcher}


async def _neighborhood(
    client: httpx.AsyncClient, node_id: str = WILL, hops: int = 2, limit: int = 200, **more: Any
) -> dict[str, Any]:
    body = await gql(client, NEIGHBORHOOD, {"id": node_id, "hops": hops, "limit": limit, **more})
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]["neighborhood"]  # type: ignore[index]
    return data


def _error_codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def test_one_hop_holds_every_paper_talk_and_award(client: httpx.AsyncClient) -> None:
    found = await _neighborhood(client, hops=1)
    assert found["center"] == {"id": WILL, "__typename": "Researcher"}
    by_id = {n["id"]: n for n in found["nodes"]}
    papers = _seed_out(WILL, Rel.AUTHORED)
    talks = _seed_out(WILL, Rel.GAVE)
    awards = _seed_out(WILL, Rel.RECEIVED)
    assert (len(papers), len(talks), len(awards)) == (12, 4, 4)
    for ids, label, typename in (
        (papers, "PAPER", "Paper"),
        (talks, "TALK", "Talk"),
        (awards, "AWARD", "Award"),
    ):
        for i in ids:
            assert by_id[i]["label"] == label
            assert by_id[i]["distance"] == 1
            assert by_id[i]["node"] == {"__typename": typename, "id": i}
    assert WILL not in by_id
    stein = paper_id(
        "Learning the Stein Discrepancy for Training and Evaluating Energy-Based Models "
        "without Sampling"
    )
    assert by_id[stein]["name"].startswith("Learning the Stein Discrepancy")
    assert by_id["award:huawei-prize"]["name"] == "Huawei Prize"


async def test_two_hops_hold_every_coauthor(client: httpx.AsyncClient) -> None:
    found = await _neighborhood(client, hops=2)
    by_id = {n["id"]: n for n in found["nodes"]}
    coauthors = _coauthors(WILL)
    assert len(coauthors) == 23
    assert coauthors <= by_id.keys()
    assert all(by_id[c]["label"] == "RESEARCHER" for c in coauthors)
    assert by_id[JACOBSEN]["name"] == "Jörn-Henrik Jacobsen"
    assert by_id[FETAYA]["distance"] == 2
    assert found["hops"] == 2 and found["truncated"] is False


async def test_nodes_in_stable_order_and_edges_join_returned_nodes(
    client: httpx.AsyncClient,
) -> None:
    first = await _neighborhood(client, hops=3, limit=60)
    again = await _neighborhood(client, hops=3, limit=60)
    assert first == again
    labels = ["AWARD", "INSTITUTION", "PAPER", "RESEARCHER", "TALK", "TOPIC", "VENUE"]
    keys = [(n["distance"], labels.index(n["label"]), n["name"], n["id"]) for n in first["nodes"]]
    assert keys == sorted(keys)
    assert len({n["id"] for n in first["nodes"]}) == len(first["nodes"])
    returned = {WILL} | {n["id"] for n in first["nodes"]}
    assert first["edges"]
    for edge in first["edges"]:
        assert edge["source"] in returned and edge["target"] in returned
    authored = [e for e in first["edges"] if e["type"] == "AUTHORED"]
    assert authored and all(isinstance(e["properties"], dict) for e in authored)


async def test_limit_truncates_to_exactly_limit_nodes(client: httpx.AsyncClient) -> None:
    full = await _neighborhood(client, hops=2, limit=2000)
    cut = await _neighborhood(client, hops=2, limit=7)
    assert full["truncated"] is False and len(full["nodes"]) > 7
    assert cut["truncated"] is True
    assert [n["id"] for n in cut["nodes"]] == [n["id"] for n in full["nodes"]][:7]
    returned = {WILL} | {n["id"] for n in cut["nodes"]}
    assert all(e["source"] in returned and e["target"] in returned for e in cut["edges"])


async def test_labels_and_relationships_filter(client: httpx.AsyncClient) -> None:
    papers = await _neighborhood(client, hops=2, labels=["PAPER"])
    assert {n["id"] for n in papers["nodes"]} == _seed_out(WILL, Rel.AUTHORED)
    assert {e["type"] for e in papers["edges"]} == {"AUTHORED"}

    coauthorship = await _neighborhood(client, hops=2, rels=["AUTHORED"])
    kinds = {(n["label"], n["distance"]) for n in coauthorship["nodes"]}
    assert kinds == {("PAPER", 1), ("RESEARCHER", 2)}
    assert {n["id"] for n in coauthorship["nodes"] if n["label"] == "RESEARCHER"} == (
        _coauthors(WILL)
    )
    assert {e["type"] for e in coauthorship["edges"]} == {"AUTHORED"}

    nothing = await _neighborhood(client, hops=2, labels=[])
    assert nothing["nodes"] == [] and nothing["edges"] == []


async def test_researcher_and_paper_neighborhood_fields(client: httpx.AsyncClient) -> None:
    root = await _neighborhood(client, hops=1, labels=["TOPIC", "INSTITUTION"])
    body = await gql(
        client,
        """query($id: ID!) { researcher(id: $id) {
             neighborhood(hops: 1, labels: [TOPIC, INSTITUTION]) {
               center { id } truncated nodes { id label distance } } } }""",
        {"id": WILL},
    )
    field = body["data"]["researcher"]["neighborhood"]  # type: ignore[index]
    assert field["center"] == {"id": WILL}
    assert [n["id"] for n in field["nodes"]] == [n["id"] for n in root["nodes"]]
    assert {n["label"] for n in field["nodes"]} == {"TOPIC", "INSTITUTION"}

    iresnet = paper_id("Invertible Residual Networks")
    body = await gql(
        client,
        """query($id: ID!) { paper(id: $id) {
             neighborhood(relationships: [AUTHORED], hops: 1) { nodes { id label } } } }""",
        {"id": iresnet},
    )
    nodes = body["data"]["paper"]["neighborhood"]["nodes"]  # type: ignore[index]
    authors = {e.src for e in seed_rows(SEEDS).edges if e.dst == iresnet}
    assert {n["id"] for n in nodes} == authors
    assert {BEHRMANN, WILL, JACOBSEN} <= authors


async def test_collaboration_path_between_coauthors_of_different_papers(
    client: httpx.AsyncClient,
) -> None:
    assert not _seed_out(FETAYA, Rel.AUTHORED) & _seed_out(BEHRMANN, Rel.AUTHORED)
    body = await gql(client, PATH, {"from": FETAYA, "to": BEHRMANN, "maxHops": 6})
    path = body["data"]["collaborationPath"]  # type: ignore[index]
    assert path["distance"] == 2
    assert [n["__typename"] for n in path["nodes"]] == [
        "Researcher",
        "Paper",
        "Researcher",
        "Paper",
        "Researcher",
    ]
    people = [r["id"] for r in path["researchers"]]
    assert people[0] == FETAYA and people[-1] == BEHRMANN
    assert people[1] in {WILL, JACOBSEN}
    for paper, (a, b) in zip(path["papers"], itertools.pairwise(people), strict=True):
        assert paper["id"] in _seed_out(a, Rel.AUTHORED) & _seed_out(b, Rel.AUTHORED)
    assert [n["id"] for n in path["nodes"]] == [
        people[0],
        path["papers"][0]["id"],
        people[1],
        path["papers"][1]["id"],
        people[2],
    ]


async def test_collaboration_path_null_beyond_max_hops_or_unknown(
    client: httpx.AsyncClient,
) -> None:
    for variables in (
        {"from": FETAYA, "to": BEHRMANN, "maxHops": 1},
        {"from": FETAYA, "to": "researcher:nobody", "maxHops": 6},
        {"from": "researcher:nobody", "to": FETAYA, "maxHops": 6},
    ):
        body = await gql(client, PATH, variables)
        assert "errors" not in body and body["data"] == {"collaborationPath": None}, variables
    body = await gql(client, PATH, {"from": WILL, "to": WILL, "maxHops": 1})
    same = body["data"]["collaborationPath"]  # type: ignore[index]
    assert same["distance"] == 0 and [n["id"] for n in same["nodes"]] == [WILL]
    body = await gql(client, PATH, {"from": FETAYA, "to": WILL, "maxHops": 1})
    assert body["data"]["collaborationPath"]["distance"] == 1  # type: ignore[index]


@pytest.mark.parametrize(
    ("variables", "code", "argument", "says"),
    [
        ({"hops": 0}, "BAD_USER_INPUT", "hops", "between 1 and 4"),
        ({"hops": 5}, "BAD_USER_INPUT", "hops", "between 1 and 4"),
        ({"limit": 0}, "BAD_USER_INPUT", "limit", "between 1 and 2000"),
        ({"limit": 2001}, "BAD_USER_INPUT", "limit", "between 1 and 2000"),
        ({"id": "researcher:nobody"}, "NOT_FOUND", "id", "no node"),
        ({"id": "account:ada"}, "NOT_FOUND", "id", "no node"),
        ({"id": "not an id"}, "BAD_USER_INPUT", "id", "not a valid id"),
        ({"id": "researcher:x' }) MATCH (n) DETACH DELETE n //"}, "BAD_USER_INPUT", "id", "valid"),
    ],
)
async def test_neighborhood_bad_input(
    client: httpx.AsyncClient, variables: dict[str, Any], code: str, argument: str, says: str
) -> None:
    body = await gql(client, NEIGHBORHOOD, {"id": WILL, "hops": 2, "limit": 10, **variables})
    assert body["data"] is None
    assert _error_codes(body) == [code]
    error = body["errors"][0]  # type: ignore[index]
    assert error["extensions"]["argument"] == argument
    assert says in error["message"]
    still_there = await _neighborhood(client, hops=1)
    assert still_there["nodes"]


@pytest.mark.parametrize(
    ("variables", "argument"),
    [
        ({"maxHops": 0}, "maxHops"),
        ({"maxHops": 11}, "maxHops"),
        ({"from": "nonsense"}, "from"),
        ({"to": "researcher:UPPER"}, "to"),
        ({"to": paper_id("Invertible Residual Networks")}, "to"),
    ],
)
async def test_collaboration_path_bad_input(
    client: httpx.AsyncClient, variables: dict[str, Any], argument: str
) -> None:
    body = await gql(client, PATH, {"from": FETAYA, "to": BEHRMANN, "maxHops": 6, **variables})
    assert _error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["argument"] == argument  # type: ignore[index]
    assert body["data"] == {"collaborationPath": None}


async def test_a_path_search_too_wide_says_so(
    client: httpx.AsyncClient, seeded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The level walk runs on every engine here, also where the dialect has its own routine.
    monkeypatch.setattr(seeded, "dialect", replace(seeded.dialect, shortest_path=""))
    monkeypatch.setattr(explorer, "MAX_PATH_FRONTIER", 0)
    body = await gql(client, PATH, {"from": FETAYA, "to": BEHRMANN, "maxHops": 6})
    assert _error_codes(body) == ["BAD_USER_INPUT"]
    error = body["errors"][0]  # type: ignore[index]
    assert error["extensions"]["argument"] == "maxHops"
    assert "lower `maxHops`" in error["message"]


async def test_labels_outside_the_knowledge_graph_are_not_in_the_enum(
    client: httpx.AsyncClient,
) -> None:
    body = await gql(client, '{ neighborhood(id: "%s", labels: [ACCOUNT]) { hops } }' % WILL)
    assert body.get("data") is None
    assert "ACCOUNT" in body["errors"][0]["message"]  # type: ignore[index]
