"""Profile-query benchmark: the whole profile over GraphQL/HTTP against two floors.

For each store (`--stores falkordb,neo4j`, see bench/_stores.py): a fresh, empty store (the
bundled FalkorDB in a temp dir; Neo4j emptied), seeded, the seed researcher given synthetic
works up to `--small-works`, then the API served with uvicorn on loopback (a real socket, a
`scholargraph serve` subprocess on the same store) and, interleaved in the same run:
  (a) the full profile query over HTTP,
  (a0) with `--before SRC`: the same from a second `scholargraph serve` running another
       version's code (PYTHONPATH=SRC), on the same store: the before/after figure,
  (c) one hand-written Cypher query returning the same facts (FLOOR): target a/c <= 3;
then the researcher grown to `--works` works, and (a), (a0) against
  (b) the graphdb calls the API makes for it, called directly: target a/b <= 1.2.
It prints p50/p99 of each and the ratios per store, then both stores side by side. Machines
here are noisy: read the ratios.

    .venv/bin/python bench/profile_query.py [--small-works 90] [--works 512] [--samples 200]
        [--before /tmp/main-src] [--stores falkordb,neo4j]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
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
from scholargraph.app import create_app
from scholargraph.graphdb import reads, writes
from scholargraph.graphdb.model import Label, Rel
from scholargraph.graphdb.store import Store
from scholargraph.graphdb.writes import EdgeRow, NodeRow
from scholargraph.ingest import load
from scholargraph.settings import Settings

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
    """The graphdb calls the API makes for QUERY, called directly, in the same order and
    concurrency (the request's own count is checked against this in `store_calls`)."""
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
    degrees = (
        (Rel.FOLLOWS, "in"),
        (Rel.INTERESTED_IN, "out"),
        (Rel.GAVE, "out"),
        (Rel.RECEIVED, "out"),
        (Rel.OWNS, "in"),
    )
    found, works, collaborators, _ = await asyncio.gather(
        asyncio.gather(*(reads.linked(store, ids, r, d) for r, d in hops)),  # type: ignore[arg-type]
        reads.works(store, ids),
        reads.collaborators(store, ids),
        asyncio.gather(*(reads.degrees(store, ids, r, d) for r, d in degrees)),  # type: ignore[arg-type]
    )
    papers = [w.paper for w in works[rid]]
    coauthors = collaborators[rid][:20]
    awards = [e.other for e in found[5][0].get(rid, [])]
    await asyncio.gather(
        reads.linked(store, awards, Rel.AWARD_FOR, "out"),
        reads.nodes_by_ids(store, papers),
        reads.nodes_by_ids(store, [c.researcher for c in coauthors]),
        reads.linked(store, awards, Rel.FUNDED_BY, "out"),
    )
    # The page's authors and venues, with their nodes, in one call each (Loaders.prefetch).
    await asyncio.gather(
        reads.linked(store, papers, Rel.AUTHORED, "in"),
        reads.linked(store, papers, Rel.PUBLISHED_AT, "out"),
    )
    return len(papers)


# The same facts as QUERY in one hand-written query: the floor a GraphQL layer over this store
# could reach. Orders and limits are left to the client, as a hand-written app would.
FLOOR = f"""
MATCH (r:{Label.RESEARCHER} {{id: $id}})
CALL {{ WITH r
  MATCH (r)-[:{Rel.AUTHORED}]->(p:{Label.PAPER})
  OPTIONAL MATCH (p)-[pub:{Rel.PUBLISHED_AT}]->(v:{Label.VENUE})
  WITH p, collect([v.name, pub.year, pub.kind, pub.presentation, pub.honors]) AS pubs
  OPTIONAL MATCH (p)<-[au:{Rel.AUTHORED}]-(c:{Label.RESEARCHER})
  WITH p, pubs, collect([au.position, au.equalContribution, c.id, c.name]) AS authors
  RETURN collect([p.id, p.title, pubs, authors]) AS works
}}
CALL {{ WITH r
  OPTIONAL MATCH (r)-[:{Rel.AUTHORED}]->(p:{Label.PAPER})<-[:{Rel.AUTHORED}]-(c:{Label.RESEARCHER})
  WHERE c.id <> r.id
  WITH c, count(DISTINCT p) AS shared
  ORDER BY shared DESC, c.name
  RETURN collect([c.name, shared])[..20] AS coauthors, count(c) AS coauthorCount
}}
RETURN r.id AS id, r.name AS name, r.aliases AS aliases, r.bio AS bio, r.linksJson AS links,
  r.sources AS sources,
  [(r)-[af:{Rel.AFFILIATED_WITH}]->(ai) | [ai.name, af.role, af.since]] AS affiliations,
  [(r)-[ed:{Rel.EDUCATED_AT}]->(ei) | [ei.name, ed.degree, ed.year]] AS education,
  [(r)-[:{Rel.SUPERVISED_BY}]->(sv) | sv.name] AS supervisors,
  [(r)-[:{Rel.INTERESTED_IN}]->(tp) | tp.name] AS topics,
  works, coauthors, coauthorCount,
  [(r)-[:{Rel.GAVE}]->(tk) | [tk.title, tk.event, tk.date]] AS talks,
  [(r)-[rc:{Rel.RECEIVED}]->(aw) | [aw.name, aw.amount, rc.year,
    [(aw)-[:{Rel.FUNDED_BY}]->(fu) | fu.name], [(aw)-[:{Rel.AWARD_FOR}]->(ap) | ap.title]]]
    AS awards,
  size([(r)<-[:{Rel.FOLLOWS}]-(fx) | fx.id]) AS followers,
  size([(r)<-[:{Rel.OWNS}]-(ox) | ox.id]) AS owners
"""


async def floor(store: Store, rid: str) -> int:
    rows = await store.read(FLOOR, {"id": rid})
    return len(rows[0]["works"])


async def grow(store: Store, start: int, stop: int) -> None:
    """Synthetic works `start` to `stop` for SUBJECT, each with a coauthor and a venue."""
    nodes = [NodeRow("venue:bench", Label.VENUE, "bench", {"name": "Bench Venue"})]
    edges = []
    for i in range(start, stop):
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
    for first in range(0, len(nodes), 2000):
        await writes.upsert(store, nodes[first : first + 2000], [])
    for first in range(0, len(edges), 2000):
        await writes.upsert(store, [], edges[first : first + 2000])


async def store_calls(store: Store) -> int:
    """How many store calls the API makes for QUERY (in-process, on the same store)."""
    app = create_app(Settings(max_query_cost=1_000_000, response_cache_size=0), store=store)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        before = store.counters.round_trips
        response = await http.post("/graphql", json={"query": QUERY, "variables": {"id": SUBJECT}})
        assert "errors" not in response.json(), response.text
        return store.counters.round_trips - before


@dataclass
class Phase:
    """One size of the profile: each figure's samples, interleaved in rounds."""

    works: int
    ms: dict[str, list[float]] = field(default_factory=dict)

    def p50(self, figure: str) -> float:
        return statistics.median(self.ms[figure])


Timed = Callable[[], Awaitable[object]]


async def measure(works: int, figures: dict[str, Timed], samples: int) -> Phase:
    for _ in range(WARM_UP):  # plans, caches, a fresh Neo4j's JIT: every path
        for run in figures.values():
            await run()
    phase = Phase(works, {name: [] for name in figures})
    for _ in range(samples):  # interleaved, so drift hits every figure alike
        for name, run in figures.items():
            t0 = time.perf_counter()
            await run()
            phase.ms[name].append((time.perf_counter() - t0) * 1000)
    return phase


@dataclass
class Result:
    small: Phase
    large: Phase
    request_calls: int
    graphdb_calls: int


class Api:
    """`scholargraph serve` on the opened store, from this checkout or from `src`."""

    def __init__(self, opened: Opened, src: Path | None) -> None:
        self.port = free_port()
        env = opened.subprocess_env(
            SCHOLARGRAPH_LOG_LEVEL="warning",
            # A thousand works with authors and venues is past the default cost limit, and the
            # samples spend far more than one client's budget a minute (docs/cost.md).
            SCHOLARGRAPH_MAX_QUERY_COST="1000000",
            SCHOLARGRAPH_COST_BUDGET_PER_MINUTE="1000000000",
            # The machines are shared; a sample cut off by the default deadline would be lost.
            SCHOLARGRAPH_QUERY_TIMEOUT_MS="120000",
            # Every sample asks the same query of an unchanged graph: with the response cache
            # on, (a) after the first would time a kept answer, not the execution.
            SCHOLARGRAPH_RESPONSE_CACHE_SIZE="0",
        )
        if src is not None:
            env["PYTHONPATH"] = str(src)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "scholargraph.cli", "serve", "--port", str(self.port)],
            env=env,
        )
        self.http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.port}", timeout=60)

    async def start(self) -> Api:
        await wait_ready(self.http, self.process)
        return self

    async def profile(self) -> int:
        payload = {"query": QUERY, "variables": {"id": SUBJECT}}
        body = (await self.http.post("/graphql", json=payload)).json()
        assert "errors" not in body, body
        total: int = body["data"]["researcher"]["works"]["totalCount"]
        return total

    async def close(self) -> None:
        await self.http.aclose()
        self.process.terminate()
        self.process.wait(60)


