"""Suggestions on the imported graph: `suggest` latency, graphdb call and GraphQL over HTTP.

Per store: the seed and the eight paper lists imported (~19.5k researchers), then the API
served by a `scholargraph serve` subprocess on the same store, and, for the same prefixes in
the same run, interleaved: (a) `suggest(prefix:, first: 10)` over HTTP, (b) the graphdb call
`graphdb.suggest.suggest`, and the baseline (c) the existing full-text `graphdb.search.search`
for the same prefix. Prefixes: 1 to 6 letters of researcher names, paper titles and venue
names picked with a fixed seed, and a few typed names ("Joern", "jorn-henrik").
"""

from __future__ import annotations

import argparse
import asyncio
import random
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
    wait_ready,
)
from scholargraph.graphdb import search, suggest
from scholargraph.graphdb.model import Label
from scholargraph.ingest import load
from scholargraph.ingest.importer import import_paperlists

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
PAPERLISTS = REPO.parent / "shared" / "data" / "paperlists"
QUERY = "query($p: String!) { suggest(prefix: $p, first: 10) { id type label matched match } }"
TYPED = ["Joern", "jorn-henrik", "JÖRN", "will g", "geoffrey hin", "iclr", "energy based"]
WARM_UP = 20


async def prefixes(opened: Opened, count: int) -> list[str]:
    names: list[str] = []
    for label, prop in ((Label.RESEARCHER, "name"), (Label.PAPER, "title"), (Label.VENUE, "name")):
        rows = await opened.store.read(
            f"MATCH (n:{label}) RETURN n.{prop} AS s ORDER BY n.id LIMIT 5000"
        )
        names += [row["s"] for row in rows if row["s"]]
    rng = random.Random(14)
    picked = [name[: rng.randint(1, 6)] for name in rng.sample(names, count - len(TYPED))]
    return [*TYPED, *picked]


@dataclass
class Result:
    researchers: int
    http_ms: list[float]
    db_ms: list[float]
    search_ms: list[float]
    empty: int  # prefixes with no suggestion


async def run_store(opened: Opened, files: list[Path], count: int, rounds: int) -> Result:
    store = opened.store
    await load.seed(store, SEEDS)
    summary = await import_paperlists(store, files)
    assert summary.failed_files == [], summary.failed_files
    researchers = (await store.read(f"MATCH (n:{Label.RESEARCHER}) RETURN count(n) AS n"))[0]["n"]
    chosen = await prefixes(opened, count)
    port = free_port()
    env = opened.subprocess_env(
        SCHOLARGRAPH_LOG_LEVEL="warning",
        SCHOLARGRAPH_COST_BUDGET_PER_MINUTE="1000000000",
        # Every prefix is asked once per round: with the response cache on, every round after
        # the first would time the cache (bench/throughput.py has it), not the suggestion.
        SCHOLARGRAPH_RESPONSE_CACHE_SIZE="0",
    )
    api = subprocess.Popen(
        [sys.executable, "-m", "scholargraph.cli", "serve", "--port", str(port)], env=env
    )
    http_ms: list[float] = []
    db_ms: list[float] = []
    search_ms: list[float] = []
    empty = 0
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            await wait_ready(http, api)
            for prefix in chosen[:WARM_UP]:  # plans, caches, a fresh Neo4j's JIT: every path
                await http.post("/graphql", json={"query": QUERY, "variables": {"p": prefix}})
                await suggest.suggest(store, prefix, None, 10)
                await search.search(store, prefix)
            for _ in range(rounds):
                for prefix in chosen:  # interleaved, so drift hits all three alike
                    t0 = time.perf_counter()
                    response = await http.post(
                        "/graphql", json={"query": QUERY, "variables": {"p": prefix}}
                    )
                    t1 = time.perf_counter()
                    found = await suggest.suggest(store, prefix, None, 10)
                    t2 = time.perf_counter()
                    await search.search(store, prefix)
                    t3 = time.perf_counter()
                    body = response.json()
                    assert "errors" not in body, body
                    empty += not found
                    http_ms.append((t1 - t0) * 1000)
                    db_ms.append((t2 - t1) * 1000)
                    search_ms.append((t3 - t2) * 1000)
    finally:
        api.terminate()
        api.wait(60)
    return Result(int(researchers), http_ms, db_ms, search_ms, empty)


def report(title: str, result: Result) -> None:
    print(f"\n{title}: {result.researchers} researchers, {len(result.db_ms)} samples")
    print(f"{'':36}{'p50 ms':>10}{'p99 ms':>10}")
    for name, values in (
        ("(a) suggest, GraphQL over HTTP", result.http_ms),
        ("(b) suggest, graphdb call", result.db_ms),
        ("(c) search, graphdb call (baseline)", result.search_ms),
    ):
        print(f"{name:36}{percentile(values, 50):10.2f}{percentile(values, 99):10.2f}")
    print(f"prefixes with no suggestion: {result.empty} of {len(result.db_ms)}", flush=True)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--prefixes", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--lists", type=int, default=8, help="how many of the eight paper lists to import"
    )
    add_stores_argument(parser)
    args = parser.parse_args()
    names = chosen_stores(parser, args.stores)
    files = sorted(PAPERLISTS.glob("*.json"))[: args.lists]
    print(f"{machine()}; stores: {', '.join(names)}; lists: {len(files)}", flush=True)
    results: dict[str, Result] = {}
    async with Stores(names) as stores:
        for name in names:
            async with stores.fresh(name, graph="scholargraph", timeout_ms=600_000) as opened:
                results[name] = await run_store(opened, files, args.prefixes, args.rounds)
                report(f"{opened.title} {opened.version}".strip(), results[name])
    table = SideBySide(names)
    bench = f"suggest ({args.prefixes} prefixes x {args.rounds})"
    for figure, pick, baseline in (
        ("(a) suggest over HTTP, p50 / p99 ms", lambda r: r.http_ms, ""),
        ("(b) suggest graphdb call, p50 / p99 ms", lambda r: r.db_ms, ""),
        ("(c) search graphdb call, p50 / p99 ms", lambda r: r.search_ms, "(c) is the baseline"),
    ):
        table.add(
            bench,
            figure,
            {
                n: f"{percentile(pick(r), 50):.2f} / {percentile(pick(r), 99):.2f}"
                for n, r in results.items()
            },
            baseline,
        )
    table.print("p50 / p99 of the same prefixes, interleaved")


if __name__ == "__main__":
    asyncio.run(main())
