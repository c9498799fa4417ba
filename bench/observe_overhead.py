"""What metrics, JSON access logs and traces cost the README query over HTTP, as ratios in one run.

For each store (`--stores`, see bench/_stores.py): a fresh store, seeded; four `scholargraph
serve` processes on it, differing only in observability:
  bare     SCHOLARGRAPH_METRICS=false, no traces (log level warning: no access lines)
  metrics  the default: /metrics counting
  +logs    metrics, and SCHOLARGRAPH_LOG_FORMAT=json at level info (an access line per request)
  +traces  metrics, and OTEL_TRACES_EXPORTER=console (every span serialized, to /dev/null)
The README query goes to each in turn, `--samples` times (so a busy machine's drift hits all
alike); p50 and p99 per process and each p50 as a ratio to bare's.

    .venv/bin/python bench/observe_overhead.py [--samples 200] [--stores falkordb]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from _stores import (
    Opened,
    Stores,
    add_stores_argument,
    chosen_stores,
    free_port,
    machine,
    percentile,
    readme_query,
    wait_ready,
)
from scholargraph.ingest import load

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
WARM_UP = 10
README_QUERY = readme_query("ReadmeProfile")
MODES: dict[str, dict[str, str]] = {
    "bare": {"SCHOLARGRAPH_METRICS": "false"},
    "metrics": {},
    "+logs": {"SCHOLARGRAPH_LOG_FORMAT": "json", "SCHOLARGRAPH_LOG_LEVEL": "info"},
    "+traces": {"OTEL_TRACES_EXPORTER": "console", "OTEL_SERVICE_NAME": "bench"},
}


async def run_store(opened: Opened, samples: int) -> dict[str, list[float]]:
    await load.seed(opened.store, SEEDS)
    apis: dict[str, tuple[subprocess.Popen[bytes], httpx.AsyncClient]] = {}
    try:
        for mode, extra in MODES.items():
            port = free_port()
            env = opened.subprocess_env(**{
                "SCHOLARGRAPH_LOG_LEVEL": "warning",
                "SCHOLARGRAPH_COST_BUDGET_PER_MINUTE": "1000000000",
                **extra,
            })  # fmt: skip
            env.pop("PROMETHEUS_MULTIPROC_DIR", None)
            for name in ("OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT"):
                if name not in extra:
                    env.pop(name, None)
            api = subprocess.Popen(
                [sys.executable, "-m", "scholargraph.cli", "serve", "--port", str(port)],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60)
            apis[mode] = (api, http)
            await wait_ready(http, api)
        payload = {"query": README_QUERY}
        for _ in range(WARM_UP):
            for _, http in apis.values():
                body = (await http.post("/graphql", json=payload)).json()
                assert "errors" not in body, body
        times: dict[str, list[float]] = {mode: [] for mode in MODES}
        for _ in range(samples):
            for mode, (_, http) in apis.items():
                started = time.perf_counter()
                await http.post("/graphql", json=payload)
                times[mode].append((time.perf_counter() - started) * 1000)
        return times
    finally:
        for api, http in apis.values():
            await http.aclose()
            api.terminate()
            api.wait(60)


def report(title: str, times: dict[str, list[float]]) -> None:
    bare = statistics.median(times["bare"])
    print(f"\n{title}: the README query over HTTP, {len(times['bare'])} samples per process")
    print(f"{'':12}{'p50 ms':>10}{'p99 ms':>10}{'p50 / bare':>12}")
    for mode, samples in times.items():
        p50 = percentile(samples, 50)
        print(f"{mode:12}{p50:10.2f}{percentile(samples, 99):10.2f}{p50 / bare:12.3f}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=200)
    add_stores_argument(parser)
    args = parser.parse_args()
    names = chosen_stores(parser, args.stores)
    print(f"{machine()}; stores: {', '.join(names)}", flush=True)
    async with Stores(names) as stores:
        for name in names:
            async with stores.fresh(name) as opened:
                report(opened.title, await run_store(opened, args.samples))


if __name__ == "__main__":
    asyncio.run(main())
