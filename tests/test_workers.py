"""`scholargraph serve --workers N`: several processes on one store, as a user runs them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from conftest import cli_env, store_env
from scholargraph.graphdb import embedded
from scholargraph.graphdb.store import Store

CLI = [sys.executable, "-m", "scholargraph.cli"]
# A hang guard for start-up on a loaded machine, not a speed requirement.
READY_WAIT_S = 120
PAGE = "query ($n: Int) { researchers(first: $n) { edges { node { id } } } }"
WILL = '{ researcher(name: "will grathwohl") { name } }'


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _workers(parent: int) -> set[int]:
    """The worker processes under `serve`: its Python children (not redis, not the tracker)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == parent and b"spawn_main" in command:
            found.add(int(entry.name))
    return found


def _wait(condition: object, process: subprocess.Popen[str], what: str) -> None:
    limit = time.monotonic() + READY_WAIT_S
    while not condition():  # type: ignore[operator]
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        assert time.monotonic() < limit, f"hang guard: {what}"
        time.sleep(0.2)


@contextmanager
def serving(env: dict[str, str], workers: int = 2) -> Iterator[tuple[subprocess.Popen[str], str]]:
    port = _free_port()
    process = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--workers", str(workers)], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            return httpx.get(f"{base}/readyz", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    try:
        _wait(lambda: ready() and len(_workers(process.pid)) == workers, process, "ready")
        yield process, base
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(60)
        if process.stdout:
            process.stdout.close()


@pytest.mark.falkordb
def test_a_killed_worker_is_replaced_and_the_others_keep_answering(tmp_path: Path) -> None:
    with serving(cli_env(tmp_path)) as (process, base):
        first = _workers(process.pid)
        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        # The store belongs to the parent: the surviving worker answers throughout.
        for _ in range(10):
            body = httpx.post(f"{base}/graphql", json={"query": WILL}, timeout=60).json()
            assert body["data"] == {"researcher": {"name": "Will Grathwohl"}}
        _wait(lambda: len(_workers(process.pid) - first) == 1, process, "a new worker")
        assert victim not in _workers(process.pid)
        assert httpx.get(f"{base}/readyz", timeout=5).status_code == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(60) == 0
    # The parent started the bundled FalkorDB, so it stopped it on the way out.
    assert not embedded._answers(embedded.socket_path(tmp_path.resolve()))


def test_workers_spend_from_one_cost_budget(
    store: Store, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    env = store_env(store, request, tmp_path)
    env.update(SCHOLARGRAPH_COST_BUDGET_PER_MINUTE="1000", SCHOLARGRAPH_SEED_ON_START="false")
    with serving(env) as (_, base):
        remaining, statuses = [], []
        for _ in range(4):
            # A connection each, so that the workers take turns as the kernel hands them out.
            with httpx.Client(base_url=base, timeout=30) as http:
                response = http.post("/graphql", json={"query": PAGE, "variables": {"n": 300}})
            statuses.append(response.status_code)
            remaining.append(response.json()["extensions"]["cost"]["remaining"])
    # Per-worker budgets would answer 700 again from the other worker; the refill is 1,000 a
    # minute, so a slow machine gives a few points back between requests.
    assert statuses == [200, 200, 200, 429]
    assert remaining[0] == 700
    assert 400 <= remaining[1] < 500 and 100 <= remaining[2] < 300


@pytest.mark.parametrize("case", ["port", "neo4j"])
def test_start_up_failures_are_one_clear_line(case: str, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        args = ["serve", "--workers", "2", "--port", str(port if case == "port" else _free_port())]
        extra = {"SCHOLARGRAPH_NEO4J_URI": f"bolt://127.0.0.1:{port}"} if case == "neo4j" else {}
        if case == "neo4j":
            taken.close()  # nothing listens there any more
        result = subprocess.run(
            [*CLI, *args],
            env=cli_env(tmp_path, **extra),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert ("in use" if case == "port" else "cannot reach Neo4j") in result.stderr
