"""Same answers on both stores: the seed and the eight real paper lists imported into FalkorDB
and into Neo4j, then `scholargraph stats` and a fixed set of GraphQL queries (full profiles,
2- and 3-hop neighborhoods, collaboration paths, top-10 searches) compared answer for answer."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from conftest import PAPERLISTS, SEEDS, open_neo4j
from scholargraph.app import create_app
from scholargraph.graphdb import embedded
from scholargraph.graphdb.connect import ensure_schema
from scholargraph.graphdb.falkor_store import FalkorStore
from scholargraph.graphdb.store import Store
from scholargraph.ingest import load
from scholargraph.ingest.importer import import_paperlists

FILES = sorted(PAPERLISTS.glob("*.json"))

pytestmark = [
    pytest.mark.skipif(
        len(FILES) != 8, reason=f"the eight paperlists files are not at {PAPERLISTS}"
    ),
    pytest.mark.falkordb,
    pytest.mark.neo4j,
]

PROFILE = """
query($id: ID!) {
  researcher(id: $id) {
    id name aliases headline
    works(first: 100) {
      totalCount
      edges { node { id title year abstract
        authors { position equalContribution researcher { id name } }
        publications { venue { id name } year kind presentation honors } } }
    }
    talks { title event date }
    awards { award { name amount currency durationYears funder { name } } for { title } }
    collaborators { researcher { id name } sharedWorkCount }
    stats { works followers topics collaborators talks awards }
    trust { score label verificationLevel claimed }
  }
}
"""

NEIGHBORHOOD = """
query($id: ID!, $hops: Int!, $labels: [EntityType!], $limit: Int!) {
  neighborhood(id: $id, hops: $hops, labels: $labels, limit: $limit) {
    center { id } hops truncated
    nodes { id label name distance }
    edges { source target type properties }
  }
}
"""

PATH = """
query($from: ID!, $to: ID!) {
  collaborationPath(from: $from, to: $to, maxHops: 8) { distance nodes { id } }
}
"""

SEARCH = """
query($q: String!) {
  search(query: $q, first: 10) { totalCount edges { score matched node { id } } }
}
"""

WILL = "researcher:will-grathwohl"
ZEMEL = "researcher:richard-zemel"

QUERIES: dict[str, tuple[str, dict[str, Any]]] = {
    "profile of Will Grathwohl": (PROFILE, {"id": WILL}),
    "profile of Richard Zemel": (PROFILE, {"id": ZEMEL}),
    "2-hop neighborhood": (NEIGHBORHOOD, {"id": WILL, "hops": 2, "labels": None, "limit": 500}),
    "3-hop neighborhood": (NEIGHBORHOOD, {"id": WILL, "hops": 3, "labels": None, "limit": 300}),
    "3-hop coauthorship": (
        NEIGHBORHOOD,
        {"id": WILL, "hops": 3, "labels": ["RESEARCHER", "PAPER"], "limit": 2000},
    ),
    "path to Geoffrey Hinton": (PATH, {"from": WILL, "to": "researcher:geoffrey-hinton"}),
    "path to Jens Behrmann": (PATH, {"from": WILL, "to": "researcher:jens-behrmann"}),
    "search 'energy based'": (SEARCH, {"q": "energy based"}),
    "search 'jacobsen'": (SEARCH, {"q": "jacobsen"}),
    "search 'graph neural networks'": (SEARCH, {"q": "graph neural networks"}),
}


@dataclass
class Answers:
    stats: str
    graphql: dict[str, Any]


async def _answers(store: Store, stats_env: dict[str, str]) -> Answers:
    await load.seed(store, SEEDS)
    summary = await import_paperlists(store, FILES)
    assert summary.failed_files == []
    # `scholargraph stats` as a user runs it, against the store just filled.
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "scholargraph.cli",
        "stats",
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("SCHOLARGRAPH_")},
            **stats_env,
        },
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=300)
    assert process.returncode == 0
    stats = out.decode()
    answers: dict[str, Any] = {}
    app = create_app(store=store)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as http:
        for name, (query, variables) in QUERIES.items():
            response = await http.post("/graphql", json={"query": query, "variables": variables})
            body = response.json()
            assert "errors" not in body, (name, body)
            answers[name] = body["data"]
    return Answers(stats, answers)


@pytest.fixture(scope="module")
async def both(
    falkordb_server: embedded.EmbeddedServer, neo4j_uri: str
) -> AsyncIterator[dict[str, Answers]]:
    graph = f"cross_{uuid.uuid4().hex[:12]}"
    falkor = FalkorStore.over_socket(str(falkordb_server.socket), graph, timeout_ms=120_000)
    neo4j = await open_neo4j(neo4j_uri, timeout_ms=120_000)
    await neo4j.write("MATCH (n) DETACH DELETE n")
    try:
        for store in (falkor, neo4j):
            await ensure_schema(store)
        found = {
            "falkordb": await _answers(
                falkor,
                {
                    "SCHOLARGRAPH_FALKORDB_URL": f"unix://{falkordb_server.socket}",
                    "SCHOLARGRAPH_GRAPH": graph,
                },
            ),
            "neo4j": await _answers(neo4j, {"SCHOLARGRAPH_NEO4J_URI": neo4j_uri}),
        }
        yield found
    finally:
        await falkor.write("MATCH (n) DETACH DELETE n")
        await neo4j.write("MATCH (n) DETACH DELETE n")
        await falkor.close()
        await neo4j.close()


def test_stats_are_identical(both: dict[str, Answers]) -> None:
    assert "researcher" in both["falkordb"].stats.lower()
    assert both["falkordb"].stats == both["neo4j"].stats


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_graphql_answers_are_identical(both: dict[str, Answers], name: str) -> None:
    falkor, neo4j = both["falkordb"].graphql[name], both["neo4j"].graphql[name]
    assert falkor == neo4j
    # Each query answers something, so equality is not between two empty answers.
    assert any(value not in (None, [], {}) for value in falkor.values()), falkor
