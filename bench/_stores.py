"""What the benchmarks share: which stores to run, a local Neo4j, a fresh store per run, tables.

Every benchmark takes `--stores falkordb,neo4j`. The default is both when Neo4j can be had
(SCHOLARGRAPH_NEO4J_URI is set, or java and mvn are on PATH to start `./run neo4j`), else
FalkorDB alone with a printed note. Without SCHOLARGRAPH_NEO4J_URI a local Neo4j is started
once per benchmark run, in a temp data dir, and stopped at the end. With it, the benchmark
EMPTIES that database (before each run and after): never point it at data you keep.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from scholargraph.graphdb import bulk, embedded
from scholargraph.graphdb.connect import ensure_schema
from scholargraph.graphdb.falkor_store import FalkorStore
from scholargraph.graphdb.model import Label, Rel
from scholargraph.graphdb.store import Store

REPO = Path(__file__).resolve().parents[1]
STORES = ("falkordb", "neo4j")
TITLES = {"falkordb": "FalkorDB", "neo4j": "Neo4j"}
# Rows per UNWIND batch when bulk-loading synthetic graphs: FalkorDB as measured before;
# Neo4j commits each batch as one managed transaction, and larger ones amortize the commit.
BULK_BATCH = {"falkordb": bulk.BULK_BATCH, "neo4j": 10_000}
# Nodes deleted per transaction when emptying Neo4j (DETACH DELETE takes their relationships).
EMPTY_BATCH = 10_000
# Settings that pick a store: dropped from a subprocess's environment, then set for the one
# the benchmark runs.
_STORE_VARIABLES = frozenset(
    f"SCHOLARGRAPH_{name}"
    for name in ("NEO4J_URI", "NEO4J_DATABASE", "FALKORDB_URL", "DATA_DIR", "GRAPH")
)
NEO4J_PAGECACHE = os.environ.get("SCHOLARGRAPH_BENCH_NEO4J_PAGECACHE", "1g")


# ---- choosing stores -------------------------------------------------------------------------


async def wait_ready(http: httpx.AsyncClient, api: subprocess.Popen[bytes]) -> None:
    """Until the `scholargraph serve` subprocess `api` answers /readyz (at most 300 s)."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if api.poll() is not None:
            raise RuntimeError(f"scholargraph serve exited with {api.returncode}")
        try:
            if (await http.get("/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError("scholargraph serve did not become ready in 300 s")


def readme_query(name: str = "") -> str:
    """The README's "Try, in GraphiQL" query, as written there; `name` names the operation."""
    text = (REPO / "README.md").read_text()
    start = text.index("```graphql\n", text.index("Try, in GraphiQL")) + len("```graphql\n")
    query = text[start : text.index("```", start)]
    return f"query {name} {query}" if name else query


def neo4j_missing() -> str | None:
    """Why Neo4j cannot be benchmarked here, or None when it can."""
    if os.environ.get("SCHOLARGRAPH_NEO4J_URI"):
        return None
    if shutil.which("java") and shutil.which("mvn"):
        return None
    return "no SCHOLARGRAPH_NEO4J_URI, and no java/mvn to start a local Neo4j with ./run neo4j"


def add_stores_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stores",
        default=None,
        help="comma-separated, of falkordb,neo4j (default: both when Neo4j can be had: "
        "SCHOLARGRAPH_NEO4J_URI, or java+mvn for ./run neo4j; else falkordb)",
    )


def chosen_stores(parser: argparse.ArgumentParser, value: str | None) -> list[str]:
    missing = neo4j_missing()
    if value is None:
        if missing:
            print(f"note: FalkorDB only: {missing}", flush=True)
            return ["falkordb"]
        return list(STORES)
    names = [s.strip().lower() for s in value.split(",") if s.strip()]
    unknown = [s for s in names if s not in STORES]
    if unknown or not names:
        parser.error(f"--stores: unknown {unknown}; choose from {','.join(STORES)}")
    if "neo4j" in names and missing:
        parser.error(f"--stores neo4j: {missing}")
    return list(dict.fromkeys(names))


# ---- a local Neo4j ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class LocalNeo4j:
    """`./run neo4j` as a child process: started, waited for, stopped with SIGTERM."""

    def __init__(self, data: Path, port: int | None = None, pagecache: str = NEO4J_PAGECACHE):
        self.port = port or free_port()
        self.data = data
        self.pagecache = pagecache
        self.uri = f"bolt://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[str] | None = None
        self._tail: deque[str] = deque(maxlen=30)
        self._drain: threading.Thread | None = None

    def start(self, timeout: float = 900) -> LocalNeo4j:
        command = [str(REPO / "run"), "neo4j", "--port", str(self.port), "--data", str(self.data)]
        command += ["--pagecache", self.pagecache]
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout  # a first start builds the launcher
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self._tail.append(line)
            if line.strip() == self.uri:
                # Keep reading what it prints, so a full pipe never blocks the server.
                self._drain = threading.Thread(target=self._read_rest, daemon=True)
                self._drain.start()
                return self
        self.stop()
        raise RuntimeError("./run neo4j did not come up:\n" + "".join(self._tail))

    def _read_rest(self) -> None:
        assert self.process is not None
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._tail.append(line)

    def stop(self) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._drain is not None:
            self._drain.join(5)
        if self.process.stdout is not None:
            self.process.stdout.close()
        return self.process.returncode


# ---- a fresh store per run -------------------------------------------------------------------


@dataclass
class Opened:
    """An empty store with the schema in place, and how a `scholargraph serve` reaches it."""

    name: str
    store: Store
    serve_env: dict[str, str]
    version: str = ""
    server_pid: int | None = None  # the store's server process (redis-server or Neo4j's JVM)
    data_dir: Path | None = None  # FalkorDB: the bundled server's data directory

    @property
    def title(self) -> str:
        return TITLES[self.name]

    @property
    def bulk_batch(self) -> int:
        return BULK_BATCH[self.name]

    def subprocess_env(self, **extra: str) -> dict[str, str]:
        """The environment for a `scholargraph` subprocess on this same store (and no other)."""
        env = {k: v for k, v in os.environ.items() if k not in _STORE_VARIABLES}
        return {**env, **self.serve_env, **extra}


@dataclass
class Stores:
    """Opens fresh stores for one benchmark run; starts a local Neo4j at most once, lazily,
    and stops it (and removes its data) when the run ends."""

    names: list[str]
    _local: LocalNeo4j | None = None
    _local_dir: tempfile.TemporaryDirectory[str] | None = None
    _uri: str | None = field(default_factory=lambda: os.environ.get("SCHOLARGRAPH_NEO4J_URI"))

    async def __aenter__(self) -> Stores:
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._local is not None:
            self._local.stop()
        if self._local_dir is not None:
            self._local_dir.cleanup()

    def neo4j_uri(self) -> str:
        if self._uri:
            return self._uri
        self._local_dir = tempfile.TemporaryDirectory(prefix="sg-bench-neo4j-")
        started = time.perf_counter()
        print("starting a local Neo4j (./run neo4j) ...", flush=True)
        self._local = LocalNeo4j(Path(self._local_dir.name)).start()
        self._uri = self._local.uri
        print(f"Neo4j up at {self._uri} in {time.perf_counter() - started:.1f}s", flush=True)
        return self._uri

    @asynccontextmanager
    async def fresh(
        self,
        name: str,
        *,
        graph: str = "bench",
        timeout_ms: int = 300_000,
        aof: bool = True,
        snapshot: Path | None = None,
    ) -> AsyncIterator[Opened]:
        """`name`'s store, empty, schema in place. FalkorDB: a bundled server in a temp dir
        (`aof=False` turns its append-only log off: throwaway graphs load faster), started on
        a copy of `snapshot` (a dump.rdb written by `save_falkordb`) when one is given."""
        if name == "falkordb":
            async with _fresh_falkordb(graph, timeout_ms, aof, snapshot) as opened:
                yield opened
        else:
            async with _fresh_neo4j(
                self.neo4j_uri(), external=self._local is None, timeout_ms=timeout_ms
            ) as opened:
                if self._local is not None and self._local.process is not None:
                    opened.server_pid = self._local.process.pid
                yield opened


@asynccontextmanager
async def _fresh_falkordb(
    graph: str, timeout_ms: int, aof: bool, snapshot: Path | None
) -> AsyncIterator[Opened]:
    with tempfile.TemporaryDirectory(prefix="sg-bench-") as tmp:
        if snapshot is not None:
            # The bundled server runs with an append-only log, and then redis ignores dump.rdb:
            # the snapshot goes in as the log's RDB base, named by a manifest.
            log_dir = Path(tmp) / "falkordb" / "appendonlydir"
            log_dir.mkdir(parents=True)
            shutil.copyfile(snapshot, log_dir / "appendonly.aof.1.base.rdb")
            (log_dir / "appendonly.aof.manifest").write_text(
                "file appendonly.aof.1.base.rdb seq 1 type b\n"
            )
        server = embedded.start(Path(tmp), wait_seconds=900)
        store = FalkorStore.over_socket(str(server.socket), graph, timeout_ms=timeout_ms)
        try:
            if not aof:
                await _falkordb_config(server, "appendonly", "no")
            await ensure_schema(store)
            env = {"SCHOLARGRAPH_DATA_DIR": tmp, "SCHOLARGRAPH_GRAPH": graph}
            pid = server.process.pid if server.process is not None else None
            yield Opened("falkordb", store, env, server_pid=pid, data_dir=Path(tmp))
        finally:
            await store.close()
            server.stop()


async def save_falkordb(opened: Opened, dest: Path) -> None:
    """Write the bundled server's graph to `dest` as an RDB snapshot (SAVE), to start a later
    run from (`Stores.fresh(..., snapshot=dest)`)."""
    from falkordb.asyncio import FalkorDB

    assert opened.data_dir is not None
    admin = FalkorDB(unix_socket_path=str(embedded.socket_path(opened.data_dir)))
    try:
        await admin.connection.save()
    finally:
        await admin.aclose()
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_suffix(".partial")
    shutil.copyfile(opened.data_dir / "falkordb" / "dump.rdb", partial)
    partial.replace(dest)


def rss_mib(pid: int | None) -> float | None:
    """A process's resident memory (VmRSS), MiB; None when it cannot be read."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


async def _falkordb_config(server: embedded.EmbeddedServer, key: str, value: str) -> None:
    from falkordb.asyncio import FalkorDB

    admin = FalkorDB(unix_socket_path=str(server.socket))
    try:
        await admin.connection.config_set(key, value)
    finally:
        await admin.aclose()


@asynccontextmanager
async def _fresh_neo4j(uri: str, *, external: bool, timeout_ms: int) -> AsyncIterator[Opened]:
    from scholargraph.graphdb.neo4j_store import Neo4jStore

    user = os.environ.get("SCHOLARGRAPH_NEO4J_USER", "neo4j")
    password = os.environ.get("SCHOLARGRAPH_NEO4J_PASSWORD", "")
    database = os.environ.get("SCHOLARGRAPH_NEO4J_DATABASE", "neo4j")
    store = await Neo4jStore.connect(uri, user, password, database, timeout_ms=timeout_ms)
    try:
        version = await store.check_version()
        if external:
            print(f"note: emptying database {database!r} at {uri} for the benchmark", flush=True)
        await empty_neo4j(store)
        await ensure_schema(store)
        await store.write("CALL db.awaitIndexes(300)")
        env = {
            "SCHOLARGRAPH_NEO4J_URI": uri,
            "SCHOLARGRAPH_NEO4J_USER": user,
            "SCHOLARGRAPH_NEO4J_PASSWORD": password,
            "SCHOLARGRAPH_NEO4J_DATABASE": database,
        }
        yield Opened("neo4j", store, env, version=version)
        if external:
            await empty_neo4j(store)
    finally:
        await store.close()


async def empty_neo4j(store: Store) -> None:
    """Delete every node, EMPTY_BATCH nodes (with their relationships) per transaction: one
    transaction for a whole 100k graph would hold it all in memory. (Schema objects stay.)"""
    query = f"MATCH (n) WITH n LIMIT {EMPTY_BATCH} DETACH DELETE n RETURN count(*) AS deleted"
    while (await store.write(query))[0]["deleted"]:
        pass


# ---- loading and figures ---------------------------------------------------------------------


async def bulk_load(
    opened: Opened,
    nodes: Mapping[Label, Sequence[Mapping[str, Any]]],
    edges: Mapping[Rel, Sequence[tuple[str, str, Mapping[str, Any]]]],
) -> None:
    """A synthetic graph into an empty store: UNWIND ... CREATE in batches (graphdb.bulk), one
    write transaction per batch."""
    for label, rows in nodes.items():
        await bulk.create_nodes(opened.store, label, rows, batch=opened.bulk_batch)
    for rel, edge_rows in edges.items():
        await bulk.create_edges(opened.store, rel, edge_rows, batch=opened.bulk_batch)


def percentile(values: Sequence[float], q: int) -> float:
    """The q-th percentile (1 to 99), interpolated between samples."""
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            names = [line.split(":", 1)[1].strip() for line in info if "model name" in line]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return (
        f"{datetime.date.today()}, {os.cpu_count()} cores, {cpu}, "
        f"Python {platform.python_version()}"
    )


@dataclass
class SideBySide:
    """The figures of one run, one row per figure, one column per store: printed at the end in
    the shape of bench/README.md's table."""

    stores: list[str]
    rows: list[tuple[str, str, dict[str, str], str]] = field(default_factory=list)

    def add(self, benchmark: str, figure: str, values: Mapping[str, str], baseline: str) -> None:
        self.rows.append((benchmark, figure, dict(values), baseline))

    def render(self) -> str:
        titles = [TITLES[s] for s in self.stores]
        lines = [
            "| benchmark | figure | " + " | ".join(titles) + " | baseline of the same run |",
            "|---|---|" + "---:|" * len(titles) + "---|",
        ]
        for benchmark, figure, values, baseline in self.rows:
            cells = " | ".join(values.get(s, "-") for s in self.stores)
            lines.append(f"| {benchmark} | {figure} | {cells} | {baseline} |")
        return "\n".join(lines)

    def print(self, note: str = "ratios are of p50s, to the baseline named at the right") -> None:
        print(f"\nside by side ({note}):")
        print(self.render(), flush=True)


__all__ = [
    "STORES",
    "LocalNeo4j",
    "Opened",
    "SideBySide",
    "Stores",
    "add_stores_argument",
    "bulk_load",
    "chosen_stores",
    "empty_neo4j",
    "free_port",
    "machine",
    "percentile",
    "rss_mib",
    "save_falkordb",
]
