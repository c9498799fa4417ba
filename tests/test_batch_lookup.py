"""Relay batch lookup: `nodes(ids:)` over HTTP on the seeded graph, on both stores."""

from __future__ import annotations

from typing import Any

import httpx

from conftest import gql
from scholargraph.graphdb.model import paper_id
from scholargraph.graphdb.store import Store

FFJORD = paper_id("FFJORD: Free-form Continuous Dynamics for Scalable Reversible Generative Models")
WILL = "researcher:will-grathwohl"

QUERY = """query($ids: [ID!]!) { nodes(ids: $ids) { id __typename
  ... on Researcher { name } ... on Paper { title } ... on Venue { name } } }"""


async def _nodes(client: httpx.AsyncClient, ids: list[str]) -> dict[str, Any]:
    return await gql(client, QUERY, {"ids": ids})


async def test_answers_in_the_order_asked_with_nulls_in_place(
    client: httpx.AsyncClient, seeded: Store
) -> None:
    ids = [FFJORD, "researcher:nobody-by-this-name", WILL, "not an id", WILL, "venue:iclr", ""]
    seeded.counters.reads = 0
    body = await _nodes(client, ids)
    assert "errors" not in body, body
    found = body["data"]["nodes"]  # type: ignore[index]
    assert [n and n["id"] for n in found] == [FFJORD, None, WILL, None, WILL, "venue:iclr", None]
    assert [n and n["__typename"] for n in found] == [
        "Paper", None, "Researcher", None, "Researcher", "Venue", None,
    ]  # fmt: skip
    assert found[0]["title"].startswith("FFJORD") and found[2]["name"] == "Will Grathwohl"
    # Every well-formed id, known or not, in one store round trip, plus one more because a
    # researcher id was not found: it may have been merged away (then it answers the survivor).
    assert seeded.counters.reads == 2
    seeded.counters.reads = 0
    body = await _nodes(client, [FFJORD, WILL, "venue:iclr", "not an id"])
    assert [n and n["id"] for n in body["data"]["nodes"]] == [FFJORD, WILL, "venue:iclr", None]
    assert seeded.counters.reads == 1


async def test_an_empty_list_and_a_wrong_kind_of_node(client: httpx.AsyncClient) -> None:
    assert (await _nodes(client, []))["data"] == {"nodes": []}
    # Accounts exist as nodes but are not part of what clients can look up.
    body = await _nodes(client, ["account:nobody", "talk:nothing-2020-01"])
    assert body["data"] == {"nodes": [None, None]}


async def test_at_most_one_hundred_ids(client: httpx.AsyncClient) -> None:
    hundred = [WILL] * 99 + ["venue:iclr"]
    body = await _nodes(client, hundred)
    assert "errors" not in body
    assert len(body["data"]["nodes"]) == 100  # type: ignore[index]
    assert body["extensions"]["cost"]["requested"] == 100  # type: ignore[index]
    body = await _nodes(client, [*hundred, WILL])
    error = body["errors"][0]  # type: ignore[index]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "101" in error["message"] and body["data"] is None


async def test_cost_counts_the_ids_asked(client: httpx.AsyncClient) -> None:
    body = await gql(client, '{ nodes(ids: ["venue:iclr", "venue:icml", "venue:nope"]) { id } }')
    assert body["data"] == {"nodes": [{"id": "venue:iclr"}, {"id": "venue:icml"}, None]}
    assert body["extensions"]["cost"]["requested"] == 3  # type: ignore[index]
