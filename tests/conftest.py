"""Shared fixtures: one `store` fixture over every backend that can be started here.

FalkorDB (the bundled server) always runs; Neo4j runs when SCHOLARGRAPH_NEO4J_URI is set and
is skipped, visibly, otherwise. Every test that takes `store` (or `seeded`, `client`) runs once
per backend.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from scholargraph.app import create_app
from scholargraph.graphdb import embedded
from scholargraph.graphdb.connect import ensure_schema
from scholargraph.graphdb.falkor_store import FalkorStore
from scholargraph.graphdb.store import Store
from scholargraph.ingest import load

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
# The real conference paper lists live in shared/ beside the checkout (so in CI too).
PAPERLISTS = Path(
    os.environ.get("SCHOLARGRAPH_PAPERLISTS_DIR", REPO.parent / "shared" / "data" / "paperlists")
)
NEO4J_URI = os.environ.get("SCHOLARGRAPH_NEO4J_URI")

BACKENDS = [
    pytest.param("falkordb", marks=pytest.mark.falkordb),
    pytest.param(
        "neo4j",
        marks=[
            pytest.mark.neo4j,
            pytest.mark.skipif(
                not NEO4J_URI, reason="Neo4j: set SCHOLARGRAPH_NEO4J_URI to run against it"
            ),
        ],
    ),
]


@pytest.fixture(scope="session")
def falkordb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[embedded.EmbeddedServer]:
    server = embedded.start(tmp_path_factory.mktemp("falkordb"))
    yield server
    server.stop()


async def _neo4j_store() -> Store:
    from scholargraph.graphdb.neo4j_store import Neo4jStore

    assert NEO4J_URI is not None
    return await Neo4jStore.connect(
        NEO4J_URI,
        os.environ.get("SCHOLARGRAPH_NEO4J_USER", "neo4j"),
        os.environ.get("SCHOLARGRAPH_NEO4J_PASSWORD", ""),
        os.environ.get("SCHOLARGRAPH_NEO4J_DATABASE", "neo4j"),
    )


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    """An empty graph with the schema in place, on each backend."""
    backend: Store
    if request.param == "falkordb":
        server = request.getfixturevalue("falkordb_server")
        # A fresh graph per test keeps tests independent without restarting the server.
        graph = f"test_{uuid.uuid4().hex[:12]}"
        backend = FalkorStore.over_socket(str(server.socket), graph)
        await ensure_schema(backend)
        yield backend
        await backend.write("MATCH (n) DETACH DELETE n")
        await backend.close()
    else:
        backend = await _neo4j_store()
        await backend.write("MATCH (n) DETACH DELETE n")
        await ensure_schema(backend)
        yield backend
        await backend.write("MATCH (n) DETACH DELETE n")
        await backend.close()


@pytest.fixture
async def seeded(store: Store) -> Store:
    await load.seed(store, SEEDS)
    store.counters.reads = store.counters.writes = 0
    return store


@pytest.fixture
async def client(seeded: Store) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(store=seeded)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def gql(
    http: httpx.AsyncClient, query: str, variables: dict[str, object] | None = None
) -> dict[str, object]:
    """POST a query; return the whole JSON body (data and errors)."""
    response = await http.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per skip reason (instead of one per test), so the Neo4j half stays visible."""
    reasons: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reason = reason.removeprefix("Skipped: ")
        reasons[reason] = reasons.get(reason, 0) + 1
    if reasons:
        terminalreporter.section("skipped, by reason")
        for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
            terminalreporter.write_line(f"{count:5d} skipped: {reason}")
