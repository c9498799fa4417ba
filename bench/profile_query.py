"""Profile-query benchmark: the whole profile over GraphQL/HTTP vs the graphdb calls alone.

For each store (`--stores falkordb,neo4j`, see bench/_stores.py): a fresh, empty store (the
bundled FalkorDB in a temp dir; Neo4j emptied), seeded, the seed researcher given extra
synthetic works, then the API served with uvicorn on loopback (a real socket, a `scholargraph
serve` subprocess on the same store) and, in the same run:
  (a) the full profile query over HTTP,
  (b) the graphdb batch calls that answer it, made directly (the floor for the API),
and prints p50/p99 of each and the ratio a/b per store, then both stores side by side.
Machines here are noisy: read the ratios.

    .venv/bin/python bench/profile_query.py [--extra-works 500] [--samples 200]
        [--stores falkordb,neo4j]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from _stores import (
    Opened,
    SideBySide,
    Stores,
    add_stores_argument,
    chosen_stores,
    free_port,
    machine,
    percentile,
)
from scholargraph.graphdb import reads, writes
from scholargraph.graphdb.model import Label, Rel
from scholargraph.graphdb.store import Store
from scholargraph.graphdb.writes import EdgeRow, NodeRow
from scholargraph.ingest import load

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SUBJECT = "researcher:will-grathwohl"
WARM_UP = 5  # untimed rounds before the samples
QUERY = """query($id: ID!) { researcher(id: $id) {
  id name aliases bio links { kind value } affiliations { institution { name } role since }
  education { institution { name } degree year } supervisors { name } topics { name }
  works(first: 1000) { totalCount edges { node { id title year
    authors { position equalContribution researcher { id name } }
    publications { venue { name } year kind presentation honors } } } }
  talks { title event date } awards { award { name amount funder { name } } for { title } }
  collaborators(first: 20) { researcher { name } sharedWorkCount }
  stats { works followers topics collaborators talks awards } trust { score verificationLevel }
} }"""


async def graphdb_profile(store: Store, rid: str) -> int:
    """The same batches the DataLoaders issue for QUERY, called directly."""
    ids = [rid]
    await reads.nodes_by_ids(store, ids)
    hops = [
        (Rel.AFFILIATED_WITH, "out"),
        (Rel.EDUCATED_AT, "out"),
        (Rel.SUPERVISED_BY, "out"),
        (Rel.INTERESTED_IN, "out"),
        (Rel.GAVE, "out"),
        (Rel.RECEIVED, "out"),
    ]
    found = await asyncio.gather(*(reads.neighbors(store, ids, r, d) for r, d in hops))  # type: ignore[arg-type]
    works = (await reads.works(store, ids))[rid]
    coauthors = (await reads.collaborators(store, ids))[rid][:20]
    for rel, direction in (
        (Rel.FOLLOWS, "in"),
        (Rel.INTERESTED_IN, "out"),
        (Rel.GAVE, "out"),
        (Rel.RECEIVED, "out"),
        (Rel.OWNS, "in"),
    ):
        await reads.degrees(store, ids, rel, direction)  # type: ignore[arg-type]
    papers = [w.paper for w in works]
    awards = [e.other for e in found[5].get(rid, [])]
    await reads.neighbors(store, awards, Rel.AWARD_FOR, "out")
    await reads.neighbors(store, awards, Rel.FUNDED_BY, "out")
    linked = [e.other for f in found for e in f.get(rid, [])]
    await reads.nodes_by_ids(store, papers + linked + [c.researcher for c in coauthors])
    pubs = await reads.neighbors(store, papers, Rel.PUBLISHED_AT, "out")
    authors = await reads.neighbors(store, papers, Rel.AUTHORED, "in")
    others = {e.other for group in (pubs, authors) for edges in group.values() for e in edges}
    await reads.nodes_by_ids(store, sorted(others))
    return len(papers)


async def grow(store: Store, extra: int) -> None:
    nodes = [NodeRow("venue:bench", Label.VENUE, "bench", {"name": "Bench Venue"})]
    edges = []
    for i in range(extra):
        pid, cid = f"paper:bench{i:06d}", f"researcher:bench-coauthor-{i % 97}"
        nodes += [
            NodeRow(pid, Label.PAPER, "bench", {"title": f"Synthetic work {i}"}),
            NodeRow(cid, Label.RESEARCHER, "bench", {"name": f"Coauthor {i % 97}"}),
        ]
        edges += [
            EdgeRow(Rel.AUTHORED, SUBJECT, pid, "bench", props={"position": 1}),
            EdgeRow(Rel.AUTHORED, cid, pid, "bench", props={"position": 2}),
            EdgeRow(
                Rel.PUBLISHED_AT,
                pid,
                "venue:bench",
                "bench",
                key=str(2000 + i % 25),
                props={"year": 2000 + i % 25, "kind": "conference"},
            ),
        ]
    for start in range(0, len(nodes), 2000):
        await writes.upsert(store, nodes[start : start + 2000], [])
    for start in range(0, len(edges), 2000):
        await writes.upsert(store, [], edges[start : start + 2000])


@dataclass
class Result:
    works: int
    http_ms: list[float]
    db_ms: list[float]


async def wait_ready(http: httpx.AsyncClient, api: subprocess.Popen[bytes]) -> None:
    while True:
        if api.poll() is not None:
            raise RuntimeError(f"scholargraph serve exited with {api.returncode}")
        try:
            if (await http.get("/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)


async def run_store(opened: Opened, extra_works: int, samples: int) -> Result:
    store = opened.store
    await load.seed(store, SEEDS)
    await grow(store, extra_works)
    port = free_port()
    env = opened.subprocess_env(
        SCHOLARGRAPH_LOG_LEVEL="warning",
        # A thousand works with authors and venues is past the default cost limit, and the
        # samples spend far more than one client's budget a minute (docs/cost.md).
        SCHOLARGRAPH_MAX_QUERY_COST="1000000",
        SCHOLARGRAPH_COST_BUDGET_PER_MINUTE="1000000000",
    )
    api = subprocess.Popen(
        [sys.executable, "-m", "scholargraph.cli", "serve", "--port", str(port)], env=env
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            await wait_ready(http, api)
            payload = {"query": QUERY, "variables": {"id": SUBJECT}}
            body = (await http.post("/graphql", json=payload)).json()
            assert "errors" not in body, body
            total = body["data"]["researcher"]["works"]["totalCount"]
            for _ in range(WARM_UP):  # plans, caches, a fresh Neo4j's JIT: both paths
                await http.post("/graphql", json=payload)
                await graphdb_profile(store, SUBJECT)
            http_times, db_times = [], []
            for _ in range(samples):  # interleaved, so drift hits both alike
                t0 = time.perf_counter()
                await http.post("/graphql", json=payload)
                t1 = time.perf_counter()
                await graphdb_profile(store, SUBJECT)
                t2 = time.perf_counter()
                http_times.append((t1 - t0) * 1000)
                db_times.append((t2 - t1) * 1000)
    finally:
        api.terminate()
        api.wait(60)
    return Result(total, http_times, db_times)


def report(title: str, result: Result) -> None:
    a, b = result.http_ms, result.db_ms
    print(f"\n{title}: profile of {SUBJECT}, {result.works} works, {len(a)} samples")
    print(f"{'':28}{'p50 ms':>10}{'p99 ms':>10}")
    print(f"{'(a) GraphQL over HTTP':28}{percentile(a, 50):10.2f}{percentile(a, 99):10.2f}")
    print(f"{'(b) graphdb calls alone':28}{percentile(b, 50):10.2f}{percentile(b, 99):10.2f}")
    print(f"ratio a/b p50: {statistics.median(a) / statistics.median(b):.2f}", flush=True)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--extra-works", type=int, default=500)
    parser.add_argument("--samples", type=int, default=200)
    add_stores_argument(parser)
    args = parser.parse_args()
    names = chosen_stores(parser, args.stores)
    print(f"{machine()}; stores: {', '.join(names)}", flush=True)
    results: dict[str, Result] = {}
    async with Stores(names) as stores:
        for name in names:
            async with stores.fresh(name, graph="scholargraph", timeout_ms=60_000) as opened:
                results[name] = await run_store(opened, args.extra_works, args.samples)
                report(f"{opened.title} {opened.version}".strip(), results[name])
    table = SideBySide(names)
    works = next(iter(results.values())).works
    bench = f"profile ({works} works, {args.samples} samples)"
    med = {
        n: (statistics.median(r.http_ms), statistics.median(r.db_ms)) for n, r in results.items()
    }
    table.add(
        bench,
        "(a) GraphQL over HTTP, p50 ms (x b)",
        {n: f"{a:.1f} ({a / b:.2f}x)" for n, (a, b) in med.items()},
        "(b) of the same store",
    )
    table.add(
        bench, "(a) p99 ms", {n: f"{percentile(r.http_ms, 99):.1f}" for n, r in results.items()}, ""
    )
    table.add(
        bench,
        "(b) graphdb calls alone, p50 ms",
        {n: f"{b:.1f}" for n, (_, b) in med.items()},
        "(b) is the baseline",
    )
    table.add(
        bench, "(b) p99 ms", {n: f"{percentile(r.db_ms, 99):.1f}" for n, r in results.items()}, ""
    )
    table.print()


if __name__ == "__main__":
    asyncio.run(main())
