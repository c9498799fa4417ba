"""The `scholargraph` command end to end, as a user runs it: real processes, the bundled store."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import SEEDS
from scholargraph.graphdb import embedded

CLI = [sys.executable, "-m", "scholargraph.cli"]


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHOLARGRAPH_")}
    env["SCHOLARGRAPH_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env


def _run(data_dir: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], env=_env(data_dir, **extra), capture_output=True, text=True, timeout=120
    )


def _counts(output: str) -> dict[str, int]:
    return {m[0]: int(m[1]) for m in re.findall(r"^\s+(\w+)\s+(\d+)$", output, re.M)}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_help_documents_every_setting(tmp_path: Path) -> None:
    result = _run(tmp_path, "--help")
    assert result.returncode == 0
    flat = " ".join(result.stdout.split())
    for name in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE", "DATA_DIR",
                 "FALKORDB_URL", "SEEDS_DIR", "SEED_ON_START"):  # fmt: skip
        assert f"SCHOLARGRAPH_{name}" in flat, name
    for command in ("serve", "seed", "stats", "import", "schema"):
        assert command in flat


def test_seed_twice_gives_the_same_counts_and_they_persist(tmp_path: Path) -> None:
    first = _run(tmp_path, "seed")
    assert first.returncode == 0, first.stderr
    second = _run(tmp_path, "seed")
    assert second.returncode == 0, second.stderr
    totals = re.findall(r"graph now holds (\d+) nodes and (\d+) relationships", first.stdout)
    assert totals and totals == re.findall(
        r"graph now holds (\d+) nodes and (\d+) relationships", second.stdout
    )
    # A new process, a new server over the same append-only file: everything is still there.
    stats = _run(tmp_path, "stats")
    assert stats.returncode == 0, stats.stderr
    counts = _counts(stats.stdout)
    assert counts["Researcher"] == 24 and counts["Paper"] == 12 and counts["Talk"] == 4
    assert counts["AUTHORED"] > 50 and counts["PUBLISHED_AT"] >= 18
    assert f"total: {totals[0][0]} nodes, {totals[0][1]} relationships" in stats.stdout


def test_malformed_seed_file_fails_clearly_and_changes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert _run(data, "seed").returncode == 0
    before = _run(data, "stats").stdout
    broken = tmp_path / "seeds"
    shutil.copytree(SEEDS, broken)
    homepage = broken / "homepage.yaml"
    homepage.write_text(
        homepage.read_text().replace("equalContribution: true", "equalContribution: maybe", 1)
    )
    result = _run(data, "seed", SCHOLARGRAPH_SEEDS_DIR=str(broken))
    assert result.returncode == 1
    assert "homepage.yaml" in result.stderr and "equalContribution" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    (broken / "profile.yaml").write_text("papers: [unclosed")
    result = _run(data, "seed", SCHOLARGRAPH_SEEDS_DIR=str(broken))
    assert result.returncode == 1 and "not valid YAML" in result.stderr
    assert _run(data, "stats").stdout == before


def test_unusable_data_dir_is_one_clear_message(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = _run(blocker / "data", "stats")
    assert result.returncode == 1
    assert "not writable" in result.stderr and "SCHOLARGRAPH_DATA_DIR" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_neo4j_is_one_clear_message(tmp_path: Path) -> None:
    port = _free_port()  # nothing listens there
    result = _run(tmp_path, "stats", SCHOLARGRAPH_NEO4J_URI=f"bolt://127.0.0.1:{port}")
    assert result.returncode == 1
    assert "cannot reach Neo4j" in result.stderr
    assert "Traceback" not in result.stderr


def test_port_in_use_is_one_clear_message(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _run(tmp_path, "serve", "--port", str(port))
    assert result.returncode == 1
    assert f"port {port}" in result.stderr and "in use" in result.stderr


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    port = _free_port()
    process = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)], env=_env(tmp_path),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            assert time.monotonic() < deadline, "serve did not become ready"
            time.sleep(0.2)
        yield tmp_path, base
    finally:
        process.terminate()
        process.wait(30)
        if process.stdout:
            process.stdout.close()
    # uvicorn re-raises SIGTERM after a graceful shutdown; the lifespan must have run to the end,
    # stopping the bundled FalkorDB it started.
    assert process.returncode in (0, -15)
    assert not embedded._answers(embedded.socket_path(tmp_path.resolve()))


def test_serve_seeds_an_empty_graph_and_commands_work_beside_it(served: tuple[Path, str]) -> None:
    data_dir, base = served
    query = '{ researcher(name: "Will Grathwohl") { works { totalCount } trust { score } } }'
    body = httpx.post(f"{base}/graphql", json={"query": query}, timeout=10).json()
    assert "errors" not in body
    assert body["data"] == {"researcher": {"works": {"totalCount": 12}, "trust": {"score": 15}}}
    # The CLI attaches to the running store instead of starting a second server on its files.
    seed = _run(data_dir, "seed")
    assert seed.returncode == 0, seed.stderr
    stats = _run(data_dir, "stats")
    assert stats.returncode == 0 and _counts(stats.stdout)["Paper"] == 12
    # ...and leaves it running for the server.
    assert httpx.get(f"{base}/readyz", timeout=5).status_code == 200


def test_second_serve_on_the_same_data_dir_reuses_the_store(served: tuple[Path, str]) -> None:
    data_dir, base = served
    port = _free_port()
    second = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)], env=_env(data_dir),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1)
                if ready.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert second.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        query = '{ researcher(id: "researcher:will-grathwohl") { name } }'
        answer = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": query}, timeout=10)
        assert answer.json()["data"] == {"researcher": {"name": "Will Grathwohl"}}
    finally:
        second.terminate()
        second.wait(30)
    # The second server did not own the store, so stopping it left the first one working.
    assert httpx.get(f"{base}/readyz", timeout=5).status_code == 200
