"""Property-based: generated strings (as variables of string arguments) and generated bodies
thrown at the HTTP layer never get a 5xx or a masked INTERNAL_SERVER_ERROR."""

from __future__ import annotations

import json
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Every code point, surrogates and non-characters included.
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=60)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4),
    max_leaves=12,
)
QUERIES = [
    "query ($s: String!) { search(query: $s, first: 5) { totalCount edges { node { id } } } }",
    "query ($s: String) { researcher(name: $s) { id name } }",
    "query ($s: String) { researchers(search: $s, first: 3) { totalCount } }",
    "query ($s: String) { researchers(first: 2, after: $s) { totalCount } }",
    "query ($s: ID!) { node(id: $s) { id } }",
]
# Slow stores and a shared machine: no wall-clock deadline, few examples.
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _check(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code < 500, response.text[:500]
    body: dict[str, Any] = response.json()
    codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
    assert "INTERNAL_SERVER_ERROR" not in codes, body
    assert all(codes), body  # every error carries a code
    return body


@FUZZ
@given(query=st.sampled_from(QUERIES), value=ANY_TEXT)
async def test_generated_strings_as_variables(
    client: httpx.AsyncClient, query: str, value: str
) -> None:
    # json.dumps escapes lone surrogates as \udXXX, as a JavaScript client would send them.
    body = json.dumps({"query": query, "variables": {"s": value}})
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    _check(response)


@FUZZ
@given(document=ANY_TEXT, variables=JSON_VALUES, name=st.none() | ANY_TEXT)
async def test_generated_requests(
    client: httpx.AsyncClient, document: str, variables: Any, name: str | None
) -> None:
    body = json.dumps({"query": document, "variables": variables, "operationName": name})
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    _check(response)


@FUZZ
@given(raw=st.binary(max_size=200) | JSON_VALUES.map(lambda v: json.dumps(v).encode()))
async def test_generated_bodies(client: httpx.AsyncClient, raw: bytes) -> None:
    response = await client.post(
        "/graphql", content=raw, headers={"content-type": "application/json"}
    )
    _check(response)
