"""Print the trace of the README's profile query: the operation's span, the resolvers that reached
the store, and each store query with its round trip (docs/observability.md).

For each store (`--stores falkordb,neo4j`, see bench/_stores.py): a fresh store, seeded; the
app in process with tracing on (the SDK's in-memory exporter); the query sent `--warm-up`
times untraced-in-print, then once more, whose span tree is printed with durations; at the
end, the scholargraph series of a /metrics scrape of this process.

    .venv/bin/python bench/trace_profile.py [--stores falkordb,neo4j] [--warm-up 3]
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import httpx
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from _stores import Stores, add_stores_argument, chosen_stores, machine, readme_query
from scholargraph import tracing
from scholargraph.app import create_app
from scholargraph.ingest import load
from scholargraph.settings import Settings

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
README_QUERY = readme_query("ReadmeProfile")
# Attributes worth a column, in this order; the rest are in the exporter's spans.
SHOWN = (
    ("graphql.field.path", "path"),
    ("scholargraph.request_id", "request"),
    ("scholargraph.cost", "cost"),
    ("db.response.returned_rows", "rows"),
    ("scholargraph.query.id", "query"),
)


def _ms(span: ReadableSpan) -> float:
    return ((span.end_time or 0) - (span.start_time or 0)) / 1e6


def tree(spans: list[ReadableSpan]) -> list[str]:
    children: dict[int | None, list[ReadableSpan]] = {}
    for span in spans:
        parent = span.parent.span_id if span.parent is not None else None
        children.setdefault(parent, []).append(span)
    lines = []

    def walk(parent: int | None, depth: int) -> None:
        for span in sorted(children.get(parent, []), key=lambda s: s.start_time or 0):
            attributes = span.attributes or {}
            extra = " ".join(f"{label}={attributes[key]}" for key, label in SHOWN if key in attributes)
            name = "  " * depth + span.name
            lines.append(f"{name:<58} {_ms(span):8.2f} ms  {extra}")
            walk(span.context.span_id, depth + 1)

    walk(None, 0)
    return lines


async def trace_once(store_name: str, stores: Stores, warm_up: int) -> None:
    async with stores.fresh(store_name) as opened:
        await load.seed(opened.store, SEEDS)
        exporter = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        tracing.install(provider)
        try:
            # A fresh Neo4j plans each query on first sight: slow on a busy machine.
            app = create_app(Settings(query_timeout_ms=300_000), store=opened.store)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
                for _ in range(warm_up + 1):
                    exporter.clear()
                    answer = await http.post(
                        "/graphql", json={"query": README_QUERY},
                        headers={"x-request-id": f"trace-{store_name}"},
                    )  # fmt: skip
                    assert "errors" not in answer.json(), answer.text
        finally:
            tracing.uninstall()
        spans = list(exporter.get_finished_spans())
        queries = [s for s in spans if "db.system" in (s.attributes or {})]
        print(f"\n{opened.title}: the README query, {len(spans)} spans, "
              f"{len(queries)} store queries ({sum(map(_ms, queries)):.2f} ms of round trips)")  # fmt: skip
        for line in tree(spans):
            print(line)


async def scrape() -> None:
    """The scholargraph series of /metrics (buckets left out), as a scraper would read them."""
    app = create_app()  # no store needed: /metrics reads the process's registry
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        text = (await http.get("/metrics")).text
    print("\n/metrics after those requests (this process; histogram buckets left out):")
    for line in text.splitlines():
        if line.startswith("scholargraph_") and "_bucket{" not in line:
            print(line)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--warm-up", type=int, default=3)
    add_stores_argument(parser)
    args = parser.parse_args()
    names = chosen_stores(parser, args.stores)
    print(f"{machine()}; stores: {', '.join(names)}", flush=True)
    async with Stores(names) as stores:
        for name in names:
            await trace_once(name, stores, args.warm_up)
    await scrape()


if __name__ == "__main__":
    asyncio.run(main())
