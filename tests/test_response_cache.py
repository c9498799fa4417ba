"""The response cache (response_cache.py): a kept answer is the computed one, every hit is still
charged, and a write by any process (another app on the store, an import run by the command)
is never followed by a stale answer."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import readme_query
from scholargraph import auth
from scholargraph.app import create_app
from scholargraph.graphdb.falkor_store import FalkorStore
from scholargraph.graphdb.store import Store
from scholargraph.settings import Settings

WILL = "researcher:will-grathwohl"
FOLLOWERS = "query ($id: ID!) { researcher(id: $id) { name followersCount } }"
FOLLOW = "mutation ($id: ID!) { follow(researcherId: $id) { following changed } }"
FOUND = 'query { researchers(search: "quokkafish") { edges { node { name } } } }'


def _http(app: Any, address: str = "10.0.0.7") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 5000))
    return httpx.AsyncClient(transport=transport, base_url="http://t")


async def _post(
    app: Any,
    query: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
    address: str = "10.0.0.7",
) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    async with _http(app, address) as http:
        response = await http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_kept_answer_is_the_computed_one_and_still_costs(seeded: Store) -> None:
    cached = create_app(Settings(cost_budget_per_minute=1_000), store=seeded)
    uncached = create_app(Settings(response_cache_size=0), store=seeded)
    query = readme_query()
    first, second = await _post(cached, query), await _post(cached, query)
    assert cached.state.response_cache.hits == 1
    plain = await _post(uncached, query, address="10.0.0.8")  # a budget of its own
    assert uncached.state.response_cache.hits == 0
    assert "errors" not in first
    assert first["data"]["researcher"]["name"] == "Will Grathwohl"
    assert first["data"] == second["data"] == plain["data"]
    cost = first["extensions"]["cost"]["requested"]
    assert second["extensions"]["cost"]["requested"] == cost > 300
    # The hit was charged like an execution (1,000 points a minute refill ~17 a second).
    assert first["extensions"]["cost"]["remaining"] == 1_000 - cost
    assert second["extensions"]["cost"]["remaining"] < 1_000 - 2 * cost + 100
    async with _http(cached) as http:
        refused = await http.post("/graphql", json={"query": query})
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert cached.state.response_cache.hits == 2


async def test_identical_misses_wait_for_one_execution(seeded: Store) -> None:
    query = readme_query()
    alone = create_app(Settings(response_cache_size=0), store=seeded)
    await _post(alone, query, address="10.0.0.8")  # the first request reads a little more
    seeded.counters.reads = 0
    one = await _post(alone, query, address="10.0.0.8")
    reads_of_one = seeded.counters.reads
    app = create_app(store=seeded)
    seeded.counters.reads = 0
    bodies = await asyncio.gather(*(_post(app, query) for _ in range(8)))
    # One execution's reads (their number varies a little with how DataLoaders batch), not 8.
    assert 0 < seeded.counters.reads < 2 * reads_of_one
    assert all(body["data"] == one["data"] for body in bodies)
    assert app.state.response_cache.hits == 0  # the seven others waited; none found it kept


async def test_answers_with_a_token_or_errors_and_mutations_are_not_kept(seeded: Store) -> None:
    app = create_app(store=seeded)
    token = (await auth.issue_token(seeded, "carol")).token
    for _ in range(2):
        await _post(app, FOLLOWERS, {"id": WILL}, token)
        await _post(app, "{ researcher(id: 1) { name } }")  # refused: no data
        await _post(app, FOLLOW, {"id": WILL}, token)
    assert app.state.response_cache.hits == 0
    assert len(app.state.response_cache) == 0


@pytest.fixture
async def other(request: pytest.FixtureRequest, seeded: Store) -> AsyncIterator[Store]:
    """A second connection to the same graph, as another worker process would hold."""
    second: Store
    if seeded.dialect.name == "falkordb":
        server = request.getfixturevalue("falkordb_server")
        second = FalkorStore.over_socket(str(server.socket), seeded.graph_name)  # type: ignore[attr-defined]
    else:
        from conftest import open_neo4j

        second = await open_neo4j(request.getfixturevalue("neo4j_uri"))
    yield second
    await second.close()


async def test_a_follow_by_another_worker_is_seen_at_once(seeded: Store, other: Store) -> None:
    reader, writer = create_app(store=seeded), create_app(store=other)
    token = (await auth.issue_token(other, "dora")).token
    before = await _post(reader, FOLLOWERS, {"id": WILL})
    assert (await _post(reader, FOLLOWERS, {"id": WILL}))["data"] == before["data"]
    assert reader.state.response_cache.hits == 1
    followed = await _post(writer, FOLLOW, {"id": WILL}, token)
    assert followed["data"]["follow"]["changed"] is True
    after = await _post(reader, FOLLOWERS, {"id": WILL})
    count = before["data"]["researcher"]["followersCount"]
    assert after["data"]["researcher"]["followersCount"] == count + 1


def _import_command(
    store: Store, request: pytest.FixtureRequest, tmp_path: Path
) -> tuple[list[str], dict[str, str]]:
    """Env and argv of `scholargraph import jsonl` on the store's graph, in its own process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHOLARGRAPH_")}
    if store.dialect.name == "falkordb":
        server = request.getfixturevalue("falkordb_server")
        env["SCHOLARGRAPH_FALKORDB_URL"] = f"unix://{server.socket}"
        env["SCHOLARGRAPH_GRAPH"] = store.graph_name  # type: ignore[attr-defined]
    else:
        env["SCHOLARGRAPH_NEO4J_URI"] = request.getfixturevalue("neo4j_uri")
    env["SCHOLARGRAPH_DATA_DIR"] = str(tmp_path)
    paper = {
        "v": 1, "type": "paper", "externalId": "x:quokka", "title": "On Quokkafish",
        "year": 2024, "venue": "ICLR", "authors": [{"name": "Quokkafish Wright"}],
    }  # fmt: skip
    lines = tmp_path / "quokka.jsonl"
    lines.write_text(json.dumps(paper) + "\n")
    return [sys.executable, "-m", "scholargraph.cli", "import", "jsonl", str(lines)], env


async def test_an_import_by_another_process_is_seen_at_once(
    seeded: Store, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    app = create_app(store=seeded)
    for _ in range(2):
        assert (await _post(app, FOUND))["data"]["researchers"]["edges"] == []
    assert app.state.response_cache.hits == 1
    argv, env = _import_command(seeded, request, tmp_path)
    done = await asyncio.create_subprocess_exec(*argv, env=env, stderr=subprocess.PIPE)
    _, stderr = await asyncio.wait_for(done.communicate(), 300)
    assert done.returncode == 0, stderr.decode()
    edges = (await _post(app, FOUND))["data"]["researchers"]["edges"]
    assert [edge["node"]["name"] for edge in edges] == ["Quokkafish Wright"]
