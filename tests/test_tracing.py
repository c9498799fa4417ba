"""Tracing: the README's profile query on each store, its spans caught by the SDK's in-memory
exporter: operation -> resolver -> store query, with the attributes each promises and no
parameter values; off unless the OTEL_* variables ask."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from conftest import readme_query
from scholargraph import tracing
from scholargraph.app import create_app
from scholargraph.graphdb.store import Store
from scholargraph.settings import Settings

# The README's query, named.
README_QUERY = readme_query("ReadmeProfile")


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    caught = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(caught))
    tracing.install(provider)
    try:
        yield caught
    finally:
        tracing.uninstall()
        provider.shutdown()


def _parent(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent is not None else None


async def test_profile_query_span_tree(exporter: InMemorySpanExporter, seeded: Store) -> None:
    # Made while tracing is on: with resolver spans. The long deadline is a hang guard for a
    # fresh Neo4j on a busy machine, not a bound on anything measured.
    # The response cache is off: the second request must execute to be traced in full.
    app = create_app(Settings(query_timeout_ms=120_000, response_cache_size=0), store=seeded)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        # Once outside the check: a fresh Neo4j plans each query on first sight, slowly enough
        # on a busy machine to pass a store timeout; the request checked below finds the plans.
        await http.post("/graphql", json={"query": README_QUERY})
        exporter.clear()  # that, and the store's set-up and seeding, were traced too
        reads = seeded.counters.reads
        answer = await http.post(
            "/graphql", json={"query": README_QUERY}, headers={"x-request-id": "trace-test-1"}
        )
    body = answer.json()
    assert "errors" not in body, body
    cost = body["extensions"]["cost"]["requested"]
    sent = seeded.counters.reads - reads

    spans = exporter.get_finished_spans()
    operations = [s for s in spans if s.name == "query ReadmeProfile"]
    assert len(operations) == 1
    operation = operations[0]
    attributes = dict(operation.attributes or {})
    assert attributes["graphql.operation.name"] == "ReadmeProfile"
    assert attributes["graphql.operation.type"] == "query"
    assert attributes["scholargraph.request_id"] == "trace-test-1"
    assert attributes["scholargraph.cost"] == cost
    trace_id = operation.context.trace_id
    stray = [(s.name, s.parent) for s in spans if s.context.trace_id != trace_id]
    assert not stray

    by_id = {s.context.span_id: s for s in spans}
    queries = [s for s in spans if "db.system" in (s.attributes or {})]
    resolvers = [s for s in spans if "graphql.field.path" in (s.attributes or {})]
    # Every store query is traced, each under a resolver that is under the operation.
    assert len(queries) == sent > 5
    assert len(resolvers) + len(queries) + 1 == len(spans)
    for query in queries:
        parent = by_id[_parent(query)]  # type: ignore[index]
        assert parent in resolvers, (query.name, parent.name)
        qa = dict(query.attributes or {})
        assert qa["db.system"] == seeded.dialect.name
        assert qa["scholargraph.store.kind"] == "read"
        assert qa["scholargraph.round_trip_ms"] >= 0
        assert isinstance(qa["db.response.returned_rows"], int)
        assert query.name == f"read {qa['scholargraph.query.label']}"
        assert str(qa["scholargraph.query.label"]).count(".") == 1  # module.function
        assert query.start_time >= parent.start_time and query.end_time <= parent.end_time
    # Only resolvers that reached the store have spans, each a child of the operation.
    children = {_parent(q) for q in queries}
    for resolver in resolvers:
        assert _parent(resolver) == operation.context.span_id
        assert resolver.context.span_id in children
    names = {r.name for r in resolvers}
    assert {"Query.researcher", "Researcher.works"} <= names
    assert not {"Researcher.name", "Paper.title"} & names  # trivial fields: no span
    # A works page loads its papers' authors with the page: Paper.authors reads no store.
    assert "Paper.authors" not in names
    # Parameters never reach a span: not the name searched for, not an id.
    for span in spans:
        for value in (span.attributes or {}).values():
            assert "grathwohl" not in str(value).lower(), (span.name, value)


def test_nothing_is_traced_while_off() -> None:
    assert not tracing.active()
    assert tracing.store_span("falkordb", "read", "reads.x", "0") is None
    with tracing.operation_span("id") as span:
        assert span is None


def test_the_otel_variables_decide() -> None:
    assert not tracing.wanted({})
    assert not tracing.wanted({"OTEL_SERVICE_NAME": "api"})
    assert not tracing.wanted({"OTEL_TRACES_EXPORTER": "none"})
    assert tracing.wanted({"OTEL_TRACES_EXPORTER": "console"})
    assert tracing.wanted({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"})
    assert not tracing.wanted({"OTEL_TRACES_EXPORTER": "otlp", "OTEL_SDK_DISABLED": "true"})
    assert not tracing.configure({})
    assert not tracing.active()
