"""A real Neo4j from `./run neo4j` under the API, as a user runs them: `scholargraph serve`
against it seeds the empty database and answers the README's query exactly as the embedded
FalkorDB does; Neo4j stopped mid-service is a coded STORE_UNAVAILABLE and /readyz 503, and the
API recovers by itself when Neo4j is back; data survives a clean stop."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import NEO4J_MISSING, LocalNeo4j, free_port, open_neo4j, readme_query
from scholargraph.graphdb import neo4j_store
from scholargraph.graphdb.store import StoreError

pytestmark = [
    pytest.mark.neo4j,
    pytest.mark.skipif(NEO4J_MISSING is not None, reason=str(NEO4J_MISSING)),
]

CLI = [sys.executable, "-m", "scholargraph.cli"]
README_QUERY = readme_query()


@pytest.fixture(scope="module")
def own_neo4j(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalNeo4j]:
    """A Neo4j of this module's own, since its tests stop and restart it."""
    server = LocalNeo4j(tmp_path_factory.mktemp("own-neo4j")).start()
    yield server
    server.stop()


def _serve(port: int, **env: str) -> subprocess.Popen[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SCHOLARGRAPH_")}
    return subprocess.Popen(
        [*CLI, "serve", "--port", str(port)],
        env={**clean, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_ready(base: str, process: subprocess.Popen[str]) -> None:
    for _ in range(600):
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("the API did not become ready")


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()


def _query(base: str, query: str) -> dict[str, Any]:
    # Generous: a hang guard on a loaded machine, not a speed requirement.
    response = httpx.post(f"{base}/graphql", json={"query": query}, timeout=180)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture(scope="module")
def served(own_neo4j: LocalNeo4j) -> Iterator[str]:
    port = free_port()
    process = _serve(port, SCHOLARGRAPH_NEO4J_URI=own_neo4j.uri)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, process)
        yield base
    finally:
        _stop(process)


def test_serve_on_neo4j_answers_the_readme_query_as_falkordb_does(
    served: str, tmp_path: Path
) -> None:
    on_neo4j = _query(served, README_QUERY)
    assert "errors" not in on_neo4j
    assert on_neo4j["data"]["researcher"]["name"] == "Will Grathwohl"
    assert on_neo4j["data"]["researcher"]["works"]["totalCount"] == 12
    port = free_port()
    falkor = _serve(port, SCHOLARGRAPH_DATA_DIR=str(tmp_path / "falkordb"))
    try:
        _wait_ready(f"http://127.0.0.1:{port}", falkor)
        on_falkordb = _query(f"http://127.0.0.1:{port}", README_QUERY)
    finally:
        _stop(falkor)
    assert on_neo4j["data"] == on_falkordb["data"]
    assert httpx.get(f"{served}/readyz").json() == {"status": "ready", "store": "neo4j"}


def test_neo4j_stopped_mid_service_is_store_unavailable_then_recovers(
    served: str, own_neo4j: LocalNeo4j
) -> None:
    query = '{ researcher(id: "researcher:will-grathwohl") { name } }'
    assert _query(served, query)["data"]["researcher"]["name"] == "Will Grathwohl"
    assert own_neo4j.stop() is not None
    try:
        down = _query(served, query)
        # Found unavailable before execution (the response cache's generation read) or during
        # it: either way one STORE_UNAVAILABLE error and no data.
        assert down.get("data") in (None, {"researcher": None}), down
        assert [e["extensions"]["code"] for e in down["errors"]] == ["STORE_UNAVAILABLE"]
        assert "Traceback" not in str(down)
        assert httpx.get(f"{served}/readyz", timeout=120).status_code == 503
    finally:
        own_neo4j.start()  # same port, same data
    for _ in range(300):
        if httpx.get(f"{served}/readyz", timeout=120).status_code == 200:
            break
        time.sleep(0.2)
    back = _query(served, query)
    assert back["data"] == {"researcher": {"name": "Will Grathwohl"}}


async def test_a_clean_stop_keeps_the_data(own_neo4j: LocalNeo4j) -> None:
    store = await open_neo4j(own_neo4j.uri)
    try:
        await store.write("MERGE (n:Entity:Probe {id: 'probe:kept'})")
    finally:
        await store.close()
    # SIGTERM runs the launcher's shutdown hook: the JVM then exits with 128 + 15.
    assert own_neo4j.stop() == 143
    own_neo4j.start()
    store = await open_neo4j(own_neo4j.uri)
    try:
        rows = await store.read("MATCH (n:Probe {id: 'probe:kept'}) RETURN n.id AS id")
        assert rows == [{"id": "probe:kept"}]
        await store.write("MATCH (n:Probe) DETACH DELETE n")
    finally:
        await store.close()


async def test_another_major_version_is_refused_with_one_clear_line(
    own_neo4j: LocalNeo4j, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert neo4j_store.supported_version("5.26.30")
    assert neo4j_store.supported_version("2025.10.1")
    assert not neo4j_store.supported_version("4.4.40")
    assert not neo4j_store.supported_version("garbage")
    monkeypatch.setattr(neo4j_store, "supported_version", lambda version: False)
    with pytest.raises(StoreError, match=r"^Neo4j 5\.\d+\.\d+ is not supported; run Neo4j 5"):
        await open_neo4j(own_neo4j.uri)


def test_unreachable_neo4j_at_start_up_exits_non_zero_with_one_line(tmp_path: Path) -> None:
    process = _serve(free_port(), SCHOLARGRAPH_NEO4J_URI=f"bolt://127.0.0.1:{free_port()}")
    _, err = process.communicate(timeout=120)
    assert process.returncode != 0
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "cannot reach Neo4j" in lines[0], err
    assert "Traceback" not in err


def test_the_launcher_refuses_a_port_in_use(own_neo4j: LocalNeo4j, tmp_path: Path) -> None:
    second = LocalNeo4j(tmp_path / "second", port=own_neo4j.port)
    try:
        with pytest.raises(RuntimeError, match=r"port \d+ on 127\.0\.0\.1 is in use"):
            second.start(timeout=300)
    finally:
        second.stop()


async def test_concurrent_requests_share_the_one_driver(served: str) -> None:
    query = '{ researcher(id: "researcher:will-grathwohl") { works(first: 5) { totalCount } } }'
    async with httpx.AsyncClient(base_url=served, timeout=60) as http:
        responses = await asyncio.gather(
            *(http.post("/graphql", json={"query": query}) for _ in range(40))
        )
    answers = [r.json()["data"] for r in responses]
    assert all(a == {"researcher": {"works": {"totalCount": 12}}} for a in answers), answers
