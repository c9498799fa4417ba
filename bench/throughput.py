"""Throughput bench: the README query at 32 concurrent clients, for 1 and 2 workers.

    .venv/bin/python bench/throughput.py [--workers 1,2] [--clients 32] [--seconds 20]

Seeds a fresh temporary data directory (`scholargraph seed`: the README query needs only the
seed), then for each worker count N serves it with `scholargraph serve --workers N` (the
bundled FalkorDB) and drives --clients closed-loop clients (no think time) posting the README
query ("Try, in GraphiQL"), twice: with the response cache (the default) and, as the same-run
baseline, with it off (SCHOLARGRAPH_RESPONSE_CACHE_SIZE=0); then GET /healthz, the floor of
the HTTP stack. Prints requests/s, p50, p99 and errors per row, and the target: >= 400
requests/s with p99 < 100 ms and 0 errors.

The client is wrk (Debian: `apt-get install -y wrk`) with a Lua script that also counts 200
answers holding GraphQL `errors`; without wrk a Python client (httpx, one event loop) is used,
which itself takes most of a core and measures less. The cost budget is raised so that the
bench's one address is never RATE_LIMITED (a default budget would refuse it within seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _stores import free_port, machine, readme_query

REPO = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "scholargraph.cli"]
TARGET_RPS, TARGET_P99_MS = 400, 100


@dataclass
class Row:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body)
  if status ~= 200 or (body and body:find('"errors"', 1, true)) then bad = bad + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("bad") end
  io.write(string.format("requests: %d\\n", summary.requests))
  io.write(string.format("duration_us: %d\\n", summary.duration))
  io.write(string.format("p50_us: %d\\n", latency:percentile(50)))
  io.write(string.format("p99_us: %d\\n", latency:percentile(99)))
  io.write(string.format("socket_errors: %d\\n", summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
  io.write(string.format("bad: %d\\n", total))
end
"""


def run_wrk(name: str, url: str, body: str | None, clients: int, seconds: int) -> Row:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        if body is not None:
            script.write(f"wrk.method = 'POST'\nwrk.body = {json.dumps(body)}\n")
            script.write("wrk.headers['Content-Type'] = 'application/json'\n")
        script.write(WRK_SCRIPT)
    try:
        out = subprocess.run(
            ["wrk",  # noqa: S607 (found on PATH, as the docstring says)
             f"-t{min(2, clients)}", f"-c{clients}", f"-d{seconds}s", "--timeout", "10s",
             "-s", script.name, url],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(script.name)
    values = {k: int(v) for k, v in re.findall(r"^(\w+): (\d+)$", out, re.M)}
    return Row(
        name,
        values["requests"],
        values["duration_us"] / 1e6,
        values["p50_us"] / 1e3,
        values["p99_us"] / 1e3,
        values["bad"] + values["socket_errors"],
    )


async def _python_client(name: str, url: str, body: str | None, clients: int, seconds: int) -> Row:
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=10) as http:

        async def one_client() -> None:
            nonlocal errors
            while time.perf_counter() < stop:
                started = time.perf_counter()
                try:
                    if body is None:
                        response = await http.get(url)
                    else:
                        response = await http.post(
                            url, content=body, headers={"content-type": "application/json"}
                        )
                    bad = response.status_code != 200 or b'"errors"' in response.content
                except httpx.HTTPError:
                    bad = True
                latencies.append(time.perf_counter() - started)
                errors += bad

        began = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        elapsed = time.perf_counter() - began
    latencies.sort()

    def pick(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000

    return Row(name, len(latencies), elapsed, pick(0.50), pick(0.99), errors)


def drive(name: str, url: str, body: str | None, clients: int, seconds: int) -> Row:
    if shutil.which("wrk"):
        return run_wrk(name, url, body, clients, seconds)
    return asyncio.run(_python_client(name, url, body, clients, seconds))


class Served:
    """`scholargraph serve --workers N` on the data dir, until stop()."""

    def __init__(self, data_dir: Path, workers: int, **settings: str) -> None:
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCHOLARGRAPH_")}
        env.update(
            SCHOLARGRAPH_DATA_DIR=str(data_dir),
            SCHOLARGRAPH_COST_BUDGET_PER_MINUTE=str(10**12),
            SCHOLARGRAPH_LOG_LEVEL="warning",
            **settings,
        )
        # A file, not a pipe: a pipe nobody reads would block the server once it is full.
        self.log = tempfile.TemporaryFile("w+")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            [*CLI, "serve", "--port", str(self.port), "--workers", str(workers)],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.log.seek(0)
                raise SystemExit(f"serve did not start: {self.log.read()}")
            time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(120)
        self.log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=20, help="per row")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    body = json.dumps({"query": readme_query()})
    client = (
        "wrk" if shutil.which("wrk") else "a Python client (install wrk: apt-get install -y wrk)"
    )
    print(f"# throughput: README query, {args.clients} clients, {args.seconds} s a row, {client}")
    print(f"# {machine()}")
    rows: list[tuple[int, Row]] = []
    with tempfile.TemporaryDirectory(prefix="scholargraph-throughput-") as tmp:
        data_dir = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCHOLARGRAPH_")}
        env["SCHOLARGRAPH_DATA_DIR"] = str(data_dir)
        subprocess.run([*CLI, "seed"], env=env, check=True, capture_output=True)
        for workers in counts:
            for cache, settings in (("on", {}), ("off", {"SCHOLARGRAPH_RESPONSE_CACHE_SIZE": "0"})):
                served = Served(data_dir, workers, **settings)
                try:
                    url = f"{served.base}/graphql"
                    httpx.post(url, content=body, headers={"content-type": "application/json"},
                               timeout=120)  # fmt: skip
                    drive("warm-up", url, body, args.clients, 2)
                    row = drive(f"README query, cache {cache}", url, body, args.clients,
                                args.seconds)  # fmt: skip
                    rows.append((workers, row))
                    if cache == "on":
                        health = drive("GET /healthz", f"{served.base}/healthz", None,
                                       args.clients, max(5, args.seconds // 2))  # fmt: skip
                        rows.append((workers, health))
                finally:
                    served.stop()
                print(f"  done: {workers} worker(s), cache {cache}", file=sys.stderr)
    print()
    print("| workers | request | requests/s | p50 ms | p99 ms | errors | target met |")
    print("|---|---|---|---|---|---|---|")
    for workers, row in rows:
        met = ""
        if row.name.startswith("README"):
            ok = row.rps >= TARGET_RPS and row.p99_ms < TARGET_P99_MS and row.errors == 0
            met = "yes" if ok else "no"
        print(
            f"| {workers} | {row.name} | {row.rps:,.0f} | {row.p50_ms:.1f} | {row.p99_ms:.1f} "
            f"| {row.errors} | {met} |"
        )
    by = {(w, r.name): r for w, r in rows}
    for workers in counts:
        on, off = (
            by.get((workers, "README query, cache on")),
            by.get((workers, "README query, cache off")),
        )
        if on and off and off.rps:
            print(
                f"\n{workers} worker(s): cache on / cache off = {on.rps / off.rps:.1f}x requests/s"
            )


if __name__ == "__main__":
    main()
