"""Shared fixtures: one `store` fixture over every backend that can be started here.

FalkorDB (the bundled server) always runs. Neo4j runs against SCHOLARGRAPH_NEO4J_URI when it is
set; otherwise the session starts a local Neo4j itself with `./run neo4j` (Java and Maven
needed), once, and skips the Neo4j half visibly only where Java or Maven is missing. Every test
that takes `store` (or `seeded`, `client`) runs once per backend.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
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
# Starting a local Neo4j needs a JVM and Maven (the first start downloads its jars).
NEO4J_MISSING = (
    None
    if NEO4J_URI or (shutil.which("java") and shutil.which("mvn"))
    else "Neo4j: no SCHOLARGRAPH_NEO4J_URI, and no java/mvn to start a local one"
)

BACKENDS = [
    pytest.param("falkordb", marks=pytest.mark.falkordb),
    pytest.param(
        "neo4j",
        marks=[
            pytest.mark.neo4j,
            pytest.mark.skipif(NEO4J_MISSING is not None, reason=str(NEO4J_MISSING)),
        ],
    ),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LocalNeo4j:
    """`./run neo4j` as a child process: started, waited for, stopped with SIGTERM."""

    def __init__(self, data: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.data = data
        self.uri = f"bolt://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[str] | None = None

    def start(self, timeout: float = 900) -> LocalNeo4j:
        env = {**os.environ, "NEO4J_JAVA_OPTS": os.environ.get("NEO4J_JAVA_OPTS", "-Xmx1g")}
        self.process = subprocess.Popen(
            [str(REPO / "run"), "neo4j", "--port", str(self.port), "--data", str(self.data)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        assert self.process.stdout is not None
        seen: list[str] = []
        deadline = time.monotonic() + timeout  # the first start builds and downloads
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            seen.append(line)
            if line.strip() == self.uri:
                return self
        self.stop()
        raise RuntimeError("./run neo4j did not come up:\n" + "".join(seen[-30:]))

    def stop(self) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        return self.process.returncode


@pytest.fixture(scope="session")
def neo4j_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """SCHOLARGRAPH_NEO4J_URI, or a local Neo4j started once for the whole session."""
    if NEO4J_URI:
        yield NEO4J_URI
        return
    if NEO4J_MISSING:
        pytest.skip(NEO4J_MISSING)
    server = LocalNeo4j(tmp_path_factory.mktemp("neo4j")).start()
    yield server.uri
    server.stop()


@pytest.fixture(scope="session")
def falkordb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[embedded.EmbeddedServer]:
    server = embedded.start(tmp_path_factory.mktemp("falkordb"))
    yield server
    server.stop()


async def open_neo4j(uri: str, timeout_ms: int = 10_000) -> Store:
    from scholargraph.graphdb.neo4j_store import Neo4jStore

    return await Neo4jStore.connect(
        uri,
        os.environ.get("SCHOLARGRAPH_NEO4J_USER", "neo4j"),
        os.environ.get("SCHOLARGRAPH_NEO4J_PASSWORD", ""),
        os.environ.get("SCHOLARGRAPH_NEO4J_DATABASE", "neo4j"),
        timeout_ms=timeout_ms,
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
        backend = await open_neo4j(request.getfixturevalue("neo4j_uri"))
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
