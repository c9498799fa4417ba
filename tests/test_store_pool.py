"""Connections: a bounded, blocking FalkorDB pool (SCHOLARGRAPH_STORE_POOL_SIZE). Under load
requests wait for a free connection instead of failing with "Too many connections"."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from scholargraph.app import create_app
from scholargraph.graphdb import embedded
from scholargraph.graphdb.falkor_store import FalkorStore
from scholargraph.graphdb.store import Store
from scholargraph.settings import Settings

PROFILE = """{
  researcher(name: "will grathwohl") {
    name
    works(first: 20) { totalCount edges { node { title year
      authors { position researcher { name } }
      publications { venue { name } year kind } } } }
    talks { title } awards { award { name } }
    collaborators { researcher { name } sharedWorkCount }
    stats { works followers topics collaborators talks awards }
  }
}"""


async def test_a_small_pool_serves_many_concurrent_reads(
    falkordb_server: embedded.EmbeddedServer,
) -> None:
    store = FalkorStore.over_socket(
        str(falkordb_server.socket), f"pool_{uuid.uuid4().hex[:8]}", pool_size=2
    )
    try:
        await store.write("CREATE (:Probe)")  # a read of a graph not yet created answers nothing
        rows = await asyncio.gather(*(store.read("RETURN $i AS i", {"i": i}) for i in range(200)))
        assert [r[0]["i"] for r in rows] == list(range(200))
        pool = store._client.connection.connection_pool
        opened = len(pool._available_connections) + len(pool._in_use_connections)
        assert 1 <= opened <= 2  # bounded: the other calls waited for one of two
    finally:
        await store.write("MATCH (n) DELETE n")
        await store.close()


async def test_64_concurrent_clients_get_no_errors(seeded: Store) -> None:
    # The deadline is not what this test is about: a loaded test machine must not trip it.
    app = create_app(Settings(query_timeout_ms=300_000), store=seeded)

    async def one_client(i: int) -> list[dict[str, object]]:
        transport = httpx.ASGITransport(app=app, client=(f"10.0.0.{i}", 1234))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            answers = []
            for _ in range(3):
                response = await http.post("/graphql", json={"query": PROFILE})
                assert response.status_code == 200, response.text
                answers.append(response.json())
            return answers

    results = await asyncio.gather(*(one_client(i) for i in range(64)))
    bodies = [body for answers in results for body in answers]
    assert len(bodies) == 64 * 3
    assert [b["errors"] for b in bodies if "errors" in b] == []
    names = {b["data"]["researcher"]["name"] for b in bodies}  # type: ignore[index]
    assert names == {bodies[0]["data"]["researcher"]["name"]}  # type: ignore[index]
