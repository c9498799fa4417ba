"""Neighborhood latency on synthetic scholarly graphs: GraphQL over HTTP, graphdb, pure Python.

    .venv/bin/python bench/neighborhood.py --sizes 10k,100k,1m --samples 200
        [--stores falkordb,neo4j] [--cache DIR | --no-cache]

For each size it builds a synthetic graph (power-law authorship, ~30 venue series with years,
workshops, a preprint server, topics, institutions), then for each store (bench/_stores.py;
Neo4j for the sizes in NEO4J_SIZES only) loads it into a fresh, empty store (a bundled FalkorDB
in a temporary directory; Neo4j emptied) and times the 2- and 3-hop neighborhood (default
limit 200) of the same random researchers three ways in the same run:
  (a) GraphQL over HTTP: a `scholargraph serve` subprocess on the same store, on loopback,
  (b) graphdb.explorer.neighborhood alone, in this process,
  (c) the same breadth-first walk in pure Python over an in-memory adjacency list.
Each store's row has its own (c), measured interleaved with its (a) and (b). After the samples
it prints the resident memory (VmRSS) of the API process and of the store's server.

The generated graph (a pickle) and FalkorDB's loaded graph (an RDB snapshot) are kept in the
cache directory, so a second run of the same size and seed skips generating and loading.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import pickle
import random
import resource
import statistics
import subprocess
import sys
import time
from bisect import bisect
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from _stores import (
    TITLES,
    Opened,
    SideBySide,
    Stores,
    add_stores_argument,
    bulk_load,
    chosen_stores,
    free_port,
    machine,
    percentile,
    rss_mib,
    save_falkordb,
    wait_ready,
)
from scholargraph.graphdb import explorer
from scholargraph.graphdb.model import Label, Rel
from scholargraph.graphdb.store import Store

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
# Loading 1m (8M relationships) into Neo4j takes the better part of an hour on 2 cores.
NEO4J_SIZES = ("10k", "100k")
LIMIT = 200
WARM_UP = 20  # researchers walked before timing, per store and hops
HOPS = (2, 3)
# Bump when `build` changes: cached graphs and snapshots carry it in their names.
GRAPH_VERSION = 1
DEFAULT_CACHE = (
    Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "scholargraph-bench"
)

QUERY = """
query Neighborhood($id: ID!, $hops: Int!, $limit: Int!) {
  neighborhood(id: $id, hops: $hops, limit: $limit) {
    truncated
    nodes { id label name distance }
    edges { source target type }
  }
}
"""

# Authors per paper, 1 to 8: most papers have a few.
AUTHOR_COUNTS = (1, 2, 3, 4, 5, 6, 7, 8)
AUTHOR_WEIGHTS = (8, 20, 24, 20, 13, 8, 4, 3)
LAB_SIZE = 30  # coauthors come partly from the first author's lab: real graphs cluster
LAB_SHARE = 0.6
VENUE_SERIES = 30
WORKSHOPS_PER_SERIES = 3
PREPRINT_SHARE = 0.2  # papers also posted on the preprint server: one very dense venue
TOPICS = 300
INSTITUTIONS = 2_000

FIRST = [
    "Ada",
    "Alan",
    "Ana",
    "Ben",
    "Carla",
    "Chen",
    "Dami",
    "Dara",
    "Eli",
    "Emma",
    "Ethan",
    "Fei",
    "Gia",
    "Hana",
    "Ilya",
    "Ines",
    "Jia",
    "Jonas",
    "Kai",
    "Kenji",
    "Lea",
    "Li",
    "Liam",
    "Maya",
    "Milad",
    "Nia",
    "Omar",
    "Pia",
    "Quinn",
    "Ravi",
    "Rosa",
    "Sam",
    "Sara",
    "Tao",
    "Uma",
    "Vera",
    "Wei",
    "Xin",
    "Yara",
    "Yuki",
    "Zoe",
]
LAST = [
    "Abbott",
    "Bauer",
    "Chen",
    "Dubois",
    "Egger",
    "Fischer",
    "Garcia",
    "Hansen",
    "Ito",
    "Jensen",
    "Kim",
    "Larsen",
    "Moreau",
    "Nakamura",
    "Novak",
    "Okafor",
    "Park",
    "Quispe",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Ueda",
    "Vargas",
    "Wang",
    "Weber",
    "Xu",
    "Yamada",
    "Zhang",
    "Zhou",
    "Ahmed",
    "Silva",
    "Kowalski",
    "Murphy",
    "Olsen",
    "Petrov",
    "Rahman",
    "Santos",
    "Singh",
    "Costa",
    "Lopez",
]
SYLLABLES = [
    "ba",
    "co",
    "de",
    "fi",
    "gu",
    "ka",
    "le",
    "mo",
    "nu",
    "pa",
    "ri",
    "so",
    "tu",
    "va",
    "xe",
    "zo",
    "ran",
    "ler",
    "tic",
    "bus",
    "ing",
]


def zipf_cumulative(n: int, exponent: float, offset: float) -> list[float]:
    total = 0.0
    cumulative = []
    for rank in range(n):
        total += (rank + offset) ** -exponent
        cumulative.append(total)
    return cumulative


def draw(rng: random.Random, cumulative: Sequence[float]) -> int:
    return bisect(cumulative, rng.random() * cumulative[-1])


@dataclass
class Graph:
    """The synthetic graph: node rows per label, edge rows per type, and an adjacency list."""

    nodes: dict[Label, list[dict[str, Any]]] = field(default_factory=dict)
    edges: dict[Rel, list[tuple[str, str, dict[str, Any]]]] = field(default_factory=dict)
    meta: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (label, name)
    around: dict[str, list[str]] = field(default_factory=dict)  # undirected neighbors
    out: dict[str, list[str]] = field(default_factory=dict)  # targets of outgoing edges
    researchers: list[str] = field(default_factory=list)

    def add_node(self, label: Label, node_id: str, name: str, **props: Any) -> None:
        key = "title" if label is Label.PAPER else "name"
        self.nodes.setdefault(label, []).append({"id": node_id, key: name, **props})
        self.meta[node_id] = (label.value, name)
        self.around[node_id] = []
        self.out[node_id] = []

    def add_edge(self, rel: Rel, src: str, dst: str, props: dict[str, Any] | None = None) -> None:
        self.edges.setdefault(rel, []).append((src, dst, props or {}))
        self.around[src].append(dst)
        self.around[dst].append(src)
        self.out[src].append(dst)

    @property
    def node_count(self) -> int:
        return len(self.meta)

    @property
    def edge_count(self) -> int:
        return sum(len(rows) for rows in self.edges.values())


def build(papers: int, seed: int = 7) -> Graph:
    rng = random.Random(seed)
    g = Graph()
    people = max(papers // 2, 50)
    for i in range(INSTITUTIONS):
        g.add_node(Label.INSTITUTION, f"institution:i{i}", f"Institute {i:04d}")
    for i in range(TOPICS):
        name = "".join(rng.choice(SYLLABLES) for _ in range(3)).title() + f" {i}"
        g.add_node(Label.TOPIC, f"topic:t{i}", name)
    g.add_node(Label.VENUE, "venue:preprints", "Preprints", kind="preprint_server")
    series = []
    for i in range(VENUE_SERIES):
        sid = f"venue:c{i}"
        g.add_node(Label.VENUE, sid, f"Conference {i:02d}", kind="conference")
        children = []
        for w in range(WORKSHOPS_PER_SERIES):
            wid = f"venue:c{i}-w{w}"
            g.add_node(Label.VENUE, wid, f"Conference {i:02d} Workshop {w}", kind="workshop")
            g.add_edge(Rel.PART_OF, wid, sid)
            children.append(wid)
        series.append((sid, children))

    # Productivity is a power law over a random ranking of people, so ids say nothing about it.
    ranking = list(range(people))
    rng.shuffle(ranking)
    by_rank = zipf_cumulative(people, exponent=0.75, offset=100)
    institution_rank = zipf_cumulative(INSTITUTIONS, exponent=1.0, offset=2)
    topic_rank = zipf_cumulative(TOPICS, exponent=0.9, offset=2)
    venue_rank = zipf_cumulative(VENUE_SERIES, exponent=1.0, offset=1)
    for i in range(people):
        rid = f"researcher:r{i}"
        g.add_node(Label.RESEARCHER, rid, f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}")
        g.researchers.append(rid)
        if rng.random() < 0.8:
            g.add_edge(Rel.AFFILIATED_WITH, rid, f"institution:i{draw(rng, institution_rank)}")
        for t in {draw(rng, topic_rank) for _ in range(rng.choice((0, 1, 2, 3)))}:
            g.add_edge(Rel.INTERESTED_IN, rid, f"topic:t{t}")

    years = list(range(1990, 2025))
    year_weights = list(itertools.accumulate(1.08 ** (y - 1990) for y in years))
    for p in range(papers):
        pid = f"paper:p{p}"
        title = " ".join("".join(rng.choice(SYLLABLES) for _ in range(2)) for _ in range(6))
        g.add_node(Label.PAPER, pid, title.capitalize())
        count = rng.choices(AUTHOR_COUNTS, AUTHOR_WEIGHTS)[0]
        first = ranking[draw(rng, by_rank)]
        lab = first - first % LAB_SIZE
        authors = [first]
        while len(authors) < count:
            if rng.random() < LAB_SHARE:
                other = min(lab + rng.randrange(LAB_SIZE), people - 1)
            else:
                other = ranking[draw(rng, by_rank)]
            if other not in authors:
                authors.append(other)
        for position, a in enumerate(authors, start=1):
            g.add_edge(Rel.AUTHORED, f"researcher:r{a}", pid, {"position": position})
        year = years[bisect(year_weights, rng.random() * year_weights[-1])]
        sid, children = series[draw(rng, venue_rank)]
        if rng.random() < 0.15:
            g.add_edge(
                Rel.PUBLISHED_AT, pid, rng.choice(children), {"year": year, "kind": "workshop"}
            )
        else:
            g.add_edge(Rel.PUBLISHED_AT, pid, sid, {"year": year, "kind": "conference"})
        if rng.random() < PREPRINT_SHARE:
            g.add_edge(Rel.PUBLISHED_AT, pid, "venue:preprints", {"year": year, "kind": "preprint"})
        for t in {draw(rng, topic_rank) for _ in range(rng.choice((1, 2, 3)))}:
            g.add_edge(Rel.HAS_TOPIC, pid, f"topic:t{t}")
    return g


def python_neighborhood(
    g: Graph, center: str, hops: int, limit: int, level_scan: int = explorer.LEVEL_SCAN
) -> tuple[list[str], list[tuple[str, str]], bool]:
    """The graphdb walk, in Python: level by level, reading at most max(limit + 1, level_scan)
    new neighbors per level, ordering them by (label, name, id) and keeping what fits."""
    meta, around = g.meta, g.around
    found: list[str] = []
    seen = {center}
    frontier = [center]
    for _ in range(hops):
        if not frontier:
            break
        take = limit - len(found) + 1
        scan = max(take, level_scan)
        candidates: dict[str, None] = {}
        for a in frontier:
            for b in around[a]:
                if b not in seen and b not in candidates:
                    candidates[b] = None
                    if len(candidates) == scan:
                        break
            if len(candidates) == scan:
                break
        level = sorted(candidates, key=lambda i: (*meta[i], i))[:take]
        if len(level) == take:
            found += level[:-1]
            return found, _edges_among(g, [center, *found]), True
        found += level
        seen.update(level)
        frontier = level
    return found, _edges_among(g, [center, *found]), False


def _edges_among(g: Graph, ids: list[str]) -> list[tuple[str, str]]:
    inside = set(ids)
    return [(a, b) for a in ids for b in g.out[a] if b in inside]


async def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    if asyncio.iscoroutine(result):
        result = await result
    return (time.perf_counter() - start) * 1000, result


@dataclass
class Row:
    """One size, hops and store: the table's row and the p50s behind its ratios."""

    text: str
    http_p50: float
    db_p50: float
    py_p50: float


