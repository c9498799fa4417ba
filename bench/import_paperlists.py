"""Import benchmark: the eight paperlists files into a fresh embedded FalkorDB.

Starts the bundled FalkorDB in a temp dir, seeds it (as a real graph starts), and times, in
the same run:
  (a) parsing the eight files alone (the floor: no identity resolution, no database),
  (b) the full import (load the graph's researchers, resolve, consolidate, write batches),
  (c) the same import again (idempotent: resolves everything to what exists, writes nothing new),
and prints records/second for each and the ratio to (a). Machines here are noisy: read ratios.

    .venv/bin/python bench/import_paperlists.py [--batch-records 500] [--files DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from scholargraph.graphdb import embedded
from scholargraph.graphdb.connect import ensure_schema
from scholargraph.graphdb.falkor_store import FalkorStore
from scholargraph.graphdb.stats import graph_counts
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


async def main(files: list[Path], batch_records: int) -> None:
    parse_s, records, accepted = parse_only(files)
    with tempfile.TemporaryDirectory(prefix="sg-import-bench-") as tmp:
        server = embedded.start(Path(tmp))
        # Batches of a few thousand rows outlast the default 10 s read timeout.
        store = FalkorStore.over_socket(str(server.socket), "bench", timeout_ms=300_000)
        try:
            await ensure_schema(store)
            await load.seed(store, SEEDS)
            started = time.perf_counter()
            sources = paperlists_sources(files)
            first = await run_import(store, sources, batch_records=batch_records)
            first_s = time.perf_counter() - started
            counts = await graph_counts(store)
            started = time.perf_counter()
            second = await run_import(store, paperlists_sources(files), batch_records=batch_records)
            second_s = time.perf_counter() - started
            assert await graph_counts(store) == counts, "a second import changed the counts"
        finally:
            await store.close()
            server.stop()
    print(f"{len(files)} files, {records:,} records ({accepted:,} accepted papers)")
    print(f"batches of {batch_records} records; seed + import: {counts.nodes:,} nodes, ", end="")
    print(f"{counts.edges:,} relationships, {counts.labels.get('Researcher', 0):,} researchers")
    print()
    print(f"| {'':<28} | {'seconds':>8} | {'records/s':>10} | {'x parse':>8} |")
    print(f"|{'-' * 30}|{'-' * 9}:|{'-' * 11}:|{'-' * 9}:|")
    print(row("(a) parse only", parse_s, records, parse_s))
    print(row("(b) import, fresh graph", first_s, records, parse_s))
    print(row("(c) import again (no change)", second_s, records, parse_s))
    print()
    print(f"(b) phases, s: {phases(first)}; {first.batches} batches, {first.passes} passes")
    print(f"(c) phases, s: {phases(second)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch-records", type=int, default=500)
    parser.add_argument("--files", type=Path, default=PAPERLISTS)
    args = parser.parse_args()
    paths = sorted(args.files.glob("*.json"))
    asyncio.run(main(paths, args.batch_records))
