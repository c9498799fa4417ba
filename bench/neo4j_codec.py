"""Neo4j driver codec: the profile's graphdb calls against a running Neo4j, timed in-process.

Run it twice, once in an environment with `neo4j-rust-ext` (the driver's Rust PackStream
codec, a drop-in) and once without, side by side on the same server, to decide whether the
extension pays for itself:

    ./run neo4j --port 17690 --data /tmp/codec-neo4j &
    SCHOLARGRAPH_NEO4J_URI=bolt://127.0.0.1:17690 .venv/bin/python bench/neo4j_codec.py --load
    SCHOLARGRAPH_NEO4J_URI=bolt://127.0.0.1:17690 .venv/bin/python bench/neo4j_codec.py
    SCHOLARGRAPH_NEO4J_URI=bolt://127.0.0.1:17690 /tmp/venv-rust/bin/python bench/neo4j_codec.py

It prints the codec in use and the p50/p99 of the profile's batch calls (512 works, about
1,000 author rows). `--load` empties the database and loads the seed plus 500 extra works.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time

from _stores import percentile
from profile_query import SEEDS, SUBJECT, graphdb_profile, grow
from scholargraph.graphdb.connect import ensure_schema
from scholargraph.graphdb.neo4j_store import Neo4jStore
from scholargraph.ingest import load


def codec() -> str:
    try:
        import neo4j._rust  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        return "pure Python"
    return "Rust (neo4j-rust-ext)"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--load", action="store_true", help="empty the database and load it")
    parser.add_argument("--samples", type=int, default=50)
    args = parser.parse_args()
    uri = os.environ["SCHOLARGRAPH_NEO4J_URI"]
    store = await Neo4jStore.connect(uri, "neo4j", "", "neo4j", timeout_ms=120_000)
    try:
        if args.load:
            await store.write("MATCH (n) DETACH DELETE n")
            await ensure_schema(store)
            await load.seed(store, SEEDS)
            await grow(store, 500)
        for _ in range(5):
            await graphdb_profile(store, SUBJECT)
        times = []
        for _ in range(args.samples):
            started = time.perf_counter()
            await graphdb_profile(store, SUBJECT)
            times.append((time.perf_counter() - started) * 1000)
    finally:
        await store.close()
    print(
        f"codec: {codec()}; profile graphdb calls, {args.samples} samples: "
        f"p50 {statistics.median(times):.1f} ms, p99 {percentile(times, 99):.1f} ms"
    )


if __name__ == "__main__":
    asyncio.run(main())