@dataclass
class SizeRun:
    """One size: the graph's counts, generation and load times, and rows per store."""

    nodes: int
    edges: int
    built_s: float
    built_how: str = "generated"
    load_s: dict[str, float] = field(default_factory=dict)
    load_how: dict[str, str] = field(default_factory=dict)
    rows: dict[str, list[Row]] = field(default_factory=dict)
    memory: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)


def cached_graph(papers: int, seed: int, cache: Path | None) -> tuple[Graph, str]:
    """The synthetic graph, from the cache when it was built before with the same arguments."""
    path = cache / f"graph-{papers}-s{seed}-v{GRAPH_VERSION}.pickle" if cache else None
    if path is not None and path.exists():
        with path.open("rb") as handle:
            graph: Graph = pickle.load(handle)  # noqa: S301 (our own cache file)
        return graph, f"read from {path}"
    graph = build(papers, seed)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        with partial.open("wb") as handle:
            pickle.dump(graph, handle, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(path)
    return graph, "generated"


@asynccontextmanager
async def served(opened: Opened) -> AsyncIterator[tuple[httpx.AsyncClient, int]]:
    """`scholargraph serve` on the same store, a subprocess on loopback; the client and its pid."""
    port = free_port()
    env = opened.subprocess_env(
        SCHOLARGRAPH_LOG_LEVEL="warning",
        # The samples spend more than one client's cost budget a minute (docs/cost.md).
        SCHOLARGRAPH_COST_BUDGET_PER_MINUTE=str(10**9),
        # Execution is measured, not the response cache: the warm-up walks the same ids, so
        # with the cache on most timed requests were hits (bench/throughput.py has the cache).
        SCHOLARGRAPH_RESPONSE_CACHE_SIZE="0",
    )
    command = [sys.executable, "-m", "scholargraph.cli", "serve", "--port", str(port)]
    api = subprocess.Popen(command, env=env)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            await wait_ready(http, api)
            yield http, api.pid
    finally:
        api.terminate()
        try:
            api.wait(30)
        except subprocess.TimeoutExpired:
            api.kill()
            api.wait()


async def run_size(
    stores: Stores,
    names: Sequence[str],
    label: str,
    papers: int,
    samples: int,
    seed: int,
    cache: Path | None,
) -> SizeRun:
    started = time.perf_counter()
    g, how = cached_graph(papers, seed, cache)
    built = time.perf_counter() - started
    print(
        f"[{label}] {how}: {g.node_count:,} nodes, {g.edge_count:,} relationships in {built:.1f}s",
        flush=True,
    )
    rng = random.Random(seed + 1)
    chosen = rng.sample(g.researchers, min(samples, len(g.researchers)))
    run = SizeRun(g.node_count, g.edge_count, built, how)
    for name in names:
        if name == "neo4j" and label not in NEO4J_SIZES:
            print(f"[{label}] Neo4j skipped: only sizes {', '.join(NEO4J_SIZES)}", flush=True)
            continue
        snapshot = None
        if cache is not None and name == "falkordb":
            snapshot = cache / f"falkordb-{papers}-s{seed}-v{GRAPH_VERSION}.rdb"
        reuse = snapshot if snapshot is not None and snapshot.exists() else None
        started = time.perf_counter()
        # A throwaway graph: no append-only log while loading it.
        async with stores.fresh(name, timeout_ms=300_000, aof=False, snapshot=reuse) as opened:
            if reuse is None:
                await bulk_load(opened, g.nodes, g.edges)
                run.load_how[name] = f"bulk, {opened.bulk_batch:,} rows a batch"
            else:
                run.load_how[name] = f"started on the snapshot {reuse}"
            loaded = run.load_s[name] = time.perf_counter() - started
            print(f"[{label}] {opened.title}: {run.load_how[name]}: {loaded:.1f}s", flush=True)
            if snapshot is not None and reuse is None:
                await save_falkordb(opened, snapshot)
            async with served(opened) as (http, api_pid):
                run.rows[name] = [
                    await measure(label, g, opened, http, chosen, hops) for hops in HOPS
                ]
                run.memory[name] = (rss_mib(api_pid), rss_mib(opened.server_pid))
            api, db = run.memory[name]
            print(
                f"[{label}] {opened.title}: API process VmRSS {_mib(api)}, "
                f"{opened.title} server VmRSS {_mib(db)}",
                flush=True,
            )
    return run


def _mib(value: float | None) -> str:
    return "?" if value is None else f"{value:,.0f} MiB"


async def measure(
    label: str,
    g: Graph,
    opened: Opened,
    http: httpx.AsyncClient,
    chosen: Sequence[str],
    hops: int,
) -> Row:
    store: Store = opened.store
    http_ms: list[float] = []
    db_ms: list[float] = []
    py_ms: list[float] = []
    sizes: list[int] = []
    truncated = agree = exact = 0

    async def over_http(rid: str) -> dict[str, Any]:
        variables = {"id": rid, "hops": hops, "limit": LIMIT}
        response = await http.post("/graphql", json={"query": QUERY, "variables": variables})
        body: dict[str, Any] = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise RuntimeError(f"{rid}: {response.status_code} {body}")
        return body

    # Warm caches, connections and query plans (and a fresh Neo4j's JIT) on both paths.
    for rid in chosen[:WARM_UP]:
        await over_http(rid)
        await explorer.neighborhood(store, rid, hops, limit=LIMIT)
    for rid in chosen:
        t_http, _ = await timed(lambda rid=rid: over_http(rid))
        t_db, found = await timed(
            lambda rid=rid: explorer.neighborhood(store, rid, hops, limit=LIMIT)
        )
        t_py, (py_nodes, py_edges, py_truncated) = await timed(
            lambda rid=rid: python_neighborhood(g, rid, hops, LIMIT)
        )
        http_ms.append(t_http)
        db_ms.append(t_db)
        py_ms.append(t_py)
        sizes.append(len(found.nodes))
        truncated += found.truncated
        if not found.truncated:
            exact += 1
            same_nodes = [n.id for n in found.nodes] == py_nodes
            same_edges = len(found.edges) == len(py_edges)
            agree += same_nodes and same_edges and not py_truncated

    def p(values: list[float], q: int) -> float:
        return percentile(values, q)

    a50, b50, c50 = (statistics.median(v) for v in (http_ms, db_ms, py_ms))
    row = (
        f"| {label} | {opened.title} | {hops} | {statistics.mean(sizes):.0f} | {truncated}/{len(chosen)} "
        f"| {a50:.2f} | {p(http_ms, 99):.2f} | {b50:.2f} | {p(db_ms, 99):.2f} "
        f"| {c50:.3f} | {p(py_ms, 99):.3f} | {a50 / c50:.0f} | {b50 / c50:.0f} "
        f"| {a50 / b50:.2f} |"
    )
    print(row, flush=True)
    print(
        f"[{label}] {opened.title} hops={hops}: graphdb and Python agree on {agree}/{exact} "
        "untruncated neighborhoods",
        flush=True,
    )
    return Row(row, a50, b50, c50)


HEADER = (
    "| size | store | hops | nodes (mean) | truncated | (a) HTTP p50 ms | (a) p99 | (b) graphdb p50 ms "
    "| (b) p99 | (c) Python p50 ms | (c) p99 | a/c | b/c | a/b |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


async def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k,1m", help="comma-separated: 10k,100k,1m")
    parser.add_argument("--samples", type=int, default=200, help="researchers per size")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--cache",
        type=Path,
        default=DEFAULT_CACHE,
        help="where generated graphs and FalkorDB snapshots are kept between runs "
        f"(default {DEFAULT_CACHE})",
    )
    parser.add_argument("--no-cache", action="store_true", help="generate and load every time")
    add_stores_argument(parser)
    args = parser.parse_args(argv)
    cache = None if args.no_cache else args.cache
    sizes = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown sizes {unknown}; choose from {', '.join(SIZES)}")
    names = chosen_stores(parser, args.stores)
    print(f"{machine()}; stores: {', '.join(names)}; limit {LIMIT}; ratios of p50s", flush=True)
    results: dict[str, SizeRun] = {}
    async with Stores(names) as stores:
        for size in sizes:
            results[size] = await run_size(
                stores, names, size, SIZES[size], args.samples, args.seed, cache
            )
    print()
    print(HEADER)
    for run in results.values():
        for rows in run.rows.values():
            print("\n".join(r.text for r in rows))
    table = SideBySide(names)
    for size, run in results.items():
        table.add(
            f"neighborhood {size} ({run.nodes:,} nodes, {run.edges:,} relationships)",
            "load, s (bulk, or a cached snapshot)",
            {n: f"{secs:.1f}" for n, secs in run.load_s.items()},
            f"the graph in Python ({run.built_how.split(' ')[0]}): {run.built_s:.1f} s",
        )
        table.add(
            f"neighborhood {size}",
            "memory after the samples: API process / store server VmRSS, MiB",
            {n: f"{_mib(a)} / {_mib(b)}" for n, (a, b) in run.memory.items()},
            "",
        )
        by_store = run.rows
        for i, hops in enumerate(HOPS):
            bench = f"neighborhood {size}, {hops} hops ({args.samples} samples)"
            got = {name: rows[i] for name, rows in by_store.items()}
            baseline = ", ".join(f"{TITLES[n]} run {r.py_p50:.2f}" for n, r in got.items())
            table.add(
                bench,
                "(a) GraphQL over HTTP, p50 ms (x c)",
                {n: f"{r.http_p50:.2f} ({r.http_p50 / r.py_p50:.0f}x)" for n, r in got.items()},
                f"(c) pure-Python walk p50 ms: {baseline}",
            )
            table.add(
                bench,
                "(b) graphdb query alone, p50 ms (x c)",
                {n: f"{r.db_p50:.2f} ({r.db_p50 / r.py_p50:.0f}x)" for n, r in got.items()},
                "(c), as above",
            )
    table.print()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory of this process: {peak:,.0f} MiB", file=sys.stderr)


if __name__ == "__main__":
    asyncio.run(main())