async def run_store(
    opened: Opened, small: int, large: int, samples: int, before: Path | None
) -> Result:
    store = opened.store
    await load.seed(store, SEEDS)
    seeded = len((await reads.works(store, [SUBJECT]))[SUBJECT])
    await grow(store, 0, max(0, small - seeded))
    apis = [Api(opened, None)] + ([Api(opened, before)] if before else [])
    try:
        await asyncio.gather(*(api.start() for api in apis))
        figures: dict[str, Timed] = {"(a) GraphQL over HTTP": apis[0].profile}
        if before:
            figures["(a0) the same, code before"] = apis[1].profile
        works = await apis[0].profile()
        phase_small = await measure(
            works, {**figures, "(c) one hand-written query": lambda: floor(store, SUBJECT)}, samples
        )
        await grow(store, max(0, small - seeded), max(0, large - seeded))
        works = await apis[0].profile()
        phase_large = await measure(
            works,
            {**figures, "(b) graphdb calls alone": lambda: graphdb_profile(store, SUBJECT)},
            samples,
        )
    finally:
        for api in apis:
            await api.close()
    before_calls = store.counters.round_trips
    await graphdb_profile(store, SUBJECT)
    graphdb_calls = store.counters.round_trips - before_calls
    return Result(phase_small, phase_large, await store_calls(store), graphdb_calls)


