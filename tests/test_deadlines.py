"""Deadlines (SCHOLARGRAPH_QUERY_TIMEOUT_MS): past it a request's resolvers and store queries are
cancelled and it answers QUERY_TIMEOUT; a client that disconnects cancels its work; one slow
request never holds up a cheap one on another connection.

The slow request is made slow deterministically: a store wrapper whose full-text search read
waits until it is cancelled. Assertions are about order and outcome, never about durations.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from conftest import serving
from scholargraph.app import create_app
from scholargraph.graphdb import deadline
from scholargraph.graphdb.deadline import Deadline, QueryTimeout
from scholargraph.graphdb.store import Params, Row, Store
from scholargraph.settings import Settings

SLOW = {"query": '{ search(query: "will") { edges { node { id } } } }'}
CHEAP = {"query": '{ researcher(name: "will grathwohl") { name } }'}
# 10^9 combinations of the 1,000 probes: far more than either engine checks before the
# deadlines below, and interruptible by both (a server-side timeout stops it mid-way).
PROBES = "UNWIND range(1, 1000) AS i CREATE (:Probe {n: i})"
HEAVY = (
    "MATCH (a:Probe), (b:Probe), (c:Probe) WHERE a.n + b.n + c.n < 0 RETURN count(*) AS n"
)
ONE = "MATCH (p:Probe) WHERE p.n = 1 RETURN p.n AS n"


class SlowSearch:
    """The seeded store, except that full-text search waits until it is cancelled."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.dialect = store.dialect
        self.counters = store.counters
        self.started = asyncio.Event()
        self.cancelled = asyncio.Event()
        self.deadline_cancelled: bool | None = None

    async def read(self, query: str, params: Params | None = None) -> list[Row]:
        if "fulltext" not in query:
            return await self._store.read(query, params)
        self.started.set()
        try:
            await asyncio.Event().wait()  # forever
        except asyncio.CancelledError:
            current = deadline.current()
            self.deadline_cancelled = current is not None and current.cancelled
            self.cancelled.set()
            raise
        raise AssertionError("unreachable")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


async def test_a_slow_request_never_holds_up_a_cheap_one(seeded: Store) -> None:
    slow_store = SlowSearch(seeded)
    app = create_app(Settings(query_timeout_ms=3_000), store=slow_store)  # type: ignore[arg-type]
    finished: list[str] = []

    async def send(http: httpx.AsyncClient, body: dict[str, str], name: str) -> httpx.Response:
        response = await http.post("/graphql", json=body)
        finished.append(name)
        return response

    async with (
        serving(app) as url,
        httpx.AsyncClient(base_url=url) as a,
        httpx.AsyncClient(base_url=url) as b,
    ):
        slow = asyncio.create_task(send(a, SLOW, "slow"))
        await slow_store.started.wait()
        cheap = await send(b, CHEAP, "cheap")
        assert cheap.status_code == 200
        assert cheap.json()["data"]["researcher"]["name"]
        assert not slow.done()
        answer = await slow
    assert finished == ["cheap", "slow"]
    assert answer.status_code == 504
    [error] = answer.json()["errors"]
    assert error["extensions"]["code"] == "QUERY_TIMEOUT"
    assert "3,000 ms" in error["message"]
    # The store call in flight was cancelled, through the request's deadline.
    assert slow_store.cancelled.is_set() and slow_store.deadline_cancelled is True


async def test_the_timeout_code_with_graphql_response_json(seeded: Store) -> None:
    slow_store = SlowSearch(seeded)
    app = create_app(Settings(query_timeout_ms=200), store=slow_store)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        response = await http.post(
            "/graphql", json=SLOW, headers={"accept": "application/graphql-response+json"}
        )
    assert response.status_code == 504
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TIMEOUT"
    assert slow_store.cancelled.is_set()


async def test_a_client_that_disconnects_cancels_its_work(seeded: Store) -> None:
    slow_store = SlowSearch(seeded)
    # A deadline far away: only the disconnect can cancel the work.
    app = create_app(Settings(query_timeout_ms=600_000), store=slow_store)  # type: ignore[arg-type]
    async with serving(app) as url:
        http = httpx.AsyncClient(base_url=url)
        request = asyncio.create_task(http.post("/graphql", json=SLOW))
        await slow_store.started.wait()
        request.cancel()  # the client gives up: httpx closes the connection
        with pytest.raises(asyncio.CancelledError):
            await request
        await http.aclose()
        await slow_store.cancelled.wait()
        # The server is still answering others.
        async with httpx.AsyncClient(base_url=url) as other:
            assert (await other.post("/graphql", json=CHEAP)).status_code == 200
    assert slow_store.deadline_cancelled is True


async def test_store_reads_stop_at_the_deadline(store: Store) -> None:
    await store.write(PROBES)
    with deadline.within(Deadline(0.2)):
        with pytest.raises(QueryTimeout):
            await store.read(HEAVY)
        # Past the deadline nothing more is sent.
        with pytest.raises(QueryTimeout):
            await store.read(ONE)
    # The connection the cut-off read used is not reused half-read: the next read is sound.
    assert await store.read(ONE) == [{"n": 1}]


async def test_a_cancelled_deadline_cuts_off_reads_in_flight(store: Store) -> None:
    await store.write(PROBES)
    limit = Deadline(600)
    with deadline.within(limit):
        heavy = asyncio.create_task(store.read(HEAVY))
    await asyncio.sleep(0)  # let it start
    limit.cancel()
    with pytest.raises(QueryTimeout):
        await heavy
    assert await store.read(ONE) == [{"n": 1}]


async def test_field_level_timeouts_are_coded(seeded: Store) -> None:
    class TimingOut(SlowSearch):
        async def read(self, query: str, params: Params | None = None) -> list[Row]:
            if "fulltext" in query:
                raise QueryTimeout("FalkorDB stopped the query: Query timed out")
            return await self._store.read(query, params)

    app = create_app(store=TimingOut(seeded))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        body = (await http.post("/graphql", json=SLOW)).json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["QUERY_TIMEOUT"]
