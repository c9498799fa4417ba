"""/metrics: a scrape before and after a few real requests moves each series by exactly what was
sent (requests by operation and outcome, latency counts, errors by code, cost, store round
trips); operation names stay bounded; multiprocess mode adds up the worker processes."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import readme_query
from scholargraph import metrics
from scholargraph.app import create_app
from scholargraph.graphdb.store import Store
from scholargraph.settings import Settings

# The README's query, named.
README_QUERY = readme_query("ReadmeProfile")

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def moved(before: Samples, after: Samples, name: str, **labels: str) -> float:
    key = (name, frozenset(labels.items()))
    return after.get(key, 0.0) - before.get(key, 0.0)


async def scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return parse(response.text)


@pytest.fixture
async def client(seeded: Store) -> AsyncIterator[httpx.AsyncClient]:
    # The long deadline is a hang guard for a fresh Neo4j on a busy machine, which plans each
    # query slowly on first sight; nothing measured is bounded by it. The response cache is
    # off: the round trips counted here are executions' (a hit's count is tested below).
    app = create_app(Settings(query_timeout_ms=120_000, response_cache_size=0), store=seeded)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        await http.post("/graphql", json={"query": README_QUERY})  # plans, before the count
        yield http


async def test_a_scrape_counts_exactly_what_was_sent(
    client: httpx.AsyncClient, seeded: Store
) -> None:
    store = seeded.dialect.name
    before = await scrape(client)
    reads, writes = seeded.counters.reads, seeded.counters.writes

    costs = []
    for _ in range(3):
        answer = await client.post("/graphql", json={"query": README_QUERY})
        body = answer.json()
        assert "errors" not in body, body
        costs.append(body["extensions"]["cost"]["requested"])
    anonymous = await client.post("/graphql", json={"query": "{ __typename }"})
    assert anonymous.status_code == 200
    not_found = await client.post(
        "/graphql", json={"query": 'query Missing { researcher(id: "researcher:nobody") { name } }'}
    )
    assert not_found.json()["data"] == {"researcher": None}
    parse_error = await client.post("/graphql", json={"query": "query Broken { researcher("})
    assert parse_error.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    several = await client.post("/graphql", json={"query": "query A { __typename } query B { __typename }"})
    assert several.json()["errors"][0]["extensions"]["code"] == "OPERATION_RESOLUTION_FAILURE"
    wrong_type = await client.post("/graphql", content=b"{}", headers={"content-type": "text/x"})
    assert wrong_type.status_code == 415

    after = await scrape(client)
    requests = "scholargraph_graphql_requests_total"
    assert moved(before, after, requests, operation="ReadmeProfile", outcome="ok") == 3
    assert moved(before, after, requests, operation="anonymous", outcome="ok") == 1
    assert moved(before, after, requests, operation="Missing", outcome="ok") == 1
    # Refused before an operation was known: the name a client gave is not trusted as a label.
    parse_failed = {"operation": "unknown", "outcome": "GRAPHQL_PARSE_FAILED"}
    assert moved(before, after, requests, **parse_failed) == 1
    several_failed = {"operation": "unknown", "outcome": "OPERATION_RESOLUTION_FAILURE"}
    assert moved(before, after, requests, **several_failed) == 1
    unsupported = {"operation": "unknown", "outcome": "UNSUPPORTED_MEDIA_TYPE"}
    assert moved(before, after, requests, **unsupported) == 1
    errors = "scholargraph_graphql_errors_total"
    assert moved(before, after, errors, code="GRAPHQL_PARSE_FAILED") == 1
    assert moved(before, after, errors, code="UNSUPPORTED_MEDIA_TYPE") == 1
    latency = "scholargraph_graphql_request_duration_seconds_count"
    assert moved(before, after, latency, operation="ReadmeProfile") == 3
    assert moved(before, after, latency, operation="unknown") == 3
    spent = "scholargraph_query_cost_points_total"
    assert moved(before, after, spent, operation="ReadmeProfile") == sum(costs) > 0

    # Every store query these requests made, counted by the store itself, and no other.
    sent_reads = seeded.counters.reads - reads
    assert sent_reads > 3
    trips = "scholargraph_store_round_trips_total"
    assert moved(before, after, trips, store=store, kind="read") == sent_reads
    assert moved(before, after, trips, store=store, kind="write") == seeded.counters.writes - writes
    durations = "scholargraph_store_round_trip_duration_seconds_count"
    assert moved(before, after, durations, store=store, kind="read") == sent_reads
    seconds = "scholargraph_store_round_trip_duration_seconds_sum"
    assert moved(before, after, seconds, store=store, kind="read") > 0


def test_operation_names_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics, "_operation_names", set())
    monkeypatch.setattr(metrics, "MAX_OPERATION_NAMES", 2)
    assert metrics.operation_label("First") == "First"
    assert metrics.operation_label("Second") == "Second"
    assert metrics.operation_label("Third") == metrics.OTHER
    assert metrics.operation_label("First") == "First"  # admitted names stay
    assert metrics.operation_label(None) == metrics.ANONYMOUS
    assert metrics.operation_label("First", known=False) == metrics.UNKNOWN
    assert metrics.operation_label('x"} 1\nfake_metric 9') == metrics.OTHER
    assert metrics.code_label("not a code") == metrics.OTHER


_WORKER = """
from scholargraph import metrics
metrics.graphql_request("Profile", [], 0.01, 7)
metrics.graphql_request("Profile", ["NOT_FOUND"], 0.02, 0)
for _ in range({trips}):
    metrics.store_round_trip("falkordb", "read", 0.001)
"""


def test_multiprocess_mode_adds_up_every_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "prometheus"
    directory.mkdir()
    env = {"PROMETHEUS_MULTIPROC_DIR": str(directory), "PATH": "/usr/bin:/bin"}
    for trips in (3, 4):  # two worker processes, one after the other
        subprocess.run(
            [sys.executable, "-c", _WORKER.format(trips=trips)], env=env, check=True, timeout=120
        )
    assert len(list(directory.glob("*.db"))) >= 2  # each process wrote its own files

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    body, media_type = metrics.exposition()
    assert media_type.startswith("text/plain")
    samples = parse(body.decode())
    requests = "scholargraph_graphql_requests_total"
    assert samples[(requests, frozenset({("operation", "Profile"), ("outcome", "ok")}))] == 2
    assert samples[(requests, frozenset({("operation", "Profile"), ("outcome", "NOT_FOUND")}))] == 2
    trips_key = ("scholargraph_store_round_trips_total", frozenset({
        ("store", "falkordb"), ("kind", "read")
    }))  # fmt: skip
    assert samples[trips_key] == 7
    assert samples[("scholargraph_query_cost_points_total", frozenset({("operation", "Profile")}))] == 14


async def test_a_cached_answer_counts_as_its_operation(seeded: Store) -> None:
    app = create_app(Settings(query_timeout_ms=120_000), store=seeded)  # the cache on
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        before = await scrape(http)
        reads = seeded.counters.reads
        for _ in range(3):
            body = (await http.post("/graphql", json={"query": README_QUERY})).json()
            assert "errors" not in body, body
        executed = seeded.counters.reads - reads
        after = await scrape(http)
    requests = "scholargraph_graphql_requests_total"
    assert moved(before, after, requests, operation="ReadmeProfile", outcome="ok") == 3
    # One execution; the two hits read nothing from the graph.
    round_trips = "scholargraph_store_round_trips_total"
    assert moved(before, after, round_trips, kind="read", store=seeded.dialect.name) == executed
