"""Shared fixtures: one `store` fixture over every backend that can be started here.

FalkorDB (the bundled server) always runs. Neo4j runs against SCHOLARGRAPH_NEO4J_URI when it is
set; otherwise the session starts a local Neo4j itself with `./run neo4j` (Java and Maven
needed), once, and skips the Neo4j half visibly only where Java or Maven is missing. Every test
that takes `store` (or `seeded`, `client`) runs once per backend.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn

from scholargraph.app import create_app
from scholargraph.graphdb import embedded
from scholargraph.graphdb.connect import ensure_schema
from scholargraph.graphdb.falkor_store import FalkorStore
from scholargraph.graphdb.store import Store
from scholargraph.ingest import load

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page, Route

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"


def readme_query(name: str = "") -> str:
    """The README's "Try, in GraphiQL" query, as written there; `name` names the operation."""
    text = (REPO / "README.md").read_text()
    start = text.index("```graphql\n", text.index("Try, in GraphiQL")) + len("```graphql\n")
    query = text[start : text.index("```", start)]
    return f"query {name} {query}" if name else query


# The real conference paper lists live in shared/ beside the checkout (so in CI too).
PAPERLISTS = Path(
    os.environ.get("SCHOLARGRAPH_PAPERLISTS_DIR", REPO.parent / "shared" / "data" / "paperlists")
)
NEO4J_URI = os.environ.get("SCHOLARGRAPH_NEO4J_URI")
# Starting a local Neo4j needs a JVM and Maven (the first start downloads its jars).
NEO4J_MISSING = (
    None
    if NEO4J_URI or (shutil.which("java") and shutil.which("mvn"))
    else "Neo4j: no SCHOLARGRAPH_NEO4J_URI, and no java/mvn to start a local one"
)
SCREENSHOTS = REPO / "tests" / "screenshots"
# Debian's package; Playwright's own browser download does not work on our machines.
CHROMIUM = (
    os.environ.get("SCHOLARGRAPH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A hang guard for browser waits on a loaded machine, not a speed requirement.
BROWSER_WAIT_MS = 120_000

BACKENDS = [
    pytest.param("falkordb", marks=pytest.mark.falkordb),
    pytest.param(
        "neo4j",
        marks=[
            pytest.mark.neo4j,
            pytest.mark.skipif(NEO4J_MISSING is not None, reason=str(NEO4J_MISSING)),
        ],
    ),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment for a `scholargraph` subprocess: this one's without any SCHOLARGRAPH_
    setting (nor prometheus' multiprocess directory), its data in `data_dir`, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHOLARGRAPH_")}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env["SCHOLARGRAPH_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env


def store_env(
    store: Store, request: pytest.FixtureRequest, data_dir: Path, **extra: str
) -> dict[str, str]:
    """`cli_env` attached to the test's own `store`: its FalkorDB graph, or its Neo4j."""
    if store.dialect.name == "falkordb":
        server = request.getfixturevalue("falkordb_server")
        return cli_env(
            data_dir,
            SCHOLARGRAPH_FALKORDB_URL=f"unix://{server.socket}",
            SCHOLARGRAPH_GRAPH=store.graph_name,  # type: ignore[attr-defined]
            **extra,
        )
    return cli_env(data_dir, SCHOLARGRAPH_NEO4J_URI=request.getfixturevalue("neo4j_uri"), **extra)


class LocalNeo4j:
    """`./run neo4j` as a child process: started, waited for, stopped with SIGTERM."""

    def __init__(self, data: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.data = data
        self.uri = f"bolt://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[str] | None = None

    def start(self, timeout: float = 900) -> LocalNeo4j:
        env = {**os.environ, "NEO4J_JAVA_OPTS": os.environ.get("NEO4J_JAVA_OPTS", "-Xmx1g")}
        self.process = subprocess.Popen(
            [str(REPO / "run"), "neo4j", "--port", str(self.port), "--data", str(self.data)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        assert self.process.stdout is not None
        seen: list[str] = []
        deadline = time.monotonic() + timeout  # the first start builds and downloads
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            seen.append(line)
            if line.strip() == self.uri:
                return self
        self.stop()
        raise RuntimeError("./run neo4j did not come up:\n" + "".join(seen[-30:]))

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
        if self.process.stdout is not None:
            self.process.stdout.close()
        return self.process.returncode


@pytest.fixture(scope="session")
def neo4j_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """SCHOLARGRAPH_NEO4J_URI, or a local Neo4j started once for the whole session."""
    if NEO4J_URI:
        yield NEO4J_URI
        return
    if NEO4J_MISSING:
        pytest.skip(NEO4J_MISSING)
    server = LocalNeo4j(tmp_path_factory.mktemp("neo4j")).start()
    # In a thread of its own: this fixture is first asked for from inside a running event loop.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _warm_up(server.uri)).result()
    yield server.uri
    server.stop()


async def _warm_up(uri: str) -> None:
    # A cold JVM plans and compiles its first queries slowly; on a loaded machine that can pass
    # the tests' 10 s read timeout, so the first queries run once here, without that bound.
    backend = await open_neo4j(uri, timeout_ms=300_000)
    try:
        await ensure_schema(backend)
        await load.seed(backend, SEEDS)
        await backend.write("MATCH (n) DETACH DELETE n")
    finally:
        await backend.close()


@pytest.fixture(scope="session")
def falkordb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[embedded.EmbeddedServer]:
    server = embedded.start(tmp_path_factory.mktemp("falkordb"))
    yield server
    server.stop()


async def open_neo4j(uri: str, timeout_ms: int = 10_000) -> Store:
    from scholargraph.graphdb.neo4j_store import Neo4jStore

    return await Neo4jStore.connect(
        uri,
        os.environ.get("SCHOLARGRAPH_NEO4J_USER", "neo4j"),
        os.environ.get("SCHOLARGRAPH_NEO4J_PASSWORD", ""),
        os.environ.get("SCHOLARGRAPH_NEO4J_DATABASE", "neo4j"),
        timeout_ms=timeout_ms,
    )


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    """An empty graph with the schema in place, on each backend."""
    backend: Store
    if request.param == "falkordb":
        server = request.getfixturevalue("falkordb_server")
        # A fresh graph per test keeps tests independent without restarting the server.
        graph = f"test_{uuid.uuid4().hex[:12]}"
        backend = FalkorStore.over_socket(str(server.socket), graph)
        await ensure_schema(backend)
        yield backend
        await backend.write("MATCH (n) DETACH DELETE n")
        await backend.close()
    else:
        backend = await open_neo4j(request.getfixturevalue("neo4j_uri"))
        await backend.write("MATCH (n) DETACH DELETE n")
        await ensure_schema(backend)
        yield backend
        await backend.write("MATCH (n) DETACH DELETE n")
        await backend.close()


@pytest.fixture
async def seeded(store: Store) -> Store:
    await load.seed(store, SEEDS)
    store.counters.reads = store.counters.writes = 0
    return store


@pytest.fixture
async def client(seeded: Store) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(store=seeded)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@contextlib.asynccontextmanager
async def serving(app: Any, ws: str = "none") -> AsyncIterator[str]:
    """`app` served by a real uvicorn on a free loopback port, in the tests' own event loop
    (the store's connections belong to it); yields the base URL, e.g. http://127.0.0.1:43817.
    `ws="websockets-sansio"` serves WebSockets too (tests/test_subscriptions.py)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, lifespan="off", ws=ws, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if serving.done():
            serving.result()  # raises why it could not start
            raise RuntimeError("uvicorn stopped before it started")
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving
        sock.close()


@pytest.fixture
async def live_server(seeded: Store) -> AsyncIterator[str]:
    """The app over the seeded store, served by a real uvicorn (see `serving`)."""
    async with serving(create_app(store=seeded)) as url:
        yield url


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """Headless Debian Chromium through Playwright; skipped when either is missing."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"Chromium: {CHROMIUM} is missing (apt-get install -y chromium)")
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        pytest.skip("Chromium: the playwright package is missing (pip install -e .[test])")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


@dataclasses.dataclass
class OfflinePage:
    """A browser page cut off from every host but 127.0.0.1, with what it tried and said."""

    page: Page
    blocked: list[str] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)

    async def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        await self.page.screenshot(path=str(path), full_page=False)
        return path


@pytest.fixture
async def offline_page(browser: Browser) -> AsyncIterator[OfflinePage]:
    """A fresh browser context whose requests to any host but 127.0.0.1 are aborted.

    `errors` collects console errors, uncaught exceptions and Content-Security-Policy
    violations; `blocked` the URLs that tried to leave the machine.
    """
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(BROWSER_WAIT_MS)
    offline = OfflinePage(page)

    async def cut_off(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1" or url.startswith(("data:", "blob:")):
            await route.continue_()
        else:
            offline.blocked.append(url)
            await route.abort("internetdisconnected")

    def on_console(message: Any) -> None:
        if message.type == "error":
            offline.errors.append(f"console: {message.text}")

    await context.route("**/*", cut_off)
    page.on("console", on_console)
    page.on("pageerror", lambda error: offline.errors.append(f"uncaught: {error}"))
    await page.add_init_script(
        "document.addEventListener('securitypolicyviolation', (e) => console.error("
        "`CSP violation: ${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`"
        "));"
    )
    yield offline
    await context.close()


async def gql(
    http: httpx.AsyncClient, query: str, variables: dict[str, object] | None = None
) -> dict[str, object]:
    """POST a query; return the whole JSON body (data and errors)."""
    response = await http.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per skip reason (instead of one per test), so the Neo4j half stays visible."""
    reasons: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reason = reason.removeprefix("Skipped: ")
        reasons[reason] = reasons.get(reason, 0) + 1
    if reasons:
        terminalreporter.section("skipped, by reason")
        for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
            terminalreporter.write_line(f"{count:5d} skipped: {reason}")
    # Per store, what ran: the Neo4j half must be there, not skipped.
    counts: dict[tuple[str, str], int] = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            if report.when != "call" and outcome == "passed":
                continue
            keywords = getattr(report, "keywords", {})
            for marker in ("falkordb", "neo4j"):
                if marker in keywords:
                    counts[marker, outcome] = counts.get((marker, outcome), 0) + 1
    if counts:
        terminalreporter.section("by store")
        for marker, title in (("falkordb", "FalkorDB"), ("neo4j", "Neo4j")):
            line = ", ".join(
                f"{counts.get((marker, outcome), 0)} {outcome}"
                for outcome in ("passed", "failed", "skipped", "error")
            )
            terminalreporter.write_line(f"{title}: {line}")
