"""Token buckets kept in the store (graphdb/limits.py): the same contract on both stores, and
one budget for every process that shares the store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from conftest import open_neo4j
from scholargraph import auth
from scholargraph.app import create_app
from scholargraph.budget import StoreBudget
from scholargraph.graphdb import limits
from scholargraph.graphdb.falkor_store import FalkorStore
from scholargraph.graphdb.stats import graph_counts
from scholargraph.graphdb.store import Store
from scholargraph.settings import Settings

SLOW = 0.001  # tokens a second: nothing measurable refills during a test


async def test_a_bucket_gives_its_burst_then_refuses_with_the_wait(store: Store) -> None:
    bucket = limits.Bucket("t:burst", capacity=3, per_second=SLOW)
    taken = [await limits.take(store, [bucket], 1) for _ in range(3)]
    assert [t.allowed for t in taken] == [True, True, True]
    assert [t.remaining[0] for t in taken] == pytest.approx([2, 1, 0], abs=0.01)
    refused = await limits.take(store, [bucket], 1)
    assert not refused.allowed
    assert refused.retry_after == pytest.approx(1 / SLOW, rel=0.01)
    assert refused.remaining[0] == pytest.approx(0, abs=0.01)
    assert (await limits.take(store, [bucket], 0)).remaining[0] == pytest.approx(0, abs=0.01)


async def test_several_buckets_are_spent_all_or_none(store: Store) -> None:
    wide = limits.Bucket("t:wide", capacity=10, per_second=SLOW)
    narrow = limits.Bucket("t:narrow", capacity=1, per_second=SLOW)
    assert (await limits.take(store, [wide, narrow], 1)).allowed
    refused = await limits.take(store, [wide, narrow], 1)
    assert not refused.allowed
    assert refused.remaining == pytest.approx((9, 0), abs=0.01)  # the refusal spent nothing
    assert (await limits.take(store, [wide], 9)).allowed


async def test_a_bucket_refills_up_to_its_capacity(store: Store) -> None:
    bucket = limits.Bucket("t:refill", capacity=2, per_second=1_000)
    assert (await limits.take(store, [bucket], 2)).allowed
    await asyncio.sleep(0.05)  # refills 50 tokens' worth: capped at 2
    again = await limits.take(store, [bucket], 1)
    assert again.allowed
    assert again.remaining[0] == pytest.approx(1, abs=0.01)


async def test_concurrent_takes_never_overspend(store: Store) -> None:
    bucket = limits.Bucket("t:race", capacity=20, per_second=SLOW)
    taken = await asyncio.gather(*(limits.take(store, [bucket], 1) for _ in range(50)))
    assert sum(t.allowed for t in taken) == 20


async def test_buckets_are_not_part_of_the_graph(store: Store) -> None:
    before = await graph_counts(store)
    await limits.take(store, [limits.Bucket("t:hidden", 5, SLOW)], 1)
    assert await graph_counts(store) == before


@pytest.fixture
async def other(request: pytest.FixtureRequest, store: Store) -> AsyncIterator[Store]:
    """A second connection to the same graph, as another worker process would hold."""
    second: Store
    if store.dialect.name == "falkordb":
        server = request.getfixturevalue("falkordb_server")
        second = FalkorStore.over_socket(str(server.socket), store.graph_name)  # type: ignore[attr-defined]
    else:
        second = await open_neo4j(request.getfixturevalue("neo4j_uri"))
    yield second
    await second.close()


PAGE = "query ($n: Int) { researchers(first: $n) { edges { node { id } } } }"


async def _post(app: Any, variables: dict[str, Any]) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, client=("10.0.0.9", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        return await http.post("/graphql", json={"query": PAGE, "variables": variables})


async def test_two_apps_on_one_store_share_one_cost_budget(seeded: Store, other: Store) -> None:
    settings = Settings(cost_budget_per_minute=1_000)
    first, second = create_app(settings, store=seeded), create_app(settings, store=other)
    assert isinstance(first.state.cost_budget, StoreBudget)
    remaining = []
    for app in (first, second, first):
        body = (await _post(app, {"n": 300})).json()
        remaining.append(body["extensions"]["cost"]["remaining"])
    # Each app sees what the other spent (a budget of its own would read 700 again); the
    # budget refills 1,000 a minute, so a slow machine gives a few points back in between.
    assert remaining[0] == 700
    assert 400 <= remaining[1] < 500
    assert 100 <= remaining[2] < 300
    refused = await _post(second, {"n": 600})
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_two_limiters_on_one_store_share_the_mutation_limit(
    store: Store, other: Store
) -> None:
    kinds = {"mutation": auth.Limit(capacity=4, per_second=SLOW)}
    first, second = auth.StoreRateLimiter(store, kinds), auth.StoreRateLimiter(other, kinds)
    waits = [await limiter.take("account:a", "mutation") for limiter in (first, second) * 3]
    assert waits[:4] == [0, 0, 0, 0]
    assert all(wait > 0 for wait in waits[4:])
    assert await second.take("account:b", "mutation") == 0  # per account
