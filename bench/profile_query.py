"""Profile-query benchmark: the whole profile over GraphQL/HTTP vs the graphdb calls alone.

Starts the bundled FalkorDB in a temp dir, seeds it, optionally gives the seed researcher
extra synthetic works, then serves the API with uvicorn on loopback (a real socket, in a
subprocess attached to the same store) and times, in the same run:
  (a) the full profile query over HTTP,
  (b) the graphdb batch calls that answer it, made directly (the floor for the API),
and prints p50/p99 of each and the ratio a/b. Machines here are noisy: read the ratio.

    .venv/bin/python bench/profile_query.py [--extra-works 500] [--samples 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from scholargraph.graphdb import embedded, reads, writes
from scholargraph.graphdb.connect import ensure_schema
from scholargraph.graphdb.falkor_store import FalkorStore
from scholargraph.graphdb.model import Label, Rel
from scholargraph.graphdb.store import Store
from scholargraph.graphdb.writes import EdgeRow, NodeRow
from scholargraph.ingest import load

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SUBJECT = "researcher:will-grathwohl"
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


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--extra-works", type=int, default=500)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="sg-bench-"))
    server = embedded.start(data_dir)
    api: subprocess.Popen[bytes] | None = None
    try:
        store = FalkorStore.over_socket(str(server.socket), "scholargraph")
        await ensure_schema(store)
        await load.seed(store, SEEDS)
        await grow(store, args.extra_works)
        port = free_port()
        env = {
            **os.environ,
            "SCHOLARGRAPH_DATA_DIR": str(data_dir),
            "SCHOLARGRAPH_LOG_LEVEL": "warning",
            # A thousand works with authors and venues is past the default cost limit, and
            # the samples spend far more than one client's budget a minute (docs/cost.md).
            "SCHOLARGRAPH_MAX_QUERY_COST": "1000000",
            "SCHOLARGRAPH_COST_BUDGET_PER_MINUTE": "1000000000",
        }
        api = subprocess.Popen(
            [sys.executable, "-m", "scholargraph.cli", "serve", "--port", str(port)], env=env
        )
        url = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            while True:
                try:
                    if (await http.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.2)
            body = (
                await http.post("/graphql", json={"query": QUERY, "variables": {"id": SUBJECT}})
            ).json()
            assert "errors" not in body, body
            total = body["data"]["researcher"]["works"]["totalCount"]
            http_times, db_times = [], []
            for _ in range(args.samples):  # interleaved, so drift hits both alike
                t0 = time.perf_counter()
                await http.post("/graphql", json={"query": QUERY, "variables": {"id": SUBJECT}})
                t1 = time.perf_counter()
                await graphdb_profile(store, SUBJECT)
                t2 = time.perf_counter()
                http_times.append((t1 - t0) * 1000)
                db_times.append((t2 - t1) * 1000)
        print(f"profile of {SUBJECT}: {total} works, {args.samples} samples")
        print(f"{'':28}{'p50 ms':>10}{'p99 ms':>10}")
        print(
            f"{'(a) GraphQL over HTTP':28}{pct(http_times, 0.5):10.2f}{pct(http_times, 0.99):10.2f}"
        )
        print(
            f"{'(b) graphdb calls alone':28}{pct(db_times, 0.5):10.2f}{pct(db_times, 0.99):10.2f}"
        )
        print(f"ratio a/b p50: {statistics.median(http_times) / statistics.median(db_times):.2f}")
    finally:
        if api is not None:
            api.terminate()
            api.wait(30)
        server.stop()


if __name__ == "__main__":
    asyncio.run(main())
