"""Import benchmark: the eight paperlists files into a fresh store, per store.

For each store (`--stores falkordb,neo4j`, see bench/_stores.py): a fresh, empty store (the
bundled FalkorDB in a temp dir; Neo4j emptied), seeded (as a real graph starts), and timed, in
the same run:
  (a) parsing the eight files alone (the floor: no identity resolution, no database),
  (b) the full import (load the graph's researchers, resolve, consolidate, write batches),
  (c) the same import again (idempotent: resolves everything to what exists, writes nothing new),
and prints records/second for each and the ratio to (a) per store, then both side by side.
(a) is measured once, before the stores. Machines here are noisy: read ratios.

    .venv/bin/python bench/import_paperlists.py [--batch-records 500] [--files DIR]
        [--stores falkordb,neo4j]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

from _stores import Opened, SideBySide, Stores, add_stores_argument, chosen_stores, machine
from scholargraph.graphdb.stats import GraphCounts, graph_counts
from scholargraph.ingest import load
from scholargraph.ingest.importer import ImportSummary, paperlists_sources, run_import
from scholargraph.ingest.records import PaperRecord

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
PAPERLISTS = ROOT.parent / "shared" / "data" / "paperlists"


def parse_only(files: list[Path]) -> tuple[float, int, int]:
    started = time.perf_counter()
    sources = paperlists_sources(files)
    elapsed = time.perf_counter() - started
    items = [item for source in sources for item in source.items]
    return elapsed, len(items), sum(isinstance(item, PaperRecord) for item in items)


def row(label: str, seconds: float, records: int, floor: float) -> str:
    rate = records / seconds if seconds else 0.0
    return f"| {label:<28} | {seconds:8.2f} | {rate:10,.0f} | {seconds / floor:8.1f} |"


def phases(summary: ImportSummary) -> str:
    return ", ".join(f"{name} {secs:.2f}" for name, secs in summary.phases.items())


@dataclass
class Run:
    first_s: float
    second_s: float
    first: ImportSummary
    second: ImportSummary
    counts: GraphCounts


async def run_store(opened: Opened, files: list[Path], batch_records: int) -> Run:
    store = opened.store
    await load.seed(store, SEEDS)
    started = time.perf_counter()
    first = await run_import(store, paperlists_sources(files), batch_records=batch_records)
    first_s = time.perf_counter() - started
    counts = await graph_counts(store)
    started = time.perf_counter()
    second = await run_import(store, paperlists_sources(files), batch_records=batch_records)
    second_s = time.perf_counter() - started
    assert await graph_counts(store) == counts, "a second import changed the counts"
    return Run(first_s, second_s, first, second, counts)


def report(title: str, run: Run, records: int, parse_s: float, batch_records: int) -> None:
    counts = run.counts
    print(f"\n{title}: batches of {batch_records} records; seed + import: ", end="")
    print(f"{counts.nodes:,} nodes, {counts.edges:,} relationships, ", end="")
    print(f"{counts.labels.get('Researcher', 0):,} researchers")
    print(f"| {'':<28} | {'seconds':>8} | {'records/s':>10} | {'x parse':>8} |")
    print(f"|{'-' * 30}|{'-' * 9}:|{'-' * 11}:|{'-' * 9}:|")
    print(row("(a) parse only", parse_s, records, parse_s))
    print(row("(b) import, fresh graph", run.first_s, records, parse_s))
    print(row("(c) import again (no change)", run.second_s, records, parse_s))
    print(f"(b) phases, s: {phases(run.first)}; {run.first.batches} batches, ", end="")
    print(f"{run.first.passes} passes")
    print(f"(c) phases, s: {phases(run.second)}", flush=True)


async def main(names: list[str], files: list[Path], batch_records: int) -> None:
    print(f"{machine()}; stores: {', '.join(names)}", flush=True)
    parse_s, records, accepted = parse_only(files)
    print(f"{len(files)} files, {records:,} records ({accepted:,} accepted papers)")
    runs: dict[str, Run] = {}
    async with Stores(names) as stores:
        for name in names:
            # Batches of a few thousand rows outlast the default 10 s read timeout.
            async with stores.fresh(name, timeout_ms=300_000) as opened:
                runs[name] = await run_store(opened, files, batch_records)
                title = f"{opened.title} {opened.version}".strip()
                report(title, runs[name], records, parse_s, batch_records)
    if len({(r.counts.nodes, r.counts.edges) for r in runs.values()}) > 1:
        print(
            "note: the stores ended with different counts: "
            + ", ".join(f"{n} {r.counts.nodes:,}/{r.counts.edges:,}" for n, r in runs.items())
        )
    table = SideBySide(names)
    bench = f"import ({len(files)} files, {records:,} records, batches of {batch_records})"
    baseline = f"(a) parse only: {parse_s:.2f} s"
    for figure, attr in (("(b) import, fresh graph", "first_s"), ("(c) import again", "second_s")):
        table.add(
            bench,
            f"{figure}, s (x a)",
            {
                n: f"{getattr(r, attr):.2f} ({getattr(r, attr) / parse_s:.0f}x)"
                for n, r in runs.items()
            },
            baseline,
        )
    table.add(
        bench,
        "(b) phases, s",
        {n: phases(r.first) for n, r in runs.items()},
        "",
    )
    table.print("ratios are to the baseline at the right")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch-records", type=int, default=500)
    parser.add_argument("--files", type=Path, default=PAPERLISTS)
    add_stores_argument(parser)
    args = parser.parse_args()
    stores = chosen_stores(parser, args.stores)
    paths = sorted(args.files.glob("*.json"))
    asyncio.run(main(stores, paths, args.batch_records))