TARGETS = {"(b) graphdb calls alone": 1.2, "(c) one hand-written query": 3.0}


def report(title: str, result: Result) -> None:
    print(
        f"\n{title}: profile of {SUBJECT}; the request makes {result.request_calls} store "
        f"calls, (b) makes {result.graphdb_calls}"
    )
    for phase in (result.small, result.large):
        print(f"{phase.works} works, {len(next(iter(phase.ms.values())))} samples")
        print(f"{'':32}{'p50 ms':>10}{'p99 ms':>10}")
        for name, values in phase.ms.items():
            print(f"{name:32}{percentile(values, 50):10.2f}{percentile(values, 99):10.2f}")
        base = next(name for name in TARGETS if name in phase.ms)
        for name in phase.ms:
            if name.startswith("(a"):
                ratio = phase.p50(name) / phase.p50(base)
                target = f" (target <= {TARGETS[base]}x)" if name.startswith("(a)") else ""
                print(f"ratio {name[:4]}/{base[:3]} p50: {ratio:.2f}{target}")
    print(flush=True)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small-works", type=int, default=90, help="works for the (c) floor")
    parser.add_argument("--works", type=int, default=512, help="works for (b)")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument(
        "--before",
        type=Path,
        default=None,
        help="a src/ folder of another version of scholargraph (e.g. `git archive main src`), "
        "served beside this one on the same store: figure (a0)",
    )
    add_stores_argument(parser)
    args = parser.parse_args()
    names = chosen_stores(parser, args.stores)
    print(f"{machine()}; stores: {', '.join(names)}", flush=True)
    results: dict[str, Result] = {}
    async with Stores(names) as stores:
        for name in names:
            async with stores.fresh(name, graph="scholargraph", timeout_ms=60_000) as opened:
                results[name] = await run_store(
                    opened, args.small_works, args.works, args.samples, args.before
                )
                report(f"{opened.title} {opened.version}".strip(), results[name])
    table = SideBySide(names)
    for size in ("small", "large"):
        phases = {n: getattr(r, size) for n, r in results.items()}
        first = next(iter(phases.values()))
        base = next(name for name in TARGETS if name in first.ms)
        bench = f"profile ({first.works} works, {args.samples} samples)"
        for figure in first.ms:
            values = {}
            for n, phase in phases.items():
                p50 = phase.p50(figure)
                ratio = "" if figure == base else f" ({p50 / phase.p50(base):.2f}x)"
                values[n] = f"{p50:.1f}{ratio}"
            note = "the baseline" if figure == base else f"x {base[:3]}"
            if figure.startswith("(a)"):
                note += f", target <= {TARGETS[base]}x"
            table.add(bench, f"{figure}, p50 ms", values, note)
    table.print()


if __name__ == "__main__":
    asyncio.run(main())
