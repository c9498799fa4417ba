"""Input hygiene: text no store can hold (NUL, lone surrogates, non-characters), numbers that
are not finite, and forged cursors are BAD_USER_INPUT before any store call, wherever they sit:
literals, variables, input objects, lists."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from scholargraph.graphdb.store import Store
from scholargraph.resolvers.context import Context
from scholargraph.schema import build_schema

WILL = "researcher:will-grathwohl"
SEARCH = "query ($q: String!) { search(query: $q) { totalCount } }"
BY_NAME = "query ($n: String) { researcher(name: $n) { id } }"
ADD_PAPER = "mutation ($id: ID!, $p: PaperInput!) { addPaper(researcherId: $id, paper: $p) { id } }"
MERGE = 'mutation ($ids: [ID!]!) { mergeResearchers(ids: $ids, into: "%s") { mergeId } }' % WILL

FORBIDDEN = ["\x00", "a\x00b", "\ufffe", "\uffff", "\ufdd0", "\ufdef", "\U0001fffe", "\U0010ffff"]


def _codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def _post(client: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _refused_before_the_store(
    client: httpx.AsyncClient, store: Store, query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    store.counters.reads = store.counters.writes = 0
    body = await _post(client, query, variables)
    assert _codes(body) == ["BAD_USER_INPUT"], body
    assert "data" not in body  # refused before execution
    assert store.counters.round_trips == 0
    return body


@pytest.mark.parametrize("bad", FORBIDDEN, ids=lambda s: f"U+{ord(s[-1]):04X}")
async def test_forbidden_characters_in_variables(
    client: httpx.AsyncClient, seeded: Store, bad: str
) -> None:
    body = await _refused_before_the_store(client, seeded, SEARCH, {"q": bad})
    assert "variables.q" in body["errors"][0]["message"]
    await _refused_before_the_store(client, seeded, BY_NAME, {"n": f"Will {bad}"})


async def test_forbidden_characters_nested_in_input_objects_and_lists(
    client: httpx.AsyncClient, seeded: Store
) -> None:
    # Refused before authentication is even asked for: no token comes with these.
    body = await _refused_before_the_store(
        client, seeded, ADD_PAPER, {"id": WILL, "p": {"title": "ok", "abstract": "x\x00y"}}
    )
    assert body["errors"][0]["extensions"]["variable"] == "variables.p.abstract"
    body = await _refused_before_the_store(client, seeded, MERGE, {"ids": [WILL, "a\ufffeb"]})
    assert body["errors"][0]["extensions"]["variable"] == "variables.ids[1]"


@pytest.mark.parametrize(
    "query",
    [
        '{ researcher(name: "a\\u0000b") { id } }',
        '{ search(query: "\\uFFFE") { totalCount } }',
        'mutation { addPaper(researcherId: "%s", paper: {title: "t\\u0000"}) { id } }' % WILL,
        'mutation { addAward(researcherId: "%s", award: {name: "n", amount: 1e309}) { id } }'
        % WILL,
        'mutation { addAward(researcherId: "%s", award: {name: "n", amount: %s}) { id } }'
        % (WILL, "9" * 400),
    ],
)
async def test_forbidden_literals(client: httpx.AsyncClient, seeded: Store, query: str) -> None:
    await _refused_before_the_store(client, seeded, query, {})


async def test_an_infinite_float_in_variables(client: httpx.AsyncClient, seeded: Store) -> None:
    # JSON has no infinity, but 1e309 parses to one; the body names no store-able number.
    body = (
        '{"query": "mutation ($a: AwardInput!) { addAward(researcherId: \\"%s\\", award: $a) '
        '{ id } }", "variables": {"a": {"name": "n", "amount": 1e309}}}' % WILL
    )
    seeded.counters.reads = seeded.counters.writes = 0
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert _codes(response.json()) == ["BAD_USER_INPUT"]
    assert seeded.counters.round_trips == 0


async def test_a_lone_surrogate_in_the_body(client: httpx.AsyncClient, seeded: Store) -> None:
    body = '{"query": "%s", "variables": {"q": "\\ud800"}}' % SEARCH.replace('"', '\\"')
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert _codes(response.json()) == ["BAD_USER_INPUT"]
    assert seeded.counters.round_trips == 0


async def test_lone_surrogates_refused_by_the_schema_itself(seeded: Store) -> None:
    # Strings that never crossed JSON (scripts, tests) meet the same check.
    schema = build_schema()
    for variables in ({"q": "\ud800"}, {"q": "a\udfffb"}):
        result = await schema.execute(
            SEARCH, variable_values=variables, context_value=Context.for_request(seeded, "t")
        )
        assert result.data is None and result.errors is not None
        assert [e.extensions["code"] for e in result.errors if e.extensions] == ["BAD_USER_INPUT"]
    assert seeded.counters.round_trips == 0


async def test_ordinary_unicode_passes(client: httpx.AsyncClient) -> None:
    for text in ("Jörn-Henrik Jacobsen", "模型", "🎉 ok", "tab\there", "line\nbreak", "\ufeffbom"):
        body = await _post(client, SEARCH, {"q": text})
        assert "errors" not in body, (text, body)


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"sg:{offset}".encode()).decode()


@pytest.mark.parametrize("offset", [2**63 - 1, 2**63, 10**30, 10_000_000])
@pytest.mark.parametrize(
    "query",
    [
        'query ($a: String) { researcher(id: "%s") { works(after: $a) { totalCount } } }' % WILL,
        "query ($a: String) { researchers(after: $a) { edges { node { id } } } }",
        'query ($a: String) { search(query: "stein", after: $a) { edges { cursor } } }',
    ],
)
async def test_cursors_past_any_listing_are_refused(
    client: httpx.AsyncClient, query: str, offset: int
) -> None:
    body = await _post(client, query, {"a": _cursor(offset)})
    assert _codes(body) == ["BAD_USER_INPUT"], body
    assert body["errors"][0]["extensions"]["argument"] == "after"


async def test_a_real_cursor_still_pages(client: httpx.AsyncClient) -> None:
    query = (
        "query ($a: String) { researchers(first: 2, after: $a) { edges { cursor node { id } } } }"
    )
    first = (await _post(client, query, {"a": None}))["data"]["researchers"]["edges"]
    second = (await _post(client, query, {"a": first[-1]["cursor"]}))["data"]["researchers"][
        "edges"
    ]
    assert second and {e["node"]["id"] for e in second}.isdisjoint(e["node"]["id"] for e in first)
